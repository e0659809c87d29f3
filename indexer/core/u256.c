/*
 * u256.c: 256-bit unsigned integers with Solidity 0.8 semantics, and Aave's WadRayMath and
 * PercentageMath bit for bit (see u256.h).
 *
 * Limbs are 64-bit, least significant first; products use unsigned __int128. Division is
 * Knuth's algorithm D (TAOCP 4.3.1) on 64-bit digits: a one-limb divisor takes the short
 * loop, a wider one normalises so the divisor's top bit is set, estimates each quotient limb
 * from the top two limbs, and corrects it at most twice. muldiv divides a 512-bit product with
 * the same routine. Every result is written through its out-pointer last, so r may alias any
 * operand.
 *
 * The Aave helpers test their guards in a form that is exactly equivalent to Solidity's and
 * cheaper: for integers, a <= floor((MAX - h) / b) holds if and only if a*b + h <= MAX, so
 * "the 512-bit a*b + h overflows 256 bits" reverts in precisely the same cases.
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
	struct lx_u256 t;
	for (int i = 0; i < 4; i++) {
		uint64_t v = 0;
		for (int j = 0; j < 8; j++)
			v = v << 8 | be[(3 - i) * 8 + j];
		t.w[i] = v;
	}
	*r = t;
}

void lx_u256_to_be(uint8_t be[32], const struct lx_u256 *a)
{
	struct lx_u256 t = *a;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			be[(3 - i) * 8 + j] = (uint8_t)(t.w[i] >> (56 - 8 * j));
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

/* p = a * b, the full 512-bit product */
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

/* number of significant limbs in x[0..n-1] */
static int limbs(const uint64_t *x, int n)
{
	while (n > 0 && x[n - 1] == 0)
		n--;
	return n;
}

/* q[0..m-1] = u / d and returns u % d, for u of m limbs and a one-limb d != 0; q may be u */
static uint64_t div_short(uint64_t *q, const uint64_t *u, int m, uint64_t d)
{
	u128 r = 0;
	for (int i = m - 1; i >= 0; i--) {
		r = r << 64 | u[i];
		uint64_t qi = (uint64_t)(r / d);
		r -= (u128)qi * d;
		if (q)
			q[i] = qi;
	}
	return (uint64_t)r;
}

/*
 * Knuth D: q[0..m-n] = u / v and rem[0..n-1] = u % v, for u of m limbs, v of n limbs,
 * 2 <= n <= 4, n <= m <= 8 and v[n-1] != 0. q and rem may be NULL and must not overlap u or v.
 */
static void div_knuth(uint64_t *q, uint64_t *rem, const uint64_t *u, int m, const uint64_t *v,
		      int n)
{
	uint64_t un[9], vn[4];
	int s = __builtin_clzll(v[n - 1]);

	/* normalise: shift both left so the divisor's top bit is set; un gains a limb */
	for (int i = n - 1; i > 0; i--)
		vn[i] = v[i] << s | (s ? v[i - 1] >> (64 - s) : 0);
	vn[0] = v[0] << s;
	un[m] = s ? u[m - 1] >> (64 - s) : 0;
	for (int i = m - 1; i > 0; i--)
		un[i] = u[i] << s | (s ? u[i - 1] >> (64 - s) : 0);
	un[0] = u[0] << s;

	for (int j = m - n; j >= 0; j--) {
		/* estimate from the top two limbs; too big by at most 2 after this loop */
		u128 num = (u128)un[j + n] << 64 | un[j + n - 1];
		u128 qhat = num / vn[n - 1];
		u128 rhat = num - qhat * vn[n - 1];
		while (qhat >> 64 || qhat * vn[n - 2] > (rhat << 64 | un[j + n - 2])) {
			qhat--;
			rhat += vn[n - 1];
			if (rhat >> 64)
				break;
		}
		/* un[j..j+n] -= qhat * vn */
		uint64_t carry = 0, borrow = 0;
		for (int i = 0; i < n; i++) {
			u128 p = qhat * vn[i] + carry;
			carry = (uint64_t)(p >> 64);
			u128 d = (u128)un[i + j] - (uint64_t)p - borrow;
			un[i + j] = (uint64_t)d;
			borrow = (uint64_t)(d >> 64) ? 1 : 0;
		}
		u128 d = (u128)un[j + n] - carry - borrow;
		un[j + n] = (uint64_t)d;
		uint64_t qj = (uint64_t)qhat;
		if ((uint64_t)(d >> 64)) {
			/* estimate was one too big (rare: probability about 2/2^64): add back */
			qj--;
			u128 c = 0;
			for (int i = 0; i < n; i++) {
				c += (u128)un[i + j] + vn[i];
				un[i + j] = (uint64_t)c;
				c >>= 64;
			}
			un[j + n] += (uint64_t)c;
		}
		if (q)
			q[j] = qj;
	}
	if (rem) {
		/* un[n..m] are zero now; undo the normalisation */
		for (int i = 0; i < n; i++)
			rem[i] = un[i] >> s | (s ? un[i + 1] << (64 - s) : 0);
	}
}

