"""Output: write artifacts under DIR, all or nothing, only when they change.

DIR/HOST/FILE are the artifacts; DIR/.ldrc-manifest lists the files ldrc wrote.
DIR may be a committed tree of golden files, so anything in it may have been
planted by someone else:

- DIR itself must be a real directory (not a symlink), and so must every
  DIR/HOST: each is opened with O_NOFOLLOW, and every later call is relative
  to that descriptor, so nothing is created, read, renamed or removed outside
  DIR. A symlinked HOST is refused.
- Only regular files are read (O_NOFOLLOW | O_NONBLOCK, checked with fstat),
  at most one byte more than the new content: a FIFO cannot hang ldrc, and a
  device or a huge file cannot exhaust it.
- A file is only ever replaced by a rename, never written in place: a symlink
  at an artifact path is replaced itself, its target is never opened.
- Manifest lines count only when they are HOST/FILE (two plain names: no
  `..`, no `/` at the start, no control characters), and ldrc removes only a
  regular file reached without a symlink.
- A file at an artifact path that ldrc did not write (not in the manifest) and
  whose content differs, or anything there that is not a regular file, is
  replaced only with force; a directory there never. Everything is checked
  before anything is written (OutputError lists the problems).

Transaction: every new file (and the new manifest) is first written to an
unpredictable name beside its target (.ldrc-tmp-<random>, O_EXCL) and
fsync'd; then the journal DIR/.ldrc-journal (the renames, the removals, a
checksum) is made durable; then the renames and removals run, the
directories are fsync'd, and the journal is removed. The next write first
recovers: a valid journal is rolled forward, staged files without one are
deleted (rolled back). plan_changes() (--check, --diff) reports either as an
interrupted write. Writers hold flock(LOCK_EX) on DIR, readers LOCK_SH.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .targets import Artifact
from .text import printable

MANIFEST = ".ldrc-manifest"
JOURNAL = ".ldrc-journal"
TMP_PREFIX = ".ldrc-tmp-"
MANIFEST_HEADER = "# files written by ldrc; it removes only these\n"
JOURNAL_HEADER = "ldrc-journal 1"

# one component of HOST/FILE: host names, and file names such as ifcfg-eth2 or route-eth2
_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@+=,%-]{0,254}\Z")
_TMP = re.compile(re.escape(TMP_PREFIX) + r"[0-9a-f]{24}\Z")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
# directories ldrc makes (DIR, a host's): never writable by others, even under umask 000, as
# they hold the root scripts that `ldrc deploy` installs (a stricter umask still applies)
DIR_MODE = 0o755
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_MANIFEST = 64 << 20  # bytes read of a manifest or journal at most
_DIFF_CAP = 1 << 20  # bytes of an old file that --diff shows at most
_FSYNC_BATCH = 256  # staged files open at once (each is fsync'd before it is closed)


class OutputError(Exception):
    """ldrc refuses to write (nothing was changed), or DIR cannot be used."""

    def __init__(self, problems: Sequence[str], *, forceable: bool = False) -> None:
        super().__init__(*problems)
        self.problems = tuple(problems)
        self.forceable = forceable  # force would write (only files ldrc did not write are in the way)

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True, slots=True)
class Changes:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    interrupted: bool = False  # an earlier write was interrupted (a journal or staged files)
    foreign: tuple[str, ...] = ()  # what a write replaces only with force (files ldrc did not write, symlinks)
    refused: tuple[str, ...] = ()  # why a write is refused even with force

    @property
    def stale(self) -> bool:
        return bool(self.written or self.removed or self.interrupted or self.refused)


def valid_name(name: str) -> bool:
    """An artifact path as ldrc writes it: HOST/FILE, two plain names."""
    parts = name.split("/")
    return len(parts) == 2 and all(_PART.match(p) for p in parts)


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _lstat(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # "missing", "file", or what else is there (_kind)
    data: bytes = b""  # a file's first bytes: at most cap + 1
    mode: int = 0
    complete: bool = True  # data is the whole file


def _inspect(dir_fd: int | None, name: str, cap: int) -> _Entry:
    """What is at dir_fd/name, never following a symlink; a regular file's first cap + 1 bytes."""
    if dir_fd is None:
        return _Entry("missing")
    st = _lstat(name, dir_fd)
    if st is None:
        return _Entry("missing")
    if not stat.S_ISREG(st.st_mode):
        return _Entry(_kind(st.st_mode))
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return _Entry("missing")
    except OSError as e:
        if e.errno == errno.ELOOP:  # replaced by a symlink meanwhile
            return _Entry("symlink")
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return _Entry(_kind(st.st_mode))
        chunks: list[bytes] = []
        left = cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return _Entry("file", data, stat.S_IMODE(st.st_mode), len(data) <= cap)
    finally:
        os.close(fd)


