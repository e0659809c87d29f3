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
# a deployment added to chains/ after the store was synced is caught up (sync's catch-up): a
# store synced to mid with only another protocol's deployment (a Morpho Blue "singleton" that
# is a token: no Morpho log), then to the head with both, equals the Aave store
mkdir -p "$state/two"
node -e '
  const fs = require("fs"), [src, out] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(src));
  c.deployments = c.deployments.filter((d) => d.protocol === "aave_v3").slice(0, 1);
  c.deployments.push({ name: "morpho-other", protocol: "morpho_blue", version: "1.0.0",
    start_block: c.deployments[0].start_block, base_currency_decimals: 8,
    contracts: { morpho: c.deployments[0].groups.eth[0] } });
  fs.writeFileSync(out, JSON.stringify(c));' "$root/chains/devnet.json" "$state/two/devnet.json"
LENDEX_CHAINS="$state/two" "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/added" \
  --deployment morpho-other --to "$mid" --quiet
LENDEX_CHAINS="$state/two" "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/added" \
  --json >"$state/added.json"
node -e 'const r=require(process.argv[1]); if (!(r.caught_up.emitters >= 2 && r.caught_up.logs > 0)) { console.error(r.caught_up); process.exit(1); }' "$state/added.json"
"$bin" dump --datadir "$state/added" | cmp - "$state/d1" ||
  { echo "devnet_positions: the Aave deployment added later was not caught up" >&2; exit 1; }
echo "devnet_positions: ok (mid $mid, head $head)"
