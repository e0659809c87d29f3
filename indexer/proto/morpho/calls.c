/*
 * calls.c: the contract reads the Morpho Blue handler asks sync to make at a run's last block
 * and their answers: each market's oracle price() (one read per oracle), the IRM's
 * borrowRateView(marketParams, market) with the market as the store holds it at that block
 * (what _accrueInterest would ask the IRM for in a transaction of the next instant), and each
 * token's decimals() once (display prices only; health never uses them).
 *
 * Every market is read, however many there are (sync batches the reads); one price read per
 * oracle however many markets share it (a hash set of the oracles planned). A read that
 * reverts keeps the last answer and marks the revert's block: the view then refuses the
 * market's holders (lx_model_check_reads).
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

/* The reads planned so far, with an open-addressing set of (address, selector) so that an
 * oracle or token shared by many markets is read once. */
struct plan {
	struct lx_calls *c;
	size_t *slot;         /* call index + 1; 0 = empty */
	size_t n_slot;        /* a power of two, at least twice the calls */
};

static size_t slot_of(const struct plan *pl, const struct lx_addr *to, const uint8_t sel[4])
{
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 20; i++)
		h = (h ^ to->b[i]) * 1099511628211ull;
	for (int i = 0; i < 4; i++)
		h = (h ^ sel[i]) * 1099511628211ull;
	size_t k = (size_t)h & (pl->n_slot - 1);
	while (pl->slot[k]) {
		const struct lx_call *c = &pl->c->v[pl->slot[k] - 1];
		if (lx_addr_eq(&c->to, to) && memcmp(c->data, sel, 4) == 0)
			break;
		k = (k + 1) & (pl->n_slot - 1);
	}
	return k;
}

static bool plan_grow(struct plan *pl)
{
	if (2 * (pl->c->n + 1) <= pl->n_slot)
		return true;
	size_t ns = pl->n_slot ? 2 * pl->n_slot : 256;
	size_t *old = pl->slot, on = pl->n_slot;
	if (!(pl->slot = calloc(ns, sizeof(*pl->slot)))) {
		pl->slot = old;
		return false;
	}
	pl->n_slot = ns;
	for (size_t i = 0; i < on; i++)
		if (old[i]) {
			const struct lx_call *c = &pl->c->v[old[i] - 1];
			pl->slot[slot_of(pl, &c->to, c->data)] = old[i];
		}
	free(old);
	return true;
}

static bool plan_simple(struct plan *pl, const struct lx_addr *to, const uint8_t sel[4])
{
	if (is_zero_addr(to))
		return true;
	if (!plan_grow(pl))
		return false;
	size_t k = slot_of(pl, to, sel);
	if (pl->slot[k])
		return true;
	struct lx_call *c = lx_calls_add(pl->c, to, 4, 0);
	if (!c)
		return false;
	memcpy(c->data, sel, 4);
	c->result_min = 32;
	pl->slot[k] = pl->c->n;
	return true;
}

static bool plan_rate(struct plan *pl, const struct morpho_market *m)
{
	struct lx_call *c = lx_calls_add(pl->c, &m->p.irm, 4 + 160 + 192, 0);
	if (!c)
		return false;
	c->result_min = 32;
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

int morpho_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
		 struct lx_error *err)
{
	struct morpho *mo = morpho_of(p);
	struct plan pl = {calls, NULL, 0};
	if (!sel_rate[0] && !sel_rate[1])
		rate_selector();
	struct morpho_market *ms;
	size_t nm;
	int rc = load_markets(mo, txn, &ms, &nm, err);
	if (rc)
		return rc;
	/* markets with borrowers first (price and rate are what health depends on), then the
	 * others' prices, then decimals */
	bool ok = true;
	for (size_t i = 0; i < nm && ok; i++) {
		const struct morpho_market *m = &ms[i];
		if (lx_u256_is_zero(&m->borrow_shares))
			continue;
		ok = plan_simple(&pl, &m->p.oracle, SEL_PRICE) &&
		     (is_zero_addr(&m->p.irm) || lx_u256_is_zero(&m->borrow_assets) ||
		      plan_rate(&pl, m));
	}
	for (size_t i = 0; i < nm && ok; i++)
		if (lx_u256_is_zero(&ms[i].borrow_shares))
			ok = plan_simple(&pl, &ms[i].p.oracle, SEL_PRICE);
	for (size_t i = 0; i < nm && ok; i++)
		ok = (ms[i].loan_dec != MORPHO_DEC_UNKNOWN ||
		      plan_simple(&pl, &ms[i].p.loan, SEL_DECIMALS)) &&
		     (ms[i].coll_dec != MORPHO_DEC_UNKNOWN ||
		      plan_simple(&pl, &ms[i].p.collateral, SEL_DECIMALS));
	free(ms);
	free(pl.slot);
	return ok ? 0 : lx_error_set(err, LX_ENOMEM, "morpho_blue: out of memory");
}

