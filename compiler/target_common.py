"""Targets, shared: route files, sysctl tuples for templates."""

from __future__ import annotations

from collections.abc import Iterable

from .plan import HostP, Sysctl
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
