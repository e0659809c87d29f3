/*
 * test_u256.c: 256-bit arithmetic and Aave's fixed-point math. Edge cases by hand (limits,
 * wrap-around, shifts, long division's rare add-back step, half-up ties, the exact overflow
 * guard boundaries of every Aave helper, printing, parsing, misuse), plus every line of
 * fixtures/u256/vectors.txt: reference results computed independently with BigInt by
 * scripts/gen_u256_vectors.js, "ERR" where Solidity would revert.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "lendex/u256.h"

static struct lx_u256 P(const char *s)
{
	struct lx_u256 v;
	assert_int_equal(lx_u256_parse(&v, s, strlen(s)), 0);
	return v;
}

static void eq(const struct lx_u256 *v, const char *dec)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	assert_string_equal(b, dec);
}

#define MAXS "115792089237316195423570985008687907853269984665640564039457584007913129639935"

static void test_parse_print(void **s)
{
	(void)s;
	struct lx_u256 v;
	eq((struct lx_u256[]){P("0")}, "0");
	eq((struct lx_u256[]){P(MAXS)}, MAXS);
	assert_int_equal(lx_u256_parse(&v, MAXS "0", strlen(MAXS) + 1), LX_EOVERFLOW);
	const char *max1 = "115792089237316195423570985008687907853269984665640564039457584"
			   "007913129639936"; /* 2^256 */
	assert_int_equal(lx_u256_parse(&v, max1, strlen(max1)), LX_EOVERFLOW);
	assert_int_equal(lx_u256_parse(&v, "0x", 2), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "", 0), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "-1", 2), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, " 1", 2), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "0x1g", 4), LX_EPARSE);
	const char *h64 = "0x1" "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(lx_u256_parse(&v, h64, strlen(h64)), LX_EOVERFLOW);
	v = P("0x00ff");
	eq(&v, "255");
	char b[LX_U256_HEX_MAX];
	lx_u256_to_hex(b, sizeof(b), &v);
	assert_string_equal(b, "0xff");
	v = P("0");
	lx_u256_to_hex(b, sizeof(b), &v);
	assert_string_equal(b, "0x0");
	assert_int_equal(lx_u256_to_dec(b, 2, (struct lx_u256[]){P("100")}), 0);
	char f[100];
	v = P("1500000");
	lx_u256_to_fixed(f, sizeof(f), &v, 6);
	assert_string_equal(f, "1.5");
	v = P("1");
	lx_u256_to_fixed(f, sizeof(f), &v, 6);
	assert_string_equal(f, "0.000001");
	v = P("42000000");
	lx_u256_to_fixed(f, sizeof(f), &v, 6);
	assert_string_equal(f, "42");
	lx_u256_to_fixed(f, sizeof(f), &v, 0);
	assert_string_equal(f, "42000000");
	uint8_t be[32];
	v = P("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
	lx_u256_to_be(be, &v);
	assert_int_equal(be[0], 1);
	assert_int_equal(be[31], 0x20);
	struct lx_u256 w;
	lx_u256_from_be(&w, be);
	assert_true(lx_u256_eq(&v, &w));
	assert_true(lx_u256_to_double(&v) > 4.5e74 && lx_u256_to_double(&v) < 4.6e74);
}

