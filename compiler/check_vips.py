"""Check stage, `vip` statements: the service (address, protocol, ports, scheduler,
method), its options, its place on the director, and its real servers."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, NetmaskValueError

from . import check_ha, ir
from .check_common import Reporter, keyword, short
from .check_hosts import Hosts
from .ir import Method, Protocol, Role, Scheduler
from .plan import HostP, Iface, SpanTuple
from .symbols import Member, VipDecl

MAX_PERSISTENCE = 2678400  # ipvsadm(8): at most 31 days
DEFAULT_PERSISTENCE = 300  # ipvsadm(8): -p without a value

Options = tuple[tuple[str, ...], int | None, IPv4Address | None, bool]  # flags, persistent, netmask, ops


def vips(
    r: Reporter,
    decls: list[ir.Vip],
    hosts: Hosts,
    director: HostP,
    owner: dict[IPv4Address, str],
    keepalived: bool = False,
) -> list[VipDecl]:
    out: list[VipDecl] = []
    seen: dict[tuple[str, IPv4Address, int], ir.Span] = {}
    resolver = _Resolver(r, hosts, director, owner)
    for v in decls:
        vip, proto, ports, sched, method = _head(r, v)
        opts = options(r, v, sched, proto)
        if vip is None:
            continue
        lan = _placement(r, v, vip, director, owner)
        if lan is None:
            continue
        members, member_spans, bad_weight = resolver.members(v, vip, lan, ports, method)
        if proto is None or sched is None or not ports or bad_weight:
            continue  # the root cause is reported; no follow-on E217/W302 from guessed values
        _weights(r, v, sched, members)
        kept = _unique_ports(r, v, proto, vip, ports, seen)
        sorry = resolver.sorry(v, vip, lan) if keepalived else None
        health = check_ha.health(r, v, proto, sorry, keepalived)
        out.append(
            VipDecl(
                vip,
                lan,
                proto,
                kept,
                sched,
                *opts,
                method,
                members,
                member_spans,
                v.span,
                v.address.span,
                v.method.span if v.method else None,
                health,
            )
        )
    return out


def _head(r: Reporter, v: ir.Vip) -> tuple[IPv4Address | None, Protocol | None, list[int], Scheduler | None, Method]:
    vip = r.address(v.address)
    proto = r.enum(Protocol, v.protocol, "E121", "protocol", "tcp or udp")
    ports = [p for p in (r.port(n) for n in v.ports) if p is not None]
    sched: Scheduler | None = None
    try:
        sched = Scheduler(v.scheduler.text)
    except ValueError:
        r.err(
            "E120",
            f"unknown scheduler `{v.scheduler.text}`",
            v.scheduler.span,
            "not an ipvsadm scheduler",
            help="use one of: " + " ".join(Scheduler),
        )
    method = Method.DR
    if v.method is not None:
        method = r.enum(Method, v.method, "E122", "forwarding method", "dr, tun or nat") or method
    return vip, proto, ports, sched, method


def _placement(
    r: Reporter, v: ir.Vip, vip: IPv4Address, director: HostP, owner: dict[IPv4Address, str]
) -> Iface | None:
    """The director's interface that carries the VIP."""
    lan = director.iface_for(vip)
    net = lan.address.network if lan is not None else None
    if lan is None or net is None:
        r.err(
            "E212",
            f"VIP {vip} is not on any network of the director `{director.name}`",
            v.address.span,
            "not on the director's networks",
            note="the director carries the VIP as a /32 alias of its LAN interface, and the router reaches it on that LAN",
            help="choose a VIP inside the director's LAN network",
        )
    elif vip in (net.network_address, net.broadcast_address):
        r.err(
            "E223",
            f"VIP {vip} is the {'network' if vip == net.network_address else 'broadcast'} address of {net}",
            v.address.span,
            "not a host address",
            help="choose a host address for the VIP",
        )
    elif vip in owner:
        r.err(
            "E210",
            f"VIP {vip} is the address of host `{owner[vip]}`",
            v.address.span,
            "already a host address",
            help="choose an unused address for the VIP",
        )
    else:
        return lan
    return None


