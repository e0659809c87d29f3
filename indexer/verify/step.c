/*
 * step.c: the `sync --verify` step (see verify.h). Runs on the sync's fetch thread, once per
 * range, in block order, before the range is handed to apply; it never writes.
 *
 * Headers are linked in chunks of CHUNK blocks: one JSON-RPC batch asks for every header of the
 * chunk (blocks whose logs are used come with their transactions), each header is hashed and
 * must carry the previous one's hash as parentHash. Then the chunk's relevant blocks (logs, or a
 * bloom hit for the filters: that is how a node that hides every log of a block is caught) get
 * their receipts, and the proofs of verify.h are checked block by block. Memory stays bounded
 * by a chunk's full blocks and receipts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/keccak.h"
#include "lendex/proto.h"
#include "lendex/rpc.h"
#include "lendex/verify.h"

#define CHUNK 100          /* headers per JSON-RPC batch */
#define RING 1024          /* recent linked hashes kept for restarts after an unwind */

struct lx_verifier {
	uint64_t cp;                   /* checkpoint block */
	uint64_t tip;                  /* last linked block */
	uint8_t tip_hash[32];
	uint64_t ring_no[RING];        /* ring[n % RING] holds block n's hash if ring_no matches */
	uint8_t ring[RING][32];
	bool no_block_receipts;        /* the node lacks eth_getBlockReceipts */
	struct lx_verify_stats st;
};

void lx_verified_release(struct lx_verified *v)
{
	if (!v)
		return;
	free(v->s);
	memset(v, 0, sizeof(*v));
}

int lx_verifier_create(struct lx_verifier **out, uint64_t cp_block, const uint8_t cp_hash[32],
		       struct lx_error *err)
{
	*out = NULL;
	struct lx_verifier *v = calloc(1, sizeof(*v));
	if (!v)
		return lx_error_set(err, LX_ENOMEM, "verify: out of memory");
	v->cp = v->tip = cp_block;
	memcpy(v->tip_hash, cp_hash, 32);
	for (size_t i = 0; i < RING; i++)
		v->ring_no[i] = UINT64_MAX;
	v->ring_no[cp_block % RING] = cp_block;
	memcpy(v->ring[cp_block % RING], cp_hash, 32);
	*out = v;
	return 0;
}

void lx_verifier_destroy(struct lx_verifier *v)
{
	free(v);
}

const struct lx_verify_stats *lx_verifier_stats(const struct lx_verifier *v)
{
	return &v->st;
}

void lx_verifier_tip(const struct lx_verifier *v, uint64_t *block, uint8_t hash[32])
{
	*block = v->tip;
	memcpy(hash, v->tip_hash, 32);
}

static void hexh(char out[67], const uint8_t h[32])
{
	lx_hex_encode(out, 67, h, 32);
}

/* ---- filters and blooms ---- */

/* Bloom bit positions of every filter address and topic0, computed once per range. */
struct fbits {
	size_t na, nt;
	uint16_t (*a)[3], (*t)[3];
	bool any_addr, any_topic;
};

static void bits_of(uint16_t out[3], const uint8_t *x, size_t n)
{
	uint8_t h[32];
	lx_keccak256(h, x, n);
	for (int i = 0; i < 3; i++)
		out[i] = (uint16_t)(((unsigned)h[2 * i] << 8 | h[2 * i + 1]) & 2047);
}

static bool bloom_has(const uint8_t bloom[256], const uint16_t b[3])
{
	for (int i = 0; i < 3; i++)
		if (!(bloom[255 - b[i] / 8] & (1u << (b[i] % 8))))
			return false;
	return true;
}

