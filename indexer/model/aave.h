/*
 * aave.h: Aave V2/V3's market operations inside the model module (health.c: account totals,
 * liquidate.c: one liquidation, aave_ops.c: the table). Reached from outside only through
 * lx_aave_v3_market_ops (model.h).
 */
#ifndef LENDEX_MODEL_AAVE_H
#define LENDEX_MODEL_AAVE_H

#include "lendex/model.h"

int lx_aave_v3_health(struct lx_health *out, const struct lx_market_view *mv,
		      const struct lx_account_view *acct, const struct lx_u256 *prices);
int lx_aave_v3_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			 const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			 size_t di, const struct lx_u256 *debt_to_cover,
			 const struct lx_u256 *available, bool apply);

int lx_aave_v2_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			 const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			 size_t di, const struct lx_u256 *debt_to_cover,
			 const struct lx_u256 *available, bool apply);

#endif
