// aave_v4.js: an Aave V4 (v0.5.11, ../shared/aave-v4 artifacts) market on a devnet and a seeded
// random scenario of our own, then the referee.
//
//   node aave_v4.js play RPC STATEDIR [SEED]   deploy + play; writes STATEDIR/scenario.json and
//                                              STATEDIR/chains/devnet.json
//   node aave_v4.js verify STATEDIR BLOCK LENDEX [lendex args...]
//   node aave_v4.js upgrade STATEDIR           S3's proxy upgraded (prints the block)
//
// The market: two Hubs (A: WETH, USDC, WBTC, later DAI's sibling; B: USDC, later DAI), Spokes S1
// (Hub A; later a Hub B reserve too), S2 (one reserve of Hub B among Hub A ones) and S3 (deployed
// mid-scenario, found by lendex through the Hubs' AddSpoke), each with its own AaveOracle; a
// third Hub C (WBTC), in no chains/ entry, named only by S3's AddReserve next to S3's listing. The
// scenario: supply, withdraw, borrow, repay, collateral on/off, price moves, time jumps,
// risk-premium updates, partial and full liquidations with and without receiving shares, a
// deficit written off and eliminated by an EOA registered as a Hub spoke, new dynamic config
// keys and an in-place update, a reserve added mid-scenario, a position manager acting for a
// user. verify: for every user and every Spoke, lendex's `position --json` must equal
// Spoke.getUserAccountData, getUserSuppliedAssets, getUserDebt, getUserPosition's shares, and
// every reserve's getReserveSuppliedAssets / getReserveDebt, at BLOCK, to the wei.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');
const { connect, receiptOf } = require('./lib/net');

const SHARED = process.env.LX_SHARED || path.join(__dirname, '../../../shared');
const A = JSON.parse(fs.readFileSync(path.join(SHARED, 'aave-v4/artifacts.json'), 'utf8'));
const quiet = process.env.DEVNET_QUIET === '1';
const say = (...x) => { if (!quiet) console.log(...x); };

function link(bytecode, refs, libs) {
  let hex = bytecode.slice(2);
  for (const file of Object.values(refs))
    for (const [lib, places] of Object.entries(file))
      for (const { start, length } of places)
        hex = hex.slice(0, start * 2) + libs[lib].slice(2).toLowerCase() + hex.slice((start + length) * 2);
  return '0x' + hex;
}

// xorshift64*: a seeded, reproducible stream
function rng(seed) {
  let s = BigInt(seed) || 88172645463325252n;
  const M = (1n << 64n) - 1n;
  return () => {
    s ^= s >> 12n; s ^= (s << 25n) & M; s ^= s >> 27n;
    return Number(((s * 2685821657736338717n) & M) >> 11n) / 2 ** 53;
  };
}