static int fbits_init(struct fbits *fb, const struct lx_filter *f, size_t nf)
{
	memset(fb, 0, sizeof(*fb));
	size_t na = 0, nt = 0;
	for (size_t i = 0; i < nf; i++) {
		na += f[i].n_addr;
		nt += f[i].n_topic0;
		fb->any_addr |= f[i].n_addr == 0;
		fb->any_topic |= f[i].n_topic0 == 0;
	}
	fb->a = calloc(na + 1, sizeof(*fb->a));
	fb->t = calloc(nt + 1, sizeof(*fb->t));
	if (!fb->a || !fb->t)
		return LX_ENOMEM;
	for (size_t i = 0; i < nf; i++) {
		for (size_t k = 0; k < f[i].n_addr; k++)
			bits_of(fb->a[fb->na++], f[i].addr[k].b, 20);
		for (size_t k = 0; k < f[i].n_topic0; k++)
			bits_of(fb->t[fb->nt++], f[i].topic0[k], 32);
	}
	return 0;
}

static void fbits_release(struct fbits *fb)
{
	free(fb->a);
	free(fb->t);
}

/* Could a log matching some filter be in a block with this bloom? (Coarse: any address and
 * any topic0 across filters; false positives only cost a receipts fetch.) */
static bool bloom_may_match(const struct fbits *fb, const uint8_t bloom[256])
{
	bool a = fb->any_addr, t = fb->any_topic;
	for (size_t i = 0; i < fb->na && !a; i++)
		a = bloom_has(bloom, fb->a[i]);
	for (size_t i = 0; i < fb->nt && !t; i++)
		t = bloom_has(bloom, fb->t[i]);
	return a && t;
}

static bool filter_match(const struct lx_filter *f, size_t nf, const struct lx_addr *addr,
			 const uint8_t *topic0)
{
	for (size_t i = 0; i < nf; i++) {
		bool a = f[i].n_addr == 0, t = f[i].n_topic0 == 0;
		for (size_t k = 0; k < f[i].n_addr && !a; k++)
			a = lx_addr_eq(&f[i].addr[k], addr);
		for (size_t k = 0; k < f[i].n_topic0 && !t && topic0; k++)
			t = !memcmp(f[i].topic0[k], topic0, 32);
		if (a && t)
			return true;
	}
	return false;
}

/* ---- one block ---- */

struct ctx {
	struct lx_verifier *v;
	struct lx_rpc *rpc;
	const struct lx_filter *f;
	size_t nf;
	const struct lx_logset *logs;
	struct lx_verified *out;
	struct lx_error *err;
	uint64_t from;                 /* the range's first block, */
	uint8_t from_hash[32];         /* its linked hash (the ring may not hold it at the end) */
	bool have_from;
	struct lx_rcptset *sets;       /* a chunk's streamed receipts, one set per used block */
	size_t nsets;
	struct lx_rcptset one;         /* a block fetched on its own */
	struct lx_blk *blks;           /* a chunk's streamed full blocks, one per used block */
};

static int push_signer(struct lx_verified *o, const uint8_t tx[32], const struct lx_addr *a,
		       uint64_t block)
{
	if (o->n && !memcmp(o->s[o->n - 1].tx, tx, 32))
		return 0;
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 64;
		struct lx_signer *p = realloc(o->s, nc * sizeof(*p));
		if (!p)
			return LX_ENOMEM;
		o->s = p;
		o->cap = nc;
	}
	memcpy(o->s[o->n].tx, tx, 32);
	o->s[o->n].signer = *a;
	o->s[o->n].block = block;
	o->n++;
	return 0;
}

/* Index of the first log of block b in the (sorted) logset, and the count. */
static size_t logs_of(const struct lx_logset *s, uint64_t b, size_t *count)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (s->logs[m].block < b)
			lo = m + 1;
		else
			hi = m;
	}
	size_t e = lo;
	while (e < s->n && s->logs[e].block == b)
		e++;
	*count = e - lo;
	return lo;
}

