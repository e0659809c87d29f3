#!/usr/bin/env bash
# devnet.sh: a local chain with the real Aave V3 bytecode for lendex's tests and demo.
#   devnet.sh up STATEDIR    start anvil on a free loopback port, deploy the market, play the
#                            scenario; writes STATEDIR/{rpc,anvil.pid,scenario.json}
#   devnet.sh down STATEDIR  stop that anvil (by its pid)
#   devnet.sh anvil STATEDIR start a bare anvil only (for tests that deploy their own contracts)
# DEVNET_ANVIL_ARGS adds flags to anvil's command line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { echo "usage: devnet.sh up|down|anvil STATEDIR" >&2; exit 1; }
anvil="$here/node_modules/.bin/anvil"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_anvil() {
  mkdir -p "$state"
  [ -x "$anvil" ] || { echo "devnet: anvil missing: run 'npm ci' in tests/devnet" >&2; exit 2; }
  local port
  port=$(free_port)
  # HOME=$state: anvil keeps state snapshots under $HOME/.foundry/anvil/tmp and leaves them
  # behind when it is killed (71 GB filled a disk once); inside the state dir they go with it.
  # shellcheck disable=SC2086 # DEVNET_ANVIL_ARGS: extra flags, word-split on purpose
  HOME="$state" "$anvil" --host 127.0.0.1 --port "$port" --accounts 30 --balance 1000000 \
    --timestamp 1700000000 --chain-id 31337 ${DEVNET_ANVIL_ARGS:-} >"$state/anvil.log" 2>&1 &
  echo $! >"$state/anvil.pid"
  echo "http://127.0.0.1:$port" >"$state/rpc"
  for _ in $(seq 1 100); do
    if curl -s -m 1 -H 'Content-Type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
      "http://127.0.0.1:$port" 2>/dev/null | grep -q result; then
      return 0
    fi
    sleep 0.1
  done
  echo "devnet: anvil did not answer on port $port (see $state/anvil.log)" >&2
  stop_anvil
  exit 2
}

stop_anvil() {
  if [ -f "$state/anvil.pid" ]; then
    kill "$(cat "$state/anvil.pid")" 2>/dev/null || true
    rm -f "$state/anvil.pid"
  fi
}

case "$cmd" in
  up)
    start_anvil
    if ! node "$here/devnet.js" "$(cat "$state/rpc")" "$state" "$root/chains"; then
      stop_anvil
      exit 2
    fi
    cat "$state/rpc"
    ;;
  anvil)
    start_anvil
    cat "$state/rpc"
    ;;
  down)
    stop_anvil
    ;;
  *)
    echo "usage: devnet.sh up|down|anvil STATEDIR" >&2
    exit 1
    ;;
esac
