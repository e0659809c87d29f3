#!/usr/bin/env bash
# Reorgs: after the node replaces the last 1 and then 5 blocks, a rerun of sync unwinds to the
# fork point and re-applies, ending in exactly the state of a fresh sync of the new chain; a
# reorg deeper than the chain's window (64) stops with a clear error and leaves the store as it
# was.
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
