// chains/ against Aave's address book, at the versions package.json pins (installed with the
// devnet's packages): npm @bgd-labs/aave-address-book and its successor under the aave-dao scope,
// @aave-dao/aave-address-book, which also lists Aave V4. For each book:
// - every Aave V3 market it lists on a chain lendex ships is a chains/ deployment with the same
//   Pool, PoolAddressesProvider, oracle, configurator, data provider and ACL manager; every
//   aave-v3-* deployment is a market of the book; every token of a deployment's correlation
//   groups is an underlying the book lists for that market;
// - the shipped Aave V2 deployments agree with it the same way (addresses only: the AMM and Arc
//   V2 markets are deliberately not shipped, docs/chains.md);
// - every Aave V4 Hub, Spoke and Spoke oracle a chains/ deployment names is the book's, and every
//   Hub of the book is named (Spokes added later are discovered from the Hubs' AddSpoke, so a
//   book Spoke missing from chains/ is only listed); a V4 deployment of the book on a shipped
//   chain with none in chains/ fails unless NOT_SHIPPED says why.
// Usage: node address_book.js CHAINS_DIR   (exit 1 with one line per disagreement)
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node address_book.js CHAINS_DIR');
  process.exit(2);
}
const BOOKS = ['@bgd-labs/aave-address-book', '@aave-dao/aave-address-book'];
// Aave V4 deployments of the book lendex does not ship, and why (a new one fails the check)
const NOT_SHIPPED = {
  AaveV4Avalanche: 'its deployed code version is not established; lendex has only v0.5.11 rules',
};
// chains/ role -> address-book key
const ROLES = {
  pool: 'POOL',
  pool_addresses_provider: 'POOL_ADDRESSES_PROVIDER',
  pool_configurator: 'POOL_CONFIGURATOR',
  oracle: 'ORACLE',
  data_provider: 'AAVE_PROTOCOL_DATA_PROVIDER',
  acl_manager: 'ACL_MANAGER',
};
const lc = (a) => String(a).toLowerCase();
const errors = [];
const notes = [];

const shipped = new Map(); // chain id -> [{file, dep}]
for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const c = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  if (c.chain_id === 31337) continue; // the devnet's own deployment
  const list = shipped.get(c.chain_id) || [];
  for (const d of c.deployments || []) list.push({ file: f, dep: d });
  shipped.set(c.chain_id, list);
}

// every role is required of a V3 deployment; a V2 one lists only what its handler reads
function checkV3(tag, marketName, market, entry, required) {
  const { file, dep } = entry;
  for (const [role, key] of Object.entries(ROLES)) {
    if (!(key in market)) continue; // the book has no such role for this market
    const ours = dep.contracts[role];
    if (ours === undefined && !required) continue;
    if (ours === undefined)
      errors.push(`${file}: ${dep.name}: no ${role}, ${tag} ${marketName}.${key} = ${market[key]}`);
    else if (lc(ours) !== lc(market[key]))
      errors.push(`${file}: ${dep.name}: ${role} ${ours}, ${tag} ${marketName}.${key} = ${market[key]}`);
  }
  const under = new Set(Object.values(market.ASSETS || {}).map((a) => lc(a.UNDERLYING)));
  for (const [group, tokens] of Object.entries(dep.groups || {}))
    for (const t of tokens)
      if (!under.has(lc(t)))
        errors.push(`${file}: ${dep.name}: group ${group} token ${t} is not an asset of ${marketName}`);
}

