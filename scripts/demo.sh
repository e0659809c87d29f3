#!/usr/bin/env bash
# scripts/demo.sh: the main job on the embedded default. Starts a local devnet with Aave V3's
# real bytecode, plays the scenario (26 accounts: loops, e-mode, isolation, stable debt,
# liquidations), syncs lendex from it, and prints the looped account's exposure. Installs what
# is missing first (scripts/deps.sh: Debian packages; npm ci: the devnet's node packages).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh demo
[ -x tests/devnet/node_modules/.bin/anvil ] || (cd tests/devnet && npm ci --no-audit --no-fund --loglevel=error)
# always (re)build: an incremental build is seconds and a stale binary is a wrong demo
echo "== building lendex"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target lendex >/dev/null
state=$(mktemp -d)
trap 'tests/devnet/devnet.sh down "$state"; rm -rf "$state"' EXIT
echo "== starting the devnet and playing the scenario"
tests/devnet/devnet.sh up "$state" >/dev/null
rpc=$(cat "$state/rpc")
echo "== playing leverage loops (flash-loan, directional, correlated) and borrow/repay noise"
DEVNET_QUIET=1 node tests/devnet/loops.js "$rpc" "$state"
looped=$(node -e "console.log(require('$state/scenario.json').looped_account)")
echo "== lendex sync --chain devnet --rpc $rpc"
build/indexer/cli/lendex sync --chain devnet --rpc "$rpc" --datadir "$state/db"
echo "== lendex position $looped (looped WETH position)"
build/indexer/cli/lendex position "$looped" --chain devnet --datadir "$state/db"
echo "== lendex leverage --top 5"
build/indexer/cli/lendex leverage --chain devnet --datadir "$state/db" --top 5
echo "== lendex cascade --shock WETH=-20%"
build/indexer/cli/lendex cascade --chain devnet --datadir "$state/db" --shock WETH=-20%
