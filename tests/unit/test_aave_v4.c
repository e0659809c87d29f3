/*
 * test_aave_v4.c: Aave V4's market operations against liquidations a devnet executed
 * (fixtures/aave_v4/liquidations.json, written by tests/devnet/aave_v4.js fixture: for each
 * liquidationCall of the scenario, lendex's view of the account at that block's time and the
 * Spoke's LiquidationCall). The view rebuilt from the fixture must give the account data the
 * view printed; the liquidation operation must repay, seize and charge exactly what the Spoke did
 * (debt restored, drawn shares, premium, collateral removed, collateral shares, fee shares) and
 * refuse where the Spoke would. Plus the event table's strict reader and the bonus curve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../indexer/proto/aave_v4/v4.h"
#include "lendex/aave_v4.h"
#include "lendex/model.h"

static struct lx_u256 num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	struct lx_u256 r = {{0}};
	if (json_is_integer(v)) {
		lx_u256_from_u64(&r, (uint64_t)json_integer_value(v));
		return r;
	}
	const char *s = json_string_value(v);
	assert_non_null(s);
	assert_int_equal(lx_u256_parse(&r, s, strlen(s)), 0);
	return r;
}

static uint64_t small(json_t *o, const char *k)
{
	struct lx_u256 v = num(o, k);
	return v.w[0];
}

static void assert_u256(const struct lx_u256 *want, const struct lx_u256 *got, const char *what,
			size_t i)
{
	if (!lx_u256_eq(want, got)) {
		char a[80], b[80];
		lx_u256_to_dec(a, sizeof(a), want);
		lx_u256_to_dec(b, sizeof(b), got);
		fail_msg("liquidation %zu %s: chain %s lendex %s", i, what, a, b);
	}
}

/* the market view of one account in one Spoke, as `position --json` printed it */
struct fx {
	struct lx_market_view mv;
	struct lx_asset_info assets[16];
	struct lx_asset_pos pos[16];
	struct lx_account_view acct;
	size_t ci, di;
};

static int asset_of(struct fx *f, uint32_t reserve)
{
	for (size_t i = 0; i < f->mv.n_assets; i++)
		if (f->assets[i].reserve_id == reserve)
			return (int)i;
	return -1;
}

static void build(struct fx *f, json_t *l)
{
	memset(f, 0, sizeof(*f));
	json_t *m = json_object_get(l, "account");
	assert_non_null(m);
	f->mv.ops = &lx_aave_v4_market_ops;
	f->mv.protocol = LX_PROTO_AAVE_V4;
	f->mv.base_decimals = 26;
	f->mv.assets = f->assets;
	json_t *rs = json_object_get(m, "reserves"), *r;
	size_t i;
	json_array_foreach(rs, i, r) {
		assert_true(i < 16);
		struct lx_asset_info *a = &f->assets[i];
		a->reserve_id = (uint32_t)small(r, "reserveId");
		a->decimals = (uint8_t)small(r, "decimals");
		a->price = num(r, "price");
		a->collateral_risk_bps = (uint16_t)small(r, "collateralRisk");
		a->borrow_index = num(r, "drawnIndex");
		a->hub_added_assets = num(r, "hubAddedAssets");
		a->hub_added_shares = num(r, "hubAddedShares");
		a->target_hf = num(r, "targetHealthFactor");
		a->hf_for_max_bonus = num(r, "healthFactorForMaxBonus");
		a->bonus_factor_bps = (uint16_t)small(r, "liquidationBonusFactor");
		f->mv.n_assets++;
	}
	json_t *ps = json_object_get(m, "positions"), *p;
	f->acct.pos = f->pos;
	f->ci = f->di = SIZE_MAX;
	json_array_foreach(ps, i, p) {
		assert_true(i < 16);
		struct lx_asset_pos *x = &f->pos[i];
		uint32_t rid = (uint32_t)small(p, "reserveId");
		int ai = asset_of(f, rid);
		assert_true(ai >= 0);
		x->asset = (uint32_t)ai;
		x->supplied = num(p, "supplied");
		x->scaled_supplied = num(p, "suppliedShares");
		x->scaled_variable = num(p, "drawnShares");
		x->borrowed_variable = num(p, "drawnDebt");
		struct lx_u256 pr = num(p, "premiumDebt");
		lx_u256_add(&x->borrowed, &x->borrowed_variable, &pr);
		x->premium_ray = num(p, "premiumDebtRay");
		x->collateral = json_is_true(json_object_get(p, "collateral"));
		x->liq_threshold_bps = x->ltv_bps = (uint16_t)small(p, "collateralFactor");
		x->liq_bonus_bps = (uint16_t)small(p, "maxLiquidationBonus");
		x->liq_fee_bps = (uint16_t)small(p, "liquidationFee");
		x->price = num(p, "price");
		if (rid == small(l, "collateralReserveId"))
			f->ci = i;
		if (rid == small(l, "debtReserveId"))
			f->di = i;
		f->acct.n_pos++;
	}
	f->mv.n_accounts = 1;
	f->mv.accounts = &f->acct;
}

