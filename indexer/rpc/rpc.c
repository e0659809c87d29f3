/*
 * rpc.c: JSON-RPC over HTTP with libcurl's multi interface (see rpc.h).
 *
 * Each request moves through: pending (waiting for its not-before time and the endpoint's
 * request budget) → on the wire → done, or back to pending with a backoff when the failure is
 * worth retrying. After max_retries on one endpoint a request moves to the next endpoint.
 */
#define _GNU_SOURCE /* strcasestr */
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lendex/hex.h"
#include "lendex/rpc.h"

struct endpoint {
	const char *url;
	double tokens;            /* request budget (token bucket) */
	double last_refill;
	bool compress;            /* ask for gzip/br/zstd answers: not on loopback, where it costs */
};

/* Whether url names this machine (localhost, 127.0.0.0/8, [::1]): compressing answers there
 * only costs both ends CPU. */
static bool is_loopback(const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const char *at = strchr(h, '@'), *slash = strchr(h, '/');
	if (at && (!slash || at < slash))
		h = at + 1;
	return !strncasecmp(h, "localhost", 9) || !strncmp(h, "127.", 4) ||
	       !strncmp(h, "[::1]", 5);
}

struct lx_rpc {
	struct lx_rpc_opts o;
	struct endpoint ep[LX_RPC_MAX_URLS];
	CURLM *multi;
	CURL *idle[64];           /* kept handles: connection reuse */
	size_t n_idle;
	uint64_t rng;
	uint64_t next_id;
	size_t batch_now;         /* batch size now: opts.batch, halved by each refusal */
	struct lx_rpc_stats st;
};

struct job {
	struct lx_rpc_req *req;       /* the first request of this job */
	size_t nb;                    /* requests in this job: > 1 = one JSON-RPC batch */
	uint64_t id0;                 /* id of the first; the batch's ids follow */
	char *body;               /* serialized request */
	size_t body_len;
	int ep;                   /* endpoint index */
	int tries;                /* attempts on this endpoint */
	double not_before;
	bool active, done;
	bool refused;             /* the node refused this batch as such (see judge_batch) */
	size_t culprit;           /* the request whose entry made the last answer bad; nb: none */
	CURL *h;
	struct curl_slist *hdr;
	char *resp;
	size_t resp_len, resp_cap;
	size_t max_resp;          /* cap on the decoded answer (the client's max_response) */
	bool too_big;             /* the answer passed max_resp: the transfer was stopped */
	long retry_after_ms;      /* from a Retry-After header, -1 if none */
	/* streamed eth_getLogs (req->logs): the reader, and the set as it was before the try */
	bool streaming, bad_body;  /* bad_body: the reader refused the bytes, transfer stopped */
	struct lx_logstream ls;
	struct lx_logset before;  /* only n, arena_len and the have_ flags are used */
	struct lx_logset none;    /* req->elem: the reader's set, never written */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rnd(struct lx_rpc *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

int lx_rpc_create(struct lx_rpc **out, const struct lx_rpc_opts *o, struct lx_error *err)
{
	*out = NULL;
	if (!o || o->n_urls == 0 || o->n_urls > LX_RPC_MAX_URLS)
		return lx_error_set(err, LX_EINVAL, "rpc: no endpoint given (use --rpc URL)");
	static bool global;
	if (!global) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global = true;
	}
	struct lx_rpc *c = calloc(1, sizeof(*c));
	if (!c)
		return lx_error_set(err, LX_ENOMEM, "rpc: out of memory");
	c->o = *o;
	if (!c->o.timeout_ms)
		c->o.timeout_ms = 30000;
	if (c->o.max_retries < 0)
		c->o.max_retries = 6;
	if (!c->o.backoff_ms)
		c->o.backoff_ms = 250;
	if (!c->o.backoff_max_ms)
		c->o.backoff_max_ms = 15000;
	if (!c->o.max_response)
		c->o.max_response = (size_t)256 << 20;
	if (c->o.max_inflight <= 0)
		c->o.max_inflight = 4;
	if (!c->o.batch)
		c->o.batch = 100;
	c->batch_now = c->o.batch;
	c->rng = o->seed ? o->seed : (uint64_t)time(NULL) * 2654435761u + 1;
	for (size_t i = 0; i < o->n_urls; i++) {
		c->ep[i].url = o->urls[i];
		c->ep[i].compress = o->compress > 0 || (o->compress == 0 && !is_loopback(o->urls[i]));
		c->ep[i].tokens = o->max_rps > 0 ? o->max_rps : 0;
		c->ep[i].last_refill = now_s();
	}
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		return lx_error_set(err, LX_ENOMEM, "rpc: curl_multi_init failed");
	}
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->o.max_inflight);
	*out = c;
	return 0;
}

void lx_rpc_destroy(struct lx_rpc *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_idle; i++)
		curl_easy_cleanup(c->idle[i]);
	curl_multi_cleanup(c->multi);
	free(c);
}

