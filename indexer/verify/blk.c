/*
 * blk.c: a full block (an eth_getBlockByNumber answer with its transactions) read from its
 * JSON text for `sync --verify` (see verify.h, struct lx_blk), with no document tree: the
 * strict scanner of jtext.c finds the header's fields and each transaction's, and their hex
 * goes straight into the consensus encodings. The header is hashed, each transaction's network
 * encoding is kept (transactions trie, hash) with where its signature starts, so its signing
 * hash is rebuilt from those bytes, and the signature recovered, only for the transactions
 * whose logs are used (lx_blk_signer).
 *
 * The reader is held to eth.c's jansson path: whatever it accepts, lx_header_hash, lx_tx_encode
 * and lx_tx_check accept with the same result (tests/unit/test_blk.c on the real blocks of
 * ../shared/real-logs/blocks and mutants of them, tests/fuzz/fuzz_blk.c on any bytes). It is
 * stricter where no node's answer is concerned: escapes in keys and in the fields it reads, a
 * repeated field it reads, numbers outside 18 integer or 15 significant digits, and
 * transactions given as hashes are refused.
 */
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "lendex/keccak.h"
#include "lendex/verify.h"
#include "verify_int.h"

#define MAX_DATA ((size_t)64 << 20) /* one input or extraData field */

void lx_blk_init(struct lx_blk *b)
{
	memset(b, 0, sizeof(*b));
	lx_rlp_buf_init(&b->enc, 0);
}

void lx_blk_reset(struct lx_blk *b)
{
	b->ntx = 0;
	b->ok = false;
	lx_rlp_buf_reset(&b->enc);
}

void lx_blk_release(struct lx_blk *b)
{
	if (!b)
		return;
	free(b->tx);
	free(b->scratch);
	lx_rlp_buf_release(&b->enc);
	memset(b, 0, sizeof(*b));
}

/* ---- fields ---- */

enum {
	H_PARENT, H_UNCLES, H_MINER, H_STATE, H_TXROOT, H_RROOT, H_BLOOM, H_DIFF, H_NUMBER,
	H_GASLIMIT, H_GASUSED, H_TIME, H_EXTRA, H_MIX, H_NONCE, H_STEP, H_SIG, H_BASEFEE,
	H_WROOT, H_BLOBGAS, H_EXCESS, H_BEACON, H_REQ, H_HASH, H_TXS, NH
};
static const char *const hname[NH] = {
	"parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot",
	"logsBloom", "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData",
	"mixHash", "nonce", "step", "signature", "baseFeePerGas", "withdrawalsRoot",
	"blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash", "hash",
	"transactions",
};

enum {
	T_TYPE, T_NONCE, T_GASPRICE, T_GAS, T_TO, T_VALUE, T_INPUT, T_DATA, T_V, T_R, T_S,
	T_YPARITY, T_CHAIN, T_TIP, T_MAXFEE, T_AL, T_BLOBFEE, T_BLOBS, T_AUTH, T_SOURCE, T_FROM,
	T_MINT, T_SYS, NT
};
static const char *const tname[NT] = {
	"type", "nonce", "gasPrice", "gas", "to", "value", "input", "data", "v", "r", "s",
	"yParity", "chainId", "maxPriorityFeePerGas", "maxFeePerGas", "accessList",
	"maxFeePerBlobGas", "blobVersionedHashes", "authorizationList", "sourceHash", "from",
	"mint", "isSystemTx",
};

struct fields {
	struct lx_jsv *f;
	unsigned seen;
};

static int find(const char *const *names, size_t n, const char *k, size_t kn)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == kn && !memcmp(names[i], k, kn))
			return (int)i;
	return -1;
}

/* Records a known member's value (refusing repeats and escaped strings); skips the others. */
static int take(struct lx_jrd *r, const char *const *names, size_t nn, struct fields *fs,
		const char *k, size_t kn, int depth)
{
	int w = find(names, nn, k, kn);
	if (w >= 0) {
		if (fs->seen & 1u << w)
			return lx_jt_bad(r, "repeated field");
		fs->seen |= 1u << w;
	}
	struct lx_jsv v;
	int rc = lx_jt_value(r, &v, depth);
	if (rc)
		return rc;
	if (w >= 0 && v.kind == LX_JK_STR && v.esc)
		return lx_jt_bad(r, "escaped string in a field read");
	if (w >= 0)
		fs->f[w] = v;
	return 0;
}

