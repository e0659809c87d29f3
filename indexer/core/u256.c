/*
 * u256.c: 256-bit unsigned integers with Solidity 0.8 semantics, and Aave's WadRayMath and
 * PercentageMath bit for bit (see u256.h).
 *
 * Limbs are 64-bit, least significant first; products use unsigned __int128. Division by a
 * one-limb divisor is schoolbook on limbs; by a wider divisor it is binary long division
 * starting at the numerator's top bit (at most 256 steps, usually far fewer for the ray and
 * wad quotients the indexer computes).
 */
#include <math.h>
#include <string.h>

#include "lendex/u256.h"

typedef unsigned __int128 u128;

void lx_u256_from_u64(struct lx_u256 *r, uint64_t v)
{
	r->w[0] = v;
	r->w[1] = r->w[2] = r->w[3] = 0;
}

int lx_u256_to_u64(uint64_t *out, const struct lx_u256 *a)
{
	if (a->w[1] | a->w[2] | a->w[3]) {
		*out = 0;
		return LX_EOVERFLOW;
	}
	*out = a->w[0];
	return 0;
}

void lx_u256_from_be(struct lx_u256 *r, const uint8_t be[32])
{
	for (int i = 0; i < 4; i++) {
		uint64_t v = 0;
		for (int j = 0; j < 8; j++)
			v = v << 8 | be[(3 - i) * 8 + j];
		r->w[i] = v;
	}
}

void lx_u256_to_be(uint8_t be[32], const struct lx_u256 *a)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			be[(3 - i) * 8 + j] = (uint8_t)(a->w[i] >> (56 - 8 * j));
}

void lx_u256_max(struct lx_u256 *r)
{
	r->w[0] = r->w[1] = r->w[2] = r->w[3] = UINT64_MAX;
}

