// comet_scale.js: one Compound V3 market with well over a thousand accounts (issue 11: mainnet
// markets have tens of thousands, and every account's principal is a contract read at the synced
// block). From ../shared/compound-v3's artifacts (lib/comet.js) and a small helper compiled with
// npm solc 0.8.19 (comet_scale.sol, cached under the build folder by source hash): BORROWERS
// puppet contracts each supply WETH and borrow USDC (some none), LENDERS plain addresses supply
// USDC, a few borrower-to-borrower base transfers (no log), then time passes and WETH falls 30 %
// so a part of the borrowers is liquidatable. Writes STATEDIR/chains/devnet.json and
// STATEDIR/scenario.json (accounts, head block) for comet_scale_verify.js.
//
// usage: node comet_scale.js RPC_URL STATEDIR [BORROWERS] [LENDERS]
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { ethers } = require('ethers');
const { connect, seeded, logger, U } = require('./lib/net');
const lib = require('./lib/comet');

const [rpcUrl, stateDir, nbArg, nlArg] = process.argv.slice(2);
if (!rpcUrl || !stateDir) {
  console.error('usage: node comet_scale.js RPC_URL STATEDIR [BORROWERS] [LENDERS]');
  process.exit(1);
}
const NB = Number(nbArg || 800), NL = Number(nlArg || 500);
const PER_TX = 200; // borrowers per transaction (about 300k gas each; anvil --gas-limit 100M)
const net = connect(rpcUrl, { gas: 'fixed', noCache: true });
const log = logger('comet_scale');
const { between } = seeded(process.env.COMET_SEED || 21);
const admin = ethers.HDNodeWallet.fromPhrase('test test test test test test test test test test test junk',
  undefined, "m/44'/60'/0'/0/0").connect(net.provider);

function helper() {
  const src = fs.readFileSync(path.join(__dirname, 'comet_scale.sol'), 'utf8');
  const key = crypto.createHash('sha256').update(src).update(require('solc/package.json').version).digest('hex').slice(0, 16);
  const dir = process.env.LX_SOLC_CACHE || path.join(__dirname, '../../build', 'comet-scale-solc');
  const file = path.join(dir, key + '.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const solc = require('solc');
  const input = { language: 'Solidity', sources: { 'comet_scale.sol': { content: src } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } } };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errs = (out.errors || []).filter((e) => e.severity === 'error');
  if (errs.length) throw new Error('solc: ' + errs.map((e) => e.formattedMessage).join('\n'));
  const c = out.contracts['comet_scale.sol'].Spawner;
  const res = { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file + '.tmp', JSON.stringify(res));
  fs.renameSync(file + '.tmp', file);
  return res;
}

async function main() {
  const deploy = (name, args) => lib.deploy(net, name, admin, args);
  const USDC = await deploy('FaucetToken', [0, 'USD Coin', 6, 'USDC']);
  const WETH = await deploy('FaucetToken', [0, 'Wrapped Ether', 18, 'WETH']);
  const feeds = { USDC: await deploy('SimplePriceFeed', [U(1, 8), 8]), WETH: await deploy('SimplePriceFeed', [U(2000, 8), 8]) };
  const M = await lib.market(net, admin, { base: USDC.target, baseFeed: feeds.USDC.target,
    assets: [lib.asset(WETH.target, feeds.WETH.target, 18, 0.825, 0.895, 0.95, 1000000)] });
  log(`comet ${M.address} at block ${M.startBlock}`);
  const H = helper();
  const sp = await net.deploy(H.abi, H.bytecode, admin, [M.address], 'deploy Spawner');
  const spAddr = await sp.getAddress();
  await net.send('allocate USDC', USDC.connect(admin).allocateTo(spAddr, U(100000000, 6)));
  await net.send('allocate WETH', WETH.connect(admin).allocateTo(spAddr, U(100000, 18)));
  await net.send('approve USDC', sp.approve(USDC.target));
  await net.send('approve WETH', sp.approve(WETH.target));
  // lenders first: the market needs USDC to lend
  const lenders = Array.from({ length: NL }, (_, i) => ethers.getAddress('0x' + (0x5ca1e000000n + BigInt(i)).toString(16).padStart(40, '0')));
  for (let i = 0; i < NL; i += 250) {
    const who = lenders.slice(i, i + 250);
    await net.send('lenders', sp.lenders(USDC.target, who, who.map(() => U(between(100, 50000), 6)), { gasLimit: 95000000 }));
  }
  // borrowers: puppets at the Spawner's CREATE addresses (its nonce starts at 1)
  const borrowers = [], pct = [];
  let nonce = 1;
  for (let i = 0; i < NB; i += PER_TX) {
    const n = Math.min(PER_TX, NB - i);
    const colls = [], borrows = [];
    for (let k = 0; k < n; k++) {
      colls.push(U(1, 18) * BigInt(between(50, 200)) / 100n);      // 0.5 .. 2 WETH
      const limit = Number(colls[k] / 10n ** 12n) * 2000 * 0.825 / 1e6; // USDC at the borrow limit
      const p = k % 7 === 0 ? 0 : between(13, 97);
      pct.push(p);
      borrows.push(p ? U(Math.floor(p * limit / 100), 6) : 0n);
      borrowers.push(ethers.getCreateAddress({ from: spAddr, nonce: nonce++ }));
    }
    await net.send('borrowers', sp.borrowers(WETH.target, USDC.target, colls, borrows, { gasLimit: 95000000 }));
  }
  log(`${borrowers.length} borrowers, ${lenders.length} lenders (block ${await net.blockNumber()})`);
  await net.jump(20 * 86400);
  // borrower to borrower base transfers: both principals move, no log
  const src = [], dst = [], amt = [];
  // (from borrowers with room left under their borrow limit after 20 days of interest)
  for (let k = 0; k + 1 < borrowers.length && src.length < 30; k++) {
    if (pct[k] < 20 || pct[k] > 80 || pct[k + 1] === 0) continue;
    src.push(borrowers[k]); dst.push(borrowers[k + 1]); amt.push(U(between(5, 50), 6));
    k++;
  }
  const silent = await net.send('transfers', sp.transfers(USDC.target, src, dst, amt, { gasLimit: 95000000 }));
  if (silent.logs.length !== 0) throw new Error('borrower->borrower transfers logged something');
  // WETH -30 %: borrowers above ~76 % of their borrow limit become liquidatable
  const now = await net.timestamp();
  await net.send('price', feeds.WETH.connect(admin).setRoundData(2, U(1400, 8), now, now, 2));
  await net.jump(7 * 86400);
  const head = await net.blockNumber();
  fs.mkdirSync(path.join(stateDir, 'chains'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'chains', 'devnet.json'), JSON.stringify({
    name: 'devnet', chain_id: 31337, reorg_window: 64, max_block_range: 10000,
    deployments: [lib.deployment('compound-v3-scale', M.startBlock, M.address)],
  }, null, 2));
  fs.writeFileSync(path.join(stateDir, 'scenario.json'), JSON.stringify({
    rpc: rpcUrl, comet: M.address, deployment: 'compound-v3-scale', start_block: M.startBlock,
    head_block: head, base: USDC.target, assets: { WETH: WETH.target }, spawner: spAddr,
    borrowers, lenders,
  }, null, 2));
  log(`head ${head}`);
}

main().catch((e) => { console.error('comet_scale:', e.shortMessage || e.message); process.exit(2); });