static bool has(const struct fields *fs, int w)
{
	return fs->seen & 1u << w;
}

static bool is_str(const struct lx_jsv *v)
{
	return v->kind == LX_JK_STR && !v->esc;
}

/* ---- encoding fields (the checks of eth.c's put_data, put_qty, get_u64) ---- */

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

/* Byte string field; want is the exact width or 0 for any. */
static int put_data(struct lx_blk *bk, struct lx_rlp_buf *b, const struct lx_jsv *v,
		    size_t want, const char *what, const char *k, struct lx_error *err)
{
	if (!is_str(v))
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' missing or not a string",
				    what, k);
	if (v->n < 2 || v->s[0] != '0' || v->s[1] != 'x' || (v->n - 2) / 2 > MAX_DATA)
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' is not 0x hex", what, k);
	size_t cap = (v->n - 2) / 2, n = 0;
	if (grow(&bk->scratch, &bk->scratch_cap, cap + 1, 1))
		return lx_error_set(err, LX_ENOMEM, "%s: out of memory for '%s'", what, k);
	if (lx_hex_decode(bk->scratch, cap, &n, v->s, v->n) || (want && n != want))
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' is not %s%zu-byte hex", what,
				    k, want ? "" : "even ", want);
	int rc = lx_rlp_put_bytes(b, bk->scratch, n);
	return rc ? lx_error_set(err, rc, "%s: cannot encode '%s'", what, k) : 0;
}

static int put_qty(struct lx_rlp_buf *b, const struct lx_jsv *v, const char *what,
		   const char *k, struct lx_error *err)
{
	uint8_t t[32];
	int n = is_str(v) ? lx_eth_quantity(t, v->s, v->n) : -1;
	if (n < 0)
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' missing or not a quantity",
				    what, k);
	int rc = lx_rlp_put_bytes(b, t, (size_t)n);
	return rc ? lx_error_set(err, rc, "%s: cannot encode '%s'", what, k) : 0;
}

static int get_u64(uint64_t *out, const struct lx_jsv *v, const char *what, const char *k,
		   struct lx_error *err)
{
	if (!is_str(v) || lx_hex_u64(out, v->s, v->n))
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' missing or not a 64-bit "
				    "quantity", what, k);
	return 0;
}

static int hash32(uint8_t out[32], const struct lx_jsv *v)
{
	size_t n = 0;
	return is_str(v) && v->n == 66 && v->s[0] == '0' && v->s[1] == 'x' &&
			       !lx_hex_decode(out, 32, &n, v->s, 66) && n == 32
		       ? 0
		       : LX_EPARSE;
}

/* Calls fn for each element of the array whose text v holds (already checked by the scan). */
typedef int (*elem_fn)(struct lx_blk *bk, struct lx_jrd *r, size_t i, struct lx_error *err);

struct each_ctx {
	struct lx_blk *bk;
	elem_fn fn;
	struct lx_error *err;
};

static int each_elem(struct lx_jrd *r, size_t i, int depth, void *ctx)
{
	(void)depth;
	struct each_ctx *c = ctx;
	return c->fn(c->bk, r, i, c->err);
}

static int each(struct lx_blk *bk, const struct lx_jsv *v, elem_fn fn, struct lx_error *err)
{
	struct lx_jrd r = { v->s, v->s + v->n, NULL };
	struct each_ctx c = { bk, fn, err };
	return lx_jt_each(&r, 1, each_elem, &c);
}

/* ---- transactions ---- */

struct sub {
	struct lx_jsv f[6];
	unsigned seen;
};

static const char *const al_names[] = { "address", "storageKeys" };
static const char *const au_names[] = { "chainId", "address", "nonce", "yParity", "r", "s" };

static int al_member(struct lx_jrd *r, const char *k, size_t kn, int depth, void *ctx)
{
	struct sub *s = ctx;
	struct fields fs = { s->f, s->seen };
	int rc = take(r, al_names, 2, &fs, k, kn, depth);
	s->seen = fs.seen;
	return rc;
}

