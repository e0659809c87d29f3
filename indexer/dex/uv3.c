/*
 * uv3.c: Uniswap V3's swap arithmetic in 256-bit integers (dex.h), written from the contracts'
 * definitions (v3-core 1.0.1: TickMath, SqrtPriceMath, SwapMath, FullMath, TickBitmap and
 * UniswapV3Pool.swap) so that a projected sale ends at exactly the pool's own sqrtPriceX96, tick
 * and liquidity. The swap walks the tick bitmap word by word as the pool does: a step ends at
 * the next initialized tick or at the end of the 256-tick-spacing word, and every step rounds on
 * its own, so the stepping is part of the result.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/dex.h"

typedef unsigned __int128 u128;

static void u(struct lx_u256 *r, uint64_t v)
{
	lx_u256_from_u64(r, v);
}

static void from_u128(struct lx_u256 *r, u128 v)
{
	r->w[0] = (uint64_t)v;
	r->w[1] = (uint64_t)(v >> 64);
	r->w[2] = r->w[3] = 0;
}

/* 0x...-hex constant (the Q128.128 factors of TickMath) */
static void hexc(struct lx_u256 *r, const char *s)
{
	lx_u256_parse(r, s, strlen(s));
}

/* 512-bit product of a and b: lo, hi */
static void mul512(struct lx_u256 *lo, struct lx_u256 *hi, const struct lx_u256 *a,
		   const struct lx_u256 *b)
{
	uint64_t t[8] = {0};
	for (int i = 0; i < 4; i++) {
		u128 carry = 0;
		for (int j = 0; j < 4; j++) {
			u128 p = (u128)a->w[i] * b->w[j] + t[i + j] + carry;
			t[i + j] = (uint64_t)p;
			carry = p >> 64;
		}
		t[i + 4] = (uint64_t)carry;
	}
	memcpy(lo->w, t, 32);
	memcpy(hi->w, t + 4, 32);
}

/* FullMath.mulDiv: floor(a*b/d); LX_EOVERFLOW when the quotient needs more than 256 bits */
static int muldiv(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		  const struct lx_u256 *d)
{
	return lx_u256_muldiv(r, a, b, d);
}

/* FullMath.mulDivRoundingUp */
static int muldiv_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		     const struct lx_u256 *d)
{
	int rc = muldiv(r, a, b, d);
	if (rc)
		return rc;
	struct lx_u256 plo, phi, qlo, qhi, one;
	mul512(&plo, &phi, a, b);
	mul512(&qlo, &qhi, r, d);
	if (!lx_u256_eq(&plo, &qlo) || !lx_u256_eq(&phi, &qhi)) {
		u(&one, 1);
		struct lx_u256 max;
		lx_u256_max(&max);
		if (lx_u256_eq(r, &max))
			return LX_EOVERFLOW;
		lx_u256_add(r, r, &one);
	}
	return 0;
}

/* UnsafeMath.divRoundingUp */
static void div_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 q, rem, one;
	lx_u256_divmod(&q, &rem, a, b);
	if (!lx_u256_is_zero(&rem)) {
		u(&one, 1);
		lx_u256_add(&q, &q, &one);
	}
	*r = q;
}

static bool fits160(const struct lx_u256 *a)
{
	return a->w[3] == 0 && (a->w[2] >> 32) == 0;
}

static const char *const tick_factors[19] = {
	"0xfff97272373d413259a46990580e213a", "0xfff2e50f5f656932ef12357cf3c7fdcc",
	"0xffe5caca7e10e4e61c3624eaa0941cd0", "0xffcb9843d60f6159c9db58835c926644",
	"0xff973b41fa98c081472e6896dfb254c0", "0xff2ea16466c96a3843ec78b326b52861",
	"0xfe5dee046a99a2a811c461f1969c3053", "0xfcbe86c7900a88aedcffc83b479aa3a4",
	"0xf987a7253ac413176f2b074cf7815e54", "0xf3392b0822b70005940c7a398e4b70f3",
	"0xe7159475a2c29b7443b29c7fa6e889d9", "0xd097f3bdfd2022b8845ad8f792aa5825",
	"0xa9f746462d870fdf8a65dc1f90e061e5", "0x70d869a156d2a1b890bb3df62baf32f7",
	"0x31be135f97d08fd981231505542fcfa6", "0x9aa508b5b7a84e1c677de54f3e99bc9",
	"0x5d6af8dedb81196699c329225ee604",   "0x2216e584f5fa1ea926041bedfe98",
	"0x48a170391f7dc42444e8fa2",
};

