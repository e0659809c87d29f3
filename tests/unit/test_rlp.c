/*
 * test_rlp.c: the RLP codec and the Merkle-Patricia trie root against the published vectors of
 * ethereum/tests (RLPTests and TrieTests, copied as data into fixtures/verify/ethereum-tests.json):
 * every valid vector encodes to its bytes and decodes back to the same structure, every invalid
 * one is refused with an offset in the message; every trie vector gives its root. Plus the edge
 * cases: nesting bound, integer rules, buffer cap, misuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lendex/hex.h"
#include "lendex/rlp.h"

static json_t *vectors(void)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/fixtures/verify/ethereum-tests.json", LX_SOURCE_DIR);
	json_error_t je;
	json_t *v = json_load_file(p, JSON_ALLOW_NUL, &je);
	assert_non_null(v);
	return v;
}

/* Decimal text to minimal big-endian bytes (up to 64 bytes). */
static size_t dec_to_be(uint8_t out[64], const char *s)
{
	uint8_t t[64] = { 0 };
	for (; *s; s++) {
		unsigned carry = (unsigned)(*s - '0');
		for (int i = 63; i >= 0; i--) {
			unsigned v = t[i] * 10u + carry;
			t[i] = (uint8_t)v;
			carry = v >> 8;
		}
		assert_int_equal(carry, 0);
	}
	size_t k = 0;
	while (k < 64 && !t[k])
		k++;
	memcpy(out, t + k, 64 - k);
	return 64 - k;
}

/* Encodes a vector's "in" as the published tests define it. */
static void encode_in(struct lx_rlp_buf *b, const json_t *in)
{
	if (json_is_array(in)) {
		size_t m = lx_rlp_list_begin(b), i;
		json_t *e;
		json_array_foreach(in, i, e)
			encode_in(b, e);
		assert_int_equal(lx_rlp_list_end(b, m), 0);
	} else if (json_is_integer(in)) {
		assert_int_equal(lx_rlp_put_u64(b, (uint64_t)json_integer_value(in)), 0);
	} else {
		const char *s = json_string_value(in);
		assert_non_null(s);
		if (s[0] == '#') {
			uint8_t be[64];
			size_t n = dec_to_be(be, s + 1);
			assert_int_equal(lx_rlp_put_bytes(b, be, n), 0);
		} else {
			assert_int_equal(lx_rlp_put_bytes(b, (const uint8_t *)s, json_string_length(in)),
					 0);
		}
	}
}

/* Re-encodes a decoded item from its parts (checks the decoder kept every boundary). */
static void reencode(struct lx_rlp_buf *b, const struct lx_rlp_item *it, const uint8_t *base,
		     size_t len)
{
	if (!it->list) {
		assert_int_equal(lx_rlp_put_bytes(b, it->p, it->len), 0);
		return;
	}
	size_t m = lx_rlp_list_begin(b), cur = 0;
	struct lx_rlp_item c;
	int rc;
	while ((rc = lx_rlp_list_next(it, base, len, &cur, &c, NULL)) == 1)
		reencode(b, &c, base, len);
	assert_int_equal(rc, 0);
	assert_int_equal(lx_rlp_list_end(b, m), 0);
}

static size_t unhex(uint8_t *out, size_t cap, const char *s)
{
	size_t n = 0;
	assert_int_equal(lx_hex_decode(out, cap, &n, s, strlen(s)), 0);
	return n;
}

static void test_valid_vectors(void **st)
{
	(void)st;
	json_t *v = vectors();
	json_t *set = json_object_get(v, "rlp_valid"), *t;
	const char *name;
	size_t count = 0;
	static uint8_t want[4096];
	json_object_foreach(set, name, t) {
		size_t wn = unhex(want, sizeof(want), json_string_value(json_object_get(t, "out")));
		struct lx_rlp_buf b;
		lx_rlp_buf_init(&b, 0);
		encode_in(&b, json_object_get(t, "in"));
		if (b.len != wn || memcmp(b.p, want, wn))
			fail_msg("rlp vector %s: encoding differs", name);
		struct lx_rlp_item it;
		struct lx_error e;
		if (lx_rlp_parse(&it, want, wn, &e))
			fail_msg("rlp vector %s: %s", name, e.msg);
		lx_rlp_buf_reset(&b);
		reencode(&b, &it, want, wn);
		assert_int_equal(b.len, wn);
		assert_memory_equal(b.p, want, wn);
		lx_rlp_buf_release(&b);
		count++;
	}
	assert_true(count >= 28);
	json_decref(v);
}

