/*
 * math.c: Morpho Blue's integer math (MathLib, SharesMathLib, UtilsLib and _accrueInterest of
 * morpho-blue 1.0), operation by operation, so every rounding lands where the contract's does.
 * Solidity 0.8 checks every + and *: where the contract would revert these return LX_EOVERFLOW
 * (or LX_EDIVZERO), never a wrapped value.
 */
#include <string.h>

#include "morpho.h"

static void wad(struct lx_u256 *r)
{
	lx_u256_from_u64(r, 1000000000000000000ull);
}

/* (x * y) / d, with x * y checked as the contract's 256-bit product is */
int morpho_mul_div_down(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y,
			const struct lx_u256 *d)
{
	struct lx_u256 p;
	int rc = lx_u256_mul(&p, x, y);
	if (rc)
		return rc;
	return lx_u256_div(r, &p, d);
}

/* (x * y + (d - 1)) / d */
int morpho_mul_div_up(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y,
		      const struct lx_u256 *d)
{
	struct lx_u256 p, one, dm1;
	int rc = lx_u256_mul(&p, x, y);
	if (rc)
		return rc;
	if (lx_u256_is_zero(d))
		return LX_EDIVZERO;
	lx_u256_from_u64(&one, 1);
	lx_u256_sub(&dm1, d, &one);
	if ((rc = lx_u256_add(&p, &p, &dm1)))
		return rc;
	return lx_u256_div(r, &p, d);
}

int morpho_w_mul_down(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y)
{
	struct lx_u256 w;
	wad(&w);
	return morpho_mul_div_down(r, x, y, &w);
}

int morpho_w_div_down(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y)
{
	struct lx_u256 w;
	wad(&w);
	return morpho_mul_div_down(r, x, &w, y);
}

int morpho_w_div_up(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y)
{
	struct lx_u256 w;
	wad(&w);
	return morpho_mul_div_up(r, x, &w, y);
}

/* x*n + (x*n)^2/(2 WAD) + (x*n)^3/(6 WAD^2), each term rounded down as MathLib does */
int morpho_w_taylor(struct lx_u256 *r, const struct lx_u256 *x, uint64_t n)
{
	struct lx_u256 nn, first, second, third, w2, w3, k;
	lx_u256_from_u64(&nn, n);
	int rc = lx_u256_mul(&first, x, &nn);
	if (rc)
		return rc;
	wad(&w2);
	lx_u256_from_u64(&k, 2);
	lx_u256_mul(&w2, &w2, &k);
	wad(&w3);
	lx_u256_from_u64(&k, 3);
	lx_u256_mul(&w3, &w3, &k);
	if ((rc = morpho_mul_div_down(&second, &first, &first, &w2)) ||
	    (rc = morpho_mul_div_down(&third, &second, &first, &w3)) ||
	    (rc = lx_u256_add(r, &first, &second)))
		return rc;
	return lx_u256_add(r, r, &third);
}

/* totals + virtual shares (1e6) / virtual assets (1) */
static int virt(struct lx_u256 *va, struct lx_u256 *vs, const struct lx_u256 *ta,
		const struct lx_u256 *ts)
{
	struct lx_u256 one, vsh;
	lx_u256_from_u64(&one, 1);
	lx_u256_from_u64(&vsh, 1000000);
	int rc = lx_u256_add(va, ta, &one);
	return rc ? rc : lx_u256_add(vs, ts, &vsh);
}

int morpho_to_shares_down(struct lx_u256 *r, const struct lx_u256 *assets,
			  const struct lx_u256 *ta, const struct lx_u256 *ts)
{
	struct lx_u256 va, vs;
	int rc = virt(&va, &vs, ta, ts);
	return rc ? rc : morpho_mul_div_down(r, assets, &vs, &va);
}

int morpho_to_shares_up(struct lx_u256 *r, const struct lx_u256 *assets,
			const struct lx_u256 *ta, const struct lx_u256 *ts)
{
	struct lx_u256 va, vs;
	int rc = virt(&va, &vs, ta, ts);
	return rc ? rc : morpho_mul_div_up(r, assets, &vs, &va);
}

int morpho_to_assets_down(struct lx_u256 *r, const struct lx_u256 *shares,
			  const struct lx_u256 *ta, const struct lx_u256 *ts)
{
	struct lx_u256 va, vs;
	int rc = virt(&va, &vs, ta, ts);
	return rc ? rc : morpho_mul_div_down(r, shares, &va, &vs);
}

int morpho_to_assets_up(struct lx_u256 *r, const struct lx_u256 *shares,
			const struct lx_u256 *ta, const struct lx_u256 *ts)
{
	struct lx_u256 va, vs;
	int rc = virt(&va, &vs, ta, ts);
	return rc ? rc : morpho_mul_div_up(r, shares, &va, &vs);
}

static bool fits128(const struct lx_u256 *x)
{
	return x->w[2] == 0 && x->w[3] == 0;
}

/* a += b as uint128 += uint128 (toUint128 of b, then the checked uint128 add) */
static int add128(struct lx_u256 *a, const struct lx_u256 *b)
{
	if (!fits128(b))
		return LX_EOVERFLOW;
	int rc = lx_u256_add(a, a, b);
	return rc ? rc : (fits128(a) ? 0 : LX_EOVERFLOW);
}

int morpho_accrue(struct morpho_market *m, const struct lx_u256 *rate, uint64_t ts,
		  struct lx_u256 *fee_shares)
{
	memset(fee_shares, 0, sizeof(*fee_shares));
	if (ts <= m->last_update)
		return 0;
	uint64_t elapsed = ts - m->last_update;
	static const struct lx_addr none;
	if (!lx_addr_eq(&m->p.irm, &none)) {
		struct lx_u256 growth, interest;
		int rc;
		if ((rc = morpho_w_taylor(&growth, rate, elapsed)) ||
		    (rc = morpho_w_mul_down(&interest, &m->borrow_assets, &growth)) ||
		    (rc = add128(&m->borrow_assets, &interest)) ||
		    (rc = add128(&m->supply_assets, &interest)))
			return rc;
		if (!lx_u256_is_zero(&m->fee)) {
			struct lx_u256 fee_amount, base;
			if ((rc = morpho_w_mul_down(&fee_amount, &interest, &m->fee)) ||
			    (rc = lx_u256_sub(&base, &m->supply_assets, &fee_amount)) ||
			    (rc = morpho_to_shares_down(fee_shares, &fee_amount, &base,
							&m->supply_shares)) ||
			    (rc = add128(&m->supply_shares, fee_shares)))
				return rc;
		}
	}
	m->last_update = ts;
	return 0;
}

int morpho_incentive_factor(struct lx_u256 *r, const struct lx_u256 *lltv)
{
	struct lx_u256 w, cursor, max, t;
	wad(&w);
	lx_u256_from_u64(&cursor, 300000000000000000ull);
	lx_u256_from_u64(&max, 1150000000000000000ull);
	int rc;
	if ((rc = lx_u256_sub(&t, &w, lltv)) || (rc = morpho_w_mul_down(&t, &cursor, &t)) ||
	    (rc = lx_u256_sub(&t, &w, &t)) || (rc = morpho_w_div_down(&t, &w, &t)))
		return rc;
	*r = lx_u256_cmp(&t, &max) < 0 ? t : max;
	return 0;
}
