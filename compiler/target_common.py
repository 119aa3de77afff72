"""Targets, shared: route files, sysctl tuples for templates."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from ipaddress import IPv4Interface

from .plan import HostP, RouteP, Sysctl
from .render import Artifact, Renderer


def route_files(r: Renderer, host: HostP) -> Iterable[Artifact]:
    """RHEL route-<dev> files: the host's routes grouped by device."""
    routes = host.all_routes
    for dev in sorted({x.dev for x in routes}):
        mine = [x for x in routes if x.dev == dev]
        yield Artifact(f"{host.name}/route-{dev}", r.render("net/route.j2", host=host.name, dev=dev, routes=mine))


def sysctl_rows(sysctls: Iterable[Sysctl]) -> list[tuple[str, str, str]]:
    """(key, value, /proc/sys path) rows, as the templates iterate them."""
    return [s.as_tuple() for s in sysctls]


# The directory of the cluster's scripts on a host: every cluster's script has the same name
# (lvs_rs.sh ...), so the unit of each cluster runs its own copy.
SCRIPT_DIR = "/usr/local/lib/ldrc"


def unit_name(cluster: str) -> str:
    """The systemd unit of a cluster on a host: one per cluster, so two never collide."""
    return f"ldrc-{cluster}.service"


def device_unit(dev: str) -> str:
    """The systemd device unit of a network interface (systemd-escape --path, for the
    names ldrc accepts: [A-Za-z][A-Za-z0-9_.-]{0,14}, so never a leading dot)."""
    escaped = "".join(c if c.isalnum() or c in "_." else f"\\x{ord(c):02x}" for c in dev)
    return f"sys-subsystem-net-devices-{escaped}.device"


def unit_file(
    r: Renderer,
    host: HostP,
    role: str,
    script: str,
    reload: str,
    devs: Iterable[str],
    early: bool = False,
    after: tuple[str, ...] = (),
    comments: tuple[str, ...] = (),
) -> Artifact:
    """The host's systemd unit: its script's start at boot, stop at shutdown.

    early (the router): before network-pre.target, so the chains are in place before any
    interface is configured; otherwise after network-online.target. Either way after the
    device units of the interfaces the script needs (its need_dev checks)."""
    devices = " ".join(device_unit(d) for d in sorted(set(devs)))
    if early:
        deps = [("Wants", "network-pre.target"), ("Before", "network-pre.target")]
        order = " ".join(x for x in (devices, *after) if x)
    else:
        deps = [("Wants", "network-online.target")]
        order = " ".join(x for x in ("network-online.target", devices, *after) if x)
    if devices:
        deps.append(("Wants", devices))
    if order:
        deps.append(("After", order))
    unit = unit_name(r.plan.cluster)
    return Artifact(
        f"{host.name}/{unit}",
        r.render(
            "systemd/ldrc.service.j2",
            role=role,
            host=host.name,
            script=script,
            exec=f"{SCRIPT_DIR}/{r.plan.cluster}/{script}",
            unit=unit,
            reload=reload,
            deps=deps,
            comments=comments,
        ),
    )


def _net_devices(
    host: HostP, vips: Iterable[tuple[str, str]], routes: Iterable[RouteP]
) -> Iterable[tuple[str, IPv4Interface | None, list[str], list[RouteP]]]:
    """The devices that get network files, those the script adds a VIP or a route to, in order,
    each as (device, the interface's own address or None, its VIPs, its routes): what both the
    networkd files and the NetworkManager keyfiles of a device hold."""
    vips = list(vips)
    routes = list(routes)
    for dev in sorted({d for d, _ in vips} | {x.dev for x in routes}):
        own = next((i.address for i in host.interfaces if i.name == dev), None)
        yield dev, own, [a for d, a in vips if d == dev], [x for x in routes if x.dev == dev]


