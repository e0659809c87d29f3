// comet.js: deploys a Compound V3 (Comet) market from the compiled artifacts in
// ../shared/compound-v3 (the classic `Comet` behind a TransparentUpgradeableProxy, as the shared
// smoke deploy's direct mode does) on a running anvil and plays a seeded random scenario:
// supply / withdraw of base and collateral, borrows, repays, collateral transfers, a base
// transfer between two borrowers (no log at all), accrueAccount (no log), time jumps and price
// moves (SimplePriceFeed: no log either). Half way the proxy is upgraded in place to
// CometWithExtendedAssetList with one more collateral (as mainnet markets moved to it); then more
// activity, a price drop, absorb of the liquidatable borrowers and buyCollateral. Checkpoints
// (mid, head) are blocks mined after time passed with no transaction, so balances there need
// interest accrued past the last accrual. Writes STATEDIR/chains/devnet.json and
// STATEDIR/scenario.json (comet_verify.js reads it).
//
// usage: node comet.js RPC_URL STATEDIR [SEED]
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { connect, seeded, logger, U } = require('./lib/net');
const lib = require('./lib/comet');

const [rpcUrl, stateDir, seedArg] = process.argv.slice(2);
if (!rpcUrl || !stateDir) {
  console.error('usage: node comet.js RPC_URL STATEDIR [SEED]');
  process.exit(1);
}
// no response cache: a cached "pending" nonce repeats a used one; Comet's gas depends on
// whether time passed since the last accrual: every estimate padded
const net = connect(rpcUrl, { gas: 'pad', noCache: true });
const provider = net.provider;
const A = lib.artifacts();
const log = logger('comet');
const MAX = ethers.MaxUint256;
const exp = U;
const { rnd, pick, between } = seeded(seedArg || process.env.COMET_SEED || 11);

const MNEMONIC = 'test test test test test test test test test test test junk';
const wallets = Array.from({ length: 10 }, (_, i) =>
  ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider));
const [admin, lender1, lender2, b1, b2, b3, b4, b5, liquidator] = wallets;

const receipt = async (hash) => {
  const r = await net.waitReceipt(hash, 'comet');
  return { blockNumber: Number(r.blockNumber), logs: r.logs };
};
const send = async (p) => receipt((await p).hash);
const deploy = (name, args = []) => lib.deploy(net, name, admin, args);
const rpc = net.rpc;
async function jump(seconds) {
  await rpc('evm_increaseTime', [seconds]);
  await rpc('evm_mine', []);
}

