// comet_cascade.js: round 1 of lendex's cascade against Compound V3's own absorb, on the
// comet.js devnet after lendex synced it (cascade_onchain.js runs the steps). The shock moves
// the token's price feed; the accounts lendex lists must be exactly those isLiquidatable says
// (every scenario account asked); each listed account is absorbed on its own (lendex lists one
// liquidation per collateral asset of one absorb) and the chain must agree with lendex:
//   - AbsorbCollateral: the same assets, collateralAbsorbed = liquidatedCollateralAmount, and
//     nothing of them left (collateralBalanceAfter);
//   - AbsorbDebt.basePaidOut = newBalance - oldBalance = max(debt, credit), where debt is
//     lendex's debtAsked (the debt accrued to the block, as absorb accrues first) and credit
//     = divPrice(Σ mulFactor(AbsorbCollateral.usdValue, liquidationFactor), basePrice): lendex's
//     debt repaid (Σ debtToCover over the account's entries) = min(debt, credit), its deficit
//     (Σ deficitBase, USD 8 decimals) = mulPrice(debt - credit, basePrice) when short, else 0;
//   - borrowBalanceOf after = lendex's debtBalanceAfter.
// buyCollateral is not replayed: lendex's cascade sells the absorbed collateral into its
// generic market model (percentage or DEX), not at Comet's storefront price (quoteCollateral,
// storeFrontPriceFactor) and without the targetReserves limit — nothing of it to compare.
//
// module: require('./comet_cascade').module(env, { comet, accounts }, token)
// usage:  node comet_cascade.js setup STATEDIR   (before the sync: the borrowers below)
//         node comet_cascade.js STATEDIR LENDEX DATADIR TOKEN PCT
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { net, run, lendexCascade } = require('./cascade_onchain');

const SHARED = process.env.LX_SHARED || path.join(__dirname, '../../../shared');

