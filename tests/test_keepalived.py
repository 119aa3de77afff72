"""Every generated keepalived.conf passes the real `keepalived -t` (engine keepalived).

`keepalived -t` checks that the VRRP interface exists, so each director's configuration is
checked inside a throw-away network namespace that holds the director's interfaces (veth
pairs: this kernel may have no dummy module) with their addresses. keepalived never runs
for real here (only -t); no address is added outside the namespace, which is deleted after.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, need_root, need_tool
from golden_util import compile_case

from compiler.api import compile_source
from compiler.plan import HostP

pytestmark = pytest.mark.netns

EXAMPLES = sorted((ROOT / "examples").rglob("*.ldr"))
GOLDEN = sorted(p for p in (ROOT / "tests" / "golden").iterdir() if (p / "input.ldr").is_file())


def _configs() -> list[tuple[str, HostP, str]]:
    """(case/host, the director, its keepalived.conf) for every example and golden case."""
    out = []
    results = [(p.stem, compile_source(p.read_text(encoding="utf-8"), p.name)) for p in EXAMPLES]
    results += [(f"golden-{p.name}", compile_case(p)) for p in GOLDEN]
    for name, r in results:
        assert r.ok, (name, [str(d) for d in r.diagnostics])
        if r.plan is None or r.plan.keepalived is None:
            continue
        texts = {a.path: a.text for a in r.artifacts}
        for kd in r.plan.keepalived.directors:
            host = kd.director.host
            out.append((f"{name}/{host.name}", host, texts[f"{host.name}/keepalived.conf"]))
    return out


CONFIGS = _configs()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60)


def keepalived_t(host: HostP, conf: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`keepalived -t -f` on conf, in a namespace with host's interfaces and addresses."""
    need_root()
    need_tool("ip")
    keepalived = need_tool("keepalived")
    ns = f"ldrc-ka-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "keepalived.conf"
    path.write_text(conf, encoding="utf-8")
    assert _run("ip", "netns", "add", ns).returncode == 0
    try:
        _run("ip", "-n", ns, "link", "set", "lo", "up")
        for i, iface in enumerate(host.interfaces):
            # both ends inside the namespace: nothing appears in the host's own
            r = _run("ip", "-n", ns, "link", "add", iface.name, "type", "veth", "peer", "name", f"ldrcp{i}")
            assert r.returncode == 0, r.stderr
            r = _run("ip", "-n", ns, "address", "add", str(iface.address), "dev", iface.name)
            assert r.returncode == 0, r.stderr
            _run("ip", "-n", ns, "link", "set", iface.name, "up")
        return _run("ip", "netns", "exec", ns, keepalived, "-t", "-f", str(path))
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=60)


def test_there_are_configurations() -> None:
    names = {n for n, _, _ in CONFIGS}
    assert {"ha-pair/lvs-01", "ha-pair/lvs-02", "golden-ha-pair/lvs-01", "golden-ha-pair/lvs-02"} <= names


@pytest.mark.parametrize("name,host,conf", CONFIGS, ids=[n for n, _, _ in CONFIGS])
def test_keepalived_accepts(name: str, host: HostP, conf: str, tmp_path: Path) -> None:
    r = keepalived_t(host, conf, tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert not [line for line in out.splitlines() if line.strip()], f"keepalived -t said something:\n{out}"


def test_keepalived_rejects_a_broken_configuration(tmp_path: Path) -> None:
    """The check has teeth: an unknown scheduler and a missing interface fail `keepalived -t`."""
    _, host, conf = next(c for c in CONFIGS if c[0] == "ha-pair/lvs-01")
    broken = conf.replace("lvs_sched rr", "lvs_sched roundrobin")
    r = keepalived_t(host, broken, tmp_path)
    assert r.returncode != 0 and "roundrobin" in r.stdout + r.stderr
    missing = conf.replace("interface eth2", "interface eth9")
    r = keepalived_t(host, missing, tmp_path)
    assert r.returncode != 0 and "eth9" in r.stdout + r.stderr


def test_keepalived_needs_what_advert_and_preempt_generate(tmp_path: Path) -> None:
    """Negative controls for `advert` and `preempt`: keepalived -t itself reports what ldrc
    avoids. A fractional advert_int under VRRPv2 (without `vrrp_version 3`) is rounded;
    preempt_delay and nopreempt in state MASTER are cleared."""
    _, host, conf = next(c for c in CONFIGS if c[0] == "golden-ha-options/d1")
    assert "vrrp_version 3" in conf and "advert_int 0.5" in conf and "state BACKUP" in conf
    r = keepalived_t(host, conf.replace("    vrrp_version 3\n", ""), tmp_path)
    assert "must be an integer" in r.stdout + r.stderr, r.stdout + r.stderr
    r = keepalived_t(host, conf.replace("state BACKUP", "state MASTER"), tmp_path)
    assert "preempt delay will not work with initial state MASTER" in r.stdout + r.stderr, r.stdout + r.stderr
    _, host, conf = next(c for c in CONFIGS if c[0] == "golden-ha-nopreempt/lvs-a")
    assert "nopreempt" in conf and "state BACKUP" in conf
    r = keepalived_t(host, conf.replace("state BACKUP", "state MASTER"), tmp_path)
    assert "nopreempt will not work with initial state MASTER" in r.stdout + r.stderr, r.stdout + r.stderr
