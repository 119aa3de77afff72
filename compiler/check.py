"""Check stage: IR -> symbol table, collecting every model diagnostic (E1xx values, E2xx, W3xx).

One module per statement kind: check_cluster (cluster, networks), check_hosts
(hosts, the director and router, real servers' routes), check_vips (vips,
options, real servers), check_router (publish, snat, forward). Every
expansion that can fail (`.22` -> an address, a host name -> its RIP, a
gateway -> its device) happens here, so it gets a code and a span. What a
target cannot express (E4xx) is the target's own check (targets.py).
"""

from __future__ import annotations

from pathlib import PurePath

from . import check_cluster, check_ha, check_hosts, check_router, check_vips, ir
from .check_common import Reporter, quiet_address
from .diagnostics import Diagnostic
from .ir import Role
from .plan import Plan
from .symbols import HaDecl, RouterDecl, Symbols, VipDecl


def check_module(module: ir.Module) -> tuple[Symbols | None, list[Diagnostic]]:
    """The symbol table (None when there are errors) and every diagnostic, unsorted."""
    r = Reporter(module.path)
    stmts = module.statements
    decl_vips = [s for s in stmts if isinstance(s, ir.Vip)]
    cluster = check_cluster.cluster_name(r, [s for s in stmts if isinstance(s, ir.ClusterName)])
    networks = check_cluster.networks(r, [s for s in stmts if isinstance(s, ir.Network)])
    hosts, owner = check_hosts.hosts(r, [s for s in stmts if isinstance(s, ir.Host)])
    keepalived = check_ha.engine(r, [s for s in stmts if isinstance(s, ir.Engine)])
    if keepalived:
        # several directors: the VIPs and real servers are checked against the first declared
        found = check_ha.directors(r, hosts, required=bool(decl_vips))
        director = found[0][0] if found else None
    else:
        check_ha.keepalived_only(r, stmts)
        director = check_hosts.single(r, hosts, Role.DIRECTOR, "E205", required=bool(decl_vips))
    router_ir = check_hosts.single(r, hosts, Role.ROUTER, "E221", required=False)
    vips: list[VipDecl] = []
    if director is not None:
        vips = check_vips.vips(r, decl_vips, hosts, hosts[director.name.text][1], owner, keepalived)
    ha: HaDecl | None = None
    if keepalived:
        ha = check_ha.ha(r, cluster, stmts, found, hosts, vips)
    router_host = hosts[router_ir.name.text][1] if router_ir is not None else None
    served = {m.host for v in vips if v.ports for m in v.members}
    served |= {v.health.sorry.host for v in vips if v.ports and v.health and v.health.sorry}
    check_hosts.real_server_routing(r, hosts, served, router_host)
    check_hosts.unused_manage(r, hosts, served)
    router: RouterDecl | None = None
    if router_ir is not None and router_host is not None:
        declared = {a for v in decl_vips if (a := quiet_address(v.address.text))}
        router = check_router.router(r, router_ir, router_host, networks, vips, declared)
    if any(d.is_error for d in r.diags):
        return None, r.diags
    return Symbols(
        cluster=cluster,
        source_name=PurePath(module.path).name,
        hosts={name: hp for name, (_, hp) in hosts.items()},
        director=director.name.text if director is not None and ha is None else None,
        vips=tuple(vips),
        router=router,
        ha=ha,
    ), r.diags


def check(module: ir.Module) -> tuple[Plan | None, list[Diagnostic]]:
    """check, plan and the targets' checks in one call (tests/e2e/topology.py uses it;
    compile_source is the real entry point)."""
    from .api import plan_module

    return plan_module(module)