function module_(env, sc, token) {
  const { n, liquidator, admin } = env;
  const iface = new ethers.Interface([
    'event AbsorbCollateral(address indexed absorber, address indexed borrower, address indexed asset, uint256 collateralAbsorbed, uint256 usdValue)',
    'event AbsorbDebt(address indexed absorber, address indexed borrower, uint256 basePaidOut, uint256 usdValue)',
    'function getAssetInfoByAddress(address) view returns (tuple(uint8 offset, address asset, address priceFeed, uint64 scale, uint64 borrowCollateralFactor, uint64 liquidateCollateralFactor, uint64 liquidationFactor, uint128 supplyCap))',
    'function baseToken() view returns (address)', 'function baseTokenPriceFeed() view returns (address)',
    'function baseScale() view returns (uint256)', 'function getPrice(address) view returns (uint256)',
    'function isLiquidatable(address) view returns (bool)', 'function borrowBalanceOf(address) view returns (uint256)',
    'function collateralBalanceOf(address,address) view returns (uint128)', 'function numAssets() view returns (uint8)',
    'function getAssetInfo(uint8) view returns (tuple(uint8 offset, address asset, address priceFeed, uint64 scale, uint64 borrowCollateralFactor, uint64 liquidateCollateralFactor, uint64 liquidationFactor, uint128 supplyCap))',
    'function absorb(address absorber, address[] accounts)']);
  const feedAbi = JSON.parse(fs.readFileSync(path.join(SHARED, 'compound-v3', 'artifacts.json'), 'utf8')).SimplePriceFeed.abi;
  const comet = new ethers.Contract(sc.comet, iface, n.provider);
  const lc = (x) => x.toLowerCase();
  const tx = (from, to, data) => n.rpc('eth_sendTransaction', [{ from, to, data, gas: '0x4c4b40' }]);
  const before = new Map();   // account -> { debt, liquidatable }
  const entries = new Map();  // account -> lendex's liquidations of it, in order
  return {
    name: 'comet',
    key: (l) => lc(l.user),
    async fund() {},          // absorb costs the absorber nothing but gas
    async shock(bps) {
      const base = lc(await comet.baseToken());
      const feed = lc(token) === base ? await comet.baseTokenPriceFeed()
        : (await comet.getAssetInfoByAddress(token)).priceFeed;
      const f = new ethers.Contract(feed, feedAbi, n.provider);
      const r = await f.latestRoundData();
      const now = Number((await n.latest()).timestamp);
      const p = (r[1] * BigInt(10000 + bps)) / 10000n;
      return [await tx(admin, feed, f.interface.encodeFunctionData('setRoundData', [r[0] + 1n, p, now, now, r[0] + 1n]))];
    },
    async liquidatable(tag) {
      const out = new Map();
      const assets = [];
      for (let i = 0, k = Number(await comet.numAssets({ blockTag: tag })); i < k; i++)
        assets.push((await comet.getAssetInfo(i, { blockTag: tag })).asset);
      for (const a of sc.accounts) {
        const liq = await comet.isLiquidatable(a, { blockTag: tag });
        let coll = false;
        for (const s of assets) if ((await comet.collateralBalanceOf(a, s, { blockTag: tag })) > 0n) coll = true;
        out.set(lc(a), { liquidatable: liq, collateral: coll });
        before.set(lc(a), { liq });
      }
      return out;
    },
    async send(l) {
      const k = lc(l.user);
      if (!entries.has(k)) entries.set(k, []);
      entries.get(k).push(l);
      if (entries.get(k).length > 1) return null; // the same absorb: one call per account
      return tx(liquidator, sc.comet, iface.encodeFunctionData('absorb', [liquidator, [l.user]]));
    },
    async verify(l, r, block) {
      const errs = [];
      const ls = entries.get(lc(l.user));
      const at = { blockTag: block };
      const evs = r.logs.filter((g) => lc(g.address) === lc(sc.comet)).map((g) => {
        try { return iface.parseLog(g); } catch (e) { return null; }
      }).filter((e) => e && lc(e.args.borrower) === lc(l.user));
      const coll = evs.filter((e) => e.name === 'AbsorbCollateral');
      const debtEv = evs.find((e) => e.name === 'AbsorbDebt');
      if (!debtEv) return ['no AbsorbDebt event'];
      if (coll.length !== ls.length) errs.push(`${coll.length} AbsorbCollateral events, lendex lists ${ls.length} collateral assets`);
      const basePrice = await comet.getPrice(await comet.baseTokenPriceFeed(at), at);
      const baseScale = await comet.baseScale(at);
      let credit = 0n;
      for (const e of coll) {
        const q = ls.find((x) => lc(x.collateralAsset) === lc(e.args.asset));
        if (!q) { errs.push(`absorbed ${e.args.asset}, lendex does not list it`); continue; }
        if (String(e.args.collateralAbsorbed) !== q.liquidatedCollateralAmount)
          errs.push(`${e.args.asset} absorbed: chain ${e.args.collateralAbsorbed}, lendex ${q.liquidatedCollateralAmount}`);
        const left = await comet.collateralBalanceOf(l.user, e.args.asset, at);
        if (String(left) !== q.collateralBalanceAfter) errs.push(`${e.args.asset} left: chain ${left}, lendex ${q.collateralBalanceAfter}`);
        const lf = (await comet.getAssetInfoByAddress(e.args.asset, at)).liquidationFactor;
        credit += (e.args.usdValue * lf) / 10n ** 18n;
      }
      credit = (credit * baseScale) / basePrice;
      const debt = BigInt(ls[0].debtAsked);
      for (const q of ls) if (q.debtAsked !== ls[0].debtAsked) errs.push(`debtAsked differs between the entries of one absorb: ${q.debtAsked}`);
      const paid = debtEv.args.basePaidOut;
      const want = debt > credit ? debt : credit;
      if (paid !== want) errs.push(`AbsorbDebt.basePaidOut ${paid}: lendex's debt ${debt}, credit ${credit} give ${want}`);
      const repaid = ls.reduce((s, q) => s + BigInt(q.debtToCover), 0n);
      if (repaid !== (debt < credit ? debt : credit)) errs.push(`debt repaid: lendex ${repaid}, chain min(debt ${debt}, credit ${credit})`);
      const deficit = ls.reduce((s, q) => s + BigInt(q.deficitBase), 0n);
      const wantDeficit = debt > credit ? ((debt - credit) * basePrice) / baseScale : 0n;
      if (deficit !== wantDeficit) errs.push(`deficit: lendex ${deficit}, chain's debt - credit at the base price ${wantDeficit}`);
      const bb = await comet.borrowBalanceOf(l.user, at);
      if (String(bb) !== ls[ls.length - 1].debtBalanceAfter) errs.push(`debt left: chain ${bb}, lendex ${ls[ls.length - 1].debtBalanceAfter}`);
      l._paid = paid; l._credit = credit;
      return errs;
    },
  };
}

/*
 * setup: two more borrowers, so that a 20 % WETH fall absorbs one short of its debt and one
 * with credit to spare and two collaterals, whatever the seeded scenario left (its steps
 * depend on block times). X: $20,000 of WETH, borrows $16,400 (at -20 %: liquidity 0.895 x
 * 16,000 = 14,320, credit 0.95 x 16,000 = 15,200: short). Y: the same WETH and $2,000 of WBTC,
 * borrows $16,400 (liquidity 14,320 + 0.77 x 2,000 = 15,860, credit 0.95 x 18,000 = 17,100:
 * a base supply left after its absorb). Their addresses go to STATEDIR/cascade_accounts.json
 * (the module asks the chain about them too).
 */
