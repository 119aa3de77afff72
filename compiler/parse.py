"""Parse stage: .ldr text -> IR Module, or one E1xx diagnostic.

grammar/ldr.lark is the one definition of the syntax. lark's LALR parser calls
the builder below (one method per grammar rule) while it parses: no parse tree
is built. The parser tables are generated from the grammar into
compiler/_parser_tables.py (`python -m compiler.parse --write-tables`), so
start-up does not rebuild them; tests/test_parse.py rebuilds them from the
grammar and asserts they equal the shipped ones. lark's exceptions are turned
into located diagnostics here and nowhere else.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import lark
from lark import Lark, Token
from lark.lexer import PatternStr

from . import ir, parse_fast
from .diagnostics import Diagnostic

# lark options the tables are built with: every token (keywords included) reaches
# the builder, so a statement's span starts at its keyword; `[x]` gives None.
LARK_OPTIONS: dict[str, Any] = {"parser": "lalr", "keep_all_tokens": True, "maybe_placeholders": True}


@dataclass(frozen=True, slots=True)
class ParseResult:
    module: ir.Module | None
    diagnostics: list[Diagnostic]


def _end(x: Any) -> tuple[int, int]:
    """Where a child of a rule ends: a token, or an IR node with its span."""
    if isinstance(x, Token):
        return x.end_line or 0, x.end_column or 0
    return x.span.end_line, x.span.end_column


class _Builder:
    """Rule callbacks: lark calls `<rule>(children)` on each reduction (keep_all_tokens:
    keywords and punctuation included, None for an absent optional part)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _span(self, first: Token, last: Any) -> ir.Span:
        end_line, end_column = _end(last)
        return ir.Span(self.path, first.line or 0, first.column or 0, end_line, end_column)

    def _rule_span(self, c: list[Any]) -> ir.Span:
        return self._span(c[0], next(x for x in reversed(c) if x is not None))

    def _w(self, tok: Token) -> ir.Word:
        line = tok.line or 0
        return ir.Word(str(tok), ir.Span(self.path, line, tok.column or 0, tok.end_line or line, tok.end_column or 0))

    def _n(self, tok: Token) -> ir.Number:
        return ir.Number(ir.number_value(tok), str(tok), self._w(tok).span)

    def start(self, c: list[ir.Statement]) -> ir.Module:
        return ir.Module(self.path, tuple(c))

    def cluster_name(self, c: list[Token]) -> ir.ClusterName:
        return ir.ClusterName(self._w(c[1]), self._rule_span(c))

    def network(self, c: list[Token]) -> ir.Network:
        return ir.Network(self._w(c[1]), self._w(c[2]), self._rule_span(c))

    def host(self, c: list[Any]) -> ir.Host:
        # "host" NAME NAME "{" item* "}"
        return ir.Host(self._w(c[1]), self._w(c[2]), tuple(c[4:-1]), self._rule_span(c))

    def interface(self, c: list[Token]) -> ir.Interface:
        return ir.Interface(self._w(c[1]), self._w(c[2]), self._rule_span(c))

    def gateway(self, c: list[Token]) -> ir.Gateway:
        return ir.Gateway(self._w(c[1]), self._rule_span(c))

    def route(self, c: list[Token]) -> ir.Route:
        return ir.Route(self._w(c[1]), self._w(c[3]), self._rule_span(c))

    def publish(self, c: list[Any]) -> ir.Publish:
        # "publish" IPV4 [NAME port_list] "->" IPV4
        _, public, proto, ports, _, target = c
        return ir.Publish(
            self._w(public),
            self._w(proto) if proto is not None else None,
            tuple(ports) if ports is not None else (),
            self._w(target),
            self._rule_span(c),
        )

    def snat(self, c: list[Token]) -> ir.Snat:
        return ir.Snat(self._w(c[1]), self._w(c[3]), self._rule_span(c))

    def forward_policy(self, c: list[Token]) -> ir.ForwardPolicy:
        return ir.ForwardPolicy(self._w(c[1]), self._rule_span(c))

    def manage(self, c: list[Token]) -> ir.Manage:
        return ir.Manage(self._w(c[1]), self._rule_span(c))

    def port_list(self, c: list[Token]) -> list[ir.Number]:
        return [self._n(t) for t in c if t.type == "INT"]

    def sched_flags(self, c: list[Token]) -> ir.SchedFlags:
        return ir.SchedFlags(tuple(self._w(t) for t in c[1:] if t.type == "NAME"), self._rule_span(c))

    def persistent(self, c: list[Token | None]) -> ir.Persistent:
        t = c[1]
        return ir.Persistent(self._n(t) if t is not None else None, self._rule_span(c))

    def netmask(self, c: list[Token]) -> ir.Netmask:
        return ir.Netmask(self._w(c[1]), self._rule_span(c))

    def one_packet(self, c: list[Token]) -> ir.OnePacket:
        return ir.OnePacket(self._rule_span(c))

    def suffix_target(self, c: list[Token]) -> tuple[ir.TargetKind, ir.Word]:
        return (ir.TargetKind.SUFFIX, self._w(c[0]))

    def address_target(self, c: list[Token]) -> tuple[ir.TargetKind, ir.Word]:
        return (ir.TargetKind.ADDRESS, self._w(c[0]))

    def name_target(self, c: list[Token]) -> tuple[ir.TargetKind, ir.Word]:
        return (ir.TargetKind.NAME, self._w(c[0]))

    def real_server(self, c: list[Any]) -> ir.RealServer:
        # target [":" INT] ["weight" INT]
        (kind, word), _, port, _, weight = c
        p = self._n(port) if port is not None else None
        w = self._n(weight) if weight is not None else None
        last = w or p or word
        s = word.span
        span = s if last is word else ir.Span(self.path, s.line, s.column, last.span.end_line, last.span.end_column)
        return ir.RealServer(kind, word, p, w, span)

    def via(self, c: list[Token]) -> ir.Word:
        return self._w(c[1])

    def engine(self, c: list[Token]) -> ir.Engine:
        return ir.Engine(self._w(c[1]), self._rule_span(c))

    def priority(self, c: list[Token]) -> ir.Priority:
        return ir.Priority(self._w(c[1]), self._n(c[2]), self._rule_span(c))

    def vrid(self, c: list[Token]) -> ir.Vrid:
        return ir.Vrid(self._n(c[1]), self._rule_span(c))

    def sync(self, c: list[Token]) -> ir.Sync:
        return ir.Sync(self._w(c[1]), self._rule_span(c))

    def advert(self, c: list[Token]) -> ir.Advert:
        return ir.Advert(self._w(c[1]), self._rule_span(c))

    def preempt(self, c: list[Token]) -> ir.Preempt:
        # "preempt" NAME | "preempt" "delay" INT
        delay = self._n(c[2]) if len(c) == 3 else None
        return ir.Preempt(self._w(c[1]), delay, self._rule_span(c))

    def check(self, c: list[Token | None]) -> ir.Check:
        # "check" NAME [PATH] ["status" INT]
        _, kind, path, _, status = c
        assert kind is not None
        return ir.Check(
            self._w(kind),
            self._w(path) if path is not None else None,
            self._n(status) if status is not None else None,
            self._rule_span(c),
        )

    def interval(self, c: list[Token]) -> ir.Interval:
        return ir.Interval(self._n(c[1]), self._rule_span(c))

    def check_timeout(self, c: list[Token]) -> ir.CheckTimeout:
        return ir.CheckTimeout(self._n(c[1]), self._rule_span(c))

    def retries(self, c: list[Token]) -> ir.Retries:
        return ir.Retries(self._n(c[1]), self._rule_span(c))

    def on_failure(self, c: list[Token]) -> ir.OnFailure:
        return ir.OnFailure(self._w(c[1]), self._rule_span(c))

    def sorry(self, c: list[Any]) -> ir.Sorry:
        kind, word = c[1]
        return ir.Sorry(kind, word, self._span(c[0], word))

    def vip(self, c: list[Any]) -> ir.Vip:
        # "vip" IPV4 NAME port_list NAME vip_option* "->" "rs" real_server+ [via] health_option*
        _, address, proto, ports, sched, *rest = c
        last_rs = max(i for i, x in enumerate(rest) if isinstance(x, ir.RealServer))
        method = rest[last_rs + 1]
        health = tuple(rest[last_rs + 2 :])
        rest = rest[: last_rs + 1]
        options = tuple(x for x in rest if not isinstance(x, ir.RealServer | Token))
        servers = tuple(x for x in rest if isinstance(x, ir.RealServer))
        last = health[-1] if health else method if method is not None else servers[-1]
        return ir.Vip(
            self._w(address),
            self._w(proto),
            tuple(ports),
            self._w(sched),
            options,
            servers,
            method,
            self._span(c[0], last),
            health,
        )


