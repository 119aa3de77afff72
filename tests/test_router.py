"""lvs_router.sh and iptables.rules on a router that is not ldrc's alone (issue 10).

Each test builds a throw-away network namespace with a realistic foreign ruleset
(INPUT policy DROP with an SSH allow-list, a Docker-style DOCKER chain with its
DNAT and jumps from PREROUTING and OUTPUT, a MASQUERADE, another DNAT, foreign
FORWARD rules with policy DROP, a mangle rule), then checks that ldrc's chains
come and go without changing one byte of it. No traffic is sent; the root
namespace's firewall is never touched (every command runs in the namespace).
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, STAMP, need_root, need_tool
from golden_util import compile_case

from compiler.api import compile_source

pytestmark = pytest.mark.netns

GOLDEN = ROOT / "tests" / "golden"
ROUTER_CASES = ["seed-lab", "multi-vip", "wrr-weights"]  # multi-vip has `forward drop`

FOREIGN = """\
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth9 -j MARK --set-xmark 0x1/0xffffffff
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A PREROUTING -d 192.0.2.80/32 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 10.66.0.5:22
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 8080 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:8080
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
:SSH-ALLOW - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j SSH-ALLOW
-A FORWARD -j DOCKER-USER
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -s 10.66.0.0/16 -i eth9 -j ACCEPT
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 8080 -j ACCEPT
-A DOCKER-USER -j RETURN
-A SSH-ALLOW -s 203.0.113.0/24 -j ACCEPT
-A SSH-ALLOW -s 198.51.100.10/32 -m comment --comment "bastion host" -j ACCEPT
COMMIT
"""


def sh(
    *args: str, check: bool = True, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(list(args), capture_output=True, text=True, env=env, input=input, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r


@dataclass
class Router:
    ns: str
    dir: Path
    env: dict[str, str]

    def x(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return sh("ip", "netns", "exec", self.ns, *args, check=check, env=self.env, input=input)

    def script(self, cmd: str, script: str = "lvs_router.sh") -> subprocess.CompletedProcess[str]:
        return self.x("bash", str(self.dir / script), cmd, check=False)

    def save(self) -> str:
        """The whole ruleset as iptables-save prints it, without its dated comments and counters."""
        out = self.x("iptables-save").stdout
        lines = [re.sub(r" \[\d+:\d+\]$", "", ln) for ln in out.splitlines() if not ln.startswith("#")]
        return "\n".join(lines) + "\n"

    def ip_forward(self) -> str:
        return self.x("sysctl", "-n", "net.ipv4.ip_forward").stdout.strip()


@pytest.fixture
def router(tmp_path: Path) -> Iterator[Router]:
    need_root()
    for tool in ("ip", "iptables", "iptables-save", "iptables-restore", "flock"):
        need_tool(tool)
    name = f"ldrc-rt-{uuid.uuid4().hex[:8]}"
    sh("ip", "netns", "add", name)
    try:
        sh("ip", "-n", name, "link", "set", "lo", "up")
        env = dict(os.environ, LDRC_STATE_DIR=str(tmp_path / "state"))
        yield Router(name, tmp_path, env)
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def install(rt: Router, artifacts: dict[str, str], host: str, devs: list[str], foreign: bool = True) -> None:
    """The router's files into rt.dir, its interfaces (veth pairs) and the foreign ruleset into rt.ns."""
    for f in ("lvs_router.sh", "iptables.rules"):
        (rt.dir / f).write_text(artifacts[f"{host}/{f}"])
    for d in devs:
        sh("ip", "-n", rt.ns, "link", "add", d, "type", "veth", "peer", "name", f"{d}p")
    if foreign:
        rt.x("iptables-restore", input=FOREIGN)


def arts_of(case: str) -> dict[str, str]:
    return {a.path: a.text for a in compile_case(GOLDEN / case).artifacts}


def router_of(arts: dict[str, str]) -> tuple[str, list[str]]:
    """(host, interfaces the script needs) of the one router among the artifacts."""
    path = next(p for p in arts if p.endswith("/lvs_router.sh"))
    text = arts[path]
    block = text[text.index("readonly DEVS=(") : text.index(")", text.index("readonly DEVS=("))]
    return path.split("/")[0], re.findall(r'"([^"]+)"', block)


def chains_of(arts: dict[str, str], host: str) -> list[str]:
    return sorted(set(re.findall(r"^:(LDRC-\S+) ", arts[f"{host}/iptables.rules"], re.M)))


