/*
 * report.c: the risk pass assembled (lx_report_compute) and its JSON and CSV forms. The HTML
 * page is in html.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lendex/report.h"
#include "report_int.h"

static double base_val(const struct lx_market_view *mv, uint32_t a, const struct lx_u256 *amt,
		       const struct lx_u256 *price)
{
	return lx_u256_to_double(amt) * lx_u256_to_double(price) / pow(10, mv->assets[a].decimals);
}

int lx_report_compute(struct lx_report *r, const struct lx_market_view *mv,
		      struct lx_report_opts *o, struct lx_error *err)
{
	memset(r, 0, sizeof(*r));
	if (!o->top)
		o->top = 20;
	if (!o->sweep_step_bps)
		o->sweep_step_bps = 500;
	if (!o->sweep_max_bps)
		o->sweep_max_bps = 5000;
	r->lev = calloc(mv->n_accounts ? mv->n_accounts : 1, sizeof(*r->lev));
	if (!r->lev) {
		lx_report_release(r);
		return lx_error_set(err, LX_ENOMEM, "report: out of memory");
	}
	int rc;
	if ((rc = lx_risk_leverage(mv, r->lev, &r->lsum)) || (rc = lx_risk_hf(mv, &r->hf)) ||
	    (rc = lx_risk_liq_points(mv, &r->pts, &r->n_pts)) ||
	    (rc = lx_risk_ladders(mv, &r->ladders, &r->n_ladders))) {
		lx_report_release(r);
		return lx_error_set(err, rc, "report: risk pass failed: %s", lx_strerror(rc));
	}
	if (!o->n_shocks && mv->n_assets) {
		/* default: the volatile asset holding the most collateral (not in a group named
		 * "usd"), -20% */
		double best = -1;
		size_t bi = 0;
		for (size_t a = 0; a < mv->n_assets; a++) {
			uint16_t g = mv->assets[a].group;
			if (g && g <= 16 && o->group_names[g - 1] && !strcmp(o->group_names[g - 1], "usd"))
				continue;
			double v = base_val(mv, (uint32_t)a, &mv->assets[a].total_supplied,
					    &mv->assets[a].price);
			if (v > best) {
				best = v;
				bi = a;
			}
		}
		o->shocks[0] = (struct lx_shock){bi, -2000};
		o->n_shocks = 1;
	}
	if (lx_report_cascade_not_computed(mv))
		return 0; /* no cascade rather than an inexact one (report.json says why) */
	if (o->n_shocks &&
	    (rc = lx_risk_cascade_run(mv, o->shocks, o->n_shocks, &o->cascade, &r->cascade, err))) {
		lx_report_release(r);
		return rc;
	}
	/* the cascade curve of each shocked asset on its own, from 0 to -max */
	for (size_t k = 0; k < o->n_shocks; k++) {
		bool seen = false;
		for (size_t j = 0; j < k; j++)
			seen |= o->shocks[j].asset == o->shocks[k].asset;
		if (seen)
			continue;
		for (int s = 0; s <= o->sweep_max_bps && r->n_sweep < LX_REPORT_MAX_SWEEP;
		     s += o->sweep_step_bps) {
			struct lx_shock sh = {o->shocks[k].asset, -s};
			struct lx_cascade c;
			if ((rc = lx_risk_cascade_run(mv, &sh, 1, &o->cascade, &c, err))) {
				lx_report_release(r);
				return rc;
			}
			struct lx_sweep_point *p = &r->sweep[r->n_sweep++];
			p->asset = sh.asset;
			p->shock = -s / 10000.0;
			p->debt_repaid = c.total_debt_repaid;
			p->collateral_seized = c.total_collateral_seized;
			p->bad_debt = c.bad_debt;
			p->bad_debt_created = c.bad_debt_created;
			p->amplification = c.amplification;
			p->final_move = c.final_move;
			p->accounts = c.n_liq;
			p->rounds = c.n_rounds;
			lx_cascade_release(&c);
			if (o->sweep_step_bps <= 0)
				break;
		}
	}
	return 0;
}

