#!/usr/bin/env bash
# Morpho Blue on a fresh devnet with its real bytecode (compiled from npm
# @morpho-org/morpho-blue by tests/devnet/morpho_build.js, cached under build/): deploy three
# markets and play the seeded scenario of tests/devnet/morpho.js (supply/withdraw in assets and
# shares, borrow, repay, collateral in/out, time jumps, price moves, a flash loan, a partial
# liquidation and one with bad debt, an account on every market), then sync lendex to a middle
# block and to the head (two days after the last log: interest projected with the IRM's rate)
# and require, for every account on every market, supply/borrow shares and assets, collateral
# and health to equal the contract's own (morpho_verify.js); a fresh sync in small ranges must
# end in the same store. Last, the cascade's round 1 against Morpho's liquidate on chain.
#   morpho_devnet.sh LENDEX MORPHO_VIEW
set -euo pipefail
bin=$1
view=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
rpc=$(cat "$state/rpc")
DEVNET_QUIET=1 node "$root/tests/devnet/morpho.js" "$rpc" "$state"
export LENDEX_CHAINS="$state/chains"
mid=$(node -e "console.log(require('$state/scenario.json').mid_block)")
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$mid" --quiet
node "$root/tests/devnet/morpho_verify.js" "$state" "$mid" "$view" "$state/db"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
node "$root/tests/devnet/morpho_verify.js" "$state" "$head" "$view" "$state/db"
"$bin" dump --datadir "$state/db" >"$state/d1"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db2" --max-range 7 --quiet
"$bin" dump --datadir "$state/db2" >"$state/d2"
cmp "$state/d1" "$state/d2" || { diff "$state/d1" "$state/d2" | head -20; exit 1; }
# last (it changes the chain): the cascade's round 1 against Morpho's own liquidate
# (tests/devnet/morpho_cascade.js), each shock from the synced chain: C1 -45 % (both markets of
# C1 move; bad debt; four liquidations in one market, each seeing the totals the one before
# left), then L1 +30 % (the loan token: the oracles of its markets move the inverse way). The
# positions lendex lists = those Morpho lets a liquidator into; every Liquidate amount and
# every position left equal lendex's
c1=$(node -e "console.log(require('$state/scenario.json').markets[0].params.collateralToken)")
l1=$(node -e "console.log(require('$state/scenario.json').markets[0].params.loanToken)")
node "$root/tests/devnet/morpho_cascade.js" "$state" "$bin" "$state/db" "$c1" -45 "$l1" +30
echo "morpho_devnet: ok (mid $mid, head $head)"
