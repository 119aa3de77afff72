#!/bin/bash
# scenario.sh MODE DIR -- the real ipvsadm and kernel against tests/runtime/crosscheck.expected,
# the transcript the fake ipvsadm of the runtime tier must reproduce byte for byte
# (tests/runtime/test_fake_ipvsadm.py). Runs in the QEMU guest:
#
#   bash tests/e2e/run.sh --scenario tests/e2e/fakecheck --extra tests/runtime
#
# (--extra puts tests/runtime, with crosscheck.sh and crosscheck.expected, at DIR/extra.)
# It runs crosscheck.sh with the real ipvsadm in a fresh network namespace (an empty IPVS
# table), prints the transcript between "==== crosscheck transcript begin/end" lines, and
# compares it with crosscheck.expected. When the kernel or ipvsadm changed, replace the file
# with the printed transcript (run.sh's output, between the markers) and fix the fake.
# Last line: "e2e-fakecheck: N passed, N failed".
set -u
MODE=$1
DIR=$2
X=${DIR}/extra
NS=ldrc-fakecheck
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
finish() {
  ip netns del "${NS}" 2>/dev/null
  echo "e2e-fakecheck: ${PASS} passed, ${FAIL} failed"
  [[ ${FAIL} -eq 0 ]]
  exit
}

[[ ${MODE} == ipvs ]] || { echo "scenario.sh: needs the IPVS guest" >&2; exit 2; }
if [[ ! -f ${X}/crosscheck.sh || ! -f ${X}/crosscheck.expected ]]; then
  bad "crosscheck.sh is not in the guest: run.sh --scenario tests/e2e/fakecheck --extra tests/runtime"
  finish
fi
modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh \
  ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh 2>&1 | sed 's/^/modprobe: /'
echo "kernel $(uname -r), $(ipvsadm -v 2>&1)"

ip netns add "${NS}" || { bad "ip netns add"; finish; }
ip -n "${NS}" link set lo up
ip netns exec "${NS}" bash "${X}/crosscheck.sh" >/tmp/crosscheck.out 2>/tmp/crosscheck.err
rc=$?
echo "==== crosscheck transcript begin"
cat /tmp/crosscheck.out
echo "==== crosscheck transcript end"
if [[ ${rc} -eq 0 && ! -s /tmp/crosscheck.err ]]; then
  ok "crosscheck.sh ran ($(grep -c '^\$ ' /tmp/crosscheck.out) commands)"
else
  bad "crosscheck.sh exit ${rc}: $(head -c 500 /tmp/crosscheck.err)"
fi
if cmp -s "${X}/crosscheck.expected" /tmp/crosscheck.out; then
  ok "the real ipvsadm prints tests/runtime/crosscheck.expected byte for byte"
else
  bad "the real ipvsadm differs from tests/runtime/crosscheck.expected (- expected, + real):"
  diff -u "${X}/crosscheck.expected" /tmp/crosscheck.out | head -n 200
fi
finish
