"""Check stage, high availability (`engine keepalived`): the engine, the directors and their
VRRP priorities, the virtual router id, the connection sync, and the `vip` health options.

The script engine (the default) keeps one director (E205); with `engine keepalived` a
cluster may declare several, and what `keepalived -t` accepts but DR or VRRP cannot work
with is reported here: a director off a VIP's network (E226), priority ties (E227), a check
of the wrong protocol (E225), VIPs on more than one network (E229).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from ipaddress import IPv4Network

from . import ir
from .check_common import Reporter
from .check_hosts import Hosts
from .ir import Protocol, Role
from .plan import Dest as Member
from .plan import HealthP, HostP, centiseconds_text
from .symbols import HaDecl, VipDecl

ENGINES = ("script", "keepalived")
CHECK_KINDS = {
    "http": Protocol.TCP,
    "https": Protocol.TCP,
    "tcp": Protocol.TCP,
    "udp": Protocol.UDP,
    "dns": Protocol.UDP,
}
DEFAULT_INTERVAL = 2  # seconds between checks (keepalived delay_loop)
DEFAULT_TIMEOUT = 3  # connect_timeout
DEFAULT_RETRIES = 1  # keepalived retry: further checks after a failure before the server is taken out
MAX_SECONDS = 3600
MAX_RETRIES = 100
FIRST_PRIORITY = 150  # default priorities: 150, 140, 130, ... in order of declaration
PRIORITY_STEP = 10
DEFAULT_ADVERT_CS = 100  # VRRP advertisement interval, in centiseconds (keepalived advert_int 1)
MAX_V2_ADVERT = 255  # VRRPv2 carries whole seconds in 8 bits (RFC 3768)
MAX_V3_ADVERT_CS = 4095  # VRRPv3 carries centiseconds in 12 bits (RFC 5798): 40.95 s
MAX_PREEMPT_DELAY = 1000  # keepalived's preempt_delay range, 0-1000 s


def derived_vrid(cluster: str) -> int:
    """1-255 from the cluster name: the first 4 bytes of its SHA-256, modulo 255, plus 1."""
    return int.from_bytes(hashlib.sha256(cluster.encode()).digest()[:4], "big") % 255 + 1


def engine(r: Reporter, decls: list[ir.Engine]) -> bool:
    """True for `engine keepalived`."""
    found = "script"
    for i, e in enumerate(decls):
        if i:
            r.err("E126", "`engine` is given twice", e.span, "again here")
            continue
        if e.name.text not in ENGINES:
            r.err(
                "E128", f"unknown engine `{e.name.text}`", e.name.span, "not an engine", help="use script or keepalived"
            )
            continue
        found = e.name.text
    return found == "keepalived"


_HA_WORDS: dict[type, str] = {
    ir.Priority: "priority",
    ir.Vrid: "vrid",
    ir.Sync: "sync",
    ir.Advert: "advert",
    ir.Preempt: "preempt",
}


def keepalived_only(r: Reporter, stmts: tuple[ir.Statement, ...]) -> None:
    """`priority`, `vrid`, `sync`, `advert` and `preempt` without `engine keepalived` (E228)."""
    for s in stmts:
        word = _HA_WORDS.get(type(s))
        if word is not None:
            _not_script(r, word, s.span)
        elif isinstance(s, ir.Vip) and s.health:
            word = "check" if isinstance(s.health[0], ir.Check) else _health_word(s.health[0])
            _not_script(r, word, s.health[0].span)


def _not_script(r: Reporter, word: str, span: ir.Span) -> None:
    r.err(
        "E228",
        f"`{word}` needs `engine keepalived`",
        span,
        "the script engine has no VRRP and no health checks",
        help="add the statement `engine keepalived`, or remove this",
    )


def _health_word(o: ir.HealthOption) -> str:
    return {
        ir.Check: "check",
        ir.Interval: "interval",
        ir.CheckTimeout: "timeout",
        ir.Retries: "retries",
        ir.OnFailure: "on-failure",
        ir.Sorry: "sorry",
    }[type(o)]


def directors(r: Reporter, hosts: Hosts, required: bool) -> list[tuple[ir.Host, HostP]]:
    found = [(h, hp) for h, hp in hosts.values() if hp.role is Role.DIRECTOR]
    if not found and required:
        r.err(
            "E205",
            "no director host is declared",
            ir.Span(r.path, 1, 1, 1, 2),
            help="declare one: `host NAME director { interface eth0 ADDRESS/PREFIX }`",
        )
    return found


@dataclass(frozen=True, slots=True)
class _Prio:
    value: int
    span: ir.Span


def ha(
    r: Reporter,
    cluster: str,
    stmts: tuple[ir.Statement, ...],
    found: list[tuple[ir.Host, HostP]],
    hosts: Hosts,
    vips: list[VipDecl],
) -> HaDecl | None:
    prios: dict[str, _Prio] = {}
    for s in stmts:
        if not isinstance(s, ir.Priority):
            continue
        name = s.host.text
        entry = hosts.get(name)
        if entry is None:
            r.err("E201", f"unknown host `{name}`", s.host.span, "no such host")
            continue
        if entry[1].role is not Role.DIRECTOR:
            r.err("E211", f"`{name}` is a {entry[1].role}, not a director", s.host.span, "not a director")
            continue
        if name in prios:
            r.err("E126", f"the priority of `{name}` is given twice", s.span, "again here")
            continue
        if not 1 <= s.value.value <= 254:
            r.err(
                "E118",
                f"invalid priority {s.value.text}",
                s.value.span,
                "VRRP priorities are 1-254",
                note="255 is reserved for the owner of the addresses, and no director owns a VIP",
            )
            continue
        prios[name] = _Prio(s.value.value, s.span)
    ranked: list[tuple[HostP, int]] = []
    seen: dict[int, str] = {}
    for i, (h, hp) in enumerate(found):
        p = prios.get(hp.name) or _Prio(max(1, FIRST_PRIORITY - PRIORITY_STEP * i), h.name.span)
        if p.value in seen:
            r.err(
                "E227",
                f"directors `{seen[p.value]}` and `{hp.name}` have the same priority {p.value}",
                p.span,
                "priority tie",
                note="VRRP breaks a tie by the higher address, so which director is master depends on addressing",
                help="give each director its own priority: `priority HOST N`",
            )
        seen.setdefault(p.value, hp.name)
        ranked.append((hp, p.value))
    ranked.sort(key=lambda x: -x[1])
    vrid, fixed = derived_vrid(cluster), False
    for s in stmts:
        if isinstance(s, ir.Vrid):
            if fixed:
                r.err("E126", "`vrid` is given twice", s.span, "again here")
            elif not 1 <= s.value.value <= 255:
                r.err("E117", f"invalid virtual router id {s.value.text}", s.value.span, "VRRP router ids are 1-255")
            else:
                vrid, fixed = s.value.value, True
    sync: bool | None = None
    for s in stmts:
        if isinstance(s, ir.Sync):
            if sync is not None:
                r.err("E126", "`sync` is given twice", s.span, "again here")
            elif s.value.text not in ("on", "off"):
                r.err(
                    "E130",
                    f"unknown value `{s.value.text}` for `sync`",
                    s.value.span,
                    "not on or off",
                    help="use on or off",
                )
            else:
                sync = s.value.text == "on"
    advert = _advert(r, [s for s in stmts if isinstance(s, ir.Advert)])
    preempt, delay = _preempt(r, [s for s in stmts if isinstance(s, ir.Preempt)])
    _peers(r, found, vips)
    return HaDecl(
        tuple(ranked),
        vrid,
        fixed,
        len(found) > 1 if sync is None else sync and len(found) > 1,
        advert_cs=advert,
        preempt=preempt,
        preempt_delay=delay,
    )


def _advert(r: Reporter, decls: list[ir.Advert]) -> int:
    """The advertisement interval in centiseconds: whole seconds 1-255 (VRRPv2), or a
    fraction 0.01-40.95 (VRRPv3, whose field is centiseconds); E119 otherwise."""
    for s in decls[1:]:
        r.err("E126", "`advert` is given twice", s.span, "again here")
    if not decls:
        return DEFAULT_ADVERT_CS
    w = decls[0].seconds
    whole_text, _, frac = w.text.partition(".")
    frac = frac.rstrip("0")  # 0.50 is 0.5, and 2.0 whole seconds
    whole = ir.number_value(whole_text)
    message = f"invalid advertisement interval {w.text}"
    if not frac:
        if 1 <= whole <= MAX_V2_ADVERT:
            return whole * 100
        r.err(
            "E119",
            message,
            w.span,
            f"whole seconds are 1-{MAX_V2_ADVERT} (VRRPv2)",
            help="a fraction of a second (0.01-40.95, VRRPv3) is written `advert 0.5`",
        )
        return DEFAULT_ADVERT_CS
    cs = whole * 100 + int(frac[:2].ljust(2, "0"))  # rounded down to centiseconds
    if cs > MAX_V3_ADVERT_CS or (cs == MAX_V3_ADVERT_CS and len(frac) > 2):
        r.err(
            "E119",
            message,
            w.span,
            "a fraction needs VRRPv3: at most 40.95 s",
            note="VRRPv3 carries the interval in centiseconds in 12 bits; VRRPv2 whole seconds only",
            help=f"use at most 40.95, or whole seconds (1-{MAX_V2_ADVERT}, VRRPv2)",
        )
    elif len(frac) > 2:
        near = " or ".join(f"`advert {centiseconds_text(c)}`" for c in (cs, cs + 1) if c)
        r.err(
            "E119",
            message,
            w.span,
            "not a multiple of 0.01 s",
            note="a fraction of a second needs VRRPv3, which counts the interval in centiseconds",
            help=f"round it to two decimals: {near}",
        )
    else:
        return cs
    return DEFAULT_ADVERT_CS


def _preempt(r: Reporter, decls: list[ir.Preempt]) -> tuple[bool, int | None]:
    """(preempt, delay): `preempt on` (the default) is (True, None), `preempt off` (False,
    None), `preempt delay N` (True, N)."""
    for s in decls[1:]:
        r.err("E126", "`preempt` is given twice", s.span, "again here")
    if not decls:
        return True, None
    s = decls[0]
    if s.delay is not None:
        if 0 <= s.delay.value <= MAX_PREEMPT_DELAY:
            return True, s.delay.value
        r.err(
            "E119",
            f"invalid preempt delay {s.delay.text}",
            s.delay.span,
            f"keepalived's preempt_delay is 0-{MAX_PREEMPT_DELAY} s",
        )
    elif s.mode.text not in ("on", "off"):
        r.err(
            "E130",
            f"unknown value `{s.mode.text}` for `preempt`",
            s.mode.span,
            "not on, off or delay",
            help="use on, off, or delay SECONDS",
        )
    else:
        return s.mode.text == "on", None
    return True, None


def _peers(r: Reporter, found: list[tuple[ir.Host, HostP]], vips: list[VipDecl]) -> None:
    """Every director has an interface on the VIPs' network (E226); one network only (E229)."""
    nets: dict[IPv4Network, VipDecl] = {}
    for v in vips:
        net = v.lan.address.network
        if net not in nets and nets:
            first = next(iter(nets))
            r.err(
                "E229",
                f"VIP {v.address} is on {net}, another network than the VIPs on {first}",
                v.address_span,
                "second VIP network",
                note="one VRRP instance on one LAN interface carries every VIP of the cluster",
                help=f"put the VIPs on {first}, or make a second cluster",
            )
        nets.setdefault(net, v)
    for net, v in nets.items():
        for h, hp in found:
            iface = hp.iface_for(v.address)
            if iface is None or iface.address.network != net:
                r.err(
                    "E226",
                    f"director `{hp.name}` has no interface on {net}, the network of VIP {v.address}",
                    h.name.span,
                    "not on the VIP's network",
                    note="the directors take the VIP over from each other by ARP and reach the real servers by MAC "
                    "address: they share the VIP's L2 network",
                    help=f"give `{hp.name}` an interface on {net}",
                )


