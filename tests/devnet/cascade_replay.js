// cascade_replay.js: referee for every round of lendex's cascade, on the real Aave V3 and
// Uniswap V3 bytecode.
//
// setup (before lendex syncs): a protocol fee on every reserve; a ladder of borrowers with
// WETH (18 dec) and WBTC (8 dec) collateral and USDC (6 dec), DAI and WBTC debt; e-mode
// accounts; Uniswap V3 pools (npm v3-core 1.0.1 / v3-periphery 1.4.4) for WETH/USDC, WBTC/USDC
// and ISO/USDC with liquidity in many ranges; a chains dir naming the pools and feeds.
//
// replay (after sync): runs `lendex cascade --json` with the DEX model at a chosen timestamp T,
// then mines ONE block at T holding, in lendex's order, the shock's arbitrage swaps and for
// every round: the oracle set to lendex's prices, each listed liquidation sent with the amount
// lendex asked (debtAsked), and the round's DEX sales. Every LiquidationCall's debtToCover and
// liquidatedCollateralAmount, every protocol fee (aToken Transfer to the treasury) and every
// Swap event's amounts, sqrtPriceX96, tick and liquidity must equal lendex's, to the wei.
//
// usage: node cascade_replay.js setup STATEDIR CHAINS_OUT
//        node cascade_replay.js replay STATEDIR LENDEX_BIN DATADIR CHAINS_OUT SHOCK... [--no-leave]
//             [--need-clamp] [--need-deficit] [--min-rounds=N]
// (--no-leave: no sale need leave a pool's liquidity; --need-clamp: some protocol fee must be
// clamped to the scaled balance left, and equal the chain's; --need-deficit: some liquidation
// must create deficits, valued as lendex's deficitBase; --min-rounds: default 3)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');

const [mode, stateDir, ...rest] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchMaxCount: 1 });
provider.pollingInterval = 20;
// gas estimated at one block's state may fall short at the next (3.5+ interest accrual paths):
// twice the estimate, as origin.js does (a revert still fails the estimate)
const estimate = provider.estimateGas.bind(provider);
provider.estimateGas = async (tx) => 2n * (await estimate(tx));
const AAVE = path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts');
const UNI = path.join(__dirname, 'node_modules/@uniswap');
const aart = (p) => JSON.parse(fs.readFileSync(path.join(AAVE, p)));
const uart = (p) => JSON.parse(fs.readFileSync(path.join(UNI, p)));
const poolAbi = aart('protocol/pool/Pool.sol/Pool.json').abi;
const cfgAbi = aart('protocol/pool/PoolConfigurator.sol/PoolConfigurator.json').abi;
const oracleAbi = aart('misc/AaveOracle.sol/AaveOracle.json').abi;
const aggArt = aart('mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator.json');
const aTokenAbi = aart('protocol/tokenization/AToken.sol/AToken.json').abi;
const factoryArt = uart('v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json');
const uPoolArt = uart('v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json');
const npmArt = uart('v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json');
const routerArt = uart('v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json');
const erc20 = ['function mint(address,uint256) returns (bool)', 'function approve(address,uint256) returns (bool)',
  'function balanceOf(address) view returns (uint256)'];
const rpc = (m, p = []) => provider.send(m, p);
const log = (...a) => console.log('cascade_replay:', ...a);
const MAX = ethers.MaxUint256;
const U = (v, d) => ethers.parseUnits(String(v), d);

async function receipt(hash, what) {
  for (let i = 0; i < 3000; i++) {
    const r = await rpc('eth_getTransactionReceipt', [hash]);
    if (r) {
      if (what && r.status !== '0x1') throw new Error(`${what}: transaction ${hash} reverted`);
      return r;
    }
    await new Promise((s) => setTimeout(s, 10));
  }
  throw new Error(`no receipt for ${hash}`);
}
async function send(what, p) {
  let tx;
  try { tx = await p; } catch (e) { throw new Error(`${what}: ${e.shortMessage || e.message}`); }
  return receipt(tx.hash, what);
}
async function deploy(a, signer, args = []) {
  const f = new ethers.ContractFactory(a.abi, a.bytecode, signer);
  const c = await f.deploy(...args);
  const rc = await receipt(c.deploymentTransaction().hash, `deploy ${a.contractName}`);
  return new ethers.Contract(rc.contractAddress, a.abi, signer);
}
const addrOf = (tag) => ethers.getAddress('0x' + ethers.id('lendex-cascade-' + tag).slice(26));
async function signerFor(addr) {
  await rpc('anvil_impersonateAccount', [addr]);
  await rpc('anvil_setBalance', [addr, '0x56bc75e2d63100000']);
  return provider.getSigner(addr);
}
function isqrt(n) {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) { const y = (x + n / x) >> 1n; if (y >= x && x * x <= n && (x + 1n) * (x + 1n) > n) return x; x = y; }
}