static void test_edges(void **s)
{
	(void)s;
	struct lx_u256 max = P(MAXS), one = P("1"), zero = P("0"), r;
	assert_int_equal(lx_u256_add(&r, &max, &one), LX_EOVERFLOW);
	assert_true(lx_u256_is_zero(&r)); /* wrapped */
	assert_int_equal(lx_u256_sub(&r, &zero, &one), LX_EOVERFLOW);
	assert_true(lx_u256_eq(&r, &max));
	assert_int_equal(lx_u256_mul(&r, &max, &max), LX_EOVERFLOW);
	assert_int_equal(lx_u256_div(&r, &max, &zero), LX_EDIVZERO);
	assert_int_equal(lx_u256_mod(&r, &max, &zero), LX_EDIVZERO);
	uint64_t u;
	assert_int_equal(lx_u256_to_u64(&u, &max), LX_EOVERFLOW);
	assert_int_equal(lx_u256_cmp(&max, &one), 1);
	assert_int_equal(lx_u256_cmp(&one, &max), -1);
	assert_int_equal(lx_u256_cmp(&one, &one), 0);
	unsigned sh[] = {0, 1, 63, 64, 65, 127, 128, 255};
	for (size_t i = 0; i < sizeof(sh) / sizeof(sh[0]); i++) {
		struct lx_u256 a, b;
		lx_u256_shl(&a, &one, sh[i]);
		lx_u256_shr(&b, &a, sh[i]);
		assert_true(lx_u256_eq(&b, &one));
	}
	lx_u256_shl(&r, &max, 256);
	assert_true(lx_u256_is_zero(&r));
	lx_u256_shr(&r, &max, 256);
	assert_true(lx_u256_is_zero(&r));
	lx_u256_shr(&r, &max, 255);
	assert_true(lx_u256_eq(&r, &one));
	/* muldiv with a 512-bit intermediate: max * max / max = max */
	assert_int_equal(lx_u256_muldiv(&r, &max, &max, &max), 0);
	assert_true(lx_u256_eq(&r, &max));
	struct lx_u256 two = P("2");
	assert_int_equal(lx_u256_muldiv(&r, &max, &max, &two), LX_EOVERFLOW);
	assert_int_equal(lx_u256_muldiv(&r, &max, &two, &zero), LX_EDIVZERO);
	struct lx_u256 p;
	assert_int_equal(lx_u256_pow10(&p, 77), 0);
	assert_int_equal(lx_u256_pow10(&p, 78), LX_EOVERFLOW);
}

static void test_rounding_ties(void **s)
{
	(void)s;
	struct lx_u256 r;
	/* rayMul: 1 * 0.5 ray = 0.5 -> rounds half up to 1 */
	struct lx_u256 one = P("1"), half_ray = P("500000000000000000000000000");
	assert_int_equal(lx_ray_mul(&r, &one, &half_ray), 0);
	eq(&r, "1");
	struct lx_u256 below = P("499999999999999999999999999");
	lx_ray_mul(&r, &one, &below);
	eq(&r, "0");
	/* percentMul: 1 * 5000 / 10000 = 0.5 -> 1; 1 * 4999 -> 0 */
	struct lx_u256 p5000 = P("5000"), p4999 = P("4999");
	lx_percent_mul(&r, &one, &p5000);
	eq(&r, "1");
	lx_percent_mul(&r, &one, &p4999);
	eq(&r, "0");
	/* percentDiv(1, 20000) = (10000 + 10000)/20000 = 1 */
	struct lx_u256 p20000 = P("20000"), zero = P("0");
	lx_percent_div(&r, &one, &p20000);
	eq(&r, "1");
	assert_int_equal(lx_percent_div(&r, &one, &zero), LX_EDIVZERO);
	assert_int_equal(lx_ray_div(&r, &one, &zero), LX_EDIVZERO);
	/* rayToWad: 1.5e9-1 -> 1 ; 1.5e9 -> 2 (remainder 5e8 rounds up) */
	struct lx_u256 a = P("1499999999"), b = P("1500000000");
	lx_ray_to_wad(&r, &a);
	eq(&r, "1");
	lx_ray_to_wad(&r, &b);
	eq(&r, "2");
	/* guard boundary of rayMul with b = RAY: a <= (max - HALF_RAY) / RAY */
	struct lx_u256 ray = P("1000000000000000000000000000");
	struct lx_u256 lim = P("115792089237316195423570985008687907853269984665640");
	assert_int_equal(lx_ray_mul(&r, &lim, &ray), 0);
	struct lx_u256 lim1 = P("115792089237316195423570985008687907853269984665641");
	assert_int_equal(lx_ray_mul(&r, &lim1, &ray), LX_EOVERFLOW);
	assert_true(lx_u256_is_zero(&r));
}

