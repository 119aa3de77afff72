"""Check stage, cluster-wide statements: `cluster NAME` and `network NAME CIDR`."""

from __future__ import annotations

from ipaddress import IPv4Network
from pathlib import PurePath

from . import ir
from .check_common import NET_NAME_RE, Reporter, pattern_text


def cluster_name(r: Reporter, decls: list[ir.ClusterName]) -> str:
    for extra in decls[1:]:
        r.err("E204", "the cluster is named twice", extra.span, "second `cluster`", help="keep one `cluster NAME`")
    if decls:
        w = decls[0].name
        return w.text if r.name(w, NET_NAME_RE, "cluster") else "cluster"
    # The name keys the hosts' state (/var/lib/ldrc/<cluster>/): two clusters
    # must never share it, so a name that cannot be derived is an error.
    stem = PurePath(r.path).stem
    if NET_NAME_RE.match(stem):
        return stem
    shown = PurePath(r.path).name.encode("unicode_escape").decode("ascii")
    r.err(
        "E224",
        f"the file name `{shown}` gives no valid cluster name",
        ir.Span(r.path, 1, 1, 1, 2),
        "no `cluster` statement",
        note="the cluster name keys each host's state (/var/lib/ldrc/<cluster>/); without a `cluster` "
        f"statement it is the file name without `.ldr`, which must match {pattern_text(NET_NAME_RE)}",
        help="name the cluster: `cluster NAME` (letters, digits, `_`, `-`)",
    )
    return "cluster"


def networks(r: Reporter, decls: list[ir.Network]) -> dict[str, IPv4Network]:
    out: dict[str, IPv4Network] = {}
    spans: dict[str, ir.Span] = {}
    for n in decls:
        ok = r.name(n.name, NET_NAME_RE, "network")
        net = r.cidr(n.cidr, network=True)
        if n.name.text in out or n.name.text in spans:
            r.err("E204", f"network `{n.name.text}` is declared twice", n.name.span, "declared again here")
            continue
        spans[n.name.text] = n.name.span
        if ok and net is not None:
            out[n.name.text] = net.network
    return out
