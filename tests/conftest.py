"""Shared test fixtures: golden updates, tool requirements (fail under CI, never skip there)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAMP = "ldrc 0.0.0"  # golden files are rendered with a fixed version stamp


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*/expected")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--update-golden") and os.environ.get("CI"):
        raise pytest.UsageError("--update-golden is refused under CI: update golden files locally and commit them")


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def need(condition: bool, what: str) -> None:
    """Skip a test whose requirement is missing, except under CI, where it fails."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"required for this test and missing under CI: {what}")
    pytest.skip(f"missing: {what}")


def need_tool(name: str) -> str:
    venv_bin = Path(os.sys.executable).parent  # type: ignore[attr-defined]
    path = shutil.which(name) or shutil.which(name, path=str(venv_bin))
    need(path is not None, f"the command `{name}`")
    assert path is not None
    return path


def need_root() -> None:
    need(os.geteuid() == 0, "root (network namespaces)")
