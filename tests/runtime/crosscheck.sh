#!/bin/bash
# crosscheck.sh -- one fixed sequence of ipvsadm commands, printed as a transcript: every
# command, its stdout ("| "), its stderr ("! ") and its exit status ("= N").
#
# Run with an empty IPVS table and `ipvsadm` first on PATH:
#   the real one   in a fresh network namespace of a kernel with IPVS (tests/e2e/fakecheck,
#                  in the VM): its transcript is tests/runtime/crosscheck.expected;
#   the fake one   tests/runtime/bin first on PATH, IPVSADM_FAKE_STATE a new file
#                  (tests/runtime/test_fake_ipvsadm.py): it must print that file byte for byte.
# Pure bash apart from ipvsadm and mktemp (the VM guest has busybox, not GNU tools).
set -u
T=$(mktemp -d /tmp/crosscheck.XXXXXX) || exit 2
trap 'rm -rf "${T}"' EXIT

show() { # file prefix
  local line
  while IFS= read -r line || [[ -n ${line} ]]; do printf '%s%s\n' "$2" "${line}"; done <"$1"
}
run() { # ipvsadm arguments
  local rc
  printf '$ ipvsadm %s\n' "$*"
  ipvsadm "$@" >"${T}/out" 2>"${T}/err" </dev/null
  rc=$?
  show "${T}/out" '| '
  show "${T}/err" '! '
  printf '= %s\n' "${rc}"
}
batch() { # the batch on stdin, as `ipvsadm -R` reads it
  local rc
  cat >"${T}/in"
  printf '$ ipvsadm -R <<\n'
  show "${T}/in" '< '
  ipvsadm -R <"${T}/in" >"${T}/out" 2>"${T}/err"
  rc=$?
  show "${T}/out" '| '
  show "${T}/err" '! '
  printf '= %s\n' "${rc}"
}
section() { printf '\n# ---- %s\n' "$*"; }

section "an empty table"
run -Sn
run -Ln
run -S -n

section "every scheduler, and the default"
port=1000
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh; do
  run -A -t 10.20.0.1:${port} -s "${s}"
  port=$((port + 1))
done
run -A -t 10.20.0.1:1100
run -Sn

section "service options: -p, -M, -o, -b"
run -A -t 10.20.0.2:80 -s rr -p
run -A -t 10.20.0.2:81 -s wrr -p 60 -M 255.255.255.0
run -A -t 10.20.0.2:82 -s rr -M 255.255.0.0
run -A -u 10.20.0.2:53 -s rr -o
run -A -u 10.20.0.2:54 -s sh -p 120 -M 255.255.255.128 -o -b sh-port,sh-fallback
run -A -t 10.20.0.2:83 -s sh -b sh-fallback
run -A -t 10.20.0.2:84 -s mh -b mh-port
run -A -t 10.20.0.2:85 -s mh -b mh-fallback,mh-port -p 30
run -A -t 10.20.0.2:86 -s rr -b flag-2
run -A -t 10.20.0.2:0 -s rr -p 10
run -A -u 10.20.0.2:55 -s dh -p 1 -M 255.255.255.0
run -A -t 10.20.0.2:87 -s lc -p 2678400
run -A -t 200.20.0.1:80 -s rr
run -Sn
run -Ln

section "destinations: -g -m -i, weights 0 and 65535, ports"
run -a -t 10.20.0.2:80 -r 10.20.1.5
run -a -t 10.20.0.2:80 -r 10.20.1.3:80 -g -w 0
run -a -t 10.20.0.2:80 -r 10.20.1.4:8080 -g -w 65535
run -a -t 10.20.0.2:80 -r 10.20.1.2:8080 -m -w 3
run -a -t 10.20.0.2:80 -r 10.20.1.2:80 -i -w 2
run -a -u 10.20.0.2:53 -r 10.20.1.7
run -a -u 10.20.0.2:54 -r 10.20.1.7:54 -w 4
# addresses more than 2^31 apart: libipvs compares them as C ints (no total order)
run -A -t 10.20.0.3:80 -s rr
run -a -t 10.20.0.3:80 -r 10.20.1.1
run -a -t 10.20.0.3:80 -r 100.64.0.1
run -a -t 10.20.0.3:80 -r 200.1.1.1
run -a -t 10.20.0.3:80 -r 150.1.1.1
run -a -t 10.20.0.3:80 -r 60.1.1.1
run -Sn
run -Ln
run -L -n -t 10.20.0.2:80
run -L -n -u 10.20.0.2:54
run -Ln --stats
run -L -n --rate
run -L -n --exact --stats -t 10.20.0.3:80