def networkd_files(
    r: Renderer, host: HostP, vips: Iterable[tuple[str, str]], routes: Iterable[RouteP]
) -> Iterable[Artifact]:
    """systemd-networkd files for what the host's script adds: per device, a complete
    `80-ldrc-<dev>.network` (the interface's own address) for a link without a .network
    file, and the drop-in `ldrc-<cluster>-<dev>.conf` with the VIPs (dev, address) as /32
    and the routes, which networkd merges into whichever .network file configures the link."""
    cluster = r.plan.cluster
    for dev, own, mine, dev_routes in _net_devices(host, vips, routes):
        base = f"80-ldrc-{dev}.network"
        dropin = f"ldrc-{cluster}-{dev}.conf"
        yield Artifact(
            f"{host.name}/{base}",
            r.render(
                "net/networkd.network.j2",
                dev=dev,
                host=host.name,
                name=base,
                dropin=dropin,
                address="" if own is None else str(own),
            ),
        )
        what = "each VIP as a /32" if mine else ""
        if dev_routes:
            what = f"{what} and the routes" if what else "the routes"
        comment = f"{dev} of {host.name} (cluster {cluster}): {what}, as the script sets them"
        yield Artifact(
            f"{host.name}/{dropin}",
            r.render(
                "net/networkd.conf.j2",
                dev=dev,
                name=dropin,
                base=base,
                comment=comment,
                addresses="".join(f"Address={a}/32\n" for a in mine),
                routes=dev_routes,
            ),
        )


# The namespace of the profiles' UUIDs (uuid5 of "<host>/<profile id>"): the same profile of a host
# keeps its UUID from one compile to the next, and NetworkManager sees it as the same connection.
NM_UUID_NAMESPACE = uuid.UUID("b9fe3c9b-5731-4728-8c2c-98fbf99ad7a0")


def nm_files(
    r: Renderer, host: HostP, script: str, vips: Iterable[tuple[str, str]], routes: Iterable[RouteP]
) -> Iterable[Artifact]:
    """NetworkManager keyfiles for what the host's script adds: per device of networkd_files, ONE
    profile `ldrc-<cluster>-<dev>.nmconnection` (mode 0600: NetworkManager ignores a keyfile others
    may read) holding what networkd's two files for it say together: the interface's own address,
    the VIPs (dev, address) as /32, the default route as ipv4.gateway, the other routes as routeN.
    lo is a loopback profile (NetworkManager 1.42 or later); the kernel keeps 127.0.0.1/8 on it."""
    cluster = r.plan.cluster
    for dev, own, mine, dev_routes in _net_devices(host, vips, routes):
        ident = f"ldrc-{cluster}-{dev}"
        # one line per address, joined here: a director or a real server can carry thousands of VIPs
        addresses = ([str(own)] if own is not None else []) + [f"{a}/32" for a in mine]
        default = next((x for x in dev_routes if x.destination.prefixlen == 0), None)
        others = [x for x in dev_routes if x.destination.prefixlen != 0]
        what = ["its address"] if own is not None else []
        what += ["each VIP as a /32"] if mine else []
        what += [f"the default route via {default.via}"] if default is not None else []
        what += ["the routes"] if others else []
        text = ", ".join(what[:-1]) + (" and " if len(what) > 1 else "") + what[-1]
        yield Artifact(
            f"{host.name}/{ident}.nmconnection",
            r.render(
                "net/nmconnection.j2",
                dev=dev,
                name=f"{ident}.nmconnection",
                comment=f"{dev} of {host.name} (cluster {cluster}): {text}, as {script} sets them",
                id=ident,
                uuid=uuid.uuid5(NM_UUID_NAMESPACE, f"{host.name}/{ident}"),
                type="loopback" if dev == "lo" else "ethernet",
                addresses="".join(f"address{n}={a}\n" for n, a in enumerate(addresses, 1)),
                gateway="" if default is None else str(default.via),
                routes="".join(f"route{n}={x.destination},{x.via}\n" for n, x in enumerate(others, 1)),
                metric=own is not None,
            ),
            0o600,
        )
