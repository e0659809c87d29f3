/*
 * trie.c: the root of a Merkle-Patricia trie built in one pass from a sorted set of pairs
 * (see rlp.h). Nothing is stored: each node is encoded bottom-up from a key range that shares
 * a nibble prefix, and a child is referenced by its encoding when that is shorter than 32
 * bytes, by its keccak otherwise (the root is always hashed).
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/keccak.h"
#include "lendex/rlp.h"

struct ctx {
	struct lx_trie_kv *kv;
	int rc;
};

static size_t nlen(const struct lx_trie_kv *k)
{
	return 2 * k->key_len;
}

static uint8_t nib(const struct lx_trie_kv *k, size_t i)
{
	uint8_t b = k->key[i / 2];
	return (uint8_t)(i % 2 ? b & 15 : b >> 4);
}

static int cmp_kv(const void *a, const void *b)
{
	const struct lx_trie_kv *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = n ? memcmp(x->key, y->key, n) : 0;
	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Hex-prefix encoding of nibbles [from, to) of k with the leaf flag. */
static int put_hp(struct lx_rlp_buf *b, const struct lx_trie_kv *k, size_t from, size_t to,
		  bool leaf)
{
	uint8_t t[130];
	size_t n = to - from, w = 0;
	if (n / 2 + 1 > sizeof(t))
		return LX_EINVAL;
	uint8_t flag = (uint8_t)((leaf ? 2 : 0) + (n % 2));
	size_t i = from;
	if (n % 2)
		t[w++] = (uint8_t)(flag << 4 | nib(k, i++));
	else
		t[w++] = (uint8_t)(flag << 4);
	for (; i < to; i += 2)
		t[w++] = (uint8_t)(nib(k, i) << 4 | nib(k, i + 1));
	return lx_rlp_put_bytes(b, t, w);
}

static int encode(struct lx_rlp_buf *out, struct ctx *c, size_t lo, size_t hi, size_t d);

/* Appends the reference to the node over [lo, hi) at depth d. */
static int ref(struct lx_rlp_buf *out, struct ctx *c, size_t lo, size_t hi, size_t d)
{
	struct lx_rlp_buf t;
	lx_rlp_buf_init(&t, out->max);
	int rc = encode(&t, c, lo, hi, d);
	if (!rc) {
		if (t.len < 32) {
			rc = lx_rlp_put_raw(out, t.p, t.len);
		} else {
			uint8_t h[32];
			lx_keccak256(h, t.p, t.len);
			rc = lx_rlp_put_bytes(out, h, 32);
		}
	}
	lx_rlp_buf_release(&t);
	return rc;
}

static int encode(struct lx_rlp_buf *out, struct ctx *c, size_t lo, size_t hi, size_t d)
{
	const struct lx_trie_kv *first = &c->kv[lo], *last = &c->kv[hi - 1];
	size_t m = lx_rlp_list_begin(out);
	int rc;
	if (hi - lo == 1) {
		if ((rc = put_hp(out, first, d, nlen(first), true)) ||
		    (rc = lx_rlp_put_bytes(out, first->val, first->val_len)))
			return rc;
		return lx_rlp_list_end(out, m);
	}
	size_t cp = 0;
	while (d + cp < nlen(first) && d + cp < nlen(last) &&
	       nib(first, d + cp) == nib(last, d + cp))
		cp++;
	if (cp) {
		if ((rc = put_hp(out, first, d, d + cp, false)) ||
		    (rc = ref(out, c, lo, hi, d + cp)))
			return rc;
		return lx_rlp_list_end(out, m);
	}
	size_t i = lo;
	const struct lx_trie_kv *value = NULL;
	if (nlen(first) == d)
		value = &c->kv[i++];
	for (uint8_t x = 0; x < 16; x++) {
		size_t j = i;
		while (j < hi && nib(&c->kv[j], d) == x)
			j++;
		rc = j > i ? ref(out, c, i, j, d + 1) : lx_rlp_put_bytes(out, NULL, 0);
		if (rc)
			return rc;
		i = j;
	}
	rc = value ? lx_rlp_put_bytes(out, value->val, value->val_len)
		   : lx_rlp_put_bytes(out, NULL, 0);
	if (rc)
		return rc;
	return lx_rlp_list_end(out, m);
}

int lx_trie_root(uint8_t root[32], struct lx_trie_kv *kv, size_t n, struct lx_error *err)
{
	if (!root || (!kv && n))
		return lx_error_set(err, LX_EINVAL, "trie: bad arguments");
	memset(root, 0, 32);
	for (size_t i = 0; i < n; i++) {
		if (!kv[i].val_len || !kv[i].val || (!kv[i].key && kv[i].key_len))
			return lx_error_set(err, LX_EINVAL, "trie: pair %zu has an empty value", i);
		if (kv[i].key_len > 64)
			return lx_error_set(err, LX_EINVAL, "trie: key %zu longer than 64 bytes", i);
	}
	if (n == 0) {
		uint8_t e = 0x80;
		lx_keccak256(root, &e, 1);
		return 0;
	}
	qsort(kv, n, sizeof(*kv), cmp_kv);
	for (size_t i = 1; i < n; i++)
		if (!cmp_kv(&kv[i - 1], &kv[i]))
			return lx_error_set(err, LX_EINVAL, "trie: duplicate key at pair %zu", i);
	struct ctx c = { kv, 0 };
	struct lx_rlp_buf b;
	lx_rlp_buf_init(&b, 0);
	int rc = encode(&b, &c, 0, n, 0);
	if (!rc)
		lx_keccak256(root, b.p, b.len);
	lx_rlp_buf_release(&b);
	if (rc)
		return lx_error_set(err, rc, "trie: cannot encode %zu pairs: %s", n, lx_strerror(rc));
	return 0;
}

int lx_trie_list_root(uint8_t root[32], const uint8_t *const *items, const size_t *len, size_t n,
		      struct lx_error *err)
{
	if (!root || (n && (!items || !len)))
		return lx_error_set(err, LX_EINVAL, "trie: bad arguments");
	memset(root, 0, 32);
	struct lx_trie_kv *kv = n ? calloc(n, sizeof(*kv)) : NULL;
	uint8_t(*keys)[9] = n ? calloc(n, sizeof(*keys)) : NULL;
	if (n && (!kv || !keys)) {
		free(kv);
		free(keys);
		return lx_error_set(err, LX_ENOMEM, "trie: out of memory for %zu items", n);
	}
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct lx_rlp_buf b = { keys[i], 0, 9, 9 };
		rc = lx_rlp_put_u64(&b, i); /* fits: at most 9 bytes, never reallocates */
		kv[i] = (struct lx_trie_kv){ keys[i], b.len, items[i], len[i] };
	}
	if (!rc)
		rc = lx_trie_root(root, kv, n, err);
	free(kv);
	free(keys);
	return rc;
}
