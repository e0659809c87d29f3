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

start_anvil() {
  mkdir -p "$state"
  [ -x "$anvil" ] || { echo "devnet: anvil missing: run 'npm ci' in tests/devnet" >&2; exit 2; }
  # --port 0: the kernel picks a free port as anvil binds it, and anvil prints it. (Picking a
  # free port first and passing it on raced with the other tests running in parallel: in the
  # gap the port could be taken, and a probe could then reach another test's anvil.)
  # HOME=$state: anvil keeps state snapshots under $HOME/.foundry/anvil/tmp and leaves them
  # behind when it is killed (71 GB filled a disk once); inside the state dir they go with it.
  # the log exists before the loop reads it: the redirect below is made by the forked child,
  # which may not have run yet (sed on a missing file failed the script under set -e)
  : >"$state/anvil.log"
  # shellcheck disable=SC2086 # DEVNET_ANVIL_ARGS: extra flags, word-split on purpose
  HOME="$state" "$anvil" --host 127.0.0.1 --port 0 --accounts 30 --balance 1000000 \
    --timestamp 1700000000 --chain-id 31337 ${DEVNET_ANVIL_ARGS:-} >"$state/anvil.log" 2>&1 &
  local pid=$! port=''
  echo $pid >"$state/anvil.pid"
  # up to 60 s: on a loaded 2-core machine anvil's start-up alone can take several seconds
  for _ in $(seq 1 600); do
    [ -n "$port" ] || port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$state/anvil.log")
    if [ -n "$port" ] && curl -s -m 5 -H 'Content-Type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
      "http://127.0.0.1:$port" 2>/dev/null | grep -q result; then
      echo "http://127.0.0.1:$port" >"$state/rpc"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "devnet: anvil did not answer${port:+ on port $port} (see $state/anvil.log)" >&2
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
