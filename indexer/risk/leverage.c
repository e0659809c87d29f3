/*
 * leverage.c: the leverage table — per account collateral, debt, leverage, loop depth (from
 * loops.c), implied depth and toxicity, and the market summary (risk.h: lx_risk_leverage;
 * definitions in docs/risk.md). Doubles: these are ratios and display values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/risk.h"

static double unitd(const struct lx_market_view *mv, uint32_t a)
{
	return pow(10, mv->assets[a].decimals);
}

static double val(const struct lx_market_view *mv, const struct lx_asset_pos *p,
		  const struct lx_u256 *amt)
{
	return lx_u256_to_double(amt) * lx_u256_to_double(&p->price) / unitd(mv, p->asset) *
	       lx_model_price_to_base(mv);
}

int lx_risk_leverage(const struct lx_market_view *mv, struct lx_leverage *out,
		     struct lx_leverage_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	double coll_total = 0, debt_total = 0, coll_loop = 0, debt_loop = 0, coll_built = 0;
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_account_view *a = &mv->accounts[i];
		struct lx_leverage *l = &out[i];
		memset(l, 0, sizeof(*l));
		l->account = i;
		double wltv = 0, best_bonus = 0, best_coll = -1;
		for (size_t k = 0; k < a->n_pos; k++) {
			const struct lx_asset_pos *p = &a->pos[k];
			double c = p->collateral ? val(mv, p, &p->supplied) : 0;
			l->collateral += c;
			l->debt += val(mv, p, &p->borrowed);
			wltv += c * p->ltv_bps / 10000.0;
			if (c > best_coll) {
				best_coll = c;
				best_bonus = p->liq_bonus_bps > 10000 ? (p->liq_bonus_bps - 10000) / 1e4 : 0;
			}
		}
		double equity = l->collateral - l->debt;
		/* debt the collateral does not cover is bad debt: infinite leverage, the most toxic
		 * row, not a zero */
		l->bad_debt = l->debt > 0 && equity <= 0;
		l->leverage = l->debt <= 0 ? (l->collateral > 0 ? 1 : 0)
					   : !l->bad_debt ? l->collateral / equity : INFINITY;
		double ltv = l->collateral > 0 ? wltv / l->collateral : 0;
		/* leverage after n rounds at LTV L: (1 - L^(n+1)) / (1 - L) → n */
		if (l->debt > 0 && ltv > 0 && ltv < 1 && isfinite(l->leverage) && l->leverage > 1) {
			double x = 1 - l->leverage * (1 - ltv);
			l->implied_depth = x > 0 ? log(x) / log(ltv) - 1 : INFINITY;
			if (l->implied_depth < 0)
				l->implied_depth = 0;
		}
		int rc = lx_risk_loops(mv, a, NULL, &l->loops);
		if (rc)
			return rc;
		l->depth = l->loops.rounds;
		if (l->bad_debt)
			l->implied_depth = INFINITY; /* no loop reaches infinite leverage */
		l->toxic = l->bad_debt ||
			   (l->debt > 0 && l->debt / l->collateral > 1 / (1 + best_bonus));
		if (l->bad_debt) {
			sum->n_bad_debt++;
			sum->bad_debt += -equity;
		}
		sum->n_accounts++;
		if (l->debt > 0)
			sum->n_with_debt++;
		sum->depth_hist[l->depth > LX_RISK_MAX_DEPTH ? LX_RISK_MAX_DEPTH : l->depth]++;
		coll_total += l->collateral;
		debt_total += l->debt;
		sum->n_looped_correlated += l->loops.correlated > 0;
		sum->n_looped_directional += l->loops.directional > 0;
		sum->n_looped_flash += l->loops.flash > 0;
		coll_built += l->loops.looped_collateral;
		if (l->depth >= 1) {
			sum->n_looped++;
			coll_loop += l->collateral;
			debt_loop += l->debt;
		}
		if (l->toxic)
			sum->n_toxic++;
	}
	sum->coll_looped_share = coll_total > 0 ? coll_loop / coll_total : 0;
	sum->debt_looped_share = debt_total > 0 ? debt_loop / debt_total : 0;
	sum->coll_loop_built_share = coll_total > 0 ? fmin(coll_built / coll_total, 1) : 0;
	return 0;
}
