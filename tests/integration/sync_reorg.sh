#!/usr/bin/env bash
# Reorgs: after the node replaces the last 1 and then 5 blocks, a rerun of sync unwinds to the
# fork point and re-applies, ending in exactly the state of a fresh sync of the new chain. A
# verified sync that follows the head (--verify --follow) sees the node replace its last 12
# blocks while it runs, unwinds to the fork, proves the new blocks against the headers linked
# to the checkpoint and ends in exactly the state (signers included) of a fresh verified sync
# of the new chain. A reorg deeper than the chain's window (64) stops with a clear error and
# leaves the store as it was.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
reorg() {
  curl -s -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_reorg\",\"params\":[$1,[]]}" "$rpc" | grep -q result
}
rpcq() { curl -s -H 'Content-Type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$rpc"; }
field() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s).result;console.log('${1:-}'?r['${1:-}']:r)})"; }
# the cursor's block and hash in a store, as dump prints them (block(8) hash(32) time(8))
cursor() { "$bin" dump --datadir "$1" 2>/dev/null | awk '$1 == "cursor" { print substr($3, 1, 80) }'; }
want() { printf '%016x%s' "$(($(rpcq eth_blockNumber '[]' | field) + 0))" "$(rpcq eth_getBlockByNumber '["latest",false]' | field hash | cut -c3-)"; }

# 1. reorgs between runs
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
for depth in 1 5; do
  reorg "$depth"
  out=$("$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --json)
  echo "$out" | grep -q '"reorgs":1' || { echo "depth $depth: no reorg seen: $out"; exit 1; }
  rm -rf "$state/fresh"
  "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/fresh" --quiet
  "$bin" dump --datadir "$state/db" >"$state/a"
  "$bin" dump --datadir "$state/fresh" >"$state/b"
  cmp "$state/a" "$state/b" || { echo "depth $depth: unwound state differs from a fresh sync"; exit 1; }
  echo "depth $depth: unwound and re-applied, identical to a fresh sync"
done
# 2. a reorg while a verified sync follows the head
cp="0:$(rpcq eth_getBlockByNumber '["0x0",false]' | field hash)"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/v" --verify --checkpoint "$cp" --follow \
  >/dev/null 2>"$state/v.err" &
fpid=$!
trap 'kill $fpid 2>/dev/null || true; "$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
until_at() { # waits until the follower's cursor is the node's head
  local w end=$((SECONDS + 300)); w=$(want)
  while [ $SECONDS -lt $end ]; do
    [ "$(cursor "$state/v")" = "$w" ] && return 0
    kill -0 "$fpid" 2>/dev/null || { echo "the follower stopped: $(cat "$state/v.err")"; exit 1; }
    sleep 0.1
  done
  echo "the follower did not reach the head ($w): $(cat "$state/v.err")"; exit 1
}
until_at
"$bin" dump --datadir "$state/v" >"$state/v.before"
# the last 12 blocks (scenario actions among them) become 12 others, the last holding a plain
# transfer (so that the deep reorg below replaces blocks that differ from empty ones)
rpcq anvil_reorg '[12,[[{"from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","value":"0x1"},11]]]' | grep -q result
until_at
kill "$fpid"; wait "$fpid" 2>/dev/null || true
grep -q "sync: reorg: unwound from block" "$state/v.err" || { echo "follower: no unwind: $(cat "$state/v.err")"; exit 1; }
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/vfresh" --verify --checkpoint "$cp" --quiet
"$bin" dump --datadir "$state/v" >"$state/a"
"$bin" dump --datadir "$state/vfresh" >"$state/b"
grep -v '^cursor' "$state/v.before" | cmp -s - <(grep -v '^cursor' "$state/a") &&
  { echo "verified follow: the reorg changed no position"; exit 1; }
grep -q '^lx\.signer' "$state/a" || { echo "verified follow: no signers"; exit 1; }
cmp "$state/a" "$state/b" || { echo "verified follow: state after the reorg differs from a fresh verified sync"; exit 1; }
echo "verified follow: reorg of 12 unwound, re-verified, identical to a fresh verified sync"


# 3. deeper than the window
"$bin" dump --datadir "$state/db" >"$state/before"
reorg 70
set +e
msg=$("$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet 2>&1); rc=$?
set -e
[ "$rc" = 2 ] || { echo "deep reorg: exit $rc, want 2 ($msg)"; exit 1; }
echo "$msg" | grep -q "reorganised below the last 64 blocks" || { echo "deep reorg: unclear error: $msg"; exit 1; }
"$bin" dump --datadir "$state/db" >"$state/after"
cmp "$state/before" "$state/after"
echo "deep reorg: $msg"
echo "sync_reorg: ok"
