/*
 * test_liquidate.c: the protocol's liquidation routine (indexer/proto/aave/liquidate.c) on cases
 * worked out from LiquidationLogic's formulas (3.0.2 and aave-v3-origin v3.3.0) with an
 * independent big-integer reference: the close factor at HF > 0.95, balances moved through the
 * indexes (a 1-wei drift raw subtraction would miss), the protocol fee clamped to the scaled
 * balance left (1 wei less than the unclamped fee), 3.3's position-wide 50 % cap, its dust rule
 * (the largest amount that leaves 1,000 base units) and deficit creation, and refusals; 3.5+
 * TokenMath's directional rounding and 3.7's liquidation rounding (a Python reference of
 * aave-v3-origin's LiquidationLogic and TokenMath), the 0-scaled burn that reverts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/aave.h"
#include "lendex/model.h"

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

/* A: 18 decimals, LT 82.5 %, bonus 5 %, fee 10 %; B: 6 decimals $1; C: 18 decimals $1 */
static struct lx_asset_info as[3];
static struct lx_asset_pos pos[4];
static struct lx_account_view acct;
static struct lx_market_view mv;

static void market(const char *price_a, bool v33)
{
	memset(as, 0, sizeof(as));
	memset(pos, 0, sizeof(pos));
	memset(&acct, 0, sizeof(acct));
	memset(&mv, 0, sizeof(mv));
	as[0].decimals = 18;
	as[0].price = P(price_a);
	as[0].liq_protocol_fee_bps = 1000;
	as[1].decimals = 6;
	as[1].price = P("100000000");
	as[2].decimals = 18;
	as[2].price = P("100000000");
	for (int k = 0; k < 3; k++) {
		as[k].liquidity_index = P("1000000000000000000000000000");
		as[k].borrow_index = P("1000000000000000000000000000");
	}
	mv.assets = as;
	mv.n_assets = 3;
	mv.ops = &lx_aave_v3_market_ops;
	mv.health_method = LX_HEALTH_AAVE_V3;
	mv.base_decimals = 8;
	mv.rules.default_close_factor_bps = 5000;
	mv.rules.max_close_factor_bps = 10000;
	mv.rules.full_close_hf = P("950000000000000000");
	if (v33) {
		mv.rules.min_base_full_close = P("200000000000");
		mv.rules.min_leftover_base = P("100000000000");
		mv.rules.position_close_factor = true;
		mv.rules.deficit = true;
	} else {
		mv.rules.stable_debt = true;
	}
	acct.pos = pos;
	mv.accounts = &acct;
	mv.n_accounts = 1;
}

static void coll(int i, const char *scaled, const char *index)
{
	pos[i].asset = 0;
	pos[i].collateral = true;
	pos[i].ltv_bps = 8000;
	pos[i].liq_threshold_bps = 8250;
	pos[i].liq_bonus_bps = 10500;
	pos[i].price = as[0].price;
	pos[i].scaled_supplied = P(scaled);
	as[0].liquidity_index = P(index);
	assert_int_equal(lx_ray_mul(&pos[i].supplied, &pos[i].scaled_supplied, &as[0].liquidity_index),
			 0);
}

static void debt(int i, uint32_t asset, const char *scaled, const char *index)
{
	pos[i].asset = asset;
	pos[i].price = as[asset].price;
	pos[i].scaled_variable = P(scaled);
	as[asset].borrow_index = P(index);
	assert_int_equal(lx_ray_mul(&pos[i].borrowed_variable, &pos[i].scaled_variable,
				    &as[asset].borrow_index),
			 0);
	pos[i].borrowed = pos[i].borrowed_variable;
}

