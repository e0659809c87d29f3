/*
 * batch.c: the JSON-RPC batch codec (rpc.h), pure — no I/O, no globals — so the decoder of
 * untrusted answers can be unit-tested and fuzzed alone. rpc.c sends what lx_rpc_encode
 * writes and judges each answer through lx_rpc_batch_decode: only an answer that gives every
 * id asked for exactly once, each with a result or an error object, is read at all; anything
 * else is a bad answer (retried whole) or, when the node says no to the batch itself, a
 * refusal (rpc.c then sends the requests in smaller batches, down to one at a time).
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/rpc.h"

char *lx_rpc_encode(const struct lx_rpc_req *reqs, size_t n, uint64_t id0, size_t *len)
{
	*len = 0;
	if (n == 0)
		return NULL;
	json_t *arr = n > 1 ? json_array() : NULL, *one = NULL;
	if (n > 1 && !arr)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		const struct lx_rpc_req *r = &reqs[k];
		json_t *params = r->params ? json_incref(r->params) : json_array();
		one = params ? json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0", "id",
					 (json_int_t)(id0 + k), "method", r->method, "params",
					 params)
			     : NULL;
		if (!one || (arr && json_array_append_new(arr, one))) {
			json_decref(arr);
			return NULL;
		}
	}
	json_t *doc = arr ? arr : one;
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (s)
		*len = strlen(s);
	return s;
}

/* A member that is present and not null. */
static const json_t *member(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return v && !json_is_null(v) ? v : NULL;
}

int lx_rpc_batch_decode(json_t **doc, struct lx_rpc_batch_entry *out, bool *refused,
			size_t *culprit, const char *body, size_t len, uint64_t id0, size_t n,
			struct lx_error *err)
{
	*doc = NULL;
	*refused = false;
	*culprit = n;
	if (n == 0)
		return lx_error_set(err, LX_EINVAL, "rpc: batch of no requests");
	memset(out, 0, n * sizeof(*out));
	json_error_t je;
	json_t *d = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!d)
		return lx_error_set(err, LX_EBADRESP, "batch answer is not JSON (%s)",
				    len ? je.text : "empty body");
	if (json_is_object(d) && member(d, "error")) {
		/* one error for the whole batch: "batch too large", "batch requests not supported" */
		const json_t *m = json_object_get(member(d, "error"), "message");
		*refused = true;
		lx_error_set(err, LX_EBADRESP, "the node refused a batch of %zu: %s", n,
			     json_is_string(m) ? json_string_value(m) : "(no message)");
		json_decref(d);
		return LX_EBADRESP;
	}
	if (!json_is_array(d)) {
		json_decref(d);
		return lx_error_set(err, LX_EBADRESP, "batch answer is not an array");
	}
	int rc = 0;
	size_t i, seen = 0;
	json_t *el;
	json_array_foreach(d, i, el)
	{
		if (!json_is_object(el)) {
			rc = lx_error_set(err, LX_EBADRESP, "batch answer entry %zu is not an object", i);
			break;
		}
		const json_t *idj = json_object_get(el, "id"), *res = json_object_get(el, "result");
		const json_t *er = member(el, "error");
		if ((!idj || json_is_null(idj)) && er) {
			/* an error the node could not tie to a request: it refused the batch */
			const json_t *m = json_object_get(er, "message");
			*refused = true;
			rc = lx_error_set(err, LX_EBADRESP, "the node refused a batch of %zu: %s", n,
					  json_is_string(m) ? json_string_value(m)
							    : "(no message)");
			break;
		}
		if (!json_is_integer(idj) || json_integer_value(idj) < 0 ||
		    (uint64_t)json_integer_value(idj) - id0 >= n) {
			char *t = idj ? json_dumps(idj, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
			rc = lx_error_set(err, LX_EBADRESP,
					  "batch answer entry %zu has id %.40s, not one asked for "
					  "(%llu..%llu)",
					  i, t ? t : "(none)", (unsigned long long)id0,
					  (unsigned long long)(id0 + n - 1));
			free(t);
			break;
		}
		size_t k = (size_t)((uint64_t)json_integer_value(idj) - id0);
		*culprit = k;
		if (out[k].result || out[k].error) {
			rc = lx_error_set(err, LX_EBADRESP, "batch answer repeats id %llu",
					  (unsigned long long)(id0 + k));
			break;
		}
		if (er && !json_is_object(er)) {
			rc = lx_error_set(err, LX_EBADRESP, "batch answer for id %llu has an error "
							    "that is not an object",
					  (unsigned long long)(id0 + k));
			break;
		}
		if (er && res && !json_is_null(res)) {
			rc = lx_error_set(err, LX_EBADRESP,
					  "batch answer for id %llu has both a result and an error",
					  (unsigned long long)(id0 + k));
			break;
		}
		if (!er && !res) {
			rc = lx_error_set(err, LX_EBADRESP, "batch answer for id %llu has no result",
					  (unsigned long long)(id0 + k));
			break;
		}
		if (er)
			out[k].error = er;
		else
			out[k].result = res;
		seen++;
		*culprit = n;
	}
	if (!rc && seen < n) {
		size_t k = 0;
		while (k < n && (out[k].result || out[k].error))
			k++;
		*culprit = k;
		rc = lx_error_set(err, LX_EBADRESP,
				  "batch answer has %zu of the %zu ids asked for (no id %llu)", seen, n,
				  (unsigned long long)(id0 + k));
	}
	if (rc) {
		memset(out, 0, n * sizeof(*out));
		json_decref(d);
		return rc;
	}
	*doc = d;
	return 0;
}
