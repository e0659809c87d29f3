/*
 * rpc.h: the JSON-RPC client. Only indexer/rpc/ sees libcurl.
 *
 * Built on curl's multi interface: lx_rpc_run() takes any number of requests and keeps up to
 * max_inflight of them on the wire at once over kept-alive connections, retrying each on its
 * own (exponential backoff with jitter for transport errors, timeouts, 5xx, 429 honouring
 * Retry-After, malformed, truncated or oversized bodies, JSON-RPC errors of the node such as
 * "header not found", answers a caller's check rejects, batch answers with missing or repeated
 * ids) and failing over to the next endpoint when one keeps failing. Final at once: range
 * refusals of eth_getLogs (the caller splits), reverts of eth_call (the contract's answer) and
 * the JSON-RPC codes that say the request itself is wrong (-32600..-32602). The answer cap
 * (max_response) counts decoded bytes as they arrive, so gzip or chunked bodies cannot pass it. The single-call helpers are that with one request, so callers never change
 * when they start issuing many. Errors never abort: each request carries its own structured
 * error (code, message, the failing method).
 */
#ifndef LENDEX_RPC_H
#define LENDEX_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/proto.h"
#include "lendex/store.h"

#define LX_RPC_MAX_URLS 8

struct lx_rpc_opts {
	const char *urls[LX_RPC_MAX_URLS]; /* endpoints in failover order */
	size_t n_urls;
	long timeout_ms;          /* per request (default 30000) */
	int max_retries;          /* per endpoint (-1: default 6) */
	long backoff_ms;          /* first retry delay (default 250) */
	long backoff_max_ms;      /* cap (default 15000) */
	double max_rps;           /* per endpoint request budget, 0 = unlimited */
	size_t max_response;      /* response size cap in bytes (default 256 MiB) */
	int max_inflight;         /* concurrent requests (default 4) */
	int compress;             /* Accept-Encoding: 0 auto (all but loopback), 1 always, -1 never */
	size_t batch;             /* most requests per JSON-RPC batch (default 100; 1 = none) */
	uint64_t seed;            /* jitter seed (0 = time-based) */
};

struct lx_rpc_stats {
	uint64_t requests, retries, failovers, bytes;
	uint64_t err_transport, err_timeout, err_http, err_ratelimit, err_badresp, err_rpc;
	uint64_t batch_refused;   /* batches the node refused as such (sent again smaller) */
};

struct lx_rpc;

/* One request. The client takes ownership of params; result is new (caller decrefs). */
struct lx_rpc_req {
	const char *method;
	json_t *params;           /* stolen by lx_rpc_run */
	json_t *result;           /* out: the "result" member, new reference; NULL on error */
	int rc;                   /* out: 0 or enum lx_err */
	struct lx_error err;      /* out: details when rc != 0 */
	/* for LX_ERANGE: the provider's suggested range, when it gave one */
	uint64_t suggest_from, suggest_to, suggest_span;
	/* out: an eth_call the node says reverted (JSON-RPC code 3 or "execution reverted"): a
	 * final answer of the contract, not a failure of the node; rc is LX_ERPC */
	bool reverted;
	/* out (lx_rpc_batch): this request's entry is what made its batch's last answer bad (an
	 * error entry, a rejected result, its id missing or repeated); every request of a failed
	 * batch carries the batch's error, this one is the read to name */
	bool culprit;
	/*
	 * Optional: judges a well-formed result (borrowed) before it is accepted. Non-zero (with
	 * err filled, normally LX_EBADRESP) makes it a bad answer, retried like a truncated body
	 * and then failed with that message. ctx is the caller's.
	 */
	int (*check)(const struct lx_rpc_req *r, const json_t *result, void *ctx,
		     struct lx_error *err);
	void *check_ctx;
	/*
	 * Optional, for eth_getLogs: the answer is read as it arrives (lx_logstream) and its logs
	 * are appended to *logs instead of being returned in result, so no answer is ever held
	 * whole. A failed, bad or rejected answer leaves *logs as it was. check_logs, when set,
	 * judges the logs this answer appended (logs->logs[first .. logs->n)) as check judges a
	 * result. Such requests are never put in a JSON-RPC batch.
	 */
	struct lx_logset *logs;
	int (*check_logs)(const struct lx_rpc_req *r, const struct lx_logset *logs, size_t first,
			  void *ctx, struct lx_error *err);
	/*
	 * Optional, for any method whose result is a JSON array (eth_getBlockReceipts): the answer
	 * is streamed as eth_getLogs answers are (same strict envelope, memory bounded by the
	 * largest element) and each element's text goes to elem (see lx_logstream.elem) instead of
	 * being returned in result. elem_reset is called before every try, and after a try that
	 * fails, so the caller's state holds exactly one accepted answer. Never batched.
	 */
	int (*elem)(void *ctx, const char *text, size_t len, size_t index, struct lx_error *err);
	void (*elem_reset)(void *ctx);
	void *elem_ctx;
	bool elem_whole;          /* with elem: the result is one value, handed whole (index 0) */
};