def _parser(builder: _Builder) -> Lark:
    """A parser from the shipped tables, calling builder's methods as it reduces (about 1 ms)."""
    from ._parser_tables import DATA, MEMO

    p: Lark = Lark._load_from_dict(DATA, MEMO, transformer=builder)  # type: ignore[no-untyped-call]
    return p


def _terminal_words(parser: Lark) -> dict[str, str]:
    words = {
        "NAME": "a name",
        "IPV4": "an IPv4 address",
        "CIDR": "an address with prefix length (e.g. 192.168.50.0/24)",
        "INT": "a number",
        "HOST_SUFFIX": "a host number such as .22",
        "PATH": "an HTTP path such as /healthz",
        "SECONDS": "seconds such as 1 or 0.25",
        "$END": "end of file",
    }
    for t in parser.terminals:
        if isinstance(t.pattern, PatternStr):
            words[t.name] = f"`{t.pattern.value}`"
    return words


def _expected(parser: Lark, names: Iterable[str]) -> str:
    words = _terminal_words(parser)
    shown = sorted({words.get(n, n) for n in names}, key=lambda w: (not w.startswith("`"), w))
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _describe(tok: Token) -> str:
    kinds = {
        "NAME": "name",
        "INT": "number",
        "IPV4": "address",
        "CIDR": "CIDR",
        "HOST_SUFFIX": "host number",
        "PATH": "path",
        "SECONDS": "seconds",
    }
    kind = kinds.get(tok.type)
    return f"{kind} `{tok}`" if kind else f"`{tok}`"


