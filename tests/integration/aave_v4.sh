#!/usr/bin/env bash
# Aave V4 (v0.5.11 from ../shared/aave-v4) on a fresh devnet: two Hubs, three Spokes (one drawing
# from both Hubs, one deployed mid-scenario and found through the Hubs' AddSpoke), a seeded random
# scenario (tests/devnet/aave_v4.js). lendex synced in one store to each checkpoint must equal
# every user's Spoke.getUserAccountData, supplied assets, (drawn, premium) debt and shares, and
# every reserve's supplied assets and debt and every underlying's symbol, to the wei; a fresh sync
# in small ranges must end in the same store (a Hub named only by the AddReserve of a Spoke found
# in the same range is followed from that range: the one-range syncs fail without it; the same
# Hub logged before the store's first checkpoint, so the run that finds it fetches its earlier
# logs first: the checkpoint syncs fail without that).
#   aave_v4.sh LENDEX [SEED]
set -euo pipefail
bin=$1
seed=${2:-20261203}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "aave_v4: ../shared missing" >&2; exit 1; }
[ -f "$shared/aave-v4/artifacts.json" ] || { echo "aave_v4: no $shared/aave-v4/artifacts.json" >&2; exit 1; }
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
DEVNET_ANVIL_ARGS="--hardfork cancun" "$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
rpc=$(cat "$state/rpc")
DEVNET_QUIET=1 LX_SHARED="$shared" node "$root/tests/devnet/aave_v4.js" play "$rpc" "$state" "$seed"
export LENDEX_CHAINS="$state/chains"
# Hub C logs (set up) before phase 1's checkpoint but is first named in phase 2: the run to
# phase 2 must fetch its earlier logs and apply them first (sync's catch-up), once
caught=0 k=0
for b in $(node -e "console.log(require('$state/scenario.json').checkpoints.join(' '))"); do
  "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$b" --json >"$state/sync.json"
  n=$(node -e 'const r=require(process.argv[1]); console.log(r.caught_up.emitters)' "$state/sync.json")
  caught=$((caught + n)) k=$((k + 1))
  # the store before and after the run that catches Hub C up, for the crash walk below
  [ "$k" != 1 ] || cp -r "$state/db" "$state/db_cp1"
  [ "$k" != 2 ] || { cp2=$b; "$bin" dump --datadir "$state/db" >"$state/cp2.dump"; }
  LX_SHARED="$shared" node "$root/tests/devnet/aave_v4.js" verify "$state" "$b" "$bin" --datadir "$state/db"
done
[ "$caught" -ge 1 ] || { echo "aave_v4: no run caught up a contract found late (Hub C)" >&2; exit 1; }
# the catch-up is a store writer: the run from checkpoint 1 to 2 dying at each of its crash
# points, then rerun, must end in the store of the uninterrupted run (lib/crashwalk.sh)
sync() { "$bin" sync --chain devnet --rpc "$rpc" --quiet --to "$cp2" "$@"; }
. "$root/tests/integration/lib/crashwalk.sh"
walk "catch-up" "$state/db_cp1" "$state/cp2.dump"
for p in backfill-range commit fetched applied; do need "$p"; done
# under --verify the caught-up logs are proven like any range (receipts, headers linked from the
# checkpoint) and their transactions' signers stored: checkpoint syncs to 1 then 2 end in the
# store of one verified sync to 2
genesis=$(curl -s -H 'Content-Type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",false]}' "$rpc" |
  node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).result.hash))")
cp1=$(node -e "console.log(require('$state/scenario.json').checkpoints[0])")
for to in "$cp1" "$cp2"; do
  "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/ver" --to "$to" --verify \
    --checkpoint "0:$genesis" --quiet
done
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/ver2" --to "$cp2" --verify \
  --checkpoint "0:$genesis" --quiet
