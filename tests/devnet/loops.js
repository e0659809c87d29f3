// loops.js: plays leverage loops as people build them on top of the devnet scenario (run after
// devnet.sh up), and records what it built: STATEDIR/loops.json = { window, accounts: { addr:
// { rounds, correlated, directional, flash, built } } } for every account the two scenarios
// touched (0 rounds = never looped, or fully unwound).
//
// The loops (docs/risk.md, "Loop depth"): rounds of borrow → swap → supply across blocks
// (directional: USDC debt against WETH; correlated: USDC debt against DAI); flash-loan loops in
// one transaction through a contract acting for the account (flashLoanSimple, supply on behalf,
// borrow on behalf with credit delegation, so the supply precedes the borrow in log order) and
// Aave's mode-2 flash loan that leaves the debt open on the account; several rounds inside one
// contract call; loops partly closed by a withdrawal or fully by a repay. Noise that must not
// count: borrow then repay then supply, deposit-and-borrow in one transaction, a supply long
// after the borrow, a supply far larger than the borrow, borrow/repay cycles.
//
// Swaps go through a mock swapper: the token in is sent to a sink, the token out is minted at
// the oracle's price. The executor is a 85-byte contract (assembled below): called as any
// executeOperation(…, bytes params) it runs params = [20-byte target][32-byte length][call
// data]… one call after the other and returns true, reverting with the failing call's reason.
//
// usage: node loops.js RPC_URL STATEDIR
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { receiptOf } = require('./lib/net');

const [rpcUrl, stateDir] = process.argv.slice(2);
if (!rpcUrl || !stateDir) {
  console.error('usage: node loops.js RPC_URL STATEDIR');
  process.exit(1);
}
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 });
provider.pollingInterval = 50;
const ART = path.join(__dirname, 'node_modules/@aave/core-v3/artifacts/contracts');
const abiOf = (rel) => JSON.parse(fs.readFileSync(path.join(ART, rel))).abi;
const POOL = abiOf('protocol/pool/Pool.sol/Pool.json');
const ERC20 = abiOf('mocks/tokens/MintableERC20.sol/MintableERC20.json');
const VDEBT = abiOf('protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json');
const ORACLE = abiOf('misc/AaveOracle.sol/AaveOracle.json');
const U = (v, d) => ethers.parseUnits(String(v), d);
const MAX = ethers.MaxUint256;
const SINK = '0x000000000000000000000000000000000000dEaD';
const rpc = (m, p = []) => provider.send(m, p);

