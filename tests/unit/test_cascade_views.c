/*
 * test_cascade_views.c: one cascade over several markets (lx_risk_cascade_views, issue 11): a
 * shock on a token moves every market that lists it in the same round; a liquidation in one
 * market sells collateral that moves the token's price for all of them, so an account of a
 * second market that the shock alone leaves healthy is liquidated in the next round; one market
 * alone gives exactly lx_risk_cascade_run's result; a market whose liquidation is not modelled
 * sits out with the reason.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* W: 18 decimals $2000 (token 0x..01); S: 6 decimals $1 (0x..02); X: only in market B */
struct mkt {
	struct lx_market_view mv;
	struct lx_asset_info as[3];
	struct lx_asset_pos pos[8];
	struct lx_account_view acc[4];
};

static struct lx_asset_pos mk(const struct mkt *m, uint32_t a, const char *sup, const char *bor)
{
	struct lx_asset_pos p;
	memset(&p, 0, sizeof(p));
	p.asset = a;
	p.supplied = P(sup);
	p.borrowed = p.borrowed_variable = P(bor);
	p.collateral = !lx_u256_is_zero(&p.supplied);
	p.ltv_bps = 7500;
	p.liq_threshold_bps = 8000;
	p.liq_bonus_bps = 10500;
	p.price = m->as[a].price;
	return p;
}

static void market(struct mkt *m, const char *name, bool with_x)
{
	memset(m, 0, sizeof(*m));
	struct lx_asset_info *as = m->as;
	as[0].asset.b[19] = 1;
	as[0].decimals = 18;
	as[0].price = P("200000000000");
	as[0].depth_base_per_pct = 100e8; /* $100 of sales per 1 % */
	snprintf(as[0].symbol, sizeof(as[0].symbol), "W");
	as[1].asset.b[19] = 2;
	as[1].decimals = 6;
	as[1].price = P("100000000");
	snprintf(as[1].symbol, sizeof(as[1].symbol), "S");
	as[2].asset.b[19] = 3;
	as[2].decimals = 18;
	as[2].price = P("100000000");
	snprintf(as[2].symbol, sizeof(as[2].symbol), "X");
	struct lx_market_view *mv = &m->mv;
	snprintf(mv->name, sizeof(mv->name), "%s", name);
	snprintf(mv->base, sizeof(mv->base), "USD");
	mv->chain_id = 1;
	mv->ops = &lx_aave_v3_market_ops;
	mv->health_method = LX_HEALTH_AAVE_V3;
	mv->base_decimals = 8;
	mv->rules.default_close_factor_bps = 5000;
	mv->rules.max_close_factor_bps = 10000;
	mv->rules.full_close_hf = P("950000000000000000");
	mv->assets = as;
	mv->n_assets = with_x ? 3 : 2;
	mv->accounts = m->acc;
}

static struct mkt A, B;

/*
 * A: 1 W against 1500 S (HF 1.0667; at -10 %: 0.96).
 * B: 1 W against 1400 S (HF 1.1429; at -10 %: 1.0286, healthy), and 0.1 W against 150 S
 * (as A's account, ten times smaller: B's own sale moves W by under 1 %, A's by about 8 %).
 */
static void markets(void)
{
	market(&A, "market-a", false);
	A.pos[0] = mk(&A, 0, "1000000000000000000", "0");
	A.pos[1] = mk(&A, 1, "0", "1500000000");
	A.acc[0] = (struct lx_account_view){.n_pos = 2, .pos = &A.pos[0]};
	A.mv.n_accounts = 1;
	market(&B, "market-b", true);
	B.pos[0] = mk(&B, 0, "1000000000000000000", "0");
	B.pos[1] = mk(&B, 1, "0", "1400000000");
	B.pos[2] = mk(&B, 0, "100000000000000000", "0");
	B.pos[3] = mk(&B, 1, "0", "150000000");
	B.acc[0] = (struct lx_account_view){.n_pos = 2, .pos = &B.pos[0]};
	B.acc[1] = (struct lx_account_view){.n_pos = 2, .pos = &B.pos[2]};
	B.mv.n_accounts = 2;
}

