#!/bin/bash
# scenario.sh MODE DIR -- ldrc's Ansible playbook run for real against the seed lab (issue 13),
# run by run.sh --scenario tests/e2e/deploy in the QEMU guest (MODE=ipvs), or on this kernel
# with run.sh --host --scenario tests/e2e/deploy --extra tests/runtime (MODE=host: the
# director's ipvsadm is the runtime tier's fake, the checks that need IPVS are skipped).
#
# Every host of seed.ldr (examples/seed-lab.ldr with manage addresses) is a network namespace;
# each deployed host runs its own sshd in a mount namespace of its own (/etc, /usr/local/lib,
# /var/lib, /root: overlays, or tmpfs copies where overlayfs refuses; /run and /tmp private).
# A controller namespace holds the bridges and runs the real ansible-playbook on
# scn/seed/_ansible/site.yml over ssh, with a key made here:
#   first       every host changed, each script's status exits 0, the director's live table
#               equals ipvsadm.rules; then DR for real: client -> router -> director -> both
#               real servers, OutPkts 0, ARP for the VIP answered by the director's MAC only
#   second      changed=0 on every host
#   check       the changed cluster (changed/seed.ldr: a weight) with --check --diff: the diff
#               and the director's plan are reported, its script and live table are unchanged
#   changed     the changed cluster applied: only the director changes; its table is the new one
#   rollback    a director script whose start the kernel refuses (an unknown scheduler): the
#               run fails, the previous script is back and started, the table is as before
# Only namespaces made here carry addresses; everything is removed on exit.
# Last line: "e2e-deploy: N passed, N failed".
set -u
MODE=$1
DIR=$2
SCN=${DIR}/scn
# shellcheck source=/dev/null
source "${SCN}/seed.topo.sh"
P=${LDRC_NS_PREFIX:-ldrc}-d
WORK=$(mktemp -d /tmp/ldrc-deploy.XXXXXX)
chmod 755 "${WORK}"
CP=$(mktemp -d /tmp/ldrc-cp.XXXXXX) # ssh control sockets: a short path
PASS=0
FAIL=0
NSES=()
PIDS=()
SHM=""
declare -A SSHD MGMT
T0=${EPOCHREALTIME//[.,]/}
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

log() {
  local ms=$(((${EPOCHREALTIME//[.,]/} - T0) / 1000))
  printf '[%3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"
}
ok() { PASS=$((PASS + 1)); log "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); log "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "${what}"; else bad "${what}"; fi; }

cleanup() {
  local s pid ns
  # ansible's ssh control masters (ControlPersist) are asked to exit, then everything started here
  for s in "${CP}"/*; do
    [[ -S ${s} ]] && ip netns exec "${P}-ctl" ssh -o "ControlPath=${s}" -O exit lab >/dev/null 2>&1
  done
  for pid in "${PIDS[@]}" "${SSHD[@]}"; do kill "${pid}" 2>/dev/null; done
  for pid in "${PIDS[@]}" "${SSHD[@]}"; do wait "${pid}" 2>/dev/null; done
  for ns in "${NSES[@]}"; do
    for pid in $(ip netns pids "${ns}" 2>/dev/null); do kill -9 "${pid}" 2>/dev/null; done
  done
  for ns in "${NSES[@]}"; do ip netns del "${ns}" 2>/dev/null; done
  rm -rf "${WORK}" "${CP}"
  [[ -z ${SHM} ]] || umount /dev/shm
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ${MODE} == ipvs ]]; then
  modprobe -a veth bridge overlay nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_nat xt_conntrack \
    xt_tcpudp xt_multiport ip_vs ip_vs_rr 2>&1 | sed 's/^/modprobe: /'
  [[ -e /proc/net/ip_vs ]] || { echo "no IPVS in kernel $(uname -r)" >&2; exit 3; }
  # what a Debian host has and the initramfs lacks: the directories the overlays cover, systemd's
  # unit directory (the playbook installs the unit there, systemd running or not), and /dev/shm
  # (Ansible's multiprocessing needs it; unmounted again on exit)
  mkdir -p /usr/local/lib /var/lib /root /etc/systemd/system
  if ! grep -q " /dev/shm " /proc/mounts; then
    mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 ldrc-shm /dev/shm && SHM=1
  fi
else
  FAKE=${DIR}/extra/fake_ipvsadm.py
  [[ -f ${FAKE} ]] || { echo "scenario.sh: host mode needs --extra tests/runtime (the fake ipvsadm)" >&2; exit 2; }
  [[ -e /usr/sbin/ipvsadm ]] || { echo "scenario.sh: host mode binds the fake over /usr/sbin/ipvsadm: none here" >&2; exit 2; }
fi
for c in python3 ansible-playbook ssh ssh-keygen /usr/sbin/sshd nsenter unshare; do
  command -v "${c}" >/dev/null || { echo "scenario.sh: missing ${c}" >&2; exit 2; }
done
log "kernel $(uname -r), mode ${MODE}, cluster ${CLUSTER}, $(ansible-playbook --version | head -n 1), $(ssh -V 2>&1)"

# ------------------------------------------------------------------ the lab
newns() {
  ip netns add "$1" || { echo "netns $1 exists: clean up first" >&2; exit 1; }
  NSES+=("$1")
  ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
}
# the deployed hosts and their management addresses, as the inventory has them
while read -r h a; do MGMT[${h}]=${a}; done < <(
  awk '/^ *"[^"]+":$/ { gsub(/[": ]/, ""); h = $0 } /ansible_host:/ { gsub(/"/, "", $2); print h, $2 }' \
    "${SCN}/seed/_ansible/inventory.yml"
)
newns "${P}-ctl"
for br in mgmt "${SEGMENTS[@]}"; do
  ip -n "${P}-ctl" link add "br-${br}" type bridge
  ip -n "${P}-ctl" link set "br-${br}" up
done
ip -n "${P}-ctl" addr add 10.77.0.1/24 dev br-mgmt
for h in "${HOSTS[@]}"; do newns "${P}-${h}"; done
LINKS=("${IFACES[@]}")
for h in "${!MGMT[@]}"; do LINKS+=("${h} mgmt0 ${MGMT[${h}]}/24 mgmt"); done
n=0
for e in "${LINKS[@]}"; do
  read -r h ifname addr seg <<<"${e}"
  n=$((n + 1))
  ip -n "${P}-${h}" link add "${ifname}" type veth peer name "p${n}" netns "${P}-ctl"
  ip -n "${P}-ctl" link set "p${n}" master "br-${seg}" up
  ip -n "${P}-${h}" link set "${ifname}" up
  ip -n "${P}-${h}" addr add "${addr}" dev "${ifname}"
done
for e in "${BASE_ROUTES[@]}"; do
  read -r h dst via dev <<<"${e}"
  ip -n "${P}-${h}" route add "${dst}" via "${via}" dev "${dev}"
done

# each deployed host: its sshd in a mount namespace of its own (same PID: ip, unshare and bash exec)
cat >"${WORK}/host-setup.sh" <<'EOF'
set -euo pipefail
h=$1
mount -t tmpfs -o mode=0755 ldrc-run /run
mkdir -p /run/sshd /run/ldrc-test
chmod 0755 /run/sshd
cp "$h"/ssh/* /run/ldrc-test/
if [[ -f $h/fake_ipvsadm.py ]]; then cp "$h/fake_ipvsadm.py" /run/ldrc-test/; fi
chmod 0600 /run/ldrc-test/ssh_host_ed25519_key
: >"$h/mounts"
for d in /etc /usr/local/lib /var/lib /root; do
  mkdir -p "$h/upper$d" "$h/work$d" "$h/copy$d"
  if mount -t overlay ldrc-overlay -o "lowerdir=$d,upperdir=$h/upper$d,workdir=$h/work$d" "$d" 2>>"$h/mounts"; then
    echo "overlay $d" >>"$h/mounts"
  else # a copy on the tmpfs, bound over the original
    cp -a "$d/." "$h/copy$d/"
    mount --bind "$h/copy$d" "$d"
    echo "copy $d" >>"$h/mounts"
  fi
done
if [[ -f $h/ipvsadm ]]; then mount --bind "$h/ipvsadm" /usr/sbin/ipvsadm; fi
mount -t tmpfs -o mode=1777 ldrc-tmp /tmp
exec /usr/sbin/sshd -D -e -f /run/ldrc-test/sshd_config
EOF
ssh-keygen -q -t ed25519 -N '' -C ldrc-e2e -f "${WORK}/id_ed25519"
mkdir -p "${WORK}/home"
: >"${WORK}/known_hosts"
for h in "${!MGMT[@]}"; do
  d=${WORK}/hosts/${h}
  mkdir -p "${d}/ssh"
  ssh-keygen -q -t ed25519 -N '' -C "${h}" -f "${d}/ssh/ssh_host_ed25519_key"
  cp "${WORK}/id_ed25519.pub" "${d}/ssh/authorized_keys"
  cat >"${d}/ssh/sshd_config" <<EOF
ListenAddress ${MGMT[${h}]}:22
HostKey /run/ldrc-test/ssh_host_ed25519_key
AuthorizedKeysFile /run/ldrc-test/authorized_keys
PidFile none
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel ERROR
EOF
  if [[ ${MODE} == host && ${ROLE[${h}]} == director ]]; then
    # the fake (in the host's private /run) with its table in the host's own /var/lib
    cp "${FAKE}" "${d}/"
    cat >"${d}/ipvsadm" <<'EOF'
#!/bin/sh
mkdir -p /var/lib/ldrc-test-ipvs
IPVSADM_FAKE_STATE=/var/lib/ldrc-test-ipvs/table.json exec python3 -S /run/ldrc-test/fake_ipvsadm.py "$@"
EOF
    chmod 0755 "${d}/ipvsadm"
  fi
  read -r kt kb _ <"${d}/ssh/ssh_host_ed25519_key.pub"
  echo "${MGMT[${h}]} ${kt} ${kb}" >>"${WORK}/known_hosts"
  ip netns exec "${P}-${h}" unshare -m bash "${WORK}/host-setup.sh" "${d}" >"${d}/sshd.log" 2>&1 </dev/null &
  SSHD[${h}]=$!
done
on() { local h=$1; shift; nsenter -t "${SSHD[${h}]}" -n -m -- bash -c "$*"; } # a command on a deployed host
SSH_OPTS=(-o "UserKnownHostsFile=${WORK}/known_hosts" -o GlobalKnownHostsFile=/dev/null
  -o StrictHostKeyChecking=yes -o BatchMode=yes -i "${WORK}/id_ed25519")
ctl() { # a command in the controller's namespace, with Ansible's settings
  ip netns exec "${P}-ctl" env HOME="${WORK}/home" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    ANSIBLE_REMOTE_USER=root ANSIBLE_PRIVATE_KEY_FILE="${WORK}/id_ed25519" \
    ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=300s ${SSH_OPTS[*]:0:6}" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="${CP}" ANSIBLE_PIPELINING=True ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
    ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_FORKS=5 ANSIBLE_TIMEOUT=60 \
    ANSIBLE_LOCAL_TEMP="${WORK}/home/.ansible/tmp" "$@"
}
up=0
for _ in $(seq 150); do
  up=0
  for h in "${!MGMT[@]}"; do
    ctl ssh "${SSH_OPTS[@]}" -o ConnectTimeout=5 "root@${MGMT[${h}]}" true 2>/dev/null && up=$((up + 1))
  done
  [[ ${up} -eq ${#MGMT[@]} ]] && break
  sleep 0.2
done
check "lab: ssh to all ${#MGMT[@]} deployed hosts (${!MGMT[*]}), each its own sshd" test "${up}" = "${#MGMT[@]}"
if [[ ${up} -ne ${#MGMT[@]} ]]; then
  for h in "${!MGMT[@]}"; do sed "s/^/  ${h}: /" "${WORK}/hosts/${h}/sshd.log" "${WORK}/hosts/${h}/mounts" 2>/dev/null; done
fi
sed 's/^/  mounts: /' "${WORK}/hosts/${DIRECTOR}/mounts"
check "lab: the hosts' files are their own (a file written on ${DIRECTOR} is not on ${REALSERVERS[0]} or here)" \
  bash -c "nsenter -t ${SSHD[${DIRECTOR}]} -m -- sh -c 'echo x >/etc/ldrc-e2e-mine' &&
    ! nsenter -t ${SSHD[${REALSERVERS[0]}]} -m -- test -e /etc/ldrc-e2e-mine && ! test -e /etc/ldrc-e2e-mine"
log "lab up: ${#HOSTS[@]} hosts, ${#MGMT[@]} deployed over ssh"

# ------------------------------------------------------------------ helpers
playbook() { # name tree [options...]: one ansible-playbook run; its output in WORK/name.out
  local name=$1 tree=$2 t
  shift 2
  t=${EPOCHREALTIME//[.,]/}
  ctl ansible-playbook -i "${tree}/_ansible/inventory.yml" "$@" "${tree}/_ansible/site.yml" >"${WORK}/${name}.out" 2>&1
  RC=$?
  log "ansible-playbook ${name} ${*}: exit ${RC}, $(((${EPOCHREALTIME//[.,]/} - t) / 1000000)) s"
  # 0 done, 2 a host failed; anything else: Ansible itself failed, show why
  [[ ${RC} == 0 || ${RC} == 2 ]] || tail -n 25 "${WORK}/${name}.out" | cut -c1-300 | sed 's/^/    ! /'
  grep -E '^(fatal|failed): ' "${WORK}/${name}.out" | cut -c1-700 | sed 's/^/    ! /'
}
recap() { # name: the run's PLAY RECAP, indented
  sed -n '/^PLAY RECAP/,$p' "${WORK}/$1.out" | sed 's/^/    /'
}
field() { # name host field -> its count in the recap ("" when the host is not there)
  sed -n "s/^$2 *:.* $3=\([0-9]*\).*/\1/p" "${WORK}/$1.out"
}
all_hosts() { # name field op value: every deployed host's field compares so
  local h v
  for h in "${!MGMT[@]}"; do
    v=$(field "$1" "${h}" "$2")
    [[ -n ${v} ]] && test "${v}" "$3" "$4" || return 1
  done
}
live() { on "${DIRECTOR}" ipvsadm -Sn; }
table_is() { test "$(live)" = "$(cat "$1/${DIRECTOR}/ipvsadm.rules")"; }
mac() { ip -n "${P}-$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
arp_macs() { # the distinct MACs that answer ARP for the VIP on the router's LAN side
  ip -n "${P}-${ROUTER}" neigh flush dev "${ROUTER_LAN_DEV}" 2>/dev/null
  ip netns exec "${P}-${ROUTER}" arping -c 2 -w 2 -I "${ROUTER_LAN_DEV}" "${VIPS[0]}" 2>/dev/null |
    sed -n 's/.*reply from .* \[\([0-9A-Fa-f:]*\)\].*/\1/p' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' '
}
PUBLIC=""
for s in "${SERVICES[@]}"; do
  read -r proto public port _ <<<"${s}"
  [[ ${proto}:${port} == tcp:80 ]] && PUBLIC=${public}
done
answers() { # N requests from the client through the router: the real servers' names, in order
  local i
  for i in $(seq "$1"); do
    ip netns exec "${P}-${CLIENT}" curl -s --max-time 5 "http://${PUBLIC}/" || echo "ERR${i}"
  done | tr '\n' ' '
}
in_turn() { # "a b a b a b " with {a, b} the two real servers
  local w
  read -ra w <<<"$1"
  [[ ${#w[@]} -eq 6 && ${w[0]} != "${w[1]}" && "${w[*]}" == "${w[0]} ${w[1]} ${w[0]} ${w[1]} ${w[0]} ${w[1]}" ]] &&
    [[ " ${REALSERVERS[*]} " == *" ${w[0]} "* && " ${REALSERVERS[*]} " == *" ${w[1]} "* ]]
}
dr_checks() { # label: traffic from the client reaches both real servers (IPVS only)
  local got
  [[ ${MODE} == ipvs ]] || { log "note: ${1}: no client traffic without IPVS (host mode)"; return 0; }
  got=$(answers 6)
  # rr: the two real servers in turn, from wherever the scheduler's pointer stands
  check "${1}: 6 requests client -> router ${PUBLIC}:80 -> director -> answered by ${REALSERVERS[*]} in turn (${got})" \
    in_turn "${got}"
}

# web servers on the real servers (not deployed by ldrc): busybox httpd answers the host's name
for rs in "${REALSERVERS[@]}"; do
  mkdir -p "${WORK}/www-${rs}"
  echo "${rs}" >"${WORK}/www-${rs}/index.html"
  ip netns exec "${P}-${rs}" busybox httpd -f -p 80 -h "${WORK}/www-${rs}" >/dev/null 2>&1 &
  PIDS+=($!)
done

SEED=${SCN}/seed
CHANGED=${SCN}/changed/seed
SCRIPTS=/usr/local/lib/ldrc/${CLUSTER}
declare -A SCRIPT=()
for h in "${!MGMT[@]}"; do
  case ${ROLE[${h}]} in director) SCRIPT[${h}]=lvs_dr.sh ;; router) SCRIPT[${h}]=lvs_router.sh ;; *) SCRIPT[${h}]=lvs_rs.sh ;; esac
done
statuses() { # every deployed host's installed script: status exits 0
  local h
  for h in "${!MGMT[@]}"; do on "${h}" "${SCRIPTS}/${SCRIPT[${h}]} status" >/dev/null 2>&1 || return 1; done
}

# ------------------------------------------------------------------ 1. first run
got=$(arp_macs)
check "before: no host answers ARP for ${VIPS[0]} (got '${got}')" test -z "${got}"
playbook first "${SEED}"
recap first
check "first: ansible-playbook exits 0" test "${RC}" = 0
check "first: every host changed" all_hosts first changed -gt 0
check "first: none failed" all_hosts first failed -eq 0
order=$(sed -n 's/^changed: \[\([^]]*\)\]$/\1/p' <(sed -n '/^TASK \[Start\]/,/^TASK/p' "${WORK}/first.out") | tr '\n' ' ')
check "first: started in the safe order: real servers, director, router (${order})" \
  test "${order}" = "$(printf '%s ' "${REALSERVERS[@]}" "${DIRECTOR}" "${ROUTER}")"
check "first: every host's installed script: status exits 0" statuses
check "first: the director's live IPVS table (ipvsadm -Sn) equals ipvsadm.rules" table_is "${SEED}"
live | sed 's/^/    /'
rs_up() { # real server: the VIP on lo, the ARP sysctls
  on "$1" "ip -4 -o addr show dev lo" | grep -q " ${VIPS[0]}/32 " &&
    test "$(on "$1" "cat /proc/sys/net/ipv4/conf/all/arp_ignore /proc/sys/net/ipv4/conf/all/arp_announce" | tr '\n' ' ')" = "1 2 "
}
for rs in "${REALSERVERS[@]}"; do
  check "first: ${rs} holds ${VIPS[0]}/32 on lo with all.arp_ignore=1 all.arp_announce=2" rs_up "${rs}"
done
DMAC=$(mac "${DIRECTOR}" "${DIRECTOR_DEV}")
got=$(arp_macs)
check "first: ARP for ${VIPS[0]} from the router's LAN side: only the director's MAC ${DMAC} (got '${got}')" \
  test "${got}" = "${DMAC} "
dr_checks first
if [[ ${MODE} == ipvs ]]; then
  sleep 2.2 # IPVS folds its per-CPU counters every 2 s
  st=$(on "${DIRECTOR}" ipvsadm -Ln --stats --exact)
  read -r _ _ conns _ outpkts _ < <(awk -v k="${VIPS[0]}:80" '$1 == "TCP" && $2 == k' <<<"${st}")
  check "first: ipvs ${VIPS[0]}:80: ${conns:-?} connections, OutPkts = 0: the replies bypass the director" \
    test "${outpkts:-x}" = 0
fi

# ------------------------------------------------------------------ 2. second run
playbook second "${SEED}"
recap second
check "second: ansible-playbook exits 0" test "${RC}" = 0
check "second: changed=0 on every host" all_hosts second changed -eq 0
check "second: failed=0 on every host" all_hosts second failed -eq 0

# ------------------------------------------------------------------ 3. --check --diff on the changed cluster
before=$(on "${DIRECTOR}" "cat ${SCRIPTS}/lvs_dr.sh")
table=$(live)
playbook check "${CHANGED}" --check --diff
sed -n '/^TASK \[Install the script and the unit\]/,/^TASK \[Start\]/p' "${WORK}/check.out" | grep -v '^$' |
  grep -E '^(TASK|---|\+\+\+|[-+]-a|changed|ok: \[lvs)|ipvsadm -R|"ldrc_plan' | sed 's/^/    /'
recap check
check "check: ansible-playbook --check --diff exits 0" test "${RC}" = 0
check "check: the director is reported changed" test "$(field check "${DIRECTOR}" changed)" -gt 0
others_unchanged() { # name: the real servers and the router have changed=0
  local h
  for h in "${REALSERVERS[@]}" "${ROUTER}"; do [[ $(field "$1" "${h}" changed) == 0 ]] || return 1; done
}
check "check: no other host is" others_unchanged check
check "check: the diff of the director's script shows the new weight" \
  grep -qF -- "+-a -t ${VIPS[0]}:80 -r 192.168.50.23:80 -g -w 3" "${WORK}/check.out"
check "check: the director's plan reports the change" \
  grep -qF -- "-e -t ${VIPS[0]}:80 -r 192.168.50.23:80 -g -w 3" "${WORK}/check.out"
check "check: the director's installed script is unchanged" test "$(on "${DIRECTOR}" "cat ${SCRIPTS}/lvs_dr.sh")" = "${before}"
check "check: the director's live IPVS table is unchanged" test "$(live)" = "${table}"
check "check: no backup file left behind" test "$(on "${DIRECTOR}" "ls -A ${SCRIPTS}")" = lvs_dr.sh

# ------------------------------------------------------------------ 4. the changed cluster, for real
playbook changed "${CHANGED}"
recap changed
check "changed: ansible-playbook exits 0" test "${RC}" = 0
check "changed: the director changed" test "$(field changed "${DIRECTOR}" changed)" -gt 0
check "changed: no other host did" others_unchanged changed
check "changed: the live IPVS table equals the new ipvsadm.rules (weight 3)" table_is "${CHANGED}"
live | sed 's/^/    /'
check "changed: every host's status exits 0" statuses
dr_checks changed
playbook changed2 "${CHANGED}"
check "changed: a second run changes nothing (exit ${RC})" all_hosts changed2 changed -eq 0

# ------------------------------------------------------------------ 5. a start that fails: rolled back
# the changed tree with one more service whose scheduler the kernel does not have: bash -n and
# plan pass, start fails in ipvsadm -R (the kernel refuses it) and must be rolled back
BAD=${WORK}/bad
cp -r "${CHANGED}" "${BAD}"
sed -i "s/^-A -t ${VIPS[0]}:80 -s rr\$/&\n-A -t ${VIPS[0]}:9999 -s nosuchsched/" "${BAD}/${DIRECTOR}/lvs_dr.sh"
check "rollback: the injected bad line is in the copy" grep -q nosuchsched "${BAD}/${DIRECTOR}/lvs_dr.sh"
before=$(on "${DIRECTOR}" "cat ${SCRIPTS}/lvs_dr.sh")
table=$(live)
playbook rollback "${BAD}"
sed -n '/^TASK \[Start\]/,/^PLAY RECAP/p' "${WORK}/rollback.out" | grep -E '^(TASK|fatal|changed|failed)|Rolled back' |
  cut -c1-400 | sed 's/^/    /'
recap rollback
check "rollback: ansible-playbook exits 2" test "${RC}" = 2
check "rollback: the director failed and was rescued (failed=1 rescued=1)" \
  test "$(field rollback "${DIRECTOR}" failed):$(field rollback "${DIRECTOR}" rescued)" = 1:1
check "rollback: reported: the previous files are back and their start exited 0" \
  grep -q "Rolled back: the previous files are back, and their start exited 0" "${WORK}/rollback.out"
check "rollback: the rollout stopped there (the router's play did not run: ok=$(field rollback "${ROUTER}" ok))" \
  test "$(field rollback "${ROUTER}" ok)" = "" -o "$(field rollback "${ROUTER}" ok)" = 0
check "rollback: the director's installed script is the previous one" \
  test "$(on "${DIRECTOR}" "cat ${SCRIPTS}/lvs_dr.sh")" = "${before}"
check "rollback: no backup left" test "$(on "${DIRECTOR}" "ls -A ${SCRIPTS}")" = lvs_dr.sh
check "rollback: the live IPVS table is as before the run" test "$(live)" = "${table}"
check "rollback: the director's status exits 0" on "${DIRECTOR}" "${SCRIPTS}/lvs_dr.sh status >/dev/null"
got=$(arp_macs)
check "rollback: ARP for ${VIPS[0]}: still only the director's MAC (got '${got}')" test "${got}" = "${DMAC} "
dr_checks rollback

log "done"
echo "e2e-deploy: ${PASS} passed, ${FAIL} failed"
[[ ${FAIL} -eq 0 ]]