static int au_member(struct lx_jrd *r, const char *k, size_t kn, int depth, void *ctx)
{
	struct sub *s = ctx;
	struct fields fs = { s->f, s->seen };
	int rc = take(r, au_names, 6, &fs, k, kn, depth);
	s->seen = fs.seen;
	return rc;
}

/* One element as an object of the given member names; a non-object has none of them. */
static int sub_object(struct lx_jrd *r, lx_jt_member_fn fn, struct sub *s, struct lx_error *err)
{
	memset(s, 0, sizeof(*s));
	int rc;
	if (r->p < r->end && *r->p == '{') {
		rc = lx_jt_object(r, 4, fn, s);
	} else {
		struct lx_jsv v;
		rc = lx_jt_value(r, &v, 4);
	}
	return rc ? lx_error_set(err, LX_EBADRESP, "transaction: %s", r->why ? r->why : "bad "
				 "JSON")
		  : 0;
}

static int key_elem(struct lx_blk *bk, struct lx_jrd *r, size_t i, struct lx_error *err)
{
	struct lx_jsv v;
	uint8_t h[32];
	int rc = lx_jt_value(r, &v, 5);
	if (rc || hash32(h, &v))
		return lx_error_set(err, LX_EBADRESP, "transaction accessList: key %zu is not a "
				    "32-byte hash", i);
	return lx_rlp_put_bytes(&bk->enc, h, 32);
}

static int al_elem(struct lx_blk *bk, struct lx_jrd *r, size_t i, struct lx_error *err)
{
	const char *what = "transaction accessList";
	struct sub s;
	int rc = sub_object(r, al_member, &s, err);
	if (rc)
		return rc;
	if (s.f[1].kind != LX_JK_ARR)
		return lx_error_set(err, LX_EBADRESP, "%s: entry %zu has no storageKeys", what, i);
	struct lx_rlp_buf *b = &bk->enc;
	size_t m2 = lx_rlp_list_begin(b);
	if ((rc = put_data(bk, b, &s.f[0], 20, what, "address", err)))
		return rc;
	size_t m3 = lx_rlp_list_begin(b);
	if ((rc = each(bk, &s.f[1], key_elem, err)))
		return rc;
	if ((rc = lx_rlp_list_end(b, m3)) || (rc = lx_rlp_list_end(b, m2)))
		return rc;
	return 0;
}

static int au_elem(struct lx_blk *bk, struct lx_jrd *r, size_t i, struct lx_error *err)
{
	(void)i;
	const char *what = "transaction authorizationList";
	struct sub s;
	int rc = sub_object(r, au_member, &s, err);
	if (rc)
		return rc;
	struct lx_rlp_buf *b = &bk->enc;
	size_t m2 = lx_rlp_list_begin(b);
	if ((rc = put_qty(b, &s.f[0], what, "chainId", err)) ||
	    (rc = put_data(bk, b, &s.f[1], 20, what, "address", err)) ||
	    (rc = put_qty(b, &s.f[2], what, "nonce", err)) ||
	    (rc = put_qty(b, &s.f[3], what, "yParity", err)) ||
	    (rc = put_qty(b, &s.f[4], what, "r", err)) ||
	    (rc = put_qty(b, &s.f[5], what, "s", err)) || (rc = lx_rlp_list_end(b, m2)))
		return rc;
	return 0;
}

static int blob_elem(struct lx_blk *bk, struct lx_jrd *r, size_t i, struct lx_error *err)
{
	struct lx_jsv v;
	uint8_t h[32];
	int rc = lx_jt_value(r, &v, 4);
	if (rc || hash32(h, &v))
		return lx_error_set(err, LX_EBADRESP, "transaction: blob hash %zu is not a "
				    "32-byte hash", i);
	return lx_rlp_put_bytes(&bk->enc, h, 32);
}