static json_t *load(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/fixtures/aave_v4/liquidations.json", LX_SOURCE_DIR);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		fail_msg("%s: %s", path, je.text);
	return root;
}

static void test_account_data(void **state)
{
	(void)state;
	json_t *root = load(), *l;
	size_t i;
	json_array_foreach(json_object_get(root, "liquidations"), i, l) {
		struct fx f;
		build(&f, l);
		json_t *m = json_object_get(l, "account");
		struct lx_aave_v4_account d;
		assert_int_equal(lx_aave_v4_account_data(&d, &f.mv, &f.acct, NULL), 0);
		struct lx_u256 w;
		w = num(m, "healthFactor");
		assert_u256(&w, &d.health_factor, "healthFactor", i);
		w = num(m, "riskPremium");
		assert_u256(&w, &d.risk_premium, "riskPremium", i);
		w = num(m, "totalDebtValueRay");
		assert_u256(&w, &d.total_debt_value_ray, "totalDebtValueRay", i);
		w = num(m, "totalCollateralValue");
		assert_u256(&w, &d.total_collateral_value, "totalCollateralValue", i);
		w = num(m, "avgCollateralFactor");
		assert_u256(&w, &d.avg_collateral_factor, "avgCollateralFactor", i);
		/* every fixture account was liquidated: HF < 1 */
		struct lx_u256 one;
		lx_u256_pow10(&one, 18);
		assert_true(lx_u256_cmp(&d.health_factor, &one) < 0);
	}
	json_decref(root);
}

