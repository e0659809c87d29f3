#!/usr/bin/env bash
# Failure paths of the CLI against a real devnet: every failure is exactly one non-empty line
# on stderr naming the input ("lendex: ..."), with the documented exit code (1 usage, 2
# runtime), and under --json also {"error":{"code","kind","message"}} on stdout carrying the
# same message; no failure is silent and no success hides a problem (nothing to sync, head
# behind the store, logs from unknown emitters).
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
proxy=
cleanup() {
  set +e
  [ -n "$proxy" ] && kill $proxy 2>/dev/null
  mountpoint -q "$state/tmpfs" 2>/dev/null && umount "$state/tmpfs"
  [ -d "$state/bare" ] && "$root/tests/devnet/devnet.sh" down "$state/bare"
  "$root/tests/devnet/devnet.sh" down "$state"
  rm -rf "$state"
}
trap cleanup EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
n=0

# fails RC PATTERN CMD...: runs lendex CMD, requires exit RC, one stderr line matching PATTERN
# (grep -E) and, with --json, the JSON error object on stdout with that same message.
fails() {
  local want=$1 pat=$2 out err rc line
  shift 2
  set +e
  out=$(timeout 60 "$bin" "$@" 2>"$state/stderr")
  rc=$?
  set -e
  err=$(cat "$state/stderr")
  [ "$rc" = "$want" ] || { echo "FAIL lendex $*: exit $rc, want $want; stderr: $err"; exit 1; }
  line=$(printf '%s\n' "$err" | head -1)
  case "$line" in
    "lendex: "?*) ;;
    *) echo "FAIL lendex $*: first stderr line is not 'lendex: <message>': '$err'"; exit 1 ;;
  esac
  if [ "$want" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
    echo "FAIL lendex $*: want one line on stderr, got: $err"; exit 1
  fi
  if printf '%s' "$err" | grep -qE 'lendex bug|: $|: :'; then
    echo "FAIL lendex $*: empty or missing detail in: $err"; exit 1
  fi
  printf '%s' "$line" | grep -qE -- "$pat" || { echo "FAIL lendex $*: '$line' does not match /$pat/"; exit 1; }
  if printf '%s\n' "$@" | grep -qx -- --json; then
    node -e '
      const [out, line, want] = process.argv.slice(1);
      const j = JSON.parse(out);
      if (!j.error || j.error.code !== Number(want) || "lendex: " + j.error.message !== line)
        { console.error("FAIL json error object: " + out); process.exit(1); }' "$out" "$line" "$want"
  elif [ -n "$out" ] && [ "$want" = 2 ]; then
    echo "FAIL lendex $*: stdout not empty on failure: $out"; exit 1
  fi
  n=$((n + 1))
}

# usage errors, with and without --json
fails 1 "unknown command 'snyc'" snyc
fails 1 "unknown option '--bogus' for 'sync'" sync --bogus --json
fails 1 "bad value 'x' for --to" sync --to x --rpc "$rpc" --datadir "$state/u" --json
fails 1 "no deployment 'nope' on chain devnet" position 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --deployment nope --datadir "$state/u" --json
# runtime errors
fails 2 "no store in '$state/none'" dump --datadir "$state/none"
fails 2 "no store in '$state/none'" position 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --datadir "$state/none" --json

# start block after the reserves were initialised: the message says so and names the reserve
mkdir -p "$state/late"
sed 's/"start_block": [0-9]*/"start_block": 100/' "$root/chains/devnet.json" >"$state/late/devnet.json"
fails 2 "reserve 0x[0-9a-f]{40}, not initialised since start_block 100 of aave-v3-devnet" \
  sync --chains-dir "$state/late" --rpc "$rpc" --datadir "$state/db-late" --quiet --json

# --to before the start block: was an endless wait for the node
fails 1 "--to 5 is before the start block [0-9]+ of chain devnet" \
  sync --to 5 --rpc "$rpc" --datadir "$state/db" --quiet --json
db=(--rpc "$rpc" --datadir "$state/db")
jget() { node -e 'const j=JSON.parse(process.argv[1]); console.log(j[process.argv[2]])' "$1" "$2"; }
rpcq() { curl -s -H 'Content-Type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$rpc"; }
result() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result))'; }
# a snapshot 5 blocks back, to make the node lag behind the store later
snap=$(rpcq evm_snapshot '[]' | result)
rpcq anvil_mine '["0x5"]' >/dev/null
head=$(($(rpcq eth_blockNumber '[]' | result)))
out=$("$bin" sync "${db[@]}" --json)
[ "$(jget "$out" to)" = "$head" ] && [ "$(jget "$out" ignored_logs)" = 0 ] || { echo "FAIL first sync: $out"; exit 1; }
# nothing to do: the real block, not "to block 0"
out=$("$bin" sync "${db[@]}" --json)
[ "$(jget "$out" to)" = "$head" ] && [ "$(jget "$out" blocks)" = 0 ] || { echo "FAIL no-op sync: $out"; exit 1; }
out=$("$bin" sync "${db[@]}" 2>/dev/null)
[ "$out" = "devnet already at block $head: nothing to sync" ] || { echo "FAIL no-op text: $out"; exit 1; }
out=$("$bin" sync --to 20 "${db[@]}" 2>/dev/null)
[ "$out" = "devnet already at block $head: nothing to sync" ] || { echo "FAIL --to below store: $out"; exit 1; }

