/*
 * test_risk.c: the risk pass and the model's health arithmetic on small markets computed by
 * hand (the arithmetic is written out next to each expectation): Aave health factors, exact
 * liquidation prices, bands with ties, accounts with no debt or no collateral, loop depth, an
 * exact round-1 liquidation with close factor, bonus cap and protocol fee, and an empty market;
 * liquidation prices (fall and rise, e-mode source feeds) and ladders against brute force over
 * every integer price on small random markets where HF is not monotone.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/aave.h"
#include "lendex/risk.h"

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

/* Assets: 0 = A (18 dec, $2000, group 1), 1 = B (6 dec, $1, group 2), 2 = C (18 dec, $1, group 2) */
static struct lx_asset_info assets[3];
static struct lx_asset_pos pos[16];
static struct lx_account_view acc[8];
static struct lx_flow flows[8];

static struct lx_asset_pos mk(uint32_t a, const char *sup, const char *bor, bool coll)
{
	struct lx_asset_pos p;
	memset(&p, 0, sizeof(p));
	p.asset = a;
	p.supplied = P(sup);
	p.borrowed = P(bor);
	p.borrowed_variable = p.borrowed;
	p.ltv_bps = a == 0 ? 8000 : 7500;
	p.liq_threshold_bps = a == 0 ? 8250 : 8000;
	p.liq_bonus_bps = 10500;
	p.collateral = coll;
	p.price = assets[a].price;
	return p;
}

static void market(struct lx_market_view *mv)
{
	memset(mv, 0, sizeof(*mv));
	memset(assets, 0, sizeof(assets));
	assets[0].decimals = 18;
	assets[0].price = P("200000000000");
	assets[0].group = 1;
	assets[0].liq_bonus_bps = 10500;
	assets[0].liq_protocol_fee_bps = 1000;
	assets[0].depth_base_per_pct = 1e12; /* $10,000 per 1% */
	assets[0].total_supplied = P("11000000000000000000");
	snprintf(assets[0].symbol, sizeof(assets[0].symbol), "A");
	assets[1].decimals = 6;
	assets[1].price = P("100000000");
	assets[1].group = 2;
	snprintf(assets[1].symbol, sizeof(assets[1].symbol), "B");
	assets[2].decimals = 18;
	assets[2].price = P("100000000");
	assets[2].group = 2;
	snprintf(assets[2].symbol, sizeof(assets[2].symbol), "C");
	mv->ops = &lx_aave_v3_market_ops;
	mv->health_method = LX_HEALTH_AAVE_V3;
	mv->base_decimals = 8;
	mv->rules.default_close_factor_bps = 5000;
	mv->rules.max_close_factor_bps = 10000;
	mv->rules.full_close_hf = P("950000000000000000");
	mv->assets = assets;
	mv->n_assets = 3;
	/* 1: 10 A collateral, 12000 B debt; loop history A→A, B→C */
	pos[0] = mk(0, "10000000000000000000", "0", true);
	pos[1] = mk(1, "0", "12000000000", false);
	/* 2: 1000 B collateral, no debt */
	pos[2] = mk(1, "1000000000", "0", true);
	/* 3: 500 B debt, nothing else */
	pos[3] = mk(1, "0", "500000000", false);
	/* 4: 1 A collateral, 1600 B debt */
	pos[4] = mk(0, "1000000000000000000", "0", true);
	pos[5] = mk(1, "0", "1600000000", false);
	acc[0] = (struct lx_account_view){.n_pos = 2, .pos = &pos[0], .n_flows = 6, .flows = flows};
	acc[1] = (struct lx_account_view){.n_pos = 1, .pos = &pos[2]};
	acc[2] = (struct lx_account_view){.n_pos = 1, .pos = &pos[3]};
	acc[3] = (struct lx_account_view){.n_pos = 2, .pos = &pos[4]};
	for (int i = 0; i < 4; i++) {
		acc[i].account.b[19] = (uint8_t)(i + 1);
		assert_int_equal(lx_model_health(&acc[i].health, mv, &acc[i], NULL), 0);
	}
	memset(flows, 0, sizeof(flows));
	const uint8_t k[6] = {LX_FLOW_SUPPLY, LX_FLOW_BORROW, LX_FLOW_SUPPLY, LX_FLOW_BORROW,
			      LX_FLOW_SUPPLY, LX_FLOW_BORROW};
	const uint32_t as[6] = {0, 0, 0, 1, 2, 1};
	/* 10 A, borrow 5 A, resupply 5 A, borrow 6000 B, supply 6000 C, borrow 6000 B */
	const char *amt[6] = {"10000000000000000000", "5000000000000000000",
			      "5000000000000000000", "6000000000", "6000000000000000000000",
			      "6000000000"};
	for (int i = 0; i < 6; i++) {
		flows[i].block = 10 + (uint64_t)i;
		flows[i].kind = k[i];
		flows[i].asset = as[i];
		flows[i].amount = P(amt[i]);
		flows[i].tx[0] = (uint8_t)(i + 1);
	}
	mv->accounts = acc;
	mv->n_accounts = 4;
}

