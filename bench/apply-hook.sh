# bench/apply-hook.sh -- sourced by tests/e2e/guest.sh inside the QEMU guest (run.sh --hook),
# with the seed lab up. Prints "BENCH ..." lines that bench/apply.sh turns into a table.
# shellcheck shell=bash
# shellcheck disable=SC2154  # variables and functions come from guest.sh
EXB=${DIR}/extra
read -r _ BPUB BPORT _ <<<"${SERVICES[0]}"
now_ms() { echo $((${EPOCHREALTIME//[.,]/} / 1000)); }
stats() { # times -> "median min max"
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'
}

# ---------------------------------------------------------------- 1. requests during reloads
# The article's reload: flush everything, then one ipvsadm process per rule.
{
  echo "ipvsadm -C"
  sed 's/^/ipvsadm /' "${DA}/ipvsadm.rules"
} >"${WORK}/article-reload.sh"
W2=${EXB}/seed-w2/${DIRECTOR}/lvs_dr.sh

reload_once() { # mode counter
  case $1 in
    article) nsx "${DIRECTOR}" sh "${WORK}/article-reload.sh" ;;
    ldrc-noop) nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" reload ;;
    ldrc-1rule) if (($2 % 2)); then nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" reload; else nsx "${DIRECTOR}" "${W2}" reload; fi ;;
  esac
}

traffic() { # mode
  local mode=$1 fails=0 i r stopf=${WORK}/stop-$1 lp=""
  nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" reload >/dev/null 2>&1
  nsx "${DIRECTOR}" ipvsadm -Z
  rm -f "${stopf}"
  if [[ ${mode} != none ]]; then
    (
      n=0
      total=0
      applied=0
      while [[ ! -f ${stopf} && ${n} -lt 1000 ]]; do
        t0=$(now_ms)
        reload_once "${mode}" "${n}" >"${WORK}/reload-${mode}.out" 2>&1
        total=$((total + $(now_ms) - t0))
        applied=$((applied + $(grep -c 'ipvsadm -R:' "${WORK}/reload-${mode}.out")))
        n=$((n + 1))
        sleep 0.3
      done
      echo "${n} $((n ? total / n : 0)) ${applied}" >"${WORK}/reloads-${mode}"
    ) &
    lp=$!
  fi
  for ((i = 0; i < 200; i++)); do
    r=$(nsx "${CLIENT}" curl -s --max-time 1 "http://${BPUB}:${BPORT}/")
    # shellcheck disable=SC2181
    if [[ $? -ne 0 || -z ${RS_DEV[${r}]+x} ]]; then fails=$((fails + 1)); fi
  done
  touch "${stopf}"
  [[ -z ${lp} ]] || wait "${lp}"
  read -r n avg applied <"${WORK}/reloads-${mode}" 2>/dev/null || { n=0; avg=0; applied=0; }
  echo "BENCH traffic mode=${mode} requests=200 failed=${fails} reloads=${n} avg_reload_ms=${avg} lines_applied=${applied}"
}

if [[ ! -f ${EXB}/no-traffic ]]; then
  log "bench: requests during continuous reloads"
  echo 0 0 0 >"${WORK}/reloads-none"
  for mode in none article ldrc-noop ldrc-1rule; do traffic "${mode}"; done
  # the article's flush also removed the foreign service: put the director back as it was
  nsx "${DIRECTOR}" ipvsadm -A ${FOREIGN} -s wlc 2>/dev/null
  nsx "${DIRECTOR}" "${DA}/lvs_dr.sh" reload >/dev/null 2>&1
fi

# ---------------------------------------------------------------- 2. table load and reload
log "bench: IPVS table load and reload"
newns "${P}-bench"
ip -n "${P}-bench" link add eth0 type veth peer name b0
ip -n "${P}-bench" link set eth0 up
bnsx() { ip netns exec "${P}-bench" "$@"; }
BSTATE=${WORK}/bench-state
PER_PROC=""
read -r -a SIZES <"${EXB}/sizes"
for N in "${SIZES[@]}"; do
  A=${EXB}/a-${N}/lb
  B=${EXB}/b-${N}/lb
  rules=$(wc -l <"${A}/ipvsadm.rules")
  sed 's/^/ipvsadm /' "${A}/ipvsadm.rules" >"${WORK}/art-a.sh"
  sort "${A}/ipvsadm.rules" >"${WORK}/want-a"
  sort "${B}/ipvsadm.rules" >"${WORK}/want-b"
  verify() { bnsx ipvsadm -Sn | sort | cmp -s - "$1"; }
  timed_run() { # start|reload DIR WANT: time lvs_dr.sh into times[], check the table
    local t0
    t0=$(now_ms)
    LDRC_STATE_DIR=${BSTATE} bnsx "$2/lvs_dr.sh" "$1" >"${WORK}/run.out" 2>&1 || echo "BENCH error N=${N} step=$1 ${2##*/extra/} rc=$?"
    times+=($(($(now_ms) - t0)))
    verify "$3" || echo "BENCH error N=${N} step=$1 ${2##*/extra/} table mismatch"
  }
  # a: the article's load, one process per rule (measured up to 1000 services)
  bnsx ipvsadm -C
  a=est
  if ((N <= 1000)); then
    t0=$(now_ms)
    bnsx sh "${WORK}/art-a.sh"
    a=$(($(now_ms) - t0))
    verify "${WORK}/want-a" || echo "BENCH error N=${N} step=article-load table mismatch"
    PER_PROC=$((a * 1000 / rules))  # microseconds per process
  fi
  # b: lvs_dr.sh start on an empty table (median of REPS runs up to N = 1000)
  REPS=$((N <= 1000 ? 5 : 3))
  SREPS=$((N <= 1000 ? 3 : 1))
  if [[ -f ${EXB}/reps ]]; then read -r REPS <"${EXB}/reps"; SREPS=1; fi # a smoke run (LDRC_BENCH_REPS)
  times=()
  for ((r = 0; r < SREPS; r++)); do
    bnsx ipvsadm -C
    rm -rf "${BSTATE}"
    timed_run start "${A}" "${WORK}/want-a"
  done
  read -r b _ <<<"$(stats "${times[@]}")"
  # c: lvs_dr.sh reload to the configuration with 1 % of the real servers replaced, and back
  # (each way is a 1 % change): median of 2 x REPS reloads
  times=()
  for ((r = 0; r < REPS; r++)); do
    timed_run reload "${B}" "${WORK}/want-b"
    ((r > 0)) || lines=$(grep -c 'ipvsadm -R:' "${WORK}/run.out")
    timed_run reload "${A}" "${WORK}/want-a"
  done
  read -r c c_min c_max <<<"$(stats "${times[@]}")"
  # d: the article's reload (flush, then one process per rule)
  d=est
  if ((N <= 1000)); then
    t0=$(now_ms)
    bnsx sh -c "ipvsadm -C; sh '${WORK}/art-a.sh'"
    d=$(($(now_ms) - t0))
    verify "${WORK}/want-a" || echo "BENCH error N=${N} step=article-reload table mismatch"
  fi
  # e: flush and one ipvsadm -R of the whole new table: median of REPS
  times=()
  for ((r = 0; r < REPS; r++)); do # the table is A here
    t0=$(now_ms)
    bnsx sh -c "ipvsadm -C; ipvsadm -R <'${B}/ipvsadm.rules'"
    times+=($(($(now_ms) - t0)))
    verify "${WORK}/want-b" || echo "BENCH error N=${N} step=flush-batch table mismatch"
    ((r + 1 == REPS)) || bnsx sh -c "ipvsadm -C; ipvsadm -R <'${A}/ipvsadm.rules'"
  done
  read -r e _ <<<"$(stats "${times[@]}")"
  [[ ${a} != est ]] || a="est:$((PER_PROC * rules / 1000))"
  [[ ${d} != est ]] || d="est:$((PER_PROC * (rules + 1) / 1000))"
  echo "BENCH table N=${N} rules=${rules} reps=${REPS} reload_range_ms=${c_min}-${c_max} article_load_ms=${a} start_ms=${b} reload_ms=${c} reload_lines=${lines} article_reload_ms=${d} flush_batch_ms=${e} per_process_us=${PER_PROC}"
  bnsx ipvsadm -C
  rm -rf "${BSTATE}"
done
ip netns del "${P}-bench"