const struct lx_rpc_stats *lx_rpc_stats(const struct lx_rpc *c)
{
	return &c->st;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct job *j = ud;
	size_t len = sz * n;
	/* curl hands over decoded bytes (after gzip and chunking): the cap holds for what we keep */
	if (len > j->max_resp - j->resp_len) {
		j->too_big = true;
		return 0; /* stops the transfer: CURLE_WRITE_ERROR */
	}
	if (j->streaming) {
		/* logs are decoded as they arrive; only their count of bytes is kept */
		j->resp_len += len;
		if (lx_logstream_feed(&j->ls, p, len)) {
			j->bad_body = true;
			return 0;
		}
		return len;
	}
	if (j->resp_len + len + 1 > j->resp_cap) {
		size_t cap = j->resp_cap ? j->resp_cap : 65536;
		while (cap < j->resp_len + len + 1)
			cap *= 2;
		if (cap > j->max_resp + 1)
			cap = j->max_resp + 1;
		char *r = realloc(j->resp, cap);
		if (!r)
			return 0;
		j->resp = r;
		j->resp_cap = cap;
	}
	memcpy(j->resp + j->resp_len, p, len);
	j->resp_len += len;
	j->resp[j->resp_len] = 0;
	return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct job *j = ud;
	size_t len = sz * n;
	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		char v[64];
		size_t k = len - 12 < sizeof(v) - 1 ? len - 12 : sizeof(v) - 1;
		memcpy(v, p + 12, k);
		v[k] = 0;
		char *s = v;
		while (*s == ' ')
			s++;
		char *end;
		long secs = strtol(s, &end, 10);
		if (end != s && (*end == '\r' || *end == '\n' || *end == 0))
			j->retry_after_ms = secs < 0 ? 0 : (secs > 600 ? 600000 : secs * 1000);
		else {
			time_t t = curl_getdate(s, NULL);
			if (t > 0) {
				double d = difftime(t, time(NULL));
				j->retry_after_ms = d < 0 ? 0 : (d > 600 ? 600000 : (long)(d * 1000));
			}
		}
	}
	return len;
}

static int progress_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ult,
		       curl_off_t uln)
{
	struct job *j = ud;
	(void)dltotal;
	(void)ult;
	(void)uln;
	(void)j;
	return 0 && dlnow;
}

static CURL *take_handle(struct lx_rpc *c)
{
	if (c->n_idle)
		return c->idle[--c->n_idle];
	return curl_easy_init();
}

static void give_handle(struct lx_rpc *c, CURL *h)
{
	if (c->n_idle < sizeof(c->idle) / sizeof(c->idle[0])) {
		curl_easy_reset(h);
		c->idle[c->n_idle++] = h;
	} else {
		curl_easy_cleanup(h);
	}
}

static int start(struct lx_rpc *c, struct job *j)
{
	CURL *h = take_handle(c);
	if (!h)
		return LX_ENOMEM;
	j->h = h;
	j->resp_len = 0;
	j->max_resp = c->o.max_response;
	j->too_big = false;
	j->retry_after_ms = -1;
	if (j->req->logs) {
		struct lx_logset *ls = j->req->logs;
		j->before = *ls;
		j->streaming = true;
		j->bad_body = false;
		lx_logstream_init(&j->ls, ls, c->o.max_response);
	} else if (j->req->elem) {
		lx_logset_init(&j->none);
		j->before = j->none;
		j->streaming = true;
		j->bad_body = false;
		lx_logstream_init(&j->ls, &j->none, c->o.max_response);
		j->ls.what = j->req->method;
		j->ls.elem = j->req->elem;
		j->ls.elem_ctx = j->req->elem_ctx;
		j->ls.whole = j->req->elem_whole;
		if (j->req->elem_reset)
			j->req->elem_reset(j->req->elem_ctx);
	}
	if (!j->hdr) {
		j->hdr = curl_slist_append(NULL, "Content-Type: application/json");
		/* no "Expect: 100-continue" round trip for large request bodies */
		j->hdr = curl_slist_append(j->hdr, "Expect:");
	}
	curl_easy_setopt(h, CURLOPT_URL, c->ep[j->ep].url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)j->body_len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, j->hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->o.timeout_ms < 10000 ? c->o.timeout_ms
										: 10000L);
	if (c->ep[j->ep].compress)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl decodes */
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->o.max_response);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, j);
	curl_easy_setopt(h, CURLOPT_PRIVATE, j);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lendex/0.1");
	j->active = true;
	c->st.requests++;
	curl_multi_add_handle(c->multi, h);
	return 0;
}

/* "this block range should work: [0x1, 0x2]" / "up to a 2K block range" / "a 500 range" */
static void parse_suggestion(struct lx_rpc_req *r, const char *msg)
{
	const char *b = strchr(msg, '[');
	if (b) {
		const char *p = b + 1;
		while (*p == ' ')
			p++;
		const char *e1 = p;
		while (*e1 && *e1 != ',' && *e1 != ']')
			e1++;
		const char *q = *e1 == ',' ? e1 + 1 : NULL;
		if (q) {
			while (*q == ' ')
				q++;
			const char *e2 = q;
			while (*e2 && *e2 != ']' && *e2 != ' ')
				e2++;
			uint64_t a, z;
			if (!lx_hex_u64(&a, p, (size_t)(e1 - p)) &&
			    !lx_hex_u64(&z, q, (size_t)(e2 - q)) && z >= a) {
				r->suggest_from = a;
				r->suggest_to = z;
				r->suggest_span = z - a + 1;
				return;
			}
		}
	}
	const char *k = strstr(msg, "up to a ");
	if (!k)
		k = strstr(msg, "limited to a ");
	if (k) {
		k = strchr(k, 'a') ? strstr(k, " a ") + 3 : k;
		char *end;
		unsigned long long v = strtoull(k, &end, 10);
		if (end != k) {
			if (*end == 'K' || *end == 'k')
				v *= 1000;
			if (v > 0)
				r->suggest_span = v;
		}
	}
}