static void test_liquidations(void **state)
{
	(void)state;
	json_t *root = load(), *l;
	size_t i, n_full = 0, n_partial = 0, n_deficit = 0;
	json_array_foreach(json_object_get(root, "liquidations"), i, l) {
		struct fx f;
		build(&f, l);
		assert_true(f.ci != SIZE_MAX && f.di != SIZE_MAX);
		json_t *ev = json_object_get(l, "event");
		struct lx_u256 cover = num(l, "debtToCover"), max;
		lx_u256_max(&max);
		struct lx_u256 shares0 = f.pos[f.ci].scaled_supplied, drawn0 = f.pos[f.di].scaled_variable,
			       prem0 = f.pos[f.di].premium_ray;
		const struct lx_asset_info *c = &f.assets[f.pos[f.ci].asset];
		struct lx_liq_result r;
		enum lx_liq_refusal why;
		/* what the Spoke would do, first without touching the account */
		assert_int_equal(lx_model_liquidate(&r, &why, &f.mv, &f.acct, f.ci, f.di, &cover, NULL,
						    false),
				 0);
		assert_int_equal(why, LX_LIQ_OK);
		assert_u256(&shares0, &f.pos[f.ci].scaled_supplied, "untouched without apply", i);
		assert_int_equal(lx_model_liquidate(&r, &why, &f.mv, &f.acct, f.ci, f.di, &cover, NULL,
						    true),
				 0);
		struct lx_u256 w, got;
		w = num(ev, "debtAmountRestored");
		assert_u256(&w, &r.debt_repaid, "debtAmountRestored", i);
		w = num(ev, "collateralAmountRemoved");
		assert_u256(&w, &r.collateral_seized, "collateralAmountRemoved", i);
		w = num(ev, "collateralSharesLiquidated");
		lx_u256_sub(&got, &shares0, &f.pos[f.ci].scaled_supplied);
		assert_u256(&w, &got, "collateralSharesLiquidated", i);
		w = num(ev, "drawnSharesLiquidated");
		lx_u256_sub(&got, &drawn0, &f.pos[f.di].scaled_variable);
		bool deficit = !lx_u256_is_zero(&r.deficit_base);
		if (!deficit)
			assert_u256(&w, &got, "drawnSharesLiquidated", i);
		w = num(ev, "premiumRayRestored");
		lx_u256_sub(&got, &prem0, &f.pos[f.di].premium_ray);
		if (!deficit)
			assert_u256(&w, &got, "premium restored", i);
		/* the fee: shares the liquidator did not get, valued as the Hub values them */
		struct lx_u256 fee_sh, to_liq = num(ev, "collateralSharesToLiquidator"), fee_assets;
		w = num(ev, "collateralSharesLiquidated");
		lx_u256_sub(&fee_sh, &w, &to_liq);
		assert_int_equal(v4_shares_to_assets(&fee_assets, &fee_sh, &c->hub_added_assets,
						     &c->hub_added_shares, false),
				 0);
		assert_u256(&fee_assets, &r.protocol_fee, "fee", i);
		if (lx_u256_eq(&cover, &max))
			n_full++;
		else
			n_partial++;
		n_deficit += deficit;
	}
	assert_true(n_full > 0 && n_partial > 0);
	(void)n_deficit;
	json_decref(root);
}

/*
 * A liquidation applied in a cascade round moves the Hub assets it touches, in every entry on
 * the same Hub asset (a second Spoke's reserve here): the collateral's Hub burns
 * toAddedSharesUp(amount paid) and pays it out of its liquidity; the debt's Hub owes
 * drawnShares * index + premium less and holds what was restored.
 */
