"""API: the pure core. Source text in, artifacts and diagnostics out; no disk, no terminal."""

from __future__ import annotations

import gc
from dataclasses import dataclass

from . import __version__
from .check import check
from .diagnostics import Diagnostic, sort_diagnostics
from .ir import Span
from .parse import parse
from .plan import Plan
from .targets import Artifact, render


@dataclass(frozen=True, slots=True)
class Result:
    artifacts: tuple[Artifact, ...]
    diagnostics: tuple[Diagnostic, ...]
    plan: Plan | None = None  # the checked model, when there are no errors

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def default_stamp() -> str:
    return f"ldrc {__version__}"


def compile_source(
    text: str, path: str = "<input>", *, stamp: str | None = None, render_artifacts: bool = True
) -> Result:
    """Parse, check and render one .ldr source. Never raises on bad input."""
    # The stages allocate millions of small objects and free none of them
    # until the end: the cyclic GC would only rescan them (a third of the
    # time at 100,000 real server entries). Reference counting still frees.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compile(text, path, stamp, render_artifacts)
    finally:
        if was_enabled:
            gc.enable()


def compile_bytes(
    data: bytes, path: str = "<input>", *, stamp: str | None = None, render_artifacts: bool = True
) -> Result:
    """compile_source for file contents: invalid UTF-8 is a located E104, not an exception."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        span = Span(path, line, col, line, col + 1)
        diag = Diagnostic(
            "E104", f"invalid UTF-8 byte 0x{data[e.start]:02x}", span, "not UTF-8", help="save the file as UTF-8"
        )
        return Result((), (diag,))
    return compile_source(text, path, stamp=stamp, render_artifacts=render_artifacts)


def _compile(text: str, path: str, stamp: str | None, render_artifacts: bool) -> Result:
    parsed = parse(text, path)
    if parsed.module is None:
        return Result((), tuple(parsed.diagnostics))
    plan, diags = check(parsed.module)
    diags = sort_diagnostics(diags)
    if plan is None or not render_artifacts:
        return Result((), tuple(diags), plan)
    return Result(tuple(render(plan, stamp or default_stamp())), tuple(diags), plan)
