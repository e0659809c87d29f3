// check_exports.js STATEDIR REPORTDIR ROOT: the report's exports against their schemas and the
// chain. (1) liquidations_defillama.json validates against fixtures/defillama/liq.schema.json
// (written from DefiLlama-Adapters 0e65a4b9a2), its chain prefix is DefiLlama's key for the
// chain (or the config name where DefiLlama has none), every collateralAmount is the owner's
// aToken balanceOf on chain, and the CSV holds the same rows. (2) positions_messari.csv has the
// columns of fixtures/messari/position-fields.txt, and its rows are exactly the touched
// accounts' non-zero aToken / variable / stable debt balances on chain at the synced block.
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');

const [stateDir, repDir, root] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json')));
const provider = new ethers.JsonRpcProvider(sc.rpc, undefined, { staticNetwork: true, batchMaxCount: 1 });
const fail = (m) => { console.error('check_exports: ' + m); process.exit(1); };

// a validator for the JSON Schema keywords the fixture uses
function validate(schema, v, at) {
  const t = schema.type;
  const type = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  if (t && t !== type) return `${at}: ${type}, expected ${t}`;
  if (t === 'number' && !Number.isFinite(v)) return `${at}: not a finite number`;
  if (schema.minimum !== undefined && v < schema.minimum) return `${at}: below ${schema.minimum}`;
  if (schema.minLength !== undefined && v.length < schema.minLength) return `${at}: too short`;
  if (schema.pattern && !new RegExp(schema.pattern).test(v)) return `${at}: '${v}' does not match ${schema.pattern}`;
  if (type === 'array' && schema.items)
    for (let i = 0; i < v.length; i++) { const e = validate(schema.items, v[i], `${at}[${i}]`); if (e) return e; }
  if (type === 'object') {
    for (const k of schema.required || []) if (!(k in v)) return `${at}: missing ${k}`;
    for (const [k, x] of Object.entries(v)) {
      if (!(schema.properties || {})[k]) { if (schema.additionalProperties === false) return `${at}: unexpected ${k}`; continue; }
      const e = validate(schema.properties[k], x, `${at}.${k}`);
      if (e) return e;
    }
  }
  return null;
}

async function main() {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'fixtures/defillama/liq.schema.json')));
  const liqs = JSON.parse(fs.readFileSync(path.join(repDir, 'liquidations_defillama.json')));
  const err = validate(schema, liqs, 'liquidations');
  if (err) fail(err);
  if (liqs.length < 3) fail(`only ${liqs.length} liquidation rows`);
  const chain = JSON.parse(fs.readFileSync(path.join(root, 'chains/devnet.json')));
  const key = schema['x-chainKeys'][String(chain.chain_id)] || chain.name;
  const block = JSON.parse(fs.readFileSync(path.join(stateDir, 'synced_block')));
  const bal = (token, who) => new ethers.Contract(token, ['function balanceOf(address) view returns (uint256)'], provider)
    .balanceOf(who, { blockTag: block });
  const byAsset = {};
  for (const r of Object.values(sc.reserves)) byAsset[r.asset.toLowerCase()] = r;
  for (const l of liqs) {
    const [pre, addr] = l.collateral.split(':');
    if (pre !== key) fail(`prefix ${pre}, expected ${key}`);
    if (l.owner !== l.owner.toLowerCase() || addr !== addr.toLowerCase()) fail('addresses not lower case');
    const r = byAsset[addr];
    if (!r) fail(`unknown collateral ${addr}`);
    const b = await bal(r.aToken, l.owner);
    if (String(b) !== l.collateralAmount) fail(`${l.owner} ${addr}: collateralAmount ${l.collateralAmount}, chain ${b}`);
  }
  const csv = fs.readFileSync(path.join(repDir, 'liquidations_defillama.csv'), 'utf8').trim().split('\n');
  if (csv[0] !== 'owner,liqPrice,collateral,collateralAmount' || csv.length !== liqs.length + 1) fail('DefiLlama CSV differs from the JSON');
  for (let i = 0; i < liqs.length; i++) {
    const [o, p, c, a] = csv[i + 1].split(',');
    if (o !== liqs[i].owner || Number(p) !== liqs[i].liqPrice || c !== liqs[i].collateral || a !== liqs[i].collateralAmount)
      fail(`CSV row ${i + 1} differs from the JSON`);
  }

  // Messari positions
  const cols = fs.readFileSync(path.join(root, 'fixtures/messari/position-fields.txt'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/)[0]);
  const rows = fs.readFileSync(path.join(repDir, 'positions_messari.csv'), 'utf8').trim().split('\n');
  if (rows[0] !== cols.join(',')) fail(`Messari header ${rows[0]}, expected ${cols.join(',')}`);
  const got = new Map();
  for (const line of rows.slice(1)) {
    const f = Object.fromEntries(line.split(',').map((v, i) => [cols[i], v]));
    const id = [f.account, f.market, f.side].concat(f.type ? [f.type] : []).concat(['0']).join('-');
    if (f.id !== id) fail(`id ${f.id}, expected ${id}`);
    if (Number(f.blockNumber) !== block) fail(`blockNumber ${f.blockNumber}, synced ${block}`);
    got.set(`${f.account}/${f.asset}/${f.side}/${f.type}`, f);
  }
  let n = 0;
  for (const who of sc.accounts) {
    const a = who.toLowerCase();
    for (const r of Object.values(sc.reserves)) {
      const legs = [['COLLATERAL', '', r.aToken], ['BORROWER', 'VARIABLE', r.variableDebtToken], ['BORROWER', 'STABLE', r.stableDebtToken]];
      for (const [side, type, token] of legs) {
        const b = await bal(token, who);
        const k = `${a}/${r.asset.toLowerCase()}/${side}/${type}`;
        const row = got.get(k);
        if (b === 0n) { if (row) fail(`${k}: listed, chain balance 0`); continue; }
        if (!row) fail(`${k}: chain balance ${b}, not listed`);
        if (row.balance !== String(b)) fail(`${k}: balance ${row.balance}, chain ${b}`);
        if (row.market !== r.aToken.toLowerCase()) fail(`${k}: market ${row.market}, aToken ${r.aToken}`);
        got.delete(k);
        n++;
      }
    }
  }
  // rows of accounts the scenario did not act for (the treasury's fee aTokens): exact too
  const tokenOf = {};
  for (const r of Object.values(sc.reserves))
    tokenOf[r.asset.toLowerCase()] = { COLLATERAL: r.aToken, VARIABLE: r.variableDebtToken, STABLE: r.stableDebtToken };
  for (const [k, row] of got) {
    const t = tokenOf[row.asset];
    if (!t) fail(`${k}: unknown asset`);
    const b = await bal(row.side === 'COLLATERAL' ? t.COLLATERAL : t[row.type], row.account);
    if (row.balance !== String(b)) fail(`${k}: balance ${row.balance}, chain ${b}`);
    n++;
  }
  console.log(`check_exports: ${liqs.length} DefiLlama rows valid and on-chain exact; ${n} Messari positions equal the chain`);
}
main().catch((e) => fail(e.stack || e.message));
