/*
 * fuzz_rcpt.c: libFuzzer target for the receipts text reader (lx_rcptset_add_text), which reads
 * the receipts of eth_getBlockReceipts answers for `sync --verify`. The input is one receipt's
 * text. Beyond not crashing: whatever the reader accepts, jansson (json_loadb, then
 * lx_rcptset_add_json) accepts too with the same encoding, logs and `from`; a refused receipt
 * leaves the set as it was (a receipt read before it stays, byte for byte).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/proto.h"
#include "lendex/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

static const char first[] =
	"{\"status\":\"0x1\",\"cumulativeGasUsed\":\"0x1\",\"logsBloom\":\"0x"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000\","
	"\"logs\":[{\"address\":\"0x0000000000000000000000000000000000000001\",\"topics\":[],"
	"\"data\":\"0xab\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	const char *t = (const char *)in;
	struct lx_rcptset a, b;
	lx_rcptset_init(&a);
	lx_rcptset_init(&b);
	/* a receipt already in the set: a refused one must leave it as it was */
	if (lx_rcptset_add_text(&a, first, strlen(first), NULL))
		abort();
	size_t enc = a.enc.len, nlogs = a.nlogs, arena = a.arena_len;
	int rc = lx_rcptset_add_text(&a, t, len, NULL);
	if (rc) {
		if (a.n != 1 || a.enc.len != enc || a.nlogs != nlogs || a.arena_len != arena)
			abort();
	} else {
		json_t *v = json_loadb(t, len, 0, NULL);
		if (!v || lx_rcptset_add_json(&b, v, NULL) || b.n != 1)
			abort();
		json_decref(v);
		const struct lx_rcpt *x = &a.r[1], *y = &b.r[0];
		if (x->enc_len != y->enc_len || x->nlogs != y->nlogs ||
		    x->from_state != y->from_state ||
		    memcmp(a.enc.p + x->enc_off, b.enc.p + y->enc_off, x->enc_len) ||
		    (x->from_state == 1 && !lx_addr_eq(&x->from, &y->from)))
			abort();
		for (size_t i = 0; i < x->nlogs; i++) {
			struct lx_log p, q;
			lx_rcptset_log(&a, x->log0 + i, &p);
			lx_rcptset_log(&b, y->log0 + i, &q);
			if (!lx_addr_eq(&p.address, &q.address) || p.n_topics != q.n_topics ||
			    memcmp(p.topics, q.topics, 32u * p.n_topics) || p.data_len != q.data_len ||
			    (p.data_len && memcmp(p.data, q.data, p.data_len)))
				abort();
		}
		uint8_t root[32];
		if (lx_rcptset_root(root, &a, NULL))
			abort();
	}
	lx_rcptset_release(&a);
	lx_rcptset_release(&b);
	return 0;
}
