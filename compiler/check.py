"""Check stage: IR -> Plan, collecting every model diagnostic (E2xx, W3xx, E4xx).

Every expansion that can fail (`.22` -> an address, a host name -> its RIP, a
gateway -> its device) happens here, so it gets a code and a span.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import AddressValueError, IPv4Address, IPv4Interface, IPv4Network, NetmaskValueError
from pathlib import PurePath
from typing import TypeVar

from . import ir
from .diagnostics import Diagnostic
from .plan import (
    Dest,
    Director,
    Dnat,
    HostP,
    Iface,
    Plan,
    RealServerP,
    RouteP,
    Router,
    Service,
    SnatP,
    VipAddr,
    sort_services,
)

# Names reach file names and shell scripts: keep them to strict patterns
# (quoted as well where they are used).
HOST_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
IFACE_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,14}\Z")  # IFNAMSIZ is 16 with the NUL
NET_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}\Z")
RESERVED_IFACE_NAMES = frozenset({"lo", "all", "default"})
IFNAMSIZ_CHARS = 15  # an interface name or address label, without the trailing NUL
MAX_PERSISTENCE = 2678400  # ipvsadm(8): at most 31 days
DEFAULT_PERSISTENCE = 300  # ipvsadm(8): -p without a value

T = TypeVar("T")


class _Checker:
    def __init__(self, module: ir.Module) -> None:
        self.module = module
        self.diags: list[Diagnostic] = []
        # (LAN interface, target kind, target text) -> (address, owner host, str(address))
        self.resolved: dict[tuple[str, ir.TargetKind, str], tuple[IPv4Address, str, str]] = {}
        self.address_owner: dict[IPv4Address, str] = {}
        self.declared_vips: set[IPv4Address] = set()  # every parseable `vip` address, valid or not
        self.bad_weights = 0  # E113 so far: a service with one has no W302/E217 (follow-on)
        # the director's alias label of each VIP, in order of first appearance
        self.vip_labels: dict[IPv4Address, str] = {}

    # -- helpers ---------------------------------------------------------

    def err(self, code: str, msg: str, span: ir.Span, label: str = "", note: str = "", help: str = "") -> None:
        self.diags.append(Diagnostic(code, msg, span, label, note, help))

    def address(self, w: ir.Word) -> IPv4Address | None:
        try:
            return IPv4Address(w.text)
        except AddressValueError:
            self.err("E110", f"invalid IPv4 address `{w.text}`", w.span, "each octet is 0-255, no leading zeros")
            return None

    def cidr(self, w: ir.Word, *, network: bool) -> IPv4Interface | None:
        try:
            iface = IPv4Interface(w.text)
        except (AddressValueError, NetmaskValueError, ValueError):
            self.err("E111", f"invalid CIDR `{w.text}`", w.span, "expected ADDRESS/PREFIX with a prefix 0-32")
            return None
        if network and iface.ip != iface.network.network_address:
            self.err(
                "E111",
                f"`{w.text}` has host bits set",
                w.span,
                "not a network address",
                help=f"write the network as {iface.network}",
            )
            return None
        return iface

    def name(self, w: ir.Word, pattern: re.Pattern[str], what: str) -> bool:
        if pattern.match(w.text):
            return True
        self.err(
            "E124",
            f"invalid {what} name `{w.text}`",
            w.span,
            f"does not match {pattern.pattern.removesuffix(chr(92) + 'Z')}",
            note=f"{what} names are used in file names and shell scripts",
        )
        return False

    def iface_not_reserved(self, w: ir.Word) -> bool:
        if w.text not in RESERVED_IFACE_NAMES:
            return True
        self.err(
            "E124",
            f"`{w.text}` is not an interface name",
            w.span,
            "reserved",
            note="`lo` is the loopback (real servers put their VIPs there themselves); `all` and "
            "`default` are sysctl scopes under net.ipv4.conf, not devices",
            help="name the host's Ethernet interface, e.g. `interface eth0 ADDRESS/PREFIX`",
        )
        return False

    def port(self, n: ir.Number) -> int | None:
        if 1 <= n.value <= 65535:
            return n.value
        self.err("E112", f"invalid port {n.text}", n.span, "ports are 1-65535")
        return None

    # -- stages ----------------------------------------------------------

    def run(self) -> Plan | None:
        stmts = self.module.statements
        self.declared_vips = {a for s in stmts if isinstance(s, ir.Vip) and (a := _quiet_address(s.address.text))}
        cluster = self.cluster_name([s for s in stmts if isinstance(s, ir.ClusterName)])
        networks = self.networks([s for s in stmts if isinstance(s, ir.Network)])
        hosts = self.hosts([s for s in stmts if isinstance(s, ir.Host)])
        director_ir = self.single(hosts, "director", "E205", required=any(isinstance(s, ir.Vip) for s in stmts))
        router_ir = self.single(hosts, "router", "E221", required=False)
        services: list[tuple[ir.Vip, Service]] = []
        director = None
        if director_ir is not None:
            services = self.vips([s for s in stmts if isinstance(s, ir.Vip)], hosts, director_ir)
        plans = {name: hp for name, (_, hp) in hosts.items()}
        if director_ir is not None:
            director = self.director(plans[director_ir.name.text], [s for _, s in services])
        real_servers = self.real_servers(hosts, services, director, router_ir)
        router = None
        if router_ir is not None:
            router = self.router(router_ir, plans[router_ir.name.text], networks, [s for _, s in services])
        if any(d.is_error for d in self.diags):
            return None
        return Plan(
            cluster=cluster,
            source_name=PurePath(self.module.path).name,
            hosts=tuple(plans.values()),
            director=director,
            real_servers=real_servers,
            router=router,
        )

    def cluster_name(self, decls: list[ir.ClusterName]) -> str:
        for extra in decls[1:]:
            self.err(
                "E204", "the cluster is named twice", extra.span, "second `cluster`", help="keep one `cluster NAME`"
            )
        if decls:
            w = decls[0].name
            return w.text if self.name(w, NET_NAME_RE, "cluster") else "cluster"
        # The name keys the hosts' state (/var/lib/ldrc/<cluster>/): two clusters
        # must never share it, so a name that cannot be derived is an error.
        stem = PurePath(self.module.path).stem
        if NET_NAME_RE.match(stem):
            return stem
        shown = PurePath(self.module.path).name.encode("unicode_escape").decode("ascii")
        self.err(
            "E224",
            f"the file name `{shown}` gives no valid cluster name",
            ir.Span(self.module.path, 1, 1, 1, 2),
            "no `cluster` statement",
            note="the cluster name keys each host's state (/var/lib/ldrc/<cluster>/); without a `cluster` "
            f"statement it is the file name without `.ldr`, which must match {NET_NAME_RE.pattern.removesuffix(chr(92) + 'Z')}",
            help="name the cluster: `cluster NAME` (letters, digits, `_`, `-`)",
        )
        return "cluster"

    def networks(self, decls: list[ir.Network]) -> dict[str, IPv4Network]:
        out: dict[str, IPv4Network] = {}
        spans: dict[str, ir.Span] = {}
        for n in decls:
            ok = self.name(n.name, NET_NAME_RE, "network")
            net = self.cidr(n.cidr, network=True)
            if n.name.text in out or n.name.text in spans:
                self.err("E204", f"network `{n.name.text}` is declared twice", n.name.span, "declared again here")
                continue
            spans[n.name.text] = n.name.span
            if ok and net is not None:
                out[n.name.text] = net.network
        return out

    def hosts(self, decls: list[ir.Host]) -> dict[str, tuple[ir.Host, HostP]]:
        out: dict[str, tuple[ir.Host, HostP]] = {}
        owner: dict[IPv4Address, tuple[str, ir.Span]] = {}
        roles = {r.value for r in ir.Role}
        for h in decls:
            ok = self.name(h.name, HOST_NAME_RE, "host")
            if h.role.text not in roles:
                self.err(
                    "E125",
                    f"unknown role `{h.role.text}`",
                    h.role.span,
                    "not a role",
                    help="use director, realserver, router or client",
                )
                ok = False
            if h.name.text in out:
                self.err("E204", f"host `{h.name.text}` is declared twice", h.name.span, "declared again here")
                continue
            ifaces: list[Iface] = []
            for item in h.items:
                if isinstance(item, ir.Interface):
                    if self.name(item.name, IFACE_NAME_RE, "interface"):
                        self.iface_not_reserved(item.name)
                    addr = self.cidr(item.cidr, network=False)
                    if any(i.name == item.name.text for i in ifaces):
                        self.err(
                            "E204", f"interface `{item.name.text}` is declared twice", item.name.span, "again here"
                        )
                        continue
                    if addr is None:
                        continue  # (a bad name is reported; the address still counts, so no follow-on E214)
                    if addr.ip in owner:
                        other, _ = owner[addr.ip]
                        self.err(
                            "E222",
                            f"address {addr.ip} is already used by host `{other}`",
                            item.cidr.span,
                            "duplicate address",
                        )
                        continue
                    owner[addr.ip] = (h.name.text, item.cidr.span)
                    ifaces.append(Iface(item.name.text, addr))
            hp0 = HostP(h.name.text, h.role.text, tuple(ifaces), None, ())
            gateway: RouteP | None = None
            routes: list[RouteP] = []
            routed: dict[IPv4Network, ir.Span] = {}  # one route per destination (`gateway` is 0.0.0.0/0)
            for item in h.items:
                if isinstance(item, ir.Gateway):
                    if gateway is not None:
                        self.err("E204", "the default gateway is given twice", item.span, "second `gateway`")
                        continue
                    gw = self.address(item.address)
                    if gw is not None:
                        dev = self.on_link(hp0, gw, item.address)
                        if dev is not None and self.one_route(routed, IPv4Network("0.0.0.0/0"), item.span):
                            gateway = RouteP(IPv4Network("0.0.0.0/0"), gw, dev)
                elif isinstance(item, ir.Route):
                    dst = self.cidr(item.destination, network=True)
                    via = self.address(item.via)
                    if dst is not None and via is not None:
                        dev = self.on_link(hp0, via, item.via)
                        if dev is not None and self.one_route(routed, dst.network, item.span):
                            routes.append(RouteP(dst.network, via, dev))
                elif h.role.text != "router" and isinstance(item, ir.Publish | ir.Snat | ir.ForwardPolicy):
                    self.err(
                        "E211",
                        f"`{_keyword(item)}` belongs in a router host",
                        item.span,
                        f"`{h.name.text}` is a {h.role.text}",
                    )
            if ok:
                out[h.name.text] = (h, HostP(h.name.text, h.role.text, tuple(ifaces), gateway, tuple(routes)))
        self.address_owner = {a: name for a, (name, _) in owner.items()}
        return out

    def one_route(self, routed: dict[IPv4Network, ir.Span], dst: IPv4Network, span: ir.Span) -> bool:
        first = routed.setdefault(dst, span)
        if first is span:
            return True
        what = "the default route" if dst.prefixlen == 0 else f"the route to {dst}"
        self.err(
            "E204",
            f"{what} is given twice",
            span,
            "second route to the same destination",
            note=f"first given at {first}; `gateway ADDRESS` is the route to 0.0.0.0/0",
            help="keep one next hop per destination",
        )
        return False

    def on_link(self, host: HostP, gw: IPv4Address, w: ir.Word) -> str | None:
        iface = host.iface_for(gw)
        if iface is None:
            nets = ", ".join(str(i.address.network) for i in host.interfaces) or "none"
            self.err(
                "E214",
                f"next hop {gw} is not on any network of host `{host.name}`",
                w.span,
                "not on link",
                note=f"the host's networks: {nets}",
                help="a gateway must be on one of the host's interface networks",
            )
            return None
        if gw == iface.address.ip:
            self.err("E214", f"next hop {gw} is the host's own address", w.span, "own address")
            return None
        return iface.name

    def single(
        self, hosts: dict[str, tuple[ir.Host, HostP]], role: str, code: str, *, required: bool
    ) -> ir.Host | None:
        found = [h for h, _ in hosts.values() if h.role.text == role]
        for extra in found[1:]:
            self.err(
                code,
                f"more than one {role}: `{found[0].name.text}` and `{extra.name.text}`",
                extra.role.span,
                f"second {role}",
                help=f"a cluster has one {role}; several VIPs may share it",
            )
        if not found and required:
            span = ir.Span(self.module.path, 1, 1, 1, 2)
            self.err(
                code,
                f"no {role} host is declared",
                span,
                help=f"declare one: `host NAME {role} {{ interface eth0 ADDRESS/PREFIX }}`",
            )
        return found[0] if found else None

    def vips(
        self, decls: list[ir.Vip], hosts: dict[str, tuple[ir.Host, HostP]], director_ir: ir.Host
    ) -> list[tuple[ir.Vip, Service]]:
        director = hosts.get(director_ir.name.text, (director_ir, None))[1]
        out: list[tuple[ir.Vip, Service]] = []
        seen: dict[tuple[str, IPv4Address, int], ir.Span] = {}
        for v in decls:
            vip = self.address(v.address)
            proto = self.enum(ir.Protocol, v.protocol, "E121", "protocol", "tcp or udp")
            ports = [p for p in (self.port(n) for n in v.ports) if p is not None]
            sched = v.scheduler.text
            if sched not in ir.SCHEDULERS:
                self.err(
                    "E120",
                    f"unknown scheduler `{sched}`",
                    v.scheduler.span,
                    "not an ipvsadm scheduler",
                    help="use one of: " + " ".join(ir.SCHEDULERS),
                )
                sched = ""
            method = ir.Method.DR
            if v.method is not None:
                m = self.enum(ir.Method, v.method, "E122", "forwarding method", "dr, tun or nat")
                if m is not None and m is not ir.Method.DR:
                    self.err(
                        "E401",
                        f"forwarding method `{m.value}` is not generated by this version",
                        v.method.span,
                        "only dr",
                        help="use `via dr`",
                    )
                method = m or method
            flags, persistent, netmask, ops = self.vip_options(v, sched, proto)
            if vip is None or director is None:
                continue
            lan = director.iface_for(vip)
            if lan is None:
                self.err(
                    "E212",
                    f"VIP {vip} is not on any network of the director `{director.name}`",
                    v.address.span,
                    "not on the director's networks",
                    note="the director carries the VIP as a /32 alias of its LAN interface, and the router reaches it on that LAN",
                    help="choose a VIP inside the director's LAN network",
                )
                continue
            if vip in (lan.address.network.network_address, lan.address.network.broadcast_address):
                self.err(
                    "E223",
                    f"VIP {vip} is the {'network' if vip == lan.address.network.network_address else 'broadcast'} address of {lan.address.network}",
                    v.address.span,
                    "not a host address",
                    help="choose a host address for the VIP",
                )
                continue
            if vip in self.address_owner:
                self.err(
                    "E210",
                    f"VIP {vip} is the address of host `{self.address_owner[vip]}`",
                    v.address.span,
                    "already a host address",
                    help="choose an unused address for the VIP",
                )
                continue
            if not self.alias_label(vip, lan, v.address):
                continue
            bad_weights = self.bad_weights
            dests = self.real_server_list(v, vip, lan, hosts, director, ports, method)
            if proto is None or not sched or not ports or self.bad_weights != bad_weights:
                continue  # the root cause is reported; no follow-on E217/W302 from guessed values
            if dests and all(d.weight == 0 for d in dests):
                self.err(
                    "E217",
                    "every real server has weight 0",
                    v.span,
                    "nothing can be served",
                    help="give at least one real server a weight above 0",
                )
            weights = {d.weight for d in dests}
            if sched in ("wrr", "wlc") and len(dests) > 1 and len(weights) == 1:
                self.err(
                    "W302",
                    f"`{sched}` with equal weights behaves like `{sched[1:]}`",
                    v.scheduler.span,
                    "all weights equal",
                    help=f"set per-server weights (`.22 weight 3`) or use `{sched[1:]}`",
                )
            for port in ports:
                key = (proto.value, vip, port)
                if key in seen:
                    self.err(
                        "E207",
                        f"service {proto.value} {vip}:{port} is declared twice",
                        v.span,
                        "declared again here",
                        note=f"first declared at {seen[key]}",
                    )
                    continue
                seen[key] = v.span
                svc_dests = tuple(Dest(d.address, port, d.weight, d.method, d.host, d.text) for d in dests)
                out.append((v, Service(vip, proto, port, sched, flags, persistent, netmask, ops, svc_dests)))
        return out

    def alias_label(self, vip: IPv4Address, lan: Iface, w: ir.Word) -> bool:
        """The director carries the VIP as `<dev>:<n>`: the label must fit IFNAMSIZ (E402)."""
        if vip in self.vip_labels:
            return True
        label = f"{lan.name}:{len(self.vip_labels) + 1}"
        if len(label) > IFNAMSIZ_CHARS:
            self.err(
                "E402",
                f"the alias label `{label}` for VIP {vip} is longer than {IFNAMSIZ_CHARS} characters",
                w.span,
                "label too long",
                note=f"the director adds each VIP to `{lan.name}` with the label `{lan.name}:N`, and the kernel "
                f"refuses labels over {IFNAMSIZ_CHARS} characters (IFNAMSIZ)",
                help=f"give the interface a name of at most {IFNAMSIZ_CHARS - 1 - len(str(len(self.vip_labels) + 1))} characters "
                "(a udev or systemd .link rename)",
            )
            return False
        self.vip_labels[vip] = label
        return True

    def enum(self, cls: Callable[[str], T], w: ir.Word, code: str, what: str, choices: str) -> T | None:
        try:
            return cls(w.text)
        except ValueError:
            self.err(code, f"unknown {what} `{w.text}`", w.span, f"not a {what}", help=f"use {choices}")
            return None

    def vip_options(
        self, v: ir.Vip, sched: str, proto: ir.Protocol | None
    ) -> tuple[tuple[str, ...], int | None, IPv4Address | None, bool]:
        flags: tuple[str, ...] = ()
        persistent: int | None = None
        netmask: IPv4Address | None = None
        ops = False
        seen: set[type] = set()
        netmask_span: ir.Span | None = None
        for opt in v.options:
            if type(opt) in seen:
                self.err("E126", f"`{_keyword(opt)}` is given twice", opt.span, "again here")
                continue
            seen.add(type(opt))
            if isinstance(opt, ir.SchedFlags):
                allowed = ir.SCHEDULERS.get(sched, ())
                if sched and not allowed:
                    self.err(
                        "E215",
                        f"scheduler `{sched}` has no flags",
                        opt.span,
                        "flags not understood by this scheduler",
                        help="scheduler flags exist for sh (sh-fallback, sh-port) and mh (mh-fallback, mh-port)",
                    )
                    continue
                good: list[str] = []
                for f in opt.flags:
                    if f.text not in allowed and sched:
                        self.err(
                            "E123",
                            f"unknown flag `{f.text}` for scheduler `{sched}`",
                            f.span,
                            "unknown flag",
                            help="use " + " or ".join(allowed),
                        )
                    elif f.text not in good:
                        good.append(f.text)
                # ipvsadm prints the flags in bit order (flag-1, flag-2), i.e. fallback then port
                flags = tuple(sorted(good, key=lambda x: allowed.index(x) if x in allowed else 0))
            elif isinstance(opt, ir.Persistent):
                persistent = DEFAULT_PERSISTENCE
                if opt.timeout is not None:
                    if 1 <= opt.timeout.value <= MAX_PERSISTENCE:
                        persistent = opt.timeout.value
                    else:
                        self.err(
                            "E114",
                            f"invalid persistence timeout {opt.timeout.text}",
                            opt.timeout.span,
                            f"seconds, 1-{MAX_PERSISTENCE}",
                        )
            elif isinstance(opt, ir.Netmask):
                netmask_span = opt.span
                mask = self.address(opt.mask)
                if mask is not None:
                    try:
                        IPv4Network(f"0.0.0.0/{mask}")
                        netmask = mask
                    except (NetmaskValueError, ValueError):
                        self.err("E115", f"invalid netmask {mask}", opt.mask.span, "not a contiguous mask")
            elif isinstance(opt, ir.OnePacket):
                if proto is ir.Protocol.TCP:
                    self.err(
                        "E216",
                        "one-packet scheduling on a tcp service",
                        opt.span,
                        "ops is for udp",
                        note="ops schedules every packet separately, which breaks TCP connections",
                        help="remove `ops` or use udp",
                    )
                ops = True
        if netmask is not None and persistent is None and netmask_span is not None:
            self.err(
                "E219", "`netmask` without `persistent`", netmask_span, "needs persistence", help="add `persistent`"
            )
        return flags, persistent, netmask, ops

    def real_server_list(
        self,
        v: ir.Vip,
        vip: IPv4Address,
        lan: Iface,
        hosts: dict[str, tuple[ir.Host, HostP]],
        director: HostP,
        ports: list[int],
        method: ir.Method,
    ) -> list[Dest]:
        out: list[Dest] = []
        seen: set[str] = set()
        net = lan.address.network
        for rs in v.real_servers:
            addr: IPv4Address | None = None
            cached = self.resolved.get((lan.name, rs.kind, rs.target.text))
            if cached is not None:
                addr, owner, text = cached
                if text in seen:
                    self.err("E208", f"real server {addr} is listed twice", rs.target.span, "listed again here")
                    continue
                seen.add(text)
                out.append(self.dest_options(rs, addr, owner, text, ports, method))
                continue
            if rs.kind is ir.TargetKind.SUFFIX:
                digits = rs.target.text[1:].lstrip("0") or "0"
                n = int(digits) if len(digits) <= 12 else -1  # (never int() on thousands of digits)
                if 0 < n < net.num_addresses - 1:
                    addr = net.network_address + n
                else:
                    self.err(
                        "E202",
                        f"host number {_short(rs.target.text)} is outside {net}",
                        rs.target.span,
                        f"{net} has hosts .1 to .{net.num_addresses - 2}",
                    )
                    continue
            elif rs.kind is ir.TargetKind.ADDRESS:
                addr = self.address(rs.target)
                if addr is None:
                    continue
            else:
                entry = hosts.get(rs.target.text)
                if entry is None:
                    self.err(
                        "E201",
                        f"unknown host `{rs.target.text}`",
                        rs.target.span,
                        "no such host",
                        help=f"declare it: `host {rs.target.text} realserver {{ interface eth0 ADDRESS/PREFIX }}`",
                    )
                    continue
                iface = entry[1].iface_for(vip)
                if iface is None:
                    self.err(
                        "E220",
                        f"host `{rs.target.text}` has no interface on {net}",
                        rs.target.span,
                        "not on the director's network",
                        note="direct routing reaches real servers by MAC address on the director's L2 network",
                    )
                    continue
                addr = iface.address.ip
            found = self.address_owner.get(addr)
            if found is None:
                self.err(
                    "E201",
                    f"no host has address {addr}",
                    rs.target.span,
                    "undeclared real server",
                    help=f"declare it: `host NAME realserver {{ interface eth0 {addr}/{net.prefixlen} }}`",
                )
                continue
            owner = found
            if owner == director.name:
                self.err(
                    "E209",
                    f"the director `{owner}` is listed as a real server",
                    rs.target.span,
                    "the director itself",
                    help="list only real server hosts",
                )
                continue
            role = hosts[owner][1].role if owner in hosts else ""
            if role != "realserver":
                self.err(
                    "E211",
                    f"`{owner}` ({addr}) is a {role or 'host'}, not a real server",
                    rs.target.span,
                    "not a real server",
                )
                continue
            if addr not in net:
                self.err(
                    "E203",
                    f"real server {addr} is not on the director's network {net}",
                    rs.target.span,
                    f"not on {net}",
                    note="direct routing rewrites only the destination MAC, so real servers share the director's L2 segment",
                    help=f"put the real server on {net}",
                )
                continue
            text = str(addr)
            # only a success is cached: an error is reported at every occurrence
            self.resolved[(lan.name, rs.kind, rs.target.text)] = (addr, owner, text)
            if text in seen:
                self.err("E208", f"real server {addr} is listed twice", rs.target.span, "listed again here")
                continue
            seen.add(text)
            out.append(self.dest_options(rs, addr, owner, text, ports, method))
        return out

    def dest_options(
        self, rs: ir.RealServer, addr: IPv4Address, owner: str, text: str, ports: list[int], method: ir.Method
    ) -> Dest:
        """Port and weight of one real server entry."""
        if rs.port is not None:
            p = self.port(rs.port)
            if p is not None and method is ir.Method.DR and any(p != vp for vp in ports):
                self.err(
                    "E206",
                    f"direct routing cannot map port {','.join(map(str, ports))} to {p}",
                    rs.port.span,
                    "port differs from the VIP's",
                    note="DR forwards the frame unchanged above L2; ipvsadm silently uses the VIP's port",
                    help="drop the real server port, or make it equal to the VIP port",
                )
        weight = 1
        if rs.weight is not None:
            if 0 <= rs.weight.value <= 65535:
                weight = rs.weight.value
            else:
                self.bad_weights += 1
                self.err("E113", f"invalid weight {rs.weight.text}", rs.weight.span, "weights are 0-65535")
        return Dest(addr, 0, weight, method, owner, text)

    def director(self, host: HostP, services: list[Service]) -> Director:
        vips: dict[IPv4Address, VipAddr] = {}
        dev = ""
        for s in services:
            if s.vip in vips:
                continue
            iface = host.iface_for(s.vip)
            assert iface is not None  # checked in vips()
            dev = dev or iface.name
            vips[s.vip] = VipAddr(s.vip, iface.name, self.vip_labels[s.vip], str(s.vip))
        if not dev:
            dev = host.interfaces[0].name if host.interfaces else "eth0"
        return Director(
            host,
            dev,
            tuple(vips.values()),
            sort_services(services),
            persistence=any(s.persistent is not None for s in services),
        )

    def real_servers(
        self,
        hosts: dict[str, tuple[ir.Host, HostP]],
        services: list[tuple[ir.Vip, Service]],
        director: Director | None,
        router_ir: ir.Host | None,
    ) -> tuple[RealServerP, ...]:
        router = hosts[router_ir.name.text][1] if router_ir is not None and router_ir.name.text in hosts else None
        # one pass over every (service, destination): what each real server host serves
        served: dict[str, tuple[dict[str, VipAddr], dict[str, None], list[str]]] = {}
        for _, s in services:
            vip_text = str(s.vip)
            port_label = f"{s.protocol.value}/{s.port}"
            for d in s.dests:
                entry = served.get(d.host)
                if entry is None:
                    iface = hosts[d.host][1].iface_for(d.address)
                    assert iface is not None
                    entry = served[d.host] = ({}, {}, [iface.name])
                vips, ports, _ = entry
                ports[port_label] = None
                if vip_text not in vips:
                    vips[vip_text] = VipAddr(s.vip, "lo", f"lo:{len(vips)}", vip_text)
        out: list[RealServerP] = []
        for h, hp in hosts.values():
            if hp.role != "realserver" or hp.name not in served:
                continue
            vips, ports, devs = served[hp.name]
            if hp.gateway is None and not any(isinstance(i, ir.Gateway | ir.Route) for i in h.items):
                self.err(
                    "W303",
                    f"real server `{hp.name}` has no default gateway",
                    h.name.span,
                    "no `gateway`",
                    note="in direct routing the real server answers the client itself, through its default route",
                    help="add `gateway ROUTER-LAN-ADDRESS`",
                )
            elif router is not None and all(hp.gateway.via != i.address.ip for i in router.interfaces):
                self.err(
                    "W301",
                    f"real server `{hp.name}` does not route through the router",
                    h.name.span,
                    f"gateway {hp.gateway.via}",
                    note="replies would bypass the router's NAT, and the client would drop them",
                    help="use the router's LAN address as the gateway",
                )
            out.append(RealServerP(hp, devs[0], tuple(vips.values()), tuple(ports)))
        return tuple(out)

    def router(
        self,
        h: ir.Host,
        hp: HostP,
        networks: dict[str, IPv4Network],
        services: list[Service],
    ) -> Router:
        own = {i.address.ip: i for i in hp.interfaces}
        dnats: list[Dnat] = []
        snats: list[SnatP] = []
        forward_drop = False
        served = {(s.vip, s.protocol, s.port) for s in services}
        vips = {s.vip for s in services}
        for item in h.items:
            if isinstance(item, ir.Publish):
                public = self.address(item.public)
                target = self.address(item.target)
                proto = (
                    self.enum(ir.Protocol, item.protocol, "E121", "protocol", "tcp or udp")
                    if item.protocol is not None
                    else None
                )
                ports = tuple(p for p in (self.port(n) for n in item.ports) if p is not None)
                if public is None or target is None:
                    continue
                if public not in own:
                    self.err(
                        "E212",
                        f"the router has no interface with address {public}",
                        item.public.span,
                        "not a router address",
                        help="publish on one of the router's own addresses",
                    )
                    continue
                if target not in vips and target in self.declared_vips:
                    continue  # its `vip` statement has an error of its own: no follow-on E213
                if target not in vips:
                    self.err(
                        "E213",
                        f"{target} is not a VIP of this cluster",
                        item.target.span,
                        "no such VIP",
                        help="publish to an address declared with `vip`",
                    )
                    continue
                if proto is not None:
                    missing = [p for p in ports if (target, proto, p) not in served]
                    if missing:
                        self.err(
                            "E213",
                            f"no {proto.value} service on {target} port {','.join(map(str, missing))}",
                            item.span,
                            "nothing behind this port",
                            help="publish only ports that a `vip` declares",
                        )
                        continue
                out_iface = hp.iface_for(target)
                if out_iface is None:
                    self.err(
                        "E212",
                        f"the router has no interface on the network of VIP {target}",
                        item.target.span,
                        "unreachable VIP",
                    )
                    continue
                dnats.append(Dnat(public, proto, ports, target, own[public].name, out_iface.name))
            elif isinstance(item, ir.Snat):
                src: IPv4Network | None = None
                if "/" in item.source.text:
                    c = self.cidr(item.source, network=True)
                    src = c.network if c is not None else None
                elif item.source.text in networks:
                    src = networks[item.source.text]
                else:
                    self.err(
                        "E218",
                        f"unknown network `{item.source.text}`",
                        item.source.span,
                        "not declared",
                        help=f"declare it: `network {item.source.text} ADDRESS/PREFIX`, or write the CIDR",
                    )
                to = self.address(item.to)
                if src is None or to is None:
                    continue
                if to not in own:
                    self.err(
                        "E212",
                        f"the router has no interface with address {to}",
                        item.to.span,
                        "not a router address",
                        help="SNAT to one of the router's own addresses",
                    )
                    continue
                inner = next((i.name for i in hp.interfaces if i.address.network.overlaps(src)), None)
                snats.append(SnatP(src, to, own[to].name, inner))
            elif isinstance(item, ir.ForwardPolicy):
                if item.policy.text not in ("accept", "drop"):
                    self.err(
                        "E127",
                        f"unknown forward policy `{item.policy.text}`",
                        item.policy.span,
                        "not a policy",
                        help="use accept or drop",
                    )
                forward_drop = item.policy.text == "drop"
        return Router(hp, tuple(dnats), tuple(snats), forward_drop)


def _short(text: str) -> str:
    """A user's number as shown in a message: thousands of digits are cut."""
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"


def _quiet_address(text: str) -> IPv4Address | None:
    try:
        return IPv4Address(text)
    except AddressValueError:
        return None


def _keyword(node: object) -> str:
    return {
        ir.Publish: "publish",
        ir.Snat: "snat",
        ir.ForwardPolicy: "forward",
        ir.SchedFlags: "flags",
        ir.Persistent: "persistent",
        ir.Netmask: "netmask",
        ir.OnePacket: "ops",
    }.get(type(node), type(node).__name__.lower())


def check(module: ir.Module) -> tuple[Plan | None, list[Diagnostic]]:
    c = _Checker(module)
    plan = c.run()
    return plan, c.diags
