/*
 * test_cascade.c: the cascade's rounds (indexer/risk/cascade.c) on a small market: shocks of one
 * asset compound; bad debt is split into what was there before the shock and what the cascade
 * created; an account still below HF 1 is liquidated again in the same round; a gas cost above
 * the bonus leaves the account unliquidated with reason "gas"; the DEX model's oracle moves only
 * past its feed's deviation threshold (a threshold no sale reaches stops at round 1).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/dex.h"
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

/* A: 18 decimals $2000 (LT 82.5 %, bonus 5 %, fee 10 %); B: 6 decimals $1 */
static struct lx_asset_info as[2];
static struct lx_asset_pos pos[8];
static struct lx_account_view acc[4];
static struct lx_market_view mv;

static struct lx_asset_pos mk(uint32_t a, const char *sup, const char *bor)
{
	struct lx_asset_pos p;
	memset(&p, 0, sizeof(p));
	p.asset = a;
	p.supplied = P(sup);
	p.borrowed = p.borrowed_variable = P(bor);
	p.collateral = !lx_u256_is_zero(&p.supplied);
	p.ltv_bps = 8000;
	p.liq_threshold_bps = 8250;
	p.liq_bonus_bps = 10500;
	p.price = as[a].price;
	return p;
}

static void market(void)
{
	memset(&mv, 0, sizeof(mv));
	memset(as, 0, sizeof(as));
	as[0].decimals = 18;
	as[0].price = P("200000000000");
	as[0].liq_protocol_fee_bps = 1000;
	as[0].total_supplied = P("100000000000000000000");
	snprintf(as[0].symbol, sizeof(as[0].symbol), "A");
	as[1].decimals = 6;
	as[1].price = P("100000000");
	snprintf(as[1].symbol, sizeof(as[1].symbol), "B");
	mv.ops = &lx_aave_v3_market_ops;
	mv.health_method = LX_HEALTH_AAVE_V3;
	mv.base_decimals = 8;
	mv.rules.default_close_factor_bps = 5000;
	mv.rules.max_close_factor_bps = 10000;
	mv.rules.full_close_hf = P("950000000000000000");
	mv.assets = as;
	mv.n_assets = 2;
	/* 0: 1 A against 1600 B (HF 1.03); 1: 10 A against 12000 B (HF 1.375); 2: 500 B debt and
	 * nothing else (bad debt before any shock); 3: 4 A against 6300 B (HF 1.0476) */
	pos[0] = mk(0, "1000000000000000000", "0");
	pos[1] = mk(1, "0", "1600000000");
	pos[2] = mk(0, "10000000000000000000", "0");
	pos[3] = mk(1, "0", "12000000000");
	pos[4] = mk(1, "0", "500000000");
	pos[5] = mk(0, "4000000000000000000", "0");
	pos[6] = mk(1, "0", "6300000000");
	acc[0] = (struct lx_account_view){.n_pos = 2, .pos = &pos[0]};
	acc[1] = (struct lx_account_view){.n_pos = 2, .pos = &pos[2]};
	acc[2] = (struct lx_account_view){.n_pos = 1, .pos = &pos[4]};
	acc[3] = (struct lx_account_view){.n_pos = 2, .pos = &pos[5]};
	mv.accounts = acc;
	mv.n_accounts = 4;
}

static void test_compound_and_bad_debt(void **s)
{
	(void)s;
	market();
	struct lx_shock sh[2] = {{0, -1000}, {0, -1000}};
	struct lx_cascade c;
	struct lx_error e;
	struct lx_cascade_opts o;
	memset(&o, 0, sizeof(o));
	o.max_rounds = 1;
	assert_int_equal(lx_risk_cascade_run(&mv, sh, 2, &o, &c, &e), 0);
	/* -10 % twice: $1620, not $1800 */
	eq(&c.rounds[0].oracle[0], "162000000000");
	assert_int_equal((int)c.n_shocked, 1);
	assert_true(fabs(c.shocked[0].initial_move + 0.19) < 1e-12);
	/* the 500 B of account 2 were bad before the shock */
	assert_true(fabs(c.bad_debt_before - 500e8) < 1);
	/* account 0 (HF 0.835) loses all its collateral and keeps 1600 - 1523.809524 B... */
	bool zero = false;
	for (size_t i = 0; i < c.n_liq; i++)
		zero |= c.liq[i].account == 0;
	assert_true(zero);
	assert_true(c.bad_debt_created > 0 && c.bad_debt > c.bad_debt_before);
	assert_true(fabs(c.bad_debt - c.bad_debt_before - c.bad_debt_created) < 1);
	lx_cascade_release(&c);
}

/* a pool with no liquidity: a view whose figure is exact (available_exact, Aave V4's Hubs)
 * pays the liquidator in supply shares; one that does not know it takes it as unlimited */
static void test_no_liquidity(void **s)
{
	(void)s;
	for (int exact = 0; exact < 2; exact++) {
		market();
		mv.available_exact = exact;
		struct lx_shock sh[1] = {{0, -1500}};
		struct lx_cascade c;
		struct lx_error e;
		struct lx_cascade_opts o;
		memset(&o, 0, sizeof(o));
		o.max_rounds = 1;
		assert_int_equal(lx_risk_cascade_run(&mv, sh, 1, &o, &c, &e), 0);
		assert_true(c.n_liq > 0);
		for (size_t i = 0; i < c.n_liq; i++)
			assert_int_equal(c.liq[i].receive_atoken, exact);
		lx_cascade_release(&c);
	}
}

