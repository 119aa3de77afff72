"""The wheel carries grammar/ and templates/: install it in a fresh venv and compile outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from conftest import ROOT, need

SEED = ROOT / "examples" / "seed-lab.ldr"


def test_wheel_installs_and_compiles_outside_checkout(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    need("No module named build" not in r.stderr, "the `build` package")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("ldrc-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "compiler/grammar/ldr.lark" in names
    assert "compiler/templates/shell/lvs_dr.sh.j2" in names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    py = env_dir / "bin" / "python"
    # dependencies come from the test venv's own site-packages (no network needed)
    site = next(p for p in sys.path if p.endswith("site-packages"))
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "seed-lab.ldr").write_text(SEED.read_text())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = site  # lark, jinja2, click only; ldrc itself comes from the wheel
    r = subprocess.run(
        [str(env_dir / "bin" / "ldrc"), "compile", "seed-lab.ldr", "-o", "out"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    loaded = subprocess.run(
        [str(py), "-c", "import compiler; print(compiler.__file__)"], cwd=work, capture_output=True, text=True, env=env
    ).stdout
    assert str(env_dir) in loaded and str(ROOT) not in loaded
    assert (work / "out" / "lvs-01" / "lvs_dr.sh").read_text().startswith("#!/bin/bash\n")
    expected = (ROOT / "tests/golden/seed-lab/expected/router/iptables.rules").read_text()
    assert (work / "out/router/iptables.rules").read_text() == expected.replace("ldrc 0.0.0", "ldrc " + _version())


def _version() -> str:
    from compiler import __version__

    return __version__
