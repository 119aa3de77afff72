"""Locate grammar/ and templates/: inside the installed package, or in the checkout.

ldrc reads nothing else and keeps no cache: a cache in a user-writable place
($XDG_CACHE_HOME) holding pickled parser tables or marshalled template code
runs whatever is planted there.
"""

from __future__ import annotations

import functools
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
