// aave_cascade.js: the Aave V3 module of cascade_onchain.js (round 1 of lendex's cascade
// against Aave's own liquidationCall). The shock replaces the token's price source with a
// MockAggregator answering floor(price * (10000 + bps) / 10000) (AaveOracle.setAssetSources);
// an account is liquidatable when getUserAccountData's health factor is below 1 with debt;
// each liquidation lendex lists is sent with its pair, its debtAsked and receiveAToken, and
// the LiquidationCall event's debtToCover and liquidatedCollateralAmount must equal lendex's;
// after an account's last liquidation of the block its collateral aToken balance and its debt
// (variable + stable) in the pair must equal lendex's balances after.
//
// module: require('./aave_cascade').module(env, { pool, oracle, accounts }, token)
'use strict';
const { ethers } = require('ethers');
const aave = require('./lib/aave_v3');
const { mintTo, approve } = require('./cascade_onchain');

function module_(env, sc, token) {
  const { n, admin, liquidator } = env;
  const lc = (x) => x.toLowerCase();
  const pool = new ethers.Contract(sc.pool, aave.art('Pool').abi, n.provider);
  const oracle = new ethers.Contract(sc.oracle, aave.art('AaveOracle').abi, n.provider);
  const agg = aave.art('MockAggregator');
  const erc20 = new ethers.Interface(['function balanceOf(address) view returns (uint256)']);
  const tx = (from, to, data) => n.rpc('eth_sendTransaction', [{ from, to, data, gas: '0x4c4b40' }]);
  const entries = new Map();
  const balance = async (t, who, tag) => (t === ethers.ZeroAddress ? 0n
    : erc20.decodeFunctionResult('balanceOf', await n.rpc('eth_call', [{ to: t, data: erc20.encodeFunctionData('balanceOf', [who]) }, ethers.toQuantity(tag)]))[0]);
  return {
    name: 'aave',
    key: (l) => lc(l.user),
    async fund() {
      for (const t of await pool.getReservesList()) {
        await mintTo(n, t, liquidator, 1n << 120n, admin);
        await approve(n, t, liquidator, sc.pool);
      }
    },
    async shock(bps) {
      const p = await oracle.getAssetPrice(token);
      const f = new ethers.ContractFactory(agg.abi, agg.bytecode);
      const d = await f.getDeployTransaction((p * BigInt(10000 + bps)) / 10000n);
      const nonce = Number(await n.rpc('eth_getTransactionCount', [admin, 'pending']));
      const at = ethers.getCreateAddress({ from: admin, nonce });
      const h1 = await n.rpc('eth_sendTransaction', [{ from: admin, data: d.data, gas: '0x4c4b40' }]);
      const h2 = await tx(admin, sc.oracle, oracle.interface.encodeFunctionData('setAssetSources', [[token], [at]]));
      return [h1, h2];
    },
    async liquidatable(tag) {
      const out = new Map();
      for (const a of sc.accounts) {
        const d = await pool.getUserAccountData(a, { blockTag: tag });
        if (d[0] === 0n && d[1] === 0n) continue;
        out.set(lc(a), { liquidatable: d[1] > 0n && d[5] < 10n ** 18n, collateral: d[0] > 0n });
      }
      return out;
    },
    async send(l) {
      const k = lc(l.user);
      if (!entries.has(k)) entries.set(k, []);
      entries.get(k).push(l);
      return tx(liquidator, sc.pool, pool.interface.encodeFunctionData('liquidationCall',
        [l.collateralAsset, l.debtAsset, l.user, BigInt(l.debtAsked), l.receiveAToken]));
    },
    async verify(l, r, block) {
      const errs = [];
      const ev = r.logs.filter((g) => lc(g.address) === lc(sc.pool)).map((g) => {
        try { return pool.interface.parseLog(g); } catch (e) { return null; }
      }).find((e) => e && e.name === 'LiquidationCall');
      if (!ev) return ['no LiquidationCall event'];
      if (lc(ev.args.user) !== lc(l.user)) errs.push(`LiquidationCall of ${ev.args.user}`);
      for (const f of ['debtToCover', 'liquidatedCollateralAmount'])
        if (String(ev.args[f]) !== l[f]) errs.push(`${f} (seq ${l.seq}): chain ${ev.args[f]}, lendex ${l[f]}`);
      const es = entries.get(lc(l.user));
      if (es[es.length - 1] !== l) return errs;
      const c = await pool.getReserveData(l.collateralAsset, { blockTag: block });
      const d = await pool.getReserveData(l.debtAsset, { blockTag: block });
      const coll = await balance(c.aTokenAddress, l.user, block);
      const debt = (await balance(d.variableDebtTokenAddress, l.user, block)) + (await balance(d.stableDebtTokenAddress, l.user, block));
      if (String(coll) !== l.collateralBalanceAfter) errs.push(`collateral left: chain ${coll}, lendex ${l.collateralBalanceAfter}`);
      if (String(debt) !== l.debtBalanceAfter) errs.push(`debt left: chain ${debt}, lendex ${l.debtBalanceAfter}`);
      return errs;
    },
  };
}

module.exports = { module: module_ };
