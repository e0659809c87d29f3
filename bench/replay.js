// replay.js: a loopback JSON-RPC node serving a large synthetic Aave V3 history, for the
// benchmark. The corpus is generated deterministically in memory at start-up: 4 reserves
// initialised in block 1, then blocks of supply / borrow / repay / withdraw actions by
// --accounts accounts, each action emitted exactly as Aave V3.0.2 emits it (aToken or debt token
// Mint/Burn with balanceIncrease and index, ReserveDataUpdated, the Pool event), indexes held at
// one ray so balances stay easy to keep consistent. Every log carries blockTimestamp, as large
// providers' answers do.
//
// usage: node replay.js [--logs 1000000] [--accounts 100000] [--seed 1] [--port-file F]
//        [--config-out chains/benchnet.json] [--verify 1]
// --verify 1 also serves what `sync --verify` proves against (see the block below): real
// headers hash-linked from genesis, signed transactions, eth_getBlockReceipts.
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
const TS0 = 1700000000;

// ---- --verify: a chain that can be proven (ethers from tests/devnet for keccak, RLP, signing) ----
// Each action is one signed EIP-1559 transaction, drawn in turn from a pool of 64 signed by 8
// keys (distinct within a block; repeats across blocks only cost nothing to the verifier, which
// recovers every signer anyway). Receipts carry the action's logs and their bloom; headers are
// London-style with real transactions/receipts roots and are hash-linked from block 0.
const VER = args.verify ? (() => {
  const E = require(require('path').join(__dirname, '../tests/devnet/node_modules/ethers'));
  const CHAIN = 1337133;
  const q = (v) => { const h = BigInt(v).toString(16); return v === 0 || v === 0n ? '0x' : '0x' + (h.length % 2 ? '0' : '') + h; };
  const qj = (v) => '0x' + BigInt(v).toString(16);
  const keys = [...Array(8)].map((_, i) => new E.SigningKey(E.keccak256(E.toUtf8Bytes('benchnet-key-' + i))));
  const pool = [...Array(64)].map((_, i) => {
    const tx = E.Transaction.from({ type: 2, chainId: CHAIN, nonce: i, maxPriorityFeePerGas: 1000000000n,
      maxFeePerGas: 2000000000n, gasLimit: 300000n, to: POOL, value: 0n, data: '0x', accessList: [] });
    tx.signature = keys[i % 8].sign(tx.unsignedHash);
    return { raw: tx.serialized, hash: tx.hash, json: { type: '0x2', chainId: qj(CHAIN), nonce: qj(i),
      maxPriorityFeePerGas: qj(1000000000n), maxFeePerGas: qj(2000000000n), gasPrice: qj(1000000007n), gas: qj(300000),
      to: POOL, value: '0x0', input: '0x', accessList: [], v: qj(tx.signature.yParity), yParity: qj(tx.signature.yParity),
      r: tx.signature.r, s: tx.signature.s, hash: tx.hash, from: tx.from.toLowerCase() } };
  });
  const nib = (h) => { const o = []; for (const c of h.slice(2)) o.push(parseInt(c, 16)); return o; };
  const hp = (ns, leaf) => { const f = (leaf ? 2 : 0) + (ns.length % 2); const a = ns.length % 2 ? [f, ...ns] : [f, 0, ...ns];
    let h = '0x'; for (let i = 0; i < a.length; i += 2) h += (a[i] * 16 + a[i + 1]).toString(16); return h; };
  const ref = (node) => { const e = E.encodeRlp(node); return (e.length - 2) / 2 < 32 ? node : E.keccak256(e); };
  function build(kv, d) { // kv: [[nibbles, valueHex]] sorted
    if (kv.length === 1) return [hp(kv[0][0].slice(d), true), kv[0][1]];
    let cp = 0; const f = kv[0][0], l = kv[kv.length - 1][0];
    while (d + cp < f.length && d + cp < l.length && f[d + cp] === l[d + cp]) cp++;
    if (cp) return [hp(f.slice(d, d + cp), false), ref(build(kv, d + cp))];
    const br = []; let i = 0, val = '0x';
    if (f.length === d) { val = kv[0][1]; i = 1; }
    for (let x = 0; x < 16; x++) { let j = i; while (j < kv.length && kv[j][0][d] === x) j++; br.push(j > i ? ref(build(kv.slice(i, j), d + 1)) : '0x'); i = j; }
    br.push(val);
    return br;
  }
  const trieRoot = (items) => {
    if (!items.length) return E.keccak256(E.encodeRlp('0x'));
    const kv = items.map((v, i) => [nib(E.encodeRlp(q(i))), v]).sort((a, b) => (a[0].join(',') < b[0].join(',') ? -1 : 1));
    kv.sort((a, b) => { for (let k = 0; k < Math.min(a[0].length, b[0].length); k++) if (a[0][k] !== b[0][k]) return a[0][k] - b[0][k]; return a[0].length - b[0].length; });
    return E.keccak256(E.encodeRlp(build(kv, 0)));
  };
  const bits = new Map(); // bloom bits per address/topic (they repeat: hash each once)
  const bloomAdd = (bl, hex) => {
    let bb = bits.get(hex);
    if (!bb) { const h = E.getBytes(E.keccak256(hex)); bb = [0, 2, 4].map((i) => ((h[i] << 8) | h[i + 1]) & 2047); bits.set(hex, bb); }
    for (const b of bb) bl[255 - (b >> 3)] |= 1 << (b & 7);
  };
  const txRoots = new Map(); // the transactions root of a pool-index list
  const hdrs = [], txl = [], rcl = [];
  const byHash = new Map(pool.map((p, i) => [p.hash.slice(2), i]));
  const seal = (n, txs, rcs, gasUsed, bloom) => {
    const h = { parentHash: n ? hdrs[n - 1].hash : '0x' + '0'.repeat(64), sha3Uncles: '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
      miner: '0x' + '0'.repeat(40), stateRoot: '0x' + '0'.repeat(64), transactionsRoot: txRoots.get(txs.join()) || txRoots.set(txs.join(), trieRoot(txs.map((t) => pool[t].raw))).get(txs.join()),
      receiptsRoot: trieRoot(rcs), logsBloom: E.hexlify(bloom), difficulty: '0x0', number: qj(n), gasLimit: qj(30000000),
      gasUsed: qj(gasUsed), timestamp: qj(TS0 + 12 * n), extraData: '0x', mixHash: '0x' + '0'.repeat(64), nonce: '0x0000000000000000', baseFeePerGas: '0x7' };
    h.hash = E.keccak256(E.encodeRlp([h.parentHash, h.sha3Uncles, h.miner, h.stateRoot, h.transactionsRoot, h.receiptsRoot, h.logsBloom,
      '0x', q(n), q(30000000), q(gasUsed), q(TS0 + 12 * n), '0x', h.mixHash, h.nonce, q(7)]));
    hdrs[n] = h;
  };
  seal(0, [], [], 0, new Uint8Array(256));
  return {
    hash: (n) => hdrs[n].hash,
    txHash: (k) => pool[k % 64].hash.slice(2),
    endBlock(n, logs) {
      const txs = [], groups = [];
      for (const l of logs) {
        if (!groups.length || groups[groups.length - 1].tx !== l.tx) { groups.push({ tx: l.tx, logs: [] }); txs.push(byHash.get(l.tx)); }
        l.ti = groups.length - 1;
        groups[groups.length - 1].logs.push(l);
      }
      const bloom = new Uint8Array(256), rcs = [], rjs = [];
      let cum = 0;
      for (const g of groups) {
        const b = new Uint8Array(256);
        for (const l of g.logs) { bloomAdd(b, l.address); for (const t of l.topics) bloomAdd(b, t); }
        for (let i = 0; i < 256; i++) bloom[i] |= b[i];
        const used = 21000 + 1000 * g.logs.length;
        cum += used;
        rcs.push('0x02' + E.encodeRlp(['0x01', q(cum), E.hexlify(b), g.logs.map((l) => [l.address, l.topics, '0x' + l.data])]).slice(2));
        rjs.push({ type: '0x2', status: '0x1', cumulativeGasUsed: qj(cum), gasUsed: qj(used), logsBloom: E.hexlify(b), logs: g.logs,
          transactionHash: '0x' + g.tx, transactionIndex: qj(rjs.length), from: pool[txs[rjs.length]].json.from, to: POOL, contractAddress: null, effectiveGasPrice: qj(1000000007) });
      }
      seal(n, txs, rcs, cum, bloom);
      txl[n] = txs;
      rcl[n] = rjs;
    },
    block(n, full) {
      const h = hdrs[n];
      if (!h) return null;
      const txs = (txl[n] || []).map((t, i) => (full ? { ...pool[t].json, blockHash: h.hash, blockNumber: qj(n), transactionIndex: qj(i) } : pool[t].hash));
      return { ...h, size: '0x100', uncles: [], transactions: txs };
    },
    receipts(n) {
      const h = hdrs[n];
      if (!h) return null;
      return (rcl[n] || []).map((r) => ({ ...r, blockHash: h.hash, blockNumber: qj(n), logs: r.logs.map((l) => ({ address: l.address, topics: l.topics,
        data: '0x' + l.data, blockNumber: qj(n), blockHash: h.hash, transactionHash: '0x' + l.tx, transactionIndex: qj(l.ti), logIndex: qj(l.li), removed: false })) }));
    },
  };
})() : null;
let logIndex = 0, cur = [];
let nLogs = 0;
function emit(address, topics, data, tx) {
  cur.push({ address, topics, data, tx, li: logIndex++ });
  nLogs++;
}
function endBlock() {
  const n = blocks.length;
  if (VER) VER.endBlock(n, cur);
  blocks.push(cur.map((l) => `{"address":"${l.address}","topics":[${l.topics.map((t) => `"${t}"`).join(',')}],` +
    `"data":"0x${l.data}","blockNumber":"0x${n.toString(16)}","transactionHash":"0x${l.tx}",` +
    `"transactionIndex":"0x${(l.ti || 0).toString(16)}","blockHash":"${hash(n)}","logIndex":"0x${l.li.toString(16)}","removed":false,` +
    `"blockTimestamp":"0x${(TS0 + 12 * n).toString(16)}"}`));
  cur = [];
  logIndex = 0;
}
const hashCache = new Map();
function hash(n) {
  if (n < 0) return '0x' + '0'.repeat(64);
  if (VER) return VER.hash(n);
  let h = hashCache.get(n);
  if (!h) { h = '0x' + crypto.createHash('sha256').update('benchnet-' + n).digest('hex'); hashCache.set(n, h); }
  return h;
}
let txn = 0;
const txh = () => (VER ? VER.txHash(++txn) : (++txn).toString(16).padStart(64, '0'));
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
// --protocol aave_v4: the same actions on one Aave V4 Hub + Spoke (v0.5.11 events, in the order
// the contracts emit them: Hub accrual and book first, the user's Spoke event last)
const V4 = args.protocol === 'aave_v4' ? (() => {
  const E = require(require('path').join(__dirname, '../tests/devnet/node_modules/ethers'));
  const id = (sig) => E.id(sig);
  const D = '(int256,int256,uint256)';
  const t = {
    AddAsset: id('AddAsset(uint256,address,uint8)'), UpdateAsset: id('UpdateAsset(uint256,uint256,uint256,uint256)'),
    Add: id('Add(uint256,address,uint256,uint256)'), Remove: id('Remove(uint256,address,uint256,uint256)'),
    Draw: id('Draw(uint256,address,uint256,uint256)'), Restore: id(`Restore(uint256,address,uint256,${D},uint256,uint256)`),
    RefreshPremium: id(`RefreshPremium(uint256,address,${D})`),
    AddReserve: id('AddReserve(uint256,uint256,address)'), UpdateReserveConfig: id('UpdateReserveConfig(uint256,(uint24,bool,bool,bool,bool))'),
    AddDyn: id('AddDynamicReserveConfig(uint256,uint32,(uint16,uint32,uint16))'),
    LiqConfig: id('UpdateLiquidationConfig((uint128,uint64,uint16))'), Immutables: id('SetSpokeImmutables(address,uint16)'),
    Supply: id('Supply(uint256,address,address,uint256,uint256)'), Withdraw: id('Withdraw(uint256,address,address,uint256,uint256)'),
    Borrow: id('Borrow(uint256,address,address,uint256,uint256)'), Repay: id(`Repay(uint256,address,address,uint256,uint256,${D})`),
    Coll: id('SetUsingAsCollateral(uint256,address,address,bool)'), Single: id('RefreshSingleUserDynamicConfig(address,uint256)'),
    All: id('RefreshAllUserDynamicConfig(address)'), PremiumDebt: id(`RefreshPremiumDebt(uint256,address,${D})`),
    RP: id('UpdateUserRiskPremium(address,uint256)'),
  };
  return { t, HUB: addr(1, '4b0b'), SPOKE: addr(2, '5b0e'), ORACLE: addr(3, '0c1e'), sel: id('getReservePrice(uint256)').slice(0, 10) };
})() : null;
if (V4) {
  const { t, HUB, SPOKE, ORACLE: O4 } = V4;
  const tx = txh(), wi = (i) => '0x' + w(i);
  emit(SPOKE, [t.Immutables, '0x' + wa(O4)], w(16), tx);
  emit(SPOKE, [t.LiqConfig], w(105n * 10n ** 16n) + w(90n * 10n ** 16n) + w(5000), tx);
  RES.forEach((R, i) => {
    emit(HUB, [t.AddAsset, wi(i), '0x' + wa(R.asset)], w(R.dec), tx);
    emit(HUB, [t.UpdateAsset, wi(i)], w(RAY) + w(0) + w(0), tx);
    emit(SPOKE, [t.AddReserve, wi(i), wi(i), '0x' + wa(HUB)], '', tx);
    emit(SPOKE, [t.UpdateReserveConfig, wi(i)], w(1000) + w(0) + w(0) + w(1) + w(1), tx);
    emit(SPOKE, [t.AddDyn, wi(i), wi(0)], w(7500) + w(10500) + w(1000), tx);
  });
  endBlock();
}
const liq = [0n, 0n, 0n, 0n];
while (V4 && nLogs < N_LOGS) {
  const { t, HUB, SPOKE } = V4;
  const actions = 1 + Math.floor(rnd() * 5);
  for (let k = 0; k < actions && nLogs < N_LOGS; k++) {
    const u = Math.floor(rnd() * N_ACC), r = Math.floor(rnd() * 4), R = RES[r], user = USERS(u), tx = txh();
    const unit = 10n ** BigInt(R.dec), kk = key(u, r), s = sup.get(kk) || 0n, b = bor.get(kk) || 0n;
    const ri = '0x' + w(r), us = '0x' + wa(user), acc = () => emit(HUB, [t.UpdateAsset, ri], w(RAY) + w(0) + w(0), tx);
    const roll = rnd();
    if (roll < 0.45 || s === 0n) {
      const amt = BigInt(1 + Math.floor(rnd() * 1000)) * unit;
      acc();
      emit(HUB, [t.Add, ri, '0x' + wa(SPOKE)], w(amt) + w(amt), tx);
      emit(SPOKE, [t.Supply, ri, us, us], w(amt) + w(amt), tx);
      if (s === 0n) {
        emit(SPOKE, [t.Single, us], w(r), tx);
        emit(SPOKE, [t.Coll, ri, us, us], w(1), tx);
      }
      sup.set(kk, s + amt); liq[r] += amt;
    } else if (roll < 0.7 && s / 4n + 1n <= liq[r]) {
      const amt = s / 4n + 1n;
      acc();
      emit(HUB, [t.Draw, ri, '0x' + wa(SPOKE)], w(amt) + w(amt), tx);
      emit(SPOKE, [t.All, us], '', tx);
      acc();
      emit(HUB, [t.RefreshPremium, ri, '0x' + wa(SPOKE)], w(0) + w(0) + w(0), tx);
      emit(SPOKE, [t.PremiumDebt, ri, us], w(0) + w(0) + w(0), tx);
      emit(SPOKE, [t.RP, us], w(1000), tx);
      emit(SPOKE, [t.Borrow, ri, us, us], w(amt) + w(amt), tx);
      bor.set(kk, b + amt); liq[r] -= amt;
    } else if (roll < 0.85 && b > 0n) {
      const amt = b / 2n + 1n > b ? b : b / 2n + 1n;
      acc();
      emit(HUB, [t.Restore, ri, '0x' + wa(SPOKE)], w(amt) + w(0) + w(0) + w(0) + w(amt) + w(0), tx);
      emit(SPOKE, [t.Repay, ri, us, us], w(amt) + w(amt) + w(0) + w(0) + w(0), tx);
      bor.set(kk, b - amt); liq[r] += amt;
    } else {
      let amt = s / 3n + 1n > s ? s : s / 3n + 1n;
      if (amt > liq[r]) amt = liq[r];
      if (amt === 0n) continue;
      acc();
      emit(HUB, [t.Remove, ri, '0x' + wa(SPOKE)], w(amt) + w(amt), tx);
      emit(SPOKE, [t.All, us], '', tx);
      emit(SPOKE, [t.Withdraw, ri, us, us], w(amt) + w(amt), tx);
      sup.set(kk, s - amt); liq[r] -= amt;
    }
  }
  endBlock();
}
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
    deployments: [V4 ? { name: 'aave-v4-benchnet', protocol: 'aave_v4', version: '0.5.11', start_block: 1, base_currency_decimals: 26,
      contracts: { 'hub:h': V4.HUB, 'spoke:s': V4.SPOKE, 'oracle:s': V4.ORACLE } }
      : { name: 'aave-v3-benchnet', protocol: 'aave_v3', version: '3.0.2', start_block: 1, base_currency_decimals: 8,
        contracts: { pool: POOL, pool_configurator: CONFIG, oracle: ORACLE } }],
    ...(VER ? { checkpoint: { block: 0, hash: VER.hash(0) } } : {}),
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
    case 'eth_getBlockReceipts': {
      if (!VER) throw { code: -32601, message: 'method not found: ' + req.method };
      return VER.receipts(p[0] === 'latest' ? HEAD : parseInt(p[0], 16));
    }
    case 'eth_getBlockByNumber': {
      const n = p[0] === 'latest' ? HEAD : parseInt(p[0], 16);
      if (!(n >= 0 && n <= HEAD)) return null;
      if (VER) return VER.block(n, p[1] === true);
      return { number: '0x' + n.toString(16), hash: hash(n), parentHash: hash(n - 1), timestamp: '0x' + (TS0 + 12 * n).toString(16) };
    }
    case 'eth_getStorageAt': return '0x' + '1'.padStart(64, '0'); // pool slot 0: revision 1 (3.0.x)
    case 'eth_call': {
      const d = (p[0] && p[0].data) || '';
      if (V4 && d.startsWith(V4.sel) && p[0].to && p[0].to.toLowerCase() === V4.ORACLE) {
        const r = RES[parseInt(d.slice(10), 16)];
        if (r) return '0x' + w(r.price);
      }
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
