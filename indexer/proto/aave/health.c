/*
 * health.c: Aave V2/V3's health market operation (GenericLogic.calculateUserAccountData, each
 * version's rounding), reached through lx_aave_v3_market_ops (ops.c) and lx_model_health.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/model.h"
#include "ops.h"

/*
 * method: LX_HEALTH_AAVE_V3 (<= 3.4), _V35 (3.5: debt value ceil, HF from the LT-weighted sum,
 * available borrows floored) or _V36 (3.6+: as 3.5, a flagged supply counts even with LT 0).
 */
static int aave_health(struct lx_health *h, const struct lx_market_view *mv,
		       const struct lx_account_view *a, const struct lx_u256 *prices,
		       uint32_t method)
{
	bool v35 = method != LX_HEALTH_AAVE_V3;
	bool need_lt = method != LX_HEALTH_AAVE_V36;
	struct lx_u256 coll = {{0}}, debt = {{0}}, sum_ltv = {{0}}, sum_lt = {{0}}, t, unit, b;
	int rc;
	for (size_t i = 0; i < a->n_pos; i++) {
		const struct lx_asset_pos *p = &a->pos[i];
		if (p->asset >= mv->n_assets)
			return LX_EINVAL;
		const struct lx_u256 *price = prices ? &prices[i] : &p->price;
		if ((rc = lx_u256_pow10(&unit, mv->assets[p->asset].decimals)))
			return rc;
		if (p->collateral && (p->liq_threshold_bps != 0 || !need_lt) &&
		    !lx_u256_is_zero(&p->supplied)) {
			/* balance * price / unit (the product is checked in Solidity) */
			if ((rc = lx_u256_mul(&t, &p->supplied, price)))
				return rc;
			lx_u256_div(&t, &t, &unit);
			if ((rc = lx_u256_add(&coll, &coll, &t)))
				return rc;
			if (p->ltv_bps) {
				lx_u256_from_u64(&b, p->ltv_bps);
				if ((rc = lx_u256_mul(&b, &t, &b)) ||
				    (rc = lx_u256_add(&sum_ltv, &sum_ltv, &b)))
					return rc;
			}
			lx_u256_from_u64(&b, p->liq_threshold_bps);
			if ((rc = lx_u256_mul(&b, &t, &b)) || (rc = lx_u256_add(&sum_lt, &sum_lt, &b)))
				return rc;
		}
		if (!lx_u256_is_zero(&p->borrowed)) {
			if ((rc = lx_u256_mul(&t, &p->borrowed, price)))
				return rc;
			struct lx_u256 rem;
			lx_u256_divmod(&t, &rem, &t, &unit);
			if (v35 && !lx_u256_is_zero(&rem)) { /* MathUtils.mulDivCeil */
				lx_u256_from_u64(&b, 1);
				if ((rc = lx_u256_add(&t, &t, &b)))
					return rc;
			}
			if ((rc = lx_u256_add(&debt, &debt, &t)))
				return rc;
		}
	}
	h->total_collateral_base = coll;
	h->total_debt_base = debt;
	if (lx_u256_is_zero(&coll)) {
		lx_u256_from_u64(&h->ltv_bps, 0);
		lx_u256_from_u64(&h->liq_threshold_bps, 0);
	} else {
		lx_u256_div(&h->ltv_bps, &sum_ltv, &coll);
		lx_u256_div(&h->liq_threshold_bps, &sum_lt, &coll);
	}
	if (lx_u256_is_zero(&debt)) {
		lx_u256_max(&h->health_factor);
	} else if (v35) {
		/* sum(value * LT).wadDiv(debt) / 100_00 */
		lx_u256_from_u64(&b, 10000);
		if ((rc = lx_wad_div(&t, &sum_lt, &debt)))
			return rc;
		lx_u256_div(&h->health_factor, &t, &b);
	} else {
		if ((rc = lx_percent_mul(&t, &coll, &h->liq_threshold_bps)) ||
		    (rc = lx_wad_div(&h->health_factor, &t, &debt)))
			return rc;
	}
	/* availableBorrows = percentMul(collateral, ltv) - debt, floored at 0 (3.5+: floor) */
	if (v35) {
		lx_u256_from_u64(&b, 10000);
		if ((rc = lx_u256_mul(&t, &coll, &h->ltv_bps)))
			return rc;
		lx_u256_div(&t, &t, &b);
	} else if ((rc = lx_percent_mul(&t, &coll, &h->ltv_bps))) {
		return rc;
	}
	if (lx_u256_cmp(&t, &debt) <= 0)
		lx_u256_from_u64(&h->available_borrows_base, 0);
	else
		lx_u256_sub(&h->available_borrows_base, &t, &debt);
	return 0;
}

/* Aave's health op (lx_aave_v3_market_ops): the method chosen by mv->health_method */
int lx_aave_v3_health(struct lx_health *out, const struct lx_market_view *mv,
		      const struct lx_account_view *acct, const struct lx_u256 *prices)
{
	memset(out, 0, sizeof(*out));
	switch (mv->health_method) {
	case LX_HEALTH_AAVE_V3:
	case LX_HEALTH_AAVE_V35:
	case LX_HEALTH_AAVE_V36: {
		struct lx_health h;
		memset(&h, 0, sizeof(h));
		int rc = aave_health(&h, mv, acct, prices, mv->health_method);
		if (rc)
			return rc;
		*out = h;
		return 0;
	}
	default:
		return LX_EINVAL;
	}
}
