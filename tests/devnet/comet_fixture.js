// comet_fixture.js: writes fixtures/comet/absorb.json from a comet.js devnet, for test_comet's
// check of the absorb operation. For each account the scenario absorbed: its positions as lendex
// sees them at the absorb block's timestamp from a store synced to the block before (`position
// --at`: absorb accrues first, so the debt it starts from is the debt accrued to then), each
// asset's liquidationFactor from getAssetInfo, and what the Comet itself logged in the absorb
// transaction (AbsorbCollateral per asset, AbsorbDebt).
//
// usage: node comet_fixture.js STATEDIR LENDEX_BIN OUT.json [lendex args...]
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');

const [stateDir, bin, out, ...extra] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchStallTime: 0 });
const iface = new ethers.Interface([
  'event AbsorbCollateral(address indexed absorber, address indexed borrower, address indexed asset, uint256 collateralAbsorbed, uint256 usdValue)',
  'event AbsorbDebt(address indexed absorber, address indexed borrower, uint256 basePaidOut, uint256 usdValue)',
  'function getAssetInfo(uint8) view returns (tuple(uint8 offset, address asset, address priceFeed, uint64 scale, uint64 borrowCollateralFactor, uint64 liquidateCollateralFactor, uint64 liquidationFactor, uint128 supplyCap))',
  'function numAssets() view returns (uint8)']);

async function main() {
  const comet = new ethers.Contract(sc.comet, iface, provider);
  const blk = await provider.getBlock(sc.absorb_block);
  const at = { blockTag: sc.absorb_block };
  const lf = {}, lcf = {};
  const n = Number(await comet.numAssets(at));
  for (let i = 0; i < n; i++) {
    const a = await comet.getAssetInfo(i, at);
    lf[a.asset.toLowerCase()] = String(a.liquidationFactor);
    lcf[a.asset.toLowerCase()] = String(a.liquidateCollateralFactor);
  }
  const logs = await provider.getLogs({ address: sc.comet, fromBlock: sc.absorb_block, toBlock: sc.absorb_block });
  const cases = [];
  for (const who of sc.absorbed) {
    const p = JSON.parse(execFileSync(bin, ['position', who, '--chain', 'devnet', '--deployment', sc.deployment,
      '--json', '--at', String(blk.timestamp), ...extra], { encoding: 'utf8' }));
    const seized = {};
    let debt = null;
    for (const l of logs) {
      const e = iface.parseLog(l);
      if (!e || e.args.borrower.toLowerCase() !== who.toLowerCase()) continue;
      if (e.name === 'AbsorbCollateral') seized[e.args.asset.toLowerCase()] = { amount: String(e.args.collateralAbsorbed), usdValue: String(e.args.usdValue) };
      if (e.name === 'AbsorbDebt') debt = { basePaidOut: String(e.args.basePaidOut), usdValue: String(e.args.usdValue) };
    }
    cases.push({ account: who, timestamp: blk.timestamp,
      positions: p.reserves.map((r) => ({ asset: r.asset.toLowerCase(), decimals: r.decimals, price: r.price,
        supplied: r.supplied, borrowed: r.borrowed, scaledVariableDebt: r.scaledVariableDebt,
        liquidateCollateralFactor: lcf[r.asset.toLowerCase()] || null, liquidationFactor: lf[r.asset.toLowerCase()] || null })),
      healthFactor: p.healthFactor, absorbCollateral: seized, absorbDebt: debt });
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ note: 'written by tests/devnet/comet_fixture.js from a comet.js devnet: lendex positions at the absorb block timestamp, Comet logs of the absorb', base: sc.base.toLowerCase(), cases }, null, 1) + '\n');
  console.log(`comet_fixture: ${cases.length} absorbed accounts -> ${out}`);
}
main().catch((e) => { console.error('comet_fixture:', e.message); process.exit(2); });
