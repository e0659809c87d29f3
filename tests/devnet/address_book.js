// chains/ against Aave's address book: npm @bgd-labs/aave-address-book at the version pinned in
// package.json (installed with the devnet's packages). Every Aave V3 market the book lists on a
// chain lendex ships must be a chains/ deployment with the same Pool, PoolAddressesProvider,
// oracle, configurator, data provider and ACL manager; every aave-v3-* deployment must be a book
// market; every token of a deployment's correlation groups must be an underlying the book lists
// for that market. The shipped Aave V2 deployments are checked the same way (addresses only:
// the AMM and Arc V2 markets are deliberately not shipped, docs/chains.md).
// Usage: node address_book.js CHAINS_DIR   (exit 1 with one line per disagreement)
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node address_book.js CHAINS_DIR');
  process.exit(2);
}
const pinned = require('./package.json').dependencies['@bgd-labs/aave-address-book'];
const installed = JSON.parse(fs.readFileSync(
  path.join(__dirname, 'node_modules/@bgd-labs/aave-address-book/package.json'), 'utf8')).version;
const book = require('@bgd-labs/aave-address-book');
const errors = [];
if (installed !== pinned)
  errors.push(`address book ${installed} installed, package.json pins ${pinned} (npm ci)`);

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

const shipped = new Map(); // chain id -> [{file, dep}]
for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const c = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  if (c.chain_id === 31337) continue; // the devnet's own deployment
  const list = shipped.get(c.chain_id) || [];
  for (const d of c.deployments || []) list.push({ file: f, dep: d });
  shipped.set(c.chain_id, list);
}

// every role is required of a V3 deployment; a V2 one lists only what its handler reads
function check(marketName, market, entry, required) {
  const { file, dep } = entry;
  for (const [role, key] of Object.entries(ROLES)) {
    if (!(key in market)) continue; // the book has no such role for this market
    const ours = dep.contracts[role];
    if (ours === undefined && !required) continue;
    if (ours === undefined)
      errors.push(`${file}: ${dep.name}: no ${role}, address book ${marketName}.${key} = ${market[key]}`);
    else if (lc(ours) !== lc(market[key]))
      errors.push(`${file}: ${dep.name}: ${role} ${ours}, address book ${marketName}.${key} = ${market[key]}`);
  }
  const under = new Set(Object.values(market.ASSETS || {}).map((a) => lc(a.UNDERLYING)));
  for (const [group, tokens] of Object.entries(dep.groups || {}))
    for (const t of tokens)
      if (!under.has(lc(t)))
        errors.push(`${file}: ${dep.name}: group ${group} token ${t} is not an asset of ${marketName}`);
}

let v3 = 0;
let v2 = 0;
const matched = new Set();
for (const [name, market] of Object.entries(book)) {
  const m = /^AaveV([23])[A-Z]/.exec(name);
  if (!m || !market || !market.POOL || !shipped.has(market.CHAIN_ID)) continue;
  const protocol = m[1] === '3' ? 'aave_v3' : 'aave_v2';
  const entry = shipped.get(market.CHAIN_ID)
    .find((e) => e.dep.protocol === protocol && lc(e.dep.contracts.pool) === lc(market.POOL));
  if (!entry) {
    if (protocol === 'aave_v3')
      errors.push(`address book ${name} (chain ${market.CHAIN_ID}, pool ${market.POOL}) has no deployment in chains/`);
    continue; // V2 markets not shipped on purpose (AMM, Arc)
  }
  matched.add(entry.dep.name);
  check(name, market, entry, protocol === 'aave_v3');
  if (protocol === 'aave_v3') v3++;
  else v2++;
}
for (const list of shipped.values())
  for (const { file, dep } of list)
    if (/^aave-v3-/.test(dep.name) && !matched.has(dep.name))
      errors.push(`${file}: ${dep.name}: pool ${dep.contracts.pool} is no Aave V3 market of the address book ${installed}`);
if (v3 === 0) errors.push('no Aave V3 market of the address book matched chains/ (wrong CHAINS_DIR?)');
for (const e of errors) console.error(e);
if (errors.length) process.exit(1);
console.log(`address book ${installed}: ${v3} Aave V3 and ${v2} Aave V2 markets agree with chains/`);