static size_t liquidated(const struct lx_cascade *c, size_t account, size_t round)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_liq; i++)
		n += c->liq[i].account == account && c->liq[i].round == round;
	return n;
}

static void test_shared_token(void **s)
{
	(void)s;
	markets();
	struct lx_error e;
	struct lx_token_shock sh = {.chain_id = 1, .bps = -1000};
	sh.token.b[19] = 1; /* W */
	/* B alone: the shock liquidates its second account only, and its own sale is too small
	 * to take the first one under, in any round */
	const struct lx_market_view *only_b[1] = {&B.mv};
	struct lx_cascade cb[1];
	assert_int_equal(lx_risk_cascade_views(only_b, 1, &sh, 1, NULL, cb, &e), 0);
	assert_true(liquidated(&cb[0], 1, 1) >= 1);
	for (size_t r = 1; r <= LX_CASCADE_MAX_ROUNDS; r++)
		assert_int_equal(liquidated(&cb[0], 0, r), 0);
	assert_true(cb[0].fixed_point);
	lx_cascade_release(&cb[0]);
	/* together: round 1 liquidates in both markets (the shock moved W in each) ... */
	const struct lx_market_view *both[2] = {&A.mv, &B.mv};
	struct lx_cascade c[2];
	assert_int_equal(lx_risk_cascade_views(both, 2, &sh, 1, NULL, c, &e), 0);
	assert_null(c[0].not_computed);
	assert_null(c[1].not_computed);
	assert_true(liquidated(&c[0], 0, 1) >= 1);
	assert_true(liquidated(&c[1], 1, 1) >= 1);
	struct lx_u256 w9 = P("180000000000");
	assert_true(lx_u256_eq(&c[0].rounds[0].oracle[0], &w9));
	assert_true(lx_u256_eq(&c[1].rounds[0].oracle[0], &w9));
	/* ... both markets' sales move W once, in both, by the product of their moves ... */
	assert_true(lx_u256_eq(&c[0].rounds[0].market[0], &c[1].rounds[0].market[0]));
	assert_true(lx_u256_cmp(&c[0].rounds[0].market[0], &w9) < 0);
	assert_true(fabs(c[0].rounds[0].price_move[0] - c[1].rounds[0].price_move[0]) < 1e-12);
	/* ... and B's first account, healthy after the shock, goes in round 2 */
	assert_int_equal(liquidated(&c[1], 0, 1), 0);
	assert_true(liquidated(&c[1], 0, 2) >= 1);
	assert_true(c[1].n_rounds >= 2 && c[0].n_rounds == c[1].n_rounds);
	/* X, listed by B alone and sold by nobody, keeps its price */
	assert_true(lx_u256_eq(&c[1].rounds[0].market[2], &B.as[2].price));
	lx_cascade_release(&c[0]);
	lx_cascade_release(&c[1]);
}

/*
 * A view that lists the shocked token twice (Morpho Blue: W the collateral of one market and
 * the loan token of another): the token shock moves both entries in round 1. (The shocks of a
 * view were sized by the number of token shocks: a second entry wrote past the end — a heap
 * overflow that killed `cascade --all-markets` on the cross devnet; ASan catches it here.)
 */
static void test_token_listed_twice(void **s)
{
	(void)s;
	markets();
	B.as[2] = B.as[0]; /* X becomes a second W entry */
	struct lx_error e;
	struct lx_token_shock sh[2] = {{.chain_id = 1, .bps = -1000}, {.chain_id = 1, .bps = 500}};
	sh[0].token.b[19] = 1; /* W */
	sh[1].token.b[19] = 2; /* S */
	const struct lx_market_view *both[2] = {&A.mv, &B.mv};
	struct lx_cascade c[2];
	assert_int_equal(lx_risk_cascade_views(both, 2, sh, 2, NULL, c, &e), 0);
	struct lx_u256 w9 = P("180000000000"), s105 = P("105000000");
	assert_true(lx_u256_eq(&c[1].rounds[0].oracle[0], &w9));
	assert_true(lx_u256_eq(&c[1].rounds[0].oracle[2], &w9));
	assert_true(lx_u256_eq(&c[1].rounds[0].oracle[1], &s105));
	assert_true(lx_u256_eq(&c[0].rounds[0].oracle[1], &s105));
	lx_cascade_release(&c[0]);
	lx_cascade_release(&c[1]);
}