async function setup() {
  const [chainsOut] = rest;
  const accounts = await rpc('eth_accounts');
  const admin = await provider.getSigner(accounts[0]);
  // the market's chains file: origin.js's (any 3.x release) or the 3.0.2 devnet's
  const own = path.join(stateDir, 'chains', 'devnet.json');
  const dev = JSON.parse(fs.readFileSync(fs.existsSync(own) ? own : path.join(__dirname, '../../chains/devnet.json')));
  const dep = dev.deployments[0];
  const cfg = new ethers.Contract(dep.contracts.pool_configurator, cfgAbi, admin);
  const R = sc.reserves;
  const tok = (s) => new ethers.Contract(R[s].asset, erc20, admin);
  // a protocol fee on every reserve (WETH 10 % and WBTC 5 % already)
  for (const s of ['USDC', 'DAI', 'ISO']) await send(`fee ${s}`, cfg.setLiquidationProtocolFee(R[s].asset, 1000));
  const pool = new ethers.Contract(sc.pool, poolAbi, admin);
  const users = [];
  const user = async (tag, emode, supplies, borrows) => {
    const a = addrOf(tag);
    const s = await signerFor(a);
    const P = pool.connect(s);
    if (emode) await send(`emode ${tag}`, P.setUserEMode(emode));
    for (const [sym, amt] of supplies) {
      await send(`mint ${tag}`, tok(sym).mint(a, U(amt, R[sym].decimals)));
      await send(`approve ${tag}`, tok(sym).connect(s).approve(sc.pool, MAX));
      await send(`supply ${tag} ${sym}`, P.supply(R[sym].asset, U(amt, R[sym].decimals), a, 0));
    }
    for (const [sym, amt] of borrows) await send(`borrow ${tag} ${sym}`, P.borrow(R[sym].asset, U(amt, R[sym].decimals), 2, 0, a));
    users.push(a);
  };
  // liquidity for the borrows
  await user('lp', 0, [['USDC', 3000000], ['DAI', 3000000], ['WBTC', 40]], []);
  // WETH collateral (10 WETH at $1500, LT 82.5 %: 12375 of borrowing power) in a ladder of
  // health factors, debts in 6, 18 and 8 decimals
  const hfs = [1.04, 1.07, 1.1, 1.13, 1.16, 1.2, 1.24, 1.28, 1.33, 1.4];
  const debtSyms = ['USDC', 'DAI', 'WBTC'];
  for (let i = 0; i < hfs.length; i++) {
    const sym = debtSyms[i % 3];
    const usd = 12375 / hfs[i];
    const amt = sym === 'WBTC' ? (usd / 50000).toFixed(6) : usd.toFixed(2);
    await user(`weth${i}`, 0, [['WETH', 10]], [[sym, amt]]);
  }
  // WBTC collateral (0.5 WBTC = $25000, LT 75 %), USDC and DAI debt
  const bhf = [1.08, 1.12, 1.17, 1.23, 1.3];
  for (let i = 0; i < bhf.length; i++) await user(`wbtc${i}`, 0, [['WBTC', 0.5]], [[i % 2 ? 'DAI' : 'USDC', (18750 / bhf[i]).toFixed(2)]]);
  // two collaterals, two debts
  await user('mixed', 0, [['WETH', 6], ['WBTC', 0.2]], [['USDC', 9000], ['DAI', 5000]]);
  // e-mode (stablecoins, LT 98 %, bonus 1 %): USDC and WETH collateral, DAI debt
  await user('emode0', 1, [['USDC', 5000], ['WETH', 2]], [['DAI', 7000]]);
  await user('emode1', 1, [['DAI', 3000], ['WETH', 4]], [['USDC', 7300]]);
  await user('emode2', 1, [['USDC', 2000], ['WETH', 3]], [['USDC', 5200]]);
  // ISO collateral (isolation mode), USDC debt
  await user('iso0', 0, [['ISO', 2000]], []);
  await send('iso collateral', pool.connect(await signerFor(addrOf('iso0'))).setUserUseReserveAsCollateral(R.ISO.asset, true));
  await send('iso borrow', pool.connect(await signerFor(addrOf('iso0'))).borrow(R.USDC.asset, U(2400, 6), 2, 0, addrOf('iso0')));

  // a WETH borrower, so WETH's liquidity index moves off 1 ray: with an index of exactly 1 ray
  // no seizure rounds and the protocol fee's clamp can never be reached
  await user('wethdebt', 0, [['DAI', 400000], ['WETH', 60]], [['WETH', 40]]);

  // ---- Uniswap V3 ----
  const factory = await deploy(factoryArt, admin);
  const npm = await deploy(npmArt, admin, [factory.target, R.WETH.asset, ethers.ZeroAddress]);
  const router = await deploy(routerArt, admin, [factory.target, R.WETH.asset]);
  const prices = { WETH: 1500, WBTC: 50000, ISO: 10 };
  const pools = [];
  const lp = accounts[0];
  const ranges = { WETH: [], WBTC: [], ISO: [] };
  // WETH: 24 positions stepping down from the price (many initialized ticks to cross) plus a
  // wide one; WBTC: a few; ISO: one narrow range a large sale leaves
  for (let k = 0; k < 24; k++) ranges.WETH.push([-(k + 1) * 240, 600 - k * 60, 10 + k]);
  ranges.WETH.push([-12000, 12000, 60]);
  for (let k = 0; k < 6; k++) ranges.WBTC.push([-(k + 1) * 600, 1200, 30]);
  ranges.WBTC.push([-12000, 12000, 50]);
  ranges.ISO.push([-1200, 1200, 50]);
  ranges.ISO.push([-30000, -20000, 20]);
  for (const sym of ['WETH', 'WBTC', 'ISO']) {
    const a = R[sym].asset, q = R.USDC.asset;
    const t0 = BigInt(a) < BigInt(q);
    const [token0, token1] = t0 ? [a, q] : [q, a];
    // raw price token1/token0
    const num = t0 ? BigInt(Math.round(prices[sym] * 1e6)) * 10n ** 6n : 10n ** BigInt(R[sym].decimals) * 10n ** 6n;
    const den = t0 ? 10n ** BigInt(R[sym].decimals) * 10n ** 6n : BigInt(Math.round(prices[sym] * 1e6)) * 10n ** 6n;
    const sqrtP = isqrt((num << 192n) / den);
    await send(`createPool ${sym}`, npm.createAndInitializePoolIfNecessary(token0, token1, 3000, sqrtP));
    const paddr = await factory.getPool(token0, token1, 3000);
    const up = new ethers.Contract(paddr, uPoolArt.abi, admin);
    const tick = Number((await up.slot0()).tick);
    for (const t of [token0, token1]) {
      const c = new ethers.Contract(t, erc20, admin);
      await send('mint lp', c.mint(lp, 10n ** 40n));
      await send('approve npm', c.approve(npm.target, MAX));
      await send('approve router', c.approve(router.target, MAX));
    }
    // the asset's side below the price is USDC's when the asset is token0 and its own otherwise
    for (const [lo, hi, scale] of ranges[sym]) {
      // ranges are relative to the asset's price: mirrored in tick space when it is token1
      let tl = Math.floor((tick + (t0 ? lo : -hi)) / 60) * 60, tu = Math.floor((tick + (t0 ? hi : -lo)) / 60) * 60;
      if (tu <= tl) tu = tl + 60;
      // scale: thousands of USD on each side
      const usd = BigInt(Math.round(scale * 1000 * 1e6));
      const assetAmt = BigInt(Math.round(scale * 1000 * 1e6)) * 10n ** BigInt(R[sym].decimals) / BigInt(Math.round(prices[sym] * 1e6));
      const [a0, a1] = t0 ? [assetAmt, usd] : [usd, assetAmt];
      await send(`mint position ${sym}`, npm.mint({ token0, token1, fee: 3000, tickLower: tl, tickUpper: tu,
        amount0Desired: a0, amount1Desired: a1, amount0Min: 0, amount1Min: 0, recipient: lp, deadline: 2n ** 40n }, { gasLimit: 1000000 }));
    }
    pools.push({ asset: a, quote: q, pool: paddr });
  }
  const out = JSON.parse(JSON.stringify(dev));
  out.deployments[0].dex = {
    pools,
    feeds: { [R.WETH.asset]: { deviation_bps: 50, heartbeat: 3600 }, [R.WBTC.asset]: { deviation_bps: 50, heartbeat: 3600 },
      [R.ISO.asset]: { deviation_bps: 100, heartbeat: 86400 }, [R.USDC.asset]: { deviation_bps: 25, heartbeat: 86400 },
      [R.DAI.asset]: { deviation_bps: 25, heartbeat: 3600 } },
  };
  fs.mkdirSync(chainsOut, { recursive: true });
  fs.writeFileSync(path.join(chainsOut, 'devnet.json'), JSON.stringify(out, null, 2) + '\n');
  fs.writeFileSync(path.join(stateDir, 'cascade.json'), JSON.stringify({ router: router.target, factory: factory.target, pools, users }, null, 2));
  log(`setup: ${users.length} accounts, ${pools.length} pools`);
}

