/*
 * reads.c: the contract reads of the Comet handler and their answers (which numbers come from
 * reads and why: comet.h).
 *
 *   log_reads    the configuration at the block of the range's last proxy `Upgraded` log, and
 *                at the first block of a store's first run (a start block after the market's
 *                last upgrade): baseToken, baseTokenPriceFeed, decimals, numAssets, the eight
 *                rate parameters, storeFrontPriceFactor and getAssetInfo(0..23) (an offset past
 *                numAssets reverts; both asset-list variants answer through the proxy).
 *   calls        at the synced block: totalsBasic(), getPrice(feed) for the base and each
 *                asset feed, userBasic(account) for every account the market's logs named —
 *                not only those of the last range: a borrower-to-borrower base transfer moves
 *                two principals with no log.
 */
#include <stdio.h>
#include <string.h>

#include "comet.h"
#include "lendex/abi.h"
#include "lendex/chain.h"
#include "lendex/keccak.h"
#include "lendex/store.h"

enum {
	R_BASE_TOKEN = 0,
	R_BASE_FEED,
	R_DECIMALS,
	R_NUM_ASSETS,
	R_SUPPLY_KINK,
	R_SUPPLY_LOW,
	R_SUPPLY_HIGH,
	R_SUPPLY_BASE,
	R_BORROW_KINK,
	R_BORROW_LOW,
	R_BORROW_HIGH,
	R_BORROW_BASE,
	R_STORE_FRONT,
	R_ASSET0,
	R_CONFIG_COUNT = R_ASSET0 + COMET_MAX_ASSETS
};

static const char *const config_sig[R_ASSET0] = {
	"baseToken()",
	"baseTokenPriceFeed()",
	"decimals()",
	"numAssets()",
	"supplyKink()",
	"supplyPerSecondInterestRateSlopeLow()",
	"supplyPerSecondInterestRateSlopeHigh()",
	"supplyPerSecondInterestRateBase()",
	"borrowKink()",
	"borrowPerSecondInterestRateSlopeLow()",
	"borrowPerSecondInterestRateSlopeHigh()",
	"borrowPerSecondInterestRateBase()",
	"storeFrontPriceFactor()",
};

static void selector(uint8_t out[4], const char *sig)
{
	uint8_t h[32];
	lx_keccak256(h, sig, strlen(sig));
	memcpy(out, h, 4);
}

/* Appends a read of sig(arg) at block; result_min: the answer's shortest readable length.
 * Returns the call, or NULL when out of memory. */
static struct lx_call *call_init(struct lx_calls *l, const struct lx_addr *to, const char *sig,
				 const uint8_t *arg, uint64_t block, size_t result_min)
{
	struct lx_call *x = lx_calls_add(l, to, arg ? 36 : 4, 0);
	if (!x)
		return NULL;
	x->block = block;
	x->result_min = result_min;
	selector(x->data, sig);
	if (arg)
		memcpy(x->data + 4, arg, 32);
	return x;
}

static int no_memory(struct lx_error *err)
{
	return lx_error_set(err, LX_ENOMEM, "compound_v3: out of memory");
}

static bool has_sel(const struct lx_call *x, const char *sig)
{
	uint8_t s[4];
	selector(s, sig);
	return x->data_len >= 4 && memcmp(x->data, s, 4) == 0;
}

/* ---- configuration at upgrade blocks ---- */

