"""The writer stays inside -o DIR whatever was planted in it (DIR may be committed golden files).

Every test keeps a sentinel directory beside DIR and asserts that nothing in it
changed: no write through a symlink, no removal through a symlinked directory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SEED = ROOT / "examples" / "seed-lab.ldr"


def ldrc(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    def limit_memory() -> None:  # a runaway read fails fast instead of taking the machine
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "compiler", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=timeout,
        preexec_fn=limit_memory,
    )


def snapshot(d: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every entry under d, never following a symlink: (mode, size or link, content)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(d):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            if p.is_symlink():
                out[str(p.relative_to(d))] = (st.st_mode, 0, os.readlink(p).encode())
            elif p.is_file():
                out[str(p.relative_to(d))] = (st.st_mode, st.st_size, p.read_bytes())
            else:
                out[str(p.relative_to(d))] = (st.st_mode, 0, b"")
    return out


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    s = tmp_path / "sentinel"
    (s / "etc").mkdir(parents=True)
    (s / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/bash\n")
    (s / "lvs_dr.sh").write_text("#!/bin/sh\necho sentinel\n")
    (s / "x").write_text("outside\n")
    return s


def compile_seed(out: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return ldrc("compile", str(SEED), "-o", str(out), *extra, timeout=timeout)


def test_symlinked_host_directory_is_refused_even_with_force(tmp_path: Path, sentinel: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "lvs-01").symlink_to(sentinel)
    before = snapshot(sentinel), snapshot(out)
    for extra in ((), ("--force",)):
        r = compile_seed(out, *extra)
        assert r.returncode == 2, r.stderr
        assert f"{out}/lvs-01 is a symlink, not a directory" in r.stderr
        assert (snapshot(sentinel), snapshot(out)) == before, "nothing written at all"
    r = compile_seed(out, "--check")
    assert r.returncode == 1 and "is a symlink" in r.stderr


def test_symlinked_file_is_refused_and_with_force_the_link_is_replaced(tmp_path: Path, sentinel: Path) -> None:
    out = tmp_path / "out"
    (out / "lvs-01").mkdir(parents=True)
    (out / "lvs-01" / "lvs_dr.sh").symlink_to(sentinel / "lvs_dr.sh")
    before = snapshot(sentinel)
    r = compile_seed(out)
    assert r.returncode == 2 and f"{out}/lvs-01/lvs_dr.sh is a symlink" in r.stderr and "--force" in r.stderr
    assert not (out / "nginx02").exists(), "nothing is written when anything is refused"
    r = compile_seed(out, "--force")
    assert r.returncode == 0, r.stderr
    assert snapshot(sentinel) == before
    p = out / "lvs-01" / "lvs_dr.sh"
    assert not p.is_symlink() and p.is_file() and "lvs_dr.sh" in p.read_text()
    assert compile_seed(out, "--check").returncode == 0


def test_fifo_at_an_artifact_path_does_not_hang(tmp_path: Path, sentinel: Path) -> None:
    out = tmp_path / "out"
    (out / "router").mkdir(parents=True)
    os.mkfifo(out / "router" / "iptables.rules")
    for extra in ((), ("--check",), ("--diff",)):
        r = compile_seed(out, *extra, timeout=20)
        assert r.returncode in (1, 2) and "Traceback" not in r.stderr, r.stderr
        assert "router/iptables.rules is a FIFO" in r.stderr
    assert not (out / "lvs-01").exists()
    r = compile_seed(out, "--force", timeout=20)
    assert r.returncode == 0, r.stderr
    assert (out / "router" / "iptables.rules").is_file()


def test_symlink_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "lvs-01").mkdir(parents=True)
    (out / "lvs-01" / "ipvsadm.rules").symlink_to("/dev/zero")
    for extra in ((), ("--check",), ("--diff",)):
        r = compile_seed(out, *extra, timeout=20)
        assert r.returncode in (1, 2) and "Traceback" not in r.stderr and "E901" not in r.stderr, r.stderr
        assert "lvs-01/ipvsadm.rules is a symlink" in r.stderr
    assert compile_seed(out, "--force", timeout=20).returncode == 0
    assert Path("/dev/zero").is_char_device()


def test_crafted_manifest_never_removes_outside_dir(tmp_path: Path, sentinel: Path) -> None:
    out = tmp_path / "out"
    assert compile_seed(out).returncode == 0
    (out / "evil").symlink_to(sentinel / "etc")
    manifest = out / ".ldrc-manifest"
    manifest.write_text(
        manifest.read_text()
        + "../sentinel/x\n"
        + f"{sentinel / 'x'}\n"
        + "evil/passwd\n"
        + "lvs-01/../../sentinel/x\n"
        + "nginx02/\x1b]0;x\x07\n"
    )
    before = snapshot(sentinel)
    r = compile_seed(out)
    assert snapshot(sentinel) == before, "a file outside DIR was removed"
    assert r.returncode == 0, r.stderr
    assert (out / "evil").is_symlink(), "not a file ldrc wrote: left alone"
    assert "evil/passwd" not in manifest.read_text() and "../" not in manifest.read_text()


def test_foreign_file_needs_force(tmp_path: Path, sentinel: Path) -> None:
    out = tmp_path / "out"
    outside = snapshot(sentinel)
    (out / "lvs-01").mkdir(parents=True)
    (out / "lvs-01" / "lvs_dr.sh").write_text("# my own script\n")
    (out / "nginx02").mkdir()
    (out / "nginx02" / "ifcfg-lo").write_bytes(b"")  # also foreign, also differs
    before = snapshot(out)
    r = compile_seed(out)
    assert r.returncode == 2, r.stderr
    assert f"{out}/lvs-01/lvs_dr.sh was not written by ldrc" in r.stderr and "--force" in r.stderr
    assert f"{out}/nginx02/ifcfg-lo was not written by ldrc" in r.stderr
    assert snapshot(out) == before, "checked everything before writing anything"
    r = compile_seed(out, "--check")
    assert r.returncode == 1 and "not written by ldrc" in r.stderr
    r = compile_seed(out, "--force")
    assert r.returncode == 0, r.stderr
    assert "lvs_dr.sh" in (out / "lvs-01" / "lvs_dr.sh").read_text()
    assert "lvs-01/lvs_dr.sh" in (out / ".ldrc-manifest").read_text()
    # now ldrc wrote it: an edit is overwritten without --force, as before
    (out / "lvs-01" / "lvs_dr.sh").write_text("# edited\n")
    assert compile_seed(out).returncode == 0
    assert snapshot(sentinel) == outside


def test_foreign_file_with_the_same_content_is_adopted(tmp_path: Path) -> None:
    golden = tmp_path / "golden"
    assert compile_seed(golden).returncode == 0
    (golden / ".ldrc-manifest").unlink()  # golden files committed without the manifest
    r = compile_seed(golden)
    assert r.returncode == 0 and "0 written" in r.stderr, r.stderr
    assert (golden / ".ldrc-manifest").is_file()


def test_output_directory_that_is_a_symlink_is_refused(tmp_path: Path, sentinel: Path) -> None:
    (tmp_path / "out").symlink_to(sentinel)
    before = snapshot(sentinel)
    r = compile_seed(tmp_path / "out")
    assert r.returncode == 2 and "is not a directory (a symlink or a file)" in r.stderr
    assert snapshot(sentinel) == before


def test_directory_at_an_artifact_path_is_refused_even_with_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "lvs-01" / "lvs_dr.sh").mkdir(parents=True)
    r = compile_seed(out, "--force")
    assert r.returncode == 2 and "lvs-01/lvs_dr.sh is a directory" in r.stderr
    assert sorted(p.name for p in out.rglob("*")) == ["lvs-01", "lvs_dr.sh"]


def test_stale_temporary_files_never_block_a_run(tmp_path: Path) -> None:
    """Old versions named temporary files after the PID: a stale one plus a reused PID blocked every run."""
    out = tmp_path / "out"
    assert compile_seed(out).returncode == 0
    stale = out / "lvs-01" / ".ldrc-tmp-0123456789abcdef01234567"
    stale.write_text("half")
    (out / ".ldrc-journal").write_text("ldrc-journal 1\nrename\tlvs-01\t.ldrc-tmp-x")  # torn: no end line
    for extra in ("--check", "--diff"):
        r = compile_seed(out, extra)
        assert r.returncode == 1 and "out of date (an interrupted write)" in r.stderr and r.stdout == ""
        assert stale.exists() and (out / ".ldrc-journal").exists(), f"{extra} writes nothing"
    r = compile_seed(out)
    assert r.returncode == 0, r.stderr
    assert not stale.exists() and not (out / ".ldrc-journal").exists()
    assert compile_seed(out, "--check").returncode == 0
    assert not [p for p in out.rglob(".ldrc-*") if p.name != ".ldrc-manifest"]


def test_crafted_journal_never_acts_outside_dir(tmp_path: Path, sentinel: Path) -> None:
    """A planted journal (with a valid checksum) is rolled forward only inside DIR, on regular files."""
    from compiler.output import _journal_text

    out = tmp_path / "out"
    assert compile_seed(out).returncode == 0
    (out / "evil").symlink_to(sentinel / "etc")
    tmp = ".ldrc-tmp-" + "a" * 24
    (out / "lvs-01" / tmp).symlink_to(sentinel / "lvs_dr.sh")
    ops = [("remove", "evil", "passwd"), ("rename", "lvs-01", tmp, "lvs_dr.sh"), ("rename", "evil", tmp, "passwd")]
    (out / ".ldrc-journal").write_bytes(_journal_text(ops))
    before = snapshot(sentinel)
    r = compile_seed(out)
    assert snapshot(sentinel) == before
    assert r.returncode == 0, r.stderr
    assert not (out / ".ldrc-journal").exists()
    assert (out / "lvs-01" / "lvs_dr.sh").is_file() and not (out / "lvs-01" / "lvs_dr.sh").is_symlink()
    # a journal naming paths outside DIR is not a journal: it is rolled back (deleted), nothing else
    bad = _journal_text([("remove", "..", "x")])
    (out / ".ldrc-journal").write_bytes(bad)
    assert compile_seed(out).returncode == 0
    assert snapshot(sentinel) == before and not (out / ".ldrc-journal").exists()


@pytest.mark.parametrize(("umask", "expected"), [(0o000, 0o755), (0o077, 0o700)])
def test_directories_never_writable_by_others(tmp_path: Path, umask: int, expected: int) -> None:
    """Under umask 000 DIR and the host directories were 0777: anyone could swap the root
    scripts that `ldrc deploy` installs. A stricter umask still applies."""
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "compiler", "compile", str(SEED), "-o", str(out)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        preexec_fn=lambda: os.umask(umask),
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    for d in (out, out / "_ansible", out / "lvs-01", out / "nginx02"):
        assert d.stat().st_mode & 0o777 == expected, d
    assert (out / "lvs-01" / "lvs_dr.sh").stat().st_mode & 0o777 == 0o755
    assert (out / "lvs-01" / "ldrc-seed-lab-eth2.nmconnection").stat().st_mode & 0o777 == 0o600
