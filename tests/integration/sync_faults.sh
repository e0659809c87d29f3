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
for seed in 1 2 3 4 5; do
  node "$root/tests/faultproxy/proxy.js" --upstream "$rpc" --seed "$seed" --faults all --rate 0.2 \
    --max-range 40 --max-results 30 --delay-ms 700 --port-file "$state/proxy$seed" >/dev/null 2>"$state/proxy$seed.log" &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$state/proxy$seed" ] && break; sleep 0.1; done
  "$bin" sync --chain devnet --rpc "$(cat "$state/proxy$seed")" --datadir "$state/f$seed" --to "$head" \
    --timeout-ms 400 --backoff-ms 10 --retries 30 --quiet
  curl -s "$(cat "$state/proxy$seed")/admin/stats" >"$state/stats$seed"
  "$bin" dump --datadir "$state/f$seed" >"$state/f$seed.dump"
  cmp "$state/clean.dump" "$state/f$seed.dump" || { echo "seed $seed: state differs"; exit 1; }
  echo "seed $seed: identical; faults $(cat "$state/stats$seed")"
done
# every kind of fault was exercised across the seeds
all=$(cat "$state"/stats*)
for k in range count 429 5xx delay truncate malformed lag; do
  echo "$all" | grep -q "\"$k\"" || { echo "fault '$k' never injected"; exit 1; }
done
echo "sync_faults: ok"