"$bin" dump --datadir "$state/ver" >"$state/ver.dump"
"$bin" dump --datadir "$state/ver2" >"$state/ver2.dump"
cmp -s "$state/ver.dump" "$state/ver2.dump" || { diff "$state/ver.dump" "$state/ver2.dump" | head; exit 1; }
grep -v '^lx\.signer' "$state/ver.dump" | cmp -s - "$state/cp2.dump" ||
  { echo "aave_v4: the verified catch-up differs from the plain one" >&2; exit 1; }
grep -q '^lx\.signer' "$state/ver.dump" || { echo "aave_v4: no signers stored" >&2; exit 1; }
# a deployment added to chains/ after the store was synced is caught up too: a store synced to
# checkpoint 1 with only another protocol's deployment (a Morpho Blue "singleton" that is a
# token: no Morpho log), then synced to checkpoint 2 with both, equals one sync to 2
mkdir -p "$state/two"
node -e '
  const fs = require("fs"), [src, out, tok] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(src));
  c.deployments.push({ name: "morpho-other", protocol: "morpho_blue", version: "1.0.0",
    start_block: c.deployments[0].start_block, base_currency_decimals: 8, contracts: { morpho: tok } });
  fs.writeFileSync(out, JSON.stringify(c));' "$state/chains/devnet.json" "$state/two/devnet.json" \
  "$(node -e "console.log(require('$state/scenario.json').tokens.WETH.token)")"
LENDEX_CHAINS="$state/two" "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/added" \
  --deployment morpho-other --to "$cp1" --quiet
LENDEX_CHAINS="$state/two" "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/added" \
  --to "$cp2" --json >"$state/added.json"
node -e 'const r=require(process.argv[1]); if (!(r.caught_up.emitters >= 4)) { console.error(r.caught_up); process.exit(1); }' "$state/added.json"
"$bin" dump --datadir "$state/added" | cmp -s - "$state/cp2.dump" ||
  { echo "aave_v4: a deployment added later was not caught up" >&2; exit 1; }
"$bin" dump --datadir "$state/db" >"$state/d1"
last=$(node -e "const c=require('$state/scenario.json').checkpoints; console.log(c[c.length-1])")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db2" --to "$last" --max-range 7 --quiet
"$bin" dump --datadir "$state/db2" >"$state/d2"
cmp "$state/d1" "$state/d2" || { diff "$state/d1" "$state/d2" | head -20; exit 1; }
# the risk pass against the chain at the last checkpoint: liquidation prices, ladders, leverage
# counts, then (changing the chain) a WETH -30% cascade's round 1 sent on chain
LX_SHARED="$shared" node "$root/tests/devnet/aave_v4_risk.js" "$state" "$bin" "$state/db"
# a Spoke proxy upgraded after the last checkpoint: the sync stops at it, naming it, exit != 0
up=$(LX_SHARED="$shared" node "$root/tests/devnet/aave_v4.js" upgrade "$state")
if "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet 2>"$state/err"; then
  echo "aave_v4: sync went past the Spoke upgrade in block $up" >&2; exit 1
fi
grep -q "upgraded to implementation .* in block $up" "$state/err" || { cat "$state/err" >&2; exit 1; }
# sync's start-up check (core_contracts): a Spoke named in chains/ without code at the target
# block stops the sync before any log is read, naming the deployment, its role and the address
mkdir -p "$state/bad"
node -e '
  const fs = require("fs"), [src, out] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(src));
  c.deployments[0].contracts["spoke:s2"] = "0x00000000000000000000000000000000000c0de0";
  fs.writeFileSync(out, JSON.stringify(c));' "$state/chains/devnet.json" "$state/bad/devnet.json"
if LENDEX_CHAINS="$state/bad" "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db3" --quiet 2>"$state/err"; then
  echo "aave_v4: sync accepted a Spoke without code" >&2; exit 1
fi
grep -q "^lendex: sync: no contract at aave-v4-devnet's spoke:s2 0x00000000000000000000000000000000000c0de0 at block [0-9]*: wrong chain or config$" "$state/err" ||
  { cat "$state/err" >&2; exit 1; }
echo "aave_v4: ok (seed $seed)"
