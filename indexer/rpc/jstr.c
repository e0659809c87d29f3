/*
 * jstr.c: the strict JSON string check the readers that work without a JSON tree share
 * (rpc/logstream.c for eth_getLogs answers, verify/jtext.c for receipts and blocks): exactly
 * the strings jansson accepts — no control characters, known escapes only, \u escapes with
 * their surrogate pairs and never \u0000, valid UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF).
 */
#include <string.h>

#include "lendex/rpc.h"

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int u4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexv((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

/* Valid UTF-8 sequence length at p (a lead byte >= 0x80), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], min, v;
	size_t n;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, v = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	return v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0 : n;
}

int lx_json_string(const char *p, const char *end, const char **close, bool *esc,
		   const char **why)
{
	*esc = false;
	for (;;) {
		if (p >= end)
			return *why = "unterminated string", -1;
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20)
			return *why = "control character in string", -1;
		if (c == '\\') {
			*esc = true;
			if (p + 1 >= end)
				return *why = "unterminated string", -1;
			c = (unsigned char)p[1];
			if (c == 'u') {
				unsigned u, lo;
				if (u4(p + 2, end, &u))
					return *why = "bad \\u escape", -1;
				p += 6;
				if (u == 0)
					return *why = "\\u0000 is not allowed", -1;
				if (u >= 0xdc00 && u <= 0xdfff)
					return *why = "lone low surrogate", -1;
				if (u >= 0xd800 && u <= 0xdbff) {
					if (end - p < 2 || p[0] != '\\' || p[1] != 'u' ||
					    u4(p + 2, end, &lo) || lo < 0xdc00 || lo > 0xdfff)
						return *why = "lone high surrogate", -1;
					p += 6;
				}
				continue;
			}
			if (!c || !strchr("\"\\/bfnrt", c))
				return *why = "bad escape", -1;
			p += 2;
			continue;
		}
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t n = utf8_len((const unsigned char *)p, (const unsigned char *)end);
		if (!n)
			return *why = "invalid UTF-8", -1;
		p += n;
	}
	*close = p;
	return 0;
}
