/*
 * fuzz_u256_parse.c: libFuzzer target for the core text parsers, which all see bytes from
 * nodes, files and the command line. The whole input goes to lx_u256_parse, lx_hex_decode,
 * lx_hex_u64 and (NUL-terminated) lx_addr_parse. Whatever parses must print and parse back to
 * the same value (decimal, hex, checksummed address, hex bytes), and text already in canonical
 * form must print back byte for byte. Two values cut from the input then check the arithmetic
 * against itself: q*b + r == a with r < b, muldiv(a, b, b) == a, add/sub round trips, and the
 * Aave helpers run without tripping a sanitizer. Any broken property traps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/hex.h"
#include "lendex/keccak.h"
#include "lendex/u256.h"

#define CHECK(x)                         \
	do {                             \
		if (!(x))                \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

static bool is_hex_prefix(const char *s, size_t n)
{
	return n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

static void u256_roundtrip(const char *s, size_t n)
{
	struct lx_u256 v, w;
	int rc = lx_u256_parse(&v, s, n);
	if (rc != 0) {
		CHECK(rc == LX_EPARSE || rc == LX_EOVERFLOW);
		CHECK(lx_u256_is_zero(&v));
		return;
	}
	char dec[LX_U256_DEC_MAX], hex[LX_U256_HEX_MAX], fx[LX_U256_DEC_MAX + 80];
	size_t dn = lx_u256_to_dec(dec, sizeof(dec), &v);
	CHECK(dn > 0 && dn == strlen(dec));
	CHECK(lx_u256_parse(&w, dec, dn) == 0 && lx_u256_eq(&v, &w));
	size_t hn = lx_u256_to_hex(hex, sizeof(hex), &v);
	CHECK(hn > 2 && hn == strlen(hex));
	CHECK(lx_u256_parse(&w, hex, hn) == 0 && lx_u256_eq(&v, &w));
	/* canonical text prints back exactly */
	if (!is_hex_prefix(s, n) && (n == 1 || s[0] != '0'))
		CHECK(dn == n && memcmp(dec, s, n) == 0);
	if (is_hex_prefix(s, n) && s[1] == 'x' && (n == 3 || s[2] != '0')) {
		bool lower = true;
		for (size_t i = 2; i < n; i++)
			lower &= !(s[i] >= 'A' && s[i] <= 'F');
		if (lower)
			CHECK(hn == n && memcmp(hex, s, n) == 0);
	}
	/* fixed point: digits are the decimal digits with a point, trailing zeros trimmed */
	unsigned d = n ? (unsigned char)s[n - 1] % 90 : 0;
	size_t fn = lx_u256_to_fixed(fx, sizeof(fx), &v, d);
	CHECK(fn > 0 && fn == strlen(fx));
	size_t digits = 0;
	for (size_t i = 0; i < fn; i++)
		digits += fx[i] != '.';
	CHECK(digits <= (dn > d ? dn : d + 1));
	double x = lx_u256_to_double(&v);
	CHECK(x >= 0 && x <= 0x1p256);
	uint8_t be[32];
	lx_u256_to_be(be, &v);
	lx_u256_from_be(&w, be);
	CHECK(lx_u256_eq(&v, &w));
}

