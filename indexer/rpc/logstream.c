/*
 * logstream.c: an incremental reader of eth_getLogs answers (see rpc.h).
 *
 * The answer is fed as it arrives from the wire, in chunks of any size. The JSON-RPC envelope
 * ({"jsonrpc", "id", "result" | "error"}) is read punctuation by punctuation; every value in it
 * is first delimited by a structural scan (nesting depth and strings only) and then parsed
 * whole: the elements of "result" by a strict reader written for log objects, that turns hex
 * into bytes straight into the log set's arena, and the other members (small: "id", "error")
 * by jansson. A value that lies inside one chunk is parsed in place; one that crosses chunks is
 * carried in a buffer that holds just that value. So memory is bounded by the largest log,
 * never by the answer, and no document tree is built.
 *
 * The reader accepts exactly what `json_loadb(…, JSON_REJECT_DUPLICATES)` accepts (same
 * grammar, escapes, UTF-8, number range and nesting limits) and gives each log the meaning
 * lx_logset_append gives it, with the same messages: tests/unit/test_logstream.c holds the two
 * to that, on real answers and generated ones.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/hex.h"
#include "lendex/rpc.h"

#define MAX_DEPTH 2048         /* jansson's JSON_PARSER_MAX_DEPTH */
#define MAX_KEYS_CHECKED 4096  /* duplicate-key check of one object (beyond: rejected) */

enum {
	S_START,        /* before the envelope's '{' */
	S_KEY_FIRST,    /* after '{': a key or '}' */
	S_KEY,          /* after ',': a key */
	S_IN_KEY,       /* capturing a key */
	S_COLON,        /* after a key */
	S_VALUE,        /* after ':' */
	S_IN_VALUE,     /* capturing a member value other than the result array */
	S_ELEM_FIRST,   /* after "result": [ — an element or ']' */
	S_ELEM,         /* after ',' in the array: an element */
	S_IN_ELEM,      /* capturing an element */
	S_AFTER_ELEM,   /* after an element: ',' or ']' */
	S_AFTER_MEMBER, /* after a member: ',' or '}' */
	S_END,          /* after the envelope's '}': whitespace only */
	S_IN_WHOLE,     /* capturing the whole "result" for elem (lx_logstream.whole) */
};

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static int bad_json(struct lx_logstream *st, const char *what)
{
	st->rc = lx_error_set(&st->err, LX_EBADRESP,
			      "rpc: %s answer is not JSON (%s near byte %llu)", st->what, what,
			      (unsigned long long)st->offset);
	return st->rc;
}

static int oom(struct lx_logstream *st, const char *what)
{
	st->rc = lx_error_set(&st->err, LX_ENOMEM, "rpc: out of memory reading %s (%s)",
			      st->what, what);
	return st->rc;
}

void lx_logstream_init(struct lx_logstream *st, struct lx_logset *out, size_t max_value)
{
	memset(st, 0, sizeof(*st));
	st->out = out;
	st->max_value = max_value ? max_value : (size_t)256 << 20;
	st->first = out->n;
	st->first_arena = out->arena_len;
	st->first_have_ts = out->have_timestamps;
	st->first_have_hashes = out->have_hashes;
	st->what = "eth_getLogs";
}

/* ---- the structural scan: where does the value that starts here end? ------------------------ */

static void scan_begin(struct lx_logstream *st)
{
	st->depth = 0;
	st->in_str = st->esc = st->scalar = false;
	st->capturing = true;
	st->carry_len = 0;
}

/* Advances *pp over the current value; *done when its last byte was consumed (a bare scalar
 * ends before the delimiter that follows it, which is left for the envelope). */
