/*
 * curve.c: Aave's exact curve (lx_aave_curve_ops, the market operation behind lx_model_curve_*
 * for Aave V2/V3 views): one account's health as a function of one feed's price.
 *
 * Liquidation prices and ladders ask "is HF below 1 at price P of feed f?" many times per
 * account. A curve precomputes what does not move (the positions priced by other feeds) so an
 * exact evaluation only redoes the moving positions, with the same integer arithmetic as
 * lx_model_health (Aave: GenericLogic.calculateUserAccountData).
 *
 * Bounds on an interval [lo, hi] of prices: HF is not monotone in P (an account that supplies
 * and borrows the moved asset has collateral and debt floored separately; the floored average
 * liquidation threshold moves with the weights), so no bisection is exact. But without the
 * floors, collateral, sum(value * LT) and debt are affine in P; each floor loses less than one
 * unit per position. With the average threshold bounded on the interval by the ratio of those
 * affine parts (monotone, so its extremes are at the ends) and by the corners of its weights,
 * the sufficient conditions for
 * "HF < 1 everywhere" and "HF >= 1 everywhere" become affine inequalities in P, which hold on
 * the whole interval when they hold at both ends. Everything is exact integer arithmetic; an
 * overflow just leaves the interval undecided.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/model.h"
#include "ops.h"

/* 10^dec without a loop of multiplications for every token's decimals (<= 19) */
static int unit_of(struct lx_u256 *r, unsigned dec)
{
	static const uint64_t p10[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull,
		1000000ull, 10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
		100000000000ull, 1000000000000ull, 10000000000000ull, 100000000000000ull,
		1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull};
	if (dec < 20) {
		lx_u256_from_u64(r, p10[dec]);
		return 0;
	}
	return lx_u256_pow10(r, dec);
}

static bool counted_coll(const struct lx_asset_pos *p)
{
	return p->collateral && p->liq_threshold_bps != 0 && !lx_u256_is_zero(&p->supplied);
}

/* floor(amount * price / unit): the protocol's base value (the product is checked) */
static int base_value(struct lx_u256 *out, const struct lx_u256 *amt, const struct lx_u256 *price,
		      const struct lx_u256 *unit)
{
	int rc = lx_u256_mul(out, amt, price);
	if (rc)
		return rc;
	return lx_u256_div(out, out, unit);
}

static int mul_small(struct lx_u256 *r, const struct lx_u256 *a, uint64_t b)
{
	struct lx_u256 t;
	lx_u256_from_u64(&t, b);
	return lx_u256_mul(r, a, &t);
}