async function setup(n, sc, stateDir) {
  const accounts = await n.rpc('eth_accounts');
  const [x, y] = [accounts[20], accounts[21]];
  const erc = new ethers.Interface(['function allocateTo(address,uint256)', 'function approve(address,uint256) returns (bool)']);
  const ci = new ethers.Interface(['function supply(address,uint256)', 'function withdraw(address,uint256)',
    'function getAssetInfoByAddress(address) view returns (tuple(uint8 offset, address asset, address priceFeed, uint64 scale, uint64 borrowCollateralFactor, uint64 liquidateCollateralFactor, uint64 liquidationFactor, uint128 supplyCap))',
    'function getPrice(address) view returns (uint256)']);
  const comet = new ethers.Contract(sc.comet, ci, n.provider);
  const send = async (from, to, data, what) => n.mined(await n.rpc('eth_sendTransaction', [{ from, to, data, gas: '0x4c4b40' }]), what);
  // usd dollars of an asset, in its units (prices: USD with 8 decimals)
  const worth = async (asset, usd, dec) => {
    const info = await comet.getAssetInfoByAddress(asset);
    return (BigInt(usd) * 10n ** 8n * 10n ** BigInt(dec)) / (await comet.getPrice(info.priceFeed));
  };
  const plan = [[x, [['WETH', 20000, 18]]], [y, [['WETH', 20000, 18], ['WBTC', 2000, 8]]]];
  for (const [who, colls] of plan) {
    for (const [sym, usd, dec] of colls) {
      const t = sc.assets[sym], amount = await worth(t, usd, dec);
      await send(who, t, erc.encodeFunctionData('allocateTo', [who, amount]), 'allocate');
      await send(who, t, erc.encodeFunctionData('approve', [sc.comet, ethers.MaxUint256]), 'approve');
      await send(who, sc.comet, ci.encodeFunctionData('supply', [t, amount]), 'supply');
    }
    await send(who, sc.comet, ci.encodeFunctionData('withdraw', [sc.base, 16400n * 10n ** 6n]), 'borrow');
  }
  fs.writeFileSync(path.join(stateDir, 'cascade_accounts.json'), JSON.stringify([x, y]) + '\n');
}

module.exports = { module: module_, setup };

async function main() {
  if (process.argv[2] === 'setup') {
    const dir = process.argv[3];
    const sc = JSON.parse(fs.readFileSync(path.join(dir, 'scenario.json'), 'utf8'));
    return setup(net(fs.readFileSync(path.join(dir, 'rpc'), 'utf8').trim()), sc, dir);
  }
  const [stateDir, bin, dataDir, token, pctArg] = process.argv.slice(2);
  if (!pctArg) { console.error('usage: node comet_cascade.js setup STATEDIR | STATEDIR LENDEX DATADIR TOKEN PCT'); process.exit(1); }
  const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json'), 'utf8'));
  const extra = path.join(stateDir, 'cascade_accounts.json');
  if (fs.existsSync(extra)) sc.accounts = sc.accounts.concat(JSON.parse(fs.readFileSync(extra, 'utf8')));
  const n = net(fs.readFileSync(path.join(stateDir, 'rpc'), 'utf8').trim());
  const accounts = await n.rpc('eth_accounts');
  const bps = Math.round(Number(pctArg) * 100);
  const addr = sc.assets[token] || token;
  const m = module_({ n, admin: accounts[0], liquidator: accounts[accounts.length - 1] }, sc, addr);
  const res = await run({
    n, modules: [m], bps,
    lendex: (T) => ({ comet: lendexCascade(bin, ['--chain', 'devnet', '--datadir', dataDir,
      '--deployment', sc.deployment, '--shock', `${token}=${pctArg}%`, '--rounds', '1', '--at', String(T)]) }),
    log: (s) => console.log('comet_cascade: ' + s),
  });
  let bad = res.bad;
  const liqs = res.listed.comet || [];
  const users = new Set(liqs.map((l) => l.user.toLowerCase()));
  const short = new Set(liqs.filter((l) => l.deficitBase !== '0').map((l) => l.user.toLowerCase()));
  const spare = [...users].filter((u) => !short.has(u));
  if (!short.size || !spare.length || !liqs.some((l) => l.seq > 1)) {
    bad++;
    console.error(`comet_cascade: the round must absorb an account short of its debt, one with credit to spare and one with two collaterals (${users.size} absorbed)`);
  }
  console.log(`comet_cascade: ${users.size} accounts absorbed (${liqs.length} collateral entries, ${short.size} short of their debt) ` +
    `in block ${res.block}: ${bad ? bad + ' mismatches' : 'every amount equals the chain'}`);
  process.exit(bad ? 1 : 0);
}
if (require.main === module) main().catch((e) => { console.error('comet_cascade: ' + (e.stack || e.message)); process.exit(2); });
