/*
 * view_rec.c: the pieces of building a market view that the Aave V3 and V2 handlers share:
 * a market's reserves with their indexes projected to the view's time, a reserve record -> the
 * view's asset info, one lx.flow row -> struct lx_flow, and the reserve-token rows a handler
 * reloads at start-up.
 */
#include <stdlib.h>
#include <string.h>

#include "math.h"
#include "records.h"
#include "lendex/chain.h"
#include "lendex/model.h"
#include "lendex/store.h"

void aave_rec_asset_info(struct lx_asset_info *inf, const struct aave_reserve *r,
			 const struct lx_deployment *dep, const struct lx_u256 *income,
			 const struct lx_u256 *debt)
{
	inf->asset = r->asset;
	inf->supply_token = r->atoken;
	memcpy(inf->symbol, r->symbol, sizeof(inf->symbol));
	inf->decimals = r->decimals;
	inf->price = r->price;
	inf->price_block = r->price_block;
	inf->price_reverted = r->price_reverted;
	inf->reverted_call = "getAssetPrice";
	inf->ltv_bps = r->ltv;
	inf->liq_threshold_bps = r->lt;
	inf->liq_bonus_bps = r->bonus;
	inf->liq_protocol_fee_bps = r->protocol_fee;
	inf->group = (uint16_t)lx_deployment_group_of(dep, &r->asset);
	inf->depth_base_per_pct = lx_deployment_depth_of(dep, &r->asset);
	inf->liquidity_index = *income;
	inf->borrow_index = *debt;
}

int aave_rec_flow_decode(struct lx_flow *f, struct lx_addr *asset, const uint8_t *k, size_t kl,
			 size_t prefix, const uint8_t *v, size_t vl)
{
	if (kl != prefix + 13 || vl != 85)
		return LX_ECORRUPT;
	memset(f, 0, sizeof(*f));
	f->block = aave_rd64(k + prefix);
	f->log_index = (uint32_t)k[prefix + 8] << 24 | (uint32_t)k[prefix + 9] << 16 |
		       (uint32_t)k[prefix + 10] << 8 | k[prefix + 11];
	f->kind = v[0];
	memcpy(asset->b, v + 1, 20);
	lx_u256_from_be(&f->amount, v + 21);
	memcpy(f->tx, v + 53, 32);
	return 0;
}

int aave_rec_load_tokens(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			 aave_rec_token_fn add, void *ctx, struct lx_error *err)
{
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, txn, table, market, AAVE_MARKET_KEY, err);
	const uint8_t *k, *v;
	size_t kl, vl;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		struct lx_addr t, asset;
		if (kl != AAVE_MARKET_KEY + 20 || vl != 21 || v[20] < 1 || v[20] > 3) {
			rc = aave_rec_corrupt(err, table);
			break;
		}
		memcpy(t.b, k + AAVE_MARKET_KEY, 20);
		memcpy(asset.b, v, 20);
		rc = add(ctx, &t, &asset, v[20], err);
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

int aave_rec_load_reserves(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			   uint64_t ts, lx_aave_compound_fn compound, struct aave_rsv **out,
			   size_t *n_out, struct lx_error *err)
{
	struct lx_store_iter it;
	size_t n = 0, cap = 0;
	struct aave_rsv *v = NULL;
	const uint8_t *k, *val;
	size_t kl, vl;
	*out = NULL;
	*n_out = 0;
	int rc = lx_store_iter_begin(&it, txn, table, market, AAVE_MARKET_KEY, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &val, &vl, err)) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct aave_rsv *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = lx_error_set(err, LX_ENOMEM, "%s: out of memory", table);
				break;
			}
			v = nv;
		}
		struct aave_reserve *r = &v[n].r;
		if (aave_reserve_decode(r, val, vl)) {
			rc = aave_rec_corrupt(err, table);
			break;
		}
		uint64_t now = ts < r->last_update ? r->last_update : ts;
		if (lx_u256_is_zero(&r->liq_index)) {
			/* initialised, no ReserveDataUpdated yet: indexes start at one ray */
			lx_u256_pow10(&r->liq_index, 27);
			lx_u256_pow10(&r->var_index, 27);
			r->last_update = now;
		}
		if ((rc = lx_aave_normalized_income(&v[n].income, &r->liq_index, &r->liq_rate,
						    r->last_update, now)) ||
		    (rc = lx_aave_debt_with(&v[n].debt, compound, &r->var_index, &r->var_rate,
					    r->last_update, now))) {
			rc = lx_error_set(err, rc, "%s: index projection overflow", table);
			break;
		}
		n++;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND) {
		free(v);
		return rc;
	}
	lx_error_clear(err);
	/* order by the pool's reserve id, as getReservesList does */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1].r.id > v[j].r.id; j--) {
			struct aave_rsv t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	*n_out = n;
	return 0;
}

int aave_rec_grow(void **p, size_t *cap, size_t need, size_t elem, struct lx_error *err)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * elem);
	if (!n)
		return lx_error_set(err, LX_ENOMEM, "aave: out of memory building the view");
	*p = n;
	*cap = c;
	return 0;
}

void aave_rec_reserve_order(struct lx_asset_pos *ps, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && ps[j - 1].asset > ps[j].asset; j--) {
			struct lx_asset_pos t = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = t;
		}
}

int aave_rec_core(struct aave_core *out, const struct lx_chain *chain,
		  const struct lx_deployment *dep, struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc;
	if ((rc = lx_deployment_contract(dep, "pool", &out->pool, err)) ||
	    (rc = lx_deployment_contract(dep, "pool_configurator", &out->configurator, err)) ||
	    (rc = lx_deployment_contract(dep, "oracle", &out->oracle, err)))
		return rc;
	out->have_provider =
		lx_deployment_contract(dep, "pool_addresses_provider", &out->provider, NULL) == 0;
	aave_be64(out->market, lx_chain_id(chain));
	memcpy(out->market + 8, out->pool.b, 20);
	return 0;
}
