#!/usr/bin/env bash
# Every round of lendex's cascade replayed on the chain (tests/devnet/cascade_replay.js): Aave
# V3 3.0.2 with a protocol fee on every reserve, 6/8/18-decimal assets and e-mode accounts;
# real Uniswap V3 pools read by lendex at the synced block; in one block at lendex's timestamp,
# the oracle set to each round's prices, each liquidation sent with lendex's amount and each
# DEX sale swapped through the pool: every repaid debt, seized collateral, protocol fee and
# post-swap price, tick and liquidity equal lendex's to the wei.
#   cascade_replay.sh LENDEX [--origin vX.Y.Z] [SHOCK... [--no-leave] [--need-clamp] ...]
# --origin: a fresh aave-v3-origin market of that release instead (origin.js, same reserves),
# blocks 12 s apart so every run has the same indexes; its default case also requires protocol
# fees clamped to the scaled balance left, as liquidationCall clamps them.
set -euo pipefail
bin=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
rpcq() { curl -s -H 'Content-Type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[$2]}" "$rpc"; }
origin=
if [ "${1:-}" = --origin ]; then
  origin=$2
  shift 2
fi
if [ -n "$origin" ]; then
  # a fresh market of one aave-v3-origin release (tests/devnet/cascade_market.json: the same
  # reserves, risk parameters and e-mode category as the 3.0.2 devnet, a fee on every reserve)
  shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "cascade_replay: ../shared missing" >&2; exit 1; }
  "$root/tests/devnet/devnet.sh" anvil "$state" >/dev/null
  rpc=$(cat "$state/rpc")
  # 12 s a block whatever the wall clock: the same indexes, hence the same roundings, every run
  rpcq anvil_setBlockTimestampInterval 12 | grep -q '"result"'
  DEVNET_QUIET=1 LX_SHARED="$shared" ORIGIN_MARKET="$root/tests/devnet/cascade_market.json" \
    node "$root/tests/devnet/origin.js" "$rpc" "$state" "$origin"
else
  DEVNET_QUIET=1 "$root/tests/devnet/devnet.sh" up "$state" >/dev/null
  rpc=$(cat "$state/rpc")
fi
node "$root/tests/devnet/cascade_replay.js" setup "$state" "$state/chains"
"$bin" sync --chain devnet --chains-dir "$state/chains" --rpc "$rpc" --datadir "$state/db" --quiet
if [ $# -gt 0 ]; then
  node "$root/tests/devnet/cascade_replay.js" replay "$state" "$bin" "$state/db" "$state/chains" "$@"
elif [ -n "$origin" ]; then
  # WETH and ISO: three rounds on 3.7 (two on 3.5/3.6), every fee reserve's collateral seized
  # whole somewhere, fees clamped to the scaled balance left (WETH's index is off 1 ray),
  # deficits created (DeficitCreated at lendex's prices = deficitBase, no debt left)
  rounds=3
  case "$origin" in v3.5.* | v3.6.*) rounds=2 ;; esac
  node "$root/tests/devnet/cascade_replay.js" replay "$state" "$bin" "$state/db" "$state/chains" \
    'WETH=-28%' 'ISO=-85%' --need-clamp --need-deficit --min-rounds=$rounds
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
