// morpho_build.js: compiles Morpho Blue 1.0 (npm @morpho-org/morpho-blue: Morpho.sol and the
// mocks in src/mocks) and lendex's small test contracts (morpho_lens.sol) with npm solc 0.8.19,
// Morpho.sol via-IR with 999999 optimizer runs as its mainnet deployment was.
// The output is cached under the build folder, keyed by a hash of every source and setting:
// a second run reads the cache (compiling via-IR takes tens of seconds).
//
// usage (library): require('./morpho_build').build() -> { Name: { abi, bytecode } }
//        (cli):    node morpho_build.js [ABI_OUT.json]   writes Morpho's ABI when asked
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const PKG = path.join(__dirname, 'node_modules/@morpho-org/morpho-blue/src');
const ROOT = path.join(__dirname, '../..');
const CACHE = process.env.LX_MORPHO_CACHE || path.join(ROOT, 'build', 'morpho-solc');

function sources() {
  const out = {};
  (function walk(dir, rel) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const r = rel ? rel + '/' + e.name : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (e.name.endsWith('.sol')) out['src/' + r] = { content: fs.readFileSync(p, 'utf8') };
    }
  })(PKG, '');
  out['lens/MorphoLens.sol'] = { content: fs.readFileSync(path.join(__dirname, 'morpho_lens.sol'), 'utf8') };
  return out;
}

function settings(viaIR) {
  return {
    optimizer: { enabled: true, runs: viaIR ? 999999 : 200 },
    viaIR,
    evmVersion: 'paris',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  };
}

function compile(srcs, viaIR, only) {
  const solc = require('solc');
  const input = { language: 'Solidity', sources: {}, settings: settings(viaIR) };
  // every file is needed for imports; only the named ones are selected for output
  input.sources = srcs;
  input.settings.outputSelection = {};
  for (const f of only) input.settings.outputSelection[f] = { '*': ['abi', 'evm.bytecode.object'] };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errs = (out.errors || []).filter((e) => e.severity === 'error');
  if (errs.length) throw new Error('solc: ' + errs.map((e) => e.formattedMessage).join('\n'));
  const res = {};
  for (const f of Object.keys(out.contracts || {}))
    for (const [name, c] of Object.entries(out.contracts[f]))
      res[name] = { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
  return res;
}

const VIA_IR = ['src/Morpho.sol'];
const PLAIN = ['src/mocks/ERC20Mock.sol', 'src/mocks/OracleMock.sol', 'src/mocks/IrmMock.sol',
  'src/mocks/FlashBorrowerMock.sol', 'src/libraries/EventsLib.sol', 'lens/MorphoLens.sol'];

function build() {
  const srcs = sources();
  const h = crypto.createHash('sha256');
  h.update(require('solc/package.json').version);
  for (const k of Object.keys(srcs).sort()) h.update(k + '\0' + srcs[k].content + '\0');
  h.update(JSON.stringify([settings(true), settings(false), VIA_IR, PLAIN]));
  const key = h.digest('hex').slice(0, 16);
  const file = path.join(CACHE, `morpho-${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const res = Object.assign(compile(srcs, true, VIA_IR), compile(srcs, false, PLAIN));
  fs.mkdirSync(CACHE, { recursive: true });
  // a temporary name of this process's own: two suites compiling at once (plain and ASan builds
  // share this cache) must not write into one file
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(res));
  fs.renameSync(tmp, file);
  return res;
}

module.exports = { build };

if (require.main === module) {
  const t0 = Date.now();
  const res = build();
  console.error(`morpho_build: ${Object.keys(res).length} contracts in ${Date.now() - t0} ms`);
  // solc 0.8.19 leaves events emitted through a library (EventsLib) out of the contract's ABI:
  // the published ABI is Morpho's functions plus EventsLib's events
  if (process.argv[2])
    fs.writeFileSync(process.argv[2],
      JSON.stringify(res.Morpho.abi.concat(res.EventsLib.abi.filter((x) => x.type === 'event')), null, 1) + '\n');
}