async function play(rpc, stateDir, seed) {
  // lib/net.js's provider: no batching (no 10 ms stall before each request), receipts polled
  // every 10 ms with a bound. Gas: twice the estimate ('pad2'): the estimate is made on a
  // pending block of the latest one's time, the transaction runs in a later block that accrues
  // interest first and costs more; on a loaded machine (seconds between blocks) the deficit
  // liquidation ran out of gas in an inner call (63/64 rule) and reverted without data, every
  // time the gap was >= 1 s
  const { provider } = connect(rpc, { gas: 'pad2', noCache: true });
  const accts = await provider.send('eth_accounts', []);
  const signer = async (i) => { const s = await provider.getSigner(accts[i]); return new ethers.NonceManager(s); };
  const admin = await signer(0), liq = await signer(1), pm = await signer(2);
  const users = [];
  for (let i = 3; i < 11; i++) users.push(await signer(i));
  const addrOf = async (s) => s.getAddress();
  const R = rng(seed);
  const pick = (arr) => arr[Math.floor(R() * arr.length)];
  const at = (name, addr, s = admin) => new ethers.Contract(addr, A[name].abi, s);
  async function deploy(name, args = [], libs = null) {
    const art = A[name];
    const code = libs ? link(art.bytecode, art.linkReferences, libs) : art.bytecode;
    const c = await new ethers.ContractFactory(art.abi, code, admin).deploy(...args);
    await receiptOf(provider, c.deploymentTransaction().hash, `deploy ${name}`);
    return c;
  }
  // a transaction that reverts names its error: replayed as a call on the state before its
  // block, decoded with every artifact's errors (a failure under load must say why)
  const errIface = new ethers.Interface(Object.values(A).flatMap((a) => a.abi.filter((x) => x.type === 'error'))
    .filter((x, i, all) => all.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i));
  const wait = async (p) => {
    const tx = await p;
    try {
      return await receiptOf(provider, tx.hash, `transaction to ${tx.to}`);
    } catch (e) {
      if (!e.receipt) throw e;
      const blk = Number(e.receipt.blockNumber);
      let why = 'no revert data';
      try {
        await provider.call({ from: tx.from, to: tx.to, data: tx.data, value: tx.value, blockTag: blk - 1 });
        why = 'the replay does not revert';
      } catch (c) {
        const data = c.data || c.info?.error?.data;
        try { const d = errIface.parseError(data); why = `${d.name}(${d.args.join(', ')})`; } catch (_) { why = `revert data ${data}`; }
      }
      throw new Error(`transaction ${tx.hash} to ${tx.to} (selector ${tx.data.slice(0, 10)}) reverted in block ${blk}, gas used ${BigInt(e.receipt.gasUsed)} of ${tx.gasLimit}: ${why}`);
    }
  };
  let reverts = 0, sent = 0;
  const liqs = []; // every liquidation sent: for the liquidation fixtures (fixtures/aave_v4)
  const stats = { liquidations: 0, receiveShares: 0, partial: 0, deficit: false, pmActions: 0 };
  async function attempt(p) { // a user action that may legitimately revert
    try { await wait(p); sent++; return true; } catch (e) { reverts++; admin.reset(); liq.reset(); pm.reset(); for (const u of users) u.reset(); return false; }
  }

  const startBlock = (await provider.getBlockNumber()) + 1;
  const am = await deploy('AccessManagerEnumerable', [await addrOf(admin)]);
  const amA = await am.getAddress();
  const hubImpl = await deploy('HubInstance');
  async function proxy(impl, initData) {
    const p = await deploy('TransparentUpgradeableProxy', [await impl.getAddress(), await addrOf(admin), initData]);
    return p.getAddress();
  }
  const hubA = at('HubInstance', await proxy(hubImpl, hubImpl.interface.encodeFunctionData('initialize', [amA])));
  const hubB = at('HubInstance', await proxy(hubImpl, hubImpl.interface.encodeFunctionData('initialize', [amA])));
  const irsA = await deploy('AssetInterestRateStrategy', [await hubA.getAddress()]);
  const irsB = await deploy('AssetInterestRateStrategy', [await hubB.getAddress()]);
  const liqLib = await deploy('LiquidationLogic');
  const tsImpl = await deploy('TreasurySpokeInstance');
  const treasury = await proxy(tsImpl, tsImpl.interface.encodeFunctionData('initialize', [await addrOf(admin)]));
  async function newSpoke() {
    const oracle = await deploy('AaveOracle', [8]);
    const impl = await deploy('SpokeInstance', [await oracle.getAddress(), 16], { LiquidationLogic: await liqLib.getAddress() });
    const spoke = at('SpokeInstance', await proxy(impl, impl.interface.encodeFunctionData('initialize', [amA])));
    await wait(oracle.setSpoke(await spoke.getAddress()));
    await wait(spoke.updateLiquidationConfig([105n * 10n ** 16n, 90n * 10n ** 16n, 40_00]));
    await wait(spoke.updatePositionManager(await addrOf(pm), true));
    return { spoke, oracle, reserves: [] };
  }
  const T = {};
  for (const [sym, dec, px] of [['WETH', 18, 2000], ['USDC', 6, 1], ['WBTC', 8, 60000], ['DAI', 18, 1]]) {
    const token = await deploy('TestnetERC20', [sym, sym, dec]);
    const feed = await deploy('MockPriceFeed', [8, `${sym}/USD`, BigInt(px) * 10n ** 8n]);
    T[sym] = { sym, dec, token, feed, addr: await token.getAddress(), price: BigInt(px) * 10n ** 8n };
  }
  const irData = (o, b, s1, s2) => ethers.AbiCoder.defaultAbiCoder().encode(['tuple(uint16,uint32,uint32,uint32)'], [[o, b, s1, s2]]);
  const MAXCAP = (1n << 40n) - 1n, MAXRPT = (1n << 24n) - 1n;
  const G = { gasLimit: 3000000 }; // estimates fall short where an inner call needs 64/63 more
  const assets = {}; // `${hub}:${sym}` -> assetId
  async function addAsset(hub, irs, sym, fee) {
    await wait(hub.addAsset(T[sym].addr, T[sym].dec, treasury, await irs.getAddress(), irData(80_00, 1_00, 6_00, 80_00), G));
    const id = await hub.getAssetId(T[sym].addr);
    await wait(hub.updateAssetConfig(id, [treasury, fee, await irs.getAddress(), ethers.ZeroAddress], '0x', G));
    assets[`${await hub.getAddress()}:${sym}`] = id;
    return id;
  }
  await addAsset(hubA, irsA, 'WETH', 10_00);
  await addAsset(hubA, irsA, 'USDC', 15_00);
  await addAsset(hubA, irsA, 'WBTC', 0);
  await addAsset(hubB, irsB, 'USDC', 20_00);
  const RISK = { WETH: 10_00, USDC: 3_00, WBTC: 25_00, DAI: 5_00 };
  const DYN = { WETH: [80_00, 105_00, 10_00], USDC: [85_00, 104_00, 15_00], WBTC: [72_00, 108_00, 20_00], DAI: [82_00, 105_00, 0] };
  async function addReserve(S, hub, sym, receiveShares = true, random = true) {
    const id = assets[`${await hub.getAddress()}:${sym}`];
    await wait(hub.addSpoke(id, await S.spoke.getAddress(), [MAXCAP, MAXCAP, MAXRPT, true, false]));
    await wait(S.spoke.addReserve(await hub.getAddress(), id, await T[sym].feed.getAddress(),
      [RISK[sym], false, false, true, receiveShares], DYN[sym]));
    const rid = await S.spoke.getReserveId(await hub.getAddress(), id);
    const r = { id: Number(rid), sym, hub: await hub.getAddress() };
    if (random) S.reserves.push(r); // else kept out of the random actions' picks
    return r;
  }
  const S1 = await newSpoke(), S2 = await newSpoke();
  await addReserve(S1, hubA, 'WETH'); await addReserve(S1, hubA, 'USDC'); await addReserve(S1, hubA, 'WBTC', false);
  await addReserve(S2, hubA, 'WETH'); await addReserve(S2, hubB, 'USDC'); await addReserve(S2, hubA, 'WBTC');
  const spokes = [S1, S2];
  const victim = await signer(11);
  const everyone = [...users, liq, pm, victim];
  // set-up transfers in one block (automine off: one block instead of hundreds)
  async function inOneBlock(fn) {
    await provider.send('evm_setAutomine', [false]);
    const txs = [];
    try { await fn(txs); } finally { await provider.send('evm_mine', []); await provider.send('evm_setAutomine', [true]); }
    for (const tx of txs) { const rc = await provider.getTransactionReceipt(tx.hash); if (!rc || rc.status !== 1) throw new Error('set-up transaction failed'); }
  }
  await inOneBlock(async (txs) => {
    for (const u of everyone) for (const t of Object.values(T)) {
      txs.push(await t.token.connect(u)['mint(address,uint256)'](await addrOf(u), ethers.parseUnits('100000000', t.dec), { gasLimit: 200000 }));
      for (const S of [S1, S2]) txs.push(await t.token.connect(u).approve(await S.spoke.getAddress(), ethers.MaxUint256, { gasLimit: 200000 }));
    }
  });
  // a position manager acting for users[2] on S1
  await wait(S1.spoke.connect(users[2]).setUserPositionManager(await addrOf(pm), true));

  const checkpoints = [];
  const checkpoint = async (why) => { const b = await provider.getBlockNumber(); checkpoints.push(b); say(`checkpoint ${b}: ${why}`); };
  const amount = (sym, usd) => ethers.parseUnits((usd / (Number(T[sym].price) / 1e8)).toFixed(Math.min(T[sym].dec, 6)), T[sym].dec);

  async function randomAction() {
    const S = pick(spokes), r = pick(S.reserves), u = pick(users);
    const sp = S.spoke.connect(u), me = await addrOf(u);
    const x = R();
    if (x < 0.28) return attempt(sp.supply(r.id, amount(r.sym, 500 + R() * 40000), me));
    if (x < 0.38) return attempt(sp.setUsingAsCollateral(r.id, R() < 0.85, me));
    if (x < 0.58) return attempt(sp.borrow(r.id, amount(r.sym, 200 + R() * 15000), me));
    if (x < 0.70) return attempt(sp.repay(r.id, R() < 0.3 ? ethers.MaxUint256 : amount(r.sym, 100 + R() * 8000), me));
    if (x < 0.80) return attempt(sp.withdraw(r.id, R() < 0.25 ? ethers.MaxUint256 : amount(r.sym, 100 + R() * 10000), me));
    if (x < 0.85) return attempt(sp.updateUserRiskPremium(me));
    if (x < 0.88) return attempt(sp.updateUserDynamicConfig(me));
    if (x < 0.93) { // the position manager for users[2] (S1 only)
      const s1 = S1.spoke.connect(pm), who = await addrOf(users[2]), rr = pick(S1.reserves);
      const y = R();
      if (y < 0.4) stats.pmActions++; return attempt(s1.supply(rr.id, amount(rr.sym, 1000 + R() * 20000), who));
      if (y < 0.55) stats.pmActions++; return attempt(s1.setUsingAsCollateral(rr.id, true, who));
      if (y < 0.8) stats.pmActions++; return attempt(s1.borrow(rr.id, amount(rr.sym, 200 + R() * 5000), who));
      stats.pmActions++; return attempt(s1.repay(rr.id, amount(rr.sym, 100 + R() * 3000), who));
    }
    const t = pick(Object.values(T));
    t.price = (t.price * BigInt(Math.floor(900 + R() * 200))) / 1000n;
    return attempt(t.feed.setPrice(t.price));
  }
  async function timeJump(sec) { await provider.send('evm_increaseTime', [sec]); await provider.send('evm_mine', []); }
  async function liquidateSome(maxN) {
    let n = 0;
    for (const S of spokes) for (const u of users) {
      if (n >= maxN) return n;
      const who = await addrOf(u);
      const d = await S.spoke.getUserAccountData(who);
      if (d.healthFactor >= 10n ** 18n) continue;
      const colls = [], debts = [];
      for (const r of S.reserves) {
        const [c, b] = await S.spoke.getUserReserveStatus(r.id, who);
        const p = await S.spoke.getUserPosition(r.id, who);
        if (c && p.suppliedShares > 0n) colls.push(r);
        if (b) debts.push(r);
      }
      if (!colls.length || !debts.length) continue;
      const c = pick(colls), b = pick(debts);
      const recv = R() < 0.5;
      const partial = R() < 0.4 ? amount(b.sym, 1500 + R() * 3000) : ethers.MaxUint256;
      if (await attempt(S.spoke.connect(liq).liquidationCall(c.id, b.id, who, partial, recv))) {
        liqs.push({ block: await provider.getBlockNumber(), spoke: await S.spoke.getAddress(), user: who, collateral: c.id, debt: b.id, debtToCover: String(partial), receiveShares: recv });
        n++; stats.liquidations++; if (recv) stats.receiveShares++; if (partial !== ethers.MaxUint256) stats.partial++; say(`liquidated ${who} on spoke ${S.reserves.length} ${c.sym}/${b.sym} recv=${recv} partial=${partial !== ethers.MaxUint256}`); }
      else if (partial !== ethers.MaxUint256 && await attempt(S.spoke.connect(liq).liquidationCall(c.id, b.id, who, ethers.MaxUint256, !recv))) {
        n++; stats.liquidations++; if (!recv) stats.receiveShares++;
      }
    }
    return n;
  }

  // borrow close to the limit (so a price move makes the account liquidatable)
  async function leverUp(u, S, frac) {
    const who = await addrOf(u);
    const d = await S.spoke.getUserAccountData(who);
    const room = (d.totalCollateralValue * d.avgCollateralFactor) / 10n ** 18n - d.totalDebtValueRay / 10n ** 27n;
    if (room <= 10n ** 28n) return false;
    const stables = S.reserves.filter((x) => x.sym === 'USDC' || x.sym === 'DAI');
    const r = pick(stables.length ? stables : S.reserves), t = T[r.sym];
    const amt = (room * BigInt(Math.floor(frac * 1000)) / 1000n) / (t.price * 10n ** BigInt(18 - t.dec));
    try { await wait(S.spoke.connect(u).borrow(r.id, amt, who)); sent++; return true; }
    catch (e) { reverts++; for (const x of everyone) x.reset(); say(`lever ${r.sym} ${amt}: ${e.shortMessage || e.message}`.slice(0, 200)); return false; }
  }
  async function crash(pct) {
    for (const t of [T.WETH, T.WBTC]) { t.price = t.price * BigInt(100 - pct) / 100n; await wait(t.feed.setPrice(t.price)); }
  }

  // Hub C: set up now, named by a followed Spoke only in phase 2 (see there)
  const hubC = at('HubInstance', await proxy(hubImpl, hubImpl.interface.encodeFunctionData('initialize', [amA])));
  const irsC = await deploy('AssetInterestRateStrategy', [await hubC.getAddress()]);
  await addAsset(hubC, irsC, 'WBTC', 5_00);
  // phase 1: a market comes to life
  for (let i = 0; i < 45; i++) await randomAction();
  await checkpoint('phase 1');
  // phase 2: time, a new config key (users pinned to the old one until refreshed), an in-place
  // update of a key users are pinned to, a reserve of Hub B added to S1, a new Spoke S3
  await timeJump(20 * 86400);
  await wait(S1.spoke.addDynamicReserveConfig(S1.reserves[0].id, [75_00, 106_00, 12_00]));
  await wait(S2.spoke.updateDynamicReserveConfig(S2.reserves[2].id, 0, [65_00, 108_00, 25_00]));
  await addAsset(hubB, irsB, 'DAI', 5_00);
  await addReserve(S1, hubB, 'DAI');
  // Hub C (deployed and given its asset before phase 1) is in no chains/ entry: only S3's
  // AddReserve names it, in the same blocks as S3's own discovery (Hub B's AddSpoke) — lendex
  // must follow it from one range, and a store synced to phase 1 must catch up its history
  const S3 = await newSpoke();
  await addReserve(S3, hubB, 'USDC'); await addReserve(S3, hubA, 'WETH');
  const wbtcC = await addReserve(S3, hubC, 'WBTC', true, false);
  spokes.push(S3);
  await inOneBlock(async (txs) => {
    for (const u of everyone) for (const t of Object.values(T)) txs.push(await t.token.connect(u).approve(await S3.spoke.getAddress(), ethers.MaxUint256, { gasLimit: 200000 }));
  });
  for (const u of users.slice(0, 2)) {
    await wait(S3.spoke.connect(u).supply(wbtcC.id, ethers.parseUnits('0.5', 8), await addrOf(u)));
    await wait(S3.spoke.connect(u).setUsingAsCollateral(wbtcC.id, true, await addrOf(u)));
  }
  await wait(S3.spoke.connect(users[1]).borrow(wbtcC.id, ethers.parseUnits('0.2', 8), await addrOf(users[1])));
  for (let i = 0; i < 35; i++) { await randomAction(); if (i % 10 === 9) await timeJump(Math.floor(R() * 5 * 86400)); }
  await checkpoint('phase 2');
  // phase 3: a deficit — one collateral, borrowed close to the limit, its price crashes
  const vw = await addrOf(victim);
  const s2v = S2.spoke.connect(victim);
  const wbtc = S2.reserves[2], usdcB = S2.reserves[1];
  // Hub B's USDC must be able to lend the victim's borrow whatever the random phases left there
  // (block times follow the wall clock, so interest and hence which random actions revert vary
  // between runs): the liquidator supplies it first, and the victim's steps must not revert
  await wait(S2.spoke.connect(liq).supply(usdcB.id, ethers.parseUnits('5000000', 6), await addrOf(liq)));
  await wait(s2v.supply(wbtc.id, ethers.parseUnits('1', 8), vw));
  await attempt(s2v.setUsingAsCollateral(wbtc.id, true, vw));
  for (const r of S2.reserves) if (r !== wbtc) await attempt(s2v.setUsingAsCollateral(r.id, false, vw));
  const dv = await S2.spoke.getUserAccountData(vw);
  const room = (dv.totalCollateralValue * dv.avgCollateralFactor) / 10n ** 18n - dv.totalDebtValueRay / 10n ** 27n;
  if (room <= 10n ** 28n) throw new Error('deficit victim: no borrowing room (' + room + ')');
  await wait(s2v.borrow(usdcB.id, (room * 95n / 100n) / 10n ** 20n, vw));
  T.WBTC.price = T.WBTC.price * 45n / 100n;
  await wait(T.WBTC.feed.setPrice(T.WBTC.price));
  const before = (await S2.spoke.getUserAccountData(vw)).healthFactor;
  await wait(S2.spoke.connect(liq).liquidationCall(wbtc.id, usdcB.id, vw, ethers.MaxUint256, false));
  sent += 4;
  say(`deficit victim HF ${before} -> debt after ${(await S2.spoke.getUserAccountData(vw)).totalDebtValueRay}`);
  for (const u of users.slice(0, 6)) for (const S of spokes) {
    const vol = S.reserves.filter((x) => x.sym === 'WETH' || x.sym === 'WBTC');
    const c = pick(vol);
    if (await attempt(S.spoke.connect(u).supply(c.id, amount(c.sym, 3000 + R() * 20000), await addrOf(u))))
      await attempt(S.spoke.connect(u).setUsingAsCollateral(c.id, true, await addrOf(u)));
    await leverUp(u, S, 0.92);
  }
  await crash(18);
  say(`phase 3 liquidations: ${await liquidateSome(8)}`);
  await checkpoint('phase 3');
  // the deficit is covered: an EOA registered as a Hub B spoke adds USDC and eliminates it
  const usdcBId = assets[`${await hubB.getAddress()}:USDC`];
  const deficit = await hubB.getSpokeDeficitRay(usdcBId, await S2.spoke.getAddress());
  stats.deficit = deficit > 0n;
  if (deficit > 0n) {
    await wait(hubB.addSpoke(usdcBId, await addrOf(admin), [MAXCAP, MAXCAP, MAXRPT, true, false]));
    const amt = deficit / 10n ** 27n + 1000n * 10n ** 6n;
    await wait(T.USDC.token.connect(admin)['mint(address,uint256)'](await hubB.getAddress(), amt));
    await wait(hubB.add(usdcBId, amt));
    await wait(hubB.eliminateDeficit(usdcBId, deficit / 10n ** 27n / 2n, await S2.spoke.getAddress()));
  }
  // phase 4: more of everything, prices down then liquidations
  for (let i = 0; i < 25; i++) { await randomAction(); if (i % 8 === 7) await timeJump(Math.floor(R() * 10 * 86400)); }
  for (const u of users.slice(0, 6)) await leverUp(u, pick(spokes), 0.95);
  await crash(15);
  say(`phase 4 liquidations: ${await liquidateSome(10)}`);
  await timeJump(3 * 86400);
  await checkpoint('phase 4');

  const sc = {
    rpc, startBlock, seed: String(seed), liquidationLogic: await liqLib.getAddress(), checkpoints, sent, reverts, liquidations: liqs,
    hubs: [await hubA.getAddress(), await hubB.getAddress()], hubC: await hubC.getAddress(),
    spokes: await Promise.all(spokes.map(async (S) => ({ spoke: await S.spoke.getAddress(), oracle: await S.oracle.getAddress(), reserves: S.reserves }))),
    tokens: Object.fromEntries(Object.values(T).map((t) => [t.sym, { token: t.addr, feed: t.feed.target, decimals: t.dec }])),
    liquidator: await addrOf(liq),
    users: await Promise.all([...users, liq, victim].map(addrOf)),
  };
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify(sc, null, 2));
  const chains = path.join(stateDir, 'chains');
  fs.mkdirSync(chains, { recursive: true });
  // S3 is left out: lendex must find it through the Hubs' AddSpoke
  const contracts = { 'hub:a': sc.hubs[0], 'hub:b': sc.hubs[1] };
  sc.spokes.slice(0, 2).forEach((s, i) => { contracts[`spoke:s${i + 1}`] = s.spoke; contracts[`oracle:s${i + 1}`] = s.oracle; });
  fs.writeFileSync(path.join(chains, 'devnet.json'), JSON.stringify({
    name: 'devnet', chain_id: 31337, reorg_window: 64, confirmations: 0, max_block_range: 10000,
    deployments: [{ name: 'aave-v4-devnet', protocol: 'aave_v4', version: '0.5.11', start_block: startBlock,
      base_currency_decimals: 26, contracts }],
  }, null, 2));
  console.log(`aave_v4 scenario: seed ${seed}, ${sent} transactions (${reverts} reverted), ${JSON.stringify(stats)}, checkpoints ${checkpoints.join(' ')}`);
  // the scenario must have exercised what it is for
  if (!stats.liquidations || !stats.receiveShares || stats.receiveShares === stats.liquidations || !stats.partial || !stats.deficit || !stats.pmActions)
    throw new Error('scenario too tame for this seed: ' + JSON.stringify(stats));
}

