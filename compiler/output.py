"""Output: write artifacts to a directory, atomically and only when they change.

ldrc records what it wrote in DIR/.ldrc-manifest. A file it wrote before and
no longer produces is removed; a file it did not write is never touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .targets import Artifact

MANIFEST = ".ldrc-manifest"


@dataclass(frozen=True, slots=True)
class Changes:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.written or self.removed)


def _read_manifest(out: Path) -> list[str]:
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    names = [line for line in text.splitlines() if line and not line.startswith("#")]
    # only plain relative paths inside DIR: never follow a manifest out of it
    return [n for n in names if not Path(n).is_absolute() and ".." not in Path(n).parts]


def _current(path: Path) -> tuple[bytes, int] | None:
    try:
        return path.read_bytes(), path.stat().st_mode & 0o777
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def plan_changes(artifacts: tuple[Artifact, ...] | list[Artifact], out: Path) -> Changes:
    written, unchanged = [], []
    for a in artifacts:
        cur = _current(out / a.path)
        if cur == (a.text.encode("utf-8"), a.mode):
            unchanged.append(a.path)
        else:
            written.append(a.path)
    new = {a.path for a in artifacts}
    removed = [n for n in _read_manifest(out) if n not in new and (out / n).is_file()]
    return Changes(tuple(written), tuple(unchanged), tuple(sorted(removed)))


def diff(artifacts: tuple[Artifact, ...] | list[Artifact], out: Path) -> str:
    import difflib  # only --diff needs it; keep the common path's start-up short

    chunks: list[str] = []
    changes = plan_changes(artifacts, out)
    by_path = {a.path: a for a in artifacts}
    for name in sorted([*changes.written, *changes.removed]):
        cur = _current(out / name)
        old = cur[0].decode("utf-8", "replace").splitlines(keepends=True) if cur else []
        new = by_path[name].text.splitlines(keepends=True) if name in by_path else []
        chunks.extend(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))
    return "".join(chunks)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # a private name beside the target (O_EXCL), renamed over it: readers see old or new
    tmp = str(path.with_name(f".{path.name}.{os.getpid()}.tmp"))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(artifacts: tuple[Artifact, ...] | list[Artifact], out: Path) -> Changes:
    """Write what changed, remove what ldrc wrote before and no longer produces."""
    changes = plan_changes(artifacts, out)
    by_path = {a.path: a for a in artifacts}
    out.mkdir(parents=True, exist_ok=True)
    for name in changes.written:
        a = by_path[name]
        _atomic_write(out / name, a.text.encode("utf-8"), a.mode)
    for name in changes.removed:
        (out / name).unlink(missing_ok=True)
        parent = (out / name).parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    manifest = "# files written by ldrc; it removes only these\n" + "".join(f"{a.path}\n" for a in artifacts)
    _atomic_write(out / MANIFEST, manifest.encode("utf-8"), 0o644)
    return changes