bool lx_u256_is_zero(const struct lx_u256 *a)
{
	return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

int lx_u256_cmp(const struct lx_u256 *a, const struct lx_u256 *b)
{
	for (int i = 3; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

int lx_u256_add(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	u128 c = 0;
	struct lx_u256 t;
	for (int i = 0; i < 4; i++) {
		c += (u128)a->w[i] + b->w[i];
		t.w[i] = (uint64_t)c;
		c >>= 64;
	}
	*r = t;
	return c ? LX_EOVERFLOW : 0;
}

int lx_u256_sub(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	uint64_t borrow = 0;
	struct lx_u256 t;
	for (int i = 0; i < 4; i++) {
		u128 d = (u128)a->w[i] - b->w[i] - borrow;
		t.w[i] = (uint64_t)d;
		borrow = (uint64_t)(d >> 64) ? 1 : 0;
	}
	*r = t;
	return borrow ? LX_EOVERFLOW : 0;
}

/* full 512-bit product */
static void mul512(uint64_t p[8], const struct lx_u256 *a, const struct lx_u256 *b)
{
	memset(p, 0, 8 * sizeof(uint64_t));
	for (int i = 0; i < 4; i++) {
		if (!a->w[i])
			continue;
		u128 c = 0;
		for (int j = 0; j < 4; j++) {
			c += (u128)a->w[i] * b->w[j] + p[i + j];
			p[i + j] = (uint64_t)c;
			c >>= 64;
		}
		p[i + 4] = (uint64_t)c;
	}
}

int lx_u256_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	uint64_t p[8];
	mul512(p, a, b);
	memcpy(r->w, p, 32);
	return (p[4] | p[5] | p[6] | p[7]) ? LX_EOVERFLOW : 0;
}

static int topbit(const uint64_t *x, int n)
{
	for (int i = n - 1; i >= 0; i--)
		if (x[i])
			return i * 64 + 63 - __builtin_clzll(x[i]);
	return -1;
}

/* q (n limbs, may be NULL) = num / d, rem = num % d; d != 0, d has more than one limb */
static void divmod_long(uint64_t *q, struct lx_u256 *rem, const uint64_t *num, int n,
			const struct lx_u256 *d)
{
	uint64_t r[5] = {0};
	if (q)
		memset(q, 0, (size_t)n * sizeof(uint64_t));
	for (int i = topbit(num, n); i >= 0; i--) {
		/* r = r << 1 | bit */
		for (int k = 4; k > 0; k--)
			r[k] = r[k] << 1 | r[k - 1] >> 63;
		r[0] = r[0] << 1 | ((num[i / 64] >> (i % 64)) & 1);
		/* if r >= d: r -= d */
		bool ge = r[4] != 0;
		if (!ge) {
			ge = true;
			for (int k = 3; k >= 0; k--)
				if (r[k] != d->w[k]) {
					ge = r[k] > d->w[k];
					break;
				}
		}
		if (ge) {
			uint64_t borrow = 0;
			for (int k = 0; k < 4; k++) {
				u128 t = (u128)r[k] - d->w[k] - borrow;
				r[k] = (uint64_t)t;
				borrow = (uint64_t)(t >> 64) ? 1 : 0;
			}
			r[4] -= borrow;
			if (q)
				q[i / 64] |= 1ULL << (i % 64);
		}
	}
	if (rem)
		memcpy(rem->w, r, 32);
}

/* one-limb divisor */
static uint64_t divmod_small(uint64_t *q, const uint64_t *num, int n, uint64_t d)
{
	u128 r = 0;
	for (int i = n - 1; i >= 0; i--) {
		r = r << 64 | num[i];
		uint64_t qi = (uint64_t)(r / d);
		if (q)
			q[i] = qi;
		r -= (u128)qi * d;
	}
	return (uint64_t)r;
}

static void divmod_n(uint64_t *q, struct lx_u256 *rem, const uint64_t *num, int n,
		     const struct lx_u256 *b)
{
	if (!(b->w[1] | b->w[2] | b->w[3])) {
		uint64_t r = divmod_small(q, num, n, b->w[0]);
		if (rem)
			lx_u256_from_u64(rem, r);
	} else {
		divmod_long(q, rem, num, n, b);
	}
}

int lx_u256_divmod(struct lx_u256 *q, struct lx_u256 *rem, const struct lx_u256 *a,
		   const struct lx_u256 *b)
{
	if (lx_u256_is_zero(b)) {
		if (q)
			lx_u256_from_u64(q, 0);
		if (rem)
			lx_u256_from_u64(rem, 0);
		return LX_EDIVZERO;
	}
	uint64_t qq[4], num[4];
	memcpy(num, a->w, 32);
	struct lx_u256 rr;
	divmod_n(qq, &rr, num, 4, b);
	if (q)
		memcpy(q->w, qq, 32);
	if (rem)
		*rem = rr;
	return 0;
}

int lx_u256_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	return lx_u256_divmod(r, NULL, a, b);
}

int lx_u256_mod(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	return lx_u256_divmod(NULL, r, a, b);
}

void lx_u256_shl(struct lx_u256 *r, const struct lx_u256 *a, unsigned n)
{
	struct lx_u256 t = {{0, 0, 0, 0}};
	if (n < 256) {
		unsigned limbs = n / 64, bits = n % 64;
		for (int i = 3; i >= (int)limbs; i--) {
			uint64_t v = a->w[i - (int)limbs] << bits;
			if (bits && i - (int)limbs - 1 >= 0)
				v |= a->w[i - (int)limbs - 1] >> (64 - bits);
			t.w[i] = v;
		}
	}
	*r = t;
}

void lx_u256_shr(struct lx_u256 *r, const struct lx_u256 *a, unsigned n)
{
	struct lx_u256 t = {{0, 0, 0, 0}};
	if (n < 256) {
		unsigned limbs = n / 64, bits = n % 64;
		for (int i = 0; i + (int)limbs < 4; i++) {
			uint64_t v = a->w[i + (int)limbs] >> bits;
			if (bits && i + (int)limbs + 1 < 4)
				v |= a->w[i + (int)limbs + 1] << (64 - bits);
			t.w[i] = v;
		}
	}
	*r = t;
}

int lx_u256_muldiv(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		   const struct lx_u256 *d)
{
	if (lx_u256_is_zero(d)) {
		lx_u256_from_u64(r, 0);
		return LX_EDIVZERO;
	}
	uint64_t p[8], q[8];
	mul512(p, a, b);
	divmod_n(q, NULL, p, 8, d);
	if (q[4] | q[5] | q[6] | q[7]) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	memcpy(r->w, q, 32);
	return 0;
}

int lx_u256_pow10(struct lx_u256 *r, unsigned n)
{
	struct lx_u256 ten;
	lx_u256_from_u64(r, 1);
	lx_u256_from_u64(&ten, 10);
	if (n > 77) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	for (unsigned i = 0; i < n; i++)
		lx_u256_mul(r, r, &ten);
	return 0;
}

int lx_u256_parse(struct lx_u256 *r, const char *s, size_t len)
{
	struct lx_u256 t = {{0, 0, 0, 0}};
	lx_u256_from_u64(r, 0);
	if (!s || len == 0)
		return LX_EPARSE;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (len == 2)
			return LX_EPARSE;
		for (size_t i = 2; i < len; i++) {
			char c = s[i];
			int v = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (v < 0)
				return LX_EPARSE;
			if (t.w[3] >> 60)
				return LX_EOVERFLOW;
			lx_u256_shl(&t, &t, 4);
			t.w[0] |= (uint64_t)v;
		}
		*r = t;
		return 0;
	}
	struct lx_u256 ten, dig;
	lx_u256_from_u64(&ten, 10);
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return LX_EPARSE;
		lx_u256_from_u64(&dig, (uint64_t)(s[i] - '0'));
		if (lx_u256_mul(&t, &t, &ten) || lx_u256_add(&t, &t, &dig))
			return LX_EOVERFLOW;
	}
	*r = t;
	return 0;
}

