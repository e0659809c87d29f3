/*
 * cascade.c: liquidation cascades under oracle shocks (see risk.h, docs/risk.md).
 *
 * Each round: every account whose health factor (the protocol's arithmetic, lx_model_health)
 * is below 1 at the round's prices is liquidated once, as Aave's LiquidationLogic would do it
 * for a liquidator covering the maximum: the largest debt (in base) against the largest
 * collateral; close factor 50%, or 100% below HF 0.95 (and, from 3.3, when collateral or debt is
 * below the market's minimum); the collateral seized is debt * debtPrice / collPrice times the
 * bonus, capped by the balance (the repaid debt then recomputed from the cap, percentDiv'd by
 * the bonus); the protocol's fee is its share of the bonus. All of that in 256-bit integers
 * with Aave's rounding, so round 1 is exact to the wei. The seized collateral is then sold:
 * each asset's price falls by (value sold / market depth per 1%) percent, and the next round
 * starts at the new prices, until no account is liquidatable or the round limit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lendex/risk.h"

static void u(struct lx_u256 *r, uint64_t v)
{
	lx_u256_from_u64(r, v);
}

void lx_cascade_release(struct lx_cascade *c)
{
	if (!c)
		return;
	free(c->liq);
	memset(c, 0, sizeof(*c));
}

static double base_value(const struct lx_market_view *mv, uint32_t asset,
			 const struct lx_u256 *amt, const struct lx_u256 *price)
{
	return lx_u256_to_double(amt) * lx_u256_to_double(price) / pow(10, mv->assets[asset].decimals);
}

/* One Aave liquidation of acct (positions and prices as given). Updates positions. */
static int liquidate(const struct lx_market_view *mv, struct lx_account_view *a,
		     const struct lx_u256 *hf, struct lx_liquidation *out)
{
	/* pick the largest debt and the largest collateral, in base */
	int di = -1, ci = -1;
	double dv = 0, cv = 0;
	for (size_t k = 0; k < a->n_pos; k++) {
		const struct lx_asset_pos *p = &a->pos[k];
		double d = base_value(mv, p->asset, &p->borrowed, &p->price);
		double c = p->collateral && p->liq_threshold_bps
				   ? base_value(mv, p->asset, &p->supplied, &p->price)
				   : 0;
		if (d > dv) {
			dv = d;
			di = (int)k;
		}
		if (c > cv) {
			cv = c;
			ci = (int)k;
		}
	}
	if (di < 0 || ci < 0)
		return LX_ENOTFOUND; /* debt without collateral: nothing to seize (bad debt) */
	struct lx_asset_pos *dp = &a->pos[di], *cp = &a->pos[ci];
	memset(out, 0, sizeof(*out));
	out->collateral_asset = cp->asset;
	out->debt_asset = dp->asset;
	out->hf_before = *hf;
	/* close factor */
	uint16_t cf = mv->rules.default_close_factor_bps;
	if (lx_u256_cmp(hf, &mv->rules.full_close_hf) <= 0)
		cf = mv->rules.max_close_factor_bps;
	if (!lx_u256_is_zero(&mv->rules.min_base_full_close)) {
		struct lx_u256 thr = mv->rules.min_base_full_close;
		if (lx_u256_cmp(&a->health.total_collateral_base, &thr) < 0 ||
		    lx_u256_cmp(&a->health.total_debt_base, &thr) < 0)
			cf = mv->rules.max_close_factor_bps;
	}
	out->close_factor_bps = cf;
	struct lx_u256 cfu, debt_to_cover, t, coll_unit, debt_unit, base_coll, max_coll, bonus,
		coll_amount, debt_needed, fee = {{0}};
	u(&cfu, cf);
	if (lx_percent_mul(&debt_to_cover, &dp->borrowed, &cfu))
		return LX_EOVERFLOW;
	lx_u256_pow10(&coll_unit, mv->assets[cp->asset].decimals);
	lx_u256_pow10(&debt_unit, mv->assets[dp->asset].decimals);
	u(&bonus, cp->liq_bonus_bps);
	/* baseCollateral = debtPrice * debtToCover * collUnit / (collPrice * debtUnit) */
	struct lx_u256 num, den;
	if (lx_u256_mul(&num, &dp->price, &debt_to_cover) || lx_u256_mul(&num, &num, &coll_unit) ||
	    lx_u256_mul(&den, &cp->price, &debt_unit))
		return LX_EOVERFLOW;
	if (lx_u256_div(&base_coll, &num, &den))
		return LX_EDIVZERO;
	if (lx_percent_mul(&max_coll, &base_coll, &bonus))
		return LX_EOVERFLOW;
	if (lx_u256_cmp(&max_coll, &cp->supplied) > 0) {
		coll_amount = cp->supplied;
		/* debtAmountNeeded = (collPrice * collAmount * debtUnit / (debtPrice * collUnit))
		 * .percentDiv(bonus) */
		if (lx_u256_mul(&num, &cp->price, &coll_amount) || lx_u256_mul(&num, &num, &debt_unit) ||
		    lx_u256_mul(&den, &dp->price, &coll_unit))
			return LX_EOVERFLOW;
		if (lx_u256_div(&t, &num, &den) || lx_percent_div(&debt_needed, &t, &bonus))
			return LX_EOVERFLOW;
	} else {
		coll_amount = max_coll;
		debt_needed = debt_to_cover;
	}
	uint16_t pf = mv->assets[cp->asset].liq_protocol_fee_bps;
	if (pf) {
		struct lx_u256 bonus_coll, pfu;
		if (lx_percent_div(&t, &coll_amount, &bonus))
			return LX_EOVERFLOW;
		lx_u256_sub(&bonus_coll, &coll_amount, &t);
		u(&pfu, pf);
		if (lx_percent_mul(&fee, &bonus_coll, &pfu))
			return LX_EOVERFLOW;
	}
	out->debt_repaid = debt_needed;
	lx_u256_sub(&out->collateral_seized, &coll_amount, &fee);
	out->protocol_fee = fee;
	/* the account after the liquidation */
	if (lx_u256_sub(&dp->borrowed, &dp->borrowed, &debt_needed))
		u(&dp->borrowed, 0);
	/* variable debt is burnt first */
	if (lx_u256_cmp(&dp->borrowed_variable, &debt_needed) >= 0) {
		lx_u256_sub(&dp->borrowed_variable, &dp->borrowed_variable, &debt_needed);
	} else {
		lx_u256_sub(&t, &debt_needed, &dp->borrowed_variable);
		u(&dp->borrowed_variable, 0);
		if (lx_u256_sub(&dp->borrowed_stable, &dp->borrowed_stable, &t))
			u(&dp->borrowed_stable, 0);
	}
	if (lx_u256_sub(&cp->supplied, &cp->supplied, &coll_amount))
		u(&cp->supplied, 0);
	if (lx_u256_is_zero(&cp->supplied))
		cp->collateral = false;
	return 0;
}

