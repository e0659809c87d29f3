// morpho_cascade.js: round 1 of lendex's cascade against Morpho Blue's own liquidate, on the
// morpho.js devnet after lendex synced it (cascade_onchain.js runs the steps). The shock moves
// the oracle of every market whose collateral is the shocked token; lendex's listed positions
// must be exactly those Morpho lets a liquidator into (Morpho's own liquidate of one share, in
// an eth_call);
// each is liquidated as lendex chose — all the collateral (seizedAssets) when lendex seized all
// of it, else every borrow share (repaidShares) — and the Liquidate event's repaidAssets,
// seizedAssets and badDebtAssets must equal lendex's debtToCover, liquidatedCollateralAmount and
// deficitBase, the shares repaid and written off must be every share the position had when no
// debt is left, and the position left (collateral, borrow assets) must equal lendex's.
//
// module: require('./morpho_cascade').module(env, scenario, token)
// usage:  node morpho_cascade.js STATEDIR LENDEX DATADIR TOKEN PCT [TOKEN PCT ...]
//         (each shock from the synced chain; requires a bad-debt liquidation and two
//         liquidations in one market in one round)
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { build } = require('./morpho_build');
const { net, run, lendexCascade, mintTo, approve } = require('./cascade_onchain');

/*
 * env: { n (cascade_onchain net), admin, liquidator (unlocked addresses) }; sc: { morpho,
 * markets: [{ id, params }], accounts }; token: the shocked token. A market whose collateral is
 * the token has its oracle moved by the shock, one whose loan token it is the inverse way
 * (the oracle prices collateral in loan units).
 */
function module_(env, sc, token) {
  const { n, liquidator, admin } = env;
  const C = build();
  const iface = new ethers.Interface(C.Morpho.abi.concat(C.EventsLib.abi.filter((x) => x.type === 'event')));
  const morpho = new ethers.Contract(sc.morpho, iface, n.provider);
  const oracleAbi = ['function price() view returns (uint256)', 'function setPrice(uint256)'];
  const lc = (x) => x.toLowerCase();
  const tok = lc(token);
  const params = (m) => [m.params.loanToken, m.params.collateralToken, m.params.oracle, m.params.irm, BigInt(m.params.lltv)];
  const send = (to, data) => n.rpc('eth_sendTransaction', [{ from: liquidator, to, data, gas: '0x2dc6c0' }]);
  // the market of a liquidation: lendex names it (the pair of tokens alone need not)
  function marketOf(l) {
    const m = l.market && sc.markets.find((x) => lc(x.id) === lc(l.market));
    if (!m) throw new Error(`morpho: lendex's liquidation of ${l.user} names no market of the scenario (${l.market})`);
    if (lc(m.params.collateralToken) !== lc(l.collateralAsset) || lc(m.params.loanToken) !== lc(l.debtAsset))
      throw new Error(`morpho: market ${l.market} is not the pair ${l.collateralAsset}/${l.debtAsset}`);
    return m;
  }
  const before = new Map(); // key -> position at the shocked price, before any liquidation
  const position = async (m, a, tag) => {
    const p = await morpho.position(m.id, a, { blockTag: tag });
    const k = await morpho.market(m.id, { blockTag: tag });
    return { supplyShares: p.supplyShares, borrowShares: p.borrowShares, collateral: p.collateral,
      // toAssetsUp with Morpho's virtual shares and assets
      borrowAssets: (p.borrowShares * (k.totalBorrowAssets + 1n) + k.totalBorrowShares + 1000000n - 1n) / (k.totalBorrowShares + 1000000n) };
  };
  return {
    name: 'morpho',
    key: (l) => `${lc(l.user)}:${lc(marketOf(l).id)}`,
    async fund() {
      for (const t of new Set(sc.markets.map((m) => lc(m.params.loanToken)))) {
        await mintTo(n, t, liquidator, 1n << 200n, admin);
        await approve(n, t, liquidator, sc.morpho);
      }
    },
    async shock(bps) {
      const out = [];
      const moved = new Set();
      for (const m of sc.markets) {
        const o = lc(m.params.oracle);
        const coll = lc(m.params.collateralToken) === tok, loan = lc(m.params.loanToken) === tok;
        if ((!coll && !loan) || moved.has(o)) continue;
        moved.add(o);
        const c = new ethers.Contract(o, oracleAbi, n.provider);
        const p = await c.price();
        const q = coll ? (p * BigInt(10000 + bps)) / 10000n : (p * 10000n) / BigInt(10000 + bps);
        out.push(await n.rpc('eth_sendTransaction', [{ from: admin, to: o, data: c.interface.encodeFunctionData('setPrice', [q]), gas: '0x2dc6c0' }]));
      }
      return out;
    },
    // Morpho's own verdict: liquidate one borrow share in an eth_call (it accrues interest
    // to the block first); the revert "position is healthy" says no
    async liquidatable(tag) {
      const out = new Map();
      for (const a of sc.accounts)
        for (const m of sc.markets) {
          const v = await position(m, a, tag);
          if (v.borrowShares === 0n && v.collateral === 0n && v.supplyShares === 0n) continue;
          const k = `${lc(a)}:${lc(m.id)}`;
          let liq = false;
          if (v.borrowShares > 0n) {
            try {
              await n.rpc('eth_call', [{ from: liquidator, to: sc.morpho, gas: '0x2dc6c0',
                data: iface.encodeFunctionData('liquidate', [params(m), a, 0n, 1n, '0x']) }, ethers.toQuantity(tag)]);
              liq = true;
            } catch (e) {
              if (!/position is healthy/.test(String(e.message) + JSON.stringify(e.error || e.info || ''))) throw e;
            }
          }
          out.set(k, { liquidatable: liq, collateral: v.collateral > 0n });
          before.set(k, v);
        }
      return out;
    },
    async send(l) {
      const m = marketOf(l);
      const v = before.get(`${lc(l.user)}:${lc(m.id)}`);
      // lendex seized all the collateral (the rest bad debt) or repaid every share
      const all = l.collateralBalanceAfter === '0';
      const args = all ? [BigInt(l.liquidatedCollateralAmount), 0n] : [0n, v ? v.borrowShares : 0n];
      l._in = all ? 'seizedAssets' : 'repaidShares';
      return send(sc.morpho, iface.encodeFunctionData('liquidate', [params(m), l.user, ...args, '0x']));
    },
    async verify(l, r, block) {
      const errs = [];
      const m = marketOf(l);
      const ev = r.logs.filter((g) => lc(g.address) === lc(sc.morpho)).map((g) => {
        try { return iface.parseLog(g); } catch (e) { return null; }
      }).find((e) => e && e.name === 'Liquidate');
      if (!ev) return ['no Liquidate event'];
      const want = [['repaidAssets', l.debtToCover], ['seizedAssets', l.liquidatedCollateralAmount],
        ['badDebtAssets', l.deficitBase]];
      for (const [f, w] of want) if (String(ev.args[f]) !== w) errs.push(`${f}: chain ${ev.args[f]}, lendex ${w} (by ${l._in})`);
      const v = before.get(`${lc(l.user)}:${lc(m.id)}`);
      if (l.debtBalanceAfter === '0' && ev.args.repaidShares + ev.args.badDebtShares !== v.borrowShares)
        errs.push(`shares: repaid ${ev.args.repaidShares} + bad debt ${ev.args.badDebtShares} != the position's ${v.borrowShares}, lendex leaves no debt`);
      if ((ev.args.badDebtShares > 0n) !== (l.deficitBase !== '0')) errs.push(`badDebtShares ${ev.args.badDebtShares}, lendex deficit ${l.deficitBase}`);
      const after = await position(m, l.user, block);
      if (String(after.collateral) !== l.collateralBalanceAfter) errs.push(`collateral left: chain ${after.collateral}, lendex ${l.collateralBalanceAfter}`);
      if (String(after.borrowAssets) !== l.debtBalanceAfter) errs.push(`debt left: chain ${after.borrowAssets}, lendex ${l.debtBalanceAfter}`);
      return errs;
    },
  };
}

