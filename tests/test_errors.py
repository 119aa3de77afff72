"""Error corpus: tests/errors/<case>.ldr -> <case>.stderr, the full diagnostic text of `ldrc check`.

Every case exits 1 (or 0 with only warnings), prints no traceback, and every
code of the table is covered by at least one case.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from compiler.cli import main
from compiler.codes import CODES

ERRORS = ROOT / "tests" / "errors"
CASES = sorted(p.stem for p in ERRORS.glob("*.ldr"))


def run_check(case: str) -> tuple[int, str]:
    runner = CliRunner()
    rel = f"tests/errors/{case}.ldr"
    r = runner.invoke(main, ["check", str(ROOT / rel)], catch_exceptions=False)
    # the path as printed depends on the checkout: show it relative
    return r.exit_code, r.stderr.replace(str(ROOT) + "/", "")


def test_corpus_size() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_error_case(case: str, request: pytest.FixtureRequest) -> None:
    code, err = run_check(case)
    assert "Traceback" not in err
    expected_file = ERRORS / f"{case}.stderr"
    if request.config.getoption("--update-golden"):
        expected_file.write_text(err)
    assert err == expected_file.read_text(), f"stderr of {case} differs (pytest --update-golden, then review)"
    only_warnings = all(
        line.startswith("warning[") for line in err.splitlines() if re.match(r"^(error|warning)\[", line)
    )
    assert code == (0 if only_warnings else 1)


def test_every_code_has_a_case() -> None:
    seen = set()
    for case in CASES:
        seen |= set(re.findall(r"^(?:error|warning)\[(\w+)\]", (ERRORS / f"{case}.stderr").read_text(), re.M))
    missing = set(CODES) - seen - {"E104", "E901"}
    assert not missing, f"codes without an error-corpus case: {sorted(missing)}"


def test_invalid_utf8_case(tmp_path: Path) -> None:
    f = tmp_path / "bad.ldr"
    f.write_bytes(b"# caf\xe9\nhost d1 director { interface eth0 10.0.0.2/24 }\n")
    r = CliRunner().invoke(main, ["check", str(f)])
    assert r.exit_code == 1 and "error[E104]: invalid UTF-8 byte 0xe9" in r.stderr and f"{f}:1:6" in r.stderr
