# shell/_sysctl.sh.j2 compiled by jinja2 3.1.6. GENERATED, DO NOT EDIT:
# python -m compiler.template_code --write (tests/test_templates.py checks it)
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'shell/_sysctl.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    pass
    yield '# ---- sysctls (through /proc/sys; keys are written as paths below it) --------\nsysctl_up() {\n  local s key want cur path\n  host_join\n  for s in "${SYSCTLS[@]}"; do\n    read -r key want <<<"${s}"\n    path=/proc/sys/${key}\n    [[ -e ${path} ]] || die "${key} does not exist on this kernel"\n    read -r cur <"${path}"\n    if [[ -z ${HOST_SYSCTL[${key}]+x} ]]; then\n      host_record "sysctl ${key} ${cur}" # the original, before any ldrc cluster changed it\n      HOST_SYSCTL[${key}]=${cur}\n    fi\n    if [[ ${cur} == "${want}" ]]; then\n      log "ok: ${key} = ${want}"\n    else\n      printf \'%s\\n\' "${want}" >"${path}"\n      log "set ${key} = ${want} (was ${cur})"\n    fi\n  done\n}\n\nlo_vips_left() { # this cluster\'s VIPs still on lo (the kernel would answer ARP for them with the original sysctls)\n  local v dev addr out=()\n  for v in "${VIPS[@]}"; do\n    read -r dev addr _ <<<"${v}"\n    if [[ ${dev} == lo ]] && addr_is lo "${addr}"; then out+=("${addr}"); fi\n  done\n  printf \'%s\' "${out[*]}"\n}\n\nsysctl_down() { # leave the machine; the last cluster to leave restores the original values\n  local key path others left keep=() u\n  others=$(other_users)\n  for u in "${HOST_USERS[@]}"; do [[ ${u} == "${CLUSTER}" ]] || keep+=("${u}"); done\n  HOST_USERS=("${keep[@]}")\n  if [[ -n ${others} ]]; then\n    host_save\n    log "kept the host-wide sysctls: still used by cluster(s) ${others}"\n    return 0\n  fi\n  left=$(lo_vips_left)\n  if [[ -n ${left} ]]; then\n    host_save\n    warn "kept the ARP sysctls (originals saved in ${HOST_STATE}): ${left} still on lo, not added by ldrc; with the original values this host would answer ARP for them"\n    return 0\n  fi\n  for key in "${!HOST_SYSCTL[@]}"; do\n    path=/proc/sys/${key}\n    if [[ -e ${path} ]]; then\n      printf \'%s\\n\' "${HOST_SYSCTL[${key}]}" >"${path}"\n      log "restored ${key} = ${HOST_SYSCTL[${key}]}"\n    fi\n    unset "HOST_SYSCTL[${key}]"\n  done\n  host_save\n}\n\nsysctls_status() { # prints DRIFT lines, returns 1 on drift\n  local s key want cur path bad=0\n  for s in "${SYSCTLS[@]}"; do\n    read -r key want <<<"${s}"\n    path=/proc/sys/${key}\n    cur="(missing)"\n    if [[ -e ${path} ]]; then read -r cur <"${path}"; fi\n    if [[ ${cur} == "${want}" ]]; then\n      log "ok: ${key} = ${cur}"\n    else\n      log "DRIFT: ${key} = ${cur}, want ${want}"\n      bad=1\n    fi\n  done\n  return "${bad}"\n}\n'

blocks = {}
debug_info = ''