static void test_hub_moves(void **state)
{
	(void)state;
	json_t *root = load(), *l;
	size_t i, n = 0;
	json_array_foreach(json_object_get(root, "liquidations"), i, l) {
		if (json_is_true(json_object_get(l, "receiveShares")))
			continue;
		struct fx f;
		build(&f, l);
		uint32_t ca = f.pos[f.ci].asset, da = f.pos[f.di].asset, dup = (uint32_t)f.mv.n_assets;
		assert_true(dup < 16 && ca != da);
		f.assets[dup] = f.assets[ca]; /* the same Hub asset behind another Spoke */
		f.assets[dup].reserve_id = 99;
		f.mv.n_assets++;
		f.assets[ca].hub_slot = f.assets[dup].hub_slot = ca + 1;
		struct lx_u256 big, owed, rr, t, want;
		lx_u256_pow10(&big, 40);
		lx_u256_pow10(&rr, 27);
		lx_u256_mul(&owed, &f.assets[da].hub_added_assets, &rr); /* all lent out */
		f.assets[ca].available = f.assets[dup].available = big;
		f.assets[da].available = big;
		f.assets[da].hub_owed_ray = owed;
		struct lx_asset_info c0 = f.assets[ca], d0 = f.assets[da];
		json_t *ev = json_object_get(l, "event");
		struct lx_u256 cover = num(l, "debtToCover");
		struct lx_liq_result r;
		enum lx_liq_refusal why;
		assert_int_equal(lx_model_liquidate(&r, &why, &f.mv, &f.acct, f.ci, f.di, &cover,
						    &big, true),
				 0);
		assert_int_equal(why, LX_LIQ_OK);
		/* the amount paid: previewRemoveByShares(collateralSharesToLiquidator) */
		struct lx_u256 to_liq = num(ev, "collateralSharesToLiquidator"), paid, burnt;
		assert_int_equal(v4_shares_to_assets(&paid, &to_liq, &c0.hub_added_assets,
						     &c0.hub_added_shares, false),
				 0);
		assert_u256(&paid, &r.collateral_out, "collateral to the liquidator", i);
		assert_int_equal(v4_assets_to_shares(&burnt, &paid, &c0.hub_added_assets,
						     &c0.hub_added_shares, true),
				 0);
		for (uint32_t k = 0; k < 2; k++) {
			const struct lx_asset_info *x = &f.assets[k ? dup : ca];
			lx_u256_sub(&want, &c0.hub_added_assets, &paid);
			assert_u256(&want, &x->hub_added_assets, "collateral Hub assets", i);
			lx_u256_sub(&want, &c0.hub_added_shares, &burnt);
			assert_u256(&want, &x->hub_added_shares, "collateral Hub shares", i);
			lx_u256_sub(&want, &big, &paid);
			assert_u256(&want, &x->available, "collateral Hub liquidity", i);
		}
		/* the debt's Hub: owed less by drawn * index + premium, liquidity up by the restored */
		struct lx_u256 drawn = num(ev, "drawnSharesLiquidated"), prem = num(ev, "premiumRayRestored");
		bool deficit = !lx_u256_is_zero(&r.deficit_base);
		struct lx_u256 restored = num(ev, "debtAmountRestored");
		lx_u256_mul(&t, &drawn, &d0.borrow_index);
		lx_u256_add(&t, &t, &prem);
		lx_u256_sub(&want, &owed, &t);
		if (!deficit)
			assert_u256(&want, &f.assets[da].hub_owed_ray, "debt Hub owed", i);
		lx_u256_add(&want, &big, &restored);
		assert_u256(&want, &f.assets[da].available, "debt Hub liquidity", i);
		/* total added = (total - owed.fromRayUp) + restored + owed'.fromRayUp */
		struct lx_u256 o0, o1;
		v4_div_up(&o0, &owed, &rr);
		v4_div_up(&o1, &f.assets[da].hub_owed_ray, &rr);
		lx_u256_sub(&want, &d0.hub_added_assets, &o0);
		lx_u256_add(&want, &want, &restored);
		lx_u256_add(&want, &want, &o1);
		assert_u256(&want, &f.assets[da].hub_added_assets, "debt Hub assets", i);
		n++;
	}
	assert_true(n > 0);
	json_decref(root);
}

/* a cover one unit short of what the dust rule takes is refused, as MustNotLeaveDust */
static void test_dust_refusal(void **state)
{
	(void)state;
	json_t *root = load(), *l;
	size_t i, refused = 0;
	json_array_foreach(json_object_get(root, "liquidations"), i, l) {
		struct fx f;
		build(&f, l);
		struct lx_u256 one_unit, max;
		lx_u256_from_u64(&one_unit, 1);
		lx_u256_max(&max);
		struct lx_liq_result r;
		enum lx_liq_refusal why;
		/* the most the Spoke takes */
		assert_int_equal(lx_model_liquidate(&r, &why, &f.mv, &f.acct, f.ci, f.di, &max, NULL,
						    false),
				 0);
		assert_int_equal(why, LX_LIQ_OK);
		if (r.close_factor_bps != 10000 && !r.collateral_cleared)
			continue; /* the dust rule forced neither all the debt nor all the collateral */
		struct lx_u256 less;
		lx_u256_sub(&less, &r.debt_repaid, &one_unit);
		assert_int_equal(lx_model_liquidate(&r, &why, &f.mv, &f.acct, f.ci, f.di, &less, NULL,
						    false),
				 0);
		if (why == LX_LIQ_DUST)
			refused++;
	}
	assert_true(refused > 0);
	json_decref(root);
}