/* Aave's curve: <= 3.4 rounding gets the affine relaxation below; 3.5+ the monotone one */
static int curve_init(struct lx_curve *c, const struct lx_market_view *mv,
		      const struct lx_account_view *acct, uint32_t feed)
{
	/*
	 * Aave 3.5+ (directional rounding: collateral valued down, debt up, HF = sum(value * LT)
	 * wadDiv debt) is not what the affine curve below models, but its HF still rises in a
	 * feed that prices only the account's collateral and falls in one that prices only its
	 * debt: those get the exact bisection over the market's own health op; a feed pricing
	 * both is searched by exact evaluation with no interval bounds (found exactly or left
	 * undecided, never guessed).
	 */
	if (mv->health_method != LX_HEALTH_AAVE_V3)
		return lx_model_curve_init_monotone(c, mv, acct, feed);
	/* the affine curve below models Aave's health op (V2 and V3) with its <= 3.4 rounding */
	c->mv = mv;
	c->acct = acct;
	c->feed = feed;
	unsigned kdec = 0;
	for (size_t i = 0; i < acct->n_pos; i++) {
		const struct lx_asset_pos *p = &acct->pos[i];
		if (p->asset >= mv->n_assets)
			return LX_EINVAL;
		if (lx_model_feed_of(mv, p) == feed && mv->assets[p->asset].decimals > kdec)
			kdec = mv->assets[p->asset].decimals;
	}
	int rc;
	if ((rc = unit_of(&c->k, kdec)))
		return rc;
	for (size_t i = 0; i < acct->n_pos; i++) {
		const struct lx_asset_pos *p = &acct->pos[i];
		unsigned dec = mv->assets[p->asset].decimals;
		bool moving = lx_model_feed_of(mv, p) == feed;
		struct lx_u256 unit, scale, t;
		if ((rc = unit_of(&unit, dec)))
			return rc;
		if (moving && (rc = unit_of(&scale, kdec - dec)))
			return rc;
		if (counted_coll(p)) {
			if (p->liq_threshold_bps > c->lt_max)
				c->lt_max = p->liq_threshold_bps;
			if (moving) {
				c->moves_coll = true;
				if ((rc = lx_u256_mul(&t, &p->supplied, &scale)) ||
				    (rc = lx_u256_add(&c->gamma, &c->gamma, &t)) ||
				    (rc = mul_small(&t, &t, p->liq_threshold_bps)) ||
				    (rc = lx_u256_add(&c->sigma, &c->sigma, &t)))
					return rc;
				c->kf++;
				c->sum_lt_f += p->liq_threshold_bps;
			} else {
				if ((rc = base_value(&t, &p->supplied, &p->price, &unit)) ||
				    (rc = lx_u256_add(&c->c0, &c->c0, &t)) ||
				    (rc = mul_small(&t, &t, p->liq_threshold_bps)) ||
				    (rc = lx_u256_add(&c->s0, &c->s0, &t)))
					return rc;
			}
		}
		if (!lx_u256_is_zero(&p->borrowed)) {
			if (moving) {
				c->moves_debt = true;
				if ((rc = lx_u256_mul(&t, &p->borrowed, &scale)) ||
				    (rc = lx_u256_add(&c->delta, &c->delta, &t)))
					return rc;
				c->mf++;
			} else if ((rc = base_value(&t, &p->borrowed, &p->price, &unit)) ||
				   (rc = lx_u256_add(&c->d0, &c->d0, &t))) {
				return rc;
			}
		}
	}
	return 0;
}

static int curve_hf(const struct lx_curve *c, const struct lx_u256 *price, struct lx_u256 *hf)
{
	memset(hf, 0, sizeof(*hf));
	const struct lx_market_view *mv = c->mv;
	struct lx_u256 coll = c->c0, slt = c->s0, debt = c->d0, unit, t, lt;
	int rc;
	if (c->moves_coll || c->moves_debt)
		for (size_t i = 0; i < c->acct->n_pos; i++) {
			const struct lx_asset_pos *p = &c->acct->pos[i];
			if (lx_model_feed_of(mv, p) != c->feed)
				continue;
			if ((rc = unit_of(&unit, mv->assets[p->asset].decimals)))
				return rc;
			if (counted_coll(p)) {
				if ((rc = base_value(&t, &p->supplied, price, &unit)) ||
				    (rc = lx_u256_add(&coll, &coll, &t)) ||
				    (rc = mul_small(&t, &t, p->liq_threshold_bps)) ||
				    (rc = lx_u256_add(&slt, &slt, &t)))
					return rc;
			}
			if (!lx_u256_is_zero(&p->borrowed) &&
			    ((rc = base_value(&t, &p->borrowed, price, &unit)) ||
			     (rc = lx_u256_add(&debt, &debt, &t))))
				return rc;
		}
	if (lx_u256_is_zero(&debt)) {
		lx_u256_max(hf);
		return 0;
	}
	if (lx_u256_is_zero(&coll))
		lx_u256_from_u64(&lt, 0);
	else
		lx_u256_div(&lt, &slt, &coll);
	if ((rc = lx_percent_mul(&t, &coll, &lt)) || (rc = lx_wad_div(hf, &t, &debt))) {
		memset(hf, 0, sizeof(*hf));
		return rc;
	}
	return 0;
}

/* a*P + b*K (affine part at P) */
static int affine(struct lx_u256 *r, const struct lx_u256 *slope, const struct lx_u256 *p,
		  const struct lx_u256 *fixed, const struct lx_u256 *k)
{
	struct lx_u256 t;
	int rc;
	if ((rc = lx_u256_mul(r, slope, p)) || (rc = lx_u256_mul(&t, fixed, k)))
		return rc;
	return lx_u256_add(r, r, &t);
}

/* the scaled affine parts at one end and the end's LT bounds */
struct end {
	struct lx_u256 c, s, d;
	uint64_t lt_lo, lt_hi;
};

