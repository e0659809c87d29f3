/*
 * verify_int.h: what the files of indexer/verify/ share and nobody else needs.
 */
#ifndef LENDEX_VERIFY_INT_H
#define LENDEX_VERIFY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A JSON-RPC quantity ("0x1a", leading zeros allowed, at most 256 bits) of n chars to minimal
 * big-endian bytes in out. Returns the byte count (0 for zero) or -1 when malformed. */
int lx_eth_quantity(uint8_t out[32], const char *s, size_t n);

/* ---- jtext.c: the strict JSON scanner of the text readers (rcpt.c, blk.c) ---- */

#define LX_JT_MAX_DEPTH 64 /* nesting inside one element */

enum { LX_JK_NONE, LX_JK_STR, LX_JK_NUM, LX_JK_TRUE, LX_JK_FALSE, LX_JK_NULL, LX_JK_ARR,
       LX_JK_OBJ };

/* A value as a reader needs it: its kind; for strings the raw text between the quotes (esc:
 * it holds an escape), for arrays and objects their whole text. */
struct lx_jsv {
	int kind;
	const char *s;
	size_t n;
	bool esc;
};

struct lx_jrd {
	const char *p, *end;
	const char *why;           /* the first grammar error */
};

/* Member callback of lx_jt_object: the value starts at r->p; it must consume it. */
typedef int (*lx_jt_member_fn)(struct lx_jrd *r, const char *k, size_t kn, int depth,
			       void *ctx);

void lx_jt_ws(struct lx_jrd *r);
/* Records why (the first one) and returns LX_EBADRESP. */
int lx_jt_bad(struct lx_jrd *r, const char *why);
/* A string at r->p (its opening quote). */
int lx_jt_string(struct lx_jrd *r, struct lx_jsv *v);
/* Any value at r->p; objects and arrays are checked and skipped. */
int lx_jt_value(struct lx_jrd *r, struct lx_jsv *v, int depth);
/* The object at r->p: fn for each member; keys must be escape-free. */
int lx_jt_object(struct lx_jrd *r, int depth, lx_jt_member_fn fn, void *ctx);
/* The array at r->p; each element's value goes to items[i] while i < max (count: all). */
int lx_jt_array(struct lx_jrd *r, int depth, struct lx_jsv *items, size_t max, size_t *count);
/* Element callback of lx_jt_each: the element (index i, nesting depth `depth`) starts at r->p;
 * it must consume it. */
typedef int (*lx_jt_elem_fn)(struct lx_jrd *r, size_t i, int depth, void *ctx);
/* The array at r->p ('['): fn for each element; the ',' / ']' grammar is checked here, the
 * one array walk of the readers. */
int lx_jt_each(struct lx_jrd *r, int depth, lx_jt_elem_fn fn, void *ctx);

#endif
