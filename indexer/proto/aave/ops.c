/*
 * ops.c: Aave V2/V3's market operations tables (lendex/aave.h). Health is not monotone in a
 * price (collateral and debt of one asset are floored separately, the average threshold moves
 * with the weights), so liquidation prices use the exact curve (curve.c), not a bisection.
 */
#include "lendex/model.h"
#include "ops.h"

const struct lx_market_ops lx_aave_v3_market_ops = {
	.name = "aave_v3",
	.health = lx_aave_v3_health,
	.liquidate = lx_aave_v3_liquidate,
	.monotone = false,
	.curve = &lx_aave_curve_ops,
};

/* Aave V2: the same account totals (V2 GenericLogic rounds as 3.0 does); its own liquidation
 * (LendingPoolCollateralManager's collateral rounding, rules from the V2 view) */
const struct lx_market_ops lx_aave_v2_market_ops = {
	.name = "aave_v2",
	.health = lx_aave_v3_health,
	.liquidate = lx_aave_v2_liquidate,
	.monotone = false,
	.curve = &lx_aave_curve_ops,
};