static void test_bonus(void **state)
{
	(void)state;
	/* README §6's devnet figure: 10425 bps at HF 0.978 (max 10700, factor 50 %, hfMax 0.9) */
	struct lx_u256 hf, hfm, b;
	lx_u256_parse(&hf, "978446468000000000", 18);
	lx_u256_parse(&hfm, "900000000000000000", 18);
	assert_int_equal(lx_aave_v4_bonus(&b, &hfm, 5000, &hf, 10700), 0);
	assert_int_equal(b.w[0], 10425);
	/* at or below hfForMaxBonus: the maximum */
	assert_int_equal(lx_aave_v4_bonus(&b, &hfm, 5000, &hfm, 10700), 0);
	assert_int_equal(b.w[0], 10700);
}

static void test_event_reader(void **state)
{
	(void)state;
	v4_events_init();
	struct lx_log lg;
	memset(&lg, 0, sizeof(lg));
	uint8_t data[64] = {0};
	lg.n_topics = 2;
	memcpy(lg.topics[0], v4_events[S_UPDATE_USER_RP].topic0, 32);
	lg.data = data;
	lg.data_len = 32;
	const struct v4_event_def *ev = v4_event_find(&lg, V4_SPOKE);
	assert_non_null(ev);
	assert_int_equal(ev->id, S_UPDATE_USER_RP);
	assert_null(v4_event_find(&lg, V4_HUB)); /* a Spoke topic from a Hub is not applied */
	struct lx_u256 w[V4_MAX_WORDS];
	struct lx_error e;
	assert_int_equal(v4_event_words(w, ev, &lg, &e), 0);
	lg.data_len = 31; /* short data */
	assert_int_equal(v4_event_words(w, ev, &lg, &e), LX_ESHORT);
	assert_non_null(strstr(e.msg, "UpdateUserRiskPremium"));
	lg.data_len = 32;
	lg.n_topics = 1; /* indexed user missing */
	assert_int_equal(v4_event_words(w, ev, &lg, &e), LX_ETOPICS);
	/* the README's topic0s (../shared/aave-v4/README.md §4) */
	static const char *const sup = "d986db228cb1fe8392c5f45ff5f2c639b7db6cbd9ca7d1fe70b2de90c2c8c961";
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", v4_events[S_SUPPLY].topic0[i]);
	assert_string_equal(hex, sup);
	static const char *const upg = "bc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b";
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", v4_upgraded_topic0[i]);
	assert_string_equal(hex, upg);
}

/* the supply-share price with the 1e6 virtual offsets, both roundings */
static void test_shares(void **state)
{
	(void)state;
	struct lx_u256 s, ta, ts, r;
	lx_u256_from_u64(&s, 1000);
	lx_u256_from_u64(&ta, 2000000);
	lx_u256_from_u64(&ts, 1000000);
	/* 1000 * (2e6 + 1e6) / (1e6 + 1e6) = 1500 exactly */
	assert_int_equal(v4_shares_to_assets(&r, &s, &ta, &ts, false), 0);
	assert_int_equal(r.w[0], 1500);
	lx_u256_from_u64(&s, 1001);
	assert_int_equal(v4_shares_to_assets(&r, &s, &ta, &ts, false), 0);
	assert_int_equal(r.w[0], 1501);
	assert_int_equal(v4_shares_to_assets(&r, &s, &ta, &ts, true), 0);
	assert_int_equal(r.w[0], 1502);
	/* premium below its offset is a revert, not a huge number */
	struct lx_u256 sh, off, idx;
	lx_u256_from_u64(&sh, 1);
	lx_u256_pow10(&idx, 27);
	lx_u256_pow10(&off, 28);
	assert_int_equal(v4_premium_ray(&r, &sh, &off, &idx), LX_EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_data), cmocka_unit_test(test_liquidations),
		cmocka_unit_test(test_hub_moves), cmocka_unit_test(test_dust_refusal),
		cmocka_unit_test(test_bonus),
		cmocka_unit_test(test_event_reader), cmocka_unit_test(test_shares),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
