/*
 * rcpt.c: a block's receipts as `sync --verify` needs them (see verify.h, struct lx_rcptset):
 * each receipt's consensus encoding (for the receipts trie), its logs and its `from`.
 *
 * Two readers fill the same set. lx_rcptset_add_json takes a receipt jansson has parsed (the
 * per-transaction fallback, and the reference the tests hold the other to). lx_rcptset_add_text
 * reads one receipt's JSON text directly — the elements of an eth_getBlockReceipts answer as
 * the streamed RPC reader hands them over (lx_rpc_req.elem) — with no document tree: fields are
 * located by a strict scan and hex goes straight into the encoding and the log arena.
 *
 * The text reader is held to the jansson reader: whatever it accepts, jansson accepts with the
 * same meaning (tests/unit/test_rcpt.c on real receipts, tests/fuzz/fuzz_rcpt.c on any bytes).
 * It is stricter in three ways no node's answer meets: escapes in keys and in the fields it
 * reads, a repeated field it reads, and numbers outside 18 integer or 15 significant digits
 * are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/keccak.h"
#include "lendex/proto.h"
#include "lendex/verify.h"
#include "verify_int.h"

#define MAX_DATA ((size_t)64 << 20) /* one log's data */
#define MAX_DEPTH 64               /* nesting inside one receipt */

void lx_rcptset_init(struct lx_rcptset *s)
{
	memset(s, 0, sizeof(*s));
	lx_rlp_buf_init(&s->enc, 0);
}

void lx_rcptset_reset(struct lx_rcptset *s)
{
	s->n = s->nlogs = s->arena_len = 0;
	lx_rlp_buf_reset(&s->enc);
}

void lx_rcptset_release(struct lx_rcptset *s)
{
	if (!s)
		return;
	free(s->r);
	free(s->logs);
	free(s->arena);
	free(s->scratch);
	lx_rlp_buf_release(&s->enc);
	memset(s, 0, sizeof(*s));
}

void lx_rcptset_log(const struct lx_rcptset *s, size_t i, struct lx_log *out)
{
	const struct lx_rlog *l = &s->logs[i];
	memset(out, 0, sizeof(*out));
	out->address = l->address;
	out->n_topics = l->n_topics;
	memcpy(out->topics, l->topics, sizeof(out->topics));
	out->data = s->arena ? s->arena + l->data_off : (const uint8_t *)"";
	out->data_len = l->data_len;
}

int lx_rcptset_root(uint8_t root[32], const struct lx_rcptset *s, struct lx_error *err)
{
	memset(root, 0, 32);
	const uint8_t **items = calloc(s->n + 1, sizeof(*items));
	size_t *len = calloc(s->n + 1, sizeof(*len));
	int rc = 0;
	if (!items || !len) {
		rc = lx_error_set(err, LX_ENOMEM, "receipt: out of memory");
	} else {
		for (size_t i = 0; i < s->n; i++) {
			items[i] = s->enc.p + s->r[i].enc_off;
			len[i] = s->r[i].enc_len;
		}
		rc = lx_trie_list_root(root, items, len, s->n, err);
	}
	free(items);
	free(len);
	return rc;
}

/* ---- growing the set ---- */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return LX_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static struct lx_rlog *new_log(struct lx_rcptset *s)
{
	if (grow((void **)&s->logs, &s->logs_cap, s->nlogs + 1, sizeof(*s->logs)))
		return NULL;
	struct lx_rlog *l = &s->logs[s->nlogs];
	memset(l, 0, sizeof(*l));
	return l;
}

/* Decodes 0x hex text of n chars into the arena as the data of log l. */
static int log_data(struct lx_rcptset *s, struct lx_rlog *l, const char *t, size_t n)
{
	size_t need = n / 2, got = 0;
	if (grow((void **)&s->arena, &s->arena_cap, s->arena_len + need + 1, 1))
		return LX_ENOMEM;
	if (lx_hex_decode(s->arena + s->arena_len, need, &got, t, n))
		return LX_EPARSE;
	l->data_off = s->arena_len;
	l->data_len = got;
	s->arena_len += got;
	return 0;
}

/* ---- the jansson reader ---- */

