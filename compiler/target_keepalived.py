"""Target `keepalived`: per director of an `engine keepalived` cluster, keepalived.conf (VRRP
instance owning the VIPs, virtual_server blocks equivalent to the script engine's IPVS table,
health checks, sync daemon), lvs_dr.sh (routes, sysctls, installs and reloads keepalived),
ipvsadm.rules (the table keepalived builds when every real server is healthy) and route files.

The directors carry no ifcfg file for the VIPs: keepalived adds them on the VRRP master only.
"""

from __future__ import annotations

from collections.abc import Iterable

from .diagnostics import Diagnostic
from .plan import Plan
from .render import Artifact, Renderer
from .target_common import networkd_files, route_files, sysctl_rows, unit_file
from .target_director import SYSCTL_COMMENTS, ipvsadm_rules

NAME = "keepalived"
SUMMARY = "keepalived.conf, lvs_dr.sh (engine keepalived), ipvsadm.rules, route files, systemd unit, networkd files per director"

ADVERT_INT = 1  # seconds between VRRP advertisements: a backup takes over after about 3 s
GARP_DELAY = 1  # second round of gratuitous ARPs after a takeover
GARP_REPEAT = 3  # gratuitous ARPs per round
KA_UNIT_COMMENTS = (
    "After keepalived.service, never before it: lvs_dr.sh starts or reloads keepalived with",
    "systemctl, which would wait for this unit. The VIPs are keepalived's (no networkd Address=).",
)
CHECKERS = {"http": "HTTP_GET", "https": "SSL_GET", "tcp": "TCP_CHECK", "udp": "UDP_CHECK", "dns": "DNS_CHECK"}


def check(plan: Plan) -> list[Diagnostic]:
    return []  # what keepalived cannot express is checked before (check_ha.py)


def render(r: Renderer, plan: Plan) -> Iterable[Artifact]:
    k = plan.keepalived
    if k is None:
        return
    if k.vrid_fixed:
        note = "fixed by `vrid` in the cluster file"
    else:
        note = (
            f"derived from the cluster name `{plan.cluster}` (the first 4 bytes of its SHA-256, "
            "modulo 255, plus 1); another cluster on this LAN must not use it: set `vrid N` if it does"
        )
    for i, kd in enumerate(k.directors):
        d = kd.director
        name = d.host.name
        rules = ipvsadm_rules(d)
        conf = r.render(
            "keepalived/keepalived.conf.j2",
            d=d,
            k=k,
            kd=kd,
            services=d.services,
            state="MASTER" if i == 0 else "BACKUP",
            vrid_note=note,
            advert_int=ADVERT_INT,
            garp_delay=GARP_DELAY,
            garp_repeat=GARP_REPEAT,
            checker=CHECKERS,
        )
        conf = conf if conf.endswith("\n") else conf + "\n"
        yield Artifact(f"{name}/keepalived.conf", conf)
        sysctls = sysctl_rows(d.sysctls)
        script = r.render(
            "keepalived/lvs_dr.sh.j2",
            d=d,
            routes=list(d.host.all_routes),
            sysctls=sysctls,
            conf=conf,
            rules=rules,
        )
        yield Artifact(f"{name}/lvs_dr.sh", script, 0o755, True)
        if sysctls:
            yield Artifact(
                f"{name}/90-ldrc-lvs-dr.conf",
                r.render("net/sysctl.conf.j2", sysctls=sysctls, comments=SYSCTL_COMMENTS),
            )
        yield Artifact(f"{name}/ipvsadm.rules", rules)
        yield from route_files(r, d.host)
        routes = list(d.host.all_routes)
        yield unit_file(
            r,
            d.host,
            "director",
            "lvs_dr.sh",
            "reload",
            [d.dev] + [x.dev for x in routes],
            after=("keepalived.service",),
            comments=KA_UNIT_COMMENTS,
        )
        yield from networkd_files(r, d.host, [], routes)
