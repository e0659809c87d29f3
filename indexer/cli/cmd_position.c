/*
 * cmd_position.c: `lendex position ADDRESS` — one account's exposure from the store alone, as
 * of the synced head: per reserve the supplied and borrowed amounts (token units and base
 * currency), the collateral flag and the prices at which the account becomes liquidatable
 * (that asset's oracle price falling or rising, the others held; an e-mode category's price
 * source on its own line); the account's totals exactly as the protocol's getUserAccountData
 * computes them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/hex.h"
#include "lendex/proto.h"
#include "lendex/report.h"
#include "lendex/risk.h"
#include "position_v4.h"

/* Base value of amount at price with decimals, floor, as the protocol computes it. */
static void base_value(struct lx_u256 *out, const struct lx_u256 *amt, const struct lx_u256 *px,
		       unsigned dec)
{
	struct lx_u256 unit;
	lx_u256_pow10(&unit, dec);
	if (lx_u256_muldiv(out, amt, px, &unit))
		lx_u256_max(out);
}

/* The point of feed f in one direction (lx_risk_liq_points), or NULL when the feed moves none
 * of the account's collateral (fall) or debt (rise). */
static const struct lx_liq_point *liq_point(const struct lx_liq_point *pts, size_t n, uint32_t f,
					    bool rise)
{
	for (size_t k = 0; k < n; k++)
		if (pts[k].feed == f && pts[k].rise == rise)
			return &pts[k];
	return NULL;
}

/* A reserve's own price line: the point of the asset's own feed, or "none" when that feed
 * moves nothing of the account (e.g. the position is priced by an e-mode source). */
static json_t *own_price_json(const struct lx_liq_point *pts, size_t n, uint32_t asset, bool rise)
{
	const struct lx_liq_point *p = liq_point(pts, n, asset, rise);
	if (!p || p->status == LX_LIQ_NONE)
		return json_null();
	if (p->status != LX_LIQ_FOUND)
		return json_string("undecided");
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), &p->price);
	return json_string(b);
}

static void own_price_text(char *buf, size_t cap, const struct lx_liq_point *pts, size_t n,
			   uint32_t f, bool rise, unsigned bd)
{
	const struct lx_liq_point *p = liq_point(pts, n, f, rise);
	if (!p || p->status == LX_LIQ_NONE)
		snprintf(buf, cap, "none");
	else if (p->status != LX_LIQ_FOUND)
		snprintf(buf, cap, "undecided");
	else
		lx_u256_to_fixed(buf, cap, &p->price, bd);
}

static json_t *u256_json(const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	return json_string(b);
}

static void fixed(char *buf, size_t cap, const struct lx_u256 *v, unsigned dec)
{
	lx_u256_to_fixed(buf, cap, v, dec);
}

static const char *proto_name(const struct lx_deployment *d)
{
	const struct lx_proto_ops *ops = d ? lx_proto_find_id(d->protocol) : NULL;
	return ops ? ops->name : "?";
}

/* Blocks between the price's read and the synced block (0: current; never read: the block). */
static uint64_t price_age(const struct lx_market_view *mv, const struct lx_asset_info *inf)
{
	return inf->price_block < mv->block ? mv->block - inf->price_block : 0;
}

/*
 * Which block the prices of the account's assets were read at. Prices are read at the last
 * block of each sync; an older one (a read that failed or was never made) is said plainly,
 * since every base value and the health factor above use it.
 */
static void print_price_ages(const struct lx_market_view *mv, const struct lx_account_view *ac)
{
	bool stale = false;
	for (size_t i = 0; i < ac->n_pos; i++) {
		const struct lx_asset_info *inf = &mv->assets[ac->pos[i].asset];
		uint64_t age = price_age(mv, inf);
		if (!age)
			continue;
		stale = true;
		if (!inf->price_block)
			printf("STALE PRICE        %s: never read from the oracle (valued at 0)\n",
			       inf->symbol[0] ? inf->symbol : "?");
		else
			printf("STALE PRICE        %s: read at block %llu, %llu blocks before the synced "
			       "block %llu\n",
			       inf->symbol[0] ? inf->symbol : "?", (unsigned long long)inf->price_block,
			       (unsigned long long)age, (unsigned long long)mv->block);
	}
	if (!stale && ac->n_pos)
		printf("prices             read at the synced block %llu\n",
		       (unsigned long long)mv->block);
}

/* The version the view was computed with (read from the chain), else the chains/ hint. */
static const char *version_of(const struct lx_market_view *mv, const struct lx_deployment *dep)
{
	if (mv->protocol_version[0])
		return mv->protocol_version;
	return dep ? dep->version : "?";
}

