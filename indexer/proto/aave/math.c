/*
 * math.c: Aave's MathUtils and ReserveLogic index projections on lx_u256.
 *
 * Solidity's `unchecked` blocks wrap; the checked ones revert. We return LX_EOVERFLOW where the
 * contract would revert (practically never with real rates) and wrap where it would wrap.
 */
#include "math.h"

static void u64(struct lx_u256 *r, uint64_t v)
{
	lx_u256_from_u64(r, v);
}

int lx_aave_linear_interest(struct lx_u256 *r, const struct lx_u256 *rate, uint64_t last,
			    uint64_t now)
{
	struct lx_u256 dt, spy, ray;
	if (now < last)
		return LX_EOVERFLOW; /* block.timestamp - last would revert */
	u64(&dt, now - last);
	u64(&spy, LX_AAVE_SECONDS_PER_YEAR);
	lx_u256_pow10(&ray, 27);
	int rc = lx_u256_mul(r, rate, &dt);
	if (rc)
		return rc;
	lx_u256_div(r, r, &spy);
	return lx_u256_add(r, r, &ray);
}

int lx_aave_compounded_interest(struct lx_u256 *r, const struct lx_u256 *rate, uint64_t last,
				uint64_t now)
{
	struct lx_u256 ray, spy, spy2, e, em1, em2, b2, b3, t, second, third;
	lx_u256_pow10(&ray, 27);
	if (now < last)
		return LX_EOVERFLOW;
	uint64_t exp = now - last;
	if (exp == 0) {
		*r = ray;
		return 0;
	}
	u64(&e, exp);
	u64(&em1, exp - 1);
	u64(&em2, exp > 2 ? exp - 2 : 0);
	u64(&spy, LX_AAVE_SECONDS_PER_YEAR);
	u64(&spy2, (uint64_t)LX_AAVE_SECONDS_PER_YEAR * LX_AAVE_SECONDS_PER_YEAR);
	int rc = lx_ray_mul(&b2, rate, rate); /* rayMul reverts on overflow even in unchecked */
	if (rc)
		return rc;
	lx_u256_div(&b2, &b2, &spy2);
	rc = lx_ray_mul(&b3, &b2, rate);
	if (rc)
		return rc;
	lx_u256_div(&b3, &b3, &spy);
	struct lx_u256 two, six;
	u64(&two, 2);
	u64(&six, 6);
	if ((rc = lx_u256_mul(&second, &e, &em1)) || (rc = lx_u256_mul(&second, &second, &b2)))
		return rc;
	lx_u256_div(&second, &second, &two);
	if ((rc = lx_u256_mul(&third, &e, &em1)) || (rc = lx_u256_mul(&third, &third, &em2)) ||
	    (rc = lx_u256_mul(&third, &third, &b3)))
		return rc;
	lx_u256_div(&third, &third, &six);
	if ((rc = lx_u256_mul(&t, rate, &e)))
		return rc;
	lx_u256_div(&t, &t, &spy);
	if ((rc = lx_u256_add(r, &ray, &t)) || (rc = lx_u256_add(r, r, &second)) ||
	    (rc = lx_u256_add(r, r, &third)))
		return rc;
	return 0;
}

int lx_aave_normalized_income(struct lx_u256 *r, const struct lx_u256 *liquidity_index,
			      const struct lx_u256 *liquidity_rate, uint64_t last, uint64_t now)
{
	struct lx_u256 f;
	if (now == last) {
		*r = *liquidity_index;
		return 0;
	}
	int rc = lx_aave_linear_interest(&f, liquidity_rate, last, now);
	if (rc)
		return rc;
	return lx_ray_mul(r, &f, liquidity_index);
}

int lx_aave_normalized_debt(struct lx_u256 *r, const struct lx_u256 *borrow_index,
			    const struct lx_u256 *borrow_rate, uint64_t last, uint64_t now)
{
	return lx_aave_debt_with(r, lx_aave_compounded_interest, borrow_index, borrow_rate, last,
				 now);
}

int lx_aave_debt_with(struct lx_u256 *r, lx_aave_compound_fn compound,
		      const struct lx_u256 *borrow_index, const struct lx_u256 *borrow_rate,
		      uint64_t last, uint64_t now)
{
	struct lx_u256 f;
	if (now == last) {
		*r = *borrow_index;
		return 0;
	}
	int rc = compound(&f, borrow_rate, last, now);
	if (rc)
		return rc;
	return lx_ray_mul(r, &f, borrow_index);
}

int lx_aave_stable_balance(struct lx_u256 *r, const struct lx_u256 *principal,
			   const struct lx_u256 *rate, uint64_t ts, uint64_t now)
{
	return lx_aave_stable_with(r, lx_aave_compounded_interest, principal, rate, ts, now);
}

int lx_aave_stable_with(struct lx_u256 *r, lx_aave_compound_fn compound,
			const struct lx_u256 *principal, const struct lx_u256 *rate, uint64_t ts,
			uint64_t now)
{
	struct lx_u256 f;
	if (lx_u256_is_zero(principal)) {
		lx_u256_from_u64(r, 0);
		return 0;
	}
	int rc = compound(&f, rate, ts, now);
	if (rc)
		return rc;
	return lx_ray_mul(r, principal, &f);
}