async function verify(stateDir, blockArg, bin, extra) {
  const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
  const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchStallTime: 0 });
  const block = Number(blockArg), ov = { blockTag: block };
  let checks = 0, bad = 0;
  const eq = (what, want, got) => { checks++; if (String(want) !== String(got)) { bad++; console.error(`MISMATCH ${what}: chain ${want} lendex ${got}`); } };
  const live = [];
  for (const s of sc.spokes) if ((await provider.getCode(s.spoke, block)) !== '0x') live.push(s);
  const K = ['riskPremium', 'avgCollateralFactor', 'healthFactor', 'totalCollateralValue', 'totalDebtValueRay', 'activeCollateralCount', 'borrowCount'];
  const reservesSeen = new Set();
  const one = async (u) => {
    const p = JSON.parse(execFileSync(bin, ['position', u, '--chain', 'devnet', '--deployment', 'aave-v4-devnet', '--json', ...extra], { encoding: 'utf8' }));
    eq(`${u} synced block`, block, p.block);
    await Promise.all(live.map(async (s) => {
      const spoke = new ethers.Contract(s.spoke, A.SpokeInstance.abi, provider);
      const n = Number(await spoke.getReserveCount(ov));
      const m = p.markets.find((x) => x.market.toLowerCase() === s.spoke.toLowerCase());
      const d = await spoke.getUserAccountData(u, ov);
      for (const k of K) eq(`${u}@${s.spoke.slice(0, 8)} ${k}`, d[k], m ? m[k] : (k === 'healthFactor' ? ethers.MaxUint256 : 0));
      await Promise.all([...Array(n).keys()].map(async (r) => {
        const mine = (m && m.positions.find((x) => x.reserveId === r)) || { supplied: '0', suppliedShares: '0', drawnDebt: '0', premiumDebt: '0', drawnShares: '0' };
        const tag = `${u}@${s.spoke.slice(0, 8)} r${r}`;
        const [pos, sup, [dr, pr]] = await Promise.all([spoke.getUserPosition(r, u, ov), spoke.getUserSuppliedAssets(r, u, ov), spoke.getUserDebt(r, u, ov)]);
        eq(`${tag} suppliedShares`, pos.suppliedShares, mine.suppliedShares);
        eq(`${tag} drawnShares`, pos.drawnShares, mine.drawnShares);
        eq(`${tag} supplied`, sup, mine.supplied);
        eq(`${tag} drawnDebt`, dr, mine.drawnDebt);
        eq(`${tag} premiumDebt`, pr, mine.premiumDebt);
        if (m && !reservesSeen.has(`${s.spoke}:${r}`)) {
          const rv = m.reserves.find((x) => x.reserveId === r);
          if (!rv) { eq(`${s.spoke} r${r} listed`, 'yes', 'no'); return; }
          reservesSeen.add(`${s.spoke}:${r}`);
          const [ra, [rd, rp]] = await Promise.all([spoke.getReserveSuppliedAssets(r, ov), spoke.getReserveDebt(r, ov)]);
          eq(`${s.spoke.slice(0, 8)} r${r} suppliedAssets`, ra, rv.suppliedAssets);
          eq(`${s.spoke.slice(0, 8)} r${r} drawn`, rd, rv.drawnDebt);
          eq(`${s.spoke.slice(0, 8)} r${r} premium`, rp, rv.premiumDebt);
          // the underlying's symbol(), read by lendex through its own reads
          const tok = new ethers.Contract(rv.asset, ['function symbol() view returns (string)'], provider);
          eq(`${s.spoke.slice(0, 8)} r${r} symbol`, await tok.symbol(ov), rv.symbol);
        }
      }));
    }));
  };
  for (const u of sc.users) await one(u);
  console.log(`verify aave_v4: ${sc.users.length} users x ${live.length} spokes, ${reservesSeen.size} reserves, ${checks} checks, ${bad} mismatches at block ${block}`);
  process.exit(bad ? 1 : 0);
}

