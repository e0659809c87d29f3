// origin.js: deploys a fresh Aave V3 market of one aave-v3-origin release (../shared/aave-v3-origin/
// vX.Y.Z/artifacts.json: v3.1.0 … v3.7.0) on a running anvil and plays a scenario exercising
// that version's changes: e-mode (category asset on <= 3.1, collateral/borrowable bitmaps on
// 3.2+, LTV-zero bitmap on 3.6+, an isolated category on 3.7), 1-wei and just-off-index-multiple
// amounts, an aToken transfer to a fresh account, the price oracle replaced by governance
// (PriceOracleUpdated) with lower prices, a liquidation at HF in [0.95, 1) (50 % close factor), a
// 100 % close-factor liquidation that leaves bad debt (a deficit burn on 3.3+), interest accrued
// between steps. Writes STATEDIR/chains/devnet.json (chains/ `version` deliberately "3.0.2": lendex
// must take the version from the chain) and STATEDIR/scenario.json for verify.js.
//
// usage: node origin.js RPC_URL STATEDIR VERSION
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { receiptOf } = require('./lib/net');

const [rpcUrl, stateDir, ver] = process.argv.slice(2);
if (!rpcUrl || !stateDir || !ver) {
  console.error('usage: node origin.js RPC_URL STATEDIR VERSION');
  process.exit(1);
}
const SHARED = process.env.LX_SHARED || path.join(__dirname, '../../../shared');
// v3.0.2 is not an aave-v3-origin release: its artifacts are npm @aave/core-v3 1.19.3's (the
// ones devnet.js deploys), filed under the names of origin's instances
function loadNpm() {
  const out = {};
  (function index(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) index(p);
      else if (e.name.endsWith('.json') && !e.name.endsWith('.dbg.json')) out[e.name.slice(0, -5)] = JSON.parse(fs.readFileSync(p));
    }
  })(path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts'));
  const alias = { PoolInstance: 'Pool', PoolConfiguratorInstance: 'PoolConfigurator', ATokenInstance: 'AToken',
    VariableDebtTokenInstance: 'VariableDebtToken', StableDebtTokenInstance: 'StableDebtToken', TestnetERC20: 'MintableERC20' };
  for (const [k, v] of Object.entries(alias)) out[k] = out[v];
  return out;
}
const load = (v) => (v === 'v3.0.2' ? loadNpm() : JSON.parse(fs.readFileSync(path.join(SHARED, 'aave-v3-origin', v, 'artifacts.json'))));
let A = load(ver);
// ORIGIN_UPGRADES="v3.4.0,v3.5.0,…": after the first part of the scenario the same market is
// upgraded in place to each, the way the governance payloads did (../shared/aave-v3-origin/
// upgrades/README.md), with some activity after every step
const UPGRADES = (process.env.ORIGIN_UPGRADES || '').split(',').filter(Boolean);
// ORIGIN_MARKET=FILE: only a market with the reserves FILE lists ({reserves: [{sym, decimals,
// price, ltv, lt, bonus, fee, reserveFactor, borrowable, emode, group}], emode: {ltv, lt, bonus}}:
// e-mode category 1
// holds the `emode` reserves as collateral and borrowable), no scenario played; writes
// STATEDIR/chains/devnet.json and a scenario.json in devnet.js's form (cascade_replay.js)
const MARKET = process.env.ORIGIN_MARKET ? JSON.parse(fs.readFileSync(process.env.ORIGIN_MARKET)) : null;
const CUSTOM = UPGRADES.length ? JSON.parse(fs.readFileSync(path.join(SHARED, 'aave-v3-origin', 'upgrades', 'artifacts.json'))) : {};
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 });
provider.pollingInterval = 20;
// gas estimated at one block's state may not be enough at the next (interest accrual paths):
// twice the estimate, so a transaction never fails for gas (a revert still fails the estimate)
const estimate = provider.estimateGas.bind(provider);
provider.estimateGas = async (tx) => 2n * (await estimate(tx));
const log = (...a) => { if (!process.env.DEVNET_QUIET) console.error(`origin ${ver}:`, ...a); };
const MAX = ethers.MaxUint256;

