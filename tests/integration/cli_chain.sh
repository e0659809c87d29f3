#!/usr/bin/env bash
# `lendex chain` against a real anvil, a closed port and a server that does not speak JSON.
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$(mktemp -d)
pypid=
cleanup() { "$root/tests/devnet/devnet.sh" down "$state"; [ -n "$pypid" ] && kill "$pypid" 2>/dev/null; rm -rf "$state"; }
trap cleanup EXIT
rpc=$("$root/tests/devnet/devnet.sh" anvil "$state")
out=$("$bin" chain --rpc "$rpc" --json)
echo "$out" | grep -q '"chainId":31337' || { echo "chain id not 31337: $out"; exit 1; }
echo "$out" | grep -q '"head":0' || { echo "head not 0 on a fresh anvil: $out"; exit 1; }
"$bin" chain --rpc "$rpc" | grep -q "^chain id   31337$"
# closed port: one line, exit 2 (port 1: privileged, nothing listens there; a port found free
# and closed again could be taken by a test running in parallel)
port=1
set +e
err=$("$bin" chain --rpc "http://127.0.0.1:$port" 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" = 2 ] || { echo "closed port: exit $rc, want 2"; exit 1; }
[ "$(echo "$err" | wc -l)" = 1 ] || { echo "closed port: want one line, got: $err"; exit 1; }
echo "$err" | grep -q "cannot reach http://127.0.0.1:$port" || { echo "bad message: $err"; exit 1; }
# a web server that answers HTML
mkdir -p "$state/www" && echo "<html>hi</html>" >"$state/www/index.html"
node -e "require('http').createServer((q,r)=>{r.writeHead(200,{'Content-Type':'text/html'});r.end('<html>not json</html>')}).listen(0,'127.0.0.1',function(){require('fs').writeFileSync('$state/port2',String(this.address().port))})" &
pypid=$!
for _ in $(seq 300); do [ -s "$state/port2" ] && break; sleep 0.1; done
port2=$(cat "$state/port2")
set +e
err=$("$bin" chain --rpc "http://127.0.0.1:$port2/" --retries 0 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" = 2 ] || { echo "non-JSON: exit $rc, want 2"; exit 1; }
[ "$(echo "$err" | wc -l)" = 1 ] || { echo "non-JSON: want one line, got: $err"; exit 1; }
echo "$err" | grep -q "not JSON" || { echo "bad message: $err"; exit 1; }
# a bad URL is a usage error
set +e
"$bin" chain --rpc "ftp://x" 2>/dev/null; rc=$?
set -e
[ "$rc" = 1 ]
# definitive errors stop sync before anything is written: wrong chain, no contract
set +e
err=$("$bin" sync --chain ethereum --rpc "$rpc" --datadir "$state/db1" --quiet 2>&1); rc=$?
set -e
[ "$rc" = 2 ] && echo "$err" | grep -q "chain id 31337 but chains/ethereum.json is chain 1" ||
  { echo "wrong chain: exit $rc: $err"; exit 1; }
curl -s -H 'Content-Type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"anvil_mine","params":["0x200"]}' "$rpc" >/dev/null
set +e
err=$("$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db2" --quiet 2>&1); rc=$?
set -e
[ "$rc" = 2 ] && echo "$err" | grep -q "no contract at" || { echo "no contract: exit $rc: $err"; exit 1; }
! "$bin" dump --datadir "$state/db2" | grep -qv "^meta" || { echo "store written despite the error"; exit 1; }
echo "cli_chain: ok"