static int scan(struct lx_logstream *st, const char **pp, const char *end, bool *done)
{
	const char *p = *pp;
	*done = false;
	while (p < end) {
		if (st->in_str) {
			while (p < end) {
				unsigned char c = (unsigned char)*p++;
				if (st->esc)
					st->esc = false;
				else if (c == '\\')
					st->esc = true;
				else if (c == '"') {
					st->in_str = false;
					break;
				}
			}
			if (!st->in_str && st->depth == 0) {
				*done = true;
				break;
			}
			continue;
		}
		unsigned char c = (unsigned char)*p;
		if (st->scalar) {
			if (c == ',' || c == '}' || c == ']' || is_ws(c)) {
				*done = true;
				break;
			}
			p++;
			continue;
		}
		p++;
		if (c == '"') {
			st->in_str = true;
		} else if (c == '{' || c == '[') {
			if (++st->depth > MAX_DEPTH) {
				*pp = p;
				return bad_json(st, "nesting too deep");
			}
		} else if (c == '}' || c == ']') {
			if (st->depth == 0) {
				*pp = p;
				return bad_json(st, "unexpected bracket");
			}
			if (--st->depth == 0) {
				*done = true;
				break;
			}
		} else if (st->depth == 0) {
			st->scalar = true;
		}
	}
	*pp = p;
	return 0;
}

static int carry(struct lx_logstream *st, const char *s, size_t n)
{
	if (st->carry_len + n > st->max_value)
		return st->rc = lx_error_set(&st->err, LX_EBADRESP,
					     "rpc: %s answer has an element larger than %zu bytes",
					     st->what, st->max_value);
	if (st->carry_len + n > st->carry_cap) {
		size_t cap = st->carry_cap ? st->carry_cap : 4096;
		while (cap < st->carry_len + n)
			cap *= 2;
		char *b = realloc(st->carry, cap);
		if (!b)
			return oom(st, "carry");
		st->carry = b;
		st->carry_cap = cap;
	}
	memcpy(st->carry + st->carry_len, s, n);
	st->carry_len += n;
	return 0;
}

/* ---- a strict reader of one complete JSON text --------------------------------------------- */

struct rd {
	const char *p, *end;
	struct lx_logstream *st;
};

/* A value as the log reader needs it: its kind and, for strings, the text between quotes. */
enum { V_NONE, V_STR, V_NUM, V_TRUE, V_FALSE, V_NULL, V_ARR, V_OBJ };
struct sval {
	int kind;
	const char *s;  /* V_STR: first byte after the opening quote */
	size_t n;       /* V_STR: raw length (escapes not decoded) */
	bool esc;       /* V_STR: contains escapes */
};

