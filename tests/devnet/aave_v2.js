// aave_v2.js: deploys an Aave V2 market from the npm @aave/protocol-v2 1.0.1 artifacts on a
// running anvil (LendingPoolAddressesProvider, LendingPool linked to ReserveLogic /
// ValidationLogic / GenericLogic, configurator, collateral manager, AaveOracle on mock
// aggregators whose answers are replaced to move prices, LendingRateOracle, the default rate
// strategy, three reserves with stable borrowing) and plays a seeded random scenario: deposits,
// variable and stable borrows, repays (one smaller than the stable interest: the burn that
// StableDebtToken logs as a Mint), withdrawals, aToken transfers, collateral toggles, rate swaps
// both ways, time jumps and price moves, the price oracle replaced through the addresses provider
// (PriceOracleUpdated), then two liquidationCalls (underlying and aTokens, stable debt
// burnt after variable). Writes STATEDIR/chains/devnet.json and STATEDIR/scenario.json (mid and
// head blocks, accounts, reserves, the liquidations) for verify.js.
//
// usage: node aave_v2.js RPC_URL STATEDIR [SEED]
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { receiptOf } = require('./lib/net');

const [rpcUrl, stateDir, seedArg] = process.argv.slice(2);
if (!rpcUrl || !stateDir) {
  console.error('usage: node aave_v2.js RPC_URL STATEDIR [SEED]');
  process.exit(1);
}
const ART = path.join(__dirname, 'node_modules/@aave/protocol-v2/artifacts/contracts');
const files = {
  LendingPoolAddressesProvider: 'protocol/configuration/LendingPoolAddressesProvider.sol',
  LendingPool: 'protocol/lendingpool/LendingPool.sol',
  LendingPoolConfigurator: 'protocol/lendingpool/LendingPoolConfigurator.sol',
  LendingPoolCollateralManager: 'protocol/lendingpool/LendingPoolCollateralManager.sol',
  ReserveLogic: 'protocol/libraries/logic/ReserveLogic.sol',
  GenericLogic: 'protocol/libraries/logic/GenericLogic.sol',
  ValidationLogic: 'protocol/libraries/logic/ValidationLogic.sol',
  AToken: 'protocol/tokenization/AToken.sol',
  StableDebtToken: 'protocol/tokenization/StableDebtToken.sol',
  VariableDebtToken: 'protocol/tokenization/VariableDebtToken.sol',
  DefaultReserveInterestRateStrategy: 'protocol/lendingpool/DefaultReserveInterestRateStrategy.sol',
  AaveOracle: 'misc/AaveOracle.sol',
  MockAggregator: 'mocks/oracle/CLAggregators/MockAggregator.sol',
  LendingRateOracle: 'mocks/oracle/LendingRateOracle.sol',
  MintableERC20: 'mocks/tokens/MintableERC20.sol',
};
const art = (n) => JSON.parse(fs.readFileSync(path.join(ART, files[n], `${n}.json`)));
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 });
provider.pollingInterval = 20;
const estimate = provider.estimateGas.bind(provider);
provider.estimateGas = async (tx) => 2n * (await estimate(tx));
const log = (...a) => { if (!process.env.DEVNET_QUIET) console.error('aave_v2:', ...a); };
const MAX = ethers.MaxUint256;
const RAY = 10n ** 27n;

// a small deterministic generator (xorshift32), so a seed replays the same scenario
let seed = (Number(seedArg || process.env.AAVE_V2_SEED || 7) >>> 0) || 7;
function rnd() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
}
const pickOf = (xs) => xs[Math.floor(rnd() * xs.length)];

