"""Golden trees: tests/golden/<case>/input.ldr -> expected/<host>/..., byte for byte."""

from __future__ import annotations

import difflib
import shutil

import pytest
from conftest import ROOT
from golden_util import compile_case

GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.ldr").is_file())


def test_there_are_cases() -> None:
    assert {"seed-lab", "multi-vip", "udp-sh", "wrr-weights"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, request: pytest.FixtureRequest) -> None:
    case_dir = GOLDEN / case
    result = compile_case(case_dir)
    assert result.ok, [str(d) for d in result.diagnostics]
    expected_dir = case_dir / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for a in result.artifacts:
            p = expected_dir / a.path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(a.text, encoding="utf-8")
            p.chmod(a.mode)
    produced = {a.path: a.text for a in result.artifacts}
    expected = {
        str(p.relative_to(expected_dir)): p.read_text(encoding="utf-8") for p in expected_dir.rglob("*") if p.is_file()
    }
    problems = []
    for name in sorted(set(produced) | set(expected)):
        if name not in expected:
            problems.append(f"unexpected new file {name} (run pytest --update-golden and review)")
        elif name not in produced:
            problems.append(f"missing file {name}")
        elif produced[name] != expected[name]:
            problems.append(
                "".join(
                    difflib.unified_diff(
                        expected[name].splitlines(keepends=True),
                        produced[name].splitlines(keepends=True),
                        f"expected/{name}",
                        f"produced/{name}",
                    )
                )
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CASES)
def test_golden_modes(case: str) -> None:
    for a in compile_case(GOLDEN / case).artifacts:
        # NetworkManager ignores a keyfile that anyone but root may read or write
        want = 0o755 if a.path.endswith(".sh") else 0o600 if a.path.endswith(".nmconnection") else 0o644
        assert a.mode == want, a.path
        assert a.lint == a.path.endswith(".sh")
