// cascade_onchain.js: referee for round 1 of lendex's cascade on the protocols' own bytecode,
// one protocol or several on one anvil. A protocol module (morpho_cascade.js, comet_cascade.js,
// aave_cascade.js) knows how to move its oracle, ask the contract whether an account can be
// liquidated, send a liquidation and read its events; this file runs the same steps for all:
//   1. the liquidators are funded (automine on);
//   2. one block at T1 moves every named oracle by the shock, as lendex's shock defines it
//      (floor(answer * (10000 + bps) / 10000));
//   3. lendex's cascade (round 1) runs on the store synced before the shock, at --at T;
//   4. in a block mined at T and thrown away (snapshot, revert) each module asks the contract
//      which of its accounts are liquidatable: exactly those lendex lists must be;
//   5. every liquidation lendex lists is sent, in lendex's order, in one block mined at T, and
//      every event amount must equal lendex's (module.verify), as must the balances left.
// A module: { name, fund(), shock(bps) -> [tx hashes], liquidatable(blockTag) -> Map(key ->
// {liquidatable, collateral (bool)}), key(liq), send(liq) -> tx hash (null: sent with an earlier one), verify(liq, receipt,
// blockTag) -> [messages] }. Keys name (account, sub-market) the same way on both sides.
'use strict';
const { execFileSync } = require('child_process');
const { ethers } = require('ethers');