int lx_rcptset_add_json(struct lx_rcptset *s, const json_t *r, struct lx_error *err)
{
	if (grow((void **)&s->r, &s->cap, s->n + 1, sizeof(*s->r)))
		return lx_error_set(err, LX_ENOMEM, "receipt: out of memory");
	struct lx_rcpt *o = &s->r[s->n];
	memset(o, 0, sizeof(*o));
	size_t nlogs0 = s->nlogs, arena0 = s->arena_len, enc0 = s->enc.len;
	o->enc_off = s->enc.len;
	int rc = lx_receipt_encode(&s->enc, r, err);
	if (!rc) {
		/* the logs as check_block compares them (the encoding has checked their shape) */
		json_t *logs = json_object_get(r, "logs");
		size_t i;
		json_t *lo;
		json_array_foreach(logs, i, lo) {
			struct lx_rlog *l = new_log(s);
			json_t *topics = json_object_get(lo, "topics");
			const char *d = json_string_value(json_object_get(lo, "data"));
			if (!l) {
				rc = lx_error_set(err, LX_ENOMEM, "receipt: out of memory");
				break;
			}
			if (lx_addr_parse(&l->address, json_string_value(json_object_get(lo, "address")),
					  NULL) || !d) {
				rc = lx_error_set(err, LX_EBADRESP, "receipt: log %zu malformed", i);
				break;
			}
			l->n_topics = (uint8_t)json_array_size(topics);
			for (size_t t = 0; t < l->n_topics; t++)
				lx_hash_parse(l->topics[t], json_string_value(json_array_get(topics, t)));
			if ((rc = log_data(s, l, d, strlen(d)))) {
				rc = lx_error_set(err, rc == LX_ENOMEM ? rc : LX_EBADRESP,
						  "receipt: log %zu data malformed", i);
				break;
			}
			s->nlogs++;
		}
	}
	if (rc) {
		s->nlogs = nlogs0;
		s->arena_len = arena0;
		s->enc.len = enc0;
		return rc;
	}
	o->enc_len = s->enc.len - o->enc_off;
	o->log0 = nlogs0;
	o->nlogs = s->nlogs - nlogs0;
	const char *f = json_string_value(json_object_get(r, "from"));
	o->from_state = !f ? 0 : lx_addr_parse(&o->from, f, NULL) ? 2 : 1;
	s->n++;
	return 0;
}

/* ---- the text reader ---- */

enum { K_NONE, K_STR, K_NUM, K_TRUE, K_FALSE, K_NULL, K_ARR, K_OBJ };

/* A value as the reader needs it: kind, and for strings the raw text between the quotes. */
struct sv {
	int kind;
	const char *s;
	size_t n;
	bool esc;
};

struct rd {
	const char *p, *end;
	const char *why;           /* the first grammar error */
};

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void ws(struct rd *r)
{
	while (r->p < r->end && is_ws((unsigned char)*r->p))
		r->p++;
}

static int bad(struct rd *r, const char *why)
{
	if (!r->why)
		r->why = why;
	return LX_EBADRESP;
}

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

/* Valid UTF-8 sequence length at p (no overlongs, surrogates or > U+10FFFF), 0 if invalid. */
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

/* A string at r->p (its opening quote), checked as jansson checks one. */
static int string(struct rd *r, struct sv *v)
{
	const char *p = r->p + 1;
	v->kind = K_STR;
	v->s = p;
	v->esc = false;
	for (;;) {
		if (p >= r->end)
			return bad(r, "unterminated string");
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20)
			return bad(r, "control character in string");
		if (c == '\\') {
			v->esc = true;
			if (p + 1 >= r->end)
				return bad(r, "unterminated string");
			c = (unsigned char)p[1];
			if (c == 'u') {
				unsigned u, lo;
				if (u4(p + 2, r->end, &u))
					return bad(r, "bad \\u escape");
				p += 6;
				if (u == 0 || (u >= 0xdc00 && u <= 0xdfff))
					return bad(r, "bad \\u escape");
				if (u >= 0xd800 && u <= 0xdbff) {
					if (r->end - p < 2 || p[0] != '\\' || p[1] != 'u' ||
					    u4(p + 2, r->end, &lo) || lo < 0xdc00 || lo > 0xdfff)
						return bad(r, "lone surrogate");
					p += 6;
				}
				continue;
			}
			if (!c || !strchr("\"\\/bfnrt", c))
				return bad(r, "bad escape");
			p += 2;
			continue;
		}
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t n = utf8_len((const unsigned char *)p, (const unsigned char *)r->end);
		if (!n)
			return bad(r, "invalid UTF-8");
		p += n;
	}
	v->n = (size_t)(p - v->s);
	r->p = p + 1;
	return 0;
}

