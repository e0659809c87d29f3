/*
 * ops.h: Aave V2/V3's market operations (health.c: account totals, liquidate.c: one
 * liquidation, curve.c: health as a function of one price, ops.c: the tables). Reached from
 * outside only through lx_aave_v3_market_ops and lx_aave_v2_market_ops (lendex/aave.h).
 */
#ifndef LENDEX_PROTO_AAVE_OPS_H
#define LENDEX_PROTO_AAVE_OPS_H

#include "lendex/model.h"
#include "lendex/aave.h"

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

/* the affine curve of <= 3.4 rounding; 3.5+ views get the monotone one (curve.c) */
extern const struct lx_curve_ops lx_aave_curve_ops;

#endif