static void test_v30_indexes(void **s)
{
	(void)s;
	/* 10 A at index 1.05, 16000 B at index 1.1; A at $1900: HF 0.9796875 → 50 % */
	market("190000000000", false);
	coll(0, "9523809523809523810", "1050000000000000000000000000");
	debt(1, 1, "14545454545", "1100000000000000000000000000");
	acct.n_pos = 2;
	eq(&pos[0].supplied, "10000000000000000001");
	eq(&pos[1].borrowed, "16000000000");
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_OK);
	eq(&r.hf_before, "979687500000000000");
	assert_int_equal(r.close_factor_bps, 5000);
	eq(&r.debt_repaid, "8000000000");
	eq(&r.collateral_seized, "4400000000000000000");
	eq(&r.protocol_fee, "21052631578947368");
	eq(&pos[1].borrowed, "16000000000"); /* apply = false leaves the account */
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, true), 0);
	/* burnt 8000e6.rayDiv(1.1) scaled: 7999999999 left, not 8000000000 */
	eq(&pos[1].borrowed, "7999999999");
	eq(&pos[0].supplied, "5578947368421052632");
	/* a smaller ask is honoured; an ask above the close factor is capped */
	market("190000000000", false);
	coll(0, "9523809523809523810", "1050000000000000000000000000");
	debt(1, 1, "14545454545", "1100000000000000000000000000");
	acct.n_pos = 2;
	struct lx_u256 ask = P("99999999999");
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, &ask, NULL, false), 0);
	eq(&r.debt_repaid, "8000000000");
	ask = P("1000000000");
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, &ask, NULL, false), 0);
	eq(&r.debt_repaid, "1000000000");
	/* the reserve cannot pay 4.4 A out: the liquidator takes aTokens */
	struct lx_u256 avail = P("1000000000000000000");
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, &avail, false), 0);
	assert_true(r.receive_atoken);
}

static void test_fee_clamp(void **s)
{
	(void)s;
	/* all of the collateral goes (A at $1000, 16000 B: HF 0.5156, 100 %); the unclamped fee
	 * 47619047619047620 is 1 wei more than the scaled balance left after seizing */
	market("100000000000", false);
	coll(0, "9999979012389916090", "1000002098765413209876541317");
	debt(1, 1, "16000000000", "1000000000000000000000000000");
	acct.n_pos = 2;
	eq(&pos[0].supplied, "10000000000000000119");
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, true), 0);
	assert_int_equal(r.close_factor_bps, 10000);
	eq(&r.debt_repaid, "9523809524");
	eq(&r.collateral_seized, "9952380952380952499");
	eq(&r.protocol_fee, "47619047619047619");
	assert_true(r.protocol_fee_clamped);
	assert_true(r.collateral_cleared);
	assert_false(pos[0].collateral);
	eq(&pos[0].scaled_supplied, "0");
	/* 3.0 leaves the rest as debt without collateral: HF 0, nothing to liquidate */
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_NO_PAIR);
}

static void test_v33_close_factor_and_dust(void **s)
{
	(void)s;
	/* 10 A at $1800 against 9000 B + 6000 C: HF 0.99; B is more than half the 15000 of debt,
	 * so at most 7500 base units of it */
	market("180000000000", true);
	coll(0, "10000000000000000000", "1000000000000000000000000000");
	debt(1, 1, "9000000000", "1000000000000000000000000000");
	debt(2, 2, "6000000000000000000000", "1000000000000000000000000000");
	acct.n_pos = 3;
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_OK);
	assert_int_equal(r.close_factor_bps, 5000);
	eq(&r.debt_repaid, "7500000000");
	eq(&r.collateral_seized, "4354166666666666666");
	eq(&r.protocol_fee, "20833333333333333");
	/* C (6000 < 7500) may be repaid whole */
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 2, NULL, NULL, false), 0);
	assert_int_equal(r.close_factor_bps, 10000);
	eq(&r.debt_repaid, "6000000000000000000000");
	/* dust: 2.7333 A against 2100 B + 2000 C (HF 0.99): the cap 2050 would leave 50 base
	 * units of B; the liquidator asks for 1100, which leaves exactly 1000 */
	market("180000000000", true);
	coll(0, "2733333333333333333", "1000000000000000000000000000");
	debt(1, 1, "2100000000", "1000000000000000000000000000");
	debt(2, 2, "2000000000000000000000", "1000000000000000000000000000");
	acct.n_pos = 3;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_OK);
	eq(&r.debt_to_cover, "1100000000");
	eq(&r.debt_repaid, "1100000000");
	eq(&r.collateral_seized, "638611111111111111");
	eq(&r.protocol_fee, "3055555555555556");
	/* an explicit ask that leaves dust reverts on chain: refused */
	struct lx_u256 ask = P("2050000000");
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, &ask, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_DUST);
}

