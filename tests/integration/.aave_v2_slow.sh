#!/usr/bin/env bash
# Aave V2 (npm @aave/protocol-v2 1.0.1 bytecode) on a fresh devnet: deploy, play the seeded
# scenario of tests/devnet/.aave_v2_slow.js (variable and stable borrows, a stable repayment smaller
# than the interest, transfers, collateral toggles, rate swaps, time jumps, price moves, two
# liquidationCalls), then require every account's getUserAccountData fields and every aToken /
# variable / stable debt balanceOf (and scaledBalanceOf) to equal lendex's at a middle block and
# at the head; a fresh sync in 5-block ranges must end in the same store. Last (it changes the
# chain): the cascade's round 1 after a 20 % DAI rise against the chain (cascade_check.js): the
# accounts it marks are those below HF 1 on chain, and liquidating them there repays and seizes
# exactly what lendex predicted (50 % close factor, repeated calls, stable debt after variable).
#   aave_v2_devnet.sh LENDEX [SEED]
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
rpc=$(cat "$state/rpc")
DEVNET_QUIET=1 node "$root/tests/devnet/.aave_v2_slow.js" "$rpc" "$state" "${2:-7}"
export LENDEX_CHAINS="$state/chains"
mid=$(node -e "console.log(require('$state/scenario.json').mid_block)")
head=$(node -e "console.log(require('$state/scenario.json').head_block)")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$mid" --quiet
node "$root/tests/devnet/verify.js" "$state" "$mid" "$bin" --datadir "$state/db"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
node "$root/tests/devnet/verify.js" "$state" "$head" "$bin" --datadir "$state/db"
# the view says what it is: protocol aave_v2, its base currency ETH (no USD oracle on this
# chain: the USD total says so rather than guess)
"$bin" position "$(node -e "console.log(require('$state/scenario.json').accounts[0])")" \
  --chain devnet --datadir "$state/db" --json | node -e '
const p = JSON.parse(require("fs").readFileSync(0, "utf8")), m = p.markets[0];
if (!m || m.protocol !== "aave_v2" || m.base !== "ETH") { console.error("market", JSON.stringify(m)); process.exit(1); }
if (p.total.complete || m.suppliedUSD !== null) { console.error("USD without a USD oracle", JSON.stringify(p.total)); process.exit(1); }'
"$bin" dump --datadir "$state/db" >"$state/d1"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db2" --max-range 5 --quiet
"$bin" dump --datadir "$state/db2" >"$state/d2"
cmp "$state/d1" "$state/d2" || { diff "$state/d1" "$state/d2" | head -20; exit 1; }
node "$root/tests/devnet/cascade_check.js" "$state" "$bin" "$state/db" +20 DAI
echo "aave_v2_devnet: ok (mid $mid, head $head)"
