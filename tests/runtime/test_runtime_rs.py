"""lvs_rs.sh, as ldrc generates it, run for real in a user+network namespace: start, status, stop.

The namespace's own /proc/sys/net is writable there, so the ARP sysctls are really set and
restored; the VIPs really go on lo; the reply route really replaces the default route.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runtime_util import Ns, _runtime_clock, compile_cluster, veth  # noqa: F401 (the tier's clock)

pytestmark = pytest.mark.runtime

CLUSTER = """cluster shop
network lan 10.50.0.0/24
host lb director { interface eth0 10.50.0.2/24 gateway 10.50.0.1 }
host web1 realserver { interface eth0 10.50.0.11/24 gateway 10.50.0.1 }
vip 10.50.0.100 tcp 80,443 wrr -> rs web1
vip 10.50.0.101 udp 53 rr -> rs web1
"""
KEYS = ("all/arp_ignore", "all/arp_announce", "eth0/arp_ignore", "eth0/arp_announce")


@pytest.fixture
def ns(tmp_path: Path) -> Iterator[Ns]:
    """The real server: eth0 10.50.0.11/24, its own default route, and sysctl values of its own."""
    n = Ns(tmp_path)
    try:
        veth(n, "eth0", "10.50.0.11/24")
        n.sh("ip route add default via 10.50.0.254 dev eth0 proto static metric 50")
        n.sh("echo 0 >/proc/sys/net/ipv4/conf/all/arp_ignore && echo 1 >/proc/sys/net/ipv4/conf/eth0/arp_announce")
        yield n
    finally:
        n.close()


def snapshot(ns: Ns) -> dict[str, str]:
    out = {k: ns.sysctl(f"net/ipv4/conf/{k}") for k in KEYS}
    out.update(addrs=ns.addrs(), routes=ns.routes())
    return out


def test_start_status_stop(ns: Ns, tmp_path: Path) -> None:
    rs = compile_cluster(tmp_path, CLUSTER, "shop") / "web1" / "lvs_rs.sh"
    before = snapshot(ns)
    r = ns.run(rs, "start")
    assert r.rc == 0, r.text
    up = snapshot(ns)
    assert [up[k] for k in KEYS] == ["1", "2", "1", "2"]
    assert (
        "inet 10.50.0.100/32 scope global lo:0" in up["addrs"]
        and "inet 10.50.0.101/32 scope global lo:1" in up["addrs"]
    )
    assert up["routes"].startswith("default via 10.50.0.1 dev eth0")
    assert ns.run(rs, "status").rc == 0
    r = ns.run(rs, "start")
    assert r.rc == 0 and snapshot(ns) == up, r.text
    assert "added" not in r.out and "set " not in r.out
    r = ns.run(rs, "stop")
    assert r.rc == 0, r.text
    assert snapshot(ns) == before  # sysctls, addresses and the original default route, exactly
    assert ns.run(rs, "stop").rc == 0 and snapshot(ns) == before
    assert ns.run(rs, "status").rc == 3


def test_status_sees_drift_and_start_repairs_it(ns: Ns, tmp_path: Path) -> None:
    rs = compile_cluster(tmp_path, CLUSTER, "shop") / "web1" / "lvs_rs.sh"
    assert ns.run(rs, "start").rc == 0
    up = snapshot(ns)
    ns.sh("echo 0 >/proc/sys/net/ipv4/conf/eth0/arp_ignore && ip addr del 10.50.0.101/32 dev lo")
    r = ns.run(rs, "status")
    assert r.rc == 3, r.text
    assert "DRIFT" in r.out and "10.50.0.101" in r.out and "eth0/arp_ignore" in r.out
    assert ns.run(rs, "restart").rc == 0
    assert snapshot(ns) == up and ns.run(rs, "status").rc == 0
