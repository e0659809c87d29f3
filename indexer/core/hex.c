/*
 * hex.c: hex codec, JSON-RPC quantities and 20-byte addresses with EIP-55 checksums.
 *
 * Everything here reads text from the network or the command line, so nothing trusts a
 * length, a digit or a terminator; messages quote the input with unprintable bytes escaped.
 */
#include <string.h>

#include "lendex/hex.h"
#include "lendex/keccak.h"

#define QUOTE_MAX (42 * 4 + 4) /* 42 bytes escaped as \xNN, "...", NUL */

static int nib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lx_hex_decode(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t slen)
{
	if (!outlen)
		return LX_EINVAL;
	*outlen = 0;
	if ((!s && slen) || (!out && cap))
		return LX_EINVAL;
	if (slen >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		slen -= 2;
	}
	if (slen % 2)
		return LX_EPARSE;
	if (slen / 2 > cap)
		return LX_EOVERFLOW;
	for (size_t i = 0; i < slen / 2; i++) {
		int hi = nib(s[2 * i]), lo = nib(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return LX_EPARSE;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = slen / 2;
	return 0;
}

size_t lx_hex_encode(char *out, size_t cap, const uint8_t *in, size_t n)
{
	static const char d[] = "0123456789abcdef";
	if (cap < 2 * n + 3)
		return 0;
	out[0] = '0';
	out[1] = 'x';
	for (size_t i = 0; i < n; i++) {
		out[2 + 2 * i] = d[in[i] >> 4];
		out[3 + 2 * i] = d[in[i] & 15];
	}
	out[2 + 2 * n] = 0;
	return 2 + 2 * n;
}

int lx_hex_u64(uint64_t *out, const char *s, size_t slen)
{
	if (!out)
		return LX_EINVAL;
	*out = 0;
	if (!s)
		return LX_EINVAL;
	if (slen < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return LX_EPARSE;
	uint64_t v = 0;
	for (size_t i = 2; i < slen; i++) {
		int n = nib(s[i]);
		if (n < 0)
			return LX_EPARSE;
		if (v >> 60)
			return LX_EOVERFLOW;
		v = v << 4 | (uint64_t)n;
	}
	*out = v;
	return 0;
}

static void checksum_into(char out[LX_ADDR_STRLEN], const struct lx_addr *a, bool mixed)
{
	lx_hex_encode(out, LX_ADDR_STRLEN, a->b, 20);
	if (!mixed)
		return;
	uint8_t h[32];
	lx_keccak256(h, out + 2, 40);
	for (int i = 0; i < 40; i++) {
		char *c = &out[2 + i];
		int bit = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
		if (*c >= 'a' && *c <= 'f' && bit >= 8)
			*c = (char)(*c - 'a' + 'A');
	}
}

void lx_addr_checksum(char out[LX_ADDR_STRLEN], const struct lx_addr *a)
{
	checksum_into(out, a, true);
}

void lx_addr_lower(char out[LX_ADDR_STRLEN], const struct lx_addr *a)
{
	checksum_into(out, a, false);
}

/*
 * Quotes untrusted text for a message: at most 42 characters (an address), bytes outside
 * printable ASCII as \xNN, and "..." when the text was longer.
 */
static void quote(char out[QUOTE_MAX], const char *s, size_t n)
{
	static const char d[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n && i < 42; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = d[c >> 4];
			out[o++] = d[c & 15];
		}
	}
	if (n > 42) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
}

int lx_addr_parse(struct lx_addr *out, const char *s, struct lx_error *err)
{
	if (!out)
		return lx_error_set(err, LX_EINVAL, "bad address: no output");
	memset(out, 0, sizeof(*out));
	if (!s)
		return lx_error_set(err, LX_EINVAL, "bad address: missing");
	size_t n = strlen(s);
	char q[QUOTE_MAX];
	quote(q, s, n);
	if (n < 2 || s[0] != '0' || s[1] != 'x')
		return lx_error_set(err, LX_EPARSE, "bad address '%s': must start with 0x", q);
	if (n != 42)
		return lx_error_set(err, LX_EPARSE,
				    "bad address '%s': %zu hex digits, an address has 40", q,
				    n - 2);
	bool lower = false, upper = false;
	for (size_t i = 2; i < 42; i++) {
		if (nib(s[i]) < 0) {
			char c[QUOTE_MAX];
			quote(c, s + i, 1);
			return lx_error_set(err, LX_EPARSE,
					    "bad address '%s': '%s' at offset %zu is not hex", q,
					    c, i);
		}
		lower |= s[i] >= 'a' && s[i] <= 'f';
		upper |= s[i] >= 'A' && s[i] <= 'F';
	}
	size_t got;
	struct lx_addr a;
	lx_hex_decode(a.b, sizeof(a.b), &got, s, 42);
	if (lower && upper) {
		char want[LX_ADDR_STRLEN];
		lx_addr_checksum(want, &a);
		if (memcmp(want, s, 42) != 0)
			return lx_error_set(err, LX_EPARSE,
					    "bad address '%s': mixed case but the EIP-55 "
					    "checksum is wrong (expected %s)",
					    q, want);
	}
	*out = a;
	return 0;
}