const waitReceipt = (hash, what) => receiptOf(provider, hash, what); // lib/net.js: bounded, by hand
async function send(what, p) {
  let tx;
  try {
    tx = await p;
  } catch (e) {
    throw new Error(`${what}: ${e.shortMessage || e.message} ${e.data || ''}`);
  }
  return waitReceipt(tx.hash, what);
}
// an edge amount the version may refuse (3.5+ reverts a mint of 0 scaled): a revert is logged
async function attempt(what, p) {
  try {
    await send(what, p);
    return true;
  } catch (e) {
    log(`(refused, as this version may) ${e.message.split('\n')[0]}`);
    return false;
  }
}
function link(bytecode, refs, libs) {
  let hex = bytecode.slice(2);
  for (const file of Object.values(refs || {}))
    for (const [lib, places] of Object.entries(file))
      for (const { start, length } of places)
        hex = hex.slice(0, start * 2) + libs[lib].slice(2).toLowerCase().padStart(length * 2, '0') + hex.slice((start + length) * 2);
  return '0x' + hex;
}
let libs = {};
let admin;
async function deploy(n, args = []) {
  const art = A[n];
  if (!art) throw new Error(`artifact ${n} missing in ${ver}`);
  for (const file of Object.values(art.linkReferences || {}))
    for (const lib of Object.keys(file))
      if (!libs[lib]) libs[lib] = (await deploy(lib)).target;
  const f = new ethers.ContractFactory(art.abi, link(art.bytecode, art.linkReferences, libs), admin);
  const c = await f.deploy(...args);
  const rc = await waitReceipt(c.deploymentTransaction().hash, `deploy ${n}`);
  return new ethers.Contract(rc.contractAddress, art.abi, admin);
}
const has = (n) => !!A[n];
const pick = (...ns) => ns.find(has);
const ctor = (n) => (A[n].abi.find((e) => e.type === 'constructor') || { inputs: [] }).inputs;
// fill an ABI input list by parameter name
function fill(inputs, table, where) {
  return inputs.map((inp) => {
    for (const [re, v] of table) if (re.test(inp.name)) return v;
    if (inp.type === 'address') return ethers.ZeroAddress;
    if (inp.type === 'bool') return false;
    if (inp.type === 'string') return '';
    if (inp.type === 'bytes') return '0x';
    if (/^u?int/.test(inp.type)) return 0n;
    throw new Error(`${where}: no value for ${inp.name}`);
  });
}
async function rpc(m, p = []) { return provider.send(m, p); }
async function advance(days) {
  const b = await rpc('eth_getBlockByNumber', ['latest', false]);
  await rpc('evm_setNextBlockTimestamp', [Number(b.timestamp) + Math.round(days * 86400)]);
  await rpc('evm_mine', []);
}
const blockNumber = async () => Number(await rpc('eth_blockNumber'));

