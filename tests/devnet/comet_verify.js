// comet_verify.js: the referee for Compound V3. For every account of the scenario (comet.js),
// compares what `lendex position --json` says (from its store alone) with the Comet's own
// borrowBalanceOf, balanceOf, collateralBalanceOf and isLiquidatable at the same block —
// exactly, as integers. lendex's health factor must be < 1e18 exactly when isLiquidatable.
//
// usage: node comet_verify.js STATEDIR BLOCK LENDEX_BIN [lendex args...]
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');

const [stateDir, blockArg, bin, ...extra] = process.argv.slice(2);
if (!stateDir || !blockArg || !bin) {
  console.error('usage: node comet_verify.js STATEDIR BLOCK LENDEX_BIN [lendex args...]');
  process.exit(1);
}
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchStallTime: 0 });
const abi = ['function borrowBalanceOf(address) view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
  'function collateralBalanceOf(address,address) view returns (uint128)',
  'function isLiquidatable(address) view returns (bool)'];
const WAD = 10n ** 18n;

async function main() {
  const block = Number(blockArg);
  const comet = new ethers.Contract(sc.comet, abi, provider);
  const at = { blockTag: block };
  let checks = 0, bad = 0, liquidatable = 0, borrowers = 0;
  const fail = (a, what, want, got) => { bad++; console.error(`MISMATCH ${a} ${what}: chain ${want} lendex ${got}`); };
  for (const a of sc.accounts) {
    const p = JSON.parse(execFileSync(bin, ['position', a, '--chain', 'devnet', '--deployment', sc.deployment, '--json', ...extra], { encoding: 'utf8' }));
    if (p.block !== block) { fail(a, 'synced block', block, p.block); continue; }
    const find = (asset) => p.reserves.find((r) => r.asset.toLowerCase() === asset.toLowerCase()) || { supplied: '0', borrowed: '0' };
    const base = find(sc.base);
    checks++;
    if (p.reserves.length && base.symbol !== 'USDC') fail(a, 'base symbol', 'USDC', base.symbol);
    const want = [['balanceOf', await comet.balanceOf(a, at), base.supplied],
      ['borrowBalanceOf', await comet.borrowBalanceOf(a, at), base.borrowed]];
    for (const [sym, asset] of Object.entries(sc.assets)) {
      let onChain;
      try { onChain = await comet.collateralBalanceOf(a, asset, at); } catch (_) { onChain = 0n; }
      want.push([`collateralBalanceOf ${sym}`, onChain, find(asset).supplied]);
    }
    for (const [what, w, g] of want) { checks++; if (String(w) !== String(g)) fail(a, what, w, g); }
    const liq = await comet.isLiquidatable(a, at);
    const hf = BigInt(p.healthFactor);
    checks++;
    if (liq !== (hf < WAD)) fail(a, 'isLiquidatable', liq, `healthFactor ${hf}`);
    if (liq) liquidatable++;
    if (base.borrowed !== '0') borrowers++;
  }
  if (bad) { console.error(`comet_verify: ${bad} of ${checks} checks differ at block ${block}`); process.exit(1); }
  console.log(`comet_verify: block ${block}: ${checks} checks equal (${sc.accounts.length} accounts, ${borrowers} borrowing, ${liquidatable} liquidatable)`);
}
main().catch((e) => { console.error('comet_verify:', e.message); process.exit(2); });
