#!/bin/bash
# scenario.sh MODE DIR -- examples/ha-pair.ldr on the real kernel: two directors running the
# real keepalived with the keepalived.conf that ldrc generated (installed by their lvs_dr.sh),
# the real servers with lvs_rs.sh, the router with lvs_router.sh. Run by run.sh --scenario in
# the QEMU guest (tests/e2e/test_e2e.py; bench/failover.sh prints its METRIC lines as a table).
#
#   pair      both directors up: exactly one, the higher priority, holds the VIP and answers
#             ARP for it; traffic balanced as configured; status on both
#   rs        a real server's HTTP service dies: its weight goes to 0 on both directors
#             (on-failure inhibit); detection time, requests failed meanwhile, then 200
#             requests with 0 failures; it comes back: back in rotation, timed
#   reload    both directors reloaded to a new version (wrr 3:1) under a request loop with 5
#             long-lived connections: no request fails, no connection breaks; and back
#   switchover `lvs_dr.sh stop` on the master: a graceful, measured switch-over; start again
#   kill      keepalived on the master killed with SIGKILL (every one of its processes): the
#             backup takes the VIP and announces it; the longest gap of a request loop;
#             5 long-lived TCP connections opened before it still answer (connection sync)
#   return    the master comes back (lvs_dr.sh start): it takes the VIP back (preempt), timed
#   link      the master's LAN link goes down: the same measurements; and back up
#   nosync    negative control: the same failover with `sync off` breaks the connections
#   nocheck   negative control: without checks a dead real server keeps getting requests
#   nopreempt `preempt off`: the returning master stays backup     (when the variant exists)
#   fast      `advert 0.2` (VRRPv3): the failover gap with sub-second advertisements (idem)
#   seed      the seed's setup (examples/seed-lab.ldr, one director, script engine): the
#             director's link down is a total outage, as long as it lasts
# Each director namespace gets its own /run (keepalived's pid files), as separate machines
# have. Only namespaces made here carry addresses; every process started here is killed by
# PID and every namespace deleted on exit. Last line: "e2e-ha: N passed, N failed";
# measurements are "METRIC <name> <value> <unit>" lines.
set -u
MODE=$1
DIR=$2
SCN=${DIR}/scn
P=ldrc-ha
WORK=$(mktemp -d /tmp/ldrc-ha.XXXXXX)
chmod 755 "${WORK}"
# shellcheck source=../lib.sh
source "${DIR}/lib.sh"
metric() { echo "METRIC $1 $2 $3"; }