static bool is_range_msg(const char *m)
{
	static const char *pat[] = {"more than",     "range is too large", "block range",
				    "too many",      "response size",      "limited to",
				    "range too large", "exceed",           "query timeout"};
	for (size_t i = 0; i < sizeof(pat) / sizeof(pat[0]); i++)
		if (strcasestr(m, pat[i]))
			return true;
	return false;
}

static bool is_rate_msg(const char *m)
{
	return strcasestr(m, "rate limit") || strcasestr(m, "too many requests") ||
	       strcasestr(m, "capacity") || strcasestr(m, "exceeded the quota");
}

/*
 * A JSON-RPC error object (already in r->err): >0 retry, <0 final. A revert is the contract's
 * answer and the standard "your request is wrong" codes will not change on a retry; anything
 * else ("header not found", "missing trie node", internal errors of a load-balanced node) is
 * the node's failure and is retried like a transport error.
 */
static int rpc_error_kind(struct lx_rpc_req *r, const char *m, long code)
{
	if (!strcmp(r->method, "eth_call") &&
	    (code == 3 || strcasestr(m, "execution reverted") || strcasestr(m, "vm exception") ||
	     !strncasecmp(m, "revert", 6))) {
		r->reverted = true;
		return -1;
	}
	if (code == -32600 || code == -32601 || code == -32602)
		return -1;
	return 1;
}

/*
 * The answer to a JSON-RPC batch (lx_rpc_batch_decode: every id once, matched in any order).
 * Entries that are errors of the node, or fail a caller's check, make the whole batch a bad
 * answer, retried as a whole; an entry the request itself caused (a revert, invalid params)
 * fails only its request. A batch the node refused as such (an error in place of the array,
 * an HTTP 4xx) is final here with j->refused set: lx_rpc_batch sends it again, smaller.
 * Returns 0, >0 (retry) or <0 (final).
 */
static int judge_batch(struct lx_rpc *c, struct job *j, long status, const char *url)
{
	struct lx_rpc_req *r = j->req;
	if (status >= 400) {
		c->st.err_http++;
		j->refused = true;
		lx_error_setd(&r->err, LX_EHTTP, status, "rpc: %s: HTTP %ld for a batch of %zu %s",
			      url, status, j->nb, r->method);
		return -1;
	}
	struct lx_rpc_batch_entry *e = calloc(j->nb, sizeof(*e));
	if (!e) {
		lx_error_set(&r->err, LX_ENOMEM, "rpc: out of memory");
		return 1;
	}
	json_t *doc;
	bool refused;
	struct lx_error de;
	lx_error_clear(&de);
	if (lx_rpc_batch_decode(&doc, e, &refused, &j->culprit, j->resp ? j->resp : "",
				j->resp_len, j->id0, j->nb, &de)) {
		free(e);
		c->st.err_badresp++;
		r->err = de;
		lx_error_prefix(&r->err, "rpc: %s: bad answer to a batch of %zu %s", url, j->nb,
				r->method);
		if (refused) {
			j->refused = true;
			return -1;
		}
		return 1;
	}
	int v = 0;
	for (size_t k = 0; k < j->nb && !v; k++) {
		struct lx_rpc_req *q = &j->req[k];
		if (e[k].error) {
			const json_t *mj = json_object_get(e[k].error, "message");
			const char *m = json_is_string(mj) ? json_string_value(mj) : "(no message)";
			long code = (long)json_integer_value(json_object_get(e[k].error, "code"));
			q->rc = lx_error_setd(&q->err, LX_ERPC, code, "rpc: %s: %s failed: %s (code %ld)",
					      url, q->method, m, code);
			if (is_rate_msg(m) || code == 429 || rpc_error_kind(q, m, code) > 0) {
				c->st.err_rpc++;
				r->err = q->err;
				lx_error_prefix(&r->err, "batch entry id %llu",
						(unsigned long long)(j->id0 + k));
				j->culprit = k;
				v = 1;
			}
		} else if (q->check && q->check(q, e[k].result, q->check_ctx, &q->err)) {
			lx_error_prefix(&q->err, "rpc: %s: bad answer to %s (batch entry id %llu)", url,
					q->method, (unsigned long long)(j->id0 + k));
			r->err = q->err;
			j->culprit = k;
			v = 1;
		} else {
			q->result = json_incref((json_t *)e[k].result);
			q->rc = 0;
			lx_error_clear(&q->err);
		}
	}
	json_decref(doc);
	free(e);
	if (v) {
		c->st.err_badresp++;
		/* nothing of a bad answer is kept */
		struct lx_error keep = r->err;
		for (size_t k = 0; k < j->nb; k++) {
			json_decref(j->req[k].result);
			j->req[k].result = NULL;
			j->req[k].rc = 0;
			j->req[k].reverted = false;
		}
		r->err = keep;
	}
	return v;
}

/* Judges how a transfer ended (curl's code, 429, 5xx): >0 retry, <0 final error, 0 when the
 * body is to be judged. */