static void test_health(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	/* collateral 10 * 2000 = 20000.00000000; HF = 20000*0.825/12000 = 1.375 */
	eq(&acc[0].health.total_collateral_base, "2000000000000");
	eq(&acc[0].health.total_debt_base, "1200000000000");
	eq(&acc[0].health.health_factor, "1375000000000000000");
	eq(&acc[0].health.liq_threshold_bps, "8250");
	/* available = 20000*0.8 - 12000 = 4000 */
	eq(&acc[0].health.available_borrows_base, "400000000000");
	struct lx_u256 max;
	lx_u256_max(&max);
	assert_true(lx_u256_eq(&acc[1].health.health_factor, &max)); /* no debt */
	eq(&acc[2].health.health_factor, "0");                         /* debt, no collateral */
	eq(&acc[2].health.ltv_bps, "0");
	eq(&acc[3].health.health_factor, "1031250000000000000");
}

static void test_leverage_and_depth(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	struct lx_leverage l[4];
	struct lx_leverage_summary sum;
	assert_int_equal(lx_risk_leverage(&mv, l, &sum), 0);
	assert_true(fabs(l[0].leverage - 2.5) < 1e-12); /* 20000 / (20000 - 12000) */
	/* rounds: borrow A → supply A, borrow B → supply C (same group); last borrow unmatched */
	assert_int_equal(l[0].depth, 2);
	assert_int_equal(lx_risk_loop_depth(&mv, &acc[0]), 2);
	assert_true(isinf(l[2].leverage)); /* equity <= 0: bad debt, toxic */
	assert_true(l[2].bad_debt);
	assert_true(l[2].toxic);
	assert_int_equal(sum.n_bad_debt, 1);
	assert_true(fabs(sum.bad_debt - 50000000000.0) < 1); /* 500 B uncovered */
	assert_false(l[0].bad_debt);
	assert_int_equal(l[0].loops.correlated, 2);
	assert_int_equal(l[0].loops.directional, 0);
	assert_true(fabs(l[1].leverage - 1) < 1e-12);
	/* implied depth at LTV 0.8 for leverage 2.5: (1-0.8^(n+1))/0.2 = 2.5 → 0.8^(n+1) = 0.5 */
	assert_true(fabs(l[0].implied_depth - (log(0.5) / log(0.8) - 1)) < 1e-9);
	assert_int_equal(sum.n_looped, 1);
	assert_int_equal(sum.depth_hist[0], 3);
	assert_int_equal(sum.depth_hist[2], 1);
	assert_int_equal(sum.n_with_debt, 3);
	/* toxic: 1 A ($2000) against 1950 B: 0.975 > 1/1.05 */
	pos[5].borrowed = P("1950000000");
	assert_int_equal(lx_risk_leverage(&mv, l, &sum), 0);
	assert_true(l[3].toxic);
	assert_false(l[0].toxic);
	assert_false(l[3].bad_debt);
	assert_int_equal(sum.n_toxic, 2); /* and the bad debt */
}

/* Leverage per entity: the accounts one key drove, summed as one position. */
static void test_leverage_by_entity(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	struct lx_leverage l[4];
	struct lx_leverage_summary sum;
	assert_int_equal(lx_risk_leverage(&mv, l, &sum), 0);
	/* key X drove accounts 1 and 4, key Y account 3; account 2 has no known key */
	struct lx_addr ent[4], x, y;
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	x.b[0] = 0xaa;
	y.b[0] = 0xbb;
	bool has[4] = {true, false, true, true};
	ent[0] = x;
	ent[1] = x; /* ignored: has[1] is false */
	ent[2] = y;
	ent[3] = x;
	struct lx_entity_leverage *e;
	size_t n, unknown;
	assert_int_equal(lx_risk_leverage_by_entity(&mv, l, ent, has, &e, &n, &unknown), 0);
	assert_int_equal(n, 2);
	assert_int_equal(unknown, 1);
	/* bad debt first: Y, 500 B of debt and nothing else */
	assert_true(lx_addr_eq(&e[0].signer, &y));
	assert_true(e[0].bad_debt);
	assert_true(isinf(e[0].leverage));
	assert_int_equal(e[0].n_accounts, 1);
	assert_true(fabs(e[0].debt - 50000000000.0) < 1);
	/* X: (20000 + 2000) / ((20000 + 2000) - (12000 + 1600)) = 22000 / 8400 */
	assert_true(lx_addr_eq(&e[1].signer, &x));
	assert_int_equal(e[1].n_accounts, 2);
	assert_true(fabs(e[1].collateral - 2200000000000.0) < 1);
	assert_true(fabs(e[1].debt - 1360000000000.0) < 1);
	assert_true(fabs(e[1].leverage - 22000.0 / 8400.0) < 1e-12);
	assert_false(e[1].bad_debt);
	assert_int_equal(e[1].max_depth, 2);  /* account 1's two open rounds */
	assert_int_equal(e[1].largest, 0);
	/* higher than either account alone would show for account 4 (2000 / 400 = 5 is higher):
	 * the entity's figure is the sum's, not the largest member's */
	assert_true(e[1].leverage < l[3].leverage && e[1].leverage > l[0].leverage);
	free(e);
	/* every account its own key: one row per open account, none unknown */
	for (int i = 0; i < 4; i++) {
		memset(&ent[i], 0, sizeof(ent[i]));
		ent[i].b[1] = (uint8_t)(i + 1);
		has[i] = true;
	}
	assert_int_equal(lx_risk_leverage_by_entity(&mv, l, ent, has, &e, &n, &unknown), 0);
	assert_int_equal(n, 4);
	assert_int_equal(unknown, 0);
	assert_true(e[0].bad_debt);
	assert_true(fabs(e[1].leverage - 5.0) < 1e-12);  /* account 4: 2000 / 400 */
	assert_true(fabs(e[2].leverage - 2.5) < 1e-12);
	assert_true(fabs(e[3].leverage - 1.0) < 1e-12);
	free(e);
	/* misuse, and an empty market */
	assert_int_equal(lx_risk_leverage_by_entity(&mv, l, NULL, has, &e, &n, &unknown), LX_EINVAL);
	mv.n_accounts = 0;
	assert_int_equal(lx_risk_leverage_by_entity(&mv, NULL, NULL, NULL, &e, &n, &unknown), 0);
	assert_int_equal(n, 0);
	free(e);
}

