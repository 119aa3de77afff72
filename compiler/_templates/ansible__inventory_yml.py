# ansible/inventory.yml.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'ansible/inventory.yml.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_cluster = resolve('cluster')
    l_0_group = resolve('group')
    l_0_source = resolve('source')
    l_0_cluster_q = resolve('cluster_q')
    l_0_script_dir_q = resolve('script_dir_q')
    l_0_unit_q = resolve('unit_q')
    l_0_roles = resolve('roles')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Ansible inventory of cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ': every host that ldrc writes files for, grouped\n# by role (realservers, directors, routers; clients are not deployed), all of them in the\n# group '
    yield str((undefined(name='group') if l_0_group is missing else l_0_group))
    yield ". ansible_host is the host's `manage` address; a host without one is\n# reached by its name, as ssh resolves it (~/.ssh/config, /etc/hosts, DNS).\n# Use: ansible-playbook -i inventory.yml site.yml (or `ldrc deploy "
    yield str((undefined(name='source') if l_0_source is missing else l_0_source))
    yield '`).\n---\nall:\n  children:\n    '
    yield str((undefined(name='group') if l_0_group is missing else l_0_group))
    yield ':\n      vars:\n        ldrc_cluster: '
    yield str((undefined(name='cluster_q') if l_0_cluster_q is missing else l_0_cluster_q))
    yield '\n        ldrc_dir: '
    yield str((undefined(name='script_dir_q') if l_0_script_dir_q is missing else l_0_script_dir_q))
    yield '\n        ldrc_unit: '
    yield str((undefined(name='unit_q') if l_0_unit_q is missing else l_0_unit_q))
    yield '\n      children:\n'
    for l_1_role in (undefined(name='roles') if l_0_roles is missing else l_0_roles):
        _loop_vars = {}
        pass
        yield '        '
        yield str(environment.getattr(l_1_role, 'group'))
        yield ':\n          vars:\n            ldrc_script: '
        yield str(environment.getattr(l_1_role, 'script_q'))
        yield '\n            # '
        yield str(environment.getattr(l_1_role, 'probe_comment'))
        yield '\n            ldrc_probe: '
        yield str(environment.getattr(l_1_role, 'probe'))
        yield '\n            ldrc_probe_changes: '
        yield str(environment.getattr(l_1_role, 'changes'))
        yield '\n          hosts:\n'
        for l_2_host in environment.getattr(l_1_role, 'hosts'):
            _loop_vars = {}
            pass
            if environment.getattr(l_2_host, 'manage'):
                pass
                yield '            '
                yield str(environment.getattr(l_2_host, 'name'))
                yield ':\n              ansible_host: '
                yield str(environment.getattr(l_2_host, 'manage'))
                yield '\n'
            else:
                pass
                yield '            '
                yield str(environment.getattr(l_2_host, 'name'))
                yield ': {}\n'
        l_2_host = missing
    l_1_role = missing

blocks = {}
debug_info = '1=19&2=21&4=23&6=25&10=27&12=29&13=31&14=33&16=35&17=39&19=41&20=43&21=45&22=47&24=49&25=52&26=55&27=57&29=62'