static int at_end(const struct lx_curve *c, const struct lx_u256 *p, struct end *e)
{
	int rc;
	if ((rc = affine(&e->c, &c->gamma, p, &c->c0, &c->k)) ||
	    (rc = affine(&e->s, &c->sigma, p, &c->s0, &c->k)) ||
	    (rc = affine(&e->d, &c->delta, p, &c->d0, &c->k)))
		return rc;
	struct lx_u256 t, u;
	/* upper: S_real / (C_real - kf), capped by the largest LT (always true of an average) */
	e->lt_hi = c->lt_max;
	if ((rc = mul_small(&t, &c->k, c->kf)))
		return rc;
	if (lx_u256_cmp(&e->c, &t) > 0) {
		lx_u256_sub(&u, &e->c, &t);
		lx_u256_div(&u, &e->s, &u);
		uint64_t v;
		if (lx_u256_to_u64(&v, &u) == 0 && v < e->lt_hi)
			e->lt_hi = v;
	} else {
		e->lt_hi = UINT64_MAX; /* denominator not positive on the interval: no bound */
	}
	/* lower: (S_real - sum of the moving LTs) / C_real, at least 0 */
	e->lt_lo = 0;
	if ((rc = mul_small(&t, &c->k, c->sum_lt_f)))
		return rc;
	if (!lx_u256_is_zero(&e->c) && lx_u256_cmp(&e->s, &t) > 0) {
		lx_u256_sub(&u, &e->s, &t);
		lx_u256_div(&u, &u, &e->c);
		uint64_t v;
		if (lx_u256_to_u64(&v, &u) == 0)
			e->lt_lo = v;
	}
	return 0;
}

/* c*L + 1e4*K*(2 + mf) <= 1e4*d : HF < 1 at this end with average LT at most L */
static bool below_at(const struct lx_curve *c, const struct end *e, uint64_t lt)
{
	struct lx_u256 l, r, t;
	if (mul_small(&l, &e->c, lt) || mul_small(&t, &c->k, 10000) ||
	    mul_small(&t, &t, 2 + c->mf) || lx_u256_add(&l, &l, &t) || mul_small(&r, &e->d, 10000))
		return false;
	return lx_u256_cmp(&l, &r) <= 0;
}

/* (c - K*kf)*L >= 1e4*(d + K) : HF >= 1 at this end with average LT at least L */
static bool safe_at(const struct lx_curve *c, const struct end *e, uint64_t lt)
{
	struct lx_u256 l, r, t;
	if (mul_small(&t, &c->k, c->kf) || lx_u256_cmp(&e->c, &t) < 0)
		return false;
	lx_u256_sub(&l, &e->c, &t);
	if (mul_small(&l, &l, lt) || lx_u256_add(&r, &e->d, &c->k) || mul_small(&r, &r, 10000))
		return false;
	return lx_u256_cmp(&l, &r) >= 0;
}

#define MAX_CORNERS_F 6 /* moving collateral positions whose weight corners are enumerated */

/*
 * The floored average LT on [lo, hi] from its weights: S/C is a weighted average of the LTs,
 * the fixed positions' weights constant and each moving one's weight floor(s*P/u) between its
 * values at lo and hi; a weighted average over a box of weights is extreme at a corner.
 * Returns 0 and sets *lt_lo and *lt_hi, or nonzero (too many moving positions, overflow).
 */