static void test_bands_ties(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	/* a tie on an edge goes to the band above it: HF exactly 1.05 */
	acc[3].health.health_factor = P("1050000000000000000");
	struct lx_hf_report r;
	assert_int_equal(lx_risk_hf(&mv, &r), 0);
	assert_int_equal(r.no_debt_accounts, 1);
	assert_int_equal(r.band_accounts[0], 1); /* HF 0 */
	assert_int_equal(r.band_accounts[2], 1); /* 1.05 */
	assert_int_equal(r.band_accounts[4], 1); /* 1.375 */
	assert_true(fabs(r.band_debt[4] - 1200000000000.0) < 1);
	double t = 12000 + 500 + 1600;
	double hhi = (500 / t) * (500 / t) + (1600 / t) * (1600 / t) + (12000 / t) * (12000 / t);
	assert_true(fabs(r.hhi - hhi) < 1e-12);
	size_t total = 0;
	for (size_t i = 0; i < r.n_clusters; i++)
		total += r.clusters[i].accounts;
	assert_int_equal(total, 3);
	for (size_t i = 1; i < r.n_clusters; i++)
		assert_true(r.clusters[i - 1].center <= r.clusters[i].center);
	/* one wei under the edge is under it (as a double it would round onto the edge) */
	acc[3].health.health_factor = P("1049999999999999999");
	assert_int_equal(lx_risk_hf(&mv, &r), 0);
	assert_int_equal(r.band_accounts[1], 1);
	assert_int_equal(r.band_accounts[2], 0);
}

static const struct lx_liq_point *find_pt(const struct lx_liq_point *pts, size_t n, size_t acct,
					  uint32_t feed, bool rise)
{
	for (size_t i = 0; i < n; i++)
		if (pts[i].account == acct && pts[i].feed == feed && pts[i].rise == rise)
			return &pts[i];
	return NULL;
}

static void test_liquidation_price(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	struct lx_liq_point *pts;
	size_t n;
	assert_int_equal(lx_risk_liq_points(&mv, &pts, &n), 0);
	/* account 1: HF < 1 ⇔ floor((10p*8250 + 5000)/10000) < 1.2e12 ⇔ p <= 145454545454 */
	const struct lx_liq_point *p = find_pt(pts, n, 0, 0, false);
	assert_non_null(p);
	assert_int_equal(p->status, LX_LIQ_FOUND);
	eq(&p->price, "145454545454");
	eq(&p->value, "2000000000000");
	/* B rising against its 12000 B debt: 16500e8 < 12000 p ⇔ p >= 137500001 (HF exactly 1 at
	 * 137500000) */
	p = find_pt(pts, n, 0, 1, true);
	assert_non_null(p);
	assert_int_equal(p->status, LX_LIQ_FOUND);
	eq(&p->price, "137500001");
	eq(&p->value, "1200000000000");
	/* nothing for A rising (no A debt) or B falling (no B collateral) */
	assert_null(find_pt(pts, n, 0, 0, true));
	assert_null(find_pt(pts, n, 0, 1, false));
	/* no debt: no point; debt without collateral: already liquidatable, at today's price */
	for (size_t i = 0; i < n; i++)
		assert_true(pts[i].account != 1);
	p = find_pt(pts, n, 2, 1, true);
	assert_non_null(p);
	assert_true(p->already);
	eq(&p->price, "100000000");
	/* account 4: percentMul(p, 8250) < 1600e8: at 193939393939, (p*8250 + 5000)/1e4 floors to
	 * exactly 1600e8 (HF 1), so 193939393938 */
	p = find_pt(pts, n, 3, 0, false);
	eq(&p->price, "193939393938");
	free(pts);
}

