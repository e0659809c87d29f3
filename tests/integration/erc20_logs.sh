#!/usr/bin/env bash
# Runs erc20_logs (the client + ABI codec against a real anvil) on a fresh anvil.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
rpc=$("$root/tests/devnet/devnet.sh" anvil "$state")
"$bin" "$rpc" "$root"
