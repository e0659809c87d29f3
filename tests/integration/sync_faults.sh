#!/usr/bin/env bash
# Sync through the fault proxy (every fault enabled, 5 seeds) must end in exactly the state of
# a clean sync (canonical dumps compared byte for byte).
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; "$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"; }
trap cleanup EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/clean" --to "$head" --quiet
"$bin" dump --datadir "$state/clean" >"$state/clean.dump"
# The five seeds sync side by side, each through its own proxy into its own store: a faulted
# sync spends its time waiting (Retry-After, answers held past the timeout), not computing, so
# one after another took five times as long for the same faults. The timeout is well above a
# loaded machine's answer time (a slow answer is retried too, but should not be the rule), and
# the held answers ('delay') longer than it.
sync_seed() {
  local seed=$1
  "$bin" sync --chain devnet --rpc "$(cat "$state/proxy$seed")" --datadir "$state/f$seed" --to "$head" \
    --timeout-ms 1000 --backoff-ms 10 --retries 30 --quiet >"$state/sync$seed.log" 2>&1 || return 1
  curl -s "$(cat "$state/proxy$seed")/admin/stats" >"$state/stats$seed"
  "$bin" dump --datadir "$state/f$seed" >"$state/f$seed.dump"
}
syncs=()
for seed in 1 2 3 4 5; do
  node "$root/tests/faultproxy/proxy.js" --upstream "$rpc" --seed "$seed" --faults all --rate 0.2 \
    --max-range 40 --max-results 30 --delay-ms 1500 --port-file "$state/proxy$seed" >/dev/null 2>"$state/proxy$seed.log" &
  pids+=($!)
  for _ in $(seq 300); do [ -s "$state/proxy$seed" ] && break; sleep 0.1; done
  [ -s "$state/proxy$seed" ] || { echo "seed $seed: the fault proxy did not start"; cat "$state/proxy$seed.log"; exit 1; }
  sync_seed "$seed" &
  syncs+=($!)
done
pids+=("${syncs[@]}")
bad=0
for seed in 1 2 3 4 5; do
  if ! wait "${syncs[$((seed - 1))]}"; then
    echo "seed $seed: sync failed"; cat "$state/sync$seed.log"; bad=1; continue
  fi
  cmp "$state/clean.dump" "$state/f$seed.dump" || { echo "seed $seed: state differs"; bad=1; continue; }
  echo "seed $seed: identical; faults $(cat "$state/stats$seed")"
done
[ $bad = 0 ] || exit 1
# every kind of fault was exercised across the seeds
all=$(cat "$state"/stats*)
for k in range count 429 5xx delay truncate malformed lag; do
  echo "$all" | grep -q "\"$k\"" || { echo "fault '$k' never injected"; exit 1; }
done
echo "sync_faults: ok"