// fixture: for each liquidation of the scenario, lendex's view of the account just before it
// (synced to the block before, valued at the liquidation block's time) and what the Spoke did
// (its LiquidationCall), for tests/unit/test_aave_v4.c
async function fixture(stateDir, bin, out, extra) {
  const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
  const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchStallTime: 0 });
  const iface = new ethers.Interface(A.SpokeInstance.abi);
  const res = [];
  for (const l of sc.liquidations) {
    execFileSync(bin, ['sync', '--chain', 'devnet', '--rpc', sc.rpc, '--to', String(l.block - 1), '--quiet', ...extra]);
    const blk = await provider.getBlock(l.block);
    const p = JSON.parse(execFileSync(bin, ['position', l.user, '--chain', 'devnet', '--deployment', 'aave-v4-devnet', '--json', '--at', String(blk.timestamp), ...extra], { encoding: 'utf8' }));
    const m = p.markets.find((x) => x.market.toLowerCase() === l.spoke.toLowerCase());
    const logs = await provider.getLogs({ fromBlock: l.block, toBlock: l.block, address: l.spoke });
    const ev = logs.map((x) => { try { return iface.parseLog(x); } catch { return null; } }).find((x) => x && x.name === 'LiquidationCall');
    const e = ev.args;
    res.push({ block: l.block, timestamp: blk.timestamp, spoke: l.spoke, user: l.user, collateralReserveId: l.collateral, debtReserveId: l.debt,
      debtToCover: l.debtToCover, receiveShares: l.receiveShares, account: m,
      event: { debtAmountRestored: String(e.debtAmountRestored), drawnSharesLiquidated: String(e.drawnSharesLiquidated),
        premiumRayRestored: String(e.premiumDelta.restoredPremiumRay), collateralAmountRemoved: String(e.collateralAmountRemoved),
        collateralSharesLiquidated: String(e.collateralSharesLiquidated), collateralSharesToLiquidator: String(e.collateralSharesToLiquidator) } });
  }
  fs.writeFileSync(out, JSON.stringify({ source: 'tests/devnet/aave_v4.js fixture (seed ' + sc.seed + ')', liquidations: res }, null, 1) + '\n');
  console.log(`fixture: ${res.length} liquidations`);
}

