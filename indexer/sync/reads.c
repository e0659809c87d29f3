/*
 * reads.c: the contract reads of a sync run (prices, Comet's userBasic of every account, a
 * Morpho market's rate) and the reads some logs need at their own blocks (reads.h).
 *
 * A mainnet Comet market names tens of thousands of accounts: the reads go out as JSON-RPC
 * batches (the client's size, --rpc-batch) with answers matched by id, in chunks so that the
 * JSON of one chunk only is alive, and each answer is decoded into its call's own buffer at
 * once. Every answer is untrusted: the client retries a batch with an id missing, repeated or
 * unknown, an error entry of the node's or an entry a check rejects, then fails it; a node
 * that refuses batches gets smaller ones, down to single requests. A read that still has no
 * answer fails the run naming the call — never read as "nothing there".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/hex.h"
#include "reads.h"

/* batches per chunk: enough to keep every connection of the client busy */
#define BATCHES_PER_CHUNK 16

struct check_ctx {
	const struct lx_call *call;
	bool strict;
};

/* An answer: hex, whole 32-byte words (strict eth_call), at least result_min bytes. */
static int check_read(const struct lx_rpc_req *rq, const json_t *res, void *vctx,
		      struct lx_error *err)
{
	const struct check_ctx *cx = vctx;
	size_t len = json_is_string(res) ? json_string_length(res) : 0;
	const char *v = json_is_string(res) ? json_string_value(res) : "";
	if (!json_is_string(res) || len < 2 || v[0] != '0' || (v[1] != 'x' && v[1] != 'X'))
		return lx_error_set(err, LX_EBADRESP, "%s result is not a hex string", rq->method);
	for (size_t i = 2; i < len; i++)
		if (!isxdigit((unsigned char)v[i]))
			return lx_error_set(err, LX_EBADRESP, "%s result is not hex (%.40s)",
					    rq->method, v);
	if (cx->strict && ((len - 2) % 64 || len == 2))
		return lx_error_set(err, LX_EBADRESP,
				    "%s result is %zu bytes, not whole 32-byte words", rq->method,
				    (len - 1) / 2);
	if ((len - 2) / 2 < cx->call->result_min)
		return lx_error_set(err, LX_EBADRESP,
				    "%s result is %zu bytes, shorter than the %zu the call returns",
				    rq->method, (len - 2) / 2, cx->call->result_min);
	return 0;
}

/* "0xdc4abafd(0xf39f…2266) of 0xc3e5…" : the selector and, for a one-word argument that holds
 * an address, that address */
static void describe(char *out, size_t cap, const struct lx_call *x)
{
	char to[LX_ADDR_STRLEN], sel[11] = "storage", arg[48] = "";
	lx_addr_lower(to, &x->to);
	if (x->kind == LX_CALL_ETH_CALL && x->data_len >= 4)
		lx_hex_encode(sel, sizeof(sel), x->data, 4);
	else if (x->kind == LX_CALL_STORAGE && x->data_len >= 32)
		lx_hex_encode(arg, sizeof(arg), x->data + 16, 16);
	if (x->kind == LX_CALL_ETH_CALL && x->data_len >= 36)
		lx_hex_encode(arg, sizeof(arg), x->data + 16, 20);
	snprintf(out, cap, "%s(%s) of %s", sel, arg, to);
}

int lx_sync_reads(struct lx_rpc *rpc, struct lx_calls *l, uint64_t at, bool strict,
		  const char *who, struct lx_error *err)
{
	size_t batch = lx_rpc_batch_size(rpc);
	size_t chunk = batch * BATCHES_PER_CHUNK;
	if (l->n == 0)
		return 0;
	size_t cap = chunk < l->n ? chunk : l->n;
	struct lx_rpc_req *rq = calloc(cap, sizeof(*rq));
	struct check_ctx *cx = calloc(cap, sizeof(*cx));
	if (!rq || !cx) {
		free(rq);
		free(cx);
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory for %zu reads", l->n);
	}
	int rc = 0;
	for (size_t base = 0; base < l->n && !rc; base += cap) {
		size_t m = l->n - base < cap ? l->n - base : cap;
		memset(rq, 0, m * sizeof(*rq));
		for (size_t i = 0; i < m; i++) {
			struct lx_call *x = &l->v[base + i];
			uint64_t b = x->block ? x->block : at;
			free(x->result);
			x->result = NULL;
			x->result_len = 0;
			if (x->kind == LX_CALL_STORAGE) {
				rq[i].method = "eth_getStorageAt";
				rq[i].params = x->data_len >= 32
						       ? lx_rpc_storage_params(&x->to, x->data, b)
						       : NULL;
			} else {
				rq[i].method = "eth_call";
				rq[i].params = lx_rpc_call_params(&x->to, x->data, x->data_len, b);
			}
			cx[i].call = x;
			cx[i].strict = strict && x->kind == LX_CALL_ETH_CALL;
			rq[i].check = check_read;
			rq[i].check_ctx = &cx[i];
			if (!rq[i].params && !rc)
				rc = lx_error_set(err, x->data_len < 32 ? LX_EINVAL : LX_ENOMEM,
						  "sync: %s: cannot build read %zu", who, base + i);
		}
		if (!rc)
			lx_rpc_batch(rpc, rq, m, 0);
		/* a failed batch fails each of its reads: name the one whose answer was bad */
		size_t first = m;
		for (size_t i = 0; i < m && !rc; i++)
			if (rq[i].rc && !rq[i].reverted && (strict || rq[i].rc != LX_ERPC) &&
			    (first == m || (rq[i].culprit && !rq[first].culprit)))
				first = i;
		for (size_t i = 0; i < m; i++) {
			struct lx_call *x = &l->v[base + i];
			if (!rc && i == first) {
				char d[128];
				describe(d, sizeof(d), x);
				*err = rq[i].err;
				rc = lx_error_prefix(err, "sync: %s: read %s at block %llu failed", who,
						     d, (unsigned long long)(x->block ? x->block : at));
			} else if (!rc && first == m && rq[i].rc == 0) {
				rc = lx_rpc_parse_bytes(rq[i].result, &x->result, &x->result_len, err);
			}
			json_decref(rq[i].result);
			json_decref(rq[i].params); /* built but never sent (a failed chunk) */
		}
	}
	free(rq);
	free(cx);
	return rc;
}
