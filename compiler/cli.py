"""CLI: the thin shell around api.compile_source (disk, terminal, exit codes).

Exit codes: 0 ok (warnings allowed), 1 input errors, or --check/--diff found
DIR out of date (an interrupted write included), 2 usage or I/O error, or a
refusal to write (DIR holds a file ldrc did not write, a symlink, a FIFO...:
see --force; nothing is written then), 3 internal error.

Diagnostics go to stderr, except --format json: one JSON document (the list
of all diagnostics) on stdout. The one-line summary is always on stderr.
FILE `-` is standard input, shown as `<stdin>`. Every user string on its way
to the terminal goes through text.printable (no control characters).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn

import click

from . import __version__, output
from .api import Result, compile_bytes
from .codes import CODES, explain
from .diagnostics import format_all, format_json
from .target_ansible import DIR as ANSIBLE_DIR
from .text import printable

FORMATS = ("full", "concise", "json")
STDIN_NAME = "<stdin>"


def _read(file: str) -> tuple[bytes, str]:
    """The bytes of FILE (`-`: standard input) and the name diagnostics show."""
    if file == "-":
        return sys.stdin.buffer.read(), STDIN_NAME
    try:
        return Path(file).read_bytes(), file
    except OSError as e:
        click.echo(f"ldrc: error: cannot read {printable(file)}: {e.strerror}", err=True)
        sys.exit(2)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _report(result: Result, source: str, fmt: str, *, render: bool = True, werror: bool = False) -> bool:
    """Print the diagnostics; True when a summary line was printed."""
    diags = result.diagnostics
    if fmt == "json":
        click.echo(format_json(diags))  # stdout: one document, all diagnostics
    else:
        for chunk in format_all(diags, source, fmt):
            click.echo(chunk, err=True)
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    if not render and not errors and not (werror and diags):
        return False  # `check` ends with its own summary line, warnings counted there
    if fmt != "concise" and diags:
        parts = [_plural(n, w) for n, w in ((errors, "error"), (warnings, "warning")) if n]
        click.echo(f"ldrc: {' and '.join(parts)}", err=True)
        return True
    return False


def _internal(debug: bool) -> NoReturn:
    if debug:
        traceback.print_exc()
    else:
        exc = sys.exc_info()[1]
        click.echo(
            f"ldrc: internal error [E901]: {type(exc).__name__}: {printable(str(exc))}\n"
            "  = note: this is a bug in ldrc, not in your input; please report it with the input file "
            "(run with --debug for the traceback)",
            err=True,
        )
    sys.exit(3)


def _compile(file: str, fmt: str, werror: bool, *, render: bool) -> tuple[Result, bool]:
    data, name = _read(file)
    result = compile_bytes(data, name, render_artifacts=render)
    source = data.decode("utf-8", "replace")
    summarized = _report(result, source, fmt, render=render, werror=werror)
    if not result.ok or (werror and result.diagnostics):
        sys.exit(1)
    return result, summarized


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
    help="How diagnostics are printed (json: one document on stdout).",
)
_werror = click.option("--warnings-as-errors", "werror", is_flag=True, help="Exit 1 on warnings too.")
_debug = click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
_file = click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))


def _problems(dest: Path, e: output.OutputError, force_helps: bool) -> NoReturn:
    click.echo(f"ldrc: error: nothing written to {printable(str(dest))}:", err=True)
    for p in e.problems:
        click.echo(f"  {p}", err=True)
    if force_helps:
        click.echo(
            "  = help: check these files; --force replaces files ldrc did not write (never a directory, "
            "never through a symlinked host directory)",
            err=True,
        )
    sys.exit(2)


def _check_or_diff(result: Result, dest: Path, show_diff: bool) -> None:
    changes, text = output.survey(result.artifacts, dest, with_diff=show_diff)
    shown = printable(str(dest))
    if changes.interrupted:
        click.echo(
            f"ldrc: {shown} is out of date (an interrupted write): `ldrc compile` finishes or undoes it",
            err=True,
        )
        sys.exit(1)
    if show_diff:
        click.echo(text, nl=False)
    for p in (*changes.refused, *changes.foreign):
        click.echo(f"ldrc: note: {p}", err=True)
    if changes.stale:
        click.echo(
            f"ldrc: {shown} is out of date: {len(changes.written)} to write, {len(changes.removed)} to remove",
            err=True,
        )
        sys.exit(1)
    click.echo(f"ldrc: {shown} is up to date ({len(changes.unchanged)} files)", err=True)


@main.command("compile", short_help="Compile FILE into per-host artifacts under DIR.")
@_file
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False),
    default="out",
    show_default=True,
    help="Output directory: one folder per host.",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if DIR is not up to date, else 0.")
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Write nothing; print the unified diff against DIR on stdout; exit 1 if DIR is out of date, 0 if up to date.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace files at artifact paths that ldrc did not write (not in DIR/.ldrc-manifest), "
    "and symlinks, FIFOs or devices there (the entry itself, never its target).",
)
@_format
@_werror
@_debug
def compile_cmd(
    file: str, out: str, check_only: bool, show_diff: bool, force: bool, fmt: str, werror: bool, debug: bool
) -> None:
    """Compile FILE (`-`: standard input) into per-host artifacts under DIR.

    Nothing is written on errors. DIR changes all at once: an interrupted
    write is finished or undone by the next compile. Files that ldrc did not
    write are never replaced without --force (exit 2, nothing written).
    """
    if show_diff and fmt == "json":
        raise click.UsageError("--diff prints the diff on stdout: use --format full or concise with it")
    try:
        result, _ = _compile(file, fmt, werror, render=True)
        dest = Path(out)
        if show_diff or check_only:
            try:
                _check_or_diff(result, dest, show_diff)
            except output.OutputError as e:
                _problems(dest, e, e.forceable and not force)
            except OSError as e:
                click.echo(f"ldrc: error: cannot read {printable(str(dest))}: {printable(str(e))}", err=True)
                sys.exit(2)
            return
        _write(result, dest, force)
    except SystemExit:
        raise
    except Exception:
        _internal(debug)


def _write(result: Result, dest: Path, force: bool) -> None:
    """Write the artifacts into dest (all or nothing) and say what changed; exit 2 on a refusal."""
    try:
        changes = output.write(result.artifacts, dest, force=force)
    except output.OutputError as e:
        _problems(dest, e, e.forceable and not force)
    except OSError as e:
        click.echo(f"ldrc: error: cannot write to {printable(str(dest))}: {printable(str(e))}", err=True)
        sys.exit(2)
    # the host directories (not _ansible/, which no host name can be)
    hosts = len({a.path.split("/")[0] for a in result.artifacts} - {ANSIBLE_DIR})
    replaced = f", {len(changes.foreign)} not written by ldrc replaced (--force)" if changes.foreign else ""
    click.echo(
        f"ldrc: {len(result.artifacts)} files for {hosts} hosts in {printable(str(dest))} "
        f"({len(changes.written)} written, {len(changes.unchanged)} unchanged, "
        f"{len(changes.removed)} removed{replaced})",
        err=True,
    )


@main.command("check", short_help="Parse and check FILE; write nothing.")
@_file
@_format
@_werror
@_debug
def check_cmd(file: str, fmt: str, werror: bool, debug: bool) -> None:
    """Parse and check FILE (`-`: standard input); write nothing.

    On success, one summary line on stderr: `ldrc: ok: H hosts, V VIPs, S services, W warnings`
    (after the warnings, if any).
    """
    try:
        result, summarized = _compile(file, fmt, werror, render=False)
        plan = result.plan
        if not summarized and plan is not None:
            # engine keepalived: the directors share the VIPs and services; count them once
            director = plan.keepalived.directors[0].director if plan.keepalived else plan.director
            vips = len(director.vips) if director else 0
            services = len(director.services) if director else 0
            click.echo(
                f"ldrc: ok: {_plural(len(plan.hosts), 'host')}, {_plural(vips, 'VIP')}, "
                f"{_plural(services, 'service')}, {_plural(len(result.diagnostics), 'warning')}",
                err=True,
            )
    except SystemExit:
        raise
    except Exception:
        _internal(debug)


@main.command("explain", short_help="Explain a diagnostic code, e.g. E203.")
@click.argument("code")
def explain_cmd(code: str) -> None:
    """Explain a diagnostic code, e.g. `ldrc explain E203`."""
    text = explain(code)
    if text is None:
        click.echo(f"ldrc: error: unknown code {printable(code)}; codes: {' '.join(CODES)}", err=True)
        sys.exit(2)
    click.echo(text)


def _ansible_playbook() -> str:
    """ansible-playbook on PATH, else the one installed beside this Python (a venv not activated)."""
    found = shutil.which("ansible-playbook") or shutil.which("ansible-playbook", path=str(Path(sys.executable).parent))
    if found is None:
        click.echo(
            "ldrc: error: ansible-playbook not found on PATH\n"
            "  = help: install Ansible (pip install ansible-core), or run the playbook that "
            "`ldrc compile` writes in DIR/_ansible/ yourself",
            err=True,
        )
        sys.exit(2)
    return found


@main.command(
    "deploy",
    short_help="Compile FILE and deploy it with ansible-playbook.",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False),
    default=None,
    help="Compile into DIR and keep it (default: a temporary directory, removed afterwards).",
)
@click.option("--force", is_flag=True, help="As for compile: replace files in DIR that ldrc did not write.")
@_werror
@_debug
@_file
@click.argument("playbook_args", nargs=-1, type=click.UNPROCESSED)
def deploy_cmd(
    file: str, out: str | None, force: bool, werror: bool, debug: bool, playbook_args: tuple[str, ...]
) -> None:
    """Compile FILE, then run ansible-playbook with the inventory and playbook it wrote.

    ldrc's options come before FILE; everything after FILE goes to ansible-playbook as it is
    (--check --diff, --limit HOST, --tags realservers, -u USER, --become, -e ldrc_serial=N, ...).
    Exits with ansible-playbook's status (0 ok, 2 a host failed, 4 unreachable, ...); 1 when
    FILE has errors, 2 when ansible-playbook is missing or DIR cannot be written.
    """
    if file.startswith("-") and file != "-":
        # an option before FILE that ldrc does not know (ignore_unknown_options made it FILE)
        click.echo(
            f"ldrc: error: no such option: {printable(file)}\n"
            "  = help: ldrc deploy [-o DIR] [--force] [--warnings-as-errors] FILE [ansible-playbook options...]: "
            "ansible-playbook's options go after FILE (a file whose name starts with `-`: ./NAME)",
            err=True,
        )
        sys.exit(2)
    if playbook_args[:1] == ("--",):
        playbook_args = playbook_args[1:]  # `FILE -- OPTIONS`: the separator is ldrc's, not a playbook
    try:
        result, _ = _compile(file, "full", werror, render=True)
        if not any(a.path.startswith(f"{ANSIBLE_DIR}/") for a in result.artifacts):
            click.echo("ldrc: error: nothing to deploy: the cluster has no director, real server or router", err=True)
            sys.exit(2)
        ansible = _ansible_playbook()
        with tempfile.TemporaryDirectory(prefix="ldrc-deploy-") as tmp:
            dest = Path(out) if out is not None else Path(tmp) / "out"
            _write(result, dest, force)
            playbook = dest / ANSIBLE_DIR
            argv = [ansible, "-i", str(playbook / "inventory.yml"), *playbook_args, str(playbook / "site.yml")]
            click.echo(f"ldrc: {printable(shlex.join(argv))}", err=True)
            sys.stderr.flush()
            rc = subprocess.run(argv, env=os.environ.copy()).returncode
        sys.exit(rc)
    except SystemExit:
        raise
    except Exception:
        _internal(debug)