[[ ${MODE} == ipvs ]] || { echo "scenario.sh: needs the IPVS guest" >&2; exit 2; }
# shellcheck source=/dev/null
source "${SCN}/ha_pair.topo.sh"
[[ ${ENGINE} == keepalived && ${#DIRECTORS[@]} -eq 2 ]] || { echo "scenario.sh: ha_pair is not a keepalived pair" >&2; exit 2; }
MASTER=${DIRECTORS[0]}
BACKUP=${DIRECTORS[1]}
VIP=${VIPS[0]}
LAN=${DIRECTOR_DEV}
read -r _ PUB _ <<<"${SERVICES[0]}"
VICTIM=${REALSERVERS[1]} # the real server whose service dies
VICTIM_RIP=$(awk -v h="${VICTIM}" '$1 == h { split($3, a, "/"); print a[1] }' <(printf '%s\n' "${IFACES[@]}"))

kill_keepalived() { # host [signal]: every keepalived process of that host, at once: its process
  # group (the daemon's session, which its VRRP and checker children share). One by one is no
  # death: a child that outlives its parent leaves gracefully (a priority 0 advert), and a
  # parent that outlives a child starts a new one
  local pid pgid
  read -r pid <"${WORK}/run-$1/keepalived.pid" 2>/dev/null || return 0
  [[ ${pid} =~ ^[0-9]+$ ]] || return 0
  pgid=$(awk '{ print $5 }' "/proc/${pid}/stat" 2>/dev/null)
  if [[ ${pgid} == "${pid}" ]]; then
    kill "-${2:-TERM}" -- "-${pgid}" 2>/dev/null
  else
    kill "-${2:-TERM}" "${pid}" 2>/dev/null
  fi
}
cleanup() {
  local h
  for h in "${DIRECTORS[@]}"; do kill_keepalived "${h}" KILL; done
  lib_cleanup
  rm -rf "${WORK}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

modprobe -a veth bridge nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_nat xt_conntrack \
  xt_tcpudp xt_multiport ip_vs ip_vs_rr 2>&1 | sed 's/^/modprobe: /'
log "kernel $(uname -r), $(keepalived --version 2>&1 | head -n 1)"
# keepalived logs to syslog: a syslogd of our own keeps its lines (printed when a check fails)
busybox syslogd -n -O "${WORK}/syslog" &
PIDS+=($!)

# ------------------------------------------------------------------ hosts
# a director: its network namespace, and a mount namespace with its own /run and keepalived.conf
dx() {
  local h=$1; shift
  # shellcheck disable=SC2016 # expanded by that sh
  ip netns exec "${P}-${h}" unshare -m sh -c 'mount -o bind "$1" /run && shift && exec "$@"' sh "${WORK}/run-${h}" \
    env LDRC_STATE_DIR="${WORK}/state-${h}" LDRC_KEEPALIVED_CONF="${WORK}/etc-${h}/keepalived.conf" "$@"
}
build_topology
for h in "${DIRECTORS[@]}"; do mkdir -p "${WORK}/run-${h}" "${WORK}/etc-${h}"; done
log "topology of ${CLUSTER}: ${HOSTS[*]}; master ${MASTER}, backup ${BACKUP}, VIP ${VIP}, public ${PUB}"
snap() { # addresses, routes, ARP sysctls, IPVS table
  ip -n "${P}-$1" -o -4 addr show | sed 's/ valid_lft.*//' | sort
  ip -n "${P}-$1" -4 route show | sort
  nsx "$1" sh -c 'cat /proc/sys/net/ipv4/conf/*/arp_ignore /proc/sys/net/ipv4/conf/*/arp_announce'
  [[ ${ROLE[$1]} != director ]] || nsx "$1" ipvsadm -Sn
}

# ------------------------------------------------------------------ router, real servers
A=${SCN}/ha_pair
check "router: lvs_router.sh start" nsx "${ROUTER}" "${A}/${ROUTER}/lvs_router.sh" start
declare -A RS0 HTTPD
serve_http() { # host: busybox httpd on 80 answering its name, with /healthz
  local d=${WORK}/www-$1
  mkdir -p "${d}"
  echo "$1" >"${d}/index.html"
  echo ok >"${d}/healthz"
  ip netns exec "${P}-$1" busybox httpd -f -p 80 -h "${d}" &
  HTTPD[$1]=$!
  PIDS+=($!)
}
up_http() { nsx "$1" curl -s -o /dev/null --max-time 1 "http://$2/healthz"; }
for rs in "${REALSERVERS[@]}"; do
  RS0[${rs}]=$(snap "${rs}")
  check "${rs}: lvs_rs.sh start" nsx "${rs}" "${A}/${rs}/lvs_rs.sh" start
  serve_http "${rs}"
  # 443: a line echo server ("<host> <line>" for every line), so one TCP connection lives long
  ip netns exec "${P}-${rs}" socat TCP4-LISTEN:443,reuseaddr,fork \
    SYSTEM:"while read -r l; do echo ${rs} \$l; done" >/dev/null 2>&1 &
  PIDS+=($!)
done
for rs in "${REALSERVERS[@]}"; do
  for _ in $(seq 50); do up_http "${rs}" 127.0.0.1 && break; sleep 0.1; done
  check "${rs}: http server on 80" up_http "${rs}" 127.0.0.1
done

# ------------------------------------------------------------------ measuring
holds_vip() { ip -n "${P}-$1" -o -4 addr show dev "${LAN}" 2>/dev/null | grep -q " ${VIP}/32 "; }
WAITED=0
wait_for() { # seconds condition...: poll every 50 ms; WAITED = ms until it held (or the limit)
  local t0 lim
  t0=$(now_ms)
  lim=$((t0 + $1 * 1000))
  shift
  until "$@"; do
    if (($(now_ms) > lim)); then
      WAITED=$(($(now_ms) - t0))
      return 1
    fi
    sleep 0.05
  done
  WAITED=$(($(now_ms) - t0))
}
only_holds() { holds_vip "$1" && ! holds_vip "$2"; }
weight() { # director rip:port -> its weight in the live table, or "none"
  nsx "$1" ipvsadm -Sn | awk -v svc="${VIP}:80" -v rs="$2" \
    '$1 == "-a" && $3 == svc && $5 == rs { w = $NF } END { print (w == "" ? "none" : w) }'
}
weight_is() { [[ $(weight "$1" "$2") == "$3" ]]; }
# probe_start FILE [CONNECT_TIMEOUT]: a request every ~50 ms from the client until probe_stop
# (at most 90 s, 2000 requests): "start end answer" per request, answer ERR-<curl's status>
# when it failed. By default a connection not made within 0.25 s is given up and tried anew
# (a lost SYN would be sent again only after 1 s): the loop sees the end of an outage within
# about 0.3 s (a request here takes 0.1-0.2 s, more while the guest's CPUs are busy: where
# nothing should fail, give it longer)
probe_start() {
  PROBE=$1
  local ct=${2:-0.25}
  rm -f "${WORK}/probe.stop"
  # shellcheck disable=SC2016 # expanded by that bash
  ip netns exec "${P}-${CLIENT}" bash -c '
    end=$((EPOCHSECONDS + 90))
    m=3
    [[ $3 == 0.* ]] && m=1
    for ((i = 0; i < 2000 && EPOCHSECONDS < end; i++)); do
      [[ -e $1 ]] && break
      t=${EPOCHREALTIME}
      r=$(curl -s --connect-timeout "$3" --max-time "${m}" "http://$2/" 2>/dev/null)
      echo "${t} ${EPOCHREALTIME} ${r:-ERR-$?}"
      sleep 0.05
    done' probe "${WORK}/probe.stop" "${PUB}" "${ct}" >"${PROBE}" 2>/dev/null &
  PROBE_PID=$!
  PIDS+=($!)
}
probe_stop() { : >"${WORK}/probe.stop"; wait "${PROBE_PID}"; }
# "requests failed gap_ms": the longest time without an answer (end of one answered request
# to the end of the next answered one)
probe_stats() {
  awk '{ n++ } $3 ~ /^ERR/ { f++; next }
       { if (last != "") { g = $2 - last; if (g > max) max = g }; last = $2 }
       END { printf "%d %d %d\n", n, f, max * 1000 }' "$1"
}
# long-lived connections: each a client process holding one TCP connection to the public
# 443, sending a line every 0.5 s and reading the answer (15 s allowed: TCP retransmits
# across a failover); it logs "ok <server>" or "broken" and stops at the first failure
conn_open() { # n
  local i
  rm -f "${WORK}/conn.stop" "${WORK}"/conn-*.log
  CONN_PIDS=()
  for ((i = 1; i <= $1; i++)); do
    # shellcheck disable=SC2016 # expanded by that bash
    ip netns exec "${P}-${CLIENT}" bash -c '
      exec 3<>"/dev/tcp/$2/443" || { echo broken; exit 1; }
      end=$((EPOCHSECONDS + 300))
      for ((k = 0; EPOCHSECONDS < end; k++)); do
        [[ -e $1 ]] && exit 0
        echo "line ${k}" >&3 && IFS= read -r -t 15 -u 3 answer && [[ ${answer} == *" line ${k}" ]] ||
          { echo "broken $(date +%s)"; exit 1; }
        echo "ok ${answer%% *}"
        sleep 0.5
      done' conn "${WORK}/conn.stop" "${PUB}" >"${WORK}/conn-${i}.log" 2>&1 &
    CONN_PIDS+=($!)
    PIDS+=($!)
  done
}
conn_alive() { # how many connections answer at least twice more from now (or break; 20 s at most)
  local i n k mark=()
  for ((i = 1; i <= ${#CONN_PIDS[@]}; i++)); do mark[i]=$(wc -l <"${WORK}/conn-${i}.log"); done
  for ((k = 0; k < 100; k++)); do
    n=0
    for ((i = 1; i <= ${#CONN_PIDS[@]}; i++)); do
      if grep -q broken "${WORK}/conn-${i}.log" || ! kill -0 "${CONN_PIDS[i - 1]}" 2>/dev/null; then
        n=$((n + 1))
      elif (($(wc -l <"${WORK}/conn-${i}.log") >= mark[i] + 2)); then
        n=$((n + 1))
      fi
    done
    ((n == ${#CONN_PIDS[@]})) && break
    sleep 0.2
  done
  n=0
  for ((i = 1; i <= ${#CONN_PIDS[@]}; i++)); do
    if ! grep -q broken "${WORK}/conn-${i}.log" && (($(wc -l <"${WORK}/conn-${i}.log") >= mark[i] + 2)); then
      n=$((n + 1))
    fi
  done
  echo "${n}"
}
conn_servers() { local i; for ((i = 1; i <= ${#CONN_PIDS[@]}; i++)); do sed -n '1s/^ok //p' "${WORK}/conn-${i}.log"; done | sort | uniq -c | tr -s ' \n' ' '; }
# the same server all along: every "ok" line of a connection names one real server
conn_stable() { local i; for ((i = 1; i <= ${#CONN_PIDS[@]}; i++)); do [[ $(grep '^ok ' "${WORK}/conn-${i}.log" | sort -u | wc -l) -le 1 ]] || return 1; done; }
conn_close() {
  local pid
  : >"${WORK}/conn.stop"
  for pid in "${CONN_PIDS[@]}"; do wait "${pid}" 2>/dev/null; done
  CONN_PIDS=()
}
synced_conns() { # on a director: IPVS connection entries to the 443 service in state ESTABLISHED
  nsx "$1" ipvsadm -L -n -c | awk -v vip="${VIP}:443" '$3 == "ESTABLISHED" && $5 == vip' | wc -l
}
synced_all() { (($(synced_conns "$1") >= $2)); }
requests() { # n -> the answers, one a line (ERR for a failed one); SLOW = how many took over 1 s
  # (a SYN the director drops is sent again after 1 s: slow, not failed; emulation is slow too)
  local i r t
  SLOW=0
  for ((i = 0; i < $1; i++)); do
    t=$(now_ms)
    r=$(nsx "${CLIENT}" curl -s --connect-timeout 3 --max-time 5 "http://${PUB}/")
    # a failure says why: curl's exit status (7 refused, 28 timed out, 52 empty reply, 56 reset)
    echo "${r:-ERR-$?}"
    (($(now_ms) - t <= 1000)) || SLOW=$((SLOW + 1))
  done >"${WORK}/answers"
  cat "${WORK}/answers"
}
dr() { local h=$1 v=$2; shift 2; dx "${h}" "${SCN}/${v}/${h}/lvs_dr.sh" "$@"; }
pair_up() { # variant: both directors started, the master first; waits for the VIP on the master
  check "${1}: ${MASTER}: lvs_dr.sh start" dr "${MASTER}" "$1" start
  check "${1}: ${BACKUP}: lvs_dr.sh start" dr "${BACKUP}" "$1" start
  wait_for 20 only_holds "${MASTER}" "${BACKUP}"
  check "${1}: ${MASTER} (priority first) holds the VIP, ${BACKUP} does not (${WAITED} ms after start)" \
    only_holds "${MASTER}" "${BACKUP}"
  # the backup builds its IPVS table too (its checker runs): wait for both tables to be full
  wait_for 20 weight_is "${BACKUP}" "${VICTIM_RIP}:80" 1
}
pair_down() { # variant
  check "${1}: ${MASTER}: lvs_dr.sh stop" dr "${MASTER}" "$1" stop
  check "${1}: ${BACKUP}: lvs_dr.sh stop" dr "${BACKUP}" "$1" stop
}
show_log() { log "keepalived's log (last lines):"; tail -n "${1:-25}" "${WORK}/syslog" | sed 's/^/    /'; }

# ------------------------------------------------------------------ pair
D0_M=$(snap "${MASTER}")
D0_B=$(snap "${BACKUP}")
pair_up ha_pair
check "pair: ARP for ${VIP} is answered by the master's MAC only ($(arp_macs))" \
  test "$(arp_macs)" = "$(mac "${MASTER}" "${LAN}") "
for h in "${DIRECTORS[@]}"; do
  check "pair: ${h}: lvs_dr.sh status exits 0" dr "${h}" ha_pair status
  check "pair: ${h}: the IPVS table keepalived built equals ipvsadm.rules" \
    test "$(nsx "${h}" ipvsadm -Sn)" = "$(cat "${A}/${h}/ipvsadm.rules")"
done
dr "${MASTER}" ha_pair status | grep -q 'VRRP: MASTER'
check "pair: status says ${MASTER} is MASTER" test $? = 0
dr "${BACKUP}" ha_pair status | grep -q 'VRRP: BACKUP'
check "pair: status says ${BACKUP} is BACKUP" test $? = 0
dr "${MASTER}" ha_pair start >"${WORK}/out" 2>&1
check "pair: a second start on the master changes nothing" grep -q 'ok: keepalived runs this configuration' "${WORK}/out"
check "pair: plan on the master exits 0" dr "${MASTER}" ha_pair plan
seq20=$(requests 20 | tr '\n' ' ')
log "responses: ${seq20}"
check "pair: 20 requests, rr: 10 each, no failure" \
  test "$(tr ' ' '\n' <<<"${seq20}" | grep -c .):$(tr ' ' '\n' <<<"${seq20}" | grep -cx "${REALSERVERS[0]}"):$(tr ' ' '\n' <<<"${seq20}" | grep -cx "${VICTIM}")" = "20:10:10"

# ------------------------------------------------------------------ rs: a real server's service dies
probe_start "${WORK}/probe-rs"
sleep 1
kill "${HTTPD[${VICTIM}]}"
wait "${HTTPD[${VICTIM}]}" 2>/dev/null
t_kill=$(now_ms)
log "rs: ${VICTIM}'s http server killed"
wait_for 30 weight_is "${MASTER}" "${VICTIM_RIP}:80" 0
detect=$(($(now_ms) - t_kill))
check "rs: the master set ${VICTIM} to weight 0 (inhibit) ${detect} ms after its service died" \
  weight_is "${MASTER}" "${VICTIM_RIP}:80" 0
wait_for 30 weight_is "${BACKUP}" "${VICTIM_RIP}:80" 0
check "rs: the backup's checker did the same (${WAITED} ms later)" weight_is "${BACKUP}" "${VICTIM_RIP}:80" 0
sleep 0.5
probe_stop
read -r n f _ < <(probe_stats "${WORK}/probe-rs")
metric rs_detect_ms "${detect}" ms
metric rs_failed_before "${f}" requests
log "rs: ${f} of ${n} requests failed between the death and its detection"
dr "${MASTER}" ha_pair status >"${WORK}/out" 2>&1
check "rs: the status of the master reports the inhibited server, exit 0 ($?)" \
  grep -q "weight 0 (configured 1): ${VICTIM_RIP}:80" "${WORK}/out"
requests 200 >/dev/null
after=$(cat "${WORK}/answers")
fails=$(grep -c '^ERR' <<<"${after}")
metric rs_failed_after "${fails}" requests
metric rs_slow_after "${SLOW}" requests
check "rs: then 200 requests, 0 failed ($(sort <<<"${after}" | uniq -c | tr -s ' \n' ' '))" \
  test "${fails}:$(grep -cx "${REALSERVERS[0]}" <<<"${after}")" = "0:200"
serve_http "${VICTIM}"
t_back=$(now_ms)
wait_for 30 weight_is "${MASTER}" "${VICTIM_RIP}:80" 1
back=$(($(now_ms) - t_back))
metric rs_return_ms "${back}" ms
check "rs: ${VICTIM} is back in rotation ${back} ms after its service returned" weight_is "${MASTER}" "${VICTIM_RIP}:80" 1
wait_for 30 weight_is "${BACKUP}" "${VICTIM_RIP}:80" 1
seq=$(requests 10 | tr '\n' ' ')
check "rs: requests alternate again (${seq})" test "$(tr ' ' '\n' <<<"${seq}" | grep -cx "${VICTIM}")" = 5

# ------------------------------------------------------------------ reload: a new version, traffic flowing
# both directors reloaded to `reweight` (port 80 by wrr 3:1), the backup first, with the request
# loop and 5 long-lived connections running; then back to the example
conn_open 5
probe_start "${WORK}/probe-reload" 2
sleep 1
R=${SCN}/reweight
check "reload: ${BACKUP}: lvs_dr.sh reload (reweight)" dr "${BACKUP}" reweight reload
check "reload: ${MASTER}: lvs_dr.sh reload (reweight)" dr "${MASTER}" reweight reload
table_is() { [[ $(nsx "$1" ipvsadm -Sn) == "$(cat "$2")" ]]; }
wait_for 20 table_is "${MASTER}" "${R}/${MASTER}/ipvsadm.rules"
check "reload: the master's table is the new version's ipvsadm.rules (${WAITED} ms)" table_is "${MASTER}" "${R}/${MASTER}/ipvsadm.rules"
wait_for 20 table_is "${BACKUP}" "${R}/${BACKUP}/ipvsadm.rules"
check "reload: the backup's table too" table_is "${BACKUP}" "${R}/${BACKUP}/ipvsadm.rules"
check "reload: the master is still master" only_holds "${MASTER}" "${BACKUP}"
sleep 1
probe_stop
read -r n f gap < <(probe_stats "${WORK}/probe-reload")
metric reload_failed "${f}" requests
check "reload: no request of the loop failed while both directors reloaded (${f} of ${n}, longest gap ${gap} ms$(awk '$3 ~ /^ERR/ { printf ", %s", $3 }' "${WORK}/probe-reload"))" test "${f}" = 0
ALIVE=$(conn_alive)
check "reload: the 5 long-lived connections go on (${ALIVE})" test "${ALIVE}" = 5
conn_close
seq=$(requests 8 | tr '\n' ' ')
check "reload: new connections follow wrr 3:1 (${seq})" \
  test "$(tr ' ' '\n' <<<"${seq}" | grep -cx "${REALSERVERS[0]}"):$(tr ' ' '\n' <<<"${seq}" | grep -cx "${VICTIM}")" = "6:2"
check "reload: ${BACKUP}: back to the example" dr "${BACKUP}" ha_pair reload
check "reload: ${MASTER}: back to the example" dr "${MASTER}" ha_pair reload
wait_for 20 table_is "${MASTER}" "${A}/${MASTER}/ipvsadm.rules"
check "reload: the master's table is the example's again" table_is "${MASTER}" "${A}/${MASTER}/ipvsadm.rules"
wait_for 20 table_is "${BACKUP}" "${A}/${BACKUP}/ipvsadm.rules"

# ------------------------------------------------------------------ switchover: a planned one
# lvs_dr.sh stop on the master: keepalived leaves gracefully (priority 0), the backup takes over
probe_start "${WORK}/probe-switch"
sleep 1
t_sw=$(now_ms)
check "switchover: ${MASTER}: lvs_dr.sh stop" dr "${MASTER}" ha_pair stop
wait_for 30 holds_vip "${BACKUP}"
sw=$(($(now_ms) - t_sw))
check "switchover: ${BACKUP} holds the VIP ${sw} ms after the master's stop began" only_holds "${BACKUP}" "${MASTER}"
sleep 2
probe_stop
read -r n f gap < <(probe_stats "${WORK}/probe-switch")
metric switch_takeover_ms "${sw}" ms
metric switch_gap_ms "${gap}" ms
metric switch_failed "${f}" requests
log "switchover: ${n} requests, ${f} failed, longest gap ${gap} ms"
check "switchover: ${MASTER}: lvs_dr.sh start" dr "${MASTER}" ha_pair start
wait_for 30 only_holds "${MASTER}" "${BACKUP}"
check "switchover: ${MASTER} is master again (${WAITED} ms)" only_holds "${MASTER}" "${BACKUP}"
wait_for 20 table_is "${MASTER}" "${A}/${MASTER}/ipvsadm.rules"

# ------------------------------------------------------------------ failover (master death)
# failover HOW LABEL: open 5 long-lived connections, then kill the master (HOW = kill:
# SIGKILL to every keepalived process; link: its LAN link down) under a request loop
failover() {
  local how=$1 lbl=$2 t_fail took n f gap
  conn_open 5
  # a connection is synced after its 3rd packet, the sync daemon sends at least every 2 s: wait
  # (10 s at most) until the backup has all 5, then 1 s more (sync off: none comes, 10 s)
  t_fail=$(now_ms)
  wait_for 10 synced_all "${BACKUP}" 5
  SYNCED=$(synced_conns "${BACKUP}")
  log "${lbl}: connections on: $(conn_servers); the backup has ${SYNCED} ESTABLISHED to 443 ($(($(now_ms) - t_fail)) ms after they opened)"
  sleep 1
  probe_start "${WORK}/probe-${lbl}"
  sleep 1
  t_fail=$(now_ms)
  case ${how} in
    kill)
      log "${lbl}: keepalived's pid files on ${MASTER}: $(cd "${WORK}/run-${MASTER}" && echo *.pid)"
      kill_keepalived "${MASTER}" KILL ;;
    link) ip -n "${P}-${MASTER}" link set "${LAN}" down ;;
  esac
  wait_for 30 holds_vip "${BACKUP}"
  took=$(($(now_ms) - t_fail))
  check "${lbl}: ${BACKUP} took the VIP ${took} ms after the master died" holds_vip "${BACKUP}"
  sleep 3
  probe_stop
  read -r n f gap < <(probe_stats "${WORK}/probe-${lbl}")
  metric "${lbl}_takeover_ms" "${took}" ms
  metric "${lbl}_gap_ms" "${gap}" ms
  metric "${lbl}_failed" "${f}" requests
  log "${lbl}: request loop: ${n} requests, ${f} failed, longest gap ${gap} ms"
  check "${lbl}: the request loop answers again after the failover" \
    bash -c "tail -n 3 '${WORK}/probe-${lbl}' | grep -vq ERR"
  ALIVE=$(conn_alive)
  metric "${lbl}_conns_kept" "${ALIVE}" of-5
  log "${lbl}: long-lived connections still answering: ${ALIVE} of 5 ($(cat "${WORK}"/conn-*.log | grep -c broken) broken)"
}

failover kill kill
check "kill: the backup had the 5 connections from the sync daemon before the failover (${SYNCED})" test "${SYNCED}" -ge 5
check "kill: all 5 long-lived connections still answer after the failover (${ALIVE})" test "${ALIVE}" = 5
check "kill: each connection stayed on its real server" conn_stable
ARP_AFTER=$(arp_macs "${REALSERVERS[0]}" "${RS_DEV[${REALSERVERS[0]}]}")
log "kill: ARP answers after the takeover: ${ARP_AFTER}(backup $(mac "${BACKUP}" "${LAN}"); the killed keepalived left the VIP on ${MASTER})"
# ---- return: the master's keepalived is started again; it takes the VIP back (preempt)
probe_start "${WORK}/probe-return"
sleep 1
t_ret=$(now_ms)
check "return: ${MASTER}: lvs_dr.sh start (keepalived was dead)" dr "${MASTER}" ha_pair start
wait_for 30 only_holds "${MASTER}" "${BACKUP}"
ret=$(($(now_ms) - t_ret))
check "return: ${MASTER} holds the VIP again, ${BACKUP} released it (${ret} ms, preempt)" only_holds "${MASTER}" "${BACKUP}"
sleep 3
probe_stop
read -r n f gap < <(probe_stats "${WORK}/probe-return")
metric return_preempt_ms "${ret}" ms
metric return_gap_ms "${gap}" ms
metric return_failed "${f}" requests
ALIVE=$(conn_alive)
metric return_conns_kept "${ALIVE}" of-5
log "return: ${n} requests, ${f} failed, longest gap ${gap} ms; connections kept ${ALIVE} of 5"
check "return: the long-lived connections survive the master's return (${ALIVE} of 5)" test "${ALIVE}" = 5
conn_close
check "return: ARP for ${VIP} answered by the master only ($(arp_macs))" test "$(arp_macs)" = "$(mac "${MASTER}" "${LAN}") "

failover link link
check "link: all 5 long-lived connections still answer after the failover (${ALIVE})" test "${ALIVE}" = 5
conn_close
t_up=$(now_ms)
ip -n "${P}-${MASTER}" link set "${LAN}" up
wait_for 30 only_holds "${MASTER}" "${BACKUP}"
metric link_return_ms "$(($(now_ms) - t_up))" ms
check "link: after its link is up ${MASTER} is master again ($(($(now_ms) - t_up)) ms)" only_holds "${MASTER}" "${BACKUP}"
((FAIL == 0)) || show_log 40

pair_down ha_pair
check "pair: after stop neither director holds the VIP" bash -c "! ip -n ${P}-${MASTER} -o addr show | grep -q ' ${VIP}/' && ! ip -n ${P}-${BACKUP} -o addr show | grep -q ' ${VIP}/'"
check "pair: after stop no sync daemon runs" test -z "$(nsx "${MASTER}" ipvsadm -L --daemon)$(nsx "${BACKUP}" ipvsadm -L --daemon)"
check "pair: ${MASTER} is as before start (addresses, routes, sysctls, IPVS table)" test "$(snap "${MASTER}")" = "${D0_M}"
check "pair: ${BACKUP} is as before start" test "$(snap "${BACKUP}")" = "${D0_B}"

# ------------------------------------------------------------------ nosync: the negative control
pair_up nosync
check "nosync: keepalived.conf has no lvs_sync_daemon" bash -c "! grep -q lvs_sync_daemon '${SCN}/nosync/${MASTER}/keepalived.conf'"
failover link nosync
check "nosync: the backup had none of the connections (${SYNCED})" test "${SYNCED}" = 0
check "nosync: without sync the long-lived connections break on failover (${ALIVE} of 5 kept)" test "${ALIVE}" = 0
conn_close
ip -n "${P}-${MASTER}" link set "${LAN}" up
wait_for 30 only_holds "${MASTER}" "${BACKUP}"
pair_down nosync

# ------------------------------------------------------------------ nocheck: the negative control
pair_up nocheck
kill "${HTTPD[${VICTIM}]}"
wait "${HTTPD[${VICTIM}]}" 2>/dev/null
sleep 8 # longer than the detection time above
out=$(requests 20)
nfail=$(grep -c '^ERR' <<<"${out}")
metric nocheck_failed "${nfail}" of-20
check "nocheck: without checks the dead ${VICTIM} keeps its weight ($(weight "${MASTER}" "${VICTIM_RIP}:80"))" weight_is "${MASTER}" "${VICTIM_RIP}:80" 1
check "nocheck: and keeps receiving requests: ${nfail} of 20 failed" test "${nfail}" -ge 8
serve_http "${VICTIM}"
for _ in $(seq 50); do up_http "${VICTIM}" 127.0.0.1 && break; sleep 0.1; done
pair_down nocheck

# ------------------------------------------------------------------ nopreempt, fast (when compiled)
if [[ -d ${SCN}/nopreempt ]]; then
  pair_up nopreempt
  ip -n "${P}-${MASTER}" link set "${LAN}" down
  wait_for 30 holds_vip "${BACKUP}"
  check "nopreempt: ${BACKUP} took over (${WAITED} ms)" holds_vip "${BACKUP}"
  ip -n "${P}-${MASTER}" link set "${LAN}" up
  sleep 8
  check "nopreempt: ${MASTER} came back and stayed backup: ${BACKUP} keeps the VIP" only_holds "${BACKUP}" "${MASTER}"
  pair_down nopreempt
fi
if [[ -d ${SCN}/fast ]]; then
  pair_up fast
  failover link fast
  check "fast: all 5 long-lived connections still answer (${ALIVE})" test "${ALIVE}" = 5
  conn_close
  ip -n "${P}-${MASTER}" link set "${LAN}" up
  wait_for 30 only_holds "${MASTER}" "${BACKUP}"
  pair_down fast
fi

# ------------------------------------------------------------------ seed: one director, no keepalived
S=${SCN}/seed
# (the router's ARP entry for the VIP may still name the last keepalived master: the seed's
# script sends no gratuitous ARP, and this phase measures the director's outage, not that)
ip -n "${P}-${ROUTER}" neigh flush dev "${ROUTER_LAN_DEV}"
check "seed: ${MASTER}: lvs_dr.sh start (script engine, the seed's one director)" dx "${MASTER}" "${S}/${MASTER}/lvs_dr.sh" start
probe_start "${WORK}/probe-seed"
sleep 1
ip -n "${P}-${MASTER}" link set "${LAN}" down
sleep 8
ip -n "${P}-${MASTER}" link set "${LAN}" up
sleep 3
probe_stop
read -r n f gap < <(probe_stats "${WORK}/probe-seed")
metric seed_gap_ms "${gap}" ms
metric seed_failed "${f}" requests
check "seed: its director down 8 s is an outage of as long (${f} of ${n} requests failed, gap ${gap} ms)" test "${gap}" -ge 7000
check "seed: ${MASTER}: lvs_dr.sh stop" dx "${MASTER}" "${S}/${MASTER}/lvs_dr.sh" stop

# ------------------------------------------------------------------ teardown
for rs in "${REALSERVERS[@]}"; do
  check "${rs}: lvs_rs.sh stop" nsx "${rs}" "${A}/${rs}/lvs_rs.sh" stop
  check "${rs}: as before start" test "$(snap "${rs}")" = "${RS0[${rs}]}"
done
check "router: lvs_router.sh stop" nsx "${ROUTER}" "${A}/${ROUTER}/lvs_router.sh" stop
((FAIL == 0)) || show_log 60
log "done"
echo "e2e-ha: ${PASS} passed, ${FAIL} failed"
[[ ${FAIL} -eq 0 ]]
