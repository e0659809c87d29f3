/*
 * hex.h: hex codec and 20-byte Ethereum addresses (EIP-55 checksum print, strict parse).
 */
#ifndef LENDEX_HEX_H
#define LENDEX_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "lendex/err.h"

/*
 * Decodes hex text (optional 0x/0X prefix, even number of digits, either case) into out.
 * outlen receives the byte count. Errors: LX_EPARSE (odd length, bad digit), LX_EOVERFLOW
 * (more bytes than cap). On error *outlen is 0.
 */
int lx_hex_decode(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t slen);

/*
 * Writes "0x" and 2n lowercase digits and a NUL into out. cap must be at least 2n+3.
 * Returns the characters written (without NUL), or 0 if cap is too small.
 */
size_t lx_hex_encode(char *out, size_t cap, const uint8_t *in, size_t n);

/*
 * Parses a 0x quantity ("0x0", "0x1a", no leading zeros required) into a uint64.
 * Errors: LX_EPARSE, LX_EOVERFLOW.
 */
int lx_hex_u64(uint64_t *out, const char *s, size_t slen);

struct lx_addr {
	uint8_t b[20];
};

#define LX_ADDR_STRLEN 43 /* "0x" + 40 + NUL */

/*
 * Strictly parses an address: "0x" followed by exactly 40 hex digits. All-lowercase and
 * all-uppercase digits are accepted as is; mixed case must be a valid EIP-55 checksum.
 * Errors: LX_EPARSE with a message quoting the input ("bad address '0x12': ..."). err may be NULL.
 */
int lx_addr_parse(struct lx_addr *out, const char *s, struct lx_error *err);

/* Writes the EIP-55 checksummed form ("0xAbC...") into out. */
void lx_addr_checksum(char out[LX_ADDR_STRLEN], const struct lx_addr *a);

/* Writes the lowercase form into out. */
void lx_addr_lower(char out[LX_ADDR_STRLEN], const struct lx_addr *a);

static inline bool lx_addr_eq(const struct lx_addr *a, const struct lx_addr *b)
{
	for (int i = 0; i < 20; i++)
		if (a->b[i] != b->b[i])
			return false;
	return true;
}

#endif
