/*
 * test_dex.c: Uniswap V3 math (uv3.c) against the contracts' own constants (TickMath's
 * MIN/MAX_SQRT_RATIO, tick 0 = 2^96), TickMath's defining property at every tenth tick
 * (getTickAtSqrtRatio(getSqrtRatioAtTick(t)) = t and one wei less gives t - 1), hand-checked
 * swaps (no liquidity jumps to the next word, exact output, price limits, misuse), and the
 * market model (pool prices into base units, depth, feeds). The swap itself is checked to the
 * wei against the real pool bytecode in tests/integration/cascade_replay.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/dex.h"

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

static void test_tick_math(void **s)
{
	(void)s;
	struct lx_u256 r;
	assert_int_equal(lx_uv3_sqrt_at_tick(&r, LX_UV3_MIN_TICK), 0);
	eq(&r, "4295128739"); /* TickMath.MIN_SQRT_RATIO */
	assert_int_equal(lx_uv3_sqrt_at_tick(&r, LX_UV3_MAX_TICK), 0);
	eq(&r, "1461446703485210103287273052203988822378723970342"); /* MAX_SQRT_RATIO */
	assert_int_equal(lx_uv3_sqrt_at_tick(&r, 0), 0);
	eq(&r, "79228162514264337593543950336"); /* 2^96 */
	assert_int_equal(lx_uv3_sqrt_at_tick(&r, LX_UV3_MAX_TICK + 1), LX_EINVAL);
	assert_int_equal(lx_uv3_sqrt_at_tick(&r, LX_UV3_MIN_TICK - 1), LX_EINVAL);
	int32_t t;
	struct lx_u256 one = {{1, 0, 0, 0}}, m;
	lx_uv3_sqrt_at_tick(&r, LX_UV3_MIN_TICK);
	lx_u256_sub(&m, &r, &one);
	assert_int_equal(lx_uv3_tick_at_sqrt(&t, &m), LX_EINVAL);
	lx_uv3_sqrt_at_tick(&r, LX_UV3_MAX_TICK);
	assert_int_equal(lx_uv3_tick_at_sqrt(&t, &r), LX_EINVAL);
	lx_u256_sub(&m, &r, &one);
	assert_int_equal(lx_uv3_tick_at_sqrt(&t, &m), 0);
	assert_int_equal(t, LX_UV3_MAX_TICK - 1);
	/* the defining property, and monotonicity, across the whole range */
	struct lx_u256 prev = {{0}};
	for (int32_t k = LX_UV3_MIN_TICK; k <= LX_UV3_MAX_TICK - 1; k += 9973) {
		assert_int_equal(lx_uv3_sqrt_at_tick(&r, k), 0);
		assert_true(lx_u256_cmp(&r, &prev) > 0);
		prev = r;
		assert_int_equal(lx_uv3_tick_at_sqrt(&t, &r), 0);
		assert_int_equal(t, k);
		if (k > LX_UV3_MIN_TICK) {
			lx_u256_sub(&m, &r, &one);
			assert_int_equal(lx_uv3_tick_at_sqrt(&t, &m), 0);
			assert_int_equal(t, k - 1);
		}
	}
}

/* one position [-600, 600) of liquidity 1e18 at price 1 (tick 0), spacing 60, fee 0.3 % */
static void pool(struct lx_uv3_pool *p, struct lx_uv3_tick *ticks)
{
	memset(p, 0, sizeof(*p));
	p->fee = 3000;
	p->tick_spacing = 60;
	lx_uv3_sqrt_at_tick(&p->sqrt_price, 0);
	p->liquidity = (unsigned __int128)1000000000000000000ull;
	ticks[0] = (struct lx_uv3_tick){-600, (__int128)1000000000000000000ll};
	ticks[1] = (struct lx_uv3_tick){600, -(__int128)1000000000000000000ll};
	p->ticks = ticks;
	p->n_ticks = 2;
}

