// morpho_verify.js: holds lendex's Morpho Blue view (printed by the morpho_view test binary
// from a store synced to BLOCK) against the contract at BLOCK, for every account of the
// scenario on every market: MorphoLens (morpho_lens.sol) has Morpho accrue interest to that
// block's timestamp, reads position() and market(), computes _isHealthy's numbers with Morpho's
// libraries and asks Morpho's own liquidate whether the position is liquidatable.
// Every field must be equal to the wei; a position lendex does not list must be empty.
//
// usage: node morpho_verify.js STATEDIR BLOCK MORPHO_VIEW_BIN DATADIR
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');
const { build } = require('./morpho_build');

const [stateDir, blockArg, viewBin, dataDir] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json'), 'utf8'));
const rpcUrl = fs.readFileSync(path.join(stateDir, 'rpc'), 'utf8').trim();
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 });
const block = Number(blockArg);
const WAD = 10n ** 18n;
const MAX = (1n << 256n) - 1n;

async function main() {
  const lines = execFileSync(viewBin, [dataDir, path.join(stateDir, 'chains'), 'devnet', 'morpho-blue-devnet'],
    { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l));
  if (lines[0].block !== block) throw new Error(`store is at block ${lines[0].block}, not ${block}`);
  const got = new Map();
  for (const l of lines.slice(1)) got.set(l.account + ':' + l.market, l);
  const C = build();
  const lens = new ethers.Contract(sc.lens, C.MorphoLens.abi, provider);
  let bad = 0, checked = 0, open = 0, liquidatable = 0;
  const seen = new Set();
  const fail = (m) => { if (bad++ < 10) console.error('morpho_verify:', m); };
  for (const a of sc.accounts)
    for (const m of sc.markets) {
      const key = a.toLowerCase() + ':' + m.id.toLowerCase();
      seen.add(key);
      const p = m.params;
      const v = await lens.check.staticCall(sc.morpho, [p.loanToken, p.collateralToken, p.oracle, p.irm, BigInt(p.lltv)],
        a, { blockTag: block });
      const want = {
        supplyShares: v.supplyShares, supplyAssets: v.supplyAssets, borrowShares: v.borrowShares,
        borrowAssets: v.borrowAssets, collateral: v.collateral,
        healthFactor: v.borrowShares === 0n ? MAX : (v.maxBorrow * WAD) / v.borrowAssets,
      };
      const empty = v.supplyShares === 0n && v.borrowShares === 0n && v.collateral === 0n;
      const g = got.get(key);
      checked++;
      if (!g) {
        if (!empty) fail(`${key}: lendex lists no position, the contract has ${JSON.stringify(want, (k, x) => (typeof x === 'bigint' ? x.toString() : x))}`);
        continue;
      }
      open++;
      for (const [f, w] of Object.entries(want))
        if (BigInt(g[f]) !== w) fail(`${key} ${f}: lendex ${g[f]}, contract ${w}`);
      if (g.liquidatable !== v.liquidatable) fail(`${key} liquidatable: lendex ${g.liquidatable}, Morpho's liquidate ${v.liquidatable}`);
      if (v.liquidatable) liquidatable++;
    }
  for (const k of got.keys()) if (!seen.has(k)) fail(`${k}: lendex lists a position of no scenario account`);
  if (bad) throw new Error(`${bad} differences at block ${block}`);
  console.log(`morpho_verify: block ${block}: ${checked} (account, market) pairs equal (${open} open, ${liquidatable} liquidatable)`);
}
main().catch((e) => { console.error('morpho_verify:', e.message); process.exit(1); });
