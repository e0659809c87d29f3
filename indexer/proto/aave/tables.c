/*
 * tables.c: keys and typed access to the Aave handler's records in the store (layouts in
 * records.c), and the scaled-balance arithmetic apply.c shares.
 */
#include <string.h>

#include "aave.h"
#include "lendex/store.h"

/* ---- keys ---- */

size_t aave_key_asset(uint8_t *k, const struct aave *a, const struct lx_addr *x)
{
	memcpy(k, a->market, AAVE_MARKET_KEY);
	memcpy(k + AAVE_MARKET_KEY, x->b, 20);
	return AAVE_MARKET_KEY + 20;
}

size_t aave_key_pos(uint8_t *k, const struct aave *a, const struct lx_addr *user,
		      const struct lx_addr *asset)
{
	size_t n = aave_key_asset(k, a, user);
	memcpy(k + n, asset->b, 20);
	return n + 20;
}

int aave_corrupt(struct lx_error *err, const char *table)
{
	return lx_error_set(err, LX_ECORRUPT, "store: record in %s does not parse (corrupt "
					      "store or newer lendex)", table);
}

/* ---- records ---- */

int aave_get_reserve(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *asset,
		       struct aave_reserve *r, struct lx_error *err)
{
	uint8_t k[64];
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(txn, T_RESERVE, k, aave_key_asset(k, a, asset), &v, &vl, err);
	if (rc)
		return rc;
	return aave_reserve_decode(r, v, vl) ? aave_corrupt(err, T_RESERVE) : 0;
}

int aave_put_reserve(struct aave *a, struct lx_store_txn *txn, const struct aave_reserve *r,
		       struct lx_error *err)
{
	uint8_t k[64], v[AAVE_RESERVE_LEN];
	size_t vl = aave_reserve_encode(v, r);
	return lx_store_put(txn, T_RESERVE, k, aave_key_asset(k, a, &r->asset), v, vl, err);
}

int aave_get_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, struct aave_pos *p, struct lx_error *err)
{
	uint8_t k[96];
	const uint8_t *v;
	size_t vl;
	memset(p, 0, sizeof(*p));
	int rc = lx_store_get(txn, T_POS, k, aave_key_pos(k, a, user, asset), &v, &vl, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	return aave_pos_decode(p, v, vl) ? aave_corrupt(err, T_POS) : 0;
}

int aave_touch_user(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		      int emode /* -1 = keep */, struct lx_error *err)
{
	uint8_t k[64];
	size_t kl = aave_key_asset(k, a, user);
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(txn, T_USER, k, kl, &v, &vl, err);
	if (rc == 0 && emode < 0)
		return 0;
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	uint8_t val[2] = {1, (uint8_t)(emode < 0 ? 0 : emode)};
	return lx_store_put(txn, T_USER, k, kl, val, sizeof(val), err);
}

int aave_put_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, const struct aave_pos *p, struct lx_error *err)
{
	uint8_t k[96], v[AAVE_POS_LEN];
	size_t kl = aave_key_pos(k, a, user, asset);
	if (aave_pos_empty(p)) {
		int rc = lx_store_del(txn, T_POS, k, kl, err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			rc = 0;
		}
		return rc;
	}
	int rc = aave_touch_user(a, txn, user, -1, err);
	if (rc)
		return rc;
	size_t vl = aave_pos_encode(v, p);
	return lx_store_put(txn, T_POS, k, kl, v, vl, err);
}

int aave_put_flow(struct aave *a, struct lx_store_txn *txn, const struct lx_log *log,
		    const struct lx_addr *user, uint8_t kind, const struct lx_addr *asset,
		    const struct lx_u256 *amount, uint8_t sub, struct lx_error *err)
{
	uint8_t k[AAVE_MARKET_KEY + 20 + 8 + 4 + 1], v[1 + 20 + 32 + 32];
	size_t n = aave_key_asset(k, a, user);
	aave_be64(k + n, log->block);
	n += 8;
	k[n++] = (uint8_t)(log->log_index >> 24);
	k[n++] = (uint8_t)(log->log_index >> 16);
	k[n++] = (uint8_t)(log->log_index >> 8);
	k[n++] = (uint8_t)log->log_index;
	k[n++] = sub; /* one log can move two accounts' flows (transfer): keep both */
	v[0] = kind;
	memcpy(v + 1, asset->b, 20);
	lx_u256_to_be(v + 21, amount);
	memcpy(v + 53, log->tx, 32);
	return lx_store_put(txn, T_FLOW, k, n, v, sizeof(v), err);
}

/* ---- scaled balance arithmetic ---- */

int aave_math_err(struct lx_error *err, int rc, const char *what, const struct lx_log *log)
{
	return lx_error_set(err, rc, "aave_v3: %s at log %llu:%u: %s", what,
			    (unsigned long long)log->block, log->log_index, lx_strerror(rc));
}

/* scaled += rayDiv(amount, index) or -= ; underflow means our state diverged from the chain */
int aave_scaled_add(struct lx_u256 *scaled, const struct lx_u256 *amount,
		      const struct lx_u256 *index, bool sub, const struct lx_log *log,
		      struct lx_error *err)
{
	struct lx_u256 s;
	int rc = lx_ray_div(&s, amount, index);
	if (rc)
		return aave_math_err(err, rc, "rayDiv", log);
	rc = sub ? lx_u256_sub(scaled, scaled, &s) : lx_u256_add(scaled, scaled, &s);
	if (rc)
		return lx_error_set(err, LX_ECORRUPT,
				    "aave_v3: scaled balance %s at log %llu:%u (events missing "
				    "before this block?)",
				    sub ? "underflow" : "overflow", (unsigned long long)log->block,
				    log->log_index);
	return 0;
}

int aave_count_reserves(struct aave *a, struct lx_store_txn *txn, uint16_t *out,
			  struct lx_error *err)
{
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, txn, T_RESERVE, a->market, AAVE_MARKET_KEY, err);
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
