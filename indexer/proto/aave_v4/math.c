/*
 * math.c: Aave V4's Hub and Spoke arithmetic (aave-v4 v0.5.11: AssetLogic, SharesMath, Premium,
 * WadRayMath, MathUtils), each operation with the contract's rounding direction and its
 * overflow checks (a checked operation that would revert is LX_EOVERFLOW).
 */
#include <string.h>

#include "v4.h"

#define SECONDS_PER_YEAR 31536000u

static void ray(struct lx_u256 *r)
{
	lx_u256_pow10(r, 27);
}

void v4_wadd(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	(void)lx_u256_add(r, a, b); /* two's complement: the carry out is meaningless */
}

void v4_wsub(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	(void)lx_u256_sub(r, a, b);
}

static bool negative(const struct lx_u256 *a)
{
	return (a->w[3] >> 63) != 0;
}

int v4_div_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 q, m, one;
	int rc = lx_u256_divmod(&q, &m, a, b);
	if (rc)
		return rc;
	lx_u256_from_u64(&one, 1);
	if (!lx_u256_is_zero(&m) && (rc = lx_u256_add(&q, &q, &one)))
		return rc;
	*r = q;
	return 0;
}

/* ceil(a*b/d) with a 512-bit intermediate, as OpenZeppelin's Math.mulDiv(Ceil) */
int v4_muldiv_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		 const struct lx_u256 *d)
{
	struct lx_u256 q, p, one;
	int rc = lx_u256_muldiv(&q, a, b, d);
	if (rc)
		return rc;
	/* remainder != 0 <=> q*d != a*b; compare low 256 bits of both products (q*d <= a*b and
	 * their difference is < d, so equal low words mean equal products) */
	struct lx_u256 lo_ab, lo_qd;
	/* lx_u256_mul reports overflow but keeps the low word */
	(void)lx_u256_mul(&lo_ab, a, b);
	(void)lx_u256_mul(&lo_qd, &q, d);
	(void)p;
	if (!lx_u256_eq(&lo_ab, &lo_qd)) {
		lx_u256_from_u64(&one, 1);
		if ((rc = lx_u256_add(&q, &q, &one)))
			return rc;
	}
	*r = q;
	return 0;
}

/* rayMulUp(a, b) = ceil(a*b / RAY) */
static int ray_mul_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 rr, t;
	ray(&rr);
	int rc = lx_u256_mul(&t, a, b); /* the library reverts on a*b overflow */
	if (rc)
		return rc;
	return v4_div_up(r, &t, &rr);
}

/* fromRayUp(a) = ceil(a / RAY) */
static int from_ray_up(struct lx_u256 *r, const struct lx_u256 *a)
{
	struct lx_u256 rr;
	ray(&rr);
	return v4_div_up(r, a, &rr);
}

int v4_drawn_index(struct lx_u256 *out, const struct v4_asset *a, uint64_t now)
{
	uint64_t last = v4_small(&a->last_update);
	if (last == now || (lx_u256_is_zero(&a->drawn_shares) && lx_u256_is_zero(&a->premium_shares))) {
		*out = a->drawn_index;
		return 0;
	}
	if (now < last)
		return LX_EOVERFLOW; /* calculateLinearInterest reverts */
	struct lx_u256 f, dt, spy, rr;
	lx_u256_from_u64(&dt, now - last);
	lx_u256_from_u64(&spy, SECONDS_PER_YEAR);
	ray(&rr);
	/* assembly: unchecked rate * dt / year + RAY (rate is uint96, dt uint40: no overflow) */
	(void)lx_u256_mul(&f, &a->drawn_rate, &dt);
	lx_u256_div(&f, &f, &spy);
	(void)lx_u256_add(&f, &f, &rr);
	return ray_mul_up(out, &a->drawn_index, &f);
}

int v4_premium_ray(struct lx_u256 *out, const struct lx_u256 *shares,
		   const struct lx_u256 *offset, const struct lx_u256 *index)
{
	struct lx_u256 p;
	int rc = lx_u256_mul(&p, shares, index);
	if (rc || negative(&p))
		return LX_EOVERFLOW; /* toInt256 */
	v4_wsub(&p, &p, offset);
	/* int256 subtraction overflow: signs of operands differ and the result's sign is b's */
	if (negative(offset) && negative(&p))
		return LX_EOVERFLOW;
	if (negative(&p))
		return LX_EOVERFLOW; /* toUint256 of a negative premium */
	*out = p;
	return 0;
}