static void ws(struct rd *r)
{
	while (r->p < r->end && is_ws((unsigned char)*r->p))
		r->p++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int u4(const char *p, const char *end, unsigned *out)
{
	if (end - p < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

/* Reads a string (r->p at its opening quote) and checks it as jansson does (jstr.c). */
static int string(struct rd *r, struct sval *v)
{
	const char *close, *why;
	v->kind = V_STR;
	v->s = r->p + 1;
	if (lx_json_string(v->s, r->end, &close, &v->esc, &why))
		return bad_json(r->st, why);
	v->n = (size_t)(close - v->s);
	r->p = close + 1;
	return 0;
}

/* Decodes a checked string's escapes into out (cap >= v->n + 1 always suffices); NUL-ends it. */
static size_t unescape(const struct sval *v, char *out)
{
	if (!v->esc) {
		memcpy(out, v->s, v->n);
		out[v->n] = 0;
		return v->n;
	}
	const char *p = v->s, *end = v->s + v->n;
	size_t o = 0;
	while (p < end) {
		if (*p != '\\') {
			out[o++] = *p++;
			continue;
		}
		char c = p[1];
		if (c != 'u') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			out[o++] = to[strchr(from, c) - from];
			p += 2;
			continue;
		}
		unsigned u, lo;
		u4(p + 2, end, &u);
		p += 6;
		if (u >= 0xd800 && u <= 0xdbff) {
			u4(p + 2, end, &lo);
			p += 6;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		/* every escape takes 6 or 12 bytes of text and decodes to at most 4 */
		if (u < 0x80) {
			out[o++] = (char)u;
		} else if (u < 0x800) {
			out[o++] = (char)(0xc0 | u >> 6);
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			out[o++] = (char)(0xe0 | u >> 12);
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | u >> 18);
			out[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	out[o] = 0;
	return o;
}

/* A number, with jansson's range rules: an integer must fit json_int_t (long long), a real must
 * not overflow a double. */
static int number(struct rd *r, struct sval *v)
{
	const char *p = r->p, *s = p;
	bool real = false;
	if (p < r->end && *p == '-')
		p++;
	if (p >= r->end || *p < '0' || *p > '9')
		return bad_json(r->st, "bad number");
	if (*p == '0') {
		p++;
	} else {
		while (p < r->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < r->end && *p == '.') {
		real = true;
		p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return bad_json(r->st, "bad number");
		while (p < r->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < r->end && (*p == 'e' || *p == 'E')) {
		real = true;
		p++;
		if (p < r->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return bad_json(r->st, "bad number");
		while (p < r->end && *p >= '0' && *p <= '9')
			p++;
	}
	size_t n = (size_t)(p - s);
	char small[128], *b = n < sizeof(small) ? small : malloc(n + 1);
	if (!b)
		return oom(r->st, "number");
	memcpy(b, s, n);
	b[n] = 0;
	errno = 0;
	bool bad;
	if (real) {
		double d = strtod(b, NULL);
		bad = isinf(d) && errno == ERANGE;
	} else {
		(void)strtoll(b, NULL, 10);
		bad = errno == ERANGE;
	}
	if (b != small)
		free(b);
	if (bad)
		return bad_json(r->st, "number out of range");
	v->kind = V_NUM;
	r->p = p;
	return 0;
}

static int value(struct rd *r, struct sval *v, int depth);

/*
 * Duplicate keys. The keys of the objects being read form a stack in st->keys: an object's own
 * keys are [base, st->keys_used), objects nested in it push above and pop back. A key is kept
 * as its decoded bytes; `owned` is set when they had to be copied (escaped keys, or keys of
 * the envelope, whose text is gone by the time the next key arrives).
 */
static int key_add(struct lx_logstream *st, size_t base, const struct sval *key, bool copy)
{
	char small[256], *d = key->n < sizeof(small) ? small : malloc(key->n + 1);
	if (!d)
		return oom(st, "key");
	size_t dn = unescape(key, d);
	int rc = 0;
	for (size_t i = base; i < st->keys_used && !rc; i++)
		if (st->keys[i].n == dn && !memcmp(st->keys[i].s, d, dn))
			rc = bad_json(st, "duplicate object key");
	if (!rc && st->keys_used - base >= MAX_KEYS_CHECKED)
		rc = bad_json(st, "object has too many keys");
	if (!rc && st->keys_used == st->keys_cap) {
		size_t cap = st->keys_cap ? st->keys_cap * 2 : 64;
		struct lx_logstream_key *nk = realloc(st->keys, cap * sizeof(*nk));
		if (!nk)
			rc = oom(st, "keys");
		else
			st->keys = nk, st->keys_cap = cap;
	}
	if (!rc) {
		struct lx_logstream_key *k = &st->keys[st->keys_used];
		if (!copy && !key->esc) {
			*k = (struct lx_logstream_key){key->s, key->n, NULL};
		} else if (!(k->owned = malloc(dn ? dn : 1))) {
			rc = oom(st, "key");
		} else {
			memcpy(k->owned, d, dn);
			k->s = k->owned;
			k->n = dn;
		}
		if (!rc)
			st->keys_used++;
	}
	if (d != small)
		free(d);
	return rc;
}

static void keys_pop(struct lx_logstream *st, size_t base)
{
	for (size_t i = base; i < st->keys_used; i++)
		free(st->keys[i].owned);
	st->keys_used = base;
}

/* A member's value reader: r at the value, which has nesting depth `depth`. The callback
 * checks its own keys for duplicates. */
typedef int (*member_fn)(struct rd *r, const struct sval *key, int depth, void *ctx);

/* An object at r->p ('{') of nesting depth `depth`: members go to fn, or are only checked. */
static int object(struct rd *r, int depth, member_fn fn, void *ctx)
{
	size_t base = r->st->keys_used;
	int rc = 0;
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		ws(r);
		if (r->p >= r->end || *r->p != '"') {
			rc = bad_json(r->st, "object key expected");
			break;
		}
		struct sval key;
		if ((rc = string(r, &key)))
			break;
		if (!fn && (rc = key_add(r->st, base, &key, false)))
			break;
		ws(r);
		if (r->p >= r->end || *r->p != ':') {
			rc = bad_json(r->st, "':' expected");
			break;
		}
		r->p++;
		ws(r);
		struct sval v;
		if ((rc = fn ? fn(r, &key, depth + 1, ctx) : value(r, &v, depth + 1)))
			break;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			break;
		}
		rc = bad_json(r->st, "',' or '}' expected");
		break;
	}
	keys_pop(r->st, base);
	return rc;
}

/* An array at r->p ('[') of nesting depth `depth`; the first max_items elements go to items. */
static int array(struct rd *r, int depth, struct sval *items, size_t max_items, size_t *count)
{
	r->p++;
	*count = 0;
	ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	for (;;) {
		ws(r);
		struct sval v;
		int rc = value(r, &v, depth + 1);
		if (rc)
			return rc;
		if (*count < max_items)
			items[*count] = v;
		(*count)++;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return 0;
		}
		return bad_json(r->st, "',' or ']' expected");
	}
}

static int literal(struct rd *r, const char *word, int kind, struct sval *v)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return bad_json(r->st, "unexpected character");
	r->p += n;
	v->kind = kind;
	return 0;
}

/* Any value, checked. depth is jansson's: the document is 1, each level of nesting adds one. */
static int value(struct rd *r, struct sval *v, int depth)
{
	memset(v, 0, sizeof(*v));
	if (depth > MAX_DEPTH)
		return bad_json(r->st, "nesting too deep");
	if (r->p >= r->end)
		return bad_json(r->st, "value expected");
	size_t n;
	switch (*r->p) {
	case '"':
		return string(r, v);
	case '{':
		v->kind = V_OBJ;
		return object(r, depth, NULL, NULL);
	case '[':
		v->kind = V_ARR;
		return array(r, depth, NULL, 0, &n);
	case 't':
		return literal(r, "true", V_TRUE, v);
	case 'f':
		return literal(r, "false", V_FALSE, v);
	case 'n':
		return literal(r, "null", V_NULL, v);
	default:
		return number(r, v);
	}
}

/* Only whitespace may follow a value that ended before its text did. */
static int at_end(struct rd *r)
{
	ws(r);
	return r->p == r->end ? 0 : bad_json(r->st, "unexpected character");
}

/* ---- one log object ------------------------------------------------------------------------- */

enum {
	F_ADDRESS, F_TOPICS, F_DATA, F_BLOCK_NUMBER, F_TX_HASH, F_TX_INDEX, F_BLOCK_HASH,
	F_LOG_INDEX, F_REMOVED, F_TIMESTAMP, N_FIELDS
};
static const char *const field_names[N_FIELDS] = {
	"address", "topics", "data", "blockNumber", "transactionHash", "transactionIndex",
	"blockHash", "logIndex", "removed", "blockTimestamp",
};

struct logfields {
	struct sval f[N_FIELDS];
	struct sval topics[4];
	size_t n_topics;
};

struct log_ctx {
	struct logfields *lf;
	unsigned seen;             /* known fields met so far */
	size_t base;               /* first key of this object in st->keys (unknown fields) */
};

static int log_member(struct rd *r, const struct sval *key, int depth, void *ctx)
{
	struct log_ctx *c = ctx;
	struct logfields *lf = c->lf;
	int which = -1;
	char d[64];
	const char *k = key->s;
	size_t kn = key->n;
	if (key->esc && key->n < sizeof(d))
		kn = unescape(key, d), k = d;
	if (!key->esc || key->n < sizeof(d))
		for (int i = 0; i < N_FIELDS && which < 0; i++)
			if (strlen(field_names[i]) == kn && !memcmp(field_names[i], k, kn))
				which = i;
	int rc;
	if (which < 0) {
		if ((rc = key_add(r->st, c->base, key, false)))
			return rc;
	} else if (c->seen & 1u << which) {
		return bad_json(r->st, "duplicate object key");
	} else {
		c->seen |= 1u << which;
	}
	if (which == F_TOPICS && r->p < r->end && *r->p == '[') {
		lf->f[F_TOPICS].kind = V_ARR;
		return array(r, depth, lf->topics, 4, &lf->n_topics);
	}
	struct sval v;
	rc = value(r, &v, depth);
	if (!rc && which >= 0)
		lf->f[which] = v;
	return rc;
}

/* A log that does not say what a log must. Not final at once: an "error" member later in the
 * envelope outranks the result, as when the whole answer is read first; the rest of the answer
 * is still checked as JSON but no further log is taken. */
static int log_err(struct lx_logstream *st, size_t i, const char *field)
{
	st->log_rc = lx_error_set(&st->log_err, LX_EBADRESP,
				  "rpc: eth_getLogs log #%zu: bad or missing '%s'", i, field);
	return 0;
}

/* A string field as jansson would hand it over (escapes decoded, NUL-terminated) in buf, or
 * NULL when the field is not a string. */
static const char *str_of(const struct sval *v, char *small, size_t small_cap, char **heap,
			  size_t *len)
{
	*heap = NULL;
	if (v->kind != V_STR)
		return NULL;
	if (!v->esc) {
		*len = v->n;
		return v->s; /* not NUL-terminated: callers use len */
	}
	char *b = v->n < small_cap ? small : (*heap = malloc(v->n + 1));
	if (!b)
		return NULL;
	*len = unescape(v, b);
	return b;
}

static bool quantity_of(const struct sval *v, uint64_t *out)
{
	char small[128], *heap;
	size_t n;
	const char *s = str_of(v, small, sizeof(small), &heap, &n);
	bool ok = s && lx_hex_u64(out, s, n) == 0;
	free(heap);
	return ok;
}

static bool hash_of(const struct sval *v, uint8_t out[32])
{
	char small[128], *heap;
	size_t n, got;
	const char *s = str_of(v, small, sizeof(small), &heap, &n);
	bool ok = s && !lx_hex_decode(out, 32, &got, s, n) && got == 32;
	free(heap);
	return ok;
}

static int reserve(struct lx_logstream *st)
{
	struct lx_logset *s = st->out;
	if (s->n < s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 256;
	struct lx_log *l = realloc(s->logs, cap * sizeof(*l));
	if (!l)
		return oom(st, "logs");
	s->logs = l;
	size_t *o = realloc(s->off, cap * sizeof(*o));
	if (!o)
		return oom(st, "logs");
	s->off = o;
	s->cap = cap;
	return 0;
}

static int arena(struct lx_logstream *st, size_t need)
{
	struct lx_logset *s = st->out;
	if (s->arena_len + need <= s->arena_cap)
		return 0;
	size_t cap = s->arena_cap ? s->arena_cap : 65536;
	while (cap < s->arena_len + need)
		cap *= 2;
	uint8_t *a = realloc(s->arena, cap);
	if (!a)
		return oom(st, "arena");
	s->arena = a;
	s->arena_cap = cap;
	return 0;
}

/* Gives one parsed log object lx_logset_append's meaning (same checks, same order). */
static int apply_log(struct lx_logstream *st, struct logfields *lf, size_t i)
{
	struct lx_logset *s = st->out;
	if (lf->f[F_REMOVED].kind == V_TRUE || st->log_rc)
		return 0;
	int rc = reserve(st);
	if (rc)
		return rc;
	struct lx_log *l = &s->logs[s->n];
	memset(l, 0, sizeof(*l));
	uint64_t v;
	if (!quantity_of(&lf->f[F_BLOCK_NUMBER], &l->block))
		return log_err(st, i, "blockNumber");
	if (!quantity_of(&lf->f[F_LOG_INDEX], &v) || v > UINT32_MAX)
		return log_err(st, i, "logIndex");
	l->log_index = (uint32_t)v;
	if (lf->f[F_TX_INDEX].kind != V_NONE && quantity_of(&lf->f[F_TX_INDEX], &v))
		l->tx_index = (uint32_t)v;
	if (!hash_of(&lf->f[F_TX_HASH], l->tx))
		return log_err(st, i, "transactionHash");
	if (lf->f[F_BLOCK_HASH].kind != V_NONE && lf->f[F_BLOCK_HASH].kind != V_NULL) {
		if (!hash_of(&lf->f[F_BLOCK_HASH], l->block_hash))
			return log_err(st, i, "blockHash");
	} else {
		s->have_hashes = false;
	}
	if (lf->f[F_TIMESTAMP].kind != V_NONE && quantity_of(&lf->f[F_TIMESTAMP], &v))
		l->timestamp = v;
	else
		s->have_timestamps = false;

	char small[128], *heap;
	size_t n;
	const char *a = str_of(&lf->f[F_ADDRESS], small, sizeof(small), &heap, &n);
	char z[64];
	bool ok = a && n < sizeof(z);
	if (ok) {
		memcpy(z, a, n);
		z[n] = 0;
		ok = strlen(z) == n && lx_addr_parse(&l->address, z, NULL) == 0;
	}
	free(heap);
	if (!ok)
		return log_err(st, i, "address");

	if (lf->f[F_TOPICS].kind != V_ARR || lf->n_topics > 4)
		return log_err(st, i, "topics");
	l->n_topics = (uint8_t)lf->n_topics;
	for (size_t k = 0; k < l->n_topics; k++)
		if (!hash_of(&lf->topics[k], l->topics[k]))
			return log_err(st, i, "topics");

	const struct sval *d = &lf->f[F_DATA];
	if (d->kind != V_STR)
		return log_err(st, i, "data");
	const char *text = str_of(d, small, sizeof(small), &heap, &n);
	if (!text)
		return d->esc ? oom(st, "data")
			      : log_err(st, i, "data");
	size_t need = n / 2, got = 0;
	rc = arena(st, need);
	bool bad = !rc && lx_hex_decode(s->arena + s->arena_len, need, &got, text, n);
	free(heap);
	if (rc)
		return rc;
	if (bad)
		return log_err(st, i, "data");
	s->off[s->n] = s->arena_len;
	l->data_len = got;
	s->arena_len += got;
	s->n++;
	return 0;
}

/* One element of "result", complete in text[0, len). Depth 3: envelope, result, element. */
static int element(struct lx_logstream *st, const char *text, size_t len)
{
	struct rd r = {text, text + len, st};
	size_t i = st->index++;
	int rc;
	if (st->elem) {
		/* another reader's element: it parses the text itself, strictly; its first error
		 * is kept like a bad log's (an "error" member later in the envelope outranks it) */
		if (!st->log_rc && (rc = st->elem(st->elem_ctx, text, len, i, &st->log_err)))
			st->log_rc = rc;
		return 0;
	}
	if (*r.p != '{') {
		struct sval v;
		if ((rc = value(&r, &v, 3)) || (rc = at_end(&r)))
			return rc;
		return log_err(st, i, "(object)");
	}
	struct logfields lf;
	memset(&lf, 0, sizeof(lf));
	struct log_ctx c = {&lf, 0, st->keys_used};
	if ((rc = object(&r, 3, log_member, &c)) || (rc = at_end(&r)))
		return rc;
	return apply_log(st, &lf, i);
}

/* ---- envelope members ---------------------------------------------------------------------- */

/* A key of the envelope. Its keys stay on the key stack (below every element's) until the end. */
static int member_key(struct lx_logstream *st, const char *text, size_t len)
{
	struct rd r = {text, text + len, st};
	if (*text != '"')
		return bad_json(st, "object key expected");
	struct sval key;
	int rc;
	if ((rc = string(&r, &key)) || (rc = at_end(&r)) || (rc = key_add(st, 0, &key, true)))
		return rc;
	const struct lx_logstream_key *k = &st->keys[st->keys_used - 1];
	st->member = 0;
	if (k->n == 6 && !memcmp(k->s, "result", 6))
		st->member = 1;
	else if (k->n == 5 && !memcmp(k->s, "error", 5))
		st->member = 2;
	return 0;
}

static int member_value(struct lx_logstream *st, const char *text, size_t len)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return bad_json(st, je.text);
	if (st->member == 1) {
		/* "result" that is not an array */
		json_decref(v);
		st->result_not_array = true;
		st->have_result = true;
	} else if (st->member == 2) {
		json_decref(st->error);
		st->error = v;
	} else {
		json_decref(v);
	}
	return 0;
}

static int value_done(struct lx_logstream *st, const char *text, size_t len)
{
	switch (st->state) {
	case S_IN_KEY:
		st->state = S_COLON;
		return member_key(st, text, len);
	case S_IN_VALUE:
		st->state = S_AFTER_MEMBER;
		return member_value(st, text, len);
	case S_IN_WHOLE:
		st->state = S_AFTER_MEMBER;
		return element(st, text, len);
	default: /* S_IN_ELEM */
		st->state = S_AFTER_ELEM;
		return element(st, text, len);
	}
}

int lx_logstream_feed(struct lx_logstream *st, const char *buf, size_t len)
{
	if (st->rc)
		return st->rc;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		if (st->capturing) {
			const char *s = p;
			bool done;
			int rc = scan(st, &p, end, &done);
			st->offset += (uint64_t)(p - s);
			if (rc)
				return rc;
			if (!done) {
				if ((rc = carry(st, s, (size_t)(p - s))))
					return rc;
				break;
			}
			st->capturing = false;
			if (st->carry_len) {
				if ((rc = carry(st, s, (size_t)(p - s))))
					return rc;
				rc = value_done(st, st->carry, st->carry_len);
				st->carry_len = 0;
			} else {
				rc = value_done(st, s, (size_t)(p - s));
			}
			if (rc)
				return rc;
			continue;
		}
		unsigned char c = (unsigned char)*p;
		if (is_ws(c)) {
			p++;
			st->offset++;
			continue;
		}
		int next = -1;
		switch (st->state) {
		case S_START:
			if (c == '{')
				next = S_KEY_FIRST;
			break;
		case S_KEY_FIRST:
		case S_KEY:
			if (c == '"') {
				st->state = S_IN_KEY;
				scan_begin(st);
				continue;
			}
			if (c == '}' && st->state == S_KEY_FIRST)
				next = S_END;
			break;
		case S_COLON:
			if (c == ':')
				next = S_VALUE;
			break;
		case S_VALUE:
			if (st->member == 1) {
				if (st->have_result)
					return bad_json(st, "duplicate object key");
				if (st->whole && st->elem) {
					st->have_result = true;
					st->state = S_IN_WHOLE;
					scan_begin(st);
					continue;
				}
				if (c == '[') {
					st->have_result = true;
					next = S_ELEM_FIRST;
					break;
				}
			}
			st->state = S_IN_VALUE;
			scan_begin(st);
			continue;
		case S_ELEM_FIRST:
			if (c == ']') {
				next = S_AFTER_MEMBER;
				break;
			}
			/* fall through */
		case S_ELEM:
			st->state = S_IN_ELEM;
			scan_begin(st);
			continue;
		case S_AFTER_ELEM:
			if (c == ',')
				next = S_ELEM;
			else if (c == ']')
				next = S_AFTER_MEMBER;
			break;
		case S_AFTER_MEMBER:
			if (c == ',')
				next = S_KEY;
			else if (c == '}')
				next = S_END;
			break;
		default:
			break;
		}
		if (next < 0)
			return bad_json(st, "unexpected character");
		st->state = next;
		p++;
		st->offset++;
	}
	return 0;
}

/* The arena may have moved: points every log at its data again. */
static void repoint(struct lx_logset *s)
{
	static const uint8_t empty[1];
	for (size_t i = 0; i < s->n; i++)
		s->logs[i].data = s->arena ? s->arena + s->off[i] : empty;
}

void lx_logset_restore(struct lx_logset *s, const struct lx_logset *before)
{
	s->n = before->n;
	s->arena_len = before->arena_len;
	s->have_timestamps = before->have_timestamps;
	s->have_hashes = before->have_hashes;
	repoint(s);
}

int lx_logstream_finish(struct lx_logstream *st, json_t **rpc_error, struct lx_error *err)
{
	*rpc_error = NULL;
	if (!st->rc && (st->state != S_END || st->capturing))
		bad_json(st, st->offset ? "truncated" : "empty body");
	bool rpc_err = !st->rc && st->error && !json_is_null(st->error);
	if (!st->rc && !rpc_err && st->log_rc) {
		st->rc = st->log_rc;
		st->err = st->log_err;
	}
	if (!st->rc && !rpc_err && (!st->have_result || st->result_not_array))
		st->rc = lx_error_set(&st->err, LX_EBADRESP, "rpc: %s result is not an array",
				      st->what);
	struct lx_logset *s = st->out;
	if (st->rc || rpc_err) {
		/* nothing of a refused answer stays in the set */
		struct lx_logset before = *s;
		before.n = st->first;
		before.arena_len = st->first_arena;
		before.have_timestamps = st->first_have_ts;
		before.have_hashes = st->first_have_hashes;
		lx_logset_restore(s, &before);
	}
	if (rpc_err) {
		*rpc_error = st->error;
		st->error = NULL;
		return 0;
	}
	if (st->rc) {
		if (err)
			*err = st->err;
		return st->rc;
	}
	repoint(s);
	return 0;
}

void lx_logstream_release(struct lx_logstream *st)
{
	keys_pop(st, 0);
	free(st->carry);
	json_decref(st->error);
	free(st->keys);
	st->carry = NULL;
	st->error = NULL;
	st->keys = NULL;
}

int lx_logset_merge(struct lx_logset *dst, struct lx_logset *src)
{
	if (dst->n == 0 && !dst->arena) {
		bool ts = dst->have_timestamps && src->have_timestamps;
		bool hh = dst->have_hashes && src->have_hashes;
		lx_logset_release(dst);
		*dst = *src;
		dst->have_timestamps = ts;
		dst->have_hashes = hh;
		lx_logset_init(src);
		return 0;
	}
	if (dst->n + src->n > dst->cap) {
		size_t cap = dst->cap ? dst->cap : 256;
		while (cap < dst->n + src->n)
			cap *= 2;
		struct lx_log *l = realloc(dst->logs, cap * sizeof(*l));
		if (!l)
			return LX_ENOMEM;
		dst->logs = l;
		size_t *o = realloc(dst->off, cap * sizeof(*o));
		if (!o)
			return LX_ENOMEM;
		dst->off = o;
		dst->cap = cap;
	}
	if (dst->arena_len + src->arena_len > dst->arena_cap) {
		size_t cap = dst->arena_cap ? dst->arena_cap : 65536;
		while (cap < dst->arena_len + src->arena_len)
			cap *= 2;
		uint8_t *a = realloc(dst->arena, cap);
		if (!a)
			return LX_ENOMEM;
		dst->arena = a;
		dst->arena_cap = cap;
	}
	if (src->arena_len)
		memcpy(dst->arena + dst->arena_len, src->arena, src->arena_len);
	for (size_t i = 0; i < src->n; i++) {
		dst->logs[dst->n + i] = src->logs[i];
		dst->off[dst->n + i] = dst->arena_len + src->off[i];
	}
	dst->n += src->n;
	dst->arena_len += src->arena_len;
	dst->have_timestamps = dst->have_timestamps && src->have_timestamps;
	dst->have_hashes = dst->have_hashes && src->have_hashes;
	repoint(dst);
	lx_logset_release(src);
	lx_logset_init(src);
	return 0;
}
