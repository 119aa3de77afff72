# shell/lvs_rs.sh.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'shell/lvs_rs.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_rs = resolve('rs')
    l_0_cluster = resolve('cluster')
    l_0_sysctls = resolve('sysctls')
    l_0_vip_entries = resolve('vip_entries')
    l_0_routes = resolve('routes')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_3 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '#!/bin/bash\n'
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n#\n# LVS real server '
    yield str(environment.getattr(environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'host'), 'name'))
    yield ' of cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ': direct routing.\n# Serves '
    yield str(t_1(context.eval_ctx, environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'ports'), ', '))
    yield ' on '
    yield str(t_1(context.eval_ctx, t_2(context, environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'vips'), attribute='address'), ', '))
    yield '.\n# Usage: lvs_rs.sh start|stop|status|restart\n#\n#   start    stop answering ARP for the VIPs (arp_ignore/arp_announce), then put\n#            each VIP on lo as a /32, then route replies via the router\n#   stop     remove the VIPs this cluster added from lo; restore the routes and\n#            the sysctl values as they were before, once no other ldrc cluster\n#            on this host needs them (ARP answering is never re-enabled while a\n#            VIP is on lo)\n#   status   compare this host with the configuration; exit 0 when they\n#            match, 3 when they do not\n#   restart  the same as start: converge without removing anything first, so\n#            established connections are not dropped (stop, then start, for a\n#            clean slate)\n# Exit status: 0 done, 1 error (nothing half-done is left unrecorded), 2 usage,\n# 3 status found drift.\n#\n# State: /var/lib/ldrc/'
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield '/'
    yield str(environment.getattr(environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'host'), 'name'))
    yield '.state and /var/lib/ldrc/host.state\n# (the directory is $LDRC_STATE_DIR when set); see the notes at the start of\n# the shared functions below.\n# Install by copying to a temporary name and renaming over the old file\n# (install(1) or `mv`): a running copy keeps reading the file it started with.\nset -euo pipefail\numask 077\n\nreadonly PROG=${0##*/}\nreadonly CLUSTER='
    yield str(t_3((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster)))
    yield '\nreadonly HOST='
    yield str(t_3(environment.getattr(environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'host'), 'name')))
    yield '\nreadonly STATE_ROOT=${LDRC_STATE_DIR:-/var/lib/ldrc}\nreadonly STATE_DIR=${STATE_ROOT}/${CLUSTER}\nreadonly STATE_FILE=${STATE_DIR}/${HOST}.state\nreadonly DEV='
    yield str(t_3(environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'dev')))
    yield '\n\n# arp_ignore=1: answer ARP only for addresses configured on the interface that\n# received the request, so the VIP on lo is never announced on '
    yield str(environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'dev'))
    yield '.\n# arp_announce=2: always use the best local address of the outgoing interface\n# as the ARP source, never the VIP.\n# The kernel uses the larger of "all" and the interface\'s own value\n# (Documentation/networking/ip-sysctl.rst). ARP requests never arrive on lo, so\n# setting only lo does nothing: set "all" and '
    yield str(environment.getattr((undefined(name='rs') if l_0_rs is missing else l_0_rs), 'dev'))
    yield '.\n# (keys as paths under /proc/sys)\nreadonly SYSCTLS=(\n'
    for (l_1__, l_1_v, l_1_path) in (undefined(name='sysctls') if l_0_sysctls is missing else l_0_sysctls):
        _loop_vars = {}
        pass
        yield '  "'
        yield str(l_1_path)
        yield ' '
        yield str(l_1_v)
        yield '"\n'
    l_1__ = l_1_v = l_1_path = missing
    yield ')\n# lo VIP/32 label: a /32, never the RIP\'s prefix, which would break the RIP\'s\n# connected route and put clients "on link".\nreadonly VIPS=(\n'
    yield str((undefined(name='vip_entries') if l_0_vip_entries is missing else l_0_vip_entries))
    yield '\n)\n# destination  via  device: the reply path must name the device, or replies\n# from the VIP could try to leave through lo.\nreadonly ROUTES=(\n'
    for l_1_r in (undefined(name='routes') if l_0_routes is missing else l_0_routes):
        _loop_vars = {}
        pass
        yield '  "'
        yield str(environment.getattr(l_1_r, 'destination'))
        yield ' '
        yield str(environment.getattr(l_1_r, 'via'))
        yield ' '
        yield str(environment.getattr(l_1_r, 'dev'))
        yield '"\n'
    l_1_r = missing
    yield ')\n\n'
    template = environment.get_template('shell/_lib.sh.j2', 'shell/lvs_rs.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    template = environment.get_template('shell/_net.sh.j2', 'shell/lvs_rs.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    template = environment.get_template('shell/_sysctl.sh.j2', 'shell/lvs_rs.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield '\ndo_start() {\n  need_dev "${DEV}"\n  take_lock\n  read_net\n  routes_check\n  # ARP first: a VIP on lo with the default sysctls would answer ARP for it.\n  sysctl_up\n  vips_up\n  routes_up\n  log "real server ${HOST} of cluster ${CLUSTER} is up"\n}\n\ndo_stop() {\n  take_lock\n  read_net\n  # VIPs first, so the host never has the VIP with ARP answering enabled.\n  addr_down_all\n  route_down_all\n  sysctl_down\n  ((!INCOMPLETE)) || die "stopped, except what is reported above: fix it and run stop again"\n  log "real server ${HOST} of cluster ${CLUSTER} is stopped"\n}\n\ndo_status() {\n  local bad=0\n  take_lock\n  read_net\n  sysctls_status || bad=1\n  vips_status || bad=1\n  routes_status || bad=1\n  if ((bad)); then RESULT=3; fi\n}\n\nmain() {\n  local cmd=${1:-}\n  case ${cmd} in\n    start | stop | restart | status) ;;\n    *)\n      printf \'usage: %s start|stop|status|restart\\n\' "${PROG}" >&2\n      exit 2\n      ;;\n  esac\n  need_root "$@"\n  need_cmds ip flock mv\n  case ${cmd} in\n    start | restart) do_start ;;\n    stop) do_stop ;;\n    status) do_status ;;\n    *) die "unreachable: ${cmd}" ;;\n  esac\n}\n\nmain "$@"; exit "${RESULT}"\n'

blocks = {}
debug_info = '2=36&4=38&5=42&22=46&31=50&32=52&36=54&39=56&44=58&47=60&48=64&54=70&59=72&60=76&64=84&65=90&66=96'
