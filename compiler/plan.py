"""Plan: every decision the targets need, resolved and validated.

The check stage builds a Plan from the IR; templates only lay it out. All
addresses are ipaddress objects; all orders are fixed here, so output is
deterministic.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from .ir import Method, Protocol

_PROTO_NUMBER = {Protocol.TCP: 6, Protocol.UDP: 17}
_METHOD_FLAG = {m: m.ipvsadm_flag for m in Method}


def _c_int_diff(a: int, b: int) -> int:
    """`(int)(a - b)` on 32-bit unsigned values, as libipvs' comparators compute it."""
    d = (a - b) & 0xFFFFFFFF
    return d - 0x100000000 if d & 0x80000000 else d


@dataclass(frozen=True, slots=True)
class Iface:
    name: str
    address: IPv4Interface


@dataclass(frozen=True, slots=True)
class RouteP:
    destination: IPv4Network
    via: IPv4Address
    dev: str


@dataclass(frozen=True, slots=True)
class HostP:
    name: str
    role: str
    interfaces: tuple[Iface, ...]
    gateway: RouteP | None  # destination 0.0.0.0/0
    routes: tuple[RouteP, ...]

    def iface_for(self, address: IPv4Address) -> Iface | None:
        for i in self.interfaces:
            if address in i.address.network:
                return i
        return None


@dataclass(frozen=True, slots=True)
class Dest:
    address: IPv4Address
    port: int
    weight: int
    method: Method
    host: str  # the real server host that owns the address
    text: str  # str(address), computed once: clusters have 100,000s of these

    def save_line(self, service_key: str) -> str:
        """One destination in `ipvsadm -Sn` format (ipvsadm.c, print_service_entry)."""
        return f"-a {service_key} -r {self.text}:{self.port} {_METHOD_FLAG[self.method]} -w {self.weight}"


@dataclass(frozen=True)
class Service:
    vip: IPv4Address
    protocol: Protocol
    port: int
    scheduler: str
    sched_flags: tuple[str, ...]
    persistent: int | None
    netmask: IPv4Address | None
    one_packet: bool
    dests: tuple[Dest, ...]

    @functools.cached_property
    def key(self) -> str:
        return f"{self.protocol.ipvsadm_flag} {self.vip}:{self.port}"

    def save_line(self) -> str:
        """The service in `ipvsadm -Sn` format, in the order ipvsadm prints it.

        ipvsadm 1.31, ipvsadm.c, print_service_entry() with FMT_RULE:
        `-A <svc> -s <sched>`, then ` -p <timeout>` and, for IPv4, ` -M <mask>`
        unless the mask is 255.255.255.255 (both only when persistent), then
        ` --pe <name>` (not generated), ` -o` for one-packet scheduling, and last
        ` -b <flags>` from print_sched_flags() in bit order (sh-fallback before
        sh-port, mh-fallback before mh-port). tests/e2e/matrix.sh round-trips
        every combination through the real kernel.
        """
        parts = [f"-A {self.key} -s {self.scheduler}"]
        if self.persistent is not None:
            parts.append(f"-p {self.persistent}")
            if self.netmask is not None and self.netmask != IPv4Address("255.255.255.255"):
                parts.append(f"-M {self.netmask}")
        if self.one_packet:
            parts.append("-o")
        if self.sched_flags:
            parts.append(f"-b {','.join(self.sched_flags)}")
        return " ".join(parts)

    def save_lines(self) -> list[str]:
        return [self.save_line(), *(d.save_line(self.key) for d in self.sorted_dests())]

    def sorted_dests(self) -> list[Dest]:
        """Destinations in the order `ipvsadm -Sn` lists them (libipvs ipvs_cmp_dests)."""

        ints = [int(d.address) for d in self.dests]
        if not ints or max(ints) - min(ints) < 0x80000000:
            # within 2**31 of each other the C subtraction equals numeric order
            return sorted(self.dests, key=lambda d: (int(d.address), d.port))

        def cmp(a: Dest, b: Dest) -> int:
            return _c_int_diff(int(a.address), int(b.address)) or (a.port - b.port)

        return sorted(self.dests, key=functools.cmp_to_key(cmp))


def sort_services(services: list[Service]) -> tuple[Service, ...]:
    """Services in the order `ipvsadm -Sn` lists them (libipvs ipvs_cmp_services)."""

    ints = [int(s.vip) for s in services]
    if not ints or max(ints) - min(ints) < 0x80000000:
        # within 2**31 of each other the C subtraction equals numeric order
        return tuple(sorted(services, key=lambda s: (_PROTO_NUMBER[s.protocol], int(s.vip), s.port)))

    def cmp(a: Service, b: Service) -> int:
        return (
            _PROTO_NUMBER[a.protocol] - _PROTO_NUMBER[b.protocol]
            or _c_int_diff(int(a.vip), int(b.vip))
            or a.port - b.port
        )

    return tuple(sorted(services, key=functools.cmp_to_key(cmp)))


@dataclass(frozen=True, slots=True)
class VipAddr:
    """A VIP as a host carries it: address, device, alias label."""

    address: IPv4Address
    dev: str
    label: str
    text: str  # str(address)


@dataclass(frozen=True)
class Director:
    host: HostP
    dev: str
    vips: tuple[VipAddr, ...]
    services: tuple[Service, ...]
    persistence: bool

    @functools.cached_property
    def save_text(self) -> str:
        return "".join(line + "\n" for s in self.services for line in s.save_lines())


@dataclass(frozen=True, slots=True)
class RealServerP:
    host: HostP
    dev: str
    vips: tuple[VipAddr, ...]
    ports: tuple[str, ...]  # "tcp/80" ... for messages


@dataclass(frozen=True, slots=True)
class Dnat:
    public: IPv4Address
    protocol: Protocol | None
    ports: tuple[int, ...]
    target: IPv4Address
    in_dev: str
    out_dev: str


@dataclass(frozen=True, slots=True)
class SnatP:
    source: IPv4Network
    to: IPv4Address
    out_dev: str
    in_dev: str | None


@dataclass(frozen=True, slots=True)
class Router:
    host: HostP
    dnats: tuple[Dnat, ...]
    snats: tuple[SnatP, ...]
    forward_drop: bool


@dataclass(frozen=True, slots=True)
class Plan:
    cluster: str
    source_name: str
    hosts: tuple[HostP, ...]
    director: Director | None
    real_servers: tuple[RealServerP, ...]
    router: Router | None
