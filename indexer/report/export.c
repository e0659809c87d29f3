/*
 * export.c: risk data in other tools' formats.
 *
 * DefiLlama liquidation levels (liquidations_defillama.json / .csv, and `liquidations` in
 * report.json): the shape of DefiLlama-Adapters' `Liq` at commit 0e65a4b9a2 — the parent of
 * afa5f83a08, which removed the liquidations/ folder on 2026-03-19, so the last version of the
 * format (schema: fixtures/defillama/liq.schema.json). `collateral` is prefixed with DefiLlama's
 * chain key (projects/helper/chains.json there: "avax", not lendex's "avalanche"), `liqPrice`
 * is USD: rows of a market whose base currency is not USD are left out (lendex reads no USD
 * feed for another base currency), and the JSON says how many and why.
 *
 * Messari positions (positions_messari.csv): one row per open position with the fields of
 * Messari's lending schema (schema-lending.graphql 3.1.0, type Position) that a snapshot of
 * balances determines.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/report.h"
#include "report_int.h"

/* chain id → DefiLlama chain key (projects/helper/chains.json at 0e65a4b9a2) */
static const struct {
	uint64_t id;
	const char *key;
} llama_chains[] = {
	{1, "ethereum"},    {10, "optimism"},   {56, "bsc"},     {100, "xdai"},
	{137, "polygon"},   {250, "fantom"},    {324, "era"},    {1088, "metis"},
	{5000, "mantle"},   {8453, "base"},     {42161, "arbitrum"}, {43114, "avax"},
	{59144, "linea"},   {534352, "scroll"},
};

const char *lx_report_defillama_chain(uint64_t chain_id, const char *fallback)
{
	for (size_t i = 0; i < sizeof(llama_chains) / sizeof(llama_chains[0]); i++)
		if (llama_chains[i].id == chain_id)
			return llama_chains[i].key;
	return fallback;
}

/* the DefiLlama rows can be written: the market's prices are USD */
static const char *llama_skip_reason(const struct lx_market_view *mv)
{
	if (strcmp(lx_report_base_unit(mv), "USD") != 0)
		return "liqPrice is USD and this market's base currency is not (no USD feed for it "
		       "is read): rows left out";
	return NULL;
}

/* collateral amount of p's asset in its account (raw units) */
static void coll_amount(char *out, size_t cap, const struct lx_market_view *mv,
			const struct lx_liq_point *p)
{
	const struct lx_account_view *ac = &mv->accounts[p->account];
	snprintf(out, cap, "0");
	for (size_t k = 0; k < ac->n_pos; k++)
		if (ac->pos[k].asset == p->asset)
			lx_u256_to_dec(out, cap, &ac->pos[k].supplied);
}

/* DefiLlama's rows are a collateral token's own price falling to a found liquidation price
 * (prices of e-mode category sources and rises have no DefiLlama shape) */
static bool llama_row(const struct lx_liq_point *p)
{
	return !p->rise && p->asset != LX_FEED_NONE && p->status == LX_LIQ_FOUND;
}

json_t *lx_report_defillama_json(const struct lx_report *r, const struct lx_market_view *mv,
				 const struct lx_report_opts *o, size_t *omitted, const char **why)
{
	*omitted = 0;
	*why = llama_skip_reason(mv);
	json_t *dl = json_array();
	if (*why) {
		for (size_t i = 0; i < r->n_pts; i++)
			*omitted += llama_row(&r->pts[i]);
		return dl;
	}
	const char *chain = lx_report_defillama_chain(mv->chain_id, o->chain ? o->chain : "");
	/* liquidation prices are in the view's price units (model.h: price_decimals) */
	double scale = pow(10, mv->price_decimals ? mv->price_decimals : mv->base_decimals);
	for (size_t i = 0; i < r->n_pts; i++) {
		const struct lx_liq_point *p = &r->pts[i];
		if (!llama_row(p))
			continue;
		json_t *e = json_object();
		char a[LX_ADDR_STRLEN], coll[128], amt[LX_U256_DEC_MAX];
		lx_addr_lower(a, &mv->accounts[p->account].account);
		json_object_set_new(e, "owner", json_string(a));
		json_object_set_new(e, "liqPrice", json_real(lx_u256_to_double(&p->price) / scale));
		lx_addr_lower(a, &mv->assets[p->asset].asset);
		snprintf(coll, sizeof(coll), "%s:%s", chain, a);
		json_object_set_new(e, "collateral", json_string(coll));
		coll_amount(amt, sizeof(amt), mv, p);
		json_object_set_new(e, "collateralAmount", json_string(amt));
		json_array_append_new(dl, e);
	}
	return dl;
}

