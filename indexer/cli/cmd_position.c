/*
 * cmd_position.c: `lendex position ADDRESS` — one account's exposure from the store alone, as
 * of the synced head: per reserve the supplied and borrowed amounts (token units and base
 * currency), the collateral flag and the price at which the account becomes liquidatable
 * (that asset's price moving, the others held); the account's totals exactly as the protocol's
 * getUserAccountData computes them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/hex.h"
#include "lendex/risk.h"

/* Base value of amount at price with decimals, floor, as the protocol computes it. */
static void base_value(struct lx_u256 *out, const struct lx_u256 *amt, const struct lx_u256 *px,
		       unsigned dec)
{
	struct lx_u256 unit;
	lx_u256_pow10(&unit, dec);
	if (lx_u256_muldiv(out, amt, px, &unit))
		lx_u256_max(out);
}

/* The exact liquidation price of the account's collateral in `asset` (lx_risk_liq_points). */
static bool liq_price(const struct lx_liq_point *pts, size_t n, uint32_t asset, double *out)
{
	for (size_t k = 0; k < n; k++)
		if (pts[k].asset == asset) {
			*out = pts[k].price;
			return true;
		}
	return false;
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
	const struct lx_account_view *ac = &mv.accounts[0];
	struct lx_liq_point *pts = NULL;
	size_t npts = 0;
	if (lx_risk_liq_points(&mv, &pts, &npts)) {
		pts = NULL;
		npts = 0;
	}
	const struct lx_health *h = &ac->health;
	char addr[LX_ADDR_STRLEN];
	lx_addr_checksum(addr, &who);
	unsigned bd = mv.base_decimals;
	if (lx_cli_has(a, "json")) {
		json_t *o = json_object();
		json_object_set_new(o, "chain", json_string(chain->name));
		json_object_set_new(o, "deployment", json_string(mv.name));
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
			json_object_set_new(r, "collateral", json_boolean(p->collateral));
			json_object_set_new(r, "price", u256_json(&p->price));
			json_object_set_new(r, "suppliedBase", u256_json(&sb));
			json_object_set_new(r, "borrowedBase", u256_json(&bb));
			double lp;
			if (p->collateral && liq_price(pts, npts, p->asset, &lp)) {
				char b[64];
				snprintf(b, sizeof(b), "%.0f", lp);
				json_object_set_new(r, "liquidationPrice", json_string(b));
			} else {
				json_object_set_new(r, "liquidationPrice", json_null());
			}
			json_array_append_new(rs, r);
		}
		json_object_set_new(o, "reserves", rs);
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		char b1[100], b2[100], b3[100];
		printf("account  %s  (%s, %s, block %llu)\n", addr, chain->name, mv.name,
		       (unsigned long long)mv.block);
		if (ac->n_pos == 0)
			printf("no positions\n");
		else {
			printf("%-8s %26s %26s %18s %18s %5s %16s\n", "asset", "supplied", "borrowed",
			       "supplied (base)", "borrowed (base)", "coll", "liq. price");
			for (size_t i = 0; i < ac->n_pos; i++) {
				const struct lx_asset_pos *p = &ac->pos[i];
				const struct lx_asset_info *inf = &mv.assets[p->asset];
				struct lx_u256 sb, bb;
				base_value(&sb, &p->supplied, &p->price, inf->decimals);
				base_value(&bb, &p->borrowed, &p->price, inf->decimals);
				fixed(b1, sizeof(b1), &p->supplied, inf->decimals);
				fixed(b2, sizeof(b2), &p->borrowed, inf->decimals);
				char sbs[100], bbs[100], lps[40] = "-";
				fixed(sbs, sizeof(sbs), &sb, bd);
				fixed(bbs, sizeof(bbs), &bb, bd);
				double lp;
				if (p->collateral && liq_price(pts, npts, p->asset, &lp))
					snprintf(lps, sizeof(lps), "%.4f", lp / pow(10, bd));
				printf("%-8s %26s %26s %18s %18s %5s %16s\n",
				       inf->symbol[0] ? inf->symbol : "?", b1, b2, sbs, bbs,
				       p->collateral ? "yes" : "no", lps);
			}
		}
		fixed(b1, sizeof(b1), &h->total_collateral_base, bd);
		fixed(b2, sizeof(b2), &h->total_debt_base, bd);
		fixed(b3, sizeof(b3), &h->available_borrows_base, bd);
		printf("\ncollateral         %s (base currency)\ndebt               %s\n"
		       "borrowing power    %s\n",
		       b1, b2, b3);
		fixed(b1, sizeof(b1), &h->ltv_bps, 2);
		fixed(b2, sizeof(b2), &h->liq_threshold_bps, 2);
		printf("ltv                %s%%\nliq. threshold     %s%%\n", b1, b2);
		struct lx_u256 max;
		lx_u256_max(&max);
		if (lx_u256_eq(&h->health_factor, &max))
			printf("health factor      inf (no debt)\n");
		else {
			fixed(b1, sizeof(b1), &h->health_factor, 18);
			printf("health factor      %s%s\n", b1,
			       lx_u256_is_zero(&h->total_collateral_base) ? " (debt, no collateral)"
			       : lx_u256_to_double(&h->health_factor) < 1e18 ? " (liquidatable)"
									     : "");
		}
		if (ac->emode)
			printf("e-mode category    %u\n", ac->emode);
	}
	free(pts);
	lx_market_view_release(&mv);
	lx_chain_destroy(chain);
	return LX_EXIT_OK;
}