static bool same_log(const struct lx_log *a, const struct lx_log *b)
{
	return a->log_index == b->log_index && !memcmp(a->tx, b->tx, 32) &&
	       lx_addr_eq(&a->address, &b->address) && a->n_topics == b->n_topics &&
	       !memcmp(a->topics, b->topics, 32u * a->n_topics) && a->data_len == b->data_len &&
	       (!a->data_len || !memcmp(a->data, b->data, a->data_len));
}

static const char *what_differs(const struct lx_log *got, const struct lx_log *want)
{
	if (got->log_index != want->log_index)
		return "logIndex";
	if (memcmp(got->tx, want->tx, 32))
		return "transaction hash";
	if (!lx_addr_eq(&got->address, &want->address))
		return "address";
	if (got->n_topics != want->n_topics || memcmp(got->topics, want->topics, 32u * got->n_topics))
		return "topics";
	return "data";
}

static size_t skip_dups(const struct lx_logset *s, size_t at, size_t n, size_t k)
{
	while (k > 0 && k < n && same_log(&s->logs[at + k], &s->logs[at + k - 1]))
		k++;
	return k;
}

/*
 * Proves block b: receipts root, logs, and (for a full block bk) transactions root and
 * signers. hdr: the linked header when the block came without its transactions (bk NULL).
 */
