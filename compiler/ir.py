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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload


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


@dataclass(frozen=True, slots=True)
class Manage:
    """`manage ADDRESS`: where Ansible reaches the host (an IPv4 address or a DNS name)."""

    address: Word
    span: Span = field(compare=False)


HostItem = Interface | Gateway | Route | Publish | Snat | ForwardPolicy | Manage


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


_TARGET_KINDS = {k.value: k for k in TargetKind}


@dataclass(frozen=True, slots=True)
class RealServer:
    kind: TargetKind
    target: Word
    port: Number | None
    weight: Number | None
    span: Span = field(compare=False)


# One real server entry of a one-line `vip`, as parse_fast stores it: target kind
# ("suffix", "address", "name"), target text and column, port text and column (or
# None, 0), weight text and column (or None, 0), and the column past the entry.
PackedServer = tuple[str, str, int, str | None, int, str | None, int, int]


class PackedServers(Sequence[RealServer]):
    """The real servers of a one-line `vip`: one plain tuple of atomic values per entry.

    CPython's garbage collector stops tracking a plain tuple of strings and ints,
    while every RealServer, Word, Number and Span is an object each full
    collection rescans: a 10,000-VIP file has 100,000 entries, alive from the
    parse to the end of the check. The RealServer objects are built on access
    (the check reads each entry once) and die young. A sequence equal to, and
    printed as, the tuple of RealServer the other parse path builds.
    """

    __slots__ = ("path", "line", "rows")

    def __init__(self, path: str, line: int, rows: tuple[PackedServer, ...]) -> None:
        self.path = path
        self.line = line
        self.rows = rows

    def _build(self, row: PackedServer) -> RealServer:
        kind, text, col, port_text, port_col, weight_text, weight_col, end = row
        path, line = self.path, self.line
        word = Word(text, Span(path, line, col, line, col + len(text)))
        port = weight = None
        if port_text is not None:
            port = Number(
                number_value(port_text), port_text, Span(path, line, port_col, line, port_col + len(port_text))
            )
        if weight_text is not None:
            weight = Number(
                number_value(weight_text),
                weight_text,
                Span(path, line, weight_col, line, weight_col + len(weight_text)),
            )
        span = word.span if port is None and weight is None else Span(path, line, col, line, end)
        return RealServer(_TARGET_KINDS[kind], word, port, weight, span)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, i: int) -> RealServer: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[RealServer, ...]: ...

    def __getitem__(self, i: int | slice) -> RealServer | tuple[RealServer, ...]:
        if isinstance(i, slice):
            return tuple(map(self._build, self.rows[i]))
        return self._build(self.rows[i])

    def __iter__(self) -> Iterator[RealServer]:
        return map(self._build, self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedServers | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


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
class Check:
    """`check KIND [PATH] [status N]`: the health check of a service's real servers."""

    kind: Word
    path: Word | None
    status: Number | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Interval:
    seconds: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class CheckTimeout:
    seconds: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Retries:
    count: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class OnFailure:
    action: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Sorry:
    kind: TargetKind
    target: Word
    span: Span = field(compare=False)


HealthOption = Check | Interval | CheckTimeout | Retries | OnFailure | Sorry


@dataclass(frozen=True, slots=True)
class Vip:
    address: Word
    protocol: Word
    ports: tuple[Number, ...]
    scheduler: Word
    options: tuple[VipOption, ...]
    real_servers: Sequence[RealServer]  # a tuple, or PackedServers (parse_fast)
    method: Word | None
    span: Span = field(compare=False)
    health: tuple[HealthOption, ...] = ()  # after the real servers (parse_fast reads none)


@dataclass(frozen=True, slots=True)
class Engine:
    """`engine NAME`: how the directors are run (script, keepalived)."""

    name: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Priority:
    """`priority HOST N`: a director's VRRP priority."""

    host: Word
    value: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Vrid:
    value: Number
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Sync:
    """`sync on|off`: the IPVS connection sync daemon between the directors."""

    value: Word
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Advert:
    """`advert SECONDS`: the VRRP advertisement interval; a fraction of a second needs VRRPv3."""

    seconds: Word  # as written (`1`, `0.25`): check reads it, in centiseconds
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Preempt:
    """`preempt on|off` or `preempt delay N`: whether, and when, a returning director of
    higher priority takes the VIPs back from the master."""

    mode: Word  # on, off, or the keyword delay
    delay: Number | None  # the seconds of `preempt delay N`
    span: Span = field(compare=False)


Statement = ClusterName | Network | Host | Vip | Engine | Priority | Vrid | Sync | Advert | Preempt


@dataclass(frozen=True, slots=True)
class Module:
    """One parsed .ldr file."""

    path: str
    statements: tuple[Statement, ...]