size_t lx_u256_to_dec(char *buf, size_t cap, const struct lx_u256 *a)
{
	char tmp[LX_U256_DEC_MAX];
	size_t n = 0;
	uint64_t x[4];
	memcpy(x, a->w, 32);
	do {
		/* peel 19 digits at a time */
		uint64_t r = divmod_small(x, x, 4, 10000000000000000000ULL);
		bool more = x[0] | x[1] | x[2] | x[3];
		for (int i = 0; i < 19 && (more || r); i++) {
			tmp[n++] = (char)('0' + r % 10);
			r /= 10;
		}
		if (!more)
			break;
	} while (1);
	if (n == 0)
		tmp[n++] = '0';
	if (cap < n + 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

size_t lx_u256_to_hex(char *buf, size_t cap, const struct lx_u256 *a)
{
	static const char d[] = "0123456789abcdef";
	char tmp[64];
	size_t n = 0;
	for (int i = 0; i < 64; i++) {
		unsigned nibble = (unsigned)(a->w[i / 16] >> (4 * (i % 16))) & 15;
		tmp[n++] = d[nibble];
	}
	while (n > 1 && tmp[n - 1] == '0')
		n--;
	if (cap < n + 3)
		return 0;
	buf[0] = '0';
	buf[1] = 'x';
	for (size_t i = 0; i < n; i++)
		buf[2 + i] = tmp[n - 1 - i];
	buf[n + 2] = 0;
	return n + 2;
}

size_t lx_u256_to_fixed(char *buf, size_t cap, const struct lx_u256 *a, unsigned decimals)
{
	char d[LX_U256_DEC_MAX];
	size_t n = lx_u256_to_dec(d, sizeof(d), a);
	char out[LX_U256_DEC_MAX + 80];
	size_t o = 0;
	if (decimals > 77)
		return 0;
	if (n <= decimals) {
		out[o++] = '0';
		out[o++] = '.';
		for (size_t i = n; i < decimals; i++)
			out[o++] = '0';
		memcpy(out + o, d, n);
		o += n;
	} else {
		memcpy(out, d, n - decimals);
		o = n - decimals;
		if (decimals) {
			out[o++] = '.';
			memcpy(out + o, d + n - decimals, decimals);
			o += decimals;
		}
	}
	if (decimals) {
		while (out[o - 1] == '0')
			o--;
		if (out[o - 1] == '.')
			o--;
	}
	if (cap < o + 1)
		return 0;
	memcpy(buf, out, o);
	buf[o] = 0;
	return o;
}

double lx_u256_to_double(const struct lx_u256 *a)
{
	return ldexp((double)a->w[3], 192) + ldexp((double)a->w[2], 128) +
	       ldexp((double)a->w[1], 64) + (double)a->w[0];
}

/* ---- Aave WadRayMath / PercentageMath ---- */

static void c64(struct lx_u256 *r, uint64_t v)
{
	lx_u256_from_u64(r, v);
}

static void ray(struct lx_u256 *r)
{
	lx_u256_pow10(r, 27);
}

static void wad(struct lx_u256 *r)
{
	c64(r, 1000000000000000000ULL);
}

/* (a*b + half) / unit, reverting (LX_EOVERFLOW) when a > (max - half) / b */
static int mul_half_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		       const struct lx_u256 *unit, const struct lx_u256 *half)
{
	struct lx_u256 max, lim, t;
	if (lx_u256_is_zero(b)) {
		lx_u256_from_u64(r, 0);
		return 0; /* the guard is `b == 0 || a <= ...` */
	}
	lx_u256_max(&max);
	lx_u256_sub(&lim, &max, half);
	lx_u256_div(&lim, &lim, b);
	if (lx_u256_cmp(a, &lim) > 0) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	lx_u256_mul(&t, a, b);
	lx_u256_add(&t, &t, half);
	lx_u256_div(r, &t, unit);
	return 0;
}

/* (a*unit + b/2) / b, reverting when b == 0 or a > (max - b/2) / unit */
static int div_half_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		       const struct lx_u256 *unit)
{
	struct lx_u256 max, lim, half, t;
	if (lx_u256_is_zero(b)) {
		lx_u256_from_u64(r, 0);
		return LX_EDIVZERO;
	}
	lx_u256_shr(&half, b, 1);
	lx_u256_max(&max);
	lx_u256_sub(&lim, &max, &half);
	lx_u256_div(&lim, &lim, unit);
	if (lx_u256_cmp(a, &lim) > 0) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	lx_u256_mul(&t, a, unit);
	lx_u256_add(&t, &t, &half);
	lx_u256_div(r, &t, b);
	return 0;
}

