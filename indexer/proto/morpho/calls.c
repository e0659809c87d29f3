/*
 * calls.c: the contract reads the Morpho Blue handler asks sync to make at a run's last block
 * and their answers: each market's oracle price() (one read per oracle), the IRM's
 * borrowRateView(marketParams, market) with the market as the store holds it at that block
 * (what _accrueInterest would ask the IRM for in a transaction of the next instant), and each
 * token's decimals() once (display prices only; health never uses them).
 *
 * Markets with borrowers come first: when they alone exceed the reads sync allows per run the
 * run fails naming the count (a health computed with a stale price would be a wrong number);
 * markets without borrowers are read while room is left, the others keep their last price and
 * its block (shown stale).
 */
#include <stdlib.h>
#include <string.h>

#include "morpho.h"
#include "lendex/keccak.h"
#include "lendex/store.h"

static const uint8_t SEL_PRICE[4] = {0xa0, 0x35, 0xb1, 0xfe};    /* price() */
static const uint8_t SEL_DECIMALS[4] = {0x31, 0x3c, 0xe5, 0x67}; /* decimals() */
static uint8_t sel_rate[4];                                      /* borrowRateView */

static void rate_selector(void)
{
	static const char sig[] = "borrowRateView((address,address,address,address,uint256),"
				  "(uint128,uint128,uint128,uint128,uint128,uint128))";
	uint8_t h[32];
	lx_keccak256(h, sig, strlen(sig));
	memcpy(sel_rate, h, 4);
}

static bool is_zero_addr(const struct lx_addr *a)
{
	static const struct lx_addr z;
	return lx_addr_eq(a, &z);
}

struct plan {
	struct lx_call *c;
	size_t cap, n;
};

static bool planned(const struct plan *pl, const struct lx_addr *to, const uint8_t sel[4])
{
	for (size_t i = 0; i < pl->n; i++)
		if (lx_addr_eq(&pl->c[i].to, to) && memcmp(pl->c[i].data, sel, 4) == 0)
			return true;
	return false;
}

static struct lx_call *next(struct plan *pl)
{
	if (pl->n >= pl->cap)
		return NULL;
	struct lx_call *c = &pl->c[pl->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

static bool plan_simple(struct plan *pl, const struct lx_addr *to, const uint8_t sel[4])
{
	if (is_zero_addr(to) || planned(pl, to, sel))
		return true;
	struct lx_call *c = next(pl);
	if (!c)
		return false;
	c->to = *to;
	memcpy(c->data, sel, 4);
	c->data_len = 4;
	return true;
}

static bool plan_rate(struct plan *pl, const struct morpho_market *m)
{
	struct lx_call *c = next(pl);
	if (!c)
		return false;
	c->to = m->p.irm;
	memcpy(c->data, sel_rate, 4);
	morpho_params_encode(c->data + 4, &m->p);
	/* Market: totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares,
	 * lastUpdate, fee (uint128 each) */
	const struct lx_u256 *t[4] = {&m->supply_assets, &m->supply_shares, &m->borrow_assets,
				      &m->borrow_shares};
	uint8_t *w = c->data + 4 + 160;
	for (int i = 0; i < 4; i++)
		lx_u256_to_be(w + 32 * i, t[i]);
	struct lx_u256 lu;
	lx_u256_from_u64(&lu, m->last_update);
	lx_u256_to_be(w + 128, &lu);
	lx_u256_to_be(w + 160, &m->fee);
	c->data_len = 4 + 160 + 192;
	return true;
}

/* every market of the singleton, in id order (caller frees *out) */
static int load_markets(struct morpho *mo, struct lx_store_txn *txn, struct morpho_market **out,
			size_t *n_out, struct lx_error *err)
{
	struct lx_store_iter it;
	const uint8_t *k, *v;
	size_t kl, vl, n = 0, cap = 0;
	struct morpho_market *ms = NULL;
	*out = NULL;
	*n_out = 0;
	int rc = lx_store_iter_begin(&it, txn, T_MARKET, mo->key, MORPHO_KEY, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			struct morpho_market *nm = realloc(ms, cap * sizeof(*ms));
			if (!nm) {
				rc = lx_error_set(err, LX_ENOMEM, "morpho_blue: out of memory");
				break;
			}
			ms = nm;
		}
		if (kl != MORPHO_KEY + 32 || morpho_market_decode(&ms[n], k + MORPHO_KEY, v, vl)) {
			rc = morpho_corrupt(err, T_MARKET);
			break;
		}
		n++;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND) {
		free(ms);
		return rc;
	}
	lx_error_clear(err);
	*out = ms;
	*n_out = n;
	return 0;
}

int morpho_load_markets(struct morpho *mo, struct lx_store_txn *txn, struct morpho_market **out,
			size_t *n_out, struct lx_error *err)
{
	return load_markets(mo, txn, out, n_out, err);
}

int morpho_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_call *calls, size_t *n,
		 struct lx_error *err)
{
	struct morpho *mo = morpho_of(p);
	struct plan pl = {calls, *n, 0};
	*n = 0;
	if (!sel_rate[0] && !sel_rate[1])
		rate_selector();
	struct morpho_market *ms;
	size_t nm;
	int rc = load_markets(mo, txn, &ms, &nm, err);
	if (rc)
		return rc;
	size_t with_debt = 0;
	/* 1: markets with borrowers: price and rate are what health depends on */
	for (size_t i = 0; i < nm; i++) {
		const struct morpho_market *m = &ms[i];
		if (lx_u256_is_zero(&m->borrow_shares))
			continue;
		with_debt++;
		if (!plan_simple(&pl, &m->p.oracle, SEL_PRICE) ||
		    (!is_zero_addr(&m->p.irm) && !lx_u256_is_zero(&m->borrow_assets) &&
		     !plan_rate(&pl, m))) {
			free(ms);
			return lx_error_set(err, LX_EOVERFLOW,
					    "morpho_blue: %zu markets with borrowers need more than "
					    "the %zu contract reads sync makes per run",
					    with_debt, pl.cap);
		}
	}
	/* 2: the others' prices, then decimals, while room is left */
	for (size_t i = 0; i < nm; i++)
		if (lx_u256_is_zero(&ms[i].borrow_shares) &&
		    !plan_simple(&pl, &ms[i].p.oracle, SEL_PRICE))
			break;
	for (size_t i = 0; i < nm; i++) {
		if ((ms[i].loan_dec == MORPHO_DEC_UNKNOWN &&
		     !plan_simple(&pl, &ms[i].p.loan, SEL_DECIMALS)) ||
		    (ms[i].coll_dec == MORPHO_DEC_UNKNOWN &&
		     !plan_simple(&pl, &ms[i].p.collateral, SEL_DECIMALS)))
			break;
	}
	free(ms);
	*n = pl.n;
	return 0;
}

