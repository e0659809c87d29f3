/*
 * math.h: Aave's interest math (MathUtils + ReserveLogic's normalized income/debt),
 * reproduced bit for bit. Shared by every Aave-family handler (V3, later V2 and Spark, which
 * use the same libraries). Internal to indexer/proto/.
 */
#ifndef LENDEX_PROTO_AAVE_MATH_H
#define LENDEX_PROTO_AAVE_MATH_H

#include <stdint.h>

#include "lendex/u256.h"

#define LX_AAVE_SECONDS_PER_YEAR 31536000u

/* MathUtils.calculateLinearInterest(rate, last) at time now (now >= last). */
int lx_aave_linear_interest(struct lx_u256 *r, const struct lx_u256 *rate, uint64_t last,
			    uint64_t now);
/* MathUtils.calculateCompoundedInterest(rate, last, now): 3-term binomial approximation. */
int lx_aave_compounded_interest(struct lx_u256 *r, const struct lx_u256 *rate, uint64_t last,
				uint64_t now);
/* ReserveLogic.getNormalizedIncome: index itself when now == last, else linear(rate).rayMul. */
int lx_aave_normalized_income(struct lx_u256 *r, const struct lx_u256 *liquidity_index,
			      const struct lx_u256 *liquidity_rate, uint64_t last, uint64_t now);
/* ReserveLogic.getNormalizedDebt: index when now == last, else compounded(rate).rayMul. */
int lx_aave_normalized_debt(struct lx_u256 *r, const struct lx_u256 *borrow_index,
			    const struct lx_u256 *borrow_rate, uint64_t last, uint64_t now);
/* StableDebtToken.balanceOf: principal.rayMul(compounded(rate, ts, now)), 0 if principal 0. */
int lx_aave_stable_balance(struct lx_u256 *r, const struct lx_u256 *principal,
			   const struct lx_u256 *rate, uint64_t ts, uint64_t now);

#endif