static void test_swap(void **s)
{
	(void)s;
	struct lx_uv3_pool p;
	struct lx_uv3_tick tk[2];
	pool(&p, tk);
	struct lx_uv3_swap w;
	/* a small sale stays in range: amounts close to the constant-product ones */
	struct lx_u256 amt = P("1000000000000000"); /* 1e15 token0 */
	assert_int_equal(lx_uv3_swap(&p, &w, true, true, &amt, NULL), 0);
	eq(&w.amount_in, "1000000000000000");
	/* out = L*(sqrtA - sqrtB) with the fee taken first: 1e15*0.997/(1+0.000997) */
	assert_true(lx_u256_to_double(&w.amount_out) > 9.95e14 &&
		    lx_u256_to_double(&w.amount_out) < 9.97e14);
	assert_true(p.tick < 0 && p.tick > -60);
	/* a sale far larger than the range: the price leaves the liquidity and stops at the
	 * router's limit, MIN_SQRT_RATIO + 1, with input left over */
	pool(&p, tk);
	amt = P("1000000000000000000000");
	assert_int_equal(lx_uv3_swap(&p, &w, true, true, &amt, NULL), 0);
	struct lx_u256 lim;
	lx_uv3_sqrt_at_tick(&lim, LX_UV3_MIN_TICK);
	lim.w[0] += 1;
	assert_true(lx_u256_eq(&p.sqrt_price, &lim));
	assert_int_equal(p.tick, LX_UV3_MIN_TICK);
	assert_true(p.liquidity == 0);
	assert_true(lx_u256_cmp(&w.amount_in, &amt) < 0);
	/* all of token1 in range was bought: L*(1 - 1.0001^-300) */
	assert_true(lx_u256_to_double(&w.amount_out) > 2.9e16 &&
		    lx_u256_to_double(&w.amount_out) < 3.0e16);
	/* back up again, exact output of token0, through the empty words to the range */
	struct lx_u256 want = P("1000");
	assert_int_equal(lx_uv3_swap(&p, &w, false, false, &want, NULL), 0);
	eq(&w.amount_out, "1000");
	assert_true(p.tick >= -600 && p.tick < -590);
	assert_true(p.liquidity == (unsigned __int128)1000000000000000000ull);
	/* misuse: zero amount, a limit on the wrong side */
	pool(&p, tk);
	struct lx_u256 zero = {{0}};
	assert_int_equal(lx_uv3_swap(&p, &w, true, true, &zero, NULL), LX_EINVAL);
	struct lx_u256 above;
	lx_uv3_sqrt_at_tick(&above, 10);
	assert_int_equal(lx_uv3_swap(&p, &w, true, true, &amt, &above), LX_EINVAL);
	/* a limit inside the range stops there */
	struct lx_u256 below;
	lx_uv3_sqrt_at_tick(&below, -120);
	assert_int_equal(lx_uv3_swap(&p, &w, true, true, &amt, &below), 0);
	assert_true(lx_u256_eq(&p.sqrt_price, &below));
	assert_int_equal(p.tick, -120);
}

static void test_market(void **s)
{
	(void)s;
	/* assets: 0 = X (18 dec, $2000), 1 = Q (18 dec, $1); X is token0 of its pool */
	struct lx_asset_info as[2];
	memset(as, 0, sizeof(as));
	as[0].decimals = as[1].decimals = 18;
	as[0].price = P("200000000000");
	as[1].price = P("100000000");
	snprintf(as[0].symbol, sizeof(as[0].symbol), "X");
	snprintf(as[1].symbol, sizeof(as[1].symbol), "Q");
	struct lx_market_view mv;
	memset(&mv, 0, sizeof(mv));
	mv.assets = as;
	mv.n_assets = 2;
	mv.base_decimals = 8;
	struct lx_dex *d;
	assert_int_equal(lx_dex_create(&d, 2), 0);
	struct lx_uv3_pool p;
	struct lx_uv3_tick tk[2];
	pool(&p, tk);
	assert_int_equal(lx_dex_add_pool(d, 0, 0, true, &p), LX_EINVAL);
	assert_int_equal(lx_dex_add_pool(d, 0, 1, true, &p), 0);
	struct lx_dex_feed f = {100, 3600};
	lx_dex_set_feed(d, 0, &f);
	assert_true(lx_dex_threshold(d, 0) == 0.01);
	struct lx_dex *c;
	struct lx_error e;
	assert_int_equal(lx_dex_clone(&c, d, &e), 0);
	struct lx_u256 sell[2] = {P("10000000000000000"), {{0}}}, buy[2] = {{{0}}, {{0}}};
	struct lx_u256 market[2] = {as[0].price, as[1].price};
	double proceeds;
	assert_int_equal(lx_dex_trade(c, &mv, sell, buy, market, &proceeds, &e), 0);
	/* X's price moved by the pool's move: 0.01 X into 1e18 liquidity ≈ -2 % */
	double mv0 = lx_u256_to_double(&market[0]) / 2e11;
	assert_true(mv0 < 0.985 && mv0 > 0.975);
	assert_true(proceeds > 0 && proceeds < 0.01 * 2e11 * 1e-18 * 1e18);
	assert_int_equal((int)lx_dex_n_swaps(c), 1);
	/* the original is untouched by the clone's trade */
	assert_true(lx_u256_eq(&lx_dex_pool(d, 0)->sqrt_price, &p.sqrt_price));
	assert_int_equal((int)lx_dex_n_swaps(d), 0);
	/* depth model for Q: selling 1 % of the depth moves it 1 % down */
	lx_dex_set_depth(c, 1, 1e10);
	struct lx_u256 s2[2] = {{{0}}, P("100000000000000000000")}; /* 100 Q = $100 = 1e10 */
	market[1] = as[1].price;
	assert_int_equal(lx_dex_trade(c, &mv, s2, buy, market, &proceeds, &e), 0);
	eq(&market[1], "99000000");
	/* a sale that leaves the liquidity drives the pool to its price limit; a second sale the
	 * same way has nowhere to go (the pool reverts 'SPL'): nothing traded or recorded, where
	 * the cascade used to fail */
	struct lx_u256 big[2] = {P("1000000000000000000000"), {{0}}};
	market[0] = as[0].price;
	assert_int_equal(lx_dex_trade(c, &mv, big, buy, market, &proceeds, &e), 0);
	size_t n = lx_dex_n_swaps(c);
	struct lx_u256 m0 = market[0];
	assert_int_equal(lx_dex_trade(c, &mv, big, buy, market, &proceeds, &e), 0);
	assert_int_equal((int)lx_dex_n_swaps(c), (int)n);
	assert_true(lx_u256_eq(&market[0], &m0));
	assert_true(proceeds == 0);
	lx_dex_destroy(c);
	lx_dex_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tick_math),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_market),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
