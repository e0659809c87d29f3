// cross.js: Aave V3 (3.0.2, npm @aave/core-v3), Morpho Blue 1.0 (npm @morpho-org/morpho-blue,
// compiled by morpho_build.js) and Compound V3 (../shared/compound-v3) on ONE anvil, deployed
// by the same modules the per-protocol scenarios use (lib/), sharing two tokens: one WETH-like
// and one USDC-like MintableERC20 listed by all three, priced alike everywhere (Aave's
// MockAggregator and Comet's SimplePriceFeed answer 2000 and 1 USD with 8 decimals; each Morpho
// oracle answers the same ratio scaled as Morpho wants). The Morpho markets have no IRM (no
// interest), so position() and market() read at a block are the contract's exact view there.
// Accounts hold positions on two and on three protocols, and three accounts loop:
//   cross_looper   Aave <-> Morpho: borrow USDC on Aave, supply it to Morpho as collateral,
//                  borrow WETH there, resupply it to Aave; two rounds each way (4 rounds)
//   comet_looper   Compound V3 <-> Aave: borrow USDC on Comet, supply it to Aave, borrow WETH
//                  there, supply it to Comet as collateral, borrow again (3 rounds)
//   aave_looper    a plain Aave WETH loop, 3 rounds on one protocol
// Supplies of the accounts that do not loop all come before any borrow, so no supply follows
// an open borrow of theirs. Writes STATEDIR/chains/devnet.json (all three deployments) and
// STATEDIR/scenario.json (addresses, accounts, loops built).
//
// A second mode is the referee of `position ADDRESS` over the three protocols: for every account
// of the scenario, every market lendex lists (and no other) must equal the chain's own view at
// the head — Aave's getUserAccountData and token balances; Morpho's position() and market()
// with the oracle's price (health as _isHealthy computes it); Comet's balanceOf,
// borrowBalanceOf, collateralBalanceOf and isLiquidatable — each market naming its protocol and
// version, each reserve's USD value the amount at the (shared) USD price, the total their sum.
//
// A third mode checks `leverage --all-markets`: every account's loop depth over the three
// protocols exactly as built (the cross loopers' rounds counted on both protocols, all of them
// across markets; the plain Aave loop as before, also by `leverage --deployment`; no loop for
// anyone else), and its collateral and debt in USD equal to what `position` lists.
//
// usage: node cross.js RPC_URL STATEDIR
//        node cross.js position STATEDIR LENDEX_BIN [lendex args...]
//        node cross.js leverage STATEDIR LENDEX_BIN [lendex args...]
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { connect, logger, U } = require('./lib/net');
const aave = require('./lib/aave_v3');
const morphoLib = require('./lib/morpho');
const cometLib = require('./lib/comet');

const MODE = ['position', 'leverage'].includes(process.argv[2]) ? process.argv[2] : 'play';
const [rpcUrl, stateDir] = MODE === 'play' ? process.argv.slice(2) : [null, process.argv[3]];
if (!stateDir) {
  console.error('usage: node cross.js RPC_URL STATEDIR | position STATEDIR LENDEX_BIN [args]');
  process.exit(1);
}
const sc = MODE === 'play' ? null : JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const net = connect(rpcUrl || sc.rpc, { gas: 'pad' });
const { rpc, send, blockNumber } = net;
const log = logger('cross');
const MAX = ethers.MaxUint256;
const E36 = 10n ** 36n;
const PRICE = { WETH: 2000, USDC: 1 };

