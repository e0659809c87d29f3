// lib/aave_v3.js: an Aave V3 (3.0.2, npm @aave/core-v3 1.19.3) market from the published
// compiled artifacts: test tokens with their price feeds, then the core (addresses provider,
// ACL, libraries, Pool, configurator, oracle, data provider, one interest-rate strategy, token
// implementations) and one reserve per token. Risk parameters are the scenario's (devnet.js,
// cross.js). The transaction order is fixed, so a fresh anvil gets the same addresses each run.
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { U } = require('./net');

const ART = path.join(__dirname, '../node_modules/@aave/core-v3/artifacts/contracts');
let index = null;
function art(name) {
  if (!index) {
    index = {};
    (function walk(dir) {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.json') && !e.name.endsWith('.dbg.json')) index[e.name.slice(0, -5)] = p;
      }
    })(ART);
  }
  if (!index[name]) throw new Error(`aave_v3: no artifact ${name}`);
  return JSON.parse(fs.readFileSync(index[name]));
}

function link(a, libs) {
  let code = a.bytecode;
  for (const file of Object.keys(a.linkReferences || {})) {
    for (const [name, refs] of Object.entries(a.linkReferences[file])) {
      if (!libs[name]) throw new Error(`link: ${a.contractName} needs ${name}`);
      const addr = libs[name].toLowerCase().slice(2);
      for (const r of refs) code = code.slice(0, 2 + r.start * 2) + addr + code.slice(2 + (r.start + r.length) * 2);
    }
  }
  return code;
}

const deploy = (net, name, signer, args = [], libs = {}) => {
  const a = art(name);
  return net.deploy(a.abi, link(a, libs), signer, args, `deploy ${name}`);
};
const at = (name, addr, signer) => new ethers.Contract(addr, art(name).abi, signer);

// specs: [{ sym, dec, price }] -> { SYM: { ...spec, token (MintableERC20), feed (MockAggregator,
// 8 decimals) } }, each token then its feed
async function tokens(net, admin, specs) {
  const T = {};
  for (const s of specs) {
    T[s.sym] = { ...s, token: await deploy(net, 'MintableERC20', admin, [`Test ${s.sym}`, s.sym, s.dec]) };
    T[s.sym].feed = await deploy(net, 'MockAggregator', admin, [U(s.price, 8)]);
  }
  return T;
}

// The core and one reserve per token of T (in specs order); fills T[sym].aToken/vToken/sToken.
async function market(net, admin, adminAddr, T, specs, treasury, name = 'lendex-devnet') {
  const send = net.send;
  const provAddr = await deploy(net, 'PoolAddressesProvider', admin, [name, adminAddr]);
  await send('setACLAdmin', provAddr.setACLAdmin(adminAddr));
  const acl = await deploy(net, 'ACLManager', admin, [await provAddr.getAddress()]);
  await send('setACLManager', provAddr.setACLManager(await acl.getAddress()));
  await send('addPoolAdmin', acl.addPoolAdmin(adminAddr));
  await send('addEmergencyAdmin', acl.addEmergencyAdmin(adminAddr));
  await send('addRiskAdmin', acl.addRiskAdmin(adminAddr));

  const libs = {};
  for (const n of ['SupplyLogic', 'BorrowLogic', 'LiquidationLogic', 'EModeLogic', 'BridgeLogic', 'PoolLogic', 'ConfiguratorLogic'])
    libs[n] = await (await deploy(net, n, admin)).getAddress();
  libs.FlashLoanLogic = await (await deploy(net, 'FlashLoanLogic', admin, [], libs)).getAddress();
  const poolImpl = await deploy(net, 'Pool', admin, [await provAddr.getAddress()], libs);
  await send('setPoolImpl', provAddr.setPoolImpl(await poolImpl.getAddress()));
  const pool = at('Pool', await provAddr.getPool(), admin);
  const cfgImpl = await deploy(net, 'PoolConfigurator', admin, [], libs);
  await send('setPoolConfiguratorImpl', provAddr.setPoolConfiguratorImpl(await cfgImpl.getAddress()));
  const cfg = at('PoolConfigurator', await provAddr.getPoolConfigurator(), admin);
  const assets = specs.map((s) => T[s.sym].token.target);
  const oracle = await deploy(net, 'AaveOracle', admin, [provAddr.target, assets, specs.map((s) => T[s.sym].feed.target),
    ethers.ZeroAddress, ethers.ZeroAddress, U(1, 8)]);
  await send('setPriceOracle', provAddr.setPriceOracle(oracle.target));
  const dp = await deploy(net, 'AaveProtocolDataProvider', admin, [provAddr.target]);
  await send('setPoolDataProvider', provAddr.setPoolDataProvider(dp.target));
  const R = (x) => U(x, 27);
  const strategy = await deploy(net, 'DefaultReserveInterestRateStrategy', admin, [provAddr.target,
    R('0.8'), R('0.01'), R('0.04'), R('0.75'), R('0.02'), R('0.75'), R('0.02'), R('0.05'), R('0.2')]);
  const aImpl = await deploy(net, 'AToken', admin, [pool.target]);
  const sImpl = await deploy(net, 'StableDebtToken', admin, [pool.target]);
  const vImpl = await deploy(net, 'VariableDebtToken', admin, [pool.target]);
  for (const s of specs) {
    await send(`initReserves ${s.sym}`, cfg.initReserves([{
      aTokenImpl: aImpl.target, stableDebtTokenImpl: sImpl.target, variableDebtTokenImpl: vImpl.target,
      underlyingAssetDecimals: s.dec, interestRateStrategyAddress: strategy.target, underlyingAsset: T[s.sym].token.target,
      treasury, incentivesController: ethers.ZeroAddress,
      aTokenName: `Aave Devnet ${s.sym}`, aTokenSymbol: `a${s.sym}`, variableDebtTokenName: `Aave Devnet Variable Debt ${s.sym}`,
      variableDebtTokenSymbol: `variableDebt${s.sym}`, stableDebtTokenName: `Aave Devnet Stable Debt ${s.sym}`,
      stableDebtTokenSymbol: `stableDebt${s.sym}`, params: '0x',
    }]));
    const rd = await pool.getReserveData(T[s.sym].token.target);
    T[s.sym].aToken = rd.aTokenAddress;
    T[s.sym].vToken = rd.variableDebtTokenAddress;
    T[s.sym].sToken = rd.stableDebtTokenAddress;
  }
  return { provAddr, acl, pool, cfg, oracle, dp, strategy };
}

// chains/ entry of such a market (contracts of market())
function deployment(name, startBlock, m, groups, source) {
  return {
    name, protocol: 'aave_v3', version: '3.0.2', start_block: startBlock, base_currency_decimals: 8,
    contracts: { pool: m.pool.target, pool_configurator: m.cfg.target, pool_addresses_provider: m.provAddr.target,
      oracle: m.oracle.target, data_provider: m.dp.target, acl_manager: m.acl.target },
    groups, source,
  };
}

module.exports = { art, at, deploy, tokens, market, deployment };
