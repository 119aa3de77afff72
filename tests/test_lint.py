"""Every generated shell script passes shellcheck (all severities) and `bash -n`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import ROOT, need_tool
from golden_util import compile_case

CASES = sorted(p for p in (ROOT / "tests" / "golden").iterdir() if (p / "input.ldr").is_file())


def _scripts(tmp_path: Path) -> list[Path]:
    out = []
    for case in CASES:
        for a in compile_case(case).artifacts:
            if a.lint:
                p = tmp_path / case.name / a.path
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(a.text, encoding="utf-8")
                out.append(p)
    return out


def test_every_script_is_linted(tmp_path: Path) -> None:
    scripts = _scripts(tmp_path)
    assert len(scripts) >= 12  # directors and real servers
    names = {p.name for p in scripts}
    assert names == {"lvs_dr.sh", "lvs_rs.sh", "lvs_router.sh"}


def test_shellcheck_all_severities(tmp_path: Path) -> None:
    shellcheck = need_tool("shellcheck")
    scripts = _scripts(tmp_path)
    r = subprocess.run(
        [shellcheck, "--severity=style", "--shell=bash", *map(str, scripts)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_bash_n(tmp_path: Path) -> None:
    for p in _scripts(tmp_path):
        r = subprocess.run(["bash", "-n", str(p)], capture_output=True, text=True)
        assert r.returncode == 0, f"{p}: {r.stderr}"


def test_shellcheck_catches_a_broken_script(tmp_path: Path) -> None:
    """The lint test has teeth: an unquoted expansion in a generated script fails it."""
    shellcheck = need_tool("shellcheck")
    # the first script engine's director script (as before the keepalived engine's sorted first)
    p = next(p for p in _scripts(tmp_path) if p.name == "lvs_dr.sh" and "ipvs_sync" in p.read_text())
    text = p.read_text()
    broken = text.replace('need_dev "${DEV}"', "need_dev $DEV").replace('need_dev "${dev}"', "need_dev $dev")
    assert broken != text
    p.write_text(broken)
    r = subprocess.run([shellcheck, "--severity=style", str(p)], capture_output=True, text=True)
    assert r.returncode != 0
