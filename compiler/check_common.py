"""Check stage, shared: the diagnostics list and the checks of single values.

Every check module takes a Reporter; a value that fails its check is reported
here (a code and a span) and comes back as None.
"""

from __future__ import annotations

import enum
import re
from ipaddress import AddressValueError, IPv4Address, IPv4Interface, NetmaskValueError
from typing import TypeVar

from . import ir
from .diagnostics import Diagnostic

# Names reach file names and shell scripts: keep them to strict patterns
# (quoted as well where they are used).
HOST_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
IFACE_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,14}\Z")  # IFNAMSIZ is 16 with the NUL
NET_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}\Z")
RESERVED_IFACE_NAMES = frozenset({"lo", "all", "default"})
# the Ansible inventory's group names (target_ansible): a host so named shadows the group in
# the plays' patterns (`directors:&ldrc_X` then selects that host, not the directors)
RESERVED_HOST_NAMES = frozenset({"all", "ungrouped", "realservers", "directors", "routers"})

E = TypeVar("E", bound=enum.Enum)


def pattern_text(pattern: re.Pattern[str]) -> str:
    return pattern.pattern.removesuffix(chr(92) + "Z")


class Reporter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.diags: list[Diagnostic] = []

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
            f"does not match {pattern_text(pattern)}",
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

    def host_not_reserved(self, w: ir.Word) -> bool:
        if w.text not in RESERVED_HOST_NAMES:
            return True
        self.err(
            "E124",
            f"`{w.text}` is not a host name",
            w.span,
            "reserved",
            note="`all`, `ungrouped`, `realservers`, `directors` and `routers` are groups of the Ansible "
            "inventory: a host so named would take the group's place in the playbook",
            help="rename the host",
        )
        return False

    def port(self, n: ir.Number) -> int | None:
        if 1 <= n.value <= 65535:
            return n.value
        self.err("E112", f"invalid port {n.text}", n.span, "ports are 1-65535")
        return None

    def enum(self, cls: type[E], w: ir.Word, code: str, what: str, choices: str) -> E | None:
        try:
            return cls(w.text)
        except ValueError:
            self.err(code, f"unknown {what} `{w.text}`", w.span, f"not a {what}", help=f"use {choices}")
            return None


def short(text: str) -> str:
    """A user's number as shown in a message: thousands of digits are cut."""
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"


def quiet_address(text: str) -> IPv4Address | None:
    try:
        return IPv4Address(text)
    except AddressValueError:
        return None


def keyword(node: object) -> str:
    """The keyword that starts a host item or vip option, for messages."""
    return {
        ir.Publish: "publish",
        ir.Snat: "snat",
        ir.ForwardPolicy: "forward",
        ir.SchedFlags: "flags",
        ir.Persistent: "persistent",
        ir.Netmask: "netmask",
        ir.OnePacket: "ops",
    }.get(type(node), type(node).__name__.lower())
