"""The real-server script against the world it meets, on the host kernel in throw-away namespaces.

- two clusters on one real server: stopping one never re-enables ARP answering while the
  other's VIP is on lo (seen with a real arping from a neighbour);
- a start or stop killed by SIGTERM at every command: the host never answers ARP for a VIP,
  and a later stop restores every original value;
- damaged, empty, foreign and crafted state files: refused with file and line, nothing changed;
- state is private under umask 000; default routes come back with all their attributes;
- a script replaced in place while it runs (as scp does) does not run the new bytes.
Every address lives in namespaces made here; they are deleted on exit, also on failure.
"""

from __future__ import annotations

import os
import stat
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import need_root, need_tool

from compiler.api import compile_source

pytestmark = pytest.mark.netns

NET = "10.77.0"
RIP = f"{NET}.11"
PROBE = f"{NET}.2"
ROUTER = f"{NET}.1"


def cluster(name: str, vip: str, rs_name: str = "web1", *, gateway: str = ROUTER, port: int = 80) -> str:
    return f"""cluster {name}
host lb director {{ interface eth0 {NET}.3/24 }}
host {rs_name} realserver {{ interface eth0 {RIP}/24 gateway {gateway} }}
vip {vip} tcp {port} rr -> rs {rs_name}
"""


def rs_script(tmp: Path, text: str, name: str) -> Path:
    r = compile_source(text, f"{name}.ldr")
    assert r.ok, [d.message for d in r.diagnostics]
    (a,) = [a for a in r.artifacts if a.path.endswith("/lvs_rs.sh")]
    path = tmp / f"{name}-lvs_rs.sh"
    path.write_text(a.text)
    path.chmod(0o755)
    return path


