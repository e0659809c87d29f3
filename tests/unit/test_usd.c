/*
 * test_usd.c: the chain-wide USD price book (report.h) that totals positions across markets in
 * different base currencies: only USD oracles feed it, the first deployment listing a token
 * prices it, a USD market values at its own price, a token no USD oracle lists has no price.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/report.h"

static struct lx_u256 P(const char *dec)
{
	struct lx_u256 v;
	assert_int_equal(lx_u256_parse(&v, dec, strlen(dec)), 0);
	return v;
}

static void eq(const struct lx_u256 *v, const char *dec)
{
	char b[80];
	lx_u256_to_dec(b, sizeof(b), v);
	assert_string_equal(b, dec);
}

static struct lx_addr tok(uint8_t k)
{
	struct lx_addr a;
	memset(&a, 0, sizeof(a));
	a.b[19] = k;
	return a;
}

static void view(struct lx_market_view *mv, struct lx_asset_info *as, const char *name,
		 const char *base, uint8_t bd, uint64_t chain)
{
	memset(mv, 0, sizeof(*mv));
	snprintf(mv->name, sizeof(mv->name), "%s", name);
	snprintf(mv->base, sizeof(mv->base), "%s", base);
	mv->base_decimals = bd;
	mv->chain_id = chain;
	mv->assets = as;
}

static void test_book(void **s)
{
	(void)s;
	/* A: USD, 8 decimals, lists X (18 dec, $2000) and Y (6 dec, never read: 0) */
	struct lx_asset_info a[2], b[2], c[1], d[1];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(c, 0, sizeof(c));
	memset(d, 0, sizeof(d));
	struct lx_market_view A, B, C, D;
	view(&A, a, "usd-lender", "USD", 8, 1);
	a[0].asset = tok(1), a[0].decimals = 18, a[0].price = P("200000000000"), a[0].price_block = 9;
	a[1].asset = tok(2), a[1].decimals = 6;
	A.n_assets = 2;
	/* B: a market counted in its loan token (18 decimals), listing X and Z */
	view(&B, b, "isolated", "WETH", 18, 1);
	b[0].asset = tok(1), b[0].decimals = 18, b[0].price = P("1000000000000000000");
	b[1].asset = tok(3), b[1].decimals = 8, b[1].price = P("20000000000000000000");
	B.n_assets = 2;
	/* C: a later USD oracle that prices X differently: the first listing stays */
	view(&C, c, "second-usd", "USD", 6, 1);
	c[0].asset = tok(1), c[0].decimals = 18, c[0].price = P("1999000000");
	C.n_assets = 1;
	/* D: another chain's USD oracle listing Z: not this chain's price */
	view(&D, d, "other-chain", "USD", 8, 10);
	d[0].asset = tok(3), d[0].decimals = 8, d[0].price = P("6000000000000");
	D.n_assets = 1;
	struct lx_usd_book book;
	lx_usd_book_init(&book);
	assert_int_equal(lx_usd_book_add(&book, &A), 0);
	assert_int_equal(lx_usd_book_add(&book, &B), 0); /* not USD: adds nothing */
	assert_int_equal(lx_usd_book_add(&book, &C), 0);
	assert_int_equal(lx_usd_book_add(&book, &D), 0);
	assert_int_equal(book.n, 2); /* X from A, Z on chain 10 from D; Y never read */
	struct lx_addr x = tok(1), y = tok(2), z = tok(3);
	const struct lx_usd_price *px = lx_usd_book_find(&book, 1, &x);
	assert_non_null(px);
	assert_string_equal(px->source, "usd-lender");
	assert_int_equal(px->block, 9);
	assert_null(lx_usd_book_find(&book, 1, &y));
	assert_null(lx_usd_book_find(&book, 1, &z));
	assert_non_null(lx_usd_book_find(&book, 10, &z));

	struct lx_u256 v, amt = P("1500000000000000000"); /* 1.5 X */
	const char *src;
	/* a USD market: its own (position) price, as its base value */
	struct lx_u256 own = P("210000000000");
	assert_int_equal(lx_usd_value(&book, &A, 0, &amt, &own, &v, &src), 0);
	eq(&v, "315000000000"); /* $3150.00000000 */
	assert_string_equal(src, "usd-lender");
	/* a USD market in 6 decimals: rescaled to 8 */
	struct lx_u256 cp = P("1999000000");
	assert_int_equal(lx_usd_value(&book, &C, 0, &amt, &cp, &v, &src), 0);
	eq(&v, "299850000000");
	/* a market in another base: the book's price (A's), never its own WETH price */
	assert_int_equal(lx_usd_value(&book, &B, 0, &amt, &b[0].price, &v, &src), 0);
	eq(&v, "300000000000");
	assert_string_equal(src, "usd-lender");
	/* Z: only another chain's oracle lists it: no USD price */
	struct lx_u256 one_z = P("100000000");
	assert_int_equal(lx_usd_value(&book, &B, 1, &one_z, &b[1].price, &v, &src), LX_ENOTFOUND);
	assert_null(src);
	eq(&v, "0");
	/* Y: the USD oracle never answered (0): no price either */
	struct lx_u256 zero = {{0}};
	assert_int_equal(lx_usd_value(&book, &A, 1, &one_z, &zero, &v, NULL), LX_ENOTFOUND);
	/* misuse: an asset index past the view */
	assert_int_equal(lx_usd_value(&book, &A, 7, &amt, &own, &v, NULL), LX_EINVAL);
	/* floor: 1 wei of X is 0 USD units, not rounded up */
	struct lx_u256 wei = P("1");
	assert_int_equal(lx_usd_value(&book, &B, 0, &wei, &b[0].price, &v, NULL), 0);
	eq(&v, "0");
	lx_usd_book_release(&book);
	assert_int_equal(book.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_book),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
