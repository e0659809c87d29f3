#!/usr/bin/env bash
# Exports others read (tests/devnet/check_exports.js): DefiLlama liquidation levels against the
# schema written from DefiLlama-Adapters 0e65a4b9a2 and the chain; Messari positions against the
# chain's balances at the synced block.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
head=$(node -e 'console.log(require(process.argv[1]).head_block)' "$state/scenario.json")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$head" --quiet
echo "$head" >"$state/synced_block"
"$bin" report --chain devnet --datadir "$state/db" --out "$state/report" >/dev/null
node "$root/tests/devnet/check_exports.js" "$state" "$state/report" "$root"
echo "exports_devnet: ok"