async function main() {
  const USDC = await deploy('FaucetToken', [0, 'USD Coin', 6, 'USDC']);
  const WETH = await deploy('FaucetToken', [0, 'Wrapped Ether', 18, 'WETH']);
  const WBTC = await deploy('FaucetToken', [0, 'Wrapped BTC', 8, 'WBTC']);
  const LINK = await deploy('FaucetToken', [0, 'Chainlink', 18, 'LINK']);
  const feeds = {
    USDC: await deploy('SimplePriceFeed', [exp(1, 8), 8]),
    WETH: await deploy('SimplePriceFeed', [exp(2000, 8), 8]),
    WBTC: await deploy('SimplePriceFeed', [exp(60000, 8), 8]),
    LINK: await deploy('SimplePriceFeed', [exp(15, 8), 8]),
  };
  const tokens = { USDC, WETH, WBTC, LINK };
  const dec = { USDC: 6, WETH: 18, WBTC: 8, LINK: 18 };
  const addrOf = {};
  for (const [k, t] of Object.entries(tokens)) addrOf[k] = await t.getAddress();
  const asset = (sym, bcf, lcf, lf, cap) => lib.asset(addrOf[sym], feeds[sym].target, dec[sym], bcf, lcf, lf, cap);
  const M = await lib.market(net, admin, { base: addrOf.USDC, baseFeed: feeds.USDC.target,
    assets: [asset('WETH', 0.825, 0.895, 0.95, 100000), asset('WBTC', 0.70, 0.77, 0.95, 10000)] });
  const { configuration, extConfig, cometAdmin } = M;
  const cometAddr = M.address;
  const startBlock = M.startBlock;
  const comet = M.at;
  log(`comet ${cometAddr} (classic) at block ${startBlock}`);

  const users = [lender1, lender2, b1, b2, b3, b4, b5];
  // funding: sent without waiting, explicit nonces, then every receipt awaited
  const pending = [];
  let an = await provider.getTransactionCount(admin.address);
  for (const w of [...users, liquidator]) {
    let wn = await provider.getTransactionCount(w.address);
    for (const [sym, t] of Object.entries(tokens)) {
      pending.push(t.connect(admin).allocateTo(w.address, exp(sym === 'USDC' ? 5000000 : sym === 'WBTC' ? 100 : 10000, dec[sym]), { nonce: an++, gasLimit: 200000 }));
      pending.push(t.connect(w).approve(cometAddr, MAX, { nonce: wn++, gasLimit: 100000 }));
    }
  }
  for (const tx of await Promise.all(pending)) await receipt(tx.hash);
  await send(comet(lender1).supply(addrOf.USDC, exp(800000, 6)));
  await send(comet(lender2).supply(addrOf.USDC, exp(300000, 6)));
  const borrowers = [b1, b2, b3, b4, b5];
  // every borrower gets collateral and a first borrow, so random steps have positions to move
  for (const w of borrowers) {
    await send(comet(w).supply(addrOf.WETH, exp(between(5, 40), 18)));
    if (rnd() < 0.5) await send(comet(w).supply(addrOf.WBTC, exp(between(1, 3), 8)));
    await send(comet(w).withdraw(addrOf.USDC, exp(between(2000, 12000), 6)));
  }
  let collSyms = ['WETH', 'WBTC'];
  const prices = { USDC: exp(1, 8), WETH: exp(2000, 8), WBTC: exp(60000, 8), LINK: exp(15, 8) };
  let round = 1n;
  async function setPrice(sym, p) {
    prices[sym] = p;
    const now = (await provider.getBlock('latest')).timestamp;
    await send(feeds[sym].connect(admin).setRoundData(++round, p, now, now, round));
  }
  const kinds = { ok: 0, skipped: 0 };
  async function step() {
    const w = pick(users);
    const c = comet(w);
    const r = rnd();
    try {
      if (r < 0.12) await send(c.supply(addrOf.USDC, exp(between(100, 20000), 6)));
      else if (r < 0.24) await send(c.withdraw(addrOf.USDC, exp(between(100, 8000), 6)));
      else if (r < 0.36) { const s = pick(collSyms); await send(c.supply(addrOf[s], exp(between(1, 5), dec[s]))); }
      else if (r < 0.44) { const s = pick(collSyms); await send(c.withdraw(addrOf[s], exp(between(1, 2), dec[s]) / 2n)); }
      else if (r < 0.52) { const s = pick(collSyms); await send(c.transferAsset(pick(users).address, addrOf[s], exp(1, dec[s]) / 4n)); }
      else if (r < 0.60) await send(c.transferAsset(pick(users).address, addrOf.USDC, exp(between(50, 3000), 6)));
      else if (r < 0.64) await send(c.supply(addrOf.USDC, MAX)); // repay everything (if a borrower)
      else if (r < 0.74) await send(comet(admin).accrueAccount(w.address));
      else if (r < 0.86) await jump(between(600, 20 * 86400));
      else { const s = pick(collSyms); await setPrice(s, prices[s] * BigInt(between(90, 110)) / 100n); }
      kinds.ok++;
    } catch (e) {
      kinds.skipped++; // a step the market refuses (not collateralized, nothing to withdraw …)
    }
  }
  for (let i = 0; i < 30; i++) await step();
  // a base transfer between two borrowers: both principals move, no log at all
  const [x, y] = [b1, b2];
  if ((await comet(x).borrowBalanceOf(x.address)) === 0n) await send(comet(x).withdraw(addrOf.USDC, exp(1000, 6)));
  if ((await comet(y).borrowBalanceOf(y.address)) === 0n) await send(comet(y).withdraw(addrOf.USDC, exp(1000, 6)));
  const silent = await send(comet(x).transferAsset(y.address, addrOf.USDC, exp(500, 6)));
  if (silent.logs.length !== 0) throw new Error('borrower->borrower transfer logged something');
  await jump(3 * 86400);
  const midBlock = await provider.getBlockNumber();
  log(`mid checkpoint ${midBlock}`);

  // the move mainnet markets made: the same proxy upgraded to CometWithExtendedAssetList, one more asset
  const factory = await deploy('AssetListFactory');
  const extAL = await deploy('CometExtAssetList', [extConfig, factory.target]);
  const config2 = { ...configuration, extensionDelegate: extAL.target,
    assetConfigs: [...configuration.assetConfigs, asset('LINK', 0.6, 0.7, 0.9, 1000000)] };
  const impl2 = await deploy('CometWithExtendedAssetList', [config2]);
  await send(cometAdmin.connect(admin).upgrade(cometAddr, impl2.target));
  collSyms = ['WETH', 'WBTC', 'LINK'];
  log(`upgraded to CometWithExtendedAssetList at block ${await provider.getBlockNumber()}`);
  for (let i = 0; i < 25; i++) await step();
  await send(comet(b3).supply(addrOf.LINK, exp(2000, 18)));
  await send(comet(b3).withdraw(addrOf.USDC, exp(12000, 6)));
  await jump(86400);
  // prices fall until some borrower is liquidatable; absorb every one of them, then buy
  const absorbed = [];
  for (let k = 0; k < 12 && absorbed.length === 0; k++) {
    for (const s of collSyms) await setPrice(s, prices[s] * 85n / 100n);
    for (const w of borrowers) if (await comet(admin).isLiquidatable(w.address)) absorbed.push(w.address);
  }
  let absorbBlock = 0;
  if (absorbed.length) {
    const rc = await send(comet(liquidator).absorb(liquidator.address, absorbed));
    absorbBlock = rc.blockNumber;
    log(`absorbed ${absorbed.length} at block ${absorbBlock}`);
    const reserves = await comet(admin).getReserves();
    const target = await comet(admin).targetReserves();
    if (reserves < target) {
      for (const s of collSyms) {
        const have = await comet(admin).getCollateralReserves(addrOf[s]);
        if (have === 0n) continue;
        const base = exp(1000, 6);
        const q = await comet(admin).quoteCollateral(addrOf[s], base);
        if (q > 0n && q <= have) await send(comet(liquidator).buyCollateral(addrOf[s], 0n, base, liquidator.address));
      }
    }
  }
  for (let i = 0; i < 10; i++) await step();
  // borrowers at the head, and one more silent borrower->borrower transfer
  for (const w of [b1, b4, b5]) {
    try { await send(comet(w).supply(addrOf.WETH, exp(20, 18))); await send(comet(w).withdraw(addrOf.USDC, exp(between(3000, 9000), 6))); } catch (_) { /* refused */ }
  }
  await send(comet(b1).transferAsset(b4.address, addrOf.USDC, exp(700, 6)));
  // a borrower left liquidatable (not absorbed) at the head: b5 borrows up to its borrow
  // limit (greedy, largest chunk first), then prices fall past its liquidation factor
  for (let k = 22; k >= 0; k--) {
    try { await send(comet(b5).withdraw(addrOf.USDC, exp(1, 6) * (1n << BigInt(k)))); } catch (_) { /* over the limit */ }
  }
  const liquidatable = async () => { for (const w of borrowers) if (await comet(admin).isLiquidatable(w.address)) return true; return false; };
  for (let k = 0; k < 40 && !(await liquidatable()); k++) for (const s of collSyms) await setPrice(s, prices[s] * 95n / 100n);
  await jump(7 * 86400);
  const headBlock = await provider.getBlockNumber();
  log(`head ${headBlock}; steps ${kinds.ok} done, ${kinds.skipped} refused`);

  fs.mkdirSync(path.join(stateDir, 'chains'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'chains', 'devnet.json'), JSON.stringify({
    name: 'devnet', chain_id: 31337, reorg_window: 64, max_block_range: 10000,
    deployments: [lib.deployment('compound-v3-devnet-usdc', startBlock, cometAddr)],
  }, null, 2));
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify({
    rpc: rpcUrl, comet: cometAddr, deployment: 'compound-v3-devnet-usdc', start_block: startBlock, mid_block: midBlock, head_block: headBlock,
    absorb_block: absorbBlock, absorbed, base: addrOf.USDC,
    assets: Object.fromEntries(['WETH', 'WBTC', 'LINK'].map((s) => [s, addrOf[s]])),
    accounts: [...users.map((w) => w.address), liquidator.address],
  }, null, 2));
}

main().catch((e) => { console.error('comet:', e.shortMessage || e.message); process.exit(2); });
