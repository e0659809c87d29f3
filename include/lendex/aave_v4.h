/*
 * aave_v4.h: what Aave V4 has beyond the neutral model (model.h) — the account data its Spokes
 * report (Spoke.getUserAccountData) and its liquidation engine — computed from a market view
 * built by the aave_v4 handler (indexer/proto/aave_v4/).
 *
 * Units as in the Spoke: values are amount * price(8 decimals) * 10^(18 - decimals), so 1e26 is
 * one dollar; health factor and average collateral factor in wad; risk premium in bps.
 */
#ifndef LENDEX_AAVE_V4_H
#define LENDEX_AAVE_V4_H

#include <stdint.h>

#include "lendex/model.h"
#include "lendex/u256.h"

/* Spoke.getUserAccountData (ISpoke.UserAccountData), field for field. */
struct lx_aave_v4_account {
	struct lx_u256 risk_premium;          /* bps, the live one (not the stored one) */
	struct lx_u256 avg_collateral_factor; /* wad */
	struct lx_u256 health_factor;         /* wad; 2^256-1 without debt */
	struct lx_u256 total_collateral_value;
	struct lx_u256 total_debt_value_ray;
	uint32_t active_collateral_count;
	uint32_t borrow_count;
};

/*
 * Computes acct's account data exactly as Spoke._processUserAccountData (no refresh: the
 * account's pinned config keys, as in the view). prices: optional per-position override
 * (indexed like acct->pos; NULL = pos[i].price). Errors: LX_EOVERFLOW where the Spoke reverts.
 */
int lx_aave_v4_account_data(struct lx_aave_v4_account *out, const struct lx_market_view *mv,
			    const struct lx_account_view *acct, const struct lx_u256 *prices);

/* The same, as the neutral totals (collateral and debt values in the 1e26 base, debt rounded
 * up; ltv/liq_threshold = average collateral factor in bps; no borrowing power). */
int lx_aave_v4_health(struct lx_health *out, const struct lx_market_view *mv,
		      const struct lx_account_view *acct, const struct lx_u256 *prices);

/*
 * LiquidationLogic.calculateLiquidationBonus: max_bonus at or below hf_for_max, else rising
 * linearly from the minimum (1e4 + (max - 1e4) * bonus_factor / 1e4) at HF 1. bps.
 */
int lx_aave_v4_bonus(struct lx_u256 *out, const struct lx_u256 *hf_for_max,
		     uint16_t bonus_factor_bps, const struct lx_u256 *hf, uint32_t max_bonus);

/* health = lx_aave_v4_health, liquidate = LiquidationLogic.liquidateUser (v0.5.11); set on every view the aave_v4 handler builds (mv->ops) */
extern const struct lx_market_ops lx_aave_v4_market_ops;

#endif