int lx_uv3_sqrt_at_tick(struct lx_u256 *r, int32_t tick)
{
	u(r, 0);
	uint32_t abs = tick < 0 ? (uint32_t)(-(int64_t)tick) : (uint32_t)tick;
	if (abs > (uint32_t)LX_UV3_MAX_TICK)
		return LX_EINVAL;
	struct lx_u256 ratio, f;
	if (abs & 1)
		hexc(&ratio, "0xfffcb933bd6fad37aa2d162d1a594001");
	else
		hexc(&ratio, "0x100000000000000000000000000000000");
	for (int b = 1; b < 20; b++) {
		if (!(abs & (1u << b)))
			continue;
		hexc(&f, tick_factors[b - 1]);
		/* (ratio * f) >> 128: both below 2^129, the product fits in 256 bits */
		lx_u256_mul(&ratio, &ratio, &f);
		lx_u256_shr(&ratio, &ratio, 128);
	}
	if (tick > 0) {
		struct lx_u256 max;
		lx_u256_max(&max);
		lx_u256_div(&ratio, &max, &ratio);
	}
	/* Q128.128 to Q64.96, rounding up */
	struct lx_u256 q;
	lx_u256_shr(&q, &ratio, 32);
	if (ratio.w[0] & 0xffffffffu) {
		struct lx_u256 one;
		u(&one, 1);
		lx_u256_add(&q, &q, &one);
	}
	*r = q;
	return 0;
}

int lx_uv3_tick_at_sqrt(int32_t *tick, const struct lx_u256 *sp)
{
	*tick = 0;
	struct lx_u256 lo, hi;
	lx_uv3_sqrt_at_tick(&lo, LX_UV3_MIN_TICK);
	lx_uv3_sqrt_at_tick(&hi, LX_UV3_MAX_TICK);
	if (lx_u256_cmp(sp, &lo) < 0 || lx_u256_cmp(sp, &hi) >= 0)
		return LX_EINVAL;
	/* the greatest t with sqrt_at_tick(t) <= sp: bisection on the monotone tick scale */
	int32_t a = LX_UV3_MIN_TICK, b = LX_UV3_MAX_TICK - 1;
	while (a < b) {
		int32_t m = a + (b - a + 1) / 2;
		struct lx_u256 s;
		lx_uv3_sqrt_at_tick(&s, m);
		if (lx_u256_cmp(&s, sp) <= 0)
			a = m;
		else
			b = m - 1;
	}
	*tick = a;
	return 0;
}

/* SqrtPriceMath.getAmount0Delta (unsigned) */
static int amount0_delta(struct lx_u256 *r, struct lx_u256 a, struct lx_u256 b, u128 liq,
			 bool up)
{
	if (lx_u256_cmp(&a, &b) > 0) {
		struct lx_u256 t = a;
		a = b;
		b = t;
	}
	if (lx_u256_is_zero(&a))
		return LX_EINVAL;
	struct lx_u256 n1, n2, t;
	from_u128(&n1, liq);
	lx_u256_shl(&n1, &n1, 96);
	lx_u256_sub(&n2, &b, &a);
	int rc;
	if (up) {
		if ((rc = muldiv_up(&t, &n1, &n2, &b)))
			return rc;
		div_up(r, &t, &a);
	} else {
		if ((rc = muldiv(&t, &n1, &n2, &b)))
			return rc;
		lx_u256_div(r, &t, &a);
	}
	return 0;
}

