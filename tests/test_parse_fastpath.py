"""The parser's pre-pass for one-line `vip` statements builds exactly what lark builds.

Compared by repr(), which includes every span (spans are excluded from ==).
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.parse import _fast_vip, parse

HEAD = "host d director { interface eth0 10.0.0.2/24 }\n"


def both(text: str) -> tuple[str, str]:
    fast = parse(text, "t.ldr", fast=True)
    slow = parse(text, "t.ldr", fast=False)
    return repr((fast.module, fast.diagnostics)), repr((slow.module, slow.diagnostics))


def test_golden_inputs_parse_the_same() -> None:
    files = [*ROOT.glob("tests/golden/*/input.ldr"), *ROOT.glob("examples/*.ldr")]
    assert files
    for f in files:
        fast, slow = both(f.read_text())
        assert fast == slow, f


def test_the_design_card_line_takes_the_fast_path() -> None:
    v = _fast_vip("vip 192.168.50.100 tcp 80,443 rr -> rs .22 .23 via dr", 1, "x")
    assert v is not None and [s.target.text for s in v.real_servers] == [".22", ".23"]


def test_unusual_lines_are_left_to_lark() -> None:
    for line in (
        "vip 1.2.3.4 tcp 80 rr persistent 60 -> rs .1",  # options
        "vip 1.2.3.4 tcp 80 rr -> rs via",  # a keyword where a name would be
        "vip 1.2.3.4/24 tcp 80 rr -> rs .1",
        "vip 1.2.3.4 tcp 80 rr->rs .1",
    ):
        assert _fast_vip(line, 1, "x") is None, line


ws = st.sampled_from([" ", "  ", "\t", " \t "])
target = st.one_of(
    st.integers(0, 300).map(lambda n: f".{n}"),
    st.tuples(*[st.integers(0, 300)] * 4).map(lambda t: ".".join(map(str, t))),
    st.sampled_from(["web1", "rs", "via", "weight", "a.b", "x-1", "vip", "_n", "tcp"]),
)
rs_entry = st.tuples(
    target,
    st.one_of(st.just(""), st.integers(0, 70000).map(lambda p: f":{p}"), st.integers(0, 9).map(lambda p: f" : {p}")),
    st.one_of(st.just(""), st.integers(0, 70000).map(lambda w: f" weight {w}")),
).map("".join)


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
        "->",
        "rs",
        *draw(st.lists(rs_entry, min_size=0, max_size=4)),
    ]
    if draw(st.booleans()):
        parts += ["via", draw(st.sampled_from(["dr", "nat", "rs", "via"]))]
    line = sep.join(parts)
    return line + draw(st.sampled_from(["", " # note", "\r", " "]))


@settings(max_examples=400, deadline=None)
@given(st.lists(vip_line(), min_size=1, max_size=3), st.booleans())
def test_random_vip_lines_parse_the_same(lines: list[str], inside_block: bool) -> None:
    body = "\n".join(lines) + "\n"
    text = HEAD + ("host r realserver {\n" + body + "}\n" if inside_block else body)
    fast, slow = both(text)
    assert fast == slow


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    r = parse(HEAD + "\x000\n", "t.ldr")
    assert r.module is None and r.diagnostics[0].code == "E102"
