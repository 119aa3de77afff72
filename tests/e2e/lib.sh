# tests/e2e/lib.sh -- sourced by the scenarios (run.sh puts it beside each one): messages and
# checks, namespaces, and the cluster's hosts and networks from a topo.sh written by
# tests/e2e/topology.py. The scenario sets P (the namespace prefix) and WORK (its scratch
# directory) first. Every namespace made here is in NSES and every process in PIDS:
# lib_cleanup kills those processes by PID and deletes those namespaces.
# shellcheck shell=bash
PASS=0
FAIL=0
NSES=()
PIDS=()
T0=${EPOCHREALTIME//[.,]/}
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

log() {
  local ms=$(((${EPOCHREALTIME//[.,]/} - T0) / 1000))
  printf '[%3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"
}
ok() { PASS=$((PASS + 1)); log "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); log "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "${what}"; else bad "${what}"; fi; }
now_ms() { echo $((${EPOCHREALTIME//[.,]/} / 1000)); }
# a command in a host's namespace, with that host's own ldrc state directory
nsx() { local h=$1; shift; ip netns exec "${P}-${h}" env LDRC_STATE_DIR="${WORK}/state-${h}" "$@"; }

lib_cleanup() {
  local pid ns
  for pid in "${PIDS[@]}"; do kill "${pid}" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "${pid}" 2>/dev/null; done
  for ns in "${NSES[@]}"; do ip netns del "${ns}" 2>/dev/null; done
}

newns() { # name: a namespace with lo up and no IPv6
  ip netns add "${P}-$1" || { echo "netns ${P}-$1 exists: clean up first" >&2; exit 1; }
  [[ " ${NSES[*]} " == *" ${P}-$1 "* ]] || NSES+=("${P}-$1")
  ip netns exec "${P}-$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "${P}-$1" link set lo up
}

# the switch: a namespace with one bridge per L2 segment (no multicast snooping: it floods
# multicast such as the IPVS sync daemon's, as a plain switch does)
declare -A HOST_MAC
host_links() { # host [addresses]: the host's interfaces, veths into the switch, each with the MAC
  # it had the first time (a rebooted machine keeps its NICs); with "addresses", their addresses
  local h=$1 with=${2:-} e n=0 hh ifname addr seg
  for e in "${IFACES[@]}"; do
    read -r hh ifname addr seg <<<"${e}"
    n=$((n + 1))
    [[ ${hh} == "${h}" ]] || continue
    # a deleted namespace goes away in the background: its old veth's peer may still be there
    for _ in $(seq 100); do ip -n "${P}-sw" link show "p${n}" >/dev/null 2>&1 || break; sleep 0.1; done
    ip -n "${P}-${h}" link add "${ifname}" ${HOST_MAC[${h}-${ifname}]:+address "${HOST_MAC[${h}-${ifname}]}"} \
      type veth peer name "p${n}" netns "${P}-sw"
    ip -n "${P}-sw" link set "p${n}" master "br-${seg}" up
    HOST_MAC[${h}-${ifname}]=$(ip -n "${P}-${h}" -o link show dev "${ifname}" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
    if [[ ${with} == addresses ]]; then
      ip -n "${P}-${h}" link set "${ifname}" up
      ip -n "${P}-${h}" addr add "${addr}" dev "${ifname}"
    fi
  done
}
base_routes() { # host: the routes of a host that has no ldrc files (client, router)
  local e h dst via dev
  for e in "${BASE_ROUTES[@]}"; do
    read -r h dst via dev <<<"${e}"
    [[ ${h} == "$1" ]] && ip -n "${P}-${h}" route add "${dst}" via "${via}" dev "${dev}"
  done
  return 0
}
build_topology() { # every host of topo.sh, with its addresses and base routes
  local seg h
  newns sw
  for seg in "${SEGMENTS[@]}"; do
    ip -n "${P}-sw" link add "br-${seg}" type bridge mcast_snooping 0
    ip -n "${P}-sw" link set "br-${seg}" up
  done
  for h in "${HOSTS[@]}"; do
    newns "${h}"
    host_links "${h}" addresses
    base_routes "${h}"
  done
}

mac() { ip -n "${P}-$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; } # host dev
arp_macs() { # [host dev]: the distinct MACs that answer ARP for ${VIP}, asked from the router's
  # LAN side (or from host dev). The asking kernel takes the answers into its ARP cache too:
  # once traffic flows, ask from elsewhere, or the router may switch to a stale owner.
  nsx "${1:-${ROUTER}}" arping -c 2 -w 2 -I "${2:-${ROUTER_LAN_DEV}}" "${VIP}" 2>/dev/null |
    sed -n 's/.*reply from .* \[\([0-9A-Fa-f:]*\)\].*/\1/p' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' '
}
