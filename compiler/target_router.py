"""Target `router`: ldrc's own iptables chains (iptables.rules), lvs_router.sh, sysctl.d.

lvs_router.sh loads the chains with `iptables-restore --noflush` and inserts
one jump to each from its built-in chain: LDRC-<tag>-DNAT (nat, from
PREROUTING), LDRC-<tag>-SNAT (nat, from POSTROUTING), LDRC-<tag>-FWD (filter,
from FORWARD; `forward drop` only). The plan names them (planner.chain_tag).
"""

from __future__ import annotations

from collections.abc import Iterable

from .diagnostics import Diagnostic
from .plan import Plan
from .render import Artifact, Renderer
from .target_common import sysctl_rows, unit_file

NAME = "router"
SUMMARY = "lvs_router.sh, its chains as iptables-restore --noflush rules, sysctl.d snippet, systemd unit"
UNIT_COMMENTS = (
    "Before network-pre.target (as firewalls are): the DNAT/SNAT/FWD chains are in place before",
    "any interface is configured, so nothing is forwarded past them; after the devices they name.",
)
SYSCTL_COMMENTS = ("Router: forward between the client network and the LVS LAN (DNAT/SNAT).",)


def check(plan: Plan) -> list[Diagnostic]:
    return []  # every checked router can be generated


def render(r: Renderer, plan: Plan) -> Iterable[Artifact]:
    rt = plan.router
    if rt is None:
        return
    name = rt.host.name
    chains = {k: (c.name if c.wanted else "") for k, c in rt.chains.items()}
    jumps = [(c.table, c.builtin, c.name) for c in rt.chains.values() if c.wanted]
    owned = [(c.table, c.builtin, c.name, int(c.wanted)) for c in rt.chains.values()]
    scope = list(rt.scope)
    rules = r.render("router/iptables.rules.j2", r=rt, chains=chains, jumps=jumps, scope=scope)
    yield Artifact(f"{name}/iptables.rules", rules)
    sysctls = sysctl_rows(rt.sysctls)
    script = r.render(
        "shell/lvs_router.sh.j2",
        r=rt,
        rules=rules,
        owned=owned,
        jumps=jumps,
        scope=scope,
        devs=list(rt.devs),
        sysctls=sysctls,
    )
    yield Artifact(f"{name}/lvs_router.sh", script, 0o755, True)
    yield Artifact(
        f"{name}/90-ldrc-router.conf", r.render("net/sysctl.conf.j2", sysctls=sysctls, comments=SYSCTL_COMMENTS)
    )
    yield unit_file(r, rt.host, "router", "lvs_router.sh", "restart", rt.devs, early=True, comments=UNIT_COMMENTS)
