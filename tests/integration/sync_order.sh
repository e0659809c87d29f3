#!/usr/bin/env bash
# Ordering under load: with the fetching thread far ahead of the applier (a slow applier, many
# small ranges, high concurrency; answers through a jittery proxy that also delays some past the
# client's timeout, so they are retried, and refuses wide ranges, so they are split), ranges
# must still apply in block order, exactly once. Checked on the apply trace of test builds
# (include/lendex/testhook.h: "range FROM TO NLOGS" after each commit, then its logs): the
# ranges tile the blocks from the cursor to the head with no gap and no overlap, the logs come
# in strictly increasing (block, index) inside their range, and they are exactly a clean
# sync's logs; the store must equal the clean sync's. Also resumes with a slow applier: the
# applier's first transactions then open their tables while the fetcher works ahead (this
# once wrote a table's root under another table's name).
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
proxy=
cleanup() { [ -z "$proxy" ] || kill "$proxy" 2>/dev/null || true; "$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"; }
trap cleanup EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
start=$(node -e "console.log(require('$root/chains/devnet.json').deployments[0].start_block)")

# check WHAT TRACE FROM: the trace applies blocks FROM..head in order, each once, and its logs
# are the clean sync's logs from FROM on
check() {
  local what=$1 trace=$2 from=$3
  awk -v from="$from" -v to="$head" -v what="$what" '
    function fail(m) { print what ": " m " (trace line " NR ": " $0 ")"; bad = 1; exit 1 }
    $1 == "range" {
      if (open && seen != want) fail("range had " seen " logs, said " want)
      if ($2 != next_) fail("range starts at " $2 ", want " next_)
      if ($3 < $2) fail("empty range")
      lo = $2; hi = $3; want = $4; seen = 0; open = 1; next_ = $3 + 1; next
    }
    $1 == "log" {
      if (!open) fail("log before any range")
      if ($2 < lo || $2 > hi) fail("log outside its range " lo ".." hi)
      if ($2 < pb || ($2 == pb && $3 <= pi)) fail("log not after the previous one")
      pb = $2; pi = $3; seen++; next
    }
    $1 == "unwind" { fail("unexpected unwind") }
    BEGIN { next_ = from; pb = -1; pi = -1 }
    END {
      if (bad) exit 1
      if (open && seen != want) { print what ": last range had " seen " logs, said " want; exit 1 }
      if (next_ != to + 1) { print what ": applied up to " next_ - 1 ", want " to; exit 1 }
    }' "$trace"
  grep '^log ' "$trace" >"$state/got.logs"
  awk -v from="$from" '$2 >= from' "$state/ref.logs" | cmp -s - "$state/got.logs" ||
    { echo "$what: logs differ from a clean sync's (missing, extra or repeated)"; exit 1; }
}
same() {
  "$bin" dump --datadir "$2" >"$state/x.dump"
  cmp -s "$state/ref.dump" "$state/x.dump" || { echo "$1: store differs from a clean sync's"; exit 1; }
}
run() { # run WHAT DIR TRACE [env...] -- [sync args]
  SECONDS=0
  local what=$1 dir=$2 trace=$3
  shift 3
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  rm -f "$trace"
  env "${envs[@]}" LENDEX_TEST_TRACE="$trace" "$bin" sync --chain devnet --datadir "$dir" --quiet \
    --to "$head" "$@" || { echo "$what: sync failed"; exit 1; }
  echo "$what: ${SECONDS}s" >&2
}

# the clean reference
run clean "$state/ref" "$state/ref.trace" -- --rpc "$rpc"
grep '^log ' "$state/ref.trace" >"$state/ref.logs"
"$bin" dump --datadir "$state/ref" >"$state/ref.dump"
check clean "$state/ref.trace" "$start"
[ "$(wc -l <"$state/ref.logs")" -gt 100 ] || { echo "clean sync applied too few logs"; exit 1; }

# 1. slow applier, fetcher far ahead: many small ranges, 16 in flight
run slow "$state/s" "$state/s.trace" LENDEX_TEST_SLOW_MS=20 -- --rpc "$rpc" --max-range 8 \
  --concurrency 16
check slow "$state/s.trace" "$start"
same slow "$state/s"
echo "slow applier: $(grep -c '^range' "$state/s.trace") ranges in order, each once; store identical"

# 2. resumes, from below and inside the reorg window, mostly with a slow applier (C:CONC:MS):
#    from 318, 321 and 324 the run's last range (the one with contract reads) is in the
#    fetcher's second batch, fetched while the applier's first transaction, which opens the
#    tables, is still open. Before contract reads moved to the applier, the fetcher read the
#    store for them there, against LMDB's rules on opening table handles: a plain resume from
#    321 then failed with "scaled balance underflow at log 325:2" (as sync_kill once did), and
#    this test failed at 324 with MDB_BAD_DBI.
for cc in 200:8:40 300:8:40 318:8:40 321:4:0 324:4:40; do
  IFS=: read -r c conc ms <<<"$cc"
  rm -rf "$state/r"
  "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/r" --to "$c" --quiet
  run "resume $c" "$state/r" "$state/r.trace" LENDEX_TEST_SLOW_MS="$ms" -- --rpc "$rpc" \
    --concurrency "$conc"
  check "resume $c" "$state/r.trace" $((c + 1))
  same "resume $c" "$state/r"
done
echo "resumes from 200, 300, 318, 321, 324: in order, each once; store identical"

# 3. through a jittery proxy: answers out of order, some past the timeout (retried), wide
#    ranges refused (split); small ranges, 16 in flight, a slow applier. The timeout leaves
#    room for a loaded machine (at 200 ms a loaded anvil made 3000 retries and a minute).
node "$root/tests/faultproxy/proxy.js" --upstream "$rpc" --seed 7 --faults jitter,delay,range \
  --rate 0.015 --jitter-ms 30 --delay-ms 1300 --max-range 3 --port-file "$state/proxy" \
  >/dev/null 2>"$state/proxy.log" &
proxy=$!
for _ in $(seq 600); do [ -s "$state/proxy" ] && break; sleep 0.1; done
run jitter "$state/j" "$state/j.trace" LENDEX_TEST_SLOW_MS=5 -- --rpc "$(cat "$state/proxy")" \
  --max-range 4 --concurrency 16 --timeout-ms 1000 --backoff-ms 10 --retries 30
stats=$(curl -s "$(cat "$state/proxy")/admin/stats")
check jitter "$state/j.trace" "$start"
same jitter "$state/j"
for k in jitter delay range; do
  echo "$stats" | grep -q "\"$k\"" || { echo "jitter: fault '$k' never injected ($stats)"; exit 1; }
done
echo "jittery proxy ($stats): in order, each once; store identical"
echo "sync_order: ok"