const waitReceipt = (hash, what) => receiptOf(provider, hash, what); // lib/net.js: bounded, by hand
async function send(what, p) {
  let tx;
  try {
    tx = await p;
  } catch (e) {
    throw new Error(`${what}: ${e.shortMessage || e.message}`);
  }
  return waitReceipt(tx.hash, what);
}
// a random step the pool may refuse (health, liquidity, stable-rate rules): a refusal is skipped
async function attempt(what, p) {
  try {
    await send(what, p);
    return true;
  } catch (e) {
    log(`(refused) ${e.message.split('\n')[0]}`);
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
const libs = {};
let admin;
async function deploy(n, args = []) {
  const a = art(n);
  for (const file of Object.values(a.linkReferences || {}))
    for (const lib of Object.keys(file))
      if (!libs[lib]) libs[lib] = (await deploy(lib)).target;
  const f = new ethers.ContractFactory(a.abi, link(a.bytecode, a.linkReferences, libs), admin);
  const c = await f.deploy(...args);
  const rc = await waitReceipt(c.deploymentTransaction().hash, `deploy ${n}`);
  return new ethers.Contract(rc.contractAddress, a.abi, admin);
}
async function rpc(m, p = []) { return provider.send(m, p); }
async function advance(seconds) {
  const b = await rpc('eth_getBlockByNumber', ['latest', false]);
  await rpc('evm_setNextBlockTimestamp', [Number(b.timestamp) + Math.max(1, Math.round(seconds))]);
  await rpc('evm_mine', []);
}
const blockNumber = async () => Number(await rpc('eth_blockNumber'));

async function main() {
  const accounts = await rpc('eth_accounts');
  const S = await Promise.all(accounts.map((a) => provider.getSigner(a)));
  admin = S[0];
  const users = S.slice(1, 8);
  const liq = S[9];
  const treasury = accounts[accounts.length - 1];
  const startBlock = (await blockNumber()) + 1;

  const ap = await deploy('LendingPoolAddressesProvider', ['lendex-v2']);
  await send('setPoolAdmin', ap.setPoolAdmin(admin.address));
  await send('setEmergencyAdmin', ap.setEmergencyAdmin(admin.address));
  const poolImpl = await deploy('LendingPool');
  await send('setLendingPoolImpl', ap.setLendingPoolImpl(poolImpl.target));
  const confImpl = await deploy('LendingPoolConfigurator');
  await send('setLendingPoolConfiguratorImpl', ap.setLendingPoolConfiguratorImpl(confImpl.target));
  const cm = await deploy('LendingPoolCollateralManager');
  await send('setLendingPoolCollateralManager', ap.setLendingPoolCollateralManager(cm.target));
  const poolAddr = await ap.getLendingPool(), confAddr = await ap.getLendingPoolConfigurator();
  const pool = new ethers.Contract(poolAddr, art('LendingPool').abi, admin);
  const conf = new ethers.Contract(confAddr, art('LendingPoolConfigurator').abi, admin);

  const dec = { WETH: 18, DAI: 18, USDC: 6 };
  const syms = Object.keys(dec);
  const tok = {};
  for (const s of syms) tok[s] = await deploy('MintableERC20', [`Test ${s}`, s, dec[s]]);
  // prices in ETH wei per whole token: WETH is the base (AaveOracle answers 1 ether for it)
  const price = { WETH: 10n ** 18n, DAI: 5n * 10n ** 14n, USDC: 5n * 10n ** 14n };
  const agg = async (p) => (await deploy('MockAggregator', [p])).target;
  let oracle = await deploy('AaveOracle', [['DAI', 'USDC'].map((s) => tok[s].target),
    [await agg(price.DAI), await agg(price.USDC)], ethers.ZeroAddress, tok.WETH.target]);
  await send('setPriceOracle', ap.setPriceOracle(oracle.target));
  const lro = await deploy('LendingRateOracle');
  await send('setLendingRateOracle', ap.setLendingRateOracle(lro.target));
  const strategy = await deploy('DefaultReserveInterestRateStrategy', [ap.target, 8n * RAY / 10n, 0n,
    4n * RAY / 100n, 75n * RAY / 100n, 2n * RAY / 100n, 75n * RAY / 100n]);
  const cfg = { WETH: [8000, 8250, 10500], DAI: [7500, 8000, 10500], USDC: [8000, 8500, 10500] };
  const reserves = {};
  for (const s of syms) {
    await send(`rate ${s}`, lro.setMarketBorrowRate(tok[s].target, 3n * RAY / 100n));
    const a = await deploy('AToken', [poolAddr, tok[s].target, treasury, `Aave interest bearing ${s}`, `a${s}`, ethers.ZeroAddress]);
    const sd = await deploy('StableDebtToken', [poolAddr, tok[s].target, `Aave stable debt ${s}`, `stableDebt${s}`, ethers.ZeroAddress]);
    const vd = await deploy('VariableDebtToken', [poolAddr, tok[s].target, `Aave variable debt ${s}`, `variableDebt${s}`, ethers.ZeroAddress]);
    await send(`initReserve ${s}`, conf.initReserve(a.target, sd.target, vd.target, dec[s], strategy.target));
    await send(`collateral ${s}`, conf.configureReserveAsCollateral(tok[s].target, ...cfg[s]));
    await send(`borrowing ${s}`, conf.enableBorrowingOnReserve(tok[s].target, true));
    await send(`reserve factor ${s}`, conf.setReserveFactor(tok[s].target, 1000));
    const rd = await pool.getReserveData(tok[s].target);
    reserves[s] = { asset: tok[s].target, aToken: rd.aTokenAddress, stableDebtToken: rd.stableDebtTokenAddress,
      variableDebtToken: rd.variableDebtTokenAddress };
  }
  const U = (s, x) => BigInt(Math.round(x * 1e6)) * 10n ** BigInt(dec[s]) / 1000000n;
  const P = (u) => pool.connect(u);
  const T = (s, u) => tok[s].connect(u);
  const aTok = (s, u) => new ethers.Contract(reserves[s].aToken, art('AToken').abi, u);
  for (const u of [...users, liq]) {
    for (const s of syms) {
      await send('mint', T(s, u).mint(U(s, 1000000)));
      await send('approve', T(s, u).approve(poolAddr, MAX));
    }
  }
  // everybody supplies something, so there is liquidity in every reserve
  const amounts = { WETH: 50, DAI: 100000, USDC: 100000 };
  for (const u of users)
    for (const s of syms)
      await send(`deposit ${s}`, P(u).deposit(tok[s].target, U(s, amounts[s] * (0.2 + rnd())), u.address, 0));

  async function step(i) {
    const u = pickOf(users), s = pickOf(syms), f = 0.01 + rnd() * 0.2;
    const r = rnd();
    if (r < 0.2) return attempt(`deposit ${i}`, P(u).deposit(tok[s].target, U(s, amounts[s] * f), u.address, 0));
    if (r < 0.4) return attempt(`borrow ${i}`, P(u).borrow(tok[s].target, U(s, amounts[s] * f / 4), rnd() < 0.5 ? 1 : 2, 0, u.address));
    if (r < 0.5) return attempt(`repay ${i}`, P(u).repay(tok[s].target, rnd() < 0.3 ? MAX : U(s, amounts[s] * f / 8), rnd() < 0.5 ? 1 : 2, u.address));
    if (r < 0.58) return attempt(`withdraw ${i}`, P(u).withdraw(tok[s].target, rnd() < 0.2 ? MAX : U(s, amounts[s] * f / 4), u.address));
    if (r < 0.66) return attempt(`transfer ${i}`, aTok(s, u).transfer(pickOf([...users, S[10]]).address, U(s, amounts[s] * f / 5)));
    if (r < 0.74) return attempt(`collateral ${i}`, P(u).setUserUseReserveAsCollateral(tok[s].target, rnd() < 0.6));
    if (r < 0.8) return attempt(`swap ${i}`, P(u).swapBorrowRateMode(tok[s].target, rnd() < 0.5 ? 1 : 2));
    if (r < 0.88 && s !== 'WETH') {
      price[s] = price[s] * BigInt(90 + Math.floor(rnd() * 20)) / 100n;
      return send(`price ${s}`, oracle.setAssetSources([tok[s].target], [await agg(price[s])]));
    }
    return advance(rnd() * 30 * 86400);
  }
  let i = 0;
  for (; i < 40; i++) await step(i);
  await advance(86400);
  const mid = await blockNumber();
  for (; i < 80; i++) await step(i);

  // stable interest larger than a repayment: StableDebtToken.burn logs Mint(user, user, ...)
  const [sa, sb] = [S[11], S[12]];
  for (const u of [sa, sb]) for (const s of syms) {
    await send('mint', T(s, u).mint(U(s, 1000000)));
    await send('approve', T(s, u).approve(poolAddr, MAX));
  }
  await send('sa deposits WETH', P(sa).deposit(tok.WETH.target, U('WETH', 100), sa.address, 0));
  await send('sa borrows DAI stable', P(sa).borrow(tok.DAI.target, U('DAI', 20000), 1, 0, sa.address));
  await send('sa borrows DAI variable', P(sa).borrow(tok.DAI.target, U('DAI', 10000), 2, 0, sa.address));
  await advance(365 * 86400);
  await send('sa repays less than the interest', P(sa).repay(tok.DAI.target, U('DAI', 1), 1, sa.address));
  await send('sa borrows DAI stable again', P(sa).borrow(tok.DAI.target, U('DAI', 1), 1, 0, sa.address));
  await advance(86400);
  // rate swaps both ways (the stable burn and the variable mint, then back)
  await send('sa swaps DAI stable to variable', P(sa).swapBorrowRateMode(tok.DAI.target, 1));
  await advance(3600);
  await send('sa swaps DAI variable to stable', P(sa).swapBorrowRateMode(tok.DAI.target, 2));
  await attempt('rebalance sa', P(liq).rebalanceStableBorrowRate(tok.DAI.target, sa.address));
  // governance replaces the price oracle (PriceOracleUpdated): lendex must read the new one,
  // whose USDC answer differs from the old one's
  price.USDC = price.USDC * 97n / 100n;
  oracle = await deploy('AaveOracle', [['DAI', 'USDC'].map((s) => tok[s].target),
    [await agg(price.DAI), await agg(price.USDC)], ethers.ZeroAddress, tok.WETH.target]);
  await send('setPriceOracle (new)', ap.setPriceOracle(oracle.target));
  await advance(3 * 86400);

  // two liquidations of sb: DAI debt (variable and stable) against WETH, DAI's price raised
  await send('sb deposits WETH', P(sb).deposit(tok.WETH.target, U('WETH', 10), sb.address, 0));
  await send('sb deposits USDC', P(sb).deposit(tok.USDC.target, U('USDC', 1000), sb.address, 0));
  await send('sb borrows DAI variable', P(sb).borrow(tok.DAI.target, U('DAI', 3000), 2, 0, sb.address));
  await send('sb borrows DAI stable', P(sb).borrow(tok.DAI.target, U('DAI', 10000), 1, 0, sb.address));
  await advance(30 * 86400);
  price.DAI = price.DAI * 16n / 10n;
  await send('price DAI up', oracle.setAssetSources([tok.DAI.target], [await agg(price.DAI)]));
  const before1 = await blockNumber();
  const l1 = await send('liquidation (underlying)', P(liq).liquidationCall(tok.WETH.target, tok.DAI.target, sb.address, MAX, false));
  await advance(3600);
  price.DAI = price.DAI * 13n / 10n;
  await send('price DAI up again', oracle.setAssetSources([tok.DAI.target], [await agg(price.DAI)]));
  const before2 = await blockNumber();
  const l2 = await send('liquidation (aTokens)', P(liq).liquidationCall(tok.WETH.target, tok.DAI.target, sb.address, MAX, true));
  await advance(86400);
  // four borrowers near the edge (DAI debt at 70-76 % of WETH, half of it stable for two): the
  // cascade check's round 1 liquidates them after a DAI rise
  const edge = S.slice(13, 17);
  for (let k = 0; k < edge.length; k++) {
    const u = edge[k];
    await send('mint', T('WETH', u).mint(U('WETH', 100)));
    await send('approve', T('WETH', u).approve(poolAddr, MAX));
    await send('edge deposit', P(u).deposit(tok.WETH.target, U('WETH', 10), u.address, 0));
    const debt = 10n * 10n ** 18n * BigInt(70 + 2 * k) / 100n * 10n ** 18n / price.DAI;
    if (k % 2) {
      await send('edge borrow stable', P(u).borrow(tok.DAI.target, debt / 2n, 1, 0, u.address));
      await send('edge borrow variable', P(u).borrow(tok.DAI.target, debt - debt / 2n, 2, 0, u.address));
    } else {
      await send('edge borrow variable', P(u).borrow(tok.DAI.target, debt, 2, 0, u.address));
    }
  }
  await attempt('a last deposit', P(users[0]).deposit(tok.USDC.target, U('USDC', 5), users[0].address, 0));
  await advance(7 * 86400);
  const head = await blockNumber();

  const liqTopic = pool.interface.getEvent('LiquidationCall').topicHash;
  const liquidations = [[l1, before1], [l2, before2]].map(([r, before]) => {
    const lg = r.logs.find((x) => x.address.toLowerCase() === poolAddr.toLowerCase() && x.topics[0] === liqTopic);
    const ev = pool.interface.parseLog(lg);
    return { block: Number(r.blockNumber), before, user: ev.args.user, collateral: ev.args.collateralAsset, debt: ev.args.debtAsset,
      debtToCover: String(ev.args.debtToCover), liquidatedCollateralAmount: String(ev.args.liquidatedCollateralAmount),
      receiveAToken: ev.args.receiveAToken };
  });
  // each liquidation's inputs as the chain had them at the liquidation's own timestamp (the
  // block before, its time overridden) and its outcome: fixtures/aave_v2/liquidations.json, the
  // input of test_aave_v2's liquidation check (AAVE_V2_FIXTURE=FILE writes it)
  if (process.env.AAVE_V2_FIXTURE) {
    const out = [];
    for (const L of liquidations) {
      const ts = (await provider.getBlock(L.block)).timestamp;
      const call = async (to, abi, fn, args, block, ov) => {
        const i = new ethers.Interface([abi]);
        const r = await rpc('eth_call', [{ to, data: i.encodeFunctionData(fn, args) }, '0x' + block.toString(16), {}, ov || {}]);
        return i.decodeFunctionResult(fn, r)[0];
      };
      const state = async (block, ov) => {
        const ucfg = await call(poolAddr, 'function getUserConfiguration(address) view returns (uint256)', 'getUserConfiguration', [L.user], block, ov);
        const assets = [], pos = [];
        for (const s of syms) {
          const r = reserves[s], rd = await pool.getReserveData(r.asset, { blockTag: block });
          const cfgw = BigInt(rd.configuration[0] ?? rd.configuration);
          const bal = (t, fn) => call(t, `function ${fn}(address) view returns (uint256)`, fn, [L.user], block, ov);
          assets.push({ symbol: s, asset: r.asset, decimals: Number((cfgw >> 48n) & 0xffn),
            price: String(await call(oracle.target, 'function getAssetPrice(address) view returns (uint256)', 'getAssetPrice', [r.asset], block, ov)),
            ltv: Number(cfgw & 0xffffn), lt: Number((cfgw >> 16n) & 0xffffn), bonus: Number((cfgw >> 32n) & 0xffffn),
            liquidityIndex: String(await call(poolAddr, 'function getReserveNormalizedIncome(address) view returns (uint256)', 'getReserveNormalizedIncome', [r.asset], block, ov)),
            borrowIndex: String(await call(poolAddr, 'function getReserveNormalizedVariableDebt(address) view returns (uint256)', 'getReserveNormalizedVariableDebt', [r.asset], block, ov)),
            available: String(await call(r.asset, 'function balanceOf(address) view returns (uint256)', 'balanceOf', [r.aToken], block, ov)) });
          pos.push({ supplied: String(await bal(r.aToken, 'balanceOf')), scaledSupplied: String(await bal(r.aToken, 'scaledBalanceOf')),
            variable: String(await bal(r.variableDebtToken, 'balanceOf')), scaledVariable: String(await bal(r.variableDebtToken, 'scaledBalanceOf')),
            stable: String(await bal(r.stableDebtToken, 'balanceOf')), collateral: ((BigInt(ucfg) >> BigInt(2 * Number(rd.id) + 1)) & 1n) === 1n });
        }
        return { assets, pos };
      };
      const pre = await state(L.before, { time: '0x' + ts.toString(16) });
      const post = await state(L.block);
      out.push({ ...L, timestamp: ts, assets: pre.assets, before: pre.pos, after: post.pos,
        ci: syms.findIndex((s) => reserves[s].asset.toLowerCase() === L.collateral.toLowerCase()),
        di: syms.findIndex((s) => reserves[s].asset.toLowerCase() === L.debt.toLowerCase()) });
    }
    fs.writeFileSync(process.env.AAVE_V2_FIXTURE, JSON.stringify({
      source: 'tests/devnet/aave_v2.js (seed ' + (seedArg || process.env.AAVE_V2_SEED || 7) + ') on @aave/protocol-v2 1.0.1', liquidations: out }, null, 1) + '\n');
  }
  const chains = path.join(stateDir, 'chains');
  fs.mkdirSync(chains, { recursive: true });
  fs.writeFileSync(path.join(chains, 'devnet.json'), JSON.stringify({
    name: 'devnet', chain_id: Number((await provider.getNetwork()).chainId), reorg_window: 64, confirmations: 0, max_block_range: 10000,
    deployments: [{
      name: 'aave-v2-devnet', protocol: 'aave_v2', version: '2.0.0', start_block: startBlock, base_currency_decimals: 18,
      contracts: { pool: poolAddr, pool_configurator: confAddr, pool_addresses_provider: ap.target, oracle: oracle.target },
    }],
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify({
    rpc: rpcUrl, pool: poolAddr, oracle: oracle.target, mid_block: mid, head_block: head, reserves, liquidations,
    accounts: [...users, liq, S[10], sa, sb, ...edge].map((u) => u.address).concat([treasury]),
  }, null, 2) + '\n');
  log(`deployed and played: blocks ${startBlock}..${head}`);
}
main().catch((e) => { console.error(`aave_v2: ${e.stack || e.message}`); process.exit(2); });
