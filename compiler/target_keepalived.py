"""Target `keepalived`: per director of an `engine keepalived` cluster, keepalived.conf (VRRP
instance owning the VIPs, virtual_server blocks equivalent to the script engine's IPVS table,
health checks, sync daemon), lvs_dr.sh (routes, sysctls, installs and reloads keepalived),
ipvsadm.rules (the table keepalived builds when every real server is healthy) and route files.

The directors carry no ifcfg file for the VIPs: keepalived adds them on the VRRP master only.
"""

from __future__ import annotations

from collections.abc import Iterable

from .diagnostics import Diagnostic
from .plan import Keepalived, Plan, centiseconds_text
from .render import Artifact, Renderer
from .target_common import networkd_files, nm_files, route_files, sysctl_rows, unit_file
from .target_director import SYSCTL_COMMENTS, ipvsadm_rules

NAME = "keepalived"
SUMMARY = "keepalived.conf, lvs_dr.sh (engine keepalived), ipvsadm.rules, route files, systemd unit, networkd files, NetworkManager keyfiles per director"

GARP_DELAY = 1  # second round of gratuitous ARPs after a takeover
GARP_REPEAT = 3  # gratuitous ARPs per round
KA_UNIT_COMMENTS = (
    "After keepalived.service, never before it: lvs_dr.sh starts or reloads keepalived with",
    "systemctl, which would wait for this unit. The VIPs are keepalived's (no networkd Address=).",
)
CHECKERS = {"http": "HTTP_GET", "https": "SSL_GET", "tcp": "TCP_CHECK", "udp": "UDP_CHECK", "dns": "DNS_CHECK"}


def down_interval_us(k: Keepalived, priority: int) -> int:
    """keepalived's Master_Down_Interval of a backup, in microseconds, computed as keepalived
    2.2.7 does (vrrp.h, VRRP_MS_DOWN_TIMER): 3 x advert_int + skew, the skew (256 - priority)
    / 256 s in VRRPv2 (RFC 3768) and (256 - priority) / 256 x advert_int in VRRPv3 (RFC 5798)."""
    advert_us = k.advert_cs * 10_000
    if k.vrrp_version == 3:
        skew = (256 - priority) * advert_us // 256
    else:
        skew = (256 - priority) * 1_000_000 // 256
    return 3 * advert_us + skew


def advert_note(k: Keepalived, priority: int) -> list[str]:
    """The advert_int comment: the interval, and when this director, as a backup, declares
    the master dead."""
    a = centiseconds_text(k.advert_cs)
    cs = (down_interval_us(k, priority) + 5_000) // 10_000
    skew = f"(256 - {priority}) / 256" + ("" if k.vrrp_version == 2 else f" x {a}")
    return [
        f"an advertisement every {a} s (VRRPv{k.vrrp_version}); as a backup, this director declares the master",
        f"dead after 3 x {a} + {skew} = {cs // 100}.{cs % 100:02d} s without one",
    ]


def preempt_note(k: Keepalived) -> list[str]:
    """The comment on `state`: how preemption was chosen."""
    if k.preempt_delay is not None:
        return [
            f"preempt delay {k.preempt_delay}: every director starts as BACKUP (keepalived ignores preempt_delay",
            "in state MASTER); a director of higher priority that comes back leaves the VIPs on the",
            f"current master until {k.preempt_delay} s after it first hears it, then takes them back",
        ]
    if not k.preempt:
        return [
            "preempt off: every director starts as BACKUP (nopreempt needs it) and becomes master when",
            "it hears no master; a director of higher priority that comes back does not take the VIPs",
            "back: they move only when the master fails",
        ]
    return [
        "preempt on (the default): the director of the highest priority starts as MASTER, the others",
        "as BACKUP; one of higher priority that comes back takes the VIPs back",
    ]


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
            state="MASTER" if i == 0 and not k.all_backup else "BACKUP",
            vrid_note=note,
            advert_int=centiseconds_text(k.advert_cs),
            advert_note=advert_note(k, kd.priority),
            preempt_note=preempt_note(k),
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
        yield from nm_files(r, d.host, "lvs_dr.sh", [], routes)  # the VIPs are keepalived's
