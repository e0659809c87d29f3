// morpho.js: deploys Morpho Blue 1.0 (compiled from npm @morpho-org/morpho-blue by
// morpho_build.js) with its mock tokens, oracles and IRM on a running anvil, and plays a seeded
// random scenario: three markets (one without an IRM, one with a fee), suppliers and borrowers
// (one account on every market, one acting for another through SetAuthorization), supply and
// withdraw in assets and in shares, borrow, repay (part and all), collateral in and out, time
// jumps, price moves, a flash loan, a partial liquidation and one that leaves bad debt.
// Writes STATEDIR/chains/devnet.json (the singleton and its start block) and
// STATEDIR/scenario.json: addresses, markets, accounts, checkpoints (mid_block, head_block) and
// the liquidations as executed (inputs, state before, the Liquidate event).
//
// usage: node morpho.js RPC_URL STATEDIR [SEED]
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { connect, seeded, logger } = require('./lib/net');
const lib = require('./lib/morpho');

const [rpcUrl, stateDir, seedArg] = process.argv.slice(2);
if (!rpcUrl || !stateDir) {
  console.error('usage: node morpho.js RPC_URL STATEDIR [SEED]');
  process.exit(1);
}
const log = logger('morpho');
const WAD = 10n ** 18n;
const E36 = 10n ** 36n;

// every block 12 s after the last (unless a jump says otherwise): the run is a function of the
// seed, not of the wall clock
async function tick(n) {
  await n.rpc('evm_setNextBlockTimestamp', [(await n.timestamp()) + 12]);
}
// a fixed gas limit: an estimate made at the latest block's timestamp misses the interest
// accrual a transaction mined later pays for (it would run out of gas)
const net = connect(rpcUrl, { gas: 'fixed', afterReceipt: tick });
const { rpc, send, blockNumber } = net;
const { rnd, pick, big } = seeded(seedArg || process.env.LX_MORPHO_SEED || 11);
async function jump(seconds) {
  await net.jump(seconds);
  await tick(net);
}