async function replay() {
  const [bin, dataDir, chainsOut, ...more] = rest;
  const shocks = more.filter((x) => !x.startsWith('--'));
  const needLeave = !more.includes('--no-leave');
  const cx = JSON.parse(fs.readFileSync(path.join(stateDir, 'cascade.json')));
  const accounts = await rpc('eth_accounts');
  const adminAddr = accounts[0];
  const admin = await provider.getSigner(adminAddr);
  const head = await rpc('eth_getBlockByNumber', ['latest', false]);
  const T = Number(head.timestamp) + 600;
  const args = ['cascade', ...shocks.flatMap((s) => ['--shock', s]), '--at', String(T), '--rpc', sc.rpc,
    '--chain', 'devnet', '--datadir', dataDir, '--chains-dir', chainsOut, '--json'];
  const sim = JSON.parse(execFileSync(bin, args, { encoding: 'utf8' }));
  const R = sc.reserves;
  const sym = {};
  for (const [s, r] of Object.entries(R)) sym[s] = r;
  log(`lendex: ${sim.rounds.length} rounds, ${sim.liquidations.length} liquidations, ${sim.swaps.length} swaps, ` +
    `market ${sim.market}, fixed point ${sim.fixedPoint}`);
  let bad = 0;
  if (sim.market !== 'dex') { bad++; console.error('lendex did not use the DEX model'); }
  const mr = more.find((x) => x.startsWith('--min-rounds='));
  const minRounds = mr ? Number(mr.slice(13)) : 3;
  if (sim.rounds.length < minRounds) { bad++; console.error(`only ${sim.rounds.length} rounds: the test needs at least ${minRounds}`); }
  const seen = { fee: new Set(), dec: new Set(), emode: 0, allSeized: 0, clamped: 0, deficit: 0 };
  if (sc.version && sim.rulesVersion !== sc.version) { bad++; console.error(`lendex used ${sim.rulesVersion} rules on a ${sc.version} market`); }
  // ---- preparation (earlier blocks; nothing Aave or Uniswap reads) ----
  const oracle = new ethers.Contract(sc.oracle, oracleAbi, admin);
  const aggs = [];
  let prev = {};
  for (const s of Object.keys(R)) prev[s] = (await oracle.getAssetPrice(R[s].asset)).toString();
  for (const rd of sim.rounds) {
    const ch = [];
    for (const [s, p] of Object.entries(rd.oraclePrices)) {
      if (p === prev[s]) continue;
      const f = new ethers.ContractFactory(aggArt.abi, aggArt.bytecode, admin);
      const agg = await f.deploy(BigInt(p));
      await receipt(agg.deploymentTransaction().hash, 'aggregator');
      ch.push([R[s].asset, agg.target]);
    }
    aggs.push(ch);
    prev = rd.oraclePrices;
  }
  for (const s of Object.keys(R)) {
    const c = new ethers.Contract(R[s].asset, erc20, admin);
    await send('mint liquidator', c.mint(adminAddr, 10n ** 45n));
    await send('approve pool', c.approve(sc.pool, MAX));
    await send('approve router', c.approve(cx.router, MAX));
  }
  // ---- one block at T, in lendex's order ----
  await rpc('evm_setAutomine', [false]);
  const pool = new ethers.Contract(sc.pool, poolAbi, admin);
  const router = new ethers.Contract(cx.router, routerArt.abi, admin);
  const poolOf = {};
  for (const p of cx.pools) for (const [s, r] of Object.entries(R)) if (r.asset.toLowerCase() === p.asset.toLowerCase()) poolOf[s] = p;
  const txs = [];
  let nonce = await provider.getTransactionCount(adminAddr, 'latest');
  const gas = { gasLimit: 3000000, nonce: 0 };
  const sendSwap = async (sw) => {
    const p = poolOf[sw.asset];
    const assetIn = sw.exactInput; // the asset is sold (exact input) or bought (exact output)
    const tokenIn = assetIn ? p.asset : p.quote, tokenOut = assetIn ? p.quote : p.asset;
    const common = { tokenIn, tokenOut, fee: 3000, recipient: adminAddr, deadline: T + 3600, sqrtPriceLimitX96: BigInt(sw.sqrtPriceLimitX96) };
    const t = sw.exactInput
      ? await router.exactInputSingle({ ...common, amountIn: BigInt(sw.amountSpecified), amountOutMinimum: 0 }, { ...gas, nonce: nonce++ })
      : await router.exactOutputSingle({ ...common, amountOut: BigInt(sw.amountSpecified), amountInMaximum: 2n ** 200n }, { ...gas, nonce: nonce++ });
    txs.push({ kind: 'swap', hash: t.hash, sw });
  };
  for (const sw of sim.swaps.filter((s) => s.round === 0)) await sendSwap(sw);
  for (let r = 0; r < sim.rounds.length; r++) {
    if (aggs[r].length) {
      const t = await oracle.setAssetSources(aggs[r].map((x) => x[0]), aggs[r].map((x) => x[1]), { ...gas, nonce: nonce++ });
      txs.push({ kind: 'oracle', hash: t.hash });
    }
    for (const l of sim.liquidations.filter((x) => x.round === r + 1)) {
      const t = await pool.liquidationCall(l.collateralAsset, l.debtAsset, l.user, BigInt(l.debtAsked), l.receiveAToken, { ...gas, nonce: nonce++ });
      txs.push({ kind: 'liq', hash: t.hash, l });
    }
    for (const sw of sim.swaps.filter((s) => s.round === r + 1)) await sendSwap(sw);
  }
  await rpc('evm_setBlockGasLimit', ['0x' + (4000000000).toString(16)]).catch(() => {});
  await rpc('evm_setNextBlockTimestamp', [T]);
  await rpc('evm_mine', []);
  await rpc('evm_setAutomine', [true]);
  const defIface = new ethers.Interface(['event DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated)']);
  const defTopic = defIface.getEvent('DeficitCreated').topicHash;
  const iface = new ethers.Interface(poolAbi), aIface = new ethers.Interface(aTokenAbi), uIface = new ethers.Interface(uPoolArt.abi);
  const treasury = (sc.treasury || accounts[29]).toLowerCase();
  let blockNo = null, nLiq = 0, nSwap = 0;
  const aTokenOf = {};
  for (const r of Object.values(R)) aTokenOf[r.asset.toLowerCase()] = { aToken: r.aToken.toLowerCase(), decimals: r.decimals };
  const emodeUsers = new Set();
  for (const tag of ['emode0', 'emode1', 'emode2']) emodeUsers.add(addrOf(tag).toLowerCase());
  for (const t of txs) {
    const rc = await receipt(t.hash);
    blockNo = blockNo || rc.blockNumber;
    if (rc.blockNumber !== blockNo) { bad++; console.error(`${t.kind} ${t.hash} not in the replay block`); }
    if (rc.status !== '0x1') { bad++; console.error(`${t.kind} ${t.hash} reverted`, t.l || t.sw || ''); continue; }
    if (t.kind === 'liq') {
      const l = t.l;
      let ev = null, fee = 0n;
      const col = aTokenOf[l.collateralAsset.toLowerCase()];
      for (const lg of rc.logs) {
        if (lg.address.toLowerCase() === sc.pool.toLowerCase()) {
          try { const e = iface.parseLog(lg); if (e && e.name === 'LiquidationCall') ev = e; } catch (_) { /* other events */ }
        }
        if (lg.address.toLowerCase() === col.aToken) {
          try {
            const e = aIface.parseLog(lg);
            if (e && e.name === 'Transfer' && e.args.from.toLowerCase() === l.user.toLowerCase() && e.args.to.toLowerCase() === treasury) fee += e.args.value;
          } catch (_) { /* other events */ }
        }
      }
      if (!ev) { bad++; console.error(`round ${l.round}: no LiquidationCall for ${l.user}`); continue; }
      nLiq++;
      // 3.3+ deficits (the last collateral gone: every debt left burnt), valued at the round's
      // oracle prices as lendex reports them: sum of floor(amount * price / unit)
      let deficit = 0n, nDef = 0;
      const prices = sim.rounds[l.round - 1].oraclePrices;
      for (const lg of rc.logs) {
        if (lg.address.toLowerCase() !== sc.pool.toLowerCase() || lg.topics[0] !== defTopic) continue;
        const e = defIface.parseLog(lg);
        const [s, r] = Object.entries(R).find(([, x]) => x.asset.toLowerCase() === e.args.debtAsset.toLowerCase());
        deficit += e.args.amountCreated * BigInt(prices[s]) / 10n ** BigInt(r.decimals);
        nDef++;
      }
      if (String(deficit) !== String(l.deficitBase)) { bad++; console.error(`round ${l.round} ${l.user} deficit: chain ${deficit} (${nDef} DeficitCreated) lendex ${l.deficitBase}`); }
      if (nDef) seen.deficit++;
      const cmp = [['debtToCover', ev.args.debtToCover, l.debtToCover], ['liquidatedCollateralAmount', ev.args.liquidatedCollateralAmount, l.liquidatedCollateralAmount],
        ['protocolFee', fee, l.protocolFee]];
      for (const [k, chain, lx] of cmp)
        if (String(chain) !== String(lx)) { bad++; console.error(`round ${l.round} ${l.user} ${l.collateralSymbol}/${l.debtSymbol} ${k}: chain ${chain} lendex ${lx}`); }
      if (fee > 0n) seen.fee.add(l.collateralSymbol);
      if (fee > 0n && l.collateralBalanceAfter === '0') seen.allSeized++;
      if (l.protocolFeeClamped && String(fee) === String(l.protocolFee)) seen.clamped++;
      seen.dec.add(col.decimals);
      seen.dec.add(aTokenOf[l.debtAsset.toLowerCase()].decimals);
      if (emodeUsers.has(l.user.toLowerCase())) seen.emode++;
    } else if (t.kind === 'swap') {
      const sw = t.sw;
      let ev = null;
      for (const lg of rc.logs) { try { const e = uIface.parseLog(lg); if (e && e.name === 'Swap') ev = e; } catch (_) { /* token events */ } }
      if (!ev) { bad++; console.error(`swap ${sw.asset} round ${sw.round}: no Swap event`); continue; }
      nSwap++;
      const a0 = ev.args.amount0, a1 = ev.args.amount1;
      const inAmt = sw.zeroForOne ? a0 : a1, outAmt = sw.zeroForOne ? -a1 : -a0;
      const cmp = [['amountIn', inAmt, sw.amountIn], ['amountOut', outAmt, sw.amountOut], ['sqrtPriceX96', ev.args.sqrtPriceX96, sw.sqrtPriceX96],
        ['tick', ev.args.tick, sw.tick], ['liquidity', ev.args.liquidity, sw.liquidity]];
      for (const [k, chain, lx] of cmp)
        if (String(chain) !== String(lx)) { bad++; console.error(`swap ${sw.asset} round ${sw.round} ${k}: pool ${chain} lendex ${lx}`); }
    }
  }
  // every balance a liquidation left, read back from the tokens at the end of the block
  const last = new Map();
  for (const l of sim.liquidations) {
    last.set(`${l.user}|${l.collateralAsset}|a`, l.collateralBalanceAfter);
    last.set(`${l.user}|${l.debtAsset}|d`, l.debtBalanceAfter);
  }
  const bal = ['function balanceOf(address) view returns (uint256)'];
  let nBal = 0;
  for (const [k, v] of last) {
    const [u, asset, kind] = k.split('|');
    const r = Object.values(R).find((x) => x.asset.toLowerCase() === asset.toLowerCase());
    let chain;
    if (kind === 'a') chain = await new ethers.Contract(r.aToken, bal, provider).balanceOf(u, { blockTag: blockNo });
    else {
      chain = await new ethers.Contract(r.variableDebtToken, bal, provider).balanceOf(u, { blockTag: blockNo });
      if (r.stableDebtToken) chain += await new ethers.Contract(r.stableDebtToken, bal, provider).balanceOf(u, { blockTag: blockNo });
    }
    nBal++;
    if (String(chain) !== String(v)) { bad++; console.error(`${u} ${kind === 'a' ? 'collateral' : 'debt'} ${asset} after the cascade: chain ${chain} lendex ${v}`); }
  }
  // an account whose last collateral went has no debt left in any reserve (_burnBadDebt)
  for (const u of new Set(sim.liquidations.filter((l) => l.deficitBase !== '0').map((l) => l.user))) {
    for (const [s, r] of Object.entries(R)) {
      let d = await new ethers.Contract(r.variableDebtToken, bal, provider).balanceOf(u, { blockTag: blockNo });
      if (r.stableDebtToken) d += await new ethers.Contract(r.stableDebtToken, bal, provider).balanceOf(u, { blockTag: blockNo });
      nBal++;
      if (d !== 0n) { bad++; console.error(`${u} has ${d} ${s} debt left after lendex burnt it all into deficits`); }
    }
  }
  log(`${nBal} balances left by the liquidations equal the tokens' balanceOf`);
  // what the replay must have covered
  const crossed = sim.swaps.filter((s) => s.round > 0);
  log(`replayed ${nLiq} liquidations and ${nSwap} swaps in block ${Number(blockNo)}; protocol fees on ${[...seen.fee].join(',')}; ` +
    `decimals ${[...seen.dec].sort().join(',')}; ${seen.emode} e-mode liquidations`);
  if (nLiq !== sim.liquidations.length) { bad++; console.error('not every liquidation was replayed'); }
  if (![6, 8, 18].every((d) => seen.dec.has(d))) { bad++; console.error('liquidations did not cover 6, 8 and 18 decimals'); }
  if (seen.fee.size < 2) { bad++; console.error('protocol fees were not exercised on several reserves'); }
  if (!seen.emode) { bad++; console.error('no e-mode account was liquidated'); }
  if (!crossed.length) { bad++; console.error('no DEX sale in the cascade'); }
  const left = sim.swaps.filter((s) => s.liquidity === '0');
  if (needLeave && !left.length) { bad++; console.error('no sale left the pool\'s liquidity'); }
  log(`${seen.deficit} liquidations created deficits (equal to lendex's deficitBase)`);
  if (more.includes('--need-deficit') && !seen.deficit) { bad++; console.error('no liquidation created a deficit'); }
  log(`${seen.allSeized} liquidations seized all of a collateral that pays a protocol fee; ${seen.clamped} fees clamped to the scaled balance left (equal on chain)`);
  if (more.includes('--need-clamp') && !seen.clamped) { bad++; console.error('no protocol fee was clamped: the clamp was not exercised on chain'); }
  if (!seen.allSeized) { bad++; console.error('no liquidation seized all of a collateral with a protocol fee'); }
  const multi = sim.liquidations.filter((l) => l.seq > 1).length;
  log(`${multi} repeated liquidations of one account within a round; ${left.length} sales left the liquidity`);
  log(`${bad} mismatches`);
  process.exit(bad ? 1 : 0);
}

(mode === 'setup' ? setup() : replay()).catch((e) => { console.error('cascade_replay: ' + (e.stack || e.message)); process.exit(2); });