static int llama_files(const char *dir, const struct lx_report *r,
		       const struct lx_market_view *mv, const struct lx_report_opts *o,
		       struct lx_error *err)
{
	char tmp[4096];
	size_t omitted;
	const char *why;
	json_t *dl = lx_report_defillama_json(r, mv, o, &omitted, &why);
	FILE *f = lx_report_open(dir, "liquidations_defillama.json", tmp, sizeof(tmp));
	if (!f) {
		json_decref(dl);
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	}
	json_dumpf(dl, f, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	fputc('\n', f);
	int rc = lx_report_close(f, tmp, err);
	if (rc) {
		json_decref(dl);
		return rc;
	}
	if (!(f = lx_report_open(dir, "liquidations_defillama.csv", tmp, sizeof(tmp)))) {
		json_decref(dl);
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	}
	fprintf(f, "owner,liqPrice,collateral,collateralAmount\n");
	size_t i;
	json_t *e;
	json_array_foreach(dl, i, e)
	fprintf(f, "%s,%.17g,%s,%s\n", json_string_value(json_object_get(e, "owner")),
		json_real_value(json_object_get(e, "liqPrice")),
		json_string_value(json_object_get(e, "collateral")),
		json_string_value(json_object_get(e, "collateralAmount")));
	json_decref(dl);
	return lx_report_close(f, tmp, err);
}

static void position_row(FILE *f, const struct lx_market_view *mv, const char *acct,
			 const struct lx_asset_info *ai, const char *side, const char *type,
			 const char *is_coll, const struct lx_u256 *bal)
{
	char market[LX_ADDR_STRLEN], asset[LX_ADDR_STRLEN], b[LX_U256_DEC_MAX];
	struct lx_addr zero = {{0}};
	lx_addr_lower(asset, &ai->asset);
	/* Messari's Aave market id is the aToken (the market's output token) */
	lx_addr_lower(market,
		      lx_addr_eq(&ai->supply_token, &zero) ? &ai->asset : &ai->supply_token);
	lx_u256_to_dec(b, sizeof(b), bal);
	fprintf(f, "%s-%s-%s%s%s-0,%s,%s,%s,%s,%s,%s,%s,%llu,%llu\n", acct, market, side,
		*type ? "-" : "", type, acct, market, asset, side, type, is_coll, b,
		(unsigned long long)mv->block, (unsigned long long)mv->timestamp);
}

static int messari_csv(const char *dir, const struct lx_market_view *mv, struct lx_error *err)
{
	char tmp[4096], acct[LX_ADDR_STRLEN];
	FILE *f = lx_report_open(dir, "positions_messari.csv", tmp, sizeof(tmp));
	if (!f)
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "id,account,market,asset,side,type,isCollateral,balance,blockNumber,"
		   "timestamp\n");
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_account_view *a = &mv->accounts[i];
		lx_addr_lower(acct, &a->account);
		for (size_t k = 0; k < a->n_pos; k++) {
			const struct lx_asset_pos *p = &a->pos[k];
			const struct lx_asset_info *ai = &mv->assets[p->asset];
			if (!lx_u256_is_zero(&p->supplied))
				position_row(f, mv, acct, ai, "COLLATERAL", "",
					     p->collateral ? "true" : "false", &p->supplied);
			if (!lx_u256_is_zero(&p->borrowed_variable))
				position_row(f, mv, acct, ai, "BORROWER", "VARIABLE", "",
					     &p->borrowed_variable);
			if (!lx_u256_is_zero(&p->borrowed_stable))
				position_row(f, mv, acct, ai, "BORROWER", "STABLE", "",
					     &p->borrowed_stable);
		}
	}
	return lx_report_close(f, tmp, err);
}

int lx_report_exports(const char *dir, const struct lx_report *r,
		      const struct lx_market_view *mv, const struct lx_report_opts *o,
		      struct lx_error *err)
{
	int rc = llama_files(dir, r, mv, o, err);
	return rc ? rc : messari_csv(dir, mv, err);
}
