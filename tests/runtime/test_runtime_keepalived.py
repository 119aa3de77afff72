"""lvs_dr.sh of the keepalived engine, as ldrc generates it, run for real in a user+network
namespace with a fake keepalived (tests/runtime/bin-keepalived) and the fake ipvsadm.

The fake keepalived validates (`-t -f`: a line `# ldrc-fake: invalid` fails), runs as a sleep
loop with its pid in /run/keepalived.pid (a tmpfs over /run in the namespace: no systemd there,
so the script takes its pid-file path), loads the IPVS table the test gives it and logs every
call (start, reload on SIGHUP, stop on SIGTERM). Covered: start, a second start, reload to a
changed configuration, a configuration that `keepalived -t` rejects, plan 0/2, status 0 and
drift, stop (routes, sysctls and a foreign IPVS service as before start), the state files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from runtime_util import HERE, Ns, _runtime_clock, compile_cluster, veth  # noqa: F401 (the tier's clock)

pytestmark = pytest.mark.runtime

KABIN = HERE / "bin-keepalived"
HOSTS = """network lan 10.50.0.0/24
host lb1 director { interface eth0 10.50.0.2/24 gateway 10.50.0.1 route 192.0.2.0/24 via 10.50.0.1 }
host lb2 director { interface eth0 10.50.0.3/24 gateway 10.50.0.1 route 192.0.2.0/24 via 10.50.0.1 }
host web1 realserver { interface eth0 10.50.0.11/24 gateway 10.50.0.1 }
host web2 realserver { interface eth0 10.50.0.12/24 gateway 10.50.0.1 }
host web3 realserver { interface eth0 10.50.0.13/24 gateway 10.50.0.1 }
"""
V1 = f"""cluster shop
engine keepalived
priority lb1 150
priority lb2 100
{HOSTS}
vip 10.50.0.100 tcp 80 wrr -> rs web1 weight 3 web2
    check http /healthz on-failure inhibit
vip 10.50.0.100 tcp 443 lc persistent 600 -> rs web1 web2
    check tcp
"""
# web3 joins tcp/80, a new service
V2 = f"""cluster shop
engine keepalived
priority lb1 150
priority lb2 100
{HOSTS}
vip 10.50.0.100 tcp 80 wrr -> rs web1 weight 3 web2 web3
    check http /healthz on-failure inhibit
vip 10.50.0.100 tcp 443 lc persistent 600 -> rs web1 web2
    check tcp
vip 10.50.0.100 udp 53 rr -> rs web1 web2
    check dns
"""
FOREIGN = "-A -t 10.255.255.254:9 -s wlc\n"
QUIESCENT = "net/ipv4/vs/expire_quiescent_template"
CONF_FILE = "keepalived/keepalived.conf"


class Ka:
    """The director lb1 in its namespace, with the fake keepalived."""

    def __init__(self, ns: Ns, tmp: Path) -> None:
        self.ns, self.tmp = ns, tmp
        self.conf = tmp / CONF_FILE
        self.log = tmp / "keepalived.log"

    def calls(self) -> list[str]:
        """The fake keepalived's calls since the last call (the sha and pid words dropped)."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        self.log.unlink(missing_ok=True)
        return [" ".join(line.split()[:2]).replace(str(self.tmp) + "/", "") for line in lines]

    def pid(self) -> int | None:
        r = self.ns.sh("cat /run/keepalived.pid", check=False)
        return int(r.out) if r.rc == 0 and r.out.strip() else None

    def alive(self, pid: int) -> bool:
        return self.ns.sh(f"kill -0 {pid}", check=False).rc == 0

    def wait_gone(self, pid: int) -> None:
        deadline = time.monotonic() + 10
        while self.alive(pid):
            assert time.monotonic() < deadline, f"keepalived {pid} still runs"
            time.sleep(0.05)

    def wait_log(self, word: str) -> None:
        deadline = time.monotonic() + 10
        while not (self.log.exists() and any(line.startswith(word) for line in self.log.read_text().splitlines())):
            assert time.monotonic() < deadline, f"no `{word}` from the fake keepalived"
            time.sleep(0.05)


