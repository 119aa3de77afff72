# systemd/ldrc.service.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'systemd/ldrc.service.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_role = resolve('role')
    l_0_host = resolve('host')
    l_0_cluster = resolve('cluster')
    l_0_script = resolve('script')
    l_0_exec = resolve('exec')
    l_0_unit = resolve('unit')
    l_0_comments = resolve('comments')
    l_0_deps = resolve('deps')
    l_0_reload = resolve('reload')
    pass
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# '
    yield str((undefined(name='role') if l_0_role is missing else l_0_role))
    yield ' '
    yield str((undefined(name='host') if l_0_host is missing else l_0_host))
    yield ' of cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ': runs '
    yield str((undefined(name='script') if l_0_script is missing else l_0_script))
    yield ' at boot (start) and at shutdown (stop).\n# Install: the script at '
    yield str((undefined(name='exec') if l_0_exec is missing else l_0_exec))
    yield ' (mode 0755),\n# this file at /etc/systemd/system/'
    yield str((undefined(name='unit') if l_0_unit is missing else l_0_unit))
    yield ', then:\n#   systemctl daemon-reload && systemctl enable '
    yield str((undefined(name='unit') if l_0_unit is missing else l_0_unit))
    yield '\n'
    for l_1_line in (undefined(name='comments') if l_0_comments is missing else l_0_comments):
        _loop_vars = {}
        pass
        yield '# '
        yield str(l_1_line)
        yield '\n'
    l_1_line = missing
    yield '[Unit]\nDescription=ldrc '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ': '
    yield str((undefined(name='role') if l_0_role is missing else l_0_role))
    yield ' '
    yield str((undefined(name='host') if l_0_host is missing else l_0_host))
    yield ' ('
    yield str((undefined(name='script') if l_0_script is missing else l_0_script))
    yield ')\n'
    for (l_1_key, l_1_value) in (undefined(name='deps') if l_0_deps is missing else l_0_deps):
        _loop_vars = {}
        pass
        yield str(l_1_key)
        yield '='
        yield str(l_1_value)
        yield '\n'
    l_1_key = l_1_value = missing
    yield '\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart='
    yield str((undefined(name='exec') if l_0_exec is missing else l_0_exec))
    yield ' start\nExecReload='
    yield str((undefined(name='exec') if l_0_exec is missing else l_0_exec))
    yield ' '
    yield str((undefined(name='reload') if l_0_reload is missing else l_0_reload))
    yield '\nExecStop='
    yield str((undefined(name='exec') if l_0_exec is missing else l_0_exec))
    yield ' stop\n\n[Install]\nWantedBy=multi-user.target\n'

blocks = {}
debug_info = '1=21&2=23&3=31&4=33&5=35&6=37&7=41&10=45&11=53&12=56&18=62&19=64&20=68'
