"""The templates' generated Python (compiler/_templates/) is what jinja2 compiles from templates/
(python -m compiler.template_code --write), it is what ldrc loads, and it renders what the
sources render."""

from __future__ import annotations

import pytest
from conftest import ROOT

from compiler import api, render
from compiler.resources import resource_dir
from compiler.template_code import PrecompiledLoader, generated_sources

GENERATED = ROOT / "compiler" / "_templates"


def test_shipped_template_code_is_the_templates() -> None:
    wanted = generated_sources(render.source_environment(), resource_dir("templates"))
    shipped = {p.name: p.read_text(encoding="utf-8") for p in GENERATED.glob("*.py")}
    assert shipped == wanted, "stale compiler/_templates/: python -m compiler.template_code --write"


def test_the_generated_code_is_loaded() -> None:
    env = render._env()
    assert isinstance(env.loader, PrecompiledLoader) and env.loader.modules
    for name in env.loader.modules:
        filename = env.get_template(name).filename
        assert filename is not None and filename.startswith(str(GENERATED)), name


def test_source_and_generated_render_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "examples" / "seed-lab.ldr").read_text(encoding="utf-8")
    generated = api.compile_source(text, "seed-lab.ldr")
    monkeypatch.setattr(render, "_env", render.source_environment)
    from_source = api.compile_source(text, "seed-lab.ldr")
    assert generated.artifacts and generated.artifacts == from_source.artifacts