static int judge_transfer(struct lx_rpc *c, struct job *j, CURLcode cc, long status)
{
	struct lx_rpc_req *r = j->req;
	const char *url = c->ep[j->ep].url;
	if (cc != CURLE_OK) {
		if (cc == CURLE_OPERATION_TIMEDOUT) {
			c->st.err_timeout++;
			lx_error_setd(&r->err, LX_ETIMEOUT, cc, "rpc: %s: %s timed out after %ld ms",
				      url, r->method, c->o.timeout_ms);
		} else if (cc == CURLE_FILESIZE_EXCEEDED || (cc == CURLE_WRITE_ERROR && j->too_big)) {
			/* too many logs is a range problem the caller solves by splitting; any other
			 * oversized answer (a decompression bomb) is a bad answer, retried */
			c->st.err_badresp++;
			lx_error_setd(&r->err, LX_ERANGE, cc,
				      "rpc: %s: %s answer larger than %zu bytes (decoded)", url,
				      r->method, c->o.max_response);
			return !strcmp(r->method, "eth_getLogs") && j->nb == 1 ? -1 : 1;
		} else {
			c->st.err_transport++;
			lx_error_setd(&r->err, LX_ETRANSPORT, cc, "cannot reach %s: %s", url,
				      curl_easy_strerror(cc));
		}
		return 1;
	}
	if (status == 429) {
		c->st.err_ratelimit++;
		lx_error_setd(&r->err, LX_ERATELIMIT, status, "rpc: %s: rate limited (HTTP 429)", url);
		return 1;
	}
	if (status >= 500) {
		c->st.err_http++;
		lx_error_setd(&r->err, LX_EHTTP, status, "rpc: %s: HTTP %ld for %s", url, status,
			      r->method);
		return 1;
	}
	return 0;
}

/* Judges a JSON-RPC error object e of request r: >0 retry, <0 final. */
static int judge_error(struct lx_rpc *c, struct lx_rpc_req *r, const json_t *e, const char *url)
{
	json_t *code = json_object_get(e, "code"), *msg = json_object_get(e, "message");
	const char *m = json_is_string(msg) ? json_string_value(msg) : "(no message)";
	long k = json_is_integer(code) ? (long)json_integer_value(code) : 0;
	c->st.err_rpc++;
	if (is_rate_msg(m) || k == 429) {
		lx_error_setd(&r->err, LX_ERATELIMIT, k, "rpc: %s: %s", url, m);
		return 1;
	}
	if (!strcmp(r->method, "eth_getLogs") && is_range_msg(m)) {
		lx_error_setd(&r->err, LX_ERANGE, k, "rpc: %s: eth_getLogs refused: %s", url, m);
		parse_suggestion(r, m);
		return -1;
	}
	char *p = r->params ? json_dumps(r->params, JSON_COMPACT) : NULL;
	lx_error_setd(&r->err, LX_ERPC, k, "rpc: %s: %s(%.200s) failed: %s (code %ld)", url,
		      r->method, p ? p : "", m, k);
	free(p);
	return rpc_error_kind(r, m, k);
}

/* Judges a streamed eth_getLogs answer (see lx_rpc_req.logs): as judge, and a failure leaves
 * the caller's set as it was before the answer. */
static int judge_stream(struct lx_rpc *c, struct job *j, CURLcode cc, long status)
{
	struct lx_rpc_req *r = j->req;
	const char *url = c->ep[j->ep].url;
	json_t *rpcerr = NULL;
	struct lx_error serr;
	int src = lx_logstream_finish(&j->ls, &rpcerr, &serr);
	lx_logstream_release(&j->ls);
	j->streaming = false;
	/* a body the reader refused stopped the transfer: judge it as a whole answer */
	int v = judge_transfer(c, j, cc == CURLE_WRITE_ERROR && j->bad_body ? CURLE_OK : cc,
			       status);
	if (v == 0 && src) {
		c->st.err_badresp++;
		if (status >= 400) {
			lx_error_setd(&r->err, LX_EHTTP, status, "rpc: %s: HTTP %ld for %s", url,
				      status, r->method);
			v = -1;
		} else {
			r->err = serr;
			lx_error_prefix(&r->err, "rpc: %s: bad answer to %s", url, r->method);
			v = 1;
		}
	} else if (v == 0 && rpcerr) {
		v = judge_error(c, r, rpcerr, url);
	} else if (v == 0 && status >= 400) {
		c->st.err_http++;
		lx_error_setd(&r->err, LX_EHTTP, status, "rpc: %s: HTTP %ld for %s", url, status,
			      r->method);
		v = -1;
	} else if (v == 0 && r->logs && r->check_logs &&
		   r->check_logs(r, r->logs, j->before.n, r->check_ctx, &r->err)) {
		c->st.err_badresp++;
		lx_error_prefix(&r->err, "rpc: %s: bad answer to %s", url, r->method);
		v = 1;
	}
	json_decref(rpcerr);
	if (v != 0 && r->logs)
		lx_logset_restore(r->logs, &j->before);
	if (v != 0 && r->elem && r->elem_reset)
		r->elem_reset(r->elem_ctx);
	return v;
}