static int lt_corners(const struct lx_curve *c, const struct lx_u256 *lo, const struct lx_u256 *hi,
		      uint64_t *lt_lo, uint64_t *lt_hi)
{
	struct lx_u256 wl[MAX_CORNERS_F], wh[MAX_CORNERS_F], unit;
	uint16_t lt[MAX_CORNERS_F];
	size_t n = 0;
	int rc;
	for (size_t i = 0; i < c->acct->n_pos; i++) {
		const struct lx_asset_pos *p = &c->acct->pos[i];
		if (!counted_coll(p) || lx_model_feed_of(c->mv, p) != c->feed)
			continue;
		if (n == MAX_CORNERS_F)
			return LX_EOVERFLOW;
		if ((rc = unit_of(&unit, c->mv->assets[p->asset].decimals)) ||
		    (rc = base_value(&wl[n], &p->supplied, lo, &unit)) ||
		    (rc = base_value(&wh[n], &p->supplied, hi, &unit)))
			return rc;
		lt[n++] = p->liq_threshold_bps;
	}
	*lt_lo = UINT64_MAX;
	*lt_hi = 0;
	for (unsigned m = 0; m < (1u << n); m++) {
		struct lx_u256 cs = c->c0, ss = c->s0, t, q;
		for (size_t i = 0; i < n; i++) {
			const struct lx_u256 *w = (m >> i) & 1 ? &wh[i] : &wl[i];
			if ((rc = lx_u256_add(&cs, &cs, w)) || (rc = mul_small(&t, w, lt[i])) ||
			    (rc = lx_u256_add(&ss, &ss, &t)))
				return rc;
		}
		uint64_t v = 0;
		if (!lx_u256_is_zero(&cs)) {
			lx_u256_div(&q, &ss, &cs);
			if (lx_u256_to_u64(&v, &q))
				return LX_EOVERFLOW;
		}
		if (v < *lt_lo)
			*lt_lo = v;
		if (v > *lt_hi)
			*lt_hi = v;
	}
	return 0;
}

static enum lx_curve_bound curve_bound(const struct lx_curve *c, const struct lx_u256 *lo,
				       const struct lx_u256 *hi)
{
	struct end a, b;
	if (at_end(c, lo, &a) || at_end(c, hi, &b))
		return LX_CURVE_MIXED;
	uint64_t lt_hi = a.lt_hi > b.lt_hi ? a.lt_hi : b.lt_hi;
	uint64_t lt_lo = a.lt_lo < b.lt_lo ? a.lt_lo : b.lt_lo;
	uint64_t cl, ch;
	if (lt_corners(c, lo, hi, &cl, &ch) == 0) {
		lt_lo = cl > lt_lo ? cl : lt_lo;
		lt_hi = ch < lt_hi ? ch : lt_hi;
	}
	if (lt_hi > c->lt_max)
		lt_hi = c->lt_max;
	if (!c->moves_debt && lx_u256_is_zero(&c->d0))
		return LX_CURVE_NONE_BELOW; /* no debt at any price */
	/* HF < 1 everywhere: needs debt < 2 wad in base units (then pm <= D - 1 suffices) */
	struct lx_u256 two_wad_k;
	lx_u256_from_u64(&two_wad_k, 2000000000000000000ull);
	if (!lx_u256_mul(&two_wad_k, &two_wad_k, &c->k) && lx_u256_cmp(&b.d, &two_wad_k) < 0 &&
	    below_at(c, &a, lt_hi) && below_at(c, &b, lt_hi))
		return LX_CURVE_ALL_BELOW;
	if (lt_lo > 0 && safe_at(c, &a, lt_lo) && safe_at(c, &b, lt_lo))
		return LX_CURVE_NONE_BELOW;
	return LX_CURVE_MIXED;
}

static bool curve_guess(const struct lx_curve *c, const struct lx_u256 *lo,
			const struct lx_u256 *hi, struct lx_u256 *out)
{
	memset(out, 0, sizeof(*out));
	struct lx_u256 mid, t;
	lx_u256_sub(&t, hi, lo);
	lx_u256_shr(&t, &t, 1);
	lx_u256_add(&mid, lo, &t);
	uint64_t llo, lhi;
	if (lt_corners(c, &mid, &mid, &llo, &lhi))
		return false;
	/* (c0 K + gamma P) L = 1e4 (d0 K + delta P) */
	double k = lx_u256_to_double(&c->k), L = (double)llo;
	double num = 1e4 * lx_u256_to_double(&c->d0) * k - lx_u256_to_double(&c->c0) * k * L;
	double den = lx_u256_to_double(&c->gamma) * L - 1e4 * lx_u256_to_double(&c->delta);
	if (den == 0)
		return false;
	double p = num / den, a = lx_u256_to_double(lo), b = lx_u256_to_double(hi);
	if (!(p > a && p < b) || p >= 1.8e19)
		return false;
	lx_u256_from_u64(out, (uint64_t)p);
	return lx_u256_cmp(out, lo) > 0 && lx_u256_cmp(out, hi) < 0;
}

const struct lx_curve_ops lx_aave_curve_ops = {
	.init = curve_init,
	.hf = curve_hf,
	.bound = curve_bound,
	.guess = curve_guess,
};
