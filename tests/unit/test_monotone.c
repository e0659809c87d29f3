/*
 * test_monotone.c: liquidation prices of a market whose health is monotone in each price
 * (lx_market_ops.monotone), found by exact bisection over the market's own health op. The
 * market is synthetic: a fake ops whose health floors collateral and ceils debt (the integer
 * steps a real protocol has), so only an exact search lands on the boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/risk.h"

static struct lx_u256 P(const char *dec)
{
	struct lx_u256 v;
	assert_int_equal(lx_u256_parse(&v, dec, strlen(dec)), 0);
	return v;
}

static int health_calls;

/*
 * A toy protocol: HF = floor(sum(floor(supplied * price / unit) * LT) * 1e18 /
 * (sum(ceil(borrowed * price / unit)) * 1e4)); 2^256-1 without debt. Rising in a price that
 * prices only collateral, falling in one that prices only debt.
 */
static int toy_health(struct lx_health *out, const struct lx_market_view *mv,
		      const struct lx_account_view *a, const struct lx_u256 *prices)
{
	memset(out, 0, sizeof(*out));
	health_calls++;
	struct lx_u256 coll = {{0}}, slt = {{0}}, debt = {{0}}, unit, t, r, one = {{1, 0, 0, 0}};
	for (size_t i = 0; i < a->n_pos; i++) {
		const struct lx_asset_pos *p = &a->pos[i];
		const struct lx_u256 *px = prices ? &prices[i] : &p->price;
		if (lx_u256_pow10(&unit, mv->assets[p->asset].decimals))
			return LX_EOVERFLOW;
		if (p->collateral && !lx_u256_is_zero(&p->supplied)) {
			if (lx_u256_mul(&t, &p->supplied, px))
				return LX_EOVERFLOW;
			lx_u256_div(&t, &t, &unit);
			lx_u256_add(&coll, &coll, &t);
			struct lx_u256 lt;
			lx_u256_from_u64(&lt, p->liq_threshold_bps);
			if (lx_u256_mul(&t, &t, &lt) || lx_u256_add(&slt, &slt, &t))
				return LX_EOVERFLOW;
		}
		if (!lx_u256_is_zero(&p->borrowed)) {
			if (lx_u256_mul(&t, &p->borrowed, px))
				return LX_EOVERFLOW;
			lx_u256_divmod(&t, &r, &t, &unit);
			if (!lx_u256_is_zero(&r))
				lx_u256_add(&t, &t, &one);
			if (lx_u256_add(&debt, &debt, &t))
				return LX_EOVERFLOW;
		}
	}
	out->total_collateral_base = coll;
	out->total_debt_base = debt;
	if (lx_u256_is_zero(&debt)) {
		lx_u256_max(&out->health_factor);
		return 0;
	}
	struct lx_u256 wad = P("1000000000000000000"), den, bps;
	lx_u256_from_u64(&bps, 10000);
	if (lx_u256_mul(&den, &debt, &bps))
		return LX_EOVERFLOW;
	return lx_u256_muldiv(&out->health_factor, &slt, &wad, &den) ? LX_EOVERFLOW : 0;
}

static const struct lx_market_ops toy_ops = {
	.name = "toy",
	.health = toy_health,
	.liquidate = NULL,
	.monotone = true,
};

static struct lx_market_view mv;
static struct lx_asset_info assets[2];
static struct lx_asset_pos pos[8];
static struct lx_account_view acc[3];

/* asset 0: C, 18 decimals at 2000.00000000; asset 1: D, 6 decimals at 1.00000000 */
static void market(void)
{
	memset(&mv, 0, sizeof(mv));
	memset(assets, 0, sizeof(assets));
	memset(pos, 0, sizeof(pos));
	memset(acc, 0, sizeof(acc));
	assets[0].decimals = 18;
	assets[0].price = P("200000000000");
	snprintf(assets[0].symbol, sizeof(assets[0].symbol), "C");
	assets[1].decimals = 6;
	assets[1].price = P("100000000");
	snprintf(assets[1].symbol, sizeof(assets[1].symbol), "D");
	mv.ops = &toy_ops;
	mv.base_decimals = 8;
	snprintf(mv.base, sizeof(mv.base), "USD");
	mv.assets = assets;
	mv.n_assets = 2;
	mv.accounts = acc;
}