/*
 * q[0..m-1] = u / d and rem = u % d for u of m <= 8 limbs and d != 0. Either output may be
 * NULL; neither may overlap u (rem may overlap d: it is written last).
 */
static void divmod_limbs(uint64_t *q, struct lx_u256 *rem, const uint64_t *u, int m,
			 const struct lx_u256 *d)
{
	int un = limbs(u, m), dn = limbs(d->w, 4);
	uint64_t r[4] = {0, 0, 0, 0};
	if (q)
		memset(q, 0, (size_t)m * sizeof(uint64_t));
	if (un < dn) {
		memcpy(r, u, (size_t)un * sizeof(uint64_t)); /* quotient 0, remainder u */
	} else if (dn == 1) {
		r[0] = div_short(q, u, un, d->w[0]);
	} else {
		div_knuth(q, r, u, un, d->w, dn);
	}
	if (rem)
		memcpy(rem->w, r, sizeof(r));
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
	uint64_t num[4], qq[4];
	struct lx_u256 rr;
	memcpy(num, a->w, sizeof(num));
	divmod_limbs(qq, &rr, num, 4, b);
	if (q)
		memcpy(q->w, qq, sizeof(qq));
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
		int l = (int)(n / 64);
		unsigned bits = n % 64;
		for (int i = 3; i >= l; i--) {
			uint64_t v = a->w[i - l] << bits;
			if (bits && i - l - 1 >= 0)
				v |= a->w[i - l - 1] >> (64 - bits);
			t.w[i] = v;
		}
	}
	*r = t;
}

