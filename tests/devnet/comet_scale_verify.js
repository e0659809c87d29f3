// comet_scale_verify.js: the referee for comet_scale.js. Every account lendex's view of the market
// lists (tests/integration/view_dump) and every account of the scenario is held against the
// Comet itself at the synced block: balanceOf, borrowBalanceOf, collateralBalanceOf(WETH) equal
// exactly, and lendex's health factor is below 1e18 exactly when isLiquidatable. The chain's
// answers come in JSON-RPC batches (thousands of eth_calls); none may be missing.
//
// usage: node comet_scale_verify.js STATEDIR VIEW_DUMP.jsonl [MIN_ACCOUNTS]
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');

const [stateDir, dumpFile, minArg] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const lines = fs.readFileSync(dumpFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const head = lines.shift();
const view = new Map(lines.map((a) => [a.account, a]));
const iface = new ethers.Interface(['function borrowBalanceOf(address) view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
  'function collateralBalanceOf(address,address) view returns (uint128)',
  'function isLiquidatable(address) view returns (bool)']);
const WAD = 10n ** 18n;

async function batch(calls) {
  const body = calls.map((c, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_call',
    params: [{ to: sc.comet, data: c.data }, '0x' + head.block.toString(16)] }));
  const r = await fetch(sc.rpc, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const ans = await r.json();
  if (!Array.isArray(ans) || ans.length !== calls.length) throw new Error('bad batch answer');
  for (const a of ans) {
    if (a.error || typeof a.result !== 'string') throw new Error(`eth_call failed: ${JSON.stringify(a.error)}`);
    const c = calls[a.id];
    c.value = iface.decodeFunctionResult(c.fn, a.result)[0];
  }
}

async function main() {
  const want = [...new Set([...sc.borrowers, ...sc.lenders].map((a) => a.toLowerCase()))];
  const all = [...new Set([...want, ...view.keys()])];
  const min = Number(minArg || 1200);
  if (view.size < min) throw new Error(`lendex lists ${view.size} accounts, fewer than ${min}`);
  const missing = want.filter((a) => !view.has(a));
  if (missing.length) throw new Error(`${missing.length} scenario accounts not in lendex's view (${missing[0]} …)`);
  const calls = [];
  for (const a of all) {
    for (const [fn, args] of [['balanceOf', [a]], ['borrowBalanceOf', [a]],
      ['collateralBalanceOf', [a, sc.assets.WETH]], ['isLiquidatable', [a]]])
      calls.push({ a, fn, data: iface.encodeFunctionData(fn, args) });
  }
  const chunks = [];
  for (let i = 0; i < calls.length; i += 200) chunks.push(calls.slice(i, i + 200));
  for (let i = 0; i < chunks.length; i += 4) await Promise.all(chunks.slice(i, i + 4).map(batch));
  let bad = 0, checks = 0, borrowers = 0, liquidatable = 0;
  const by = new Map();
  for (const c of calls) { if (!by.has(c.a)) by.set(c.a, {}); by.get(c.a)[c.fn] = c.value; }
  for (const a of all) {
    const v = view.get(a) || { positions: [], healthFactor: (2n ** 256n - 1n).toString() };
    const pos = (t) => v.positions.find((p) => p.asset === t.toLowerCase()) || { supplied: '0', borrowed: '0' };
    const ch = by.get(a);
    const cmp = [['balanceOf', ch.balanceOf, pos(sc.base).supplied], ['borrowBalanceOf', ch.borrowBalanceOf, pos(sc.base).borrowed],
      ['collateralBalanceOf WETH', ch.collateralBalanceOf, pos(sc.assets.WETH).supplied]];
    for (const [what, w, g] of cmp) {
      checks++;
      if (String(w) !== String(g)) { bad++; if (bad < 10) console.error(`MISMATCH ${a} ${what}: chain ${w} lendex ${g}`); }
    }
    checks++;
    const hfBelow = BigInt(v.healthFactor) < WAD;
    if (ch.isLiquidatable !== hfBelow) { bad++; if (bad < 10) console.error(`MISMATCH ${a} isLiquidatable ${ch.isLiquidatable} healthFactor ${v.healthFactor}`); }
    if (ch.borrowBalanceOf > 0n) borrowers++;
    if (ch.isLiquidatable) liquidatable++;
  }
  if (bad) { console.error(`comet_scale_verify: ${bad} of ${checks} checks differ at block ${head.block}`); process.exit(1); }
  if (liquidatable === 0 || borrowers < sc.borrowers.length / 2) throw new Error(`scenario too tame: ${borrowers} borrowing, ${liquidatable} liquidatable`);
  console.log(`comet_scale_verify: block ${head.block}: ${checks} checks equal (${all.length} accounts, every one; ${borrowers} borrowing, ${liquidatable} liquidatable)`);
}
main().catch((e) => { console.error('comet_scale_verify:', e.message); process.exit(2); });