static bool answer(const struct lx_call *c, struct lx_u256 *out)
{
	if (!c->result || c->result_len != 32)
		return false;
	lx_u256_from_be(out, c->result);
	return true;
}

/* Index of the answers: each call by (address, selector), rate calls by market id. */
struct ans_key {
	uint8_t k[32];        /* address + selector, or a market id */
	size_t call;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(((const struct ans_key *)a)->k, ((const struct ans_key *)b)->k, 32);
}

static const struct lx_call *lookup(const struct ans_key *ix, size_t n, const struct lx_call *calls,
				    const uint8_t k[32])
{
	struct ans_key q;
	memcpy(q.k, k, 32);
	const struct ans_key *hit = bsearch(&q, ix, n, sizeof(*ix), key_cmp);
	return hit ? &calls[hit->call] : NULL;
}

static void addr_sel(uint8_t k[32], const struct lx_addr *a, const uint8_t sel[4])
{
	memset(k, 0, 32);
	memcpy(k, a->b, 20);
	memcpy(k + 20, sel, 4);
}

int morpho_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		       const struct lx_call *calls, size_t n, struct lx_error *err)
{
	struct morpho *mo = morpho_of(p);
	if (n == 0)
		return 0;
	if (!sel_rate[0] && !sel_rate[1])
		rate_selector();
	struct ans_key *ix = calloc(n, sizeof(*ix)), *rx = calloc(n, sizeof(*rx));
	if (!ix || !rx) {
		free(ix);
		free(rx);
		return lx_error_set(err, LX_ENOMEM, "morpho_blue: out of memory");
	}
	size_t ni = 0, nr = 0;
	for (size_t j = 0; j < n; j++) {
		const struct lx_call *c = &calls[j];
		if (c->data_len < 4)
			continue;
		if (memcmp(c->data, sel_rate, 4) == 0) {
			if (c->data_len >= 164) {
				lx_keccak256(rx[nr].k, c->data + 4, 160);
				rx[nr++].call = j;
			}
			continue;
		}
		addr_sel(ix[ni].k, &c->to, c->data);
		ix[ni++].call = j;
	}
	qsort(ix, ni, sizeof(*ix), key_cmp);
	qsort(rx, nr, sizeof(*rx), key_cmp);
	struct morpho_market *ms;
	size_t nm;
	int rc = load_markets(mo, txn, &ms, &nm, err);
	if (rc) {
		free(ix);
		free(rx);
		return rc;
	}
	static const struct lx_u256 max_dec = {{77, 0, 0, 0}};
	for (size_t i = 0; i < nm && rc == 0; i++) {
		struct morpho_market *m = &ms[i];
		bool changed = false;
		struct lx_u256 v;
		uint8_t k[32];
		const struct lx_call *c;
		/* a revert leaves the last answer, marked (lx_model_check_reads): Morpho's own
		 * liquidate and borrow call the same oracle and IRM and revert too */
		addr_sel(k, &m->p.oracle, SEL_PRICE);
		if ((c = lookup(ix, ni, calls, k))) {
			if (answer(c, &v)) {
				m->price = v;
				m->price_block = block;
				m->price_reverted = 0;
			} else {
				m->price_reverted = block;
			}
			changed = true;
		}
		if ((c = lookup(rx, nr, calls, m->id))) {
			if (answer(c, &v)) {
				m->rate = v;
				m->rate_block = block;
				m->rate_reverted = 0;
			} else {
				m->rate_reverted = block;
			}
			changed = true;
		}
		addr_sel(k, &m->p.loan, SEL_DECIMALS);
		if ((c = lookup(ix, ni, calls, k)) && answer(c, &v) && lx_u256_cmp(&v, &max_dec) <= 0 &&
		    m->loan_dec != (uint8_t)v.w[0]) {
			m->loan_dec = (uint8_t)v.w[0];
			changed = true;
		}
		addr_sel(k, &m->p.collateral, SEL_DECIMALS);
		if ((c = lookup(ix, ni, calls, k)) && answer(c, &v) && lx_u256_cmp(&v, &max_dec) <= 0 &&
		    m->coll_dec != (uint8_t)v.w[0]) {
			m->coll_dec = (uint8_t)v.w[0];
			changed = true;
		}
		if (changed)
			rc = morpho_put_market(mo->key, txn, m, err);
	}
	free(ms);
	free(ix);
	free(rx);
	return rc;
}