static int put_list(struct lx_blk *bk, const struct lx_jsv *v, const char *k, elem_fn fn,
		    struct lx_error *err)
{
	if (v->kind != LX_JK_ARR)
		return lx_error_set(err, LX_EBADRESP, "transaction: field '%s' missing or not an "
				    "array", k);
	size_t m = lx_rlp_list_begin(&bk->enc);
	int rc = each(bk, v, fn, err);
	return rc ? rc : lx_rlp_list_end(&bk->enc, m);
}

static int put_to(struct lx_blk *bk, const struct fields *t, struct lx_error *err)
{
	if (!has(t, T_TO) || t->f[T_TO].kind == LX_JK_NULL) /* contract creation */
		return lx_rlp_put_bytes(&bk->enc, NULL, 0);
	return put_data(bk, &bk->enc, &t->f[T_TO], 20, "transaction", "to", err);
}

static int put_input(struct lx_blk *bk, const struct fields *t, struct lx_error *err)
{
	bool in = has(t, T_INPUT);
	return put_data(bk, &bk->enc, &t->f[in ? T_INPUT : T_DATA], 0, "transaction",
			in ? "input" : "data", err);
}

/* r and s as 32-byte words into x->rs (put_qty has checked them) and into the encoding. */
static int put_sig(struct lx_blk *bk, const struct fields *t, uint64_t v, struct lx_blk_tx *x,
		   struct lx_error *err)
{
	struct lx_rlp_buf *b = &bk->enc;
	int rc;
	if ((rc = lx_rlp_put_u64(b, v)) || (rc = put_qty(b, &t->f[T_R], "transaction", "r", err)) ||
	    (rc = put_qty(b, &t->f[T_S], "transaction", "s", err)))
		return rc;
	for (int i = 0; i < 2; i++) {
		uint8_t w[32];
		const struct lx_jsv *q = &t->f[i ? T_S : T_R];
		int n = lx_eth_quantity(w, q->s, q->n);
		memset(x->rs + 32 * i, 0, 32);
		memcpy(x->rs + 32 * i + 32 - n, w, (size_t)n);
	}
	return 0;
}

/* Where the list that starts at mark has its payload once lx_rlp_list_end has wrapped it. */
static size_t payload_at(const struct lx_rlp_buf *b, size_t mark, size_t payload_len)
{
	return mark + (b->len - mark - payload_len);
}

