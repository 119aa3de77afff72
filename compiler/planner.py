"""Plan stage: symbol table -> Plan. Every decision the targets lay out is made here.

Which host gets which VIP under which alias label, the services and their
destinations in the order `ipvsadm -Sn` lists them (libipvs), the sysctls and
their values, and the router's chains. Targets only format what is decided.
"""

from __future__ import annotations

import functools
import hashlib
from ipaddress import IPv4Address
from typing import TypeVar

from .ir import Protocol
from .plan import (
    Chain,
    Director,
    HostP,
    Keepalived,
    KeepalivedDirector,
    Plan,
    RealServerP,
    Router,
    Service,
    Sysctl,
    VipAddr,
)
from .symbols import HaDecl, RouterDecl, Symbols, VipDecl

T = TypeVar("T")

_PROTO_NUMBER = {Protocol.TCP: 6, Protocol.UDP: 17}


def build_plan(s: Symbols) -> Plan:
    director = _director(s.hosts[s.director], s.vips) if s.director is not None else None
    return Plan(
        cluster=s.cluster,
        source_name=s.source_name,
        hosts=tuple(s.hosts.values()),
        director=director,
        real_servers=_real_servers(s.hosts, s.vips),
        router=_router(s.router, s.cluster) if s.router is not None else None,
        keepalived=_keepalived(s.ha, s.vips, s.cluster) if s.ha is not None else None,
    )


# -- director --------------------------------------------------------------------


def _services(v: VipDecl) -> list[Service]:
    listed = tuple(_ipvs_order([(m.address, m) for m in v.members]))
    return [
        Service(
            v.address,
            v.protocol,
            port,
            v.scheduler,
            v.flags,
            v.persistent,
            v.netmask,
            v.one_packet,
            v.members,
            listed,
            v.method,
            v.span,
            v.method_span,
            v.member_spans,
            v.health,
        )
        for port in v.ports
    ]


def _director(host: HostP, vips: tuple[VipDecl, ...]) -> Director:
    # Alias labels `<dev>:N`, numbered in order of first appearance (what
    # the script adds, with ifconfig-style labels); the director's device is the first VIP's.
    addrs: dict[IPv4Address, VipAddr] = {}
    for v in vips:
        if v.address not in addrs and v.ports:
            # (the interface of this director on the VIP's network: a keepalived peer's may be named otherwise)
            lan = host.iface_for(v.address) or v.lan
            label = f"{lan.name}:{len(addrs) + 1}"
            addrs[v.address] = VipAddr(v.address, lan.name, label, str(v.address), v.address_span)
    first = next(iter(addrs.values()), None)
    dev = first.dev if first else host.interfaces[0].name if host.interfaces else "eth0"
    services = _sort_services([svc for v in vips for svc in _services(v)])
    persistence = any(svc.persistent is not None for svc in services)
    # clusters with persistent services: drained servers' templates expire (ipvs-sysctl.rst)
    sysctls = (Sysctl.of(("net", "ipv4", "vs", "expire_quiescent_template"), "1"),) if persistence else ()
    rs_hosts = {d.host: d.text for svc in services for d in svc.dests}
    return Director(host, dev, tuple(addrs.values()), services, persistence, sysctls, tuple(sorted(rs_hosts.items())))


def _c_int_diff(a: int, b: int) -> int:
    """`(int)(a - b)` on 32-bit unsigned values, as libipvs' comparators compute it."""
    d = (a - b) & 0xFFFFFFFF
    return d - 0x100000000 if d & 0x80000000 else d


def _ipvs_order(items: list[tuple[IPv4Address, T]]) -> list[T]:
    """Items keyed by address in libipvs' order (ipvs_cmp_dests: the C difference of the addresses)."""
    ints = [int(a) for a, _ in items]
    if not ints or max(ints) - min(ints) < 0x80000000:
        # within 2**31 of each other the C subtraction equals numeric order (sorted() is stable)
        return [x for _, x in sorted(items, key=lambda ax: int(ax[0]))]

    def cmp(a: tuple[IPv4Address, T], b: tuple[IPv4Address, T]) -> int:
        return _c_int_diff(int(a[0]), int(b[0]))

    return [x for _, x in sorted(items, key=functools.cmp_to_key(cmp))]


def _sort_services(services: list[Service]) -> tuple[Service, ...]:
    """Services in the order `ipvsadm -Sn` lists them (libipvs ipvs_cmp_services)."""
    ints = [int(s.vip) for s in services]
    if not ints or max(ints) - min(ints) < 0x80000000:
        return tuple(sorted(services, key=lambda s: (_PROTO_NUMBER[s.protocol], int(s.vip), s.port)))

    def cmp(a: Service, b: Service) -> int:
        return (
            _PROTO_NUMBER[a.protocol] - _PROTO_NUMBER[b.protocol]
            or _c_int_diff(int(a.vip), int(b.vip))
            or a.port - b.port
        )

    return tuple(sorted(services, key=functools.cmp_to_key(cmp)))


