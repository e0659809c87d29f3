/*
 * position_v4.c: `lendex position ADDRESS` for an Aave V4 deployment — one block per Spoke the
 * address is in (V4 health is per Spoke: positions in different Spokes never net), each with
 * the Spoke's own account data (Spoke.getUserAccountData: risk premium, average collateral
 * factor, health factor, collateral value, debt value in ray, counts) and per reserve the
 * supplied assets and (drawn, premium) debt as the Spoke's views report them; --json adds the
 * Spoke-wide reserve totals (getReserveSuppliedAssets, getReserveDebt).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "common.h"
#include "lendex/aave_v4.h"
#include "lendex/hex.h"
#include "position_v4.h"

static json_t *num(const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	return json_string(b);
}

static void market_addr(char *out, const uint8_t m[32])
{
	struct lx_addr a;
	memcpy(a.b, m + 12, 20);
	lx_addr_checksum(out, &a);
}

static json_t *reserves_json(const struct lx_market_view *mv, const uint8_t m[32])
{
	json_t *rs = json_array();
	for (size_t i = 0; i < mv->n_assets; i++) {
		const struct lx_asset_info *inf = &mv->assets[i];
		if (memcmp(inf->market, m, 32))
			continue;
		struct lx_u256 drawn;
		lx_u256_sub(&drawn, &inf->total_borrowed, &inf->borrowed_premium);
		char as[LX_ADDR_STRLEN];
		lx_addr_checksum(as, &inf->asset);
		json_t *r = json_object();
		json_object_set_new(r, "reserveId", json_integer(inf->reserve_id));
		json_object_set_new(r, "asset", json_string(as));
		json_object_set_new(r, "symbol", json_string(inf->symbol));
		json_object_set_new(r, "price", num(&inf->price));
		json_object_set_new(r, "priceBlock", json_integer((json_int_t)inf->price_block));
		json_object_set_new(r, "suppliedAssets", num(&inf->total_supplied));
		json_object_set_new(r, "drawnDebt", num(&drawn));
		json_object_set_new(r, "premiumDebt", num(&inf->borrowed_premium));
		json_object_set_new(r, "drawnIndex", num(&inf->borrow_index));
		json_object_set_new(r, "decimals", json_integer(inf->decimals));
		json_object_set_new(r, "collateralRisk", json_integer(inf->collateral_risk_bps));
		json_object_set_new(r, "hubAddedAssets", num(&inf->hub_added_assets));
		json_object_set_new(r, "hubAddedShares", num(&inf->hub_added_shares));
		json_object_set_new(r, "targetHealthFactor", num(&inf->target_hf));
		json_object_set_new(r, "healthFactorForMaxBonus", num(&inf->hf_for_max_bonus));
		json_object_set_new(r, "liquidationBonusFactor", json_integer(inf->bonus_factor_bps));
		json_array_append_new(rs, r);
	}
	return rs;
}

int lx_cli_position_v4(const struct lx_cli_args *a, const struct lx_market_view *mv,
		       const char *chain, const struct lx_addr *who)
{
	char addr[LX_ADDR_STRLEN];
	lx_addr_checksum(addr, who);
	bool js = lx_cli_has(a, "json");
	json_t *o = json_object(), *ms = json_array();
	if (!js)
		printf("%s on %s (%s, Aave V4 %s rules), block %llu\n", addr, mv->name, chain,
		       mv->protocol_version, (unsigned long long)mv->block);
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_account_view *ac = &mv->accounts[i];
		struct lx_aave_v4_account d;
		int rc = lx_aave_v4_account_data(&d, mv, ac, NULL);
		char sp[LX_ADDR_STRLEN];
		market_addr(sp, ac->market);
		if (rc) {
			json_decref(o);
			json_decref(ms);
			lx_cli_errorf("account data of %s in spoke %s: %s (Spoke.getUserAccountData "
				      "would revert)",
				      addr, sp, lx_strerror(rc));
			return LX_EXIT_RUNTIME;
		}
		json_t *m = json_object(), *ps = json_array();
		json_object_set_new(m, "market", json_string(sp));
		json_object_set_new(m, "riskPremium", num(&d.risk_premium));
		json_object_set_new(m, "avgCollateralFactor", num(&d.avg_collateral_factor));
		json_object_set_new(m, "healthFactor", num(&d.health_factor));
		json_object_set_new(m, "totalCollateralValue", num(&d.total_collateral_value));
		json_object_set_new(m, "totalDebtValueRay", num(&d.total_debt_value_ray));
		json_object_set_new(m, "activeCollateralCount", json_integer(d.active_collateral_count));
		json_object_set_new(m, "borrowCount", json_integer(d.borrow_count));
		if (!js)
			printf("\nspoke %s\n  %-8s %-10s %-42s %28s %28s %24s %4s %5s\n", sp, "reserve",
			       "symbol", "asset", "supplied", "drawn", "premium", "coll", "CF%");
		for (size_t k = 0; k < ac->n_pos; k++) {
			const struct lx_asset_pos *p = &ac->pos[k];
			const struct lx_asset_info *inf = &mv->assets[p->asset];
			struct lx_u256 prem;
			lx_u256_sub(&prem, &p->borrowed, &p->borrowed_variable);
			char as[LX_ADDR_STRLEN];
			lx_addr_checksum(as, &inf->asset);
			json_t *r = json_object();
			json_object_set_new(r, "reserveId", json_integer(inf->reserve_id));
			json_object_set_new(r, "asset", json_string(as));
			json_object_set_new(r, "symbol", json_string(inf->symbol));
			json_object_set_new(r, "supplied", num(&p->supplied));
			json_object_set_new(r, "suppliedShares", num(&p->scaled_supplied));
			json_object_set_new(r, "drawnDebt", num(&p->borrowed_variable));
			json_object_set_new(r, "premiumDebt", num(&prem));
			json_object_set_new(r, "drawnShares", num(&p->scaled_variable));
			json_object_set_new(r, "premiumDebtRay", num(&p->premium_ray));
			json_object_set_new(r, "collateral", json_boolean(p->collateral));
			json_object_set_new(r, "collateralFactor", json_integer(p->liq_threshold_bps));
			json_object_set_new(r, "maxLiquidationBonus", json_integer(p->liq_bonus_bps));
			json_object_set_new(r, "liquidationFee", json_integer(p->liq_fee_bps));
			json_object_set_new(r, "price", num(&p->price));
			json_array_append_new(ps, r);
			if (!js) {
				char s1[96], s2[96], s3[96];
				lx_u256_to_fixed(s1, sizeof(s1), &p->supplied, inf->decimals);
				lx_u256_to_fixed(s2, sizeof(s2), &p->borrowed_variable, inf->decimals);
				lx_u256_to_fixed(s3, sizeof(s3), &prem, inf->decimals);
				printf("  %-8u %-10s %-42s %28s %28s %24s %4s %5.2f\n", inf->reserve_id,
				       inf->symbol[0] ? inf->symbol : "?", as, s1, s2, s3,
				       p->collateral ? "yes" : "no", p->liq_threshold_bps / 100.0);
			}
		}
		json_object_set_new(m, "positions", ps);
		json_object_set_new(m, "reserves", reserves_json(mv, ac->market));
		json_array_append_new(ms, m);
		if (!js) {
			char c1[96], c2[96], hf[96];
			struct lx_u256 dv, rr, max;
			lx_u256_pow10(&rr, 27);
			lx_u256_div(&dv, &d.total_debt_value_ray, &rr);
			lx_u256_to_fixed(c1, sizeof(c1), &d.total_collateral_value, 26);
			lx_u256_to_fixed(c2, sizeof(c2), &dv, 26);
			lx_u256_max(&max);
			if (lx_u256_eq(&d.health_factor, &max))
				snprintf(hf, sizeof(hf), "inf (no debt)");
			else
				lx_u256_to_fixed(hf, sizeof(hf), &d.health_factor, 18);
			char acf[96];
			lx_u256_to_fixed(acf, sizeof(acf), &d.avg_collateral_factor, 18);
			printf("  collateral $%s  debt $%s  avg CF %s  risk premium %llu bps\n"
			       "  health factor %s  (%u collateral, %u borrowed)\n",
			       c1, c2, acf, (unsigned long long)d.risk_premium.w[0], hf,
			       d.active_collateral_count, d.borrow_count);
		}
	}
	if (js) {
		json_object_set_new(o, "chain", json_string(chain));
		json_object_set_new(o, "deployment", json_string(mv->name));
		json_object_set_new(o, "protocol", json_string("aave_v4"));
		json_object_set_new(o, "protocolVersion", json_string(mv->protocol_version));
		json_object_set_new(o, "block", json_integer((json_int_t)mv->block));
		json_object_set_new(o, "timestamp", json_integer((json_int_t)mv->timestamp));
		json_object_set_new(o, "account", json_string(addr));
		json_object_set_new(o, "markets", ms);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		json_decref(ms);
	}
	json_decref(o);
	return LX_EXIT_OK;
}
