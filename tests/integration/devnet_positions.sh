#!/usr/bin/env bash
# The Aave V3 referee test: deploy the real market on anvil, play the scenario, then sync
# lendex to a block in the middle (before the price drop and liquidations) and to the head,
# and at both compare every account with Pool.getUserAccountData and the tokens' balanceOf.
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
mid=$(node -e "console.log(require('$state/scenario.json').mid_block)")
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$mid" --quiet
node "$root/tests/devnet/verify.js" "$state" "$mid" "$bin" --datadir "$state/db"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
node "$root/tests/devnet/verify.js" "$state" "$head" "$bin" --datadir "$state/db"
# a rerun at the head is a no-op and leaves the store as it was
"$bin" dump --datadir "$state/db" >"$state/d1"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
"$bin" dump --datadir "$state/db" >"$state/d2"
cmp "$state/d1" "$state/d2"
# a fresh sync with tiny ranges (many commits) ends in the same state
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db2" --max-range 7 --quiet
"$bin" dump --datadir "$state/db2" >"$state/d3"
cmp "$state/d1" "$state/d3"
echo "devnet_positions: ok (mid $mid, head $head)"
