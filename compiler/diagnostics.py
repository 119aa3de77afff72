"""Diagnostics: user errors as values, and their three printed forms.

Codes (codes.py): E1xx syntax, E2xx model, W3xx suspicious but valid, E4xx a
target cannot express the model, E9xx internal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codes import CODES
from .ir import Span


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
    return f"{d.span}: {d.severity.value}: {d.message} [{d.code}]"


def format_full(d: Diagnostic, source: str | None) -> str:
    """rustc-style: header, location, the source line with carets, note, help."""
    out = [f"{d.severity.value}[{d.code}]: {d.message}", f" --> {d.span}"]
    lines = source.splitlines() if source is not None else []
    if 1 <= d.span.line <= len(lines):
        text = lines[d.span.line - 1].expandtabs(1)
        width = len(str(d.span.line))
        pad = " " * width
        end = d.span.end_column if d.span.end_line == d.span.line else len(text) + 1
        carets = "^" * max(1, end - d.span.column)
        out += [
            f"{pad} |",
            f"{d.span.line} | {text}",
            f"{pad} | {' ' * (d.span.column - 1)}{carets}{' ' + d.label if d.label else ''}",
            f"{pad} |",
        ]
    if d.note:
        out.append(f"  = note: {d.note}")
    if d.help:
        out.append(f"  = help: {d.help}")
    return "\n".join(out)


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
