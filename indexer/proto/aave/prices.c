/*
 * prices.c: the oracle reads the Aave handler asks sync to make at a batch's last block
 * (AaveOracle.getAssetPrice per reserve and per e-mode price source) and their answers.
 */
#include <string.h>

#include "aave.h"
#include "lendex/store.h"

/* ---- prices: AaveOracle.getAssetPrice(asset) per reserve and e-mode price source ---- */

static bool call_price(struct lx_calls *l, const struct lx_addr *oracle, const struct lx_addr *x)
{
	static const uint8_t sel[4] = {0xb3, 0x59, 0x6f, 0x07}; /* getAssetPrice(address) */
	struct lx_call *c = lx_calls_add(l, oracle, 36, 0);
	if (!c)
		return false;
	memcpy(c->data, sel, 4);
	memcpy(c->data + 16, x->b, 20);
	c->result_min = 32;
	return true;
}

int aave_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
	       struct lx_error *err)
{
	struct aave *a = aave_of(p);
	/* the oracle live after the logs applied so far (not read from the store here: calls may
	 * run on the fetch thread, where opening a table races the writer) */
	struct lx_addr oracle = a->oracle;
	int rc;
	/* every known underlying (tokens list holds each asset up to 3 times) */
	for (size_t i = 0; i < a->n_tokens; i++) {
		if (a->tokens[i].kind != AAVE_ATOKEN)
			continue;
		if (!call_price(calls, &oracle, &a->tokens[i].asset))
			return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
	}
	struct lx_store_iter it;
	rc = lx_store_iter_begin(&it, txn, T_EMODE, a->market, AAVE_MARKET_KEY, err);
	const uint8_t *kk, *v;
	size_t kl, vl;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &kk, &kl, &v, &vl, err)) == 0) {
		struct aave_emode e;
		if (aave_emode_decode(&e, v, vl)) {
			lx_store_iter_end(&it);
			return aave_corrupt(err, T_EMODE);
		}
		if (aave_addr_zero(&e.price_source))
			continue;
		if (!call_price(calls, &oracle, &e.price_source)) {
			lx_store_iter_end(&it);
			return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
		}
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

static bool call_answer(const struct lx_call *c, struct lx_u256 *out)
{
	if (!c->result || c->result_len != 32)
		return false;
	lx_u256_from_be(out, c->result);
	return true;
}

int aave_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
			    const struct lx_call *calls, size_t n, struct lx_error *err)
{
	struct aave *a = aave_of(p);
	int rc;
	struct lx_addr oracle;
	if ((rc = aave_oracle_now(a, txn, &oracle, err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!lx_addr_eq(&calls[i].to, &oracle))
			/* the oracle changed after these reads were planned: their answers are not
			 * the market's prices, and keeping the old ones would be as wrong */
			return lx_error_set(err, LX_EINVAL,
					    "aave_v3: prices at block %llu were read from a replaced "
					    "oracle (reads planned before the oracle change)",
					    (unsigned long long)block);
	for (size_t i = 0; i < n; i++) {
		struct lx_addr x;
		struct lx_u256 price;
		memcpy(x.b, calls[i].data + 16, 20);
		bool ok = call_answer(&calls[i], &price);
		struct aave_reserve r;
		rc = aave_get_reserve(a, txn, &x, &r, err);
		if (rc == 0) {
			/* a revert (no source, no fallback) leaves the last answer, marked: the
			 * Pool's getUserAccountData reverts for its holders too (lx_model_check_reads) */
			if (ok) {
				r.price = price;
				r.price_block = block;
				r.price_reverted = 0;
			} else {
				r.price_reverted = block;
			}
			if ((rc = aave_put_reserve(a, txn, &r, err)))
				return rc;
		} else if (rc != LX_ENOTFOUND) {
			return rc;
		}
		lx_error_clear(err);
		/* e-mode price sources */
		struct lx_store_iter it;
		rc = lx_store_iter_begin(&it, txn, T_EMODE, a->market, AAVE_MARKET_KEY, err);
		const uint8_t *kk, *v;
		size_t kl, vl;
		uint8_t keys[256][AAVE_MARKET_KEY + 1];
		struct aave_emode es[256];
		int ne = 0;
		while (rc == 0 && (rc = lx_store_iter_next(&it, &kk, &kl, &v, &vl, err)) == 0) {
			struct aave_emode e;
			if (kl != AAVE_MARKET_KEY + 1 || aave_emode_decode(&e, v, vl)) {
				lx_store_iter_end(&it);
				return aave_corrupt(err, T_EMODE);
			}
			if (ok && lx_addr_eq(&e.price_source, &x) && ne < 256) {
				e.price = price;
				memcpy(keys[ne], kk, kl);
				es[ne++] = e;
			}
		}
		lx_store_iter_end(&it);
		if (rc != LX_ENOTFOUND)
			return rc;
		lx_error_clear(err);
		for (int j = 0; j < ne; j++) {
			uint8_t buf[AAVE_EMODE_LEN];
			size_t bl = aave_emode_encode(buf, &es[j]);
			if ((rc = lx_store_put(txn, T_EMODE, keys[j], AAVE_MARKET_KEY + 1, buf, bl, err)))
				return rc;
		}
	}
	return 0;
}