def _weights(r: Reporter, v: ir.Vip, sched: Scheduler, members: tuple[Member, ...]) -> None:
    if members and all(m.weight == 0 for m in members):
        r.err(
            "E217",
            "every real server has weight 0",
            v.span,
            "nothing can be served",
            help="give at least one real server a weight above 0",
        )
    plain = sched.unweighted
    if plain is not None and len(members) > 1 and len({m.weight for m in members}) == 1:
        r.err(
            "W302",
            f"`{sched}` with equal weights behaves like `{plain}`",
            v.scheduler.span,
            "all weights equal",
            help=f"set per-server weights (`.22 weight 3`) or use `{plain}`",
        )


def _unique_ports(
    r: Reporter,
    v: ir.Vip,
    proto: Protocol,
    vip: IPv4Address,
    ports: list[int],
    seen: dict[tuple[str, IPv4Address, int], ir.Span],
) -> tuple[int, ...]:
    kept: list[int] = []
    for port in ports:
        key = (proto.value, vip, port)
        if key in seen:
            r.err(
                "E207",
                f"service {proto.value} {vip}:{port} is declared twice",
                v.span,
                "declared again here",
                note=f"first declared at {seen[key]}",
            )
            continue
        seen[key] = v.span
        kept.append(port)
    return tuple(kept)


def options(r: Reporter, v: ir.Vip, sched: Scheduler | None, proto: Protocol | None) -> Options:
    flags: tuple[str, ...] = ()
    persistent: int | None = None
    netmask: IPv4Address | None = None
    ops = False
    seen: set[type] = set()
    netmask_span: ir.Span | None = None
    for opt in v.options:
        if type(opt) in seen:
            r.err("E126", f"`{keyword(opt)}` is given twice", opt.span, "again here")
            continue
        seen.add(type(opt))
        if isinstance(opt, ir.SchedFlags):
            flags = _flags(r, opt, sched, flags)
        elif isinstance(opt, ir.Persistent):
            persistent = _persistence(r, opt)
        elif isinstance(opt, ir.Netmask):
            netmask_span = opt.span
            netmask = _netmask(r, opt)
        elif isinstance(opt, ir.OnePacket):
            if proto is Protocol.TCP:
                r.err(
                    "E216",
                    "one-packet scheduling on a tcp service",
                    opt.span,
                    "ops is for udp",
                    note="ops schedules every packet separately, which breaks TCP connections",
                    help="remove `ops` or use udp",
                )
            ops = True
    if netmask is not None and persistent is None and netmask_span is not None:
        r.err("E219", "`netmask` without `persistent`", netmask_span, "needs persistence", help="add `persistent`")
    return flags, persistent, netmask, ops


def _flags(r: Reporter, opt: ir.SchedFlags, sched: Scheduler | None, before: tuple[str, ...]) -> tuple[str, ...]:
    allowed = sched.flags if sched is not None else ()
    if sched is not None and not allowed:
        r.err(
            "E215",
            f"scheduler `{sched}` has no flags",
            opt.span,
            "flags not understood by this scheduler",
            help="scheduler flags exist for sh (sh-fallback, sh-port) and mh (mh-fallback, mh-port)",
        )
        return before
    good: list[str] = []
    for f in opt.flags:
        if f.text not in allowed and sched is not None:
            r.err(
                "E123",
                f"unknown flag `{f.text}` for scheduler `{sched}`",
                f.span,
                "unknown flag",
                help="use " + " or ".join(allowed),
            )
        elif f.text not in good:
            good.append(f.text)
    # ipvsadm prints the flags in bit order (flag-1, flag-2), i.e. fallback then port
    return tuple(sorted(good, key=lambda x: allowed.index(x) if x in allowed else 0))