void lx_report_release(struct lx_report *r)
{
	free(r->lev);
	free(r->pts);
	free(r->ladders);
	lx_cascade_release(&r->cascade);
	memset(r, 0, sizeof(*r));
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *u256j(const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	return json_string(b);
}

static json_t *addrj(const struct lx_addr *a)
{
	char b[LX_ADDR_STRLEN];
	lx_addr_checksum(b, a);
	return json_string(b);
}

const char *lx_report_band_label(int b, char *buf, size_t cap)
{
	if (b == 0)
		snprintf(buf, cap, "<%.2g", lx_risk_band_edges[0]);
	else if (b == LX_RISK_BANDS - 1)
		snprintf(buf, cap, ">%.3g", lx_risk_band_edges[b - 1]);
	else
		snprintf(buf, cap, "%.3g-%.3g", lx_risk_band_edges[b - 1], lx_risk_band_edges[b]);
	return buf;
}

const char *lx_report_feed_label(const struct lx_market_view *mv, uint32_t feed, char *buf,
				 size_t cap)
{
	if (feed < mv->n_assets)
		snprintf(buf, cap, "%s", mv->assets[feed].symbol[0] ? mv->assets[feed].symbol : "?");
	else if (feed - mv->n_assets < mv->n_feeds)
		snprintf(buf, cap, "emode-%u-source", mv->feeds[feed - mv->n_assets].emode);
	else
		snprintf(buf, cap, "?");
	return buf;
}

/* the address the oracle is asked for the feed */
static void feed_key(const struct lx_market_view *mv, uint32_t feed, char out[LX_ADDR_STRLEN])
{
	struct lx_addr z;
	memset(&z, 0, sizeof(z));
	const struct lx_addr *k = feed < mv->n_assets ? &mv->assets[feed].asset
				  : feed - mv->n_assets < mv->n_feeds ? &mv->feeds[feed - mv->n_assets].key
								       : &z;
	lx_addr_checksum(out, k);
}

/* "market": the sub-market (Aave V4 Spoke, Morpho Blue market id) an account or asset belongs
 * to, 32 bytes in hex as position prints it; left out for pooled markets (all zeros). A pair of
 * tokens alone does not name it: two Morpho markets may share loan and collateral tokens. */
static void market_key(json_t *e, const uint8_t m[32])
{
	static const uint8_t none[32];
	if (!memcmp(m, none, sizeof(none)))
		return;
	char h[67];
	lx_hex_encode(h, sizeof(h), m, 32);
	json_object_set_new(e, "market", json_string(h));
}

static const char *status_name(uint8_t s)
{
	return s == LX_LIQ_FOUND ? "found" : s == LX_LIQ_NONE ? "none" : "undecided";
}

json_t *lx_report_point_json(const struct lx_liq_point *p, const struct lx_market_view *mv)
{
	json_t *e = json_object();
	char a[LX_ADDR_STRLEN], lb[64];
	json_object_set_new(e, "account", addrj(&mv->accounts[p->account].account));
	market_key(e, mv->accounts[p->account].market);
	feed_key(mv, p->feed, a);
	json_object_set_new(e, "feed", json_string(a));
	json_object_set_new(e, "label", json_string(lx_report_feed_label(mv, p->feed, lb, sizeof(lb))));
	json_object_set_new(e, "kind", json_string(p->feed < mv->n_assets ? "asset" : "emodeSource"));
	if (p->feed >= mv->n_assets && p->feed - mv->n_assets < mv->n_feeds)
		json_object_set_new(e, "emode", json_integer(mv->feeds[p->feed - mv->n_assets].emode));
	json_object_set_new(e, "direction", json_string(p->rise ? "rise" : "fall"));
	json_object_set_new(e, "status", json_string(status_name(p->status)));
	json_object_set_new(e, "price", p->status == LX_LIQ_FOUND ? u256j(&p->price) : json_null());
	json_object_set_new(e, "priceNow", u256j(&p->price_now));
	json_object_set_new(e, "value", u256j(&p->value));
	json_object_set_new(e, "already", json_boolean(p->already));
	return e;
}

static json_t *lx_report_ladders_json(const struct lx_report *r, const struct lx_market_view *mv)
{
	json_t *lad = json_array();
	for (size_t k = 0; k < r->n_ladders; k++) {
		const struct lx_ladder *l = &r->ladders[k];
		json_t *e = json_object();
		char a[LX_ADDR_STRLEN], lb[64];
		feed_key(mv, l->feed, a);
		if (l->feed < mv->n_assets)
			market_key(e, mv->assets[l->feed].market);
		json_object_set_new(e, "feed", json_string(a));
		json_object_set_new(e, "label",
				    json_string(lx_report_feed_label(mv, l->feed, lb, sizeof(lb))));
		json_object_set_new(e, "kind", json_string(l->feed < mv->n_assets ? "asset"
										  : "emodeSource"));
		json_object_set_new(e, "direction", json_string(l->rise ? "rise" : "fall"));
		json_t *lv = json_array();
		for (size_t s = 0; s < l->n_levels; s++) {
			json_t *p = json_object();
			json_object_set_new(p, "moveBps", json_integer(l->move_bps[s]));
			json_object_set_new(p, "price", u256j(&l->price[s]));
			json_object_set_new(p, "accounts", json_integer((json_int_t)l->accounts[s]));
			json_object_set_new(p, "value", u256j(&l->value[s]));
			json_array_append_new(lv, p);
		}
		json_object_set_new(e, "levels", lv);
		json_array_append_new(lad, e);
	}
	return lad;
}

json_t *lx_report_hf_json(const struct lx_report *r, const struct lx_market_view *mv,
			  const struct lx_report_opts *o)
{
	json_t *j = json_object();
	double scale = pow(10, mv->base_decimals);
	json_t *bands = json_array();
	char lb[32];
	for (int b = 0; b < LX_RISK_BANDS; b++) {
		json_t *e = json_object();
		json_object_set_new(e, "band", json_string(lx_report_band_label(b, lb, sizeof(lb))));
		json_object_set_new(e, "debt", num(r->hf.band_debt[b] / scale));
		json_object_set_new(e, "accounts", json_integer((json_int_t)r->hf.band_accounts[b]));
		json_array_append_new(bands, e);
	}
	json_object_set_new(j, "bands", bands);
	json_object_set_new(j, "noDebtAccounts", json_integer((json_int_t)r->hf.no_debt_accounts));
	json_object_set_new(j, "totalDebt", num(r->hf.total_debt / scale));
	json_object_set_new(j, "concentrationHHI", num(r->hf.hhi));
	json_t *cl = json_array();
	for (size_t i = 0; i < r->hf.n_clusters; i++) {
		const struct lx_hf_cluster *c = &r->hf.clusters[i];
		json_t *e = json_object();
		json_object_set_new(e, "hfLow", num(c->lo));
		json_object_set_new(e, "hfHigh", num(c->hi));
		json_object_set_new(e, "hfCenter", num(c->center));
		json_object_set_new(e, "debt", num(c->debt / scale));
		json_object_set_new(e, "accounts", json_integer((json_int_t)c->accounts));
		json_array_append_new(cl, e);
	}
	json_object_set_new(j, "clusters", cl);
	json_object_set_new(j, "liquidationLadder", lx_report_ladders_json(r, mv));
	json_t *lp = json_array();
	for (size_t i = 0; i < r->n_pts; i++)
		json_array_append_new(lp, lx_report_point_json(&r->pts[i], mv));
	json_object_set_new(j, "liquidationPrices", lp);
	/* DeFiLlama's liquidation levels (export.c) */
	size_t omitted;
	const char *why;
	json_t *dl = lx_report_defillama_json(r, mv, o, &omitted, &why);
	if (why) {
		json_t *om = json_object();
		json_object_set_new(om, "rows", json_integer((json_int_t)omitted));
		json_object_set_new(om, "reason", json_string(why));
		json_object_set_new(j, "liquidationsOmitted", om);
	}
	json_object_set_new(j, "liquidations", dl);
	return j;
}

static json_t *prices_json(const struct lx_market_view *mv, const struct lx_u256 *p)
{
	json_t *o = json_object();
	for (size_t a = 0; p && a < mv->n_assets; a++)
		json_object_set_new(o, mv->assets[a].symbol[0] ? mv->assets[a].symbol : "?",
				    u256j(&p[a]));
	return o;
}

static json_t *u128j(unsigned __int128 v)
{
	struct lx_u256 x = {{(uint64_t)v, (uint64_t)(v >> 64), 0, 0}};
	return u256j(&x);
}

static const char *unliq_reason(uint8_t r)
{
	switch (r) {
	case LX_UNLIQ_GAS:
		return "gas";
	case LX_UNLIQ_NO_COLLATERAL:
		return "no-collateral";
	case LX_UNLIQ_DUST:
		return "dust";
	default:
		return "limit";
	}
}

json_t *lx_report_cascade_json(const struct lx_cascade *c, const struct lx_market_view *mv,
			       bool with_liquidations)
{
	double scale = pow(10, mv->base_decimals);
	json_t *j = json_object();
	/* whose liquidation rules the amounts follow (Aave: the version live at the view's block) */
	json_object_set_new(j, "rulesVersion", json_string(mv->rules.version));
	json_t *rounds = json_array();
	for (size_t i = 0; i < c->n_rounds; i++) {
		const struct lx_cascade_round *r = &c->rounds[i];
		json_t *e = json_object();
		json_object_set_new(e, "round", json_integer((json_int_t)i + 1));
		json_object_set_new(e, "accounts", json_integer((json_int_t)r->accounts));
		json_object_set_new(e, "liquidations", json_integer((json_int_t)r->liquidations));
		json_object_set_new(e, "debtRepaid", num(r->debt_repaid / scale));
		json_object_set_new(e, "collateralSeized", num(r->collateral_seized / scale));
		json_object_set_new(e, "collateralSold", num(r->collateral_sold / scale));
		json_object_set_new(e, "saleProceeds", num(r->proceeds / scale));
		json_object_set_new(e, "slippage", num(r->slippage / scale));
		json_object_set_new(e, "liquidatorProfit", num(r->profit / scale));
		json_t *pm = json_object();
		for (size_t a = 0; a < mv->n_assets && a < 64; a++)
			if (r->price_move[a] != 0)
				json_object_set_new(pm, mv->assets[a].symbol, num(r->price_move[a]));
		json_object_set_new(e, "priceMove", pm);
		json_object_set_new(e, "oraclePrices", prices_json(mv, r->oracle));
		json_object_set_new(e, "marketPrices", prices_json(mv, r->market));
		json_array_append_new(rounds, e);
	}
	json_object_set_new(j, "rounds", rounds);
	json_object_set_new(j, "debtRepaid", num(c->total_debt_repaid / scale));
	json_object_set_new(j, "collateralSeized", num(c->total_collateral_seized / scale));
	json_object_set_new(j, "liquidatorProfit", num(c->total_profit / scale));
	json_object_set_new(j, "slippage", num(c->total_slippage / scale));
	json_object_set_new(j, "badDebt", num(c->bad_debt / scale));
	json_object_set_new(j, "badDebtBefore", num(c->bad_debt_before / scale));
	json_object_set_new(j, "badDebtCreated", num(c->bad_debt_created / scale));
	json_object_set_new(j, "deficitCreated", num(c->deficit / scale));
	json_object_set_new(j, "initialMove", num(c->initial_move));
	json_object_set_new(j, "finalMove", num(c->final_move));
	json_object_set_new(j, "amplification", num(c->amplification));
	json_object_set_new(j, "fixedPoint", json_boolean(c->fixed_point));
	json_t *am = json_object();
	for (size_t k = 0; k < c->n_shocked; k++) {
		json_t *e = json_object();
		json_object_set_new(e, "initialMove", num(c->shocked[k].initial_move));
		json_object_set_new(e, "finalMove", num(c->shocked[k].final_move));
		json_object_set_new(e, "amplification", num(c->shocked[k].amplification));
		json_object_set_new(am, mv->assets[c->shocked[k].asset].symbol, e);
	}
	json_object_set_new(j, "amplificationByAsset", am);
	json_t *un = json_array();
	for (size_t i = 0; i < c->n_unliq; i++) {
		const struct lx_unliquidated *x = &c->unliq[i];
		json_t *e = json_object();
		json_object_set_new(e, "user", addrj(&mv->accounts[x->account].account));
		market_key(e, mv->accounts[x->account].market);
		json_object_set_new(e, "reason", json_string(unliq_reason(x->reason)));
		json_object_set_new(e, "healthFactor", u256j(&x->hf));
		json_object_set_new(e, "debt", num(x->debt / scale));
		json_object_set_new(e, "bestProfit", num(x->profit / scale));
		json_array_append_new(un, e);
	}
	json_object_set_new(j, "unliquidated", un);
	if (with_liquidations) {
		json_t *l = json_array();
		for (size_t i = 0; i < c->n_liq; i++) {
			const struct lx_liquidation *q = &c->liq[i];
			json_t *e = json_object();
			json_object_set_new(e, "round", json_integer((json_int_t)q->round));
			json_object_set_new(e, "seq", json_integer((json_int_t)q->seq));
			json_object_set_new(e, "user", addrj(&mv->accounts[q->account].account));
			market_key(e, mv->accounts[q->account].market);
			if (mv->protocol == LX_PROTO_AAVE_V4) {
				/* liquidationCall names reserves, not tokens */
				json_object_set_new(
					e, "collateralReserveId",
					json_integer(mv->assets[q->collateral_asset].reserve_id));
				json_object_set_new(e, "debtReserveId",
						    json_integer(mv->assets[q->debt_asset].reserve_id));
				json_object_set_new(e, "premiumRestoredRay", u256j(&q->premium_repaid_ray));
				json_object_set_new(e, "protocolFeeShares", u256j(&q->fee_shares));
			}
			json_object_set_new(e, "collateralAsset", addrj(&mv->assets[q->collateral_asset].asset));
			json_object_set_new(e, "debtAsset", addrj(&mv->assets[q->debt_asset].asset));
			json_object_set_new(e, "collateralSymbol",
					    json_string(mv->assets[q->collateral_asset].symbol));
			json_object_set_new(e, "debtSymbol", json_string(mv->assets[q->debt_asset].symbol));
			json_object_set_new(e, "debtAsked", u256j(&q->debt_to_cover));
			json_object_set_new(e, "debtToCover", u256j(&q->debt_repaid));
			json_object_set_new(e, "liquidatedCollateralAmount", u256j(&q->collateral_seized));
			json_object_set_new(e, "protocolFee", u256j(&q->protocol_fee));
			json_object_set_new(e, "protocolFeeClamped", json_boolean(q->protocol_fee_clamped));
			json_object_set_new(e, "receiveAToken", json_boolean(q->receive_atoken));
			json_object_set_new(e, "healthFactor", u256j(&q->hf_before));
			json_object_set_new(e, "closeFactorBps", json_integer(q->close_factor_bps));
			json_object_set_new(e, "deficitBase", u256j(&q->deficit_base));
			json_object_set_new(e, "collateralBalanceAfter", u256j(&q->collateral_after));
			json_object_set_new(e, "debtBalanceAfter", u256j(&q->debt_after));
			json_object_set_new(e, "profit", num(q->profit / scale));
			json_array_append_new(l, e);
		}
		json_object_set_new(j, "liquidations", l);
		json_t *sw = json_array();
		for (size_t i = 0; i < c->n_swaps; i++) {
			const struct lx_dex_swap_rec *s = &c->swaps[i];
			json_t *e = json_object();
			json_object_set_new(e, "round", json_integer((json_int_t)s->round));
			json_object_set_new(e, "asset", json_string(mv->assets[s->asset].symbol));
			json_object_set_new(e, "zeroForOne", json_boolean(s->swap.zero_for_one));
			json_object_set_new(e, "exactInput", json_boolean(s->swap.exact_in));
			json_object_set_new(e, "amountSpecified", u256j(&s->swap.specified));
			json_object_set_new(e, "sqrtPriceLimitX96", u256j(&s->swap.limit));
			json_object_set_new(e, "amountIn", u256j(&s->swap.amount_in));
			json_object_set_new(e, "amountOut", u256j(&s->swap.amount_out));
			json_object_set_new(e, "sqrtPriceX96", u256j(&s->sqrt_price));
			json_object_set_new(e, "tick", json_integer(s->tick));
			json_object_set_new(e, "liquidity", u128j(s->liquidity));
			json_array_append_new(sw, e);
		}
		json_object_set_new(j, "swaps", sw);
	}
	return j;
}

json_t *lx_report_json(const struct lx_report *r, const struct lx_market_view *mv,
		       const struct lx_report_opts *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "market", json_string(mv->name));
	json_object_set_new(j, "chain", json_string(o->chain ? o->chain : ""));
	json_object_set_new(j, "block", json_integer((json_int_t)mv->block));
	json_object_set_new(j, "timestamp", json_integer((json_int_t)mv->timestamp));
	json_object_set_new(j, "baseDecimals", json_integer(mv->base_decimals));
	json_object_set_new(j, "leverage", lx_report_leverage_json(r, mv, o->top));
	json_object_set_new(j, "healthFactors", lx_report_hf_json(r, mv, o));
	json_t *sh = json_array();
	for (size_t i = 0; i < o->n_shocks; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "asset", json_string(mv->assets[o->shocks[i].asset].symbol));
		json_object_set_new(e, "move", num(o->shocks[i].bps / 10000.0));
		json_array_append_new(sh, e);
	}
	json_object_set_new(j, "shocks", sh);
	json_object_set_new(j, "cascade", lx_report_cascade_json(&r->cascade, mv, true));
	if (lx_report_cascade_not_computed(mv))
		json_object_set_new(j, "cascadeNotComputed",
				    json_string(lx_report_cascade_not_computed(mv)));
	json_t *sw = json_array();
	double scale = pow(10, mv->base_decimals);
	for (size_t i = 0; i < r->n_sweep; i++) {
		const struct lx_sweep_point *p = &r->sweep[i];
		json_t *e = json_object();
		json_object_set_new(e, "asset", json_string(mv->assets[p->asset].symbol));
		json_object_set_new(e, "shock", num(p->shock));
		json_object_set_new(e, "debtRepaid", num(p->debt_repaid / scale));
		json_object_set_new(e, "collateralSeized", num(p->collateral_seized / scale));
		json_object_set_new(e, "badDebt", num(p->bad_debt / scale));
		json_object_set_new(e, "finalMove", num(p->final_move));
		json_object_set_new(e, "liquidations", json_integer((json_int_t)p->accounts));
		json_object_set_new(e, "rounds", json_integer((json_int_t)p->rounds));
		json_object_set_new(e, "badDebtCreated", num(p->bad_debt_created / scale));
		json_object_set_new(e, "amplification", num(p->amplification));
		json_array_append_new(sw, e);
	}
	json_object_set_new(j, "sweep", sw);
	return j;
}

