"""Diagnostics: user errors as values, and their three printed forms.

Codes (codes.py): E1xx syntax, E2xx model, W3xx suspicious but valid, E4xx a
target cannot express the model, E9xx internal.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .codes import CODES
from .ir import Span
from .text import printable


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    label: str = ""
    note: str = ""
    help: str = ""

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.code.startswith("W") else Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.column, self.code)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=Diagnostic.sort_key)


def format_concise(d: Diagnostic) -> str:
    return f"{printable(str(d.span))}: {d.severity.value}: {printable(d.message)} [{d.code}]"


def source_lines(source: str) -> list[str]:
    """The source's lines as the parser numbers them: split at `\n` only (str.splitlines
    also splits at form feeds, U+2028 and others, which would shift every later line)."""
    return [line.removesuffix("\r") for line in source.split("\n")]


def _multiline(text: str) -> str:
    # notes may span lines on purpose; every line is escaped on its own
    return "\n".join(printable(part) for part in text.split("\n"))


def format_full(d: Diagnostic, source: str | Sequence[str] | None) -> str:
    """rustc-style: header, location, the source line with carets, note, help.

    source is the text, or its lines (source_lines(text)): a caller printing
    many diagnostics splits the text once (20,000 diagnostics of a large file
    would otherwise split it 20,000 times). Control characters of the source
    line are shown escaped, and the carets stay under the escaped text.
    """
    out = [f"{d.severity.value}[{d.code}]: {printable(d.message)}", f" --> {printable(str(d.span))}"]
    lines = source_lines(source) if isinstance(source, str) else source if source is not None else ()
    if 1 <= d.span.line <= len(lines):
        raw = lines[d.span.line - 1].replace("\t", " ")
        start = d.span.column - 1
        end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(raw)
        before, marked, after = printable(raw[:start]), printable(raw[start:end]), printable(raw[end:])
        width = len(str(d.span.line))
        pad = " " * width
        offset = len(before) + max(0, start - len(raw))
        beyond = max(0, end - max(start, len(raw)))  # a span past the line's end (at end of file)
        carets = "^" * max(1, len(marked) + beyond)
        out += [
            f"{pad} |",
            f"{d.span.line} | {before}{marked}{after}",
            f"{pad} | {' ' * offset}{carets}{' ' + printable(d.label) if d.label else ''}",
            f"{pad} |",
        ]
    if d.note:
        out.append(f"  = note: {_multiline(d.note)}")
    if d.help:
        out.append(f"  = help: {_multiline(d.help)}")
    return "\n".join(out)


GROUP_AFTER = 3  # a code seen more often is shown this many times, then counted


def format_all(diags: Sequence[Diagnostic], source: str | None, fmt: str, *, group: bool = True) -> Iterator[str]:
    """The printed diagnostics, one string each ("full" ends each with a blank line).

    With group, a code that occurs more than GROUP_AFTER times is shown
    GROUP_AFTER times, followed by one `... and N more like this [CODE]` line.
    """
    lines = source_lines(source) if fmt == "full" and source is not None else None
    total = Counter(d.code for d in diags) if group else Counter()
    seen: Counter[str] = Counter()
    for d in diags:
        seen[d.code] += 1
        n = seen[d.code]
        if group and n > GROUP_AFTER:
            continue
        yield format_full(d, lines) + "\n" if fmt == "full" else format_concise(d)
        if group and n == GROUP_AFTER and total[d.code] > GROUP_AFTER:
            more = f"... and {total[d.code] - GROUP_AFTER} more like this [{d.code}]"
            yield more + "\n" if fmt == "full" else more


def format_json(diags: Sequence[Diagnostic]) -> str:
    import json  # only --format json needs it

    return json.dumps(
        [
            {
                "code": d.code,
                "slug": CODES[d.code].slug if d.code in CODES else "",
                "severity": d.severity.value,
                "message": d.message,
                "file": d.span.path,
                "line": d.span.line,
                "column": d.span.column,
                "end_line": d.span.end_line,
                "end_column": d.span.end_column,
                "label": d.label,
                "note": d.note,
                "help": d.help,
            }
            for d in diags
        ],
        indent=2,
    )