class _Dirs:
    """DIR's descriptor and its HOST directories', each opened without following a symlink."""

    def __init__(self, root: int, out: Path) -> None:
        self.root = root
        self.shown = printable(str(out))  # DIR as messages show it
        self._fds: dict[str, int] = {}

    def host(self, name: str, *, create: bool = False) -> tuple[int | None, str]:
        """(descriptor or None, kind): kind is "directory", "missing", or what is there instead."""
        fd = self._fds.get(name)
        if fd is not None:
            return fd, "directory"
        if len(self._fds) >= 128:  # a descriptor per host at most 128 at a time
            self.close()
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=self.root)
        except FileNotFoundError:
            if not create:
                return None, "missing"
            os.mkdir(name, DIR_MODE, dir_fd=self.root)
            return self.host(name)
        except OSError as e:
            if e.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            st = _lstat(name, self.root)
            return None, _kind(st.st_mode) if st is not None else "missing"
        self._fds[name] = fd
        return fd, "directory"

    def forget(self, name: str) -> None:
        fd = self._fds.pop(name, None)
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()


def _open_root(out: Path, *, create: bool) -> int | None:
    try:
        return os.open(out, _DIR_FLAGS)
    except FileNotFoundError:
        if not create:
            return None
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR):
            raise OutputError(
                [
                    f"{printable(str(out))} is not a directory (a symlink or a file): ldrc writes only into a real directory"
                ]
            ) from None
        raise
    out.mkdir(DIR_MODE, parents=True, exist_ok=True)
    return _open_root(out, create=False)


def _lock(fd: int, exclusive: bool) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)


def _manifest_text(artifacts: Iterable[Artifact]) -> bytes:
    return (MANIFEST_HEADER + "".join(f"{a.path}\n" for a in artifacts)).encode("utf-8")


# -- survey: what is in DIR, compared with the artifacts -------------------------


@dataclass(slots=True)
class _Survey:
    manifest: set[str]
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    foreign: list[str]  # messages: replaced only with force
    refused: list[str]  # messages: never replaced
    interrupted: bool
    old: dict[str, _Entry]  # what is at each written or removed path (for --diff)


def _read_manifest(dirs: _Dirs) -> tuple[set[str], str | None]:
    e = _inspect(dirs.root, MANIFEST, _MAX_MANIFEST)
    if e.kind == "missing":
        return set(), None
    if e.kind != "file":
        return set(), f"{dirs.shown}/{MANIFEST} is a {e.kind}, not a file ldrc wrote"
    if not e.complete:
        return set(), f"{dirs.shown}/{MANIFEST} is larger than {_MAX_MANIFEST} bytes"
    lines = e.data.decode("utf-8", "replace").split("\n")
    # only HOST/FILE lines count: never follow a manifest out of DIR
    return {n for n in lines if n and not n.startswith("#") and valid_name(n)}, None


def _staged(dirs: _Dirs) -> list[tuple[str, str]]:
    """Staged files of an interrupted write: (HOST or "", name); regular files only."""
    found: list[tuple[str, str]] = []
    with os.scandir(dirs.root) as it:
        entries = list(it)
    for entry in entries:
        if _TMP.match(entry.name) and entry.is_file(follow_symlinks=False):
            found.append(("", entry.name))
        elif _PART.match(entry.name) and entry.is_dir(follow_symlinks=False):
            fd, kind = dirs.host(entry.name)
            if fd is None:
                continue
            with os.scandir(fd) as sub:
                found += [(entry.name, s.name) for s in sub if _TMP.match(s.name) and s.is_file(follow_symlinks=False)]
    return found


