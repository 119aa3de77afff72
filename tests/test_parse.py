"""The parse stage: tables generated from the grammar, spans, and both parse paths building equal IR.

Compared by repr(), which includes every span (spans are excluded from ==).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import ir
from compiler._parser_tables import DATA, MEMO
from compiler.parse import build_tables, parse
from compiler.parse_fast import fast_vip

HEAD = "host d director { interface eth0 10.0.0.2/24 }\n"
INPUTS = sorted(
    [*ROOT.glob("tests/golden/*/input.ldr"), *ROOT.glob("examples/*.ldr"), *ROOT.glob("tests/errors/*.ldr")]
)


def test_shipped_tables_are_the_grammars() -> None:
    """compiler/_parser_tables.py is generated from grammar/ldr.lark: regenerate it with
    `python -m compiler.parse --write-tables` after a grammar change."""
    grammar = (ROOT / "grammar" / "ldr.lark").read_text(encoding="utf-8")
    data, memo = build_tables(grammar)
    assert data == DATA and memo == MEMO, "stale compiler/_parser_tables.py: python -m compiler.parse --write-tables"


def both(text: str) -> tuple[str, str]:
    fast = parse(text, "t.ldr", fast=True)
    slow = parse(text, "t.ldr", fast=False)
    return repr((fast.module, fast.diagnostics)), repr((slow.module, slow.diagnostics))


def test_corpus_parses_the_same_on_both_paths() -> None:
    assert len(INPUTS) > 50
    for f in INPUTS:
        fast, slow = both(f.read_text(encoding="utf-8", errors="replace"))
        assert fast == slow, f


def _words(node: object) -> Iterator[ir.Word]:
    if isinstance(node, ir.Word):
        yield node
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            yield from _words(getattr(node, f.name))
    elif isinstance(node, tuple):
        for x in node:
            yield from _words(x)


def test_every_word_span_covers_its_text() -> None:
    for f in INPUTS:
        text = f.read_text(encoding="utf-8", errors="replace")
        r = parse(text, "t.ldr")
        if r.module is None:
            continue
        lines = text.split("\n")
        for w in _words(r.module):
            s = w.span
            assert s.line == s.end_line and lines[s.line - 1][s.column - 1 : s.end_column - 1] == w.text, (f, w)


def test_statement_spans_run_from_keyword_to_last_token() -> None:
    text = HEAD + "vip 10.0.0.9 tcp 80 rr persistent -> rs .3 web weight 2\n  via dr # x\nhost r realserver {\n}\n"
    m = parse(text, "t.ldr").module
    assert m is not None
    host, vip, rs_host = m.statements
    assert host.span == ir.Span("t.ldr", 1, 1, 1, 47)
    assert isinstance(vip, ir.Vip) and vip.span == ir.Span("t.ldr", 2, 1, 3, 9)
    assert vip.options[0].span == ir.Span("t.ldr", 2, 24, 2, 34)  # `persistent` alone
    assert vip.real_servers[1].span == ir.Span("t.ldr", 2, 44, 2, 56)  # `web weight 2`
    assert rs_host.span == ir.Span("t.ldr", 4, 1, 5, 2)


def test_ir_of_the_design_card_line() -> None:
    v = fast_vip("vip 192.168.50.100 tcp 80,443 rr -> rs .22 .23 via dr", 1, "x")
    w = lambda t: ir.Word(t, ir.Span("", 0, 0, 0, 0))  # noqa: E731 (spans do not compare)
    n = lambda i: ir.Number(i, str(i), ir.Span("", 0, 0, 0, 0))  # noqa: E731
    rs = [ir.RealServer(ir.TargetKind.SUFFIX, w(t), None, None, ir.Span("", 0, 0, 0, 0)) for t in (".22", ".23")]
    expected = ir.Vip(
        w("192.168.50.100"), w("tcp"), (n(80), n(443)), w("rr"), (), tuple(rs), w("dr"), v.span if v else None
    )  # type: ignore[arg-type]
    assert v == expected
    m = parse(HEAD + "vip 192.168.50.100 tcp 80,443 rr -> rs .22 .23 via dr\n", "x", fast=False).module
    assert m is not None and m.statements[1] == expected


def test_unusual_lines_are_left_to_lark() -> None:
    for line in (
        "vip 1.2.3.4 tcp 80 rr -> rs via",  # a keyword where a name would be
        "vip 1.2.3.4/24 tcp 80 rr -> rs .1",
        "vip 1.2.3.4 tcp 80 rr->rs .1",
        "vip 1.2.3.4 tcp 80 rr flags ops -> rs .1",
    ):
        assert fast_vip(line, 1, "x") is None, line


ws = st.sampled_from([" ", "  ", "\t", " \t "])
target = st.one_of(
    st.integers(0, 300).map(lambda n: f".{n}"),
    st.tuples(*[st.integers(0, 300)] * 4).map(lambda t: ".".join(map(str, t))),
    st.sampled_from(["web1", "rs", "via", "weight", "a.b", "x-1", "vip", "_n", "tcp", "ops"]),
)
rs_entry = st.tuples(
    target,
    st.one_of(st.just(""), st.integers(0, 70000).map(lambda p: f":{p}"), st.integers(0, 9).map(lambda p: f" : {p}")),
    st.one_of(st.just(""), st.integers(0, 70000).map(lambda w: f" weight {w}")),
).map("".join)
option = st.sampled_from(
    [
        "persistent",
        "persistent 60",
        "ops",
        "netmask 255.255.255.0",
        "flags sh-port",
        "flags a , b",
        "flags ops",
        "netmask",
    ]
)


@st.composite
def vip_line(draw: st.DrawFn) -> str:
    sep = draw(ws)
    ports = ",".join(str(draw(st.integers(0, 70000))) for _ in range(draw(st.integers(1, 3))))
    parts = [
        "vip",
        draw(st.sampled_from(["10.0.0.9", "10.0.0.300", "1.2.3"])),
        draw(st.sampled_from(["tcp", "udp", "sctp", "via"])),
        ports,
        draw(st.sampled_from(["rr", "wrr", "sh", "nope", "rs"])),
        *draw(st.lists(option, max_size=3)),
        "->",
        "rs",
        *draw(st.lists(rs_entry, min_size=0, max_size=4)),
    ]
    if draw(st.booleans()):
        parts += ["via", draw(st.sampled_from(["dr", "nat", "rs", "via"]))]
    return sep.join(parts) + draw(st.sampled_from(["", " # note", "\r", " "]))


@settings(max_examples=400, deadline=None)
@given(st.lists(vip_line(), min_size=1, max_size=3), st.sampled_from(["", "host r realserver {\n", "network n\n"]))
def test_random_vip_lines_parse_the_same(lines: list[str], before: str) -> None:
    body = "\n".join(lines) + "\n"
    text = HEAD + before + body + ("}\n" if "{" in before else "")
    fast, slow = both(text)
    assert fast == slow


def test_nul_bytes_are_refused() -> None:
    r = parse(HEAD + "\x000\n", "t.ldr")
    assert r.module is None and r.diagnostics[0].code == "E102"
