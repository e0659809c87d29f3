/*
 * liquidate.c: one Aave V4 liquidation as LiquidationLogic (v0.5.11) executes it, as the
 * market's liquidate operation: the bonus rising linearly from the Spoke's minimum at HF 1 to the
 * reserve key's maximum at healthFactorForMaxBonus; the debt that brings HF to the Spoke's target
 * (premium first, then drawn shares, capped by debtToCover); the collateral it buys at that
 * bonus; the $1,000 dust rule on both sides (all debt, or all collateral with the debt recomputed
 * from it); the protocol fee taken in collateral shares; a deficit when the only collateral is
 * emptied and debt is left. Prices are the positions' (a cascade moves them there, not in the
 * view's assets), as the account data uses them. With apply, the Hub assets move as the Hub's
 * calls move them (hub_remove, hub_restore below), in every asset entry on the same Hub asset,
 * so the next liquidation of a cascade round sees the share price and liquidity this one left.
 */
#include <string.h>

#include "lendex/aave_v4.h"
#include "v4.h"

#define CK(x)                                                                                       \
	do {                                                                                        \
		if ((rc = (x)))                                                                     \
			return rc;                                                                  \
	} while (0)

static void u(struct lx_u256 *r, uint64_t v)
{
	lx_u256_from_u64(r, v);
}

static const struct lx_u256 *minp(const struct lx_u256 *a, const struct lx_u256 *b)
{
	return lx_u256_cmp(a, b) <= 0 ? a : b;
}

int lx_aave_v4_bonus(struct lx_u256 *out, const struct lx_u256 *hf_for_max,
		     uint16_t bonus_factor_bps, const struct lx_u256 *hf, uint32_t max_bonus)
{
	struct lx_u256 mx, mn, t, one, den, num, bps;
	int rc;
	u(&mx, max_bonus);
	if (lx_u256_cmp(hf, hf_for_max) <= 0) {
		*out = mx;
		return 0;
	}
	u(&bps, 10000);
	u(&t, max_bonus >= 10000 ? max_bonus - 10000u : 0);
	u(&num, bonus_factor_bps);
	CK(lx_u256_muldiv(&mn, &t, &num, &bps)); /* percentMulDown */
	CK(lx_u256_add(&mn, &mn, &bps));
	lx_u256_pow10(&one, 18);
	CK(lx_u256_sub(&t, &mx, &mn));
	CK(lx_u256_sub(&num, &one, hf)); /* hf < 1e18 for a liquidation */
	CK(lx_u256_sub(&den, &one, hf_for_max));
	CK(lx_u256_muldiv(&t, &t, &num, &den));
	return lx_u256_add(out, &mn, &t);
}

/* previewAddByAssets (shares down) / previewRemoveByShares (assets down) / previewAddByShares */
static int to_shares_down(struct lx_u256 *r, const struct lx_asset_info *c, const struct lx_u256 *x)
{
	return v4_assets_to_shares(r, x, &c->hub_added_assets, &c->hub_added_shares, false);
}
static int to_assets(struct lx_u256 *r, const struct lx_asset_info *c, const struct lx_u256 *x,
		     bool up)
{
	return v4_shares_to_assets(r, x, &c->hub_added_assets, &c->hub_added_shares, up);
}

/* The asset entries on one Hub asset: its slot (hub_slot, or the entry itself in a view that
 * does not group them). */
static uint32_t slot_of(const struct lx_market_view *mv, uint32_t k)
{
	return mv->assets[k].hub_slot ? mv->assets[k].hub_slot : k + 1;
}

/* Entry k's Hub asset state (totals, owed ray, liquidity) into every entry on that asset. */
static void spread(const struct lx_market_view *mv, uint32_t k)
{
	const struct lx_asset_info *h = &mv->assets[k];
	uint32_t s = slot_of(mv, k);
	for (size_t j = 0; j < mv->n_assets; j++)
		if (j != k && slot_of(mv, (uint32_t)j) == s) {
			struct lx_asset_info *x = &mv->assets[j];
			x->hub_added_assets = h->hub_added_assets;
			x->hub_added_shares = h->hub_added_shares;
			x->hub_owed_ray = h->hub_owed_ray;
			x->available = h->available;
		}
}

