#!/usr/bin/env bash
# issue 11: exposure across protocols. Aave V3, Morpho Blue and Compound V3 on ONE anvil, sharing
# a WETH-like and a USDC-like token priced alike by all three (tests/devnet/cross.js, deployed by
# the modules the per-protocol devnets use). One chains/ config names all three deployments; one
# store holds them. `position ADDRESS --json` must list, for every account, exactly the markets
# the chain says it is on (two or three protocols), each equal to that protocol's own view and
# naming its protocol and version, with a USD total; the text output lists all three markets.
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
# the text output: the account on all three protocols, one row per market and a USD total
acct=$(node -e "console.log(require('$state/scenario.json').three_protocols[0])")
text=$("$bin" position "$acct" --datadir "$state/db")
grep -qi "^== $acct on 3 markets (chains: devnet)$" <<<"$text" || { echo "FAIL cross_devnet text: $text"; exit 1; }
for d in aave-v3-cross morpho-blue-cross compound-v3-cross; do
  grep -q "^devnet  *$d " <<<"$text" || { echo "FAIL cross_devnet: no $d row"; echo "$text"; exit 1; }
done
grep -q "^total (USD) " <<<"$text" || { echo "FAIL cross_devnet: no USD total"; exit 1; }
echo "cross_devnet: ok"
