#!/usr/bin/env bash
# Compound V3 at mainnet scale (issue 11): one Comet market with 800 borrowers and 500 lenders
# (tests/devnet/comet_scale.js; silent borrower-to-borrower transfers, interest, a price drop).
# A sync reads every account's userBasic at the synced block in JSON-RPC batches; then every
# account of lendex's view and of the scenario is exact against the Comet (balanceOf,
# borrowBalanceOf, collateralBalanceOf, isLiquidatable: comet_scale_verify.js). The batch path
# under a hostile node (tests/faultproxy --hostile): an answer with an id not asked for, an
# error entry of the node's, a batch answer short of an entry — each once is retried and the
# store equals a clean sync's; each every time fails the sync with exit 2 and one line naming
# the read; a node that refuses every batch is read one request at a time and the store equals
# a clean sync's.
#   comet_scale.sh LENDEX VIEW_DUMP
set -euo pipefail
bin=$1
dump=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "comet_scale: ../shared missing" >&2; exit 1; }
state=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$root/tests/devnet/devnet.sh" down "$state"
  rm -rf "$state"
}
trap cleanup EXIT
rpc=$(DEVNET_ANVIL_ARGS="--gas-limit 100000000" "$root/tests/devnet/devnet.sh" anvil "$state")
DEVNET_QUIET=1 LX_SHARED="$shared" node "$root/tests/devnet/comet_scale.js" "$rpc" "$state" 800 500
echo "scenario: $SECONDS s"
export LENDEX_CHAINS="$state/chains"
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
lx() { "$bin" "$@" --chain devnet; }
lx sync --rpc "$rpc" --datadir "$state/clean" --to "$head" --quiet
"$dump" "$state/clean" "$state/chains" devnet compound-v3-scale >"$state/view.jsonl"
node "$root/tests/devnet/comet_scale_verify.js" "$state" "$state/view.jsonl" 1300
"$bin" dump --datadir "$state/clean" >"$state/clean.dump"
echo "clean sync verified: $SECONDS s"

n=0
proxy() { # proxy ARGS... -> sets $url
  n=$((n + 1))
  node "$root/tests/faultproxy/proxy.js" --upstream "$rpc" --port-file "$state/port$n" "$@" \
    >/dev/null 2>"$state/proxy$n.log" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$state/port$n" ] && break; sleep 0.05; done
  url=$(cat "$state/port$n")
}
stats() { curl -s "$url/admin/stats"; }
opts=(--to "$head" --backoff-ms 5 --retries 2 --quiet)
same() { # DB WHAT
  "$bin" dump --datadir "$1" | cmp - "$state/clean.dump" || { echo "$2: state differs from a clean sync"; exit 1; }
}
for mode in batch_id batch_error batch_short; do
  proxy --hostile "$mode" --times 1
  lx sync --rpc "$url" --datadir "$state/once-$mode" "${opts[@]}"
  s=$(stats)
  echo "$s" | grep -q "\"$mode\":1" || { echo "$mode: never injected ($s)"; exit 1; }
  same "$state/once-$mode" "$mode once"
  echo "$mode once: retried, identical"
done
# a node that takes no batch: halved batches, then single requests; exact
proxy --hostile batch_refuse --times -1
lx sync --rpc "$url" --datadir "$state/nobatch" "${opts[@]}"
s=$(stats)
echo "$s" | grep -q '"batch_refuse":' || { echo "batch_refuse: never injected ($s)"; exit 1; }
same "$state/nobatch" "batch_refuse"
echo "batch_refuse: fell back to single requests, identical ($s)"
# every time: exit 2, one line naming the read (selector, argument, contract, block), the store exactly as it was (one block behind)
lx sync --rpc "$rpc" --datadir "$state/atlast" --to $((head - 1)) --quiet
always() { # MODE EXPECTED-TEXT READ
  local mode=$1 want=$2 read=$3 db="$state/always-$1"
  cp -r "$state/atlast" "$db"
  "$bin" dump --datadir "$db" >"$state/before"
  proxy --hostile "$mode" --times -1
  set +e
  msg=$(lx sync --rpc "$url" --datadir "$db" "${opts[@]}" 2>&1); rc=$?
  set -e
  [ "$rc" = 2 ] || { echo "$mode always: exit $rc, want 2 ($msg)"; exit 1; }
  [ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] || { echo "$mode always: not one line: $msg"; exit 1; }
  for w in "$want" "compound-v3-scale: read $read" "at block $head failed"; do
    echo "$msg" | grep -qF -- "$w" || { echo "$mode always: want '$w' in: $msg"; exit 1; }
  done
  "$bin" dump --datadir "$db" | cmp - "$state/before" || { echo "$mode always: the store changed"; exit 1; }
  echo "$mode always: $msg"
}
# (an id not asked for is no read's: the batch's first is named; an error entry or a missing
# one names its own read, a userBasic(account))
always batch_id "not one asked for" "0x"
always batch_error "missing trie node" "0xdc4abafd(0x"
always batch_short "ids asked for" "0xdc4abafd(0x"
echo "comet_scale: ok ($SECONDS s)"