/*
 * V2 MathUtils.calculateCompoundedInterest: the rate per second is taken first (rate / year),
 * then RAY + r*t + t(t-1)/2 * r.rayMul(r) + t(t-1)(t-2)/6 * r.rayMul(r).rayMul(r) — the same
 * series as 3.0 with the division done first, so the last digits differ. Checked arithmetic
 * (SafeMath): an overflow is where the contract reverts.
 */
int lx_aave_compounded_interest_v2(struct lx_u256 *r, const struct lx_u256 *rate, uint64_t last,
				   uint64_t now)
{
	struct lx_u256 ray, rps, spy, b2, b3, e, t, second, third, k;
	lx_u256_pow10(&ray, 27);
	if (now < last)
		return LX_EOVERFLOW;
	uint64_t exp = now - last;
	if (exp == 0) {
		*r = ray;
		return 0;
	}
	u64(&spy, LX_AAVE_SECONDS_PER_YEAR);
	lx_u256_div(&rps, rate, &spy);
	int rc;
	if ((rc = lx_ray_mul(&b2, &rps, &rps)) || (rc = lx_ray_mul(&b3, &b2, &rps)))
		return rc;
	u64(&e, exp);
	u64(&t, exp - 1);
	if ((rc = lx_u256_mul(&second, &e, &t)) || (rc = lx_u256_mul(&second, &second, &b2)))
		return rc;
	u64(&k, 2);
	lx_u256_div(&second, &second, &k);
	u64(&k, exp > 2 ? exp - 2 : 0);
	if ((rc = lx_u256_mul(&third, &e, &t)) || (rc = lx_u256_mul(&third, &third, &k)) ||
	    (rc = lx_u256_mul(&third, &third, &b3)))
		return rc;
	u64(&k, 6);
	lx_u256_div(&third, &third, &k);
	if ((rc = lx_u256_mul(&t, &rps, &e)) || (rc = lx_u256_add(r, &ray, &t)) ||
	    (rc = lx_u256_add(r, r, &second)) || (rc = lx_u256_add(r, r, &third)))
		return rc;
	return 0;
}

int lx_aave_compounded_interest_v34(struct lx_u256 *r, const struct lx_u256 *rate,
				    uint64_t last, uint64_t now)
{
	struct lx_u256 ray, x, spy, t, half, sixth, k;
	lx_u256_pow10(&ray, 27);
	if (now < last)
		return LX_EOVERFLOW;
	if (now == last) {
		*r = ray;
		return 0;
	}
	/* unchecked in Solidity; rate < 2^128 and dt < 2^40 keep it exact */
	u64(&t, now - last);
	int rc = lx_u256_mul(&x, rate, &t);
	if (rc)
		return rc;
	u64(&spy, LX_AAVE_SECONDS_PER_YEAR);
	lx_u256_div(&x, &x, &spy);
	u64(&k, 6);
	lx_u256_div(&sixth, &x, &k);
	if ((rc = lx_ray_mul(&t, &x, &sixth)))
		return rc;
	u64(&k, 2);
	lx_u256_div(&half, &x, &k);
	if ((rc = lx_u256_add(&t, &half, &t)) || (rc = lx_ray_mul(&t, &x, &t)))
		return rc;
	if ((rc = lx_u256_add(r, &ray, &x)) || (rc = lx_u256_add(r, r, &t)))
		return rc;
	return 0;
}

int lx_aave_normalized_debt_v34(struct lx_u256 *r, const struct lx_u256 *borrow_index,
				const struct lx_u256 *borrow_rate, uint64_t last, uint64_t now)
{
	return lx_aave_debt_with(r, lx_aave_compounded_interest_v34, borrow_index, borrow_rate,
				 last, now);
}

static int ray_mul_dir(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		       bool ceil)
{
	struct lx_u256 p, ray, q, rem;
	int rc = lx_u256_mul(&p, a, b); /* the contract reverts on a*b overflow */
	if (rc)
		return rc;
	lx_u256_pow10(&ray, 27);
	lx_u256_divmod(&q, &rem, &p, &ray);
	if (ceil && !lx_u256_is_zero(&rem)) {
		struct lx_u256 one;
		u64(&one, 1);
		lx_u256_add(&q, &q, &one);
	}
	*r = q;
	return 0;
}

int lx_aave_ray_mul_floor(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	return ray_mul_dir(r, a, b, false);
}

int lx_aave_ray_mul_ceil(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	return ray_mul_dir(r, a, b, true);
}

int lx_aave_scaled_for_balance(struct lx_u256 *x, const struct lx_u256 *balance,
			       const struct lx_u256 *index, bool debt)
{
	struct lx_u256 ray, q, rem, p, back;
	if (lx_u256_is_zero(index))
		return LX_EDIVZERO;
	lx_u256_pow10(&ray, 27);
	int rc = lx_u256_mul(&p, balance, &ray);
	if (rc)
		return rc;
	lx_u256_divmod(&q, &rem, &p, index);
	if (!debt && !lx_u256_is_zero(&rem)) { /* aToken: smallest x with floor(x*i/R) >= b */
		struct lx_u256 one;
		u64(&one, 1);
		if ((rc = lx_u256_add(&q, &q, &one)))
			return rc;
	}
	if ((rc = ray_mul_dir(&back, &q, index, debt)))
		return rc;
	if (!lx_u256_eq(&back, balance))
		return LX_ENOTFOUND;
	*x = q;
	return 0;
}