static void arithmetic(const uint8_t *in, size_t len)
{
	if (len < 64)
		return;
	struct lx_u256 a, b, q, r, t, one;
	lx_u256_from_be(&a, in);
	lx_u256_from_be(&b, in + 32);
	lx_u256_from_u64(&one, 1);
	/* shrink the operands by the next byte so small and mixed widths are explored */
	if (len > 64) {
		lx_u256_shr(&a, &a, in[64] & 0xf8);
		lx_u256_shr(&b, &b, (unsigned)(in[64] & 7) * 32);
	}
	if (lx_u256_divmod(&q, &r, &a, &b) == 0) {
		CHECK(lx_u256_cmp(&r, &b) < 0);
		CHECK(lx_u256_mul(&t, &q, &b) == 0);
		CHECK(lx_u256_add(&t, &t, &r) == 0);
		CHECK(lx_u256_eq(&t, &a));
		CHECK(lx_u256_muldiv(&t, &a, &b, &b) == 0 && lx_u256_eq(&t, &a));
		CHECK(lx_u256_muldiv(&t, &a, &one, &b) == 0 && lx_u256_eq(&t, &q));
	} else {
		CHECK(lx_u256_is_zero(&b));
	}
	int rc = lx_u256_add(&t, &a, &b);
	CHECK(lx_u256_sub(&t, &t, &b) == rc && lx_u256_eq(&t, &a));
	/* the full product, divided back */
	if (!lx_u256_is_zero(&a)) {
		rc = lx_u256_muldiv(&t, &b, &a, &a);
		CHECK(rc == 0 && lx_u256_eq(&t, &b));
	}
	int (*const f[])(struct lx_u256 *, const struct lx_u256 *, const struct lx_u256 *) = {
		lx_wad_mul, lx_wad_div, lx_ray_mul, lx_ray_div, lx_percent_mul, lx_percent_div,
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		rc = f[i](&t, &a, &b);
		CHECK(rc == 0 || rc == LX_EOVERFLOW || rc == LX_EDIVZERO);
		if (rc)
			CHECK(lx_u256_is_zero(&t));
	}
	lx_ray_to_wad(&t, &a);
	rc = lx_wad_to_ray(&t, &a);
	if (rc == 0)
		CHECK(lx_ray_to_wad(&t, &t) == 0 && lx_u256_eq(&t, &a));
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	if (!in)
		return 0;
	const char *s = (const char *)in;
	u256_roundtrip(s, len);
	arithmetic(in, len);

	uint8_t bytes[256], back[256];
	size_t n = 0, m = 0;
	int rc = lx_hex_decode(bytes, sizeof(bytes), &n, s, len);
	if (rc == 0) {
		char txt[2 * sizeof(bytes) + 3];
		size_t tn = lx_hex_encode(txt, sizeof(txt), bytes, n);
		CHECK(tn == 2 + 2 * n);
		CHECK(lx_hex_decode(back, sizeof(back), &m, txt, tn) == 0 && m == n);
		CHECK(memcmp(bytes, back, n) == 0);
	} else {
		CHECK((rc == LX_EPARSE || rc == LX_EOVERFLOW) && n == 0);
	}

	uint64_t q;
	rc = lx_hex_u64(&q, s, len);
	CHECK(rc == 0 || ((rc == LX_EPARSE || rc == LX_EOVERFLOW) && q == 0));
	if (rc == 0) {
		struct lx_u256 v;
		uint64_t w;
		CHECK(lx_u256_parse(&v, s, len) == 0 && lx_u256_to_u64(&w, &v) == 0 && w == q);
	}

	char *z = malloc(len + 1);
	if (!z)
		return 0;
	if (len)
		memcpy(z, in, len);
	z[len] = 0;
	struct lx_addr a, b;
	struct lx_error err;
	rc = lx_addr_parse(&a, z, &err);
	if (rc == 0) {
		char c[LX_ADDR_STRLEN], l[LX_ADDR_STRLEN];
		lx_addr_checksum(c, &a);
		lx_addr_lower(l, &a);
		CHECK(lx_addr_parse(&b, c, NULL) == 0 && lx_addr_eq(&a, &b));
		CHECK(lx_addr_parse(&b, l, NULL) == 0 && lx_addr_eq(&a, &b));
		/* the accepted text is the checksum, or one of the two single-case forms */
		bool low = false, up = false;
		for (int i = 2; i < 42; i++) {
			low |= z[i] >= 'a' && z[i] <= 'f';
			up |= z[i] >= 'A' && z[i] <= 'F';
		}
		if (low && up)
			CHECK(memcmp(c, z, 42) == 0);
	} else {
		CHECK(rc == LX_EPARSE);
		CHECK(err.code == LX_EPARSE && strlen(err.msg) < sizeof(err.msg));
		for (size_t i = 0; err.msg[i]; i++) {
			unsigned char c = (unsigned char)err.msg[i];
			CHECK(c >= 0x20 && c < 0x7f); /* input is quoted escaped */
		}
	}
	free(z);

	uint8_t h[32];
	lx_keccak256(h, in, len);
	return 0;
}