def health(r: Reporter, v: ir.Vip, proto: Protocol | None, sorry: Member | None, keepalived: bool) -> HealthP | None:
    """The service's health check (None without `check`)."""
    if not v.health or not keepalived:
        return None
    seen: set[type] = set()
    check: ir.Check | None = None
    interval, timeout, retries, inhibit = DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES, False
    for o in v.health:
        if type(o) in seen:
            r.err("E126", f"`{_health_word(o)}` is given twice", o.span, "again here")
            continue
        seen.add(type(o))
        if isinstance(o, ir.Check):
            check = o if _check(r, o, proto) else None
        elif isinstance(o, ir.Interval):
            interval = _seconds(r, o.seconds, "interval", 1, MAX_SECONDS) or interval
        elif isinstance(o, ir.CheckTimeout):
            timeout = _seconds(r, o.seconds, "timeout", 1, MAX_SECONDS) or timeout
        elif isinstance(o, ir.Retries):
            n = _seconds(r, o.count, "retries", 0, MAX_RETRIES)
            retries = retries if n is None else n
        elif isinstance(o, ir.OnFailure):
            if o.action.text not in ("remove", "inhibit"):
                r.err(
                    "E130",
                    f"unknown value `{o.action.text}` for `on-failure`",
                    o.action.span,
                    "not remove or inhibit",
                    help="use remove (out of the table) or inhibit (weight 0: persistent clients drain)",
                )
            inhibit = o.action.text == "inhibit"
    if ir.Check not in seen:
        first = v.health[0]
        r.err(
            "E129",
            f"`{_health_word(first)}` without `check`",
            first.span,
            "no health check to configure",
            help="add a check, e.g. `check tcp`",
        )
        return None
    if check is None:
        return None
    kind = check.kind.text
    path = check.path.text if check.path is not None else "/"
    status = check.status.value if check.status is not None else 200
    return HealthP(kind, path, status, interval, timeout, retries, inhibit, sorry)


