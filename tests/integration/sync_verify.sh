#!/usr/bin/env bash
# sync --verify on the devnet: a verified sync passes and ends in the state of a plain sync (plus
# the signers it recovered; `lendex entity` answers from them). Then, through the fault proxy,
# the lies a hostile node could tell — a tampered log value, a dropped log, all logs of a block
# dropped (seen through the header's bloom), a forged `from`, a header with a wrong parent — must
# each stop the sync with an error naming the block and what
# did not match, and leave the store exactly as it was before (canonical dumps compared).
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; "$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"; }
trap cleanup EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
q() { node -e "console.log(require('$state/scenario.json').$1)"; }
head=$(q head_block)
mid=$(q mid_block)
rpcq() { curl -s -H 'Content-Type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$rpc"; }
# bury the scenario below the reorg window, so [mid+1, head] is one range applied in one txn
rpcq anvil_mine '["0x80"]' >/dev/null
genesis=$(rpcq eth_getBlockByNumber '["0x0",false]' | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).result.hash))")
cp="0:$genesis"

# 1. verified sync == plain sync (apart from the lx.signer table it adds)
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/plain" --to "$head" --quiet
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/ver" --to "$head" --verify \
  --checkpoint "$cp" --json >"$state/ver.json"
"$bin" dump --datadir "$state/plain" >"$state/plain.dump"
"$bin" dump --datadir "$state/ver" >"$state/ver.dump"
grep -v '^lx\.signer' "$state/ver.dump" | cmp - "$state/plain.dump" || { echo "verified state differs"; exit 1; }
signers=$(grep -c '^lx\.signer' "$state/ver.dump")
[ "$signers" -gt 0 ] || { echo "no signers stored"; exit 1; }
node -e "
const r = JSON.parse(require('fs').readFileSync('$state/ver.json', 'utf8')).verified;
if (!(r.headers >= $head && r.blocks > 0 && r.logs > 0 && r.signers === $signers)) { console.error(r); process.exit(1); }
console.log('verified: ' + JSON.stringify(r));"
# without a checkpoint --verify refuses to start; a wrong checkpoint fails at the first header
if "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/nocp" --verify --quiet 2>"$state/nocp.err"; then
  echo "--verify without a checkpoint passed"; exit 1; fi
grep -q "checkpoint" "$state/nocp.err"
bad="0:0x$(printf '%064d' 1)"
if "$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/badcp" --to "$head" --verify \
  --checkpoint "$bad" --quiet 2>"$state/badcp.err"; then echo "wrong checkpoint passed"; exit 1; fi
grep -q "block 1: parentHash" "$state/badcp.err" || { cat "$state/badcp.err"; exit 1; }

# 2. entity: every scenario account's own key drives it; a liquidator drives no one
own=$(q looped_account)
"$bin" entity "$own" --chain devnet --datadir "$state/ver" --json >"$state/entity.json"
node -e "
const e = JSON.parse(require('fs').readFileSync('$state/entity.json', 'utf8'));
if (!e.accounts.some((a) => a.self && a.account.toLowerCase() === '$own' && a.flows > 0)) { console.error(e); process.exit(1); }"
if "$bin" entity "$own" --chain devnet --datadir "$state/plain" 2>"$state/ent.err"; then
  echo "entity answered without verified signers"; exit 1; fi
grep -q "verify" "$state/ent.err"
# leverage per entity: the scenario's accounts sign for themselves, so each entity is one
# account with that account's own figures; an open account no key of its own moved (one that
# only received aTokens) has none
"$bin" leverage --chain devnet --datadir "$state/ver" --by-entity --top 1000 --json >"$state/lev-ent.json"
"$bin" leverage --chain devnet --datadir "$state/ver" --top 1000 --json >"$state/lev.json"
node -e "
const fs = require('fs');
const e = JSON.parse(fs.readFileSync('$state/lev-ent.json', 'utf8'));
const l = JSON.parse(fs.readFileSync('$state/lev.json', 'utf8'));
const fail = (m) => { console.error(m, JSON.stringify(e)); process.exit(1); };
if (e.unknownAccounts > 2 || e.entities !== e.accounts || e.top.length !== e.entities) fail('counts');
for (const x of e.top)
  if (x.accounts !== 1 || x.largestAccount.toLowerCase() !== x.signer.toLowerCase()) fail('entity ' + x.signer);