async function main() {
  const C = lib.contracts();
  await tick(net);
  const accounts = await rpc('eth_accounts');
  const S = await Promise.all(accounts.map((a) => net.provider.getSigner(a)));
  const [owner, feeTo, liq] = S;
  const suppliers = S.slice(3, 6);
  const borrowers = S.slice(6, 12);
  const deploy = (n, args = [], who = owner) => lib.deploy(net, n, who, args);
  const startBlock = (await blockNumber()) + 1;
  const morpho = await deploy('Morpho', [owner.address]);
  const M = (s) => morpho.connect(s);
  const lens = await deploy('MorphoLens');
  const flash = await deploy('FlashBorrowerMock', [morpho.target]);
  const tok = {};
  for (const n of ['L1', 'L2', 'C1', 'C2']) tok[n] = await deploy('ERC20Mock');
  const orc = {};
  for (const n of ['O1', 'O2', 'O3']) orc[n] = await deploy('OracleMock');
  await send('price O1', orc.O1.setPrice(2000n * E36));
  await send('price O2', orc.O2.setPrice(30000n * E36));
  await send('price O3', orc.O3.setPrice(1900n * E36));
  const irm = await deploy('IrmMock');
  await send('enableIrm', morpho.enableIrm(irm.target));
  await send('enableIrm 0', morpho.enableIrm(ethers.ZeroAddress));
  for (const l of [860000000000000000n, 945000000000000000n, 625000000000000000n])
    await send('enableLltv', morpho.enableLltv(l));
  const mk = (loan, coll, oracle, i, lltv) => ({
    loanToken: tok[loan].target, collateralToken: tok[coll].target, oracle: orc[oracle].target,
    irm: i ? irm.target : ethers.ZeroAddress, lltv });
  const markets = [mk('L1', 'C1', 'O1', true, 860000000000000000n), mk('L1', 'C2', 'O2', true, 945000000000000000n),
    mk('L2', 'C1', 'O3', false, 625000000000000000n)];
  const { coder, idOf } = lib;
  for (const m of markets) await send('createMarket', morpho.createMarket(m));
  await send('setFeeRecipient', morpho.setFeeRecipient(feeTo.address));

  // balances and approvals for everyone
  for (const s of S.slice(1, 12))
    for (const t of Object.values(tok)) {
      await send('setBalance', t.connect(s).setBalance(s.address, 10n ** 30n));
      await send('approve', t.connect(s).approve(morpho.target, ethers.MaxUint256));
    }
  await send('flash funds', tok.L1.setBalance(flash.target, 0n));

  // liquidity: every supplier on every market
  for (const s of suppliers)
    for (const m of markets) await send('supply', M(s).supply(m, big(50000, 200000) * WAD, 0n, s.address, '0x'));
  await send('setFee', morpho.setFee(markets[0], 100000000000000000n));
  // borrowers: collateral on one or two markets; borrowers[0] on all three
  const homes = borrowers.map((b, i) => (i === 0 ? [0, 1, 2] : i % 2 ? [0, 2] : [1]));
  const view = async (m, who, tag = 'latest') => {
    const r = await lens.check.staticCall(morpho.target, m, who, { blockTag: tag });
    return r;
  };
  for (let i = 0; i < borrowers.length; i++)
    for (const k of homes[i]) {
      const b = borrowers[i], m = markets[k];
      const coll = k === 1 ? big(1, 4) * WAD : big(5, 40) * WAD;
      await send('supplyCollateral', M(b).supplyCollateral(m, coll, b.address, '0x'));
      const v = await view(m, b.address);
      const room = (v.maxBorrow * big(50, 85)) / 100n;
      await send('borrow', M(b).borrow(m, room, 0n, b.address, b.address));
    }
  // one account acting for another: borrowers[1] authorises borrowers[2]
  await send('setAuthorization', M(borrowers[1]).setAuthorization(borrowers[2].address, true));
  await send('borrow onBehalf', M(borrowers[2]).borrow(markets[0], 10n * WAD, 0n, borrowers[1].address, borrowers[2].address));

  // the random part
  const ok = async (what, fn) => {
    try {
      await fn.staticCall();
    } catch (e) {
      return false;
    }
    await send(what, fn());
    return true;
  };
  const steps = Number(process.env.LX_MORPHO_STEPS || 70);
  let mid = 0;
  for (let i = 0; i < steps; i++) {
    if (i === Math.floor(steps / 2)) {
      await jump(3 * 86400);
      mid = await blockNumber();
    }
    const r = rnd();
    const k = Math.floor(rnd() * markets.length), m = markets[k];
    if (r < 0.12) {
      const s = pick(suppliers);
      if (rnd() < 0.5) await ok('supply', () => M(s).supply(m, big(1, 5000) * WAD + big(0, 1e6), 0n, s.address, '0x'));
      else await ok('supply shares', () => M(s).supply(m, 0n, big(1, 5000) * WAD * 1000000n + big(0, 1e6), s.address, '0x'));
    } else if (r < 0.22) {
      const s = pick(suppliers);
      const v = await view(m, s.address);
      if (rnd() < 0.5) await ok('withdraw shares', () => M(s).withdraw(m, 0n, v.supplyShares / big(3, 9), s.address, s.address));
      else await ok('withdraw', () => M(s).withdraw(m, v.supplyAssets / big(4, 12) + 1n, 0n, s.address, s.address));
    } else if (r < 0.36) {
      const b = pick(borrowers);
      const v = await view(m, b.address);
      if (v.maxBorrow > v.borrowAssets)
        await ok('borrow', () => M(b).borrow(m, ((v.maxBorrow - v.borrowAssets) * big(10, 90)) / 100n + 1n, 0n, b.address, b.address));
    } else if (r < 0.48) {
      const b = pick(borrowers);
      const v = await view(m, b.address);
      if (v.borrowShares === 0n) continue;
      if (rnd() < 0.25) await ok('repay all', () => M(b).repay(m, 0n, v.borrowShares, b.address, '0x'));
      else await ok('repay', () => M(b).repay(m, v.borrowAssets / big(2, 6) + 1n, 0n, b.address, '0x'));
    } else if (r < 0.56) {
      const b = pick(borrowers);
      await ok('supplyCollateral', () => M(b).supplyCollateral(m, big(1, 3) * WAD + big(0, 1e9), b.address, '0x'));
    } else if (r < 0.64) {
      const b = pick(borrowers);
      const v = await view(m, b.address);
      if (v.collateral > 0n) await ok('withdrawCollateral', () => M(b).withdrawCollateral(m, v.collateral / big(5, 20) + 1n, b.address, b.address));
    } else if (r < 0.76) {
      await jump(Math.floor(600 + rnd() * 6 * 86400));
    } else if (r < 0.86) {
      const o = pick(Object.values(orc));
      const p = await o.price();
      await send('setPrice', o.setPrice((p * big(9700, 10300)) / 10000n));
    } else if (r < 0.92) {
      await send('accrueInterest', morpho.accrueInterest(m));
    } else {
      await send('flashLoan', flash.flashLoan(tok.L1.target, big(1, 100) * WAD, coder.encode(['address'], [tok.L1.target])));
    }
  }

  // liquidations: a partial one on market 0 after a price fall, then bad debt on market 1
  const liquidations = [];
  const liquidate = async (k, b, byShares) => {
    const m = markets[k], id = idOf(m);
    const before = await blockNumber();
    const pos = await morpho.position(id, b.address, { blockTag: before });
    const mk0 = await morpho.market(id, { blockTag: before });
    const args = byShares ? [0n, BigInt(pos.borrowShares) / 2n] : [BigInt(pos.collateral), 0n];
    await rpc('evm_setNextBlockTimestamp', [Number((await rpc('eth_getBlockByNumber', ['latest', false])).timestamp) + 3600]);
    const rc = await send('liquidate', M(liq).liquidate(m, b.address, args[0], args[1], '0x'));
    const iface = lib.iface();
    const evs = rc.logs.filter((l) => l.address.toLowerCase() === morpho.target.toLowerCase()).map((l) => {
      try { return iface.parseLog(l); } catch (e) { return null; }
    }).filter(Boolean);
    const ai = evs.find((e) => e.name === 'AccrueInterest');
    const le = evs.find((e) => e.name === 'Liquidate');
    if (!le) throw new Error('liquidate: no Liquidate event');
    const s = (x) => x.toString();
    liquidations.push({
      block: Number(rc.blockNumber), tx: rc.transactionHash, market: id, borrower: b.address,
      lltv: s(m.lltv), price: s(await orc[k === 0 ? 'O1' : 'O2'].price({ blockTag: Number(rc.blockNumber) })),
      seizedAssetsIn: s(args[0]), repaidSharesIn: s(args[1]),
      position: { supplyShares: s(pos.supplyShares), borrowShares: s(pos.borrowShares), collateral: s(pos.collateral) },
      // the market as liquidate saw it: as stored before, plus the interest its own accrual added
      market: {
        totalSupplyAssets: s(mk0.totalSupplyAssets + (ai ? ai.args.interest : 0n)),
        totalSupplyShares: s(mk0.totalSupplyShares + (ai ? ai.args.feeShares : 0n)),
        totalBorrowAssets: s(mk0.totalBorrowAssets + (ai ? ai.args.interest : 0n)),
        totalBorrowShares: s(mk0.totalBorrowShares),
      },
      event: { repaidAssets: s(le.args.repaidAssets), repaidShares: s(le.args.repaidShares),
        seizedAssets: s(le.args.seizedAssets), badDebtAssets: s(le.args.badDebtAssets),
        badDebtShares: s(le.args.badDebtShares) },
    });
    log(`liquidated ${b.address} on market ${k}: ${JSON.stringify(liquidations[liquidations.length - 1].event)}`);
  };
  // a fall on O1 until someone on market 0 can be liquidated
  for (let f = 0; f < 12 && !liquidations.length; f++) {
    await send('price fall', orc.O1.setPrice(((await orc.O1.price()) * 92n) / 100n));
    for (let i = 0; i < borrowers.length && !liquidations.length; i++) {
      const v = await view(markets[0], borrowers[i].address);
      if (v.liquidatable) await liquidate(0, borrowers[i], true);
    }
  }
  // a crash on O2: the first borrower there is insolvent; seizing all its collateral leaves bad debt
  await send('price crash', orc.O2.setPrice(((await orc.O2.price()) * 40n) / 100n));
  for (let i = 0; i < borrowers.length; i++) {
    const v = await view(markets[1], borrowers[i].address);
    if (v.liquidatable && v.collateral > 0n) {
      await liquidate(1, borrowers[i], false);
      break;
    }
  }
  if (liquidations.length < 2 || liquidations[1].event.badDebtShares === '0')
    throw new Error('scenario: the liquidations did not happen as planned (seed ' + seedArg + ')');
  // after the last transaction: time passes with no log, so the head needs interest projected
  await send('accrueInterest', morpho.accrueInterest(markets[0]));
  await jump(2 * 86400 + 17);
  const head = await blockNumber();

  fs.mkdirSync(path.join(stateDir, 'chains'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'chains', 'devnet.json'), JSON.stringify({
    name: 'devnet', chain_id: 31337, reorg_window: 64, confirmations: 0, max_block_range: 10000,
    deployments: [lib.deployment('morpho-blue-devnet', startBlock, morpho)],
  }, null, 2) + '\n');
  const scenario = {
    morpho: morpho.target, lens: lens.target, fee_recipient: feeTo.address,
    markets: markets.map((m) => ({ id: idOf(m), params: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.toString()])) })),
    accounts: [feeTo, liq, ...suppliers, ...borrowers].map((s) => s.address),
    start_block: startBlock, mid_block: mid, head_block: head, liquidations,
  };
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify(scenario, null, 1) + '\n');
  log(`deployed at ${morpho.target}, blocks ${startBlock}..${head}, mid ${mid}`);
}

main().catch((e) => {
  console.error('morpho:', e.message);
  process.exit(2);
});
