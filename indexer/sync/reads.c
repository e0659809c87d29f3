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
	bool empty_ok;               /* "0x" passes: confirm_empty judges it */
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
	if (len == 2 && cx->empty_ok)
		return 0;
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

/* How often an empty eth_call answer from a contract that has code is asked again. */
#define EMPTY_RETRIES 2

/*
 * An eth_call answered "0x" is what a node gives for an address without code (a Morpho
 * market's oracle that was never deployed, a token without decimals()); it is also what a
 * node without the state might give. Each such read of calls v[0..n) is asked again with
 * eth_getCode of its contract at the same block: code there and still no answer is an
 * inconsistent node (asked again, then the run fails naming the read); no code is the chain's
 * own answer, handed to the handler as a revert (result NULL), as the protocol's own call
 * reverts there.
 */
static int confirm_empty(struct lx_rpc *rpc, struct lx_call *v, size_t n, uint64_t at,
			 const char *who, struct lx_error *err)
{
	size_t ne = 0;
	for (size_t i = 0; i < n; i++)
		ne += v[i].kind == LX_CALL_ETH_CALL && v[i].result && v[i].result_len == 0;
	if (!ne)
		return 0;
	size_t *idx = calloc(ne, sizeof(*idx));
	struct lx_rpc_req *rq = calloc(2 * ne, sizeof(*rq));
	struct check_ctx *cx = calloc(ne, sizeof(*cx));
	if (!idx || !rq || !cx) {
		free(idx);
		free(rq);
		free(cx);
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory for %zu reads", ne);
	}
	ne = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == LX_CALL_ETH_CALL && v[i].result && v[i].result_len == 0)
			idx[ne++] = i;
	static const struct lx_call any = {0}; /* eth_getCode: any hex answer, "0x" included */
	struct check_ctx code_cx = {.call = &any, .strict = false, .empty_ok = true};
	int rc = 0;
	for (int attempt = 0; ne && !rc; attempt++) {
		memset(rq, 0, 2 * ne * sizeof(*rq));
		for (size_t k = 0; k < ne; k++) {
			struct lx_call *x = &v[idx[k]];
			uint64_t b = x->block ? x->block : at;
			cx[k].call = x;
			cx[k].strict = true;
			cx[k].empty_ok = true;
			rq[2 * k].method = "eth_call";
			rq[2 * k].params = lx_rpc_call_params(&x->to, x->data, x->data_len, b);
			rq[2 * k].check = check_read;
			rq[2 * k].check_ctx = &cx[k];
			rq[2 * k + 1].method = "eth_getCode";
			rq[2 * k + 1].params = lx_rpc_code_params(&x->to, b);
			rq[2 * k + 1].check = check_read;
			rq[2 * k + 1].check_ctx = &code_cx;
			if ((!rq[2 * k].params || !rq[2 * k + 1].params) && !rc)
				rc = lx_error_set(err, LX_ENOMEM, "sync: %s: cannot build a read", who);
		}
		if (!rc)
			lx_rpc_batch(rpc, rq, 2 * ne, 0);
		size_t left = 0;
		for (size_t k = 0; k < ne; k++) {
			struct lx_call *x = &v[idx[k]];
			struct lx_rpc_req *call = &rq[2 * k], *code = &rq[2 * k + 1];
			char d[128];
			describe(d, sizeof(d), x);
			unsigned long long b = x->block ? x->block : at;
			if (rc) {
				/* built but not sent */
			} else if (call->rc && !call->reverted) {
				*err = call->err;
				rc = lx_error_prefix(err, "sync: %s: read %s at block %llu failed", who, d, b);
			} else if (code->rc) {
				*err = code->err;
				rc = lx_error_prefix(err, "sync: %s: code of %s at block %llu", who, d, b);
			} else if (call->reverted) {
				free(x->result);
				x->result = NULL;
				x->result_len = 0;
			} else if (json_string_length(call->result) > 2) {
				uint8_t *r;
				size_t rl;
				rc = lx_rpc_parse_bytes(call->result, &r, &rl, err);
				if (!rc) {
					free(x->result);
					x->result = r;
					x->result_len = rl;
				}
			} else if (json_string_length(code->result) <= 2) {
				/* no code at that address: the chain's own answer */
				free(x->result);
				x->result = NULL;
				x->result_len = 0;
			} else if (attempt + 1 < EMPTY_RETRIES) {
				idx[left++] = idx[k];
			} else {
				rc = lx_error_set(err, LX_EBADRESP,
						  "sync: %s: read %s at block %llu: the node answered "
						  "0x, but the contract has code there (eth_getCode): an "
						  "inconsistent answer", who, d, b);
			}
			json_decref(call->result);
			json_decref(code->result);
			json_decref(call->params);
			json_decref(code->params);
		}
		ne = rc ? 0 : left;
	}
	free(idx);
	free(rq);
	free(cx);
	return rc;
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
			cx[i].empty_ok = cx[i].strict;
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
		if (!rc && strict)
			rc = confirm_empty(rpc, &l->v[base], m, at, who, err);
	}
	free(rq);
	free(cx);
	return rc;
}