static void test_again_in_round_and_gas(void **s)
{
	(void)s;
	/* -15 %: account 3 goes to HF 0.8905 (100 %: repaid whole); account 0 to HF 0.877 */
	market();
	struct lx_shock sh = {0, -1500};
	struct lx_cascade c;
	struct lx_error e;
	struct lx_cascade_opts o;
	memset(&o, 0, sizeof(o));
	o.max_rounds = 1;
	assert_int_equal(lx_risk_cascade_run(&mv, &sh, 1, &o, &c, &e), 0);
	assert_true(c.n_liq >= 2);
	/* liquidations of one account in one round are numbered */
	for (size_t i = 0; i < c.n_liq; i++)
		assert_true(c.liq[i].seq >= 1);
	lx_cascade_release(&c);
	/* 50 % close factor on a position whose liquidation lowers HF (LT 97 %, bonus 1 %: HF
	 * after = 2 HF - 0.9797): at HF 0.97 the account is liquidated again in the same round
	 * (0.97 → 0.96 → 0.94, the last at 100 %) */
	market();
	pos[5] = mk(0, "1000000000000000000", "0");
	pos[5].ltv_bps = 9000;
	pos[5].liq_threshold_bps = 9700;
	pos[5].liq_bonus_bps = 10100;
	pos[6] = mk(1, "0", "2000000000");
	struct lx_shock none = {0, 0};
	assert_int_equal(lx_risk_cascade_run(&mv, &none, 1, &o, &c, &e), 0);
	unsigned seq = 0;
	for (size_t i = 0; i < c.n_liq; i++)
		if (c.liq[i].account == 3 && c.liq[i].seq > seq)
			seq = c.liq[i].seq;
	assert_true(seq >= 3);
	assert_int_equal(c.liq[0].close_factor_bps, 5000);
	assert_int_equal(c.liq[c.n_liq - 1].close_factor_bps, 10000);
	lx_cascade_release(&c);
	/* a gas cost above any bonus: nobody is liquidated, both listed with reason gas */
	market();
	o.gas_cost_base = 1e12; /* $10,000 */
	assert_int_equal(lx_risk_cascade_run(&mv, &sh, 1, &o, &c, &e), 0);
	assert_int_equal((int)c.n_liq, 0);
	size_t gas = 0, nocoll = 0;
	for (size_t i = 0; i < c.n_unliq; i++) {
		gas += c.unliq[i].reason == LX_UNLIQ_GAS;
		nocoll += c.unliq[i].reason == LX_UNLIQ_NO_COLLATERAL;
		if (c.unliq[i].reason == LX_UNLIQ_GAS)
			assert_true(c.unliq[i].profit > 0 && c.unliq[i].profit < 1e12);
	}
	assert_int_equal((int)gas, 2);
	assert_int_equal((int)nocoll, 1); /* account 2 */
	lx_cascade_release(&c);
}

static void test_dex_threshold(void **s)
{
	(void)s;
	market();
	struct lx_dex *d;
	assert_int_equal(lx_dex_create(&d, 2), 0);
	/* A/B pool at A = $2000: sqrtP for 2000e6 B per 1e18 A, liquidity in [-887220, 887220] */
	struct lx_uv3_pool p;
	memset(&p, 0, sizeof(p));
	p.fee = 3000;
	p.tick_spacing = 60;
	/* tick of 2000e6 / 1e18: ln(2e-9) / ln(1.0001) = -200313 */
	assert_int_equal(lx_uv3_sqrt_at_tick(&p.sqrt_price, -200313), 0);
	p.tick = -200313;
	p.liquidity = (unsigned __int128)1000000000000000ull;
	struct lx_uv3_tick tk[2] = {{-887220, (__int128)1000000000000000ll},
				    {887220, -(__int128)1000000000000000ll}};
	p.ticks = tk;
	p.n_ticks = 2;
	assert_int_equal(lx_dex_add_pool(d, 0, 1, true, &p), 0);
	struct lx_dex_feed f = {10000, 3600}; /* the oracle moves only on a 100 % deviation */
	lx_dex_set_feed(d, 0, &f);
	struct lx_shock sh = {0, -1500};
	struct lx_cascade c;
	struct lx_error e;
	struct lx_cascade_opts o;
	memset(&o, 0, sizeof(o));
	o.dex = d;
	assert_int_equal(lx_risk_cascade_run(&mv, &sh, 1, &o, &c, &e), 0);
	assert_int_equal((int)c.n_rounds, 1);
	assert_true(c.fixed_point);
	/* the shock's arbitrage swap and round 1's sale were recorded; the sale moved the market
	 * but not the oracle */
	assert_true(c.n_swaps >= 2);
	assert_int_equal((int)c.swaps[0].round, 0);
	assert_true(lx_u256_cmp(&c.rounds[0].market[0], &c.rounds[0].oracle[0]) < 0);
	assert_true(c.rounds[0].slippage > 0);
	lx_cascade_release(&c);
	/* with a 0.5 % threshold the sale does move the oracle: a second round is tried */
	f.deviation_bps = 50;
	lx_dex_set_feed(d, 0, &f);
	assert_int_equal(lx_risk_cascade_run(&mv, &sh, 1, &o, &c, &e), 0);
	assert_true(lx_u256_cmp(&c.rounds[0].market[0], &c.rounds[0].oracle[0]) < 0);
	lx_cascade_release(&c);
	lx_dex_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compound_and_bad_debt),
		cmocka_unit_test(test_no_liquidity), cmocka_unit_test(test_again_in_round_and_gas),
		cmocka_unit_test(test_dex_threshold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
