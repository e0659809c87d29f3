// liqprice_check.js: referee for liquidation prices and ladders. Reads lendex's report.json
// (liquidationPrices, liquidationLadder) and asks the chain about every printed number: each
// price is probed with getUserAccountData at the report's block with the feed's aggregator
// answer replaced at that price (eth_call state override of MockAggregator's answer slot; for
// an e-mode category source, the source's own aggregator), nothing on chain is changed.
//   - fall price P: HF < 1 at P; HF >= 1 at P+1..P+3 and at sampled prices in (P, now]
//   - rise price P: HF < 1 at P; HF >= 1 at P-1..P-3 and at sampled prices in [now, P)
//   - none: HF >= 1 at both ends of the range and at sampled prices in it
//   - positions priced by an e-mode source: their asset's own price (at 1 unit and 3x) moves
//     nothing (1 unit and $100,000)
//   - every ladder level: the accounts the chain puts below HF 1 at that level's price, among
//     the holders, are exactly lendex's count, and their values sum to lendex's value
// The exhaustive check of "highest/lowest" over every integer price is test_risk's
// (brute force on small markets); here every probe is the chain's own answer.
//
// usage: node liqprice_check.js STATEDIR REPORT_JSON
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');

const [stateDir, reportPath] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const lq = JSON.parse(fs.readFileSync(path.join(stateDir, 'liq.json')));
const rep = JSON.parse(fs.readFileSync(reportPath));
const ART = path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts');
const poolAbi = JSON.parse(fs.readFileSync(path.join(ART, 'protocol/pool/Pool.sol/Pool.json'))).abi;
const iface = new ethers.Interface(poolAbi);
const WAD = 10n ** 18n;
const RISE_MAX = 1000000n;

// feed address -> aggregator that answers for it
const aggOf = {};
for (const [sym, r] of Object.entries(sc.reserves)) aggOf[r.asset.toLowerCase()] = sc.aggregators[sym];
aggOf[lq.source_key.toLowerCase()] = lq.source_aggregator;
const symOf = {};
for (const [sym, r] of Object.entries(sc.reserves)) symOf[r.asset.toLowerCase()] = sym;

let id = 0;
async function batch(reqs) {
  const out = [];
  for (let i = 0; i < reqs.length; i += 250) {
    const chunk = reqs.slice(i, i + 250).map((r) => ({ jsonrpc: '2.0', id: ++id, ...r }));
    const res = await fetch(sc.rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chunk) });
    const js = await res.json();
    const byId = new Map(js.map((x) => [x.id, x]));
    for (const c of chunk) out.push(byId.get(c.id));
  }
  return out;
}

const blockTag = '0x' + Number(rep.block).toString(16);
// HF of each (account, feed, price) query; a reverted call (arithmetic overflow) is no HF
async function hfs(queries) {
  const reqs = queries.map(([acct, feed, price]) => {
    const ov = {};
    if (feed !== null) {
      const agg = aggOf[feed.toLowerCase()];
      if (!agg) throw new Error(`no aggregator for feed ${feed}`);
      ov[agg] = { stateDiff: { [ethers.ZeroHash]: ethers.toBeHex(BigInt(price), 32) } };
    }
    return { method: 'eth_call', params: [{ to: sc.pool, data: iface.encodeFunctionData('getUserAccountData', [acct]) }, blockTag, ov] };
  });
  const res = await batch(reqs);
  return res.map((r) => (r.error ? null : iface.decodeFunctionResult('getUserAccountData', r.result)));
}
const below = (d) => d !== null && d[5] < WAD;

function samples(lo, hi, k) {
  const s = new Set();
  if (hi < lo) return [];
  const span = hi - lo;
  for (let i = 0; i < k; i++) {
    // spread over orders of magnitude and uniformly
    const f = BigInt(Math.floor(Math.random() * 1e9));
    s.add(lo + (span * f) / 1000000000n);
    s.add(lo + (span >> BigInt(Math.floor(Math.random() * 40))));
  }
  s.add(lo);
  s.add(hi);
  return [...s].filter((x) => x >= lo && x <= hi);
}

