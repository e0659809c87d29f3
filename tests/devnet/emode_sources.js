// emode_sources.js: on top of devnet.js's scenario, e-mode category price sources change in a
// few consecutive blocks (Aave 3.0–3.1 setEModeCategory with a priceSource): category 1
// (stablecoins, accounts 10 and 11 in it) gets a source; a category 2 is created with its own
// source, WETH joins it and account 28 supplies and borrows WETH in that e-mode; then category
// 1's source is re-pointed. The sources are MockAggregators registered in the AaveOracle under
// their own address (the oracle prices a category through getAssetPrice(priceSource)).
// Adds account 28 to STATEDIR/scenario.json and records the block of the last change as
// emode_block.
//
// usage: node emode_sources.js STATEDIR
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');

const stateDir = process.argv[2];
const scPath = path.join(stateDir, 'scenario.json');
const sc = JSON.parse(fs.readFileSync(scPath));
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchMaxCount: 1 });
const ART = path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts');
const art = (rel) => JSON.parse(fs.readFileSync(path.join(ART, rel)));
const U = (v, d) => ethers.parseUnits(String(v), d);

class Signer extends ethers.JsonRpcSigner {
  async estimateGas(tx) { return (await super.estimateGas(tx)) * 2n + 100000n; }
}

async function send(what, p) {
  const tx = await p;
  for (let i = 0; i < 2000; i++) {
    const r = await provider.send('eth_getTransactionReceipt', [tx.hash]);
    if (r) {
      if (r.status !== '0x1') throw new Error(`${what}: reverted`);
      return r;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`${what}: no receipt`);
}

async function main() {
  const accounts = await provider.send('eth_accounts', []);
  const admin = new Signer(provider, accounts[0]);
  const user = new Signer(provider, accounts[28]);
  const chain = JSON.parse(fs.readFileSync(path.join(__dirname, '../../chains/devnet.json')));
  const c = chain.deployments[0].contracts;
  const cfg = new ethers.Contract(c.pool_configurator,
    art('protocol/pool/PoolConfigurator.sol/PoolConfigurator.json').abi, admin);
  const oracle = new ethers.Contract(c.oracle, art('misc/AaveOracle.sol/AaveOracle.json').abi, admin);
  const pool = new ethers.Contract(c.pool, art('protocol/pool/Pool.sol/Pool.json').abi, user);
  const aggArt = art('mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator.json');
  const deployAgg = async (price) => {
    const f = new ethers.ContractFactory(aggArt.abi, aggArt.bytecode, admin);
    const a = await f.deploy(U(price, 8));
    const r = await send('deploy source', Promise.resolve(a.deploymentTransaction()));
    return r.contractAddress;
  };
  const A = await deployAgg('1.02');
  const B = await deployAgg('1900');
  const C = await deployAgg('0.97');
  await send('register sources', oracle.setAssetSources([A, B, C], [A, B, C]));
  const weth = sc.reserves.WETH.asset;
  // category 1 gets a source
  await send('emode 1 source A', cfg.setEModeCategory(1, 9700, 9800, 10100, A, 'Stablecoins'));
  // category 2 created with a source; WETH in it; an account borrows in it
  await send('emode 2 source B', cfg.setEModeCategory(2, 8800, 9000, 10200, B, 'ETH'));
  await send('WETH in emode 2', cfg.setAssetEModeCategory(weth, 2));
  const token = new ethers.Contract(weth, ['function mint(address,uint256)'], admin);
  await send('mint WETH 28', token['mint(address,uint256)'](accounts[28], U(10, 18)));
  await send('supply 28', pool.supply(weth, U(10, 18), accounts[28], 0));
  await send('emode 28', pool.setUserEMode(2));
  await send('borrow 28', pool.borrow(weth, U(6, 18), 2, 0, accounts[28]));
  // category 1 re-pointed
  const last = await send('emode 1 source C', cfg.setEModeCategory(1, 9700, 9800, 10100, C, 'Stablecoins'));
  if (!sc.accounts.includes(accounts[28])) sc.accounts.push(accounts[28]);
  sc.emode_block = Number(last.blockNumber);
  sc.emode_sources = { A, B, C };
  fs.writeFileSync(scPath, JSON.stringify(sc, null, 2) + '\n');
  console.error(`emode_sources: sources ${A} ${B} ${C}, last change in block ${sc.emode_block}`);
}

main().catch((e) => { console.error('emode_sources: ' + (e.stack || e.message)); process.exit(1); });