let missing = 0;
for (const a of l.top) { // the accounts with debt
  const x = e.top.find((r) => r.signer.toLowerCase() === a.account.toLowerCase());
  if (!x) { missing++; continue; }
  if (Math.abs(x.collateral - a.collateral) > 1e-6 * (1 + a.collateral) || Math.abs(x.debt - a.debt) > 1e-6 * (1 + a.debt)) fail('figures of ' + a.account);
  if ((x.leverage === null) !== !!a.badDebt || (x.leverage !== null && Math.abs(x.leverage - a.leverage) > 1e-9 * a.leverage)) fail('leverage of ' + a.account);
}
if (missing > e.unknownAccounts || l.top.length - missing < 5) fail('debt accounts without an entity: ' + missing);
if (!e.top.some((r) => r.signer.toLowerCase() === '$own')) fail('looped account');
console.log('leverage --by-entity: ' + e.entities + ' entities');"
if "$bin" leverage --chain devnet --datadir "$state/plain" --by-entity 2>"$state/lev.err"; then
  echo "leverage --by-entity answered without verified signers"; exit 1; fi
grep -q "sync --chain devnet --verify" "$state/lev.err" || { cat "$state/lev.err"; exit 1; }

# 3. lies: the base store is verified up to mid; each lie is in [mid+1, head]
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/base" --to "$mid" --verify --checkpoint "$cp" --quiet
"$bin" dump --datadir "$state/base" >"$state/base.dump"
declare -A want=(
  [log-value]="data from eth_getLogs differs from the receipt's"
  [drop-log]="missing from eth_getLogs"
  [drop-block]="gave no log for this block"
  [forged-from]="the signature recovers"
  [wrong-parent]="parentHash"
)
for mode in log-value drop-log drop-block forged-from wrong-parent; do
  node "$root/tests/faultproxy/proxy.js" --upstream "$rpc" --faults none --tamper "$mode" \
    --tamper-from $((mid + 1)) --port-file "$state/proxy-$mode" >/dev/null 2>"$state/proxy-$mode.log" &
  pids+=($!)
  for _ in $(seq 600); do [ -s "$state/proxy-$mode" ] && break; sleep 0.1; done
  cp -r "$state/base" "$state/t-$mode"
  purl=$(cat "$state/proxy-$mode")
  if "$bin" sync --chain devnet --rpc "$purl" --datadir "$state/t-$mode" --to "$head" --verify \
    --checkpoint "$cp" --quiet 2>"$state/t-$mode.err"; then
    echo "$mode: sync passed a lie"; exit 1
  fi
  curl -s "$purl/admin/stats" | grep -q "tamper-$mode" || { echo "$mode: the proxy never lied"; exit 1; }
  msg=$(cat "$state/t-$mode.err")
  echo "$msg" | grep -q "verify: block [0-9]" || { echo "$mode: error names no block: $msg"; exit 1; }
  echo "$msg" | grep -qF "${want[$mode]}" || { echo "$mode: unexpected error: $msg"; exit 1; }
  "$bin" dump --datadir "$state/t-$mode" | cmp - "$state/base.dump" || { echo "$mode: store changed"; exit 1; }
  echo "$mode: stopped, store unchanged: $msg"
done
# a node without eth_getBlockReceipts: receipts one by one, same proof, same state
node "$root/tests/faultproxy/proxy.js" --upstream "$rpc" --faults none --tamper no-block-receipts \
  --port-file "$state/proxy-nbr" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 600); do [ -s "$state/proxy-nbr" ] && break; sleep 0.1; done
"$bin" sync --chain devnet --rpc "$(cat "$state/proxy-nbr")" --datadir "$state/nbr" --to "$head" --verify \
  --checkpoint "$cp" --quiet
curl -s "$(cat "$state/proxy-nbr")/admin/stats" | grep -q "tamper-no-block-receipts" || { echo "no-block-receipts never served"; exit 1; }
"$bin" dump --datadir "$state/nbr" | cmp - "$state/ver.dump" || { echo "per-receipt verified sync differs"; exit 1; }
echo "no eth_getBlockReceipts: verified one receipt at a time, same state"
# and the same proxy without a lie passes
node "$root/tests/faultproxy/proxy.js" --upstream "$rpc" --faults none --port-file "$state/proxy-none" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 600); do [ -s "$state/proxy-none" ] && break; sleep 0.1; done
"$bin" sync --chain devnet --rpc "$(cat "$state/proxy-none")" --datadir "$state/base" --to "$head" --verify --checkpoint "$cp" --quiet
"$bin" dump --datadir "$state/base" | grep -v '^lx\.signer' | cmp - "$state/plain.dump" || { echo "resumed verified sync differs"; exit 1; }
echo "sync_verify: ok"
