// gen_u256_vectors.js: writes fixtures/u256/vectors.txt, the reference results that
// tests/unit/test_u256.c checks lendex's u256 and Aave fixed-point math against.
//
// The reference is computed here, independently, with BigInt: plain arithmetic with Solidity
// 0.8's reverts, and Aave V3's WadRayMath/PercentageMath (v3.0.2, @aave/core-v3 1.19.3)
// transcribed from their assembly, guard conditions in the libraries' own division form. "ERR"
// marks a revert. Deterministic: a fixed-seed xorshift64 PRNG, no npm packages.
//
// Line formats (all numbers 0x-hex unless noted):
//   <op> a b [c] <result|ERR>     add sub mul div mod muldiv raymul raydiv wadmul waddiv
//                                 pctmul pctdiv raytowad wadtoray (one operand for the last two)
//   shl|shr a n <result>          n decimal
//   dec a <decimal>               lx_u256_to_dec
//   fixed a d <text>              lx_u256_to_fixed with d decimals (d decimal)
//   double a <bits>               lx_u256_to_double, IEEE-754 bits as 0x + 16 hex digits
//   parse <text> <result|ERR>     lx_u256_parse of decimal or hex text; ERR is LX_EOVERFLOW
//
// usage: node scripts/gen_u256_vectors.js > fixtures/u256/vectors.txt
'use strict';

const M = (1n << 256n) - 1n;
const U64 = (1n << 64n) - 1n;

let seed = 0x2545f4914f6cdd1dn;
function rnd64() {
  seed ^= (seed << 13n) & U64;
  seed ^= seed >> 7n;
  seed ^= (seed << 17n) & U64;
  return seed;
}
function below(n) { return Number(rnd64() % BigInt(n)); }
function pick(arr) { return arr[below(arr.length)]; }
function rnd(bits) {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 64n) | rnd64();
  return v & ((1n << BigInt(bits)) - 1n);
}

const RAY = 10n ** 27n, WAD = 10n ** 18n, PCT = 10000n, RATIO = 10n ** 9n;
const HALF_RAY = RAY / 2n, HALF_WAD = WAD / 2n, HALF_PCT = PCT / 2n;

const edges = [0n, 1n, 2n, 3n, 5000n, 9999n, 10000n, 10001n, RATIO, RATIO / 2n, WAD, HALF_WAD,
  RAY, HALF_RAY, U64, 1n << 63n, 1n << 64n, (1n << 128n) - 1n, 1n << 128n, (1n << 192n) - 1n,
  1n << 255n, M / RAY, M / WAD, M - 1n, M];
const widths = [1, 8, 14, 32, 63, 64, 65, 90, 96, 100, 127, 128, 129, 160, 192, 200, 230, 255,
  256];
// limbs that make long division work hard: all ones, top bit alone, a borrow in waiting
const limbEdges = [0n, 1n, 2n, (1n << 63n) - 1n, 1n << 63n, U64 - 1n, U64];

function operand() {
  const r = below(10);
  if (r < 2) return pick(edges);
  if (r < 4) return structured(1 + below(4));
  return rnd(pick(widths));
}
function structured(nlimbs) {
  let v = 0n;
  for (let i = 0; i < nlimbs; i++) v = (v << 64n) | (below(3) ? pick(limbEdges) : rnd64());
  return v;
}

// Solidity 0.8 checked arithmetic
const sol = {
  add: (a, b) => (a + b > M ? null : a + b),
  sub: (a, b) => (a < b ? null : a - b),
  mul: (a, b) => (a * b > M ? null : a * b),
  div: (a, b) => (b === 0n ? null : a / b),
  mod: (a, b) => (b === 0n ? null : a % b),
  muldiv: (a, b, c) => (c === 0n || (a * b) / c > M ? null : (a * b) / c),
};

