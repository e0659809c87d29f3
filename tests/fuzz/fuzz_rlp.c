/*
 * fuzz_rlp.c: libFuzzer target for the strict RLP decoder, which reads bytes a node could have
 * forged. Whatever parses must be canonical, so re-encoding the decoded tree gives back the
 * input byte for byte; every string must read as an integer or be refused cleanly; a refused
 * input must leave a message naming an offset. The same bytes as a trie value set must give a
 * root without tripping a sanitizer. Any broken property traps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/rlp.h"

#define CHECK(x)                         \
	do {                             \
		if (!(x))                \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

static void reencode(struct lx_rlp_buf *b, const struct lx_rlp_item *it, const uint8_t *base,
		     size_t len)
{
	if (!it->list) {
		uint64_t v;
		int rc = lx_rlp_u64(&v, it, NULL);
		CHECK(rc == 0 || rc == LX_ERLP);
		if (!rc) {
			struct lx_rlp_buf t;
			lx_rlp_buf_init(&t, 0);
			CHECK(lx_rlp_put_u64(&t, v) == 0);
			CHECK(t.len == it->end - it->off && !memcmp(t.p, base + it->off, t.len));
			lx_rlp_buf_release(&t);
		}
		CHECK(lx_rlp_put_bytes(b, it->p, it->len) == 0);
		return;
	}
	size_t m = lx_rlp_list_begin(b), cur = 0;
	struct lx_rlp_item c;
	int rc;
	while ((rc = lx_rlp_list_next(it, base, len, &cur, &c, NULL)) == 1)
		reencode(b, &c, base, len);
	CHECK(rc == 0);
	CHECK(lx_rlp_list_end(b, m) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct lx_rlp_item it;
	struct lx_error e;
	lx_error_clear(&e);
	int rc = lx_rlp_parse(&it, in, len, &e);
	if (rc) {
		CHECK(rc == LX_ERLP && strstr(e.msg, "offset") && it.p == NULL);
	} else {
		CHECK(it.off == 0 && it.end == len);
		struct lx_rlp_buf b;
		lx_rlp_buf_init(&b, 0);
		reencode(&b, &it, in, len);
		CHECK(b.len == len && !memcmp(b.p, in, len));
		lx_rlp_buf_release(&b);
	}
	/* the input cut into items of a list trie (values must be non-empty) */
	const uint8_t *items[16];
	size_t lens[16], n = 0;
	for (size_t off = 0; off < len && n < 16; n++) {
		size_t k = 1 + in[off] % 40;
		if (k > len - off)
			k = len - off;
		items[n] = in + off;
		lens[n] = k;
		off += k;
	}
	uint8_t root[32];
	CHECK(lx_trie_list_root(root, items, lens, n, NULL) == 0);
	return 0;
}
