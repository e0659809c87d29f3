/*
 * test_u256.c: 256-bit arithmetic and Aave's fixed-point math. Edge cases by hand, plus every
 * line of fixtures/u256/vectors.txt (reference results computed independently with BigInt by
 * scripts/gen_u256_vectors.js, "ERR" where Solidity would revert).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

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
	assert_int_equal(
		lx_u256_parse(&v,
			      "115792089237316195423570985008687907853269984665640564039457584007913"
			      "129639936",
			      78),
		LX_EOVERFLOW);
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

static int run_op(const char *op, struct lx_u256 *r, struct lx_u256 *x, int n)
{
	if (!strcmp(op, "add")) return lx_u256_add(r, &x[0], &x[1]);
	if (!strcmp(op, "sub")) return lx_u256_sub(r, &x[0], &x[1]);
	if (!strcmp(op, "mul")) return lx_u256_mul(r, &x[0], &x[1]);
	if (!strcmp(op, "div")) return lx_u256_div(r, &x[0], &x[1]);
	if (!strcmp(op, "mod")) return lx_u256_mod(r, &x[0], &x[1]);
	if (!strcmp(op, "muldiv")) return lx_u256_muldiv(r, &x[0], &x[1], &x[2]);
	if (!strcmp(op, "raymul")) return lx_ray_mul(r, &x[0], &x[1]);
	if (!strcmp(op, "raydiv")) return lx_ray_div(r, &x[0], &x[1]);
	if (!strcmp(op, "wadmul")) return lx_wad_mul(r, &x[0], &x[1]);
	if (!strcmp(op, "waddiv")) return lx_wad_div(r, &x[0], &x[1]);
	if (!strcmp(op, "pctmul")) return lx_percent_mul(r, &x[0], &x[1]);
	if (!strcmp(op, "pctdiv")) return lx_percent_div(r, &x[0], &x[1]);
	if (!strcmp(op, "raytowad")) return lx_ray_to_wad(r, &x[0]);
	if (!strcmp(op, "wadtoray")) return lx_wad_to_ray(r, &x[0]);
	(void)n;
	fail_msg("unknown op %s", op);
	return -1;
}

static void test_vectors(void **s)
{
	(void)s;
	char path[1024];
	snprintf(path, sizeof(path), "%s/fixtures/u256/vectors.txt", LX_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[1024];
	int lines = 0, errs = 0;
	while (fgets(line, sizeof(line), f)) {
		char *tok[6];
		int n = 0;
		char *save = NULL;
		for (char *t = strtok_r(line, " \n", &save); t && n < 6;
		     t = strtok_r(NULL, " \n", &save))
			tok[n++] = t;
		assert_true(n >= 3);
		struct lx_u256 x[3], r, want;
		for (int i = 1; i < n - 1; i++)
			x[i - 1] = P(tok[i]);
		int rc = run_op(tok[0], &r, x, n - 2);
		if (!strcmp(tok[n - 1], "ERR")) {
			if (rc == 0)
				fail_msg("line %d: %s expected a revert", lines + 1, tok[0]);
			errs++;
		} else {
			want = P(tok[n - 1]);
			if (rc != 0 || !lx_u256_eq(&r, &want))
				fail_msg("line %d: %s %s %s: rc %d", lines + 1, tok[0], tok[1],
					 n > 3 ? tok[2] : "", rc);
		}
		lines++;
	}
	fclose(f);
	assert_true(lines >= 4000);
	assert_true(errs > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_print),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_rounding_ties),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_aliasing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
