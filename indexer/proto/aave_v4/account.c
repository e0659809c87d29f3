/*
 * account.c: Spoke.getUserAccountData from a market view (aave-v4 v0.5.11
 * Spoke._processUserAccountData, refreshConfig = false): the values, the collateral-factor
 * weighted health factor, and the live risk premium (collaterals sorted by collateral risk
 * ascending then value descending, covering the debt in that order).
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/aave_v4.h"
#include "v4.h"

struct coll {
	uint32_t risk;
	struct lx_u256 value;
};

static int by_risk_then_value(const void *x, const void *y)
{
	const struct coll *a = x, *b = y;
	if (a->risk != b->risk)
		return a->risk < b->risk ? -1 : 1;
	return -lx_u256_cmp(&a->value, &b->value);
}

int lx_aave_v4_account_data(struct lx_aave_v4_account *out, const struct lx_market_view *mv,
			    const struct lx_account_view *acct, const struct lx_u256 *prices)
{
	memset(out, 0, sizeof(*out));
	struct lx_aave_v4_account r;
	memset(&r, 0, sizeof(r));
	struct coll stack[64], *cl = stack;
	if (acct->n_pos > 64 && !(cl = calloc(acct->n_pos, sizeof(*cl))))
		return LX_ENOMEM;
	size_t n_cl = 0;
	struct lx_u256 weighted = {{0}}, t, v, lim, bps2wad, rr;
	lx_u256_pow10(&bps2wad, 14);
	lx_u256_pow10(&rr, 27);
	lx_u256_from_u64(&lim, 1);
	lx_u256_shl(&lim, &lim, 224); /* KeyValueList: value < 2^224 - 1 */
	{
		struct lx_u256 one;
		lx_u256_from_u64(&one, 1);
		lx_u256_sub(&lim, &lim, &one);
	}
	int rc = 0;
	for (size_t i = 0; i < acct->n_pos && !rc; i++) {
		const struct lx_asset_pos *p = &acct->pos[i];
		if (p->asset >= mv->n_assets) {
			rc = LX_EINVAL;
			break;
		}
		const struct lx_asset_info *inf = &mv->assets[p->asset];
		const struct lx_u256 *price = prices ? &prices[i] : &p->price;
		if (p->collateral && p->liq_threshold_bps > 0 && !lx_u256_is_zero(&p->scaled_supplied)) {
			/* hub.previewRemoveByShares at the Hub's totals as the view holds them (a
			 * cascade round moves them), not p->supplied, which was taken before */
			struct lx_u256 cf, sa;
			lx_u256_from_u64(&cf, p->liq_threshold_bps);
			if ((rc = v4_shares_to_assets(&sa, &p->scaled_supplied, &inf->hub_added_assets,
						      &inf->hub_added_shares, false)) ||
			    (rc = v4_to_value(&v, &sa, inf->decimals, price)) ||
			    (rc = lx_u256_add(&r.total_collateral_value, &r.total_collateral_value, &v)) ||
			    (rc = lx_u256_mul(&t, &cf, &v)) || (rc = lx_u256_add(&weighted, &weighted, &t)))
				break;
			if (lx_u256_cmp(&v, &lim) >= 0) {
				rc = LX_EOVERFLOW; /* MaxDataSizeExceeded */
				break;
			}
			cl[n_cl].risk = inf->collateral_risk_bps;
			cl[n_cl++].value = v;
			r.active_collateral_count++;
		}
		if (!lx_u256_is_zero(&p->scaled_variable)) {
			/* debtRay = drawnShares * drawnIndex + premiumRay, unrounded */
			if ((rc = lx_u256_mul(&t, &p->scaled_variable, &inf->borrow_index)) ||
			    (rc = lx_u256_add(&t, &t, &p->premium_ray)) ||
			    (rc = v4_to_value(&v, &t, inf->decimals, price)) ||
			    (rc = lx_u256_add(&r.total_debt_value_ray, &r.total_debt_value_ray, &v)))
				break;
			r.borrow_count++;
		}
	}
	if (!rc && (rc = lx_u256_mul(&weighted, &weighted, &bps2wad)) == 0) {
		if (!lx_u256_is_zero(&r.total_debt_value_ray))
			rc = lx_u256_muldiv(&r.health_factor, &weighted, &rr, &r.total_debt_value_ray);
		else
			lx_u256_max(&r.health_factor);
		if (!rc && !lx_u256_is_zero(&r.total_collateral_value))
			rc = lx_u256_div(&r.avg_collateral_factor, &weighted, &r.total_collateral_value);
	}
	if (!rc) {
		qsort(cl, n_cl, sizeof(*cl), by_risk_then_value);
		struct lx_u256 total, left, rp = {{0}};
		if ((rc = v4_div_up(&total, &r.total_debt_value_ray, &rr)) == 0) {
			left = total;
			for (size_t i = 0; i < n_cl && !lx_u256_is_zero(&left) && !rc; i++) {
				struct lx_u256 x = lx_u256_cmp(&cl[i].value, &left) < 0 ? cl[i].value : left,
					       risk;
				lx_u256_from_u64(&risk, cl[i].risk);
				if ((rc = lx_u256_mul(&t, &x, &risk)) || (rc = lx_u256_add(&rp, &rp, &t)))
					break;
				lx_u256_sub(&left, &left, &x);
			}
			if (!rc && lx_u256_cmp(&left, &total) < 0) {
				lx_u256_sub(&t, &total, &left);
				rc = v4_div_up(&rp, &rp, &t);
			}
			r.risk_premium = rp;
		}
	}
	if (cl != stack)
		free(cl);
	if (rc)
		return rc;
	*out = r;
	return 0;
}

int lx_aave_v4_health(struct lx_health *out, const struct lx_market_view *mv,
		      const struct lx_account_view *acct, const struct lx_u256 *prices)
{
	memset(out, 0, sizeof(*out));
	struct lx_aave_v4_account a;
	int rc = lx_aave_v4_account_data(&a, mv, acct, prices);
	if (rc)
		return rc;
	struct lx_u256 rr, bps;
	lx_u256_pow10(&rr, 27);
	lx_u256_pow10(&bps, 14);
	out->total_collateral_base = a.total_collateral_value;
	if ((rc = v4_div_up(&out->total_debt_base, &a.total_debt_value_ray, &rr)))
		return rc;
	lx_u256_div(&out->ltv_bps, &a.avg_collateral_factor, &bps);
	out->liq_threshold_bps = out->ltv_bps;
	out->health_factor = a.health_factor;
	return 0;
}