# the head going backwards: a lagging node (inside the reorg window) is a warning and a no-op,
# never an unwind; a node far behind (here a fresh chain) is an error; the store never moves
"$bin" dump --datadir "$state/db" >"$state/before"
rpcq evm_revert "[\"$snap\"]" | grep -q true
out=$("$bin" sync "${db[@]}" --json 2>"$state/stderr")
[ "$(jget "$out" behind)" = 5 ] && [ "$(jget "$out" to)" = "$head" ] || { echo "FAIL lagging head: $out"; exit 1; }
grep -q "warning: the node's head $((head - 5)) is 5 blocks behind this store's block $head" "$state/stderr" ||
  { echo "FAIL lagging head: no warning: $(cat "$state/stderr")"; exit 1; }
"$bin" dump --datadir "$state/db" | cmp - "$state/before" || { echo "FAIL lagging head moved the store"; exit 1; }
"$root/tests/devnet/devnet.sh" anvil "$state/bare" >/dev/null
fails 2 "the node's head 0 .* is $head blocks behind this store's block $head, more than chain devnet's reorg window of 64" \
  sync --rpc "$(cat "$state/bare/rpc")" --datadir "$state/db" --json
"$bin" dump --datadir "$state/db" | cmp - "$state/before" || { echo "FAIL far-behind node moved the store"; exit 1; }

# a node that ignores the filter / answers with other emitters: counted and reported
proxy=
proxies=()
# rewriting NAME MODE: starts rewrite_node.js in MODE in front of anvil; its URL in $NAME
rewriting() {
  node "$root/tests/integration/rewrite_node.js" "$rpc" "$state/$2.port" "$2" &
  proxies+=($!)
  proxy="${proxies[*]}"
  for _ in $(seq 600); do [ -s "$state/$2.port" ] && break; sleep 0.1; done
  printf -v "$1" 'http://127.0.0.1:%s' "$(cat "$state/$2.port")"
}
rewriting foreign_rpc foreign
out=$("$bin" sync --rpc "$foreign_rpc" --datadir "$state/db-dead" --json 2>"$state/stderr")
[ "$(jget "$out" ignored_logs)" -gt 0 ] && [ "$(jget "$out" logs)" = 0 ] || { echo "FAIL foreign logs: $out"; exit 1; }
grep -q "warning: $(jget "$out" ignored_logs) logs in the node's answers match no followed contract and event (first: 0x000000000000000000000000000000000000dEaD at" "$state/stderr" ||
  { echo "FAIL foreign logs: no warning: $(cat "$state/stderr")"; exit 1; }

# a price whose read reverted at the last block: the oracle reverts, so does the Pool's
# getUserAccountData for its holders; no stale number is shown, the view fails naming the
# account, the asset, the read and both blocks (one rule for every handler: lx_model_check_reads)
acct=0x70997970c51812dc3a010c7d01b50e0d17dc79c8
"$bin" sync --rpc "$rpc" --datadir "$state/stale" --quiet
pblock=$(rpcq eth_blockNumber '[]' | result)
pblock=$((pblock))
rpcq anvil_mine '["0x3"]' >/dev/null
rewriting revert_rpc revert
"$bin" sync --rpc "$revert_rpc" --datadir "$state/stale" --quiet
why="aave-v3-devnet: account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 holds USDC \\(0x[0-9a-fA-F]{40}\\), whose getAssetPrice read reverted at block $((pblock + 3)) \\(last answer: block $pblock\\): its health is unknown"
fails 2 "$why" position $acct --deployment aave-v3-devnet --datadir "$state/stale" --json
fails 2 "$why" position $acct --datadir "$state/stale"
fails 2 "aave-v3-devnet: account 0x[0-9a-fA-F]{40} holds [A-Z]+ .*read reverted at block $((pblock + 3))" \
  clusters --datadir "$state/stale"
# the next sync whose reads answer clears it
rpcq anvil_mine '["0x1"]' >/dev/null
"$bin" sync --rpc "$rpc" --datadir "$state/stale" --quiet
"$bin" position $acct --datadir "$state/stale" | grep -qx "prices             read at the synced block $((pblock + 4))" ||
  { echo "FAIL price after a revert: $("$bin" position $acct --datadir "$state/stale")"; exit 1; }
"$bin" position $acct --datadir "$state/db" | grep -qx "prices             read at the synced block $head" ||
  { echo "FAIL current price text"; exit 1; }

# a price of 2^256-1: the chain would revert too; the error names account, asset and price
rewriting max_rpc maxprice
"$bin" sync --rpc "$max_rpc" --datadir "$state/maxprice" --quiet
max=115792089237316195423570985008687907853269984665640564039457584007913129639935
fails 2 "aave_v3: account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8: [0-9]+ USDC \(0x[0-9a-fA-F]{40}\) at price $max \(read at block [0-9]+\) overflows 256 bits; the Pool would revert too" \
  position $acct --datadir "$state/maxprice" --json
