/*
 * store_rec.c: typed access to the Aave-family records (layouts in records.c) under a market
 * prefix in named tables. Shared by the V3 handler (tables.c, tables aave3.*) and the V2
 * handler (proto/aave_v2/, tables aave2.*): same records, same keys, their own tables.
 */
#include <string.h>

#include "records.h"
#include "lendex/store.h"

size_t aave_rec_key(uint8_t *k, const uint8_t *market, const struct lx_addr *x,
		    const struct lx_addr *y)
{
	memcpy(k, market, AAVE_MARKET_KEY);
	memcpy(k + AAVE_MARKET_KEY, x->b, 20);
	if (!y)
		return AAVE_MARKET_KEY + 20;
	memcpy(k + AAVE_MARKET_KEY + 20, y->b, 20);
	return AAVE_MARKET_KEY + 40;
}

int aave_rec_corrupt(struct lx_error *err, const char *table)
{
	return lx_error_set(err, LX_ECORRUPT, "store: record in %s does not parse (corrupt "
					      "store or newer lendex)", table);
}

int aave_rec_get_reserve(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			 const struct lx_addr *asset, struct aave_reserve *r, struct lx_error *err)
{
	uint8_t k[AAVE_REC_KEY_MAX];
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(txn, table, k, aave_rec_key(k, market, asset, NULL), &v, &vl, err);
	if (rc)
		return rc;
	return aave_reserve_decode(r, v, vl) ? aave_rec_corrupt(err, table) : 0;
}

int aave_rec_put_reserve(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			 const struct aave_reserve *r, struct lx_error *err)
{
	uint8_t k[AAVE_REC_KEY_MAX], v[AAVE_RESERVE_LEN];
	size_t vl = aave_reserve_encode(v, r);
	return lx_store_put(txn, table, k, aave_rec_key(k, market, &r->asset, NULL), v, vl, err);
}

int aave_rec_get_pos(struct lx_store_txn *txn, const char *table, const uint8_t *market,
		     const struct lx_addr *user, const struct lx_addr *asset, struct aave_pos *p,
		     struct lx_error *err)
{
	uint8_t k[AAVE_REC_KEY_MAX];
	const uint8_t *v;
	size_t vl;
	memset(p, 0, sizeof(*p));
	int rc = lx_store_get(txn, table, k, aave_rec_key(k, market, user, asset), &v, &vl, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	return aave_pos_decode(p, v, vl) ? aave_rec_corrupt(err, table) : 0;
}

int aave_rec_touch_user(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			const struct lx_addr *user, int emode, struct lx_error *err)
{
	uint8_t k[AAVE_REC_KEY_MAX];
	size_t kl = aave_rec_key(k, market, user, NULL);
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(txn, table, k, kl, &v, &vl, err);
	if (rc == 0 && emode < 0)
		return 0;
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	uint8_t val[2] = {1, (uint8_t)(emode < 0 ? 0 : emode)};
	return lx_store_put(txn, table, k, kl, val, sizeof(val), err);
}

int aave_rec_put_pos(struct lx_store_txn *txn, const char *table, const char *user_table,
		     const uint8_t *market, const struct lx_addr *user, const struct lx_addr *asset,
		     const struct aave_pos *p, struct lx_error *err)
{
	uint8_t k[AAVE_REC_KEY_MAX], v[AAVE_POS_LEN];
	size_t kl = aave_rec_key(k, market, user, asset);
	if (aave_pos_empty(p)) {
		int rc = lx_store_del(txn, table, k, kl, err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			rc = 0;
		}
		return rc;
	}
	int rc = aave_rec_touch_user(txn, user_table, market, user, -1, err);
	if (rc)
		return rc;
	size_t vl = aave_pos_encode(v, p);
	return lx_store_put(txn, table, k, kl, v, vl, err);
}

int aave_rec_put_flow(struct lx_store_txn *txn, const uint8_t *market, uint64_t block,
		      uint32_t log_index, const uint8_t tx[32], const struct lx_addr *user,
		      uint8_t kind, const struct lx_addr *asset, const struct lx_u256 *amount,
		      uint8_t sub, struct lx_error *err)
{
	uint8_t k[AAVE_MARKET_KEY + 20 + 8 + 4 + 1], v[1 + 20 + 32 + 32];
	size_t n = aave_rec_key(k, market, user, NULL);
	aave_be64(k + n, block);
	n += 8;
	k[n++] = (uint8_t)(log_index >> 24);
	k[n++] = (uint8_t)(log_index >> 16);
	k[n++] = (uint8_t)(log_index >> 8);
	k[n++] = (uint8_t)log_index;
	k[n++] = sub; /* one log can move two accounts' flows (transfer): keep both */
	v[0] = kind;
	memcpy(v + 1, asset->b, 20);
	lx_u256_to_be(v + 21, amount);
	memcpy(v + 53, tx, 32);
	return lx_store_put(txn, AAVE_T_FLOW, k, n, v, sizeof(v), err);
}

int aave_rec_count(struct lx_store_txn *txn, const char *table, const uint8_t *market,
		   uint16_t *out, struct lx_error *err)
{
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, txn, table, market, AAVE_MARKET_KEY, err);
	uint16_t n = 0;
	const uint8_t *k, *v;
	size_t kl, vl;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0)
		n++;
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	*out = n;
	return 0;
}