/* SqrtPriceMath.getAmount1Delta (unsigned) */
static int amount1_delta(struct lx_u256 *r, struct lx_u256 a, struct lx_u256 b, u128 liq,
			 bool up)
{
	if (lx_u256_cmp(&a, &b) > 0) {
		struct lx_u256 t = a;
		a = b;
		b = t;
	}
	struct lx_u256 l, d, q96;
	from_u128(&l, liq);
	lx_u256_sub(&d, &b, &a);
	u(&q96, 1);
	lx_u256_shl(&q96, &q96, 96);
	return up ? muldiv_up(r, &l, &d, &q96) : muldiv(r, &l, &d, &q96);
}

/* SqrtPriceMath.getNextSqrtPriceFromAmount0RoundingUp */
static int next_from_amount0(struct lx_u256 *r, const struct lx_u256 *sp, u128 liq,
			     const struct lx_u256 *amount, bool add)
{
	if (lx_u256_is_zero(amount)) {
		*r = *sp;
		return 0;
	}
	struct lx_u256 n1, product, q, den;
	from_u128(&n1, liq);
	lx_u256_shl(&n1, &n1, 96);
	bool prod_ok = lx_u256_mul(&product, amount, sp) == 0; /* wraps like unchecked 0.7 math */
	if (add) {
		if (prod_ok) {
			bool den_ok = lx_u256_add(&den, &n1, &product) == 0;
			if (den_ok)
				return muldiv_up(r, &n1, sp, &den);
		}
		lx_u256_div(&q, &n1, sp);
		if (lx_u256_add(&q, &q, amount))
			return LX_EOVERFLOW; /* LowGasSafeMath.add */
		div_up(r, &n1, &q);
		return 0;
	}
	if (!prod_ok || lx_u256_cmp(&n1, &product) <= 0)
		return LX_EOVERFLOW;
	lx_u256_sub(&den, &n1, &product);
	int rc = muldiv_up(r, &n1, sp, &den);
	if (rc)
		return rc;
	return fits160(r) ? 0 : LX_EOVERFLOW;
}

/* SqrtPriceMath.getNextSqrtPriceFromAmount1RoundingDown */
static int next_from_amount1(struct lx_u256 *r, const struct lx_u256 *sp, u128 liq,
			     const struct lx_u256 *amount, bool add)
{
	struct lx_u256 l, q, q96, max160;
	from_u128(&l, liq);
	u(&q96, 1);
	lx_u256_shl(&q96, &q96, 96);
	memset(&max160, 0, sizeof(max160));
	max160.w[0] = max160.w[1] = UINT64_MAX;
	max160.w[2] = 0xffffffffu;
	bool small = lx_u256_cmp(amount, &max160) <= 0;
	int rc;
	if (add) {
		if (small) {
			lx_u256_shl(&q, amount, 96);
			lx_u256_div(&q, &q, &l);
		} else if ((rc = muldiv(&q, amount, &q96, &l))) {
			return rc;
		}
		if (lx_u256_add(r, sp, &q) || !fits160(r))
			return LX_EOVERFLOW;
		return 0;
	}
	if (small) {
		lx_u256_shl(&q, amount, 96);
		div_up(&q, &q, &l);
	} else if ((rc = muldiv_up(&q, amount, &q96, &l))) {
		return rc;
	}
	if (lx_u256_cmp(sp, &q) <= 0)
		return LX_EOVERFLOW;
	lx_u256_sub(r, sp, &q);
	return 0;
}

