# net/ifcfg.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'net/ifcfg.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_comment = resolve('comment')
    l_0_dev = resolve('dev')
    l_0_name = resolve('name')
    l_0_addresses = resolve('addresses')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# '
    yield str((undefined(name='comment') if l_0_comment is missing else l_0_comment))
    yield '\n# RHEL network-scripts format: one file for the device, every address as IPADDRn/PREFIXn.\nDEVICE='
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield '\nNAME='
    yield str((undefined(name='name') if l_0_name is missing else l_0_name))
    yield '\nBOOTPROTO=none\nONBOOT=yes\n'
    yield str((undefined(name='addresses') if l_0_addresses is missing else l_0_addresses))

blocks = {}
debug_info = '1=16&2=18&4=20&5=22&8=24'