static void test_ladders(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	struct lx_ladder *l;
	size_t n;
	assert_int_equal(lx_risk_ladders(&mv, &l, &n), 0);
	/* A falls (accounts 1 and 4), B rises (accounts 1, 3, 4); nothing else is held that way */
	assert_int_equal(n, 2);
	const struct lx_ladder *fa = &l[0], *rb = &l[1];
	assert_int_equal(fa->feed, 0);
	assert_false(fa->rise);
	assert_int_equal(fa->n_levels, 20);
	assert_int_equal(rb->feed, 1);
	assert_true(rb->rise);
	assert_int_equal(rb->n_levels, 21);
	/* A at 2000 (20 - s)/20: account 4 below 1939.39 from s = 1, account 1 below 1454.54 from
	 * s = 6 (1400; 1500 is not) */
	eq(&fa->price[6], "140000000000");
	assert_int_equal(fa->accounts[0], 0);
	eq(&fa->value[1], "200000000000");
	eq(&fa->value[5], "200000000000");
	eq(&fa->value[6], "2200000000000");
	assert_int_equal(fa->accounts[19], 2);
	/* B at 1 (20 + s)/20: account 3 always, account 4 from 1.05 (> 1.03125), account 1 from
	 * 1.40 (> 1.375) */
	eq(&rb->value[0], "50000000000");
	eq(&rb->value[1], "210000000000");
	eq(&rb->value[7], "210000000000");
	eq(&rb->value[8], "1410000000000");
	assert_int_equal(rb->move_bps[8], 4000);
	eq(&rb->price[8], "140000000");
	free(l);
}

/* ---- exactness against brute force on small random markets ---- */

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(uint64_t m)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % m;
}

/* HF < 1 with feed f at price x, by the model's own lx_model_health */
static bool brute_below(const struct lx_market_view *mv, const struct lx_account_view *a,
			uint32_t f, uint64_t x)
{
	struct lx_u256 pr[8], w;
	for (size_t k = 0; k < a->n_pos; k++) {
		pr[k] = a->pos[k].price;
		if (lx_model_feed_of(mv, &a->pos[k]) == f)
			lx_u256_from_u64(&pr[k], x);
	}
	struct lx_health h;
	assert_int_equal(lx_model_health(&h, mv, a, pr), 0);
	lx_u256_from_u64(&w, 1000000000000000000ull);
	return lx_u256_cmp(&h.health_factor, &w) < 0;
}

static const uint32_t method_v3 = LX_HEALTH_AAVE_V3, method_v35 = LX_HEALTH_AAVE_V35,
		      method_v36 = LX_HEALTH_AAVE_V36;

/* does feed f price both collateral and debt of account a */
static bool feed_prices_both(const struct lx_market_view *mv, const struct lx_account_view *a,
			     uint32_t f)
{
	bool coll = false, debt = false;
	for (size_t q = 0; q < a->n_pos; q++) {
		const struct lx_asset_pos *p = &a->pos[q];
		if (lx_model_feed_of(mv, p) != f)
			continue;
		coll |= p->collateral && !lx_u256_is_zero(&p->supplied);
		debt |= !lx_u256_is_zero(&p->borrowed);
	}
	return coll && debt;
}

/*
 * state: the health method (Aave <= 3.4 rounding, or 3.5 / 3.6 directional rounding, whose
 * feeds pricing one side only are bisected and those pricing both searched by evaluation)
 */
