"""IR: the typed, position-carrying model of one .ldr file.

The parse stage builds these nodes with the user's text (Word, Number) and
its spans; the check stage validates them into typed values (the enums
below, ipaddress objects) in a symbol table (symbols.py). Spans are excluded
from equality so tests can compare IR without positions. Role and Scheduler
are StrEnums: their members equal their names (`Role.ROUTER == "router"`),
so they print as the user wrote them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    """A 1-based source region: line/column of the first and past-the-last character.

    A NamedTuple rather than a frozen dataclass: immutable all the same, and
    three times cheaper to build; a 10,000-VIP file has 250,000 spans.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Protocol(enum.Enum):
    TCP = "tcp"
    UDP = "udp"

    @property
    def ipvsadm_flag(self) -> str:
        return "-t" if self is Protocol.TCP else "-u"


class Method(enum.Enum):
    """Forwarding method, ipvsadm(8): -g gatewaying, -i ipip, -m masquerading."""

    DR = "dr"
    TUN = "tun"
    NAT = "nat"

    @property
    def ipvsadm_flag(self) -> str:
        return {"dr": "-g", "tun": "-i", "nat": "-m"}[self.value]


class Role(enum.StrEnum):
    DIRECTOR = "director"
    REALSERVER = "realserver"
    ROUTER = "router"
    CLIENT = "client"


class Scheduler(enum.StrEnum):
    """Every scheduler of ipvsadm 1.31 (ipvsadm(8), --scheduler)."""

    RR = "rr"
    WRR = "wrr"
    LC = "lc"
    WLC = "wlc"
    LBLC = "lblc"
    LBLCR = "lblcr"
    DH = "dh"
    SH = "sh"
    SED = "sed"
    NQ = "nq"
    FO = "fo"
    OVF = "ovf"
    MH = "mh"

    @property
    def flags(self) -> tuple[str, ...]:
        """The scheduler flags (-b) it understands, in bit order (the order ipvsadm prints them)."""
        return _SCHED_FLAGS.get(self, ())

    @property
    def unweighted(self) -> Scheduler | None:
        """wrr and wlc with equal weights behave like rr and lc (W302)."""
        return {Scheduler.WRR: Scheduler.RR, Scheduler.WLC: Scheduler.LC}.get(self)


_SCHED_FLAGS = {Scheduler.SH: ("sh-fallback", "sh-port"), Scheduler.MH: ("mh-fallback", "mh-port")}

# name -> flags, for tools that iterate over the schedulers (tests/e2e/hostile/matrix.py)
SCHEDULERS: dict[str, tuple[str, ...]] = {s.value: s.flags for s in Scheduler}


@dataclass(frozen=True, slots=True)
class Word:
    """A user-written token (name, keyword value) with its position."""

    text: str
    span: Span = field(compare=False)


# Above every valid value of every numeric field (ports, weights, timeouts): the
# checks then report a number with more digits as out of range (E112, E113,
# E114, ...) with its text, and int() never sees thousands of digits (Python
# refuses more than 4,300, and the conversion is quadratic below that).
HUGE = 10**12
_MAX_DIGITS = 12


def number_value(text: str) -> int:
    """The value of a number token: leading zeros do not count (0080 is 80); HUGE when too long."""
    digits = text.lstrip("0")
    return int(digits or "0") if len(digits) <= _MAX_DIGITS else HUGE


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    text: str
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ClusterName:
    name: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Network:
    name: Word
    cidr: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Interface:
    name: Word
    cidr: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Gateway:
    address: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Route:
    destination: Word
    via: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Publish:
    """Router DNAT: `public` (optionally only `protocol` `ports`) -> `target`."""

    public: Word
    protocol: Word | None
    ports: tuple[Number, ...]
    target: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Snat:
    source: Word
    to: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ForwardPolicy:
    policy: Word
    span: Span = field(compare=False)


HostItem = Interface | Gateway | Route | Publish | Snat | ForwardPolicy


@dataclass(frozen=True, slots=True)
class Host:
    name: Word
    role: Word
    items: tuple[HostItem, ...]
    span: Span = field(compare=False)


class TargetKind(enum.Enum):
    SUFFIX = "suffix"  # `.22`: a host number on the VIP's network
    ADDRESS = "address"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class RealServer:
    kind: TargetKind
    target: Word
    port: Number | None
    weight: Number | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class SchedFlags:
    flags: tuple[Word, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Persistent:
    timeout: Number | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Netmask:
    mask: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class OnePacket:
    span: Span = field(compare=False)


VipOption = SchedFlags | Persistent | Netmask | OnePacket


@dataclass(frozen=True, slots=True)
class Vip:
    address: Word
    protocol: Word
    ports: tuple[Number, ...]
    scheduler: Word
    options: tuple[VipOption, ...]
    real_servers: tuple[RealServer, ...]
    method: Word | None
    span: Span = field(compare=False)


Statement = ClusterName | Network | Host | Vip


@dataclass(frozen=True, slots=True)
class Module:
    """One parsed .ldr file."""

    path: str
    statements: tuple[Statement, ...]
