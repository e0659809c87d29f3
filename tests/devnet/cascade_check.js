// cascade_check.js: referee for the cascade simulation. Shocks WETH's oracle on-chain by the
// same percentage lendex simulates, then checks that (1) the accounts lendex marks liquidatable
// in round 1 are exactly those whose getUserAccountData health factor is below 1 after the
// shock, and (2) liquidating them on-chain (max debt, underlying out) repays exactly the debt
// and seizes exactly the collateral lendex predicts, to the wei.
//
// usage: node cascade_check.js STATEDIR LENDEX_BIN DATADIR PCT [ASSET]
//   PCT e.g. 20 for -20%, +30 for +30% (a debt asset's rise); ASSET a scenario reserve (WETH)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');

const [stateDir, bin, dataDir, pctArg, assetArg] = process.argv.slice(2);
const SYM = assetArg || 'WETH';
const UP = String(pctArg).startsWith('+');
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchStallTime: 0 });
const ART = path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts');
const art = (p) => JSON.parse(fs.readFileSync(path.join(ART, p)));
const poolAbi = art('protocol/pool/Pool.sol/Pool.json').abi;
const oracleAbi = art('misc/AaveOracle.sol/AaveOracle.json').abi;
const aggArt = art('mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator.json');
const erc20 = ['function mint(address,uint256) returns (bool)', 'function mint(uint256) returns (bool)'];
const rpc = (m, p = []) => provider.send(m, p);
async function receipt(hash) {
  for (;;) { const r = await rpc('eth_getTransactionReceipt', [hash]); if (r) return r; await new Promise((s) => setTimeout(s, 20)); }
}
const lendex = (args) => JSON.parse(execFileSync(bin, [...args, '--chain', 'devnet', '--datadir', dataDir], { encoding: 'utf8' }));

async function main() {
  const pct = Math.abs(Number(pctArg));
  const shock = `${SYM}=${UP ? '+' : '-'}${pct}%`;
  const accounts = await rpc('eth_accounts');
  const admin = await provider.getSigner(accounts[0]);
  const liquidator = await provider.getSigner(accounts[27]);
  const weth = sc.reserves[SYM].asset;
  const oracle = new ethers.Contract(sc.oracle, oracleAbi, admin);
  const pool = new ethers.Contract(sc.pool, poolAbi, provider);
  const old = await oracle.getAssetPrice(weth);
  const shocked = (old * BigInt(UP ? 10000 + pct * 100 : 10000 - pct * 100)) / 10000n;
  // the shock, on-chain
  const f = new ethers.ContractFactory(aggArt.abi, aggArt.bytecode, admin);
  const agg = await f.deploy(shocked);
  await receipt(agg.deploymentTransaction().hash);
  const tx = await oracle.setAssetSources([weth], [agg.target]);
  const rc = await receipt(tx.hash);
  const shockBlock = Number(rc.blockNumber);
  const shockTs = Number((await rpc('eth_getBlockByNumber', [rc.blockNumber, false])).timestamp);
  // (1) round-1 set vs getUserAccountData at the shock block
  const sim1 = lendex(['cascade', '--shock', shock, '--rounds', '1', '--at', String(shockTs), '--json']);
  const predicted = new Set(sim1.liquidations.map((l) => l.user.toLowerCase()));
  const chainSet = new Set();
  for (const a of sc.accounts) {
    const d = await pool.getUserAccountData(a, { blockTag: shockBlock });
    if (d[5] < 10n ** 18n && d[1] > 0n) chainSet.add(a.toLowerCase());
  }
  // accounts already left with debt and no collateral cannot be liquidated: the chain reports
  // HF 0 for them, lendex counts them as bad debt, not as round-1 liquidations
  for (const a of [...chainSet]) {
    const d = await pool.getUserAccountData(a, { blockTag: shockBlock });
    if (d[0] === 0n) chainSet.delete(a);
  }
  let bad = 0;
  for (const a of chainSet) if (!predicted.has(a)) { bad++; console.error(`chain has HF<1 for ${a}, lendex did not mark it`); }
  for (const a of predicted) if (!chainSet.has(a)) { bad++; console.error(`lendex marked ${a}, chain HF is not below 1`); }
  console.log(`cascade_check: round 1 marks ${predicted.size} accounts, chain has ${chainSet.size} below HF 1`);
  if (predicted.size === 0) { console.error('cascade_check: shock too small to test liquidations'); process.exit(1); }
  // (2) liquidate all of them in one block at a known timestamp
  const liqTs = shockTs + 12;
  await rpc('evm_setAutomine', [false]);
  const hashes = [];
  const poolL = pool.connect(liquidator);
  for (const l of sim1.liquidations) {
    const debt = new ethers.Contract(l.debtAsset, erc20, admin);
    // Aave V3's test tokens mint to an address (owner); V2's MintableERC20 to the caller
    try {
      await debt['mint(address,uint256)'].staticCall(accounts[27], 10n ** 30n);
      await debt['mint(address,uint256)'](accounts[27], 10n ** 30n);
    } catch (_) {
      await debt.connect(liquidator)['mint(uint256)'](10n ** 30n);
    }
    await new ethers.Contract(l.debtAsset, ['function approve(address,uint256) returns (bool)'], liquidator)
      .approve(sc.pool, ethers.MaxUint256);
  }
  await rpc('evm_mine', []);
  const mintBlock = await rpc('eth_getBlockByNumber', ['latest', false]);
  const liqTs2 = Number(mintBlock.timestamp) + 12;
  for (const l of sim1.liquidations) {
    const t = await poolL.liquidationCall(l.collateralAsset, l.debtAsset, l.user, ethers.MaxUint256, false, { gasLimit: 3000000 });
    hashes.push(t.hash);
  }
  await rpc('evm_setNextBlockTimestamp', [liqTs2]);
  await rpc('evm_mine', []);
  await rpc('evm_setAutomine', [true]);
  void liqTs;
  const sim2 = lendex(['cascade', '--shock', shock, '--rounds', '1', '--at', String(liqTs2), '--json']);
  const iface = new ethers.Interface(poolAbi);
  // one transaction per listed liquidation, in lendex's order (an account still below HF 1
  // after its first liquidation is liquidated again in the same block)
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i];
    const r = await receipt(h);
    if (r.status !== '0x1') { bad++; console.error(`liquidation ${h} reverted`); continue; }
    for (const lg of r.logs) {
      let ev;
      try { ev = iface.parseLog(lg); } catch (_) { continue; }
      if (!ev || ev.name !== 'LiquidationCall') continue;
      const user = ev.args.user.toLowerCase();
      const p = sim2.liquidations[i];
      if (p && p.user.toLowerCase() !== user) { bad++; console.error(`liquidation ${i}: chain liquidated ${user}, lendex ${p.user}`); }
      if (!p) { bad++; console.error(`no prediction for ${user}`); continue; }
      const pairs = [['debtToCover', ev.args.debtToCover], ['liquidatedCollateralAmount', ev.args.liquidatedCollateralAmount]];
      for (const [k, v] of pairs) {
        if (String(v) !== p[k]) { bad++; console.error(`${user} ${k}: chain ${v} lendex ${p[k]}`); }
      }
      console.log(`cascade_check: ${user} repaid ${ev.args.debtToCover} seized ${ev.args.liquidatedCollateralAmount} (predicted ${p.debtToCover} / ${p.liquidatedCollateralAmount})`);
    }
  }
  console.log(`cascade_check: ${bad} mismatches`);
  process.exit(bad ? 1 : 0);
}
main().catch((e) => { console.error('cascade_check: ' + (e.stack || e.message)); process.exit(2); });