static int check_block(struct ctx *c, uint64_t b, const json_t *hdr, const struct lx_blk *bk,
		       const struct lx_rcptset *rs)
{
	struct lx_error *err = c->err;
	uint8_t root[32], want[32];
	bool full = bk != NULL;
	int rc;
	if ((rc = lx_rcptset_root(root, rs, err)))
		return lx_error_prefix(err, "verify: block %llu", (unsigned long long)b);
	if (bk)
		memcpy(want, bk->receipts_root, 32);
	else if (lx_hash_parse(want, json_string_value(json_object_get(hdr, "receiptsRoot"))))
		return lx_error_set(err, LX_EBADRESP, "verify: block %llu: header has no receiptsRoot",
				    (unsigned long long)b);
	if (memcmp(root, want, 32)) {
		char g[67], w[67];
		hexh(g, root);
		hexh(w, want);
		return lx_error_set(err, LX_EVERIFY, "verify: block %llu: receipts root %s from the "
				    "node's %zu receipts is not the header's receiptsRoot %s",
				    (unsigned long long)b, g, rs->n, w);
	}
	c->v->st.blocks++;
	c->v->st.receipts += rs->n;
	if (full) {
		if ((rc = lx_blk_txs_root(root, bk, err)))
			return lx_error_prefix(err, "verify: block %llu", (unsigned long long)b);
		if (memcmp(root, bk->txs_root, 32))
			return lx_error_set(err, LX_EVERIFY, "verify: block %llu: transactions root "
					    "of the node's %zu transactions is not the header's",
					    (unsigned long long)b, bk->ntx);
		if (bk->ntx != rs->n)
			return lx_error_set(err, LX_EVERIFY, "verify: block %llu: %zu receipts for "
					    "%zu transactions", (unsigned long long)b, rs->n,
					    bk->ntx);
	}
	size_t have_n, at = logs_of(c->logs, b, &have_n), used = 0, idx = 0;
	for (size_t ri = 0; ri < rs->n; ri++) {
		const struct lx_rcpt *r = &rs->r[ri];
		bool emitted = false;
		struct lx_tx_info ti;
		memset(&ti, 0, sizeof(ti));
		for (size_t li = 0; li < r->nlogs; li++) {
			struct lx_log l;
			lx_rcptset_log(rs, r->log0 + li, &l);
			l.block = b;
			l.log_index = (uint32_t)idx++;
			if (!filter_match(c->f, c->nf, &l.address, l.n_topics ? l.topics[0] : NULL))
				continue;
			if (!full)
				return lx_error_set(err, LX_EVERIFY, "verify: block %llu: the node's "
						    "eth_getLogs gave no log for this block, but its "
						    "receipts hold a matching log (index %zu)",
						    (unsigned long long)b, idx - 1);
			if (!emitted) {
				/* the proven transaction at this receipt's position */
				if ((rc = lx_blk_signer(&ti, bk, ri, err)))
					return lx_error_prefix(err, "verify: block %llu tx %zu",
							       (unsigned long long)b, ri);
				emitted = true;
			}
			memcpy(l.tx, ti.hash, 32);
			l.tx_index = (uint32_t)ri;
			/* the node's logs may repeat a log two filters both matched */
			used = skip_dups(c->logs, at, have_n, used);
			if (used >= have_n)
				return lx_error_set(err, LX_EVERIFY, "verify: block %llu: the node's "
						    "eth_getLogs has %zu logs for this block, its "
						    "receipts hold more (log index %u is missing)",
						    (unsigned long long)b, have_n, l.log_index);
			const struct lx_log *g = &c->logs->logs[at + used];
			if (g->log_index != l.log_index) {
				char th[67];
				hexh(th, g->log_index > l.log_index ? l.tx : g->tx);
				unsigned lix = g->log_index > l.log_index ? l.log_index : g->log_index;
				bool missing = g->log_index > l.log_index;
				return lx_error_set(err, LX_EVERIFY, "verify: block %llu: log %u (tx %s) %s",
						    (unsigned long long)b, lix, th,
						    missing ? "of the receipts is missing from eth_getLogs"
							    : "from eth_getLogs is not in the receipts");
			}
			if (!same_log(g, &l)) {
				char th[67];
				hexh(th, l.tx);
				return lx_error_set(err, LX_EVERIFY, "verify: block %llu: log %u (tx %s): "
						    "%s from eth_getLogs differs from the receipt's",
						    (unsigned long long)b, l.log_index, th,
						    what_differs(g, &l));
			}
			used++;
			c->v->st.logs++;
		}
		if (!emitted)
			continue;
		/* the signer: recovered from the proven transaction, the node's `from` must agree */
		struct lx_addr claimed = bk->tx[ri].from;
		char ha[67], ga[LX_ADDR_STRLEN], ca[LX_ADDR_STRLEN];
		hexh(ha, ti.hash);
		lx_addr_lower(ga, &ti.from);
		for (int k = 0; k < 2; k++) {
			if (k && r->from_state == 0)
				continue;
			if (k ? r->from_state != 1 : bk->tx[ri].from_rc != 0)
				return lx_error_set(err, LX_EBADRESP, "verify: block %llu tx %s: %s "
						    "'from' missing or malformed", (unsigned long long)b,
						    ha, k ? "receipt" : "transaction");
			if (k)
				claimed = r->from;
			if (!lx_addr_eq(&claimed, &ti.from)) {
				lx_addr_lower(ca, &claimed);
				return lx_error_set(err, LX_EVERIFY, "verify: block %llu tx %s: the "
						    "node's %s says from %s, the signature recovers %s",
						    (unsigned long long)b, ha,
						    k ? "receipt" : "transaction", ca, ga);
			}
		}
		if ((rc = push_signer(c->out, ti.hash, &ti.from, b)))
			return lx_error_set(err, rc, "verify: out of memory");
		c->v->st.signers++;
	}
	used = skip_dups(c->logs, at, have_n, used);
	if (used != have_n) {
		char th[67];
		hexh(th, c->logs->logs[at + used].tx);
		return lx_error_set(err, LX_EVERIFY, "verify: block %llu: log %u (tx %s) from "
				    "eth_getLogs is not in the block's receipts (%zu logs, %zu proven)",
				    (unsigned long long)b, c->logs->logs[at + used].log_index, th,
				    have_n, used);
	}
	return 0;
}

/* ---- fetching ---- */

static json_t *block_params(uint64_t n, bool full)
{
	char tag[24];
	snprintf(tag, sizeof(tag), "0x%llx", (unsigned long long)n);
	return json_pack("[s,b]", tag, full);
}

