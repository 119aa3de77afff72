"""Check stage, `host` statements: names, roles, interfaces, gateways and routes,
the one director and the one router, and the real servers' own routing (W301, W303)."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network

from . import ir
from .check_common import HOST_NAME_RE, IFACE_NAME_RE, Reporter, keyword
from .ir import Role
from .plan import HostP, Iface, RouteP

Hosts = dict[str, tuple[ir.Host, HostP]]  # the valid hosts, in declaration order


def hosts(r: Reporter, decls: list[ir.Host]) -> tuple[Hosts, dict[IPv4Address, str]]:
    """The valid hosts, and the owner host of every interface address."""
    out: Hosts = {}
    owner: dict[IPv4Address, str] = {}
    managed: dict[str, str] = {}  # management address (lower case) -> its host
    for h in decls:
        ok = r.name(h.name, HOST_NAME_RE, "host") and r.host_not_reserved(h.name)
        role = _role(r, h.role)
        if h.name.text in out:
            r.err("E204", f"host `{h.name.text}` is declared twice", h.name.span, "declared again here")
            continue
        ifaces = _interfaces(r, h, owner)
        hp0 = HostP(h.name.text, role or Role.CLIENT, tuple(ifaces), None, ())
        gateway, routes = _routes(r, h, hp0, role)
        manage = _manage(r, h, managed)
        if ok and role is not None:
            out[h.name.text] = (
                h,
                HostP(h.name.text, role, tuple(ifaces), gateway, tuple(routes), h.name.span, manage),
            )
    return out, owner


# a DNS name as `manage` takes it: labels of letters, digits and `-` (not at either end), 253 characters in all
MANAGE_NAME_RE = re.compile(
    r"(?=[A-Za-z0-9.-]{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
)


def _manage(r: Reporter, h: ir.Host, managed: dict[str, str]) -> str | None:
    """The host's `manage` address (Ansible's ansible_host), checked; one machine per host (E230)."""
    items = [i for i in h.items if isinstance(i, ir.Manage)]
    for extra in items[1:]:
        r.err("E204", "the management address is given twice", extra.span, "second `manage`", help="keep one `manage`")
    if not items:
        return None
    w = items[0].address
    if w.text[:1].isdigit():
        address = r.address(w)
        if address is None:
            return None
        value = str(address)
    elif MANAGE_NAME_RE.match(w.text):
        value = w.text
    else:
        r.err(
            "E124",
            f"invalid management host name `{w.text}`",
            w.span,
            "not a DNS name",
            note="`manage` takes an IPv4 address or a DNS name: labels of letters, digits and `-` (not first "
            "or last), at most 63 characters each, separated by dots, at most 253 characters in all",
        )
        return None
    first = managed.setdefault(value.lower(), h.name.text)
    if first != h.name.text:
        r.err(
            "E230",
            f"{value} is already the management address of host `{first}`",
            w.span,
            "the same machine again",
            note="every ldrc host is a machine of its own: Ansible would install both hosts' files on one "
            "machine, and the second would replace the first one's unit ldrc-<cluster>.service",
            help="give each host the address of its own machine",
        )
    return value


def unused_manage(r: Reporter, hosts: Hosts, served: set[str]) -> None:
    """W304: `manage` on a host that gets no files (a client, a real server that serves no VIP)."""
    for h, hp in hosts.values():
        if hp.manage is None:
            continue
        if hp.role is Role.CLIENT:
            why = "clients are not deployed: ldrc writes no files for them"
        elif hp.role is Role.REALSERVER and hp.name not in served:
            why = "it serves no VIP, so ldrc writes no files for it"
        else:
            continue
        item = next(i for i in h.items if isinstance(i, ir.Manage))
        r.err(
            "W304",
            f"host `{hp.name}` is not deployed: its `manage` address is not used",
            item.span,
            "not in the Ansible inventory",
            note=why,
            help="remove the `manage` statement, or give the host a role that ldrc deploys",
        )


def _role(r: Reporter, w: ir.Word) -> Role | None:
    try:
        return Role(w.text)
    except ValueError:
        r.err(
            "E125", f"unknown role `{w.text}`", w.span, "not a role", help="use director, realserver, router or client"
        )
        return None


def _interfaces(r: Reporter, h: ir.Host, owner: dict[IPv4Address, str]) -> list[Iface]:
    ifaces: list[Iface] = []
    for item in h.items:
        if not isinstance(item, ir.Interface):
            continue
        if r.name(item.name, IFACE_NAME_RE, "interface"):
            r.iface_not_reserved(item.name)
        addr = r.cidr(item.cidr, network=False)
        if any(i.name == item.name.text for i in ifaces):
            r.err("E204", f"interface `{item.name.text}` is declared twice", item.name.span, "again here")
            continue
        if addr is None:
            continue  # (a bad name is reported; the address still counts, so no follow-on E214)
        if addr.ip in owner:
            r.err(
                "E222",
                f"address {addr.ip} is already used by host `{owner[addr.ip]}`",
                item.cidr.span,
                "duplicate address",
            )
            continue
        owner[addr.ip] = h.name.text
        ifaces.append(Iface(item.name.text, addr, item.span))
    return ifaces


def _routes(r: Reporter, h: ir.Host, hp: HostP, role: Role | None) -> tuple[RouteP | None, list[RouteP]]:
    gateway: RouteP | None = None
    routes: list[RouteP] = []
    routed: dict[IPv4Network, ir.Span] = {}  # one route per destination (`gateway` is 0.0.0.0/0)
    for item in h.items:
        if isinstance(item, ir.Gateway):
            if gateway is not None:
                r.err("E204", "the default gateway is given twice", item.span, "second `gateway`")
                continue
            gw = r.address(item.address)
            dev = _on_link(r, hp, gw, item.address) if gw is not None else None
            if gw is not None and dev is not None and _one_route(r, routed, DEFAULT, item.span):
                gateway = RouteP(DEFAULT, gw, dev)
        elif isinstance(item, ir.Route):
            dst = r.cidr(item.destination, network=True)
            via = r.address(item.via)
            dev = _on_link(r, hp, via, item.via) if dst is not None and via is not None else None
            if (
                dst is not None
                and via is not None
                and dev is not None
                and _one_route(r, routed, dst.network, item.span)
            ):
                routes.append(RouteP(dst.network, via, dev))
        elif role is not Role.ROUTER and isinstance(item, ir.Publish | ir.Snat | ir.ForwardPolicy):
            r.err(
                "E211", f"`{keyword(item)}` belongs in a router host", item.span, f"`{h.name.text}` is a {h.role.text}"
            )
    return gateway, routes


DEFAULT = IPv4Network("0.0.0.0/0")


def _one_route(r: Reporter, routed: dict[IPv4Network, ir.Span], dst: IPv4Network, span: ir.Span) -> bool:
    """A host converges one next hop per destination: a second route to one is E204."""
    first = routed.setdefault(dst, span)
    if first is span:
        return True
    what = "the default route" if dst.prefixlen == 0 else f"the route to {dst}"
    r.err(
        "E204",
        f"{what} is given twice",
        span,
        "second route to the same destination",
        note=f"first given at {first}; `gateway ADDRESS` is the route to 0.0.0.0/0",
        help="keep one next hop per destination",
    )
    return False


def _on_link(r: Reporter, host: HostP, gw: IPv4Address, w: ir.Word) -> str | None:
    iface = host.iface_for(gw)
    if iface is None:
        nets = ", ".join(str(i.address.network) for i in host.interfaces) or "none"
        r.err(
            "E214",
            f"next hop {gw} is not on any network of host `{host.name}`",
            w.span,
            "not on link",
            note=f"the host's networks: {nets}",
            help="a gateway must be on one of the host's interface networks",
        )
        return None
    if gw == iface.address.ip:
        r.err("E214", f"next hop {gw} is the host's own address", w.span, "own address")
        return None
    return iface.name


def single(r: Reporter, hosts: Hosts, role: Role, code: str, *, required: bool) -> ir.Host | None:
    """The one host of a role (director, router): a second is an error, and so is none when required."""
    found = [h for h, hp in hosts.values() if hp.role is role]
    for extra in found[1:]:
        r.err(
            code,
            f"more than one {role}: `{found[0].name.text}` and `{extra.name.text}`",
            extra.role.span,
            f"second {role}",
            help=f"a cluster has one {role}; several VIPs may share it"
            + ("; two directors (a VRRP pair) need `engine keepalived`" if role is Role.DIRECTOR else ""),
        )
    if not found and required:
        r.err(
            code,
            f"no {role} host is declared",
            ir.Span(r.path, 1, 1, 1, 2),
            help=f"declare one: `host NAME {role} {{ interface eth0 ADDRESS/PREFIX }}`",
        )
    return found[0] if found else None


def real_server_routing(r: Reporter, hosts: Hosts, served: set[str], router: HostP | None) -> None:
    """W303 and W301: a real server that serves a VIP answers the clients through its default route."""
    for h, hp in hosts.values():
        if hp.role is not Role.REALSERVER or hp.name not in served:
            continue
        if hp.gateway is None and not any(isinstance(i, ir.Gateway | ir.Route) for i in h.items):
            r.err(
                "W303",
                f"real server `{hp.name}` has no default gateway",
                h.name.span,
                "no `gateway`",
                note="in direct routing the real server answers the client itself, through its default route",
                help="add `gateway ROUTER-LAN-ADDRESS`",
            )
        elif (
            hp.gateway is not None
            and router is not None
            and all(hp.gateway.via != i.address.ip for i in router.interfaces)
        ):
            r.err(
                "W301",
                f"real server `{hp.name}` does not route through the router",
                h.name.span,
                f"gateway {hp.gateway.via}",
                note="replies would bypass the router's NAT, and the client would drop them",
                help="use the router's LAN address as the gateway",
            )
