"""CLI: the thin shell around api.compile_source (disk, terminal, exit codes).

Exit codes: 0 ok (warnings allowed), 1 input errors or --check drift,
2 usage or I/O error, 3 internal error.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click

from . import __version__, output
from .api import Result, compile_bytes
from .codes import CODES, explain
from .diagnostics import format_concise, format_full, format_json

FORMATS = ("full", "concise", "json")


def _read(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as e:
        click.echo(f"ldrc: error: cannot read {file}: {e.strerror}", err=True)
        sys.exit(2)


def _report(result: Result, source: str, fmt: str) -> None:
    diags = result.diagnostics
    if fmt == "json":
        click.echo(format_json(diags), err=True)
        return
    for d in diags:
        click.echo(format_full(d, source) + "\n" if fmt == "full" else format_concise(d), err=True)
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    if fmt == "full" and diags:
        parts = [f"{n} {w}{'s' if n != 1 else ''}" for n, w in ((errors, "error"), (warnings, "warning")) if n]
        click.echo(f"ldrc: {' and '.join(parts)}", err=True)


def _internal(debug: bool) -> NoReturn:
    if debug:
        traceback.print_exc()
    else:
        exc = sys.exc_info()[1]
        click.echo(
            f"ldrc: internal error [E901]: {type(exc).__name__}: {exc}\n"
            "  = note: this is a bug in ldrc, not in your input; please report it with the input file "
            "(run with --debug for the traceback)",
            err=True,
        )
    sys.exit(3)


def _compile(file: str, fmt: str, werror: bool, *, render: bool) -> tuple[Result, str]:
    data = _read(file)
    result = compile_bytes(data, file, render_artifacts=render)
    source = data.decode("utf-8", "replace")
    _report(result, source, fmt)
    if not result.ok or (werror and result.diagnostics):
        sys.exit(1)
    return result, source


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ldrc")
def main() -> None:
    """ldrc: compile an LVS direct-routing cluster (.ldr) into per-host artifacts."""


_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="full",
    show_default=True,
    help="How diagnostics are printed.",
)
_werror = click.option("--warnings-as-errors", "werror", is_flag=True, help="Exit 1 on warnings too.")
_debug = click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")


@main.command("compile")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False),
    default="out",
    show_default=True,
    help="Output directory: one folder per host.",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if DIR is not up to date.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print the unified diff against DIR.")
@_format
@_werror
@_debug
def compile_cmd(file: str, out: str, check_only: bool, show_diff: bool, fmt: str, werror: bool, debug: bool) -> None:
    """Compile FILE into per-host artifacts under DIR (nothing is written on errors)."""
    try:
        result, _ = _compile(file, fmt, werror, render=True)
        dest = Path(out)
        if show_diff or check_only:
            if show_diff:
                click.echo(output.diff(result.artifacts, dest), nl=False)
            changes = output.plan_changes(result.artifacts, dest)
            if changes.stale:
                click.echo(
                    f"ldrc: {dest} is out of date: {len(changes.written)} to write, {len(changes.removed)} to remove",
                    err=True,
                )
                sys.exit(1)
            click.echo(f"ldrc: {dest} is up to date ({len(changes.unchanged)} files)", err=True)
            return
        try:
            changes = output.write(result.artifacts, dest)
        except OSError as e:
            click.echo(f"ldrc: error: cannot write to {dest}: {e.strerror or e}", err=True)
            sys.exit(2)
        hosts = len({a.path.split("/")[0] for a in result.artifacts})
        click.echo(
            f"ldrc: {len(result.artifacts)} files for {hosts} hosts in {dest} "
            f"({len(changes.written)} written, {len(changes.unchanged)} unchanged, "
            f"{len(changes.removed)} removed)",
            err=True,
        )
    except SystemExit:
        raise
    except Exception:
        _internal(debug)


@main.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@_format
@_werror
@_debug
def check_cmd(file: str, fmt: str, werror: bool, debug: bool) -> None:
    """Parse and check FILE; write nothing."""
    try:
        _compile(file, fmt, werror, render=False)
    except SystemExit:
        raise
    except Exception:
        _internal(debug)


@main.command("explain")
@click.argument("code")
def explain_cmd(code: str) -> None:
    """Explain a diagnostic code, e.g. `ldrc explain E203`."""
    text = explain(code)
    if text is None:
        click.echo(f"ldrc: error: unknown code {code}; codes: {' '.join(CODES)}", err=True)
        sys.exit(2)
    click.echo(text)