section "edits replace every field"
run -E -t 10.20.0.2:80 -s wlc
run -E -t 10.20.0.2:83 -s sh -p 90
run -E -u 10.20.0.2:54 -s mh -b mh-fallback
run -E -t 10.20.0.2:81 -s wrr -p 60
run -e -t 10.20.0.2:80 -r 10.20.1.3 -w 7
run -e -t 10.20.0.2:80 -r 10.20.1.2:8080 -m -w 0
run -e -t 10.20.0.2:80 -r 10.20.1.4
run -e -t 10.20.0.2:80 -r 10.20.1.2:80 -g
run -d -t 10.20.0.2:80 -r 10.20.1.5
run -D -t 10.20.0.2:82
run -Sn

section "kernel errors: exit 255, the table unchanged"
run -A -t 10.20.0.2:80 -s rr
run -A -t 10.20.0.9:80 -s nosuchsched
run -E -t 10.20.0.2:80 -s nosuchsched
run -E -t 10.20.0.9:80 -s rr
run -D -t 10.20.0.9:80
run -a -t 10.20.0.2:80 -r 10.20.1.3
run -a -t 10.20.0.9:80 -r 10.20.1.3
run -e -t 10.20.0.2:80 -r 10.20.1.99
run -e -t 10.20.0.9:80 -r 10.20.1.3
run -d -t 10.20.0.2:80 -r 10.20.1.99
run -d -t 10.20.0.9:80 -r 10.20.1.3
run -a -t 10.20.0.2:80 -r 0.0.0.0
run -L -n -t 10.20.0.9:80
run -Sn

section "parse errors: exit 2 (or 255), nothing done"
run -A -t 10.20.0.9:80 -s rr -w 1
run -a -t 10.20.0.2:80 -r 10.20.1.8 -w 65536
run -A -t 10.20.0.9:80 -p 0
run -A -t 10.20.0.9:80 -s rr -o
run -A -t 10.20.0.9 -s rr
run -A -t 10.20.0.9:80 -s rr -b sh-port
run -A -t 10.20.0.9:80 -s sh -b nosuchflag
run -A -s rr
run -a -t 10.20.0.2:80
run -D -t 10.20.0.2:80 -s rr
run -S -t 10.20.0.2:80
run -A -t 10.20.0.9:80 -s rr -s wrr
run -A -t 10.20.0.999:80
run -a -t 10.20.0.2:80 -r 10.20.1.300
run -A -t 10.20.0.9:80 extra
run -L --bogus
run --bogus
run -Sn

section "ipvsadm -R: each line a command; exit status of the last"
batch <<'EOF'
-A -t 10.20.0.4:80 -s rr
-a -t 10.20.0.4:80 -r 10.20.1.2 -w 2
-A -t 10.20.0.4:80 -s wrr
-a -t 10.20.0.4:80 -r 10.20.1.3 -w 0
-L -n -t 10.20.0.4:80
EOF
batch <<'EOF'
-e -t 10.20.0.4:80 -r 10.20.1.3 -w 5
-d -t 10.20.0.4:80 -r 10.20.1.99
EOF
batch <<'EOF'
-E -t 10.20.0.4:80 -s lc
-a -t 10.20.0.4:80 -r 10.20.1.4 -w 99999
-a -t 10.20.0.4:80 -r 10.20.1.5
EOF
run -Sn
printf 'ipvsadm -a -t 10.20.0.4:80 -r 10.20.1.6\n\n\t-E -t 10.20.0.4:80 -s sed  \n-S -n\n-D -t 10.20.0.4:80\n-L -n -t 10.20.0.4:80\n-A -t 10.20.0.4:81 -s rr\n' | batch
batch <<'EOF'
-A -t 10.20.0.5:80 -s rr
# a comment
-A -t 10.20.0.5:81 -s rr
EOF
run -Sn

section "flush"
run -C
run -Sn
run -Ln
