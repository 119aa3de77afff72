"""Real components on the host kernel, inside throw-away network namespaces.

- the router's iptables-save file loads with a real `iptables-restore`;
- a real server script starts, is idempotent, reports status, and stop
  restores exactly what was there before.
The host's root namespace never gets an address; namespaces are deleted on exit.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, need_root, need_tool
from golden_util import compile_case

pytestmark = pytest.mark.netns

CASES = sorted(p for p in (ROOT / "tests" / "golden").iterdir() if (p / "input.ldr").is_file())


def sh(*args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(list(args), capture_output=True, text=True, env=env, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r


@pytest.fixture
def netns() -> Iterator[str]:
    need_root()
    need_tool("ip")
    name = f"ldrc-t-{uuid.uuid4().hex[:8]}"
    sh("ip", "netns", "add", name)
    try:
        sh("ip", "-n", name, "link", "set", "lo", "up")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def _router_files() -> list[tuple[str, str]]:
    out = []
    for case in CASES:
        for a in compile_case(case).artifacts:
            if a.path.endswith("/iptables.rules"):
                out.append((case.name, a.text))
    return out


@pytest.mark.parametrize("case,rules", _router_files(), ids=[c for c, _ in _router_files()])
def test_iptables_restore_loads_router_file(netns: str, case: str, rules: str) -> None:
    need_tool("iptables-restore")
    r = subprocess.run(
        ["ip", "netns", "exec", netns, "iptables-restore"], input=rules, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    saved = sh("ip", "netns", "exec", netns, "iptables-save").stdout
    for line in rules.splitlines():
        if line.startswith("-A "):
            assert line in saved, f"{line!r} not read back"


def test_iptables_restore_rejects_a_broken_rule(netns: str) -> None:
    """The check has teeth: a jump to a missing target fails a real restore (unlike --test)."""
    need_tool("iptables-restore")
    rules = next(t for c, t in _router_files() if c == "seed-lab").replace("-j SNAT", "-j SNATX")
    r = subprocess.run(
        ["ip", "netns", "exec", netns, "iptables-restore"], input=rules, capture_output=True, text=True, timeout=60
    )
    assert r.returncode != 0


def _snapshot(ns: str, dev: str) -> dict[str, str]:
    keys = [f"net.ipv4.conf.{s}.{k}" for s in ("all", dev, "lo") for k in ("arp_ignore", "arp_announce")]
    out = {k: sh("ip", "netns", "exec", ns, "sysctl", "-n", k).stdout.strip() for k in keys}
    out["addr"] = sh("ip", "-n", ns, "-o", "-4", "addr").stdout
    out["route"] = sh("ip", "-n", ns, "-4", "route").stdout
    return out


def test_real_server_script_start_stop(netns: str, tmp_path: Path) -> None:
    arts = {a.path: a.text for a in compile_case(ROOT / "tests" / "golden" / "seed-lab").artifacts}
    script = tmp_path / "lvs_rs.sh"
    script.write_text(arts["nginx02/lvs_rs.sh"])
    peer = f"{netns}p"
    sh("ip", "netns", "add", peer)
    try:
        sh("ip", "-n", netns, "link", "add", "eth2", "type", "veth", "peer", "name", "eth0", "netns", peer)
        sh("ip", "-n", netns, "link", "set", "eth2", "up")
        sh("ip", "-n", netns, "addr", "add", "192.168.50.22/24", "dev", "eth2")
        # a pre-existing default route and a non-default sysctl that stop must restore
        sh("ip", "-n", netns, "route", "add", "default", "via", "192.168.50.1", "dev", "eth2")
        sh("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv4.conf.eth2.arp_announce=1")
        env = dict(os.environ, LDRC_STATE_DIR=str(tmp_path / "state"))
        run = lambda cmd, check=True: sh("ip", "netns", "exec", netns, "bash", str(script), cmd, check=check, env=env)  # noqa: E731
        before = _snapshot(netns, "eth2")
        assert run("status", check=False).returncode == 3
        run("start")
        up = _snapshot(netns, "eth2")
        assert up["net.ipv4.conf.all.arp_ignore"] == "1" and up["net.ipv4.conf.eth2.arp_announce"] == "2"
        assert "192.168.50.100/32" in up["addr"] and "lo:0" in up["addr"]
        assert "default via 192.168.50.50 dev eth2" in up["route"]
        second = run("start")
        assert "added" not in second.stdout and "set " not in second.stdout, second.stdout
        assert _snapshot(netns, "eth2") == up, "start twice = start once"
        assert run("status").returncode == 0
        run("stop")
        assert _snapshot(netns, "eth2") == before
        assert run("status", check=False).returncode == 3
        run("stop")  # stop twice is harmless
        assert _snapshot(netns, "eth2") == before
    finally:
        subprocess.run(["ip", "netns", "del", peer], capture_output=True)


def test_real_server_script_refuses_missing_interface(netns: str, tmp_path: Path) -> None:
    arts = {a.path: a.text for a in compile_case(ROOT / "tests" / "golden" / "seed-lab").artifacts}
    script = tmp_path / "lvs_rs.sh"
    script.write_text(arts["nginx02/lvs_rs.sh"])
    env = dict(os.environ, LDRC_STATE_DIR=str(tmp_path / "state"))
    r = sh("ip", "netns", "exec", netns, "bash", str(script), "start", check=False, env=env)
    assert r.returncode == 1 and "interface eth2 does not exist" in r.stderr
    assert "192.168.50.100" not in sh("ip", "-n", netns, "-o", "-4", "addr").stdout
