#!/usr/bin/env bash
# Compound V3 on a devnet with the real Comet bytecode (../shared/compound-v3, classic Comet then
# upgraded in place to CometWithExtendedAssetList): tests/devnet/comet.js plays a seeded random
# scenario (silent borrower-to-borrower transfers and accruals, price moves, absorb,
# buyCollateral); lendex syncs to an earlier block and to the head, each after time passed with
# no transaction, and every account's borrowBalanceOf, balanceOf, collateralBalanceOf and
# isLiquidatable must equal lendex's (tests/devnet/comet_verify.js). A fresh sync in small
# ranges must end in the same store. Last, the cascade's round 1 against absorb on chain.
#   comet_devnet.sh LENDEX
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "comet_devnet: ../shared missing" >&2; exit 1; }
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
rpc=$(cat "$state/rpc")
DEVNET_QUIET=1 LX_SHARED="$shared" node "$root/tests/devnet/comet.js" "$rpc" "$state"
export LENDEX_CHAINS="$state/chains"
mid=$(node -e "console.log(require('$state/scenario.json').mid_block)")
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$mid" --quiet
node "$root/tests/devnet/comet_verify.js" "$state" "$mid" "$bin" --datadir "$state/db"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
node "$root/tests/devnet/comet_verify.js" "$state" "$head" "$bin" --datadir "$state/db"
# the cascade runs on Comet with absorb semantics: the account liquidatable at the head is absorbed
"$bin" cascade --chain devnet --datadir "$state/db" --deployment compound-v3-devnet-usdc \
  --shock WETH=-10% --rounds 1 --json >"$state/cascade.json"
node -e "const c=require('$state/cascade.json'); const r=(c.rounds||[])[0]||{};
  if (!(r.liquidations >= 1)) { console.error('comet_devnet: cascade liquidated nothing', JSON.stringify(c).slice(0,300)); process.exit(1); }"
"$bin" dump --datadir "$state/db" >"$state/d1"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db2" --max-range 7 --quiet
"$bin" dump --datadir "$state/db2" >"$state/d2"
cmp "$state/d1" "$state/d2" || { diff "$state/d1" "$state/d2" | head -20; exit 1; }
# last (it changes the chain): round 1 of the cascade against Comet's own absorb
# (tests/devnet/comet_cascade.js): two more borrowers, WETH's feed -20 % on chain, the accounts
# lendex lists = those isLiquidatable says, each absorbed: AbsorbCollateral / AbsorbDebt amounts,
# the deficit and the balances left equal lendex's
LX_SHARED="$shared" node "$root/tests/devnet/comet_cascade.js" setup "$state"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
LX_SHARED="$shared" node "$root/tests/devnet/comet_cascade.js" "$state" "$bin" "$state/db" WETH -20
echo "comet_devnet: ok (mid $mid, head $head)"
