// gen_u256_vectors.js: writes fixtures/u256/vectors.txt, reference results for lendex's u256
// and Aave fixed-point math computed independently with BigInt (Solidity 0.8 semantics:
// "ERR" where the contract would revert). Deterministic: fixed-seed xorshift PRNG.
// usage: node scripts/gen_u256_vectors.js > fixtures/u256/vectors.txt
'use strict';
const M = (1n << 256n) - 1n;
let s = 0x2545f4914f6cdd1dn;
function rnd64() { s ^= (s << 13n) & 0xffffffffffffffffn; s ^= s >> 7n; s ^= (s << 17n) & 0xffffffffffffffffn; return s; }
function rnd(bits) { let v = 0n; for (let i = 0; i < 4; i++) v = (v << 64n) | rnd64(); return v & ((1n << BigInt(bits)) - 1n); }
const edges = [0n, 1n, 2n, 5000n, 10000n, 10n ** 18n, 10n ** 27n, 5n * 10n ** 26n, (1n << 64n) - 1n, 1n << 64n, (1n << 128n) - 1n, 1n << 128n, M - 1n, M];
function operand() { const r = Number(rnd64() % 10n); if (r < 2) return edges[Number(rnd64() % BigInt(edges.length))]; const bits = [8, 32, 64, 65, 96, 127, 128, 160, 192, 200, 255, 256][Number(rnd64() % 12n)]; return rnd(bits); }
const RAY = 10n ** 27n, WAD = 10n ** 18n, PCT = 10000n;
const mulHalf = (a, b, unit, half) => (b !== 0n && a > (M - half) / b) ? null : (a * b + half) / unit;
const divHalf = (a, b, unit) => (b === 0n || a > (M - b / 2n) / unit) ? null : (a * unit + b / 2n) / b;
const ops = {
  add: (a, b) => a + b > M ? null : a + b,
  sub: (a, b) => a < b ? null : a - b,
  mul: (a, b) => a * b > M ? null : a * b,
  div: (a, b) => b === 0n ? null : a / b,
  mod: (a, b) => b === 0n ? null : a % b,
  muldiv: (a, b, c) => c === 0n ? null : ((a * b / c) > M ? null : a * b / c),
  raymul: (a, b) => mulHalf(a, b, RAY, RAY / 2n),
  raydiv: (a, b) => divHalf(a, b, RAY),
  wadmul: (a, b) => mulHalf(a, b, WAD, WAD / 2n),
  waddiv: (a, b) => divHalf(a, b, WAD),
  pctmul: (a, b) => mulHalf(a, b, PCT, PCT / 2n),
  pctdiv: (a, b) => divHalf(a, b, PCT),
  raytowad: (a) => a / 10n ** 9n + ((a % 10n ** 9n) >= 5n * 10n ** 8n ? 1n : 0n),
  wadtoray: (a) => a * 10n ** 9n > M ? null : a * 10n ** 9n,
};
const arity = { muldiv: 3, raytowad: 1, wadtoray: 1 };
const hex = (v) => '0x' + v.toString(16);
const out = [];
for (const [name, f] of Object.entries(ops)) {
  const n = arity[name] || 2;
  for (let i = 0; i < 300; i++) {
    let args = [operand(), operand(), operand()].slice(0, n);
    // bias the fixed-point ops towards realistic magnitudes so most results are not ERR
    if (['raymul', 'raydiv', 'wadmul', 'waddiv', 'pctmul', 'pctdiv'].includes(name) && i % 2) args = [rnd(100), rnd(90) + 1n];
    if (name === 'pctmul' && i % 3 === 0) args = [rnd(120), BigInt(Number(rnd64() % 20000n))];
    const r = f(...args);
    out.push([name, ...args.map(hex), r === null ? 'ERR' : hex(r)].join(' '));
  }
}
process.stdout.write(out.join('\n') + '\n');