function net(rpcUrl) {
  const provider = new ethers.JsonRpcProvider(rpcUrl, undefined,
    { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  provider.pollingInterval = 20;
  const rpc = (m, p = []) => provider.send(m, p);
  async function receipt(hash, what) {
    for (let i = 0; i < 6000; i++) {
      const r = await rpc('eth_getTransactionReceipt', [hash]);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error(`${what || 'transaction'}: no receipt for ${hash}`);
  }
  async function mined(hash, what) {
    const r = await receipt(hash, what);
    if (r.status !== '0x1') throw new Error(`${what || 'transaction'} ${hash} reverted`);
    return r;
  }
  const latest = async () => rpc('eth_getBlockByNumber', ['latest', false]);
  return { provider, rpc, receipt, mined, latest };
}

// one block at timestamp ts with what send() queues (automine off meanwhile)
async function inBlock(n, ts, send) {
  await n.rpc('evm_setAutomine', [false]);
  let hashes;
  try {
    hashes = await send();
    await n.rpc('evm_setNextBlockTimestamp', [ts]);
    await n.rpc('evm_mine', []);
  } finally {
    await n.rpc('evm_setAutomine', [true]);
  }
  return hashes;
}

/*
 * opts: { n (net), lendex: () -> cascade JSON per module name ({ name: cascade }), modules,
 *         bps, log }. Returns the number of mismatches (0 = lendex equals the chain).
 */
async function run(opts) {
  const { n, modules, bps } = opts;
  const log = opts.log || console.log;
  let bad = 0;
  const fail = (m) => { bad++; console.error('cascade_onchain: ' + m); };
  for (const m of modules) await m.fund();
  const t1 = Number((await n.latest()).timestamp) + 12;
  // one module after the other: a module may derive an address from its sender's next nonce
  const shockTx = await inBlock(n, t1, async () => {
    const out = [];
    for (const m of modules) out.push(...(await m.shock(bps)));
    return out;
  });
  for (const h of shockTx) await n.mined(h, 'shock');
  const T = t1 + 12;
  const cascades = opts.lendex(T);
  // which accounts the contracts let a liquidator in at T, before any liquidation
  const snap = await n.rpc('evm_snapshot', []);
  await n.rpc('evm_setNextBlockTimestamp', [T]);
  await n.rpc('evm_mine', []);
  const probe = Number((await n.latest()).number);
  const chainSets = {};
  for (const m of modules) chainSets[m.name] = await m.liquidatable(probe);
  if (!(await n.rpc('evm_revert', [snap]))) throw new Error('evm_revert failed');
  const listed = {};
  for (const m of modules) {
    const c = cascades[m.name];
    if (!c) { fail(`${m.name}: lendex's cascade has no such market`); continue; }
    const liqs = (c.liquidations || []).filter((l) => l.round === 1);
    const unl = new Set((c.unliquidated || []).map((u) => u.user.toLowerCase()));
    listed[m.name] = liqs;
    const keys = new Set(liqs.map((l) => m.key(l)));
    const chain = chainSets[m.name];
    for (const [k, v] of chain) {
      if (v.liquidatable && !keys.has(k)) {
        // an account with debt and nothing to seize cannot be liquidated profitably: lendex
        // must say so (unliquidated, no-collateral) rather than list it
        if (!v.collateral && unl.has(k.split(':')[0])) continue;
        fail(`${m.name} ${k}: liquidatable on chain at the shocked price, lendex does not list it`);
      }
      if (!v.liquidatable && keys.has(k)) fail(`${m.name} ${k}: lendex lists it, the contract says not liquidatable`);
    }
    for (const k of keys) if (!chain.has(k)) fail(`${m.name} ${k}: lendex lists an account the chain does not know`);
    log(`${m.name}: round 1 lists ${liqs.length} liquidations of ${keys.size} positions; ` +
      `${[...chain.values()].filter((v) => v.liquidatable).length} liquidatable on chain of ${chain.size}`);
  }
  // every listed liquidation, in lendex's order, in one block at T
  const sent = await inBlock(n, T, async () => {
    const out = [];
    for (const m of modules) for (const l of listed[m.name] || []) out.push({ m, l, hash: await m.send(l) });
    return out;
  });
  const block = Number((await n.latest()).number);
  if (Number((await n.latest()).timestamp) !== T) fail(`liquidation block ${block} is not at ${T}`);
  for (const { m, l, hash } of sent) {
    if (!hash) continue; // part of an earlier call (Comet: one absorb, an entry per collateral)
    const r = await n.receipt(hash, `${m.name} liquidation`);
    if (Number(r.blockNumber) !== block) fail(`${m.name} ${m.key(l)}: mined in block ${Number(r.blockNumber)}, not ${block}`);
    if (r.status !== '0x1') { fail(`${m.name} ${m.key(l)}: liquidation ${hash} reverted`); continue; }
    for (const e of await m.verify(l, r, block)) fail(`${m.name} ${m.key(l)}: ${e}`);
  }
  return { bad, listed, block, T };
}

// gives `to` amount of token: a mock's setBalance (Morpho's ERC20Mock), else the owner's
// mint(address,uint256) (Aave's MintableERC20), else allocateTo (Comet's FaucetToken)
async function mintTo(n, token, to, amount, admin) {
  const i = new ethers.Interface(['function setBalance(address,uint256)', 'function mint(address,uint256) returns (bool)',
    'function allocateTo(address,uint256)']);
  for (const [fn, from] of [['setBalance', to], ['mint', admin], ['allocateTo', to]]) {
    const data = i.encodeFunctionData(fn, [to, amount]);
    try {
      await n.rpc('eth_call', [{ from, to: token, data }, 'latest']);
    } catch (e) {
      continue;
    }
    return n.mined(await n.rpc('eth_sendTransaction', [{ from, to: token, data, gas: '0x2dc6c0' }]), `${fn} ${token}`);
  }
  throw new Error(`cannot mint ${token}`);
}

async function approve(n, token, from, spender) {
  const i = new ethers.Interface(['function approve(address,uint256) returns (bool)']);
  return n.mined(await n.rpc('eth_sendTransaction', [{ from, to: token,
    data: i.encodeFunctionData('approve', [spender, ethers.MaxUint256]), gas: '0x2dc6c0' }]), `approve ${token}`);
}

// lendex's cascade JSON (one deployment, or --all-markets split by deployment)
function lendexCascade(bin, args) {
  return JSON.parse(execFileSync(bin, ['cascade', ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

module.exports = { net, inBlock, run, lendexCascade, mintTo, approve };
