/*
 * liquidation.c: the liquidation rules of each Aave V3 version, in the neutral form the risk
 * pass reads (struct lx_liq_rules in model.h). LiquidationLogic: a 50 % close factor, 100 % when
 * HF < 0.95 (CLOSE_FACTOR_HF_THRESHOLD); from 3.3 the close factor is taken on the whole
 * position, 100 % also when the collateral or debt reserve is worth less than
 * MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD (2000e8), no leftover under MIN_LEFTOVER_BASE (1000e8),
 * and debt left without collateral becomes reserve deficit; from 3.5 every scaled amount is
 * rounded by direction (TokenMath), and 3.7 rounds the bonus down and the fee up and decides
 * "no collateral left" on scaled units (liquidation-rounding.md of aave-v3-origin 3.7).
 */
#include <stdio.h>
#include <string.h>

#include "aave.h"

void aave_liq_rules(struct lx_liq_rules *out, const struct aave_rules *rules)
{
	memset(out, 0, sizeof(*out));
	out->default_close_factor_bps = 5000;
	out->max_close_factor_bps = 10000;
	lx_u256_from_u64(&out->full_close_hf, 950000000000000000ull);
	if (rules->close_factor == AAVE_CF_POSITION) {
		lx_u256_from_u64(&out->min_base_full_close,
				 (uint64_t)rules->full_close_base_units * 100000000ull);
		out->position_close_factor = true;
	}
	lx_u256_from_u64(&out->min_leftover_base,
			 (uint64_t)rules->min_leftover_base_units * 100000000ull);
	out->deficit = rules->deficit;
	out->token_math = rules->rounding == AAVE_ROUND_DIRECTIONAL;
	out->bonus_floor_fee_ceil = rules->liq_bonus_floor;
	out->stable_debt = rules->stable_debt;
	out->no_collateral_scaled = rules->scaled_no_collateral;
	snprintf(out->version, sizeof(out->version), "%s", rules->version);
}