// after the last checkpoint: S3's proxy gets a new implementation (the same code, another
// address) — lendex cannot know what an implementation runs and must stop there
async function upgrade(stateDir) {
  const f = path.join(stateDir, 'scenario.json');
  const sc = JSON.parse(fs.readFileSync(f));
  const { provider } = connect(sc.rpc, { noCache: true });
  const admin = new ethers.NonceManager(await provider.getSigner((await provider.send('eth_accounts', []))[0]));
  const S3 = sc.spokes[2];
  const code = link(A.SpokeInstance.bytecode, A.SpokeInstance.linkReferences, { LiquidationLogic: sc.liquidationLogic });
  const impl = await new ethers.ContractFactory(A.SpokeInstance.abi, code, admin).deploy(S3.oracle, 16);
  await receiptOf(provider, impl.deploymentTransaction().hash, 'deploy the new Spoke implementation');
  const slot = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103'; // EIP-1967 admin
  const pa = ethers.getAddress('0x' + (await provider.getStorage(S3.spoke, slot)).slice(26));
  const up = await new ethers.Contract(pa, A.ProxyAdmin.abi, admin).upgradeAndCall(S3.spoke, await impl.getAddress(), '0x');
  await receiptOf(provider, up.hash, 'upgradeAndCall');
  sc.upgradeBlock = await provider.getBlockNumber();
  fs.writeFileSync(f, JSON.stringify(sc, null, 2));
  console.log(sc.upgradeBlock);
}

const [mode, ...rest] = process.argv.slice(2);
const run = mode === 'play' ? play(rest[0], rest[1], rest[2] || '20261203')
  : mode === 'verify' ? verify(rest[0], rest[1], rest[2], rest.slice(3))
    : mode === 'fixture' ? fixture(rest[0], rest[1], rest[2], rest.slice(3))
    : mode === 'upgrade' ? upgrade(rest[0])
    : Promise.reject(new Error('usage: aave_v4.js play RPC STATEDIR [SEED] | verify STATEDIR BLOCK LENDEX [args]'));
run.catch((e) => { console.error('aave_v4: ' + (e.stack || e.message)); process.exit(2); });