/* ---- files ---- */

FILE *lx_report_open(const char *dir, const char *name, char *tmp, size_t cap)
{
	snprintf(tmp, cap, "%s/%s.tmp", dir, name);
	return fopen(tmp, "w");
}

int lx_report_close(FILE *f, const char *tmp, struct lx_error *err)
{
	char final[4096];
	size_t l = strlen(tmp);
	if (l < 4 || l - 4 >= sizeof(final)) {
		fclose(f);
		return lx_error_set(err, LX_EINVAL, "report: bad path");
	}
	memcpy(final, tmp, l - 4);
	final[l - 4] = 0;
	int bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, final))
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write %s: %s", final,
				     strerror(errno));
	return 0;
}

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_csvs(const char *dir, const struct lx_report *r, const struct lx_market_view *mv,
		      const struct lx_report_opts *o, struct lx_error *err)
{
	char tmp[4096], a[LX_ADDR_STRLEN];
	double scale = pow(10, mv->base_decimals);
	FILE *f;
	int rc;
	if ((rc = lx_report_leverage_csv(dir, r, mv, err)))
		return rc;
	if (!(f = lx_report_open(dir, "hf_bands.csv", tmp, sizeof(tmp))))
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "band,debt_base,accounts\n");
	char lb[32];
	for (int b = 0; b < LX_RISK_BANDS; b++)
		fprintf(f, "%s,%.8f,%zu\n", lx_report_band_label(b, lb, sizeof(lb)),
			r->hf.band_debt[b] / scale, r->hf.band_accounts[b]);
	if ((rc = lx_report_close(f, tmp, err)))
		return rc;
	if (!(f = lx_report_open(dir, "clusters.csv", tmp, sizeof(tmp))))
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "cluster,hf_low,hf_high,hf_center,debt_base,accounts\n");
	for (size_t i = 0; i < r->hf.n_clusters; i++) {
		const struct lx_hf_cluster *c = &r->hf.clusters[i];
		fprintf(f, "%zu,%.6f,%.6f,%.6f,%.8f,%zu\n", i + 1, c->lo, c->hi, c->center,
			c->debt / scale, c->accounts);
	}
	if ((rc = lx_report_close(f, tmp, err)))
		return rc;
	if (!(f = lx_report_open(dir, "ladder.csv", tmp, sizeof(tmp))))
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "feed,label,direction,move_bps,price,accounts,value_base\n");
	for (size_t k = 0; k < r->n_ladders; k++) {
		const struct lx_ladder *l = &r->ladders[k];
		char fl[64], pr[LX_U256_DEC_MAX], vb[LX_U256_DEC_MAX];
		feed_key(mv, l->feed, a);
		lx_report_feed_label(mv, l->feed, fl, sizeof(fl));
		for (size_t s = 0; s < l->n_levels; s++) {
			lx_u256_to_dec(pr, sizeof(pr), &l->price[s]);
			lx_u256_to_dec(vb, sizeof(vb), &l->value[s]);
			fprintf(f, "%s,", a);
			csv_str(f, fl);
			fprintf(f, ",%s,%d,%s,%zu,%s\n", l->rise ? "rise" : "fall", l->move_bps[s], pr,
				l->accounts[s], vb);
		}
	}
	if ((rc = lx_report_close(f, tmp, err)))
		return rc;
	if (!(f = lx_report_open(dir, "liquidation_prices.csv", tmp, sizeof(tmp))))
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "account,feed,label,direction,status,price,price_now,value_base,already\n");
	for (size_t i = 0; i < r->n_pts; i++) {
		const struct lx_liq_point *p = &r->pts[i];
		char b[LX_ADDR_STRLEN], fl[64], pr[LX_U256_DEC_MAX] = "", pn[LX_U256_DEC_MAX], vb[LX_U256_DEC_MAX];
		lx_addr_checksum(a, &mv->accounts[p->account].account);
		feed_key(mv, p->feed, b);
		lx_report_feed_label(mv, p->feed, fl, sizeof(fl));
		if (p->status == LX_LIQ_FOUND)
			lx_u256_to_dec(pr, sizeof(pr), &p->price);
		lx_u256_to_dec(pn, sizeof(pn), &p->price_now);
		lx_u256_to_dec(vb, sizeof(vb), &p->value);
		fprintf(f, "%s,%s,", a, b);
		csv_str(f, fl);
		fprintf(f, ",%s,%s,%s,%s,%s,%s\n", p->rise ? "rise" : "fall", status_name(p->status), pr,
			pn, vb, p->already ? "yes" : "no");
	}
	if ((rc = lx_report_close(f, tmp, err)))
		return rc;
	if ((rc = lx_report_exports(dir, r, mv, o, err)))
		return rc;
	if (!(f = lx_report_open(dir, "cascade.csv", tmp, sizeof(tmp))))
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "round,accounts,debt_repaid_base,collateral_seized_base\n");
	for (size_t i = 0; i < r->cascade.n_rounds; i++)
		fprintf(f, "%zu,%zu,%.8f,%.8f\n", i + 1, r->cascade.rounds[i].accounts,
			r->cascade.rounds[i].debt_repaid / scale,
			r->cascade.rounds[i].collateral_seized / scale);
	if ((rc = lx_report_close(f, tmp, err)))
		return rc;
	if (!(f = lx_report_open(dir, "sweep.csv", tmp, sizeof(tmp))))
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	fprintf(f, "shock,debt_repaid_base,collateral_seized_base,bad_debt_base,final_move,"
		   "liquidations,asset,rounds,bad_debt_created_base,amplification\n");
	for (size_t i = 0; i < r->n_sweep; i++) {
		const struct lx_sweep_point *p = &r->sweep[i];
		fprintf(f, "%.4f,%.8f,%.8f,%.8f,%.6f,%zu,%s,%zu,%.8f,%.6f\n", p->shock,
			p->debt_repaid / scale, p->collateral_seized / scale, p->bad_debt / scale,
			p->final_move, p->accounts, mv->assets[p->asset].symbol, p->rounds,
			p->bad_debt_created / scale, p->amplification);
	}
	return lx_report_close(f, tmp, err);
}

int lx_report_write(const char *dir, const struct lx_report *r, const struct lx_market_view *mv,
		    const struct lx_report_opts *o, struct lx_error *err)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		return lx_error_setd(err, LX_EIO, errno, "report: cannot create %s: %s", dir,
				     strerror(errno));
	char tmp[4096];
	FILE *f = lx_report_open(dir, "report.json", tmp, sizeof(tmp));
	if (!f)
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	json_t *j = lx_report_json(r, mv, o);
	json_dumpf(j, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(j);
	int rc = lx_report_close(f, tmp, err);
	if (!rc)
		rc = write_csvs(dir, r, mv, o, err);
	if (!rc)
		rc = lx_report_html(dir, r, mv, o, err);
	return rc;
}