/* One market through lx_risk_cascade_views is lx_risk_cascade_run. */
static void test_one_view_same_as_run(void **s)
{
	(void)s;
	markets();
	struct lx_error e;
	struct lx_token_shock ts = {.chain_id = 1, .bps = -1500};
	ts.token.b[19] = 1;
	struct lx_shock sh = {0, -1500};
	const struct lx_market_view *one[1] = {&B.mv};
	struct lx_cascade v[1], r;
	assert_int_equal(lx_risk_cascade_views(one, 1, &ts, 1, NULL, v, &e), 0);
	assert_int_equal(lx_risk_cascade_run(&B.mv, &sh, 1, NULL, &r, &e), 0);
	assert_int_equal(v[0].n_rounds, r.n_rounds);
	assert_int_equal(v[0].n_liq, r.n_liq);
	assert_true(r.n_liq >= 2);
	for (size_t i = 0; i < r.n_liq; i++) {
		assert_int_equal(v[0].liq[i].round, r.liq[i].round);
		assert_int_equal(v[0].liq[i].account, r.liq[i].account);
		assert_true(lx_u256_eq(&v[0].liq[i].debt_repaid, &r.liq[i].debt_repaid));
		assert_true(lx_u256_eq(&v[0].liq[i].collateral_seized, &r.liq[i].collateral_seized));
	}
	for (size_t k = 0; k < r.n_rounds; k++)
		for (size_t a = 0; a < B.mv.n_assets; a++) {
			assert_true(lx_u256_eq(&v[0].rounds[k].oracle[a], &r.rounds[k].oracle[a]));
			assert_true(lx_u256_eq(&v[0].rounds[k].market[a], &r.rounds[k].market[a]));
		}
	assert_true(v[0].fixed_point == r.fixed_point);
	assert_true(fabs(v[0].bad_debt_created - r.bad_debt_created) < 1e-9);
	lx_cascade_release(&v[0]);
	lx_cascade_release(&r);
}

/* A market without a liquidation op sits out, with why; the others run. */
static void test_not_modelled(void **s)
{
	(void)s;
	markets();
	const struct lx_market_ops health_only = {.name = "health_only",
						  .health = lx_aave_v3_market_ops.health};
	A.mv.ops = &health_only;
	struct lx_error e;
	struct lx_token_shock sh = {.chain_id = 1, .bps = -1000};
	sh.token.b[19] = 1;
	const struct lx_market_view *both[2] = {&A.mv, &B.mv};
	struct lx_cascade c[2];
	assert_int_equal(lx_risk_cascade_views(both, 2, &sh, 1, NULL, c, &e), 0);
	assert_non_null(c[0].not_computed);
	assert_int_equal(c[0].n_liq, 0);
	assert_null(c[1].not_computed);
	assert_true(liquidated(&c[1], 1, 1) >= 1);
	lx_cascade_release(&c[0]);
	lx_cascade_release(&c[1]);
	/* the one-market call refuses it outright, naming the market */
	struct lx_cascade r;
	struct lx_shock one = {0, -1000};
	assert_int_equal(lx_risk_cascade_run(&A.mv, &one, 1, NULL, &r, &e), LX_EINVAL);
	assert_non_null(strstr(e.msg, "market-a"));
	/* another chain's token of the same address is another token: no shock there */
	A.mv.ops = &lx_aave_v3_market_ops;
	B.mv.chain_id = 2;
	assert_int_equal(lx_risk_cascade_views(both, 2, &sh, 1, NULL, c, &e), 0);
	assert_true(c[0].n_liq >= 1);
	assert_int_equal(c[1].n_liq, 0);
	lx_cascade_release(&c[0]);
	lx_cascade_release(&c[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_token),
		cmocka_unit_test(test_token_listed_twice),
		cmocka_unit_test(test_one_view_same_as_run),
		cmocka_unit_test(test_not_modelled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