async function main() {
  fs.mkdirSync(path.join(stateDir, 'chains'), { recursive: true });
  const accounts = await rpc('eth_accounts');
  await rpc('anvil_setBlockTimestampInterval', [12]);
  const S = accounts.map((a) => new ethers.JsonRpcSigner(net.provider, a));
  const admin = S[0];
  const t0 = Date.now();

  // ---- the shared tokens, and the Aave market listing them ----
  const specs = [{ sym: 'WETH', dec: 18, price: PRICE.WETH }, { sym: 'USDC', dec: 6, price: PRICE.USDC }];
  const T = await aave.tokens(net, admin, specs);
  const startBlock = (await blockNumber()) + 1;
  const A = await aave.market(net, admin, accounts[0], T, specs, accounts[29], 'lendex-cross');
  const risk = { WETH: [8000, 8250, 10500], USDC: [7500, 8000, 10500] };
  for (const s of specs) {
    await send(`collateral ${s.sym}`, A.cfg.configureReserveAsCollateral(T[s.sym].token.target, ...risk[s.sym]));
    await send(`reserveFactor ${s.sym}`, A.cfg.setReserveFactor(T[s.sym].token.target, 1000));
    await send(`borrowing ${s.sym}`, A.cfg.setReserveBorrowing(T[s.sym].token.target, true));
  }
  // ---- Compound V3: base USDC, collateral WETH, the same prices through Comet's feeds ----
  const cfeed = {};
  for (const s of specs) cfeed[s.sym] = await cometLib.deploy(net, 'SimplePriceFeed', admin, [U(s.price, 8), 8]);
  const C = await cometLib.market(net, admin, { base: T.USDC.token.target, baseFeed: cfeed.USDC.target,
    assets: [cometLib.asset(T.WETH.token.target, cfeed.WETH.target, 18, 0.825, 0.895, 0.95, 100000)] });
  // ---- Morpho Blue: WETH loan against USDC, and USDC loan against WETH ----
  const lltv = 860000000000000000n;
  const morpho = await morphoLib.singleton(net, admin, [ethers.ZeroAddress], [lltv]);
  // price of one unit (wei) of collateral in units of loan token, scaled by 1e36
  const oracle = async (coll, loan) => {
    const o = await morphoLib.deploy(net, 'OracleMock', admin);
    const num = BigInt(PRICE[coll] * 1e6) * 10n ** BigInt(T[loan].dec), den = BigInt(PRICE[loan] * 1e6) * 10n ** BigInt(T[coll].dec);
    await send('setPrice', o.setPrice((E36 * num) / den));
    return o;
  };
  const mkt = async (loan, coll) => {
    const m = { loanToken: T[loan].token.target, collateralToken: T[coll].token.target,
      oracle: (await oracle(coll, loan)).target, irm: ethers.ZeroAddress, lltv };
    await send('createMarket', morpho.createMarket(m));
    return m;
  };
  const mWeth = await mkt('WETH', 'USDC'); // borrow WETH against USDC
  const mUsdc = await mkt('USDC', 'WETH'); // borrow USDC against WETH
  log(`deployed in ${Date.now() - t0} ms`);

  // ---- scenario ----
  const amt = (sym, x) => U(x, T[sym].dec);
  for (let i = 1; i <= 12; i++)
    for (const s of specs) {
      await send(`mint ${s.sym} ${i}`, T[s.sym].token.connect(admin)['mint(address,uint256)'](accounts[i], amt(s.sym, s.sym === 'WETH' ? 10000 : 5000000)));
      for (const spender of [A.pool.target, C.address, morpho.target])
        await send(`approve ${s.sym} ${i}`, T[s.sym].token.connect(S[i]).approve(spender, MAX));
    }
  const pool = (i) => A.pool.connect(S[i]);
  const comet = (i) => C.at(S[i]);
  const mo = (i) => morpho.connect(S[i]);
  const aSupply = (i, sym, x) => send(`aave supply ${i} ${sym}`, pool(i).supply(T[sym].token.target, amt(sym, x), accounts[i], 0));
  const aBorrow = (i, sym, x) => send(`aave borrow ${i} ${sym}`, pool(i).borrow(T[sym].token.target, amt(sym, x), 2, 0, accounts[i]));
  const cSupply = (i, sym, x) => send(`comet supply ${i} ${sym}`, comet(i).supply(T[sym].token.target, amt(sym, x)));
  const cBorrow = (i, x) => send(`comet borrow ${i}`, comet(i).withdraw(T.USDC.token.target, amt('USDC', x)));
  const mLend = (i, m, sym, x) => send(`morpho supply ${i}`, mo(i).supply(m, amt(sym, x), 0n, accounts[i], '0x'));
  const mColl = (i, m, sym, x) => send(`morpho collateral ${i}`, mo(i).supplyCollateral(m, amt(sym, x), accounts[i], '0x'));
  const mBorrow = (i, m, sym, x) => send(`morpho borrow ${i}`, mo(i).borrow(m, amt(sym, x), 0n, accounts[i], accounts[i]));

  // liquidity on every protocol
  await aSupply(1, 'USDC', 2000000); await aSupply(1, 'WETH', 1000);
  await cSupply(1, 'USDC', 1000000);
  await mLend(1, mWeth, 'WETH', 1000); await mLend(1, mUsdc, 'USDC', 1000000);
  // collateral first, borrows after: these accounts build no loop
  await aSupply(2, 'WETH', 10); await cSupply(2, 'WETH', 10);                            // Aave + Comet
  await aSupply(3, 'WETH', 5); await cSupply(3, 'WETH', 5); await mColl(3, mUsdc, 'WETH', 5); // all three
  await mColl(4, mUsdc, 'WETH', 8); await aSupply(4, 'WETH', 3);                         // Morpho + Aave
  await mColl(5, mUsdc, 'WETH', 6); await cSupply(5, 'WETH', 4);                         // Morpho + Comet
  await aBorrow(2, 'USDC', 8000); await cBorrow(2, 9000);
  await aBorrow(3, 'USDC', 3000); await cBorrow(3, 4000); await mBorrow(3, mUsdc, 'USDC', 5000);
  await mBorrow(4, mUsdc, 'USDC', 6000); await aBorrow(4, 'USDC', 1000);
  await mBorrow(5, mUsdc, 'USDC', 4000); await cBorrow(5, 2500);
  // the cross-protocol looper: Aave <-> Morpho, two rounds each way
  const X = 6;
  await aSupply(X, 'WETH', 10);
  await aBorrow(X, 'USDC', 12000); await mColl(X, mWeth, 'USDC', 12000);
  await mBorrow(X, mWeth, 'WETH', 4); await aSupply(X, 'WETH', 4);
  await aBorrow(X, 'USDC', 6000); await mColl(X, mWeth, 'USDC', 6000);
  await mBorrow(X, mWeth, 'WETH', 2); await aSupply(X, 'WETH', 2);
  // Comet <-> Aave: three rounds
  const Y = 7;
  await cSupply(Y, 'WETH', 10);
  await cBorrow(Y, 10000); await aSupply(Y, 'USDC', 10000);
  await aBorrow(Y, 'WETH', 3.5); await cSupply(Y, 'WETH', 3.5);
  await cBorrow(Y, 5000); await aSupply(Y, 'USDC', 5000);
  // a plain loop on Aave alone: three rounds
  const Z = 8;
  await aSupply(Z, 'WETH', 10);
  for (const b of [7.5, 5.5, 4]) { await aBorrow(Z, 'WETH', b); await aSupply(Z, 'WETH', b); }
  await net.jump(3 * 86400);
  const head = await blockNumber();
  log(`head ${head}, ${Date.now() - t0} ms`);

  const reserves = {};
  for (const s of specs) reserves[s.sym] = { asset: T[s.sym].token.target, aToken: T[s.sym].aToken, variableDebtToken: T[s.sym].vToken, stableDebtToken: T[s.sym].sToken, decimals: s.dec };
  const chain = {
    name: 'devnet', chain_id: 31337, reorg_window: 64, confirmations: 0, max_block_range: 10000,
    deployments: [
      aave.deployment('aave-v3-cross', startBlock, A, { eth: [T.WETH.token.target], usd: [T.USDC.token.target] },
        { addresses: 'tests/devnet/cross.js', start_block_from: 'tests/devnet/cross.js' }),
      morphoLib.deployment('morpho-blue-cross', morpho.deployBlock, morpho),
      cometLib.deployment('compound-v3-cross', C.startBlock, C.address),
    ],
  };
  fs.writeFileSync(path.join(stateDir, 'chains', 'devnet.json'), JSON.stringify(chain, null, 2) + '\n');
  const scenario = {
    rpc: rpcUrl, head_block: head, pool: A.pool.target, oracle: A.oracle.target, comet: C.address,
    morpho: morpho.target, tokens: { WETH: T.WETH.token.target, USDC: T.USDC.token.target }, reserves,
    feeds: { aave: { WETH: T.WETH.feed.target, USDC: T.USDC.feed.target }, comet: { WETH: cfeed.WETH.target, USDC: cfeed.USDC.target } },
    markets: [mWeth, mUsdc].map((m) => ({ id: morphoLib.idOf(m), params: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.toString()])) })),
    accounts: Object.fromEntries([1, 2, 3, 4, 5, X, Y, Z].map((i) => [accounts[i], i])),
    two_protocols: [accounts[2], accounts[4], accounts[5]], three_protocols: [accounts[3]],
    // loops built: rounds still open at the head, per account (all correlated: the borrowed
    // token itself moves to the other protocol, or WETH against WETH)
    loops: {
      [accounts[X]]: { rounds: 4, correlated: 4, directional: 0, protocols: ['aave-v3-cross', 'morpho-blue-cross'] },
      [accounts[Y]]: { rounds: 3, correlated: 3, directional: 0, protocols: ['aave-v3-cross', 'compound-v3-cross'] },
      [accounts[Z]]: { rounds: 3, correlated: 3, directional: 0, protocols: ['aave-v3-cross'] },
    },
  };
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify(scenario, null, 1) + '\n');
}

