// extract_abi.js: regenerates abi/json/ from the published compiled artifacts in npm
// @aave/core-v3 (installed under tests/devnet/node_modules). Keeps each contract's ABI array
// as published; provenance is the npm package version pinned in tests/devnet/package-lock.json.
// usage: node scripts/extract_abi.js
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const art = path.join(root, 'tests/devnet/node_modules/@aave/core-v3/artifacts/contracts');
const find = (name) => {
  const stack = [art];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name === name + '.json') return p;
    }
  }
  throw new Error('no artifact ' + name);
};
const out = {
  aave_v3: ['Pool', 'AToken', 'VariableDebtToken', 'StableDebtToken', 'PoolConfigurator', 'AaveOracle',
    'PoolAddressesProvider', 'ACLManager', 'AaveProtocolDataProvider'],
  erc20: ['MintableERC20'],
};
for (const [dir, names] of Object.entries(out)) {
  fs.mkdirSync(path.join(root, 'abi/json', dir), { recursive: true });
  for (const n of names) {
    const abi = JSON.parse(fs.readFileSync(find(n))).abi;
    fs.writeFileSync(path.join(root, 'abi/json', dir, n + '.json'), JSON.stringify(abi, null, 1) + '\n');
  }
}
