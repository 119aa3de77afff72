# net/nmconnection.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'net/nmconnection.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_comment = resolve('comment')
    l_0_type = resolve('type')
    l_0_name = resolve('name')
    l_0_dev = resolve('dev')
    l_0_metric = resolve('metric')
    l_0_id = resolve('id')
    l_0_uuid = resolve('uuid')
    l_0_addresses = resolve('addresses')
    l_0_gateway = resolve('gateway')
    l_0_routes = resolve('routes')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# '
    yield str((undefined(name='comment') if l_0_comment is missing else l_0_comment))
    yield '\n# NetworkManager keyfile'
    yield str((' (a loopback profile: NetworkManager 1.42 or later)' if ((undefined(name='type') if l_0_type is missing else l_0_type) == 'loopback') else ''))
    yield ': install as\n# /etc/NetworkManager/system-connections/'
    yield str((undefined(name='name') if l_0_name is missing else l_0_name))
    yield ', owned by root with mode 0600\n# (NetworkManager ignores a keyfile that anyone else may read or write), then `nmcli connection reload`.\n# NetworkManager activates ONE profile per device: when '
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield " has another one (another ldrc\n# cluster's too), set its connection.autoconnect to no, or add these addresses and routes to it\n# instead of installing this file.\n"
    if (undefined(name='metric') if l_0_metric is missing else l_0_metric):
        pass
        yield '# route-metric=0: the metric of `ip route add` and of the script, so these routes are the ones in effect.\n'
    yield '# may-fail=false: the profile counts as up (network-online.target) only with this IPv4 configuration.\n[connection]\nid='
    yield str((undefined(name='id') if l_0_id is missing else l_0_id))
    yield '\nuuid='
    yield str((undefined(name='uuid') if l_0_uuid is missing else l_0_uuid))
    yield '\ntype='
    yield str((undefined(name='type') if l_0_type is missing else l_0_type))
    yield '\ninterface-name='
    yield str((undefined(name='dev') if l_0_dev is missing else l_0_dev))
    yield '\nautoconnect=true\n\n[ipv4]\nmethod=manual\n'
    yield str((undefined(name='addresses') if l_0_addresses is missing else l_0_addresses))
    if (undefined(name='gateway') if l_0_gateway is missing else l_0_gateway):
        pass
        yield 'gateway='
        yield str((undefined(name='gateway') if l_0_gateway is missing else l_0_gateway))
        yield '\n'
    yield str((undefined(name='routes') if l_0_routes is missing else l_0_routes))
    if (undefined(name='metric') if l_0_metric is missing else l_0_metric):
        pass
        yield 'route-metric=0\n'
    yield 'may-fail=false\n'

blocks = {}
debug_info = '1=22&2=24&3=26&4=28&6=30&9=32&14=36&15=38&16=40&17=42&22=44&23=45&24=48&26=50&27=51'