async function main() {
  let bad = 0, probes = 0;
  const fail = (m) => { bad++; if (bad < 40) console.error('MISMATCH ' + m); };
  const pts = rep.healthFactors.liquidationPrices;
  const ladders = rep.healthFactors.liquidationLadder;
  // 1. every point
  const q = [], want = [];
  for (const p of pts) {
    const now = BigInt(p.priceNow);
    const tag = `${p.account} ${p.label} ${p.direction}`;
    const add = (price, isBelow, why) => { q.push([p.account, p.feed, price]); want.push([isBelow, `${tag} ${why} at ${price}`]); };
    if (p.status === 'found') {
      const P = BigInt(p.price);
      add(P, true, 'printed price');
      if (p.direction === 'fall') {
        for (const x of [P + 1n, P + 2n, P + 3n]) if (x <= now) add(x, false, 'above the fall price');
        for (const x of samples(P + 1n, now, 6)) add(x, false, 'above the fall price');
      } else {
        for (const x of [P - 1n, P - 2n, P - 3n]) if (x >= now) add(x, false, 'below the rise price');
        for (const x of samples(now, P - 1n, 6)) add(x, false, 'below the rise price');
      }
    } else if (p.status === 'none') {
      const [lo, hi] = p.direction === 'fall' ? [1n, now] : [now, now * RISE_MAX];
      for (const x of samples(lo, hi, 8)) add(x, false, 'none printed');
    } else {
      fail(`${tag}: status ${p.status}`);
    }
  }
  const r1 = await hfs(q);
  for (let i = 0; i < q.length; i++) {
    probes++;
    if (below(r1[i]) !== want[i][0]) fail(`${want[i][1]}: chain HF ${r1[i] ? r1[i][5] : 'revert'}`);
  }
  // 2. e-mode-source-priced positions: the asset's own price moves nothing
  const srcAccts = [...new Set(pts.filter((p) => p.kind === 'emodeSource').map((p) => p.account))];
  const ownFeeds = [sc.reserves.WETH.asset, sc.reserves.WBTC.asset];
  const q2 = [];
  for (const a of srcAccts) {
    q2.push([a, null, 0]);
    for (const f of ownFeeds) {
      if (pts.some((p) => p.account === a && p.feed.toLowerCase() === f.toLowerCase())) continue;
      q2.push([a, f, 1n], [a, f, 10n ** 13n]);
    }
  }
  const r2 = await hfs(q2);
  let base = null;
  for (let i = 0; i < q2.length; i++) {
    if (q2[i][1] === null) { base = r2[i]; continue; }
    probes++;
    if (!base || !r2[i] || r2[i][5] !== base[5]) fail(`${q2[i][0]} own ${symOf[q2[i][1].toLowerCase()]} price moved an e-mode-source-priced position`);
  }
  // 3. ladders: the chain's liquidatable set at each level
  const holders = {};
  for (const p of pts) (holders[`${p.feed.toLowerCase()} ${p.direction}`] ||= []).push(p);
  let levels = 0;
  for (const l of ladders) {
    const hs = holders[`${l.feed.toLowerCase()} ${l.direction}`] || [];
    const q3 = [];
    for (const lv of l.levels) for (const h of hs) q3.push([h.account, l.feed, BigInt(lv.price)]);
    const r3 = await hfs(q3);
    let k = 0;
    for (const lv of l.levels) {
      let n = 0, v = 0n;
      for (const h of hs) { if (below(r3[k++])) { n++; v += BigInt(h.value); } }
      levels++;
      if (n !== lv.accounts || String(v) !== lv.value)
        fail(`ladder ${l.label} ${l.direction} ${lv.moveBps} bps (price ${lv.price}): chain ${n} accounts ${v}, lendex ${lv.accounts} ${lv.value}`);
    }
  }
  const kinds = {};
  for (const p of pts) kinds[`${p.kind}/${p.direction}/${p.status}`] = (kinds[`${p.kind}/${p.direction}/${p.status}`] || 0) + 1;
  console.log(`liqprice_check: ${pts.length} points ${JSON.stringify(kinds)}, ${probes} probes, ` +
    `${ladders.length} ladders / ${levels} levels, ${bad} mismatches`);
  if (!pts.some((p) => p.kind === 'emodeSource') || !pts.some((p) => p.direction === 'rise' && p.status === 'found'))
    fail('the scenario lacks e-mode-source or rise points');
  process.exit(bad ? 1 : 0);
}
main().catch((e) => { console.error('liqprice_check: ' + (e.stack || e.message)); process.exit(2); });