def _survey(artifacts: Sequence[Artifact], dirs: _Dirs, *, diff_cap: int = 0) -> _Survey:
    manifest, problem = _read_manifest(dirs)
    d = dirs.shown
    s = _Survey(manifest, [], [], [], [], [], False, {})
    if problem is not None:
        s.foreign.append(problem)
    journal = _lstat(JOURNAL, dirs.root)
    if journal is not None and not stat.S_ISREG(journal.st_mode):
        s.refused.append(f"{d}/{JOURNAL} is a {_kind(journal.st_mode)}: remove it")
    s.interrupted = journal is not None or bool(_staged(dirs))
    bad_hosts: set[str] = set()
    for a in artifacts:
        if not valid_name(a.path):  # never: host and file names are checked; but never write outside DIR
            s.refused.append(f"{d}/{printable(a.path)} is not a HOST/FILE path")
            continue
        host, name = a.path.split("/")
        fd, kind = dirs.host(host)
        if kind not in ("directory", "missing"):
            if host not in bad_hosts:
                bad_hosts.add(host)
                s.refused.append(f"{d}/{host} is a {kind}, not a directory: ldrc never writes through it (remove it)")
            continue
        new = a.text.encode("utf-8")
        e = _inspect(fd, name, max(len(new), diff_cap))
        if e.kind == "file" and e.data == new and e.mode == a.mode:
            s.unchanged.append(a.path)
            continue
        if e.kind == "directory":
            s.refused.append(f"{d}/{a.path} is a directory")
            continue
        if e.kind == "file" and a.path not in manifest and e.data[: len(new) + 1] != new:
            s.foreign.append(f"{d}/{a.path} was not written by ldrc (it is not in {MANIFEST}) and differs")
        elif e.kind not in ("file", "missing"):
            s.foreign.append(f"{d}/{a.path} is a {e.kind}, not a regular file")
        s.written.append(a.path)
        s.old[a.path] = e
    new_paths = {a.path for a in artifacts}
    for path in sorted(manifest - new_paths):
        host, name = path.split("/")
        fd, kind = dirs.host(host)
        st = _lstat(name, fd) if fd is not None else None
        if st is not None and stat.S_ISREG(st.st_mode):
            s.removed.append(path)
            if diff_cap:
                s.old[path] = _inspect(fd, name, diff_cap)
    return s


def _changes(s: _Survey) -> Changes:
    return Changes(
        tuple(s.written), tuple(s.unchanged), tuple(s.removed), s.interrupted, tuple(s.foreign), tuple(s.refused)
    )


def _read_only(artifacts: Sequence[Artifact], out: Path, diff_cap: int) -> _Survey:
    root = _open_root(out, create=False)
    if root is None:
        paths = [a.path for a in artifacts]
        return _Survey(set(), paths, [], [], [], [], False, {p: _Entry("missing") for p in paths})
    dirs = _Dirs(root, out)
    try:
        _lock(root, exclusive=False)
        return _survey(artifacts, dirs, diff_cap=diff_cap)
    finally:
        dirs.close()
        os.close(root)


def plan_changes(artifacts: Sequence[Artifact], out: Path) -> Changes:
    """What write() would change; reads DIR only (never a symlink, FIFO or device)."""
    return _changes(_read_only(artifacts, out, 0))


def diff(artifacts: Sequence[Artifact], out: Path) -> str:
    """The unified diff of DIR against the artifacts (files ldrc would write or remove)."""
    return survey(artifacts, out, with_diff=True)[1]


def survey(artifacts: Sequence[Artifact], out: Path, *, with_diff: bool) -> tuple[Changes, str]:
    """plan_changes(), and with with_diff the unified diff too, from one reading of DIR."""
    s = _read_only(artifacts, out, _DIFF_CAP if with_diff else 0)
    return _changes(s), _diff(artifacts, s) if with_diff else ""


def _diff(artifacts: Sequence[Artifact], s: _Survey) -> str:
    import difflib  # only --diff needs it; keep the common path's start-up short

    chunks: list[str] = []
    by_path = {a.path: a for a in artifacts}
    for name in sorted([*s.written, *s.removed]):
        e = s.old.get(name, _Entry("missing"))
        if e.kind == "file" and not e.complete:
            chunks.append(f"Files a/{name} and b/{name} differ (a/{name} is larger than {_DIFF_CAP} bytes)\n")
            continue
        old = e.data.decode("utf-8", "replace").splitlines(keepends=True) if e.kind == "file" else []
        new = by_path[name].text.splitlines(keepends=True) if name in by_path else []
        chunks.extend(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))
    return "".join(chunks)


# -- the transaction ----------------------------------------------------------


