"""API: the pure core. Source text in, artifacts and diagnostics out.

No disk, no environment, no terminal, no process-wide state: the stages are
parse -> check -> plan -> targets (check, then render), with "collect every
error, then stop" between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import __version__, ir, targets
from .check import check_module
from .diagnostics import Diagnostic, sort_diagnostics
from .ir import Span
from .parse import parse
from .plan import Plan
from .planner import build_plan
from .render import Artifact
from .symbols import Symbols


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
    """Parse, check, plan and render one .ldr source. Never raises on bad input."""
    parsed = parse(text, path)
    if parsed.module is None:
        return Result((), tuple(parsed.diagnostics))
    symbols, diags = check_module(parsed.module)
    del parsed  # the IR is done with: a smaller heap for the garbage collector to scan from here on
    plan, diags = _plan(symbols, diags)
    del symbols
    if plan is None or not render_artifacts:
        return Result((), tuple(diags), plan)
    return Result(tuple(targets.render(plan, stamp or default_stamp())), tuple(diags), plan)


def plan_module(module: ir.Module) -> tuple[Plan | None, list[Diagnostic]]:
    """Check, plan and the targets' checks: the Plan (None on errors) and every diagnostic, sorted."""
    return _plan(*check_module(module))


def _plan(symbols: Symbols | None, diags: list[Diagnostic]) -> tuple[Plan | None, list[Diagnostic]]:
    if symbols is None:
        return None, sort_diagnostics(diags)
    plan = build_plan(symbols)
    diags += targets.check(plan)
    if any(d.is_error for d in diags):
        return None, sort_diagnostics(diags)
    return plan, sort_diagnostics(diags)


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
