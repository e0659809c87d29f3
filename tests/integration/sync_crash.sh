#!/usr/bin/env bash
# Crash points, as SQLite tests its journal (include/lendex/testhook.h): `lendex sync` is made
# to die (_exit, no cleanup) at its k-th crash point — after every LMDB commit, between fetching
# and applying a range, between applying a range and moving the cursor, between the blocks of a
# reorg unwind and before its cursor moves — for k = 1, 2, ... until a run completes without
# reaching k. After each crash a plain rerun must end in exactly the store of a clean sync
# (canonical dumps compared byte for byte). Walked for the devnet sync from an empty store and
# for a rerun that unwinds an 8-block reorg. A first run with the crash log counts the points:
# run k = n + 1 must complete without a crash (the points are deterministic), every commit of
# the run must be one of them, and each kind must be reached.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
# stores on tmpfs when there is one: a crash point ends the process, not the machine, so the
# page cache survives it and the test needs no fsync (which would triple its time)
state=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
sync() { "$bin" sync --chain devnet --rpc "$rpc" --quiet "$@"; }
# shellcheck source=lib/crashwalk.sh
. "$root/tests/integration/lib/crashwalk.sh"

# 1. the devnet sync from an empty store
sync --datadir "$state/clean"
"$bin" dump --datadir "$state/clean" >"$state/clean.dump"
walk "sync" "" "$state/clean.dump"
for p in commit fetched applied; do need "$p"; done

# 2. a rerun that unwinds a reorg: the last 8 blocks (with the liquidations) replaced
curl -s -H 'Content-Type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"anvil_reorg","params":[8,[]]}' "$rpc" | grep -q result
rm -rf "$state/fresh"
sync --datadir "$state/fresh"
"$bin" dump --datadir "$state/fresh" >"$state/fresh.dump"
cmp -s "$state/clean.dump" "$state/fresh.dump" && { echo "the reorg changed nothing"; exit 1; }
walk "reorg" "$state/clean" "$state/fresh.dump"
for p in commit fetched applied unwind-block unwound; do need "$p"; done
[ "$(grep -c '^unwind-block$' "$state/points")" -ge 2 ] || { echo "unwind crossed < 2 blocks"; exit 1; }
echo "sync_crash: ok"
