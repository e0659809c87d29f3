/*
 * leverage.c: the leverage table for machines — its JSON section and leverage.csv (the CLI's
 * `lendex leverage` prints the JSON's rows). Order and columns are defined in docs/risk.md:
 * bad debt (debt >= collateral) first, then leverage, highest first; every figure with its
 * unit in the field name.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/report.h"
#include "report_int.h"

const char *lx_report_base_unit(const struct lx_market_view *mv)
{
	return mv->base[0] ? mv->base : "base";
}

const char *lx_report_cascade_not_computed(const struct lx_market_view *mv)
{
	if (mv->rules.not_reproduced)
		return mv->rules.not_reproduced;
	if (!mv->ops || !mv->ops->liquidate)
		return "lendex does not model this protocol's liquidation";
	return NULL;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *addrj(const struct lx_addr *a)
{
	char b[LX_ADDR_STRLEN];
	lx_addr_checksum(b, a);
	return json_string(b);
}

static json_t *u256j(const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	return json_string(b);
}

/* the sort the table's header names: bad debt first (largest shortfall), then leverage */
static int cmp_lev_desc(const void *x, const void *y)
{
	const struct lx_leverage *a = x, *b = y;
	if (a->bad_debt != b->bad_debt)
		return a->bad_debt ? -1 : 1;
	double ka = a->bad_debt ? a->debt - a->collateral : a->leverage;
	double kb = b->bad_debt ? b->debt - b->collateral : b->leverage;
	if (ka != kb)
		return ka > kb ? -1 : 1;
	if (a->debt != b->debt)
		return a->debt > b->debt ? -1 : 1;
	return a->account < b->account ? -1 : a->account > b->account;
}

static json_t *loops_json(const struct lx_loops *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "rounds", json_integer(l->rounds));
	json_object_set_new(o, "correlated", json_integer(l->correlated));
	json_object_set_new(o, "directional", json_integer(l->directional));
	json_object_set_new(o, "flashLoan", json_integer(l->flash));
	json_object_set_new(o, "builtEver", json_integer(l->built));
	return o;
}

json_t *lx_report_leverage_json(const struct lx_report *r, const struct lx_market_view *mv,
				size_t top)
{
	json_t *o = json_object();
	const struct lx_leverage_summary *s = &r->lsum;
	double scale = pow(10, mv->base_decimals);
	json_object_set_new(o, "baseUnit", json_string(lx_report_base_unit(mv)));
	json_object_set_new(o, "sortedBy", json_string("badDebt first (largest shortfall), then "
						       "leverage, highest first"));
	json_object_set_new(o, "accounts", json_integer((json_int_t)s->n_accounts));
	json_object_set_new(o, "withDebt", json_integer((json_int_t)s->n_with_debt));
	json_object_set_new(o, "looped", json_integer((json_int_t)s->n_looped));
	json_object_set_new(o, "loopedCorrelated",
			    json_integer((json_int_t)s->n_looped_correlated));
	json_object_set_new(o, "loopedDirectional",
			    json_integer((json_int_t)s->n_looped_directional));
	json_object_set_new(o, "loopedFlashLoan", json_integer((json_int_t)s->n_looped_flash));
	json_object_set_new(o, "toxic", json_integer((json_int_t)s->n_toxic));
	json_object_set_new(o, "badDebtAccounts", json_integer((json_int_t)s->n_bad_debt));
	json_object_set_new(o, "badDebt", num(s->bad_debt / scale));
	json_object_set_new(o, "collateralShareLooped", num(s->coll_looped_share));
	json_object_set_new(o, "debtShareLooped", num(s->debt_looped_share));
	json_object_set_new(o, "collateralShareLoopBuilt", num(s->coll_loop_built_share));
	json_t *h = json_array();
	for (int d = 0; d <= LX_RISK_MAX_DEPTH; d++)
		json_array_append_new(h, json_integer((json_int_t)s->depth_hist[d]));
	json_object_set_new(o, "depthHistogram", h);
	struct lx_leverage *sorted = malloc((mv->n_accounts ? mv->n_accounts : 1) * sizeof(*sorted));
	json_t *t = json_array();
	if (sorted) {
		memcpy(sorted, r->lev, mv->n_accounts * sizeof(*sorted));
		qsort(sorted, mv->n_accounts, sizeof(*sorted), cmp_lev_desc);
		size_t listed = 0;
		for (size_t i = 0; i < mv->n_accounts && listed < top; i++) {
			const struct lx_leverage *l = &sorted[i];
			if (l->debt <= 0)
				continue; /* the table lists debt (never an empty account) */
			json_t *e = json_object();
			json_object_set_new(e, "account", addrj(&mv->accounts[l->account].account));
			/* base units as integers are exact in the view; these are display values */
			json_object_set_new(e, "collateralBase", num(l->collateral));
			json_object_set_new(e, "debtBase", num(l->debt));
			json_object_set_new(e, "collateral", num(l->collateral / scale));
			json_object_set_new(e, "debt", num(l->debt / scale));
			json_object_set_new(e, "equity", num((l->collateral - l->debt) / scale));
			json_object_set_new(e, "badDebt", json_boolean(l->bad_debt));
			json_object_set_new(e, "leverage", num(l->leverage)); /* null = infinite */
			json_object_set_new(e, "loopDepth", json_integer(l->depth));
			json_object_set_new(e, "loops", loops_json(&l->loops));
			json_object_set_new(e, "impliedDepth", num(l->implied_depth));
			json_object_set_new(e, "healthFactor",
					    u256j(&mv->accounts[l->account].health.health_factor));
			json_object_set_new(e, "toxic", json_boolean(l->toxic));
			json_array_append_new(t, e);
			listed++;
		}
		free(sorted);
	}
	json_object_set_new(o, "top", t);
	return o;
}

int lx_report_leverage_csv(const char *dir, const struct lx_report *r,
			   const struct lx_market_view *mv, struct lx_error *err)
{
	char tmp[4096], a[LX_ADDR_STRLEN], d[LX_U256_DEC_MAX];
	double scale = pow(10, mv->base_decimals);
	FILE *f = lx_report_open(dir, "leverage.csv", tmp, sizeof(tmp));
	if (!f)
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "account,collateral_base,debt_base,leverage,bad_debt,loop_depth,"
		   "loops_correlated,loops_directional,loops_flash_loan,implied_depth,"
		   "health_factor_wad,toxic\n");
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_leverage *l = &r->lev[i];
		if (l->collateral <= 0 && l->debt <= 0)
			continue;
		lx_addr_checksum(a, &mv->accounts[i].account);
		lx_u256_to_dec(d, sizeof(d), &mv->accounts[i].health.health_factor);
		char lev[32];
		if (isfinite(l->leverage))
			snprintf(lev, sizeof(lev), "%.6f", l->leverage);
		else
			snprintf(lev, sizeof(lev), "inf");
		fprintf(f, "%s,%.8f,%.8f,%s,%d,%u,%u,%u,%u,%.3f,%s,%d\n", a, l->collateral / scale,
			l->debt / scale, lev, l->bad_debt, l->depth, l->loops.correlated,
			l->loops.directional, l->loops.flash, l->implied_depth, d, l->toxic);
	}
	return lx_report_close(f, tmp, err);
}
