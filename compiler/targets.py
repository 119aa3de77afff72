"""Targets: the one ordered registry of artifact kinds, and the stage entry points.

Each target module has NAME, SUMMARY, check(plan) -> E4xx diagnostics (what
it cannot express) and render(renderer, plan) -> artifacts (templates only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import target_ansible, target_director, target_keepalived, target_realserver, target_router
from .diagnostics import Diagnostic
from .plan import Plan
from .render import Artifact, Renderer

__all__ = ["Artifact", "TARGETS", "Target", "check", "render"]


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    summary: str
    check: Callable[[Plan], list[Diagnostic]]
    render: Callable[[Renderer, Plan], Iterable[Artifact]]


TARGETS: tuple[Target, ...] = tuple(
    Target(m.NAME, m.SUMMARY, m.check, m.render)
    for m in (target_director, target_keepalived, target_realserver, target_router, target_ansible)
)


def check(plan: Plan) -> list[Diagnostic]:
    return [d for t in TARGETS for d in t.check(plan)]


def render(plan: Plan, stamp: str) -> list[Artifact]:
    r = Renderer(plan, stamp)
    return sorted((a for t in TARGETS for a in t.render(r, plan)), key=lambda a: a.path)
