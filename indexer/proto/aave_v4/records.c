/*
 * records.c: keys and records of the Aave V4 handler (layouts in v4.h and docs/store.md). A
 * record is a version byte and n big-endian 256-bit words; anything else read back is corrupt.
 */
#include <string.h>

#include "lendex/store.h"
#include "v4.h"

#define REC_VERSION 1

static void be(uint8_t *out, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

size_t v4_key(uint8_t *k, uint64_t chain, const struct lx_addr *a, const struct lx_addr *b,
	      int n_small, const uint32_t *small, const int *small_len)
{
	size_t n = 0;
	be(k, chain, 8);
	n += 8;
	if (a) {
		memcpy(k + n, a->b, 20);
		n += 20;
	}
	for (int i = 0; i < n_small && small_len[i] < 0; i++) {
		/* a negative length places that number before b */
		be(k + n, small[i], -small_len[i]);
		n += (size_t)-small_len[i];
	}
	if (b) {
		memcpy(k + n, b->b, 20);
		n += 20;
	}
	for (int i = 0; i < n_small; i++) {
		if (small_len[i] < 0)
			continue;
		be(k + n, small[i], small_len[i]);
		n += (size_t)small_len[i];
	}
	return n;
}

size_t v4_key_asset(uint8_t *k, uint64_t chain, const struct lx_addr *hub, uint32_t asset)
{
	const int l[1] = {2};
	return v4_key(k, chain, hub, NULL, 1, &asset, l);
}

size_t v4_key_sdata(uint8_t *k, uint64_t chain, const struct lx_addr *hub, uint32_t asset,
		    const struct lx_addr *spoke)
{
	const int l[1] = {-2};
	return v4_key(k, chain, hub, spoke, 1, &asset, l);
}

size_t v4_key_spoke(uint8_t *k, uint64_t chain, const struct lx_addr *spoke)
{
	return v4_key(k, chain, spoke, NULL, 0, NULL, NULL);
}

size_t v4_key_reserve(uint8_t *k, uint64_t chain, const struct lx_addr *spoke, uint32_t reserve)
{
	const int l[1] = {4};
	return v4_key(k, chain, spoke, NULL, 1, &reserve, l);
}

size_t v4_key_dyn(uint8_t *k, uint64_t chain, const struct lx_addr *spoke, uint32_t reserve,
		  uint32_t key)
{
	const uint32_t s[2] = {reserve, key};
	const int l[2] = {4, 4};
	return v4_key(k, chain, spoke, NULL, 2, s, l);
}

size_t v4_key_user(uint8_t *k, uint64_t chain, const struct lx_addr *spoke,
		   const struct lx_addr *user)
{
	return v4_key(k, chain, spoke, user, 0, NULL, NULL);
}

size_t v4_key_pos(uint8_t *k, uint64_t chain, const struct lx_addr *spoke,
		  const struct lx_addr *user, uint32_t reserve)
{
	const int l[1] = {4};
	return v4_key(k, chain, spoke, user, 1, &reserve, l);
}

size_t v4_key_symbol(uint8_t *k, uint64_t chain, const struct lx_addr *token)
{
	return v4_key(k, chain, token, NULL, 0, NULL, NULL);
}

int v4_get_symbol(struct lx_store_txn *t, uint64_t chain, const struct lx_addr *token,
		  char out[16], bool *found, struct lx_error *err)
{
	uint8_t k[V4_KEY_MAX], b[32];
	size_t kl = v4_key_symbol(k, chain, token);
	struct v4_symbol s;
	out[0] = 0;
	*found = false;
	int rc = v4_get(t, T_SYMBOL, k, kl, (struct lx_u256 *)&s, V4_WORDS(s), err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	*found = true;
	lx_u256_to_be(b, &s.text);
	size_t n = 0;
	while (n < 15 && b[n] >= 0x20 && b[n] <= 0x7e)
		n++;
	for (size_t i = n; i < 32; i++)
		if (b[i])
			return v4_corrupt(err, T_SYMBOL);
	memcpy(out, b, n);
	out[n] = 0;
	return 0;
}

int v4_corrupt(struct lx_error *err, const char *table)
{
	return lx_error_set(err, LX_ECORRUPT, "aave_v4: corrupt record in table %s", table);
}

int v4_decode(struct lx_u256 *words, size_t n, const uint8_t *v, size_t vl)
{
	if (vl != 1 + 32 * n || v[0] != REC_VERSION)
		return LX_ECORRUPT;
	for (size_t i = 0; i < n; i++)
		lx_u256_from_be(&words[i], v + 1 + 32 * i);
	return 0;
}

int v4_get(struct lx_store_txn *t, const char *table, const uint8_t *k, size_t kl,
	   struct lx_u256 *words, size_t n, struct lx_error *err)
{
	const uint8_t *v;
	size_t vl;
	memset(words, 0, n * sizeof(*words));
	int rc = lx_store_get(t, table, k, kl, &v, &vl, err);
	if (rc)
		return rc;
	if (v4_decode(words, n, v, vl))
		return v4_corrupt(err, table);
	return 0;
}

int v4_put(struct lx_store_txn *t, const char *table, const uint8_t *k, size_t kl,
	   const struct lx_u256 *words, size_t n, struct lx_error *err)
{
	uint8_t v[V4_REC_MAX];
	if (1 + 32 * n > sizeof(v))
		return lx_error_set(err, LX_EINVAL, "aave_v4: record too long for %s", table);
	v[0] = REC_VERSION;
	for (size_t i = 0; i < n; i++)
		lx_u256_to_be(v + 1 + 32 * i, &words[i]);
	return lx_store_put(t, table, k, kl, v, 1 + 32 * n, err);
}

void v4_from_addr(struct lx_u256 *w, const struct lx_addr *a)
{
	uint8_t b[32] = {0};
	memcpy(b + 12, a->b, 20);
	lx_u256_from_be(w, b);
}

void v4_to_addr(struct lx_addr *a, const struct lx_u256 *w)
{
	uint8_t b[32];
	lx_u256_to_be(b, w);
	memcpy(a->b, b + 12, 20);
}

uint64_t v4_small(const struct lx_u256 *w)
{
	return w->w[0];
}

void v4_set(struct lx_u256 *w, uint64_t v)
{
	lx_u256_from_u64(w, v);
}
