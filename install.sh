#!/usr/bin/env bash
# Set up ldrc on Debian 12 and compile the example cluster.
#   bash install.sh            apt packages, .venv with ldrc and its test tools, then
#                              `ldrc compile examples/seed-lab.ldr -o out/`
# Needs root (or sudo) for apt-get. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

# iproute2/iptables/ipvsadm/arping/curl/openssl/socat: the network-namespace and VM tests;
# qemu-system-x86, busybox-static, kmod, cpio: the guest that runs the real IPVS test;
# keepalived: `keepalived -t` on the generated configurations (engine keepalived);
# network-manager: NetworkManager reads and applies the generated keyfiles in throw-away namespaces;
# openssh-server: tests/test_ansible.py runs an sshd per host namespace for the generated playbook.
APT_PACKAGES=(python3 python3-venv python3-pip iproute2 iptables ipvsadm iputils-arping curl openssl procps
              socat util-linux qemu-system-x86 busybox-static kmod cpio ca-certificates keepalived systemd
              network-manager openssh-server)
# Packages whose daemon must not run here: only their programs are used, and NetworkManager would
# take over this machine's network, and the tests start their own sshd in namespaces. When install.sh
# installs them, their maintainer scripts start nothing (policy-rc.d) and their units are disabled;
# an installation already there is left alone.
NO_SERVICE_PACKAGES=(network-manager openssh-server)
NO_SERVICE_UNITS=(NetworkManager.service NetworkManager-wait-online.service NetworkManager-dispatcher.service
                  ssh.service ssh.socket)

missing=()
quiet=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q 'ok installed' && continue
  if [[ " ${NO_SERVICE_PACKAGES[*]} " == *" ${p} "* ]]; then quiet+=("${p}"); else missing+=("${p}"); fi
done
SUDO=()
[[ ${EUID} -eq 0 ]] || SUDO=(sudo)
apt_install() {
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if ((${#missing[@]} + ${#quiet[@]})); then
  "${SUDO[@]}" apt-get update -qq
fi
if ((${#missing[@]})); then
  echo "install.sh: apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
fi
if ((${#quiet[@]})); then
  echo "install.sh: apt-get install ${quiet[*]} (no service started, units disabled)"
  policy=/usr/sbin/policy-rc.d
  if [[ -e ${policy} ]]; then
    apt_install "${quiet[@]}"
  else
    printf '#!/bin/sh\n# install.sh of ldrc: no service starts while it installs packages\nexit 101\n' |
      "${SUDO[@]}" tee "${policy}" >/dev/null
    "${SUDO[@]}" chmod 0755 "${policy}"
    status=0
    apt_install "${quiet[@]}" || status=$?
    "${SUDO[@]}" rm -f "${policy}"
    ((status == 0)) || exit "${status}"
  fi
  if command -v systemctl >/dev/null; then
    "${SUDO[@]}" systemctl disable --quiet "${NO_SERVICE_UNITS[@]}" 2>/dev/null || true
  fi
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

.venv/bin/ldrc compile examples/seed-lab.ldr -o out/
echo "install.sh: done. Try: .venv/bin/ldrc --help; run the tests: .venv/bin/python -m pytest"
