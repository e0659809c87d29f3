# tests/integration/lib/crashwalk.sh: the crash-point walk (include/lendex/testhook.h), sourced
# by the tests that prove a store writer survives dying at any of its points (sync_crash: the
# devnet sync and a reorg unwind; aave_v4: sync's catch-up of contracts found late).
# The caller sets bin and state and defines sync() (lendex sync with its chain, node and range;
# it passes its arguments on). crash K BASE REF DIR and walk NAME BASE REF as below; need P
# fails unless the last walk reached crash point P.
# LX_CRASH_STRIDE=S: crash at every S-th point only (the sanitizer build, whose processes are
# slow to start; the plain build walks every point)
stride=${LX_CRASH_STRIDE:-1}
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
  out=$(LENDEX_TEST_CRASH_LOG="$state/points" sync --json --datadir "$state/w")
  "$bin" dump --datadir "$state/w" >"$state/w.dump"
  cmp -s "$ref" "$state/w.dump" || { echo "$what: an uninterrupted run differs"; exit 1; }
  local commits ranges want
  n=$(wc -l <"$state/points")
  commits=$(grep -c '^commit$' "$state/points")
  ranges=$(echo "$out" | sed -n 's/.*"ranges":\([0-9]*\).*/\1/p')
  # every commit: the schema check at open, one per range, one per unwind, one for the
  # history of contracts found late (sync's catch-up) when there was one
  local late
  late=$(echo "$out" | sed -n 's/.*"caught_up":{"emitters":\([0-9]*\).*/\1/p')
  want=$((1 + ranges + $(grep -c '^unwound$' "$state/points" || true) + (late > 0 ? 1 : 0)))
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
