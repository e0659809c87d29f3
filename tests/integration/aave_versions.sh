#!/usr/bin/env bash
# One Aave V3 release (aave-v3-origin vX.Y.Z from ../shared) on a fresh devnet: deploy, play the
# scenario of tests/devnet/origin.js (e-mode bitmaps, LTV-zero, isolated e-mode, 1-wei and
# off-index amounts, a 50 % and a 100 % close-factor liquidation, bad debt), then require every
# account's getUserAccountData fields, every balanceOf / scaledBalanceOf and the protocol version
# lendex found on chain to equal lendex's at a middle block and at the head; a fresh sync in small
# ranges must end in the same store.
#   aave_versions.sh LENDEX VERSION [oracle-swap]
set -euo pipefail
bin=$1
ver=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "aave_versions: ../shared missing" >&2; exit 1; }
[ -f "$shared/aave-v3-origin/$ver/artifacts.json" ] || { echo "aave_versions: no $ver in $shared/aave-v3-origin" >&2; exit 1; }
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
rpc=$(cat "$state/rpc")
ORIGIN_ORACLE_SWAP=$([ "${3:-}" = oracle-swap ] && echo 1 || echo 0) DEVNET_QUIET=1 LX_SHARED="$shared" \
  node "$root/tests/devnet/origin.js" "$rpc" "$state" "$ver"
export LENDEX_CHAINS="$state/chains"
mid=$(node -e "console.log(require('$state/scenario.json').mid_block)")
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$mid" --quiet
node "$root/tests/devnet/verify.js" "$state" "$mid" "$bin" --datadir "$state/db"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
node "$root/tests/devnet/verify.js" "$state" "$head" "$bin" --datadir "$state/db"
"$bin" dump --datadir "$state/db" >"$state/d1"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db2" --max-range 5 --quiet
"$bin" dump --datadir "$state/db2" >"$state/d2"
cmp "$state/d1" "$state/d2" || { diff "$state/d1" "$state/d2" | head -20; exit 1; }
echo "aave_versions $ver ${3:-}: ok (mid $mid, head $head)"
