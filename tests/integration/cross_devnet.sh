#!/usr/bin/env bash
# issue 11: exposure across protocols. Aave V3, Morpho Blue and Compound V3 on ONE anvil, sharing
# a WETH-like and a USDC-like token priced alike by all three (tests/devnet/cross.js, deployed by
# the modules the per-protocol devnets use). One chains/ config names all three deployments; one
# store holds them. `position ADDRESS --json` must list, for every account, exactly the markets
# the chain says it is on (two or three protocols), each equal to that protocol's own view and
# naming its protocol and version, with a USD total; the text output lists all three markets.
# `leverage --all-markets` must count the loops that cross protocols (borrow on Aave, supply to
# Morpho as collateral, borrow there, resupply to Aave; and Comet <-> Aave, which needs Comet's
# flows) round for round on both protocols, a plain Aave loop as before, no loop for the others,
# with USD collateral and debt equal to position's. A chains/ address without code must stop
# the sync at its start-up check.
# Last, a WETH shock liquidates on all three in the cascade's round 1, as on chain.
#   cross_devnet.sh LENDEX
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "cross_devnet: ../shared missing" >&2; exit 1; }
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
rpc=$(cat "$state/rpc")
DEVNET_QUIET=1 LX_SHARED="$shared" node "$root/tests/devnet/cross.js" "$rpc" "$state"
export LENDEX_CHAINS="$state/chains"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
LX_SHARED="$shared" node "$root/tests/devnet/cross.js" position "$state" "$bin" --datadir "$state/db"
# loops across protocols (Aave <-> Morpho, Comet <-> Aave) counted on both, exactly as built
LX_SHARED="$shared" node "$root/tests/devnet/cross.js" leverage "$state" "$bin" --datadir "$state/db"
"$bin" leverage --all-markets --chain devnet --datadir "$state/db" >"$state/lev.txt"
grep -q "collateral USD .* across$" "$state/lev.txt" && grep -q "looped, 2 across markets" "$state/lev.txt" ||
  { cat "$state/lev.txt"; echo "FAIL cross_devnet: leverage --all-markets table"; exit 1; }
# the text output: the account on all three protocols, one row per market and a USD total
acct=$(node -e "console.log(require('$state/scenario.json').three_protocols[0])")
text=$("$bin" position "$acct" --datadir "$state/db")
grep -qi "^== $acct on 3 markets (chains: devnet)$" <<<"$text" || { echo "FAIL cross_devnet text: $text"; exit 1; }
for d in aave-v3-cross morpho-blue-cross compound-v3-cross; do
  grep -q "^devnet  *$d " <<<"$text" || { echo "FAIL cross_devnet: no $d row"; echo "$text"; exit 1; }
done
grep -q "^total (USD) " <<<"$text" || { echo "FAIL cross_devnet: no USD total"; exit 1; }
# --all-markets spans every deployment: with --deployment it is a usage error, not a subset
if "$bin" leverage --all-markets --deployment aave-v3-cross --chain devnet --datadir "$state/db" \
  >/dev/null 2>"$state/err"; then
  echo "FAIL cross_devnet: leverage --all-markets --deployment accepted"; exit 1
fi
grep -q "^lendex: leverage --all-markets covers every deployment of the chain: not with --deployment or --by-entity$" "$state/err" ||
  { cat "$state/err"; exit 1; }
# sync's start-up check (core_contracts): a chains/ entry naming an address without code for
# Morpho's singleton or the Comet proxy stops the sync before any log is read, naming it
nocode=0x00000000000000000000000000000000000c0de0
for dep in morpho-blue-cross:morpho compound-v3-cross:comet; do
  name=${dep%%:*} role=${dep##*:}
  mkdir -p "$state/bad-$role"
  node -e '
    const fs = require("fs"), [src, out, name, role, addr] = process.argv.slice(1);
    const c = JSON.parse(fs.readFileSync(src));
    c.deployments.find((d) => d.name === name).contracts[role] = addr;
    fs.writeFileSync(out, JSON.stringify(c));' "$state/chains/devnet.json" "$state/bad-$role/devnet.json" "$name" "$role" "$nocode"
  if LENDEX_CHAINS="$state/bad-$role" "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db-$role" --quiet 2>"$state/err"; then
    echo "FAIL cross_devnet: sync accepted $name with no contract at its $role"; exit 1
  fi
  grep -q "^lendex: sync: no contract at $name's $role $nocode at block [0-9]*: wrong chain or config$" "$state/err" ||
    { echo "FAIL cross_devnet: start-up check error for $name:"; cat "$state/err"; exit 1; }
done
# last (it changes the chain): one shock on the shared WETH, round 1 of `cascade --all-markets`
# against the three contracts (tests/devnet/cross_cascade.js): every price source of WETH moves
# in one block, lendex lists liquidations on all three protocols, exactly the positions each
# contract lets a liquidator into, and each sent on chain repays and seizes what lendex said
LX_SHARED="$shared" node "$root/tests/devnet/cross_cascade.js" "$state" "$bin" "$state/db" WETH -65
echo "cross_devnet: ok"