def _line_end(text: str, line: int) -> int:
    lines = text.splitlines()
    return len(lines[line - 1]) + 1 if 1 <= line <= len(lines) else 1


def _nul(text: str, path: str, nul: int) -> Diagnostic:
    line = text.count("\n", 0, nul) + 1
    col = nul - (text.rfind("\n", 0, nul) + 1) + 1
    return Diagnostic("E102", "unexpected character `U+0000`", ir.Span(path, line, col, line, col + 1), "NUL byte")


def _bad_character(parser: Lark, text: str, path: str, e: lark.exceptions.UnexpectedCharacters) -> Diagnostic:
    pos = e.pos_in_stream if e.pos_in_stream is not None else len(text)
    ch = text[pos] if pos < len(text) else ""
    span = ir.Span(path, e.line, e.column, e.line, e.column + 1)
    shown = repr(ch)[1:-1] if ch.isprintable() else f"U+{ord(ch):04X}" if ch else "?"
    return Diagnostic(
        "E102",
        f"unexpected character `{shown}`",
        span,
        label="not part of any token",
        help=f"expected {_expected(parser, e.allowed)}" if e.allowed else "",
    )


def _bad_token(parser: Lark, text: str, path: str, e: lark.exceptions.UnexpectedToken) -> Diagnostic:
    tok = e.token
    help = f"expected {_expected(parser, e.expected)}"
    if tok.type == "$END":
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        col = _line_end(text, line)
        span = ir.Span(path, line, col, line, col + 1)
        return Diagnostic("E103", "unexpected end of file", span, label="the statement is not finished", help=help)
    return Diagnostic(
        "E101", f"unexpected {_describe(tok)}", _Builder(path)._w(tok).span, "not expected here", help=help
    )


def parse(text: str, path: str, *, fast: bool = True) -> ParseResult:
    """Parse one file. A syntax error stops the parse (one E1xx diagnostic).

    fast: read one-line `vip` statements with parse_fast (the result is the
    same; tests compare both).
    """
    nul = text.find("\0")  # lark's lexer would read past it; say where it is
    if nul >= 0:
        return ParseResult(None, [_nul(text, path, nul)])
    if fast:
        module = _parse_fast(text, path)
        if module is not None:
            return ParseResult(module, [])
    parser = _parser(_Builder(path))
    try:
        built = parser.parse(text)
    except lark.exceptions.UnexpectedCharacters as e:
        return ParseResult(None, [_bad_character(parser, text, path, e)])
    except lark.exceptions.UnexpectedToken as e:
        return ParseResult(None, [_bad_token(parser, text, path, e)])
    assert isinstance(built, ir.Module)
    return ParseResult(built, [])


def _parse_fast(text: str, path: str) -> ir.Module | None:
    """The module with one-line `vip`s read by parse_fast and the rest by lark; None when
    lark finds an error or a line read is inside a statement of lark's (lark alone decides)."""
    rest, read = parse_fast.read_vip_lines(text, path)
    if not read:
        return None
    try:
        module = _parser(_Builder(path)).parse(rest)
    except lark.exceptions.LarkError:
        return None
    assert isinstance(module, ir.Module)
    if any(s.span.line <= n <= s.span.end_line for s in module.statements for n in read):
        return None
    merged = sorted([*module.statements, *read.values()], key=lambda s: s.span.line)
    return ir.Module(path, tuple(merged))


# -- the shipped tables ---------------------------------------------------------


def build_tables(grammar: str) -> tuple[dict[str, Any], dict[int, Any]]:
    """lark's serialized parser for grammar, with its numbering made canonical.

    lark numbers LALR states and memo entries in set-iteration order, which
    varies from run to run; renumbering them (states breadth-first from the
    start state, symbols and memo entries by name) gives the same tables for
    the same grammar every time.
    """
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = Lark(grammar, **LARK_OPTIONS).memo_serialize([TerminalDef, Rule])
    old_ids = sorted(memo, key=lambda k: (memo[k]["__type__"], repr(memo[k])))
    ids = {old: new for new, old in enumerate(old_ids)}
    data = _renumber_refs(data, ids)
    canon_memo = {ids[k]: v for k, v in memo.items()}
    data["parser"]["parser"] = _canonical_states(data["parser"]["parser"])
    return data, dict(sorted(canon_memo.items()))


