"""Target `ansible`: an inventory and a playbook that deploy the cluster with Ansible.

Written under `_ansible/` in the output directory, beside the host directories: no host
can be named so (host names have no `_`, check_common.HOST_NAME_RE), so it never meets
a host's files. inventory.yml groups the hosts that get files by role, in the cluster's
group; site.yml has one play per role, in the safe order (real servers in batches, the
directors one at a time, the router), each importing host-tasks.yml. The playbook finds
each host's files in `<its directory>/../<host>/`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from .diagnostics import Diagnostic
from .plan import HostP, Plan
from .render import Artifact, Renderer
from .target_common import SCRIPT_DIR, unit_name
from .text import printable

NAME = "ansible"
SUMMARY = "_ansible/: Ansible inventory (hosts by role, a group for the cluster) and playbook (site.yml)"

DIR = "_ansible"  # not a host name: HOST_NAME_RE has no `_`
RS_SERIAL = "25%"  # real servers per batch, unless -e ldrc_serial=N


def check(plan: Plan) -> list[Diagnostic]:
    return []  # every checked cluster can be deployed


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's form is YAML's): `no`, `1e3` or `null` stay strings."""
    return json.dumps(text)


def group_name(cluster: str) -> str:
    """The cluster's inventory group: Ansible warns about `-` in group names (not a Python identifier)."""
    return "ldrc_" + cluster.replace("-", "_")


@dataclass(frozen=True, slots=True)
class _Role:
    group: str
    tag: str
    title: str
    script: str
    probe: str  # the script command that says whether start has something to do
    changes: int  # its exit status for "yes"
    probe_comment: str
    hosts: tuple[HostP, ...]
    serial: str


def _roles(plan: Plan) -> list[_Role]:
    cluster = plan.cluster
    roles: list[_Role] = []
    if plan.real_servers:
        roles.append(
            _Role(
                "realservers",
                "realservers",
                f"Real servers of cluster {cluster}",
                "lvs_rs.sh",
                "status",
                3,
                "lvs_rs.sh has no plan: status exits 3 when start has something to do",
                tuple(rs.host for rs in plan.real_servers),
                "\"{{ ldrc_serial | default('" + RS_SERIAL + "') }}\"",
            )
        )
    if plan.keepalived is not None:
        # the backups first, the master (the highest priority) last
        directors = tuple(k.director.host for k in reversed(plan.keepalived.directors))
    else:
        directors = (plan.director.host,) if plan.director is not None else ()
    if directors:
        roles.append(
            _Role(
                "directors",
                "directors",
                f"Directors of cluster {cluster}",
                "lvs_dr.sh",
                "plan",
                2,
                "plan exits 2 when start has something to do",
                directors,
                "1",
            )
        )
    if plan.router is not None:
        roles.append(
            _Role(
                "routers",
                "routers",
                f"Router of cluster {cluster}",
                "lvs_router.sh",
                "plan",
                2,
                "plan exits 2 when start has something to do",
                (plan.router.host,),
                "1",
            )
        )
    return roles


def render(r: Renderer, plan: Plan) -> Iterable[Artifact]:
    roles = _roles(plan)
    if not roles:
        return
    cluster = plan.cluster
    group = group_name(cluster)
    source = printable(plan.source_name)  # shown in comments only
    inventory_roles = [
        {
            "group": role.group,
            "script_q": _q(role.script),
            "probe": role.probe,
            "changes": role.changes,
            "probe_comment": role.probe_comment,
            "hosts": [{"name": _q(h.name), "manage": _q(h.manage) if h.manage else ""} for h in role.hosts],
        }
        for role in roles
    ]
    yield Artifact(
        f"{DIR}/inventory.yml",
        r.render(
            "ansible/inventory.yml.j2",
            group=group,
            source=source,
            cluster_q=_q(cluster),
            script_dir_q=_q(f"{SCRIPT_DIR}/{cluster}"),
            unit_q=_q(unit_name(cluster)),
            roles=inventory_roles,
        ),
    )
    plays = [
        {
            "title": role.title,
            "pattern": _q(f"{role.group}:&{group}"),
            "serial": role.serial,
            "tag": role.tag,
        }
        for role in roles
    ]
    yield Artifact(f"{DIR}/site.yml", r.render("ansible/site.yml.j2", plays=plays, source=source, rs_serial=RS_SERIAL))
    yield Artifact(f"{DIR}/host-tasks.yml", r.render("ansible/host-tasks.yml.j2", script_dir=f"{SCRIPT_DIR}/{cluster}"))
