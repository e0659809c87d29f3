#!/usr/bin/env bash
# One market upgraded in place, activity after every step (tests/devnet/origin.js with
# ORIGIN_UPGRADES), as the governance payloads did. Two paths (ctest runs both):
#  - default: 3.3 -> 3.4 (the payload's custom Pool and configurator) -> 3.5 -> 3.6 -> 3.7,
#    tokens upgraded through the configurator;
#  - `v3.0.2 v3.1.0,v3.2.0,v3.3.0`: the npm 3.0.2 market with stable debt -> 3.1 (custom Pool
#    turning virtual accounting on, every reserve moved to the V2 rate strategy; the stable
#    position swapped to variable) -> 3.2 (custom Pool dropping stable debt, e-mode categories
#    re-emitted as bitmaps) -> 3.3.
# lendex must find each upgrade on chain:
#  - one run to the head: exact there (getUserAccountData, balanceOf, scaledBalanceOf, version);
#  - synced step by step: exact after every upgrade;
#  - in 3-block ranges, and killed (crash point, like kill -9) inside the 3.5 upgrade block's
#    write transaction then rerun: the same store as the one run.
# usage: aave_upgrade_path.sh LENDEX [START UPGRADES]
set -euo pipefail
bin=$1
start=${2:-v3.3.0}
upgrades=${3:-v3.4.0,v3.5.0,v3.6.0,v3.7.0}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "aave_upgrade_path: ../shared missing" >&2; exit 1; }
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
rpc=$(cat "$state/rpc")
ORIGIN_UPGRADES=$upgrades DEVNET_QUIET=1 LX_SHARED="$shared" \
  node "$root/tests/devnet/origin.js" "$rpc" "$state" "$start"
export LENDEX_CHAINS="$state/chains"
sc="$state/scenario.json"
head=$(node -e "console.log(require('$sc').head_block)")
sync() { "$bin" sync --chain devnet --rpc "$rpc" --quiet "$@"; }
verify() { node "$root/tests/devnet/verify.js" "$state" "$1" "$bin" --datadir "$2"; }

# the summary counts every log by event: all applied here (Upgraded and PoolUpdated among them),
# none unknown, the counts adding up to the logs
"$bin" sync --chain devnet --rpc "$rpc" --json --datadir "$state/one" >"$state/sum.json"
node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const by = (f) => s.events.filter((e) => e.fate === f);
const n = (name) => by("applied").filter((e) => e.event === name).reduce((a, e) => a + e.count, 0);
const total = s.events.reduce((a, e) => a + e.count, 0) + s.events_other;
if (by("unknown").length || total !== s.logs + s.ignored_logs || !n("Supply") || !n("Upgraded") ||
    !n("PoolUpdated") || !n("ReserveDataUpdated"))
  { console.error("aave_upgrade_path: summary events wrong:", JSON.stringify(s)); process.exit(1); }
' "$state/sum.json"
verify "$head" "$state/one"
"$bin" dump --datadir "$state/one" >"$state/d_one"

for b in $(node -e "const s=require('$sc');console.log(s.steps.map(x=>x.block).join(' '))"); do
  sync --datadir "$state/steps" --to "$b"
  verify "$b" "$state/steps"
done
sync --datadir "$state/steps"
"$bin" dump --datadir "$state/steps" >"$state/d_steps"
cmp "$state/d_one" "$state/d_steps"

"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/small" --max-range 3 >"$state/small.txt"
grep -Eq '^  applied +Supply +[0-9]+$' "$state/small.txt" ||
  { echo "aave_upgrade_path: no per-event lines in the text summary" >&2; cat "$state/small.txt" >&2; exit 1; }
"$bin" dump --datadir "$state/small" >"$state/d_small"
cmp "$state/d_one" "$state/d_small"

# the second upgrade's block (3.5, or 3.2 from 3.0.2): the provider's PoolUpdated after step 1
up=$(node -e "
const s=require('$sc'); const lo=s.steps[1].block, hi=s.steps[2].block;
fetch('$rpc',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({jsonrpc:'2.0',id:1,method:'eth_getLogs',params:[{fromBlock:'0x'+(lo+1).toString(16),toBlock:'0x'+hi.toString(16),address:s.pool,topics:['0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b']}]})}).then(r=>r.json()).then(j=>console.log(parseInt(j.result[0].blockNumber,16)));")
sync --datadir "$state/kill" --to $((up - 1))
cp -r "$state/kill" "$state/kill_probe"
LENDEX_TEST_CRASH_LOG="$state/points" sync --datadir "$state/kill_probe" --to "$up" --max-range 1
# the rules switch at the upgrade block itself: the old version at up-1, the new one at up
ver_at() {
  "$bin" position "$(node -e "console.log(require('$sc').accounts[0])")" --chain devnet --deployment aave-v3-devnet --json \
    --datadir "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).protocolVersion))'
}
v0=$(ver_at "$state/kill"); v1=$(ver_at "$state/kill_probe")
want0=$(node -e "console.log(require('$sc').steps[1].version)"); want1=$(node -e "console.log(require('$sc').steps[2].version)")
[ "$v0" = "$want0" ] && [ "$v1" = "$want1" ] ||
  { echo "aave_upgrade_path: version at $((up - 1)) / $up: $v0 / $v1, want $want0 / $want1" >&2; exit 1; }
k=$(grep -n '^applied$' "$state/points" | head -1 | cut -d: -f1)
[ -n "$k" ] || { echo "aave_upgrade_path: no 'applied' crash point (built without LX_TEST_HOOKS?)" >&2; exit 1; }
set +e
LENDEX_TEST_CRASH_AT=$k sync --datadir "$state/kill" --to "$up" --max-range 1 2>"$state/kill.err"
rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "test crash point" "$state/kill.err" || { echo "aave_upgrade_path: no crash (rc $rc)" >&2; cat "$state/kill.err" >&2; exit 1; }
sync --datadir "$state/kill"
"$bin" dump --datadir "$state/kill" >"$state/d_kill"
cmp "$state/d_one" "$state/d_kill"
echo "aave_upgrade_path: ok ($start -> $upgrades exact at every step, head $head, killed in upgrade block $up)"
