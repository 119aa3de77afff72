"""Locate grammar/ and templates/: inside the installed package, or in the checkout."""

from __future__ import annotations

import functools
import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@functools.cache
def resource_dir(name: str) -> Path:
    """The wheel puts grammar/ and templates/ inside the package; a checkout has them beside it."""
    for base in (_PKG, _PKG.parent):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ldrc resource directory {name!r} not found near {_PKG}")


def resource_path(name: str, *parts: str) -> Path:
    return resource_dir(name).joinpath(*parts)


@functools.cache
def cache_dir() -> Path | None:
    """Where parsed grammar tables and compiled templates are cached between runs
    ($XDG_CACHE_HOME/ldrc/<version>), or None when it cannot be written: a cold
    `ldrc compile` then pays about 30 ms more, nothing else changes."""
    from . import __version__

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "ldrc" / __version__
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None
