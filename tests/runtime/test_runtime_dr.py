"""lvs_dr.sh, as ldrc generates it, run for real in a user+network namespace with the fake ipvsadm.

start, a second start, reload to a changed configuration (exactly the changed lines),
plan and status exit codes, drain/undrain across stop/start, rollback of a failing apply
(byte for byte), stop (a foreign service survives), two clusters on one director, and the
persistence sysctl. The fake's log (IPVSADM_FAKE_LOG) is what the "kernel" accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runtime_util import Ns, _runtime_clock, compile_cluster, veth  # noqa: F401 (the tier's clock)

pytestmark = pytest.mark.runtime

HOSTS = """network lan 10.50.0.0/24
host lb director { interface eth0 10.50.0.2/24 gateway 10.50.0.1 route 192.0.2.0/24 via 10.50.0.1 }
host web1 realserver { interface eth0 10.50.0.11/24 gateway 10.50.0.1 }
host web2 realserver { interface eth0 10.50.0.12/24 gateway 10.50.0.1 }
host web3 realserver { interface eth0 10.50.0.13/24 gateway 10.50.0.1 }
"""
V1 = f"""cluster shop
{HOSTS}
vip 10.50.0.100 tcp 80,443 wrr -> rs web1 weight 3 web2 via dr
vip 10.50.0.101 udp 53 rr -> rs web1 web2
"""
# tcp/443 gone, web1 weight 3 -> 2, web2 out and web3 in on tcp/80, udp/53 rr -> wrr, a new VIP
V2 = f"""cluster shop
{HOSTS}
vip 10.50.0.100 tcp 80 wrr -> rs web1 weight 2 web3 weight 4
vip 10.50.0.101 udp 53 wrr -> rs web1 web2
vip 10.50.0.102 tcp 8080 rr -> rs web2
"""
V1_TO_V2 = [
    "-D -t 10.50.0.100:443",
    "-A -t 10.50.0.102:8080 -s rr",
    "-E -u 10.50.0.101:53 -s wrr",
    "-d -t 10.50.0.100:80 -r 10.50.0.12:80",
    "-e -t 10.50.0.100:80 -r 10.50.0.11:80 -g -w 2",
    "-a -t 10.50.0.100:80 -r 10.50.0.13:80 -g -w 4",
    "-a -t 10.50.0.102:8080 -r 10.50.0.12:8080 -g -w 1",
]
BLOG = f"""cluster blog
{HOSTS}
vip 10.50.0.120 tcp 80 sh flags sh-port -> rs web3 weight 5 web2
"""
FOREIGN = "-A -t 10.255.255.254:9 -s wlc\n"


@pytest.fixture
def ns(tmp_path: Path) -> Iterator[Ns]:
    """The director: eth0 10.50.0.2/24, a default route of its own (replaced by start, restored by stop)."""
    n = Ns(tmp_path)
    try:
        veth(n, "eth0", "10.50.0.2/24")
        n.sh("ip route add default via 10.50.0.254 dev eth0 proto static metric 50")
        yield n
    finally:
        n.close()


def dr(tmp: Path, text: str, name: str) -> Path:
    return compile_cluster(tmp, text, name) / "lb" / "lvs_dr.sh"


def rules(script: Path) -> str:
    return (script.parent / "ipvsadm.rules").read_text()


def table(*parts: str) -> list[str]:
    """Save lines, whatever their order (`ipvsadm -Sn` sorts the services of several clusters together)."""
    return sorted("".join(parts).splitlines())


def netstate(ns: Ns) -> str:
    return ns.addrs() + ns.routes() + ns.ipvs()


def test_start_builds_the_table_the_vips_and_the_routes(ns: Ns, tmp_path: Path) -> None:
    v1 = dr(tmp_path, V1, "v1")
    r = ns.run(v1, "start")
    assert r.rc == 0, r.text
    assert ns.ipvs() == rules(v1)
    assert "IPVS: applied 9 change(s), read back and verified" in r.out
    assert sorted(ns.changes()) == sorted(line for line in rules(v1).splitlines())
    addrs = ns.addrs()
    assert "inet 10.50.0.100/32 scope global eth0:1" in addrs and "inet 10.50.0.101/32 scope global eth0:2" in addrs
    routes = ns.routes()
    assert "default via 10.50.0.1 dev eth0" in routes and "192.0.2.0/24 via 10.50.0.1 dev eth0" in routes
    assert routes.index("default via 10.50.0.1 dev eth0") < routes.index("default via 10.50.0.254")  # (metric 0 first)


def test_a_second_start_changes_nothing(ns: Ns, tmp_path: Path) -> None:
    v1 = dr(tmp_path, V1, "v1")
    assert ns.run(v1, "start").rc == 0
    ns.changes()
    before = (netstate(ns), ns.table.read_bytes())
    r = ns.run(v1, "start")
    assert r.rc == 0 and "ok: IPVS services already as configured" in r.out, r.text
    assert "ipvsadm -R:" not in r.text and "added" not in r.out
    assert ns.changes() == []
    assert (netstate(ns), ns.table.read_bytes()) == before


def test_reload_applies_exactly_the_changed_lines(ns: Ns, tmp_path: Path) -> None:
    v1, v2 = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2")
    ns.sh("ipvsadm -R", stdin=FOREIGN)
    assert ns.run(v1, "start").rc == 0
    ns.changes()
    r = ns.run(v2, "reload")
    assert r.rc == 0, r.text
    assert ns.changes() == V1_TO_V2
    assert table(ns.ipvs()) == table(FOREIGN, rules(v2))
    assert "inet 10.50.0.102/32 scope global eth0:3" in ns.addrs()
    assert ns.run(v2, "status").rc == 0


def test_reload_back_to_fewer_vips_leaves_the_cluster_usable(ns: Ns, tmp_path: Path) -> None:
    v1, v2 = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2")
    assert ns.run(v1, "start").rc == 0
    assert ns.run(v2, "reload").rc == 0
    r = ns.run(v1, "reload")
    assert r.rc == 0 and ns.ipvs() == rules(v1), r.text
    r = ns.run(v1, "status")
    assert r.rc == 0, r.text


def test_plan_exit_codes(ns: Ns, tmp_path: Path) -> None:
    v1 = dr(tmp_path, V1, "v1")
    r = ns.run(v1, "plan")
    assert r.rc == 2, r.text
    assert "+ address 10.50.0.100/32 on eth0" in r.out and "+ route 0.0.0.0/0 via 10.50.0.1 dev eth0" in r.out
    assert "+ ipvsadm -R: -A -t 10.50.0.100:80 -s wrr" in r.out
    assert ns.ipvs() == "" and ns.changes() == []  # plan changes nothing
    assert ns.run(v1, "start").rc == 0
    r = ns.run(v1, "plan")
    assert r.rc == 0 and "no changes" in r.out, r.text
    ns.sh("ipvsadm -e -t 10.50.0.100:443 -r 10.50.0.12 -w 7")
    r = ns.run(v1, "plan")
    assert r.rc == 2 and r.out.splitlines() == ["+ ipvsadm -R: -e -t 10.50.0.100:443 -r 10.50.0.12:443 -g -w 1"]
    (ns.state / "shop" / "lb.drains").write_text("drain 10.50.0.11;reboot\n")
    r = ns.run(v1, "plan")
    assert r.rc == 1 and "damaged" in r.err, r.text


def test_status_reports_drift_and_reload_repairs_it(ns: Ns, tmp_path: Path) -> None:
    v1 = dr(tmp_path, V1, "v1")
    assert ns.run(v1, "start").rc == 0
    assert ns.run(v1, "status").rc == 0
    ns.sh("ipvsadm -e -t 10.50.0.100:80 -r 10.50.0.11 -w 9 && ip addr del 10.50.0.101/32 dev eth0")
    r = ns.run(v1, "status")
    assert r.rc == 3, r.text
    assert "DRIFT: 10.50.0.101/32 is not on eth0" in r.out
    assert "  -e -t 10.50.0.100:80 -r 10.50.0.11:80 -g -w 3" in r.out
    ns.changes()
    r = ns.run(v1, "reload", env="LDRC_IPVS_VERIFY=list")
    assert r.rc == 0, r.text
    assert ns.changes() == ["-e -t 10.50.0.100:80 -r 10.50.0.11:80 -g -w 3"]
    # read back with `ipvsadm -L -n -t` inside the same -R batch
    after = (ns.state / "shop" / "lb.work" / "after").read_text()
    assert after.startswith("Prot LocalAddress:Port Scheduler Flags\n") and "TCP  10.50.0.100:80 wrr\n" in after
    assert ns.run(v1, "status").rc == 0 and ns.ipvs() == rules(v1)


def test_drain_and_undrain_last_across_stop_and_start(ns: Ns, tmp_path: Path) -> None:
    v1 = dr(tmp_path, V1, "v1")
    assert ns.run(v1, "start").rc == 0
    drained = rules(v1).replace("10.50.0.11:80 -g -w 3", "10.50.0.11:80 -g -w 0")
    drained = drained.replace("10.50.0.11:443 -g -w 3", "10.50.0.11:443 -g -w 0")
    drained = drained.replace("10.50.0.11:53 -g -w 1", "10.50.0.11:53 -g -w 0")
    ns.changes()
    r = ns.run(v1, "drain", "web1")
    assert r.rc == 0, r.text
    assert ns.ipvs() == drained
    assert sorted(ns.changes()) == sorted("-e" + line[2:] for line in drained.splitlines() if "10.50.0.11:" in line)
    r = ns.run(v1, "status")
    assert r.rc == 0 and "drained: 10.50.0.11" in r.out, r.text
    assert ns.run(v1, "stop").rc == 0 and ns.ipvs() == ""
    assert ns.run(v1, "start").rc == 0 and ns.ipvs() == drained
    r = ns.run(v1, "restart")
    assert r.rc == 0 and ns.ipvs() == drained and "ipvsadm -R: -D" not in r.out
    assert ns.run(v1, "undrain", "10.50.0.11").rc == 0
    assert ns.ipvs() == rules(v1)
    r = ns.run(v1, "drain", "web9")
    assert r.rc == 1 and "web9 is not a real server of cluster shop" in r.err


@pytest.mark.parametrize("verify", ["auto", "list", "full"])
def test_a_failing_apply_is_rolled_back_byte_for_byte(ns: Ns, tmp_path: Path, verify: str) -> None:
    """V2 with a service of an unknown scheduler: the kernel refuses that line, `ipvsadm -R` applies
    the others around it; all of it must be undone."""
    v1, v2 = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2")
    ns.sh("ipvsadm -R", stdin=FOREIGN)
    assert ns.run(v1, "drain", "web2").rc == 0  # (a drain: the restore must keep weight 0)
    assert ns.run(v1, "start").rc == 0
    bad = tmp_path / "bad_dr.sh"
    text = v2.read_text()
    line = "-A -t 10.50.0.100:80 -s wrr\n"
    assert text.count(line) == 1
    bad.write_text(text.replace(line, line + "-A -t 10.50.0.100:9999 -s nosuchsched\n"))
    bad.chmod(0o755)
    snapshot, addrs = ns.ipvs(), ns.addrs()
    ns.changes()
    r = ns.run(bad, "reload", env=f"LDRC_IPVS_VERIFY={verify}")
    assert r.rc == 1, r.text
    assert "ipvsadm -R: Scheduler or persistence engine not found" in r.err
    assert "IPVS changes failed and were rolled back" in r.err
    assert ns.ipvs() == snapshot  # byte for byte, as ipvsadm -Sn prints it
    assert ns.addrs() == addrs  # the new VIP is not added
    applied = ns.changes()
    assert applied[: len(V1_TO_V2)] == [line.replace("12:8080 -g -w 1", "12:8080 -g -w 0") for line in V1_TO_V2]
    assert len(applied) > len(V1_TO_V2)  # and the undo


def test_a_kernel_failure_in_the_middle_of_the_batch_is_rolled_back(ns: Ns, tmp_path: Path) -> None:
    v1, v2 = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2")
    assert ns.run(v1, "start").rc == 0
    snapshot = ns.ipvs()
    r = ns.run(v2, "reload", env="IPVSADM_FAKE_FAIL='-a -t 10.50.0.100:80 -r 10.50.0.13:80'")
    assert r.rc == 1 and "ipvsadm -R: Memory allocation problem" in r.err, r.text
    assert ns.ipvs() == snapshot


def test_after_a_rolled_back_reload_the_old_configuration_still_runs(ns: Ns, tmp_path: Path) -> None:
    v1, v2 = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2")
    assert ns.run(v1, "start").rc == 0
    assert ns.run(v2, "reload", env="IPVSADM_FAKE_FAIL=10.50.0.13").rc == 1
    r = ns.run(v1, "status")
    assert r.rc == 0, r.text


def test_stop_removes_only_this_clusters_services(ns: Ns, tmp_path: Path) -> None:
    v1 = dr(tmp_path, V1, "v1")
    ns.sh("ipvsadm -R", stdin=FOREIGN + "-A -u 10.50.0.100:5353 -s rr\n")  # foreign, even on our VIP
    before = netstate(ns)
    assert ns.run(v1, "start").rc == 0
    r = ns.run(v1, "stop")
    assert r.rc == 0, r.text
    assert sorted(ns.changes()[-3:]) == ["-D -t 10.50.0.100:443", "-D -t 10.50.0.100:80", "-D -u 10.50.0.101:53"]
    assert netstate(ns) == before  # foreign services, addresses, the original default route
    assert not (ns.state / "shop" / "lb.services").exists() and not (ns.state / "shop" / "lb.state").exists()
    assert ns.run(v1, "stop").rc == 0 and netstate(ns) == before


def test_two_clusters_on_one_director(ns: Ns, tmp_path: Path) -> None:
    a, b = dr(tmp_path, V1, "a"), dr(tmp_path, BLOG, "b")
    ns.sh("ipvsadm -R", stdin=FOREIGN)
    before = netstate(ns)
    assert ns.run(a, "start").rc == 0 and ns.run(b, "start").rc == 0
    assert ns.run(a, "status").rc == 0 and ns.run(b, "status").rc == 0
    assert table(ns.ipvs()) == table(FOREIGN, rules(a), rules(b))
    up = netstate(ns)
    ns.changes()
    assert ns.run(a, "reload").rc == 0 and netstate(ns) == up and ns.changes() == []
    r = ns.run(a, "stop")
    assert r.rc == 0 and "kept route" in r.out, r.text
    assert table(ns.ipvs()) == table(FOREIGN, rules(b))
    r = ns.run(b, "status")
    assert r.rc == 0, r.text
    addrs = ns.addrs()
    assert "10.50.0.120/32" in addrs and "10.50.0.100/32" not in addrs
    assert ns.run(b, "stop").rc == 0
    assert netstate(ns) == before


def test_persistence_sets_the_quiescent_template_sysctl_and_stop_restores_it(tmp_path: Path) -> None:
    n = Ns(tmp_path, ipvs_sysctls=True)
    try:
        veth(n, "eth0", "10.50.0.2/24")
        sticky = dr(
            tmp_path, f"cluster sticky\n{HOSTS}\nvip 10.50.0.130 tcp 443 lc persistent 600 -> rs web1 web2\n", "p"
        )
        key = "net/ipv4/vs/expire_quiescent_template"
        r = n.run(sticky, "start")
        assert r.rc == 0 and f"set {key} = 1 (was 0)" in r.out, r.text
        assert n.sysctl(key) == "1" and "-A -t 10.50.0.130:443 -s lc -p 600\n" in n.ipvs()
        assert n.ipvs() == rules(sticky)
        assert n.run(sticky, "stop").rc == 0
        assert n.sysctl(key) == "0" and n.ipvs() == ""
    finally:
        n.close()
