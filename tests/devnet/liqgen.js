// liqgen.js: a random scenario for the liquidation-price referee (liqprice_check.js), played on
// top of devnet.js's market. Adds e-mode category 2 (WETH, WBTC) whose prices come from a
// category price source (Aave 3.0-3.1) next to category 1 (stablecoins, no source), then N
// accounts drawn from SEED: plain borrowers, accounts that borrow what they supply, loops in
// and out of e-mode, each borrowing a random share (60-99.5%) of its borrowing power.
// Writes STATEDIR/liq.json: the category source's oracle key and aggregator, the block after
// the category setup, and the accounts.
//
// usage: node liqgen.js STATEDIR SEED N
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');

const [stateDir, seedArg, nArg] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const chain = JSON.parse(fs.readFileSync(path.join(__dirname, '../../chains/devnet.json')));
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchMaxCount: 1 });
// a fixed gas limit, far above what any of these calls uses (an Aave V3 borrow: < 1M), so no
// estimate per transaction (an estimate is made on a pending block at the latest block's time
// and can miss the interest accrual the mined transaction pays for: padding it cost a second
// EVM run per transaction, a third of this script's time)
provider.estimateGas = async () => 8000000n;
const ART = path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts');
const art = (p) => JSON.parse(fs.readFileSync(path.join(ART, p)));
const poolAbi = art('protocol/pool/Pool.sol/Pool.json').abi;
const cfgAbi = art('protocol/pool/PoolConfigurator.sol/PoolConfigurator.json').abi;
const oracleAbi = art('misc/AaveOracle.sol/AaveOracle.json').abi;
const aggArt = art('mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator.json');
const erc20 = ['function mint(address,uint256) returns (bool)', 'function approve(address,uint256) returns (bool)'];
const rpc = (m, p = []) => provider.send(m, p);
const SOURCE_KEY = '0x00000000000000000000000000000000000e7e02';

