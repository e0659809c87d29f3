/*
 * fuzz_batch.c: libFuzzer target for the JSON-RPC batch-answer decoder (lx_rpc_batch_decode,
 * rpc/batch.c), which reads a node's untrusted answer to a batch of contract reads. The first
 * byte sets how many requests were asked (1..16) and the second the first id; the rest is the
 * answer. Beyond not crashing: an accepted answer is an array with exactly one entry per id
 * asked, each entry a result or an error object and never both; a refused or bad one leaves
 * nothing behind.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	if (len < 2)
		return 0;
	size_t n = (size_t)(in[0] % 16) + 1;
	uint64_t id0 = in[1];
	const char *body = (const char *)in + 2;
	len -= 2;
	struct lx_rpc_batch_entry out[16];
	json_t *doc = NULL;
	bool refused = true;
	struct lx_error e;
	size_t culprit = 99;
	int rc = lx_rpc_batch_decode(&doc, out, &refused, &culprit, body, len, id0, n, &e);
	if (culprit > n)
		abort();
	if (rc == 0) {
		if (!doc || !json_is_array(doc) || json_array_size(doc) != n || refused)
			abort();
		for (size_t k = 0; k < n; k++) {
			if ((out[k].result != NULL) == (out[k].error != NULL))
				abort();
			if (out[k].error && !json_is_object(out[k].error))
				abort();
		}
		/* each entry's id is the one it was filed under */
		for (size_t i = 0; i < n; i++) {
			json_t *el = json_array_get(doc, i);
			json_int_t id = json_integer_value(json_object_get(el, "id"));
			size_t k = (size_t)((uint64_t)id - id0);
			if (k >= n)
				abort();
			const json_t *want = json_object_get(el, "error");
			if (want && !json_is_null(want) ? out[k].error != want
							: out[k].result != json_object_get(el, "result"))
				abort();
		}
		json_decref(doc);
		return 0;
	}
	if (rc != LX_EBADRESP || doc || e.code != LX_EBADRESP || !e.msg[0])
		abort();
	for (size_t k = 0; k < n; k++)
		if (out[k].result || out[k].error)
			abort();
	return 0;
}