int comet_log_reads(struct lx_proto *p, uint64_t from, const struct lx_log *logs, size_t n_logs,
		    struct lx_calls *reads, struct lx_error *err)
{
	struct comet *c = comet_of(p);
	uint64_t at = 0;
	for (size_t i = 0; i < n_logs; i++)
		if (lx_addr_eq(&logs[i].address, &c->comet) && logs[i].n_topics > 0 &&
		    comet_event_find(logs[i].topics[0]) == CE_UPGRADED)
			at = logs[i].block;
	/* the run's first range (the lowest `from` seen: a refused range is fetched again after
	 * later ones) reads the configuration at its first block when the store has none */
	if (!c->config_at_create && (!c->seen_from || from <= c->first_from)) {
		c->seen_from = true;
		c->first_from = from;
		if (!at)
			at = from ? from : 1; /* block 0 would mean "the range's last" */
	}
	if (!at)
		return 0;
	/* apply_log_reads finds each answer by its position: the list starts empty here */
	if (reads->n)
		return lx_error_set(err, LX_EINVAL, "compound_v3: log reads list not empty");
	for (int i = 0; i < R_ASSET0; i++)
		if (!call_init(reads, &c->comet, config_sig[i], NULL, at, 0))
			return no_memory(err);
	for (int i = 0; i < COMET_MAX_ASSETS; i++) {
		uint8_t arg[32] = {0};
		arg[31] = (uint8_t)i;
		if (!call_init(reads, &c->comet, "getAssetInfo(uint8)", arg, at, 0))
			return no_memory(err);
	}
	return 0;
}

static bool word(const struct lx_call *x, size_t i, const uint8_t **w)
{
	if (!x->result || x->result_len < 32 * (i + 1))
		return false;
	*w = x->result + 32 * i;
	return true;
}

static bool word_addr(const struct lx_call *x, size_t i, struct lx_addr *out)
{
	const uint8_t *w;
	if (!word(x, i, &w))
		return false;
	for (int k = 0; k < 12; k++)
		if (w[k])
			return false;
	memcpy(out->b, w + 12, 20);
	return true;
}

static bool word_u64(const struct lx_call *x, size_t i, uint64_t *out)
{
	const uint8_t *w;
	if (!word(x, i, &w))
		return false;
	for (int k = 0; k < 24; k++)
		if (w[k])
			return false;
	*out = comet_rd64(w + 24);
	return true;
}

static int bad_read(struct lx_error *err, const struct lx_call *x, const char *what)
{
	return lx_error_set(err, LX_EBADRESP,
			    "compound_v3: %s read at block %llu: answer of %zu bytes is not what "
			    "a Comet returns",
			    what, (unsigned long long)x->block, x->result_len);
}

int comet_apply_log_reads(struct lx_proto *p, struct lx_store_txn *txn,
			  const struct lx_call *reads, size_t n, struct lx_error *err)
{
	struct comet *c = comet_of(p);
	if (n == 0)
		return 0;
	if (n != R_CONFIG_COUNT || !has_sel(&reads[0], config_sig[0]))
		return lx_error_set(err, LX_EINVAL, "compound_v3: configuration reads came back "
						    "out of order");
	if (!reads[R_BASE_TOKEN].result)
		return 0; /* no Comet at that block yet (a run that starts before its creation) */
	struct comet_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.block = reads[0].block;
	uint64_t dec = 0, na = 0;
	uint64_t *r[9] = {&cfg.supply_kink, &cfg.supply_low, &cfg.supply_high, &cfg.supply_base,
			  &cfg.borrow_kink, &cfg.borrow_low, &cfg.borrow_high, &cfg.borrow_base,
			  &cfg.store_front_price_factor};
	if (!word_addr(&reads[R_BASE_TOKEN], 0, &cfg.base_token))
		return bad_read(err, &reads[R_BASE_TOKEN], config_sig[R_BASE_TOKEN]);
	if (!word_addr(&reads[R_BASE_FEED], 0, &cfg.base_feed))
		return bad_read(err, &reads[R_BASE_FEED], config_sig[R_BASE_FEED]);
	if (!word_u64(&reads[R_DECIMALS], 0, &dec) || dec > 36)
		return bad_read(err, &reads[R_DECIMALS], config_sig[R_DECIMALS]);
	if (!word_u64(&reads[R_NUM_ASSETS], 0, &na) || na > COMET_MAX_ASSETS)
		return bad_read(err, &reads[R_NUM_ASSETS], config_sig[R_NUM_ASSETS]);
	for (int i = 0; i < 9; i++)
		if (!word_u64(&reads[R_SUPPLY_KINK + i], 0, r[i]))
			return bad_read(err, &reads[R_SUPPLY_KINK + i], config_sig[R_SUPPLY_KINK + i]);
	cfg.base_decimals = (uint8_t)dec;
	cfg.n_assets = (uint8_t)na;
	for (unsigned i = 0; i < cfg.n_assets; i++) {
		const struct lx_call *x = &reads[R_ASSET0 + i];
		struct comet_asset *a = &cfg.assets[i];
		uint64_t off, scale;
		const uint8_t *cap;
		if (!word_u64(x, 0, &off) || off != i || !word_addr(x, 1, &a->asset) ||
		    !word_addr(x, 2, &a->feed) || !word_u64(x, 3, &scale) ||
		    !word_u64(x, 4, &a->borrow_cf) || !word_u64(x, 5, &a->liquidate_cf) ||
		    !word_u64(x, 6, &a->liquidation_factor) || !word(x, 7, &cap))
			return bad_read(err, x, "getAssetInfo");
		lx_u256_from_be(&a->supply_cap, cap);
		uint64_t s = 1;
		a->decimals = 0;
		while (s < scale && a->decimals < 19)
			s *= 10, a->decimals++;
		if (s != scale)
			return bad_read(err, x, "getAssetInfo (scale not a power of ten)");
	}
	return comet_put_config(c, txn, &cfg, err);
}