/* A number: JSON's grammar, and (stricter than jansson's range rules, so never looser) an
 * integer of at most 18 digits or a real of at most 15 digits and a 2-digit exponent. */
static int number(struct rd *r, struct sv *v)
{
	const char *p = r->p;
	size_t digits = 0, edigits = 0;
	bool real = false;
	if (p < r->end && *p == '-')
		p++;
	if (p >= r->end || *p < '0' || *p > '9')
		return bad(r, "bad number");
	if (*p == '0')
		p++, digits++;
	else
		while (p < r->end && *p >= '0' && *p <= '9')
			p++, digits++;
	if (p < r->end && *p == '.') {
		real = true;
		p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return bad(r, "bad number");
		while (p < r->end && *p >= '0' && *p <= '9')
			p++, digits++;
	}
	if (p < r->end && (*p == 'e' || *p == 'E')) {
		real = true;
		p++;
		if (p < r->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return bad(r, "bad number");
		while (p < r->end && *p >= '0' && *p <= '9')
			p++, edigits++;
	}
	if (digits > (real ? 15u : 18u) || edigits > 2)
		return bad(r, "number too long");
	v->kind = K_NUM;
	r->p = p;
	return 0;
}

static int literal(struct rd *r, const char *w, int kind, struct sv *v)
{
	size_t n = strlen(w);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
		return bad(r, "unexpected character");
	r->p += n;
	v->kind = kind;
	return 0;
}

static int value(struct rd *r, struct sv *v, int depth);

/* Calls fn for each member of the object at r->p; keys must be escape-free. */
typedef int (*member_fn)(struct rd *r, const char *k, size_t kn, int depth, void *ctx);

static int object(struct rd *r, int depth, member_fn fn, void *ctx)
{
	if (depth > MAX_DEPTH)
		return bad(r, "nesting too deep");
	r->p++; /* '{' */
	ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		struct sv k;
		int rc;
		ws(r);
		if (r->p >= r->end || *r->p != '"')
			return bad(r, "object key expected");
		if ((rc = string(r, &k)))
			return rc;
		if (k.esc)
			return bad(r, "escaped object key");
		ws(r);
		if (r->p >= r->end || *r->p != ':')
			return bad(r, "':' expected");
		r->p++;
		ws(r);
		if ((rc = fn(r, k.s, k.n, depth + 1, ctx)))
			return rc;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return bad(r, "',' or '}' expected");
	}
}

/* An array at r->p; each element's value goes to items[i] while i < max (count: all). */
static int array(struct rd *r, int depth, struct sv *items, size_t max, size_t *count)
{
	if (depth > MAX_DEPTH)
		return bad(r, "nesting too deep");
	r->p++; /* '[' */
	*count = 0;
	ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	for (;;) {
		struct sv v;
		int rc;
		ws(r);
		if ((rc = value(r, &v, depth + 1)))
			return rc;
		if (*count < max)
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
		return bad(r, "',' or ']' expected");
	}
}

static int skip_member(struct rd *r, const char *k, size_t kn, int depth, void *ctx)
{
	(void)k, (void)kn, (void)ctx;
	struct sv v;
	return value(r, &v, depth);
}

/* Duplicate keys of an object skipped whole cannot change what the reader takes; jansson (as
 * the RPC client calls it) keeps the last of them too. */
static int value(struct rd *r, struct sv *v, int depth)
{
	memset(v, 0, sizeof(*v));
	if (r->p >= r->end)
		return bad(r, "value expected");
	size_t n;
	switch (*r->p) {
	case '"':
		return string(r, v);
	case '{':
		v->kind = K_OBJ;
		return object(r, depth, skip_member, NULL);
	case '[':
		v->kind = K_ARR;
		return array(r, depth, NULL, 0, &n);
	case 't':
		return literal(r, "true", K_TRUE, v);
	case 'f':
		return literal(r, "false", K_FALSE, v);
	case 'n':
		return literal(r, "null", K_NULL, v);
	default:
		return number(r, v);
	}
}