def _new_file(dir_fd: int) -> tuple[str, int]:
    """An unpredictable new name in dir_fd (never a reused one: O_EXCL), opened for writing."""
    for _ in range(100):
        name = TMP_PREFIX + os.urandom(12).hex()
        try:
            return name, os.open(name, _NEW_FLAGS, 0o600, dir_fd=dir_fd)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Syncer:
    """fsync many descriptors, then close them; in parallel when there are many
    (the file system commits them together: 4,000 files in 0.3 s instead of 1.7 s)."""

    def __init__(self) -> None:
        self.pool: Any = None

    def sync_close(self, fds: list[int]) -> None:
        try:
            if len(fds) > 8:
                if self.pool is None:
                    from concurrent.futures import ThreadPoolExecutor

                    self.pool = ThreadPoolExecutor(16)
                list(self.pool.map(os.fsync, fds))
            else:
                for fd in fds:
                    os.fsync(fd)
        finally:
            for fd in fds:
                os.close(fd)
            fds.clear()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _journal_text(ops: list[tuple[str, ...]]) -> bytes:
    body = JOURNAL_HEADER + "\n" + "".join("\t".join(op) + "\n" for op in ops)
    return (body + f"end\t{zlib.crc32(body.encode('utf-8')):08x}\n").encode("utf-8")