static struct lx_asset_pos mk(uint32_t asset, const char *sup, const char *bor, uint16_t lt)
{
	struct lx_asset_pos p;
	memset(&p, 0, sizeof(p));
	p.asset = asset;
	p.supplied = P(sup);
	p.borrowed = P(bor);
	p.borrowed_variable = p.borrowed;
	p.collateral = lt != 0;
	p.liq_threshold_bps = lt;
	p.price = assets[asset].price;
	return p;
}

/* HF of account a with feed f at price x, straight from the market's health op */
static struct lx_u256 hf_at(const struct lx_account_view *a, uint32_t f, const struct lx_u256 *x)
{
	struct lx_u256 pr[8];
	for (size_t i = 0; i < a->n_pos; i++)
		pr[i] = lx_model_feed_of(&mv, &a->pos[i]) == f ? *x : a->pos[i].price;
	struct lx_health h;
	assert_int_equal(lx_model_health(&h, &mv, a, pr), 0);
	return h.health_factor;
}

static bool below_at(const struct lx_account_view *a, uint32_t f, const struct lx_u256 *x)
{
	struct lx_u256 hf = hf_at(a, f, x), wad = P("1000000000000000000");
	return lx_u256_cmp(&hf, &wad) < 0;
}

/* 3 C (LT 80 %) against 4000.5 D: HF 1.19985; a third account already below 1 */
static void accounts(void)
{
	pos[0] = mk(0, "3000000000000000000", "0", 8000);
	pos[1] = mk(1, "0", "4000500000", 0);
	/* 0.000000007 C (1400 base units) against 0.000001 D (100): where the floors bite */
	pos[2] = mk(0, "7000000000", "0", 9000);
	pos[3] = mk(1, "0", "1", 0);
	/* already liquidatable: 1 C (LT 50 %) against 1500 D */
	pos[4] = mk(0, "1000000000000000000", "0", 5000);
	pos[5] = mk(1, "0", "1500000000", 0);
	acc[0] = (struct lx_account_view){.n_pos = 2, .pos = &pos[0]};
	acc[1] = (struct lx_account_view){.n_pos = 2, .pos = &pos[2]};
	acc[2] = (struct lx_account_view){.n_pos = 2, .pos = &pos[4]};
	mv.n_accounts = 3;
	for (size_t i = 0; i < 3; i++) {
		acc[i].account.b[19] = (uint8_t)(i + 1);
		assert_int_equal(lx_model_health(&acc[i].health, &mv, &acc[i], NULL), 0);
	}
}

static void test_exact_boundary(void **s)
{
	(void)s;
	market();
	accounts();
	struct lx_liq_point *pts;
	size_t n;
	health_calls = 0;
	assert_int_equal(lx_risk_liq_points(&mv, &pts, &n), 0);
	/* each account: a fall point on C (collateral), a rise point on D (debt) */
	assert_int_equal(n, 6);
	struct lx_u256 one = {{1, 0, 0, 0}}, nb;
	for (size_t k = 0; k < n; k++) {
		const struct lx_liq_point *q = &pts[k];
		const struct lx_account_view *a = &acc[q->account];
		assert_int_equal(q->feed, q->rise ? 1 : 0);
		assert_int_equal(q->status, LX_LIQ_FOUND);
		/* HF < 1 at the price found ... */
		assert_true(below_at(a, q->feed, &q->price));
		if (q->account == 2) {
			/* already below 1: the fall answer is today's price itself, the rise
			 * answer the lowest price searched (today's) */
			assert_true(q->already);
			assert_true(lx_u256_eq(&q->price, &q->price_now));
			continue;
		}
		assert_false(q->already);
		/* ... and >= 1 at its neighbour on the safe side: the exact boundary */
		if (q->rise)
			lx_u256_sub(&nb, &q->price, &one);
		else
			lx_u256_add(&nb, &q->price, &one);
		assert_false(below_at(a, q->feed, &nb));
	}
	/* account 0: C falls to about 4000.5 / (3 * 0.8) = 1666.875; D rises to 1.19985 */
	assert_true(lx_u256_eq(&pts[0].price, &(struct lx_u256){{166687499999, 0, 0, 0}}) ||
		    lx_u256_eq(&pts[0].price, &(struct lx_u256){{166687500000, 0, 0, 0}}));
	struct lx_u256 lo = P("119900000"), hi = P("120000000");
	assert_true(lx_u256_cmp(&pts[1].price, &lo) > 0 && lx_u256_cmp(&pts[1].price, &hi) < 0);
	/* a bisection: a few hundred health calls for six points over 256-bit ranges */
	assert_true(health_calls < 6 * 300);
	free(pts);
}

