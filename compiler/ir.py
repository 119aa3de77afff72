"""IR: the typed, position-carrying model of one .ldr file.

The parse stage builds these nodes with raw user values (strings, ints) and
their spans; the check stage validates them and resolves references into the
plan (see plan.py). Spans are excluded from equality so tests can compare IR
without positions.
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


class Role(enum.Enum):
    DIRECTOR = "director"
    REALSERVER = "realserver"
    ROUTER = "router"
    CLIENT = "client"


# Every scheduler of ipvsadm 1.31 (ipvsadm(8), --scheduler), with the
# scheduler flags (-b) that it understands.
SCHEDULERS: dict[str, tuple[str, ...]] = {
    "rr": (),
    "wrr": (),
    "lc": (),
    "wlc": (),
    "lblc": (),
    "lblcr": (),
    "dh": (),
    "sh": ("sh-fallback", "sh-port"),
    "sed": (),
    "nq": (),
    "fo": (),
    "ovf": (),
    "mh": ("mh-fallback", "mh-port"),
}


@dataclass(frozen=True, slots=True)
class Word:
    """A user-written token (name, keyword value) with its position."""

    text: str
    span: Span = field(compare=False)


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