module.exports = { module: module_ };

async function main() {
  const [stateDir, bin, dataDir, ...pairs] = process.argv.slice(2);
  if (!pairs.length || pairs.length % 2) { console.error('usage: node morpho_cascade.js STATEDIR LENDEX DATADIR TOKEN PCT [TOKEN PCT ...]'); process.exit(1); }
  const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json'), 'utf8'));
  const n = net(fs.readFileSync(path.join(stateDir, 'rpc'), 'utf8').trim());
  const accounts = await n.rpc('eth_accounts');
  let bad = 0;
  const liqs = [];
  // each shock on the chain as lendex synced it (the store is from before any): snapshot, revert
  for (let i = 0; i < pairs.length; i += 2) {
    const [token, pctArg] = [pairs[i], pairs[i + 1]];
    const snap = await n.rpc('evm_snapshot', []);
    const m = module_({ n, admin: accounts[0], liquidator: accounts[accounts.length - 1] }, sc, token);
    const res = await run({
      n, modules: [m], bps: Math.round(Number(pctArg) * 100),
      lendex: (T) => ({ morpho: lendexCascade(bin, ['--chain', 'devnet', '--datadir', dataDir,
        '--deployment', 'morpho-blue-devnet', '--shock', `${token}=${pctArg}%`, '--rounds', '1', '--at', String(T)]) }),
      log: (s) => console.log(`morpho_cascade: ${token} ${pctArg}%: ${s}`),
    });
    bad += res.bad;
    const ls = (res.listed.morpho || []).map((l) => ({ ...l, key: m.key(l) }));
    liqs.push(...ls.map((l) => ({ ...l, run: i })));
    const markets = new Set(ls.map((l) => l.key.split(':')[1]));
    console.log(`morpho_cascade: ${token} ${pctArg}%: ${ls.length} liquidations on ${markets.size} markets in block ${res.block}` +
      (res.bad ? `: ${res.bad} mismatches` : ': every amount equals the chain'));
    if (!(await n.rpc('evm_revert', [snap]))) throw new Error('evm_revert failed');
  }
  const perMarket = new Map();
  for (const l of liqs) { const k = l.run + ':' + l.key.split(':')[1]; perMarket.set(k, (perMarket.get(k) || 0) + 1); }
  const badDebt = liqs.filter((l) => l.deficitBase !== '0').length;
  const most = Math.max(0, ...perMarket.values());
  if (!badDebt) { bad++; console.error('morpho_cascade: no liquidation with bad debt: the shocks test too little'); }
  if (most < 2) { bad++; console.error('morpho_cascade: no market with two liquidations in one round'); }
  console.log(`morpho_cascade: ${liqs.length} liquidations (at most ${most} in one market in one round, ${badDebt} with bad debt): ` +
    (bad ? `${bad} mismatches` : 'every amount equals the chain'));
  process.exit(bad ? 1 : 0);
}
if (require.main === module) main().catch((e) => { console.error('morpho_cascade: ' + (e.stack || e.message)); process.exit(2); });