@pytest.fixture
def ka(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ka]:
    """lb1: eth0 10.50.0.2/24, a default route of its own, /proc/sys/net/ipv4/vs, a tmpfs on /run."""
    monkeypatch.setenv("PATH", f"{KABIN}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    monkeypatch.setenv("LDRC_KEEPALIVED_CONF", str(tmp_path / CONF_FILE))
    monkeypatch.setenv("KEEPALIVED_FAKE_LOG", str(tmp_path / "keepalived.log"))
    monkeypatch.setenv("KEEPALIVED_FAKE_RULES", str(tmp_path / "v1" / "lb1" / "ipvsadm.rules"))
    n = Ns(tmp_path, ipvs_sysctls=True)
    k = Ka(n, tmp_path)
    try:
        n.sh("mount -t tmpfs run /run")
        veth(n, "eth0", "10.50.0.2/24")
        n.sh("ip route add default via 10.50.0.254 dev eth0 proto static metric 50")
        yield k
    finally:
        pid = k.pid()
        if pid:
            n.sh(f"kill -TERM {pid}", check=False)
        n.close()


def dr(tmp: Path, text: str, name: str) -> Path:
    return compile_cluster(tmp, text, name) / "lb1" / "lvs_dr.sh"


def rules(script: Path) -> str:
    return (script.parent / "ipvsadm.rules").read_text()


def conf(script: Path) -> str:
    return (script.parent / "keepalived.conf").read_text()


def netstate(ka: Ka) -> tuple[str, str, str, str]:
    return ka.ns.addrs(), ka.ns.routes(), ka.ns.sysctl(QUIESCENT), ka.ns.ipvs()


def broken(tmp: Path, script: Path) -> Path:
    """SCRIPT with a keepalived.conf that `keepalived -t` rejects (the fake's marker line)."""
    bad = tmp / "bad_dr.sh"
    head = ": <<'KEEPALIVED_CONF'\n"
    text = script.read_text()
    assert text.count(head) == 1
    bad.write_text(text.replace(head, head + "# ldrc-fake: invalid\n"))
    bad.chmod(0o755)
    return bad


def test_start_sets_routes_and_sysctls_installs_the_configuration_and_starts_keepalived(ka: Ka, tmp_path: Path) -> None:
    v1, ns = dr(tmp_path, V1, "v1"), ka.ns
    r = ns.run(v1, "start")
    assert r.rc == 0, r.text
    assert ka.calls() == ["test keepalived/.keepalived.conf.ldrc-new", "start keepalived/keepalived.conf"]
    assert "installed" in r.out and "keepalived started" in r.out
    assert ka.conf.read_text() == conf(v1) and ka.conf.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in ka.conf.parent.iterdir()) == ["keepalived.conf"]  # no temporary file left
    pid = ka.pid()
    assert pid and ka.alive(pid)
    routes = ns.routes()
    assert "default via 10.50.0.1 dev eth0" in routes and "192.0.2.0/24 via 10.50.0.1 dev eth0" in routes
    assert "default via 10.50.0.254 dev eth0 proto static metric 50" in routes  # (kept, behind)
    assert ns.sysctl(QUIESCENT) == "1"
    assert ns.ipvs() == rules(v1)  # what the (fake) keepalived built
    assert "10.50.0.100" not in ns.addrs()  # the VIP is keepalived's (VRRP), never the script's
    r = ns.run(v1, "status")
    assert r.rc == 0 and "ok: keepalived is running" in r.out and "ok: IPVS services as configured" in r.out, r.text


def test_a_second_start_changes_nothing(ka: Ka, tmp_path: Path) -> None:
    v1, ns = dr(tmp_path, V1, "v1"), ka.ns
    assert ns.run(v1, "start").rc == 0
    ka.calls()
    ns.changes()
    host_state = (ns.state / "host.state").read_bytes()
    before = (netstate(ka), ka.pid(), ka.conf.stat().st_ino, ka.conf.stat().st_mtime_ns)
    for cmd in ("start", "restart", "reload"):
        r = ns.run(v1, cmd)
        assert r.rc == 0 and "ok: keepalived runs this configuration" in r.out, r.text
        assert "installed" not in r.out and "reloaded" not in r.out and "set " not in r.out
    assert ka.calls() == ["test keepalived/.keepalived.conf.ldrc-new"] * 3  # validated; never signalled
    assert (netstate(ka), ka.pid(), ka.conf.stat().st_ino, ka.conf.stat().st_mtime_ns) == before
    assert (ns.state / "host.state").read_bytes() == host_state
    assert ns.changes() == []  # the script changed no IPVS service


def test_reload_after_a_change_validates_renames_and_sends_sighup(ka: Ka, tmp_path: Path) -> None:
    v1, v2, ns = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2"), ka.ns
    assert ns.run(v1, "start").rc == 0
    ka.calls()
    pid, inode = ka.pid(), ka.conf.stat().st_ino
    r = ns.run(v2, "reload")
    assert r.rc == 0, r.text
    assert f"keepalived reloaded (SIGHUP to {pid})" in r.out
    ka.wait_log("reload")
    assert ka.calls() == ["test keepalived/.keepalived.conf.ldrc-new", "reload keepalived/keepalived.conf"]
    assert ka.conf.read_text() == conf(v2) and ka.conf.stat().st_ino != inode  # a new file, renamed over
    assert sorted(p.name for p in ka.conf.parent.iterdir()) == ["keepalived.conf"]
    assert ka.pid() == pid
    # and back: one more reload; then nothing
    assert ns.run(v1, "reload").rc == 0
    ka.wait_log("reload")
    assert ka.calls()[-1] == "reload keepalived/keepalived.conf" and ka.conf.read_text() == conf(v1)
    assert "ok: keepalived runs this configuration" in ns.run(v1, "reload").out