int lx_wad_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 u, h;
	wad(&u);
	c64(&h, 500000000000000000ULL);
	return mul_half_up(r, a, b, &u, &h);
}

int lx_wad_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 u;
	wad(&u);
	return div_half_up(r, a, b, &u);
}

int lx_ray_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 u, h;
	ray(&u);
	lx_u256_shr(&h, &u, 1);
	return mul_half_up(r, a, b, &u, &h);
}

int lx_ray_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 u;
	ray(&u);
	return div_half_up(r, a, b, &u);
}

int lx_ray_to_wad(struct lx_u256 *r, const struct lx_u256 *a)
{
	struct lx_u256 ratio, q, rem, half;
	c64(&ratio, 1000000000ULL);
	c64(&half, 500000000ULL);
	lx_u256_divmod(&q, &rem, a, &ratio);
	if (lx_u256_cmp(&rem, &half) >= 0) {
		struct lx_u256 one;
		c64(&one, 1);
		lx_u256_add(&q, &q, &one); /* cannot overflow: q <= max / 1e9 */
	}
	*r = q;
	return 0;
}

int lx_wad_to_ray(struct lx_u256 *r, const struct lx_u256 *a)
{
	struct lx_u256 ratio;
	c64(&ratio, 1000000000ULL);
	struct lx_u256 t;
	int rc = lx_u256_mul(&t, a, &ratio);
	if (rc)
		lx_u256_from_u64(&t, 0);
	*r = t;
	return rc;
}

int lx_percent_mul(struct lx_u256 *r, const struct lx_u256 *value, const struct lx_u256 *pct)
{
	struct lx_u256 u, h;
	c64(&u, 10000);
	c64(&h, 5000);
	return mul_half_up(r, value, pct, &u, &h);
}

int lx_percent_div(struct lx_u256 *r, const struct lx_u256 *value, const struct lx_u256 *pct)
{
	struct lx_u256 u;
	c64(&u, 10000);
	/* Solidity: require(percentage != 0 && value <= (max - percentage/2) / PERCENTAGE_FACTOR) */
	return div_half_up(r, value, pct, &u);
}