static void test_aliasing(void **s)
{
	(void)s;
	/* r may alias an operand in every operation (u256.h) */
	struct lx_u256 a = P("1000000000000000000000000000"), b = P("3"), d = P("7"), r;
	r = a;
	assert_int_equal(lx_u256_muldiv(&r, &r, &b, &d), 0);
	eq(&r, "428571428571428571428571428");
	r = P("2000000000000000000000000000");
	assert_int_equal(lx_ray_mul(&r, &r, &a), 0);
	eq(&r, "2000000000000000000000000000");
	r = P("2000000000000000000000000000");
	assert_int_equal(lx_ray_div(&r, &r, &a), 0);
	eq(&r, "2000000000000000000000000000");
	r = P("10000");
	assert_int_equal(lx_percent_mul(&r, &r, &b), 0);
	eq(&r, "3");
	r = P("5");
	assert_int_equal(lx_wad_to_ray(&r, &r), 0);
	eq(&r, "5000000000");
	r = P("5");
	lx_u256_add(&r, &r, &r);
	eq(&r, "10");
}

static void test_more_print_parse(void **s)
{
	(void)s;
	struct lx_u256 v, max = P(MAXS);
	char b[200];
	/* exact capacities: n + 1 fits, n does not */
	v = P("12345");
	assert_int_equal(lx_u256_to_dec(b, 6, &v), 5);
	assert_int_equal(lx_u256_to_dec(b, 5, &v), 0);
	assert_int_equal(lx_u256_to_hex(b, 7, &v), 6);
	assert_string_equal(b, "0x3039");
	assert_int_equal(lx_u256_to_hex(b, 6, &v), 0);
	assert_int_equal(lx_u256_to_dec(b, LX_U256_DEC_MAX, &max), 78);
	assert_int_equal(lx_u256_to_hex(b, LX_U256_HEX_MAX, &max), 66);
	assert_int_equal(lx_u256_to_dec(NULL, 100, &v), 0);
	/* exact 10^19 boundaries in the 19-digit chunks */
	v = P("10000000000000000000");
	eq(&v, "10000000000000000000");
	v = P("9999999999999999999");
	eq(&v, "9999999999999999999");
	v = P("100000000000000000000000000000000000000");
	eq(&v, "100000000000000000000000000000000000000");
	/* to_fixed: zero, more decimals than digits, exact capacity, wide decimals */
	v = P("0");
	assert_int_equal(lx_u256_to_fixed(b, sizeof(b), &v, 18), 1);
	assert_string_equal(b, "0");
	v = P("1");
	assert_int_equal(lx_u256_to_fixed(b, sizeof(b), &v, 100), 102);
	assert_string_equal(b + 98, "0001");
	v = P("1234500");
	assert_int_equal(lx_u256_to_fixed(b, 7, &v, 4), 6);
	assert_string_equal(b, "123.45");
	assert_int_equal(lx_u256_to_fixed(b, 6, &v, 4), 0);
	assert_int_equal(lx_u256_to_fixed(b, sizeof(b), &v, 4000000000u), 0);
	assert_int_equal(lx_u256_to_fixed(b, 7, &v, 0), 0);
	assert_int_equal(lx_u256_to_fixed(b, 8, &v, 0), 7);
	assert_int_equal(lx_u256_to_fixed(NULL, 8, &v, 2), 0);
	struct lx_u256 m2;
	lx_u256_max(&m2);
	assert_true(lx_u256_eq(&m2, &max));
	lx_u256_to_fixed(b, sizeof(b), &max, 78);
	assert_string_equal(b, "0." MAXS);
	lx_u256_to_fixed(b, sizeof(b), &max, 77);
	assert_string_equal(b, "1.157920892373161954235709850086879078532699846656405640394575"
			       "84007913129639935");
	/* parse: syntax errors win over overflow however long the text; NULL is misuse */
	char longbad[120];
	memset(longbad, '9', sizeof(longbad));
	longbad[119] = 'x';
	assert_int_equal(lx_u256_parse(&v, longbad, sizeof(longbad)), LX_EPARSE);
	longbad[119] = '9';
	assert_int_equal(lx_u256_parse(&v, longbad, sizeof(longbad)), LX_EOVERFLOW);
	assert_true(lx_u256_is_zero(&v));
	assert_int_equal(lx_u256_parse(&v, "0x1 ", 4), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "+1", 2), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "1.5", 3), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "0x0x1", 5), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "x1", 2), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "1\0", 2), LX_EPARSE);
	assert_int_equal(lx_u256_parse(&v, "12", 1), 0); /* len, not the NUL, ends the text */
	eq(&v, "1");
	assert_int_equal(lx_u256_parse(&v, NULL, 1), LX_EINVAL);
	assert_int_equal(lx_u256_parse(NULL, "1", 1), LX_EINVAL);
	v = P("0X00000000000000000000000000000000000000000000000000000000000000000000001F");
	eq(&v, "31");
	v = P("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	assert_true(lx_u256_eq(&v, &max));
	/* to_double: exact up to 2^53, ties to even beyond, the maximum rounds to 2^256 */
	v = P("9007199254740993"); /* 2^53 + 1: halfway, rounds to even 2^53 */
	assert_true(lx_u256_to_double(&v) == 9007199254740992.0);
	v = P("9007199254740995"); /* 2^53 + 3: halfway, rounds to even 2^53 + 4 */
	assert_true(lx_u256_to_double(&v) == 9007199254740996.0);
	/* 2^200 + 2^147 is halfway (rounds down to even); one more bit far below breaks the tie */
	struct lx_u256 one = P("1"), t, u;
	lx_u256_shl(&t, &one, 200);
	lx_u256_shl(&u, &one, 147);
	lx_u256_add(&v, &t, &u);
	assert_true(lx_u256_to_double(&v) == ldexp(1.0, 200));
	lx_u256_add(&v, &v, &one);
	assert_true(lx_u256_to_double(&v) == ldexp(1.0, 200) + ldexp(1.0, 148));
	assert_true(lx_u256_to_double(&max) == ldexp(1.0, 256));
	assert_true(lx_u256_to_double(&one) == 1.0);
}