/* ---- state at the synced block ---- */

static void addr_arg(uint8_t arg[32], const struct lx_addr *a)
{
	memset(arg, 0, 32);
	memcpy(arg + 12, a->b, 20);
}

int comet_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
		struct lx_error *err)
{
	struct comet *c = comet_of(p);
	if (calls->n)
		return lx_error_set(err, LX_EINVAL, "compound_v3: calls list not empty");
	struct comet_config cfg;
	int rc = comet_get_config(c, txn, &cfg, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0; /* no Comet yet at the blocks synced */
	}
	if (rc)
		return rc;
	uint8_t arg[32];
	/* totalsBasic: 7 words; getPrice: 1; userBasic: 5 (shorter answers are not Comet's) */
	if (!call_init(calls, &c->comet, "totalsBasic()", NULL, 0, 7 * 32))
		return no_memory(err);
	addr_arg(arg, &cfg.base_feed);
	if (!call_init(calls, &c->comet, "getPrice(address)", arg, 0, 32))
		return no_memory(err);
	for (unsigned i = 0; i < cfg.n_assets; i++) {
		addr_arg(arg, &cfg.assets[i].feed);
		if (!call_init(calls, &c->comet, "getPrice(address)", arg, 0, 32))
			return no_memory(err);
	}
	/* symbols, for display (a token without symbol() reverts: no name) */
	for (unsigned i = 0; i <= cfg.n_assets; i++)
		if (!call_init(calls, i ? &cfg.assets[i - 1].asset : &cfg.base_token, "symbol()",
			       NULL, 0, 0))
			return no_memory(err);
	struct lx_store_iter it;
	const uint8_t *kk, *v;
	size_t kl, vl;
	rc = lx_store_iter_begin(&it, txn, CT_ACCT, c->market, COMET_MARKET_KEY, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &kk, &kl, &v, &vl, err)) == 0) {
		if (kl != COMET_MARKET_KEY + 20) {
			lx_store_iter_end(&it);
			return comet_corrupt(err, CT_ACCT);
		}
		memset(arg, 0, 12);
		memcpy(arg + 12, kk + COMET_MARKET_KEY, 20);
		if (!call_init(calls, &c->comet, "userBasic(address)", arg, 0, 5 * 32)) {
			lx_store_iter_end(&it);
			return no_memory(err);
		}
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

/* int104 principal, sign-extended in a word: false when the word is not one. */
static bool principal_word(const uint8_t w[32], struct comet_acct *out)
{
	bool neg = w[19] & 0x80; /* bit 103 */
	for (int i = 0; i < 19; i++)
		if (w[i] != (neg ? 0xff : 0x00))
			return false;
	struct lx_u256 v;
	lx_u256_from_be(&v, w);
	if (neg) {
		/* magnitude = 2^256 - v */
		struct lx_u256 zero;
		lx_u256_from_u64(&zero, 0);
		lx_u256_sub(&v, &zero, &v); /* wraps mod 2^256 */
	}
	out->negative = neg;
	out->principal = v;
	return true;
}

/* symbol(): an ABI string, or a bytes32 (MKR-style); printable ASCII up to 15 bytes */
static bool symbol_of(const struct lx_call *x, char out[16])
{
	return lx_abi_symbol(out, x->result, x->result_len);
}

int comet_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		      const struct lx_call *calls, size_t n, struct lx_error *err)
{
	struct comet *c = comet_of(p);
	if (n == 0)
		return 0;
	struct comet_config cfg;
	int rc = comet_get_config(c, txn, &cfg, err);
	if (rc)
		return rc;
	struct comet_state st;
	rc = comet_get_state(c, txn, &st, err);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	const struct lx_call *tb = &calls[0];
	if (!has_sel(tb, "totalsBasic()"))
		return lx_error_set(err, LX_EINVAL, "compound_v3: reads came back out of order");
	if (!tb->result)
		return 0; /* the Comet is not there at this block (the run ended before it) */
	uint64_t si, bi, last;
	const uint8_t *w4, *w5;
	if (!word_u64(tb, 0, &si) || !word_u64(tb, 1, &bi) || !word(tb, 4, &w4) ||
	    !word(tb, 5, &w5) || !word_u64(tb, 6, &last))
		return bad_read(err, tb, "totalsBasic()");
	st.block = block;
	st.supply_index = si;
	st.borrow_index = bi;
	lx_u256_from_be(&st.total_supply_base, w4);
	lx_u256_from_be(&st.total_borrow_base, w5);
	st.last_accrual = last;
	for (size_t i = 1; i < n; i++) {
		const struct lx_call *x = &calls[i];
		if (has_sel(x, "getPrice(address)")) {
			struct lx_addr feed;
			memcpy(feed.b, x->data + 16, 20);
			const uint8_t *w;
			if (!x->result)
				continue; /* BadPrice: Comet reverts too; the last price stays, dated */
			if (!word(x, 0, &w))
				return bad_read(err, x, "getPrice(address)");
			struct lx_u256 pr;
			lx_u256_from_be(&pr, w);
			if (lx_addr_eq(&feed, &cfg.base_feed)) {
				st.base_price = pr;
				st.base_price_block = block;
			}
			for (unsigned a = 0; a < cfg.n_assets; a++)
				if (lx_addr_eq(&feed, &cfg.assets[a].feed)) {
					st.price[a] = pr;
					st.price_block[a] = block;
				}
		} else if (has_sel(x, "symbol()")) {
			char sym[16];
			if (x->result && symbol_of(x, sym) &&
			    (rc = comet_put_symbol(c, txn, &x->to, sym, err)))
				return rc;
		} else if (has_sel(x, "userBasic(address)")) {
			struct lx_addr who;
			memcpy(who.b, x->data + 16, 20);
			struct comet_acct ac;
			const uint8_t *w;
			if (!word(x, 0, &w) || x->result_len < 5 * 32 || !principal_word(w, &ac)) {
				char a[LX_ADDR_STRLEN];
				lx_addr_lower(a, &who);
				return lx_error_set(err, LX_EBADRESP,
						    "compound_v3: userBasic(%s) at block %llu: not a "
						    "Comet answer (%zu bytes)",
						    a, (unsigned long long)block, x->result_len);
			}
			ac.block = block;
			if ((rc = comet_put_acct(c, txn, &who, &ac, err)))
				return rc;
		}
	}
	return comet_put_state(c, txn, &st, err);
}
