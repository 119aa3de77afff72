# net/networkd.conf.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'net/networkd.conf.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_comment = resolve('comment')
    l_0_name = resolve('name')
    l_0_dev = resolve('dev')
    l_0_base = resolve('base')
    l_0_addresses = resolve('addresses')
    l_0_routes = resolve('routes')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# '
    yield str((undefined(name='comment') if l_0_comment is missing else l_0_comment))
    yield '\n# systemd-networkd drop-in: install as /etc/systemd/network/<F>.network.d/'
    yield str((undefined(name='name') if l_0_name is missing else l_0_name))
    yield ', where <F>.network\n# is the file that configures '
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield ' ('
    yield str((undefined(name='base') if l_0_base is missing else l_0_base))
    yield " when ldrc's is used); networkd adds it to that file.\n"
    if (undefined(name='addresses') if l_0_addresses is missing else l_0_addresses):
        pass
        yield '\n[Network]\n'
        yield str((undefined(name='addresses') if l_0_addresses is missing else l_0_addresses))
    for l_1_r in (undefined(name='routes') if l_0_routes is missing else l_0_routes):
        _loop_vars = {}
        pass
        yield '\n[Route]\n'
        if (environment.getattr(environment.getattr(l_1_r, 'destination'), 'prefixlen') != 0):
            pass
            yield 'Destination='
            yield str(environment.getattr(l_1_r, 'destination'))
            yield '\n'
        yield 'Gateway='
        yield str(environment.getattr(l_1_r, 'via'))
        yield '\n'
    l_1_r = missing

blocks = {}
debug_info = '1=18&2=20&3=22&4=24&5=28&8=31&10=32&13=36&14=39&16=42'
