"""The fake ipvsadm against the real one's transcript, and its test hooks.

tests/runtime/crosscheck.sh runs a fixed sequence of ipvsadm commands (every option the
scripts use, errors, `-R` batches that fail in the middle, every listing format);
tests/runtime/crosscheck.expected is what it prints with the real ipvsadm 1.31 on a kernel
with IPVS. tests/e2e/fakecheck checks, in the VM, that the real kernel still prints exactly
that file; here the fake must print it byte for byte, so the fake cannot drift from it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from runtime_util import BIN, HERE, _runtime_clock  # noqa: F401 (the tier's clock)

pytestmark = pytest.mark.runtime


def fake_env(tmp: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", IPVSADM_FAKE_STATE=str(tmp / "table"), **extra)


def test_the_fake_prints_the_real_transcript_byte_for_byte(tmp_path: Path) -> None:
    r = subprocess.run(
        ["bash", str(HERE / "crosscheck.sh")], capture_output=True, env=fake_env(tmp_path), timeout=120, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr.decode()
    expected = (HERE / "crosscheck.expected").read_bytes()
    if r.stdout != expected:
        (tmp_path / "fake.transcript").write_bytes(r.stdout)
        diff = subprocess.run(
            ["diff", "-u", str(HERE / "crosscheck.expected"), str(tmp_path / "fake.transcript")],
            capture_output=True,
            text=True,
        )
        pytest.fail(f"the fake ipvsadm differs from the real transcript:\n{diff.stdout[:6000]}")


def ipvsadm(tmp: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ipvsadm", *args], input=stdin, capture_output=True, text=True, env=fake_env(tmp, **env))


def test_hooks_log_the_accepted_changes_and_inject_a_kernel_failure(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    batch = "-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w 0\n"
    r = ipvsadm(tmp_path, "-R", stdin=batch, IPVSADM_FAKE_LOG=log, IPVSADM_FAKE_FAIL="10.0.0.2")
    assert (r.returncode, r.stderr) == (255, "Service already exists\nMemory allocation problem\n")
    assert Path(log).read_text() == "-A -t 10.0.0.1:80 -s rr\n"
    assert ipvsadm(tmp_path, "-Sn").stdout == "-A -t 10.0.0.1:80 -s rr\n"


def test_what_it_does_not_emulate_is_an_error_never_a_guess(tmp_path: Path) -> None:
    for args in (["-A", "-f", "1"], ["-L", "-c"], ["-A", "-t", "[::1]:80"], ["--start-daemon", "master"]):
        r = ipvsadm(tmp_path, *args)
        assert r.returncode == 2 and "is not emulated" in r.stderr, (args, r)
    r = subprocess.run(["ipvsadm", "-Sn"], capture_output=True, text=True, env={"PATH": f"{BIN}:/usr/bin:/bin"})
    assert r.returncode == 2 and "IPVSADM_FAKE_STATE" in r.stderr
