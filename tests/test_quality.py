"""The code base stays ruff-clean, ruff-formatted and mypy --strict clean."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, need_tool


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_ruff() -> None:
    ruff = need_tool("ruff")
    r = _run(ruff, "check", "compiler", "tests", "bench")
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run(ruff, "format", "--check", "compiler", "tests", "bench")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict() -> None:
    need_tool("mypy")
    r = _run(sys.executable, "-m", "mypy")
    assert r.returncode == 0, r.stdout + r.stderr
