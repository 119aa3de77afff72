# ansible/site.yml.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'ansible/site.yml.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_cluster = resolve('cluster')
    l_0_source = resolve('source')
    l_0_rs_serial = resolve('rs_serial')
    l_0_plays = resolve('plays')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Deploys cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ': ansible-playbook -i inventory.yml site.yml [--check --diff]\n# (or `ldrc deploy '
    yield str((undefined(name='source') if l_0_source is missing else l_0_source))
    yield '`). In the safe order: the real servers first, in batches\n# ('
    yield str((undefined(name='rs_serial') if l_0_rs_serial is missing else l_0_rs_serial))
    yield " by default, -e ldrc_serial=N), so that they hold their VIPs on lo and never answer ARP\n# for them before the director sends them traffic; then the directors one at a time\n# (lowest VRRP priority first: the master last); then the router, which publishes the\n# VIPs. host-tasks.yml installs each host's files, asks its script whether start has\n# anything to do (plan, or status on a real server), starts it only then, and rolls\n# the host back when that fails. A failed host stops the rollout: the later batches\n# and roles are not touched (max_fail_percentage 0).\n---\n"
    l_1_loop = missing
    for l_1_play, l_1_loop in LoopContext((undefined(name='plays') if l_0_plays is missing else l_0_plays), undefined):
        _loop_vars = {}
        pass
        if (not environment.getattr(l_1_loop, 'first')):
            pass
            yield '\n'
        yield '- name: '
        yield str(environment.getattr(l_1_play, 'title'))
        yield '\n  hosts: '
        yield str(environment.getattr(l_1_play, 'pattern'))
        yield '\n  gather_facts: false\n  serial: '
        yield str(environment.getattr(l_1_play, 'serial'))
        yield '\n  max_fail_percentage: 0\n  tags:\n    - '
        yield str(environment.getattr(l_1_play, 'tag'))
        yield '\n  tasks:\n    - name: Install, plan and start, or roll back\n      ansible.builtin.import_tasks: host-tasks.yml\n'
    l_1_loop = l_1_play = missing

blocks = {}
debug_info = '1=16&2=18&3=20&4=22&12=25&13=28&16=32&17=34&19=36&22=38'