int lx_rpc_create(struct lx_rpc **out, const struct lx_rpc_opts *o, struct lx_error *err);
void lx_rpc_destroy(struct lx_rpc *c);
const struct lx_rpc_stats *lx_rpc_stats(const struct lx_rpc *c);

/* Runs n requests concurrently. Returns 0 when all succeeded, else the first failure's code
 * (each request's own rc/err say which). */
int lx_rpc_run(struct lx_rpc *c, struct lx_rpc_req *reqs, size_t n);

/*
 * As lx_rpc_run, with up to per_batch requests (0 = the client's opts.batch; never more than
 * it) sent as one JSON-RPC batch (an array) — for many small calls such as contract reads and
 * block headers. Answers are matched by id in any order (lx_rpc_batch_decode); an answer with
 * an id missing, repeated or not asked for, an entry that is neither result nor error, an error
 * of the node's (not the request's, such as a revert) in an entry, or an entry a request's
 * check rejects is a bad answer: the batch is retried whole and then fails, each request with
 * that error. A node that refuses a batch itself (an error object in place of the array, an
 * error entry with a null id, an HTTP 4xx) gets its requests again in batches half the size,
 * down to one request at a time, and the client keeps the smaller size for later batches.
 */
int lx_rpc_batch(struct lx_rpc *c, struct lx_rpc_req *reqs, size_t n, size_t per_batch);
/* The batch size the client uses now (opts.batch, lowered by refusals). */
size_t lx_rpc_batch_size(const struct lx_rpc *c);

/*
 * The JSON-RPC body of reqs[0..n) with ids id0..id0+n-1 (batch.c): one object when n is 1,
 * else an array. params are borrowed (NULL = []). Returns a malloc'd string (*len its length),
 * or NULL when out of memory.
 */
char *lx_rpc_encode(const struct lx_rpc_req *reqs, size_t n, uint64_t id0, size_t *len);
/* One entry of a batch answer, borrowed from the decoded document: exactly one is set. */
struct lx_rpc_batch_entry {
	const json_t *result;     /* the "result" member (may be JSON null) */
	const json_t *error;      /* the "error" object */
};
/*
 * Reads the answer body[0..len) to a batch of n requests with ids id0..id0+n-1: out[k] is the
 * entry of id id0+k. Returns 0 with *doc the parsed answer (new: the caller decrefs it after
 * reading out) when every id asked for appears exactly once, each with a result or an error
 * object; else LX_EBADRESP with err naming the first fault (not JSON, not an array, an entry
 * that is not an object, an id not asked for, repeated or missing, both or neither of result
 * and error), *doc NULL and out zeroed, and *refused true when the node refused the batch as a
 * whole (an error object instead of the array, or an error entry with a null id — what nodes
 * answer to a batch over their limit). *culprit: on LX_EBADRESP the index of the request the
 * fault is about (its id missing or repeated, its entry malformed), n when none is (not JSON,
 * an id not asked for, a refusal). LX_EINVAL for n = 0.
 */
int lx_rpc_batch_decode(json_t **doc, struct lx_rpc_batch_entry *out, bool *refused,
			size_t *culprit, const char *body, size_t len, uint64_t id0, size_t n,
			struct lx_error *err);

/* One call: steals params; *result new on success. */
int lx_rpc_call(struct lx_rpc *c, const char *method, json_t *params, json_t **result,
		struct lx_error *err);

/* Typed helpers */
int lx_rpc_chain_id(struct lx_rpc *c, uint64_t *out, struct lx_error *err);
int lx_rpc_block_number(struct lx_rpc *c, uint64_t *out, struct lx_error *err);
int lx_rpc_client_version(struct lx_rpc *c, char *buf, size_t cap, struct lx_error *err);

/* Parses an eth_getBlockByNumber result into a block ref. */
int lx_rpc_parse_block(const json_t *blk, struct lx_block_ref *out, struct lx_error *err);
/* Builds params for eth_getBlockByNumber(number, false). */
json_t *lx_rpc_block_params(uint64_t number);
/* Builds params for eth_getLogs over [from, to] with f's addresses and topic0s. */
json_t *lx_rpc_logs_params(const struct lx_filter *f, uint64_t from, uint64_t to);
/* Builds params for eth_call(to, data) at block. */
json_t *lx_rpc_call_params(const struct lx_addr *to, const uint8_t *data, size_t len,
			   uint64_t block);
/* Builds params for eth_getStorageAt(addr, slot, block); slot is 32 big-endian bytes. */
json_t *lx_rpc_storage_params(const struct lx_addr *addr, const uint8_t slot[32],
			      uint64_t block);