static void test_exact_random(void **s)
{
	const uint32_t method = *(const uint32_t *)*s;
	const bool directional = method != LX_HEALTH_AAVE_V3;
	/* tiny amounts and prices: floors dominate, HF is far from monotone (an account that
	 * borrows what it supplies; the average LT moving), so a bisection would miss */
	static struct lx_asset_info as[4];
	static struct lx_asset_pos ps[400 * 4];
	static struct lx_account_view ac[400];
	static struct lx_price_feed fd[1];
	struct lx_market_view mv;
	memset(&mv, 0, sizeof(mv));
	memset(as, 0, sizeof(as));
	const unsigned dec[4] = {2, 0, 1, 2};
	const uint64_t px[4] = {3000, 700, 1500, 40};
	for (int k = 0; k < 4; k++) {
		as[k].decimals = (uint8_t)dec[k];
		lx_u256_from_u64(&as[k].price, px[k]);
	}
	/* an e-mode source pricing assets 1 and 2 for e-mode accounts */
	fd[0].same_as = LX_FEED_NONE;
	fd[0].emode = 1;
	fd[0].key.b[0] = 0xee;
	lx_u256_from_u64(&fd[0].price, 900);
	mv.ops = &lx_aave_v3_market_ops;
	mv.health_method = method;
	mv.base_decimals = 0;
	mv.assets = as;
	mv.n_assets = 4;
	mv.feeds = fd;
	mv.n_feeds = 1;
	size_t np = 0, na = 0;
	for (int i = 0; i < 220; i++) {
		struct lx_account_view *a = &ac[na];
		memset(a, 0, sizeof(*a));
		a->pos = &ps[np];
		bool em = rnd(3) == 0;
		a->emode = em ? 1 : 0;
		for (uint32_t k = 0; k < 4; k++) {
			if (rnd(2))
				continue;
			struct lx_asset_pos *p = &ps[np + a->n_pos];
			memset(p, 0, sizeof(*p));
			p->asset = k;
			lx_u256_from_u64(&p->supplied, rnd(3) ? rnd(4000) : 0);
			lx_u256_from_u64(&p->borrowed, rnd(2) ? rnd(3000) : 0);
			p->collateral = rnd(5) != 0;
			p->liq_threshold_bps = (uint16_t)(em && (k == 1 || k == 2) ? 9700 : 5000 + rnd(4000));
			p->price = as[k].price;
			if (em && (k == 1 || k == 2)) {
				p->feed = 1;
				p->price = fd[0].price;
			}
			a->n_pos++;
		}
		if (!a->n_pos)
			continue;
		assert_int_equal(lx_model_health(&a->health, &mv, a, NULL), 0);
		np += a->n_pos;
		na++;
	}
	mv.accounts = ac;
	mv.n_accounts = na;
	struct lx_liq_point *pts;
	size_t n, found = 0, nonmono = 0, undecided = 0;
	assert_int_equal(lx_risk_liq_points(&mv, &pts, &n), 0);
	assert_true(n > 100);
	for (size_t i = 0; i < n; i++) {
		const struct lx_liq_point *p = &pts[i];
		const struct lx_account_view *a = &ac[p->account];
		uint64_t now, got = 0;
		assert_int_equal(lx_u256_to_u64(&now, &p->price_now), 0);
		if (p->status == LX_LIQ_UNDECIDED) {
			/* only a directional-rounding feed that prices both sides may stay open */
			assert_true(directional && feed_prices_both(&mv, a, p->feed));
			undecided++;
			continue;
		}
		if (p->status == LX_LIQ_FOUND) {
			assert_int_equal(lx_u256_to_u64(&got, &p->price), 0);
			found++;
		}
		if (!p->rise) {
			uint64_t want = 0;
			for (uint64_t x = now; x >= 1 && !want; x--)
				if (brute_below(&mv, a, p->feed, x))
					want = x;
			assert_int_equal(got, want);
			/* HF below 1 again under a safe price: a crossing is not the answer */
			if (want)
				for (uint64_t x = want; x >= 1 && x + 300 > want; x--)
					if (!brute_below(&mv, a, p->feed, x)) {
						nonmono += x > 1;
						break;
					}
		} else {
			uint64_t want = 0;
			for (uint64_t x = now; x <= 25 * now && !want; x++)
				if (brute_below(&mv, a, p->feed, x))
					want = x;
			if (want)
				assert_int_equal(got, want);
			else
				assert_true(p->status == LX_LIQ_NONE || got > 25 * now);
		}
	}
	assert_true(found > 30);
	if (!directional)
		assert_true(nonmono > 0);
	else
		assert_true(undecided < n / 2);
	/* ladders: every level equals the set brute force finds at that level's price */
	struct lx_ladder *l;
	size_t nl;
	assert_int_equal(lx_risk_ladders(&mv, &l, &nl), 0);
	assert_true(nl >= 6);
	for (size_t k = 0; k < nl; k++)
		for (size_t lv = 0; lv < l[k].n_levels; lv++) {
			uint64_t x, cnt = 0;
			assert_int_equal(lx_u256_to_u64(&x, &l[k].price[lv]), 0);
			for (size_t i = 0; i < na; i++) {
				bool holds = false;
				for (size_t q = 0; q < ac[i].n_pos; q++) {
					const struct lx_asset_pos *p = &ac[i].pos[q];
					if (lx_model_feed_of(&mv, p) != l[k].feed)
						continue;
					holds |= l[k].rise ? !lx_u256_is_zero(&p->borrowed)
							   : p->collateral && !lx_u256_is_zero(&p->supplied);
				}
				if (holds && !lx_u256_is_zero(&ac[i].health.total_debt_base) &&
				    brute_below(&mv, &ac[i], l[k].feed, x))
					cnt++;
			}
			assert_int_equal(l[k].accounts[lv], cnt);
		}
	free(l);
	free(pts);
}

static void test_curve_bounds(void **s)
{
	(void)s;
	/* every decided interval agrees with every price in it */
	struct lx_market_view mv;
	market(&mv);
	struct lx_curve c;
	for (size_t a = 0; a < 4; a++)
		for (uint32_t f = 0; f < 3; f++) {
			assert_int_equal(lx_model_curve_init(&c, &mv, &acc[a], f), 0);
			for (int t = 0; t < 200; t++) {
				uint64_t lo = rnd(300000000000ull) + 1, hi = lo + rnd(lo);
				struct lx_u256 l, h, w, hf;
				lx_u256_from_u64(&l, lo);
				lx_u256_from_u64(&h, hi);
				lx_u256_from_u64(&w, 1000000000000000000ull);
				enum lx_curve_bound b = lx_model_curve_bound(&c, &l, &h);
				if (b == LX_CURVE_MIXED)
					continue;
				for (int q = 0; q < 50; q++) {
					struct lx_u256 x;
					lx_u256_from_u64(&x, q == 0 ? lo : q == 1 ? hi : lo + rnd(hi - lo + 1));
					assert_int_equal(lx_model_curve_hf(&c, &x, &hf), 0);
					assert_int_equal(lx_u256_cmp(&hf, &w) < 0, b == LX_CURVE_ALL_BELOW);
				}
			}
		}
	assert_int_equal(lx_model_curve_init(&c, &mv, &acc[0], 9), LX_EINVAL);
}