int lx_risk_cascade(const struct lx_market_view *mv, const struct lx_shock *shocks, size_t n,
		    size_t max_rounds, struct lx_cascade *out, struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	if (max_rounds == 0 || max_rounds > LX_CASCADE_MAX_ROUNDS)
		max_rounds = LX_CASCADE_MAX_ROUNDS;
	size_t na = mv->n_assets;
	struct lx_u256 *price = calloc(na ? na : 1, sizeof(*price));
	struct lx_u256 *price0 = calloc(na ? na : 1, sizeof(*price0));
	double *sold = calloc(na ? na : 1, sizeof(*sold));
	/* a private copy of every account's positions: the cascade mutates them */
	struct lx_account_view *acc = calloc(mv->n_accounts ? mv->n_accounts : 1, sizeof(*acc));
	size_t np = 0;
	for (size_t i = 0; i < mv->n_accounts; i++)
		np += mv->accounts[i].n_pos;
	struct lx_asset_pos *pool = calloc(np ? np : 1, sizeof(*pool));
	size_t liq_cap = 64;
	out->liq = malloc(liq_cap * sizeof(*out->liq));
	if (!price || !price0 || !sold || !acc || !pool || !out->liq) {
		free(price);
		free(price0);
		free(sold);
		free(acc);
		free(pool);
		free(out->liq);
		out->liq = NULL;
		return lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
	}
	for (size_t k = 0; k < na; k++)
		price[k] = price0[k] = mv->assets[k].price;
	for (size_t s = 0; s < n; s++) {
		struct lx_u256 f, d = {{10000, 0, 0, 0}};
		int32_t bps = shocks[s].bps < -10000 ? -10000 : shocks[s].bps;
		u(&f, (uint64_t)(10000 + bps));
		if (shocks[s].asset < na)
			lx_u256_muldiv(&price[shocks[s].asset], &price0[shocks[s].asset], &f, &d);
	}
	size_t off = 0;
	for (size_t i = 0; i < mv->n_accounts; i++) {
		acc[i] = mv->accounts[i];
		acc[i].pos = pool + off;
		memcpy(acc[i].pos, mv->accounts[i].pos, mv->accounts[i].n_pos * sizeof(*pool));
		off += mv->accounts[i].n_pos;
	}
	struct lx_u256 wad;
	lx_u256_from_u64(&wad, 1000000000000000000ull);
	int rc = 0;
	for (size_t r = 0; r < max_rounds && !rc; r++) {
		struct lx_cascade_round *rd = &out->rounds[out->n_rounds];
		memset(rd, 0, sizeof(*rd));
		memset(sold, 0, na * sizeof(*sold));
		for (size_t i = 0; i < mv->n_accounts && !rc; i++) {
			struct lx_account_view *a = &acc[i];
			for (size_t k = 0; k < a->n_pos; k++) {
				/* a position priced by an e-mode price source, not the asset's own
				 * oracle, keeps that price: the shock is on the asset's feed */
				uint32_t as = a->pos[k].asset;
				if (lx_u256_eq(&mv->accounts[i].pos[k].price, &price0[as]))
					a->pos[k].price = price[as];
			}
			struct lx_health h;
			if ((rc = lx_model_health(&h, mv, a, NULL)))
				break;
			a->health = h;
			if (lx_u256_cmp(&h.health_factor, &wad) >= 0)
				continue;
			struct lx_liquidation l;
			int e = liquidate(mv, a, &h.health_factor, &l);
			if (e == LX_ENOTFOUND)
				continue;
			if (e) {
				rc = lx_error_set(err, e, "cascade: liquidation arithmetic failed");
				break;
			}
			l.round = r + 1;
			l.account = i;
			if (out->n_liq == liq_cap) {
				liq_cap *= 2;
				struct lx_liquidation *nl = realloc(out->liq, liq_cap * sizeof(*nl));
				if (!nl) {
					rc = lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
					break;
				}
				out->liq = nl;
			}
			out->liq[out->n_liq++] = l;
			rd->accounts++;
			double dv = base_value(mv, (uint32_t)l.debt_asset, &l.debt_repaid,
					       &price[l.debt_asset]);
			struct lx_u256 all;
			lx_u256_add(&all, &l.collateral_seized, &l.protocol_fee);
			double cv = base_value(mv, (uint32_t)l.collateral_asset, &all,
					       &price[l.collateral_asset]);
			rd->debt_repaid += dv;
			rd->collateral_seized += cv;
			sold[l.collateral_asset] += base_value(mv, (uint32_t)l.collateral_asset,
							       &l.collateral_seized,
							       &price[l.collateral_asset]);
		}
		if (rc || rd->accounts == 0)
			break;
		out->n_rounds++;
		out->total_debt_repaid += rd->debt_repaid;
		out->total_collateral_seized += rd->collateral_seized;
		/* price impact of selling the seized collateral */
		for (size_t k = 0; k < na; k++) {
			if (sold[k] <= 0)
				continue;
			double depth = mv->assets[k].depth_base_per_pct;
			if (depth <= 0) {
				/* default: the market absorbs 2% of the asset's supplied value per 1% */
				double supplied = base_value(mv, (uint32_t)k, &mv->assets[k].total_supplied,
							     &price0[k]);
				depth = supplied * 0.02;
				if (depth <= 0)
					depth = sold[k];
			}
			double pct = sold[k] / depth;
			if (pct > 99)
				pct = 99;
			struct lx_u256 f, d = {{1000000, 0, 0, 0}};
			u(&f, (uint64_t)llround((100 - pct) * 10000));
			lx_u256_muldiv(&price[k], &price[k], &f, &d);
		}
		for (size_t k = 0; k < na && k < 64; k++) {
			double p0 = lx_u256_to_double(&price0[k]);
			rd->price_move[k] = p0 > 0 ? lx_u256_to_double(&price[k]) / p0 - 1 : 0;
		}
	}
	/* bad debt: debt left where no collateral remains */
	for (size_t i = 0; i < mv->n_accounts && !rc; i++) {
		struct lx_health h;
		if (lx_model_health(&h, mv, &acc[i], NULL))
			continue;
		if (lx_u256_is_zero(&h.total_collateral_base))
			out->bad_debt += lx_u256_to_double(&h.total_debt_base);
	}
	if (n && shocks[0].asset < na) {
		size_t k = shocks[0].asset;
		double p0 = lx_u256_to_double(&price0[k]);
		out->initial_move = shocks[0].bps / 10000.0;
		out->final_move = p0 > 0 ? lx_u256_to_double(&price[k]) / p0 - 1 : 0;
		out->amplification = out->initial_move != 0 ? out->final_move / out->initial_move : 0;
	}
	free(price);
	free(price0);
	free(sold);
	free(acc);
	free(pool);
	if (rc)
		lx_cascade_release(out);
	return rc;
}