def test_a_configuration_keepalived_rejects_is_not_installed(ka: Ka, tmp_path: Path) -> None:
    v1, v2, ns = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2"), ka.ns
    bad = broken(tmp_path, v2)
    # a first start: nothing at all is changed
    before = netstate(ka)
    r = ns.run(bad, "start")
    assert r.rc == 1, r.text
    assert "Unknown keyword 'ldrc-fake-invalid'" in r.err and "keepalived -t rejects the configuration" in r.err
    assert netstate(ka) == before and not ka.conf.exists() and ka.pid() is None
    assert sorted(p.name for p in ka.conf.parent.iterdir()) == []
    # a reload: the running configuration stays, keepalived is not signalled
    assert ns.run(v1, "start").rc == 0
    ka.calls()
    up, pid = netstate(ka), ka.pid()
    r = ns.run(bad, "reload")
    assert r.rc == 1, r.text
    assert f"nothing was changed, {ka.conf} is kept" in r.err
    assert ka.conf.read_text() == conf(v1) and sorted(p.name for p in ka.conf.parent.iterdir()) == ["keepalived.conf"]
    assert ka.calls() == ["invalid keepalived/.keepalived.conf.ldrc-new"]
    assert netstate(ka) == up and ka.pid() == pid
    assert ns.run(v1, "status").rc == 0


def test_plan_exit_codes(ka: Ka, tmp_path: Path) -> None:
    v1, v2, ns = dr(tmp_path, V1, "v1"), dr(tmp_path, V2, "v2"), ka.ns
    before = netstate(ka)
    r = ns.run(v1, "plan")
    assert r.rc == 2, r.text
    assert r.out.splitlines() == [
        "+ route 0.0.0.0/0 via 10.50.0.1 dev eth0",
        "+ route 192.0.2.0/24 via 10.50.0.1 dev eth0",
        f"+ install {ka.conf} and reload keepalived",
    ]
    assert netstate(ka) == before and not ka.conf.exists() and ka.calls() == []  # plan changes nothing
    assert ns.run(v1, "start").rc == 0
    r = ns.run(v1, "plan")
    assert r.rc == 0 and "no changes" in r.out, r.text
    r = ns.run(v2, "plan")
    assert r.rc == 2 and r.out.splitlines() == [f"+ install {ka.conf} and reload keepalived"], r.text
    pid = ka.pid()
    assert pid
    ns.sh(f"kill -TERM {pid}")
    ka.wait_gone(pid)
    r = ns.run(v1, "plan")
    assert r.rc == 2 and r.out.splitlines() == ["+ start keepalived"], r.text
    assert ns.run(v1, "start").rc == 0 and ns.run(v1, "plan").rc == 0


def test_status_reports_what_keepalived_took_out_and_drift(ka: Ka, tmp_path: Path) -> None:
    v1, ns = dr(tmp_path, V1, "v1"), ka.ns
    ns.sh("ipvsadm -R", stdin=FOREIGN)
    assert ns.run(v1, "start").rc == 0
    r = ns.run(v1, "status")
    assert r.rc == 0 and "VRRP: BACKUP (holds no VIP)" in r.out, r.text
    assert "10.255.255.254" not in r.text  # a foreign service is none of its business
    ns.sh("ip addr add 10.50.0.100/32 dev eth0")  # keepalived became master
    r = ns.run(v1, "status")
    assert r.rc == 0 and "VRRP: MASTER (holds the VIPs on eth0)" in r.out, r.text
    # keepalived took web2 out of tcp/80 (failed check) and set web1 to weight 0 on tcp/443 (inhibit)
    ns.sh("ipvsadm -d -t 10.50.0.100:80 -r 10.50.0.12 && ipvsadm -e -t 10.50.0.100:443 -r 10.50.0.11 -w 0")
    r = ns.run(v1, "status")
    assert r.rc == 0, r.text  # keepalived's checks at work: reported, not drift
    assert "out of rotation (keepalived took it out): 10.50.0.12:80 in -t 10.50.0.100:80" in r.out
    assert "weight 0 (configured 1): 10.50.0.11:443 in -t 10.50.0.100:443" in r.out
    assert "ok: IPVS services" not in r.out
    # the sorry server (or a real server added by hand)
    ns.sh("ipvsadm -a -t 10.50.0.100:80 -r 10.50.0.13 -g -w 1")
    assert (
        "not configured (a sorry_server, or added by hand): 10.50.0.13:80 in -t 10.50.0.100:80"
        in ns.run(v1, "status").out
    )
    # drift: a service changed or missing, keepalived dead, the installed file edited
    ns.sh("ipvsadm -E -t 10.50.0.100:80 -s rr")
    r = ns.run(v1, "status")
    assert r.rc == 3, r.text
    assert (
        "DRIFT: IPVS service -t 10.50.0.100:80 is `-A -t 10.50.0.100:80 -s rr`, configured `-A -t 10.50.0.100:80 -s wrr`"
        in r.out
    )
    ns.sh("ipvsadm -E -t 10.50.0.100:80 -s wrr && ipvsadm -D -t 10.50.0.100:443")
    r = ns.run(v1, "status")
    assert r.rc == 3 and "DRIFT: IPVS service -t 10.50.0.100:443 is missing" in r.out, r.text
    pid = ka.pid()
    assert pid
    ns.sh(f"kill -TERM {pid}")
    ka.wait_gone(pid)
    ka.conf.write_text(conf(v1) + "# edited\n")
    r = ns.run(v1, "status")
    assert r.rc == 3, r.text
    assert "DRIFT: keepalived is not running" in r.out and f"DRIFT: {ka.conf} differs from the configuration" in r.out


