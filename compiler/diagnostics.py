"""Diagnostics: user errors as values, and their three printed forms.

Codes: E1xx syntax, E2xx model, W3xx suspicious but valid, E4xx a target
cannot express the model, E9xx internal. Each code has a slug and a short
explanation (``ldrc explain CODE``).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .ir import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    slug: str
    explanation: str


def _c(code: str, slug: str, explanation: str) -> Code:
    return Code(code, slug, explanation)


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        _c("E101", "unexpected-token", "The parser met a token that cannot stand here."),
        _c("E102", "unexpected-character", "The input has a character that no token of the language starts with."),
        _c("E103", "unexpected-eof", "The file ends in the middle of a statement."),
        _c("E110", "invalid-address", "An IPv4 address must be four decimal octets 0-255, e.g. 192.168.50.100."),
        _c(
            "E111", "invalid-cidr", "A CIDR is an IPv4 address, a slash and a prefix length 0-32, e.g. 192.168.50.0/24."
        ),
        _c("E112", "invalid-port", "Ports are 1 to 65535."),
        _c("E113", "invalid-weight", "IPVS weights are 0 to 65535 (ipvsadm(8) -w)."),
        _c("E114", "invalid-timeout", "A persistence timeout is 1 to 2678400 seconds (ipvsadm(8) -p)."),
        _c("E115", "invalid-netmask", "A persistence netmask is a contiguous IPv4 mask such as 255.255.255.0."),
        _c(
            "E120",
            "unknown-scheduler",
            "The scheduler must be one of ipvsadm 1.31's: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh.",
        ),
        _c("E121", "unknown-protocol", "A service's protocol is tcp or udp."),
        _c("E122", "unknown-method", "The forwarding method is dr (gatewaying), tun (IP-in-IP) or nat (masquerading)."),
        _c(
            "E123",
            "unknown-sched-flag",
            "Scheduler flags exist only for sh (sh-fallback, sh-port) and mh (mh-fallback, mh-port).",
        ),
        _c(
            "E124",
            "invalid-name",
            "Host, network, cluster and interface names reach shell scripts and file names, so they follow strict patterns.",
        ),
        _c("E125", "unknown-role", "A host's role is director, realserver, router or client."),
        _c("E126", "duplicate-option", "Each service option (flags, persistent, netmask, ops) may be given once."),
        _c("E127", "unknown-policy", "The router's forward policy is accept or drop."),
        _c(
            "E201",
            "unknown-host",
            "A real server named by host name must be declared with `host NAME realserver { ... }`.",
        ),
        _c(
            "E202",
            "bad-host-suffix",
            "`.N` means host number N on the network the VIP lives on; that network must be declared or implied by an interface, and N must fall inside it.",
        ),
        _c(
            "E203",
            "rs-not-on-director-network",
            "Direct routing rewrites only the destination MAC address, so every real server must share an L2 network with the director.",
        ),
        _c("E204", "duplicate-name", "Every host, network and interface of a host has one name."),
        _c("E205", "director-count", "A cluster has exactly one director host (several VIPs may share it)."),
        _c(
            "E206",
            "dr-port-remap",
            "In direct routing the packet is not rewritten above L2, so a real server's port must equal the VIP's port; ipvsadm would silently force it.",
        ),
        _c("E207", "duplicate-service", "A VIP, protocol and port combination can be declared once."),
        _c("E208", "duplicate-real-server", "A real server appears twice in one service."),
        _c("E209", "director-as-real-server", "The director cannot be a real server of its own VIP in this model."),
        _c("E210", "vip-is-host-address", "A VIP must not be some host's own interface address."),
        _c("E211", "not-a-real-server", "The host named as a real server has another role."),
        _c("E212", "interface-not-found", "An address refers to a host that has no interface on the needed network."),
        _c("E213", "publish-unknown-vip", "The router publishes to an address or port that no VIP serves."),
        _c("E214", "gateway-off-link", "A gateway or route next hop must be on one of the host's interface networks."),
        _c("E215", "sched-flags-unsupported", "Scheduler flags were given for a scheduler that has none."),
        _c("E216", "ops-on-tcp", "One-packet scheduling (ops) is for UDP only."),
        _c("E217", "all-weights-zero", "With weight 0 on every real server, nothing can be served."),
        _c("E218", "no-snat-source", "A router SNAT names a network that is not declared."),
        _c("E219", "netmask-without-persistence", "A persistence netmask needs `persistent`."),
        _c(
            "E220",
            "real-server-without-vip-network",
            "A real server has no interface on the director's network, so it cannot take the VIP traffic.",
        ),
        _c("E221", "router-count", "A cluster has at most one router host."),
        _c("E222", "address-conflict", "Two interfaces declare the same address."),
        _c(
            "W301",
            "rs-gateway-not-router",
            "A real server's default gateway is not the router: replies would bypass the router's NAT.",
        ),
        _c("W302", "equal-weights", "A weighted scheduler with all weights equal behaves like its unweighted twin."),
        _c(
            "W303",
            "no-real-server-gateway",
            "A real server has no default gateway: its replies to clients off the LAN have nowhere to go.",
        ),
        _c("E401", "method-unsupported", "The targets of this version generate direct routing (dr) only."),
        _c("E901", "internal-error", "ldrc itself failed. Please report it with the input that caused it."),
    )
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    label: str = ""
    note: str = ""
    help: str = ""

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.code.startswith("W") else Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.column, self.code)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=Diagnostic.sort_key)


def format_concise(d: Diagnostic) -> str:
    return f"{d.span}: {d.severity.value}: {d.message} [{d.code}]"


def format_full(d: Diagnostic, source: str | None) -> str:
    """rustc-style: header, location, the source line with carets, note, help."""
    out = [f"{d.severity.value}[{d.code}]: {d.message}", f" --> {d.span}"]
    lines = source.splitlines() if source is not None else []
    if 1 <= d.span.line <= len(lines):
        text = lines[d.span.line - 1].expandtabs(1)
        width = len(str(d.span.line))
        pad = " " * width
        end = d.span.end_column if d.span.end_line == d.span.line else len(text) + 1
        carets = "^" * max(1, end - d.span.column)
        out += [
            f"{pad} |",
            f"{d.span.line} | {text}",
            f"{pad} | {' ' * (d.span.column - 1)}{carets}{' ' + d.label if d.label else ''}",
            f"{pad} |",
        ]
    if d.note:
        out.append(f"  = note: {d.note}")
    if d.help:
        out.append(f"  = help: {d.help}")
    return "\n".join(out)


def format_json(diags: Sequence[Diagnostic]) -> str:
    return json.dumps(
        [
            {
                "code": d.code,
                "slug": CODES[d.code].slug if d.code in CODES else "",
                "severity": d.severity.value,
                "message": d.message,
                "file": d.span.path,
                "line": d.span.line,
                "column": d.span.column,
                "end_line": d.span.end_line,
                "end_column": d.span.end_column,
                "label": d.label,
                "note": d.note,
                "help": d.help,
            }
            for d in diags
        ],
        indent=2,
    )