static void test_v33_deficit(void **s)
{
	(void)s;
	/* 1 A at $1000 against 1500 B + 500 C: the seizure takes all the collateral; B's rest and
	 * all of C become deficit, the account has no debt left */
	market("100000000000", true);
	coll(0, "1000000000000000000", "1000000000000000000000000000");
	debt(1, 1, "1500000000", "1000000000000000000000000000");
	debt(2, 2, "500000000000000000000", "1000000000000000000000000000");
	acct.n_pos = 3;
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, true), 0);
	assert_int_equal(why, LX_LIQ_OK);
	eq(&r.debt_repaid, "952380952");
	eq(&r.collateral_seized, "995238095238095238");
	eq(&r.protocol_fee, "4761904761904762");
	/* 547619048 B (54761904800 base) + 500 C (50000000000 base) */
	eq(&r.deficit_base, "104761904800");
	eq(&pos[1].borrowed, "0");
	eq(&pos[2].borrowed, "0");
	assert_false(pos[0].collateral);
}

/* 3.5+ markets: balances are rayMulFloor (aToken) / rayMulCeil (debt) of the scaled units */
static void tm_market(const char *price_a, bool v37)
{
	market(price_a, true);
	mv.health_method = v37 ? LX_HEALTH_AAVE_V36 : LX_HEALTH_AAVE_V35;
	mv.rules.token_math = true;
	mv.rules.bonus_floor_fee_ceil = v37;
	mv.rules.no_collateral_scaled = v37;
}

static void mul_dir(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b, bool up)
{
	struct lx_u256 p, rem, ray, one = {{1, 0, 0, 0}};
	assert_int_equal(lx_u256_mul(&p, a, b), 0);
	assert_int_equal(lx_u256_pow10(&ray, 27), 0);
	assert_int_equal(lx_u256_divmod(r, &rem, &p, &ray), 0);
	if (up && !lx_u256_is_zero(&rem))
		lx_u256_add(r, r, &one);
}

static void tm_coll(const char *scaled, const char *index)
{
	coll(0, scaled, index);
	mul_dir(&pos[0].supplied, &pos[0].scaled_supplied, &as[0].liquidity_index, false);
}

static void tm_debt(const char *scaled, const char *index)
{
	debt(1, 1, scaled, index);
	mul_dir(&pos[1].borrowed_variable, &pos[1].scaled_variable, &as[1].borrow_index, true);
	pos[1].borrowed = pos[1].borrowed_variable;
}

static void test_token_math_partial(void **s)
{
	(void)s;
	/* 10 A at index 1.05+7e-27, 16000 B at 1.1+3e-27 (read back 16000.000001... ceil); A at
	 * $1900: 50 % of the debt. 3.7: collateral floor(base * 1.05), bonus part amount -
	 * floor(amount / 1.05), fee ceil; the debt burn floors its scaled units, the collateral
	 * burn and the fee transfer ceil theirs (values from a Python reference of LiquidationLogic
	 * and TokenMath at aave-v3-origin 3.7; 3.0's rules give 4.4e18, 21052631578947368,
	 * 7999999999 and 5578947368421052632 on the same account) */
	tm_market("190000000000", true);
	tm_coll("9523809523809523810", "1050000000000000000000000007");
	tm_debt("14545454545", "1100000000000000000000000003");
	acct.n_pos = 2;
	eq(&pos[0].supplied, "10000000000000000000");
	eq(&pos[1].borrowed, "16000000000");
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, true), 0);
	assert_int_equal(why, LX_LIQ_OK);
	assert_int_equal(r.close_factor_bps, 5000);
	eq(&r.debt_repaid, "8000000000");
	eq(&r.collateral_seized, "4399999999999999999");
	eq(&r.protocol_fee, "21052631578947369");
	assert_false(r.protocol_fee_clamped);
	eq(&pos[1].scaled_variable, "7272727273");
	eq(&pos[1].borrowed, "8000000001");
	eq(&pos[0].scaled_supplied, "5313283208020050125");
	eq(&pos[0].supplied, "5578947368421052631");
	assert_true(pos[0].collateral);
}

