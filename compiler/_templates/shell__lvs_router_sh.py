# shell/lvs_router.sh.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'shell/lvs_router.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_r = resolve('r')
    l_0_cluster = resolve('cluster')
    l_0_owned = resolve('owned')
    l_0_scope = resolve('scope')
    l_0_devs = resolve('devs')
    l_0_sysctls = resolve('sysctls')
    l_0_rules = resolve('rules')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '#!/bin/bash\n'
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n#\n# Router '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'host'), 'name'))
    yield ' of cluster '
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield ': DNAT of the published services\n# to the VIPs, SNAT of the LAN'
    yield str((', FORWARD filtering of its own traffic' if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'forward_drop') else cond_expr_undefined("the inline if-expression on line 5 in 'shell/lvs_router.sh.j2' evaluated to false and no else section was defined.")))
    yield '.\n# Usage: lvs_router.sh start|stop|status|plan|restart\n#\n#   start    load ldrc\'s chains (iptables-restore --noflush: nothing else is\n#            flushed), add one jump to each from its built-in chain (only where\n#            it is missing: nat at the top, FORWARD after the rules already\n#            there), then set net.ipv4.ip_forward = 1\n#   stop     restore ip_forward, delete the jumps, flush and delete ldrc\'s chains\n#   status   compare the live chains and jumps with the configuration; exit 0\n#            when they match, 3 when they do not (the differences are printed)\n#   plan     print what start would change; exit 0 when nothing, 2 when\n#            something, 1 on error\n#   restart  the same as start: converge without removing anything first, so\n#            established connections are not dropped (stop, then start, for a\n#            clean slate)\n# Exit status: 0 done (plan: nothing to change), 1 error, 2 usage error (plan:\n# changes to make), 3 status found drift.\n#\n# The router is rarely ldrc\'s alone: this script touches nothing but these chains\n# and the one jump to each ("table  built-in chain -> ldrc chain"):\n'
    for (l_1_table, l_1_builtin, l_1_chain, l_1_want) in (undefined(name='owned') if l_0_owned is missing else l_0_owned):
        _loop_vars = {}
        pass
        yield '#   '
        yield str(l_1_table)
        yield str((' ' * (7 - t_1(l_1_table))))
        yield str(l_1_builtin)
        yield str((' ' * (12 - t_1(l_1_builtin))))
        yield '-> '
        yield str(l_1_chain)
        yield str(('' if l_1_want else '   (not in this configuration: start and stop remove it)'))
        yield '\n'
    l_1_table = l_1_builtin = l_1_chain = l_1_want = missing
    yield '# Other rules, chains and every built-in chain policy stay exactly as they are.\n# A missing jump is inserted at the top of PREROUTING/POSTROUTING and appended to\n# FORWARD (your filter rules decide first); a jump that is there is left where\n# it is: a rule you put above it keeps running first.\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'forward_drop'):
        pass
        yield '# `forward drop` is expressed inside '
        yield str(environment.getitem(environment.getitem((undefined(name='owned') if l_0_owned is missing else l_0_owned), 2), 2))
        yield ": it decides for the cluster's\n# own forwarded traffic only, which is what goes into or out of\n"
        for (l_1__, l_1__, l_1_what) in (undefined(name='scope') if l_0_scope is missing else l_0_scope):
            _loop_vars = {}
            pass
            yield '#   '
            yield str(l_1_what)
            yield '\n'
        l_1__ = l_1_what = missing
        yield "# It accepts the replies and related packets of that traffic, new connections\n# to the published services and the LAN's own connections out through the SNAT,\n# and drops the rest of it. Every other packet returns to FORWARD unchanged: the\n# FORWARD policy is never changed, your rules decide for foreign traffic.\n"
    else:
        pass
        yield "# No FORWARD filtering (`forward accept`): when the FORWARD policy or your rules\n# drop forwarded traffic, allow the published services there, or use\n# `forward drop`, which accepts the cluster's traffic in ldrc's own chain\n# (start and status print a note when the FORWARD policy is DROP).\n"
    yield "#\n# ip_forward's value before start is recorded in the state under /var/lib/ldrc\n# ($LDRC_STATE_DIR when set; see the notes at the start of the shared functions\n# below) so that stop restores it; the last live and desired chains and their\n# differences are kept in /var/lib/ldrc/"
    yield str((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster))
    yield '/'
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'host'), 'name'))
    yield '.iptables/.\n# The script ends with `main "$@"; exit "${RESULT}"` on one line: replacing the file while it\n# runs is safe.\n#\nset -euo pipefail\numask 077\n\nreadonly PROG=${0##*/}\nreadonly CLUSTER='
    yield str(t_2((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster)))
    yield '\nreadonly HOST='
    yield str(t_2(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'host'), 'name')))
    yield '\nreadonly STATE_ROOT=${LDRC_STATE_DIR:-/var/lib/ldrc}\nreadonly STATE_DIR=${STATE_ROOT}/${CLUSTER}\nreadonly STATE_FILE=${STATE_DIR}/${HOST}.state\nreadonly IPT_DIR=${STATE_DIR}/${HOST}.iptables\n\n# table  built-in chain  ldrc chain  wanted (1: this configuration has it)\nreadonly CHAINS=(\n'
    for (l_1_table, l_1_builtin, l_1_chain, l_1_want) in (undefined(name='owned') if l_0_owned is missing else l_0_owned):
        _loop_vars = {}
        pass
        yield '  "'
        yield str(l_1_table)
        yield ' '
        yield str(l_1_builtin)
        yield ' '
        yield str(l_1_chain)
        yield ' '
        yield str(l_1_want)
        yield '"\n'
    l_1_table = l_1_builtin = l_1_chain = l_1_want = missing
    yield ')\n# interfaces the rules name: iptables would accept missing ones (matched by\n# name, silently inactive), so start refuses to run without them\nreadonly DEVS=(\n'
    for l_1_d in (undefined(name='devs') if l_0_devs is missing else l_0_devs):
        _loop_vars = {}
        pass
        yield '  "'
        yield str(l_1_d)
        yield '"\n'
    l_1_d = missing
    yield ')\nreadonly FORWARD_DROP='
    yield str((1 if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'forward_drop') else 0))
    yield '\n# key value: set by start, restored by stop (keys as paths under /proc/sys)\nreadonly SYSCTLS=(\n'
    for (l_1__, l_1_v, l_1_path) in (undefined(name='sysctls') if l_0_sysctls is missing else l_0_sysctls):
        _loop_vars = {}
        pass
        yield '  "'
        yield str(l_1_path)
        yield ' '
        yield str(l_1_v)
        yield '"\n'
    l_1__ = l_1_v = l_1_path = missing
    yield ')\n# a router carries no VIP (the shared sysctl functions read this list)\n# shellcheck disable=SC2034\nreadonly VIPS=()\n\n'
    template = environment.get_template('shell/_lib.sh.j2', 'shell/lvs_router.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    template = environment.get_template('shell/_sysctl.sh.j2', 'shell/lvs_router.sh.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield "\n# The desired chains: iptables.rules beside this script, embedded here so that\n# the script is self-contained.\ndesired_rules() {\n  cat <<'LDRC_RULES'\n"
    yield str((undefined(name='rules') if l_0_rules is missing else l_0_rules))
    yield 'LDRC_RULES\n}\n\n# iptables-save text on stdin -> "table<TAB>chain<TAB>line" for ldrc\'s chains\n# (`-N CHAIN` for a chain\'s existence, then its `-A` rules) and for every rule\n# that jumps or goes to one of them. Counters and comments are dropped.\nowned_lines() {\n  awk -v own="${OWN_NAMES}" \'\n    BEGIN { n = split(own, a, " "); for (i = 1; i <= n; i++) mine[a[i]] = 1 }\n    /^\\*/ { table = substr($1, 2); next }\n    /^:/ { c = substr($1, 2); if (c in mine) print table "\\t" c "\\t-N " c; next }\n    $1 != "-A" { next }\n    $2 in mine { print table "\\t" $2 "\\t" $0; next }\n    {\n      for (i = 3; i < NF; i++) {\n        if (($i == "-j" || $i == "-g") && ($(i + 1) in mine)) { print table "\\t" $2 "\\t" $0; next }\n      }\n    }\'\n}\n\n# Sorted by table and chain, stable: the order of rules inside a chain counts,\n# the order of chains does not.\ncanonical() { LC_ALL=C sort -s -t $\'\\t\' -k1,2; }\n\n# compare: the live chains and jumps against the desired ones. Writes live,\n# desired, and diff ("-" live only, "+" desired only) in IPT_DIR; returns 0\n# when they are equal, 1 when they differ.\ncompare() {\n  local e t b c rc=0\n  {\n    iptables-save -t nat\n    iptables-save -t filter\n  } >"${IPT_DIR}/save" || die "iptables-save failed"\n  owned_lines <"${IPT_DIR}/save" | canonical >"${IPT_DIR}/live"\n  {\n    desired_rules\n    for e in "${WANTED_JUMPS[@]}"; do\n      read -r t b c <<<"${e}"\n      printf \'*%s\\n-A %s -j %s\\n\' "${t}" "${b}" "${c}"\n    done\n  } | owned_lines | canonical >"${IPT_DIR}/desired"\n  chain_diff "${IPT_DIR}/live" "${IPT_DIR}/desired" >"${IPT_DIR}/diff" ||\n    die "could not compare ${IPT_DIR}/live and ${IPT_DIR}/desired"\n  [[ -s ${IPT_DIR}/diff ]] && rc=1\n  return "${rc}"\n}\n\n# chain_diff LIVE DESIRED: per chain (the first two fields), nothing when the\n# rules are the same in the same order; else "-" for the live rules the\n# configuration does not have and "+" for the missing ones (when only the order\n# differs: every live rule "-", every desired rule "+"). awk, not diff(1): a\n# minimal router may have busybox\'s diff without line formats.\nchain_diff() {\n  awk -F \'\\t\' \'\n    { k = $1 FS $2; if (!(k in seen)) { seen[k] = 1; keys[++nk] = k } }\n    FILENAME == ARGV[1] { live[k, ++nl[k]] = $0; next }\n    { want[k, ++nw[k]] = $0 }\n    END {\n      for (i = 1; i <= nk; i++) {\n        k = keys[i]; same = nl[k] == nw[k]\n        for (j = 1; same && j <= nl[k]; j++) if (live[k, j] != want[k, j]) same = 0\n        if (same) continue\n        out = 0\n        split("", left); for (j = 1; j <= nw[k]; j++) left[want[k, j]]++\n        for (j = 1; j <= nl[k]; j++) { l = live[k, j]; if (left[l] > 0) left[l]--; else { print "-" l; out = 1 } }\n        split("", left); for (j = 1; j <= nl[k]; j++) left[live[k, j]]++\n        for (j = 1; j <= nw[k]; j++) { l = want[k, j]; if (left[l] > 0) left[l]--; else { print "+" l; out = 1 } }\n        if (!out) {\n          for (j = 1; j <= nl[k]; j++) print "-" live[k, j]\n          for (j = 1; j <= nw[k]; j++) print "+" want[k, j]\n        }\n      }\n    }\' "$1" "$2"\n}\n\n# Print the diff as "- table: rule" / "+ table: rule", each line prefixed with $1.\nshow_diff() {\n  local table line\n  while IFS=$\'\\t\' read -r table _ line; do\n    printf \'%s%s %s: %s\\n\' "$1" "${table:0:1}" "${table:1}" "${line}"\n  done <"${IPT_DIR}/diff"\n}\n\n# "table<TAB>chain<TAB>line" lines on stdin -> an iptables-restore --noflush batch\n# that deletes the rules among them that jump from a built-in chain of CHAINS\n# (but not a plain jump to a chain in KEEP: jumps_up removes the extra copies\n# and keeps the first), then flushes and deletes the ldrc chains among them that\n# are not in KEEP ($1, space-separated). Rules inside ldrc\'s chains go with\n# their chain.\nteardown_batch() {\n  awk -v own="${OWN_NAMES}" -v keep="$1" -v builtins="${BUILTINS}" \'\n    BEGIN {\n      n = split(own, a, " "); for (i = 1; i <= n; i++) mine[a[i]] = 1\n      n = split(keep, a, " "); for (i = 1; i <= n; i++) kept[a[i]] = 1\n      n = split(builtins, a, " "); for (i = 1; i <= n; i++) builtin[a[i]] = 1\n    }\n    {\n      split($0, f, "\\t")\n      if (!(f[1] in seen)) { seen[f[1]] = 1; order[++tables] = f[1] }\n      if ((f[2] in builtin) && f[3] ~ /^-A /) {\n        if (split(f[3], w, " ") == 4 && w[3] == "-j" && (w[4] in kept)) next\n        del[f[1]] = del[f[1]] "-D" substr(f[3], 3) "\\n"\n      } else if (f[3] ~ /^-N / && (f[2] in mine) && !(f[2] in kept)) {\n        drop[f[1]] = drop[f[1]] "-F " f[2] "\\n-X " f[2] "\\n"\n      }\n    }\n    END {\n      for (i = 1; i <= tables; i++) {\n        t = order[i]\n        if (del[t] drop[t] != "") printf "*%s\\n%s%sCOMMIT\\n", t, del[t], drop[t]\n      }\n    }\'\n}\n\n# Does the diff touch a wanted chain itself (not only the jumps to it)? When it\n# does not, start leaves the chains (and their counters) alone.\nchains_differ() {\n  local chain\n  while IFS=$\'\\t\' read -r _ chain _; do\n    if [[ " ${WANTED_NAMES} " == *" ${chain} "* ]]; then return 0; fi\n  done <"${IPT_DIR}/diff"\n  return 1\n}\n\n# One plain jump to each wanted chain: added when missing (nat: at the top;\n# FORWARD: at the end), left\n# where it is when present; later copies are deleted (by rule number, from the\n# last), so the first one stays in place.\njumps_up() {\n  local e t b c n i rules copies\n  for e in "${WANTED_JUMPS[@]}"; do\n    read -r t b c <<<"${e}"\n    if iptables -w -t "${t}" -C "${b}" -j "${c}" 2>/dev/null; then\n      log "ok: ${t} ${b} jumps to ${c}"\n    elif [[ ${b} == FORWARD ]]; then\n      # filtering: after the rules already there, so your bans and limits still\n      # decide first; ldrc\'s chain decides only for what they let through\n      iptables -w -t "${t}" -A "${b}" -j "${c}"\n      log "appended ${t} ${b} -j ${c} (after the rules already there)"\n    else\n      iptables -w -t "${t}" -I "${b}" -j "${c}"\n      log "inserted ${t} ${b} -j ${c} (at the top)"\n    fi\n    # `iptables -S CHAIN` prints the policy first, then rule n on line n\n    mapfile -t rules < <(iptables -w -t "${t}" -S "${b}")\n    copies=()\n    for ((n = 1; n < ${#rules[@]}; n++)); do\n      if [[ ${rules[n]} == "-A ${b} -j ${c}" ]]; then copies+=("${n}"); fi\n    done\n    for ((i = ${#copies[@]} - 1; i >= 1; i--)); do\n      iptables -w -t "${t}" -D "${b}" "${copies[i]}"\n      log "deleted a second jump: ${t} ${b} rule ${copies[i]} -j ${c}"\n    done\n  done\n}\n\nforward_note() {\n  if ((!FORWARD_DROP)) && grep -q \'^:FORWARD DROP\' "${IPT_DIR}/save"; then\n    log "note: the FORWARD policy is DROP and this cluster accepts nothing in FORWARD (forward accept): allow the published traffic in your rules, or use forward drop"\n  fi\n  return 0\n}\n\nprepare() {\n  local e t b c w\n  OWN_NAMES="" BUILTINS="" WANTED_NAMES=""\n  WANTED_JUMPS=()\n  for e in "${CHAINS[@]}"; do\n    read -r t b c w <<<"${e}"\n    OWN_NAMES+="${c} "\n    BUILTINS+="${b} "\n    if ((w)); then\n      WANTED_NAMES+="${c} "\n      WANTED_JUMPS+=("${t} ${b} ${c}")\n    fi\n  done\n  [[ -d ${IPT_DIR} ]] || mkdir -p "${IPT_DIR}"\n  take_lock\n}\n\ndo_start() {\n  local dev\n  for dev in "${DEVS[@]}"; do need_dev "${dev}"; done\n  prepare\n  if compare; then\n    log "ok: ldrc\'s chains and jumps are as configured"\n  else\n    show_diff "${PROG}: change: "\n    if chains_differ; then\n      # one transaction: every chain of the file is created or flushed and\n      # refilled at once; nothing outside them is flushed (--noflush)\n      desired_rules | iptables-restore -w --noflush ||\n        die "iptables-restore --noflush of the chains failed: nothing was changed"\n    fi\n    # what the configuration no longer has: extra jumps, chains it dropped\n    sed -n \'s/^-//p\' "${IPT_DIR}/diff" | teardown_batch "${WANTED_NAMES}" >"${IPT_DIR}/teardown"\n    if [[ -s ${IPT_DIR}/teardown ]]; then\n      iptables-restore -w --noflush <"${IPT_DIR}/teardown" ||\n        die "could not remove the old jumps and chains (batch in ${IPT_DIR}/teardown)"\n    fi\n    jumps_up\n    if ! compare; then\n      show_diff "${PROG}: DRIFT: "\n      die "after start the chains still differ from the configuration (above): a rule outside ldrc\'s chains refers to them?"\n    fi\n    log "ldrc\'s chains and jumps are now as configured"\n  fi\n  # forwarding last: the rules are in place before any packet is forwarded\n  sysctl_up\n  forward_note\n  log "router ${HOST} of cluster ${CLUSTER} is up"\n}\n\ndo_stop() {\n  local line\n  prepare\n  # forwarding first (back to its earlier value), then the rules\n  sysctl_down\n  compare || true\n  teardown_batch "" <"${IPT_DIR}/live" >"${IPT_DIR}/teardown"\n  if [[ -s ${IPT_DIR}/teardown ]]; then\n    iptables-restore -w --noflush <"${IPT_DIR}/teardown" ||\n      die "could not remove ldrc\'s jumps and chains (batch in ${IPT_DIR}/teardown): does a rule outside them still jump to one? (iptables-save | grep LDRC-)"\n    while IFS= read -r line; do log "removed: ${line}"; done < <(grep -E \'^-[DX] \' "${IPT_DIR}/teardown")\n  else\n    log "ok: no ldrc chain or jump to remove"\n  fi\n  rm -f -- "${STATE_FILE}"\n  ((!INCOMPLETE)) || die "stopped, except what is reported above: fix it and run stop again"\n  log "router ${HOST} of cluster ${CLUSTER} is stopped"\n}\n\ndo_status() {\n  local bad=0\n  prepare\n  sysctls_status || bad=1\n  if compare; then\n    log "ok: ldrc\'s chains and jumps are as configured"\n  else\n    log "DRIFT: ldrc\'s chains or jumps differ from the configuration (- live only, + configuration only):"\n    show_diff "${PROG}: DRIFT: "\n    bad=1\n  fi\n  forward_note\n  if ((bad)); then RESULT=3; fi\n}\n\ndo_plan() {\n  local s key want cur changes=0\n  prepare\n  if ! compare; then\n    show_diff ""\n    changes=1\n  fi\n  for s in "${SYSCTLS[@]}"; do\n    read -r key want <<<"${s}"\n    cur="(missing)"\n    if [[ -e /proc/sys/${key} ]]; then read -r cur <"/proc/sys/${key}"; fi\n    if [[ ${cur} != "${want}" ]]; then\n      echo "+ sysctl ${key} = ${want} (now ${cur})"\n      changes=1\n    fi\n  done\n  if ((changes)); then\n    RESULT=2\n    return 0\n  fi\n  log "no changes"\n}\n\nmain() {\n  local cmd=${1:-}\n  case ${cmd} in\n    start | stop | status | plan | restart) ;;\n    *)\n      printf \'usage: %s start|stop|status|plan|restart\\n\' "${PROG}" >&2\n      exit 2\n      ;;\n  esac\n  need_root "$@"\n  need_cmds iptables iptables-save iptables-restore awk sort sed grep flock ip mv\n  case ${cmd} in\n    start | restart) do_start ;;\n    stop) do_stop ;;\n    status) do_status ;;\n    plan) do_plan ;;\n    *) die "unreachable: ${cmd}" ;;\n  esac\n}\n\nmain "$@"; exit "${RESULT}"\n'

blocks = {}
debug_info = '2=32&4=34&5=38&25=40&26=44&32=54&33=57&35=59&36=63&52=71&60=75&61=77&69=79&70=83&76=93&77=97&80=101&83=103&84=107&91=113&92=119&98=126'
