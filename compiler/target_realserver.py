"""Target `realserver`: lvs_rs.sh, its sysctl.d snippet, ifcfg-lo (every VIP) and route files."""

from __future__ import annotations

from collections.abc import Iterable

from .diagnostics import Diagnostic
from .plan import Plan, RealServerP
from .render import Artifact, Renderer
from .target_common import networkd_files, nm_files, route_files, sysctl_rows, unit_file

NAME = "realserver"
SUMMARY = "lvs_rs.sh, sysctl.d snippet, ifcfg-lo (every VIP), route files, systemd unit, networkd files, NetworkManager keyfiles"

SYSCTL_COMMENTS = (
    "LVS direct routing, real server: never answer or announce ARP for the VIPs on lo.",
    "arp_ignore=1: answer ARP only for addresses on the interface that received the request.",
    "arp_announce=2: use the outgoing interface's best address as ARP source, never the VIP.",
    "The kernel uses max(all, <interface>) for both (Documentation/networking/ip-sysctl.rst);",
    "ARP never arrives on lo, so setting only lo does nothing: set all and the LAN interface.",
)


def check(plan: Plan) -> list[Diagnostic]:
    return []  # every checked real server can be generated


def _one(r: Renderer, rs: RealServerP) -> Iterable[Artifact]:
    name = rs.host.name
    sysctls = sysctl_rows(rs.sysctls)
    entries = "\n".join(f'  "lo {v.text}/32 {v.label}"' for v in rs.vips)
    yield Artifact(
        f"{name}/lvs_rs.sh",
        r.render("shell/lvs_rs.sh.j2", rs=rs, sysctls=sysctls, routes=list(rs.host.all_routes), vip_entries=entries),
        0o755,
        True,
    )
    yield Artifact(
        f"{name}/90-ldrc-lvs-rs.conf", r.render("net/sysctl.conf.j2", sysctls=sysctls, comments=SYSCTL_COMMENTS)
    )
    comment = f"lo of real server {name} (cluster {r.plan.cluster}): 127.0.0.1/8, then each VIP as a /32, never the RIP's prefix"
    addresses = [("127.0.0.1", 8)] + [(v.text, 32) for v in rs.vips]
    yield Artifact(f"{name}/ifcfg-lo", r.ifcfg("lo", "loopback", comment, addresses))
    yield from route_files(r, rs.host)
    routes = list(rs.host.all_routes)
    yield unit_file(r, rs.host, "real server", "lvs_rs.sh", "restart", [rs.dev] + [x.dev for x in routes])
    yield from networkd_files(r, rs.host, [("lo", v.text) for v in rs.vips], routes)
    yield from nm_files(r, rs.host, "lvs_rs.sh", [("lo", v.text) for v in rs.vips], routes)


def render(r: Renderer, plan: Plan) -> Iterable[Artifact]:
    for rs in plan.real_servers:
        yield from _one(r, rs)
