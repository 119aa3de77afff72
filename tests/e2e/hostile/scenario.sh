#!/bin/bash
# scenario.sh MODE DIR -- the director against the real kernel's own reading of what
# ldrc wrote, and against the world it meets (run by run.sh --scenario in the QEMU guest).
#
#   matrix      every option combination (matrix.ldr, from matrix.py): `ipvsadm -R` of
#               ipvsadm.rules, then `ipvsadm -Sn` byte for byte; `lvs_dr.sh start`,
#               `status` exit 0, a second start changes nothing; a reload that reads
#               back with `ipvsadm -L -n -t`; drains across stop/start and restart
#   two         two clusters on one director (a.ldr, b.ldr): neither touches the
#               other's VIPs, services or shared sysctls; the last to stop restores
#   sigterm     lvs_dr.sh start killed by SIGTERM before one command after another:
#               stop afterwards restores addresses, routes, sysctls and the IPVS
#               table exactly (a foreign service included)
#   change      a reload that moves the VIP (a2.ldr); drain of a stopped cluster;
#               a new version renamed over the script while it runs
#   damaged     crafted or damaged state files: refused, nothing changed
# Only namespaces made here carry addresses; they are deleted on exit.
# Last line: "e2e-hostile: N passed, N failed".
set -u
MODE=$1
DIR=$2
P=ldrc-h
WORK=$(mktemp -d /tmp/ldrc-hostile.XXXXXX)
PASS=0
FAIL=0
NSES=()
T0=${EPOCHREALTIME//[.,]/}
log() {
  local ms=$(((${EPOCHREALTIME//[.,]/} - T0) / 1000))
  printf '[%3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"
}
ok() { PASS=$((PASS + 1)); log "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); log "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "${what}"; else bad "${what}"; fi; }
cleanup() {
  local ns
  for ns in "${NSES[@]}"; do ip netns del "${ns}" 2>/dev/null; done
  rm -rf "${WORK}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ ${MODE} == ipvs ]] || { echo "scenario.sh: needs the IPVS guest" >&2; exit 2; }
modprobe -a veth ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh \
  ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh 2>&1 | sed 's/^/modprobe: /'
log "kernel $(uname -r)"

# a director namespace: eth0 with ADDRESS/24 (a veth whose peer stays in the namespace)
newdir() { # name address
  ip netns add "${P}-$1" || exit 1
  NSES+=("${P}-$1")
  ip -n "${P}-$1" link set lo up
  ip -n "${P}-$1" link add eth0 type veth peer name peer0
  ip -n "${P}-$1" link set eth0 up
  ip -n "${P}-$1" link set peer0 up
  ip -n "${P}-$1" addr add "$2/24" dev eth0
  ip -n "${P}-$1" route add default via "${2%.*}.254" dev eth0 proto static metric 50
}
ns() { local h=$1; shift; ip netns exec "${P}-${h}" env LDRC_STATE_DIR="${WORK}/state-${h}" "$@"; }
netstate() { # addresses, routes, IPVS table, the director sysctl
  ip -n "${P}-$1" -o -4 addr show | sed 's/ valid_lft.*//'
  ip -n "${P}-$1" -4 route show
  ns "$1" ipvsadm -Sn
  ns "$1" cat /proc/sys/net/ipv4/vs/expire_quiescent_template
}
rc_of() { "$@" >"${WORK}/out" 2>&1; echo $?; }
SCN=${DIR}/scn

# ------------------------------------------------------------------ matrix
M=${SCN}/matrix/lb
newdir m 10.66.0.2
services=$(grep -c '^-A' "${M}/ipvsadm.rules")
log "matrix: ${services} services, $(grep -c '^-a' "${M}/ipvsadm.rules") real server entries"
ns m ipvsadm -R <"${M}/ipvsadm.rules" >"${WORK}/r.out" 2>&1
check "matrix: ipvsadm -R accepts every line of ipvsadm.rules ($(head -c 300 "${WORK}/r.out"))" \
  test "$?:$(wc -c <"${WORK}/r.out")" = "0:0"
ns m ipvsadm -Sn >"${WORK}/sn"
if cmp -s "${WORK}/sn" "${M}/ipvsadm.rules"; then
  ok "matrix: ipvsadm -Sn prints ipvsadm.rules back byte for byte (${services} services)"
else
  bad "matrix: ipvsadm -Sn differs from ipvsadm.rules"
  diff "${M}/ipvsadm.rules" "${WORK}/sn" | head -n 20
fi
ns m ipvsadm -C
check "matrix: lvs_dr.sh start" ns m "${M}/lvs_dr.sh" start
check "matrix: after start ipvsadm -Sn equals ipvsadm.rules byte for byte" \
  bash -c "ip netns exec ${P}-m ipvsadm -Sn | cmp -s - '${M}/ipvsadm.rules'"
check "matrix: status exits 0" test "$(rc_of ns m "${M}/lvs_dr.sh" status)" = 0
tail -n 3 "${WORK}/out"
ns m "${M}/lvs_dr.sh" start >"${WORK}/out" 2>&1
check "matrix: a second start changes nothing" grep -q "IPVS services already as configured" "${WORK}/out"
check "matrix: plan exits 0" test "$(rc_of ns m "${M}/lvs_dr.sh" plan)" = 0
# drift on services with flags, persistence and ops: a reload that reads them back with -L -n -t
for port in $(awk '$1 == "-A" && (/ -b / || / -o/) { split($3, a, ":"); print a[2] }' "${M}/ipvsadm.rules" | head -n 6); do
  line=$(grep -m1 -- "-a -[tu] 10.66.0.100:${port} " "${M}/ipvsadm.rules")
  read -r _ p svc _ rs _ <<<"${line}"
  ns m ipvsadm -e "${p}" "${svc}" -r "${rs}" -g -w 9
done
check "matrix: status sees the drift (exit 3)" test "$(rc_of ns m "${M}/lvs_dr.sh" status)" = 3
check "matrix: reload with LDRC_IPVS_VERIFY=list repairs it" ns m env LDRC_IPVS_VERIFY=list "${M}/lvs_dr.sh" reload
check "matrix: after the list-verified reload the table is ipvsadm.rules again" \
  bash -c "ip netns exec ${P}-m ipvsadm -Sn | cmp -s - '${M}/ipvsadm.rules'"
# drains: kept across stop/start and restart; restart removes nothing
check "matrix: drain r2" ns m "${M}/lvs_dr.sh" drain r2
drained() { ns m ipvsadm -Sn | awk '$1 == "-a" && $5 ~ /^10\.66\.0\.12:/ && $NF != 0' | wc -l; }
check "matrix: every r2 entry has weight 0" test "$(drained)" = 0
ns m "${M}/lvs_dr.sh" restart >"${WORK}/out" 2>&1
check "matrix: restart keeps the drain and deletes no service" \
  bash -c "[ \$(ip netns exec ${P}-m ipvsadm -Sn | awk '\$1 == \"-a\" && \$5 ~ /^10\\.66\\.0\\.12:/ && \$NF != 0' | wc -l) = 0 ] && ! grep -qE 'ipvsadm -R: -(D|d) ' '${WORK}/out'"
check "matrix: stop" ns m "${M}/lvs_dr.sh" stop
check "matrix: stop removed every service" test -z "$(ns m ipvsadm -Sn)"
check "matrix: start after stop" ns m "${M}/lvs_dr.sh" start
check "matrix: the drain survived stop and start" test "$(drained)" = 0
check "matrix: undrain r2" ns m "${M}/lvs_dr.sh" undrain r2
check "matrix: after undrain the table is ipvsadm.rules" \
  bash -c "ip netns exec ${P}-m ipvsadm -Sn | cmp -s - '${M}/ipvsadm.rules'"
check "matrix: final stop" ns m "${M}/lvs_dr.sh" stop

# ------------------------------------------------------------------ two clusters, one director
A=${SCN}/a/lb/lvs_dr.sh
B=${SCN}/b/lb/lvs_dr.sh
newdir two 10.67.0.2
ns two ipvsadm -A -t 10.255.255.254:9 -s wlc # a foreign service
ns two sh -c 'echo 0 >/proc/sys/net/ipv4/vs/expire_quiescent_template'
D0=$(netstate two)
check "two: start A" ns two "${A}" start
check "two: start B" ns two "${B}" start
check "two: status A" ns two "${A}" status
check "two: status B" ns two "${B}" status
UP=$(netstate two)
ns two "${A}" reload >"${WORK}/out" 2>&1
check "two: reloading A changes nothing (B's services are not A's)" test "$(netstate two)" = "${UP}"
check "two: stop A" ns two "${A}" stop
check "two: B still passes status after A stopped" ns two "${B}" status
check "two: B's VIP is still on eth0" bash -c "ip -n ${P}-two -o -4 addr show dev eth0 | grep -q ' 10.67.0.81/32 '"
check "two: A's VIP is gone" bash -c "! ip -n ${P}-two -o -4 addr show dev eth0 | grep -q ' 10.67.0.80/32 '"
check "two: expire_quiescent_template stays 1 while B runs" test "$(ns two cat /proc/sys/net/ipv4/vs/expire_quiescent_template)" = 1
check "two: stop B" ns two "${B}" stop
check "two: after both stopped the director is exactly as before (foreign service, routes, sysctl)" \
  test "$(netstate two)" = "${D0}"

# ------------------------------------------------------------------ a changed VIP, drains, a replaced script
A2=${SCN}/a2/lb/lvs_dr.sh
newdir c 10.67.0.2
ns c ipvsadm -A -t 10.255.255.254:9 -s wlc
C0=$(netstate c)
check "change: start A (VIP .80)" ns c "${A}" start
check "change: reload with the VIP moved to .90" ns c "${A2}" reload
check "change: status of the new configuration exits 0" test "$(rc_of ns c "${A2}" status)" = 0
check "change: .80 and its services are gone, .90 is up" \
  bash -c "ip netns exec ${P}-c ipvsadm -Sn | grep -q 10.67.0.90:80 && ! ip netns exec ${P}-c ipvsadm -Sn | grep -q 10.67.0.80 && ! ip -n ${P}-c -o addr show | grep -q 10.67.0.80/32"
check "change: stop" ns c "${A2}" stop
check "change: the director is exactly as before" test "$(netstate c)" = "${C0}"
ns c "${A}" drain web1 >"${WORK}/out" 2>&1
check "drain of a stopped cluster: recorded only, no IPVS service created" \
  bash -c "grep -q 'applies at its next start' '${WORK}/out' && [ \"\$(ip netns exec ${P}-c ipvsadm -Sn)\" = '-A -t 10.255.255.254:9 -s wlc' ] && [ ! -e '${WORK}/state-c/host.state' ]"
check "drain of a stopped cluster: the next start applies it" \
  bash -c "ip netns exec ${P}-c env LDRC_STATE_DIR=${WORK}/state-c ${A} start >/dev/null && ip netns exec ${P}-c ipvsadm -Sn | grep -q -- '-r 10.67.0.11:80 -g -w 0'"
ns c "${A}" undrain web1 >/dev/null 2>&1
ns c "${A}" stop >/dev/null 2>&1
# a new version renamed over the script while it runs (install + mv): this run stays the old version
mkdir -p "${WORK}/bin"
cp "${A}" "${WORK}/bin/lvs_dr.sh"
cp "${A2}" "${WORK}/bin/.new"
printf 'set -T\ntrap %s DEBUG\n' "'if [[ \${FUNCNAME[0]:-} == ipvs_sync && -z \${LDRC_SWAPPED:-} ]]; then LDRC_SWAPPED=1; mv -f ${WORK}/bin/.new ${WORK}/bin/lvs_dr.sh; fi'" >"${WORK}/swap"
ns c env BASH_ENV="${WORK}/swap" "${WORK}/bin/lvs_dr.sh" start >"${WORK}/out" 2>&1
check "replaced while running: the file is the new version" grep -q 10.67.0.90 "${WORK}/bin/lvs_dr.sh"
check "replaced while running: the run applied its own version only (.80, not .90)" \
  bash -c "ip netns exec ${P}-c ipvsadm -Sn | grep -q 10.67.0.80:80 && ! ip netns exec ${P}-c ipvsadm -Sn | grep -q 10.67.0.90"
check "replaced while running: the new version then reloads cleanly" ns c "${WORK}/bin/lvs_dr.sh" reload
check "replaced while running: and stops back to the original director" \
  bash -c "ip netns exec ${P}-c env LDRC_STATE_DIR=${WORK}/state-c ${WORK}/bin/lvs_dr.sh stop >/dev/null && [ \"\$(ip netns exec ${P}-c ipvsadm -Sn)\" = '-A -t 10.255.255.254:9 -s wlc' ]"

# ------------------------------------------------------------------ SIGTERM during start
S=${SCN}/b/lb/lvs_dr.sh
newdir s 10.67.0.2
ns s ipvsadm -A -t 10.255.255.254:9 -s wlc
ns s sh -c 'echo 0 >/proc/sys/net/ipv4/vs/expire_quiescent_template'
S0=$(netstate s)
hook() { # at: a BASH_ENV file that SIGTERMs the script before its command number `at`
  printf 'set -T\nN=0\ntrap %s DEBUG\n' "'N=\$((N + 1)); echo \$N >${WORK}/count; if ((N == $1)); then kill -TERM \$\$; fi'" >"${WORK}/hook"
}
hook 1000000000
ns s env BASH_ENV="${WORK}/hook" "${S}" start >/dev/null 2>&1
total=$(cat "${WORK}/count")
ns s "${S}" stop >/dev/null 2>&1
step=$(((total + 39) / 40))
killed=0 restored=0
for ((at = 1; at <= total; at += step)); do
  hook "${at}"
  ns s env BASH_ENV="${WORK}/hook" "${S}" start >/dev/null 2>&1
  [[ $? -ne 0 ]] && killed=$((killed + 1))
  if ns s "${S}" stop >"${WORK}/out" 2>&1 && [[ $(netstate s) == "${S0}" ]]; then
    restored=$((restored + 1))
  else
    log "killed before command ${at}: not restored:"
    diff <(echo "${S0}") <(netstate s) | head -n 10
    tail -n 5 "${WORK}/out"
    ns s "${S}" stop >/dev/null 2>&1
  fi
done
runs=$(((total + step - 1) / step))
check "sigterm: start killed at ${killed} of ${runs} points (every ${step}th of ${total} commands); stop restored the director exactly after each (${restored}/${runs})" \
  test "${restored}:$((killed >= runs - 1))" = "${runs}:1"

# ------------------------------------------------------------------ damaged state
check "damaged: start" ns s "${S}" start
UP=$(netstate s)
SF=${WORK}/state-s/blog/lb
cp "${SF}.services" "${WORK}/services.good"
printf '%s\n' '-t 10.255.255.254:9' '-t 1.2.3.4:80; reboot' >>"${SF}.services"
for cmd in stop reload status; do
  rc=$(rc_of ns s "${S}" "${cmd}")
  check "damaged services file: ${cmd} refuses (exit ${rc}), naming the line" \
    bash -c "[ ${rc} = 1 ] && grep -q 'lb.services line 3' '${WORK}/out'"
  check "damaged services file: ${cmd} left the director as it was" test "$(netstate s)" = "${UP}"
done
cp "${WORK}/services.good" "${SF}.services"
printf 'drain 10.0.0.1;id\n' >"${SF}.drains"
rc=$(rc_of ns s "${S}" reload)
check "damaged drains file: reload refuses (exit ${rc}), the foreign service survives" \
  bash -c "[ ${rc} = 1 ] && ip netns exec ${P}-s ipvsadm -Sn | grep -q 10.255.255.254:9"
rm -f "${SF}.drains"
printf '# ldrc state: cluster blog host lb\naddr eth0 10.1.2.3/32\nsysctl /etc/passwd 0\n' >"${SF}.state"
rc=$(rc_of ns s "${S}" stop)
check "damaged cluster state: stop refuses (exit ${rc}) naming the line" bash -c "[ ${rc} = 1 ] && grep -q 'lb.state line 3' '${WORK}/out'"
check "damaged cluster state: nothing changed" test "$(netstate s)" = "${UP}"
printf '# ldrc state: cluster blog host lb\naddr eth0 10.67.0.81/32\n' >"${SF}.state"
check "repaired state: stop" ns s "${S}" stop
check "repaired state: the director is exactly as before" test "$(netstate s)" = "${S0}"

log "done"
echo "e2e-hostile: ${PASS} passed, ${FAIL} failed"
[[ ${FAIL} -eq 0 ]]