def sh(*args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(list(args), capture_output=True, text=True, env=env, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r


@dataclass
class Host:
    """A real server (namespace `ns`, eth0 = RIP) and a neighbour on its link (`probe`)."""

    ns: str
    probe: str
    state: Path

    def run(
        self, script: Path, cmd: str, *, hook: Path | None = None, umask: str = "022"
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, LDRC_STATE_DIR=str(self.state))
        env.pop("BASH_ENV", None)
        if hook is not None:
            env["BASH_ENV"] = str(hook)
        return sh(
            "ip",
            "netns",
            "exec",
            self.ns,
            "bash",
            "-c",
            f'umask {umask}; exec bash "$0" "$1"',
            str(script),
            cmd,
            check=False,
            env=env,
        )

    def snapshot(self) -> dict[str, str]:
        out = {
            k: sh("ip", "netns", "exec", self.ns, "cat", f"/proc/sys/net/ipv4/conf/{k}").stdout.strip()
            for k in ("all/arp_ignore", "all/arp_announce", "eth0/arp_ignore", "eth0/arp_announce")
        }
        out["addr"] = sh("ip", "-n", self.ns, "-o", "-4", "addr", "show").stdout
        out["route"] = sh("ip", "-n", self.ns, "-4", "route", "show").stdout
        return out

    def lo_vips(self) -> list[str]:
        text = sh("ip", "-n", self.ns, "-o", "-4", "addr", "show", "dev", "lo").stdout
        return [w.split("/")[0] for line in text.splitlines() for w in line.split()[3:4] if not w.startswith("127.")]

    def answers_arp(self, addr: str) -> bool:
        """A real ARP request from the neighbour: does anything answer for addr?"""
        sh("ip", "-n", self.probe, "neigh", "flush", "dev", "eth0", check=False)
        r = sh("ip", "netns", "exec", self.probe, "arping", "-c", "2", "-w", "2", "-I", "eth0", addr, check=False)
        return "reply from" in r.stdout.lower() or "bytes from" in r.stdout.lower()

    def arp_safe(self) -> bool:
        """The kernel uses max(all, eth0): with a VIP on lo it must be >= 1 (ignore) and >= 2 (announce)."""
        s = self.snapshot()
        ignore = max(int(s["all/arp_ignore"]), int(s["eth0/arp_ignore"]))
        announce = max(int(s["all/arp_announce"]), int(s["eth0/arp_announce"]))
        return not self.lo_vips() or (ignore >= 1 and announce >= 2)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    need_root()
    need_tool("ip")
    tag = uuid.uuid4().hex[:6]
    ns, probe = f"ldrc-rs-{tag}", f"ldrc-pr-{tag}"
    made = []
    try:
        for n in (ns, probe):
            sh("ip", "netns", "add", n)
            made.append(n)
            sh("ip", "-n", n, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", probe)
        for n, addr in ((ns, RIP), (probe, PROBE)):
            sh("ip", "-n", n, "link", "set", "eth0", "up")
            sh("ip", "-n", n, "addr", "add", f"{addr}/24", "dev", "eth0")
        # the host's own default route, with attributes, and a second (backup) default route
        sh(
            "ip",
            "-n",
            ns,
            "route",
            "add",
            "default",
            "via",
            f"{NET}.254",
            "dev",
            "eth0",
            "proto",
            "static",
            "src",
            RIP,
            "mtu",
            "1400",
        )
        sh("ip", "-n", ns, "route", "add", "default", "via", f"{NET}.253", "dev", "eth0", "metric", "200")
        yield Host(ns, probe, tmp_path / "state")
    finally:
        for n in made:
            subprocess.run(["ip", "netns", "del", n], capture_output=True)


def test_two_clusters_on_one_real_server(host: Host, tmp_path: Path) -> None:
    """Regression (issue 10.3): stopping cluster A restored arp_ignore=0 while B's VIP was on lo."""
    need_tool("arping")
    a = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    b = rs_script(tmp_path, cluster("blog", f"{NET}.81", rs_name="blog-web"), "blog")
    before = host.snapshot()
    assert host.run(a, "start").returncode == 0
    assert host.run(b, "start").returncode == 0
    assert sorted(host.lo_vips()) == [f"{NET}.80", f"{NET}.81"]
    assert not host.answers_arp(f"{NET}.81")
    # control: the probe does see ARP answers when the host answers for its own address
    assert host.answers_arp(RIP)
    r = host.run(a, "stop")
    assert r.returncode == 0, r.stderr
    assert host.lo_vips() == [f"{NET}.81"]
    assert host.arp_safe(), host.snapshot()
    assert not host.answers_arp(f"{NET}.81"), "the real server answers ARP for cluster blog's VIP after shop stopped"
    assert f"default via {ROUTER} dev eth0" in host.snapshot()["route"], "blog's reply route was removed"
    assert host.run(b, "status").returncode == 0
    assert host.run(b, "stop").returncode == 0
    assert host.snapshot() == before
    assert not list(host.state.rglob("*.state")), "state left behind after the last stop"


def _kill_hook(tmp: Path, at: int, counter: Path) -> Path:
    """BASH_ENV file: count the script's commands (functions too), SIGTERM the script before command `at`."""
    hook = tmp / f"hook-{at}.sh"
    hook.write_text(
        "set -T\n"
        "LDRC_N=0\n"
        f'trap \'LDRC_N=$((LDRC_N + 1)); echo "${{LDRC_N}}" >{counter}; '
        f"if ((LDRC_N == {at})); then kill -TERM $$; fi' DEBUG\n"
    )
    return hook


@pytest.mark.parametrize("command", ["start", "stop"])
def test_sigterm_at_every_point(host: Host, tmp_path: Path, command: str) -> None:
    """Regression (issue 10.4): a start killed between adding the VIP and recording it left the VIP
    and made stop restore arp_ignore=0. Kill start (or stop) before each of its commands in turn: at the
    kill the host must not answer ARP for a VIP, and a stop afterwards restores every original value."""
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    before = host.snapshot()
    counter = tmp_path / "count"
    # how many commands does a whole run take?
    if command == "stop":
        assert host.run(script, "start").returncode == 0
    assert host.run(script, command, hook=_kill_hook(tmp_path, 10**9, counter)).returncode == 0
    total = int(counter.read_text())
    if command == "stop":
        assert host.snapshot() == before
    assert total > 50, total
    points = 0
    for at in range(1, total + 1):
        if command == "stop":
            assert host.run(script, "start").returncode == 0
        r = host.run(script, command, hook=_kill_hook(tmp_path, at, counter))
        if r.returncode == 0:
            continue  # the count differs between runs (a subshell's commands): nothing was killed
        points += 1
        assert r.returncode in (143, -15), (at, r.returncode, r.stderr)
        assert host.arp_safe(), f"killed at command {at}: a VIP on lo with ARP answering on: {host.snapshot()}"
        r = host.run(script, "stop")
        assert r.returncode == 0, (at, r.stdout, r.stderr)
        assert host.snapshot() == before, f"killed at command {at}: stop did not restore the host"
        assert not list(host.state.rglob("*.state")), at
    print(f"{command}: killed at {points} of {total} points, every one recovered")
    assert points >= total * 0.9


DAMAGE = {
    "empty cluster state": ("shop/web1.state", ""),
    "garbage line": ("shop/web1.state", "# ldrc state: cluster shop host web1\naddr lo 10.77.0.80/32\nrm -rf /\n"),
    "another cluster's state": ("shop/web1.state", "# ldrc state: cluster blog host web1\naddr lo 10.77.0.80/32\n"),
    "no header": ("shop/web1.state", "addr lo 10.77.0.80/32\n"),
    "crafted sysctl path": ("host.state", "# ldrc host state\nuser shop\nsysctl ../../../../tmp/ldrc-pwned 1\n"),
    "crafted sysctl value": (
        "host.state",
        "# ldrc host state\nuser shop\nsysctl net/ipv4/conf/all/arp_ignore 1;reboot\n",
    ),
    "crafted route": ("host.state", "# ldrc host state\nuser shop\nprev 0.0.0.0/0 default via $(reboot)\n"),
    "empty host state": ("host.state", ""),
    "truncated host state": ("host.state", "# ldrc host state\nuser sh"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_state_is_refused(host: Host, tmp_path: Path, case: str) -> None:
    """Regression (issue 10.4): an empty or corrupt state made stop say "stopped", delete the state
    and leave VIP, sysctls and route; a crafted line made stop write an arbitrary file as root."""
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    assert host.run(script, "start").returncode == 0
    up = host.snapshot()
    rel, text = DAMAGE[case]
    damaged = host.state / rel
    damaged.write_text(text)
    pwned = Path("/tmp/ldrc-pwned")
    pwned.unlink(missing_ok=True)
    for cmd in ("stop", "start", "status"):
        r = host.run(script, cmd)
        assert r.returncode == 1, (cmd, r.returncode, r.stdout, r.stderr)
        assert str(damaged) in r.stderr and "line" in r.stderr and "nothing was changed" in r.stderr, r.stderr
        assert host.snapshot() == up, f"{cmd} changed the host despite the damaged state"
        assert damaged.read_text() == text, f"{cmd} rewrote or deleted the damaged file"
    assert not pwned.exists()


def test_state_is_private_under_umask_000(host: Host, tmp_path: Path) -> None:
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    assert host.run(script, "start", umask="000").returncode == 0
    files = [p for p in host.state.rglob("*")]
    assert files
    for p in [host.state, *files]:
        mode = stat.S_IMODE(p.lstat().st_mode)
        assert mode & 0o077 == 0, f"{p} is mode {mode:o}"
    assert host.run(script, "stop").returncode == 0


def test_default_routes_restored_exactly(host: Host, tmp_path: Path) -> None:
    """Regression (issue 10.4): the default route came back without proto/src/mtu, and with a second
    default route the original was not restored at all."""
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    before = host.snapshot()["route"]
    assert "mtu 1400" in before and "metric 200" in before
    assert host.run(script, "start").returncode == 0
    up = host.snapshot()["route"]
    assert f"default via {ROUTER} dev eth0" in up and f"via {NET}.254" not in up
    r = host.run(script, "stop")
    assert r.returncode == 0, r.stderr
    assert host.snapshot()["route"] == before


def test_restart_does_not_take_anything_down(host: Host, tmp_path: Path) -> None:
    """Regression (issue 10.4): restart ran `do_stop && do_start` (set -e off inside do_stop)."""
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    assert host.run(script, "start").returncode == 0
    up = host.snapshot()
    r = host.run(script, "restart")
    assert r.returncode == 0 and "removed" not in r.stdout and "restored" not in r.stdout, r.stdout
    assert host.snapshot() == up


def test_script_replaced_while_running(host: Host, tmp_path: Path) -> None:
    """Regression (issue 10.4): copying a new version over a running script (scp writes in place)
    made bash read the new bytes at its old offset. The running copy must not run them."""
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    original = script.read_text()
    assert 'main "$@"; exit "${RESULT}"\n' in original
    hook = tmp_path / "replace.sh"
    # on the first command of main, rewrite the file in place: same bytes plus a command after the end
    hook.write_text(
        "set -T\n"
        f"trap 'if [[ ${{FUNCNAME[0]:-}} == main && -z ${{LDRC_DONE:-}} ]]; then LDRC_DONE=1; "
        f"cat {script}.new >{script}; fi' DEBUG\n"
    )
    Path(f"{script}.new").write_text(original + "echo INJECTED-BY-REPLACEMENT\n")
    r = host.run(script, "start", hook=hook)
    assert r.returncode == 0, r.stderr
    assert script.read_text().endswith("INJECTED-BY-REPLACEMENT\n"), "the hook did not replace the file"
    assert "INJECTED-BY-REPLACEMENT" not in r.stdout + r.stderr
    script.write_text(original)
    assert host.run(script, "stop").returncode == 0


def test_two_clusters_sharing_a_vip(host: Host, tmp_path: Path) -> None:
    """Review finding: two clusters with the same VIP (other ports) on one real server: stopping
    one removed the VIP that the other still serves."""
    web = rs_script(tmp_path, cluster("web", f"{NET}.80"), "web")
    mail = rs_script(tmp_path, cluster("mail", f"{NET}.80", port=25), "mail")
    before = host.snapshot()
    assert host.run(web, "start").returncode == 0
    assert host.run(mail, "start").returncode == 0
    r = host.run(web, "stop")
    assert r.returncode == 0 and "kept 10.77.0.80/32 on lo" in r.stdout, r.stdout
    assert host.lo_vips() == [f"{NET}.80"]
    assert host.run(mail, "status").returncode == 0
    assert host.arp_safe()
    assert host.run(mail, "stop").returncode == 0
    assert host.snapshot() == before
    # the other order
    assert host.run(mail, "start").returncode == 0
    assert host.run(web, "start").returncode == 0
    assert host.run(mail, "stop").returncode == 0
    assert host.run(web, "status").returncode == 0
    assert host.run(web, "stop").returncode == 0
    assert host.snapshot() == before


def test_a_better_route_elsewhere_is_not_ok(host: Host, tmp_path: Path) -> None:
    """Review finding: with a lower-metric default route via another router, start and status said
    "ok" because some route via the router existed; replies left through the other gateway."""
    sh("ip", "-n", host.ns, "route", "flush", "default")
    sh("ip", "-n", host.ns, "route", "add", "default", "via", f"{NET}.9", "dev", "eth0")
    sh("ip", "-n", host.ns, "route", "add", "default", "via", ROUTER, "dev", "eth0", "metric", "100")
    before = host.snapshot()
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    r = host.run(script, "status")
    assert r.returncode == 3 and "not the one in effect" in r.stdout, r.stdout
    assert host.run(script, "start").returncode == 0
    got = sh("ip", "-n", host.ns, "route", "get", "192.0.2.7").stdout
    assert f"via {ROUTER} " in got, got
    assert host.run(script, "status").returncode == 0
    assert host.run(script, "stop").returncode == 0
    assert host.snapshot() == before


def test_stop_goes_on_when_a_route_cannot_be_restored(host: Host, tmp_path: Path) -> None:
    """Review finding: a saved route whose interface is down made stop fail with `ip`'s own exit
    status 2 on every retry, with the ARP sysctls never restored. Now stop does the rest, says what
    it could not do, exits 1, and a later stop restores the route."""
    sh("ip", "-n", host.ns, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", host.probe)
    sh("ip", "-n", host.probe, "link", "set", "eth1", "up")
    sh("ip", "-n", host.ns, "link", "set", "eth1", "up")
    sh("ip", "-n", host.ns, "addr", "add", "10.78.0.11/24", "dev", "eth1")
    sh("ip", "-n", host.ns, "route", "flush", "default")
    sh("ip", "-n", host.ns, "route", "add", "default", "via", "10.78.0.1", "dev", "eth1", "proto", "static")
    before = host.snapshot()
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    assert host.run(script, "start").returncode == 0
    sh("ip", "-n", host.ns, "link", "set", "eth1", "down")
    r = host.run(script, "stop")
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "could not restore route 'default via 10.78.0.1 dev eth1 proto static'" in r.stderr, r.stderr
    assert host.lo_vips() == [] and host.snapshot()["all/arp_ignore"] == before["all/arp_ignore"]
    sh("ip", "-n", host.ns, "link", "set", "eth1", "up")
    r = host.run(script, "stop")
    assert r.returncode == 0 and "restored route default via 10.78.0.1" in r.stdout, r.stdout + r.stderr
    assert host.snapshot() == before
    assert not (host.state / "host.state").exists()


def test_unexpected_failures_exit_1_with_the_command(host: Host, tmp_path: Path) -> None:
    """Review finding: an `ip` failure leaked its own exit status 2 (which reads as "usage")."""
    script = rs_script(tmp_path, cluster("shop", f"{NET}.80", gateway=f"{NET}.1"), "shop")
    sh("ip", "-n", host.ns, "link", "set", "eth0", "down")
    r = host.run(script, "start")
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "could not set route 0.0.0.0/0" in r.stderr, r.stderr
    sh("ip", "-n", host.ns, "link", "set", "eth0", "up")
    assert host.run(script, "stop").returncode == 0


def test_a_changed_gateway_releases_the_old_claim(host: Host, tmp_path: Path) -> None:
    """Review finding: after a gateway change the old route claim stayed in host.state, so another
    cluster wanting the new gateway was refused, after it had already changed the host."""
    v1 = rs_script(tmp_path, cluster("shop", f"{NET}.80"), "shop")
    v2 = rs_script(tmp_path, cluster("shop", f"{NET}.80", gateway=f"{NET}.9"), "shop2")
    other = rs_script(tmp_path, cluster("blog", f"{NET}.81", gateway=f"{NET}.9"), "blog")
    clash = rs_script(tmp_path, cluster("mail", f"{NET}.82", gateway=f"{NET}.7"), "mail")
    before = host.snapshot()
    assert host.run(v1, "start").returncode == 0
    assert host.run(v2, "start").returncode == 0
    assert f"route shop 0.0.0.0/0 {ROUTER} eth0" not in (host.state / "host.state").read_text()
    assert host.run(other, "start").returncode == 0
    up = host.snapshot()
    r = host.run(clash, "start")
    assert r.returncode == 1 and "cannot share this host (nothing was changed)" in r.stderr, r.stderr
    assert host.snapshot() == up and "mail" not in (host.state / "host.state").read_text()
    assert host.run(v2, "stop").returncode == 0
    assert host.run(other, "status").returncode == 0
    assert host.run(other, "stop").returncode == 0
    assert host.snapshot() == before