def _persistence(r: Reporter, opt: ir.Persistent) -> int:
    if opt.timeout is None:
        return DEFAULT_PERSISTENCE
    if 1 <= opt.timeout.value <= MAX_PERSISTENCE:
        return opt.timeout.value
    r.err("E114", f"invalid persistence timeout {opt.timeout.text}", opt.timeout.span, f"seconds, 1-{MAX_PERSISTENCE}")
    return DEFAULT_PERSISTENCE


def _netmask(r: Reporter, opt: ir.Netmask) -> IPv4Address | None:
    mask = r.address(opt.mask)
    if mask is None:
        return None
    try:
        IPv4Network(f"0.0.0.0/{mask}")
    except (NetmaskValueError, ValueError):
        r.err("E115", f"invalid netmask {mask}", opt.mask.span, "not a contiguous mask")
        return None
    return mask


_KINDS = {k.value: k for k in ir.TargetKind}


class _Resolver:
    """Real server entries -> addresses of real server hosts on the VIP's LAN.

    A success is remembered per (LAN, kind, text): large clusters list the
    same ten servers under thousands of VIPs. An error is reported at every
    occurrence.
    """

    def __init__(self, r: Reporter, hosts: Hosts, director: HostP, owner: dict[IPv4Address, str]) -> None:
        self.r = r
        self.hosts = hosts
        self.director = director
        self.owner = owner
        self.resolved: dict[tuple[str, ir.TargetKind, str], tuple[IPv4Address, str, str]] = {}
        self.dests: dict[tuple[str, int], Member] = {}  # one per address and weight

    def members(
        self, v: ir.Vip, vip: IPv4Address, lan: Iface, ports: list[int], method: Method
    ) -> tuple[tuple[Member, ...], tuple[SpanTuple, ...], bool]:
        """The VIP's real servers and their entries' spans, and whether a weight was invalid (E113)."""
        out: list[Member] = []
        spans: list[SpanTuple] = []
        seen: set[str] = set()
        bad_weight = False
        servers = v.real_servers
        packed = servers.rows if isinstance(servers, ir.PackedServers) else ()
        for i in range(len(servers)):
            if packed:
                # parse_fast's entry, read without building its IR when it is a plain one
                # (or with a valid weight) whose target is resolved already
                kind, text, col, port, _, weight_text, _, end = packed[i]
                key = (lan.name, _KINDS[kind], text)
                found = self.resolved.get(key)
                weight = 1 if weight_text is None else ir.number_value(weight_text)
                if found is not None and port is None and weight <= 65535 and found[2] not in seen:
                    assert isinstance(servers, ir.PackedServers)
                    seen.add(found[2])
                    out.append(self._dest(found, weight))
                    spans.append((servers.path, servers.line, col, servers.line, end))
                    continue
            rs = servers[i]
            key = (lan.name, rs.kind, rs.target.text)
            found = self.resolved.get(key) or self._resolve(rs, vip, lan.address.network)
            if found is None:
                continue
            self.resolved[key] = found
            addr, _, text = found
            if text in seen:
                self.r.err("E208", f"real server {addr} is listed twice", rs.target.span, "listed again here")
                continue
            seen.add(text)
            valid = self._options(rs, ports, method)
            bad_weight = bad_weight or valid is None
            out.append(self._dest(found, 1 if valid is None else valid))
            spans.append(tuple(rs.span))  # type: ignore[arg-type]
        return tuple(out), tuple(spans), bad_weight

    def sorry(self, v: ir.Vip, vip: IPv4Address, lan: Iface) -> Member | None:
        """The `sorry` server: a real server host on the VIP's network, like the real servers."""
        s = next((o for o in v.health if isinstance(o, ir.Sorry)), None)
        if s is None:
            return None
        found = self._resolve(ir.RealServer(s.kind, s.target, None, None, s.target.span), vip, lan.address.network)
        return self._dest(found, 1) if found is not None else None

    def _dest(self, found: tuple[IPv4Address, str, str], weight: int) -> Member:
        """One Member per address and weight, shared by every entry that lists them."""
        addr, owner, text = found
        dest = self.dests.get((text, weight))
        if dest is None:
            dest = self.dests[(text, weight)] = Member(addr, owner, weight, text)
        return dest

    def _resolve(self, rs: ir.RealServer, vip: IPv4Address, net: IPv4Network) -> tuple[IPv4Address, str, str] | None:
        addr = self._address(rs, vip, net)
        if addr is None:
            return None
        owner = self.owner.get(addr)
        if owner is None:
            self.r.err(
                "E201",
                f"no host has address {addr}",
                rs.target.span,
                "undeclared real server",
                help=f"declare it: `host NAME realserver {{ interface eth0 {addr}/{net.prefixlen} }}`",
            )
            return None
        if owner == self.director.name:
            self.r.err(
                "E209",
                f"the director `{owner}` is listed as a real server",
                rs.target.span,
                "the director itself",
                help="list only real server hosts",
            )
            return None
        role = self.hosts[owner][1].role if owner in self.hosts else None
        if role is not Role.REALSERVER:
            self.r.err(
                "E211",
                f"`{owner}` ({addr}) is a {role or 'host'}, not a real server",
                rs.target.span,
                "not a real server",
            )
            return None
        if addr not in net:
            self.r.err(
                "E203",
                f"real server {addr} is not on the director's network {net}",
                rs.target.span,
                f"not on {net}",
                note="direct routing rewrites only the destination MAC, so real servers share the director's L2 segment",
                help=f"put the real server on {net}",
            )
            return None
        return addr, owner, str(addr)

    def _address(self, rs: ir.RealServer, vip: IPv4Address, net: IPv4Network) -> IPv4Address | None:
        if rs.kind is ir.TargetKind.SUFFIX:
            digits = rs.target.text[1:].lstrip("0") or "0"
            n = int(digits) if len(digits) <= 12 else -1  # (never int() on thousands of digits)
            if 0 < n < net.num_addresses - 1:
                return net.network_address + n
            self.r.err(
                "E202",
                f"host number {short(rs.target.text)} is outside {net}",
                rs.target.span,
                f"{net} has hosts .1 to .{net.num_addresses - 2}",
            )
            return None
        if rs.kind is ir.TargetKind.ADDRESS:
            return self.r.address(rs.target)
        entry = self.hosts.get(rs.target.text)
        if entry is None:
            self.r.err(
                "E201",
                f"unknown host `{rs.target.text}`",
                rs.target.span,
                "no such host",
                help=f"declare it: `host {rs.target.text} realserver {{ interface eth0 ADDRESS/PREFIX }}`",
            )
            return None
        iface = entry[1].iface_for(vip)
        if iface is None:
            self.r.err(
                "E220",
                f"host `{rs.target.text}` has no interface on {net}",
                rs.target.span,
                "not on the director's network",
                note="direct routing reaches real servers by MAC address on the director's L2 network",
            )
            return None
        return iface.address.ip

    def _options(self, rs: ir.RealServer, ports: list[int], method: Method) -> int | None:
        """The entry's weight (None: invalid, E113); a port must equal the VIP's in DR (E206)."""
        if rs.port is not None:
            p = self.r.port(rs.port)
            if p is not None and method is Method.DR and any(p != vp for vp in ports):
                self.r.err(
                    "E206",
                    f"direct routing cannot map port {','.join(map(str, ports))} to {p}",
                    rs.port.span,
                    "port differs from the VIP's",
                    note="DR forwards the frame unchanged above L2; ipvsadm silently uses the VIP's port",
                    help="drop the real server port, or make it equal to the VIP port",
                )
        if rs.weight is None:
            return 1
        if 0 <= rs.weight.value <= 65535:
            return rs.weight.value
        self.r.err("E113", f"invalid weight {rs.weight.text}", rs.weight.span, "weights are 0-65535")
        return None