/* Hub.remove(amount): toAddedSharesUp(amount) shares burnt, the liquidity paid out; the total
 * added assets fall by the amount (the owed part does not move). */
static int hub_remove(const struct lx_market_view *mv, uint32_t k, const struct lx_u256 *amount)
{
	struct lx_asset_info *h = &mv->assets[k];
	struct lx_u256 sh, aa, as, liq;
	int rc;
	CK(v4_assets_to_shares(&sh, amount, &h->hub_added_assets, &h->hub_added_shares, true));
	if (lx_u256_sub(&aa, &h->hub_added_assets, amount) ||
	    lx_u256_sub(&as, &h->hub_added_shares, &sh))
		return LX_EOVERFLOW; /* the Hub's checked arithmetic reverts */
	if (lx_u256_sub(&liq, &h->available, amount))
		memset(&liq, 0, sizeof(liq)); /* a view without the liquidity (the caller checked) */
	h->hub_added_assets = aa;
	h->hub_added_shares = as;
	h->available = liq;
	spread(mv, k);
	return 0;
}

/* Hub.restore(drawnShares.rayMulUp(index), premiumDelta): the owed ray falls by drawnShares *
 * index + restoredPremiumRay, the liquidity grows by what was paid (drawn rounded up, premium
 * fromRayUp); total added = liquidity + swept - fees + owed.fromRayUp, so it moves only by the
 * rounding. A view without the Hub's owed ray (zero) keeps its totals. */
static int hub_restore(const struct lx_market_view *mv, uint32_t k, const struct lx_u256 *drawn,
		       const struct lx_u256 *prem_ray, const struct lx_u256 *paid)
{
	struct lx_asset_info *h = &mv->assets[k];
	if (lx_u256_is_zero(&h->hub_owed_ray))
		return 0;
	struct lx_u256 rr, t, owed, cash, aa, liq;
	int rc;
	lx_u256_pow10(&rr, 27);
	CK(lx_u256_mul(&t, drawn, &h->borrow_index));
	CK(lx_u256_add(&t, &t, prem_ray));
	CK(v4_div_up(&cash, &h->hub_owed_ray, &rr));
	if (lx_u256_sub(&owed, &h->hub_owed_ray, &t) ||
	    lx_u256_sub(&cash, &h->hub_added_assets, &cash))
		return LX_EOVERFLOW;
	CK(v4_div_up(&t, &owed, &rr));
	CK(lx_u256_add(&aa, &cash, paid));
	CK(lx_u256_add(&aa, &aa, &t));
	CK(lx_u256_add(&liq, &h->available, paid));
	h->hub_added_assets = aa;
	h->hub_owed_ray = owed;
	h->available = liq;
	spread(mv, k);
	return 0;
}

