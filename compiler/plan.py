"""Plan types: every decision the targets need, typed (enums, ipaddress) and located.

planner.py builds a Plan from the checked symbol table; targets only lay it
out. Every node that came from a statement keeps its Span (excluded from
equality), so a target's check can point at the source (E4xx).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from .ir import Method, Protocol, Role, Scheduler, Span

NO_SPAN = Span("", 0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Iface:
    name: str
    address: IPv4Interface
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class RouteP:
    destination: IPv4Network
    via: IPv4Address
    dev: str


@dataclass(frozen=True, slots=True)
class HostP:
    name: str
    role: Role
    interfaces: tuple[Iface, ...]
    gateway: RouteP | None  # destination 0.0.0.0/0
    routes: tuple[RouteP, ...]
    span: Span = field(default=NO_SPAN, compare=False)  # the host's name
    manage: str | None = None  # `manage`: the address Ansible reaches it at (inventory ansible_host)

    def iface_for(self, address: IPv4Address) -> Iface | None:
        for i in self.interfaces:
            if address in i.address.network:
                return i
        return None

    @property
    def all_routes(self) -> tuple[RouteP, ...]:
        """The default route first, then the static routes, as written."""
        return ((self.gateway,) if self.gateway is not None else ()) + self.routes


# A span as a plain tuple (path, line, column, end line, end column): Span(*t) is the Span.
# Where there is one per real server entry, CPython's collector stops tracking these.
SpanTuple = tuple[str, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Dest:
    """A real server of a VIP (the port and method are its services'): one object per
    (address, weight), shared by every entry that lists it; a cluster has 100,000s of
    entries and a few hundred of these. The entries' spans are the Service's dest_spans."""

    address: IPv4Address
    host: str  # the real server host that owns the address
    weight: int
    text: str  # str(address), computed once


@dataclass(frozen=True, slots=True)
class HealthP:
    """A service's health check (engine keepalived)."""

    kind: str  # http, https, tcp, udp, dns
    path: str  # http, https
    status: int  # http, https
    interval: int  # keepalived delay_loop (and delay_before_retry)
    timeout: int  # connect_timeout
    retries: int  # retry
    inhibit: bool  # inhibit_on_failure: weight 0 instead of removal
    sorry: Dest | None  # sorry_server


@dataclass(frozen=True, slots=True)
class Service:
    vip: IPv4Address
    protocol: Protocol
    port: int
    scheduler: Scheduler
    sched_flags: tuple[str, ...]
    persistent: int | None
    netmask: IPv4Address | None
    one_packet: bool
    dests: tuple[Dest, ...]  # as written (shared by the services of one `vip`)
    listed: tuple[Dest, ...]  # the same in the order `ipvsadm -Sn` lists them (libipvs ipvs_cmp_dests)
    method: Method = Method.DR
    span: Span = field(default=NO_SPAN, compare=False)  # the `vip` statement
    method_span: Span | None = field(default=None, compare=False)  # `via METHOD`, when written
    dest_spans: tuple[SpanTuple, ...] = field(default=(), compare=False)  # of the entries, as dests
    health: HealthP | None = None  # engine keepalived

    def dest_span(self, i: int) -> Span:
        """The span of the real server entry dests[i]."""
        return Span(*self.dest_spans[i])


@dataclass(frozen=True, slots=True)
class VipAddr:
    """A VIP as a host carries it: address, device, alias label."""

    address: IPv4Address
    dev: str
    label: str
    text: str  # str(address)
    span: Span = field(default=NO_SPAN, compare=False)  # the VIP's address in its first `vip`


@dataclass(frozen=True, slots=True)
class Sysctl:
    """One kernel setting: the sysctl.d key (dotted, or slashed when a part has a dot,
    as sysctl(8) reads both), its value and its path under /proc/sys."""

    key: str
    value: str
    path: str

    @classmethod
    def of(cls, parts: tuple[str, ...], value: str) -> Sysctl:
        key = "/".join(parts) if any("." in p for p in parts) else ".".join(parts)
        return cls(key, value, "/".join(parts))

    def as_tuple(self) -> tuple[str, str, str]:
        return (self.key, self.value, self.path)


@dataclass(frozen=True, slots=True)
class Director:
    host: HostP
    dev: str
    vips: tuple[VipAddr, ...]
    services: tuple[Service, ...]  # in the order `ipvsadm -Sn` lists them
    persistence: bool
    sysctls: tuple[Sysctl, ...]
    rs_hosts: tuple[tuple[str, str], ...]  # (real server host, one of its addresses), by name


@dataclass(frozen=True, slots=True)
class RealServerP:
    host: HostP
    dev: str
    vips: tuple[VipAddr, ...]
    ports: tuple[str, ...]  # "tcp/80" ... for messages
    sysctls: tuple[Sysctl, ...]


@dataclass(frozen=True, slots=True)
class Dnat:
    public: IPv4Address
    protocol: Protocol | None
    ports: tuple[int, ...]
    target: IPv4Address
    in_dev: str
    out_dev: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class SnatP:
    source: IPv4Network
    to: IPv4Address
    out_dev: str
    in_dev: str | None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class Chain:
    """One of ldrc's own iptables chains and the built-in chain that jumps to it."""

    table: str
    builtin: str
    name: str
    wanted: bool


@dataclass(frozen=True, slots=True)
class Router:
    host: HostP
    dnats: tuple[Dnat, ...]
    snats: tuple[SnatP, ...]
    forward_drop: bool
    chains: dict[str, Chain]  # "dnat", "snat", "fwd"
    # `forward drop` scope: (match in, match out, what) for each LAN device and routed network
    scope: tuple[tuple[str, str, str], ...]
    devs: tuple[str, ...]  # every device the rules name
    sysctls: tuple[Sysctl, ...]


@dataclass(frozen=True, slots=True)
class KeepalivedDirector:
    """One director of an `engine keepalived` cluster: its VRRP instance and its script."""

    director: Director  # host, LAN device, VIPs, services (shared), sysctls
    priority: int
    src: IPv4Address  # its own address on the LAN (unicast_src_ip)
    peers: tuple[IPv4Address, ...]  # the other directors' addresses on the LAN (unicast_peer)


def centiseconds_text(cs: int) -> str:
    """Seconds as keepalived reads them: 100 -> 1, 50 -> 0.5, 25 -> 0.25, 250 -> 2.5."""
    whole, frac = divmod(cs, 100)
    return f"{whole}.{frac:02d}".rstrip("0") if frac else str(whole)


@dataclass(frozen=True, slots=True)
class Keepalived:
    directors: tuple[KeepalivedDirector, ...]  # highest priority first
    vrid: int
    vrid_fixed: bool  # `vrid N`; else derived from the cluster name
    sync: bool  # lvs_sync_daemon
    instance: str  # the vrrp_instance name
    advert_cs: int = 100  # advert_int in centiseconds; not a whole second: VRRPv3
    preempt: bool = True  # False: nopreempt (`preempt off`)
    preempt_delay: int | None = None  # preempt_delay (`preempt delay N`)

    @property
    def vrrp_version(self) -> int:
        """2, unless the interval is a fraction of a second, which only VRRPv3 carries."""
        return 2 if self.advert_cs % 100 == 0 else 3

    @property
    def all_backup(self) -> bool:
        """Every director starts as BACKUP: keepalived ignores nopreempt and preempt_delay
        in state MASTER."""
        return not self.preempt or self.preempt_delay is not None


@dataclass(frozen=True, slots=True)
class Plan:
    cluster: str
    source_name: str
    hosts: tuple[HostP, ...]
    director: Director | None  # the script engine's one director
    real_servers: tuple[RealServerP, ...]
    router: Router | None
    keepalived: Keepalived | None = None  # engine keepalived: the directors