/* Judges a finished transfer. Returns 0 (done, ok), >0 retry, <0 final error. */
static int judge(struct lx_rpc *c, struct job *j, CURLcode cc)
{
	struct lx_rpc_req *r = j->req;
	const char *url = c->ep[j->ep].url;
	long status = 0;
	curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
	c->st.bytes += j->resp_len;
	if (j->streaming)
		return judge_stream(c, j, cc, status);
	int v = judge_transfer(c, j, cc, status);
	if (v)
		return v;
	if (j->nb > 1)
		return judge_batch(c, j, status, url);
	json_error_t je;
	json_t *doc = j->resp ? json_loadb(j->resp, j->resp_len, 0, &je) : NULL;
	if (!doc) {
		c->st.err_badresp++;
		if (status >= 400) {
			lx_error_setd(&r->err, LX_EHTTP, status, "rpc: %s: HTTP %ld for %s", url,
				      status, r->method);
			return -1;
		}
		lx_error_set(&r->err, LX_EBADRESP, "rpc: %s: answer to %s is not JSON (%s)", url,
			     r->method, j->resp_len ? je.text : "empty body");
		return 1;
	}
	json_t *e = json_object_get(doc, "error");
	if (e && !json_is_null(e)) {
		v = judge_error(c, r, e, url);
		json_decref(doc);
		return v;
	}
	if (status >= 400) {
		c->st.err_http++;
		lx_error_setd(&r->err, LX_EHTTP, status, "rpc: %s: HTTP %ld for %s", url, status,
			      r->method);
		json_decref(doc);
		return -1;
	}
	json_t *res = json_object_get(doc, "result");
	if (!res) {
		c->st.err_badresp++;
		lx_error_set(&r->err, LX_EBADRESP, "rpc: %s: answer to %s has no result", url,
			     r->method);
		json_decref(doc);
		return 1;
	}
	if (r->check && r->check(r, res, r->check_ctx, &r->err)) {
		c->st.err_badresp++;
		lx_error_prefix(&r->err, "rpc: %s: bad answer to %s", url, r->method);
		json_decref(doc);
		return 1;
	}
	r->result = json_incref(res);
	json_decref(doc);
	return 0;
}

static void refill(struct lx_rpc *c, struct endpoint *e)
{
	if (c->o.max_rps <= 0)
		return;
	double t = now_s();
	e->tokens += (t - e->last_refill) * c->o.max_rps;
	if (e->tokens > c->o.max_rps)
		e->tokens = c->o.max_rps;
	e->last_refill = t;
}

/* A batch that failed as a whole: every request in it gets the batch's error. */
static void fail_batch(struct job *j)
{
	if (j->nb > 1 && j->culprit < j->nb)
		j->req[j->culprit].culprit = true;
	for (size_t k = 0; k < j->nb; k++) {
		struct lx_rpc_req *q = &j->req[k];
		json_decref(q->result);
		q->result = NULL;
		if (k)
			q->err = j->req[0].err;
		q->rc = q->err.code ? q->err.code : LX_ETRANSPORT;
	}
}

/*
 * Runs n requests, `per` of them to a JSON-RPC batch (1 = single requests). refused (n
 * entries, or NULL): set for each request of a batch the node refused as such, whose params
 * are then kept for the caller to send again.
 */
