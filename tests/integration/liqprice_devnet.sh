#!/usr/bin/env bash
# Liquidation prices and ladders against the chain: a random scenario (seed: LX_LIQ_SEED or the
# time) of >= 100 accounts on the devnet market — loops, accounts that borrow what they supply,
# e-mode with and without a category price source — then every price and ladder level lendex
# prints is probed with getUserAccountData (tests/devnet/liqprice_check.js).
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
seed=${LX_LIQ_SEED:-$(date +%s)}
echo "liqprice_devnet: seed $seed"
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
DEVNET_QUIET=1 node "$root/tests/devnet/liqgen.js" "$state" "$seed" 110
# one range: the category's price source is read as the range's own logs set it
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
"$bin" report --chain devnet --datadir "$state/db" --out "$state/report" >/dev/null
node "$root/tests/devnet/liqprice_check.js" "$state" "$state/report/report.json"
# position shows the same numbers as the report
acct=$(node -e 'const r=require(process.argv[1]);const p=r.healthFactors.liquidationPrices.find(x=>x.kind==="emodeSource");console.log(p.account)' "$state/report/report.json")
"$bin" position "$acct" --chain devnet --deployment aave-v3-devnet --datadir "$state/db" --json | node -e '
const r = require(process.argv[1]); let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const p = JSON.parse(s);
  const want = JSON.stringify(r.healthFactors.liquidationPrices.filter((x) => x.account === p.account));
  if (JSON.stringify(p.liquidationPrices) !== want) { console.error("position and report differ"); process.exit(1); }
  for (const x of p.reserves) if (x.pricedBy && (x.liquidationPrice !== null || x.liquidationPriceRise !== null)) {
    console.error("an e-mode-source-priced reserve has a price of its own"); process.exit(1); }
});' "$state/report/report.json"
"$bin" position "$acct" --chain devnet --datadir "$state/db" | grep -q "emode-2-source"
echo "liqprice_devnet: ok"