/* First failed request's error into err; returns its rc. */
static int first_err(struct lx_rpc_req *rq, size_t n, int rc, struct lx_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (rq[i].rc) {
			if (err)
				*err = rq[i].err;
			return rq[i].rc;
		}
	return rc;
}

/* eth_getBlockReceipts answers are streamed: each receipt's text goes into a set. */
static int rcpt_elem(void *ctx, const char *text, size_t len, size_t index,
		     struct lx_error *err)
{
	int rc = lx_rcptset_add_text(ctx, text, len, err);
	return rc ? lx_error_prefix(err, "receipt %zu", index) : 0;
}

static void rcpt_reset(void *ctx)
{
	lx_rcptset_reset(ctx);
}

static void receipts_req(struct lx_rpc_req *q, uint64_t b, struct lx_rcptset *rs)
{
	char tag[24];
	snprintf(tag, sizeof(tag), "0x%llx", (unsigned long long)b);
	memset(q, 0, sizeof(*q));
	q->method = "eth_getBlockReceipts";
	q->params = json_pack("[s]", tag);
	q->elem = rcpt_elem;
	q->elem_reset = rcpt_reset;
	q->elem_ctx = rs;
}

/* Fetches the receipts of block b into rs (the fallback asks by the hashes of bk's
 * transactions, or else of hdr's). */
static int receipts_of(struct ctx *c, uint64_t b, const json_t *hdr, const struct lx_blk *bk,
		       struct lx_rcptset *rs)
{
	struct lx_error *err = c->err;
	lx_rcptset_reset(rs);
	if (!c->v->no_block_receipts) {
		struct lx_rpc_req q;
		receipts_req(&q, b, rs);
		int rc = lx_rpc_run(c->rpc, &q, 1);
		if (!rc && !q.rc)
			return 0;
		if (q.rc != LX_ERPC) {
			if (err)
				*err = q.err;
			return q.rc ? q.rc : rc;
		}
		c->v->no_block_receipts = true; /* method not served: per transaction from now on */
		lx_rcptset_reset(rs);
	}
	json_t *txs = json_object_get(hdr, "transactions");
	size_t n = bk ? bk->ntx : json_array_size(txs);
	struct lx_rpc_req *rq = calloc(n + 1, sizeof(*rq));
	if (!rq)
		return lx_error_set(err, LX_ENOMEM, "verify: out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(txs, i);
		char hx[67];
		const char *h = json_is_object(t) ? json_string_value(json_object_get(t, "hash"))
						  : json_string_value(t);
		if (bk) {
			hexh(hx, bk->tx[i].hash);
			h = hx;
		}
		rq[i].method = "eth_getTransactionReceipt";
		rq[i].params = json_pack("[s]", h ? h : "");
	}
	int rc = lx_rpc_batch(c->rpc, rq, n, 100);
	if (rc)
		rc = first_err(rq, n, rc, err);
	for (size_t i = 0; i < n && !rc; i++)
		if ((rc = lx_rcptset_add_json(rs, rq[i].result, err)))
			lx_error_prefix(err, "verify: block %llu: receipt %zu",
					(unsigned long long)b, i);
	for (size_t i = 0; i < n; i++)
		json_decref(rq[i].result);
	free(rq);
	if (rc)
		return rc;
	c->v->st.fallback++;
	return 0;
}

static bool in_logs(const struct lx_logset *s, uint64_t b)
{
	size_t n;
	logs_of(s, b, &n);
	return n > 0;
}

/* A full block is streamed into a struct lx_blk: no JSON tree is built for it. */
static int blk_elem(void *ctx, const char *text, size_t len, size_t index,
		    struct lx_error *err)
{
	(void)index;
	return lx_blk_read_text(ctx, text, len, err);
}

static void blk_reset(void *ctx)
{
	lx_blk_reset(ctx);
}

