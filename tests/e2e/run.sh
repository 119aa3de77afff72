#!/bin/bash
# run.sh [--host] [--break rs-arp] [--reload V2.ldr] CLUSTER.ldr | --scenario DIR | --session JOBS
#
# End-to-end proof of a cluster: compile it with ldrc, then apply the generated
# files verbatim to the cluster's hosts, built from network namespaces, and check
# the DR behaviour with real traffic (guest.sh).
#
#   default      boot Debian's own kernel (it has IPVS; this host's does not) under
#                QEMU with software emulation (-accel tcg), a minimal initramfs and
#                NO network device, and run guest.sh ipvs inside it.
#   --host       run guest.sh host on this kernel instead: no IPVS, a few seconds.
#   --reload V2.ldr
#                operations scenario (VM only): after the checks, reload the director
#                to the configuration V2.ldr while connections are open, then drain,
#                plan, a failing apply that must roll back, and a reload back.
#   --hook FILE, --extra DIR
#                benchmarks (bench/apply.sh): FILE is sourced in the guest with the
#                cluster up, DIR is copied to the guest as $DIR/extra.
#   --scenario DIR
#                instead of CLUSTER.ldr and guest.sh: compile every DIR/*.ldr,
#                and the output of every DIR/*.py, into scn/<name>/ (DIR/SUB/*.ldr into
#                scn/SUB/<name>/) and run DIR/scenario.sh in the guest (with --host: on
#                this kernel, MODE=host, the venv's bin first on PATH). A file
#                DIR/needs-python adds Python, ansible-core and OpenSSH to the guest
#                (python-bundle.sh) and raises its memory (LDRC_VM_MEM, else 2048).
#   --session JOBS
#                one boot for several jobs (VM only): each line of JOBS is "NAME ARGS...",
#                ARGS as for a single run (paths relative to the checkout); the guest runs
#                them in order, each between "==== job NN-NAME begin" and
#                "==== job NN-NAME end rc=N" lines (tests/e2e/test_e2e.py boots once so).
#   --break rs-arp
#                a deliberately broken cluster: the real servers' scripts skip the
#                ARP sysctls (and their sysctl.d snippet is emptied). The run must fail.
#
# Env: LDRC_VM_CACHE (kernel cache, default /opt/ldrc-vm), LDRC_VM_TIMEOUT (600),
#      LDRC_VM_MEM (768), LDRC_PYTHON (default: the project's .venv).
# Prints guest.sh's lines, ending with "e2e-<cluster>: N passed, N failed"; exits
# non-zero when any check failed or the guest gave no result.
set -euo pipefail
E2E=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "${E2E}/../.." && pwd)
MODE=ipvs
SESSION=""
if [[ ${1:-} == --session ]]; then
  [[ $# -eq 2 ]] || { echo "usage: $0 --session JOBS" >&2; exit 2; }
  SESSION=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
  [[ -f ${SESSION} ]] || { echo "run.sh: no such jobs file: $2" >&2; exit 2; }
elif [[ ${1:-} == --host ]]; then
  MODE=host
fi
PY=${LDRC_PYTHON:-${ROOT}/.venv/bin/python}
[[ -x ${PY} ]] || PY=python3
CACHE=${LDRC_VM_CACHE:-/opt/ldrc-vm}
TIMEOUT=${LDRC_VM_TIMEOUT:-$([[ -n ${SESSION} ]] && echo 2400 || echo 600)}
MEM=${LDRC_VM_MEM:-768}
T_START=${EPOCHREALTIME//[.,]/}
lap() { echo "== $1: $(((${EPOCHREALTIME//[.,]/} - T_START) / 1000)) ms"; }

[[ ${EUID} -eq 0 ]] || { echo "run.sh: needs root (network namespaces)" >&2; exit 2; }
need=(ip iptables-restore arping curl openssl busybox socat flock)
[[ ${MODE} == ipvs ]] && need+=(qemu-system-x86_64 ipvsadm keepalived cpio depmod modprobe apt-get dpkg-deb)
for c in "${need[@]}"; do
  PATH=${PATH}:/usr/sbin:/sbin command -v "${c}" >/dev/null || { echo "run.sh: missing command ${c} (bash install.sh)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/ldrc-run.XXXXXX)
trap 'rm -rf "${WORK}"' EXIT
PKG=${WORK}/e2e
mkdir -p "${PKG}"

# ---- 1. compile, describe, certificate: one job (a cluster or a scenario) ---------
# prepare_job DIR [--host] [--break rs-arp] [--reload V2.ldr] [--hook FILE] [--extra DIR]
#             CLUSTER.ldr | --scenario DIR [--extra DIR]
# fills DIR with what the guest needs for that job (guest.sh, out/, topo.sh, ...)
abspath() { # a path given on the command line (relative to here) or in a jobs file (relative to the checkout)
  local p=$1
  [[ ${p} == /* ]] || { if [[ -e ${p} ]]; then p=${PWD}/${p}; else p=${ROOT}/${p}; fi; }
  printf '%s/%s\n' "$(cd "$(dirname "${p}")" && pwd)" "$(basename "${p}")"
}

prepare_job() {
  local pkg=$1 break="" reload="" scenario="" hook="" extra="" cluster g f
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --scenario) scenario=$(abspath "$2"); shift 2 ;;
      --host) shift ;;
      --break) break=$2; shift 2 ;;
      --hook) hook=$(abspath "$2"); shift 2 ;;
      --extra) extra=$(abspath "$2"); shift 2 ;;
      --reload) reload=$(abspath "$2"); shift 2 ;;
      *) break ;;
    esac
  done
  if [[ -n ${scenario} ]]; then
    [[ $# -eq 0 ]] || { echo "usage: $0 [--host] --scenario DIR" >&2; exit 2; }
    cluster=${scenario}/scenario.sh
  else
    [[ $# -eq 1 ]] || { echo "usage: $0 [--host] [--break rs-arp] [--reload V2.ldr] CLUSTER.ldr | --scenario DIR | --session JOBS" >&2; exit 2; }
    cluster=$(abspath "$1")
  fi
  mkdir -p "${pkg}/certs"
  if [[ -n ${scenario} ]]; then
    mkdir -p "${pkg}/gen"
    for g in "${scenario}"/*.py; do
      [[ -e ${g} ]] && PYTHONPATH=${ROOT} "${PY}" "${g}" >"${pkg}/gen/$(basename "${g}" .py).ldr"
    done
    for f in "${scenario}"/*.ldr "${scenario}"/*/*.ldr "${pkg}"/gen/*.ldr; do
      [[ -e ${f} ]] || continue
      # DIR/SUB/NAME.ldr: scn/SUB/NAME (a changed version of a cluster keeps its file name)
      g=${pkg}/scn/$(basename "${f}" .ldr)
      [[ $(dirname "${f}") == "${scenario}"/* ]] && g=${pkg}/scn/$(basename "$(dirname "${f}")")/$(basename "${f}" .ldr)
      PYTHONPATH=${ROOT} "${PY}" -m compiler compile "${f}" -o "${g}" --format concise
      # its hosts and networks, for a scenario that builds them (not every scenario cluster has a client)
      PYTHONPATH=${ROOT} "${PY}" "${E2E}/topology.py" "${f}" >"${g}.topo.sh" 2>/dev/null || rm -f "${g}.topo.sh"
    done
    cp "${scenario}/scenario.sh" "${pkg}/guest.sh"
    cp "${E2E}/lib.sh" "${pkg}/lib.sh"
    [[ ! -e ${scenario}/needs-python ]] || : >"${pkg}/needs-python"
  else
    PYTHONPATH=${ROOT} "${PY}" -m compiler compile "${cluster}" -o "${pkg}/out" --format concise
    PYTHONPATH=${ROOT} "${PY}" "${E2E}/topology.py" "${cluster}" >"${pkg}/topo.sh"
    cp "${E2E}/guest.sh" "${pkg}/"
  fi
  [[ -z ${hook} ]] || cp "${hook}" "${pkg}/hook.sh"
  [[ -z ${extra} ]] || cp -r "${extra}" "${pkg}/extra"
  if [[ -n ${reload} ]]; then
    PYTHONPATH=${ROOT} "${PY}" -m compiler compile "${reload}" -o "${pkg}/out2" --format concise
  fi
  openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=ldrc-e2e -days 2 \
    -keyout "${pkg}/certs/key.pem" -out "${pkg}/certs/cert.pem" 2>/dev/null
  if [[ ${break} == rs-arp ]]; then
    for f in "${pkg}"/out/*/lvs_rs.sh; do
      sed -i 's/^  sysctl_up$/  : # sysctl_up removed by run.sh --break rs-arp/' "${f}"
      grep -q 'removed by run.sh' "${f}" || { echo "run.sh: could not break ${f}" >&2; exit 2; }
    done
    for f in "${pkg}"/out/*/90-ldrc-lvs-rs.conf; do echo "# emptied by run.sh --break rs-arp" >"${f}"; done
    echo "run.sh: BROKEN cluster: real servers without ARP sysctls (this run must fail)"
  elif [[ -n ${break} ]]; then
    echo "run.sh: unknown --break ${break}" >&2
    exit 2
  fi
  lap "prepared $(basename "${cluster}")${break:+ (broken: ${break})}"
}

if [[ -n ${SESSION} ]]; then
  # one boot, several jobs: each line of JOBS is "NAME ARGS..." (ARGS as for a single run)
  n=0
  while read -r name args; do
    [[ -z ${name} || ${name} == \#* ]] && continue
    n=$((n + 1))
    # shellcheck disable=SC2086 # the job's arguments, split on purpose
    prepare_job "${PKG}/jobs/$(printf '%02d' "${n}")-${name}" ${args}
  done <"${SESSION}"
  ((n > 0)) || { echo "run.sh: no job in ${SESSION}" >&2; exit 2; }
else
  prepare_job "${PKG}" "$@"
fi

if [[ ${MODE} == host ]]; then
  PATH=$(dirname "${PY}"):${PATH} LDRC_NS_PREFIX=ldrc-e2e-$$ bash "${PKG}/guest.sh" host "${PKG}"
  exit $?
fi

# ---- 2. Debian's kernel package, unpacked (not installed) --------------------------
kpkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
KPKG=$(kpkg)
if [[ -z ${KPKG} ]]; then apt-get update -qq; KPKG=$(kpkg); fi
[[ -n ${KPKG} ]] || { echo "run.sh: no linux-image-amd64 in apt" >&2; exit 2; }
KVER=${KPKG#linux-image-}
KROOT=${CACHE}/${KPKG}
VMLINUZ=${KROOT}/boot/vmlinuz-${KVER}
if [[ ! -s ${VMLINUZ} || ! -e ${KROOT}/lib/modules/${KVER}/modules.dep ]]; then
  rm -rf "${KROOT}" "${CACHE}/dl"
  mkdir -p "${CACHE}/dl"
  (cd "${CACHE}/dl" && apt-get download -qq "${KPKG}" 2>&1 | grep -v unsandboxed || true)
  dpkg-deb -x "${CACHE}/dl/${KPKG}"_*.deb "${KROOT}"
  rm -rf "${CACHE}/dl"
  depmod -b "${KROOT}" "${KVER}"
fi
lap "kernel ${KVER}"

# ---- 3. initramfs: busybox + the host's tools and their libraries + modules -------
R=${WORK}/root
INITRD=${WORK}/initrd.cpio
SERIAL=${WORK}/serial.log
mkdir -p "${R}"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,proc,sys,dev,run,tmp,root,var/lib,e2e}
ln -s usr/bin "${R}/bin"; ln -s usr/sbin "${R}/sbin"; ln -s usr/lib "${R}/lib"; ln -s usr/lib64 "${R}/lib64"
cp /bin/busybox "${R}/usr/bin/busybox"
for a in $(/bin/busybox --list); do [[ -e ${R}/usr/bin/${a} ]] || ln -s busybox "${R}/usr/bin/${a}"; done
copy_bin() { # a host binary and its shared libraries, at the same paths
  local f=$1 lib
  mkdir -p "${R}$(dirname "${f}")"
  rm -f "${R}${f}"
  cp -L "${f}" "${R}${f}"
  for lib in $(ldd "${f}" 2>/dev/null | grep -o '/[^ ]*'); do
    [[ -e ${R}${lib} ]] || { mkdir -p "${R}$(dirname "${lib}")"; cp -L "${lib}" "${R}${lib}"; }
  done
}
for b in bash ip ipvsadm xtables-nft-multi arping curl sysctl kmod openssl flock socat keepalived; do
  p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "${b}")
  real=$(readlink -f "${p}")
  copy_bin "${real}"
  case ${b} in
    xtables-nft-multi)
      for l in iptables iptables-restore iptables-save; do rm -f "${R}/usr/sbin/${l}"; ln -s xtables-nft-multi "${R}/usr/sbin/${l}"; done
      [[ -e ${R}/usr/sbin/xtables-nft-multi ]] || ln -s ../bin/xtables-nft-multi "${R}/usr/sbin/xtables-nft-multi" ;;
    kmod)
      for l in modprobe depmod lsmod insmod; do rm -f "${R}/usr/sbin/${l}" "${R}/usr/bin/${l}"; ln -s ../bin/kmod "${R}/usr/sbin/${l}"; done ;;
    *)
      [[ ${real} == "${p}" ]] || { mkdir -p "${R}$(dirname "${p}")"; rm -f "${R}${p}"; ln -s "${real}" "${R}${p}"; } ;;
  esac
done
for x in /usr/lib/x86_64-linux-gnu/xtables/*.so; do copy_bin "${x}"; done
# systemd's own consumers of the persistent configuration (the reboot scenario): they run
# without systemd as PID 1; networkd drops its privileges to the user systemd-network
for x in /lib/systemd/systemd-networkd /lib/systemd/systemd-sysctl; do copy_bin "$(readlink -f "${x}")"; done
# the host's awk (mawk on Debian, gawk on RHEL), as on a real server, not busybox's
AWK=$(readlink -f "$(command -v awk)")
copy_bin "${AWK}"
rm -f "${R}/usr/bin/awk"
ln -s "${AWK}" "${R}/usr/bin/awk"
mkdir -p "${R}/usr/lib/ssl"
cp /etc/protocols /etc/services "${R}/etc/"
[[ -e /usr/lib/ssl/openssl.cnf ]] && cp -L /usr/lib/ssl/openssl.cnf "${R}/usr/lib/ssl/"
printf '%s\n' 'root:x:0:0::/root:/bin/sh' 'systemd-network:x:998:998::/:/usr/sbin/nologin' >"${R}/etc/passwd"
printf '%s\n' 'root:x:0:' 'systemd-network:x:998:' >"${R}/etc/group"
if [[ -e ${PKG}/needs-python ]] || compgen -G "${PKG}/jobs/*/needs-python" >/dev/null; then
  # shellcheck source=tests/e2e/python-bundle.sh
  source "${E2E}/python-bundle.sh"
  MEM=${LDRC_VM_MEM:-2048}
  TIMEOUT=${LDRC_VM_TIMEOUT:-$((TIMEOUT + 1800))} # Ansible under software emulation is slow
fi
MD=${KROOT}/lib/modules/${KVER}
mods=$(cd "${MD}/kernel" && find net/netfilter net/ipv4 net/ipv6/netfilter net/bridge drivers/net/veth.ko -name '*.ko*' | sed 's#.*/##; s#\.ko.*##')
mkdir -p "${R}/lib/modules/${KVER}"
# shellcheck disable=SC2086
modprobe -d "${KROOT}" -S "${KVER}" --show-depends -a ${mods} 2>/dev/null | awk '$1 == "insmod" { print $2 }' | sort -u |
  while read -r f; do
    rel=${f#"${MD}"/}
    mkdir -p "${R}/lib/modules/${KVER}/$(dirname "${rel}")"
    cp "${f}" "${R}/lib/modules/${KVER}/${rel}"
  done
cp "${MD}"/modules.{order,builtin,builtin.modinfo} "${R}/lib/modules/${KVER}/"
depmod -b "${R}" "${KVER}"
cp -r "${PKG}/." "${R}/e2e/"
cat >"${R}/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs run /run; mount -t tmpfs tmp /tmp
# what udev/systemd provide on a real host (bash's <(...) needs /dev/fd)
ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
export PATH=/usr/sbin:/usr/bin HOME=/root
echo "guest up: $(cut -d' ' -f1 /proc/uptime)s"
if [ -d /e2e/jobs ]; then
  all=0
  for j in /e2e/jobs/*/; do
    j=${j%/}
    echo "==== job ${j##*/} begin"
    bash "$j/guest.sh" ipvs "$j" </dev/null 2>&1
    rc=$?
    echo "==== job ${j##*/} end rc=${rc}"
    [ "${rc}" -eq 0 ] || all=1
  done
  echo "LDRC_GUEST_RC=${all}"
else
  bash /e2e/guest.sh ipvs /e2e </dev/null 2>&1
  echo "LDRC_GUEST_RC=$?"
fi
poweroff -f
EOF
chmod +x "${R}/init"
(cd "${R}" && find . | cpio -o -H newc --quiet >"${INITRD}")
lap "initramfs $(du -m "${INITRD}" | cut -f1) MB"

# ---- 4. boot -------------------------------------------------------------------
# TCG: /dev/kvm on this kind of machine cannot run an unmodified kernel.
# -nic none: the guest has no network device; all traffic stays in its namespaces.
set +e
timeout -k 5 "${TIMEOUT}" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp "$(nproc)" -m "${MEM}" \
  -nographic -monitor none -serial "file:${SERIAL}" -nic none -no-reboot \
  -kernel "${VMLINUZ}" -initrd "${INITRD}" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init" </dev/null
qrc=$?
set -e
tr -d '\r' <"${SERIAL}" | sed -n '/guest up/,$p' | grep -v '^LDRC_GUEST_RC='
lap "qemu boot + test (qemu rc=${qrc})"
rc=$(tr -d '\r' <"${SERIAL}" | sed -n 's/^LDRC_GUEST_RC=\([0-9]*\).*/\1/p' | tail -n 1)
if [[ -z ${rc} ]]; then
  echo "run.sh: no result from the guest; serial log tail:"
  tail -n 30 "${SERIAL}"
  exit 99
fi
exit "${rc}"