/* ---- a receipt's fields ---- */

enum { F_TYPE, F_STATUS, F_ROOT, F_CUMGAS, F_BLOOM, F_FROM, F_DNONCE, F_DVERSION, F_LOGS, NF };
static const char *const fname[NF] = {
	"type", "status", "root", "cumulativeGasUsed", "logsBloom", "from", "depositNonce",
	"depositReceiptVersion", "logs",
};

struct tlog {                  /* one log's fields, as text */
	struct sv address, data, topics[5];
	size_t n_topics;
	bool topics_arr, is_obj;
	unsigned seen;
};

struct rctx {
	struct rd *r;
	struct sv f[NF];
	unsigned seen;
	struct lx_rcptset *s;
	size_t nl;                 /* logs read into s->scratch */
};

static int find(const char *const *names, size_t n, const char *k, size_t kn)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == kn && !memcmp(names[i], k, kn))
			return (int)i;
	return -1;
}

static int log_member(struct rd *r, const char *k, size_t kn, int depth, void *ctx)
{
	static const char *const names[] = { "address", "topics", "data" };
	struct tlog *l = ctx;
	int w = find(names, 3, k, kn);
	if (w >= 0) {
		if (l->seen & 1u << w)
			return bad(r, "repeated log field");
		l->seen |= 1u << w;
	}
	if (w == 1 && r->p < r->end && *r->p == '[') {
		l->topics_arr = true;
		return array(r, depth, l->topics, 5, &l->n_topics);
	}
	struct sv v;
	int rc = value(r, &v, depth);
	if (!rc && w == 0)
		l->address = v;
	else if (!rc && w == 2)
		l->data = v;
	return rc;
}

static int logs_array(struct rd *r, int depth, struct rctx *c)
{
	struct lx_rcptset *s = c->s;
	if (depth > MAX_DEPTH)
		return bad(r, "nesting too deep");
	r->p++; /* '[' */
	ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	for (;;) {
		int rc;
		ws(r);
		if (grow(&s->scratch, &s->scratch_cap, c->nl + 1, sizeof(struct tlog)))
			return LX_ENOMEM;
		struct tlog *l = (struct tlog *)s->scratch + c->nl++;
		memset(l, 0, sizeof(*l));
		if (r->p < r->end && *r->p == '{') {
			l->is_obj = true;
			rc = object(r, depth + 1, log_member, l);
		} else {
			struct sv v;
			rc = value(r, &v, depth + 1);
		}
		if (rc)
			return rc;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return 0;
		}
		return bad(r, "',' or ']' expected");
	}
}

static int rcpt_member(struct rd *r, const char *k, size_t kn, int depth, void *ctx)
{
	struct rctx *c = ctx;
	int w = find(fname, NF, k, kn);
	if (w >= 0) {
		if (c->seen & 1u << w)
			return bad(r, "repeated receipt field");
		c->seen |= 1u << w;
	}
	if (w == F_LOGS && r->p < r->end && *r->p == '[') {
		c->f[F_LOGS].kind = K_ARR;
		return logs_array(r, depth, c);
	}
	struct sv v;
	int rc = value(r, &v, depth);
	if (!rc && w >= 0)
		c->f[w] = v;
	return rc;
}

/* ---- encoding the fields (the same checks, in the same order, as eth.c's jansson path) ---- */

/* A string field's text, NUL-terminated in buf (cap bytes); NULL when not an escape-free string
 * that fits. */
static const char *text_of(const struct sv *v, char *buf, size_t cap)
{
	if (v->kind != K_STR || v->esc || v->n >= cap)
		return NULL;
	memcpy(buf, v->s, v->n);
	buf[v->n] = 0;
	return buf;
}

