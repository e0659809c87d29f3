/*
 * ops.c: the rules an Aave V2 market view carries for the risk pass. V2's
 * LendingPoolCollateralManager: one liquidation repays at most 50 % of the user's debt in the
 * debt reserve (stable + variable, LIQUIDATION_CLOSE_FACTOR_PERCENT, whatever the health
 * factor), seizes debt value times the reserve's bonus in collateral, takes no protocol fee,
 * burns variable debt first and stable debt after; no dust rule, no deficit. Health is V2
 * GenericLogic.calculateUserAccountData (the Aave 3.0 rounding exactly); both operations are
 * proto/aave's code behind lx_aave_v2_market_ops.
 */
#include <string.h>

#include "v2.h"

void v2_liq_rules(struct lx_liq_rules *out)
{
	memset(out, 0, sizeof(*out));
	out->default_close_factor_bps = 5000;
	out->max_close_factor_bps = 5000; /* no 100 % close in V2 */
	out->stable_debt = true;
}

void v2_view_ops(struct lx_market_view *mv)
{
	mv->ops = &lx_aave_v2_market_ops;
	/* V2 oracles quote in ETH (18 decimals) on Ethereum and Polygon, in USD (8) on Avalanche */
	const char *base = mv->base_decimals == 18 ? "ETH" : mv->base_decimals == 8 ? "USD" : "";
	size_t n = strlen(base);
	memcpy(mv->base, base, n + 1);
}