/* The network encoding of one transaction (eth.c's encode_tx, SIGNED), appended to bk->enc. */
static int encode_tx(struct lx_blk *bk, const struct fields *t, struct lx_blk_tx *x,
		     struct lx_error *err)
{
	struct lx_rlp_buf *b = &bk->enc;
	const struct lx_jsv *f = t->f;
	const char *w = "transaction";
	unsigned type = 0;
	uint64_t v = 0, chain = 0, ty = 0;
	size_t m, sig;
	int rc;
	if (has(t, T_TYPE)) {
		if (get_u64(&ty, &f[T_TYPE], w, "type", err))
			return LX_EBADRESP;
		if (ty > 0xff)
			return lx_error_set(err, LX_EUNKNOWN, "transaction: unknown type 0x%llx",
					    (unsigned long long)ty);
		type = (unsigned)ty;
	}
	x->type = type;
	if (type == 0) {
		if (get_u64(&v, &f[T_V], w, "v", err))
			return LX_EBADRESP;
		bool eip155 = v >= 35;
		chain = eip155 ? (v - 35) / 2 : 0;
		x->v = v;
		x->has_chain_id = eip155;
		x->chain_id = chain;
		m = lx_rlp_list_begin(b);
		if ((rc = put_qty(b, &f[T_NONCE], w, "nonce", err)) ||
		    (rc = put_qty(b, &f[T_GASPRICE], w, "gasPrice", err)) ||
		    (rc = put_qty(b, &f[T_GAS], w, "gas", err)) || (rc = put_to(bk, t, err)) ||
		    (rc = put_qty(b, &f[T_VALUE], w, "value", err)) || (rc = put_input(bk, t, err)))
			return rc;
		sig = b->len - m;
		if ((rc = put_sig(bk, t, v, x, err)))
			return rc;
		size_t pl = b->len - m;
		if ((rc = lx_rlp_list_end(b, m)))
			return rc;
		x->pay_off = payload_at(b, m, pl) - x->enc_off;
		x->sig_rel = sig;
		return 0;
	}
	if (type == 0x7e && !has(t, T_SOURCE)) /* Scroll's L1 messages */
		return lx_error_set(err, LX_EUNKNOWN, "transaction: type 0x7e without sourceHash "
				    "(not an OP deposit)");
	if (type == 0x7e) {
		if ((rc = lx_rlp_put_byte(b, 0x7e)))
			return rc;
		m = lx_rlp_list_begin(b);
		if ((rc = put_data(bk, b, &f[T_SOURCE], 32, w, "sourceHash", err)) ||
		    (rc = put_data(bk, b, &f[T_FROM], 20, w, "from", err)) ||
		    (rc = put_to(bk, t, err)))
			return rc;
		rc = has(t, T_MINT) && f[T_MINT].kind != LX_JK_NULL
			     ? put_qty(b, &f[T_MINT], w, "mint", err)
			     : lx_rlp_put_bytes(b, NULL, 0);
		if (rc || (rc = put_qty(b, &f[T_VALUE], w, "value", err)) ||
		    (rc = put_qty(b, &f[T_GAS], w, "gas", err)) ||
		    (rc = lx_rlp_put_u64(b, f[T_SYS].kind == LX_JK_TRUE ? 1 : 0)) ||
		    (rc = put_input(bk, t, err)))
			return rc;
		return lx_rlp_list_end(b, m);
	}
	if (type > 4)
		return lx_error_set(err, LX_EUNKNOWN, "transaction: unknown type 0x%x", type);
	if ((rc = get_u64(&chain, &f[T_CHAIN], w, "chainId", err)))
		return rc;
	int yk = has(t, T_YPARITY) ? T_YPARITY : T_V;
	const char *yn = yk == T_YPARITY ? "yParity" : "v";
	if (get_u64(&v, &f[yk], w, yn, err))
		return LX_EBADRESP;
	if (v > 1)
		return lx_error_set(err, LX_EVERIFY, "transaction: %s %llu is not 0 or 1", yn,
				    (unsigned long long)v);
	x->v = v;
	x->has_chain_id = true;
	x->chain_id = chain;
	if ((rc = lx_rlp_put_byte(b, (uint8_t)type)))
		return rc;
	m = lx_rlp_list_begin(b);
	if ((rc = put_qty(b, &f[T_CHAIN], w, "chainId", err)) ||
	    (rc = put_qty(b, &f[T_NONCE], w, "nonce", err)))
		return rc;
	if (type == 1)
		rc = put_qty(b, &f[T_GASPRICE], w, "gasPrice", err);
	else if (!(rc = put_qty(b, &f[T_TIP], w, "maxPriorityFeePerGas", err)))
		rc = put_qty(b, &f[T_MAXFEE], w, "maxFeePerGas", err);
	if (rc || (rc = put_qty(b, &f[T_GAS], w, "gas", err)) || (rc = put_to(bk, t, err)) ||
	    (rc = put_qty(b, &f[T_VALUE], w, "value", err)) || (rc = put_input(bk, t, err)) ||
	    (rc = put_list(bk, &f[T_AL], "accessList", al_elem, err)))
		return rc;
	if (type == 3 && ((rc = put_qty(b, &f[T_BLOBFEE], w, "maxFeePerBlobGas", err)) ||
			  (rc = put_list(bk, &f[T_BLOBS], "blobVersionedHashes", blob_elem, err))))
		return rc;
	if (type == 4 && (rc = put_list(bk, &f[T_AUTH], "authorizationList", au_elem, err)))
		return rc;
	sig = b->len - m;
	if ((rc = put_sig(bk, t, v, x, err)))
		return rc;
	size_t pl = b->len - m;
	if ((rc = lx_rlp_list_end(b, m)))
		return rc;
	x->pay_off = payload_at(b, m, pl) - x->enc_off;
	x->sig_rel = sig;
	return 0;
}

/* ---- the block ---- */

struct bctx {
	struct lx_blk *bk;
	struct fields h;
	struct lx_jsv hf[NH];
	struct lx_error *err;
	int enc_rc;                /* a transaction that did not encode (err filled) */
	bool hashes;               /* transactions given as hashes */
};

