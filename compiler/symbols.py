"""Symbol table: what the check stage proved about a file, typed and located.

The check stage fills it (check.py); the plan stage (planner.py) reads only
this, never the IR. Everything here is valid: an invalid statement is left
out (its diagnostic says why), and a Symbols is only planned without errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address

from .ir import Method, Protocol, Scheduler, Span
from .plan import Dest, Dnat, HealthP, HostP, Iface, SnatP, SpanTuple

# A resolved real server entry of a `vip`: address, owner host, weight (the plan keeps it as is;
# one object per address and weight, the entry's span is VipDecl.member_spans).
Member = Dest


@dataclass(frozen=True, slots=True)
class VipDecl:
    """A valid `vip` statement; ports declared twice (E207) left out."""

    address: IPv4Address
    lan: Iface  # the director's interface on the VIP's network
    protocol: Protocol
    ports: tuple[int, ...]
    scheduler: Scheduler
    flags: tuple[str, ...]  # in bit order
    persistent: int | None
    netmask: IPv4Address | None
    one_packet: bool
    method: Method
    members: tuple[Member, ...]
    member_spans: tuple[SpanTuple, ...]  # the entries' spans, as members
    span: Span = field(compare=False)
    address_span: Span = field(compare=False)
    method_span: Span | None = field(compare=False)
    health: HealthP | None = None  # engine keepalived, with `check`


@dataclass(frozen=True, slots=True)
class RouterDecl:
    host: HostP
    dnats: tuple[Dnat, ...]
    snats: tuple[SnatP, ...]
    forward_drop: bool


@dataclass(frozen=True, slots=True)
class HaDecl:
    """`engine keepalived`: the directors with their VRRP priorities, highest first."""

    directors: tuple[tuple[HostP, int], ...]
    vrid: int
    vrid_fixed: bool
    sync: bool
    advert_cs: int = 100  # `advert`, in centiseconds; a fraction of a second needs VRRPv3
    preempt: bool = True  # False: `preempt off` (keepalived nopreempt)
    preempt_delay: int | None = None  # `preempt delay N`, seconds


@dataclass(frozen=True, slots=True)
class Symbols:
    cluster: str
    source_name: str
    hosts: dict[str, HostP]  # in declaration order
    director: str | None
    vips: tuple[VipDecl, ...]
    router: RouterDecl | None
    ha: HaDecl | None = None