static void test_invalid_vectors(void **st)
{
	(void)st;
	json_t *v = vectors();
	json_t *set = json_object_get(v, "rlp_invalid"), *t;
	const char *name;
	size_t count = 0;
	static uint8_t in[4096];
	json_object_foreach(set, name, t) {
		size_t n = unhex(in, sizeof(in), json_string_value(json_object_get(t, "out")));
		struct lx_rlp_item it;
		struct lx_error e;
		lx_error_clear(&e);
		int rc = lx_rlp_parse(&it, in, n, &e);
		if (rc != LX_ERLP)
			fail_msg("invalid rlp vector %s accepted (rc %d)", name, rc);
		assert_non_null(strstr(e.msg, "offset"));
		assert_int_equal(it.len, 0);
		assert_null(it.p);
		count++;
	}
	assert_true(count >= 26);
	json_decref(v);
}

/* Decodes a trie test key or value: 0x-hex or the raw string. */
static size_t bytes_of(uint8_t *out, size_t cap, const char *s)
{
	if (s[0] == '0' && s[1] == 'x')
		return unhex(out, cap, s);
	size_t n = strlen(s);
	assert_true(n <= cap);
	memcpy(out, s, n);
	return n;
}

struct kvstore {
	size_t n;
	uint8_t k[64][80], v[64][80];
	size_t kl[64], vl[64];
};

static void kv_put(struct kvstore *s, const char *key, const char *val)
{
	uint8_t k[80];
	size_t kl = bytes_of(k, sizeof(k), key);
	size_t i = 0;
	while (i < s->n && !(s->kl[i] == kl && !memcmp(s->k[i], k, kl)))
		i++;
	uint8_t v[80];
	size_t vl = val ? bytes_of(v, sizeof(v), val) : 0;
	if (!vl) { /* null or empty: delete */
		if (i < s->n) {
			s->n--;
			memmove(s->k[i], s->k[s->n], sizeof(s->k[0]));
			memmove(s->v[i], s->v[s->n], sizeof(s->v[0]));
			s->kl[i] = s->kl[s->n];
			s->vl[i] = s->vl[s->n];
		}
		return;
	}
	if (i == s->n) {
		assert_true(s->n < 64);
		s->n++;
	}
	memcpy(s->k[i], k, kl);
	s->kl[i] = kl;
	memcpy(s->v[i], v, vl);
	s->vl[i] = vl;
}

static void check_root(struct kvstore *s, const char *name, const char *root)
{
	struct lx_trie_kv kv[64];
	for (size_t i = 0; i < s->n; i++)
		kv[i] = (struct lx_trie_kv){ s->k[i], s->kl[i], s->v[i], s->vl[i] };
	uint8_t got[32], want[32];
	assert_int_equal(unhex(want, 32, root), 32);
	struct lx_error e;
	if (lx_trie_root(got, kv, s->n, &e))
		fail_msg("trie %s: %s", name, e.msg);
	if (memcmp(got, want, 32)) {
		char h[67];
		lx_hex_encode(h, sizeof(h), got, 32);
		fail_msg("trie %s: root %s, want %s", name, h, root);
	}
}

static void test_trie_vectors(void **st)
{
	(void)st;
	json_t *v = vectors();
	static struct kvstore s;
	const char *name;
	json_t *t;
	size_t count = 0;
	json_object_foreach(json_object_get(v, "trie_anyorder"), name, t) {
		memset(&s, 0, sizeof(s));
		const char *k;
		json_t *val;
		json_object_foreach(json_object_get(t, "in"), k, val)
			kv_put(&s, k, json_string_value(val));
		check_root(&s, name, json_string_value(json_object_get(t, "root")));
		count++;
	}
	json_object_foreach(json_object_get(v, "trie_sequence"), name, t) {
		memset(&s, 0, sizeof(s));
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(t, "in"), i, p)
			kv_put(&s, json_string_value(json_array_get(p, 0)),
			       json_string_value(json_array_get(p, 1)));
		check_root(&s, name, json_string_value(json_object_get(t, "root")));
		count++;
	}
	assert_true(count >= 12);
	json_decref(v);
}