/* SwapMath.computeSwapStep. amount: remaining magnitude, exact_in says its sign. */
static int swap_step(struct lx_u256 *next, struct lx_u256 *in, struct lx_u256 *out,
		     struct lx_u256 *fee_amt, const struct lx_u256 *cur, const struct lx_u256 *target,
		     u128 liq, const struct lx_u256 *amount, bool exact_in, uint32_t fee)
{
	bool z41 = lx_u256_cmp(cur, target) >= 0;
	int rc;
	u(in, 0);
	u(out, 0);
	if (exact_in) {
		struct lx_u256 less, f, m;
		u(&f, 1000000 - fee);
		u(&m, 1000000);
		if ((rc = muldiv(&less, amount, &f, &m)))
			return rc;
		rc = z41 ? amount0_delta(in, *target, *cur, liq, true)
			 : amount1_delta(in, *cur, *target, liq, true);
		if (rc)
			return rc;
		if (lx_u256_cmp(&less, in) >= 0)
			*next = *target;
		else if (liq == 0)
			return LX_EINVAL;
		else if ((rc = z41 ? next_from_amount0(next, cur, liq, &less, true)
				   : next_from_amount1(next, cur, liq, &less, true)))
			return rc;
	} else {
		rc = z41 ? amount1_delta(out, *target, *cur, liq, false)
			 : amount0_delta(out, *cur, *target, liq, false);
		if (rc)
			return rc;
		if (lx_u256_cmp(amount, out) >= 0)
			*next = *target;
		else if (liq == 0)
			return LX_EINVAL;
		else if ((rc = z41 ? next_from_amount1(next, cur, liq, amount, false)
				   : next_from_amount0(next, cur, liq, amount, false)))
			return rc;
	}
	bool max = lx_u256_eq(target, next);
	if (z41) {
		if (!(max && exact_in) && (rc = amount0_delta(in, *next, *cur, liq, true)))
			return rc;
		if (!(max && !exact_in) && (rc = amount1_delta(out, *next, *cur, liq, false)))
			return rc;
	} else {
		if (!(max && exact_in) && (rc = amount1_delta(in, *cur, *next, liq, true)))
			return rc;
		if (!(max && !exact_in) && (rc = amount0_delta(out, *cur, *next, liq, false)))
			return rc;
	}
	if (!exact_in && lx_u256_cmp(out, amount) > 0)
		*out = *amount;
	if (exact_in && !lx_u256_eq(next, target)) {
		lx_u256_sub(fee_amt, amount, in);
	} else {
		struct lx_u256 f, m;
		u(&f, fee);
		u(&m, 1000000 - fee);
		if ((rc = muldiv_up(fee_amt, in, &f, &m)))
			return rc;
	}
	return 0;
}

/* floor division of a tick by the spacing (towards negative infinity) */
static int32_t compress(int32_t tick, int32_t spacing)
{
	int32_t c = tick / spacing;
	if (tick < 0 && tick % spacing != 0)
		c--;
	return c;
}