static bool answer(const struct lx_call *c, struct lx_u256 *out)
{
	if (!c->result || c->result_len != 32)
		return false;
	lx_u256_from_be(out, c->result);
	return true;
}

int morpho_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		       const struct lx_call *calls, size_t n, struct lx_error *err)
{
	struct morpho *mo = morpho_of(p);
	if (n == 0)
		return 0;
	if (!sel_rate[0] && !sel_rate[1])
		rate_selector();
	struct morpho_market *ms;
	size_t nm;
	int rc = load_markets(mo, txn, &ms, &nm, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < nm && rc == 0; i++) {
		struct morpho_market *m = &ms[i];
		bool changed = false;
		for (size_t j = 0; j < n; j++) {
			const struct lx_call *c = &calls[j];
			struct lx_u256 v;
			if (c->data_len < 4)
				continue;
			if (memcmp(c->data, SEL_PRICE, 4) == 0 && lx_addr_eq(&c->to, &m->p.oracle)) {
				if (answer(c, &v)) {
					m->price = v;
					m->price_block = block;
					changed = true;
				}
			} else if (memcmp(c->data, sel_rate, 4) == 0 && c->data_len >= 164) {
				uint8_t id[32];
				lx_keccak256(id, c->data + 4, 160);
				if (memcmp(id, m->id, 32) == 0 && answer(c, &v)) {
					m->rate = v;
					m->rate_block = block;
					changed = true;
				}
			} else if (memcmp(c->data, SEL_DECIMALS, 4) == 0 && answer(c, &v) &&
				   lx_u256_cmp(&v, &(struct lx_u256){{77, 0, 0, 0}}) <= 0) {
				if (lx_addr_eq(&c->to, &m->p.loan) && m->loan_dec != (uint8_t)v.w[0]) {
					m->loan_dec = (uint8_t)v.w[0];
					changed = true;
				}
				if (lx_addr_eq(&c->to, &m->p.collateral) &&
				    m->coll_dec != (uint8_t)v.w[0]) {
					m->coll_dec = (uint8_t)v.w[0];
					changed = true;
				}
			}
		}
		if (changed)
			rc = morpho_put_market(mo->key, txn, m, err);
	}
	free(ms);
	return rc;
}
