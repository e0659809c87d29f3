// verify.js: the referee. For every account of the scenario, compares what `lendex position
// --json` says (from its store alone) with Aave's own Pool.getUserAccountData and the tokens'
// balanceOf at the same block — exactly, as integers, no tolerance.
//
// usage: node verify.js STATEDIR BLOCK LENDEX_BIN [lendex args...]
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');

const [stateDir, blockArg, bin, ...extra] = process.argv.slice(2);
if (!stateDir || !blockArg || !bin) {
  console.error('usage: node verify.js STATEDIR BLOCK LENDEX_BIN [lendex args...]');
  process.exit(1);
}
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
// the one market under test: the devnet chain's first deployment (position --deployment gives
// that market's object; without it position lists every market the account is on)
const chainsDir = process.env.LENDEX_CHAINS || path.join(__dirname, '../../chains');
const deployment = JSON.parse(fs.readFileSync(path.join(chainsDir, 'devnet.json'))).deployments[0].name;
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchStallTime: 0 });
const ART = path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts');
const poolAbi = JSON.parse(fs.readFileSync(path.join(ART, 'protocol/pool/Pool.sol/Pool.json'))).abi;
const erc20 = ['function balanceOf(address) view returns (uint256)',
  'function scaledBalanceOf(address) view returns (uint256)'];

async function main() {
  const block = Number(blockArg);
  const pool = new ethers.Contract(sc.pool, poolAbi, provider);
  let checks = 0, bad = 0;
  const fail = (acct, what, want, got) => { bad++; console.error(`MISMATCH ${acct} ${what}: chain ${want} lendex ${got}`); };
  for (const acct of sc.accounts) {
    const out = execFileSync(bin, ['position', acct, '--chain', 'devnet', '--deployment', deployment, '--json', ...extra], { encoding: 'utf8' });
    const p = JSON.parse(out);
    if (p.block !== block) { fail(acct, 'synced block', block, p.block); continue; }
    // a scenario of one release (origin.js) names the version lendex must have found on chain
    // (an upgraded market: the version of the last upgrade step at or before this block)
    const wantVer = sc.steps ? sc.steps.filter((x) => x.block <= block).concat([sc.steps[0]]).sort((a, b) => b.block - a.block)[0].version : sc.version;
    if (wantVer) { checks++; if (p.protocolVersion !== wantVer) fail(acct, 'protocolVersion', wantVer, p.protocolVersion); }
    const d = await pool.getUserAccountData(acct, { blockTag: block });
    const want = { totalCollateralBase: d[0], totalDebtBase: d[1], availableBorrowsBase: d[2],
      currentLiquidationThreshold: d[3], ltv: d[4], healthFactor: d[5] };
    for (const [k, v] of Object.entries(want)) {
      checks++;
      if (String(v) !== p[k]) fail(acct, k, String(v), p[k]);
    }
    for (const [sym, r] of Object.entries(sc.reserves)) {
      const mine = p.reserves.find((x) => x.asset.toLowerCase() === r.asset.toLowerCase()) || { supplied: '0', variableDebt: '0', stableDebt: '0' };
      const pairs = [['supplied', r.aToken], ['variableDebt', r.variableDebtToken], ['stableDebt', r.stableDebtToken]];
      for (const [field, token] of pairs) {
        if (!token) { checks++; if ((mine[field] || '0') !== '0') fail(acct, `${sym} ${field}`, '0 (no token)', mine[field]); continue; }
        const c = new ethers.Contract(token, erc20, provider);
        const bal = await c.balanceOf(acct, { blockTag: block });
        checks++;
        if (String(bal) !== mine[field]) fail(acct, `${sym} ${field}`, String(bal), mine[field]);
        const sf = { supplied: 'scaledSupplied', variableDebt: 'scaledVariableDebt' }[field];
        if (sf && mine[sf] !== undefined) {
          const sb = await c.scaledBalanceOf(acct, { blockTag: block });
          checks++;
          if (String(sb) !== mine[sf]) fail(acct, `${sym} ${sf}`, String(sb), mine[sf]);
        }
      }
    }
  }
  console.log(`verify: ${sc.accounts.length} accounts, ${checks} checks, ${bad} mismatches at block ${block}`);
  process.exit(bad ? 1 : 0);
}
main().catch((e) => { console.error('verify: ' + (e.stack || e.message)); process.exit(2); });
