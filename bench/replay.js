// replay.js: a loopback JSON-RPC node serving a large synthetic Aave V3 history, for the
// benchmark. The corpus is generated deterministically in memory at start-up: 4 reserves
// initialised in block 1, then blocks of supply / borrow / repay / withdraw actions by
// --accounts accounts, each action emitted exactly as Aave V3.0.2 emits it (aToken or debt token
// Mint/Burn with balanceIncrease and index, ReserveDataUpdated, the Pool event), indexes held at
// one ray so balances stay easy to keep consistent. Every log carries blockTimestamp, as large
// providers' answers do.
//
// usage: node replay.js [--logs 1000000] [--accounts 100000] [--seed 1] [--port-file F]
//        [--config-out chains/benchnet.json]
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const zlib = require('zlib');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const N_LOGS = Number(args.logs || 1000000);
const N_ACC = Number(args.accounts || 100000);
let seed = BigInt(args.seed || 1) * 0x9e3779b97f4a7c15n + 7n;
const rnd = () => {
  seed ^= seed >> 12n; seed ^= (seed << 25n) & 0xffffffffffffffffn; seed ^= seed >> 27n;
  return Number(((seed * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
};
// topic0s: keccak of the canonical signatures (node's crypto has no keccak-256)
const T = {
  ReserveInitialized: '0x3a0ca721fc364424566385a1aa271ed508cc2c0949c2272575fb3013a163a45f',
  Initialized: '0xb19e051f8af41150ccccb3fc2c2d8d15f4a4cf434f32a559ba75fe73d6eea20b',
  CollateralConfigurationChanged: '0x637febbda9275aea2e85c0ff690444c8d87eb2e8339bbede9715abcc89cb0995',
  ReserveDataUpdated: '0x804c9b842b2748a22bb64b345453a3de7ca54a6ca45ce00d415894979e22897a',
  Supply: '0x2b627736bca15cd5381dcf80b0bf11fd197d01a037c52b927a881a10fb73ba61',
  Withdraw: '0x3115d1449a7b732c986cba18244e897a450f61e1bb8d589cd2e69e6c8924f9f7',
  Borrow: '0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0',
  Repay: '0xa534c8dbe71f871f9f3530e97a74601fea17b426cae02e1c5aee42c96c784051',
  CollEnabled: '0x00058a56ea94653cdf4f152d227ace22d4c00ad99e2a43f58cb7d9e3feb295f2',
  Mint: '0x458f5fa412d0f69b08dd84872b0215675cc67bc1d5b6fd93300a1c3878b86196',
  Burn: '0x4cf25bc1d991c17529c25213d3cc0cda295eeaad5f13f361969b12ea48015f90',
};
const addr = (n, tag) => '0x' + tag + n.toString(16).padStart(40 - tag.length, '0');
const POOL = addr(1, 'b00100'), CONFIG = addr(2, 'b00200'), ORACLE = addr(3, 'b00300');
const RES = [0, 1, 2, 3].map((i) => ({ asset: addr(i + 1, 'a55e7'), a: addr(i + 1, 'a70c'), v: addr(i + 1, 'd3b7'),
  s: addr(i + 1, '57ab'), dec: [18, 6, 18, 8][i], price: [2000e8, 1e8, 1e8, 60000e8][i], sym: ['WETH', 'USDC', 'DAI', 'WBTC'][i] }));
const USERS = (i) => addr(i + 1, 'cafe');
const w = (v) => BigInt(v).toString(16).padStart(64, '0');
const wa = (a) => a.slice(2).padStart(64, '0');
const RAY = 10n ** 27n;

// ---- generate ----
const t0 = Date.now();
const blocks = [[]]; // blocks[n] = array of log JSON strings (block 0 empty)
let logIndex = 0, cur = [];
let nLogs = 0;
const TS0 = 1700000000;
function emit(address, topics, data, tx) {
  cur.push({ address, topics, data, tx, li: logIndex++ });
  nLogs++;
}
function endBlock() {
  const n = blocks.length;
  blocks.push(cur.map((l) => `{"address":"${l.address}","topics":[${l.topics.map((t) => `"${t}"`).join(',')}],` +
    `"data":"0x${l.data}","blockNumber":"0x${n.toString(16)}","transactionHash":"0x${l.tx}",` +
    `"transactionIndex":"0x0","blockHash":"${hash(n)}","logIndex":"0x${l.li.toString(16)}","removed":false,` +
    `"blockTimestamp":"0x${(TS0 + 12 * n).toString(16)}"}`));
  cur = [];
  logIndex = 0;
}
const hashCache = new Map();
function hash(n) {
  if (n < 0) return '0x' + '0'.repeat(64);
  let h = hashCache.get(n);
  if (!h) { h = '0x' + crypto.createHash('sha256').update('benchnet-' + n).digest('hex'); hashCache.set(n, h); }
  return h;
}
let txn = 0;
const txh = () => (++txn).toString(16).padStart(64, '0');
// block 1: reserves
for (const r of RES) {
  const tx = txh();
  // aToken Initialized(underlying, pool, treasury, incentives, decimals, name, symbol, params)
  const name = Buffer.from('Aave ' + r.sym).toString('hex'), sym = Buffer.from('a' + r.sym).toString('hex');
  const str = (h) => w(h.length / 2) + h.padEnd(Math.ceil(h.length / 64) * 64, '0');
  const dyn = [str(name), str(sym), w(0)];
  const heads = 6 * 32;
  const o1 = heads, o2 = o1 + dyn[0].length / 2, o3 = o2 + dyn[1].length / 2;
  emit(r.a, [T.Initialized, '0x' + wa(r.asset), '0x' + wa(POOL)],
    wa(addr(9, 'fee')) + w(0) + w(r.dec) + w(o1) + w(o2) + w(o3) + dyn.join(''), tx);
  emit(CONFIG, [T.ReserveInitialized, '0x' + wa(r.asset), '0x' + wa(r.a)], wa(r.s) + wa(r.v) + wa(addr(8, 'eee')), tx);
  emit(CONFIG, [T.CollateralConfigurationChanged, '0x' + wa(r.asset)], w(7500) + w(8000) + w(10500), tx);
}
endBlock();
// user balances: supplied / borrowed per reserve, in token units (index = 1 ray → scaled = amount)
const sup = new Map(), bor = new Map();
const key = (u, r) => u * 4 + r;
while (nLogs < N_LOGS) {
  const actions = 1 + Math.floor(rnd() * 5);
  for (let k = 0; k < actions && nLogs < N_LOGS; k++) {
    const u = Math.floor(rnd() * N_ACC), r = Math.floor(rnd() * 4), R = RES[r], user = USERS(u), tx = txh();
    const unit = 10n ** BigInt(R.dec);
    const kk = key(u, r);
    const s = sup.get(kk) || 0n, b = bor.get(kk) || 0n;
    const rdu = () => emit(POOL, [T.ReserveDataUpdated, '0x' + wa(R.asset)], w(0) + w(0) + w(0) + w(RAY) + w(RAY), tx);
    const roll = rnd();
    if (roll < 0.45 || s === 0n) {
      const amt = BigInt(1 + Math.floor(rnd() * 1000)) * unit;
      rdu();
      emit(R.a, [T.Mint, '0x' + wa(user), '0x' + wa(user)], w(amt) + w(0) + w(RAY), tx);
      if (s === 0n) emit(POOL, [T.CollEnabled, '0x' + wa(R.asset), '0x' + wa(user)], '', tx);
      emit(POOL, [T.Supply, '0x' + wa(R.asset), '0x' + wa(user), '0x' + w(0)], wa(user) + w(amt), tx);
      sup.set(kk, s + amt);
    } else if (roll < 0.7 && s > 0n) {
      const amt = s / 4n + 1n;
      rdu();
      emit(R.v, [T.Mint, '0x' + wa(user), '0x' + wa(user)], w(amt) + w(0) + w(RAY), tx);
      emit(POOL, [T.Borrow, '0x' + wa(R.asset), '0x' + wa(user), '0x' + w(0)], wa(user) + w(amt) + w(2) + w(0), tx);
      bor.set(kk, b + amt);
    } else if (roll < 0.85 && b > 0n) {
      const amt = b / 2n + 1n > b ? b : b / 2n + 1n;
      rdu();
      emit(R.v, [T.Burn, '0x' + wa(user), '0x' + w(0)], w(amt) + w(0) + w(RAY), tx);
      emit(POOL, [T.Repay, '0x' + wa(R.asset), '0x' + wa(user), '0x' + wa(user)], w(amt) + w(0), tx);
      bor.set(kk, b - amt);
    } else {
      const amt = s / 3n + 1n > s ? s : s / 3n + 1n;
      rdu();
      emit(R.a, [T.Burn, '0x' + wa(user), '0x' + wa(user)], w(amt) + w(0) + w(RAY), tx);
      emit(POOL, [T.Withdraw, '0x' + wa(R.asset), '0x' + wa(user), '0x' + wa(user)], w(amt), tx);
      sup.set(kk, s - amt);
    }
  }
  endBlock();
}
const HEAD = blocks.length - 1;
if (args['config-out']) {
  fs.writeFileSync(args['config-out'], JSON.stringify({
    name: 'benchnet', chain_id: 1337133, reorg_window: 64, confirmations: 0, max_block_range: 2000,
    deployments: [{ name: 'aave-v3-benchnet', protocol: 'aave_v3', version: '3.0.2', start_block: 1, base_currency_decimals: 8,
      contracts: { pool: POOL, pool_configurator: CONFIG, oracle: ORACLE } }],
  }, null, 2) + '\n');
}
console.error(`replay: ${nLogs} logs, ${sup.size} positions, ${HEAD} blocks generated in ${Date.now() - t0} ms`);

// ---- serve ----
function answer(req) {
  const p = req.params || [];
  switch (req.method) {
    case 'eth_chainId': return '0x' + (1337133).toString(16);
    case 'eth_blockNumber': return '0x' + HEAD.toString(16);
    case 'eth_getCode': return p[0] && p[0].toLowerCase() === POOL ? '0x6080' : '0x';
    case 'eth_getBlockByNumber': {
      const n = p[0] === 'latest' ? HEAD : parseInt(p[0], 16);
      if (!(n >= 0 && n <= HEAD)) return null;
      return { number: '0x' + n.toString(16), hash: hash(n), parentHash: hash(n - 1), timestamp: '0x' + (TS0 + 12 * n).toString(16) };
    }
    case 'eth_call': {
      const d = (p[0] && p[0].data) || '';
      if (d.startsWith('0xb3596f07')) {
        const a = '0x' + d.slice(34, 74);
        const r = RES.find((x) => x.asset === a);
        if (r) return '0x' + w(r.price);
      }
      throw { code: 3, message: 'execution reverted' };
    }
    default: throw { code: -32601, message: 'method not found: ' + req.method };
  }
}
function getLogs(f) {
  const a = Math.max(0, parseInt(f.fromBlock, 16)), b = Math.min(HEAD, parseInt(f.toBlock, 16));
  const addrs = new Set((f.address || []).map((x) => x.toLowerCase()));
  const t0s = f.topics && f.topics[0] ? new Set([].concat(f.topics[0])) : null;
  const out = [];
  for (let n = a; n <= b; n++)
    for (const s of blocks[n]) {
      const ad = s.slice(12, 54);
      const t0 = s.slice(67, 133);
      if ((!addrs.size || addrs.has(ad)) && (!t0s || t0s.has(t0))) out.push(s);
    }
  return '[' + out.join(',') + ']';
}
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString()); } catch (e) { res.writeHead(400); res.end(); return; }
    const one = (r) => {
      if (r.method === 'eth_getLogs') return `{"jsonrpc":"2.0","id":${JSON.stringify(r.id)},"result":${getLogs(r.params[0])}}`;
      try { return JSON.stringify({ jsonrpc: '2.0', id: r.id, result: answer(r) }); } catch (e) { return JSON.stringify({ jsonrpc: '2.0', id: r.id, error: e }); }
    };
    const text = Array.isArray(body) ? '[' + body.map(one).join(',') + ']' : one(body);
    if (/gzip/.test(req.headers['accept-encoding'] || '') && text.length > 65536) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(zlib.gzipSync(text, { level: 1 }));
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    }
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  if (args['port-file']) fs.writeFileSync(args['port-file'], url + '\n');
  console.log(url);
});
