/*
 * u256.h: fixed-width 256-bit unsigned integers and the fixed-point math Aave uses.
 *
 * Every amount in lendex is a struct lx_u256, end to end. Arithmetic mirrors Solidity 0.8:
 * operations that would revert there (overflow, underflow, division by zero) return an error
 * here; the result out-param then holds the wrapped value (add/sub/mul) or zero (div).
 * WadRayMath and PercentageMath follow Aave V3's libraries bit for bit, including the
 * half-up rounding and the overflow guards that make them revert.
 */
#ifndef LENDEX_U256_H
#define LENDEX_U256_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "lendex/err.h"

/* Little-endian 64-bit limbs: w[0] is the least significant. */
struct lx_u256 {
	uint64_t w[4];
};

#define LX_U256_DEC_MAX 79 /* 78 digits + NUL */
#define LX_U256_HEX_MAX 67 /* "0x" + 64 + NUL */

void lx_u256_from_u64(struct lx_u256 *r, uint64_t v);
/* LX_EOVERFLOW if a does not fit in 64 bits (out is 0 then). */
int lx_u256_to_u64(uint64_t *out, const struct lx_u256 *a);
/* 32 big-endian bytes (the ABI word) to and from. */
void lx_u256_from_be(struct lx_u256 *r, const uint8_t be[32]);
void lx_u256_to_be(uint8_t be[32], const struct lx_u256 *a);
/* 2^256-1 */
void lx_u256_max(struct lx_u256 *r);

bool lx_u256_is_zero(const struct lx_u256 *a);
/* -1, 0, 1 */
int lx_u256_cmp(const struct lx_u256 *a, const struct lx_u256 *b);
static inline bool lx_u256_eq(const struct lx_u256 *a, const struct lx_u256 *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] &&
	       a->w[3] == b->w[3];
}

/* r may alias a or b in every operation below. */
int lx_u256_add(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_u256_sub(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_u256_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
/* q and/or rem may be NULL. LX_EDIVZERO when b is 0. */
int lx_u256_divmod(struct lx_u256 *q, struct lx_u256 *rem, const struct lx_u256 *a,
		   const struct lx_u256 *b);
int lx_u256_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_u256_mod(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
/* Shifts by n bits; n >= 256 gives 0. */
void lx_u256_shl(struct lx_u256 *r, const struct lx_u256 *a, unsigned n);
void lx_u256_shr(struct lx_u256 *r, const struct lx_u256 *a, unsigned n);
/* floor(a*b/d) with a 512-bit intermediate. LX_EDIVZERO, LX_EOVERFLOW (quotient > 256 bits). */
int lx_u256_muldiv(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		   const struct lx_u256 *d);
/* Convenience: a * 10^n (LX_EOVERFLOW), 10^n for n <= 77. */
int lx_u256_pow10(struct lx_u256 *r, unsigned n);

/*
 * Parses decimal ("123") or 0x-hex ("0x7b") text of length len. No sign, no spaces, no empty
 * digits. Errors: LX_EPARSE, LX_EOVERFLOW (value >= 2^256).
 */
int lx_u256_parse(struct lx_u256 *r, const char *s, size_t len);
/* Decimal text into buf (cap >= LX_U256_DEC_MAX); returns length, 0 if cap is too small. */
size_t lx_u256_to_dec(char *buf, size_t cap, const struct lx_u256 *a);
/* Minimal 0x-hex ("0x0", "0x7b") into buf (cap >= LX_U256_HEX_MAX); returns length or 0. */
size_t lx_u256_to_hex(char *buf, size_t cap, const struct lx_u256 *a);
/*
 * Fixed-point decimal: a / 10^decimals printed with exactly `decimals` fraction digits
 * trimmed of trailing zeros ("1.5", "0.000001", "42"). Returns length or 0.
 */
size_t lx_u256_to_fixed(char *buf, size_t cap, const struct lx_u256 *a, unsigned decimals);
/* Nearest double (for risk output and charts only). */
double lx_u256_to_double(const struct lx_u256 *a);

/*
 * Aave WadRayMath (1 wad = 1e18, 1 ray = 1e27) and PercentageMath (100.00% = 1e4), half-up.
 * Each returns LX_EOVERFLOW exactly where the Solidity library would revert, LX_EDIVZERO for a
 * zero divisor, and sets r to 0 on error.
 *   wadMul(a,b) = (a*b + WAD/2) / WAD         rayMul(a,b) = (a*b + RAY/2) / RAY
 *   wadDiv(a,b) = (a*WAD + b/2) / b           rayDiv(a,b) = (a*RAY + b/2) / b
 *   rayToWad(a) = a/1e9 rounded half up       wadToRay(a) = a*1e9
 *   percentMul(v,p) = (v*p + 5000) / 10000    percentDiv(v,p) = (v*10000 + p/2) / p
 */
int lx_wad_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_wad_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_ray_mul(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_ray_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
int lx_ray_to_wad(struct lx_u256 *r, const struct lx_u256 *a);
int lx_wad_to_ray(struct lx_u256 *r, const struct lx_u256 *a);
int lx_percent_mul(struct lx_u256 *r, const struct lx_u256 *value, const struct lx_u256 *pct);
int lx_percent_div(struct lx_u256 *r, const struct lx_u256 *value, const struct lx_u256 *pct);

#endif
