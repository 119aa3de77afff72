"""kill -9 during a large recompile: DIR is entirely old or entirely new after the next run.

Real timing, no hooks: a child compiles a cluster of thousands of VIPs over the
tree of a smaller, different version, and is SIGKILLed at several moments
(while new files are staged, when the journal appears, while the renames run,
at random). After each kill, --check must never call an inconsistent tree up to
date, recovery must give exactly the old or exactly the new tree, and the next
compile must succeed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT


def cluster(n_hosts: int, shift: int) -> str:
    """n_hosts real servers (four files each: script, sysctl.d, ifcfg-lo, route) behind a few VIPs;
    `shift` moves the VIPs, so every real server's files change."""
    lines = ["cluster crash", "network lan 10.1.0.0/16"]
    lines += [
        "host gw router {",
        "  interface eth0 10.9.0.1/24",
        "  interface eth1 10.1.0.1/16",
        "  snat lan -> 10.9.0.1",
        "}",
    ]
    lines += ["host lb director {", "  interface eth1 10.1.0.2/16", "  gateway 10.1.0.1", "}"]
    addrs = [f"10.1.{(256 + i) // 256}.{(256 + i) % 256}" for i in range(n_hosts)]
    for i, a in enumerate(addrs):
        lines += [f"host rs{i} realserver {{", f"  interface eth1 {a}/16", "  gateway 10.1.0.1", "}"]
    for v in range(4):
        a = 11 + v + shift
        lines.append(f"vip 10.1.0.{a} tcp 80 rr -> rs {' '.join(addrs[v::4])} via dr")
    return "\n".join(lines) + "\n"


ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def ldrc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", *args], capture_output=True, text=True, env=ENV, timeout=120
    )


def state(d: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under d, ldrc's own included: content and permission bits."""
    return {
        str(p.relative_to(d)): (p.read_bytes(), p.lstat().st_mode & 0o7777)
        for p in sorted(d.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def leftovers(d: Path) -> list[str]:
    return [str(p.relative_to(d)) for p in d.rglob(".ldrc-*") if p.name != ".ldrc-manifest"]


def staged_or_journal(out: Path) -> bool:
    if (out / ".ldrc-journal").exists():
        return True
    for host in os.scandir(out):
        if host.is_dir(follow_symlinks=False):
            with os.scandir(host.path) as it:
                if any(e.name.startswith(".ldrc-tmp-") for e in it):
                    return True
    return False


def kill_when(cmd: list[str], ready: Callable[[], bool], delay: float, deadline: float = 60) -> bool:
    """Start cmd, wait until ready() (polling), sleep delay, SIGKILL. False if it finished first."""
    p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + deadline
    try:
        while not ready():
            if p.poll() is not None or time.monotonic() > end:
                return False
            time.sleep(0.001)
        time.sleep(delay)
        if p.poll() is not None:
            return False
        p.send_signal(signal.SIGKILL)
        return True
    finally:
        p.kill()
        p.wait()


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    d = tmp_path_factory.mktemp("crash")
    v1, v2 = d / "v1.ldr", d / "v2.ldr"
    # v2 moves every VIP (every real server's files change) and drops some hosts (files to remove)
    v1.write_text(cluster(700, 0))
    v2.write_text(cluster(550, 7))
    for v, ref in ((v1, d / "ref1"), (v2, d / "ref2")):
        r = ldrc("compile", str(v), "-o", str(ref))
        assert r.returncode == 0, r.stderr
    return v1, v2, d / "ref1", d / "ref2"


def test_sigkill_leaves_old_or_new(tmp_path: Path, versions: tuple[Path, Path, Path, Path]) -> None:
    v1, v2, ref1, ref2 = versions
    old, new = state(ref1), state(ref2)
    assert old != new and len(new) > 2000
    out = tmp_path / "out"
    journal = out / ".ldrc-journal"
    rng = random.Random(1234)
    moments: list[tuple[str, Callable[[], bool], float]] = [
        ("first staged file", lambda: staged_or_journal(out), 0.0),
        ("staging", lambda: staged_or_journal(out), 0.3),
        ("journal appears", journal.exists, 0.0),
        ("renames", journal.exists, 0.05),
        ("random", lambda: True, rng.uniform(0.2, 1.2)),
        ("random", lambda: True, rng.uniform(0.2, 1.2)),
    ]
    outcomes = []
    for i, (what, ready, delay) in enumerate(moments):
        shutil.rmtree(out, ignore_errors=True)
        # hard links: ldrc never writes a file in place (only renames over it), so ref1 stays intact
        shutil.copytree(ref1, out, copy_function=os.link)
        killed = kill_when([sys.executable, "-m", "compiler", "compile", str(v2), "-o", str(out)], ready, delay)
        interrupted = staged_or_journal(out)
        had_journal = journal.exists()
        # --check never calls the tree up to date unless it is exactly that version
        for v, ref in ((v1, old), (v2, new)):
            r = ldrc("compile", str(v), "-o", str(out), "--check")
            if interrupted:
                assert r.returncode == 1 and "out of date (an interrupted write)" in r.stderr, (what, r.stderr)
            if r.returncode == 0:
                assert state(out) == ref, (what, "--check said up to date")
        if i % 2 == 0:
            # recovery alone: exactly the old tree or exactly the new one
            from compiler.output import recover

            done = recover(out)
            after = state(out)
            assert after in (old, new), (what, done, sorted(set(after) ^ set(new))[:5])
            assert not leftovers(out), (what, leftovers(out))
            if had_journal:
                assert after == new and done == "rolled forward", what
            elif interrupted:
                assert after == old and done == "rolled back", what
        r = ldrc("compile", str(v2), "-o", str(out))
        assert r.returncode == 0, (what, r.stderr)
        assert state(out) == new and not leftovers(out), what
        assert ldrc("compile", str(v2), "-o", str(out), "--check").returncode == 0
        outcomes.append((what, killed, interrupted, had_journal))
    assert state(ref1) == old, "a file was written in place"
    # the moments were hit: some kills during staging (rolled back), some after the journal (rolled forward)
    assert any(k and i and not j for _, k, i, j in outcomes), outcomes
    assert any(k and j for _, k, _, j in outcomes), outcomes