// WadRayMath.sol / PercentageMath.sol, v3.0.2, guard by guard
const aave = {
  // if iszero(or(iszero(b), iszero(gt(a, div(sub(not(0), HALF_WAD), b))))) { revert }
  wadmul: (a, b) => (!(b === 0n || !(a > (M - HALF_WAD) / b)) ? null : (a * b + HALF_WAD) / WAD),
  // if or(iszero(b), iszero(iszero(gt(a, div(sub(not(0), div(b, 2)), WAD))))) { revert }
  waddiv: (a, b) => (b === 0n || a > (M - b / 2n) / WAD ? null : (a * WAD + b / 2n) / b),
  raymul: (a, b) => (!(b === 0n || !(a > (M - HALF_RAY) / b)) ? null : (a * b + HALF_RAY) / RAY),
  raydiv: (a, b) => (b === 0n || a > (M - b / 2n) / RAY ? null : (a * RAY + b / 2n) / b),
  // b := div(a, RATIO); if iszero(lt(mod(a, RATIO), div(RATIO, 2))) { b := add(b, 1) }
  raytowad: (a) => a / RATIO + (a % RATIO < RATIO / 2n ? 0n : 1n),
  // b := mul(a, RATIO) (wrapping); if iszero(eq(div(b, RATIO), a)) { revert }
  wadtoray: (a) => (((a * RATIO) & M) / RATIO !== a ? null : a * RATIO),
  pctmul: (v, p) =>
    (!(p === 0n || !(v > (M - HALF_PCT) / p)) ? null : (v * p + HALF_PCT) / PCT),
  pctdiv: (v, p) => (p === 0n || v > (M - p / 2n) / PCT ? null : (v * PCT + p / 2n) / p),
};

const hex = (v) => '0x' + v.toString(16);
const out = [];
function emit(op, args, r) {
  out.push([op, ...args.map(hex), r === null ? 'ERR' : hex(r)].join(' '));
}

// 1. random operands of varied widths and shapes
const arity = { muldiv: 3, raytowad: 1, wadtoray: 1 };
const fns = Object.assign({}, sol, aave);
for (const [name, f] of Object.entries(fns)) {
  const n = arity[name] || 2;
  const count = ['div', 'mod', 'muldiv'].includes(name) ? 500 : 250;
  for (let i = 0; i < count; i++) {
    let args = [operand(), operand(), operand()].slice(0, n);
    // long division with divisors of every limb count and quotients of every size
    if (['div', 'mod'].includes(name) && i % 2)
      args = [structured(1 + below(4)), structured(1 + below(4))];
    if (name === 'muldiv' && i % 2)
      args = [structured(1 + below(4)), structured(1 + below(4)), structured(1 + below(4))];
    // realistic magnitudes so most fixed-point results are not ERR
    if (name in aave && name !== 'raytowad' && i % 2) {
      if (name.startsWith('pct')) args = [rnd(pick([64, 100, 128, 200])), BigInt(below(20001))];
      else args = [rnd(pick([60, 90, 100, 128, 160])), rnd(pick([1, 30, 60, 90, 100])) + 1n];
      args = args.slice(0, n);
    }
    emit(name, args, f(...args));
  }
}

// 2. guard boundaries: the largest first operand that succeeds, and the next one
const mulGuards = { wadmul: HALF_WAD, raymul: HALF_RAY, pctmul: HALF_PCT };
const divUnits = { waddiv: WAD, raydiv: RAY, pctdiv: PCT };
for (let i = 0; i < 40; i++) {
  const b = i < 8 ? pick([1n, 2n, 3n, WAD, RAY, PCT, M, 1n << 128n]) : operand() || 1n;
  for (const [name, half] of Object.entries(mulGuards)) {
    const lim = (M - half) / b;
    emit(name, [lim, b], aave[name](lim, b));
    if (lim < M) emit(name, [lim + 1n, b], aave[name](lim + 1n, b));
  }
  for (const [name, unit] of Object.entries(divUnits)) {
    const lim = (M - b / 2n) / unit;
    emit(name, [lim, b], aave[name](lim, b));
    emit(name, [lim + 1n, b], aave[name](lim + 1n, b));
  }
}
for (const a of [M / RATIO, M / RATIO + 1n, M / RATIO - 1n])
  emit('wadtoray', [a], aave.wadtoray(a));
for (const [a, b] of [[M, 1n], [M, M], [1n << 255n, 2n], [(1n << 255n) - 1n, 2n], [M, 0n]]) {
  emit('add', [a, b], sol.add(a, b));
  emit('mul', [a, b], sol.mul(a, b));
}
// muldiv at the 2^256 quotient boundary
for (let i = 0; i < 30; i++) {
  const d = operand() || 1n;
  const a = structured(4) | 1n;
  const b = ((M + 1n) * d) / a; // a*b/d close to 2^256
  for (const bb of [b - 1n, b, b + 1n])
    if (bb >= 0n && bb <= M) emit('muldiv', [a, bb, d], sol.muldiv(a, bb, d));
}

