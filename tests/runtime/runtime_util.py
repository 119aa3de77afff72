"""The runtime tier's harness: ldrc's generated scripts, run for real in a throw-away namespace.

`Ns` is one bash in a new user + network + mount namespace (`unshare -rnm`: "root" there with
no privileges outside; `ip` changes only the namespace's own interfaces, and its
/proc/sys/net is its own). When the kernel refuses unprivileged user namespaces, the real
root uses `unshare -nm` instead. The fake ipvsadm (tests/runtime/bin) is first on PATH, its
table in a file of the test's tmp dir, every change it accepts logged (IPVSADM_FAKE_LOG).
"""

from __future__ import annotations

import os
import select
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import STAMP, need, need_tool

from compiler.api import compile_source

HERE = Path(__file__).resolve().parent
BIN = HERE / "bin"
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"
_UNSHARE: list[list[str]] = []


def unshare_cmd() -> list[str]:
    """`unshare -rnm`, or as root `unshare -nm`; a test without either fails under CI, else skips."""
    if not _UNSHARE:
        unshare = need_tool("unshare")
        need_tool("ip")
        for cmd in ([unshare, "-rnm"], [unshare, "-nm"] if os.geteuid() == 0 else None):
            if cmd and subprocess.run([*cmd, "true"], capture_output=True, timeout=30).returncode == 0:
                _UNSHARE.append(cmd)
                break
        need(bool(_UNSHARE), "user namespaces (`unshare -rn true`), or root for `unshare -n`")
    return _UNSHARE[0]


def compile_cluster(tmp: Path, text: str, name: str) -> Path:
    """Compile with ldrc's API into tmp/name/<host>/...; the scripts executable."""
    r = compile_source(text, f"{name}.ldr", stamp=STAMP)
    assert r.ok, [d.message for d in r.diagnostics]
    out = tmp / name
    for a in r.artifacts:
        path = out / a.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(a.text)
        if path.suffix == ".sh":
            path.chmod(0o755)
    return out


@dataclass(frozen=True)
class Run:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class Ns:
    """One bash in a fresh namespace, kept for a test: every `sh` runs in it, in a subshell."""

    def __init__(self, tmp: Path, *, ipvs_sysctls: bool = False) -> None:
        cmd = unshare_cmd()
        need_tool("flock")
        self.tmp = tmp
        self.io = tmp / "ns-io"
        self.io.mkdir(exist_ok=True)
        self.state = tmp / "ldrc-state"
        self.table = tmp / "ipvs-table.json"
        self.log = tmp / "ipvs-changes.log"
        env = {k: v for k, v in os.environ.items() if k not in ("BASH_ENV", "ENV", "CDPATH")}
        env.update(
            PATH=f"{BIN}:{env.get('PATH', '/usr/bin:/bin')}:{SBIN}",
            LDRC_STATE_DIR=str(self.state),
            IPVSADM_FAKE_STATE=str(self.table),
            IPVSADM_FAKE_LOG=str(self.log),
            LC_ALL="C",
        )
        with open(self.io / "shell.err", "w") as err:
            self.proc = subprocess.Popen(
                [*cmd, "bash", "--norc", "--noprofile"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
            )
        # its own sysfs (so /sys/class/net lists the namespace's interfaces), lo up
        self.sh("mount -t sysfs sysfs /sys && ip link set lo up")
        if ipvs_sysctls:
            # what loading ip_vs adds: /proc/sys/net/ipv4/vs/* (a tmpfs over net/ipv4, which the
            # director's scripts use only for this key)
            self.sh("mount -t tmpfs ipv4 /proc/sys/net/ipv4 && mkdir /proc/sys/net/ipv4/vs && "
                    "echo 0 >/proc/sys/net/ipv4/vs/expire_quiescent_template")  # fmt: skip

    def sh(self, script: str, *, check: bool = True, stdin: str = "", timeout: float = 60) -> Run:
        """Run a bash snippet in the namespace (a subshell): exit status, stdout, stderr."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        (self.io / "cmd").write_text(script + "\n")
        (self.io / "in").write_text(stdin)
        io = shlex.quote(str(self.io))
        self.proc.stdin.write(f'( . {io}/cmd ) <{io}/in >{io}/out 2>{io}/err; echo "__rc=$?"\n'.encode())
        self.proc.stdin.flush()
        line, deadline = b"", time.monotonic() + timeout
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self.proc.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                raise AssertionError(
                    f"namespace shell: no answer to {script!r} ({(self.io / 'shell.err').read_text()})"
                )
            line += chunk
        rc = int(line.decode().strip().removeprefix("__rc="))
        r = Run(rc, (self.io / "out").read_text(), (self.io / "err").read_text())
        if check and r.rc != 0:
            raise AssertionError(f"{script} -> {r.rc}\n{r.text}")
        return r

    def run(self, script: Path, *args: str, env: str = "") -> Run:
        """A generated script: `[env VAR=...] script args`, never checked."""
        words = " ".join(shlex.quote(a) for a in (str(script), *args))
        return self.sh(f"{env} {words}" if env else words, check=False)

    def ipvs(self) -> str:
        return self.sh("ipvsadm -Sn").out

    def changes(self) -> list[str]:
        """The table changes the fake accepted since the last call."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        self.log.unlink(missing_ok=True)
        return lines

    def addrs(self) -> str:
        return self.sh("ip -o -4 addr show | sed 's/ valid_lft.*//'").out

    def routes(self) -> str:
        return self.sh("ip -4 route show").out

    def sysctl(self, key: str) -> str:
        return self.sh(f"cat /proc/sys/{key}").out.strip()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def veth(ns: Ns, dev: str, address: str) -> None:
    """An interface with ADDRESS (a veth whose peer stays in the namespace), up."""
    ns.sh(
        f"ip link add {dev} type veth peer name {dev}p && ip link set {dev}p up && ip link set {dev} up && "
        f"ip addr add {address} dev {dev}"
    )


# ---- the tier's wall time, printed at the end of the run (never asserted) --------------------
class _Clock:
    def __init__(self) -> None:
        self.tests = 0
        self.seconds = 0.0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "runtime" in report.keywords:
            self.seconds += report.duration
            self.tests += report.when == "call"

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_line(f"runtime tier (tests/runtime): {self.tests} tests, {self.seconds:.1f} s")


@pytest.fixture(scope="session", autouse=True)
def _runtime_clock(request: pytest.FixtureRequest) -> None:
    if not request.config.pluginmanager.has_plugin("ldrc-runtime-clock"):
        request.config.pluginmanager.register(_Clock(), "ldrc-runtime-clock")