def without(save: str, chains: list[str]) -> str:
    """The ruleset minus ldrc's chains, their rules and the jumps to them."""
    pat = re.compile(r"(^:|\s)(" + "|".join(map(re.escape, chains)) + r")(\s|$)")
    return "".join(ln + "\n" for ln in save.splitlines() if not pat.search(ln))


@pytest.mark.parametrize("case", ROUTER_CASES)
def test_start_stop_keep_the_foreign_ruleset(router: Router, case: str) -> None:
    rt = router
    arts = arts_of(case)
    host, devs = router_of(arts)
    install(rt, arts, host, devs)
    chains = chains_of(arts, host)
    before, fwd_before = rt.save(), rt.ip_forward()
    assert ":INPUT DROP" in before and "SSH-ALLOW" in before and "MASQUERADE" in before

    assert rt.script("plan").returncode == 2
    assert rt.script("status").returncode == 3
    first = rt.script("start")
    assert first.returncode == 0, first.stdout + first.stderr
    up = rt.save()
    assert rt.ip_forward() == "1"
    # every rule of iptables.rules is live, in ldrc's chains, and one jump to each chain
    rules = [ln for ln in arts[f"{host}/iptables.rules"].splitlines() if ln.startswith("-A ")]
    assert rules and all(ln in up.splitlines() for ln in rules)
    for table, builtin, chain in [
        ("nat", "PREROUTING", "DNAT"),
        ("nat", "POSTROUTING", "SNAT"),
        ("filter", "FORWARD", "FWD"),
    ]:
        name = next((c for c in chains if c.endswith(f"-{chain}")), None)
        if name is not None:
            jumps = [ln for ln in up.splitlines() if re.search(rf"\s-j {re.escape(name)}$", ln)]
            assert jumps == [f"-A {builtin} -j {name}"], jumps
            listed = rt.x("iptables", "-t", table, "-S", builtin).stdout.splitlines()
            # nat: first, so the published addresses are translated; filter: last, after the
            # rules already there (an admin's ban still decides first)
            assert listed[-1 if builtin == "FORWARD" else 1] == f"-A {builtin} -j {name}", listed
    # the foreign ruleset and every policy are untouched
    assert without(up, chains) == before

    second = rt.script("start")
    assert second.returncode == 0, second.stdout + second.stderr
    assert rt.save() == up, "start twice = start once"
    assert "ok: ldrc's chains and jumps are as configured" in second.stdout
    assert "inserted" not in second.stdout and "appended" not in second.stdout and "change:" not in second.stdout
    status = rt.script("status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert rt.script("plan").returncode == 0
    assert rt.script("restart").returncode == 0 and rt.save() == up, "restart converges without a change"

    stop = rt.script("stop")
    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert rt.save() == before, "stop restores the whole ruleset byte for byte"
    assert rt.ip_forward() == fwd_before
    assert rt.script("status").returncode == 3
    assert rt.script("stop").returncode == 0 and rt.save() == before, "stop twice is harmless"


def test_status_and_plan_see_drift_and_start_repairs_it(router: Router) -> None:
    rt = router
    arts = arts_of("multi-vip")
    host, devs = router_of(arts)
    install(rt, arts, host, devs)
    before = rt.save()
    assert rt.script("start").returncode == 0
    up = rt.save()

    # an ldrc rule deleted by hand
    rt.x("iptables", "-t", "nat", "-D", "LDRC-web-DNAT", "2")
    status = rt.script("status")
    assert status.returncode == 3
    assert "DRIFT: + nat: -A LDRC-web-DNAT -d 10.0.0.1/32 -i wan0 -p tcp -m tcp --dport 443" in status.stdout, (
        status.stdout
    )
    plan = rt.script("plan")
    assert plan.returncode == 2 and "+ nat: -A LDRC-web-DNAT" in plan.stdout
    assert rt.script("start").returncode == 0 and rt.save() == up

    # a rule added by hand inside an ldrc chain, a second jump, a missing jump
    rt.x("iptables", "-A", "LDRC-web-FWD", "-j", "ACCEPT")
    rt.x("iptables", "-t", "nat", "-A", "PREROUTING", "-j", "LDRC-web-DNAT")
    rt.x("iptables", "-t", "nat", "-D", "POSTROUTING", "-j", "LDRC-web-SNAT")
    status = rt.script("status")
    assert status.returncode == 3
    for line in (
        "DRIFT: - filter: -A LDRC-web-FWD -j ACCEPT",
        "DRIFT: - nat: -A PREROUTING -j LDRC-web-DNAT",
        "DRIFT: + nat: -A POSTROUTING -j LDRC-web-SNAT",
    ):
        assert line in status.stdout, status.stdout
    assert rt.script("start").returncode == 0
    assert rt.save() == up, "start brings back exactly one jump each and the configured rules"
    assert rt.script("status").returncode == 0

    # ip_forward turned off by hand
    rt.x("sysctl", "-qw", "net.ipv4.ip_forward=0")
    assert rt.script("status").returncode == 3
    plan = rt.script("plan")
    assert plan.returncode == 2 and "+ sysctl net/ipv4/ip_forward = 1 (now 0)" in plan.stdout
    assert rt.script("start").returncode == 0 and rt.ip_forward() == "1"

    assert rt.script("stop").returncode == 0
    assert rt.save() == before


def test_iptables_rules_load_with_noflush_keeps_the_foreign_ruleset(router: Router) -> None:
    rt = router
    arts = arts_of("multi-vip")
    host, devs = router_of(arts)
    install(rt, arts, host, devs)
    before = rt.save()
    rules = arts[f"{host}/iptables.rules"]
    rt.x("iptables-restore", "--noflush", input=rules)
    rt.x("iptables-restore", "--noflush", input=rules)  # twice: each chain is flushed, then refilled
    loaded = rt.save()
    assert without(loaded, chains_of(arts, host)) == before
    for line in rules.splitlines():
        if line.startswith("-A "):
            assert loaded.splitlines().count(line) == 1, line
    # the file adds no jump: the script does
    assert not re.search(r"^-A (PREROUTING|POSTROUTING|FORWARD) .*-j LDRC-", loaded, re.M)


def test_a_dropped_chain_is_removed_by_the_next_start(router: Router) -> None:
    """`forward drop` taken out of the configuration: start removes the FWD chain and its jump."""
    rt = router
    src = (GOLDEN / "multi-vip" / "input.ldr").read_text()
    v2 = compile_source(src.replace("forward drop", ""), "multi-vip.ldr", stamp=STAMP)
    assert v2.ok, v2.diagnostics
    arts = arts_of("multi-vip")
    host, devs = router_of(arts)
    install(rt, arts, host, devs)
    before = rt.save()
    assert rt.script("start").returncode == 0
    assert ":LDRC-web-FWD" in rt.save()
    (rt.dir / "v2.sh").write_text(next(a.text for a in v2.artifacts if a.path == f"{host}/lvs_router.sh"))
    assert rt.script("plan", "v2.sh").returncode == 2
    start = rt.script("start", "v2.sh")
    assert start.returncode == 0, start.stdout + start.stderr
    up = rt.save()
    assert "LDRC-web-FWD" not in up and ":LDRC-web-DNAT" in up
    assert "note: the FORWARD policy is DROP" in start.stdout
    assert rt.script("status", "v2.sh").returncode == 0
    assert rt.script("stop", "v2.sh").returncode == 0
    assert rt.save() == before


def test_long_cluster_names_get_short_distinct_chains(router: Router) -> None:
    rt = router
    src = (GOLDEN / "seed-lab" / "input.ldr").read_text()
    names = ["payments-europe-west-production-blue", "payments-europe-west-production-green"]
    got = []
    for n in names:
        res = compile_source(src.replace("cluster seed-lab", f"cluster {n}"), "x.ldr", stamp=STAMP)
        assert res.ok, res.diagnostics
        arts = {a.path: a.text for a in res.artifacts}
        chains = chains_of(arts, "router")
        assert chains and all(len(c) <= 28 and c.startswith("LDRC-payments") for c in chains), chains
        got.append(chains)
    assert got[0] != got[1] and not set(got[0]) & set(got[1])
    again = compile_source(src.replace("cluster seed-lab", f"cluster {names[0]}"), "x.ldr", stamp=STAMP)
    assert chains_of({a.path: a.text for a in again.artifacts}, "router") == got[0], "deterministic"
    # and a real iptables takes them
    host, devs = router_of(arts)
    install(rt, arts, host, devs)
    before = rt.save()
    start = rt.script("start")
    assert start.returncode == 0, start.stdout + start.stderr
    assert all(f":{c}" in rt.save() for c in got[1])
    assert rt.script("status").returncode == 0
    assert rt.script("stop").returncode == 0 and rt.save() == before


def test_start_refuses_a_missing_interface(router: Router) -> None:
    rt = router
    arts = arts_of("seed-lab")
    host, _ = router_of(arts)
    install(rt, arts, host, [])
    before = rt.save()
    r = rt.script("start")
    assert r.returncode == 1 and "interface eth1 does not exist" in r.stderr
    assert rt.save() == before and rt.ip_forward() == "0"