static int put_qty(struct lx_rlp_buf *b, const struct sv *v, const char *k, struct lx_error *err)
{
	uint8_t t[32];
	int n = v->kind == K_STR && !v->esc ? lx_eth_quantity(t, v->s, v->n) : -1;
	if (n < 0)
		return lx_error_set(err, LX_EBADRESP, "receipt: field '%s' missing or not a quantity",
				    k);
	int rc = lx_rlp_put_bytes(b, t, (size_t)n);
	return rc ? lx_error_set(err, rc, "receipt: cannot encode '%s'", k) : 0;
}

/* 0x hex of exactly want bytes (want <= 256). */
static int put_fixed(struct lx_rlp_buf *b, const struct sv *v, size_t want, const char *what,
		     const char *k, struct lx_error *err)
{
	uint8_t t[256];
	size_t n = 0;
	if (v->kind != K_STR || v->esc)
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' missing or not a string",
				    what, k);
	if (v->n < 2 || v->s[0] != '0' || v->s[1] != 'x')
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' is not 0x hex", what, k);
	if (lx_hex_decode(t, want, &n, v->s, v->n) || n != want)
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' is not %zu-byte hex", what, k,
				    want);
	int rc = lx_rlp_put_bytes(b, t, n);
	return rc ? lx_error_set(err, rc, "%s: cannot encode '%s'", what, k) : 0;
}

static int put_log(struct lx_rcptset *s, const struct tlog *l, size_t i, struct lx_error *err)
{
	struct lx_rlp_buf *b = &s->enc;
	int rc;
	if (!l->is_obj || !l->topics_arr || l->n_topics > 4)
		return lx_error_set(err, LX_EBADRESP, "receipt: log %zu has no topics array of at "
				    "most 4", i);
	struct lx_rlog *o = new_log(s);
	if (!o)
		return lx_error_set(err, LX_ENOMEM, "receipt: out of memory");
	size_t m2 = lx_rlp_list_begin(b);
	if ((rc = put_fixed(b, &l->address, 20, "receipt log", "address", err)))
		return rc;
	char a[48];
	if (lx_addr_parse(&o->address, text_of(&l->address, a, sizeof(a)), NULL))
		return lx_error_set(err, LX_EBADRESP, "receipt: log %zu malformed", i);
	size_t m3 = lx_rlp_list_begin(b);
	o->n_topics = (uint8_t)l->n_topics;
	for (size_t j = 0; j < l->n_topics; j++) {
		const struct sv *t = &l->topics[j];
		size_t got = 0;
		if (t->kind != K_STR || t->esc || t->n != 66 || t->s[0] != '0' || t->s[1] != 'x' ||
		    lx_hex_decode(o->topics[j], 32, &got, t->s, 66) || got != 32)
			return lx_error_set(err, LX_EBADRESP, "receipt: log %zu topic %zu is not a "
					    "32-byte hash", i, j);
		if ((rc = lx_rlp_put_bytes(b, o->topics[j], 32)))
			return rc;
	}
	if ((rc = lx_rlp_list_end(b, m3)))
		return rc;
	const struct sv *d = &l->data;
	if (d->kind != K_STR || d->esc)
		return lx_error_set(err, LX_EBADRESP, "receipt log: field 'data' missing or not a "
				    "string");
	if (d->n < 2 || d->s[0] != '0' || d->s[1] != 'x' || (d->n - 2) / 2 > MAX_DATA)
		return lx_error_set(err, LX_EBADRESP, "receipt log: field 'data' is not 0x hex");
	if ((rc = log_data(s, o, d->s, d->n)))
		return rc == LX_ENOMEM ? lx_error_set(err, rc, "receipt: out of memory")
				       : lx_error_set(err, LX_EBADRESP, "receipt log: field 'data' "
						      "is not even hex");
	if ((rc = lx_rlp_put_bytes(b, s->arena + o->data_off, o->data_len)) ||
	    (rc = lx_rlp_list_end(b, m2)))
		return rc;
	s->nlogs++;
	return 0;
}