static void test_cascade_round1_exact(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	struct lx_shock sh = {0, -2000};
	struct lx_cascade c;
	struct lx_error e;
	assert_int_equal(lx_risk_cascade(&mv, &sh, 1, 0, &c, &e), 0);
	assert_int_equal(c.n_liq, 1);
	const struct lx_liquidation *l = &c.liq[0];
	assert_int_equal(l->account, 3);
	/* HF 0.825 ≤ 0.95: close factor 100%; debtToCover 1600e6; base collateral 1e18;
	 * ×1.05 > balance → all 1e18 seized, debt = percentDiv(1600e6, 10500) = 1523809524;
	 * bonus part 1e18 - percentDiv(1e18, 10500) = 47619047619047619, fee 10% of it */
	assert_int_equal(l->close_factor_bps, 10000);
	eq(&l->debt_repaid, "1523809524");
	eq(&l->protocol_fee, "4761904761904762");
	eq(&l->collateral_seized, "995238095238095238");
	assert_int_equal(c.n_rounds, 1);
	/* left: 76190476 of B debt with no collateral; plus account 3's 500 */
	assert_true(fabs(c.bad_debt - (76190476.0 + 500e6) * 100) < 1); /* base units: ×1e8/1e6 */
	/* sold 0.995238 A at $1600 into $10,000 per 1% → -0.159% on top of -20% */
	assert_true(c.final_move < -0.2 && c.final_move > -0.21);
	assert_true(c.amplification > 1 && c.amplification < 1.01);
	lx_cascade_release(&c);
	/* HF above 0.95 → close factor 50% */
	pos[5].borrowed = pos[5].borrowed_variable = P("1400000000"); /* HF 0.9428 → 100% */
	assert_int_equal(lx_risk_cascade(&mv, &sh, 1, 1, &c, &e), 0);
	assert_int_equal(c.liq[0].close_factor_bps, 10000);
	lx_cascade_release(&c);
	pos[5].borrowed = pos[5].borrowed_variable = P("1300000000"); /* HF 1.0154 at 1600 */
	struct lx_shock sh2 = {0, -2500};                               /* $1500: HF 0.952 */
	assert_int_equal(lx_risk_cascade(&mv, &sh2, 1, 1, &c, &e), 0);
	assert_int_equal(c.n_liq, 1);
	assert_int_equal(c.liq[0].close_factor_bps, 5000);
	eq(&c.liq[0].debt_repaid, "650000000");
	lx_cascade_release(&c);
}

static void test_empty_and_parse(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	mv.n_accounts = 0;
	struct lx_hf_report r;
	assert_int_equal(lx_risk_hf(&mv, &r), 0);
	assert_int_equal(r.n_clusters, 0);
	struct lx_leverage_summary sum;
	assert_int_equal(lx_risk_leverage(&mv, NULL, &sum), 0);
	struct lx_cascade c;
	struct lx_error e;
	struct lx_shock sh = {0, -5000};
	assert_int_equal(lx_risk_cascade(&mv, &sh, 1, 0, &c, &e), 0);
	assert_int_equal(c.n_liq, 0);
	lx_cascade_release(&c);
	struct lx_shock out[8];
	size_t n = 0;
	const char *gn[2] = {"eth", "usd"};
	uint16_t gi[2] = {1, 2};
	assert_int_equal(lx_risk_parse_shock(&mv, "a=-20%", gn, gi, 2, out, 8, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].bps, -2000);
	assert_int_equal(lx_risk_parse_shock(&mv, "group:usd=-5.5%", gn, gi, 2, out, 8, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[2].bps, -550);
	assert_int_equal(lx_risk_parse_shock(&mv, "ZZZ=-1%", gn, gi, 2, out, 8, &n, &e), LX_EUSAGE);
	assert_non_null(strstr(e.msg, "ZZZ"));
	assert_int_equal(lx_risk_parse_shock(&mv, "A=-x%", gn, gi, 2, out, 8, &n, &e), LX_EUSAGE);
	assert_int_equal(lx_risk_parse_shock(&mv, "A-20", gn, gi, 2, out, 8, &n, &e), LX_EUSAGE);
	/* not a plain decimal percentage: refused, quoting the input (NaN was once a 0 % shock) */
	static const char *const garbage[] = {"A=-nan%", "A=nan", "A=inf%", "A=-infinity",
					      "A=1e1%", "A=0x10%", "A=%", "A=", "A=-", "A=.%",
					      "A=-20%%", "A=-20 %", "A= -20%", "A=-101%", "A=1001%"};
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		lx_error_clear(&e);
		assert_int_equal(lx_risk_parse_shock(&mv, garbage[i], gn, gi, 2, out, 8, &n, &e),
				 LX_EUSAGE);
		assert_non_null(strstr(e.msg, garbage[i]));
		assert_int_equal(n, 3);
	}
	/* the same asset twice: refused, the first shock kept */
	assert_int_equal(lx_risk_parse_shock(&mv, "A=-30%", gn, gi, 2, out, 8, &n, &e), LX_EUSAGE);
	assert_non_null(strstr(e.msg, "'A=-30%'"));
	assert_non_null(strstr(e.msg, "already shocked by -20.00%"));
	assert_int_equal(n, 3);
	assert_int_equal(out[0].bps, -2000);
	assert_int_equal(lx_risk_parse_shock(&mv, "group:usd=-1%", gn, gi, 2, out, 8, &n, &e),
			 LX_EUSAGE);
	assert_int_equal(n, 3);
	/* plain forms still parse */
	n = 0;
	assert_int_equal(lx_risk_parse_shock(&mv, "A=+.5", gn, gi, 2, out, 8, &n, &e), 0);
	assert_int_equal(out[0].bps, 50);
	assert_int_equal(lx_risk_parse_shock(&mv, "group:usd=-100%", gn, gi, 2, out, 8, &n, &e), 0);
	assert_int_equal(out[1].bps, -10000);
}

