/*
 * math.h: Aave's interest math (MathUtils + ReserveLogic's normalized income/debt),
 * reproduced bit for bit. Shared by every Aave-family handler (V3 and Spark in proto/aave/, V2
 * in proto/aave_v2/: the same libraries, only the compound-interest formula differs). Internal
 * to indexer/proto/.
 */
#ifndef LENDEX_PROTO_AAVE_MATH_H
#define LENDEX_PROTO_AAVE_MATH_H

#include <stdbool.h>
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

/* 3.4+ MathUtils.calculateCompoundedInterest: x = rate*dt/year; RAY + x + x.rayMul(x/2 +
 * x.rayMul(x/6)) (multiplications before divisions: differs from the 3.0 form in the last
 * digits). */
int lx_aave_compounded_interest_v34(struct lx_u256 *r, const struct lx_u256 *rate,
				    uint64_t last, uint64_t now);
/* getNormalizedDebt with the 3.4+ formula. */
int lx_aave_normalized_debt_v34(struct lx_u256 *r, const struct lx_u256 *borrow_index,
				const struct lx_u256 *borrow_rate, uint64_t last, uint64_t now);

/* A compound-interest formula (rate, last, now) -> ray factor: one of the above. */
typedef int (*lx_aave_compound_fn)(struct lx_u256 *r, const struct lx_u256 *rate, uint64_t last,
				   uint64_t now);
/* V2 MathUtils.calculateCompoundedInterest: rate per second first (rate / year). */
int lx_aave_compounded_interest_v2(struct lx_u256 *r, const struct lx_u256 *rate, uint64_t last,
				   uint64_t now);
/* getNormalizedDebt with the given formula: index when now == last, else factor.rayMul(index). */
int lx_aave_debt_with(struct lx_u256 *r, lx_aave_compound_fn compound,
		      const struct lx_u256 *borrow_index, const struct lx_u256 *borrow_rate,
		      uint64_t last, uint64_t now);
/* StableDebtToken.balanceOf with the given formula (0 if principal is 0). */
int lx_aave_stable_with(struct lx_u256 *r, lx_aave_compound_fn compound,
			const struct lx_u256 *principal, const struct lx_u256 *rate, uint64_t ts,
			uint64_t now);

/* rayMul rounded down / up (WadRayMath.rayMulFloor / rayMulCeil, 3.5+). */
int lx_aave_ray_mul_floor(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_aave_ray_mul_ceil(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);

/*
 * 3.5+ TokenMath, inverted: the scaled balance x whose balance at index is exactly balance
 * (aToken: rayMulFloor(x, index); debt token: rayMulCeil(x, index)). Both maps are strictly
 * increasing for index >= 1 ray, so x is unique when it exists. LX_ENOTFOUND when no scaled
 * balance gives that balance (our state differs from the chain's), LX_EDIVZERO, LX_EOVERFLOW.
 */
int lx_aave_scaled_for_balance(struct lx_u256 *x, const struct lx_u256 *balance,
			       const struct lx_u256 *index, bool debt);

#endif