static int encode(struct lx_rcptset *s, const struct rctx *c, struct lx_error *err)
{
	struct lx_rlp_buf *b = &s->enc;
	const struct sv *f = c->f;
	unsigned type = 0;
	int rc;
	if (c->seen & 1u << F_TYPE) {
		uint64_t t = 0;
		if (f[F_TYPE].kind != K_STR || f[F_TYPE].esc ||
		    lx_hex_u64(&t, f[F_TYPE].s, f[F_TYPE].n))
			return lx_error_set(err, LX_EBADRESP, "transaction: field 'type' missing or "
					    "not a 64-bit quantity");
		if (t > 0xff)
			return lx_error_set(err, LX_EUNKNOWN, "transaction: unknown type 0x%llx",
					    (unsigned long long)t);
		type = (unsigned)t;
	}
	if (type > 4 && type != 0x7e)
		return lx_error_set(err, LX_EUNKNOWN, "receipt: unknown type 0x%x", type);
	if (type && (rc = lx_rlp_put_byte(b, (uint8_t)type)))
		return rc;
	size_t m = lx_rlp_list_begin(b);
	if (c->seen & 1u << F_STATUS)
		rc = put_qty(b, &f[F_STATUS], "status", err);
	else
		rc = put_fixed(b, &f[F_ROOT], 32, "receipt", "root", err);
	if (rc || (rc = put_qty(b, &f[F_CUMGAS], "cumulativeGasUsed", err)) ||
	    (rc = put_fixed(b, &f[F_BLOOM], 256, "receipt", "logsBloom", err)))
		return rc;
	if (f[F_LOGS].kind != K_ARR)
		return lx_error_set(err, LX_EBADRESP, "receipt: field 'logs' missing or not an array");
	size_t ml = lx_rlp_list_begin(b);
	for (size_t i = 0; i < c->nl; i++)
		if ((rc = put_log(s, (const struct tlog *)s->scratch + i, i, err)))
			return rc;
	if ((rc = lx_rlp_list_end(b, ml)))
		return rc;
	if (type == 0x7e) {
		if ((c->seen & 1u << F_DNONCE) &&
		    (rc = put_qty(b, &f[F_DNONCE], "depositNonce", err)))
			return rc;
		if ((c->seen & 1u << F_DVERSION) &&
		    (rc = put_qty(b, &f[F_DVERSION], "depositReceiptVersion", err)))
			return rc;
	}
	return lx_rlp_list_end(b, m);
}

int lx_rcptset_add_text(struct lx_rcptset *s, const char *text, size_t len, struct lx_error *err)
{
	struct rd r = { text, text + len, NULL };
	struct rctx c;
	memset(&c, 0, sizeof(c));
	c.r = &r;
	c.s = s;
	if (grow((void **)&s->r, &s->cap, s->n + 1, sizeof(*s->r)))
		return lx_error_set(err, LX_ENOMEM, "receipt: out of memory");
	ws(&r);
	int rc;
	if (r.p < r.end && *r.p == '{') {
		rc = object(&r, 1, rcpt_member, &c);
	} else {
		struct sv v;
		rc = value(&r, &v, 1);
		if (!rc)
			rc = bad(&r, "not a JSON object");
	}
	if (!rc) {
		ws(&r);
		if (r.p != r.end)
			rc = bad(&r, "trailing characters");
	}
	if (rc == LX_ENOMEM)
		return lx_error_set(err, rc, "receipt: out of memory");
	if (rc)
		return lx_error_set(err, LX_EBADRESP, "receipt: not JSON the reader accepts (%s "
				    "near byte %zu)", r.why ? r.why : "?", (size_t)(r.p - text));
	size_t nlogs0 = s->nlogs, arena0 = s->arena_len, enc0 = s->enc.len;
	struct lx_rcpt *o = &s->r[s->n];
	memset(o, 0, sizeof(*o));
	o->enc_off = enc0;
	if ((rc = encode(s, &c, err))) {
		s->nlogs = nlogs0;
		s->arena_len = arena0;
		s->enc.len = enc0;
		return rc;
	}
	o->enc_len = s->enc.len - enc0;
	o->log0 = nlogs0;
	o->nlogs = s->nlogs - nlogs0;
	char fb[64];
	const struct sv *fv = &c.f[F_FROM];
	if (fv->kind == K_STR)
		o->from_state = lx_addr_parse(&o->from, text_of(fv, fb, sizeof(fb)), NULL) ? 2 : 1;
	s->n++;
	return 0;
}