static int tx_member(struct lx_jrd *r, const char *k, size_t kn, int depth, void *ctx)
{
	return take(r, tname, NT, ctx, k, kn, depth);
}

static int one_tx(struct bctx *c, struct lx_jrd *r, size_t i)
{
	struct lx_blk *bk = c->bk;
	if (r->p < r->end && *r->p != '{') {
		struct lx_jsv v;
		int rc = lx_jt_value(r, &v, 3);
		if (rc)
			return rc;
		c->hashes = true;
		return 0;
	}
	struct lx_jsv tf[NT];
	struct fields t = { tf, 0 };
	memset(tf, 0, sizeof(tf));
	int rc = lx_jt_object(r, 3, tx_member, &t);
	if (rc || c->enc_rc)
		return rc;
	if (grow((void **)&bk->tx, &bk->cap, bk->ntx + 1, sizeof(*bk->tx)))
		return c->enc_rc = lx_error_set(c->err, LX_ENOMEM, "block: out of memory");
	struct lx_blk_tx *x = &bk->tx[bk->ntx];
	memset(x, 0, sizeof(*x));
	x->enc_off = bk->enc.len;
	if ((rc = encode_tx(bk, &t, x, c->err))) {
		lx_error_prefix(c->err, "transaction %zu", i);
		return c->enc_rc = rc;
	}
	x->enc_len = bk->enc.len - x->enc_off;
	lx_keccak256(x->hash, bk->enc.p + x->enc_off, x->enc_len);
	char a[64];
	const struct lx_jsv *fv = &tf[T_FROM];
	const char *fs = NULL;
	if (fv->kind == LX_JK_STR && fv->n < sizeof(a)) {
		memcpy(a, fv->s, fv->n);
		a[fv->n] = 0;
		fs = a;
	} else if (fv->kind == LX_JK_STR) {
		fs = "0x?"; /* too long for an address: malformed */
	}
	x->from_rc = lx_addr_parse(&x->from, fs, NULL);
	bk->ntx++;
	return 0;
}

static int tx_elem(struct lx_jrd *r, size_t i, int depth, void *ctx)
{
	(void)depth; /* a transaction is read at its fixed depth (one_tx) */
	return one_tx(ctx, r, i);
}

static int txs_array(struct bctx *c, struct lx_jrd *r)
{
	return lx_jt_each(r, 2, tx_elem, c);
}

static int blk_member(struct lx_jrd *r, const char *k, size_t kn, int depth, void *ctx)
{
	struct bctx *c = ctx;
	int w = find(hname, NH, k, kn);
	if (w == H_TXS && r->p < r->end && *r->p == '[') {
		if (c->h.seen & 1u << H_TXS)
			return lx_jt_bad(r, "repeated field");
		c->h.seen |= 1u << H_TXS;
		c->hf[H_TXS].kind = LX_JK_ARR;
		return txs_array(c, r);
	}
	return take(r, hname, NH, &c->h, k, kn, depth);
}

/* AuRa's step: a JSON integer >= 0 is encoded as such, anything else as a quantity string. */
static int put_step(struct lx_rlp_buf *b, const struct lx_jsv *v, struct lx_error *err)
{
	if (v->kind == LX_JK_NUM) {
		const char *p = v->s;
		size_t n = v->n;
		bool neg = n && p[0] == '-';
		uint64_t x = 0;
		bool integer = true;
		for (size_t i = neg; i < n; i++) {
			if (p[i] < '0' || p[i] > '9') {
				integer = false;
				break;
			}
			x = x * 10 + (uint64_t)(p[i] - '0');
		}
		if (integer && (!neg || x == 0))
			return lx_rlp_put_u64(b, x);
	}
	return put_qty(b, v, "header", "step", err);
}