def test_stop_stops_keepalived_and_restores_routes_and_sysctls(ka: Ka, tmp_path: Path) -> None:
    v1, ns = dr(tmp_path, V1, "v1"), ka.ns
    ns.sh("ipvsadm -R", stdin=FOREIGN)
    before = netstate(ka)
    assert ns.run(v1, "start").rc == 0
    pid = ka.pid()
    assert pid
    ka.calls()
    ns.changes()
    r = ns.run(v1, "stop")
    assert r.rc == 0, r.text
    assert not ka.alive(pid) and ka.pid() is None  # gone when stop returns
    assert ka.calls() == ["stop"]
    # only keepalived's own services went (the script itself changes no IPVS service)
    assert ns.changes() == ["-D -t 10.50.0.100:80", "-D -t 10.50.0.100:443"]
    assert netstate(ka) == before  # routes exactly as before, the sysctl restored, the foreign service kept
    assert ns.sysctl(QUIESCENT) == "0"
    assert sorted(p.name for p in ns.state.iterdir()) == ["lock", "shop"]  # host.state gone
    assert ka.conf.read_text() == conf(v1)  # the installed configuration stays
    r = ns.run(v1, "stop")
    assert r.rc == 0 and netstate(ka) == before, r.text
    r = ns.run(v1, "start")
    assert r.rc == 0 and "keepalived started" in r.out and ns.run(v1, "status").rc == 0, r.text


def test_state_is_private_and_validated(ka: Ka, tmp_path: Path) -> None:
    v1, ns = dr(tmp_path, V1, "v1"), ka.ns
    # what a run of the script engine left: its VIP on eth0, recorded; keepalived owns it now
    (ns.state / "shop").mkdir(parents=True)
    (ns.state / "shop" / "lb1.state").write_text("# ldrc state: cluster shop host lb1\naddr eth0 10.50.0.100/32\n")
    ns.sh("ip addr add 10.50.0.100/32 dev eth0 label eth0:1")
    r = ns.run(v1, "start")
    assert r.rc == 0 and "removed 10.50.0.100/32 from eth0" in r.out, r.text
    assert not (ns.state / "shop" / "lb1.state").exists() and "10.50.0.100" not in ns.addrs()
    host_state = ns.state / "host.state"
    assert host_state.stat().st_mode & 0o777 == 0o600
    assert (ns.state / "shop" / "lb1.work").stat().st_mode & 0o777 == 0o700
    for p in (ns.state / "shop" / "lb1.work").iterdir():
        assert p.stat().st_mode & 0o077 == 0, p
    text = host_state.read_text()
    assert "user shop\n" in text and f"sysctl {QUIESCENT} 0\n" in text
    assert "prev 0.0.0.0/0 default via 10.50.0.254 dev eth0 proto static metric 50\n" in text
    up = netstate(ka)
    ka.calls()
    lines = text.splitlines()
    for damaged in (
        text + "sysctl net/ipv4/ip_forward 1;reboot\n",
        text[:-1],  # cut short
        "",
        text.replace("# ldrc host state", "# something else"),
    ):
        host_state.write_text(damaged)
        for cmd in ("start", "plan", "status", "stop"):
            r = ns.run(v1, cmd)
            assert r.rc == 1 and str(host_state) in r.err and "is not valid" in r.err, (cmd, r.text)
        assert netstate(ka) == up and ka.calls() == [] and ka.pid()
    host_state.write_text("\n".join(lines) + "\n")
    assert ns.run(v1, "stop").rc == 0 and not host_state.exists()
