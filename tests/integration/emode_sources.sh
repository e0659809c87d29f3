#!/usr/bin/env bash
# E-mode category price sources changed inside one synced range (issue 17, first point): a
# category gets a source, a second is created with one, the first is re-pointed, in
# consecutive blocks; 70 empty blocks follow so that the whole history up to the last change
# lies below the reorg window and one fresh sync applies it as ONE range. Every account must
# then equal Pool.getUserAccountData at that block (tests/devnet/verify.js): the contract reads
# follow the state that range's own logs create.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
rpc=$("$root/tests/devnet/devnet.sh" up "$state" 2>/dev/null)
node "$root/tests/devnet/emode_sources.js" "$state"
curl -s -H 'Content-Type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"anvil_mine","params":["0x46"]}' "$rpc" | grep -q result
at=$(node -e "console.log(require('$state/scenario.json').emode_block)")
out=$("$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --to "$at" --json)
echo "$out" | grep -q '"ranges":1' || { echo "not one range: $out"; exit 1; }
node "$root/tests/devnet/verify.js" "$state" "$at" "$bin" --datadir "$state/db"
echo "emode_sources: ok (one range to block $at)"