static int encode_header(struct bctx *c, struct lx_error *err)
{
	static const int req[] = { H_PARENT, H_UNCLES, H_MINER, H_STATE, H_TXROOT, H_RROOT,
				   H_BLOOM, H_DIFF, H_NUMBER, H_GASLIMIT, H_GASUSED, H_TIME,
				   H_EXTRA };
	static const size_t width[NH] = { [H_PARENT] = 32, [H_UNCLES] = 32, [H_MINER] = 20,
					  [H_STATE] = 32, [H_TXROOT] = 32, [H_RROOT] = 32,
					  [H_BLOOM] = 256, [H_MIX] = 32, [H_NONCE] = 8,
					  [H_SIG] = 65, [H_WROOT] = 32, [H_BEACON] = 32,
					  [H_REQ] = 32 };
	static const int opt[] = { H_BASEFEE, H_WROOT, H_BLOBGAS, H_EXCESS, H_BEACON, H_REQ };
	struct lx_blk *bk = c->bk;
	const struct lx_jsv *f = c->hf;
	struct lx_rlp_buf b;
	lx_rlp_buf_init(&b, 0);
	size_t m = lx_rlp_list_begin(&b);
	int rc = 0;
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]) && !rc; i++) {
		int k = req[i];
		rc = width[k] || k == H_EXTRA ? put_data(bk, &b, &f[k], width[k], "header", hname[k], err)
					      : put_qty(&b, &f[k], "header", hname[k], err);
	}
	if (!rc && !has(&c->h, H_MIX) && has(&c->h, H_STEP)) {
		/* Gnosis AuRa seal: step, then the 65-byte signature */
		if (!(rc = put_step(&b, &f[H_STEP], err)))
			rc = put_data(bk, &b, &f[H_SIG], 65, "header", "signature", err);
	} else if (!rc && !(rc = put_data(bk, &b, &f[H_MIX], 32, "header", "mixHash", err))) {
		rc = put_data(bk, &b, &f[H_NONCE], 8, "header", "nonce", err);
	}
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]) && !rc; i++) {
		int k = opt[i];
		if (!has(&c->h, k))
			continue;
		rc = width[k] ? put_data(bk, &b, &f[k], 32, "header", hname[k], err)
			      : put_qty(&b, &f[k], "header", hname[k], err);
	}
	if (!rc && (rc = lx_rlp_list_end(&b, m)))
		lx_error_set(err, rc, "header: cannot encode: %s", lx_strerror(rc));
	if (!rc)
		lx_keccak256(bk->hash, b.p, b.len);
	lx_rlp_buf_release(&b);
	return rc;
}