/* Builds params for eth_getCode(addr, block). */
json_t *lx_rpc_code_params(const struct lx_addr *addr, uint64_t block);
/* Decodes an eth_call result ("0x...") into a malloc'd buffer. */
int lx_rpc_parse_bytes(const json_t *res, uint8_t **out, size_t *len, struct lx_error *err);

/* Parsed logs: logs[] point into an arena owned by the set. */
struct lx_logset {
	size_t n, cap;
	struct lx_log *logs;
	size_t *off;              /* each log's data offset in the arena */
	uint8_t *arena;
	size_t arena_len, arena_cap;
	bool have_timestamps;     /* every log carried blockTimestamp */
	bool have_hashes;         /* every log carried blockHash (see lx_log.block_hash) */
};
void lx_logset_init(struct lx_logset *s);
void lx_logset_release(struct lx_logset *s);
/* Appends an eth_getLogs result array. Malformed fields: LX_EBADRESP naming the field and
 * the log's position. Logs flagged "removed" are skipped. */
int lx_logset_append(struct lx_logset *s, const json_t *arr, struct lx_error *err);

/*
 * Incremental reader of one eth_getLogs answer (logstream.c). Feed the body as it arrives, in
 * chunks of any size; each log is decoded into `out` as soon as its object is complete, so
 * neither the body nor a JSON tree is ever held: memory is the largest single log (at most
 * max_value bytes, else the answer is refused). Strict: the grammar jansson accepts with
 * JSON_REJECT_DUPLICATES, each log field checked as lx_logset_append checks it, unknown fields
 * skipped. Fields are private to logstream.c.
 */
struct lx_logstream_key {
	const char *s;
	size_t n;
	char *owned;
};
struct lx_logstream {
	struct lx_logset *out;
	size_t first, first_arena;    /* the set before this answer: restored on failure */
	bool first_have_ts;
	bool first_have_hashes;
	size_t max_value;
	uint64_t offset;              /* bytes consumed */
	int state, member;
	bool capturing, in_str, esc, scalar;
	int depth;
	char *carry;                  /* a value that crosses chunks */
	size_t carry_len, carry_cap;
	struct lx_logstream_key *keys;
	size_t keys_used, keys_cap;
	size_t index;                 /* position of the next element of "result" */
	bool have_result, result_not_array;
	json_t *error;                /* the envelope's "error" member */
	int rc, log_rc;               /* first error; first bad log (see logstream.c) */
	struct lx_error err, log_err;
	const char *what;             /* the method, for messages ("eth_getLogs") */
	/* optional (set after init): each element of "result", complete in text[0, len), goes
	 * to elem instead of being read as a log; its first non-zero return (err filled) fails
	 * the answer as a bad log does. The set stays untouched. */
	int (*elem)(void *ctx, const char *text, size_t len, size_t index, struct lx_error *err);
	void *elem_ctx;
	/* optional, with elem: "result" is one value (a full block), handed whole to elem as
	 * element 0 (whatever its kind: elem judges it) */
	bool whole;
};

/*
 * The strict JSON string check of the readers that build no tree (logstream.c here, the
 * receipt and block readers of sync --verify): p is the first byte after the opening quote;
 * on success *close is the closing quote and *esc says whether the text holds escapes.
 * Accepts exactly what jansson accepts. Returns 0, or -1 with a static reason in *why.
 */
int lx_json_string(const char *p, const char *end, const char **close, bool *esc,
		   const char **why);

/* Starts reading an answer whose logs are appended to out (borrowed until release). max_value
 * caps one log's text (0: 256 MiB). */
void lx_logstream_init(struct lx_logstream *st, struct lx_logset *out, size_t max_value);
/* Takes s back to the count, arena length and flags of `before` (an earlier copy of s). */
void lx_logset_restore(struct lx_logset *s, const struct lx_logset *before);
/* Appends src's logs to dst (src is left empty but initialised). LX_ENOMEM, dst unchanged. */
int lx_logset_merge(struct lx_logset *dst, struct lx_logset *src);
/* Frees the reader's own memory (not the set's). */
void lx_logstream_release(struct lx_logstream *st);
/* Consumes len bytes. Returns 0, or the first error (sticky; details at finish). */
int lx_logstream_feed(struct lx_logstream *st, const char *buf, size_t len);
/*
 * Ends the answer. Returns 0 with *rpc_error NULL when every log was appended; 0 with
 * *rpc_error set (new reference) and the set as it was when the node answered with a JSON-RPC
 * error object; else
 * LX_EBADRESP (bad JSON, truncated, a bad log, "result" not an array) or LX_ENOMEM, with err
 * filled, and the set as it was before the answer.
 */
int lx_logstream_finish(struct lx_logstream *st, json_t **rpc_error, struct lx_error *err);

#endif