static void block_req(struct lx_rpc_req *q, uint64_t b, struct lx_blk *bk)
{
	memset(q, 0, sizeof(*q));
	q->method = "eth_getBlockByNumber";
	q->params = block_params(b, true);
	q->elem = blk_elem;
	q->elem_reset = blk_reset;
	q->elem_ctx = bk;
	q->elem_whole = true;
}

/* One linked header's fields, from a header-only answer (jansson) or a streamed full block. */
struct hdr {
	uint64_t num;
	uint8_t got[32], claimed[32], parent[32], bloom[256];
};

static int header_of(struct hdr *o, const json_t *h, uint64_t b, struct lx_error *err)
{
	const char *ns = json_string_value(json_object_get(h, "number"));
	const char *bs = json_string_value(json_object_get(h, "logsBloom"));
	size_t bl = 0;
	if (!json_is_object(h) || !ns || lx_hex_u64(&o->num, ns, strlen(ns)) ||
	    lx_hash_parse(o->claimed, json_string_value(json_object_get(h, "hash"))) ||
	    lx_hash_parse(o->parent, json_string_value(json_object_get(h, "parentHash"))) ||
	    !bs || lx_hex_decode(o->bloom, 256, &bl, bs, strlen(bs)) || bl != 256)
		return lx_error_set(err, LX_EBADRESP, "verify: block %llu: header missing or "
				    "malformed (number, hash, parentHash, logsBloom)",
				    (unsigned long long)b);
	int rc = lx_header_hash(o->got, h, err);
	return rc ? lx_error_prefix(err, "verify: block %llu", (unsigned long long)b) : 0;
}

/*
 * Links headers [a, e] onto the tip; with prove, checks the relevant blocks among them (those
 * with logs, or a bloom that may hold one). Headers alone come in JSON-RPC batches; the blocks
 * whose logs are used come whole with their transactions, streamed (lx_blk), together with
 * their streamed receipts.
 */
