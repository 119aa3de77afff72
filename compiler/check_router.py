"""Check stage, the router's items: `publish` (DNAT), `snat` and `forward`."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from . import ir
from .check_common import Reporter
from .ir import Protocol
from .plan import Dnat, HostP, Iface, SnatP
from .symbols import RouterDecl, VipDecl


def router(
    r: Reporter,
    h: ir.Host,
    hp: HostP,
    networks: dict[str, IPv4Network],
    vips: list[VipDecl],
    declared_vips: set[IPv4Address],
) -> RouterDecl:
    own = {i.address.ip: i for i in hp.interfaces}
    served = {(v.address, v.protocol, port) for v in vips for port in v.ports}
    dnats: list[Dnat] = []
    snats: list[SnatP] = []
    forward_drop = False
    for item in h.items:
        if isinstance(item, ir.Publish):
            dnat = _publish(r, item, hp, own, served, declared_vips)
            if dnat is not None:
                dnats.append(dnat)
        elif isinstance(item, ir.Snat):
            snat = _snat(r, item, hp, own, networks)
            if snat is not None:
                snats.append(snat)
        elif isinstance(item, ir.ForwardPolicy):
            if item.policy.text not in ("accept", "drop"):
                r.err(
                    "E127",
                    f"unknown forward policy `{item.policy.text}`",
                    item.policy.span,
                    "not a policy",
                    help="use accept or drop",
                )
            forward_drop = item.policy.text == "drop"
    return RouterDecl(hp, tuple(dnats), tuple(snats), forward_drop)


def _publish(
    r: Reporter,
    item: ir.Publish,
    hp: HostP,
    own: dict[IPv4Address, Iface],
    served: set[tuple[IPv4Address, Protocol, int]],
    declared_vips: set[IPv4Address],
) -> Dnat | None:
    public = r.address(item.public)
    target = r.address(item.target)
    proto = r.enum(Protocol, item.protocol, "E121", "protocol", "tcp or udp") if item.protocol is not None else None
    ports = tuple(p for p in (r.port(n) for n in item.ports) if p is not None)
    if public is None or target is None:
        return None
    if public not in own:
        r.err(
            "E212",
            f"the router has no interface with address {public}",
            item.public.span,
            "not a router address",
            help="publish on one of the router's own addresses",
        )
        return None
    if not _publishes_a_service(r, item, target, proto, ports, served, declared_vips):
        return None
    out_iface = hp.iface_for(target)
    if out_iface is None:
        r.err(
            "E212",
            f"the router has no interface on the network of VIP {target}",
            item.target.span,
            "unreachable VIP",
        )
        return None
    return Dnat(public, proto, ports, target, own[public].name, out_iface.name, item.span)


def _publishes_a_service(
    r: Reporter,
    item: ir.Publish,
    target: IPv4Address,
    proto: Protocol | None,
    ports: tuple[int, ...],
    served: set[tuple[IPv4Address, Protocol, int]],
    declared_vips: set[IPv4Address],
) -> bool:
    vips = {vip for vip, _, _ in served}
    if target not in vips and target in declared_vips:
        return False  # its `vip` statement has an error of its own: no follow-on E213
    if target not in vips:
        r.err(
            "E213",
            f"{target} is not a VIP of this cluster",
            item.target.span,
            "no such VIP",
            help="publish to an address declared with `vip`",
        )
        return False
    missing = [p for p in ports if (target, proto, p) not in served] if proto is not None else []
    if missing and proto is not None:
        r.err(
            "E213",
            f"no {proto.value} service on {target} port {','.join(map(str, missing))}",
            item.span,
            "nothing behind this port",
            help="publish only ports that a `vip` declares",
        )
        return False
    return True


def _snat(
    r: Reporter, item: ir.Snat, hp: HostP, own: dict[IPv4Address, Iface], networks: dict[str, IPv4Network]
) -> SnatP | None:
    src: IPv4Network | None = None
    if "/" in item.source.text:
        c = r.cidr(item.source, network=True)
        src = c.network if c is not None else None
    elif item.source.text in networks:
        src = networks[item.source.text]
    else:
        r.err(
            "E218",
            f"unknown network `{item.source.text}`",
            item.source.span,
            "not declared",
            help=f"declare it: `network {item.source.text} ADDRESS/PREFIX`, or write the CIDR",
        )
    to = r.address(item.to)
    if src is None or to is None:
        return None
    if to not in own:
        r.err(
            "E212",
            f"the router has no interface with address {to}",
            item.to.span,
            "not a router address",
            help="SNAT to one of the router's own addresses",
        )
        return None
    inner = next((i.name for i in hp.interfaces if i.address.network.overlaps(src)), None)
    return SnatP(src, to, own[to].name, inner, item.span)
