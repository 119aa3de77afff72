#!/bin/bash
# scenario.sh MODE DIR -- surviving a reboot (run by run.sh --scenario in the QEMU guest):
# the seed lab (seed-lab.ldr) is deployed as a systemd host would have it, each host with a
# "disk" of its own (/etc/systemd/network, /etc/sysctl.d, /etc/systemd/system,
# /usr/local/lib/ldrc, /var/lib/ldrc: what survives a reboot), then a real server and the
# director are rebooted: the namespace is deleted (addresses, routes, sysctls, IPVS table and
# processes are gone; the disk stays), made again with the same NICs (same MACs), and only the
# persistent configuration is applied, by its own consumers, in boot order:
#   systemd-sysctl       the real one: /etc/sysctl.d (90-ldrc-lvs-rs.conf)
#   systemd-networkd     the real one: the .network files and their ldrc drop-ins (the
#                        addresses, the VIPs as /32, the routes)
#   ldrc-<cluster>.service   its ExecStart= line, as written in the unit
# One real server has every persistent file (sysctl.d, networkd files with the VIP on lo, the
# unit), the other only what `ldrc deploy` installs (the script and the unit; its address
# from its own network configuration).
# Checks: the DR behaviour before and after each reboot (requests through the router answered
# by both real servers in turn, the IPVS table equal to ipvsadm.rules, status exit 0), and the
# rebooted real server silent on ARP for the VIP from the first moment: an arping from the
# router runs through its whole boot, and the VIP, once networkd has put it on lo, is not
# answered even before lvs_rs.sh runs. Negative control: the same boot without
# systemd-sysctl answers ARP for the VIP, and the same checks see it.
# Last line: "e2e-reboot: N passed, N failed".
set -u
MODE=$1
DIR=$2
SCN=${DIR}/scn
P=ldrc-rb
WORK=$(mktemp -d /tmp/ldrc-reboot.XXXXXX)
chmod 755 "${WORK}"
# shellcheck source=../lib.sh
source "${DIR}/lib.sh"
cleanup() { lib_cleanup; rm -rf "${WORK}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ ${MODE} == ipvs ]] || { echo "scenario.sh: needs the IPVS guest" >&2; exit 2; }
modprobe -a veth bridge nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_nat xt_conntrack \
  xt_tcpudp xt_multiport ip_vs ip_vs_rr 2>&1 | sed 's/^/modprobe: /'
SYSCTL_BIN=/lib/systemd/systemd-sysctl
NETWORKD=/lib/systemd/systemd-networkd
log "kernel $(uname -r), $(${NETWORKD} --version | head -n 1)"
# shellcheck source=/dev/null
source "${SCN}/seed-lab.topo.sh"
A=${SCN}/seed-lab
VIP=${VIPS[0]}
read -r _ PUB _ <<<"${SERVICES[0]}"
RS=${REALSERVERS[1]}         # deployed with every persistent file: sysctl.d, networkd, the unit
RS_UNIT=${REALSERVERS[0]}    # deployed as `ldrc deploy` does: the script and the unit
# the mount points of the disks' directories, in the guest's own root
mkdir -p /etc/systemd/network /etc/systemd/system /etc/sysctl.d /usr/local/lib/ldrc /var/lib/ldrc /run/systemd
[[ -e /etc/machine-id ]] || : >/etc/machine-id

# ------------------------------------------------------------------ a disk per host
# the files as the README installs them: networkd files in /etc/systemd/network (a drop-in
# into <F>.network.d/), sysctl.d, the unit, the script in /usr/local/lib/ldrc/<cluster>/
# install_disk HOST [unit-only]: unit-only is what `ldrc deploy` installs (the script and the
# unit), on a host whose own network configuration gives it its address and gateway (here
# ldrc's 80-ldrc-<dev>.network without the drop-ins): the unit's start then sets the
# sysctls and the VIPs at every boot
install_disk() {
  local h=$1 how=${2:-} d=${WORK}/disk-$1 f base dev
  mkdir -p "${d}"/{etc/systemd/network,etc/systemd/system,etc/sysctl.d,usr/local/lib/ldrc/"${CLUSTER}",var/lib/ldrc}
  # every installed system has its machine id (networkd derives its DHCPv6 DUID from it)
  printf '%s' "${h}" | md5sum | cut -c1-32 >"${d}/etc/machine-id"
  for f in "${A}/${h}"/80-ldrc-*.network; do
    [[ ${how} == unit-only && ${f} == */80-ldrc-lo.network ]] || cp "${f}" "${d}/etc/systemd/network/"
  done
  cp "${A}/${h}/ldrc-${CLUSTER}.service" "${d}/etc/systemd/system/"
  cp "${A}/${h}"/lvs_*.sh "${d}/usr/local/lib/ldrc/${CLUSTER}/"
  chmod 0755 "${d}/usr/local/lib/ldrc/${CLUSTER}"/lvs_*.sh
  [[ ${how} != unit-only ]] || return 0
  for f in "${A}/${h}/ldrc-${CLUSTER}"-*.conf; do
    base=${f##*/}
    dev=${base#ldrc-"${CLUSTER}"-}
    dev=${dev%.conf}
    mkdir -p "${d}/etc/systemd/network/80-ldrc-${dev}.network.d"
    cp "${f}" "${d}/etc/systemd/network/80-ldrc-${dev}.network.d/"
  done
  for f in "${A}/${h}"/90-ldrc-*.conf; do [[ -e ${f} ]] && cp "${f}" "${d}/etc/sysctl.d/"; done
  return 0
}
on_host() { # host command...: in its namespace, with its disk mounted where the host has it
  local h=$1; shift
  # shellcheck disable=SC2016 # expanded by that sh
  ip netns exec "${P}-${h}" unshare -m sh -c '
    d=$1; shift
    for m in etc/machine-id etc/systemd/network etc/systemd/system etc/sysctl.d usr/local/lib/ldrc var/lib/ldrc; do
      mount -o bind "$d/$m" "/$m" || exit 1
    done
    exec "$@"' sh "${WORK}/disk-${h}" "$@"
}
unit_exec() { # host key: the unit's command line for key (ExecStart, ExecStop), as written
  sed -n "s/^$2=//p" "${WORK}/disk-$1/etc/systemd/system/ldrc-${CLUSTER}.service"
}
run_unit() { # host key: run that command line as systemd would (its words, no shell)
  local cmd
  read -r -a cmd <<<"$(unit_exec "$1" "$2")"
  [[ ${#cmd[@]} -gt 0 ]] || { echo "no $2= in the unit of $1" >&2; return 1; }
  on_host "$1" "${cmd[@]}"
}

# the real systemd-networkd on the host's disk, until it has applied what the host expects
# (the addresses of its .network files and drop-ins, and its gateway), then stopped: it
# leaves the configuration in place
networkd_boot() { # host
  local h=$1 want pid have="" missing=""
  want=$(cat "${WORK}/disk-${h}"/etc/systemd/network/*.network "${WORK}/disk-${h}"/etc/systemd/network/*.d/*.conf |
    sed -n 's/^Address=//p; s/^Gateway=/default via /p' | sort -u)
  # (a read-only /sys tells networkd that no udev runs here, as in a container: it configures
  # the links at once instead of waiting for udev to initialize them; the pid is networkd's own)
  rm -f "${WORK}/networkd.pid"
  # shellcheck disable=SC2016 # expanded by that sh
  on_host "${h}" sh -c 'mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/netif &&
    chown systemd-network:systemd-network /run/systemd/netif && mount -o remount,bind,ro /sys &&
    echo $$ >"$1" && SYSTEMD_LOG_LEVEL=info SYSTEMD_LOG_TARGET=console exec "$0"' \
    "${NETWORKD}" "${WORK}/networkd.pid" >"${WORK}/networkd-${h}.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do [[ -s ${WORK}/networkd.pid ]] && break; sleep 0.1; done
  read -r pid <"${WORK}/networkd.pid" || { log "networkd on ${h} did not start"; return 1; }
  PIDS+=("${pid}")
  for _ in $(seq 200); do
    have=$({ ip -n "${P}-${h}" -4 -o addr show | awk '{ print $4 }'; ip -n "${P}-${h}" -4 route show | awk '$1 == "default" { print "default via " $3 }'; } | sort -u)
    missing=$(grep -vxF -f <(echo "${have}") <<<"${want}")
    [[ -z ${missing} ]] && break
    sleep 0.1
  done
  kill "${pid}" 2>/dev/null
  wait "${pid}" 2>/dev/null
  [[ -z ${missing} ]] || {
    log "networkd on ${h} did not apply: $(tr '\n' ' ' <<<"${missing}")"
    sed 's/^/    networkd: /' "${WORK}/networkd-${h}.log" | tail -n 15
    return 1
  }
}

# ------------------------------------------------------------------ traffic and ARP
declare -A HTTPD
serve() { # real server: busybox httpd on 80 answering its name
  mkdir -p "${WORK}/www-$1"
  echo "$1" >"${WORK}/www-$1/index.html"
  ip netns exec "${P}-$1" busybox httpd -f -p 80 -h "${WORK}/www-$1" &
  HTTPD[$1]=$!
  PIDS+=($!)
  for _ in $(seq 50); do nsx "$1" curl -s -o /dev/null --max-time 1 http://127.0.0.1/ && return 0; sleep 0.1; done
  return 1
}
both_answer() { # 10 requests through the router: 5 from each real server, in turn
  local seq
  seq=$(for _ in $(seq 10); do nsx "${CLIENT}" curl -s --max-time 3 "http://${PUB}/" || echo ERR; done | tr '\n' ' ')
  log "responses: ${seq}"
  [[ $(tr ' ' '\n' <<<"${seq}" | grep -cx "${REALSERVERS[0]}"):$(tr ' ' '\n' <<<"${seq}" | grep -cx "${REALSERVERS[1]}") == 5:5 ]]
}
dr_checks() { # label
  check "$1: requests through the router are answered by both real servers in turn" both_answer
  check "$1: the director's IPVS table equals ipvsadm.rules" \
    test "$(nsx "${DIRECTOR}" ipvsadm -Sn)" = "$(cat "${A}/${DIRECTOR}/ipvsadm.rules")"
  check "$1: only the director answers ARP for ${VIP} ($(arp_macs))" test "$(arp_macs)" = "$(mac "${DIRECTOR}" "${DIRECTOR_DEV}") "
  check "$1: ${DIRECTOR}: status exits 0" on_host "${DIRECTOR}" "/usr/local/lib/ldrc/${CLUSTER}/lvs_dr.sh" status
  check "$1: ${RS}: status exits 0" on_host "${RS}" "/usr/local/lib/ldrc/${CLUSTER}/lvs_rs.sh" status
  check "$1: ${RS_UNIT}: status exits 0" on_host "${RS_UNIT}" "/usr/local/lib/ldrc/${CLUSTER}/lvs_rs.sh" status
}

# ------------------------------------------------------------------ first boot: deployed
build_topology
check "router: lvs_router.sh start" nsx "${ROUTER}" "${A}/${ROUTER}/lvs_router.sh" start
for h in "${REALSERVERS[@]}" "${DIRECTOR}"; do
  install_disk "${h}" "$([[ ${h} == "${RS_UNIT}" ]] && echo unit-only)"
  # the address the harness gave it goes: from now on the host has only what its disk says
  ip -n "${P}-${h}" -4 addr flush scope global
  check "${h}: first boot: systemd-sysctl" on_host "${h}" "${SYSCTL_BIN}"
  check "${h}: first boot: systemd-networkd applies its files" networkd_boot "${h}"
  check "${h}: first boot: ldrc-${CLUSTER}.service ExecStart ($(unit_exec "${h}" ExecStart))" run_unit "${h}" ExecStart
done
for h in "${REALSERVERS[@]}"; do check "${h}: http server on 80" serve "${h}"; done
dr_checks "deployed"

# ------------------------------------------------------------------ reboot a real server
# boot HOST [nosysctl]: delete its namespace and make it again with its NICs, then its disk's
# configuration by its consumers; an arping from the router runs all through it
reboot() {
  local h=$1 how=${2:-} k apids
  [[ -n ${HTTPD[${h}]:-} ]] && { kill "${HTTPD[${h}]}" 2>/dev/null; wait "${HTTPD[${h}]}" 2>/dev/null; }
  ip netns del "${P}-${h}"
  log "${h}: reboot (namespace deleted: addresses, routes, sysctls, IPVS, processes gone; disk kept)"
  # ARP for the VIP, asked from the router every 0.2 s during the whole boot (bounded: 30 s):
  # five arpings (their interval is whole seconds), 0.2 s apart
  apids=()
  for k in 1 2 3 4 5; do
    ip netns exec "${P}-${ROUTER}" arping -b -c 30 -w 30 -I "${ROUTER_LAN_DEV}" "${VIP}" >"${WORK}/arp-boot-${h}-${k}" 2>&1 &
    apids+=($!)
    PIDS+=($!)
    sleep 0.2
  done
  newns "${h}"
  host_links "${h}"
  if [[ ${how} != nosysctl ]]; then
    check "${h}: boot: systemd-sysctl" on_host "${h}" "${SYSCTL_BIN}"
  fi
  check "${h}: boot: systemd-networkd applies its files" networkd_boot "${h}"
  if [[ ${ROLE[${h}]} == realserver ]]; then
    # the VIP is on lo now (networkd), lvs_rs.sh has not run yet: the riskiest moment
    BEFORE_UNIT=$(arp_macs)
    log "${h}: ARP for ${VIP} after networkd, before the unit: '${BEFORE_UNIT}'"
  fi
  if [[ ${how} != nosysctl ]]; then
    check "${h}: boot: ldrc-${CLUSTER}.service ExecStart" run_unit "${h}" ExecStart
  fi
  sleep 1
  # SIGINT: arping prints what it has (its output to a file is buffered; SIGTERM would lose it)
  kill -INT "${apids[@]}" 2>/dev/null
  wait "${apids[@]}" 2>/dev/null
  BOOT_MACS=$(cat "${WORK}/arp-boot-${h}"-? | sed -n 's/.*reply from .* \[\([0-9A-Fa-f:]*\)\].*/\1/p' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ')
  BOOT_REPLIES=$(cat "${WORK}/arp-boot-${h}"-? | grep -c 'reply from')
}
RS_MAC=$(mac "${RS}" "${RS_DEV[${RS}]}")
D_MAC=$(mac "${DIRECTOR}" "${DIRECTOR_DEV}")
reboot "${RS}"
check "${RS}: rebooted with the same MAC" test "$(mac "${RS}" "${RS_DEV[${RS}]}")" = "${RS_MAC}"
check "${RS}: silent on ARP for ${VIP} all through its boot (${BOOT_REPLIES} replies, from: ${BOOT_MACS})" \
  test "${BOOT_MACS}" = "${D_MAC} "
check "${RS}: silent on ARP with the VIP on lo before lvs_rs.sh ran (sysctl.d first)" test "${BEFORE_UNIT}" = "${D_MAC} "
check "${RS}: the VIP is on lo as a /32" bash -c "ip -n ${P}-${RS} -4 -o addr show dev lo | grep -q ' ${VIP}/32 '"
check "${RS}: http server on 80 again" serve "${RS}"
dr_checks "after ${RS} rebooted"

# ------------------------------------------------------------------ reboot the director
reboot "${DIRECTOR}"
check "${DIRECTOR}: rebooted with the same MAC" test "$(mac "${DIRECTOR}" "${DIRECTOR_DEV}")" = "${D_MAC}"
dr_checks "after ${DIRECTOR} rebooted"

# ------------------------------------------------------------------ reboot the unit-only real server
reboot "${RS_UNIT}"
check "${RS_UNIT} (script and unit only): silent on ARP for ${VIP} all through its boot (${BOOT_REPLIES} replies, from: ${BOOT_MACS})" \
  test "${BOOT_MACS}" = "${D_MAC} "
check "${RS_UNIT}: no VIP before its unit ran (${BEFORE_UNIT})" test "${BEFORE_UNIT}" = "${D_MAC} "
check "${RS_UNIT}: the unit put the VIP on lo as a /32" bash -c "ip -n ${P}-${RS_UNIT} -4 -o addr show dev lo | grep -q ' ${VIP}/32 '"
check "${RS_UNIT}: http server on 80 again" serve "${RS_UNIT}"
dr_checks "after ${RS_UNIT} rebooted"

# ------------------------------------------------------------------ negative control
# the same real server booted without systemd-sysctl (nor the unit): with the VIP on lo from
# networkd, the kernel's defaults answer ARP for it, and the checks above would see it
reboot "${RS}" nosysctl
check "control: without sysctl.d, ${RS} answers ARP for ${VIP} once networkd put it on lo (${BEFORE_UNIT})" \
  test "${BEFORE_UNIT}" = "$(printf '%s\n' "${D_MAC}" "${RS_MAC}" | sort | tr '\n' ' ')"
check "control: and the boot-long arping saw it (${BOOT_MACS})" bash -c "grep -q '${RS_MAC}' <<<'${BOOT_MACS}'"
# repair: the boot as it should be (the disk is unchanged)
reboot "${RS}"
check "${RS}: a proper boot after the control is silent again (${BOOT_MACS})" test "${BOOT_MACS}" = "${D_MAC} "
serve "${RS}" >/dev/null
dr_checks "after the control"

# ------------------------------------------------------------------ shutdown: ExecStop
for h in "${DIRECTOR}" "${REALSERVERS[@]}"; do
  check "${h}: ldrc-${CLUSTER}.service ExecStop" run_unit "${h}" ExecStop
done
# the VIPs that networkd added (the persistent configuration) are not the scripts': stop leaves
# them, on the director's eth2 as on the real server's lo, and the real server's ARP sysctls
# with them, so that the stopped real server stays silent
check "${RS}: after ExecStop the VIP from networkd is still on lo" bash -c "ip -n ${P}-${RS} -4 -o addr show dev lo | grep -q ' ${VIP}/32 '"
got=$(arp_macs)
check "${RS}: and it is silent on ARP for it (answers: '${got}', the director's networkd VIP)" test "${got}" = "${D_MAC} "
check "${RS_UNIT}: after ExecStop no VIP on lo (the script's own)" bash -c "! ip -n ${P}-${RS_UNIT} -4 -o addr show dev lo | grep -q ' ${VIP}/'"
check "router: lvs_router.sh stop" nsx "${ROUTER}" "${A}/${ROUTER}/lvs_router.sh" stop
log "done"
echo "e2e-reboot: ${PASS} passed, ${FAIL} failed"
[[ ${FAIL} -eq 0 ]]