def _check(r: Reporter, c: ir.Check, proto: Protocol | None) -> bool:
    kind = c.kind.text
    want = CHECK_KINDS.get(kind)
    if want is None:
        r.err("E129", f"unknown check `{kind}`", c.kind.span, "not a check", help="use http, https, tcp, udp or dns")
        return False
    ok = True
    if kind not in ("http", "https"):
        extra = c.path or c.status
        if extra is not None:
            r.err("E129", f"a `{kind}` check takes no path or status", extra.span, "http and https only")
            ok = False
    elif c.status is not None and not 100 <= c.status.value <= 599:
        r.err("E116", f"invalid HTTP status {c.status.text}", c.status.span, "HTTP status codes are 100-599")
        ok = False
    if proto is not None and want is not proto:
        r.err(
            "E225",
            f"a `{kind}` check on a {proto.value} service",
            c.kind.span,
            f"`{kind}` checks {want.value}",
            note="http, https and tcp checks connect over TCP; udp and dns checks send UDP",
            help="use `check udp` or `check dns` for udp services, `check tcp` or `check http` for tcp ones",
        )
        ok = False
    return ok


def _seconds(r: Reporter, n: ir.Number, what: str, low: int, high: int) -> int | None:
    if low <= n.value <= high:
        return n.value
    r.err("E116", f"invalid {what} {n.text}", n.span, f"{what} is {low}-{high}")
    return None