int lx_cmd_position(const struct lx_cli_args *a)
{
	struct lx_addr who;
	struct lx_error e;
	if (lx_addr_parse(&who, a->pos[0], &e)) {
		lx_cli_errorf("%s", e.msg);
		return LX_EXIT_USAGE;
	}
	struct lx_market_view mv;
	struct lx_chain *chain;
	int rc = lx_cli_load_view(a, &mv, 0, &who, 1, &chain);
	if (rc)
		return rc;
	if (mv.protocol == LX_PROTO_AAVE_V4) { /* per Spoke: its own account data */
		rc = lx_cli_position_v4(a, &mv, chain->name, &who);
		lx_market_view_release(&mv);
		lx_chain_destroy(chain);
		return rc;
	}
	const struct lx_account_view *ac = &mv.accounts[0];
	struct lx_liq_point *pts = NULL;
	size_t npts = 0;
	if (lx_risk_liq_points(&mv, &pts, &npts)) {
		pts = NULL;
		npts = 0;
	}
	const struct lx_health *h = &ac->health;
	/* the deployment whose rules (protocol version) these numbers follow */
	const struct lx_deployment *dep =
		lx_chain_find_deployment(chain, lx_cli_get(a, "deployment", NULL));
	char addr[LX_ADDR_STRLEN];
	lx_addr_checksum(addr, &who);
	unsigned bd = mv.base_decimals;
	if (lx_cli_has(a, "json")) {
		json_t *o = json_object();
		json_object_set_new(o, "chain", json_string(chain->name));
		json_object_set_new(o, "deployment", json_string(mv.name));
		json_object_set_new(o, "protocol", json_string(proto_name(dep)));
		/* the version the chain says was live (upgrades read from the chain), not chains/ */
		json_object_set_new(o, "protocolVersion", json_string(version_of(&mv, dep)));
		json_object_set_new(o, "block", json_integer((json_int_t)mv.block));
		json_object_set_new(o, "timestamp", json_integer((json_int_t)mv.timestamp));
		json_object_set_new(o, "account", json_string(addr));
		json_object_set_new(o, "emode", json_integer(ac->emode));
		json_object_set_new(o, "totalCollateralBase", u256_json(&h->total_collateral_base));
		json_object_set_new(o, "totalDebtBase", u256_json(&h->total_debt_base));
		json_object_set_new(o, "availableBorrowsBase", u256_json(&h->available_borrows_base));
		json_object_set_new(o, "currentLiquidationThreshold", u256_json(&h->liq_threshold_bps));
		json_object_set_new(o, "ltv", u256_json(&h->ltv_bps));
		json_object_set_new(o, "healthFactor", u256_json(&h->health_factor));
		json_t *rs = json_array();
		for (size_t i = 0; i < ac->n_pos; i++) {
			const struct lx_asset_pos *p = &ac->pos[i];
			const struct lx_asset_info *inf = &mv.assets[p->asset];
			char as[LX_ADDR_STRLEN];
			lx_addr_checksum(as, &inf->asset);
			struct lx_u256 sb, bb;
			base_value(&sb, &p->supplied, &p->price, inf->decimals);
			base_value(&bb, &p->borrowed, &p->price, inf->decimals);
			json_t *r = json_object();
			json_object_set_new(r, "asset", json_string(as));
			json_object_set_new(r, "symbol", json_string(inf->symbol));
			json_object_set_new(r, "decimals", json_integer(inf->decimals));
			json_object_set_new(r, "supplied", u256_json(&p->supplied));
			json_object_set_new(r, "variableDebt", u256_json(&p->borrowed_variable));
			json_object_set_new(r, "stableDebt", u256_json(&p->borrowed_stable));
			json_object_set_new(r, "borrowed", u256_json(&p->borrowed));
			json_object_set_new(r, "scaledSupplied", u256_json(&p->scaled_supplied));
			json_object_set_new(r, "scaledVariableDebt", u256_json(&p->scaled_variable));
			json_object_set_new(r, "collateral", json_boolean(p->collateral));
			json_object_set_new(r, "price", u256_json(&p->price));
			/* the block the price was read at, and how far it lags the synced block */
			json_object_set_new(r, "priceBlock", json_integer((json_int_t)inf->price_block));
			json_object_set_new(r, "priceAgeBlocks",
					    json_integer((json_int_t)price_age(&mv, inf)));
			json_object_set_new(r, "priceStale", json_boolean(price_age(&mv, inf) > 0));
			json_object_set_new(r, "suppliedBase", u256_json(&sb));
			json_object_set_new(r, "borrowedBase", u256_json(&bb));
			/* the asset's own price falling / rising; null = no such price liquidates */
			json_object_set_new(r, "liquidationPrice", own_price_json(pts, npts, p->asset, false));
			json_object_set_new(r, "liquidationPriceRise",
					    own_price_json(pts, npts, p->asset, true));
			uint32_t f = lx_model_feed_of(&mv, p);
			if (f != p->asset) {
				char lb[64];
				json_object_set_new(r, "pricedBy", json_string(lx_report_feed_label(
									   &mv, f, lb, sizeof(lb))));
			}
			json_array_append_new(rs, r);
		}
		json_object_set_new(o, "reserves", rs);
		json_t *lps = json_array();
		for (size_t k = 0; k < npts; k++)
			json_array_append_new(lps, lx_report_point_json(&pts[k], &mv));
		json_object_set_new(o, "liquidationPrices", lps);
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		char b1[100], b2[100], b3[100];
		printf("account  %s  (%s, %s: %s %s rules, block %llu)\n", addr, chain->name, mv.name,
		       proto_name(dep), version_of(&mv, dep),
		       (unsigned long long)mv.block);
		if (ac->n_pos == 0)
			printf("no positions\n");
		else {
			printf("%-8s %26s %26s %18s %18s %5s %16s %16s\n", "asset", "supplied",
			       "borrowed", "supplied (base)", "borrowed (base)", "coll", "liq. if falls",
			       "liq. if rises");
			for (size_t i = 0; i < ac->n_pos; i++) {
				const struct lx_asset_pos *p = &ac->pos[i];
				const struct lx_asset_info *inf = &mv.assets[p->asset];
				struct lx_u256 sb, bb;
				base_value(&sb, &p->supplied, &p->price, inf->decimals);
				base_value(&bb, &p->borrowed, &p->price, inf->decimals);
				fixed(b1, sizeof(b1), &p->supplied, inf->decimals);
				fixed(b2, sizeof(b2), &p->borrowed, inf->decimals);
				char sbs[100], bbs[100], lf[100], lr[100];
				fixed(sbs, sizeof(sbs), &sb, bd);
				fixed(bbs, sizeof(bbs), &bb, bd);
				own_price_text(lf, sizeof(lf), pts, npts, p->asset, false, bd);
				own_price_text(lr, sizeof(lr), pts, npts, p->asset, true, bd);
				printf("%-8s %26s %26s %18s %18s %5s %16s %16s\n",
				       inf->symbol[0] ? inf->symbol : "?", b1, b2, sbs, bbs,
				       p->collateral ? "yes" : "no", lf, lr);
			}
		}
		/* prices that move several positions together (e-mode category sources) */
		for (size_t k = 0; k < npts; k++) {
			const struct lx_liq_point *q = &pts[k];
			if (q->feed < mv.n_assets || (k > 0 && pts[k - 1].feed == q->feed))
				continue;
			char lb[64], pn[100], lf[100], lr[100];
			lx_report_feed_label(&mv, q->feed, lb, sizeof(lb));
			lx_u256_to_fixed(pn, sizeof(pn), &q->price_now, bd);
			own_price_text(lf, sizeof(lf), pts, npts, q->feed, false, bd);
			own_price_text(lr, sizeof(lr), pts, npts, q->feed, true, bd);
			char key[LX_ADDR_STRLEN];
			lx_addr_checksum(key, &mv.feeds[q->feed - mv.n_assets].key);
			printf("%s %s (prices the category's assets together, so their own prices "
			       "move nothing here): now %s, liq. if falls %s, if rises %s\n",
			       lb, key, pn, lf, lr);
		}
		printf("(liquidation prices: the highest price below today's / the lowest above at "
		       "which HF < 1, that price alone moving; none = no such price)\n");
		fixed(b1, sizeof(b1), &h->total_collateral_base, bd);
		fixed(b2, sizeof(b2), &h->total_debt_base, bd);
		fixed(b3, sizeof(b3), &h->available_borrows_base, bd);
		printf("\ncollateral         %s (base currency)\ndebt               %s\n"
		       "borrowing power    %s\n",
		       b1, b2, b3);
		fixed(b1, sizeof(b1), &h->ltv_bps, 2);
		fixed(b2, sizeof(b2), &h->liq_threshold_bps, 2);
		printf("ltv                %s%%\nliq. threshold     %s%%\n", b1, b2);
		struct lx_u256 max, wad;
		lx_u256_max(&max);
		lx_u256_from_u64(&wad, 1000000000000000000ull);
		if (lx_u256_eq(&h->health_factor, &max))
			printf("health factor      inf (no debt)\n");
		else {
			fixed(b1, sizeof(b1), &h->health_factor, 18);
			printf("health factor      %s%s\n", b1,
			       lx_u256_is_zero(&h->total_collateral_base) ? " (debt, no collateral)"
			       : lx_u256_cmp(&h->health_factor, &wad) < 0 ? " (liquidatable)"
									     : "");
		}
		if (ac->emode)
			printf("e-mode category    %u\n", ac->emode);
		print_price_ages(&mv, ac);
	}
	free(pts);
	lx_market_view_release(&mv);
	lx_chain_destroy(chain);
	return LX_EXIT_OK;
}