int v4_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
		 const struct lx_market_view *mv, struct lx_account_view *a, size_t ci, size_t di,
		 const struct lx_u256 *debt_to_cover, const struct lx_u256 *available, bool apply)
{
	memset(out, 0, sizeof(*out));
	*refusal = LX_LIQ_OK;
	if (ci >= a->n_pos || di >= a->n_pos)
		return LX_EINVAL;
	struct lx_asset_pos *cp = &a->pos[ci], *dp = &a->pos[di];
	if (cp->asset >= mv->n_assets || dp->asset >= mv->n_assets)
		return LX_EINVAL;
	const struct lx_asset_info *c = &mv->assets[cp->asset], *d = &mv->assets[dp->asset];
	struct lx_aave_v4_account acc;
	int rc;
	CK(lx_aave_v4_account_data(&acc, mv, a, NULL));
	out->hf_before = acc.health_factor;
	struct lx_u256 one, rr, bps, t, t2, dcov;
	lx_u256_pow10(&one, 18);
	lx_u256_pow10(&rr, 27);
	u(&bps, 10000);
	if (debt_to_cover)
		dcov = *debt_to_cover;
	else
		lx_u256_max(&dcov);
	if (lx_u256_cmp(&acc.health_factor, &one) >= 0) {
		*refusal = LX_LIQ_HEALTHY;
		return 0;
	}
	if (lx_u256_is_zero(&cp->scaled_supplied) || lx_u256_is_zero(&dp->scaled_variable) ||
	    !cp->collateral || cp->liq_threshold_bps == 0 || lx_u256_is_zero(&dcov) ||
	    memcmp(c->market, d->market, 32) != 0) {
		*refusal = LX_LIQ_NO_PAIR;
		return 0;
	}
	const struct lx_u256 *idx = &d->borrow_index, *shares = &cp->scaled_supplied,
			     *drawn = &dp->scaled_variable, *prem = &dp->premium_ray;
	struct lx_u256 lb, cunit, dunit, cf;
	CK(lx_aave_v4_bonus(&lb, &c->hf_for_max_bonus, c->bonus_factor_bps, &acc.health_factor,
			    cp->liq_bonus_bps));
	CK(lx_u256_pow10(&cunit, c->decimals));
	CK(lx_u256_pow10(&dunit, d->decimals));
	u(&cf, cp->liq_threshold_bps);
	/* _calculateDebtToTargetHealthFactor */
	struct lx_u256 pen, to_target, num, den;
	CK(lx_u256_pow10(&t, 14));
	CK(lx_u256_mul(&pen, &lb, &t));                 /* bpsToWad */
	CK(v4_muldiv_up(&pen, &pen, &cf, &bps));        /* percentMulUp */
	CK(lx_u256_sub(&t, &c->target_hf, &acc.health_factor));
	CK(lx_u256_mul(&num, &dunit, &t));
	CK(lx_u256_sub(&t, &c->target_hf, &pen));
	CK(lx_u256_mul(&t2, &dp->price, &one));
	CK(lx_u256_mul(&den, &t, &t2));
	CK(v4_muldiv_up(&to_target, &acc.total_debt_value_ray, &num, &den));
	/* _calculateDebtToLiquidate: premium first */
	struct lx_u256 prem_liq, drawn_liq = {{0}}, up;
	CK(v4_div_up(&up, &to_target, &rr));
	CK(lx_u256_mul(&up, &up, &rr)); /* roundRayUp */
	prem_liq = *minp(&up, prem);
	CK(v4_div_up(&t, &prem_liq, &rr));
	if (lx_u256_cmp(&dcov, &t) < 0)
		CK(lx_u256_mul(&prem_liq, &dcov, &rr));
	if (lx_u256_eq(&prem_liq, prem) && lx_u256_cmp(&prem_liq, &to_target) < 0) {
		struct lx_u256 by_target, by_cover;
		CK(lx_u256_sub(&t, &to_target, &prem_liq));
		CK(v4_div_up(&by_target, &t, idx));
		CK(v4_div_up(&t, &prem_liq, &rr));
		CK(lx_u256_sub(&t, &dcov, &t));
		CK(lx_u256_muldiv(&by_cover, &t, &rr, idx));
		drawn_liq = *minp(minp(&by_target, &by_cover), drawn);
	}
	struct lx_u256 left, dust, v;
	CK(lx_u256_sub(&t, drawn, &drawn_liq));
	CK(lx_u256_mul(&left, &t, idx));
	CK(lx_u256_add(&left, &left, prem));
	CK(lx_u256_sub(&left, &left, &prem_liq));
	u(&dust, 1000);
	CK(lx_u256_pow10(&t, 26 + 27));
	CK(lx_u256_mul(&dust, &dust, &t)); /* DUST_LIQUIDATION_THRESHOLD.toRay() */
	CK(v4_to_value(&v, &left, d->decimals, &dp->price));
	if (lx_u256_cmp(&drawn_liq, drawn) < 0 && lx_u256_cmp(&v, &dust) < 0) {
		drawn_liq = *drawn;
		prem_liq = *prem;
	}
	/* _calculateCollateralToLiquidate */
	struct lx_u256 coll_shares, dray, cassets;
#define COLL_FOR(out_shares)                                                                        \
	do {                                                                                        \
		CK(lx_u256_mul(&dray, &drawn_liq, idx));                                            \
		CK(lx_u256_add(&dray, &dray, &prem_liq));                                           \
		CK(lx_u256_mul(&num, &dp->price, &cunit));                                           \
		CK(lx_u256_mul(&num, &num, &lb));                                                   \
		CK(lx_u256_mul(&den, &dunit, &cp->price));                                           \
		CK(lx_u256_mul(&den, &den, &bps));                                                  \
		CK(lx_u256_mul(&den, &den, &rr));                                                   \
		CK(lx_u256_muldiv(&cassets, &dray, &num, &den));                                    \
		CK(to_shares_down(&(out_shares), c, &cassets));                                     \
	} while (0)
	COLL_FOR(coll_shares);
	bool coll_dust = false;
	u(&dust, 1000);
	CK(lx_u256_pow10(&t, 26));
	CK(lx_u256_mul(&dust, &dust, &t));
	if (lx_u256_cmp(&coll_shares, shares) < 0) {
		CK(lx_u256_sub(&t, shares, &coll_shares));
		CK(to_assets(&t, c, &t, false));
		CK(v4_to_value(&v, &t, c->decimals, &cp->price));
		coll_dust = lx_u256_cmp(&v, &dust) < 0;
	}
	if (lx_u256_cmp(&coll_shares, shares) > 0 ||
	    (coll_dust && lx_u256_cmp(&drawn_liq, drawn) < 0)) {
		coll_shares = *shares;
		struct lx_u256 ca;
		CK(to_assets(&ca, c, &coll_shares, true)); /* previewAddByShares */
		CK(lx_u256_mul(&num, &cp->price, &dunit));
		CK(lx_u256_mul(&num, &num, &bps));
		CK(lx_u256_mul(&num, &num, &rr));
		CK(lx_u256_mul(&den, &dp->price, &cunit));
		CK(lx_u256_mul(&den, &den, &lb));
		struct lx_u256 dr;
		CK(v4_muldiv_up(&dr, &ca, &num, &den));
		if (lx_u256_cmp(&dr, prem) <= 0) {
			CK(v4_div_up(&t, &dr, &rr));
			CK(lx_u256_mul(&t, &t, &rr));
			prem_liq = *minp(&t, prem);
			memset(&drawn_liq, 0, sizeof(drawn_liq));
		} else {
			prem_liq = *prem;
			CK(lx_u256_sub(&t, &dr, &prem_liq));
			CK(v4_div_up(&drawn_liq, &t, idx));
			if (lx_u256_cmp(&drawn_liq, drawn) > 0) {
				drawn_liq = *drawn;
				COLL_FOR(coll_shares);
				coll_shares = *minp(&coll_shares, shares);
			}
		}
	}
#undef COLL_FOR
	/* MustNotLeaveDust: debtToCover must pay what is taken */
	struct lx_u256 repaid, pr_up;
	CK(lx_u256_mul(&repaid, &drawn_liq, idx));
	CK(v4_div_up(&repaid, &repaid, &rr));
	CK(v4_div_up(&pr_up, &prem_liq, &rr));
	CK(lx_u256_add(&repaid, &repaid, &pr_up));
	out->debt_to_cover = dcov;
	if (lx_u256_cmp(&dcov, &repaid) < 0) {
		*refusal = LX_LIQ_DUST;
		return 0;
	}
	/* the fee, in collateral shares */
	struct lx_u256 fee_shares, to_liq;
	u(&t, cp->liq_fee_bps);
	CK(lx_u256_sub(&t2, &lb, &bps));
	CK(lx_u256_mul(&num, &t, &t2));
	CK(lx_u256_mul(&den, &lb, &bps));
	CK(v4_muldiv_up(&fee_shares, &coll_shares, &num, &den));
	CK(lx_u256_sub(&to_liq, &coll_shares, &fee_shares));
	/* the liquidator is paid from the Hub's liquidity (available: what is left of it), or in
	 * supply shares when that is short and the reserve allows it (else the call reverts) */
	struct lx_u256 paid = {{0}};
	if (!lx_u256_is_zero(&to_liq))
		CK(to_assets(&paid, c, &to_liq, false)); /* previewRemoveByShares */
	out->collateral_out = paid;
	if (available) {
		if (lx_u256_cmp(&paid, available) > 0) {
			if (c->no_receive_shares) {
				memset(out, 0, sizeof(*out));
				*refusal = LX_LIQ_NO_PAIR;
				return 0;
			}
			out->receive_atoken = true;
		}
	}
	out->debt_repaid = repaid;
	out->premium_repaid_ray = prem_liq;
	out->fee_shares = fee_shares;
	CK(to_assets(&out->collateral_seized, c, &coll_shares, false)); /* collateralAmountRemoved */
	CK(to_assets(&out->protocol_fee, c, &fee_shares, false));
	out->close_factor_bps = lx_u256_eq(&drawn_liq, drawn) ? 10000 : 0;
	out->collateral_cleared = lx_u256_eq(&coll_shares, shares);
	/* _evaluateDeficit: the only collateral emptied while debt is left */
	bool debt_empty = lx_u256_eq(&drawn_liq, drawn);
	bool deficit = out->collateral_cleared && acc.active_collateral_count <= 1 &&
		       (!debt_empty || acc.borrow_count > 1);
	struct lx_account_view after = *a;
	struct lx_asset_pos tmp[64];
	if (a->n_pos > 64)
		return LX_EOVERFLOW;
	memcpy(tmp, a->pos, a->n_pos * sizeof(*tmp));
	after.pos = tmp;
	struct lx_asset_pos *tc = &tmp[ci], *td = &tmp[di];
	CK(lx_u256_sub(&tc->scaled_supplied, &tc->scaled_supplied, &coll_shares));
	CK(lx_u256_sub(&td->scaled_variable, &td->scaled_variable, &drawn_liq));
	CK(lx_u256_sub(&td->premium_ray, &td->premium_ray, &prem_liq));
	if (deficit) {
		/* every debt left is written off (notifyReportDeficit) */
		struct lx_aave_v4_account left_acc;
		CK(lx_aave_v4_account_data(&left_acc, mv, &after, NULL));
		CK(v4_div_up(&out->deficit_base, &left_acc.total_debt_value_ray, &rr));
		for (size_t i = 0; i < after.n_pos; i++) {
			memset(&tmp[i].scaled_variable, 0, sizeof(tmp[i].scaled_variable));
			memset(&tmp[i].premium_ray, 0, sizeof(tmp[i].premium_ray));
			memset(&tmp[i].borrowed, 0, sizeof(tmp[i].borrowed));
			memset(&tmp[i].borrowed_variable, 0, sizeof(tmp[i].borrowed_variable));
		}
	}
	if (apply) {
		/* collateral first (Hub.remove to the liquidator; the fee shares move between
		 * Spokes at the Hub, its totals unchanged), then the debt (Hub.restore); a
		 * deficit (Hub.reportDeficit) moves owed to deficit, the total unchanged */
		if (!out->receive_atoken && !lx_u256_is_zero(&paid))
			CK(hub_remove(mv, cp->asset, &paid));
		CK(hub_restore(mv, dp->asset, &drawn_liq, &prem_liq, &repaid));
	}
	/* every position at the Hub's totals as they are now */
	for (size_t i = 0; i < after.n_pos; i++) {
		struct lx_asset_pos *p = &tmp[i];
		const struct lx_asset_info *inf = &mv->assets[p->asset];
		CK(to_assets(&p->supplied, inf, &p->scaled_supplied, false));
		CK(lx_u256_mul(&t, &p->scaled_variable, &inf->borrow_index));
		CK(v4_div_up(&p->borrowed_variable, &t, &rr));
		CK(v4_div_up(&t, &p->premium_ray, &rr));
		CK(lx_u256_add(&p->borrowed, &p->borrowed_variable, &t));
	}
	if (apply) {
		memcpy(a->pos, tmp, a->n_pos * sizeof(*tmp));
		CK(lx_aave_v4_health(&a->health, mv, a, NULL));
	}
	return 0;
}