static int run(struct lx_rpc *c, struct lx_rpc_req *reqs, size_t n, size_t per, bool *refused)
{
	struct job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (!jobs) {
		for (size_t i = 0; i < n; i++) {
			json_decref(reqs[i].params);
			reqs[i].rc = lx_error_set(&reqs[i].err, LX_ENOMEM, "rpc: out of memory");
		}
		return LX_ENOMEM;
	}
	if (per == 0)
		per = 1;
	size_t nj = 0;
	for (size_t i = 0; i < n; i += per, nj++) {
		size_t nb = n - i < per ? n - i : per;
		jobs[nj].req = &reqs[i];
		jobs[nj].nb = nb;
		jobs[nj].id0 = c->next_id + 1;
		for (size_t k = 0; k < nb; k++) {
			struct lx_rpc_req *r = &reqs[i + k];
			r->result = NULL;
			r->rc = 0;
			lx_error_clear(&r->err);
			r->suggest_from = r->suggest_to = r->suggest_span = 0;
			r->reverted = false;
			r->culprit = false;
		}
		jobs[nj].culprit = nb;
		c->next_id += nb;
		jobs[nj].body = lx_rpc_encode(&reqs[i], nb, jobs[nj].id0, &jobs[nj].body_len);
		if (!jobs[nj].body) {
			for (size_t k = 0; k < nb; k++)
				reqs[i + k].rc = lx_error_set(&reqs[i + k].err, LX_ENOMEM,
							      "rpc: cannot encode %s", reqs[i + k].method);
			jobs[nj].done = true;
		}
	}
	size_t left = 0;
	for (size_t i = 0; i < nj; i++)
		left += !jobs[i].done;
	int active = 0;
	while (left) {
		double t = now_s();
		double wake = t + 1;
		for (size_t i = 0; i < nj; i++) {
			struct job *j = &jobs[i];
			if (j->done || j->active)
				continue;
			if (active >= c->o.max_inflight) {
				/* ready but no room: look again as soon as a transfer ends */
				if (j->not_before <= t)
					wake = t;
				continue;
			}
			if (j->not_before > t) {
				if (j->not_before < wake)
					wake = j->not_before;
				continue;
			}
			struct endpoint *e = &c->ep[j->ep];
			refill(c, e);
			if (c->o.max_rps > 0 && e->tokens < 1) {
				double w = t + (1 - e->tokens) / c->o.max_rps;
				if (w < wake)
					wake = w;
				continue;
			}
			if (c->o.max_rps > 0)
				e->tokens -= 1;
			if (start(c, j)) {
				j->req->rc = lx_error_set(&j->req->err, LX_ENOMEM, "rpc: out of memory");
				j->done = true;
				left--;
				continue;
			}
			active++;
		}
		int running = 0;
		curl_multi_perform(c->multi, &running);
		CURLMsg *m;
		int q;
		while ((m = curl_multi_info_read(c->multi, &q))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct job *j;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			CURLcode cc = m->data.result;
			curl_multi_remove_handle(c->multi, m->easy_handle);
			int v = judge(c, j, cc);
			give_handle(c, j->h);
			j->h = NULL;
			j->active = false;
			active--;
			if (v == 0 || v < 0) {
				if (j->nb == 1)
					j->req->rc = v == 0 ? 0 : j->req->err.code;
				else if (v < 0)
					fail_batch(j);
				if (j->refused) {
					c->st.batch_refused++;
					for (size_t k = 0; refused && k < j->nb; k++)
						refused[(size_t)(j->req - reqs) + k] = true;
				}
				j->done = true;
				left--;
				continue;
			}
			/* retry: backoff with full jitter, at least Retry-After */
			c->st.retries++;
			j->tries++;
			if (j->tries > c->o.max_retries) {
				if ((size_t)j->ep + 1 < c->o.n_urls) {
					j->ep++;
					j->tries = 0;
					c->st.failovers++;
				} else {
					lx_error_prefix(&j->req->err, "giving up after %d tries",
							j->tries);
					j->req->rc = j->req->err.code;
					fail_batch(j);
					j->done = true;
					left--;
					continue;
				}
			}
			double cap = (double)c->o.backoff_ms * pow(2, j->tries - 1);
			if (cap > (double)c->o.backoff_max_ms)
				cap = (double)c->o.backoff_max_ms;
			double d = cap / 2 + (double)(rnd(c) % 1000) / 1000.0 * cap / 2;
			if (j->retry_after_ms >= 0 && d < (double)j->retry_after_ms)
				d = (double)j->retry_after_ms;
			j->not_before = now_s() + d / 1000.0;
			/* wake for it: `wake` was computed before this retry was planned */
			if (j->not_before < wake)
				wake = j->not_before;
		}
		if (!left)
			break;
		if (active > 0) {
			int numfds;
			double w = (wake - now_s()) * 1000;
			int ms = w < 1 ? 1 : w > 100 ? 100 : (int)w;
			curl_multi_poll(c->multi, NULL, 0, ms, &numfds);
		} else {
			double w = wake - now_s();
			if (w > 0) {
				struct timespec ts = {(time_t)w, (long)((w - (double)(time_t)w) * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
	}
	int first = 0;
	for (size_t i = 0; i < nj; i++) {
		free(jobs[i].body);
		free(jobs[i].resp);
		curl_slist_free_all(jobs[i].hdr);
	}
	for (size_t i = 0; i < n; i++) {
		if (refused && refused[i])
			continue; /* sent again by the caller */
		json_decref(reqs[i].params);
		reqs[i].params = NULL;
		if (!first && reqs[i].rc)
			first = reqs[i].rc;
	}
	free(jobs);
	return first;
}

int lx_rpc_run(struct lx_rpc *c, struct lx_rpc_req *reqs, size_t n)
{
	return run(c, reqs, n, 1, NULL);
}

size_t lx_rpc_batch_size(const struct lx_rpc *c)
{
	return c->batch_now;
}

int lx_rpc_batch(struct lx_rpc *c, struct lx_rpc_req *reqs, size_t n, size_t per_batch)
{
	if (per_batch == 0 || per_batch > c->batch_now)
		per_batch = c->batch_now;
	for (size_t i = 0; i < n; i++)
		if (reqs[i].logs || reqs[i].elem)
			per_batch = 1; /* streamed answers are never batched */
	bool *refused = per_batch > 1 && n > 1 ? calloc(n, sizeof(*refused)) : NULL;
	if (!refused)
		per_batch = 1;
	run(c, reqs, n, per_batch, refused);
	/* what the node refused goes again in batches half the size, down to single requests
	 * (which it cannot refuse as batches); the client keeps the size that it took */
	for (bool again = refused != NULL; again;) {
		again = false;
		per_batch = per_batch > 1 ? per_batch / 2 : 1;
		if (per_batch < c->batch_now)
			c->batch_now = per_batch;
		for (size_t a = 0; a < n;) {
			if (!refused[a]) {
				a++;
				continue;
			}
			size_t b = a;
			while (b < n && refused[b])
				refused[b++] = false;
			run(c, reqs + a, b - a, per_batch, refused + a);
			for (size_t k = a; k < b; k++)
				again = again || refused[k];
			a = b;
		}
	}
	free(refused);
	int first = 0;
	for (size_t i = 0; i < n && !first; i++)
		first = reqs[i].rc;
	return first;
}

int lx_rpc_call(struct lx_rpc *c, const char *method, json_t *params, json_t **result,
		struct lx_error *err)
{
	struct lx_rpc_req r = {0};
	r.method = method;
	r.params = params;
	*result = NULL;
	int rc = lx_rpc_run(c, &r, 1);
	if (rc) {
		if (err)
			*err = r.err;
		return rc;
	}
	*result = r.result;
	return 0;
}

static int quantity(const json_t *v, uint64_t *out, const char *what, struct lx_error *err)
{
	if (!json_is_string(v) ||
	    lx_hex_u64(out, json_string_value(v), json_string_length(v)) != 0)
		return lx_error_set(err, LX_EBADRESP, "rpc: %s is not a hex quantity", what);
	return 0;
}

int lx_rpc_chain_id(struct lx_rpc *c, uint64_t *out, struct lx_error *err)
{
	json_t *r;
	*out = 0;
	int rc = lx_rpc_call(c, "eth_chainId", json_array(), &r, err);
	if (rc)
		return rc;
	rc = quantity(r, out, "eth_chainId result", err);
	json_decref(r);
	return rc;
}

int lx_rpc_block_number(struct lx_rpc *c, uint64_t *out, struct lx_error *err)
{
	json_t *r;
	*out = 0;
	int rc = lx_rpc_call(c, "eth_blockNumber", json_array(), &r, err);
	if (rc)
		return rc;
	rc = quantity(r, out, "eth_blockNumber result", err);
	json_decref(r);
	return rc;
}

int lx_rpc_client_version(struct lx_rpc *c, char *buf, size_t cap, struct lx_error *err)
{
	json_t *r;
	buf[0] = 0;
	int rc = lx_rpc_call(c, "web3_clientVersion", json_array(), &r, err);
	if (rc)
		return rc;
	if (!json_is_string(r))
		rc = lx_error_set(err, LX_EBADRESP, "rpc: web3_clientVersion is not a string");
	else
		snprintf(buf, cap, "%s", json_string_value(r));
	json_decref(r);
	return rc;
}

static int hash32(const json_t *v, uint8_t out[32], const char *what, struct lx_error *err)
{
	size_t n;
	if (!json_is_string(v) ||
	    lx_hex_decode(out, 32, &n, json_string_value(v), json_string_length(v)) || n != 32)
		return lx_error_set(err, LX_EBADRESP, "rpc: %s is not a 32-byte hash", what);
	return 0;
}

int lx_rpc_parse_block(const json_t *b, struct lx_block_ref *out, struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(b))
		return lx_error_set(err, LX_EBADRESP, "rpc: block is missing (not yet mined?)");
	int rc;
	if ((rc = quantity(json_object_get(b, "number"), &out->number, "block.number", err)) ||
	    (rc = hash32(json_object_get(b, "hash"), out->hash, "block.hash", err)) ||
	    (rc = hash32(json_object_get(b, "parentHash"), out->parent, "block.parentHash", err)) ||
	    (rc = quantity(json_object_get(b, "timestamp"), &out->timestamp, "block.timestamp",
			   err)))
		return rc;
	return 0;
}

static json_t *hexq(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
	return json_string(b);
}

json_t *lx_rpc_block_params(uint64_t number)
{
	return json_pack("[o,b]", hexq(number), 0);
}

json_t *lx_rpc_logs_params(const struct lx_filter *f, uint64_t from, uint64_t to)
{
	json_t *addr = json_array(), *t0 = json_array();
	char b[80];
	for (size_t i = 0; i < f->n_addr; i++) {
		lx_addr_lower(b, &f->addr[i]);
		json_array_append_new(addr, json_string(b));
	}
	for (size_t i = 0; i < f->n_topic0; i++) {
		lx_hex_encode(b, sizeof(b), f->topic0[i], 32);
		json_array_append_new(t0, json_string(b));
	}
	return json_pack("[{s:o,s:o,s:o,s:[o]}]", "fromBlock", hexq(from), "toBlock", hexq(to),
			 "address", addr, "topics", t0);
}

json_t *lx_rpc_call_params(const struct lx_addr *to, const uint8_t *data, size_t len,
			   uint64_t block)
{
	char a[LX_ADDR_STRLEN];
	lx_addr_lower(a, to);
	char *d = malloc(2 * len + 3);
	if (!d)
		return NULL;
	lx_hex_encode(d, 2 * len + 3, data, len);
	json_t *p = json_pack("[{s:s,s:s},o]", "to", a, "data", d, hexq(block));
	free(d);
	return p;
}

json_t *lx_rpc_storage_params(const struct lx_addr *addr, const uint8_t slot[32],
			      uint64_t block)
{
	char a[LX_ADDR_STRLEN], sl[67];
	lx_addr_lower(a, addr);
	lx_hex_encode(sl, sizeof(sl), slot, 32);
	return json_pack("[s,s,o]", a, sl, hexq(block));
}

json_t *lx_rpc_code_params(const struct lx_addr *addr, uint64_t block)
{
	char a[LX_ADDR_STRLEN];
	lx_addr_lower(a, addr);
	return json_pack("[s,o]", a, hexq(block));
}

int lx_rpc_parse_bytes(const json_t *res, uint8_t **out, size_t *len, struct lx_error *err)
{
	*out = NULL;
	*len = 0;
	if (!json_is_string(res))
		return lx_error_set(err, LX_EBADRESP, "rpc: eth_call result is not a string");
	size_t sl = json_string_length(res);
	uint8_t *b = malloc(sl / 2 + 1);
	if (!b)
		return lx_error_set(err, LX_ENOMEM, "rpc: out of memory");
	if (lx_hex_decode(b, sl / 2 + 1, len, json_string_value(res), sl)) {
		free(b);
		return lx_error_set(err, LX_EBADRESP, "rpc: eth_call result is not hex");
	}
	*out = b;
	return 0;
}

void lx_logset_init(struct lx_logset *s)
{
	memset(s, 0, sizeof(*s));
	s->have_timestamps = true;
	s->have_hashes = true;
}

void lx_logset_release(struct lx_logset *s)
{
	free(s->logs);
	free(s->off);
	free(s->arena);
	memset(s, 0, sizeof(*s));
}

static int log_err(struct lx_error *err, size_t i, const char *field)
{
	return lx_error_set(err, LX_EBADRESP, "rpc: eth_getLogs log #%zu: bad or missing '%s'", i,
			    field);
}

int lx_logset_append(struct lx_logset *s, const json_t *arr, struct lx_error *err)
{
	if (!json_is_array(arr))
		return lx_error_set(err, LX_EBADRESP, "rpc: eth_getLogs result is not an array");
	size_t n = json_array_size(arr);
	if (s->n + n > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->n + n)
			cap *= 2;
		struct lx_log *l = realloc(s->logs, cap * sizeof(*l));
		if (!l)
			return lx_error_set(err, LX_ENOMEM, "rpc: out of memory");
		s->logs = l;
		size_t *o = realloc(s->off, cap * sizeof(*o));
		if (!o)
			return lx_error_set(err, LX_ENOMEM, "rpc: out of memory");
		s->off = o;
		s->cap = cap;
	}
	int rc = 0;
	size_t base = s->n;
	for (size_t i = 0; i < n && !rc; i++) {
		const json_t *o = json_array_get(arr, i);
		struct lx_log *l = &s->logs[s->n];
		memset(l, 0, sizeof(*l));
		if (!json_is_object(o)) {
			rc = log_err(err, base + i, "(object)");
			break;
		}
		json_t *rm = json_object_get(o, "removed");
		if (json_is_true(rm))
			continue;
		uint64_t v;
		const json_t *f;
		if (quantity(json_object_get(o, "blockNumber"), &l->block, "x", err)) {
			rc = log_err(err, base + i, "blockNumber");
			break;
		}
		if (quantity(json_object_get(o, "logIndex"), &v, "x", err) || v > UINT32_MAX) {
			rc = log_err(err, base + i, "logIndex");
			break;
		}
		l->log_index = (uint32_t)v;
		if ((f = json_object_get(o, "transactionIndex")) && !quantity(f, &v, "x", err))
			l->tx_index = (uint32_t)v;
		if (hash32(json_object_get(o, "transactionHash"), l->tx, "x", err)) {
			rc = log_err(err, base + i, "transactionHash");
			break;
		}
		f = json_object_get(o, "blockHash");
		if (f && !json_is_null(f)) {
			if (hash32(f, l->block_hash, "x", err)) {
				rc = log_err(err, base + i, "blockHash");
				break;
			}
		} else {
			s->have_hashes = false;
		}
		f = json_object_get(o, "blockTimestamp");
		if (f && !quantity(f, &v, "x", err))
			l->timestamp = v;
		else
			s->have_timestamps = false;
		struct lx_error ae;
		f = json_object_get(o, "address");
		if (!json_is_string(f) || lx_addr_parse(&l->address, json_string_value(f), &ae)) {
			rc = log_err(err, base + i, "address");
			break;
		}
		f = json_object_get(o, "topics");
		if (!json_is_array(f) || json_array_size(f) > 4) {
			rc = log_err(err, base + i, "topics");
			break;
		}
		l->n_topics = (uint8_t)json_array_size(f);
		for (size_t k = 0; k < l->n_topics && !rc; k++)
			if (hash32(json_array_get(f, k), l->topics[k], "x", err))
				rc = log_err(err, base + i, "topics");
		if (rc)
			break;
		f = json_object_get(o, "data");
		if (!json_is_string(f)) {
			rc = log_err(err, base + i, "data");
			break;
		}
		size_t sl = json_string_length(f), need = sl / 2;
		if (s->arena_len + need > s->arena_cap) {
			size_t cap = s->arena_cap ? s->arena_cap : 65536;
			while (cap < s->arena_len + need)
				cap *= 2;
			uint8_t *a = realloc(s->arena, cap);
			if (!a) {
				rc = lx_error_set(err, LX_ENOMEM, "rpc: out of memory");
				break;
			}
			s->arena = a;
			s->arena_cap = cap;
		}
		size_t got = 0;
		if (lx_hex_decode(s->arena + s->arena_len, need, &got, json_string_value(f), sl)) {
			rc = log_err(err, base + i, "data");
			break;
		}
		s->off[s->n] = s->arena_len;
		l->data_len = got;
		s->arena_len += got;
		s->n++;
	}
	/* the arena may have moved: point every log at its data again */
	static const uint8_t empty[1];
	for (size_t i = 0; i < s->n; i++)
		s->logs[i].data = s->arena ? s->arena + s->off[i] : empty;
	return rc;
}
