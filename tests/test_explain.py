"""Every code has an explanation; every wrong example reports its code, every fixed one compiles."""

from __future__ import annotations

import pytest

from compiler.api import compile_source
from compiler.codes import CODES, explain

EXAMPLES = [c for c in CODES.values() if c.wrong]


def test_every_code_but_a_few_has_examples() -> None:
    without = {c.code for c in CODES.values() if not c.wrong}
    assert without == {"E104", "E901"}  # bytes, and bugs: no .ldr text shows them


@pytest.mark.parametrize("code", [c.code for c in EXAMPLES])
def test_wrong_example_reports_its_code(code: str) -> None:
    r = compile_source(CODES[code].wrong, CODES[code].path)
    assert code in {d.code for d in r.diagnostics}, [f"{d.code} {d.message}" for d in r.diagnostics]


@pytest.mark.parametrize("code", [c.code for c in EXAMPLES])
def test_fixed_example_compiles_cleanly(code: str) -> None:
    r = compile_source(CODES[code].fixed, CODES[code].path)
    assert not r.diagnostics, [f"{d.code} {d.message}" for d in r.diagnostics]


def test_explain_shows_both_examples() -> None:
    text = explain("e203")
    assert text is not None and text.startswith("E203 (rs-not-on-director-network)")
    assert "Wrong:" in text and "Fixed:" in text
    assert explain("E999") is None