static int link_chunk(struct ctx *c, uint64_t a, uint64_t e, const struct fbits *fb,
		      bool prove)
{
	struct lx_verifier *v = c->v;
	struct lx_error *err = c->err;
	size_t n = (size_t)(e - a + 1), nrel = 0;
	struct lx_rpc_req *rq = calloc(n, sizeof(*rq)), *sq = calloc(2 * n, sizeof(*sq));
	size_t *rel = calloc(n, sizeof(*rel)), *slot = calloc(n, sizeof(*slot));
	bool *used = calloc(n, sizeof(*used));
	if (!rq || !sq || !rel || !slot || !used) {
		free(rq);
		free(sq);
		free(rel);
		free(slot);
		free(used);
		return lx_error_set(err, LX_ENOMEM, "verify: out of memory");
	}
	/* one round: the headers of blocks without used logs (a JSON-RPC batch); a second: the
	 * used blocks whole (sq[0..nu)) and their streamed receipts (sq[nu..nu+nr)); bloom-only
	 * blocks get theirs one by one below */
	size_t nh = 0, nu = 0, nr = 0;
	for (size_t i = 0; i < n; i++) {
		used[i] = prove && in_logs(c->logs, a + i);
		if (used[i]) {
			block_req(&sq[nu], a + i, &c->blks[nu]);
			slot[i] = nu++;
		} else {
			rq[nh].method = "eth_getBlockByNumber";
			rq[nh].params = block_params(a + i, false);
			slot[i] = nh++;
		}
	}
	if (!v->no_block_receipts)
		for (size_t i = 0; i < n; i++)
			if (used[i])
				receipts_req(&sq[nu + nr++], a + i, &c->sets[slot[i]]);
	int rc = nh ? lx_rpc_batch(c->rpc, rq, nh, 25) : 0;
	if (rc)
		rc = first_err(rq, nh, 0, err);
	if (!rc && nu) {
		lx_rpc_run(c->rpc, sq, nu + nr);
		for (size_t k = 0; k < nu && !rc; k++)
			if (sq[k].rc) {
				*err = sq[k].err;
				rc = sq[k].rc;
			}
		for (size_t k = nu; k < nu + nr; k++)
			if (sq[k].rc == LX_ERPC)
				v->no_block_receipts = true; /* not served: one by one */
		if (!rc && !v->no_block_receipts)
			rc = first_err(sq + nu, nr, 0, err);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t b = a + i;
		struct hdr h;
		if (used[i]) {
			const struct lx_blk *bk = &c->blks[slot[i]];
			h.num = bk->number;
			memcpy(h.got, bk->hash, 32);
			memcpy(h.claimed, bk->claimed, 32);
			memcpy(h.parent, bk->parent, 32);
			memcpy(h.bloom, bk->bloom, 256);
		} else if ((rc = header_of(&h, rq[slot[i]].result, b, err))) {
			break;
		}
		if (h.num != b) {
			rc = lx_error_set(err, LX_EBADRESP, "verify: block %llu: the node answered "
					  "with block %llu", (unsigned long long)b,
					  (unsigned long long)h.num);
			break;
		}
		if (memcmp(h.parent, v->tip_hash, 32)) {
			char p[67], t[67];
			hexh(p, h.parent);
			hexh(t, v->tip_hash);
			/* at a range's first block this may be a reorg: LX_EREORG lets sync decide */
			rc = lx_error_set(err, b == c->from ? LX_EREORG : LX_EVERIFY,
					  "verify: block %llu: parentHash %s is not the hash of block "
					  "%llu linked to the checkpoint (%s)",
					  (unsigned long long)b, p, (unsigned long long)v->tip, t);
			break;
		}
		if (memcmp(h.got, h.claimed, 32)) {
			char g[67], w[67];
			hexh(g, h.got);
			hexh(w, h.claimed);
			rc = lx_error_set(err, LX_EVERIFY, "verify: block %llu: header fields hash to "
					  "%s, the node says %s", (unsigned long long)b, g, w);
			break;
		}
		v->tip = b;
		memcpy(v->tip_hash, h.got, 32);
		v->ring_no[b % RING] = b;
		memcpy(v->ring[b % RING], h.got, 32);
		v->st.headers++;
		if (b == c->from) {
			memcpy(c->from_hash, h.got, 32);
			c->have_from = true;
		}
		if (!prove || (!used[i] && !bloom_may_match(fb, h.bloom)))
			continue;
		if (!used[i])
			v->st.bloom_blocks++;
		rel[nrel++] = i;
	}
	/* used blocks have their receipts in c->sets (unless the method is not served);
	 * bloom-only blocks fetch theirs one by one */
	for (size_t k = 0; k < nrel && !rc; k++) {
		size_t i = rel[k];
		uint64_t b = a + i;
		const struct lx_blk *bk = used[i] ? &c->blks[slot[i]] : NULL;
		json_t *h = used[i] ? NULL : rq[slot[i]].result;
		const struct lx_rcptset *rs = NULL;
		if (used[i] && !v->no_block_receipts)
			rs = &c->sets[slot[i]];
		if (!rs) {
			if ((rc = receipts_of(c, b, h, bk, &c->one)))
				break;
			rs = &c->one;
		}
		rc = check_block(c, b, h, bk, rs);
	}
	for (size_t i = 0; i < nh; i++)
		json_decref(rq[i].result);
	for (size_t i = 0; i < nu + nr; i++)
		json_decref(sq[i].result);
	free(rq);
	free(sq);
	free(rel);
	free(slot);
	free(used);
	return rc;
}