// ---- the executor, assembled (labels resolved in a second pass) ----
function assemble() {
  const op = { STOP: 0, ADD: 1, LT: 0x10, ISZERO: 0x15, SHR: 0x1c, CALLDATALOAD: 0x35, CALLDATACOPY: 0x37,
    RETURNDATASIZE: 0x3d, RETURNDATACOPY: 0x3e, MSTORE: 0x52, JUMP: 0x56, JUMPI: 0x57, GAS: 0x5a,
    JUMPDEST: 0x5b, PUSH1: 0x60, DUP1: 0x80, DUP2: 0x81, DUP3: 0x82, DUP7: 0x86, SWAP1: 0x90, SWAP2: 0x91,
    CALL: 0xf1, RETURN: 0xf3, REVERT: 0xfd };
  const prog = [
    // p = 4 + offset(params); ptr = p + 32; end = ptr + length      stack: [end ptr]
    'PUSH1', 0x84, 'CALLDATALOAD', 'PUSH1', 4, 'ADD', 'DUP1', 'CALLDATALOAD', 'SWAP1', 'PUSH1', 0x20, 'ADD',
    'SWAP1', 'DUP2', 'ADD', 'SWAP1',
    ':loop', 'JUMPDEST', 'DUP2', 'DUP2', 'LT', 'ISZERO', 'PUSH1', '@done', 'JUMPI',
    // dlen = calldata[ptr+20]; copy the call data to memory 0
    'DUP1', 'PUSH1', 0x14, 'ADD', 'CALLDATALOAD', 'DUP1', 'DUP3', 'PUSH1', 0x34, 'ADD', 'PUSH1', 0, 'CALLDATACOPY',
    // call(gas, target, 0, 0, dlen, 0, 0)
    'PUSH1', 0, 'PUSH1', 0, 'DUP3', 'PUSH1', 0, 'PUSH1', 0, 'DUP7', 'CALLDATALOAD', 'PUSH1', 0x60, 'SHR', 'GAS',
    'CALL', 'ISZERO', 'PUSH1', '@fail', 'JUMPI',
    'PUSH1', 0x34, 'ADD', 'ADD', 'PUSH1', '@loop', 'JUMP',
    ':done', 'JUMPDEST', 'PUSH1', 1, 'PUSH1', 0, 'MSTORE', 'PUSH1', 0x20, 'PUSH1', 0, 'RETURN',
    ':fail', 'JUMPDEST', 'RETURNDATASIZE', 'PUSH1', 0, 'PUSH1', 0, 'RETURNDATACOPY', 'RETURNDATASIZE', 'PUSH1', 0, 'REVERT',
  ];
  const labels = {};
  let pc = 0;
  for (const x of prog) {
    if (typeof x === 'string' && x[0] === ':') labels[x.slice(1)] = pc;
    else pc += 1;
  }
  const bytes = [];
  for (const x of prog) {
    if (typeof x === 'number') bytes.push(x);
    else if (x[0] === '@') bytes.push(labels[x.slice(1)]);
    else if (x[0] !== ':') bytes.push(op[x]);
  }
  const rt = Buffer.from(bytes);
  const init = Buffer.from([0x60, rt.length, 0x60, 0x0c, 0x60, 0, 0x39, 0x60, rt.length, 0x60, 0, 0xf3]);
  return '0x' + Buffer.concat([init, rt]).toString('hex');
}

const waitReceipt = (hash, what) => receiptOf(provider, hash, what); // lib/net.js: bounded, by hand