def _parse_journal(data: bytes) -> list[tuple[str, ...]] | None:
    """The operations of a complete, valid journal; None for anything else."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    body, sep, last = text.rstrip("\n").rpartition("\n")
    if not sep or last != f"end\t{zlib.crc32((body + chr(10)).encode('utf-8')):08x}":
        return None
    lines = body.split("\n")
    if lines[0] != JOURNAL_HEADER:
        return None
    ops: list[tuple[str, ...]] = []
    for line in lines[1:]:
        op = tuple(line.split("\t"))
        if op[0] == "rename" and len(op) == 4 and _TMP.match(op[2]):
            ok = op[1:] == (".", op[2], MANIFEST) or (bool(_PART.match(op[1])) and bool(_PART.match(op[3])))
        elif op[0] == "remove" and len(op) == 3:
            ok = bool(_PART.match(op[1]) and _PART.match(op[2]))
        else:
            ok = False
        if not ok:
            return None
        ops.append(op)
    return ops


def _apply(dirs: _Dirs, ops: list[tuple[str, ...]], syncer: _Syncer) -> None:
    """Roll the journal forward: idempotent, so an interrupted roll-forward can run again."""
    touched: set[str] = set()
    emptied: set[str] = set()
    for op in ops:
        if op[0] == "rename":
            where, tmp, name = op[1:]
            fd = dirs.root if where == "." else dirs.host(where)[0]
            st = _lstat(tmp, fd) if fd is not None else None
            if fd is None or st is None or not stat.S_ISREG(st.st_mode):
                continue  # renamed already
            os.rename(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
            touched.add(where)
        else:
            host, name = op[1:]
            fd = dirs.host(host)[0]
            st = _lstat(name, fd) if fd is not None else None
            if fd is None or st is None or not stat.S_ISREG(st.st_mode):
                continue  # removed already, or not a file ldrc wrote: left alone
            os.unlink(name, dir_fd=fd)
            touched.add(host)
            emptied.add(host)
    _sync_dirs(dirs, touched - emptied, syncer)
    for host in sorted(emptied):
        dirs.forget(host)
        try:
            os.rmdir(host, dir_fd=dirs.root)
        except OSError as e:
            if e.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.ENOTDIR):
                raise
            fd, _ = dirs.host(host)
            if fd is not None:
                os.fsync(fd)
    os.fsync(dirs.root)


def _sync_dirs(dirs: _Dirs, names: Iterable[str], syncer: _Syncer) -> None:
    fds = [os.dup(fd) for n in sorted(names) if n != "." and (fd := dirs.host(n)[0]) is not None]
    syncer.sync_close(fds)


def _roll_back(dirs: _Dirs) -> None:
    """Delete staged files (regular files named .ldrc-tmp-*), and HOST directories they leave empty."""
    hosts: set[str] = set()
    for host, name in _staged(dirs):
        fd = dirs.host(host)[0] if host else dirs.root
        if fd is not None:
            os.unlink(name, dir_fd=fd)
            hosts.add(host)
    for host in sorted(hosts - {""}):
        dirs.forget(host)
        try:
            os.rmdir(host, dir_fd=dirs.root)
        except OSError as e:
            if e.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.ENOTDIR):
                raise
    if hosts:
        os.fsync(dirs.root)


def _recover(dirs: _Dirs, syncer: _Syncer) -> str:
    """Finish or undo an interrupted write: "rolled forward", "rolled back" or "" (nothing to do)."""
    j = _inspect(dirs.root, JOURNAL, _MAX_MANIFEST)
    if j.kind not in ("missing", "file"):
        raise OutputError([f"{dirs.shown}/{JOURNAL} is a {j.kind}: remove it"])
    ops = _parse_journal(j.data) if j.kind == "file" and j.complete else None
    if ops is not None:
        _apply(dirs, ops, syncer)
    staged = bool(_staged(dirs))
    _roll_back(dirs)  # what the journal did not name (or everything, without a valid journal)
    if j.kind == "file":
        os.unlink(JOURNAL, dir_fd=dirs.root)
        os.fsync(dirs.root)
    return "rolled forward" if ops is not None else "rolled back" if staged or j.kind == "file" else ""


def recover(out: Path) -> str:
    """Recover DIR from an interrupted write (write() does this first); see _recover."""
    root = _open_root(out, create=False)
    if root is None:
        return ""
    dirs = _Dirs(root, out)
    syncer = _Syncer()
    try:
        _lock(root, exclusive=True)
        return _recover(dirs, syncer)
    finally:
        syncer.close()
        dirs.close()
        os.close(root)


def _commit(artifacts: Sequence[Artifact], s: _Survey, dirs: _Dirs, manifest: bytes, syncer: _Syncer) -> None:
    by_path = {a.path: a for a in artifacts}
    staged: list[tuple[str, str]] = []  # (HOST or "" for DIR, staged name): deleted on failure
    ops: list[tuple[str, ...]] = []
    open_fds: list[int] = []
    hosts: set[str] = set()
    try:
        for path in s.written:
            a = by_path[path]
            host, name = path.split("/")
            fd, kind = dirs.host(host, create=True)
            if fd is None:  # replaced since the survey
                raise OutputError([f"{dirs.shown}/{host} is a {kind}, not a directory: ldrc never writes through it"])
            tmp, f = _new_file(fd)
            staged.append((host, tmp))
            open_fds.append(f)
            _write_all(f, a.text.encode("utf-8"))
            os.fchmod(f, a.mode)
            ops.append(("rename", host, tmp, name))
            hosts.add(host)
            if len(open_fds) >= _FSYNC_BATCH:
                syncer.sync_close(open_fds)
        ops += [("remove", *path.split("/")) for path in s.removed]
        tmp, f = _new_file(dirs.root)
        staged.append(("", tmp))
        open_fds.append(f)
        _write_all(f, manifest)
        os.fchmod(f, 0o644)
        ops.append(("rename", ".", tmp, MANIFEST))
        syncer.sync_close(open_fds)
        _sync_dirs(dirs, hosts, syncer)  # the staged names are durable before the journal names them
        journal_tmp, f = _new_file(dirs.root)
        staged.append(("", journal_tmp))
        open_fds.append(f)
        _write_all(f, _journal_text(ops))
        os.fchmod(f, 0o644)
        syncer.sync_close(open_fds)
        # the commit point: once the journal has its name, the next run rolls it forward
        os.rename(journal_tmp, JOURNAL, src_dir_fd=dirs.root, dst_dir_fd=dirs.root)
    except BaseException:
        for fd in open_fds:
            os.close(fd)
        for host, name in staged:
            try:
                fd = dirs.host(host)[0] if host else dirs.root
                if fd is not None:
                    os.unlink(name, dir_fd=fd)
            except OSError:
                pass
        raise
    os.fsync(dirs.root)
    _apply(dirs, ops, syncer)
    os.unlink(JOURNAL, dir_fd=dirs.root)
    os.fsync(dirs.root)


def write(artifacts: Sequence[Artifact], out: Path, *, force: bool = False) -> Changes:
    """Write what changed and remove what ldrc wrote before and no longer produces, all or nothing.

    Raises OutputError, having written nothing, when DIR holds something ldrc
    must not replace (see the module docstring); force replaces files ldrc did
    not write, and symlinks, FIFOs and devices (the entry, never its target).
    """
    root = _open_root(out, create=True)
    assert root is not None
    dirs = _Dirs(root, out)
    syncer = _Syncer()
    try:
        _lock(root, exclusive=True)
        _recover(dirs, syncer)
        s = _survey(artifacts, dirs)
        problems = s.refused + ([] if force else s.foreign)
        if problems:
            raise OutputError(problems, forceable=not s.refused)
        manifest = _manifest_text(artifacts)
        current = _inspect(dirs.root, MANIFEST, len(manifest))
        if s.written or s.removed or (current.data, current.mode) != (manifest, 0o644) or current.kind != "file":
            _commit(artifacts, s, dirs, manifest, syncer)
        return _changes(s)
    finally:
        syncer.close()
        dirs.close()
        os.close(root)