/* On small integer prices the bisection agrees with a scan of every price. */
static void test_matches_scan(void **s)
{
	(void)s;
	market();
	assets[0].decimals = 0;
	assets[0].price = P("1000");
	assets[1].decimals = 0;
	assets[1].price = P("3");
	pos[0] = mk(0, "37", "0", 7700);
	pos[1] = mk(1, "0", "9001", 0);
	acc[0] = (struct lx_account_view){.n_pos = 2, .pos = &pos[0]};
	mv.n_accounts = 1;
	assert_int_equal(lx_model_health(&acc[0].health, &mv, &acc[0], NULL), 0);
	struct lx_liq_point *pts;
	size_t n;
	assert_int_equal(lx_risk_liq_points(&mv, &pts, &n), 0);
	assert_int_equal(n, 2);
	/* fall: the highest price in [1, 1000] with HF < 1, by scanning down */
	struct lx_u256 x = P("1000"), one = {{1, 0, 0, 0}}, scan = {{0}};
	bool found = false;
	for (; !lx_u256_is_zero(&x); lx_u256_sub(&x, &x, &one))
		if (below_at(&acc[0], 0, &x)) {
			scan = x;
			found = true;
			break;
		}
	assert_true(found);
	assert_int_equal(pts[0].status, LX_LIQ_FOUND);
	assert_false(pts[0].rise);
	assert_true(lx_u256_eq(&pts[0].price, &scan));
	/* rise: the lowest price from 3 up with HF < 1, by scanning up */
	for (x = P("3"), found = false; !found; lx_u256_add(&x, &x, &one))
		if (below_at(&acc[0], 1, &x)) {
			scan = x;
			found = true;
		}
	assert_int_equal(pts[1].status, LX_LIQ_FOUND);
	assert_true(pts[1].rise);
	assert_true(lx_u256_eq(&pts[1].price, &scan));
	free(pts);
}

/* Ladders on a monotone market count exactly the accounts below 1 at each level. */
static void test_ladders(void **s)
{
	(void)s;
	market();
	accounts();
	struct lx_ladder *l;
	size_t n;
	assert_int_equal(lx_risk_ladders(&mv, &l, &n), 0);
	assert_int_equal(n, 2); /* C falls, D rises */
	for (size_t k = 0; k < n; k++)
		for (size_t st = 0; st < l[k].n_levels; st++) {
			size_t want = 0;
			for (size_t i = 0; i < mv.n_accounts; i++)
				want += below_at(&acc[i], l[k].feed, &l[k].price[st]);
			assert_int_equal(l[k].accounts[st], want);
		}
	free(l);
}

/* A market that is neither monotone nor Aave's gets no liquidation price, not a guess. */
static void test_no_curve(void **s)
{
	(void)s;
	market();
	accounts();
	const struct lx_market_ops not_monotone = {.name = "other", .health = toy_health};
	mv.ops = &not_monotone;
	struct lx_liq_point *pts;
	size_t n;
	assert_int_equal(lx_risk_liq_points(&mv, &pts, &n), LX_EINVAL);
	assert_null(pts);
	struct lx_curve c;
	assert_int_equal(lx_model_curve_init(&c, &mv, &acc[0], 0), LX_EINVAL);
	lx_model_curve_release(&c);
	mv.ops = NULL;
	assert_int_equal(lx_model_curve_init(&c, &mv, &acc[0], 0), LX_EINVAL);
	mv.ops = &toy_ops;
	assert_int_equal(lx_model_curve_init(&c, &mv, &acc[0], 9), LX_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_boundary),
		cmocka_unit_test(test_matches_scan),
		cmocka_unit_test(test_ladders),
		cmocka_unit_test(test_no_curve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