int lx_risk_parse_shock(const struct lx_market_view *mv, const char *spec,
			const char *const *group_names, const uint16_t *group_ids, size_t n_groups,
			struct lx_shock *out, size_t cap, size_t *n, struct lx_error *err)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return lx_error_set(err, LX_EUSAGE, "bad shock '%s': expected ASSET=-20%%", spec);
	char name[64];
	size_t nl = (size_t)(eq - spec);
	if (nl >= sizeof(name))
		return lx_error_set(err, LX_EUSAGE, "bad shock '%s': asset name too long", spec);
	memcpy(name, spec, nl);
	name[nl] = 0;
	char *end;
	double pct = strtod(eq + 1, &end);
	if (end == eq + 1 || (*end && strcmp(end, "%")) || pct < -100 || pct > 1000)
		return lx_error_set(err, LX_EUSAGE, "bad shock '%s': expected a percentage like -20%%",
				    spec);
	int32_t bps = (int32_t)llround(pct * 100);
	size_t before = *n;
	if (!strncmp(name, "group:", 6)) {
		uint16_t gid = 0;
		for (size_t g = 0; g < n_groups; g++)
			if (!strcmp(group_names[g], name + 6))
				gid = group_ids[g];
		for (size_t a = 0; gid && a < mv->n_assets; a++)
			if (mv->assets[a].group == gid && *n < cap)
				out[(*n)++] = (struct lx_shock){a, bps};
	} else {
		struct lx_addr addr;
		bool is_addr = lx_addr_parse(&addr, name, NULL) == 0;
		for (size_t a = 0; a < mv->n_assets; a++)
			if ((is_addr && lx_addr_eq(&addr, &mv->assets[a].asset)) ||
			    (!is_addr && !strcasecmp(mv->assets[a].symbol, name))) {
				if (*n < cap)
					out[(*n)++] = (struct lx_shock){a, bps};
				break;
			}
	}
	if (*n == before)
		return lx_error_set(err, LX_EUSAGE, "bad shock '%s': no asset or group '%s' in this market",
				    spec, name);
	return 0;
}
