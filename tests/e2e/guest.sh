#!/bin/bash
# guest.sh MODE DIR -- build the cluster of DIR/topo.sh from network namespaces,
# apply the generated artifacts in DIR/out verbatim, check DR behaviour, tear down.
#
#   MODE=ipvs  inside the QEMU guest (run.sh): a real IPVS kernel, every check.
#   MODE=host  on the host kernel (no IPVS): router NAT, real servers (sysctls, VIP,
#              start/status/stop), ARP silence; the director is a stand-in that owns
#              the VIP and answers itself.
#
# Every address lives only in namespaces created here; every process started here
# is killed by PID and every namespace deleted on exit. Last line:
# "e2e-<cluster>: N passed, N failed"; exit status 0 only when nothing failed.
set -u
MODE=$1
DIR=$2
# shellcheck source=/dev/null
source "${DIR}/topo.sh"
ART=${DIR}/out
CERTS=${DIR}/certs
P=${LDRC_NS_PREFIX:-ldrc}
WORK=$(mktemp -d /tmp/ldrc-e2e.XXXXXX)
chmod 755 "${WORK}"
# every host (namespace) keeps its ldrc state in a directory of its own, as
# separate machines would: nsx passes it as LDRC_STATE_DIR
STATES=${WORK}/state
PIDS=()
NSES=()
NEW_RS=()
SLOW=()
PASS=0
FAIL=0
T0=${EPOCHREALTIME//[.,]/}
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

log() {
  local ms=$(((${EPOCHREALTIME//[.,]/} - T0) / 1000))
  printf '[%3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"
}
ok() { PASS=$((PASS + 1)); log "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); log "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "${what}"; else bad "${what}"; fi; }
nsx() { local h=$1; shift; ip netns exec "${P}-${h}" env LDRC_STATE_DIR="${STATES}/${h}" "$@"; }
mac() { ip -n "${P}-$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

cleanup() {
  local pid ns
  for pid in "${PIDS[@]}"; do kill "${pid}" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "${pid}" 2>/dev/null; done
  for ns in "${NSES[@]}"; do ip netns del "${ns}" 2>/dev/null; done
  rm -rf "${WORK}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ kernel
if [[ ${MODE} == ipvs ]]; then
  scheds=$(for s in "${SERVICES[@]}"; do read -r _ _ _ _ sched _ <<<"${s}"; echo "ip_vs_${sched}"; done | sort -u)
  # shellcheck disable=SC2086
  modprobe -a veth bridge nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_nat xt_conntrack \
    xt_tcpudp xt_multiport ip_vs ${scheds} 2>&1 | sed 's/^/modprobe: /'
  [[ -e /proc/net/ip_vs ]] || { echo "no IPVS in kernel $(uname -r)" >&2; exit 3; }
fi
log "kernel $(uname -r), mode ${MODE}, cluster ${CLUSTER}"

# ------------------------------------------------------------------ topology
newns() {
  ip netns add "$1" || { echo "netns $1 exists: clean up first" >&2; exit 1; }
  NSES+=("$1")
  ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
}
newns "${P}-sw"
for seg in "${SEGMENTS[@]}"; do
  ip -n "${P}-sw" link add "br-${seg}" type bridge
  ip -n "${P}-sw" link set "br-${seg}" up
done
for h in "${HOSTS[@]}"; do newns "${P}-${h}"; done
n=0
for e in "${IFACES[@]}"; do
  read -r h ifname addr seg <<<"${e}"
  n=$((n + 1))
  ip -n "${P}-${h}" link add "${ifname}" type veth peer name "p${n}" netns "${P}-sw"
  ip -n "${P}-sw" link set "p${n}" master "br-${seg}" up
  ip -n "${P}-${h}" link set "${ifname}" up
  ip -n "${P}-${h}" addr add "${addr}" dev "${ifname}"
done
for e in "${BASE_ROUTES[@]}"; do
  read -r h dst via dev <<<"${e}"
  ip -n "${P}-${h}" route add "${dst}" via "${via}" dev "${dev}"
done
log "topology up: ${#HOSTS[@]} hosts, ${#SEGMENTS[@]} L2 segments"

# What a host looks like, for "stop restores what start changed" checks.
snap() { # host -> addresses, routes, ARP sysctls
  local h=$1
  ip -n "${P}-${h}" -o -4 addr show | awk '{ $1 = ""; print }' | sed 's/ valid_lft.*//' | sort
  ip -n "${P}-${h}" -4 route show | sort
  nsx "${h}" sh -c 'for f in /proc/sys/net/ipv4/conf/*/arp_i* /proc/sys/net/ipv4/conf/*/arp_an*; do echo "$f $(cat "$f")"; done'
}
netstate() { snap "$1" | grep -v '^/proc'; }

# ------------------------------------------------------------------ router
if [[ -n ${ROUTER} ]]; then
  check "router: lvs_router.sh start" nsx "${ROUTER}" "${ART}/${ROUTER}/lvs_router.sh" start
  check "router: ip_forward = 1" test "$(nsx "${ROUTER}" sysctl -n net.ipv4.ip_forward)" = 1
  check "router: lvs_router.sh status exits 0" nsx "${ROUTER}" "${ART}/${ROUTER}/lvs_router.sh" status
  check "router: sysctl -p 90-ldrc-router.conf" nsx "${ROUTER}" sysctl -q -p "${ART}/${ROUTER}/90-ldrc-router.conf"
fi

# ------------------------------------------------------------------ servers on the real servers
cgi() { # file: answer "<host> <client address>" (busybox gives [::ffff:a.b.c.d])
  cat >"$1" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
a=$(echo "$REMOTE_ADDR" | sed 's/^\[::ffff://; s/\]$//')
echo "$(cat /etc/ldrc-e2e-name 2>/dev/null || cat ../index.html) $a"
EOF
  chmod +x "$1"
}
wait_tcp() { # host port [tls]
  local i
  for i in $(seq 50); do
    if [[ ${3:-} == tls ]]; then
      nsx "$1" curl -sk -o /dev/null --max-time 1 "https://127.0.0.1:$2/index.html" && return 0
    else
      nsx "$1" curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/" && return 0
    fi
    sleep 0.1
  done
  return 1
}
wait_udp() { # host port address
  local i
  for i in $(seq 50); do
    [[ $(echo ping | nsx "$1" socat -T 1 - "UDP4:$3:$2" 2>/dev/null) == "$1" ]] && return 0
    sleep 0.1
  done
  return 1
}
serve() { # host proto port vip
  local h=$1 proto=$2 port=$3 vip=$4 d=${WORK}/www-$1
  if [[ ! -d ${d} ]]; then
    mkdir -p "${d}/cgi-bin"
    printf '%s\n' "${h}" >"${d}/index.html"
    cgi "${d}/cgi-bin/whoami"
    # a long-running request: answers after 6 s (connections kept across a reload)
    printf '#!/bin/sh\nsleep 6\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\ncat ../index.html\n' >"${d}/cgi-bin/slow"
    chmod +x "${d}/cgi-bin/slow"
  fi
  case ${proto}:${port} in
    tcp:443)
      (cd "${d}" && exec ip netns exec "${P}-${h}" openssl s_server -quiet -accept 443 \
        -cert "${CERTS}/cert.pem" -key "${CERTS}/key.pem" -WWW) >"${WORK}/${h}-443.log" 2>&1 &
      PIDS+=($!)
      check "${h}: https server on 443 (self-signed)" wait_tcp "${h}" 443 tls
      ;;
    tcp:*)
      ip netns exec "${P}-${h}" busybox httpd -f -p "${port}" -h "${d}" >"${WORK}/${h}-${port}.log" 2>&1 &
      PIDS+=($!)
      check "${h}: http server on ${port}" wait_tcp "${h}" "${port}"
      ;;
    udp:*)
      # a DNS-like echo: every datagram is answered with the host's name. Bound to the
      # VIP, as a DNS server binds its addresses: a socket on 0.0.0.0 would answer from
      # the RIP, and the client would never match the reply.
      ip netns exec "${P}-${h}" socat "UDP4-RECVFROM:${port},bind=${vip},fork" "SYSTEM:echo ${h}" \
        >"${WORK}/${h}-u${port}-${vip}.log" 2>&1 &
      PIDS+=($!)
      check "${h}: udp echo on ${vip}:${port}" wait_udp "${h}" "${port}" "${vip}"
      ;;
  esac
}

declare -A RS_S1 RS_UP
for rs in "${REALSERVERS[@]}"; do
  d=${ART}/${rs}
  check "${rs}: sysctl -p 90-ldrc-lvs-rs.conf" nsx "${rs}" sysctl -q -p "${d}/90-ldrc-lvs-rs.conf"
  RS_S1[${rs}]=$(snap "${rs}")
  check "${rs}: lvs_rs.sh status before start exits non-zero" bash -c "! ip netns exec ${P}-${rs} env LDRC_STATE_DIR=${STATES}/${rs} ${d}/lvs_rs.sh status >/dev/null"
  check "${rs}: lvs_rs.sh start" nsx "${rs}" "${d}/lvs_rs.sh" start
  RS_UP[${rs}]=$(snap "${rs}")
  out=$(nsx "${rs}" "${d}/lvs_rs.sh" start 2>&1)
  check "${rs}: start twice changes nothing" test "$(snap "${rs}")" = "${RS_UP[${rs}]}"
  check "${rs}: second start reports nothing to do" bash -c "! grep -qE '(added|^lvs_rs.sh: set|^lvs_rs.sh: route)' <<<'${out}'"
  check "${rs}: lvs_rs.sh status exits 0" nsx "${rs}" "${d}/lvs_rs.sh" status
  for vip in "${VIPS[@]}"; do
    if grep -q "\"${vip}/32 " "${d}/lvs_rs.sh"; then
      check "${rs}: VIP ${vip}/32 on lo" bash -c "ip -n ${P}-${rs} -4 -o addr show dev lo | grep -q ' ${vip}/32 '"
    fi
  done
  check "${rs}: all.arp_ignore=1 all.arp_announce=2" \
    test "$(nsx "${rs}" sysctl -n net.ipv4.conf.all.arp_ignore) $(nsx "${rs}" sysctl -n net.ipv4.conf.all.arp_announce)" = "1 2"
done
for s in "${SERVICES[@]}"; do
  read -r proto _ port vip _ _ _ rss <<<"${s}"
  for e in ${rss}; do
    h=${e%%:*}
    key=${h}-${proto}-${port}
    [[ ${proto} == udp ]] && key=${key}-${vip}
    [[ -f ${WORK}/served-${key} ]] && continue
    : >"${WORK}/served-${key}"
    serve "${h}" "${proto}" "${port}" "${vip}"
  done
done

# ------------------------------------------------------------------ ARP
arp_macs() { # vip: the distinct MACs that answer ARP for it on the director's LAN
  local who=${ROUTER:-${DIRECTOR}} dev=${ROUTER_LAN_DEV:-${DIRECTOR_DEV}}
  ip -n "${P}-${who}" neigh flush dev "${dev}" 2>/dev/null
  nsx "${who}" arping -c 2 -w 2 -I "${dev}" "$1" 2>/dev/null |
    sed -n 's/.*reply from .* \[\([0-9A-Fa-f:]*\)\].*/\1/p' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' '
}
FIRST_RS=${REALSERVERS[0]}
for vip in "${VIPS[@]}"; do
  got=$(arp_macs "${vip}")
  check "ARP: no real server answers for ${vip} before the director is up (got '${got}')" test -z "${got}"
done
# negative control: a real server that answers ARP (arp_ignore=0) must be seen by the same check
rsdev=${RS_DEV[${FIRST_RS}]}
old_all=$(nsx "${FIRST_RS}" sysctl -n net.ipv4.conf.all.arp_ignore)
old_dev=$(nsx "${FIRST_RS}" sysctl -n "net.ipv4.conf.${rsdev}.arp_ignore")
nsx "${FIRST_RS}" sysctl -q -w net.ipv4.conf.all.arp_ignore=0 "net.ipv4.conf.${rsdev}.arp_ignore=0"
got=$(arp_macs "${VIPS[0]}")
check "ARP control: ${FIRST_RS} with arp_ignore=0 is caught answering for ${VIPS[0]} (got '${got}')" \
  test "${got}" = "$(mac "${FIRST_RS}" "${rsdev}") "
nsx "${FIRST_RS}" sysctl -q -w "net.ipv4.conf.all.arp_ignore=${old_all}" "net.ipv4.conf.${rsdev}.arp_ignore=${old_dev}"
ip -n "${P}-sw" neigh flush all 2>/dev/null

# ------------------------------------------------------------------ director
# (RHEL ifcfg/route files: no network service here, so they are applied by parsing them)
apply_ifcfg() { # host file: every IPADDRn/PREFIXn of the device that is not there yet
  local DEVICE="" line n
  declare -A addr=() prefix=()
  while IFS= read -r line; do
    case ${line} in
      DEVICE=*) DEVICE=${line#DEVICE=} ;;
      IPADDR*=*) n=${line%%=*}; addr[${n#IPADDR}]=${line#*=} ;;
      PREFIX*=*) n=${line%%=*}; prefix[${n#PREFIX}]=${line#*=} ;;
    esac
  done <"$2"
  for n in "${!addr[@]}"; do
    ip -n "${P}-$1" -o -4 addr show dev "${DEVICE}" | grep -q " ${addr[${n}]}/${prefix[${n}]} " && continue
    ip -n "${P}-$1" addr add "${addr[${n}]}/${prefix[${n}]}" dev "${DEVICE}" || return 1
  done
}
apply_routes() { # host file
  local line
  while IFS= read -r line; do
    [[ -z ${line} || ${line} == \#* ]] && continue
    # shellcheck disable=SC2086
    ip -n "${P}-$1" route replace ${line}
  done <"$2"
}
DA=${ART}/${DIRECTOR}
FOREIGN="-t 10.255.255.254:9"
if [[ ${MODE} == ipvs ]]; then
  # a service that ldrc did not create: start, status and stop must leave it alone
  nsx "${DIRECTOR}" ipvsadm -A ${FOREIGN} -s wlc
  D0=$(netstate "${DIRECTOR}"; nsx "${DIRECTOR}" ipvsadm -Sn)
  check "director: lvs_dr.sh start" nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" start
  D_UP=$(netstate "${DIRECTOR}"; nsx "${DIRECTOR}" ipvsadm -Sn)
  out=$(nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" start 2>&1)
  check "director: start twice changes nothing" test "$(netstate "${DIRECTOR}"; nsx "${DIRECTOR}" ipvsadm -Sn)" = "${D_UP}"
  check "director: second start applies no IPVS change" grep -q "already as configured" <<<"${out}"
  check "director: lvs_dr.sh status exits 0" nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" status
  live=$(nsx "${DIRECTOR}" ipvsadm -Sn | grep -vF -- "${FOREIGN}")
  check "director: ipvsadm -Sn equals ipvsadm.rules (as sets)" \
    test "$(sort <<<"${live}")" = "$(sort "${DA}/ipvsadm.rules")"
  check "director: ipvsadm -Sn equals ipvsadm.rules byte for byte" test "${live}" = "$(cat "${DA}/ipvsadm.rules")"
  nsx "${DIRECTOR}" ipvsadm -Ln
else
  # host kernel: a stand-in director that owns the VIPs (its ifcfg and route files) and answers itself
  for f in "${DA}"/ifcfg-*; do check "director stand-in: $(basename "${f}")" apply_ifcfg "${DIRECTOR}" "${f}"; done
  for f in "${DA}"/route-*; do [[ -e ${f} ]] && check "director stand-in: $(basename "${f}")" apply_routes "${DIRECTOR}" "${f}"; done
  for s in "${SERVICES[@]}"; do
    read -r proto _ port _ <<<"${s}"
    [[ ${proto} == tcp && ${port} != 443 && ! -f ${WORK}/served-${DIRECTOR}-${proto}-${port} ]] || continue
    : >"${WORK}/served-${DIRECTOR}-${proto}-${port}"
    serve "${DIRECTOR}" tcp "${port}" -
  done
fi
DMAC=$(mac "${DIRECTOR}" "${DIRECTOR_DEV}")
for vip in "${VIPS[@]}"; do
  got=$(arp_macs "${vip}")
  check "ARP: only the director (${DMAC}) answers for ${vip} (got '${got}')" test "${got}" = "${DMAC} "
done

# ------------------------------------------------------------------ traffic
request() { # proto public port -> one response line
  case $1:$3 in
    tcp:443) nsx "${CLIENT}" curl -sk --max-time 5 "https://$2/index.html" ;;
    tcp:*) nsx "${CLIENT}" curl -s --max-time 5 "http://$2:$3/" ;;
    udp:*) echo ping | nsx "${CLIENT}" socat -T 2 - "UDP4:$2:$3" ;;
  esac
}
declare -A CONNS
WHOAMI_DONE=""
for s in "${SERVICES[@]}"; do
  read -r proto public port vip sched expect count rss <<<"${s}"
  if [[ ${public} == - || -z ${CLIENT} ]]; then
    log "note: ${proto} ${vip}:${port} is not published by the router: no client traffic"
    continue
  fi
  if [[ ${MODE} == host ]]; then
    [[ ${proto} == tcp && ${port} != 443 ]] || continue
    r=$(request "${proto}" "${public}" "${port}")
    check "client -> ${public}:${port} reaches the VIP owner through the router DNAT (got '${r}')" test "${r}" = "${DIRECTOR}"
    continue
  fi
  seq=()
  for _ in $(seq "${count}"); do
    r=$(request "${proto}" "${public}" "${port}" | head -n 1)
    seq+=("${r:-ERR}")
  done
  log "responses ${proto} ${public}:${port}: ${seq[*]}"
  names=()
  declare -A want=()
  total=0
  # expectations count only live servers: the kernel sends a weight-0 real server nothing
  idle=()
  for e in ${rss}; do
    want[${e%%:*}]=${e##*:}
    total=$((total + ${e##*:}))
    if [[ ${e##*:} == 0 ]]; then idle+=("${e%%:*}"); else names+=("${e%%:*}"); fi
  done
  declare -A got_n=()
  known=1
  for r in "${seq[@]}"; do
    [[ -n ${want[${r}]+x} ]] || known=0
    got_n[${r}]=$((${got_n[${r}]:-0} + 1))
    CONNS[${vip}:${port}:${r}]=$((${CONNS[${vip}:${port}:${r}]:-0} + 1))
  done
  check "${proto} ${public}:${port}: all ${count} answered by real servers" test "${known}" = 1
  for nme in "${idle[@]}"; do
    check "${proto} ${public}:${port}: ${nme} (weight 0) answered none" test "${got_n[${nme}]:-0}" = 0
  done
  counts=$(for nme in "${names[@]}"; do printf '%s=%s ' "${nme}" "${got_n[${nme}]:-0}"; done)
  case ${expect} in
    cycle)
      cyc=1
      for ((i = 0; i < ${#seq[@]}; i++)); do
        [[ ${seq[i]} == "${seq[i % ${#names[@]}]}" ]] || cyc=0
      done
      per=$((count / ${#names[@]}))
      even=1
      for nme in "${names[@]}"; do [[ ${got_n[${nme}]:-0} -eq ${per} ]] || even=0; done
      check "${sched} ${public}:${port}: strict rotation over ${#names[@]} real servers, ${per} each (${counts})" test "${cyc}${even}" = 11
      ;;
    weights)
      good=1
      for nme in "${names[@]}"; do
        [[ $((${got_n[${nme}]:-0} * total)) -eq $((want[${nme}] * count)) ]] || good=0
      done
      check "${sched} ${public}:${port}: split follows the weights ${rss} (${counts})" test "${good}" = 1
      ;;
    same)
      check "${sched} ${public}:${port}: one client address always reaches the same real server (${counts})" \
        test "$(printf '%s\n' "${seq[@]}" | sort -u | wc -l)" = 1
      ;;
    *) ok "${sched} ${public}:${port}: spread ${counts}" ;;
  esac
  unset want got_n
  if [[ -z ${WHOAMI_DONE} && ${proto} == tcp && ${port} != 443 ]]; then
    WHOAMI_DONE=1
    r=$(nsx "${CLIENT}" curl -s --max-time 5 "http://${public}:${port}/cgi-bin/whoami")
    caddr=$(for e in "${IFACES[@]}"; do read -r h _ a _ <<<"${e}"; [[ ${h} == "${CLIENT}" ]] && echo "${a%/*}"; done | head -n 1)
    check "the real server sees the client's own address ${caddr}, no SNAT on the way in (got '${r}')" \
      test "${r#* }" = "${caddr}"
    CONNS[${vip}:${port}:${r%% *}]=$((${CONNS[${vip}:${port}:${r%% *}]:-0} + 1))
  fi
done

# ------------------------------------------------------------------ IPVS counters
if [[ ${MODE} == ipvs && -n ${CLIENT} ]]; then
  # the counters are folded in from per-CPU counters every 2 s: poll a little
  want_total=0
  for k in "${!CONNS[@]}"; do want_total=$((want_total + CONNS[${k}])); done
  for _ in $(seq 40); do
    ST=$(nsx "${DIRECTOR}" ipvsadm -Ln --stats --exact)
    have=$(awk '$1 == "TCP" || $1 == "UDP" { s += $3 } END { print s + 0 }' <<<"${ST}")
    [[ ${have} -ge ${want_total} ]] && break
    sleep 0.2
  done
  nsx "${DIRECTOR}" ipvsadm -Ln --stats --exact
  for s in "${SERVICES[@]}"; do
    read -r proto public port vip _ _ _ rss <<<"${s}"
    [[ ${public} != - ]] || continue
    P_UP=$(tr 'a-z' 'A-Z' <<<"${proto}")
    line=$(awk -v p="${P_UP}" -v k="${vip}:${port}" '$1 == p && $2 == k' <<<"${ST}")
    read -r _ _ conns _ outpkts _ <<<"${line}"
    check "ipvs ${proto} ${vip}:${port}: ${conns:-?} connections, OutPkts = 0: the replies bypass the director (got ${outpkts:-?})" test "${outpkts:-x}" = 0
    split=""
    good=1
    for e in ${rss}; do
      h=${e%%:*}
      raddr=$(for i in "${IFACES[@]}"; do read -r hh _ a _ <<<"${i}"; [[ ${hh} == "${h}" ]] && echo "${a%/*}"; done | head -n 1)
      c=$(awk -v k="${raddr}:${port}" -v p="${P_UP}" '$1 == p { cur = $2 } $1 == "->" && $2 == k && cur == "'"${vip}:${port}"'" { print $3 }' <<<"${ST}")
      split="${split}${h}=${c:-?} "
      [[ ${c:-x} == "${CONNS[${vip}:${port}:${h}]:-0}" ]] || good=0
    done
    check "ipvs ${proto} ${vip}:${port}: connections per real server match the responses (${split})" test "${good}" = 1
  done
fi


# ------------------------------------------------------------------ operations (--reload V2)
O2=${DIR}/out2
if [[ ${MODE} == ipvs && -d ${O2} ]]; then
  D2=${O2}/${DIRECTOR}/lvs_dr.sh
  D1=${DA}/lvs_dr.sh
  read -r _ PUB80 _ <<<"${SERVICES[0]}"
  ipvs_owned() { nsx "${DIRECTOR}" ipvsadm -Sn | grep -vF -- "${FOREIGN}"; }
  rc_of() { "$@" >"${WORK}/rc.out" 2>&1; echo $?; }
  check "plan with the running configuration: exit 0, no changes" test "$(rc_of nsx "${DIRECTOR}" "${D1}" plan)" = 0
  check "plan without ipvsadm on PATH: exit 1" \
    test "$(rc_of nsx "${DIRECTOR}" env PATH=/nonexistent:/usr/bin /usr/bin/bash "${D1}" plan)" = 1
  # real servers that only the new configuration has
  for f in "${O2}"/*/lvs_rs.sh; do
    h=$(basename "$(dirname "${f}")")
    [[ -f ${ART}/${h}/lvs_rs.sh ]] && continue
    NEW_RS+=("${h}")
    check "${h}: lvs_rs.sh start (new in V2)" nsx "${h}" "${f}" start
    serve "${h}" tcp 80 -
  done
  check "plan with V2: exit 2" test "$(rc_of nsx "${DIRECTOR}" "${D2}" plan)" = 2
  grep '^+ ' "${WORK}/rc.out" | sed 's/^/    /'
  # long-running requests, open across the reload
  for i in 1 2 3; do
    nsx "${CLIENT}" curl -s --max-time 20 "http://${PUB80}/cgi-bin/slow" >"${WORK}/slow${i}" 2>&1 &
    SLOW+=($!)
  done
  sleep 1
  # one touched service of three: read back with `ipvsadm -L -n -t` (forced here, auto picks it for 1 in 4 or fewer)
  nsx "${DIRECTOR}" env LDRC_IPVS_VERIFY=list "${D2}" reload >"${WORK}/reload.out" 2>&1
  check "reload to V2" test $? = 0
  check "the reload read the touched service back with ipvsadm -L -n -t" \
    grep -q "^TCP  ${VIPS[0]}:80 wrr" "${STATES}/${DIRECTOR}/${CLUSTER}/${DIRECTOR}.work/after"
  grep 'ipvsadm -R:' "${WORK}/reload.out" | sed 's/^/    /'
  applied=$(sed -n 's/.*ipvsadm -R: //p' "${WORK}/reload.out" | sort | tr '\n' '|')
  want="-a -t ${VIPS[0]}:80 -r 10.30.0.13:80 -g -w 2|-d -t ${VIPS[0]}:80 -r 10.30.0.12:80|-e -t ${VIPS[0]}:80 -r 10.30.0.11:80 -g -w 1|"
  check "reload applied exactly the three changed lines (add web3, delete web2, full -e line for web1)" \
    test "${applied}" = "${want}"
  check "no line of an unchanged service was touched" bash -c "! grep 'ipvsadm -R:' '${WORK}/reload.out' | grep -q ':8080'"
  check "after reload, the IPVS table equals V2's ipvsadm.rules" \
    test "$(ipvs_owned | sort)" = "$(sort "${O2}/${DIRECTOR}/ipvsadm.rules")"
  ok_slow=0
  for i in 1 2 3; do
    wait "${SLOW[i - 1]}" && [[ -n $(cat "${WORK}/slow${i}") ]] && ok_slow=$((ok_slow + 1))
  done
  check "long-running connections opened before the reload all completed ($(cat "${WORK}"/slow? | tr '\n' ' '))" test "${ok_slow}" = 3
  seqv=$(for _ in 1 2 3 4 5 6; do nsx "${CLIENT}" curl -s --max-time 5 "http://${PUB80}/"; done | tr '\n' ' ')
  log "responses after reload: ${seqv}"
  check "new connections follow V2's weights (web1 x2, web3 x4)" \
    test "$(tr ' ' '\n' <<<"${seqv}" | grep -c .):$(tr ' ' '\n' <<<"${seqv}" | grep -cx web1):$(tr ' ' '\n' <<<"${seqv}" | grep -cx web3)" = "6:2:4"
  # drain
  check "drain web1" nsx "${DIRECTOR}" "${D2}" drain web1
  check "drained web1 has weight 0" bash -c "ip netns exec ${P}-${DIRECTOR} ipvsadm -Sn | grep -q -- '-t ${VIPS[0]}:80 -r 10.30.0.11:80 -g -w 0'"
  seqd=$(for _ in 1 2 3 4; do nsx "${CLIENT}" curl -s --max-time 5 "http://${PUB80}/"; done | tr '\n' ' ')
  check "while web1 is drained new connections go elsewhere (${seqd})" bash -c "! grep -q web1 <<<'${seqd}'"
  check "status with a drain: exit 0, drain reported" bash -c "ip netns exec ${P}-${DIRECTOR} env LDRC_STATE_DIR=${STATES}/${DIRECTOR} ${D2} status | grep -q 'drained: 10.30.0.11'"
  check "undrain web1" nsx "${DIRECTOR}" "${D2}" undrain web1
  check "after undrain the table equals V2's ipvsadm.rules" \
    test "$(ipvs_owned | sort)" = "$(sort "${O2}/${DIRECTOR}/ipvsadm.rules")"
  # a failing apply must leave the table exactly as it was
  # the V1 script with a bad service line: its batch also reverts V2's three changes,
  # which ipvsadm -R applies around the failing line; all of it must be undone
  sed 's/^-A -t 10.30.0.100:8080 -s rr$/&\n-A -t 10.30.0.100:9999 -s nosuchsched/' "${D1}" >"${WORK}/bad_dr.sh"
  check "the injected bad line is in the copy" grep -q nosuchsched "${WORK}/bad_dr.sh"
  snapshot=$(nsx "${DIRECTOR}" ipvsadm -Sn)
  # (read back with -L -n -t: the missing service ends that ipvsadm process; the restore reads back with -S -n)
  rc=$(rc_of nsx "${DIRECTOR}" env LDRC_IPVS_VERIFY=list bash "${WORK}/bad_dr.sh" reload)
  sed 's/^/    /' "${WORK}/rc.out" | grep -v ': ok' | tail -n 8
  check "a failing apply exits non-zero (${rc}) and says it rolled back" bash -c "[ ${rc} -ne 0 ] && grep -q 'rolled back' '${WORK}/rc.out'"
  check "after the failed apply the IPVS table is exactly the snapshot" test "$(nsx "${DIRECTOR}" ipvsadm -Sn)" = "${snapshot}"
  # and back to V1
  nsx "${DIRECTOR}" "${D1}" reload >"${WORK}/reload.out" 2>&1
  check "reload back to V1" test $? = 0
  check "after reloading V1 the table equals V1's ipvsadm.rules" \
    test "$(ipvs_owned | sort)" = "$(sort "${DA}/ipvsadm.rules")"
  for h in "${NEW_RS[@]}"; do
    check "${h}: lvs_rs.sh stop" nsx "${h}" "${O2}/${h}/lvs_rs.sh" stop
  done
fi

# ------------------------------------------------------------------ hook (benchmarks)
# run.sh --hook FILE: sourced here, with the cluster up and every function above
if [[ -f ${DIR}/hook.sh ]]; then
  # shellcheck source=/dev/null
  source "${DIR}/hook.sh"
fi

# ------------------------------------------------------------------ stop
if [[ ${MODE} == ipvs ]]; then
  check "director: lvs_dr.sh stop" nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" stop
  check "director: status after stop exits non-zero" bash -c "! ip netns exec ${P}-${DIRECTOR} env LDRC_STATE_DIR=${STATES}/${DIRECTOR} ${DA}/lvs_dr.sh status >/dev/null"
  check "director: the foreign IPVS service survived start and stop" \
    bash -c "ip netns exec ${P}-${DIRECTOR} ipvsadm -Sn | grep -qF -- '-A ${FOREIGN} -s wlc'"
  check "director: addresses, routes and IPVS table are as before start" \
    test "$(netstate "${DIRECTOR}"; nsx "${DIRECTOR}" ipvsadm -Sn)" = "${D0}"
fi
for rs in "${REALSERVERS[@]}"; do
  check "${rs}: lvs_rs.sh stop" nsx "${rs}" "${ART}/${rs}/lvs_rs.sh" stop
  check "${rs}: status after stop exits non-zero" bash -c "! ip netns exec ${P}-${rs} env LDRC_STATE_DIR=${STATES}/${rs} ${ART}/${rs}/lvs_rs.sh status >/dev/null"
  check "${rs}: sysctls, addresses and routes are as before start" test "$(snap "${rs}")" = "${RS_S1[${rs}]}"
done
if [[ -n ${ROUTER} ]]; then
  check "router: lvs_router.sh stop" nsx "${ROUTER}" "${ART}/${ROUTER}/lvs_router.sh" stop
  check "router: no ldrc chain or jump left after stop" bash -c "! ip netns exec ${P}-${ROUTER} iptables-save | grep -q LDRC-"
fi

# ------------------------------------------------------------------ ifcfg / route files
# No RHEL network service here: apply the files by parsing them, and compare the result
# with what the scripts set at runtime (they must agree).
for h in "${REALSERVERS[@]}" "${DIRECTOR}"; do
  [[ ${MODE} == ipvs || ${h} != "${DIRECTOR}" ]] || continue
  okf=1
  for f in "${ART}/${h}"/ifcfg-*; do [[ -e ${f} ]] && { apply_ifcfg "${h}" "${f}" || okf=0; }; done
  for f in "${ART}/${h}"/route-*; do [[ -e ${f} ]] && { apply_routes "${h}" "${f}" || okf=0; }; done
  if [[ ${h} == "${DIRECTOR}" ]]; then
    want=$(grep -v '^-' <<<"${D_UP}" | grep -v '^/proc')
  else
    want=$(grep -v '^/proc' <<<"${RS_UP[${h}]}")
  fi
  # (address labels such as lo:0 are the script's, for ifconfig users; ifcfg IPADDRn has none)
  unlabel() { sed -E 's/(scope [a-z]+) [^ ]+/\1/'; }
  check "${h}: ifcfg and route files give the same addresses and routes as the script" \
    test "${okf}:$(netstate "${h}" | unlabel)" = "1:$(unlabel <<<"${want}")"
done

log "done"
echo "e2e-${CLUSTER}: ${PASS} passed, ${FAIL} failed"
[[ ${FAIL} -eq 0 ]]
