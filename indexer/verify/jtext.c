/*
 * jtext.c: the strict JSON scanner the text readers of indexer/verify/ share (rcpt.c for
 * receipts, blk.c for full blocks): it checks the grammar as jansson does (strings with the
 * check rpc/logstream.c uses too, lx_json_string; numbers within a range jansson reads
 * exactly) without building a tree, and hands a reader each object member as it passes (see
 * verify_int.h).
 */
#include <string.h>

#include "lendex/err.h"
#include "lendex/rpc.h"
#include "verify_int.h"

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

void lx_jt_ws(struct lx_jrd *r)
{
	while (r->p < r->end && is_ws((unsigned char)*r->p))
		r->p++;
}

int lx_jt_bad(struct lx_jrd *r, const char *why)
{
	if (!r->why)
		r->why = why;
	return LX_EBADRESP;
}

/* A string at r->p (its opening quote), checked as jansson checks one (rpc/jstr.c). */
int lx_jt_string(struct lx_jrd *r, struct lx_jsv *v)
{
	const char *close, *why;
	v->kind = LX_JK_STR;
	v->s = r->p + 1;
	if (lx_json_string(v->s, r->end, &close, &v->esc, &why))
		return lx_jt_bad(r, why);
	v->n = (size_t)(close - v->s);
	r->p = close + 1;
	return 0;
}

/* A number: JSON's grammar, and (stricter than jansson's range rules, so never looser) an
 * integer of at most 18 digits or a real of at most 15 digits and a 2-digit exponent. */
static int number(struct lx_jrd *r, struct lx_jsv *v)
{
	const char *p = r->p;
	size_t digits = 0, edigits = 0;
	bool real = false;
	if (p < r->end && *p == '-')
		p++;
	if (p >= r->end || *p < '0' || *p > '9')
		return lx_jt_bad(r, "bad number");
	if (*p == '0')
		p++, digits++;
	else
		while (p < r->end && *p >= '0' && *p <= '9')
			p++, digits++;
	if (p < r->end && *p == '.') {
		real = true;
		p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return lx_jt_bad(r, "bad number");
		while (p < r->end && *p >= '0' && *p <= '9')
			p++, digits++;
	}
	if (p < r->end && (*p == 'e' || *p == 'E')) {
		real = true;
		p++;
		if (p < r->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return lx_jt_bad(r, "bad number");
		while (p < r->end && *p >= '0' && *p <= '9')
			p++, edigits++;
	}
	if (digits > (real ? 15u : 18u) || edigits > 2)
		return lx_jt_bad(r, "number too long");
	v->kind = LX_JK_NUM;
	v->s = r->p;
	v->n = (size_t)(p - r->p);
	r->p = p;
	return 0;
}

static int literal(struct lx_jrd *r, const char *w, int kind, struct lx_jsv *v)
{
	size_t n = strlen(w);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
		return lx_jt_bad(r, "unexpected character");
	r->p += n;
	v->kind = kind;
	return 0;
}


int lx_jt_object(struct lx_jrd *r, int depth, lx_jt_member_fn fn, void *ctx)
{
	if (depth > LX_JT_MAX_DEPTH)
		return lx_jt_bad(r, "nesting too deep");
	r->p++; /* '{' */
	lx_jt_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		struct lx_jsv k;
		int rc;
		lx_jt_ws(r);
		if (r->p >= r->end || *r->p != '"')
			return lx_jt_bad(r, "object key expected");
		if ((rc = lx_jt_string(r, &k)))
			return rc;
		if (k.esc)
			return lx_jt_bad(r, "escaped object key");
		lx_jt_ws(r);
		if (r->p >= r->end || *r->p != ':')
			return lx_jt_bad(r, "':' expected");
		r->p++;
		lx_jt_ws(r);
		if ((rc = fn(r, k.s, k.n, depth + 1, ctx)))
			return rc;
		lx_jt_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return lx_jt_bad(r, "',' or '}' expected");
	}
}

int lx_jt_each(struct lx_jrd *r, int depth, lx_jt_elem_fn fn, void *ctx)
{
	if (depth > LX_JT_MAX_DEPTH)
		return lx_jt_bad(r, "nesting too deep");
	r->p++; /* '[' */
	lx_jt_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	for (size_t i = 0;; i++) {
		int rc;
		lx_jt_ws(r);
		if ((rc = fn(r, i, depth + 1, ctx)))
			return rc;
		lx_jt_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return 0;
		}
		return lx_jt_bad(r, "',' or ']' expected");
	}
}

struct items {
	struct lx_jsv *items;
	size_t max, *count;
};

static int item(struct lx_jrd *r, size_t i, int depth, void *ctx)
{
	struct items *it = ctx;
	struct lx_jsv v;
	int rc = lx_jt_value(r, &v, depth);
	if (rc)
		return rc;
	if (i < it->max)
		it->items[i] = v;
	*it->count = i + 1;
	return 0;
}

/* An array at r->p; each element's value goes to items[i] while i < max (count: all). */
int lx_jt_array(struct lx_jrd *r, int depth, struct lx_jsv *items, size_t max, size_t *count)
{
	*count = 0;
	struct items it = {items, max, count};
	return lx_jt_each(r, depth, item, &it);
}

static int skip_member(struct lx_jrd *r, const char *k, size_t kn, int depth, void *ctx)
{
	(void)k, (void)kn, (void)ctx;
	struct lx_jsv v;
	return lx_jt_value(r, &v, depth);
}

/* Duplicate keys of an object skipped whole cannot change what the reader takes; jansson (as
 * the RPC client calls it) keeps the last of them too. */
int lx_jt_value(struct lx_jrd *r, struct lx_jsv *v, int depth)
{
	memset(v, 0, sizeof(*v));
	if (r->p >= r->end)
		return lx_jt_bad(r, "value expected");
	size_t n;
	int rc;
	switch (*r->p) {
	case '"':
		return lx_jt_string(r, v);
	case '{':
		v->kind = LX_JK_OBJ;
		v->s = r->p;
		rc = lx_jt_object(r, depth, skip_member, NULL);
		v->n = (size_t)(r->p - v->s);
		return rc;
	case '[':
		v->kind = LX_JK_ARR;
		v->s = r->p;
		rc = lx_jt_array(r, depth, NULL, 0, &n);
		v->n = (size_t)(r->p - v->s);
		return rc;
	case 't':
		return literal(r, "true", LX_JK_TRUE, v);
	case 'f':
		return literal(r, "false", LX_JK_FALSE, v);
	case 'n':
		return literal(r, "null", LX_JK_NULL, v);
	default:
		return number(r, v);
	}
}
