#!/usr/bin/env bash
# scripts/soak.sh: the integration suite run again and again with the CPU loaded, to find the
# tests that fail only sometimes (timing assumptions, ports, shared paths, races). Each iteration
# is one `ctest -j2` over the selected tests while --workers busy loops compete for the CPU; each
# iteration's pass/fail and every test's time go to a log directory, and a summary table (runs,
# failures, min/median/max seconds per test) is printed at the end (and on Ctrl-C).
#
#   bash scripts/soak.sh [--iterations N] [--minutes M] [--workers W] [-R REGEX] [-L LABEL]
#                        [--build DIR] [--log DIR] [--stop]
#
#   --iterations N  at most N iterations (default 50)
#   --minutes M     start no iteration after M minutes (default: no limit)
#   --workers W     busy loops loading the CPU while the tests run (default 2; 0: none)
#   -R REGEX        only the tests whose name matches (ctest -R), e.g. '^sync_' ; -L LABEL the
#                   ctest label (default integration)
#   --build DIR     the build directory (default build; it must be built with the test hooks)
#   --log DIR       where iteration-K.log and times.tsv go (default a new soak-* dir in $TMPDIR)
#   --stop          stop at the first failing iteration (the "N in a row" criterion)
# Exit status: 0 when every iteration passed, 1 otherwise. On a shared machine run it under
# `nice -n 10` (the busy loops inherit it). Failed tests' output is in iteration-K.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iters=50 minutes=0 workers=2 regex='' label=integration build="$root/build" log='' stop=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --iterations) iters=${2:?}; shift 2 ;;
    --minutes) minutes=${2:?}; shift 2 ;;
    --workers) workers=${2:?}; shift 2 ;;
    -R) regex=${2:?}; shift 2 ;;
    -L) label=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --log) log=${2:?}; shift 2 ;;
    --stop) stop=1; shift ;;
    -h | --help) usage ;;
    *) echo "soak: unknown argument '$1'" >&2; usage ;;
  esac
done
for n in "$iters" "$minutes" "$workers"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "soak: '$n' is not a count" >&2; exit 2; }
done
[ -f "$build/CTestTestfile.cmake" ] || { echo "soak: no ctest build in $build (build it first)" >&2; exit 2; }
[ -n "$log" ] || log=$(mktemp -d "${TMPDIR:-/tmp}/soak-XXXXXX")
mkdir -p "$log"
sel=(-L "$label")
[ -n "$regex" ] && sel+=(-R "$regex")

busy=()
stop_busy() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done; busy=(); }
for _ in $(seq 1 "$workers"); do
  bash -c 'while :; do :; done' &
  busy+=($!)
done

# times.tsv: iteration, test, Passed|Failed|Timeout|..., seconds
summary() {
  stop_busy
  [ -s "$log/times.tsv" ] || { echo "soak: no iteration finished (log: $log)"; return; }
  echo
  echo "soak: $done_n iterations ($pass_n passed, $((done_n - pass_n)) failed), workers $workers," \
    "$(( ($(date +%s) - t0) / 60 )) min; log: $log"
  awk -F'\t' '
    { n[$2]++; if ($3 != "Passed") f[$2]++; t[$2, n[$2]] = $4 }
    END {
      printf "%-26s %5s %5s %8s %8s %8s\n", "test", "runs", "fail", "min s", "median s", "max s"
      for (k in n) {
        m = n[k]
        for (i = 1; i <= m; i++) v[i] = t[k, i] + 0
        for (i = 2; i <= m; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
        med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
        printf "%-26s %5d %5d %8.1f %8.1f %8.1f\n", k, m, f[k] + 0, v[1], med, v[m]
      }
    }' "$log/times.tsv" | { read -r h; echo "$h"; sort -k6,6nr; }
  if [ "$done_n" -gt "$pass_n" ]; then
    echo "failed:"
    awk -F'\t' '$3 != "Passed" { printf "  iteration %s: %s (%s, %s s)\n", $1, $2, $3, $4 }' "$log/times.tsv"
  fi
}
done_n=0 pass_n=0 t0=$(date +%s) run=
# ctest runs in a session of its own, so that stopping the soak stops the tests too (their
# scripts' EXIT traps then stop their anvils), not just ctest
stop_run() { [ -z "$run" ] || { kill -TERM -- "-$run" 2>/dev/null || true; wait "$run" 2>/dev/null || true; run=; }; }
trap 'stop_run; summary; exit 130' INT TERM
trap 'stop_run; stop_busy' EXIT
for k in $(seq 1 "$iters"); do
  if [ "$minutes" -gt 0 ] && [ $(( $(date +%s) - t0 )) -ge $((minutes * 60)) ]; then break; fi
  start=$(date +%s)
  ok=1
  setsid ctest --test-dir "$build" "${sel[@]}" -j2 --output-on-failure >"$log/iteration-$k.log" 2>&1 &
  run=$!
  wait "$run" || ok=0
  run=
  # "  3/36 Test #29: devnet_positions .....   Passed   22.57 sec" (also "***Failed", "***Timeout")
  sed -nE 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+) \.+ *(\*\*\*)?([A-Za-z]+)[^0-9]* ([0-9.]+) sec$/\1\t\3\t\4/p' \
    "$log/iteration-$k.log" | sed "s/^/$k\t/" >>"$log/times.tsv"
  done_n=$k
  [ $ok = 1 ] && pass_n=$((pass_n + 1))
  printf 'soak: iteration %d %s in %d s (load %s)%s\n' "$k" "$([ $ok = 1 ] && echo passed || echo FAILED)" \
    $(( $(date +%s) - start )) "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "$([ $ok = 1 ] || awk -F'\t' -v k="$k" '$1 == k && $3 != "Passed" { printf " %s", $2 }' "$log/times.tsv")"
  [ $ok = 1 ] || [ $stop = 0 ] || break
done
summary
[ "$done_n" -gt 0 ] && [ "$done_n" = "$pass_n" ]