// chains/ names hub:core, spoke:etherfi, oracle:etherfi; the book CORE_HUB, ETHERFI_ESPOKE,
// ETHERFI_ESPOKE_ORACLE (E for the ecosystem Spokes)
function checkV4(tag, marketName, market, entry) {
  const { file, dep } = entry;
  const hubs = market.HUBS || {};
  const spokes = market.SPOKES || {};
  const named = new Set();
  for (const [role, addr] of Object.entries(dep.contracts)) {
    const m = /^(hub|spoke|oracle):(.+)$/.exec(role);
    if (!m) continue;
    const n = m[2].toUpperCase();
    const keys = m[1] === 'hub' ? [[hubs, `${n}_HUB`]]
      : m[1] === 'spoke' ? [[spokes, `${n}_SPOKE`], [spokes, `${n}_ESPOKE`]]
        : [[spokes, `${n}_SPOKE_ORACLE`], [spokes, `${n}_ESPOKE_ORACLE`]];
    const hit = keys.find(([o, k]) => k in o);
    if (!hit) {
      errors.push(`${file}: ${dep.name}: ${role} ${addr} is not in ${tag} ${marketName} (looked for ${keys.map((k) => k[1]).join(', ')})`);
      continue;
    }
    named.add(hit[1]);
    if (lc(addr) !== lc(hit[0][hit[1]]))
      errors.push(`${file}: ${dep.name}: ${role} ${addr}, ${tag} ${marketName}.${hit[1]} = ${hit[0][hit[1]]}`);
  }
  for (const [k, a] of Object.entries(hubs))
    if (!named.has(k)) errors.push(`${file}: ${dep.name}: ${tag} ${marketName}.HUBS.${k} (${a}) is not listed`);
  for (const [k, a] of Object.entries(spokes))
    if (!named.has(k) && !/_ORACLE$/.test(k))
      notes.push(`${dep.name}: ${marketName}.SPOKES.${k} (${a}) not listed; discovered from its Hub's AddSpoke`);
}

const perBook = [];
for (const pkg of BOOKS) {
  const pinned = require('./package.json').dependencies[pkg];
  if (!pinned) continue;
  let installed;
  try {
    installed = JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch (e) {
    errors.push(`${pkg} ${pinned} is pinned but not installed (npm ci in tests/devnet)`);
    continue;
  }
  if (installed !== pinned) errors.push(`${pkg} ${installed} installed, package.json pins ${pinned} (npm ci)`);
  const book = require(pkg);
  const tag = `${pkg}@${installed}`;
  const n = { 2: 0, 3: 0, 4: 0 };
  const matched = new Set();
  for (const [name, market] of Object.entries(book)) {
    const m = /^AaveV([234])[A-Z]/.exec(name);
    if (!m || !market || !shipped.has(market.CHAIN_ID)) continue;
    const v = m[1];
    const list = shipped.get(market.CHAIN_ID);
    if (v === '4') {
      if (!market.HUBS) continue;
      const entry = list.find((e) => e.dep.protocol === 'aave_v4');
      if (!entry) {
        if (NOT_SHIPPED[name]) notes.push(`${name} (chain ${market.CHAIN_ID}) not shipped: ${NOT_SHIPPED[name]}`);
        else errors.push(`${tag} ${name} (chain ${market.CHAIN_ID}) has no aave_v4 deployment in chains/`);
        continue;
      }
      checkV4(tag, name, market, entry);
      n[4]++;
      continue;
    }
    if (!market.POOL) continue;
    const protocol = v === '3' ? 'aave_v3' : 'aave_v2';
    const entry = list.find((e) => e.dep.protocol === protocol && lc(e.dep.contracts.pool) === lc(market.POOL));
    if (!entry) {
      if (protocol === 'aave_v3')
        errors.push(`${tag} ${name} (chain ${market.CHAIN_ID}, pool ${market.POOL}) has no deployment in chains/`);
      continue; // V2 markets not shipped on purpose (AMM, Arc)
    }
    matched.add(entry.dep.name);
    checkV3(tag, name, market, entry, protocol === 'aave_v3');
    n[v]++;
  }
  for (const list of shipped.values())
    for (const { file, dep } of list)
      if (/^aave-v3-/.test(dep.name) && !matched.has(dep.name))
        errors.push(`${file}: ${dep.name}: pool ${dep.contracts.pool} is no Aave V3 market of ${tag}`);
  if (n[3] === 0) errors.push(`no Aave V3 market of ${tag} matched chains/ (wrong CHAINS_DIR?)`);
  perBook.push(`${tag}: ${n[3]} Aave V3, ${n[2]} Aave V2 and ${n[4]} Aave V4 deployments agree`);
}
if (perBook.length === 0) errors.push('no address book pinned in tests/devnet/package.json');
for (const x of notes) console.log(`note: ${x}`);
for (const e of errors) console.error(e);
if (errors.length) process.exit(1);
for (const x of perBook) console.log(x);