const WAD = 10n ** 18n;
const MAXU = (1n << 256n) - 1n;
const lendex = (bin, args) => JSON.parse(require('child_process').execFileSync(bin, args, { encoding: 'utf8' }));

async function position(bin, extra) {
  const block = sc.head_block, at = { blockTag: block };
  const p = net.provider;
  const pool = new ethers.Contract(sc.pool, aave.art('Pool').abi, p);
  const aOracle = new ethers.Contract(sc.oracle, aave.art('AaveOracle').abi, p);
  const erc20 = new ethers.Contract(ethers.ZeroAddress, ['function balanceOf(address) view returns (uint256)'], p);
  const morpho = new ethers.Contract(sc.morpho, morphoLib.contracts().Morpho.abi, p);
  const oracleAbi = ['function price() view returns (uint256)'];
  const comet = new ethers.Contract(sc.comet, cometLib.cometAbi(), p);
  const usdPrice = {};
  for (const [sym, t] of Object.entries(sc.tokens)) usdPrice[t.toLowerCase()] = await aOracle.getAssetPrice(t, at);
  const usd = (asset, amount) => (BigInt(amount) * usdPrice[asset.toLowerCase()]) / 10n ** BigInt(sc.reserves[Object.keys(sc.tokens).find((k) => sc.tokens[k].toLowerCase() === asset.toLowerCase())].decimals);
  let checks = 0, bad = 0;
  const eq = (who, what, want, got) => {
    checks++;
    if (String(want) !== String(got)) { bad++; console.error(`MISMATCH ${who} ${what}: chain ${want} lendex ${got}`); }
  };
  const counts = {};
  for (const acct of Object.keys(sc.accounts)) {
    const j = lendex(bin, ['position', acct, '--json', ...extra]);
    const want = []; // [deployment, market or null] the chain says the account is on
    // Aave
    const d = await pool.getUserAccountData(acct, at);
    if (d[0] !== 0n || d[1] !== 0n) want.push(['aave-v3-cross', null]);
    // Morpho
    const mview = {};
    for (const m of sc.markets) {
      const ps = await morpho.position(m.id, acct, at);
      if (ps.supplyShares === 0n && ps.borrowShares === 0n && ps.collateral === 0n) continue;
      const mk = await morpho.market(m.id, at);
      const price = await new ethers.Contract(m.params.oracle, oracleAbi, p).price(at);
      const supplyAssets = (ps.supplyShares * (mk.totalSupplyAssets + 1n)) / (mk.totalSupplyShares + 1000000n);
      const borrowAssets = (ps.borrowShares * (mk.totalBorrowAssets + 1n) + mk.totalBorrowShares + 1000000n - 1n) / (mk.totalBorrowShares + 1000000n);
      const maxBorrow = (((ps.collateral * price) / E36) * BigInt(m.params.lltv)) / WAD;
      mview[m.id.toLowerCase()] = { m, supplyAssets, borrowAssets, collateral: ps.collateral,
        healthFactor: ps.borrowShares === 0n ? MAXU : (maxBorrow * WAD) / borrowAssets };
      want.push(['morpho-blue-cross', m.id.toLowerCase()]);
    }
    // Comet
    const cw = { balanceOf: await comet.balanceOf(acct, at), borrowBalanceOf: await comet.borrowBalanceOf(acct, at),
      WETH: await comet.collateralBalanceOf(acct, sc.tokens.WETH, at), liquidatable: await comet.isLiquidatable(acct, at) };
    if (cw.balanceOf || cw.borrowBalanceOf || cw.WETH) want.push(['compound-v3-cross', null]);
    const key = (dep, mk) => dep + ':' + (mk || '-');
    eq(acct, 'markets listed', want.map((x) => key(...x)).sort().join(' '),
      j.markets.map((m) => key(m.deployment, m.market && m.market.toLowerCase())).sort().join(' '));
    counts[new Set(want.map((x) => x[0])).size] = (counts[new Set(want.map((x) => x[0])).size] || 0) + 1;
    let ts = 0n, tb = 0n;
    for (const m of j.markets) {
      const who = `${acct} ${m.deployment}`;
      if (m.block !== block) { eq(who, 'block', block, m.block); continue; }
      const row = (asset) => m.reserves.find((r) => r.asset.toLowerCase() === asset.toLowerCase()) || { supplied: '0', borrowed: '0', variableDebt: '0' };
      const proto = { 'aave-v3-cross': ['aave_v3', '3.0.2'], 'morpho-blue-cross': ['morpho_blue', '1.0'], 'compound-v3-cross': ['compound_v3', '3'] }[m.deployment];
      eq(who, 'protocol', proto && proto[0], m.protocol);
      eq(who, 'protocolVersion', proto && proto[1], m.protocolVersion);
      if (m.deployment === 'aave-v3-cross') {
        const names = ['totalCollateralBase', 'totalDebtBase', 'availableBorrowsBase', 'currentLiquidationThreshold', 'ltv', 'healthFactor'];
        names.forEach((k, i) => eq(who, k, d[i], m[k]));
        for (const r of Object.values(sc.reserves)) {
          eq(who, `${r.asset} aToken balance`, await erc20.attach(r.aToken).balanceOf(acct, at), row(r.asset).supplied);
          eq(who, `${r.asset} variable debt`, await erc20.attach(r.variableDebtToken).balanceOf(acct, at), row(r.asset).variableDebt);
        }
      } else if (m.deployment === 'morpho-blue-cross') {
        const v = mview[(m.market || '').toLowerCase()];
        if (!v) continue; // already reported as a listing mismatch
        eq(who, 'loan supplied', v.supplyAssets, row(v.m.params.loanToken).supplied);
        eq(who, 'loan borrowed', v.borrowAssets, row(v.m.params.loanToken).borrowed);
        eq(who, 'collateral', v.collateral, row(v.m.params.collateralToken).supplied);
        eq(who, 'healthFactor', v.healthFactor, m.healthFactor);
      } else if (m.deployment === 'compound-v3-cross') {
        eq(who, 'balanceOf', cw.balanceOf, row(sc.tokens.USDC).supplied);
        eq(who, 'borrowBalanceOf', cw.borrowBalanceOf, row(sc.tokens.USDC).borrowed);
        eq(who, 'collateralBalanceOf WETH', cw.WETH, row(sc.tokens.WETH).supplied);
        eq(who, 'isLiquidatable', cw.liquidatable, BigInt(m.healthFactor) < WAD);
      }
      // USD: every reserve at the shared USD price (8 decimals), the market their sum
      let ms = 0n, mb = 0n;
      for (const r of m.reserves) {
        eq(who, `${r.asset} suppliedUSD`, usd(r.asset, r.supplied), r.suppliedUSD);
        eq(who, `${r.asset} borrowedUSD`, usd(r.asset, r.borrowed), r.borrowedUSD);
        ms += usd(r.asset, r.supplied); mb += usd(r.asset, r.borrowed);
      }
      eq(who, 'suppliedUSD', ms, m.suppliedUSD);
      eq(who, 'borrowedUSD', mb, m.borrowedUSD);
      ts += ms; tb += mb;
    }
    eq(acct, 'total suppliedUSD', ts, j.total.suppliedUSD);
    eq(acct, 'total borrowedUSD', tb, j.total.borrowedUSD);
    eq(acct, 'total complete', true, j.total.complete);
  }
  if (!(counts[3] >= 1 && counts[2] >= 4)) { bad++; console.error(`cross: accounts on 2 / 3 protocols: ${counts[2]} / ${counts[3]}`); }
  console.log(`cross position: ${Object.keys(sc.accounts).length} accounts (${counts[3] || 0} on three protocols, ${counts[2] || 0} on two), ${checks} checks, ${bad} mismatches at block ${block}`);
  process.exit(bad ? 1 : 0);
}

