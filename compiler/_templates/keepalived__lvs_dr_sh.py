# keepalived/lvs_dr.sh.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'keepalived/lvs_dr.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_d = resolve('d')
    l_0_cluster = resolve('cluster')
    l_0_routes = resolve('routes')
    l_0_sysctls = resolve('sysctls')
    l_0_conf = resolve('conf')
    l_0_rules = resolve('rules')
    try:
        t_1 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '#!/bin/bash\n'
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n#\n# LVS director '
    yield str(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'host'), 'name'))
    yield ' of cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ", engine keepalived: keepalived owns\n# the VIPs (VRRP) and the IPVS table (with the health checks); this script installs its\n# configuration and sets what the director needs outside keepalived (routes, sysctls).\n# Usage: lvs_dr.sh start|reload|plan|status|stop|restart\n#\n#   start, reload, restart\n#            set the routes and sysctls, then install keepalived.conf (embedded at\n#            the end of this file) at $LDRC_KEEPALIVED_CONF (default\n#            /etc/keepalived/keepalived.conf): written beside it, validated with\n#            `keepalived -t -f` before anything changes (rejected: nothing is\n#            changed), renamed over it, then keepalived reloads it (`systemctl\n#            reload keepalived` under systemd, else SIGHUP to the pid in\n#            /run/keepalived.pid, $LDRC_KEEPALIVED_PID; started when it is not\n#            running), only when it does not run this configuration already. A\n#            reload keeps the IPVS connections: keepalived changes only what differs.\n#   plan     print what start would change; exit 0 when nothing, 2 when something\n#   status   routes, sysctls, the installed configuration, keepalived running, this\n#            director's VRRP role (does it hold the VIPs), and the IPVS table against\n#            the configured one: the real servers keepalived took out (failed checks)\n#            or set to weight 0 (inhibit_on_failure); exit 0 ok, 3 drift\n#   stop     stop keepalived and wait until it has exited (it removes its VIPs and\n#            IPVS services first; no other IPVS service is touched), then restore the\n#            routes and sysctls (once no other ldrc cluster on this host needs them);\n#            the installed configuration stays.\n# Exit status: 0 done, 1 error, 2 usage (plan: changes to make), 3 status found drift.\n# State as lvs_dr.sh of the script engine: /var/lib/ldrc/"
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield '/ ($LDRC_STATE_DIR).\n# The shared functions below include some for the VIPs that this engine leaves to keepalived.\n# shellcheck disable=SC2329\nset -euo pipefail\numask 077\n\nreadonly PROG=${0##*/}\nreadonly CLUSTER='
    yield str(t_1((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster)))
    yield '\nreadonly HOST='
    yield str(t_1(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'host'), 'name')))
    yield '\nreadonly STATE_ROOT=${LDRC_STATE_DIR:-/var/lib/ldrc}\nreadonly STATE_DIR=${STATE_ROOT}/${CLUSTER}\nreadonly STATE_FILE=${STATE_DIR}/${HOST}.state\nreadonly KA_CONF=${LDRC_KEEPALIVED_CONF:-/etc/keepalived/keepalived.conf}\nreadonly KA_PID=${LDRC_KEEPALIVED_PID:-/run/keepalived.pid}\nreadonly LAN_DEV='
    yield str(t_1(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'dev')))
    yield '\n\n# keepalived adds and removes the VIPs: none for this script\nreadonly VIPS=()\n# VIP/32 on the LAN device while this director is the VRRP master\nreadonly KA_VIPS=(\n'
    for l_1_v in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'vips'):
        _loop_vars = {}
        pass
        yield '  "'
        yield str(environment.getattr(l_1_v, 'text'))
        yield '/32"\n'
    l_1_v = missing
    yield ')\n# destination  via  device\nreadonly ROUTES=(\n'
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
    yield ')\n# key value: set by start, restored by stop\nreadonly SYSCTLS=(\n'
    for (l_1__, l_1_v, l_1_path) in (undefined(name='sysctls') if l_0_sysctls is missing else l_0_sysctls):
        _loop_vars = {}
        pass
        yield '  "'
        yield str(l_1_path)
        yield ' '
        yield str(l_1_v)
        yield '"\n'
    l_1__ = l_1_v = l_1_path = missing
    yield ')\nreadonly SELF=${BASH_SOURCE[0]:-}\n\n'
    template = environment.get_template('shell/_lib.sh.j2', 'keepalived/lvs_dr.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    template = environment.get_template('shell/_net.sh.j2', 'keepalived/lvs_dr.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    template = environment.get_template('shell/_sysctl.sh.j2', 'keepalived/lvs_dr.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield '\n# the block between `: <<\'NAME\'` and NAME at the end of this file (read through fd 8)\nembedded() { awk -v name="$1" \'$0 == ": <<\\047" name "\\047" { on = 1; next } $0 == name { on = 0 } on\' /dev/fd/8; }\n\nka_running() { [[ -r ${KA_PID} ]] && read -r KPID <"${KA_PID}" && [[ -n ${KPID} ]] && kill -0 "${KPID}" 2>/dev/null; }\nunder_systemd() { [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; }\n\n# the configuration keepalived was last started or reloaded with (a copy, written after the\n# signal: a run killed before it reloads again next time)\nreadonly KA_LOADED=${TMP}/keepalived.conf.loaded\nka_loaded() { [[ -f ${KA_LOADED} ]] && cmp -s -- "${KA_CONF}" "${KA_LOADED}"; }\n\nka_validate() { # before anything changes: the new file beside the installed one, through keepalived -t\n  local dir\n  dir=$(dirname -- "${KA_CONF}")\n  [[ -d ${dir} ]] || mkdir -p -- "${dir}"\n  KA_NEW=${dir}/.keepalived.conf.ldrc-new\n  embedded KEEPALIVED_CONF >"${KA_NEW}"\n  if ! keepalived -t -f "${KA_NEW}" >"${TMP}/keepalived-t" 2>&1; then\n    cat -- "${TMP}/keepalived-t" >&2\n    rm -f -- "${KA_NEW}"\n    die "keepalived -t rejects the configuration (above); nothing was changed, ${KA_CONF} is kept"\n  fi\n}\n\nka_install() { # rename into place, reload (only when keepalived does not run this configuration)\n  chmod 0644 -- "${KA_NEW}"\n  if [[ -f ${KA_CONF} ]] && cmp -s -- "${KA_NEW}" "${KA_CONF}"; then\n    rm -f -- "${KA_NEW}"\n    log "ok: ${KA_CONF} as configured"\n  else\n    mv -f -- "${KA_NEW}" "${KA_CONF}"\n    log "installed ${KA_CONF} (validated by keepalived -t)"\n  fi\n  if under_systemd; then\n    if ! systemctl is-active --quiet keepalived; then\n      systemctl start keepalived\n      log "keepalived started (systemctl)"\n    elif ka_loaded; then\n      log "ok: keepalived runs this configuration"\n    else\n      systemctl reload keepalived\n      log "keepalived reloaded (systemctl)"\n    fi\n  elif ka_running; then\n    if ka_loaded; then\n      log "ok: keepalived runs this configuration (pid ${KPID})"\n    else\n      kill -HUP "${KPID}"\n      log "keepalived reloaded (SIGHUP to ${KPID})"\n    fi\n  else\n    # without the lock (fd 9) and this file (fd 8): a daemon that kept the lock would\n    # block every later ldrc run on this host\n    keepalived -f "${KA_CONF}" -p "${KA_PID}" 8<&- 9>&-\n    log "keepalived started"\n  fi\n  cp -f -- "${KA_CONF}" "${KA_LOADED}"\n}\n\nka_stop() { # SIGTERM, then wait for it to exit (it removes its VIPs and IPVS services first)\n  local i\n  kill -TERM "${KPID}" || return 1\n  for ((i = 0; i < 300; i++)); do\n    kill -0 "${KPID}" 2>/dev/null || return 0\n    sleep 0.1\n  done\n  warn "keepalived (pid ${KPID}) has not exited 30 s after SIGTERM"\n  return 1\n}\n\ndo_start() {\n  need_dev "${LAN_DEV}"\n  take_lock\n  read_net\n  routes_check\n  ka_validate\n  routes_up\n  # net.ipv4.vs.* exists once ip_vs is loaded\n  if ((${#SYSCTLS[@]})); then modprobe ip_vs 2>/dev/null || true; fi\n  sysctl_up\n  # VIPs a run of the script engine added (recorded in the state) go: keepalived owns them now\n  addr_down_all\n  ka_install\n  log "director ${HOST} of cluster ${CLUSTER} is up (keepalived)"\n}\n\ndo_stop() {\n  take_lock\n  read_net\n  if under_systemd; then\n    systemctl stop keepalived || INCOMPLETE=1\n  elif ka_running; then\n    ka_stop || INCOMPLETE=1\n  fi\n  rm -f -- "${KA_LOADED}"\n  route_down_all\n  sysctl_down\n  ((!INCOMPLETE)) || die "stopped, except what is reported above: fix it and run stop again"\n  log "director ${HOST} of cluster ${CLUSTER} is stopped"\n}\n\ndo_plan() {\n  local r dst via dev changes=0\n  take_lock\n  read_net\n  for r in "${ROUTES[@]}"; do\n    read -r dst via dev <<<"${r}"\n    if ! route_is "${dst}" "${via}" "${dev}"; then\n      echo "+ route ${dst} via ${via} dev ${dev}"\n      changes=1\n    fi\n  done\n  if ! { [[ -f ${KA_CONF} ]] && embedded KEEPALIVED_CONF | cmp -s - "${KA_CONF}"; }; then\n    echo "+ install ${KA_CONF} and reload keepalived"\n    changes=1\n  elif ! { ka_running || { under_systemd && systemctl is-active --quiet keepalived; }; }; then\n    echo "+ start keepalived"\n    changes=1\n  elif ! ka_loaded; then\n    echo "+ reload keepalived (it may run an older ${KA_CONF})"\n    changes=1\n  fi\n  if ((changes)); then\n    RESULT=2\n    return 0\n  fi\n  log "no changes"\n}\n\n# The IPVS table against the configured one: missing real servers were taken out by\n# keepalived (failed checks), weight 0 ones inhibited; a missing service is drift.\nipvs_report() {\n  {\n    ipvsadm -Sn\n    echo \'# end of ipvsadm -Sn\'\n    cat /dev/fd/8\n  } | awk \'\n    !table { if ($0 == "# end of ipvsadm -Sn") table = 1\n             else if ($1 == "-A") live_svc[$2 " " $3] = $0\n             else if ($1 == "-a") { live[$2 " " $3 " " $5] = $8; order[++n] = $2 " " $3 " " $5 }\n             next }\n    $0 == ": <<\\047IPVS_RULES\\047" { on = 1; next }\n    $0 == "IPVS_RULES" { on = 0 }\n    !on { next }\n    $1 == "-A" {\n      s = $2 " " $3\n      svc[s] = 1\n      if (!(s in live_svc)) { print "DRIFT: IPVS service " s " is missing" }\n      else if (live_svc[s] != $0) print "DRIFT: IPVS service " s " is `" live_svc[s] "`, configured `" $0 "`"\n    }\n    # -a -t VIP:PORT -r RS:PORT -g -w WEIGHT: the weight is $8\n    $1 == "-a" && (($2 " " $3) in live_svc) {\n      k = $2 " " $3 " " $5\n      conf[k] = 1\n      if (!(k in live)) print "out of rotation (keepalived took it out): " $5 " in " $2 " " $3\n      else if (live[k] != $8) print "weight " live[k] " (configured " $8 "): " $5 " in " $2 " " $3\n    }\n    END {\n      # a real server in a service of this cluster that the configuration does not have: the\n      # sorry_server (every real server failed), or added by hand\n      for (i = 1; i <= n; i++) {\n        k = order[i]; split(k, w, " ")\n        if ((w[1] " " w[2]) in svc && !(k in conf)) print "not configured (a sorry_server, or added by hand): " w[3] " in " w[1] " " w[2]\n      }\n    }\'\n}\n\ndo_status() {\n  local bad=0 v held=0 line report=0\n  take_lock\n  read_net\n  routes_status || bad=1\n  if [[ -e /proc/net/ip_vs ]]; then\n    sysctls_status || bad=1\n  fi\n  if [[ -f ${KA_CONF} ]] && embedded KEEPALIVED_CONF | cmp -s - "${KA_CONF}"; then\n    log "ok: ${KA_CONF} as configured"\n  else\n    log "DRIFT: ${KA_CONF} differs from the configuration"\n    bad=1\n  fi\n  if ka_running || { under_systemd && systemctl is-active --quiet keepalived; }; then\n    log "ok: keepalived is running"\n  else\n    log "DRIFT: keepalived is not running"\n    bad=1\n  fi\n  for v in "${KA_VIPS[@]}"; do\n    if addr_is "${LAN_DEV}" "${v}"; then held=$((held + 1)); fi\n  done\n  if ((held == ${#KA_VIPS[@]})); then\n    log "VRRP: MASTER (holds the VIPs on ${LAN_DEV})"\n  elif ((held == 0)); then\n    log "VRRP: BACKUP (holds no VIP)"\n  else\n    log "DRIFT: holds ${held} of ${#KA_VIPS[@]} VIPs"\n    bad=1\n  fi\n  if command -v ipvsadm >/dev/null 2>&1; then\n    while IFS= read -r line; do\n      log "${line}"\n      report=1\n      [[ ${line} != DRIFT:* ]] || bad=1\n    done < <(ipvs_report)\n    ((report)) || log "ok: IPVS services as configured (ipvsadm.rules)"\n  fi\n  if ((bad)); then RESULT=3; fi\n}\n\nmain() {\n  local cmd=${1:-}\n  case ${cmd} in\n    start | reload | plan | status | stop | restart) ;;\n    *)\n      printf \'usage: %s start|reload|plan|status|stop|restart\\n\' "${PROG}" >&2\n      exit 2\n      ;;\n  esac\n  need_root "$@"\n  need_cmds ip keepalived awk flock mv cmp\n  [[ -f ${SELF} && -r ${SELF} ]] || die "run this script from its file: keepalived.conf is read from it"\n  exec 8<"${SELF}"\n  case ${cmd} in\n    start | reload | restart) do_start ;;\n    plan) do_plan ;;\n    status) do_status ;;\n    stop) do_stop ;;\n    *) die "unreachable: ${cmd}" ;;\n  esac\n}\n\nmain "$@"; exit "${RESULT}"\n\n# keepalived.conf (the same as the file beside this script) and the IPVS table it\n# builds when every real server is healthy (ipvsadm.rules): data, never run.\n# shellcheck disable=SC2317 # data, never run\n: <<\'KEEPALIVED_CONF\'\n'
    yield str((undefined(name='conf') if l_0_conf is missing else l_0_conf))
    yield "KEEPALIVED_CONF\n# shellcheck disable=SC2317 # data, never run\n: <<'IPVS_RULES'\n"
    yield str((undefined(name='rules') if l_0_rules is missing else l_0_rules))
    yield 'IPVS_RULES\n'

blocks = {}
debug_info = '2=25&4=27&29=31&36=33&37=35&43=37&49=39&50=43&55=47&56=51&61=59&62=63&67=69&68=75&69=81&308=88&311=90'