static void test_token_math_all_seized(void **s)
{
	(void)s;
	/* the same account with A at $1200: all of A goes; 3.5 and 3.7 differ by a wei in the
	 * collateral and the fee, and both fees are 1 wei above what the scaled balance left after
	 * the seizure is worth: clamped to it */
	const char *coll37[] = {"9952380952380952381", "9952380952380952380"};
	const char *fee37[] = {"47619047619047618", "47619047619047619"};
	for (int v37 = 0; v37 < 2; v37++) {
		tm_market("120000000000", v37);
		tm_coll("9523809523809523810", "1050000000000000000000000007");
		tm_debt("14545454545", "1100000000000000000000000003");
		acct.n_pos = 2;
		struct lx_liq_result r;
		enum lx_liq_refusal why;
		assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, true), 0);
		assert_int_equal(why, LX_LIQ_OK);
		assert_int_equal(r.close_factor_bps, 10000);
		eq(&r.debt_repaid, "11428571429"); /* percentDivCeil */
		eq(&r.collateral_seized, coll37[v37]);
		eq(&r.protocol_fee, fee37[v37]);
		assert_true(r.protocol_fee_clamped);
		assert_true(r.collateral_cleared);
		eq(&pos[0].scaled_supplied, "0");
		eq(&pos[0].supplied, "0");
		/* no collateral left: the rest of the debt is deficit */
		eq(&pos[1].borrowed, "0");
		eq(&r.deficit_base, "457142857100");
	}
}

static void test_token_math_zero_burn(void **s)
{
	(void)s;
	/* 1 wei of debt at a borrow index above 1 ray burns floor(1e27 / 1.1e27) = 0 scaled
	 * units: the debt token reverts (InvalidBurnAmount), so the model refuses */
	tm_market("190000000000", false);
	mv.rules.min_leftover_base = P("0");
	tm_coll("9523809523809523810", "1050000000000000000000000007");
	tm_debt("14545454545", "1100000000000000000000000003");
	acct.n_pos = 2;
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	struct lx_u256 one = P("1");
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, &one, NULL, true), 0);
	assert_int_equal(why, LX_LIQ_NO_PAIR);
	eq(&pos[1].borrowed, "16000000000");
	struct lx_u256 two = P("2");
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, &two, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_OK);
}

static void test_refusals(void **s)
{
	(void)s;
	market("200000000000", false);
	coll(0, "10000000000000000000", "1000000000000000000000000000");
	debt(1, 1, "16000000000", "1000000000000000000000000000");
	acct.n_pos = 2;
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	/* HF 1.03125 */
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_HEALTHY);
	eq(&r.debt_repaid, "0");
	/* the pair the wrong way round, a bad index, an unknown method */
	market("100000000000", false);
	coll(0, "10000000000000000000", "1000000000000000000000000000");
	debt(1, 1, "16000000000", "1000000000000000000000000000");
	acct.n_pos = 2;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 1, 0, NULL, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_NO_PAIR);
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 5, NULL, NULL, false), LX_EINVAL);
	/* asking to cover nothing: the debt token's burn of 0 reverts */
	struct lx_u256 zero = {{0}};
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, &zero, NULL, false), 0);
	assert_int_equal(why, LX_LIQ_NO_PAIR);
	mv.rules.not_reproduced = "not yet";
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), LX_EINVAL);
	mv.rules.not_reproduced = NULL;
	/* a market without operations (or without a liquidate op) is refused, not guessed */
	struct lx_health h;
	mv.ops = NULL;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), LX_EINVAL);
	assert_int_equal(lx_model_health(&h, &mv, &acct, NULL), LX_EINVAL);
	const struct lx_market_ops health_only = {.name = "health_only",
						  .health = lx_aave_v3_market_ops.health};
	mv.ops = &health_only;
	assert_int_equal(lx_model_health(&h, &mv, &acct, NULL), 0);
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), LX_EINVAL);
	assert_int_equal(why, LX_LIQ_NO_PAIR);
	mv.ops = &lx_aave_v3_market_ops;
	mv.health_method = 99;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &acct, 0, 1, NULL, NULL, false), LX_EINVAL);
	assert_int_equal(lx_model_health(&h, &mv, &acct, NULL), LX_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v30_indexes),
		cmocka_unit_test(test_fee_clamp),
		cmocka_unit_test(test_v33_close_factor_and_dust),
		cmocka_unit_test(test_v33_deficit),
		cmocka_unit_test(test_token_math_partial),
		cmocka_unit_test(test_token_math_all_seized),
		cmocka_unit_test(test_token_math_zero_burn),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
