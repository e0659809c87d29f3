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
# LX_CRASH_STRIDE=S: crash at every S-th point only (the sanitizer build, whose processes are
# slow to start; the plain build walks every point)
stride=${LX_CRASH_STRIDE:-1}
sync() { "$bin" sync --chain devnet --rpc "$rpc" --quiet "$@"; }
fresh() { rm -rf "$1"; if [ -n "$2" ]; then cp -r "$2" "$1"; fi; }

# crash K BASE REF DIR: a sync into a copy of BASE dies at crash point K (or, when K is past
# the last point, completes); a rerun completes; the store must then equal REF
crash() {
  local k=$1 base=$2 ref=$3 d=$4 rc
  fresh "$d" "$base"
  set +e
  LENDEX_TEST_CRASH_AT=$k sync --datadir "$d" 2>"$d.err"
  rc=$?
  set -e
  if [ "$k" -le "$n" ]; then
    [ "$rc" = 86 ] || { echo "$what k=$k: exit $rc, want 86: $(cat "$d.err")"; return 1; }
    grep -q "test crash point $k: " "$d.err" || { echo "$what k=$k: $(cat "$d.err")"; return 1; }
    sync --datadir "$d" || { echo "$what k=$k: the rerun failed"; return 1; }
  else
    [ "$rc" = 0 ] || { echo "$what k=$k: exit $rc, want a complete sync: $(cat "$d.err")"; return 1; }
  fi
  "$bin" dump --datadir "$d" >"$d.dump"
  cmp -s "$ref" "$d.dump" ||
    { echo "$what: crash at point $k ($(sed -n "${k}p" "$state/points")): rerun differs"; return 1; }
}

# walk NAME BASE REF: crash at every point of a sync into a copy of BASE ("" = empty store).
# The points are deterministic, so k = 1..n+1 are independent runs: 3 workers share them.
walk() {
  what=$1
  local base=$2 ref=$3
  fresh "$state/w" "$base"
  rm -f "$state/points"
  out=$(LENDEX_TEST_CRASH_LOG="$state/points" "$bin" sync --chain devnet --rpc "$rpc" --json \
          --quiet --datadir "$state/w")
  "$bin" dump --datadir "$state/w" >"$state/w.dump"
  cmp -s "$ref" "$state/w.dump" || { echo "$what: an uninterrupted run differs"; exit 1; }
  local commits ranges want
  n=$(wc -l <"$state/points")
  commits=$(grep -c '^commit$' "$state/points")
  ranges=$(echo "$out" | sed -n 's/.*"ranges":\([0-9]*\).*/\1/p')
  # every commit: the schema check at open, one per range, one per unwind
  want=$((1 + ranges + $(grep -c '^unwound$' "$state/points" || true)))
  [ "$commits" = "$want" ] || { echo "$what: $commits commit points, want $want ($out)"; exit 1; }
  rm -f "$state/failed"
  local ks
  mapfile -t ks < <(seq 1 "$stride" "$n"; echo $((n + 1)))
  for w in 0 1 2; do
    (
      for ((i = w; i < ${#ks[@]}; i += 3)); do
        crash "${ks[i]}" "$base" "$ref" "$state/w$w" || { touch "$state/failed"; exit 1; }
        [ ! -e "$state/failed" ] || exit 1
      done
    ) &
  done
  wait
  [ ! -e "$state/failed" ] || exit 1
  [ "$stride" = 1 ] || echo "$what: every ${stride}th crash point only (LX_CRASH_STRIDE)"
  echo "$what: $n crash points ($(sort "$state/points" | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')): every rerun identical"
}
need() { grep -q "^$1\$" "$state/points" || { echo "crash point '$1' never reached"; exit 1; }; }

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
