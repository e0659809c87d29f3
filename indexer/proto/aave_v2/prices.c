/*
 * prices.c: the contract reads the Aave V2 handler asks sync to make at a batch's last block:
 * AaveOracle.getAssetPrice per reserve (the market's base: ETH, 18 decimals on Ethereum), and
 * once per reserve its aToken's decimals() and symbol(), which V2 does not log (the
 * configurator passes decimals to initReserve and emits nothing with them).
 */
#include <string.h>

#include "v2.h"
#include "lendex/store.h"

static const uint8_t SEL_PRICE[4] = {0xb3, 0x59, 0x6f, 0x07};    /* getAssetPrice(address) */
static const uint8_t SEL_DECIMALS[4] = {0x31, 0x3c, 0xe5, 0x67}; /* decimals() */
static const uint8_t SEL_SYMBOL[4] = {0x95, 0xd8, 0x9b, 0x41};   /* symbol() */

static bool call_to(struct lx_calls *l, const struct lx_addr *to, const uint8_t sel[4],
		    const struct lx_addr *arg)
{
	struct lx_call *c = lx_calls_add(l, to, arg ? 36 : 4, 0);
	if (!c)
		return false;
	memcpy(c->data, sel, 4);
	if (arg)
		memcpy(c->data + 16, arg->b, 20);
	return true;
}

int v2_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
	     struct lx_error *err)
{
	(void)txn;
	struct aave2 *a = v2_of(p);
	for (size_t i = 0; i < a->n_tokens; i++) {
		const struct v2_token *t = &a->tokens[i];
		if (t->kind != AAVE_ATOKEN)
			continue;
		if (!call_to(calls, &a->oracle, SEL_PRICE, &t->asset) ||
		    (!t->meta && (!call_to(calls, &t->token, SEL_DECIMALS, NULL) ||
				  !call_to(calls, &t->token, SEL_SYMBOL, NULL))))
			return lx_error_set(err, LX_ENOMEM, "aave_v2: out of memory");
	}
	return 0;
}

/* symbol() answer: an ABI string; the aToken's "aXYZ" is kept as "XYZ" */
static void read_symbol(char *out, size_t cap, const uint8_t *b, size_t len)
{
	struct lx_u256 w;
	uint64_t off, l;
	if (len < 64)
		return;
	lx_u256_from_be(&w, b);
	if (lx_u256_to_u64(&off, &w) || off > len - 32)
		return;
	lx_u256_from_be(&w, b + off);
	if (lx_u256_to_u64(&l, &w) || l > len - off - 32)
		return;
	const uint8_t *s = b + off + 32;
	if (l > 1 && s[0] == 'a') {
		s++;
		l--;
	}
	size_t m = l < cap - 1 ? (size_t)l : cap - 1;
	for (size_t i = 0; i < m; i++)
		out[i] = s[i] < 0x20 || s[i] >= 0x7f ? '?' : (char)s[i];
	out[m] = 0;
}

static int answer_u256(const struct lx_call *c, struct lx_u256 *out)
{
	if (!c->result || c->result_len != 32)
		return -1;
	lx_u256_from_be(out, c->result);
	return 0;
}

int v2_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		   const struct lx_call *calls, size_t n, struct lx_error *err)
{
	struct aave2 *a = v2_of(p);
	int rc;
	for (size_t i = 0; i < n; i++) {
		const struct lx_call *c = &calls[i];
		struct aave_reserve r;
		struct lx_addr asset;
		struct v2_token *t = NULL;
		struct lx_u256 v;
		if (memcmp(c->data, SEL_PRICE, 4) == 0) {
			if (!lx_addr_eq(&c->to, &a->oracle))
				/* planned before a PriceOracleUpdated in this batch */
				return lx_error_set(err, LX_EINVAL,
						    "aave_v2: prices at block %llu were read from a "
						    "replaced oracle",
						    (unsigned long long)block);
			memcpy(asset.b, c->data + 16, 20);
		} else {
			if (!(t = v2_find_token(a, &c->to)))
				continue;
			asset = t->asset;
		}
		rc = aave_rec_get_reserve(txn, V2_T_RESERVE, a->market, &asset, &r, err);
		if (rc == LX_ENOTFOUND) { /* a token whose ReserveInitialized is not applied yet */
			lx_error_clear(err);
			continue;
		}
		if (rc)
			return rc;
		if (!t) {
			/* a revert leaves the last answer, marked: the LendingPool's
			 * getUserAccountData reverts for its holders too (lx_model_check_reads) */
			if (answer_u256(c, &v)) {
				r.price_reverted = block;
			} else {
				r.price = v;
				r.price_block = block;
				r.price_reverted = 0;
			}
		} else if (memcmp(c->data, SEL_DECIMALS, 4) == 0) {
			uint64_t d;
			if (answer_u256(c, &v) || lx_u256_to_u64(&d, &v) || d > 77)
				return lx_error_set(err, LX_EINVAL,
						    "aave_v2: decimals() of aToken at block %llu: no "
						    "usable answer",
						    (unsigned long long)block);
			r.decimals = (uint8_t)d;
			r.flags |= AAVE_R_META;
			t->meta = true;
		} else {
			if (c->result)
				read_symbol(r.symbol, sizeof(r.symbol), c->result, c->result_len);
		}
		if ((rc = aave_rec_put_reserve(txn, V2_T_RESERVE, a->market, &r, err)))
			return rc;
	}
	return 0;
}
