"""Parse stage: .ldr text -> IR Module, or E1xx diagnostics.

The grammar (grammar/ldr.lark) is loaded once per process. lark's exceptions
are turned into located diagnostics here and nowhere else.
"""

from __future__ import annotations

import functools
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

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    def _w(self, tok: Token) -> ir.Word:
        return ir.Word(str(tok), _tok_span(self.path, tok))

    def _n(self, tok: Token) -> ir.Number:
        return ir.Number(int(tok), str(tok), _tok_span(self.path, tok))

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


@functools.cache
def _parser() -> Lark:
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


def _expected(names: set[str] | frozenset[str] | list[str]) -> str:
    words = _terminal_words()
    shown = sorted({words.get(n, n) for n in names}, key=lambda w: (not w.startswith("`"), w))
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _describe(tok: Token) -> str:
    words = _terminal_words()
    if tok.type in ("NAME", "INT", "IPV4", "CIDR", "HOST_SUFFIX"):
        return f"{words[tok.type].split(' (')[0]} `{tok}`"
    return f"`{tok}`"


def _line_end(text: str, line: int) -> int:
    lines = text.splitlines()
    return len(lines[line - 1]) + 1 if 1 <= line <= len(lines) else 1


def parse(text: str, path: str) -> _ParseResult:
    """Parse one file. Syntax errors stop the parse (one E1xx diagnostic)."""
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedCharacters as e:
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
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
        return _ParseResult(None, [Diagnostic("E103", "unexpected end of file", span, help=f"expected {_expected(e.expected)}")])
    module = _ToIR(path).transform(tree)
    return _ParseResult(module, [])