void lx_u256_shr(struct lx_u256 *r, const struct lx_u256 *a, unsigned n)
{
	struct lx_u256 t = {{0, 0, 0, 0}};
	if (n < 256) {
		int l = (int)(n / 64);
		unsigned bits = n % 64;
		for (int i = 0; i + l < 4; i++) {
			uint64_t v = a->w[i + l] >> bits;
			if (bits && i + l + 1 < 4)
				v |= a->w[i + l + 1] << (64 - bits);
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
	divmod_limbs(q, NULL, p, 8, d);
	if (q[4] | q[5] | q[6] | q[7]) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	memcpy(r->w, q, 32);
	return 0;
}

int lx_u256_pow10(struct lx_u256 *r, unsigned n)
{
	if (n > 77) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	struct lx_u256 t, ten;
	lx_u256_from_u64(&t, 1);
	lx_u256_from_u64(&ten, 10);
	for (unsigned i = 0; i < n; i++)
		lx_u256_mul(&t, &t, &ten);
	*r = t;
	return 0;
}

/* t = t * m + add; returns nonzero when the result does not fit in 256 bits */
static uint64_t mul_add_small(struct lx_u256 *t, uint64_t m, uint64_t add)
{
	u128 c = add;
	for (int i = 0; i < 4; i++) {
		c += (u128)t->w[i] * m;
		t->w[i] = (uint64_t)c;
		c >>= 64;
	}
	return (uint64_t)c;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lx_u256_parse(struct lx_u256 *r, const char *s, size_t len)
{
	if (!r)
		return LX_EINVAL;
	lx_u256_from_u64(r, 0);
	if (!s)
		return LX_EINVAL;
	if (len == 0)
		return LX_EPARSE;
	struct lx_u256 t = {{0, 0, 0, 0}};
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (len == 2)
			return LX_EPARSE;
		/* syntax first, so bad text is LX_EPARSE however long it is */
		for (size_t i = 2; i < len; i++)
			if (hexval(s[i]) < 0)
				return LX_EPARSE;
		size_t i = 2;
		while (i < len - 1 && s[i] == '0')
			i++;
		if (len - i > 64)
			return LX_EOVERFLOW;
		for (; i < len; i++) {
			lx_u256_shl(&t, &t, 4);
			t.w[0] |= (uint64_t)hexval(s[i]);
		}
		*r = t;
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return LX_EPARSE;
	/* 19 digits at a time: t = t * 10^k + chunk; an exact carry-out is the overflow test */
	for (size_t i = 0; i < len;) {
		uint64_t chunk = 0, scale = 1;
		for (int k = 0; k < 19 && i < len; k++, i++) {
			chunk = chunk * 10 + (uint64_t)(s[i] - '0');
			scale *= 10;
		}
		if (mul_add_small(&t, scale, chunk))
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
	for (;;) {
		/* peel 19 digits at a time */
		uint64_t r = div_short(x, x, 4, 10000000000000000000ULL);
		bool more = x[0] | x[1] | x[2] | x[3];
		for (int i = 0; i < 19 && (more || r); i++) {
			tmp[n++] = (char)('0' + r % 10);
			r /= 10;
		}
		if (!more)
			break;
	}
	if (n == 0)
		tmp[n++] = '0';
	if (!buf || cap < n + 1)
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
	if (!buf || cap < n + 3)
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
	size_t dec = decimals;
	if (!buf)
		return 0;
	if (dec == 0 || (n == 1 && d[0] == '0')) {
		if (cap < n + 1)
			return 0;
		memcpy(buf, d, n + 1);
		return n;
	}
	/* integer part, leading zeros of the fraction, then its digits without trailing zeros */
	size_t ilen = n > dec ? n - dec : 0;
	size_t zeros = n < dec ? dec - n : 0;
	size_t flen = n - ilen;
	while (flen > 0 && d[ilen + flen - 1] == '0')
		flen--;
	size_t total = (ilen ? ilen : 1) + (flen ? 1 + zeros + flen : 0);
	if (cap < total + 1)
		return 0;
	size_t o = 0;
	if (ilen) {
		memcpy(buf, d, ilen);
		o = ilen;
	} else {
		buf[o++] = '0';
	}
	if (flen) {
		buf[o++] = '.';
		memset(buf + o, '0', zeros);
		o += zeros;
		memcpy(buf + o, d + ilen, flen);
		o += flen;
	}
	buf[o] = 0;
	return o;
}

double lx_u256_to_double(const struct lx_u256 *a)
{
	int top = limbs(a->w, 4);
	if (top <= 1)
		return (double)a->w[0];
	/*
	 * The top 64 significant bits, with any lower set bit folded into bit 0 as a sticky bit:
	 * a double keeps 53 bits, so the one conversion below then rounds to nearest even
	 * exactly as if the full value had been converted.
	 */
	int shift = (top - 1) * 64 - __builtin_clzll(a->w[top - 1]);
	struct lx_u256 hi, back;
	lx_u256_shr(&hi, a, (unsigned)shift);
	lx_u256_shl(&back, &hi, (unsigned)shift);
	uint64_t m = hi.w[0] | (lx_u256_eq(&back, a) ? 0 : 1);
	return ldexp((double)m, shift);
}

/* ---- Aave WadRayMath / PercentageMath ---- */

#define WAD_U64 1000000000000000000ULL
#define HALF_WAD_U64 500000000000000000ULL
#define WAD_RAY_RATIO 1000000000ULL
#define PCT_FACTOR 10000ULL
#define HALF_PCT 5000ULL

/* 1e27 = 0x33b2e3c9fd0803ce8000000 */
static const struct lx_u256 RAY = {{0x9fd0803ce8000000ULL, 0x33b2e3cULL, 0, 0}};
static const struct lx_u256 HALF_RAY = {{0x4fe8401e74000000ULL, 0x19d971eULL, 0, 0}};

/* t = x * y + add; LX_EOVERFLOW when that exceeds 2^256 - 1 */
static int mul_add(struct lx_u256 *t, const struct lx_u256 *x, const struct lx_u256 *y,
		   const struct lx_u256 *add)
{
	uint64_t p[8];
	mul512(p, x, y);
	if (p[4] | p[5] | p[6] | p[7])
		return LX_EOVERFLOW;
	memcpy(t->w, p, 32);
	return lx_u256_add(t, t, add);
}

/*
 * (a*b + half) / unit. Solidity reverts unless b == 0 || a <= (MAX - half) / b, which is
 * a*b + half <= MAX (with b == 0 it always holds, as half <= MAX).
 */
static int mul_half_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		       const struct lx_u256 *unit, const struct lx_u256 *half)
{
	struct lx_u256 t;
	if (mul_add(&t, a, b, half)) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	return lx_u256_div(r, &t, unit);
}

/*
 * (a*unit + b/2) / b. Solidity reverts when b == 0 or a > (MAX - b/2) / unit, which is
 * a*unit + b/2 > MAX.
 */
static int div_half_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		       const struct lx_u256 *unit)
{
	struct lx_u256 half, t;
	if (lx_u256_is_zero(b)) {
		lx_u256_from_u64(r, 0);
		return LX_EDIVZERO;
	}
	lx_u256_shr(&half, b, 1);
	if (mul_add(&t, a, unit, &half)) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	return lx_u256_div(r, &t, b);
}

int lx_wad_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 u, h;
	lx_u256_from_u64(&u, WAD_U64);
	lx_u256_from_u64(&h, HALF_WAD_U64);
	return mul_half_up(r, a, b, &u, &h);
}

int lx_wad_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	struct lx_u256 u;
	lx_u256_from_u64(&u, WAD_U64);
	return div_half_up(r, a, b, &u);
}

