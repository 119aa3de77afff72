# net/networkd.network.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'net/networkd.network.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_dev = resolve('dev')
    l_0_host = resolve('host')
    l_0_name = resolve('name')
    l_0_cluster = resolve('cluster')
    l_0_dropin = resolve('dropin')
    l_0_address = resolve('address')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# '
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield ' of '
    yield str((undefined(name='host') if l_0_host is missing else l_0_host))
    yield ': a complete systemd-networkd file for a link that has none of its own.\n# Install: /etc/systemd/network/'
    yield str((undefined(name='name') if l_0_name is missing else l_0_name))
    yield '; cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield "'s addresses and routes are\n# in its drop-in "
    yield str((undefined(name='dropin') if l_0_dropin is missing else l_0_dropin))
    yield ', installed as /etc/systemd/network/'
    yield str((undefined(name='name') if l_0_name is missing else l_0_name))
    yield '.d/'
    yield str((undefined(name='dropin') if l_0_dropin is missing else l_0_dropin))
    yield '.\n# networkd applies ONE .network file per link (the first that matches, in lexical order of the\n# file names): when '
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield " has a .network file already, do not install this one; install the\n# drop-in in that file's .network.d/ directory instead.\n[Match]\nName="
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield '\n'
    if (undefined(name='address') if l_0_address is missing else l_0_address):
        pass
        yield '\n[Network]\nAddress='
        yield str((undefined(name='address') if l_0_address is missing else l_0_address))
        yield '\n'

blocks = {}
debug_info = '1=18&2=20&3=24&4=28&6=34&9=36&10=38&13=41'
