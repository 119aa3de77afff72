"""Parse stage: .ldr text -> IR Module, or E1xx diagnostics.

The grammar (grammar/ldr.lark) is loaded once per process. lark's exceptions
are turned into located diagnostics here and nowhere else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

import lark
from lark import Lark, Token, Transformer, v_args
from lark.lexer import PatternStr

from . import ir
from .diagnostics import Diagnostic
from .resources import resource_path


class _ParseResult:
    __slots__ = ("module", "diagnostics")

    def __init__(self, module: ir.Module | None, diagnostics: list[Diagnostic]) -> None:
        self.module = module
        self.diagnostics = diagnostics


def _span(path: str, meta: Any) -> ir.Span:
    return ir.Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(path: str, tok: Token) -> ir.Span:
    line = tok.line or 0
    col = tok.column or 0
    return ir.Span(path, line, col, tok.end_line or line, tok.end_column or col + len(tok))


@v_args(meta=True)
class _ToIR(Transformer[Token, ir.Module]):
    """Tree -> IR, one method per grammar rule (named as in the grammar)."""

    def __init__(self, path: str, memo: list[ir.Vip] | None = None) -> None:
        super().__init__(visit_tokens=False)
        self.path = path
        self.memo = memo or []

    def vip_memo(self, meta: Any, c: list[Token]) -> ir.Vip:
        return self.memo[int(c[0][1:])]

    def _w(self, tok: Token) -> ir.Word:
        return ir.Word(str(tok), _tok_span(self.path, tok))

    def _n(self, tok: Token) -> ir.Number:
        return ir.Number(_number(tok), str(tok), _tok_span(self.path, tok))

    def start(self, meta: Any, items: list[ir.Statement]) -> ir.Module:
        return ir.Module(self.path, tuple(items))

    def cluster_name(self, meta: Any, c: list[Token]) -> ir.ClusterName:
        return ir.ClusterName(self._w(c[0]), _span(self.path, meta))

    def network(self, meta: Any, c: list[Token]) -> ir.Network:
        return ir.Network(self._w(c[0]), self._w(c[1]), _span(self.path, meta))

    def host(self, meta: Any, c: list[Any]) -> ir.Host:
        return ir.Host(self._w(c[0]), self._w(c[1]), tuple(c[2:]), _span(self.path, meta))

    def interface(self, meta: Any, c: list[Token]) -> ir.Interface:
        return ir.Interface(self._w(c[0]), self._w(c[1]), _span(self.path, meta))

    def gateway(self, meta: Any, c: list[Token]) -> ir.Gateway:
        return ir.Gateway(self._w(c[0]), _span(self.path, meta))

    def route(self, meta: Any, c: list[Token]) -> ir.Route:
        return ir.Route(self._w(c[0]), self._w(c[1]), _span(self.path, meta))

    def publish(self, meta: Any, c: list[Any]) -> ir.Publish:
        public, proto, ports, target = c
        return ir.Publish(
            self._w(public),
            self._w(proto) if proto is not None else None,
            tuple(ports) if ports is not None else (),
            self._w(target),
            _span(self.path, meta),
        )

    def snat(self, meta: Any, c: list[Token]) -> ir.Snat:
        return ir.Snat(self._w(c[0]), self._w(c[1]), _span(self.path, meta))

    def forward_policy(self, meta: Any, c: list[Token]) -> ir.ForwardPolicy:
        return ir.ForwardPolicy(self._w(c[0]), _span(self.path, meta))

    def port_list(self, meta: Any, c: list[Token]) -> list[ir.Number]:
        return [self._n(t) for t in c]

    def sched_flags(self, meta: Any, c: list[Token]) -> ir.SchedFlags:
        return ir.SchedFlags(tuple(self._w(t) for t in c), _span(self.path, meta))

    def persistent(self, meta: Any, c: list[Token | None]) -> ir.Persistent:
        t = c[0]
        return ir.Persistent(self._n(t) if t is not None else None, _span(self.path, meta))

    def netmask(self, meta: Any, c: list[Token]) -> ir.Netmask:
        return ir.Netmask(self._w(c[0]), _span(self.path, meta))

    def one_packet(self, meta: Any, c: list[Token]) -> ir.OnePacket:
        return ir.OnePacket(_span(self.path, meta))

    def _target(self, kind: ir.TargetKind, c: list[Token]) -> tuple[ir.TargetKind, ir.Word]:
        return (kind, self._w(c[0]))

    def suffix_target(self, meta: Any, c: list[Token]) -> tuple[ir.TargetKind, ir.Word]:
        return self._target(ir.TargetKind.SUFFIX, c)

    def address_target(self, meta: Any, c: list[Token]) -> tuple[ir.TargetKind, ir.Word]:
        return self._target(ir.TargetKind.ADDRESS, c)

    def name_target(self, meta: Any, c: list[Token]) -> tuple[ir.TargetKind, ir.Word]:
        return self._target(ir.TargetKind.NAME, c)

    def real_server(self, meta: Any, c: list[Any]) -> ir.RealServer:
        (kind, word), port, weight = c
        return ir.RealServer(
            kind,
            word,
            self._n(port) if port is not None else None,
            self._n(weight) if weight is not None else None,
            _span(self.path, meta),
        )

    def via(self, meta: Any, c: list[Token]) -> ir.Word:
        return self._w(c[0])

    def vip(self, meta: Any, c: list[Any]) -> ir.Vip:
        address, proto, ports, sched, *rest = c
        method = rest.pop()
        options = tuple(x for x in rest if not isinstance(x, ir.RealServer))
        servers = tuple(x for x in rest if isinstance(x, ir.RealServer))
        return ir.Vip(
            self._w(address),
            self._w(proto),
            tuple(ports),
            self._w(sched),
            options,
            servers,
            method,
            _span(self.path, meta),
        )


# Above every valid value of every numeric field (ports, weights, timeouts): the
# checks then report a number with more digits as out of range (E112, E113,
# E114, ...) with its text, and int() never sees thousands of digits (Python
# refuses more than 4,300, and the conversion is quadratic below that).
HUGE = 10**12
_MAX_DIGITS = 12


def _number(text: str) -> int:
    digits = text.lstrip("0")  # leading zeros do not count: 0080 is 80
    return int(digits or "0") if len(digits) <= _MAX_DIGITS else HUGE


@functools.cache
def _parser() -> Lark:
    # No cache=: lark's cache is a pickle, and loading one from a user-writable
    # directory runs whatever code was planted in it. Building the tables costs
    # about 30 ms of start-up.
    grammar = resource_path("grammar", "ldr.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


@functools.cache
def _terminal_words() -> dict[str, str]:
    words = {
        "NAME": "a name",
        "IPV4": "an IPv4 address",
        "CIDR": "an address with prefix length (e.g. 192.168.50.0/24)",
        "INT": "a number",
        "HOST_SUFFIX": "a host number such as .22",
        "$END": "end of file",
    }
    for t in _parser().terminals:
        if isinstance(t.pattern, PatternStr):
            words[t.name] = f"`{t.pattern.value}`"
    return words


def _expected(names: Iterable[str]) -> str:
    words = _terminal_words()
    shown = sorted({words.get(n, n) for n in names}, key=lambda w: (not w.startswith("`"), w))
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _describe(tok: Token) -> str:
    kinds = {"NAME": "name", "INT": "number", "IPV4": "address", "CIDR": "CIDR", "HOST_SUFFIX": "host number"}
    kind = kinds.get(tok.type)
    return f"{kind} `{tok}`" if kind else f"`{tok}`"


def _line_end(text: str, line: int) -> int:
    lines = text.splitlines()
    return len(lines[line - 1]) + 1 if 1 <= line <= len(lines) else 1


# -- pre-pass: one-line `vip` statements without options ----------------------
#
# lark's LALR parser costs about 10 us a token in pure Python, and a `vip`
# line with ten real servers has about twenty tokens. The pre-pass reads the
# common one-line form with a small tokenizer that follows the grammar's
# terminals, builds the same ir.Vip (spans included), and replaces the line
# with a one-token placeholder (VIP_MEMO). Anything unusual (options, names
# that are keywords, other spellings) is left to lark. If lark reports an
# error, the file is parsed again without the pre-pass, so diagnostics never
# depend on it. tests/test_parse_fastpath.py proves both paths build equal IR.

_IPV4 = r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+"
_NAME_CHARS = r"[A-Za-z0-9_.-]"
_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
_TARGET_KIND = {"suffix": ir.TargetKind.SUFFIX, "ipv4": ir.TargetKind.ADDRESS, "name": ir.TargetKind.NAME}


@functools.cache
def _keywords() -> frozenset[str]:
    return frozenset(
        t.pattern.value for t in _parser().terminals if isinstance(t.pattern, PatternStr) and t.pattern.value.isalpha()
    )


@functools.cache
def _fast_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    # a NAME that is not a keyword (lark's contextual lexer would make it one)
    kw = "|".join(sorted(_keywords(), key=len, reverse=True))
    name = rf"(?!(?:{kw})(?!{_NAME_CHARS})){_NAME}"
    ws = r"[ \t]"
    target = rf"(?:\.[0-9]+|{_IPV4}(?![0-9./])|{name})"
    rs = rf"{target}(?:{ws}*:{ws}*[0-9]+)?(?:{ws}+weight{ws}+[0-9]+)?"
    line = re.compile(
        rf"vip{ws}+(?P<addr>{_IPV4})(?![0-9./]){ws}+(?P<proto>{name}){ws}+"
        rf"(?P<ports>[0-9]+(?:{ws}*,{ws}*[0-9]+)*){ws}+(?P<sched>{name}){ws}+->{ws}+rs"
        rf"(?P<rs>(?:{ws}+{rs})+)(?:{ws}+via{ws}+(?P<method>{name}))?[ \t\r]*(?:#.*)?\Z"
    )
    one = re.compile(
        rf"(?P<target>(?P<suffix>\.[0-9]+)|(?P<ipv4>{_IPV4})|(?P<name>{_NAME}))"
        rf"(?:{ws}*:{ws}*(?P<port>[0-9]+))?(?:{ws}+weight{ws}+(?P<weight>[0-9]+))?"
    )
    return line, one


def _fast_vip(line: str, lineno: int, path: str) -> ir.Vip | None:
    line_re, one_re = _fast_regexes()
    m = line_re.match(line)
    if m is None:
        return None
    Span, Word, Number = ir.Span, ir.Word, ir.Number

    def word(group: str) -> ir.Word:
        return Word(m[group], Span(path, lineno, m.start(group) + 1, lineno, m.end(group) + 1))

    off = m.start("ports") + 1
    ports = tuple(
        Number(_number(p[0]), p[0], Span(path, lineno, p.start() + off, lineno, p.end() + off))
        for p in re.finditer(r"[0-9]+", m["ports"])
    )
    servers = []
    base = m.start("rs")
    for r in one_re.finditer(m["rs"]):
        t0, t1 = r.start("target") + base + 1, r.end("target") + base + 1
        tspan = Span(path, lineno, t0, lineno, t1)
        port = weight = None
        end = t1
        if r["port"] is not None:
            port = Number(
                _number(r["port"]),
                r["port"],
                Span(path, lineno, r.start("port") + base + 1, lineno, r.end("port") + base + 1),
            )
            end = port.span.end_column
        if r["weight"] is not None:
            weight = Number(
                _number(r["weight"]),
                r["weight"],
                Span(path, lineno, r.start("weight") + base + 1, lineno, r.end("weight") + base + 1),
            )
            end = weight.span.end_column
        kind = _TARGET_KIND[_kind_of(r)]
        rspan = tspan if end == t1 else Span(path, lineno, t0, lineno, end)
        servers.append(ir.RealServer(kind, Word(r["target"], tspan), port, weight, rspan))
    method = word("method") if m["method"] is not None else None
    last = m.end("method") if method is not None else m.end("rs")
    return ir.Vip(
        word("addr"),
        word("proto"),
        ports,
        word("sched"),
        (),
        tuple(servers),
        method,
        Span(path, lineno, 1, lineno, last + 1),
    )


def _kind_of(r: re.Match[str]) -> str:
    return "suffix" if r["suffix"] is not None else "ipv4" if r["ipv4"] is not None else "name"


def _prepass(text: str, path: str) -> tuple[str, list[ir.Vip]]:
    lines = text.split("\n")
    memo: list[ir.Vip] = []
    for n, line in enumerate(lines):
        if line.startswith("vip"):
            v = _fast_vip(line, n + 1, path)
            if v is not None:
                lines[n] = f"\0{len(memo)}"
                memo.append(v)
    return "\n".join(lines), memo


def parse(text: str, path: str, *, fast: bool = True) -> _ParseResult:
    """Parse one file. Syntax errors stop the parse (one E1xx diagnostic)."""
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        span = ir.Span(path, line, col, line, col + 1)
        return _ParseResult(None, [Diagnostic("E102", "unexpected character `U+0000`", span, "NUL byte")])
    if fast:
        prepared, memo = _prepass(text, path)
        if memo:
            try:
                tree = _parser().parse(prepared)
            except lark.exceptions.LarkError:
                return parse(text, path, fast=False)
            return _ParseResult(_ToIR(path, memo).transform(tree), [])
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedCharacters as e:
        pos = e.pos_in_stream if e.pos_in_stream is not None else len(text)
        ch = text[pos] if pos < len(text) else ""
        span = ir.Span(path, e.line, e.column, e.line, e.column + 1)
        shown = repr(ch)[1:-1] if ch.isprintable() else f"U+{ord(ch):04X}" if ch else "?"
        return _ParseResult(
            None,
            [
                Diagnostic(
                    "E102",
                    f"unexpected character `{shown}`",
                    span,
                    label="not part of any token",
                    help=f"expected {_expected(e.allowed)}" if e.allowed else "",
                )
            ],
        )
    except lark.exceptions.UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
            col = _line_end(text, line)
            span = ir.Span(path, line, col, line, col + 1)
            return _ParseResult(
                None,
                [
                    Diagnostic(
                        "E103",
                        "unexpected end of file",
                        span,
                        label="the statement is not finished",
                        help=f"expected {_expected(e.expected)}",
                    )
                ],
            )
        span = _tok_span(path, tok)
        return _ParseResult(
            None,
            [
                Diagnostic(
                    "E101",
                    f"unexpected {_describe(tok)}",
                    span,
                    label="not expected here",
                    help=f"expected {_expected(e.expected)}",
                )
            ],
        )
    except lark.exceptions.UnexpectedEOF as e:  # pragma: no cover - LALR raises UnexpectedToken
        line = max(1, text.count("\n"))
        span = ir.Span(path, line, 1, line, 2)
        return _ParseResult(
            None,
            [Diagnostic("E103", "unexpected end of file", span, help=f"expected {_expected(map(str, e.expected))}")],
        )
    module = _ToIR(path).transform(tree)
    return _ParseResult(module, [])
