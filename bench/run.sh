#!/usr/bin/env bash
# bench/run.sh [LOGS] [ACCOUNTS]: builds lendex, starts the loopback replay node with a
# synthetic Aave V3 history (default 1,000,000 logs over 100,000 accounts) and prints the
# benchmark's figures (bench/bench.c). PROTOCOL=aave_v4 replays the same actions as Aave V4
# Hub + Spoke events instead (one Hub, one Spoke). VERIFY=1 also serves provable headers, signed
# transactions and receipts, and measures `sync --verify` against the plain sync.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
logs=${1:-1000000}
accounts=${2:-100000}
cd "$root"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target lendex lendex-bench >/dev/null
work=$(mktemp -d)
trap 'kill $rp 2>/dev/null; rm -rf "$work"' EXIT
vflag=()
[ -n "${VERIFY:-}" ] && vflag=(--verify 1)
[ -n "${PROTOCOL:-}" ] && vflag+=(--protocol "$PROTOCOL")
node --max-old-space-size=8192 bench/replay.js --logs "$logs" --accounts "$accounts" "${vflag[@]}" \
  --port-file "$work/url" --config-out "$work/benchnet.json" >/dev/null 2>"$work/replay.log" &
rp=$!
for _ in $(seq 600); do [ -s "$work/url" ] && break; sleep 0.5; done
[ -s "$work/url" ] || { cat "$work/replay.log"; exit 2; }
cat "$work/replay.log"
mkdir -p "$work/chains" && cp "$work/benchnet.json" "$work/chains/"
build/bench/lendex-bench --rpc "$(cat "$work/url")" --lendex build/indexer/cli/lendex \
  --chains-dir "$work/chains" --chain benchnet --workdir "$work/w" --floor-js bench/floor.js \
  ${VERIFY:+--verify 1}
