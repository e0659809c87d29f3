#!/usr/bin/env bash
# Every round of lendex's cascade replayed on the chain (tests/devnet/cascade_replay.js): Aave
# V3 3.0.2 with a protocol fee on every reserve, 6/8/18-decimal assets and e-mode accounts;
# real Uniswap V3 pools read by lendex at the synced block; in one block at lendex's timestamp,
# the oracle set to each round's prices, each liquidation sent with lendex's amount and each
# DEX sale swapped through the pool: every repaid debt, seized collateral, protocol fee and
# post-swap price, tick and liquidity equal lendex's to the wei.
set -euo pipefail
bin=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
DEVNET_QUIET=1 "$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
node "$root/tests/devnet/cascade_replay.js" setup "$state" "$state/chains"
"$bin" sync --chain devnet --chains-dir "$state/chains" --rpc "$rpc" --datadir "$state/db" --quiet
rpcq() { curl -s -H 'Content-Type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[$2]}" "$rpc"; }
if [ $# -gt 0 ]; then
  node "$root/tests/devnet/cascade_replay.js" replay "$state" "$bin" "$state/db" "$state/chains" "$@"
else
  # two cascades from the same synced state: WETH and ISO (a sale that leaves the ISO pool's
  # liquidity), then WETH alone deeper (many e-mode and repeated liquidations)
  snap=$(rpcq evm_snapshot "" | node -pe 'JSON.parse(require("fs").readFileSync(0)).result')
  node "$root/tests/devnet/cascade_replay.js" replay "$state" "$bin" "$state/db" "$state/chains" \
    'WETH=-20%' 'ISO=-85%'
  rpcq evm_revert "\"$snap\"" | grep -q '"result":true'
  node "$root/tests/devnet/cascade_replay.js" replay "$state" "$bin" "$state/db" "$state/chains" \
    'WETH=-25%' --no-leave
fi
echo "cascade_replay: ok"