/* A token the view lists in several sub-markets (Morpho Blue: once per market, each priced by
 * its own oracle) is shocked in every entry, by address or by symbol; another token sharing
 * the symbol is not. (Only the first entry moved once: a shock on a Morpho collateral left
 * every other market of that collateral at today's price.) */
static void test_shock_token_in_several_markets(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	memset(assets[0].asset.b, 0x11, sizeof(assets[0].asset.b));
	assets[2].asset = assets[0].asset;
	snprintf(assets[2].symbol, sizeof(assets[2].symbol), "A");
	memset(assets[1].asset.b, 0x22, sizeof(assets[1].asset.b));
	struct lx_shock out[8];
	size_t n = 0;
	struct lx_error e;
	assert_int_equal(lx_risk_parse_shock(&mv, "0x1111111111111111111111111111111111111111=-20%",
					     NULL, NULL, 0, out, 8, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].asset, 0);
	assert_int_equal(out[1].asset, 2);
	assert_int_equal(out[1].bps, -2000);
	n = 0;
	assert_int_equal(lx_risk_parse_shock(&mv, "a=-10%", NULL, NULL, 0, out, 8, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[1].asset, 2);
	/* the same symbol on another token: only the first match's token moves */
	memset(assets[2].asset.b, 0x33, sizeof(assets[2].asset.b));
	n = 0;
	assert_int_equal(lx_risk_parse_shock(&mv, "A=-10%", NULL, NULL, 0, out, 8, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].asset, 0);
}

/* ---- loop rounds (loops.c): one account, flows written out; A $2000 (group 1), B and C $1
 * (group 2). The account has debt (pos[0..1]) unless a case says otherwise. ---- */
static struct lx_flow lf[8];
static struct lx_flow flash[1];

static void fl(int i, uint64_t block, uint32_t log, uint8_t tx, uint8_t kind, uint32_t asset,
	       const char *amount)
{
	memset(&lf[i], 0, sizeof(lf[i]));
	lf[i].block = block;
	lf[i].log_index = log;
	lf[i].tx[0] = tx;
	lf[i].kind = kind;
	lf[i].asset = asset;
	lf[i].amount = P(amount);
}

static struct lx_loops loops_of(struct lx_market_view *mv, size_t n)
{
	struct lx_account_view a = acc[0];
	a.flows = lf;
	a.n_flows = n;
	struct lx_loops l;
	assert_int_equal(lx_risk_loops(mv, &a, NULL, &l), 0);
	return l;
}

#define ETH(x) x "000000000000000000"
#define USD6(x) x "000000"

static void test_loops(void **s)
{
	(void)s;
	struct lx_market_view mv;
	market(&mv);
	struct lx_loops l;
	/* flash-loan loop: supply 3 A before the borrow of 4000 B in one transaction */
	fl(0, 20, 1, 7, LX_FLOW_SUPPLY, 0, ETH("3"));
	fl(1, 20, 2, 7, LX_FLOW_BORROW, 1, USD6("4000"));
	l = loops_of(&mv, 2);
	assert_int_equal(l.rounds, 0); /* no flash loan in that transaction: deposit and borrow */
	memset(flash, 0, sizeof(flash));
	flash[0].block = 20;
	flash[0].log_index = 3;
	flash[0].tx[0] = 7;
	flash[0].kind = LX_FLOW_FLASH_LOAN;
	mv.market_flows = flash;
	mv.n_market_flows = 1;
	l = loops_of(&mv, 2);
	assert_int_equal(l.rounds, 1);
	assert_int_equal(l.flash, 1);
	assert_int_equal(l.directional, 1); /* USD debt against A */
	assert_int_equal(l.correlated, 0);
	assert_true(fabs(l.looped_collateral - 600000000000.0) < 1); /* 3 A = $6000 */
	flash[0].tx[0] = 8; /* a flash loan in another transaction of the block does not count */
	assert_int_equal(loops_of(&mv, 2).rounds, 0);
	mv.n_market_flows = 0;
	/* several rounds inside one call, no flash loan: borrow → supply, borrow → supply */
	fl(0, 30, 1, 9, LX_FLOW_BORROW, 0, ETH("5"));
	fl(1, 30, 2, 9, LX_FLOW_SUPPLY, 0, ETH("5"));
	fl(2, 30, 3, 9, LX_FLOW_BORROW, 0, ETH("3"));
	fl(3, 30, 4, 9, LX_FLOW_SUPPLY, 0, ETH("3"));
	l = loops_of(&mv, 4);
	assert_int_equal(l.rounds, 2);
	assert_int_equal(l.correlated, 2);
	/* window: a supply 100 blocks after the borrow pairs, 101 does not */
	fl(0, 10, 1, 1, LX_FLOW_BORROW, 1, USD6("2000"));
	fl(1, 110, 1, 2, LX_FLOW_SUPPLY, 0, ETH("1"));
	assert_int_equal(loops_of(&mv, 2).rounds, 1);
	fl(1, 111, 1, 2, LX_FLOW_SUPPLY, 0, ETH("1"));
	assert_int_equal(loops_of(&mv, 2).rounds, 0);
	/* value: 3x the borrow is fresh capital; 0.6x is the proceeds after costs */
	fl(1, 11, 1, 2, LX_FLOW_SUPPLY, 0, ETH("3"));
	assert_int_equal(loops_of(&mv, 2).rounds, 0);
	fl(1, 11, 1, 2, LX_FLOW_SUPPLY, 0, "600000000000000000");
	assert_int_equal(loops_of(&mv, 2).rounds, 1);
	/* a repaid borrow closes its round, and a repaid borrow never pairs later */
	fl(1, 11, 1, 2, LX_FLOW_SUPPLY, 2, ETH("2000"));
	fl(2, 12, 1, 3, LX_FLOW_REPAY, 1, USD6("2000"));
	l = loops_of(&mv, 3);
	assert_int_equal(l.rounds, 0);
	assert_int_equal(l.built, 1);
	fl(1, 11, 1, 2, LX_FLOW_REPAY, 1, USD6("2000"));
	fl(2, 12, 1, 3, LX_FLOW_SUPPLY, 2, ETH("2000"));
	assert_int_equal(loops_of(&mv, 3).built, 0);
	/* partial repay keeps the round open */
	fl(1, 11, 1, 2, LX_FLOW_SUPPLY, 2, ETH("2000"));
	fl(2, 12, 1, 3, LX_FLOW_REPAY, 1, USD6("1999"));
	assert_int_equal(loops_of(&mv, 3).rounds, 1);
	/* withdrawals close the most recent supply first; seized collateral likewise */
	fl(0, 10, 1, 1, LX_FLOW_SUPPLY, 0, ETH("10"));
	fl(1, 11, 1, 2, LX_FLOW_BORROW, 0, ETH("5"));
	fl(2, 12, 1, 3, LX_FLOW_SUPPLY, 0, ETH("5"));
	fl(3, 13, 1, 4, LX_FLOW_WITHDRAW, 0, ETH("1"));
	assert_int_equal(loops_of(&mv, 4).rounds, 1);
	fl(3, 13, 1, 4, LX_FLOW_WITHDRAW, 0, ETH("5"));
	assert_int_equal(loops_of(&mv, 4).rounds, 0);
	fl(3, 13, 1, 4, LX_FLOW_LIQUIDATED, 0, ETH("5"));
	assert_int_equal(loops_of(&mv, 4).rounds, 0);
	fl(3, 13, 1, 4, LX_FLOW_TRANSFER_OUT, 0, ETH("5"));
	assert_int_equal(loops_of(&mv, 4).rounds, 0);
	/* collateral seized as aTokens: the transfer to the liquidator and the LiquidationCall are
	 * one seizure (3 of the round's 5 A: still open); the treasury's fee transfer counts */
	fl(3, 13, 1, 4, LX_FLOW_TRANSFER_OUT, 0, ETH("3"));
	fl(4, 13, 2, 4, LX_FLOW_LIQUIDATED, 0, ETH("3"));
	assert_int_equal(loops_of(&mv, 5).rounds, 1);
	fl(4, 13, 2, 4, LX_FLOW_TRANSFER_OUT, 0, ETH("2"));
	fl(5, 13, 3, 4, LX_FLOW_LIQUIDATED, 0, ETH("3"));
	assert_int_equal(loops_of(&mv, 6).rounds, 0); /* 3 seized + 2 fee = the round's 5 */
	/* current exposure only: without debt today nothing is looped */
	fl(3, 13, 1, 4, LX_FLOW_TRANSFER_IN, 0, ETH("5"));
	assert_int_equal(loops_of(&mv, 4).rounds, 1);
	struct lx_u256 saved = pos[1].borrowed;
	pos[1].borrowed = P("0");
	l = loops_of(&mv, 4);
	assert_int_equal(l.rounds, 0);
	assert_int_equal(l.built, 1);
	pos[1].borrowed = saved;
	/* misuse */
	assert_int_equal(lx_risk_loops(NULL, &acc[0], NULL, &l), LX_EINVAL);
	assert_int_equal(lx_risk_loops(&mv, NULL, NULL, &l), LX_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_leverage_and_depth),
		cmocka_unit_test(test_leverage_by_entity),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_bands_ties),
		cmocka_unit_test(test_liquidation_price),
		cmocka_unit_test(test_ladders),
		cmocka_unit_test_prestate(test_exact_random, (void *)&method_v3),
		cmocka_unit_test_prestate(test_exact_random, (void *)&method_v35),
		cmocka_unit_test_prestate(test_exact_random, (void *)&method_v36),
		cmocka_unit_test(test_curve_bounds),
		cmocka_unit_test(test_cascade_round1_exact),
		cmocka_unit_test(test_empty_and_parse),
		cmocka_unit_test(test_shock_token_in_several_markets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
