// lib/net.js: what every devnet script needs to talk to its anvil — a provider with a gas policy,
// receipts polled by hand (ethers' tx.wait() was seen to hang on a loaded machine), a send that
// names the step that failed, time moves, and a seeded generator. The protocol deployers in
// lib/ and the scenario scripts (devnet.js, morpho.js, comet.js, cross.js) share it.
//
//   const net = connect(RPC_URL, { gas: 'pad' | 'pad2' | 'fixed', poll: ms, afterReceipt })
//     gas 'pad': 2 x estimate + 100,000 (an estimate made at one block's state can miss the
//     interest accrual the mined transaction pays for); 'pad2': 2 x estimate; 'fixed': 12M.
//     afterReceipt(net): called after every mined receipt (morpho.js: next block 12 s later).
'use strict';
const { ethers } = require('ethers');

// A transaction's receipt, polled by hand every 10 ms for at most RECEIPT_MS of wall time (ethers'
// tx.wait() and waitForDeployment() wait for a *new* block after a receipt check that came too
// early: on anvil's automine the transaction's block may already be the newest, no other block
// comes, and the script waits forever; a test then hung to ctest's timeout with no word of where).
// A revert throws an Error that carries the raw receipt (.receipt), for callers that explain it.
const RECEIPT_MS = Number(process.env.DEVNET_RECEIPT_MS || 120000);
async function receiptOf(provider, hash, what) {
  const t0 = Date.now();
  for (;;) {
    const r = await provider.send('eth_getTransactionReceipt', [hash]);
    if (r) {
      if (r.status !== '0x1') throw Object.assign(new Error(`${what}: transaction ${hash} reverted`), { receipt: r });
      return r;
    }
    if (Date.now() - t0 > RECEIPT_MS) throw new Error(`${what}: no receipt for ${hash} after ${RECEIPT_MS} ms`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

function connect(rpcUrl, opts = {}) {
  const provider = new ethers.JsonRpcProvider(rpcUrl, undefined,
    { staticNetwork: true, batchMaxCount: 1, ...(opts.noCache ? { cacheTimeout: -1 } : {}) });
  provider.pollingInterval = opts.poll || 20;
  const estimate = provider.estimateGas.bind(provider);
  if (opts.gas === 'fixed') provider.estimateGas = async () => 12000000n;
  else if (opts.gas === 'pad') provider.estimateGas = async (tx) => 2n * (await estimate(tx)) + 100000n;
  else if (opts.gas === 'pad2') provider.estimateGas = async (tx) => 2n * (await estimate(tx));
  const net = { provider, rpcUrl };
  net.rpc = (m, p = []) => provider.send(m, p);
  net.blockNumber = async () => Number(await net.rpc('eth_blockNumber'));
  net.timestamp = async () => Number((await net.rpc('eth_getBlockByNumber', ['latest', false])).timestamp);
  net.waitReceipt = async (hash, what) => {
    const r = await receiptOf(provider, hash, what);
    if (opts.afterReceipt) await opts.afterReceipt(net);
    return r;
  };
  net.send = async (what, p) => {
    let tx;
    try {
      tx = await p;
    } catch (e) {
      throw new Error(`${what}: ${e.shortMessage || e.message}${e.reason ? ' (' + e.reason + ')' : ''}`);
    }
    return net.waitReceipt(tx.hash, what);
  };
  // the next block `seconds` after the latest one, mined empty
  net.jump = async (seconds) => {
    await net.rpc('evm_setNextBlockTimestamp', [(await net.timestamp()) + Math.max(1, Math.round(seconds))]);
    await net.rpc('evm_mine', []);
  };
  net.deploy = async (abi, bytecode, signer, args = [], what = 'deploy') => {
    const c = await new ethers.ContractFactory(abi, bytecode, signer).deploy(...args);
    const rc = await net.waitReceipt(c.deploymentTransaction().hash, what);
    const out = new ethers.Contract(rc.contractAddress, abi, signer);
    out.deployBlock = Number(rc.blockNumber);
    return out;
  };
  return net;
}

// mulberry32: the same seed plays the same scenario
function seeded(seed) {
  let s = Number(seed) >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    rnd,
    pick: (xs) => xs[Math.floor(rnd() * xs.length)],
    between: (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1)),
    big: (lo, hi) => BigInt(Math.floor(lo + rnd() * (hi - lo))),
  };
}

const logger = (tag) => (...a) => { if (!process.env.DEVNET_QUIET) console.error(`${tag}:`, ...a); };

module.exports = { connect, receiptOf, seeded, logger, U: (v, d) => ethers.parseUnits(String(v), d) };