// xorshift64*, deterministic per seed
let st = BigInt(seedArg || 1) * 0x9e3779b97f4a7c15n + 1n;
function rnd() {
  st ^= st >> 12n; st ^= (st << 25n) & 0xffffffffffffffffn; st ^= st >> 27n;
  return Number(((st * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];

async function wait(txp, what) {
  let tx;
  try { tx = await txp; } catch (e) { return null; }
  for (let i = 0; i < 3000; i++) {
    const r = await rpc('eth_getTransactionReceipt', [tx.hash]);
    if (r) return r.status === '0x1' ? r : null;
    await new Promise((s) => setTimeout(s, 5));
  }
  throw new Error(`${what}: no receipt`);
}
async function must(txp, what) {
  const r = await wait(txp, what);
  if (!r) throw new Error(`${what} reverted`);
  return r;
}

async function main() {
  const n = Number(nArg || 110);
  const accounts = await rpc('eth_accounts');
  const admin = await provider.getSigner(accounts[0]);
  const pool = new ethers.Contract(sc.pool, poolAbi, admin);
  const cfg = new ethers.Contract(chain.deployments[0].contracts.pool_configurator, cfgAbi, admin);
  const oracle = new ethers.Contract(sc.oracle, oracleAbi, admin);
  const R = sc.reserves;
  // category 2 priced by its own source, slightly off WETH's own price
  const agg = await new ethers.ContractFactory(aggArt.abi, aggArt.bytecode, admin).deploy(ethers.parseUnits('2003.5', 8));
  await must(Promise.resolve(agg.deploymentTransaction()), 'deploy source');
  await must(oracle.setAssetSources([SOURCE_KEY], [agg.target]), 'source');
  await must(cfg.setEModeCategory(2, 8800, 9200, 10300, SOURCE_KEY, 'ETH-BTC'), 'emode 2');
  await must(cfg.setAssetEModeCategory(R.WETH.asset, 2), 'emode WETH');
  await must(cfg.setAssetEModeCategory(R.WBTC.asset, 2), 'emode WBTC');
  await must(cfg.setBorrowCap(R.WBTC.asset, 0), 'WBTC cap');
  const setupBlock = Number(await rpc('eth_blockNumber'));
  // liquidity for the borrowers
  const tok = (sym) => new ethers.Contract(R[sym].asset, erc20, admin);
  const lp = accounts[1];
  const lps = await provider.getSigner(lp);
  for (const [sym, amt] of [['WETH', '5000'], ['WBTC', '200'], ['USDC', '20000000'], ['DAI', '20000000']]) {
    const a = ethers.parseUnits(amt, R[sym].decimals);
    await must(tok(sym).mint(lp, a), 'mint lp');
    await must(pool.connect(lps).supply(R[sym].asset, a, lp, 0), 'supply lp');
  }
  const price = {};
  for (const sym of Object.keys(R)) price[sym] = await oracle.getAssetPrice(R[sym].asset);
  const srcPrice = ethers.parseUnits('2003.5', 8);
  const cat = { WETH: 2, WBTC: 2, USDC: 1, DAI: 1 };
  const made = [];
  for (let i = 0; i < n; i++) {
    const addr = ethers.getAddress(ethers.dataSlice(ethers.keccak256(ethers.toUtf8Bytes(`lendex-liq-${seedArg}-${i}`)), 12));
    await rpc('anvil_impersonateAccount', [addr]);
    await rpc('anvil_setBalance', [addr, '0x56bc75e2d63100000']);
    const u = await provider.getSigner(addr);
    const P = pool.connect(u);
    const kind = pick(['plain', 'plain', 'self', 'loop', 'em1', 'em1loop', 'em2', 'em2', 'em2self', 'em2loop']);
    const emode = kind.startsWith('em1') ? 1 : kind.startsWith('em2') ? 2 : 0;
    const px = (sym) => (emode && cat[sym] === emode && emode === 2 ? srcPrice : price[sym]);
    const approved = new Set();
    const supply = async (sym, amt) => {
      const a = ethers.parseUnits(amt.toFixed(R[sym].decimals > 6 ? 6 : R[sym].decimals), R[sym].decimals);
      if (a === 0n) return;
      await must(tok(sym).mint(addr, a), 'mint');
      if (!approved.has(sym)) { await must(tok(sym).connect(u).approve(sc.pool, ethers.MaxUint256), 'approve'); approved.add(sym); }
      await must(P.supply(R[sym].asset, a, addr, 0), `supply ${sym}`);
    };
    // borrow share f of the remaining borrowing power in sym
    const borrow = async (sym, f) => {
      const d = await pool.getUserAccountData(addr);
      const base = (d[2] * BigInt(Math.floor(f * 1e6))) / 1000000n;
      const a = (base * 10n ** BigInt(R[sym].decimals)) / px(sym);
      if (a === 0n) return 0n;
      const r = await wait(P.borrow(R[sym].asset, a, 2, 0, addr), `borrow ${sym}`);
      return r ? a : 0n;
    };
    if (emode) await must(P.setUserEMode(emode), 'emode');
    const vol = () => 0.3 + rnd() * 12;
    if (kind === 'plain') {
      const c = pick(['WETH', 'WBTC', 'USDC', 'DAI']);
      await supply(c, c === 'WETH' ? vol() : c === 'WBTC' ? vol() / 20 : vol() * 2000);
      if (rnd() < 0.4) await supply(pick(['WETH', 'USDC', 'DAI']), vol() * (rnd() < 0.5 ? 1 : 1500));
      const ds = ['WETH', 'WBTC', 'USDC', 'DAI'].filter((s) => s !== c);
      await borrow(pick(ds), 0.5 + rnd() * 0.3);
      await borrow(pick(ds), 0.6 + rnd() * 0.395);
    } else if (kind === 'self' || kind === 'em2self') {
      await supply('WETH', vol());
      if (rnd() < 0.5) await supply(pick(['USDC', 'WBTC']), rnd() < 0.5 ? vol() * 1000 : vol() / 30);
      await borrow('WETH', 0.3 + rnd() * 0.4);
      // in e-mode only the category's assets can be borrowed
      await borrow(pick(emode ? ['WBTC', 'WETH'] : ['USDC', 'DAI', 'WETH']), 0.6 + rnd() * 0.395);
    } else if (kind === 'loop' || kind === 'em1loop' || kind === 'em2loop') {
      const sym = kind === 'em2loop' ? 'WETH' : kind === 'em1loop' ? 'DAI' : pick(['WETH', 'DAI']);
      await supply(sym, sym === 'WETH' ? vol() : vol() * 2000);
      for (let r = 0; r < 2 + Math.floor(rnd() * 3); r++) {
        const a = await borrow(sym, 0.9);
        if (!a) break;
        await must(P.supply(R[sym].asset, a, addr, 0), 'resupply');
      }
      await borrow(kind === 'em1loop' ? 'USDC' : kind === 'em2loop' ? 'WBTC' : pick(['USDC', sym]), 0.5 + rnd() * 0.495);
    } else if (kind === 'em1') {
      await supply(pick(['USDC', 'DAI']), vol() * 3000);
      if (rnd() < 0.3) await supply('WETH', vol());
      await borrow(pick(['USDC', 'DAI']), 0.7 + rnd() * 0.295);
    } else {
      await supply('WETH', vol());
      if (rnd() < 0.6) await supply('WBTC', vol() / 10);
      if (rnd() < 0.4) await supply('USDC', vol() * 1000);
      await borrow(pick(['WBTC', 'WETH']), 0.4 + rnd() * 0.3);
      await borrow(pick(['WBTC', 'WETH']), 0.6 + rnd() * 0.395);
    }
    await rpc('anvil_stopImpersonatingAccount', [addr]);
    made.push({ account: addr, kind, emode });
  }
  const head = Number(await rpc('eth_blockNumber'));
  fs.writeFileSync(path.join(stateDir, 'liq.json'), JSON.stringify({
    seed: seedArg, setup_block: setupBlock, head_block: head, source_key: SOURCE_KEY,
    source_aggregator: agg.target, accounts: made }, null, 1) + '\n');
  console.error(`liqgen: ${made.length} accounts, head ${head}`);
}
main().catch((e) => { console.error('liqgen: ' + (e.stack || e.message)); process.exit(2); });
