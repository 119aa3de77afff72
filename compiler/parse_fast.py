"""Parse stage, second path: one-line `vip` statements read by one regular expression.

Measured (bench/compile.py, 10,000 VIPs x 10 real servers): lark's LALR
parser with the builder applied inline takes about 1.3-1.6 s, most of the
2 s budget; this path reads such a line in about a tenth of that. It is
derived from the grammar: the terminals (IPV4, NAME, INT, HOST_SUFFIX) and
keywords are those of the shipped tables, and it builds the same ir.Vip,
spans included. It reads only what it is sure of: a whole line
`vip ADDRESS PROTO PORTS SCHED [OPTIONS] -> rs RS... [via METHOD] [# comment]`
with no keyword where a name stands. parse.py blanks the lines it read, lets
lark parse the rest, and parses the whole file with lark alone when lark
reports an error or a read line is inside another statement, so diagnostics
never depend on this path. tests/test_parse.py proves both paths build equal IR.
"""

from __future__ import annotations

import functools
import re

from . import ir
from ._parser_tables import MEMO


@functools.cache
def _terminals() -> tuple[dict[str, str], frozenset[str]]:
    """Regular expressions of the named terminals, and the keywords, from the tables."""
    patterns: dict[str, str] = {}
    keywords: set[str] = set()
    for entry in MEMO.values():
        if entry["__type__"] != "TerminalDef":
            continue
        pattern = entry["pattern"]
        assert not pattern["flags"]
        if pattern["__type__"] == "PatternRE":
            patterns[entry["name"]] = pattern["value"]
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", pattern["value"]):
            keywords.add(pattern["value"])  # a keyword lark would read where a name stands (`on-failure` too)
    return patterns, frozenset(keywords)


@functools.cache
def _regexes() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    t, keywords = _terminals()
    ipv4, int_, suffix, name_re = t["IPV4"], t["INT"], t["HOST_SUFFIX"], t["NAME"]
    name_chars = r"[A-Za-z0-9_.-]"
    kw = "|".join(sorted(keywords, key=len, reverse=True))
    # a NAME that is no keyword (lark's contextual lexer might read a keyword there)
    name = rf"(?!(?:{kw})(?!{name_chars})){name_re}"
    addr = rf"{ipv4}(?![0-9./])"
    ws = r"[ \t]"
    option = rf"(?:flags{ws}+{name}(?:{ws}*,{ws}*{name})*|persistent(?:{ws}+{int_})?|netmask{ws}+{addr}|ops)"
    target = rf"(?:{suffix}|{addr}|{name})"
    rs = rf"{target}(?:{ws}*:{ws}*{int_})?(?:{ws}+weight{ws}+{int_})?"
    line = re.compile(
        rf"vip{ws}+(?P<addr>{addr}){ws}+(?P<proto>{name}){ws}+"
        rf"(?P<ports>{int_}(?:{ws}*,{ws}*{int_})*){ws}+(?P<sched>{name})"
        rf"(?P<opts>(?:{ws}+{option})*){ws}+->{ws}+rs"
        rf"(?P<rs>(?:{ws}+{rs})+)(?:{ws}+via{ws}+(?P<method>{name}))?[ \t\r]*(?:#.*)?\Z"
    )
    one_rs = re.compile(
        rf"(?P<target>(?P<suffix>{suffix})|(?P<ipv4>{ipv4})|(?P<name>{name_re}))"
        rf"(?:{ws}*:{ws}*(?P<port>{int_}))?(?:{ws}+weight{ws}+(?P<weight>{int_}))?"
    )
    one_option = re.compile(
        rf"(?P<flags>flags{ws}+(?P<names>{name_re}(?:{ws}*,{ws}*{name_re})*))"
        rf"|(?P<persistent>persistent(?:{ws}+(?P<timeout>{int_}))?)"
        rf"|(?P<netmask>netmask{ws}+(?P<mask>{ipv4}))|(?P<ops>ops)"
    )
    return line, one_rs, one_option


class _Line:
    """Builds the IR of one matched line: spans from match offsets."""

    def __init__(self, path: str, lineno: int) -> None:
        self.path = path
        self.lineno = lineno

    def span(self, start: int, end: int) -> ir.Span:
        return ir.Span(self.path, self.lineno, start + 1, self.lineno, end + 1)

    def word(self, text: str, start: int) -> ir.Word:
        return ir.Word(text, self.span(start, start + len(text)))

    def number(self, text: str, start: int) -> ir.Number:
        return ir.Number(ir.number_value(text), text, self.span(start, start + len(text)))

    def numbers(self, text: str, base: int) -> tuple[ir.Number, ...]:
        return tuple(self.number(m[0], base + m.start()) for m in re.finditer(r"[0-9]+", text))

    def real_servers(self, text: str, base: int) -> ir.PackedServers:
        rows: list[ir.PackedServer] = []
        col = base + 1  # spans are 1-based
        for r in _regexes()[1].finditer(text):
            kind = "suffix" if r["suffix"] is not None else "address" if r["ipv4"] is not None else "name"
            port, weight = r["port"], r["weight"]
            rows.append(
                (
                    kind,
                    r["target"],
                    col + r.start("target"),
                    port,
                    col + r.start("port") if port is not None else 0,
                    weight,
                    col + r.start("weight") if weight is not None else 0,
                    col + r.end(),
                )
            )
        return ir.PackedServers(self.path, self.lineno, tuple(rows))

    def options(self, text: str, base: int) -> tuple[ir.VipOption, ...]:
        out: list[ir.VipOption] = []
        for o in _regexes()[2].finditer(text):
            span = self.span(base + o.start(), base + o.end())
            if o["flags"] is not None:
                at = base + o.start("names")
                names = tuple(self.word(m[0], at + m.start()) for m in re.finditer(r"[^\s,]+", o["names"]))
                out.append(ir.SchedFlags(names, span))
            elif o["persistent"] is not None:
                t = o["timeout"]
                out.append(ir.Persistent(self.number(t, base + o.start("timeout")) if t else None, span))
            elif o["netmask"] is not None:
                out.append(ir.Netmask(self.word(o["mask"], base + o.start("mask")), span))
            else:
                out.append(ir.OnePacket(span))
        return tuple(out)


def fast_vip(line: str, lineno: int, path: str) -> ir.Vip | None:
    """The statement on this line, when it is a one-line `vip` this path is sure of."""
    m = _regexes()[0].match(line)
    if m is None:
        return None
    b = _Line(path, lineno)
    method = b.word(m["method"], m.start("method")) if m["method"] is not None else None
    last = m.end("method") if method is not None else m.end("rs")
    return ir.Vip(
        b.word(m["addr"], m.start("addr")),
        b.word(m["proto"], m.start("proto")),
        b.numbers(m["ports"], m.start("ports")),
        b.word(m["sched"], m.start("sched")),
        b.options(m["opts"], m.start("opts")),
        b.real_servers(m["rs"], m.start("rs")),
        method,
        b.span(0, last),
    )


def read_vip_lines(text: str, path: str) -> tuple[str, dict[int, ir.Vip]]:
    """text with the lines this path read blanked, and their statements by line number."""
    lines = text.split("\n")
    read: dict[int, ir.Vip] = {}
    for n, line in enumerate(lines):
        if line.startswith("vip"):
            v = fast_vip(line, n + 1, path)
            if v is not None:
                lines[n] = ""
                read[n + 1] = v
    return "\n".join(lines), read