int lx_ray_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	return mul_half_up(r, a, b, &RAY, &HALF_RAY);
}

int lx_ray_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b)
{
	return div_half_up(r, a, b, &RAY);
}

/* never reverts: b = a / 1e9, plus one when the remainder is at least 1e9 / 2 */
int lx_ray_to_wad(struct lx_u256 *r, const struct lx_u256 *a)
{
	uint64_t q[4];
	uint64_t rem = div_short(q, a->w, 4, WAD_RAY_RATIO);
	struct lx_u256 t;
	memcpy(t.w, q, sizeof(q));
	if (rem >= WAD_RAY_RATIO / 2) {
		struct lx_u256 one;
		lx_u256_from_u64(&one, 1);
		lx_u256_add(&t, &t, &one); /* cannot overflow: t <= MAX / 1e9 */
	}
	*r = t;
	return 0;
}

/* reverts when a * 1e9 overflows (Solidity checks b / 1e9 == a) */
int lx_wad_to_ray(struct lx_u256 *r, const struct lx_u256 *a)
{
	struct lx_u256 t = *a;
	if (mul_add_small(&t, WAD_RAY_RATIO, 0)) {
		lx_u256_from_u64(r, 0);
		return LX_EOVERFLOW;
	}
	*r = t;
	return 0;
}

int lx_percent_mul(struct lx_u256 *r, const struct lx_u256 *value, const struct lx_u256 *pct)
{
	struct lx_u256 u, h;
	lx_u256_from_u64(&u, PCT_FACTOR);
	lx_u256_from_u64(&h, HALF_PCT);
	return mul_half_up(r, value, pct, &u, &h);
}

int lx_percent_div(struct lx_u256 *r, const struct lx_u256 *value, const struct lx_u256 *pct)
{
	struct lx_u256 u;
	lx_u256_from_u64(&u, PCT_FACTOR);
	return div_half_up(r, value, pct, &u);
}
