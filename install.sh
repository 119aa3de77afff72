#!/usr/bin/env bash
# Set up ldrc on Debian 12 and compile the example cluster.
#   bash install.sh            apt packages, .venv with ldrc and its test tools, then
#                              `ldrc compile examples/seed-lab.ldr -o out/`
# Needs root (or sudo) for apt-get. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

# iproute2/iptables/ipvsadm/arping/curl/openssl/socat: the network-namespace and VM tests;
# qemu-system-x86, busybox-static, kmod, cpio: the guest that runs the real IPVS test;
# keepalived: `keepalived -t` on the generated configurations (engine keepalived).
APT_PACKAGES=(python3 python3-venv python3-pip iproute2 iptables ipvsadm iputils-arping curl openssl procps
              socat util-linux qemu-system-x86 busybox-static kmod cpio ca-certificates keepalived systemd)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q 'ok installed' || missing+=("${p}")
done
if ((${#missing[@]})); then
  SUDO=()
  [[ ${EUID} -eq 0 ]] || SUDO=(sudo)
  echo "install.sh: apt-get install ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

.venv/bin/ldrc compile examples/seed-lab.ldr -o out/
echo "install.sh: done. Try: .venv/bin/ldrc --help; run the tests: .venv/bin/python -m pytest"
