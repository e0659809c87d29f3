/*
 * fuzz_logstream.c: libFuzzer target for the streaming eth_getLogs reader. The input is an
 * answer; its first byte picks the chunk size it is fed in. Beyond not crashing, the reader must
 * agree with the reference reading (jansson with JSON_REJECT_DUPLICATES, then
 * lx_logset_append): both accept or both refuse, and accepted answers give the same logs.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

static int reference(const char *buf, size_t len, struct lx_logset *s, bool *rpc_error)
{
	*rpc_error = false;
	json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return LX_EBADRESP;
	}
	json_t *e = json_object_get(doc, "error");
	int rc = 0;
	if (e && !json_is_null(e))
		*rpc_error = true;
	else
		rc = lx_logset_append(s, json_object_get(doc, "result"), NULL);
	json_decref(doc);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	if (len < 1)
		return 0;
	size_t chunk = (size_t)in[0] % 17 + 1;
	const char *buf = (const char *)in + 1;
	len--;

	struct lx_logset a, b;
	lx_logset_init(&a);
	lx_logset_init(&b);
	struct lx_logstream st;
	lx_logstream_init(&st, &a, 0);
	for (size_t off = 0; off < len; off += chunk)
		if (lx_logstream_feed(&st, buf + off, len - off < chunk ? len - off : chunk))
			break;
	json_t *e = NULL;
	struct lx_error err;
	int rc = lx_logstream_finish(&st, &e, &err);
	lx_logstream_release(&st);
	bool ref_rpc_error;
	int ref = reference(buf, len, &b, &ref_rpc_error);
	if ((rc == 0) != (ref == 0) || (e != NULL) != ref_rpc_error)
		abort();
	if (rc == 0 && !e) {
		if (a.n != b.n || a.have_timestamps != b.have_timestamps)
			abort();
		for (size_t i = 0; i < a.n; i++) {
			const struct lx_log *x = &a.logs[i], *y = &b.logs[i];
			if (x->block != y->block || x->log_index != y->log_index ||
			    x->tx_index != y->tx_index || x->timestamp != y->timestamp ||
			    memcmp(x->tx, y->tx, 32) || memcmp(&x->address, &y->address, 20) ||
			    x->n_topics != y->n_topics || memcmp(x->topics, y->topics, sizeof(x->topics)) ||
			    x->data_len != y->data_len || (x->data_len && memcmp(x->data, y->data, x->data_len)))
				abort();
		}
	}
	json_decref(e);
	lx_logset_release(&a);
	lx_logset_release(&b);
	return 0;
}
