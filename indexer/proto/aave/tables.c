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
	return aave_rec_corrupt(err, table);
}

/* ---- records: the shared accessors (store_rec.c) on this market's aave3.* tables ---- */

int aave_get_reserve(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *asset,
		       struct aave_reserve *r, struct lx_error *err)
{
	return aave_rec_get_reserve(txn, T_RESERVE, a->market, asset, r, err);
}

int aave_put_reserve(struct aave *a, struct lx_store_txn *txn, const struct aave_reserve *r,
		       struct lx_error *err)
{
	return aave_rec_put_reserve(txn, T_RESERVE, a->market, r, err);
}

int aave_get_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, struct aave_pos *p, struct lx_error *err)
{
	return aave_rec_get_pos(txn, T_POS, a->market, user, asset, p, err);
}

int aave_touch_user(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		      int emode /* -1 = keep */, struct lx_error *err)
{
	return aave_rec_touch_user(txn, T_USER, a->market, user, emode, err);
}

int aave_put_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, const struct aave_pos *p, struct lx_error *err)
{
	return aave_rec_put_pos(txn, T_POS, T_USER, a->market, user, asset, p, err);
}

int aave_put_flow(struct aave *a, struct lx_store_txn *txn, const struct lx_log *log,
		    const struct lx_addr *user, uint8_t kind, const struct lx_addr *asset,
		    const struct lx_u256 *amount, uint8_t sub, struct lx_error *err)
{
	return aave_rec_put_flow(txn, a->market, log->block, log->log_index, log->tx, user, kind,
				 asset, amount, sub, err);
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
	return aave_rec_count(txn, T_RESERVE, a->market, out, err);
}