/* index of the first tick >= t in the sorted array */
static size_t lower_bound(const struct lx_uv3_pool *p, int32_t t)
{
	size_t a = 0, b = p->n_ticks;
	while (a < b) {
		size_t m = (a + b) / 2;
		if (p->ticks[m].tick < t)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* TickBitmap.nextInitializedTickWithinOneWord over the sorted initialized ticks */
static int32_t next_tick(const struct lx_uv3_pool *p, int32_t tick, bool lte, bool *init,
			 size_t *idx)
{
	int32_t sp = p->tick_spacing, c = compress(tick, sp);
	*init = false;
	if (lte) {
		int32_t bit = (int32_t)((uint32_t)c & 255u);
		int32_t lo = (c - bit) * sp, hi = c * sp;
		size_t i = lower_bound(p, hi + 1); /* first tick > hi */
		if (i > 0 && p->ticks[i - 1].tick >= lo) {
			*init = true;
			*idx = i - 1;
			return p->ticks[i - 1].tick;
		}
		return lo;
	}
	int32_t c1 = c + 1, bit = (int32_t)((uint32_t)c1 & 255u);
	int32_t lo = c1 * sp, hi = (c1 + 255 - bit) * sp;
	size_t i = lower_bound(p, lo);
	if (i < p->n_ticks && p->ticks[i].tick <= hi) {
		*init = true;
		*idx = i;
		return p->ticks[i].tick;
	}
	return hi;
}

int lx_uv3_swap(struct lx_uv3_pool *p, struct lx_uv3_swap *out, bool z41, bool exact_in,
		const struct lx_u256 *amount, const struct lx_u256 *limit)
{
	memset(out, 0, sizeof(*out));
	struct lx_u256 minr, maxr, lim, one;
	lx_uv3_sqrt_at_tick(&minr, LX_UV3_MIN_TICK);
	lx_uv3_sqrt_at_tick(&maxr, LX_UV3_MAX_TICK);
	u(&one, 1);
	if (limit) {
		lim = *limit;
	} else if (z41) {
		lx_u256_add(&lim, &minr, &one);
	} else {
		lx_u256_sub(&lim, &maxr, &one);
	}
	if (lx_u256_is_zero(amount) || p->tick_spacing <= 0)
		return LX_EINVAL;
	if (z41 ? !(lx_u256_cmp(&lim, &p->sqrt_price) < 0 && lx_u256_cmp(&lim, &minr) > 0)
		: !(lx_u256_cmp(&lim, &p->sqrt_price) > 0 && lx_u256_cmp(&lim, &maxr) < 0))
		return LX_EINVAL;
	out->zero_for_one = z41;
	out->exact_in = exact_in;
	out->specified = *amount;
	out->limit = lim;
	struct lx_u256 rem = *amount, calc = {{0}}, sp = p->sqrt_price;
	int32_t tick = p->tick;
	u128 liq = p->liquidity;
	int rc;
	while (!lx_u256_is_zero(&rem) && !lx_u256_eq(&sp, &lim)) {
		struct lx_u256 start = sp, nextp, target, in, outa, fee;
		bool init;
		size_t ti = 0;
		int32_t tn = next_tick(p, tick, z41, &init, &ti);
		if (tn < LX_UV3_MIN_TICK)
			tn = LX_UV3_MIN_TICK;
		else if (tn > LX_UV3_MAX_TICK)
			tn = LX_UV3_MAX_TICK;
		lx_uv3_sqrt_at_tick(&nextp, tn);
		target = (z41 ? lx_u256_cmp(&nextp, &lim) < 0 : lx_u256_cmp(&nextp, &lim) > 0) ? lim
												 : nextp;
		struct lx_u256 nsp;
		if ((rc = swap_step(&nsp, &in, &outa, &fee, &sp, &target, liq, &rem, exact_in, p->fee)))
			return rc;
		sp = nsp;
		if (exact_in) {
			struct lx_u256 used;
			lx_u256_add(&used, &in, &fee);
			if (lx_u256_sub(&rem, &rem, &used))
				return LX_EOVERFLOW;
			lx_u256_add(&calc, &calc, &outa);
		} else {
			if (lx_u256_sub(&rem, &rem, &outa))
				return LX_EOVERFLOW;
			struct lx_u256 paid;
			lx_u256_add(&paid, &in, &fee);
			lx_u256_add(&calc, &calc, &paid);
		}
		if (lx_u256_eq(&sp, &nextp)) {
			if (init) {
				__int128 net = p->ticks[ti].liquidity_net;
				if (z41)
					net = -net;
				if (net < 0) {
					u128 d = (u128)(-net);
					if (d > liq)
						return LX_EOVERFLOW; /* LiquidityMath 'LS' */
					liq -= d;
				} else {
					u128 nl = liq + (u128)net;
					if (nl < liq)
						return LX_EOVERFLOW; /* 'LA' */
					liq = nl;
				}
			}
			tick = z41 ? tn - 1 : tn;
		} else if (!lx_u256_eq(&sp, &start)) {
			if ((rc = lx_uv3_tick_at_sqrt(&tick, &sp)))
				return rc;
		}
	}
	struct lx_u256 done;
	lx_u256_sub(&done, amount, &rem);
	if (exact_in) {
		out->amount_in = done;
		out->amount_out = calc;
	} else {
		out->amount_out = done;
		out->amount_in = calc;
	}
	p->sqrt_price = sp;
	p->tick = tick;
	p->liquidity = liq;
	return 0;
}