int lx_verify_range(struct lx_verifier *v, struct lx_rpc *rpc, const struct lx_filter *f,
		    size_t nf, const struct lx_logset *logs, uint64_t from, uint64_t to,
		    const uint8_t first_hash[32], const uint8_t last_hash[32],
		    struct lx_verified *out, struct lx_error *err)
{
	if (!v || !rpc || !logs || !out || from > to || from == 0)
		return lx_error_set(err, LX_EINVAL, "verify: bad arguments");
	memset(out, 0, sizeof(*out));
	if (from - 1 < v->cp)
		return lx_error_set(err, LX_EVERIFY, "verify: blocks %llu..%llu start before the "
				    "checkpoint %llu: give a checkpoint at or below block %llu",
				    (unsigned long long)from, (unsigned long long)to,
				    (unsigned long long)v->cp, (unsigned long long)(from - 1));
	if (from - 1 < v->tip) {
		/* a restart after an unwind: continue from a hash linked before */
		uint64_t p = from - 1;
		if (v->ring_no[p % RING] != p)
			return lx_error_set(err, LX_EVERIFY, "verify: block %llu was linked too long "
					    "ago to restart from (linked up to %llu)",
					    (unsigned long long)p, (unsigned long long)v->tip);
		v->tip = p;
		memcpy(v->tip_hash, v->ring[p % RING], 32);
	}
	for (size_t i = 0; i < logs->n; i++)
		if (logs->logs[i].block < from || logs->logs[i].block > to)
			return lx_error_set(err, LX_EVERIFY, "verify: eth_getLogs for blocks "
					    "%llu..%llu returned a log of block %llu",
					    (unsigned long long)from, (unsigned long long)to,
					    (unsigned long long)logs->logs[i].block);
	struct fbits fb;
	if (fbits_init(&fb, f, nf)) {
		fbits_release(&fb);
		return lx_error_set(err, LX_ENOMEM, "verify: out of memory");
	}
	struct ctx c = { v, rpc, f, nf, logs, out, err, from, {0}, false, NULL, 0, {0}, NULL };
	c.sets = calloc(CHUNK, sizeof(*c.sets));
	if (!c.sets) {
		fbits_release(&fb);
		return lx_error_set(err, LX_ENOMEM, "verify: out of memory");
	}
	c.blks = calloc(CHUNK, sizeof(*c.blks));
	if (!c.blks) {
		free(c.sets);
		fbits_release(&fb);
		return lx_error_set(err, LX_ENOMEM, "verify: out of memory");
	}
	c.nsets = CHUNK;
	for (size_t i = 0; i < CHUNK; i++) {
		lx_rcptset_init(&c.sets[i]);
		lx_blk_init(&c.blks[i]);
	}
	lx_rcptset_init(&c.one);
	if (v->tip >= from && v->ring_no[from % RING] == from) {
		memcpy(c.from_hash, v->ring[from % RING], 32);
		c.have_from = true;
	}
	int rc = 0;
	while (!rc && v->tip < to) {
		uint64_t a = v->tip + 1, e = to - a + 1 > CHUNK ? a + CHUNK - 1 : to;
		/* blocks below `from` (checkpoint to cursor) are only linked: nothing to prove */
		if (e >= from && a < from)
			e = from - 1;
		rc = link_chunk(&c, a, e, &fb, a >= from);
	}
	for (size_t i = 0; i < CHUNK; i++) {
		lx_rcptset_release(&c.sets[i]);
		lx_blk_release(&c.blks[i]);
	}
	free(c.sets);
	free(c.blks);
	lx_rcptset_release(&c.one);
	fbits_release(&fb);
	if (!rc && first_hash && (!c.have_from || memcmp(c.from_hash, first_hash, 32)))
		rc = lx_error_set(err, LX_EVERIFY, "verify: block %llu: the header sync fetched is "
				  "not the one linked to the checkpoint", (unsigned long long)from);
	if (!rc && last_hash && memcmp(v->tip_hash, last_hash, 32))
		rc = lx_error_set(err, LX_EVERIFY, "verify: block %llu: the header sync fetched is "
				  "not the one linked to the checkpoint", (unsigned long long)to);
	if (rc)
		lx_verified_release(out);
	return rc;
}