async function main() {
  const accounts = await rpc('eth_accounts');
  const S = await Promise.all(accounts.map((a) => provider.getSigner(a)));
  admin = S[0];
  const [, bob, alice, carol, dave, eve, frank, gina, hank, ivan, liq] = S;
  const startBlock = (await blockNumber()) + 1;

  const ap = await deploy('PoolAddressesProvider', ['lendex-origin', admin.address]);
  // 3.0.x: the legacy strategy, its curve as ray constructor arguments (the same curve in bps)
  const irsName = pick('DefaultReserveInterestRateStrategyV2', 'DefaultReserveInterestRateStrategy');
  const R = (bps) => BigInt(bps) * 10n ** 23n;
  let irs = await deploy(irsName, fill(ctor(irsName), [[/^provider$/, ap.target], [/^optimalUsageRatio$/, R(80_00)],
    [/^baseVariableBorrowRate$/, R(2_00)], [/^variableRateSlope1$/, R(6_00)], [/^variableRateSlope2$/, R(60_00)],
    [/^stableRateSlope1$/, R(5_00)], [/^stableRateSlope2$/, R(60_00)], [/^baseStableRateOffset$/, R(2_00)],
    [/^stableRateExcessOffset$/, R(5_00)], [/^optimalStableToTotalDebtRatio$/, R(20_00)]], irsName));
  const inc = await deploy('MockIncentivesController');
  const treasury = accounts[accounts.length - 1];
  const T = [[/provider/i, ap.target], [/interestRateStrategy/i, irs.target], [/rewardsController|incentivesController/i, inc.target], [/treasury/i, treasury]];
  const poolName = pick('PoolInstance'), confName = pick('PoolConfiguratorInstance');
  const poolImpl = await deploy(poolName, fill(ctor(poolName), T, poolName));
  const confImpl = await deploy(confName, fill(ctor(confName), T, confName));
  const tokName = pick('TestnetERC20', 'MintableERC20');
  const mk = (sym, dec) => deploy(tokName, fill(ctor(tokName), [[/name/i, `Test ${sym}`], [/symbol/i, sym], [/decimals/i, dec], [/owner/i, admin.address]], tokName));
  const specs = MARKET ? MARKET.reserves : [{ sym: 'WETHX', decimals: 18, price: 2000 }, { sym: 'USDX', decimals: 6, price: 1 }, { sym: 'DAIX', decimals: 18, price: 1 }];
  const tok = {}, dec = {};
  for (const r of specs) { tok[r.sym] = await mk(r.sym, r.decimals); dec[r.sym] = r.decimals; }
  const feed = async (p) => (await deploy('MockAggregator', [p])).target;
  const syms = Object.keys(tok);
  const feeds = [];
  for (const r of specs) feeds.push(await feed(BigInt(r.price) * 10n ** 8n));
  const oracle1 = await deploy('AaveOracle', [ap.target, syms.map((s) => tok[s].target), feeds, ethers.ZeroAddress, ethers.ZeroAddress, 10n ** 8n]);
  await send('setPriceOracle', ap.setPriceOracle(oracle1.target));
  await send('setPoolImpl', ap.setPoolImpl(poolImpl.target));
  await send('setPoolConfiguratorImpl', ap.setPoolConfiguratorImpl(confImpl.target));
  const poolAddr = await ap.getPool(), confAddr = await ap.getPoolConfigurator();
  const pool = new ethers.Contract(poolAddr, A[poolName].abi, admin);
  const conf = new ethers.Contract(confAddr, A[confName].abi, admin);
  await send('setACLAdmin', ap.setACLAdmin(admin.address));
  const acl = await deploy('ACLManager', [ap.target]);
  await send('setACLManager', ap.setACLManager(acl.target));
  await send('addPoolAdmin', acl.addPoolAdmin(admin.address));
  await send('addRiskAdmin', acl.addRiskAdmin(admin.address));
  const pdp = await deploy('AaveProtocolDataProvider', [ap.target]);
  await send('setPoolDataProvider', ap.setPoolDataProvider(pdp.target));
  const TT = [[/pool/i, poolAddr], ...T];
  const aName = pick('ATokenInstance'), vName = pick('VariableDebtTokenInstance'), sName = pick('StableDebtTokenInstance');
  const aImpl = await deploy(aName, fill(ctor(aName), TT, aName));
  const vImpl = await deploy(vName, fill(ctor(vName), TT, vName));
  const sImpl = sName ? await deploy(sName, fill(ctor(sName), TT, sName)) : null;
  const comps = A[confName].abi.find((e) => e.name === 'initReserves').inputs[0].components;
  const rateData = ethers.AbiCoder.defaultAbiCoder().encode(['tuple(uint16,uint32,uint32,uint32)'], [[80_00, 2_00, 6_00, 60_00]]);
  const input = (s) => fill(comps, [
    [/^aTokenImpl$/i, aImpl.target], [/^variableDebtTokenImpl$/i, vImpl.target],
    [/^stableDebtTokenImpl$/i, sImpl ? sImpl.target : ethers.ZeroAddress],
    [/^underlyingAssetDecimals$/i, dec[s]], [/^interestRateStrategyAddress$/i, irs.target],
    [/^underlyingAsset$/i, tok[s].target], [/^treasury$/i, treasury], [/^incentivesController$/i, inc.target],
    [/^useVirtualBalance$/i, true], [/^interestRateData$/i, rateData],
    [/^aTokenName$/i, `Aave ${s}`], [/^aTokenSymbol$/i, `a${s}`],
    [/^variableDebtTokenName$/i, `Aave Variable Debt ${s}`], [/^variableDebtTokenSymbol$/i, `variableDebt${s}`],
    [/^stableDebtTokenName$/i, `Aave Stable Debt ${s}`], [/^stableDebtTokenSymbol$/i, `stableDebt${s}`], [/^params$/i, '0x'],
  ], 'InitReserveInput');
  await send('initReserves', conf.initReserves(syms.map(input)));
  if (MARKET) return marketOnly({ ap, pool, conf, confName, pdp, acl, oracle1, tok, specs, startBlock, treasury });
  await send('collateral WETHX', conf.configureReserveAsCollateral(tok.WETHX.target, 80_00, 82_50, 105_00));
  await send('collateral USDX', conf.configureReserveAsCollateral(tok.USDX.target, 75_00, 78_00, 104_50));
  await send('collateral DAIX', conf.configureReserveAsCollateral(tok.DAIX.target, 70_00, 77_00, 105_00));
  for (const s of syms) await send(`borrowing ${s}`, conf.setReserveBorrowing(tok[s].target, true));
  await send('reserve factor', conf.setReserveFactor(tok.USDX.target, 10_00));
  // a market that starts on 3.0.x has stable debt, which the 3.1 era must swap away before 3.2
  const stable = ver === 'v3.0.2';
  if (stable) await send('stable borrowing USDX', conf.setReserveStableRateBorrowing(tok.USDX.target, true));

  // e-mode: category 1 "stables" (USDX, DAIX); on 3.7 category 2 isolated (USDX collateral only)
  const em = A[confName].abi.find((e) => e.name === 'setEModeCategory');
  const setCat = (id, ltv, lt, lb, label, isolated) => send(`e-mode ${id}`, conf.setEModeCategory(...fill(em.inputs, [[/categoryId/i, id], [/^ltv$/i, ltv], [/liquidationThreshold/i, lt], [/liquidationBonus/i, lb], [/label/i, label], [/oracle/i, ethers.ZeroAddress], [/isolated/i, isolated]], 'setEModeCategory')));
  await setCat(1, 90_00, 93_00, 101_00, 'stables', false);
  const bitmaps = !!conf.interface.getFunction('setAssetCollateralInEMode');
  if (bitmaps) {
    for (const s of ['USDX', 'DAIX']) {
      await send('coll in e-mode', conf.setAssetCollateralInEMode(tok[s].target, 1, true));
      await send('borrowable in e-mode', conf.setAssetBorrowableInEMode(tok[s].target, 1, true));
    }
  } else {
    for (const s of ['USDX', 'DAIX']) await send('asset e-mode', conf.setAssetEModeCategory(tok[s].target, 1));
  }
  const isolatedEmode = em.inputs.some((i) => /isolated/i.test(i.name));
  if (isolatedEmode) {
    await setCat(2, 85_00, 90_00, 102_00, 'iso', true);
    await send('coll in e-mode 2', conf.setAssetCollateralInEMode(tok.USDX.target, 2, true));
    await send('borrowable in e-mode 2', conf.setAssetBorrowableInEMode(tok.DAIX.target, 2, true));
  }

  const U = (s, v) => ethers.parseUnits(String(v), dec[s]);
  const P = (who) => pool.connect(who);
  const users = [bob, alice, carol, dave, eve, frank, gina, hank, ivan, liq];
  for (const u of users)
    for (const s of syms) {
      await send('mint', tok[s]['mint(address,uint256)'](u.address, U(s, 1_000_000)));
      await send('approve', tok[s].connect(u).approve(poolAddr, MAX));
    }
  // liquidity, then positions
  for (const s of syms) await send(`bob supplies ${s}`, P(bob).supply(tok[s].target, U(s, s === 'WETHX' ? 500 : 500_000), bob.address, 0));
  await send('alice supplies', P(alice).supply(tok.WETHX.target, U('WETHX', 10), alice.address, 0));
  await send('alice borrows', P(alice).borrow(tok.USDX.target, U('USDX', 9_000), 2, 0, alice.address));
  await send('carol supplies', P(carol).supply(tok.USDX.target, U('USDX', 10_000), carol.address, 0));
  await send('carol e-mode', P(carol).setUserEMode(1));
  await send('carol borrows', P(carol).borrow(tok.DAIX.target, U('DAIX', 8_700), 2, 0, carol.address));
  await send('gina supplies', P(gina).supply(tok.WETHX.target, U('WETHX', 5), gina.address, 0));
  await send('gina borrows', P(gina).borrow(tok.USDX.target, U('USDX', 5_800), 2, 0, gina.address));
  await send('hank supplies', P(hank).supply(tok.WETHX.target, U('WETHX', 1), hank.address, 0));
  await send('hank borrows', P(hank).borrow(tok.USDX.target, U('USDX', 1_500), 2, 0, hank.address));
  await send('eve supplies', P(eve).supply(tok.DAIX.target, U('DAIX', 3_000), eve.address, 0));
  await send('eve borrows', P(eve).borrow(tok.WETHX.target, U('WETHX', 0.5), 2, 0, eve.address));
  if (isolatedEmode) {
    await send('ivan e-mode 2', P(ivan).setUserEMode(2));
    await send('ivan supplies USDX', P(ivan).supply(tok.USDX.target, U('USDX', 1_000), ivan.address, 0));
    await send('ivan supplies WETHX', P(ivan).supply(tok.WETHX.target, U('WETHX', 2), ivan.address, 0));
    await send('ivan borrows', P(ivan).borrow(tok.DAIX.target, U('DAIX', 300), 2, 0, ivan.address));
  } else {
    await send('ivan supplies', P(ivan).supply(tok.WETHX.target, U('WETHX', 2), ivan.address, 0));
    if (stable) await send('ivan borrows stable', P(ivan).borrow(tok.USDX.target, U('USDX', 1_000) + 7n, 1, 0, ivan.address));
  }
  await advance(40);

  // edge amounts: 1 wei and amounts just off an index multiple
  await attempt('dave supplies 1 wei', P(dave).supply(tok.DAIX.target, 1n, dave.address, 0));
  await send('dave supplies odd', P(dave).supply(tok.DAIX.target, 10n ** 18n + 7n, dave.address, 0));
  await send('dave supplies WETHX', P(dave).supply(tok.WETHX.target, 3n * 10n ** 18n + 1n, dave.address, 0));
  await send('dave borrows 1 wei', P(dave).borrow(tok.USDX.target, 1n, 2, 0, dave.address));
  await send('dave borrows odd', P(dave).borrow(tok.USDX.target, 1_234_567_891n, 2, 0, dave.address));
  await advance(3);
  await attempt('dave withdraws 1 wei', P(dave).withdraw(tok.DAIX.target, 1n, dave.address));
  await send('dave withdraws odd', P(dave).withdraw(tok.DAIX.target, 333_333_333_333_333_333n, dave.address));
  await send('dave repays odd', P(dave).repay(tok.USDX.target, 123_456_789n, 2, dave.address));
  await attempt('dave repays 1 wei', P(dave).repay(tok.USDX.target, 1n, 2, dave.address));
  await send('alice repays part', P(alice).repay(tok.USDX.target, U('USDX', 1_000) + 13n, 2, alice.address));
  // aToken transfer to a fresh account: collateral enabled for the receiver only up to 3.5
  const ga = async (s) => (await pool.getReserveData(tok[s].target)).aTokenAddress;
  const aDai = new ethers.Contract(await ga('DAIX'), A[aName].abi, eve);
  await send('eve transfers aDAIX', aDai.transfer(frank.address, U('DAIX', 500) + 3n));
  await send('dave withdraws all DAIX', P(dave).withdraw(tok.DAIX.target, MAX, dave.address));
  await advance(20);
  await send('touch USDX', P(bob).supply(tok.USDX.target, 17n, bob.address, 0));
  const mid = await blockNumber();
  log(`mid block ${mid}`);

  // in-place upgrades, each followed by activity with odd amounts and accrued interest
  const steps = [{ version: ver.slice(1), block: mid }];
  const stableTok = {};
  for (const s of syms) {
    const a = (await pool.getReserveData(tok[s].target)).stableDebtTokenAddress;
    if (a && a !== ethers.ZeroAddress) stableTok[s] = a;
  }
  let cur = { pool, conf, poolName, confName };
  const rateTuple = ['tuple(uint16,uint32,uint32,uint32)'];
  for (const up of UPGRADES) {
    // 3.2's payload reads, before upgrading, each reserve's rate curve and legacy e-mode
    // category (configuration bits 168-175), to write them back as a new strategy and bitmaps
    const before = {};
    if (up === 'v3.2.0')
      for (const s of syms) {
        const rd = await cur.pool.getReserveData(tok[s].target);
        const old = new ethers.Contract(irs.target, A.DefaultReserveInterestRateStrategyV2.abi, admin);
        before[s] = { cat: Number((BigInt(rd.configuration[0]) >> 168n) & 0xffn), rate: await old.getInterestRateDataBps(tok[s].target) };
      }
    A = { ...load(up), ...((CUSTOM[up] || {}).contracts || {}) };
    libs = {};
    const T2 = [...T];
    const pn = pick('PoolInstanceWithCustomInitialize', 'PoolInstance3_2', 'PoolInstance');
    const cn = pick('PoolConfiguratorWithCustomInitialize', 'PoolConfiguratorInstance');
    const newPool = await deploy(pn, fill(ctor(pn), T2, pn));
    const confChanged = up !== 'v3.5.0'; // the payloads installed a configurator except in 3.5
    if (confChanged) {
      const newConf = await deploy(cn, fill(ctor(cn), T2, cn));
      await send(`${up} configurator`, ap.setPoolConfiguratorImpl(newConf.target));
    }
    await send(`${up} pool`, ap.setPoolImpl(newPool.target));
    if (up <= 'v3.4.0') await send(`${up} data provider`, ap.setPoolDataProvider((await deploy('AaveProtocolDataProvider', [ap.target])).target));
    const p2 = new ethers.Contract(poolAddr, A[pn].abi, admin);
    const c2 = new ethers.Contract(confAddr, A[cn].abi, admin);
    if (up === 'v3.1.0' || up === 'v3.2.0') {
      // 3.1: every reserve moves to the V2 strategy with its legacy curve in bps (ray / 1e23);
      // 3.2: e-mode categories re-emitted as bitmaps, then a fresh V2 strategy, same curves
      const v2 = await deploy('DefaultReserveInterestRateStrategyV2', [ap.target]);
      const legacy = new ethers.Contract(irs.target, ['function OPTIMAL_USAGE_RATIO() view returns (uint256)',
        'function getBaseVariableBorrowRate() view returns (uint256)', 'function getVariableRateSlope1() view returns (uint256)',
        'function getVariableRateSlope2() view returns (uint256)'], admin);
      for (const s of syms) {
        let rate;
        if (up === 'v3.1.0') {
          const k = 10n ** 23n;
          rate = [await legacy.OPTIMAL_USAGE_RATIO() / k, await legacy.getBaseVariableBorrowRate() / k,
            await legacy.getVariableRateSlope1() / k, await legacy.getVariableRateSlope2() / k];
        } else {
          rate = [...before[s].rate];
          if (before[s].cat) {
            await send(`${up} e-mode collateral ${s}`, c2.setAssetCollateralInEMode(tok[s].target, before[s].cat, true));
            await send(`${up} e-mode borrowable ${s}`, c2.setAssetBorrowableInEMode(tok[s].target, before[s].cat, true));
          }
        }
        await send(`${up} rate strategy ${s}`, c2.setReserveInterestRateStrategyAddress(tok[s].target, v2.target,
          ethers.AbiCoder.defaultAbiCoder().encode(rateTuple, [rate])));
      }
      irs = v2;
    }
    if (up >= 'v3.4.0' && up <= 'v3.6.0') {
      const a2 = pick('ATokenInstance'), v2 = pick('VariableDebtTokenInstance');
      const TT2 = [[/pool/i, poolAddr], ...T2];
      const ai = await deploy(a2, fill(ctor(a2), TT2, a2));
      const vi = await deploy(v2, fill(ctor(v2), TT2, v2));
      const ua = A[cn].abi.find((e) => e.name === 'updateAToken').inputs[0].components;
      const uv = A[cn].abi.find((e) => e.name === 'updateVariableDebtToken').inputs[0].components;
      for (const s of syms) {
        const row = (impl, kind) => [[/^asset$/i, tok[s].target], [/^name$/i, kind === 'a' ? `Aave ${s}` : `Aave Variable Debt ${s}`], [/^symbol$/i, kind === 'a' ? `a${s}` : `variableDebt${s}`], [/^implementation$/i, impl], [/^treasury$/i, treasury], [/^incentivesController$/i, inc.target], [/^params$/i, '0x']];
        await send(`${up} aToken ${s}`, c2.updateAToken(fill(ua, row(ai.target, 'a'), 'UpdateATokenInput')));
        await send(`${up} vToken ${s}`, c2.updateVariableDebtToken(fill(uv, row(vi.target, 'v'), 'UpdateDebtTokenInput')));
      }
    }
    cur = { pool: p2, conf: c2, poolName: pn, confName: cn };
    const P2 = (who) => p2.connect(who);
    await advance(7);
    await send(`${up} bob supplies`, P2(bob).supply(tok.USDX.target, 1_000_003n, bob.address, 0));
    await send(`${up} alice borrows`, P2(alice).borrow(tok.USDX.target, 77_777_777n, 2, 0, alice.address));
    await send(`${up} dave repays`, P2(dave).repay(tok.USDX.target, 12_345n, 2, dave.address));
    await send(`${up} carol repays`, P2(carol).repay(tok.DAIX.target, 10n ** 18n + 9n, 2, carol.address));
    await send(`${up} eve withdraws`, P2(eve).withdraw(tok.DAIX.target, 3n * 10n ** 17n + 1n, eve.address));
    await advance(3);
    // anyone may swap a stable position to variable from 3.1 on; 3.2 needs none left
    if (up === 'v3.1.0' && stable) await send(`${up} ivan's stable debt to variable`, P2(liq).swapToVariable(tok.USDX.target, ivan.address));
    await send(`${up} touch`, P2(bob).supply(tok.WETHX.target, 11n, bob.address, 0));
    steps.push({ version: up.slice(1), block: await blockNumber() });
    log(`upgraded to ${up} at block ${steps[steps.length - 1].block}`);
  }
  const pool_ = cur.pool;
  const P3 = (who) => pool_.connect(who);

  // WETHX falls to 1400: with ORIGIN_ORACLE_SWAP=1 governance replaces the whole price oracle
  // (PriceOracleUpdated), else the oracle gets a new WETHX source
  if (process.env.ORIGIN_ORACLE_SWAP === '1') {
    const oracle2 = await deploy('AaveOracle', [ap.target, syms.map((s) => tok[s].target), [await feed(1400n * 10n ** 8n), await feed(10n ** 8n), await feed(10n ** 8n)], ethers.ZeroAddress, ethers.ZeroAddress, 10n ** 8n]);
    await send('setPriceOracle', ap.setPriceOracle(oracle2.target));
  } else {
    await send('new WETHX source', oracle1.setAssetSources([tok.WETHX.target], [await feed(1400n * 10n ** 8n)]));
  }
  if (cur.conf.interface.getFunction('setAssetLtvzeroInEMode'))
    await send('ltv zero in e-mode', cur.conf.setAssetLtvzeroInEMode(tok.DAIX.target, 1, true));
  // gina: HF in [0.95, 1) -> 50 % close factor; hank: HF < 0.95 and collateral worth less than
  // the debt -> everything seized, the rest is bad debt (a deficit burn from 3.3)
  const show = async (who, n) => { const d = await pool_.getUserAccountData(who.address); log(`${n} HF ${ethers.formatUnits(d[5], 18)}`); };
  await show(gina, 'gina');
  await show(hank, 'hank');
  await send('liquidate gina', P3(liq).liquidationCall(tok.WETHX.target, tok.USDX.target, gina.address, MAX, false));
  await send('liquidate hank', P3(liq).liquidationCall(tok.WETHX.target, tok.USDX.target, hank.address, MAX, true));
  await advance(5);
  await send('carol repays', P3(carol).repay(tok.DAIX.target, U('DAIX', 100) + 1n, 2, carol.address));
  await send('frank withdraws', P3(frank).withdraw(tok.DAIX.target, U('DAIX', 100), frank.address));
  await advance(2);
  const head = await blockNumber();

  const reserves = {};
  for (const s of syms) {
    // a stable-debt token 3.2 unlisted still answers balanceOf (0 after the swap)
    if (stableTok[s]) reserves[s] = { stableDebtToken: stableTok[s] };
    const rd = await pool_.getReserveData(tok[s].target);
    reserves[s] = { ...reserves[s], asset: tok[s].target, aToken: rd.aTokenAddress, variableDebtToken: rd.variableDebtTokenAddress };
    if (rd.stableDebtTokenAddress && rd.stableDebtTokenAddress !== ethers.ZeroAddress) reserves[s].stableDebtToken = rd.stableDebtTokenAddress;
  }
  const chains = path.join(stateDir, 'chains');
  fs.mkdirSync(chains, { recursive: true });
  fs.writeFileSync(path.join(chains, 'devnet.json'), JSON.stringify({
    name: 'devnet', chain_id: Number((await provider.getNetwork()).chainId), reorg_window: 64, confirmations: 0, max_block_range: 10000,
    deployments: [{
      name: 'aave-v3-devnet', protocol: 'aave_v3', version: '3.0.2', start_block: startBlock, base_currency_decimals: 8,
      contracts: { pool: poolAddr, pool_configurator: confAddr, pool_addresses_provider: ap.target, oracle: oracle1.target, data_provider: pdp.target, acl_manager: acl.target },
    }],
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify({
    rpc: rpcUrl, version: steps[steps.length - 1].version, steps, pool: poolAddr, mid_block: mid, head_block: head, reserves,
    accounts: [bob, alice, carol, dave, eve, frank, gina, hank, ivan, liq, { address: treasury }].map((u) => u.address),
  }, null, 2) + '\n');
  log(`deployed and played: blocks ${startBlock}..${head}`);
}
async function marketOnly(m) {
  const { conf, tok, specs } = m;
  for (const r of specs) {
    await send(`collateral ${r.sym}`, conf.configureReserveAsCollateral(tok[r.sym].target, r.ltv, r.lt, r.bonus));
    if (r.borrowable) await send(`borrowing ${r.sym}`, conf.setReserveBorrowing(tok[r.sym].target, true));
    if (r.fee) await send(`protocol fee ${r.sym}`, conf.setLiquidationProtocolFee(tok[r.sym].target, r.fee));
    if (r.reserveFactor) await send(`reserve factor ${r.sym}`, conf.setReserveFactor(tok[r.sym].target, r.reserveFactor));
  }
  const em = A[m.confName].abi.find((e) => e.name === 'setEModeCategory');
  const E = MARKET.emode;
  await send('e-mode 1', conf.setEModeCategory(...fill(em.inputs, [[/categoryId/i, 1], [/^ltv$/i, E.ltv], [/liquidationThreshold/i, E.lt], [/liquidationBonus/i, E.bonus], [/label/i, 'emode1'], [/oracle/i, ethers.ZeroAddress], [/isolated/i, false]], 'setEModeCategory')));
  for (const r of specs.filter((x) => x.emode)) {
    if (conf.interface.getFunction('setAssetCollateralInEMode')) {
      await send(`coll in e-mode ${r.sym}`, conf.setAssetCollateralInEMode(tok[r.sym].target, 1, true));
      await send(`borrowable in e-mode ${r.sym}`, conf.setAssetBorrowableInEMode(tok[r.sym].target, 1, true));
    } else {
      await send(`asset e-mode ${r.sym}`, conf.setAssetEModeCategory(tok[r.sym].target, 1));
    }
  }
  const reserves = {};
  for (const r of specs) {
    const rd = await m.pool.getReserveData(tok[r.sym].target);
    reserves[r.sym] = { asset: tok[r.sym].target, aToken: rd.aTokenAddress, variableDebtToken: rd.variableDebtTokenAddress, decimals: r.decimals };
    if (rd.stableDebtTokenAddress && rd.stableDebtTokenAddress !== ethers.ZeroAddress) reserves[r.sym].stableDebtToken = rd.stableDebtTokenAddress;
  }
  const groups = {};
  for (const r of specs) if (r.group) (groups[r.group] = groups[r.group] || []).push(tok[r.sym].target.toLowerCase());
  const chains = path.join(stateDir, 'chains');
  fs.mkdirSync(chains, { recursive: true });
  fs.writeFileSync(path.join(chains, 'devnet.json'), JSON.stringify({
    name: 'devnet', chain_id: Number((await provider.getNetwork()).chainId), reorg_window: 64, confirmations: 0, max_block_range: 10000,
    deployments: [{
      name: 'aave-v3-devnet', protocol: 'aave_v3', version: ver.slice(1), start_block: m.startBlock, base_currency_decimals: 8,
      contracts: { pool: m.pool.target, pool_configurator: conf.target, pool_addresses_provider: m.ap.target, oracle: m.oracle1.target, data_provider: m.pdp.target, acl_manager: m.acl.target },
      groups,
    }],
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify({
    rpc: rpcUrl, version: ver.slice(1), pool: m.pool.target, oracle: m.oracle1.target, treasury: m.treasury, reserves,
  }, null, 2) + '\n');
  log(`market only: ${specs.length} reserves, blocks ${m.startBlock}..${await blockNumber()}`);
}
main().catch((e) => { console.error(`origin ${ver}: ${e.stack || e.message}`); process.exit(2); });