fails 2 "aave_v3: account 0x[0-9a-fA-F]{40}: [0-9]+ [A-Z]+ .* at price $max .*overflows 256 bits" \
  clusters --datadir "$state/maxprice"

# --shock: garbage and a second shock of one asset are usage errors quoting the input
for bad in 'WETH=-nan%' 'WETH=inf' 'WETH=0x10%' 'WETH=-20%%' 'WETH=1e1'; do
  fails 1 "bad shock '$bad': expected a percentage" cascade --shock "$bad" --datadir "$state/db" --json
done
fails 1 "bad shock 'WETH=-30%': WETH is already shocked by -20.00%" \
  cascade --shock WETH=-20% --shock WETH=-30% --datadir "$state/db" --json
fails 1 "bad shock 'group:eth=-5%': WETH is already shocked" \
  report --out "$state/rep" --shock WETH=-20% --shock group:eth=-5% --datadir "$state/db"
# a bad --top / --step / --max is refused before the market is loaded (it leaked the view)
fails 1 "bad value 'x' for --top: expected an unsigned integer" \
  leverage --top x --datadir "$state/db" --json
fails 1 "--step must be a percentage between 1 and 100" \
  cascade --shock WETH=-10% --sweep --step 0 --datadir "$state/db" --json

# a damaged data.mdb: refused before LMDB maps it (was SIGBUS), "store corrupt", exit 2
size=$(stat -c %s "$state/db/data.mdb")
cp -r "$state/db" "$state/trunc" && truncate -s $((size / 8192 * 4096)) "$state/trunc/data.mdb"
cp -r "$state/db" "$state/flip"
node -e 'const fs=require("fs"),p=process.argv[1],b=fs.readFileSync(p);b[4096+0x10]^=4;fs.writeFileSync(p,b)' "$state/flip/data.mdb"
for cmd in "dump" "sync --rpc $rpc --quiet" "position 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --json" "clusters --json"; do
  # shellcheck disable=SC2086
  fails 2 "store corrupt: $state/trunc/data.mdb: meta page [01] says the store has [0-9]+ pages, the file holds [0-9]+" $cmd --datadir "$state/trunc"
  # shellcheck disable=SC2086
  fails 2 "store corrupt: $state/flip/data.mdb: meta page 1 is damaged" $cmd --datadir "$state/flip"
done
cmp "$state/trunc/data.mdb" <(head -c $((size / 8192 * 4096)) "$state/db/data.mdb") || { echo "FAIL the corrupt store was written"; exit 1; }
# a SIGBUS while the store is mapped (the file cut under a running lendex) is the same error
set +e
"$bin" sync --follow --rpc "$rpc" --datadir "$state/db" --quiet --json >"$state/bus.out" 2>"$state/bus.err" &
pid=$!
# the signal must come once the store is mapped (the guard is set before the map): a fixed
# second was not always enough on a loaded machine, and a SIGBUS before it kills lendex outright
for _ in $(seq 600); do grep -qF "$state/db/data.mdb" "/proc/$pid/maps" 2>/dev/null && break; sleep 0.1; done
kill -BUS $pid
wait $pid
rc=$?
set -e
[ "$rc" = 2 ] && grep -qx "lendex: store corrupt: $state/db/data.mdb: read past the end of the file (truncated while open, or a damaged page number)" "$state/bus.err" &&
  grep -q '"message":"store corrupt: ' "$state/bus.out" ||
  { echo "FAIL SIGBUS: exit $rc: $(cat "$state/bus.err" "$state/bus.out")"; exit 1; }

# no room to write: the file size limit (any user, any machine: RLIMIT_FSIZE with SIGXFSZ
# ignored makes the write fail as a full disk does) and, where root may mount, a full tmpfs
set +e
( ulimit -f 100; trap '' XFSZ; exec "$bin" sync --rpc "$rpc" --datadir "$state/fsize" --quiet --json ) \
  >"$state/full.out" 2>"$state/full.err"
rc=$?
set -e
[ "$rc" = 2 ] && [ "$(wc -l <"$state/full.err")" = 1 ] &&
  grep -q "^lendex: .*store: cannot write $state/fsize/data.mdb: the file size limit of this process (ulimit -f: 102400 bytes) is reached" "$state/full.err" &&
  grep -q '"message":".*file size limit' "$state/full.out" ||
  { echo "FAIL file size limit: exit $rc: $(cat "$state/full.err")"; exit 1; }
n=$((n + 1))
mkdir -p "$state/tmpfs"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=160k tmpfs "$state/tmpfs" 2>/dev/null; then
  fails 2 "store: cannot write $state/tmpfs/db/data.mdb: the disk is full \([0-9]+ KiB free" \
    sync --rpc "$rpc" --datadir "$state/tmpfs/db" --quiet --json
  umount "$state/tmpfs"
else
  echo "cli_errors: full tmpfs case skipped (needs root and mount -t tmpfs)"
fi

echo "cli_errors: ok ($n failure paths)"