async function leverage(bin, extra) {
  const j = lendex(bin, ['leverage', '--all-markets', '--chain', 'devnet', '--top', '1000', '--json', ...extra]);
  let checks = 0, bad = 0;
  const eq = (who, what, want, got) => {
    checks++;
    if (String(want) !== String(got)) { bad++; console.error(`MISMATCH ${who} ${what}: built ${want} lendex ${got}`); }
  };
  const rows = new Map(j.top.map((r) => [r.account.toLowerCase(), r]));
  const none = { rounds: 0, correlated: 0, directional: 0 };
  for (const acct of Object.keys(sc.accounts)) {
    const r = rows.get(acct.toLowerCase());
    if (!r) { eq(acct, 'row', 'present', 'absent'); continue; }
    const want = sc.loops[acct] || none;
    eq(acct, 'loopDepth', want.rounds, r.loopDepth);
    for (const k of ['rounds', 'correlated', 'directional']) eq(acct, k, want[k], r.loops[k]);
    eq(acct, 'flashLoan', 0, r.loops.flashLoan);
    // the cross loopers' every round goes from one protocol to the other
    const across = want.protocols && want.protocols.length > 1 ? want.rounds : 0;
    eq(acct, 'acrossMarkets', across, r.loops.acrossMarkets);
    // amounts: USD collateral and debt as `position` values them
    const p = lendex(bin, ['position', acct, '--json', ...extra]);
    let coll = 0n;
    for (const m of p.markets) for (const x of m.reserves) if (x.collateral) coll += BigInt(x.suppliedUSD);
    eq(acct, 'collateralUSD', coll, r.collateralUSD);
    eq(acct, 'debtUSD', p.total.borrowedUSD, r.debtUSD);
    eq(acct, 'usdComplete', true, r.usdComplete);
    eq(acct, 'markets', p.markets.map((m) => m.deployment + ':' + m.market).join(' '), r.markets.map((m) => m.deployment + ':' + m.market).join(' '));
  }
  eq('summary', 'looped', Object.keys(sc.loops).length, j.looped);
  eq('summary', 'loopedAcrossMarkets', Object.values(sc.loops).filter((x) => x.protocols.length > 1).length, j.loopedAcrossMarkets);
  // a loop on one protocol counts as before in that protocol's own table
  const [plain] = Object.entries(sc.loops).filter(([, x]) => x.protocols.length === 1);
  const one = lendex(bin, ['leverage', '--chain', 'devnet', '--deployment', plain[1].protocols[0], '--top', '1000', '--json', ...extra]);
  const r1 = one.top.find((r) => r.account.toLowerCase() === plain[0].toLowerCase()) || { loops: none };
  for (const k of ['rounds', 'correlated', 'directional']) eq(plain[0] + ' ' + plain[1].protocols[0], k, plain[1][k], r1.loops[k]);
  console.log(`cross leverage: ${Object.keys(sc.accounts).length} accounts, ${Object.keys(sc.loops).length} loopers, ${checks} checks, ${bad} mismatches`);
  process.exit(bad ? 1 : 0);
}

const run = MODE === 'position' ? position(process.argv[4], process.argv.slice(5))
  : MODE === 'leverage' ? leverage(process.argv[4], process.argv.slice(5)) : main();
run.catch((e) => { console.error('cross: ' + (e.stack || e.message)); process.exit(2); });
