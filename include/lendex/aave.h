/*
 * aave.h: Aave V2/V3's market operations (struct lx_market_ops, model.h), implemented in
 * indexer/proto/aave/ (health.c, liquidate.c, curve.c, ops.c). Views built by the Aave V3 and
 * V2 handlers carry them; tests building synthetic Aave markets set them too.
 */
#ifndef LENDEX_AAVE_H
#define LENDEX_AAVE_H

#include "lendex/model.h"

/*
 * Aave V3 (every V3 version; mv->health_method says how totals round, mv->rules how a
 * liquidation runs): GenericLogic.calculateUserAccountData and
 * LiquidationLogic.executeLiquidationCall.
 */
extern const struct lx_market_ops lx_aave_v3_market_ops;
/* Aave V2 (proto/aave_v2/): V3.0's totals; LendingPoolCollateralManager's liquidation (50 % close
 * factor of the reserve debt, bonus before the division, no fee, variable then stable debt). */
extern const struct lx_market_ops lx_aave_v2_market_ops;

#endif