def _keepalived(ha: HaDecl, vips: tuple[VipDecl, ...], cluster: str) -> Keepalived:
    """One VRRP instance per cluster; every director gets the same services (the plan's
    Director of each, with its own LAN device) and unicasts to the others on that LAN."""
    directors = [_director(host, vips) for host, _ in ha.directors]
    lan_addrs = []
    for d in directors:
        iface = next((i for i in d.host.interfaces if i.name == d.dev), None)
        lan_addrs.append(iface.address.ip if iface is not None else None)
    out = []
    for (_, prio), d, src in zip(ha.directors, directors, lan_addrs, strict=True):
        assert src is not None  # checked: every director is on the VIPs' network (E226)
        peers = tuple(a for a in lan_addrs if a is not None and a != src)
        out.append(KeepalivedDirector(d, prio, src, peers))
    return Keepalived(
        tuple(out),
        ha.vrid,
        ha.vrid_fixed,
        ha.sync,
        f"ldrc_{cluster}",
        advert_cs=ha.advert_cs,
        preempt=ha.preempt,
        preempt_delay=ha.preempt_delay,
    )


# -- real servers ------------------------------------------------------------------


def rs_sysctls(dev: str) -> tuple[Sysctl, ...]:
    """arp_ignore=1 and arp_announce=2 on all and the LAN device: the kernel uses the
    larger of the two (Documentation/networking/ip-sysctl.rst)."""
    return tuple(
        Sysctl.of(("net", "ipv4", "conf", scope, key), value)
        for scope in ("all", dev)
        for key, value in (("arp_ignore", "1"), ("arp_announce", "2"))
    )


def _real_servers(hosts: dict[str, HostP], vips: tuple[VipDecl, ...]) -> tuple[RealServerP, ...]:
    # what each real server host serves: its VIPs on lo (lo:0, lo:1, ... in order of
    # first appearance), its service ports, and its device on the director's LAN
    served: dict[str, tuple[dict[str, VipAddr], dict[str, None], str]] = {}
    # one VipAddr per address and label, shared by the hosts that give it that label
    # (real servers that serve the same VIPs in the same order: 10 hosts x 10,000 VIPs)
    shared: dict[tuple[str, int], VipAddr] = {}
    for v in vips:
        text = str(v.address)
        sorry = (v.health.sorry,) if v.health is not None and v.health.sorry is not None else ()
        for m in (*v.members, *sorry) if v.ports else ():
            entry = served.get(m.host)
            if entry is None:
                iface = hosts[m.host].iface_for(m.address)
                assert iface is not None  # checked: the address is the host's
                entry = served[m.host] = ({}, {}, iface.name)
            addrs, ports, _ = entry
            for port in v.ports:
                ports[f"{v.protocol.value}/{port}"] = None
            if text not in addrs:
                key = (text, len(addrs))
                va = shared.get(key)
                if va is None:
                    va = shared[key] = VipAddr(v.address, "lo", f"lo:{len(addrs)}", text, v.address_span)
                addrs[text] = va
    return tuple(
        RealServerP(
            hp,
            served[hp.name][2],
            tuple(served[hp.name][0].values()),
            tuple(served[hp.name][1]),
            rs_sysctls(served[hp.name][2]),
        )
        for hp in hosts.values()
        if hp.name in served
    )


# -- router ------------------------------------------------------------------------


def chain_tag(cluster: str) -> str:
    """The cluster's part of its chain names: iptables chain names have at most 28
    characters, so a name longer than 18 becomes its first 9 characters, a dot and 8
    hex digits of its SHA-256 (cluster names have no dot: never equal to a whole name)."""
    return cluster if len(cluster) <= 18 else f"{cluster[:9]}.{hashlib.sha256(cluster.encode()).hexdigest()[:8]}"


def _router(rt: RouterDecl, cluster: str) -> Router:
    tag = chain_tag(cluster)
    chains = {
        "dnat": Chain("nat", "PREROUTING", f"LDRC-{tag}-DNAT", bool(rt.dnats)),
        "snat": Chain("nat", "POSTROUTING", f"LDRC-{tag}-SNAT", bool(rt.snats)),
        "fwd": Chain("filter", "FORWARD", f"LDRC-{tag}-FWD", rt.forward_drop),
    }
    # The cluster's own forwarded traffic (`forward drop` decides for it alone): in or out
    # of the router's LAN interfaces (those of the published VIPs and of the SNAT'd
    # networks), and to or from an SNAT'd network that is routed behind the LAN.
    lan_devs = sorted({n.out_dev for n in rt.dnats} | {s.in_dev for s in rt.snats if s.in_dev is not None})
    routed = sorted({s.source for s in rt.snats if s.in_dev is None})
    scope = [(f"-i {d}", f"-o {d}", f"interface {d}") for d in lan_devs]
    scope += [(f"-s {n}", f"-d {n}", f"network {n}, routed behind the LAN") for n in routed]
    devs = sorted(
        {n.in_dev for n in rt.dnats}
        | {n.out_dev for n in rt.dnats}
        | {s.out_dev for s in rt.snats}
        | {s.in_dev for s in rt.snats if s.in_dev is not None}
    )
    ip_forward = (Sysctl.of(("net", "ipv4", "ip_forward"), "1"),)
    return Router(rt.host, rt.dnats, rt.snats, rt.forward_drop, chains, tuple(scope), tuple(devs), ip_forward)