def _renumber_refs(x: Any, ids: dict[int, int]) -> Any:
    if isinstance(x, dict):
        if set(x) == {"@"}:
            return {"@": ids[x["@"]]}
        return {k: _renumber_refs(v, ids) for k, v in x.items()}
    if isinstance(x, list):
        out = [_renumber_refs(v, ids) for v in x]
        return sorted(out, key=repr) if out and all(isinstance(v, dict) and set(v) == {"@"} for v in out) else out
    if isinstance(x, tuple):
        return tuple(_renumber_refs(v, ids) for v in x)
    return x


def _canonical_states(table: dict[str, Any]) -> dict[str, Any]:
    names: dict[int, str] = table["tokens"]
    token_ids = {name: i for i, name in enumerate(sorted(names.values()))}
    states: dict[int, dict[int, Any]] = table["states"]
    order: dict[int, int] = {}
    queue = [table["start_states"][s] for s in sorted(table["start_states"])]
    while queue:
        s = queue.pop(0)
        if s in order:
            continue
        order[s] = len(order)
        for _tok, (kind, arg) in sorted(states[s].items(), key=lambda kv: names[kv[0]]):
            if kind == 0:
                queue.append(arg)
    assert len(order) == len(states), "every LALR state is reachable from a start state"
    new_states = {
        order[s]: {
            token_ids[names[tok]]: (kind, order[arg] if kind == 0 else arg)
            for tok, (kind, arg) in sorted(states[s].items(), key=lambda kv: names[kv[0]])
        }
        for s in sorted(states, key=order.__getitem__)
    }
    return {
        "tokens": {i: name for name, i in token_ids.items()},
        "states": new_states,
        "start_states": {k: order[v] for k, v in sorted(table["start_states"].items())},
        "end_states": {k: order[v] for k, v in sorted(table["end_states"].items())},
    }


def _tagged(x: Any) -> Any:
    """x in JSON, the types JSON has not tagged: a tuple is {"__tuple__": [...]}, a dict with
    int keys {"__intkeys__": [[key, value], ...]} (decoded by _parser_tables._untag)."""
    if isinstance(x, tuple):
        return {"__tuple__": [_tagged(v) for v in x]}
    if isinstance(x, list):
        return [_tagged(v) for v in x]
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x):
            assert "__tuple__" not in x and "__intkeys__" not in x
            return {k: _tagged(v) for k, v in x.items()}
        assert all(type(k) is int for k in x)
        return {"__intkeys__": [[k, _tagged(v)] for k, v in x.items()]}
    assert x is None or type(x) in (str, int, bool), x
    return x


def tables_source(grammar: str) -> str:
    """The module: the tables as JSON text in string literals (Python compiles a string in no
    time, and json decodes it in about a millisecond; a dict display took 10 ms to compile)."""
    data, memo = build_tables(grammar)
    text = json.dumps({"DATA": _tagged(data), "MEMO": _tagged(memo)}, separators=(",", ":"))
    literals = "".join(f"    {json.dumps(text[i : i + 100])}\n" for i in range(0, len(text), 100))
    return (
        '"""LALR tables of grammar/ldr.lark for lark (Lark.memo_serialize). GENERATED, DO NOT EDIT.\n\n'
        "Regenerate after every grammar change: python -m compiler.parse --write-tables\n"
        "(tests/test_parse.py fails while they differ from the grammar).\n"
        '"""\n\n'
        "import json\n"
        "from typing import Any\n\n\n"
        "def _untag(d: dict[str, Any]) -> Any:\n"
        '    if "__tuple__" in d:\n'
        '        return tuple(d["__tuple__"])\n'
        '    if "__intkeys__" in d:\n'
        '        return {k: v for k, v in d["__intkeys__"]}\n'
        "    return d\n\n\n"
        f"_JSON = (\n{literals})\n\n"
        "_TABLES = json.loads(_JSON, object_hook=_untag)\n"
        'DATA: dict[str, Any] = _TABLES["DATA"]\n'
        'MEMO: dict[int, Any] = _TABLES["MEMO"]\n'
    )


def main(argv: list[str]) -> int:
    from pathlib import Path

    from .resources import resource_path

    if argv != ["--write-tables"]:
        print("usage: python -m compiler.parse --write-tables", file=sys.stderr)
        return 2
    grammar = resource_path("grammar", "ldr.lark").read_text(encoding="utf-8")
    out = Path(__file__).with_name("_parser_tables.py")
    out.write_text(tables_source(grammar), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
