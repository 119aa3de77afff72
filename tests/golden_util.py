"""Compile a golden case in memory."""

from __future__ import annotations

from pathlib import Path

from conftest import STAMP

from compiler.api import Result, compile_source


def compile_case(case_dir: Path) -> Result:
    src = case_dir / "input.ldr"
    # the path as a user would pass it: only its name reaches the output
    return compile_source(src.read_text(encoding="utf-8"), f"{case_dir.name}.ldr", stamp=STAMP)
