// devnet.js: deploys a complete Aave V3 (3.0.2, npm @aave/core-v3 1.19.3) market on a running
// anvil from the published compiled artifacts, then plays a deterministic scenario over 26
// accounts. Writes the deployment to chains/devnet.json (same addresses every run: fixed
// deployer, fixed transaction order) and the scenario record to STATEDIR/scenario.json.
//
// usage: node devnet.js RPC_URL STATEDIR CHAINS_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { connect, logger, U } = require('./lib/net');
const aave = require('./lib/aave_v3');

const [rpcUrl, stateDir, chainsDir] = process.argv.slice(2);
if (!rpcUrl || !stateDir || !chainsDir) {
  console.error('usage: node devnet.js RPC_URL STATEDIR CHAINS_DIR');
  process.exit(1);
}
const net = connect(rpcUrl, { gas: 'fixed', poll: 50 });
const { rpc, send, blockNumber } = net;
const { at } = aave;
const log = logger('devnet');
const MAX = ethers.MaxUint256;
const advance = (days) => net.jump(days * 86400);

async function main() {
  fs.mkdirSync(stateDir, { recursive: true });
  const accounts = await rpc('eth_accounts');
  if (accounts.length < 27) throw new Error('start anvil with --accounts 30');
  // deterministic chain: every block exactly 12 s after the previous one, whatever the wall clock
  await rpc('anvil_setBlockTimestampInterval', [12]);
  const S = accounts.map((a) => new ethers.JsonRpcSigner(net.provider, a));
  const admin = S[0];
  const adminAddr = accounts[0];
  const t0 = Date.now();

  // ---- tokens and price feeds ----
  const specs = [
    { sym: 'WETH', dec: 18, price: 2000 },
    { sym: 'USDC', dec: 6, price: 1 },
    { sym: 'DAI', dec: 18, price: 1 },
    { sym: 'WBTC', dec: 8, price: 60000 },
    { sym: 'ISO', dec: 18, price: 10 },
  ];
  const T = await aave.tokens(net, admin, specs);
  const startBlock = (await blockNumber()) + 1;

  // ---- core ----
  const M = await aave.market(net, admin, adminAddr, T, specs, accounts[29]);
  const { pool, cfg, oracle } = M;
  const risk = { WETH: [8000, 8250, 10500], USDC: [7500, 8000, 10500], DAI: [7500, 8000, 10500], WBTC: [7000, 7500, 10650], ISO: [5000, 6500, 11000] };
  for (const s of specs) {
    await send(`collateral ${s.sym}`, cfg.configureReserveAsCollateral(T[s.sym].token.target, ...risk[s.sym]));
    await send(`reserveFactor ${s.sym}`, cfg.setReserveFactor(T[s.sym].token.target, 1000));
    if (s.sym !== 'ISO') await send(`borrowing ${s.sym}`, cfg.setReserveBorrowing(T[s.sym].token.target, true));
  }
  await send('stable DAI', cfg.setReserveStableRateBorrowing(T.DAI.token.target, true));
  await send('borrow cap WBTC', cfg.setBorrowCap(T.WBTC.token.target, 50));
  await send('supply cap ISO', cfg.setSupplyCap(T.ISO.token.target, 1000000));
  await send('debt ceiling ISO', cfg.setDebtCeiling(T.ISO.token.target, 1000000)); // 10,000.00 USD
  await send('iso borrowable USDC', cfg.setBorrowableInIsolation(T.USDC.token.target, true));
  await send('iso borrowable DAI', cfg.setBorrowableInIsolation(T.DAI.token.target, true));
  await send('protocol fee WETH', cfg.setLiquidationProtocolFee(T.WETH.token.target, 1000));
  await send('protocol fee WBTC', cfg.setLiquidationProtocolFee(T.WBTC.token.target, 500));
  await send('emode 1', cfg.setEModeCategory(1, 9700, 9800, 10100, ethers.ZeroAddress, 'Stablecoins'));
  await send('emode USDC', cfg.setAssetEModeCategory(T.USDC.token.target, 1));
  await send('emode DAI', cfg.setAssetEModeCategory(T.DAI.token.target, 1));
  log(`deployed in ${Date.now() - t0} ms`);

  // ---- scenario ----
  const P = (i) => pool.connect(S[i]);
  const touched = new Set();
  const who = (i) => { touched.add(accounts[i]); return accounts[i]; };
  const mintTo = async (sym, i, amt) => {
    await send(`mint ${sym}`, T[sym].token.connect(admin)['mint(address,uint256)'](accounts[i], U(amt, T[sym].dec)));
  };
  const supply = async (i, sym, amt) => { await mintTo(sym, i, amt); await send(`supply ${i} ${sym}`, P(i).supply(T[sym].token.target, U(amt, T[sym].dec), who(i), 0)); };
  const borrow = async (i, sym, amt, mode = 2) => send(`borrow ${i} ${sym}`, P(i).borrow(T[sym].token.target, U(amt, T[sym].dec), mode, 0, who(i)));
  const repay = async (i, sym, amt, mode = 2) => send(`repay ${i} ${sym}`, P(i).repay(T[sym].token.target, amt === 'max' ? MAX : U(amt, T[sym].dec), mode, who(i)));
  const withdraw = async (i, sym, amt) => send(`withdraw ${i} ${sym}`, P(i).withdraw(T[sym].token.target, amt === 'max' ? MAX : U(amt, T[sym].dec), who(i)));

  // every actor lets the pool pull every token (repayments, liquidations)
  for (let i = 1; i <= 28; i++)
    for (const s of specs) await send(`approve ${s.sym} ${i}`, T[s.sym].token.connect(S[i]).approve(pool.target, MAX));
  // liquidity
  await supply(1, 'USDC', 2000000);
  await supply(2, 'DAI', 2000000);
  await supply(3, 'WETH', 1000);
  await supply(4, 'WBTC', 20);
  // plain borrowers
  await supply(5, 'WETH', 10); await borrow(5, 'USDC', 12000);
  await supply(6, 'WBTC', 1); await borrow(6, 'DAI', 30000);
  await supply(7, 'WETH', 20); await borrow(7, 'DAI', 10000, 1); // stable
  // looped WETH: supply -> borrow -> resupply, 5 rounds
  let amt = 10;
  await supply(9, 'WETH', amt);
  for (let r = 0; r < 5; r++) {
    const b = Math.floor(amt * 0.75 * 1000) / 1000;
    await borrow(9, 'WETH', b);
    await send('loop resupply', P(9).supply(T.WETH.token.target, U(b, 18), who(9), 0));
    amt = b;
  }
  // e-mode stablecoin user and e-mode loop
  await send('emode 10', P(10).setUserEMode(1)); who(10);
  await supply(10, 'USDC', 10000); await borrow(10, 'DAI', 9000);
  await send('emode 11', P(11).setUserEMode(1)); who(11);
  await supply(11, 'USDC', 10000);
  amt = 10000;
  for (let r = 0; r < 4; r++) {
    const b = Math.floor(amt * 0.9);
    await borrow(11, 'DAI', b);
    await send('emode loop resupply', P(11).supply(T.DAI.token.target, U(b, 18), who(11), 0));
    amt = b;
  }
  // isolation-mode borrower
  // isolated collateral is not enabled automatically from 3.0.1 on: the user opts in
  await supply(12, 'ISO', 1000);
  await send('collateral on 12 ISO', P(12).setUserUseReserveAsCollateral(T.ISO.token.target, true));
  await borrow(12, 'USDC', 3000);
  // aToken transfer, collateral toggles, e-mode on/off, withdraw, repay paths
  await supply(13, 'WETH', 8);
  await supply(15, 'WETH', 5);
  await supply(16, 'DAI', 10000); // supply only: no debt
  await supply(17, 'WETH', 5); await borrow(17, 'USDC', 3000);
  await supply(18, 'USDC', 20000); await borrow(18, 'USDC', 5000);
  await send('emode 19 on', P(19).setUserEMode(1)); who(19);
  await supply(19, 'DAI', 5000);
  await supply(20, 'WBTC', 3);
  // positions that the price drop will make liquidatable
  await supply(21, 'WETH', 10); await borrow(21, 'USDC', 15800);
  await supply(22, 'WBTC', 1); await borrow(22, 'DAI', 41000);
  await supply(23, 'WETH', 2); await borrow(23, 'USDC', 3200);
  await supply(24, 'WETH', 10); await borrow(24, 'USDC', 14000);
  await supply(8, 'WETH', 3); await borrow(8, 'WBTC', 0.05); await borrow(8, 'DAI', 1000, 1);

  await advance(10);
  await repay(5, 'USDC', 2000);
  await mintTo('DAI', 7, 2000); await repay(7, 'DAI', 1000, 1); // stable partial repay
  await send('repayWithATokens 18', P(18).repayWithATokens(T.USDC.token.target, U(2000, 6), 2));
  await send('aWETH transfer 13->14', at('AToken', T.WETH.aToken, S[13]).transfer(who(14), U(3, 18)));
  await withdraw(14, 'WETH', 1);
  await send('collateral off 15', P(15).setUserUseReserveAsCollateral(T.WETH.token.target, false));
  await advance(1);
  await send('collateral on 15', P(15).setUserUseReserveAsCollateral(T.WETH.token.target, true));
  await send('emode 19 off', P(19).setUserEMode(0));
  await withdraw(20, 'WBTC', 1);
  await mintTo('USDC', 17, 1000); await repay(17, 'USDC', 'max');
  await advance(20);
  // touch every reserve so indexes update, and a stable borrow on top of an existing one
  await supply(1, 'USDC', 1000);
  await supply(2, 'DAI', 1000);
  await supply(3, 'WETH', 1);
  await supply(4, 'WBTC', 0.5);
  await supply(12, 'ISO', 10);
  await borrow(7, 'DAI', 500, 1);
  await advance(3);
  await repay(6, 'DAI', 100);
  const midBlock = await blockNumber();
  log(`mid block ${midBlock}`);

  // ---- oracle shock and liquidations ----
  const newWeth = await aave.deploy(net, 'MockAggregator', admin, [U(1500, 8)]);
  const newWbtc = await aave.deploy(net, 'MockAggregator', admin, [U(50000, 8)]);
  await send('setAssetSources', oracle.setAssetSources([T.WETH.token.target, T.WBTC.token.target], [newWeth.target, newWbtc.target]));
  const liquidations = [];
  const liquidate = async (liq, coll, debt, user, amount, receiveA) => {
    await mintTo(debt, liq, 100000);
    const rc = await send(`liquidate ${user}`, P(liq).liquidationCall(T[coll].token.target, T[debt].token.target, who(user),
      amount === 'max' ? MAX : U(amount, T[debt].dec), receiveA));
    who(liq);
    liquidations.push({ tx: rc.transactionHash, block: Number(rc.blockNumber), user: accounts[user], liquidator: accounts[liq],
      collateralAsset: T[coll].token.target, debtAsset: T[debt].token.target, receiveAToken: receiveA });
  };
  await liquidate(25, 'WETH', 'USDC', 21, 'max', true);
  await liquidate(26, 'WBTC', 'DAI', 22, 'max', false);
  await liquidate(26, 'WETH', 'USDC', 23, 'max', false); // collateral runs out: debt, no collateral
  await liquidate(25, 'WETH', 'USDC', 24, 5000, false);
  await advance(1);
  await supply(1, 'USDC', 10);
  const headBlock = await blockNumber();
  log(`head block ${headBlock}, ${Date.now() - t0} ms`);

  const reserves = {};
  for (const s of specs) reserves[s.sym] = { asset: T[s.sym].token.target, aToken: T[s.sym].aToken, variableDebtToken: T[s.sym].vToken, stableDebtToken: T[s.sym].sToken, decimals: s.dec };
  const chain = {
    name: 'devnet', chain_id: 31337, reorg_window: 64, confirmations: 0, max_block_range: 10000,
    deployments: [aave.deployment('aave-v3-devnet', startBlock, M,
      { eth: [T.WETH.token.target], usd: [T.USDC.token.target, T.DAI.token.target], btc: [T.WBTC.token.target] }, {
        addresses: "tests/devnet/devnet.js: the npm @aave/core-v3 1.19.3 market it deploys on a fresh anvil (fixed deployer and transaction order)",
        start_block_from: "the block of devnet.js's first transaction on a fresh anvil (devnet.js rewrites this file when it differs)",
      })],
  };
  const chainJson = JSON.stringify(chain, null, 2) + '\n';
  const chainPath = path.join(chainsDir, 'devnet.json');
  const old = fs.existsSync(chainPath) ? fs.readFileSync(chainPath, 'utf8') : '';
  if (old !== chainJson) {
    fs.writeFileSync(chainPath, chainJson);
    log(`wrote ${chainPath}`);
  }
  const scenario = {
    rpc: rpcUrl, chain_id: 31337, start_block: startBlock, mid_block: midBlock, head_block: headBlock,
    accounts: accounts.filter((a) => touched.has(a)), looped_account: accounts[9], emode_looped_account: accounts[11],
    liquidated_accounts: [accounts[21], accounts[22], accounts[23], accounts[24]], no_collateral_account: accounts[23],
    no_debt_account: accounts[16], reserves, liquidations, pool: pool.target, oracle: oracle.target,
    aggregators: { WETH: newWeth.target, WBTC: newWbtc.target, USDC: T.USDC.feed.target, DAI: T.DAI.feed.target, ISO: T.ISO.feed.target },
  };
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify(scenario, null, 2) + '\n');
}

main().catch((e) => { console.error('devnet: ' + (e.stack || e.message)); process.exit(1); });
