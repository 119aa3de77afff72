# net/sysctl.conf.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'net/sysctl.conf.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_comments = resolve('comments')
    l_0_sysctls = resolve('sysctls')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n'
    for l_1_line in (undefined(name='comments') if l_0_comments is missing else l_0_comments):
        _loop_vars = {}
        pass
        yield '# '
        yield str(l_1_line)
        yield '\n'
    l_1_line = missing
    for (l_1_k, l_1_v, l_1__) in (undefined(name='sysctls') if l_0_sysctls is missing else l_0_sysctls):
        _loop_vars = {}
        pass
        yield str(l_1_k)
        yield ' = '
        yield str(l_1_v)
        yield '\n'
    l_1_k = l_1_v = l_1__ = missing

blocks = {}
debug_info = '1=14&2=16&3=20&5=23&6=26'
