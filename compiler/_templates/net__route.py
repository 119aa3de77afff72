# net/route.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'net/route.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_host = resolve('host')
    l_0_dev = resolve('dev')
    l_0_routes = resolve('routes')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Static routes of '
    yield str((undefined(name='host') if l_0_host is missing else l_0_host))
    yield ' on '
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield ' (RHEL network-scripts route-'
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield ',\n# one `ip route add` argument list per line).\n'
    for l_1_r in (undefined(name='routes') if l_0_routes is missing else l_0_routes):
        _loop_vars = {}
        pass
        yield str(('default' if (environment.getattr(environment.getattr(l_1_r, 'destination'), 'prefixlen') == 0) else environment.getattr(l_1_r, 'destination')))
        yield ' via '
        yield str(environment.getattr(l_1_r, 'via'))
        yield ' dev '
        yield str(environment.getattr(l_1_r, 'dev'))
        yield '\n'
    l_1_r = missing

blocks = {}
debug_info = '1=15&2=17&4=23&5=26'