async function main() {
  const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
  const admin = (await rpc('eth_accounts'))[0];
  const signer = (a) => new ethers.JsonRpcSigner(provider, a);
  const send = async (what, from, to, data) => {
    let hash;
    try {
      hash = await rpc('eth_sendTransaction', [{ from, to, data, gas: '0x' + (3000000).toString(16) }]);
    } catch (e) {
      throw new Error(`${what}: ${e.shortMessage || e.message}`);
    }
    try {
      return await waitReceipt(hash, what);
    } catch (e) { // say why: replay it as a call
      const why = await rpc('eth_call', [{ from, to, data, gas: '0x' + (3000000).toString(16) }, 'latest'])
        .then(() => 'no revert on replay', (x) => x.shortMessage || x.message);
      throw new Error(`${e.message}: ${why}`);
    }
  };
  const pool = new ethers.Interface(POOL), erc = new ethers.Interface(ERC20), vd = new ethers.Interface(VDEBT);
  const oracle = new ethers.Contract(sc.oracle, ORACLE, provider);
  const R = sc.reserves;
  const price = {};
  for (const s of Object.keys(R)) price[s] = await oracle.getAssetPrice(R[s].asset); // 8 decimals
  // value-preserving amount of `to` for `amt` (raw units) of `from`, at the oracle's prices
  const conv = (from, amt, to) => (amt * price[from] * 10n ** BigInt(R[to].decimals)) /
    (price[to] * 10n ** BigInt(R[from].decimals));
  const premiumBps = BigInt(await new ethers.Contract(sc.pool, POOL, provider).FLASHLOAN_PREMIUM_TOTAL());

  // flash loans are off by default in 3.0.2: the pool admin turns them on
  const prov = new ethers.Contract(await new ethers.Contract(sc.pool, POOL, provider).ADDRESSES_PROVIDER(),
    ['function getPoolConfigurator() view returns (address)'], provider);
  const cfgAddr = await prov.getPoolConfigurator();
  const cfg = new ethers.Interface(['function setReserveFlashLoaning(address asset, bool enabled)']);
  for (const s of ['USDC', 'DAI', 'WETH'])
    await send(`flash loans ${s}`, admin, cfgAddr, cfg.encodeFunctionData('setReserveFlashLoaning', [R[s].asset, true]));
  // executor
  const dh = await rpc('eth_sendTransaction', [{ from: admin, data: assemble(), gas: '0x100000' }]);
  const exec = (await waitReceipt(dh, 'deploy executor')).contractAddress;
  const script = (calls) => ethers.concat(calls.map(([to, data]) =>
    ethers.concat([to, ethers.zeroPadValue(ethers.toBeHex(ethers.dataLength(data)), 32), data])));
  const runAs = (what, from, calls) => send(what, from, exec, ethers.concat(['0x12345678',
    ethers.AbiCoder.defaultAbiCoder().encode(['address', 'uint256', 'uint256', 'address', 'bytes'],
      [ethers.ZeroAddress, 0, 0, from, script(calls)])]));

  // fresh accounts (impersonated), funded with ETH for gas
  const expected = {};
  let next = 1;
  const newAccount = async (rounds = 0, kind = {}) => {
    const a = ethers.getAddress('0x10000000000000000000000000000000000000' + (next++).toString(16).padStart(2, '0'));
    await rpc('anvil_impersonateAccount', [a]);
    await rpc('anvil_setBalance', [a, '0x3635C9ADC5DEA00000']);
    for (const s of Object.keys(R)) await send(`approve ${s}`, a, R[s].asset, erc.encodeFunctionData('approve', [sc.pool, MAX]));
    expected[a] = { rounds, correlated: kind.correlated || 0, directional: kind.directional || 0,
      flash: kind.flash || 0, built: kind.built === undefined ? rounds : kind.built };
    return a;
  };
  const mint = (a, s, amt) => send(`mint ${s}`, admin, R[s].asset, erc.encodeFunctionData('mint(address,uint256)', [a, amt]));
  const supply = async (a, s, amt) => { await mint(a, s, amt); return send(`supply ${s}`, a, sc.pool, pool.encodeFunctionData('supply', [R[s].asset, amt, a, 0])); };
  const resupply = (a, s, amt) => send(`resupply ${s}`, a, sc.pool, pool.encodeFunctionData('supply', [R[s].asset, amt, a, 0]));
  const borrow = (a, s, amt) => send(`borrow ${s}`, a, sc.pool, pool.encodeFunctionData('borrow', [R[s].asset, amt, 2, 0, a]));
  const repay = (a, s, amt) => send(`repay ${s}`, a, sc.pool, pool.encodeFunctionData('repay', [R[s].asset, amt, 2, a]));
  const withdraw = (a, s, amt) => send(`withdraw ${s}`, a, sc.pool, pool.encodeFunctionData('withdraw', [R[s].asset, amt, a]));
  // mock swapper: amt of `from` goes to the sink, the oracle value of `to` is minted
  const swap = async (a, from, amt, to) => {
    await send(`swap out ${from}`, a, R[from].asset, erc.encodeFunctionData('transfer', [SINK, amt]));
    const out = conv(from, amt, to);
    await mint(a, to, out);
    return out;
  };
  const mine = (n) => rpc('anvil_mine', ['0x' + n.toString(16)]);

  // L1: directional, 3 rounds over blocks: USDC debt → WETH collateral
  {
    const a = await newAccount(3, { directional: 3 });
    let coll = U(10, 18);
    await supply(a, 'WETH', coll);
    for (let r = 0; r < 3; r++) {
      const b = conv('WETH', coll, 'USDC') * 6n / 10n;
      await borrow(a, 'USDC', b);
      coll = await swap(a, 'USDC', b, 'WETH');
      await resupply(a, 'WETH', coll);
    }
  }
  // L2: correlated stablecoins, 2 rounds: USDC debt → DAI collateral
  {
    const a = await newAccount(2, { correlated: 2 });
    let coll = U(10000, 18);
    await supply(a, 'DAI', coll);
    for (let r = 0; r < 2; r++) {
      const b = conv('DAI', coll, 'USDC') * 7n / 10n;
      await borrow(a, 'USDC', b);
      coll = await swap(a, 'USDC', b, 'DAI');
      await resupply(a, 'DAI', coll);
    }
  }
  // L3: flash-loan loops through a contract acting for the account (twice): flashLoanSimple
  // USDC → swap → supply WETH on behalf (own capital + proceeds) → borrow USDC on behalf to
  // repay the flash loan. Log order: Supply, Borrow, FlashLoan.
  {
    const a = await newAccount(2, { directional: 2, flash: 2 });
    await send('delegate', a, R.USDC.variableDebtToken, vd.encodeFunctionData('approveDelegation', [exec, MAX]));
    await send('approve exec', a, R.WETH.asset, erc.encodeFunctionData('approve', [exec, MAX]));
    for (const [own, f] of [[U(5, 18), U(7500, 6)], [0n, U(3000, 6)]]) {
      if (own) await mint(a, 'WETH', own);
      const out = conv('USDC', f, 'WETH');
      const prem = (f * premiumBps + 9999n) / 10000n;
      const calls = [
        [R.USDC.asset, erc.encodeFunctionData('transfer', [SINK, f])],
        [R.WETH.asset, erc.encodeFunctionData('mint(uint256)', [out])],
        [R.WETH.asset, erc.encodeFunctionData('approve', [sc.pool, MAX])],
        [R.USDC.asset, erc.encodeFunctionData('approve', [sc.pool, MAX])],
      ];
      if (own) calls.push([R.WETH.asset, erc.encodeFunctionData('transferFrom', [a, exec, own])]);
      calls.push([sc.pool, pool.encodeFunctionData('supply', [R.WETH.asset, own + out, a, 0])]);
      calls.push([sc.pool, pool.encodeFunctionData('borrow', [R.USDC.asset, f + prem, 2, 0, a])]);
      await send('flashLoanSimple loop', a, sc.pool, pool.encodeFunctionData('flashLoanSimple',
        [exec, R.USDC.asset, f, script(calls), 0]));
    }
  }
  // L4: Aave's own mode-2 flash loan: the debt stays open on the account (Borrow after the
  // callback's Supply), correlated: USDC debt → DAI collateral
  {
    const a = await newAccount(1, { correlated: 1, flash: 1 });
    await send('approve exec', a, R.DAI.asset, erc.encodeFunctionData('approve', [exec, MAX]));
    const own = U(4000, 18), f = U(8000, 6);
    await mint(a, 'DAI', own);
    const out = conv('USDC', f, 'DAI');
    const calls = [
      [R.USDC.asset, erc.encodeFunctionData('transfer', [SINK, f])],
      [R.DAI.asset, erc.encodeFunctionData('mint(uint256)', [out])],
      [R.DAI.asset, erc.encodeFunctionData('transferFrom', [a, exec, own])],
      [R.DAI.asset, erc.encodeFunctionData('approve', [sc.pool, MAX])],
      [sc.pool, pool.encodeFunctionData('supply', [R.DAI.asset, own + out, a, 0])],
    ];
    await send('flashLoan mode 2 loop', a, sc.pool, pool.encodeFunctionData('flashLoan',
      [exec, [R.USDC.asset], [f], [2], a, script(calls), 0]));
  }
  // L5: two rounds inside one contract call (borrow → supply, borrow → supply), correlated WETH
  {
    const a = await newAccount(2, { correlated: 2 });
    await supply(a, 'WETH', U(10, 18));
    await send('delegate', a, R.WETH.variableDebtToken, vd.encodeFunctionData('approveDelegation', [exec, MAX]));
    const b1 = U(6, 18), b2 = U(4, 18);
    await runAs('two rounds in one call', a, [
      [R.WETH.asset, erc.encodeFunctionData('approve', [sc.pool, MAX])],
      [sc.pool, pool.encodeFunctionData('borrow', [R.WETH.asset, b1, 2, 0, a])],
      [sc.pool, pool.encodeFunctionData('supply', [R.WETH.asset, b1, a, 0])],
      [sc.pool, pool.encodeFunctionData('borrow', [R.WETH.asset, b2, 2, 0, a])],
      [sc.pool, pool.encodeFunctionData('supply', [R.WETH.asset, b2, a, 0])],
    ]);
  }
  // L6: 2 rounds, then the last round's collateral withdrawn: 1 open round (built 2)
  {
    const a = await newAccount(1, { directional: 1, built: 2 });
    let coll = U(10, 18);
    await supply(a, 'WETH', coll);
    for (let r = 0; r < 2; r++) {
      const b = conv('WETH', coll, 'USDC') / 2n;
      await borrow(a, 'USDC', b);
      coll = await swap(a, 'USDC', b, 'WETH');
      await resupply(a, 'WETH', coll);
    }
    await mine(5);
    await withdraw(a, 'WETH', coll);
  }
  // L7: 2 rounds, then every debt repaid: looped once, not now (built 2, 0 open)
  {
    const a = await newAccount(0, { built: 2 });
    let coll = U(10000, 18);
    await supply(a, 'DAI', coll);
    for (let r = 0; r < 2; r++) {
      const b = conv('DAI', coll, 'USDC') / 2n;
      await borrow(a, 'USDC', b);
      coll = await swap(a, 'USDC', b, 'DAI');
      await resupply(a, 'DAI', coll);
    }
    await mine(3);
    await mint(a, 'USDC', U(20000, 6));
    await repay(a, 'USDC', MAX);
  }
  // ---- noise: never looped ----
  // N1: borrow, repay, then a supply of the borrowed value
  {
    const a = await newAccount(0, { built: 0 });
    await supply(a, 'WETH', U(10, 18));
    await borrow(a, 'USDC', U(5000, 6));
    await repay(a, 'USDC', U(5000, 6));
    await supply(a, 'WETH', conv('USDC', U(5000, 6), 'WETH'));
  }
  // N2: deposit and borrow in one transaction through the contract, no flash loan
  {
    const a = await newAccount(0, { built: 0 });
    await send('delegate', a, R.USDC.variableDebtToken, vd.encodeFunctionData('approveDelegation', [exec, MAX]));
    await send('approve exec', a, R.WETH.asset, erc.encodeFunctionData('approve', [exec, MAX]));
    await mint(a, 'WETH', U(10, 18));
    await runAs('deposit and borrow', a, [
      [R.WETH.asset, erc.encodeFunctionData('transferFrom', [a, exec, U(10, 18)])],
      [R.WETH.asset, erc.encodeFunctionData('approve', [sc.pool, MAX])],
      [sc.pool, pool.encodeFunctionData('supply', [R.WETH.asset, U(10, 18), a, 0])],
      [sc.pool, pool.encodeFunctionData('borrow', [R.USDC.asset, U(6000, 6), 2, 0, a])],
    ]);
  }
  // N3: a supply of the borrowed value long after the borrow (outside the window)
  const n3 = await newAccount(0, { built: 0 });
  await supply(n3, 'DAI', U(10000, 18));
  await borrow(n3, 'USDC', U(3000, 6));
  // N4: a supply twenty times the borrow, right after it (fresh capital)
  {
    const a = await newAccount(0, { built: 0 });
    await supply(a, 'DAI', U(5000, 18));
    await borrow(a, 'USDC', U(1000, 6));
    await supply(a, 'WETH', conv('USDC', U(20000, 6), 'WETH'));
  }
  // N5: borrow/repay cycles
  {
    const a = await newAccount(0, { built: 0 });
    await supply(a, 'DAI', U(10000, 18));
    for (let r = 0; r < 3; r++) {
      await borrow(a, 'USDC', U(2000, 6));
      await repay(a, 'USDC', U(2000, 6));
    }
  }
  await mine(150);
  await supply(n3, 'WETH', conv('USDC', U(3000, 6), 'WETH'));
  await rpc('evm_mine', []);

  // the base scenario's accounts: two loops (WETH, 5 rounds; e-mode DAI, 4 rounds), no other
  for (const a of sc.accounts) {
    const k = ethers.getAddress(a);
    if (expected[k]) continue;
    const r = k === ethers.getAddress(sc.looped_account) ? 5 : k === ethers.getAddress(sc.emode_looped_account) ? 4 : 0;
    expected[k] = { rounds: r, correlated: r, directional: 0, flash: 0, built: r };
  }
  const head = Number(await rpc('eth_blockNumber'));
  fs.writeFileSync(path.join(stateDir, 'loops.json'), JSON.stringify({ head_block: head, accounts: expected }, null, 2) + '\n');
}

main().catch((e) => { console.error('loops: ' + (e.stack || e.message)); process.exit(1); });