int v4_owed_ray(struct lx_u256 *out, const struct v4_asset *a, const struct lx_u256 *index)
{
	struct lx_u256 d, p;
	int rc;
	if ((rc = lx_u256_mul(&d, &a->drawn_shares, index)) ||
	    (rc = v4_premium_ray(&p, &a->premium_shares, &a->premium_offset_ray, index)) ||
	    (rc = lx_u256_add(&d, &d, &p)) || (rc = lx_u256_add(out, &d, &a->deficit_ray)))
		return rc ? rc : LX_EOVERFLOW;
	return 0;
}

static int unrealized_fees(struct lx_u256 *out, const struct v4_asset *a,
			   const struct lx_u256 *index)
{
	memset(out, 0, sizeof(*out));
	if (lx_u256_eq(&a->drawn_index, index) || lx_u256_is_zero(&a->liquidity_fee))
		return 0;
	struct lx_u256 after, before, t, bps;
	int rc;
	if ((rc = v4_owed_ray(&after, a, index)) || (rc = v4_owed_ray(&before, a, &a->drawn_index)) ||
	    (rc = from_ray_up(&after, &after)) || (rc = from_ray_up(&before, &before)) ||
	    (rc = lx_u256_sub(&t, &after, &before)))
		return rc;
	lx_u256_from_u64(&bps, 10000);
	return lx_u256_muldiv(out, &t, &a->liquidity_fee, &bps); /* percentMulDown */
}

int v4_total_added(struct lx_u256 *out, const struct v4_asset *a, const struct lx_u256 *index)
{
	struct lx_u256 t, o, f;
	int rc;
	if ((rc = v4_owed_ray(&o, a, index)) || (rc = from_ray_up(&o, &o)) ||
	    (rc = lx_u256_add(&t, &a->liquidity, &a->swept)) || (rc = lx_u256_add(&t, &t, &o)) ||
	    (rc = lx_u256_sub(&t, &t, &a->realized_fees)) ||
	    (rc = unrealized_fees(&f, a, index)) || (rc = lx_u256_sub(out, &t, &f)))
		return rc;
	return 0;
}

static int shares_math(struct lx_u256 *out, const struct lx_u256 *x, const struct lx_u256 *num,
		       const struct lx_u256 *den, bool up)
{
	struct lx_u256 v, n, d;
	lx_u256_from_u64(&v, 1000000);
	int rc;
	if ((rc = lx_u256_add(&n, num, &v)) || (rc = lx_u256_add(&d, den, &v)))
		return rc;
	return up ? v4_muldiv_up(out, x, &n, &d) : lx_u256_muldiv(out, x, &n, &d);
}

int v4_shares_to_assets(struct lx_u256 *out, const struct lx_u256 *shares,
			const struct lx_u256 *total_assets, const struct lx_u256 *total_shares,
			bool up)
{
	return shares_math(out, shares, total_assets, total_shares, up);
}

int v4_assets_to_shares(struct lx_u256 *out, const struct lx_u256 *assets,
			const struct lx_u256 *total_assets, const struct lx_u256 *total_shares,
			bool up)
{
	return shares_math(out, assets, total_shares, total_assets, up);
}

void v4_apply_delta(struct lx_u256 *shares, struct lx_u256 *offset, const struct lx_u256 *d_shares,
		    const struct lx_u256 *d_offset)
{
	v4_wadd(shares, shares, d_shares);
	v4_wadd(offset, offset, d_offset);
}

int v4_to_value(struct lx_u256 *r, const struct lx_u256 *amount, unsigned decimals,
		const struct lx_u256 *price)
{
	struct lx_u256 t, u;
	int rc;
	if (decimals > 18)
		return LX_EOVERFLOW;
	if ((rc = lx_u256_mul(&t, amount, price)) || (rc = lx_u256_pow10(&u, 18 - decimals)) ||
	    (rc = lx_u256_mul(r, &t, &u)))
		return rc;
	return 0;
}