static void test_division(void **s)
{
	(void)s;
	/* 64-bit-limb versions of Hacker's Delight's cases for the rare add-back step */
	static const char *const c[][4] = {
		{"0x800000000000000000000000000000000000000000000003",
		 "0x200000000000000000000000000000000000000000000001", "0x3",
		 "0x200000000000000000000000000000000000000000000000"},
		{"0x8000000000000000fffffffffffffffe0000000000000000",
		 "0x8000000000000000ffffffffffffffff", "0xffffffffffffffff",
		 "0x7fffffffffffffffffffffffffffffff"},
		{"0x7fffffffffffffff800000000000000000000000000000000000000000000000",
		 "0x800000000000000000000000000000000000000000000001", "0xfffffffffffffffe",
		 "0x7fffffffffffffffffffffffffffffff0000000000000002"},
		{"0x8000000000000000000000000000000000000000000000000000000000000000",
		 "0x80000000000000000000000000000000ffffffffffffffff", "0xffffffffffffffff",
		 "0x7fffffffffffffff0000000000000001ffffffffffffffff"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct lx_u256 a = P(c[i][0]), b = P(c[i][1]), q, r;
		assert_int_equal(lx_u256_divmod(&q, &r, &a, &b), 0);
		struct lx_u256 wq = P(c[i][2]), wr = P(c[i][3]);
		assert_true(lx_u256_eq(&q, &wq));
		assert_true(lx_u256_eq(&r, &wr));
		/* the same numbers through muldiv's 512-bit path: (a * 2^64) / (b * 2^64)... */
		struct lx_u256 one = P("1"), m;
		assert_int_equal(lx_u256_muldiv(&m, &a, &one, &b), 0);
		assert_true(lx_u256_eq(&m, &wq));
	}
	/* q * b + r == a and r < b for many structured operands (limbs 0, 1, 2^63, 2^64-1) */
	static const uint64_t limb[] = {0, 1, 2, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
					 0xfffffffffffffffeULL, 0xffffffffffffffffULL,
					 0x0123456789abcdefULL};
	int checked = 0;
	for (unsigned k = 0; k < 20000; k++) {
		struct lx_u256 a, b, q, r, back;
		unsigned x = k * 2654435761u;
		for (int i = 0; i < 4; i++) {
			a.w[i] = limb[(x >> (3 * i)) & 7];
			b.w[i] = (x >> (12 + 4 * i)) & 1 ? limb[(x >> (13 + 4 * i)) & 7] : 0;
		}
		if (lx_u256_is_zero(&b))
			continue;
		assert_int_equal(lx_u256_divmod(&q, &r, &a, &b), 0);
		assert_int_equal(lx_u256_cmp(&r, &b), -1);
		assert_int_equal(lx_u256_mul(&back, &q, &b), 0);
		assert_int_equal(lx_u256_add(&back, &back, &r), 0);
		assert_true(lx_u256_eq(&back, &a));
		checked++;
	}
	assert_true(checked > 10000);
	/* outputs may be NULL, and may alias the inputs */
	struct lx_u256 a = P("1000"), b = P("7"), q, r;
	assert_int_equal(lx_u256_divmod(NULL, NULL, &a, &b), 0);
	assert_int_equal(lx_u256_divmod(&q, NULL, &a, &b), 0);
	eq(&q, "142");
	assert_int_equal(lx_u256_divmod(NULL, &r, &a, &b), 0);
	eq(&r, "6");
	assert_int_equal(lx_u256_divmod(&a, &b, &a, &b), 0);
	eq(&a, "142");
	eq(&b, "6");
	a = P("1000");
	b = P("7");
	assert_int_equal(lx_u256_mod(&b, &a, &b), 0);
	eq(&b, "6");
	/* division by zero clears the outputs */
	struct lx_u256 zero = P("0");
	q = P("5");
	r = P("5");
	assert_int_equal(lx_u256_divmod(&q, &r, &a, &zero), LX_EDIVZERO);
	assert_true(lx_u256_is_zero(&q) && lx_u256_is_zero(&r));
	/* smaller numerator than divisor: quotient 0, remainder the numerator */
	struct lx_u256 big = P(MAXS);
	assert_int_equal(lx_u256_divmod(&q, &r, &a, &big), 0);
	assert_true(lx_u256_is_zero(&q));
	eq(&r, "1000");
	/* muldiv: intermediate above 2^256, quotient just fits / just does not */
	struct lx_u256 two = P("2");
	struct lx_u256 half_up =
		P("0x8000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(lx_u256_muldiv(&q, &big, &half_up, &half_up), 0);
	assert_true(lx_u256_eq(&q, &big));
	assert_int_equal(lx_u256_muldiv(&q, &half_up, &two, &two), 0);
	assert_true(lx_u256_eq(&q, &half_up));
	struct lx_u256 one = P("1");
	assert_int_equal(lx_u256_muldiv(&q, &half_up, &two, &one), LX_EOVERFLOW);
	assert_true(lx_u256_is_zero(&q));
	/* a wad price times an 18-decimal amount over a wad: needs more than 256 bits inside */
	struct lx_u256 amt = P("123456789012345678901234567890123456789012345678901234567890");
	struct lx_u256 px = P("3000000000000000000000"), wad = P("1000000000000000000");
	assert_int_equal(lx_u256_muldiv(&q, &amt, &px, &wad), 0);
	eq(&q, "370370367037037036703703703670370370367037037036703703703670000");
}

/* each helper at an exact .5 (rounds up) and just below it (rounds down) */
static void test_all_ties(void **s)
{
	(void)s;
	static const struct {
		int (*f)(struct lx_u256 *, const struct lx_u256 *, const struct lx_u256 *);
		const char *a, *b, *want;
	} t[] = {
		{lx_wad_mul, "1", "500000000000000000", "1"},
		{lx_wad_mul, "1", "499999999999999999", "0"},
		{lx_wad_mul, "3", "500000000000000000", "2"},
		{lx_wad_mul, "2500000000000000000", "1500000000000000000", "3750000000000000000"},
		{lx_ray_mul, "1", "500000000000000000000000000", "1"},
		{lx_ray_mul, "1", "499999999999999999999999999", "0"},
		{lx_ray_mul, "3", "500000000000000000000000000", "2"},
		{lx_ray_mul, "3", "499999999999999999999999999", "1"},
		{lx_wad_div, "1", "2000000000000000000", "1"},
		{lx_wad_div, "1", "2000000000000000001", "0"},
		{lx_wad_div, "3", "2000000000000000000", "2"},
		{lx_wad_div, "0", "7", "0"},
		{lx_ray_div, "1", "2000000000000000000000000000", "1"},
		{lx_ray_div, "1", "2000000000000000000000000001", "0"},
		{lx_ray_div, "3", "2000000000000000000000000000", "2"},
		{lx_ray_div, "1", "3", "333333333333333333333333333"},
		{lx_percent_mul, "1", "5000", "1"},
		{lx_percent_mul, "1", "4999", "0"},
		{lx_percent_mul, "3", "5000", "2"},
		{lx_percent_mul, "12345", "0", "0"},
		{lx_percent_div, "1", "20000", "1"},
		{lx_percent_div, "1", "20001", "0"},
		{lx_percent_div, "3", "20000", "2"},
		{lx_percent_div, "8000", "8500", "9412"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lx_u256 a = P(t[i].a), b = P(t[i].b), r;
		assert_int_equal(t[i].f(&r, &a, &b), 0);
		eq(&r, t[i].want);
	}
	static const char *const rw[][2] = {
		{"1500000000", "2"}, {"1499999999", "1"}, {"500000000", "1"},
		{"499999999", "0"},  {"0", "0"},
		{MAXS, "115792089237316195423570985008687907853269984665640564039457584007913"},
	};
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		struct lx_u256 a = P(rw[i][0]), r;
		assert_int_equal(lx_ray_to_wad(&r, &a), 0);
		eq(&r, rw[i][1]);
	}
}

/* the largest first operand each helper accepts (computed with Python), and the next one */
static void test_guards(void **s)
{
	(void)s;
	static const struct {
		int (*f)(struct lx_u256 *, const struct lx_u256 *, const struct lx_u256 *);
		const char *b, *lim, *at_lim;
	} g[] = {
		{lx_wad_mul, "1000000000000000000",
		 "115792089237316195423570985008687907853269984665640564039457",
		 "115792089237316195423570985008687907853269984665640564039457"},
		{lx_wad_mul, "3",
		 "38597363079105398474523661669562635951089994888546854679819028002637709879978",
		 "115792089237316195423570985008687907853269984665640564039457"},
		{lx_ray_mul, "1000000000000000000000000000",
		 "115792089237316195423570985008687907853269984665640",
		 "115792089237316195423570985008687907853269984665640"},
		{lx_ray_mul, "7",
		 "16541727033902313631938712144098272550467140666520009148493940572559018519990",
		 "115792089237316195423570985008687907853269984665640"},
		{lx_percent_mul, "10000",
		 "11579208923731619542357098500868790785326998466564056403945758400791312963",
		 "11579208923731619542357098500868790785326998466564056403945758400791312963"},
		{lx_percent_mul, "1",
		 "115792089237316195423570985008687907853269984665640564039457584007913129634935",
		 "11579208923731619542357098500868790785326998466564056403945758400791312963"},
		{lx_wad_div, "1",
		 "115792089237316195423570985008687907853269984665640564039457",
		 "115792089237316195423570985008687907853269984665640564039457000000000000000000"},
		{lx_wad_div, "1000000000000000000",
		 "115792089237316195423570985008687907853269984665640564039457",
		 "115792089237316195423570985008687907853269984665640564039457"},
		{lx_ray_div, "1000000000000000000000000000",
		 "115792089237316195423570985008687907853269984665640",
		 "115792089237316195423570985008687907853269984665640"},
		{lx_ray_div, "3",
		 "115792089237316195423570985008687907853269984665640",
		 "38597363079105398474523661669562635951089994888546666666666666666666666666667"},
		{lx_percent_div, "1",
		 "11579208923731619542357098500868790785326998466564056403945758400791312963",
		 "115792089237316195423570985008687907853269984665640564039457584007913129630000"},
		{lx_percent_div, "3",
		 "11579208923731619542357098500868790785326998466564056403945758400791312963",
		 "38597363079105398474523661669562635951089994888546854679819194669304376543333"},
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		struct lx_u256 a = P(g[i].lim), b = P(g[i].b), one = P("1"), r;
		assert_int_equal(g[i].f(&r, &a, &b), 0);
		eq(&r, g[i].at_lim);
		lx_u256_add(&a, &a, &one);
		r = one;
		assert_int_equal(g[i].f(&r, &a, &b), LX_EOVERFLOW);
		assert_true(lx_u256_is_zero(&r));
	}
	/* zero multiplier never reverts, zero divisor always does */
	struct lx_u256 max = P(MAXS), zero = P("0"), r;
	assert_int_equal(lx_wad_mul(&r, &max, &zero), 0);
	assert_int_equal(lx_ray_mul(&r, &max, &zero), 0);
	assert_int_equal(lx_percent_mul(&r, &max, &zero), 0);
	assert_true(lx_u256_is_zero(&r));
	assert_int_equal(lx_wad_div(&r, &zero, &zero), LX_EDIVZERO);
	assert_int_equal(lx_ray_div(&r, &zero, &zero), LX_EDIVZERO);
	assert_int_equal(lx_percent_div(&r, &zero, &zero), LX_EDIVZERO);
	/* wadToRay: a * 1e9 must fit */
	struct lx_u256 w =
		P("115792089237316195423570985008687907853269984665640564039457584007913");
	assert_int_equal(lx_wad_to_ray(&r, &w), 0);
	eq(&r, "115792089237316195423570985008687907853269984665640564039457584007913000000000");
	struct lx_u256 one = P("1");
	lx_u256_add(&w, &w, &one);
	assert_int_equal(lx_wad_to_ray(&r, &w), LX_EOVERFLOW);
	assert_true(lx_u256_is_zero(&r));
}

/* ---- fixtures/u256/vectors.txt ---- */

typedef int (*op2)(struct lx_u256 *, const struct lx_u256 *, const struct lx_u256 *);
typedef int (*op1)(struct lx_u256 *, const struct lx_u256 *);

static const struct {
	const char *name;
	op2 f2;
	op1 f1;
} ops[] = {
	{"add", lx_u256_add, NULL},     {"sub", lx_u256_sub, NULL},
	{"mul", lx_u256_mul, NULL},     {"div", lx_u256_div, NULL},
	{"mod", lx_u256_mod, NULL},     {"raymul", lx_ray_mul, NULL},
	{"raydiv", lx_ray_div, NULL},   {"wadmul", lx_wad_mul, NULL},
	{"waddiv", lx_wad_div, NULL},   {"pctmul", lx_percent_mul, NULL},
	{"pctdiv", lx_percent_div, NULL}, {"raytowad", NULL, lx_ray_to_wad},
	{"wadtoray", NULL, lx_wad_to_ray},
};

static unsigned small(const char *t)
{
	struct lx_u256 v = P(t);
	uint64_t u;
	assert_int_equal(lx_u256_to_u64(&u, &v), 0);
	assert_true(u <= UINT32_MAX);
	return (unsigned)u;
}

/* checks one line split into tok[0..n-1]; returns 1 when the expected result was ERR */
static int check_line(int line, char **tok, int n)
{
	const char *op = tok[0], *want = tok[n - 1];
	struct lx_u256 x[3], r, w;
	char b[256];
	if (!strcmp(op, "dec")) {
		x[0] = P(tok[1]);
		lx_u256_to_dec(b, sizeof(b), &x[0]);
		if (strcmp(b, want))
			fail_msg("line %d: dec %s gave %s", line, tok[1], b);
		return 0;
	}
	if (!strcmp(op, "fixed")) {
		x[0] = P(tok[1]);
		lx_u256_to_fixed(b, sizeof(b), &x[0], small(tok[2]));
		if (strcmp(b, want))
			fail_msg("line %d: fixed %s %s gave %s", line, tok[1], tok[2], b);
		return 0;
	}
	if (!strcmp(op, "double")) {
		x[0] = P(tok[1]);
		double d = lx_u256_to_double(&x[0]);
		uint64_t bits, wb;
		memcpy(&bits, &d, sizeof(bits));
		w = P(want);
		lx_u256_to_u64(&wb, &w);
		if (bits != wb)
			fail_msg("line %d: double %s gave %.17g", line, tok[1], d);
		return 0;
	}
	if (!strcmp(op, "parse")) {
		int rc = lx_u256_parse(&r, tok[1], strlen(tok[1]));
		if (!strcmp(want, "ERR")) {
			if (rc != LX_EOVERFLOW)
				fail_msg("line %d: parse %s: rc %d, want overflow", line, tok[1],
					 rc);
			return 1;
		}
		w = P(want);
		if (rc || !lx_u256_eq(&r, &w))
			fail_msg("line %d: parse %s: rc %d", line, tok[1], rc);
		return 0;
	}
	if (!strcmp(op, "shl") || !strcmp(op, "shr")) {
		x[0] = P(tok[1]);
		(op[2] == 'l' ? lx_u256_shl : lx_u256_shr)(&r, &x[0], small(tok[2]));
		w = P(want);
		if (!lx_u256_eq(&r, &w))
			fail_msg("line %d: %s %s %s", line, op, tok[1], tok[2]);
		return 0;
	}
	for (int i = 1; i < n - 1; i++)
		x[i - 1] = P(tok[i]);
	int rc = 1;
	if (!strcmp(op, "muldiv")) {
		assert_int_equal(n, 5);
		rc = lx_u256_muldiv(&r, &x[0], &x[1], &x[2]);
	} else {
		size_t k = 0;
		while (k < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[k].name, op))
			k++;
		if (k == sizeof(ops) / sizeof(ops[0]))
			fail_msg("line %d: unknown op %s", line, op);
		assert_int_equal(n, ops[k].f2 ? 4 : 3);
		rc = ops[k].f2 ? ops[k].f2(&r, &x[0], &x[1]) : ops[k].f1(&r, &x[0]);
	}
	if (!strcmp(want, "ERR")) {
		if (rc == 0)
			fail_msg("line %d: %s %s %s expected a revert", line, op, tok[1],
				 n > 3 ? tok[2] : "");
		return 1;
	}
	w = P(want);
	if (rc != 0 || !lx_u256_eq(&r, &w)) {
		lx_u256_to_hex(b, sizeof(b), &r);
		fail_msg("line %d: %s %s %s: rc %d, got %s", line, op, tok[1],
			 n > 3 ? tok[2] : "", rc, b);
	}
	return 0;
}

static void test_vectors(void **s)
{
	(void)s;
	/* the environment (set by ctest) wins, so a moved build tree still finds the source */
	const char *dir = getenv("LX_SOURCE_DIR");
	if (!dir || !*dir)
		dir = LX_SOURCE_DIR;
	char path[4096];
	int pn = snprintf(path, sizeof(path), "%s/fixtures/u256/vectors.txt", dir);
	assert_true(pn > 0 && (size_t)pn < sizeof(path));
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	char line[2048];
	int lines = 0, errs = 0, seen[8] = {0};
	static const char *const kinds[] = {"dec", "fixed", "double", "parse", "shl", "shr",
					    "muldiv", "raymul"};
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n')
			fail_msg("line %d too long", lines + 1);
		/* split on spaces in place */
		char *tok[6];
		int n = 0;
		char *p = line;
		while (*p && n < 6) {
			while (*p == ' ' || *p == '\n')
				*p++ = 0;
			if (!*p)
				break;
			tok[n++] = p;
			while (*p && *p != ' ' && *p != '\n')
				p++;
		}
		lines++;
		assert_true(n >= 3);
		for (size_t k = 0; k < 8; k++)
			seen[k] += !strcmp(tok[0], kinds[k]);
		errs += check_line(lines, tok, n);
	}
	fclose(f);
	assert_true(lines >= 6000);
	assert_true(errs > 500);
	for (size_t k = 0; k < 8; k++)
		assert_true(seen[k] >= 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_print),
		cmocka_unit_test(test_more_print_parse),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_division),
		cmocka_unit_test(test_rounding_ties),
		cmocka_unit_test(test_all_ties),
		cmocka_unit_test(test_guards),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_aliasing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