int lx_blk_read_text(struct lx_blk *bk, const char *text, size_t len, struct lx_error *err)
{
	lx_blk_reset(bk);
	struct lx_jrd r = { text, text + len, NULL };
	struct bctx c;
	memset(&c, 0, sizeof(c));
	c.bk = bk;
	c.h.f = c.hf;
	c.err = err;
	lx_jt_ws(&r);
	int rc;
	if (r.p < r.end && *r.p == '{') {
		rc = lx_jt_object(&r, 1, blk_member, &c);
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
	if (c.enc_rc) {
		rc = c.enc_rc; /* err filled */
	} else if (rc == LX_ENOMEM) {
		lx_error_set(err, rc, "block: out of memory");
	} else if (rc) {
		lx_error_set(err, LX_EBADRESP, "block: not JSON the reader accepts (%s near byte "
			     "%zu)", r.why ? r.why : "?", (size_t)(r.p - text));
	} else if (c.hashes || c.hf[H_TXS].kind != LX_JK_ARR) {
		rc = lx_error_set(err, LX_EBADRESP, "block: asked with its transactions, the node "
				  "sent none");
	} else {
		const struct lx_jsv *f = c.hf;
		size_t bl = 0;
		if (!is_str(&f[H_NUMBER]) || lx_hex_u64(&bk->number, f[H_NUMBER].s, f[H_NUMBER].n) ||
		    hash32(bk->claimed, &f[H_HASH]) || hash32(bk->parent, &f[H_PARENT]) ||
		    !is_str(&f[H_BLOOM]) ||
		    lx_hex_decode(bk->bloom, 256, &bl, f[H_BLOOM].s, f[H_BLOOM].n) || bl != 256)
			rc = lx_error_set(err, LX_EBADRESP, "block: header missing or malformed "
					  "(number, hash, parentHash, logsBloom)");
		else
			rc = encode_header(&c, err);
		if (!rc && (hash32(bk->receipts_root, &f[H_RROOT]) ||
			    hash32(bk->txs_root, &f[H_TXROOT])))
			rc = lx_error_set(err, LX_EBADRESP, "block: header roots malformed");
	}
	if (rc) {
		lx_blk_reset(bk);
		return rc;
	}
	bk->ok = true;
	return 0;
}

int lx_blk_txs_root(uint8_t root[32], const struct lx_blk *bk, struct lx_error *err)
{
	memset(root, 0, 32);
	const uint8_t **items = calloc(bk->ntx + 1, sizeof(*items));
	size_t *len = calloc(bk->ntx + 1, sizeof(*len));
	int rc = 0;
	if (!items || !len) {
		rc = lx_error_set(err, LX_ENOMEM, "transaction: out of memory");
	} else {
		for (size_t i = 0; i < bk->ntx; i++) {
			items[i] = bk->enc.p + bk->tx[i].enc_off;
			len[i] = bk->tx[i].enc_len;
		}
		rc = lx_trie_list_root(root, items, len, bk->ntx, err);
	}
	free(items);
	free(len);
	return rc;
}

int lx_blk_signer(struct lx_tx_info *out, const struct lx_blk *bk, size_t i,
		  struct lx_error *err)
{
	if (!out || !bk || i >= bk->ntx)
		return lx_error_set(err, LX_EINVAL, "block: signer of transaction %zu %s", i,
				    !out || !bk ? "without a block or output" : "past the block's");
	memset(out, 0, sizeof(*out));
	const struct lx_blk_tx *x = &bk->tx[i];
	struct lx_tx_info info;
	memset(&info, 0, sizeof(info));
	info.type = x->type;
	info.has_chain_id = x->has_chain_id;
	info.chain_id = x->chain_id;
	memcpy(info.hash, x->hash, 32);
	if (x->type == 0x7e) {
		if (x->from_rc)
			return lx_error_set(err, x->from_rc, "transaction: deposit 'from' missing or "
					    "malformed");
		info.from = x->from;
		*out = info;
		return 0;
	}
	int recid = (int)x->v;
	if (x->type == 0) {
		bool eip155 = x->v >= 35;
		if (!eip155 && x->v != 27 && x->v != 28)
			return lx_error_set(err, LX_EVERIFY, "transaction: legacy v %llu is neither "
					    "27/28 nor EIP-155", (unsigned long long)x->v);
		recid = (int)(eip155 ? (x->v - 35) % 2 : x->v - 27);
	}
	/* the signing form: the fields before the signature, (EIP-155: chain id, 0, 0) */
	struct lx_rlp_buf b;
	lx_rlp_buf_init(&b, 0);
	const uint8_t *pay = bk->enc.p + x->enc_off + x->pay_off;
	int rc = x->type ? lx_rlp_put_byte(&b, (uint8_t)x->type) : 0;
	size_t m = lx_rlp_list_begin(&b);
	if (!rc)
		rc = lx_rlp_put_raw(&b, pay, x->sig_rel);
	if (!rc && x->type == 0 && x->has_chain_id && !(rc = lx_rlp_put_u64(&b, x->chain_id)) &&
	    !(rc = lx_rlp_put_u64(&b, 0)))
		rc = lx_rlp_put_u64(&b, 0);
	if (!rc)
		rc = lx_rlp_list_end(&b, m);
	if (!rc)
		lx_keccak256(info.sighash, b.p, b.len);
	lx_rlp_buf_release(&b);
	if (rc)
		return lx_error_set(err, rc, "transaction: cannot encode its signing form");
	uint8_t pub[65];
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pk;
	size_t pl = sizeof(pub);
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &sig,
								 x->rs, recid) ||
	    !secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &sig, info.sighash) ||
	    !secp256k1_ec_pubkey_serialize(secp256k1_context_static, pub, &pl, &pk,
					   SECP256K1_EC_UNCOMPRESSED))
		return lx_error_set(err, LX_EVERIFY, "transaction: signature does not recover a key");
	uint8_t h[32];
	lx_keccak256(h, pub + 1, 64);
	memcpy(info.from.b, h + 12, 20);
	*out = info;
	return 0;
}