static void test_trie_misuse(void **st)
{
	(void)st;
	uint8_t root[32];
	struct lx_error e;
	/* empty trie: keccak(0x80) */
	assert_int_equal(lx_trie_root(root, NULL, 0, &e), 0);
	char h[67];
	lx_hex_encode(h, sizeof(h), root, 32);
	assert_string_equal(h, "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
	assert_int_equal(lx_trie_list_root(root, NULL, NULL, 0, &e), 0);
	lx_hex_encode(h, sizeof(h), root, 32);
	assert_string_equal(h, "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
	struct lx_trie_kv kv[2] = { { (const uint8_t *)"a", 1, (const uint8_t *)"x", 1 },
				    { (const uint8_t *)"a", 1, (const uint8_t *)"y", 1 } };
	assert_int_equal(lx_trie_root(root, kv, 2, &e), LX_EINVAL);
	assert_non_null(strstr(e.msg, "duplicate"));
	kv[1].key = (const uint8_t *)"b";
	kv[1].val_len = 0;
	assert_int_equal(lx_trie_root(root, kv, 2, &e), LX_EINVAL);
	assert_int_equal(lx_trie_root(NULL, kv, 2, &e), LX_EINVAL);
	/* the decoder's misuse fills the record too (it returned a bare LX_EINVAL) */
	struct lx_rlp_item it, c;
	uint8_t one[1] = { 0x05 };
	size_t cur = 0, cnt;
	uint64_t u;
	lx_error_clear(&e);
	assert_int_equal(lx_rlp_item_at(&it, one, 1, 2, &e), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
	assert_non_null(strstr(e.msg, "offset 2"));
	lx_error_clear(&e);
	assert_int_equal(lx_rlp_parse(NULL, one, 1, &e), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
	assert_int_equal(lx_rlp_parse(&it, one, 1, &e), 0);
	lx_error_clear(&e);
	assert_int_equal(lx_rlp_list_next(&it, one, 1, &cur, &c, &e), LX_EINVAL);
	assert_non_null(strstr(e.msg, "not a list"));
	lx_error_clear(&e);
	assert_int_equal(lx_rlp_list_count(&it, one, 1, NULL, &e), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
	lx_error_clear(&e);
	assert_int_equal(lx_rlp_list_count(&it, one, 1, &cnt, &e), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
	lx_error_clear(&e);
	assert_int_equal(lx_rlp_u64(&u, NULL, &e), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
}

static void test_nesting_and_ints(void **st)
{
	(void)st;
	uint8_t buf[200];
	struct lx_rlp_item it;
	struct lx_error e;
	/* 64 nested lists: c0 innermost wrapped 63 times in c1.. headers */
	for (size_t depth = 64; depth <= 65; depth++) {
		struct lx_rlp_buf nb;
		lx_rlp_buf_init(&nb, 0);
		size_t marks[65];
		for (size_t i = 0; i < depth; i++)
			marks[i] = lx_rlp_list_begin(&nb);
		for (size_t i = depth; i-- > 0;)
			assert_int_equal(lx_rlp_list_end(&nb, marks[i]), 0);
		assert_true(nb.len <= sizeof(buf));
		memcpy(buf, nb.p, nb.len);
		int rc = lx_rlp_parse(&it, buf, nb.len, &e);
		lx_rlp_buf_release(&nb);
		if (depth == 64)
			assert_int_equal(rc, 0);
		else {
			assert_int_equal(rc, LX_ERLP);
			assert_non_null(strstr(e.msg, "nested"));
		}
	}
	/* trailing bytes */
	uint8_t two[2] = { 0x01, 0x02 };
	assert_int_equal(lx_rlp_parse(&it, two, 2, &e), LX_ERLP);
	assert_non_null(strstr(e.msg, "trailing"));
	/* a child running past its list's end is refused even when the input continues */
	uint8_t over[4] = { 0xc1, 0x82, 0x01, 0x02 };
	assert_int_equal(lx_rlp_parse(&it, over, 4, &e), LX_ERLP);
	/* integers */
	uint64_t u;
	uint8_t i1[3] = { 0x82, 0x00, 0x01 };
	assert_int_equal(lx_rlp_parse(&it, i1, 3, &e), 0);
	assert_int_equal(lx_rlp_u64(&u, &it, &e), LX_ERLP);
	assert_non_null(strstr(e.msg, "leading zero"));
	uint8_t i2[10] = { 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	assert_int_equal(lx_rlp_parse(&it, i2, 10, &e), 0);
	assert_int_equal(lx_rlp_u64(&u, &it, &e), LX_ERLP);
	uint8_t i3[9] = { 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	assert_int_equal(lx_rlp_parse(&it, i3, 9, &e), 0);
	assert_int_equal(lx_rlp_u64(&u, &it, &e), 0);
	assert_true(u == UINT64_MAX - 1);
	uint8_t l0[1] = { 0xc0 };
	assert_int_equal(lx_rlp_parse(&it, l0, 1, &e), 0);
	assert_int_equal(lx_rlp_u64(&u, &it, &e), LX_ERLP);
	size_t n = 9;
	assert_int_equal(lx_rlp_list_count(&it, l0, 1, &n, &e), 0);
	assert_int_equal(n, 0);
	/* round trip of every u64 width */
	for (int sh = 0; sh < 64; sh++) {
		struct lx_rlp_buf b;
		lx_rlp_buf_init(&b, 0);
		uint64_t x = (uint64_t)1 << sh | 1;
		assert_int_equal(lx_rlp_put_u64(&b, x), 0);
		assert_int_equal(lx_rlp_parse(&it, b.p, b.len, &e), 0);
		assert_int_equal(lx_rlp_u64(&u, &it, &e), 0);
		assert_true(u == x);
		lx_rlp_buf_release(&b);
	}
	/* misuse */
	assert_int_equal(lx_rlp_parse(NULL, l0, 1, &e), LX_EINVAL);
	assert_int_equal(lx_rlp_item_at(&it, l0, 1, 2, &e), LX_EINVAL);
}

static void test_buffer_cap(void **st)
{
	(void)st;
	struct lx_rlp_buf b;
	lx_rlp_buf_init(&b, 16);
	uint8_t big[32] = { 0 };
	assert_int_equal(lx_rlp_put_bytes(&b, big, 14), 0);
	assert_int_equal(b.len, 15);
	assert_int_equal(lx_rlp_put_bytes(&b, big, 1), 0);
	assert_int_equal(lx_rlp_put_bytes(&b, big, 1), LX_EOVERFLOW);
	assert_int_equal(b.len, 16);
	size_t m = lx_rlp_list_begin(&b);
	assert_int_equal(lx_rlp_list_end(&b, m), LX_EOVERFLOW);
	assert_int_equal(lx_rlp_list_end(&b, 99), LX_EINVAL);
	assert_int_equal(lx_rlp_put_bytes(&b, NULL, 3), LX_EINVAL);
	lx_rlp_buf_release(&b);
	/* a long list: header grows to 3 bytes and the payload moves intact */
	lx_rlp_buf_init(&b, 0);
	m = lx_rlp_list_begin(&b);
	for (int i = 0; i < 300; i++)
		assert_int_equal(lx_rlp_put_u64(&b, (uint64_t)i), 0);
	assert_int_equal(lx_rlp_list_end(&b, m), 0);
	struct lx_rlp_item it;
	assert_int_equal(lx_rlp_parse(&it, b.p, b.len, NULL), 0);
	assert_int_equal(b.p[0], 0xf9);
	size_t cur = 0, k = 0;
	struct lx_rlp_item c;
	uint64_t u;
	while (lx_rlp_list_next(&it, b.p, b.len, &cur, &c, NULL) == 1) {
		assert_int_equal(lx_rlp_u64(&u, &c, NULL), 0);
		assert_true(u == k++);
	}
	assert_int_equal(k, 300);
	lx_rlp_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_vectors),
		cmocka_unit_test(test_invalid_vectors),
		cmocka_unit_test(test_trie_vectors),
		cmocka_unit_test(test_trie_misuse),
		cmocka_unit_test(test_nesting_and_ints),
		cmocka_unit_test(test_buffer_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