// 3. exact half-up ties (x.5 rounds up) and their neighbours (x.5 minus one unit rounds down)
function inverse(b, m) { // b^-1 mod m for gcd(b, m) = 1
  let [r0, r1, s0, s1] = [m, b % m, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}
const mulUnits = { wadmul: [WAD, HALF_WAD], raymul: [RAY, HALF_RAY], pctmul: [PCT, HALF_PCT] };
for (let i = 0; i < 20; i++) {
  for (const [name, [unit, half]] of Object.entries(mulUnits)) {
    let b = rnd(pick([8, 40, 90])) | 1n; // odd, and not a multiple of 5: invertible mod 10^k
    if (b % 5n === 0n) b += 2n;
    const base = (half * inverse(b, unit)) % unit; // a*b = half (mod unit)
    const a = base + unit * rnd(pick([1, 20, 60]));
    emit(name, [a, b], aave[name](a, b)); // tie
    const below1 = ((half - 1n) * inverse(b, unit)) % unit + unit * rnd(8);
    emit(name, [below1, b], aave[name](below1, b)); // just below the tie
  }
  for (const [name, unit] of Object.entries(divUnits)) {
    const m = 2n * rnd(pick([8, 30, 60])) + 1n, t = rnd(pick([8, 30, 60])) + 1n;
    const a = m * t, b = 2n * t * unit; // a*unit/b = m/2 exactly
    emit(name, [a, b], aave[name](a, b));
    emit(name, [a, b + 1n], aave[name](a, b + 1n));
  }
  const w = rnd(pick([30, 100, 200])) * RATIO;
  emit('raytowad', [w + RATIO / 2n], aave.raytowad(w + RATIO / 2n));
  emit('raytowad', [w + RATIO / 2n - 1n], aave.raytowad(w + RATIO / 2n - 1n));
}

// 4. shifts
for (let i = 0; i < 150; i++) {
  const a = operand();
  const n = i < 20 ? [0, 1, 63, 64, 65, 127, 128, 191, 192, 255, 256, 257, 300, 1000][i % 14]
    : below(270);
  out.push(['shl', hex(a), String(n), hex(n >= 256 ? 0n : (a << BigInt(n)) & M)].join(' '));
  out.push(['shr', hex(a), String(n), hex(n >= 256 ? 0n : a >> BigInt(n))].join(' '));
}

// 5. printing: decimal, fixed point, nearest double
function fixed(a, d) {
  if (d === 0) return a.toString();
  const s = a.toString().padStart(d + 1, '0');
  const ip = s.slice(0, s.length - d), fp = s.slice(s.length - d).replace(/0+$/, '');
  return fp ? ip + '.' + fp : ip;
}
function doubleBits(a) {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Number(a)); // Number(BigInt) rounds to nearest, ties to even
  return '0x' + dv.getBigUint64(0).toString(16).padStart(16, '0');
}
for (let i = 0; i < 300; i++) {
  const a = i % 3 ? operand() : structured(1 + below(4));
  out.push(['dec', hex(a), a.toString()].join(' '));
  const d = pick([0, 1, 6, 8, 18, 27, 77, 78, 90]);
  out.push(['fixed', hex(a), String(d), fixed(a, d)].join(' '));
  out.push(['double', hex(a), doubleBits(a)].join(' '));
}
// doubles exactly halfway between two neighbours, both parities, and just off the tie
for (let i = 0; i < 60; i++) {
  const sh = BigInt(1 + below(200));
  const mant = (1n << 52n) | rnd(52);
  for (const extra of [0n, 1n, -1n]) {
    const a = ((2n * mant + 1n) << sh) + extra; // (mant + 0.5) * 2^(sh+1), +-1
    out.push(['double', hex(a), doubleBits(a)].join(' '));
  }
}

// 6. parsing: decimal and hex, leading zeros, upper case, at and past 2^256
for (let i = 0; i < 300; i++) {
  let a = operand();
  let over = false;
  if (i % 5 === 0) { a = M + 1n + rnd(pick([1, 8, 64, 256])); over = true; }
  const zeros = '0'.repeat(pick([0, 0, 0, 1, 5, 70]));
  let text;
  if (i % 2) text = zeros + a.toString();
  else {
    text = a.toString(16);
    if (i % 4 === 0) text = text.toUpperCase();
    text = (i % 8 === 0 ? '0X' : '0x') + zeros + text;
  }
  out.push(['parse', text, over ? 'ERR' : hex(a)].join(' '));
}
for (const t of [M.toString(), (M + 1n).toString(), '0x' + M.toString(16),
  '0x1' + '0'.repeat(64), '0x' + '0'.repeat(100) + 'f'.repeat(64), '0'.repeat(200) + '1',
  (M + 1n) * 10n + '', M.toString() + '0'])
  out.push(['parse', t, BigInt(t.replace(/^0X/, '0x')) > M ? 'ERR' : hex(BigInt(t))].join(' '));

process.stdout.write(out.join('\n') + '\n');
