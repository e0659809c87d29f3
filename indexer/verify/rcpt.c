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

/* ---- a receipt's fields ---- */

enum { F_TYPE, F_STATUS, F_ROOT, F_CUMGAS, F_BLOOM, F_FROM, F_DNONCE, F_DVERSION, F_LOGS, NF };
static const char *const fname[NF] = {
	"type", "status", "root", "cumulativeGasUsed", "logsBloom", "from", "depositNonce",
	"depositReceiptVersion", "logs",
};

struct tlog {                  /* one log's fields, as text */
	struct lx_jsv address, data, topics[5];
	size_t n_topics;
	bool topics_arr, is_obj;
	unsigned seen;
};

struct rctx {
	struct lx_jrd *r;
	struct lx_jsv f[NF];
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

static int log_member(struct lx_jrd *r, const char *k, size_t kn, int depth, void *ctx)
{
	static const char *const names[] = { "address", "topics", "data" };
	struct tlog *l = ctx;
	int w = find(names, 3, k, kn);
	if (w >= 0) {
		if (l->seen & 1u << w)
			return lx_jt_bad(r, "repeated log field");
		l->seen |= 1u << w;
	}
	if (w == 1 && r->p < r->end && *r->p == '[') {
		l->topics_arr = true;
		return lx_jt_array(r, depth, l->topics, 5, &l->n_topics);
	}
	struct lx_jsv v;
	int rc = lx_jt_value(r, &v, depth);
	if (!rc && w == 0)
		l->address = v;
	else if (!rc && w == 2)
		l->data = v;
	return rc;
}

static int log_elem(struct lx_jrd *r, size_t i, int depth, void *ctx)
{
	(void)i;
	struct rctx *c = ctx;
	struct lx_rcptset *s = c->s;
	if (grow(&s->scratch, &s->scratch_cap, c->nl + 1, sizeof(struct tlog)))
		return LX_ENOMEM;
	struct tlog *l = (struct tlog *)s->scratch + c->nl++;
	memset(l, 0, sizeof(*l));
	if (r->p < r->end && *r->p == '{') {
		l->is_obj = true;
		return lx_jt_object(r, depth, log_member, l);
	}
	struct lx_jsv v;
	return lx_jt_value(r, &v, depth);
}

static int logs_array(struct lx_jrd *r, int depth, struct rctx *c)
{
	return lx_jt_each(r, depth, log_elem, c);
}

static int rcpt_member(struct lx_jrd *r, const char *k, size_t kn, int depth, void *ctx)
{
	struct rctx *c = ctx;
	int w = find(fname, NF, k, kn);
	if (w >= 0) {
		if (c->seen & 1u << w)
			return lx_jt_bad(r, "repeated receipt field");
		c->seen |= 1u << w;
	}
	if (w == F_LOGS && r->p < r->end && *r->p == '[') {
		c->f[F_LOGS].kind = LX_JK_ARR;
		return logs_array(r, depth, c);
	}
	struct lx_jsv v;
	int rc = lx_jt_value(r, &v, depth);
	if (!rc && w >= 0)
		c->f[w] = v;
	return rc;
}

/* ---- encoding the fields (the same checks, in the same order, as eth.c's jansson path) ---- */

/* A string field's text, NUL-terminated in buf (cap bytes); NULL when not an escape-free string
 * that fits. */
static const char *text_of(const struct lx_jsv *v, char *buf, size_t cap)
{
	if (v->kind != LX_JK_STR || v->esc || v->n >= cap)
		return NULL;
	memcpy(buf, v->s, v->n);
	buf[v->n] = 0;
	return buf;
}

static int put_qty(struct lx_rlp_buf *b, const struct lx_jsv *v, const char *k, struct lx_error *err)
{
	uint8_t t[32];
	int n = v->kind == LX_JK_STR && !v->esc ? lx_eth_quantity(t, v->s, v->n) : -1;
	if (n < 0)
		return lx_error_set(err, LX_EBADRESP, "receipt: field '%s' missing or not a quantity",
				    k);
	int rc = lx_rlp_put_bytes(b, t, (size_t)n);
	return rc ? lx_error_set(err, rc, "receipt: cannot encode '%s'", k) : 0;
}

/* 0x hex of exactly want bytes (want <= 256). */
static int put_fixed(struct lx_rlp_buf *b, const struct lx_jsv *v, size_t want, const char *what,
		     const char *k, struct lx_error *err)
{
	uint8_t t[256];
	size_t n = 0;
	if (v->kind != LX_JK_STR || v->esc)
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
		const struct lx_jsv *t = &l->topics[j];
		size_t got = 0;
		if (t->kind != LX_JK_STR || t->esc || t->n != 66 || t->s[0] != '0' || t->s[1] != 'x' ||
		    lx_hex_decode(o->topics[j], 32, &got, t->s, 66) || got != 32)
			return lx_error_set(err, LX_EBADRESP, "receipt: log %zu topic %zu is not a "
					    "32-byte hash", i, j);
		if ((rc = lx_rlp_put_bytes(b, o->topics[j], 32)))
			return rc;
	}
	if ((rc = lx_rlp_list_end(b, m3)))
		return rc;
	const struct lx_jsv *d = &l->data;
	if (d->kind != LX_JK_STR || d->esc)
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
	const struct lx_jsv *f = c->f;
	unsigned type = 0;
	int rc;
	if (c->seen & 1u << F_TYPE) {
		uint64_t t = 0;
		if (f[F_TYPE].kind != LX_JK_STR || f[F_TYPE].esc ||
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
	if (f[F_LOGS].kind != LX_JK_ARR)
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
	struct lx_jrd r = { text, text + len, NULL };
	struct rctx c;
	memset(&c, 0, sizeof(c));
	c.r = &r;
	c.s = s;
	if (grow((void **)&s->r, &s->cap, s->n + 1, sizeof(*s->r)))
		return lx_error_set(err, LX_ENOMEM, "receipt: out of memory");
	lx_jt_ws(&r);
	int rc;
	if (r.p < r.end && *r.p == '{') {
		rc = lx_jt_object(&r, 1, rcpt_member, &c);
	} else {
		struct lx_jsv v;
		rc = lx_jt_value(&r, &v, 1);
		if (!rc)
			rc = lx_jt_bad(&r, "not a JSON object");
	}
	if (!rc) {
		lx_jt_ws(&r);
		if (r.p != r.end)
			rc = lx_jt_bad(&r, "trailing characters");
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
	const struct lx_jsv *fv = &c.f[F_FROM];
	if (fv->kind == LX_JK_STR)
		o->from_state = lx_addr_parse(&o->from, text_of(fv, fb, sizeof(fb)), NULL) ? 2 : 1;
	s->n++;
	return 0;
}
