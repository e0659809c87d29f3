/*
 * aave_v3.c: the Aave V3 protocol handler.
 *
 * Rebuilds every position of an Aave V3 market from events alone: reserves and their
 * configuration from the PoolConfigurator, indexes and rates from the Pool's
 * ReserveDataUpdated, per-account scaled balances from the aToken / variable-debt /
 * stable-debt tokens' Mint, Burn and BalanceTransfer (the token addresses are learned from
 * ReserveInitialized; aTokens and debt tokens share Mint/Burn signatures, so a token event is
 * routed by its emitter, never by topic alone), collateral flags and e-mode from the Pool.
 * Oracle prices are contract reads pinned to each batch's last block.
 *
 * Balances are kept scaled, as the tokens keep them, and turned into amounts only when a view is
 * built, with the contracts' own rounding (aave_math.c), so a view at the synced block equals
 * what balanceOf and getUserAccountData return there.
 *
 * Version notes (deployment "version" in chains/): 3.0.x layouts are interpreted here. From
 * 3.0.1 BalanceTransfer carries the scaled amount (3.0.0 carried the unscaled one: handled by
 * dividing by the event's index). Stable debt exists up to 3.3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aave_events.h"
#include "aave_math.h"
#include "aave_rec.h"
#include "lendex/chain.h"
#include "lendex/proto.h"
#include "lendex/store.h"

#define T_RESERVE "aave3.reserve"
#define T_TOKEN "aave3.token"
#define T_EMODE "aave3.emode"
#define T_USER "aave3.user"
#define T_POS "aave3.pos"
#define T_FLOW "lx.flow"

#define MAX_TOKENS 3 * 256

struct token {
	struct lx_addr token, asset;
	uint8_t kind;       /* enum aave_token_kind */
	uint64_t block;     /* block of its ReserveInitialized */
};

struct aave {
	struct lx_proto base;
	uint8_t market[AAVE_MARKET_KEY];
	struct lx_addr pool, configurator, oracle;
	int ver_major, ver_minor, ver_patch;
	size_t n_tokens;
	struct token tokens[MAX_TOKENS];
};

/* ---- helpers ---- */

static struct aave *A(struct lx_proto *p)
{
	return (struct aave *)p;
}

static const struct token *find_token(const struct aave *a, const struct lx_addr *t)
{
	for (size_t i = 0; i < a->n_tokens; i++)
		if (lx_addr_eq(&a->tokens[i].token, t))
			return &a->tokens[i];
	return NULL;
}

static int add_token(struct aave *a, const struct lx_addr *t, const struct lx_addr *asset,
		     uint8_t kind, uint64_t block, struct lx_error *err)
{
	if (find_token(a, t))
		return 0;
	if (a->n_tokens >= MAX_TOKENS)
		return lx_error_set(err, LX_EOVERFLOW, "aave_v3: more than %d reserve tokens",
				    MAX_TOKENS);
	struct token *k = &a->tokens[a->n_tokens++];
	k->token = *t;
	k->asset = *asset;
	k->kind = kind;
	k->block = block;
	return 0;
}

static bool addr_zero(const struct lx_addr *x)
{
	for (int i = 0; i < 20; i++)
		if (x->b[i])
			return false;
	return true;
}

static size_t key_asset(uint8_t *k, const struct aave *a, const struct lx_addr *x)
{
	memcpy(k, a->market, AAVE_MARKET_KEY);
	memcpy(k + AAVE_MARKET_KEY, x->b, 20);
	return AAVE_MARKET_KEY + 20;
}

static size_t key_pos(uint8_t *k, const struct aave *a, const struct lx_addr *user,
		      const struct lx_addr *asset)
{
	size_t n = key_asset(k, a, user);
	memcpy(k + n, asset->b, 20);
	return n + 20;
}

static int corrupt(struct lx_error *err, const char *table)
{
	return lx_error_set(err, LX_ECORRUPT, "store: record in %s does not parse (corrupt "
					      "store or newer lendex)", table);
}

/* ---- records ---- */

static int get_reserve(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *asset,
		       struct aave_reserve *r, struct lx_error *err)
{
	uint8_t k[64];
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(txn, T_RESERVE, k, key_asset(k, a, asset), &v, &vl, err);
	if (rc)
		return rc;
	return aave_reserve_decode(r, v, vl) ? corrupt(err, T_RESERVE) : 0;
}

static int put_reserve(struct aave *a, struct lx_store_txn *txn, const struct aave_reserve *r,
		       struct lx_error *err)
{
	uint8_t k[64], v[AAVE_RESERVE_LEN];
	size_t vl = aave_reserve_encode(v, r);
	return lx_store_put(txn, T_RESERVE, k, key_asset(k, a, &r->asset), v, vl, err);
}

static int get_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, struct aave_pos *p, struct lx_error *err)
{
	uint8_t k[96];
	const uint8_t *v;
	size_t vl;
	memset(p, 0, sizeof(*p));
	int rc = lx_store_get(txn, T_POS, k, key_pos(k, a, user, asset), &v, &vl, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	return aave_pos_decode(p, v, vl) ? corrupt(err, T_POS) : 0;
}

static int touch_user(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		      int emode /* -1 = keep */, struct lx_error *err)
{
	uint8_t k[64];
	size_t kl = key_asset(k, a, user);
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

static int put_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, const struct aave_pos *p, struct lx_error *err)
{
	uint8_t k[96], v[AAVE_POS_LEN];
	size_t kl = key_pos(k, a, user, asset);
	if (aave_pos_empty(p)) {
		int rc = lx_store_del(txn, T_POS, k, kl, err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			rc = 0;
		}
		return rc;
	}
	int rc = touch_user(a, txn, user, -1, err);
	if (rc)
		return rc;
	size_t vl = aave_pos_encode(v, p);
	return lx_store_put(txn, T_POS, k, kl, v, vl, err);
}

static int put_flow(struct aave *a, struct lx_store_txn *txn, const struct lx_log *log,
		    const struct lx_addr *user, uint8_t kind, const struct lx_addr *asset,
		    const struct lx_u256 *amount, uint8_t sub, struct lx_error *err)
{
	uint8_t k[AAVE_MARKET_KEY + 20 + 8 + 4 + 1], v[1 + 20 + 32 + 32];
	size_t n = key_asset(k, a, user);
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

static int math_err(struct lx_error *err, int rc, const char *what, const struct lx_log *log)
{
	return lx_error_set(err, rc, "aave_v3: %s at log %llu:%u: %s", what,
			    (unsigned long long)log->block, log->log_index, lx_strerror(rc));
}

/* scaled += rayDiv(amount, index) or -= ; underflow means our state diverged from the chain */
static int scaled_add(struct lx_u256 *scaled, const struct lx_u256 *amount,
		      const struct lx_u256 *index, bool sub, const struct lx_log *log,
		      struct lx_error *err)
{
	struct lx_u256 s;
	int rc = lx_ray_div(&s, amount, index);
	if (rc)
		return math_err(err, rc, "rayDiv", log);
	rc = sub ? lx_u256_sub(scaled, scaled, &s) : lx_u256_add(scaled, scaled, &s);
	if (rc)
		return lx_error_set(err, LX_ECORRUPT,
				    "aave_v3: scaled balance %s at log %llu:%u (events missing "
				    "before this block?)",
				    sub ? "underflow" : "overflow", (unsigned long long)log->block,
				    log->log_index);
	return 0;
}

static int count_reserves(struct aave *a, struct lx_store_txn *txn, uint16_t *out,
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

/* ---- event handlers ---- */

static int on_token(struct aave *a, struct lx_store_txn *txn, const struct token *tk,
		    const struct lx_log *log, struct lx_error *err)
{
	const uint8_t *t0 = log->topics[0];
	struct aave_args x;
	struct aave_pos p;
	int rc;
	const struct aave_event_def *ev = NULL;
	static const enum aave_ev scaled_evs[] = {EV_SCALED_MINT, EV_SCALED_BURN,
						 EV_BALANCE_TRANSFER, EV_ATOKEN_INITIALIZED};
	static const enum aave_ev stable_evs[] = {EV_STABLE_MINT, EV_STABLE_BURN};
	const enum aave_ev *list = tk->kind == AAVE_STOKEN ? stable_evs : scaled_evs;
	size_t n = tk->kind == AAVE_STOKEN ? 2 : 4;
	for (size_t i = 0; i < n; i++)
		if (memcmp(aave_events[list[i]].topic0, t0, 32) == 0)
			ev = &aave_events[list[i]];
	if (!ev)
		return 0; /* Transfer, Approval, ...: not state we keep */
	if ((rc = aave_event_decode(&x, ev, log, err)))
		return rc;

	switch (ev->id) {
	case EV_ATOKEN_INITIALIZED: {
		if (tk->kind != AAVE_ATOKEN)
			return 0;
		struct aave_reserve r;
		if ((rc = get_reserve(a, txn, &tk->asset, &r, err)) == LX_ENOTFOUND) {
			/* emitted before ReserveInitialized in the same tx: create the record */
			lx_error_clear(err);
			memset(&r, 0, sizeof(r));
			r.asset = tk->asset;
			r.atoken = tk->token;
			if ((rc = count_reserves(a, txn, &r.id, err)))
				return rc;
		} else if (rc)
			return rc;
		uint64_t dec;
		if (lx_u256_to_u64(&dec, &x.v[4]) || dec > 77)
			return lx_error_set(err, LX_EPADDING, "aave_v3: bad decimals in "
							      "Initialized at %llu:%u",
					    (unsigned long long)log->block, log->log_index);
		r.decimals = (uint8_t)dec;
		char sym[24];
		if ((rc = aave_event_string(sym, sizeof(sym), ev, log, 6, err)))
			return rc;
		/* aToken symbols are "a<Market><SYMBOL>" or "a<SYMBOL>": keep the whole name
		 * unless the underlying's own symbol arrives later (calls) */
		if (!r.symbol[0]) {
			const char *s = sym[0] == 'a' ? sym + 1 : sym;
			size_t l = strlen(s);
			if (l >= sizeof(r.symbol))
				l = sizeof(r.symbol) - 1;
			memcpy(r.symbol, s, l);
			r.symbol[l] = 0;
		}
		return put_reserve(a, txn, &r, err);
	}
	case EV_SCALED_MINT:
	case EV_SCALED_BURN: {
		/* Mint(caller, onBehalfOf, ...) / Burn(from, target, ...) */
		const struct lx_addr *user = ev->id == EV_SCALED_BURN ? &x.a[0] : &x.a[1];
		if ((rc = get_pos(a, txn, user, &tk->asset, &p, err)))
			return rc;
		struct lx_u256 *sc = tk->kind == AAVE_ATOKEN ? &p.scaled_a : &p.scaled_v;
		struct lx_u256 amt;
		bool sub;
		if (ev->id == EV_SCALED_BURN) {
			/* Burn(from, target, value, balanceIncrease, index): burned = value + bi */
			if ((rc = lx_u256_add(&amt, &x.v[2], &x.v[3])))
				return math_err(err, rc, "Burn amount", log);
			sub = true;
		} else if (lx_u256_cmp(&x.v[2], &x.v[3]) >= 0) {
			/* Mint(caller, onBehalfOf, value, bi, index): minted = value - bi */
			lx_u256_sub(&amt, &x.v[2], &x.v[3]);
			sub = false;
		} else {
			/* a burn smaller than the accrued interest is emitted as a Mint */
			lx_u256_sub(&amt, &x.v[3], &x.v[2]);
			sub = true;
		}
		if (!lx_u256_is_zero(&amt) &&
		    (rc = scaled_add(sc, &amt, &x.v[4], sub, log, err)))
			return rc;
		return put_pos(a, txn, user, &tk->asset, &p, err);
	}
	case EV_BALANCE_TRANSFER: {
		/* BalanceTransfer(from, to, value, index): value is scaled from 3.0.1 on */
		struct lx_u256 sc = x.v[2];
		if (a->ver_major == 3 && a->ver_minor == 0 && a->ver_patch == 0 &&
		    (rc = lx_ray_div(&sc, &x.v[2], &x.v[3])))
			return math_err(err, rc, "rayDiv", log);
		if (lx_addr_eq(&x.a[0], &x.a[1]))
			return 0;
		struct aave_pos q;
		if ((rc = get_pos(a, txn, &x.a[0], &tk->asset, &p, err)))
			return rc;
		if (lx_u256_sub(&p.scaled_a, &p.scaled_a, &sc))
			return lx_error_set(err, LX_ECORRUPT,
					    "aave_v3: BalanceTransfer at %llu:%u exceeds the "
					    "sender's balance (events missing?)",
					    (unsigned long long)log->block, log->log_index);
		if ((rc = put_pos(a, txn, &x.a[0], &tk->asset, &p, err)))
			return rc;
		if ((rc = get_pos(a, txn, &x.a[1], &tk->asset, &q, err)))
			return rc;
		if (lx_u256_add(&q.scaled_a, &q.scaled_a, &sc))
			return math_err(err, LX_EOVERFLOW, "BalanceTransfer", log);
		if ((rc = put_pos(a, txn, &x.a[1], &tk->asset, &q, err)))
			return rc;
		struct lx_u256 amt;
		if (lx_ray_mul(&amt, &sc, &x.v[3]))
			amt = sc;
		if ((rc = put_flow(a, txn, log, &x.a[0], LX_FLOW_TRANSFER_OUT, &tk->asset, &amt, 0,
				   err)))
			return rc;
		return put_flow(a, txn, log, &x.a[1], LX_FLOW_TRANSFER_IN, &tk->asset, &amt, 1,
				err);
	}
	case EV_STABLE_MINT: {
		/* Mint(user, onBehalfOf, amount, currentBalance, bi, newRate, avg, supply):
		 * principal = currentBalance + amount - bi, for a borrow and for a burn smaller
		 * than the accrued interest alike; the rate field is the user's rate after. */
		const struct lx_addr *user = &x.a[1];
		if ((rc = get_pos(a, txn, user, &tk->asset, &p, err)))
			return rc;
		struct lx_u256 pr;
		if (lx_u256_add(&pr, &x.v[3], &x.v[2]) || lx_u256_sub(&pr, &pr, &x.v[4]))
			return math_err(err, LX_EOVERFLOW, "stable Mint", log);
		p.stable = pr;
		p.stable_rate = x.v[5];
		p.stable_ts = log->timestamp;
		return put_pos(a, txn, user, &tk->asset, &p, err);
	}
	case EV_STABLE_BURN: {
		/* Burn(from, amount, currentBalance, bi, avg, supply): repaid = amount + bi */
		const struct lx_addr *user = &x.a[0];
		if ((rc = get_pos(a, txn, user, &tk->asset, &p, err)))
			return rc;
		struct lx_u256 pr;
		if (lx_u256_sub(&pr, &x.v[2], &x.v[1]) || lx_u256_sub(&pr, &pr, &x.v[3]))
			return math_err(err, LX_EOVERFLOW, "stable Burn", log);
		p.stable = pr;
		if (lx_u256_is_zero(&pr)) {
			memset(&p.stable_rate, 0, sizeof(p.stable_rate));
			p.stable_ts = 0;
		} else {
			p.stable_ts = log->timestamp;
		}
		return put_pos(a, txn, user, &tk->asset, &p, err);
	}
	default:
		return 0;
	}
}

static int set_collateral(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *asset,
			  const struct lx_addr *user, bool on, struct lx_error *err)
{
	struct aave_pos p;
	int rc = get_pos(a, txn, user, asset, &p, err);
	if (rc)
		return rc;
	p.collateral = on;
	return put_pos(a, txn, user, asset, &p, err);
}

static int on_pool(struct aave *a, struct lx_store_txn *txn, const struct aave_event_def *ev,
		   const struct lx_log *log, struct lx_error *err)
{
	struct aave_args x;
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	switch (ev->id) {
	case EV_RESERVE_DATA_UPDATED: {
		struct aave_reserve r;
		if ((rc = get_reserve(a, txn, &x.a[0], &r, err)))
			return rc == LX_ENOTFOUND
				       ? lx_error_prefix(err, "aave_v3: ReserveDataUpdated at %llu:%u "
							      "for an unknown reserve",
							 (unsigned long long)log->block,
							 log->log_index)
				       : rc;
		r.liq_rate = x.v[1];
		r.stable_rate = x.v[2];
		r.var_rate = x.v[3];
		r.liq_index = x.v[4];
		r.var_index = x.v[5];
		r.last_update = log->timestamp;
		return put_reserve(a, txn, &r, err);
	}
	case EV_COLL_ENABLED:
	case EV_COLL_DISABLED:
		return set_collateral(a, txn, &x.a[0], &x.a[1], ev->id == EV_COLL_ENABLED, err);
	case EV_USER_EMODE_SET: {
		uint64_t c;
		lx_u256_to_u64(&c, &x.v[1]);
		return touch_user(a, txn, &x.a[0], (int)c, err);
	}
	case EV_SUPPLY:
		return put_flow(a, txn, log, &x.a[2], LX_FLOW_SUPPLY, &x.a[0], &x.v[3], 0, err);
	case EV_WITHDRAW:
		return put_flow(a, txn, log, &x.a[1], LX_FLOW_WITHDRAW, &x.a[0], &x.v[3], 0, err);
	case EV_BORROW:
		return put_flow(a, txn, log, &x.a[2], LX_FLOW_BORROW, &x.a[0], &x.v[3], 0, err);
	case EV_REPAY:
		return put_flow(a, txn, log, &x.a[1], LX_FLOW_REPAY, &x.a[0], &x.v[3], 0, err);
	case EV_LIQUIDATION_CALL:
		if ((rc = put_flow(a, txn, log, &x.a[2], LX_FLOW_LIQUIDATED, &x.a[0], &x.v[4], 0,
				   err)))
			return rc;
		return put_flow(a, txn, log, &x.a[2], LX_FLOW_REPAY, &x.a[1], &x.v[3], 1, err);
	default:
		return 0;
	}
}

static uint16_t bps(const struct lx_u256 *v)
{
	uint64_t u;
	if (lx_u256_to_u64(&u, v) || u > 0xffff)
		return 0xffff;
	return (uint16_t)u;
}

static uint64_t u64v(const struct lx_u256 *v)
{
	uint64_t u;
	if (lx_u256_to_u64(&u, v))
		return UINT64_MAX;
	return u;
}

static void flag(struct aave_reserve *r, uint32_t f, const struct lx_u256 *on)
{
	if (lx_u256_is_zero(on))
		r->flags &= ~f;
	else
		r->flags |= f;
}

static int on_configurator(struct aave *a, struct lx_store_txn *txn,
			   const struct aave_event_def *ev, const struct lx_log *log,
			   struct lx_error *err)
{
	struct aave_args x;
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	if (ev->id == EV_EMODE_ADDED) {
		uint8_t k[AAVE_MARKET_KEY + 1], v[AAVE_EMODE_LEN];
		struct aave_emode e;
		memset(&e, 0, sizeof(e));
		e.ltv = bps(&x.v[1]);
		e.lt = bps(&x.v[2]);
		e.bonus = bps(&x.v[3]);
		e.price_source = x.a[4];
		if ((rc = aave_event_string(e.label, sizeof(e.label), ev, log, 5, err)))
			return rc;
		memcpy(k, a->market, AAVE_MARKET_KEY);
		k[AAVE_MARKET_KEY] = (uint8_t)u64v(&x.v[0]);
		/* keep the last known price of the source if the category is reconfigured */
		const uint8_t *old;
		size_t ol;
		struct aave_emode prev;
		if (lx_store_get(txn, T_EMODE, k, sizeof(k), &old, &ol, err) == 0 &&
		    aave_emode_decode(&prev, old, ol) == 0 &&
		    lx_addr_eq(&prev.price_source, &e.price_source))
			e.price = prev.price;
		lx_error_clear(err);
		size_t vl = aave_emode_encode(v, &e);
		return lx_store_put(txn, T_EMODE, k, sizeof(k), v, vl, err);
	}

	struct aave_reserve r;
	const struct lx_addr *asset = &x.a[0];
	rc = get_reserve(a, txn, asset, &r, err);
	if (rc == LX_ENOTFOUND && ev->id == EV_RESERVE_INITIALIZED) {
		lx_error_clear(err);
		memset(&r, 0, sizeof(r));
		r.id = 0xffff;
		rc = 0;
	}
	if (rc == LX_ENOTFOUND) {
		/* configuration of a reserve we never saw initialised: a config error or a
		 * start_block after the reserve's creation; say which */
		return lx_error_prefix(err, "aave_v3: %s at %llu:%u for a reserve not initialised "
					    "since start_block",
				       ev->name, (unsigned long long)log->block, log->log_index);
	}
	if (rc)
		return rc;
	switch (ev->id) {
	case EV_RESERVE_INITIALIZED: {
		if (r.id == 0xffff && (rc = count_reserves(a, txn, &r.id, err)))
			return rc;
		r.asset = *asset;
		r.atoken = x.a[1];
		r.stoken = x.a[2];
		r.vtoken = x.a[3];
		r.flags |= AAVE_R_ACTIVE;
		/* persist the token routing (discovery keeps it in memory too) */
		const struct lx_addr *toks[3] = {&r.atoken, &r.vtoken, &r.stoken};
		for (int i = 0; i < 3; i++) {
			if (addr_zero(toks[i]))
				continue;
			uint8_t k[64], v[21];
			memcpy(v, asset->b, 20);
			v[20] = (uint8_t)(i + 1);
			if ((rc = lx_store_put(txn, T_TOKEN, k, key_asset(k, a, toks[i]), v, 21, err)))
				return rc;
			if (!find_token(a, toks[i]) &&
			    (rc = add_token(a, toks[i], asset, (uint8_t)(i + 1), log->block, err)))
				return rc;
		}
		break;
	}
	case EV_COLLATERAL_CONFIG:
		r.ltv = bps(&x.v[1]);
		r.lt = bps(&x.v[2]);
		r.bonus = bps(&x.v[3]);
		break;
	case EV_RESERVE_BORROWING:
		flag(&r, AAVE_R_BORROWING, &x.v[1]);
		break;
	case EV_RESERVE_STABLE:
		flag(&r, AAVE_R_STABLE, &x.v[1]);
		break;
	case EV_RESERVE_ACTIVE:
		flag(&r, AAVE_R_ACTIVE, &x.v[1]);
		break;
	case EV_RESERVE_FROZEN:
		flag(&r, AAVE_R_FROZEN, &x.v[1]);
		break;
	case EV_RESERVE_PAUSED:
		flag(&r, AAVE_R_PAUSED, &x.v[1]);
		break;
	case EV_FLASHLOANING:
		flag(&r, AAVE_R_FLASHLOAN, &x.v[1]);
		break;
	case EV_ISO_BORROWABLE:
		flag(&r, AAVE_R_ISO_BORROWABLE, &x.v[1]);
		break;
	case EV_SILOED:
		flag(&r, AAVE_R_SILOED, &x.v[2]);
		break;
	case EV_RESERVE_DROPPED:
		r.flags |= AAVE_R_DROPPED;
		break;
	case EV_RESERVE_FACTOR:
		r.reserve_factor = bps(&x.v[2]);
		break;
	case EV_BORROW_CAP:
		r.borrow_cap = u64v(&x.v[2]);
		break;
	case EV_SUPPLY_CAP:
		r.supply_cap = u64v(&x.v[2]);
		break;
	case EV_PROTOCOL_FEE:
		r.protocol_fee = bps(&x.v[2]);
		break;
	case EV_EMODE_ASSET:
		r.emode = (uint8_t)u64v(&x.v[2]);
		break;
	case EV_DEBT_CEILING:
		r.debt_ceiling = u64v(&x.v[2]);
		break;
	default:
		return 0;
	}
	return put_reserve(a, txn, &r, err);
}

/* ---- ops ---- */

static int aave_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
		      struct lx_error *err)
{
	struct aave *a = A(p);
	if (log->n_topics == 0)
		return 0; /* anonymous: nothing of ours */
	const struct token *tk = find_token(a, &log->address);
	if (tk)
		return on_token(a, txn, tk, log, err);
	enum aave_role role;
	if (lx_addr_eq(&log->address, &a->pool))
		role = ROLE_POOL;
	else if (lx_addr_eq(&log->address, &a->configurator))
		role = ROLE_CONFIGURATOR;
	else
		return 0; /* an emitter we did not ask for */
	for (int i = 0; i < EV_COUNT; i++) {
		const struct aave_event_def *ev = &aave_events[i];
		if (ev->role != role || memcmp(ev->topic0, log->topics[0], 32) != 0)
			continue;
		return role == ROLE_POOL ? on_pool(a, txn, ev, log, err)
					 : on_configurator(a, txn, ev, log, err);
	}
	return 0; /* an event we do not keep state for (FlashLoan, MintedToTreasury, ...) */
}

static int aave_discovery_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct aave *a = A(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = a->configurator;
	memcpy(f->topic0[f->n_topic0++], aave_events[EV_RESERVE_INITIALIZED].topic0, 32);
	return 0;
}

static int aave_discover(struct lx_proto *p, const struct lx_log *log, struct lx_error *err)
{
	struct aave *a = A(p);
	const struct aave_event_def *ev = &aave_events[EV_RESERVE_INITIALIZED];
	if (!lx_addr_eq(&log->address, &a->configurator) || log->n_topics == 0 ||
	    memcmp(log->topics[0], ev->topic0, 32) != 0)
		return 0;
	struct aave_args x;
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	const int idx[3] = {1, 3, 2}; /* aToken, variable, stable */
	for (int i = 0; i < 3; i++) {
		const struct lx_addr *t = &x.a[idx[i]];
		if (addr_zero(t) || find_token(a, t))
			continue;
		if ((rc = add_token(a, t, &x.a[0], (uint8_t)(i + 1), log->block, err)))
			return rc;
	}
	return 0;
}

static int aave_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct aave *a = A(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = a->pool;
	f->addr[f->n_addr++] = a->configurator;
	for (size_t i = 0; i < a->n_tokens && f->n_addr < LX_FILTER_MAX_ADDR; i++)
		f->addr[f->n_addr++] = a->tokens[i].token;
	for (int i = 0; i < EV_COUNT && f->n_topic0 < LX_FILTER_MAX_TOPIC; i++) {
		bool dup = false;
		for (size_t j = 0; j < f->n_topic0; j++)
			if (memcmp(f->topic0[j], aave_events[i].topic0, 32) == 0)
				dup = true;
		if (!dup)
			memcpy(f->topic0[f->n_topic0++], aave_events[i].topic0, 32);
	}
	return 0;
}

/* ---- prices: AaveOracle.getAssetPrice(asset) per reserve and e-mode price source ---- */

static void call_price(struct lx_call *c, const struct lx_addr *oracle, const struct lx_addr *x)
{
	static const uint8_t sel[4] = {0xb3, 0x59, 0x6f, 0x07}; /* getAssetPrice(address) */
	memset(c, 0, sizeof(*c));
	c->to = *oracle;
	memcpy(c->data, sel, 4);
	memcpy(c->data + 16, x->b, 20);
	c->data_len = 36;
}

static int aave_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_call *calls,
		      size_t *n, struct lx_error *err)
{
	struct aave *a = A(p);
	size_t cap = *n, k = 0;
	*n = 0;
	/* every known underlying (tokens list holds each asset up to 3 times) */
	for (size_t i = 0; i < a->n_tokens; i++) {
		if (a->tokens[i].kind != AAVE_ATOKEN)
			continue;
		if (k >= cap)
			return lx_error_set(err, LX_EOVERFLOW, "aave_v3: too many price reads");
		call_price(&calls[k++], &a->oracle, &a->tokens[i].asset);
	}
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, txn, T_EMODE, a->market, AAVE_MARKET_KEY, err);
	const uint8_t *kk, *v;
	size_t kl, vl;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &kk, &kl, &v, &vl, err)) == 0) {
		struct aave_emode e;
		if (aave_emode_decode(&e, v, vl)) {
			lx_store_iter_end(&it);
			return corrupt(err, T_EMODE);
		}
		if (addr_zero(&e.price_source))
			continue;
		if (k >= cap) {
			lx_store_iter_end(&it);
			return lx_error_set(err, LX_EOVERFLOW, "aave_v3: too many price reads");
		}
		call_price(&calls[k++], &a->oracle, &e.price_source);
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	*n = k;
	return 0;
}

static bool call_answer(const struct lx_call *c, struct lx_u256 *out)
{
	if (!c->result || c->result_len != 32)
		return false;
	lx_u256_from_be(out, c->result);
	return true;
}

static int aave_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
			    const struct lx_call *calls, size_t n, struct lx_error *err)
{
	struct aave *a = A(p);
	int rc;
	for (size_t i = 0; i < n; i++) {
		struct lx_addr x;
		struct lx_u256 price;
		memcpy(x.b, calls[i].data + 16, 20);
		bool ok = call_answer(&calls[i], &price);
		struct aave_reserve r;
		rc = get_reserve(a, txn, &x, &r, err);
		if (rc == 0) {
			if (!ok)
				continue; /* no source yet at this block: keep the last price */
			r.price = price;
			r.price_block = block;
			if ((rc = put_reserve(a, txn, &r, err)))
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
				return corrupt(err, T_EMODE);
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

/* ---- views ---- */

struct rsv {
	struct aave_reserve r;
	struct lx_u256 income, debt; /* normalized income / debt at the view's timestamp */
};

static int load_reserves(struct aave *a, struct lx_store_txn *txn, uint64_t ts,
			 struct rsv **out, size_t *n_out, struct lx_error *err)
{
	struct lx_store_iter it;
	size_t n = 0, cap = 0;
	struct rsv *v = NULL;
	const uint8_t *k, *val;
	size_t kl, vl;
	int rc = lx_store_iter_begin(&it, txn, T_RESERVE, a->market, AAVE_MARKET_KEY, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &val, &vl, err)) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct rsv *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
				break;
			}
			v = nv;
		}
		if (aave_reserve_decode(&v[n].r, val, vl)) {
			rc = corrupt(err, T_RESERVE);
			break;
		}
		struct aave_reserve *r = &v[n].r;
		uint64_t now = ts < r->last_update ? r->last_update : ts;
		if (lx_u256_is_zero(&r->liq_index)) {
			/* initialised, no ReserveDataUpdated yet: indexes start at one ray */
			lx_u256_pow10(&r->liq_index, 27);
			lx_u256_pow10(&r->var_index, 27);
			r->last_update = now;
		}
		if ((rc = lx_aave_normalized_income(&v[n].income, &r->liq_index, &r->liq_rate,
						    r->last_update, now)) ||
		    (rc = lx_aave_normalized_debt(&v[n].debt, &r->var_index, &r->var_rate,
						  r->last_update, now))) {
			rc = lx_error_set(err, rc, "aave_v3: index projection overflow");
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
	/* order by the Pool's reserve id, as getReservesList does */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1].r.id > v[j].r.id; j--) {
			struct rsv t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	*n_out = n;
	return 0;
}

static int load_emodes(struct aave *a, struct lx_store_txn *txn, struct aave_emode *em,
		       bool *have, struct lx_error *err)
{
	struct lx_store_iter it;
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc = lx_store_iter_begin(&it, txn, T_EMODE, a->market, AAVE_MARKET_KEY, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		if (kl != AAVE_MARKET_KEY + 1 || aave_emode_decode(&em[k[AAVE_MARKET_KEY]], v, vl)) {
			lx_store_iter_end(&it);
			return corrupt(err, T_EMODE);
		}
		have[k[AAVE_MARKET_KEY]] = true;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

struct vb {
	struct lx_market_view *mv;
	size_t pos_cap, flow_cap, acc_cap;
	size_t *pos_start, *flow_start; /* per account offsets, fixed up at the end */
	size_t n_pos, n_flows;          /* totals so far */
	size_t idx_cap;                 /* capacity of pos_start and flow_start */
};

static int grow(void **p, size_t *cap, size_t need, size_t elem, struct lx_error *err)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * elem);
	if (!n)
		return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory building the view");
	*p = n;
	*cap = c;
	return 0;
}

static int view_account(struct aave *a, struct lx_store_txn *txn, struct vb *b,
			const struct rsv *rs, size_t n_rs, const struct aave_emode *em,
			const bool *have_em, const struct lx_addr *user, unsigned flags,
			uint64_t ts, struct lx_error *err)
{
	struct lx_market_view *mv = b->mv;
	uint8_t k[96];
	size_t kl = key_asset(k, a, user);
	const uint8_t *v;
	size_t vl;
	uint8_t emode = 0;
	int rc = lx_store_get(txn, T_USER, k, kl, &v, &vl, err);
	if (rc == 0) {
		if (vl != 2 || v[0] != 1)
			return corrupt(err, T_USER);
		emode = v[1];
	} else if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
	} else {
		return rc;
	}
	size_t ai = mv->n_accounts;
	if ((rc = grow((void **)&mv->accounts, &b->acc_cap, ai + 1, sizeof(*mv->accounts), err)))
		return rc;
	size_t c1 = b->idx_cap;
	if ((rc = grow((void **)&b->pos_start, &c1, ai + 1, sizeof(size_t), err)))
		return rc;
	c1 = b->idx_cap;
	if ((rc = grow((void **)&b->flow_start, &c1, ai + 1, sizeof(size_t), err)))
		return rc;
	b->idx_cap = c1;
	struct lx_account_view *acct = &mv->accounts[ai];
	memset(acct, 0, sizeof(*acct));
	acct->account = *user;
	acct->emode = emode;
	b->pos_start[ai] = 0;
	b->flow_start[ai] = 0;
	const struct aave_emode *e = emode && have_em[emode] ? &em[emode] : NULL;

	/* positions: one prefix scan of market|user in the position table */
	size_t first = b->n_pos;
	b->pos_start[ai] = first;
	{
		struct lx_store_iter it;
		const uint8_t *pk, *pv;
		size_t pkl, pvl;
		rc = lx_store_iter_begin(&it, txn, T_POS, k, kl, err);
		while (rc == 0 && (rc = lx_store_iter_next(&it, &pk, &pkl, &pv, &pvl, err)) == 0) {
			struct aave_pos p;
			struct lx_addr asset;
			if (pkl != kl + 20 || aave_pos_decode(&p, pv, pvl)) {
				rc = corrupt(err, T_POS);
				break;
			}
			memcpy(asset.b, pk + kl, 20);
			size_t ri;
			for (ri = 0; ri < n_rs; ri++)
				if (lx_addr_eq(&rs[ri].r.asset, &asset))
					break;
			if (ri == n_rs || aave_pos_empty(&p))
				continue;
			const struct aave_reserve *r = &rs[ri].r;
			size_t pi = first + acct->n_pos;
			if ((rc = grow((void **)&mv->pos_pool, &b->pos_cap, pi + 1,
				       sizeof(*mv->pos_pool), err)))
				break;
			struct lx_asset_pos *ap = &mv->pos_pool[pi];
			memset(ap, 0, sizeof(*ap));
			ap->asset = (uint32_t)ri;
			if ((rc = lx_ray_mul(&ap->supplied, &p.scaled_a, &rs[ri].income)) ||
			    (rc = lx_ray_mul(&ap->borrowed_variable, &p.scaled_v, &rs[ri].debt)) ||
			    (rc = lx_aave_stable_balance(&ap->borrowed_stable, &p.stable,
							 &p.stable_rate, p.stable_ts,
							 ts < p.stable_ts ? p.stable_ts : ts)) ||
			    (rc = lx_u256_add(&ap->borrowed, &ap->borrowed_variable,
					      &ap->borrowed_stable))) {
				rc = lx_error_set(err, rc, "aave_v3: balance overflow");
				break;
			}
			bool in_em = e && r->emode == emode;
			ap->collateral = p.collateral && r->lt != 0;
			ap->ltv_bps = r->ltv == 0 ? 0 : (in_em ? e->ltv : r->ltv);
			ap->liq_threshold_bps = in_em ? e->lt : r->lt;
			ap->liq_bonus_bps = in_em ? e->bonus : r->bonus;
			ap->price = in_em && !lx_u256_is_zero(&e->price) ? e->price : r->price;
			struct lx_asset_info *inf = &mv->assets[ri];
			lx_u256_add(&inf->total_supplied, &inf->total_supplied, &ap->supplied);
			lx_u256_add(&inf->total_borrowed, &inf->total_borrowed, &ap->borrowed);
			acct->n_pos++;
		}
		lx_store_iter_end(&it);
		if (rc != LX_ENOTFOUND)
			return rc;
		lx_error_clear(err);
		rc = 0;
		/* reserve order, as getUserAccountData walks them */
		struct lx_asset_pos *ps = &mv->pos_pool[first];
		for (size_t i = 1; i < acct->n_pos; i++)
			for (size_t j = i; j > 0 && ps[j - 1].asset > ps[j].asset; j--) {
				struct lx_asset_pos t = ps[j];
				ps[j] = ps[j - 1];
				ps[j - 1] = t;
			}
		b->n_pos += acct->n_pos;
	}

	if (flags & LX_VIEW_FLOWS) {
		size_t ffirst = b->n_flows;
		b->flow_start[ai] = ffirst;
		struct lx_store_iter it;
		const uint8_t *fk, *fv;
		size_t fkl, fvl;
		rc = lx_store_iter_begin(&it, txn, T_FLOW, k, kl, err);
		while (rc == 0 && (rc = lx_store_iter_next(&it, &fk, &fkl, &fv, &fvl, err)) == 0) {
			if (fkl != kl + 13 || fvl != 85) {
				lx_store_iter_end(&it);
				return corrupt(err, T_FLOW);
			}
			struct lx_addr asset;
			memcpy(asset.b, fv + 1, 20);
			size_t ri;
			for (ri = 0; ri < n_rs; ri++)
				if (lx_addr_eq(&rs[ri].r.asset, &asset))
					break;
			if (ri == n_rs)
				continue;
			size_t fi = ffirst + acct->n_flows;
			if ((rc = grow((void **)&mv->flow_pool, &b->flow_cap, fi + 1,
				       sizeof(*mv->flow_pool), err))) {
				lx_store_iter_end(&it);
				return rc;
			}
			struct lx_flow *f = &mv->flow_pool[fi];
			f->block = aave_rd64(fk + kl);
			f->log_index = (uint32_t)fk[kl + 8] << 24 | (uint32_t)fk[kl + 9] << 16 |
				       (uint32_t)fk[kl + 10] << 8 | fk[kl + 11];
			f->kind = fv[0];
			f->asset = (uint32_t)ri;
			lx_u256_from_be(&f->amount, fv + 21);
			memcpy(f->tx, fv + 53, 32);
			acct->n_flows++;
		}
		lx_store_iter_end(&it);
		if (rc != LX_ENOTFOUND)
			return rc;
		lx_error_clear(err);
		b->n_flows += acct->n_flows;
	}
	mv->n_accounts++;
	return 0;
}

static int aave_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
		     const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
		     struct lx_market_view *mv, struct lx_error *err)
{
	struct aave *a = A(p);
	struct rsv *rs = NULL;
	size_t n_rs = 0;
	static struct aave_emode em[256];
	static bool have_em[256];
	memset(mv, 0, sizeof(*mv));
	memset(em, 0, sizeof(em));
	memset(have_em, 0, sizeof(have_em));
	int rc = load_reserves(a, txn, timestamp, &rs, &n_rs, err);
	if (rc)
		return rc;
	if ((rc = load_emodes(a, txn, em, have_em, err))) {
		free(rs);
		return rc;
	}
	mv->chain_id = lx_chain_id(a->base.chain);
	mv->protocol = LX_PROTO_AAVE_V3;
	mv->health_method = LX_HEALTH_AAVE_V3;
	snprintf(mv->name, sizeof(mv->name), "%s", lx_deployment_name(a->base.dep));
	mv->timestamp = timestamp;
	mv->base_decimals = (uint8_t)lx_deployment_base_decimals(a->base.dep);
	mv->rules.default_close_factor_bps = 5000;
	mv->rules.max_close_factor_bps = 10000;
	lx_u256_from_u64(&mv->rules.full_close_hf, 950000000000000000ull);
	if (a->ver_major > 3 || (a->ver_major == 3 && a->ver_minor >= 3))
		lx_u256_from_u64(&mv->rules.min_base_full_close, 200000000000ull); /* 2000e8 */
	mv->n_assets = n_rs;
	mv->assets = calloc(n_rs ? n_rs : 1, sizeof(*mv->assets));
	if (!mv->assets) {
		free(rs);
		return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
	}
	for (size_t i = 0; i < n_rs; i++) {
		struct lx_asset_info *inf = &mv->assets[i];
		const struct aave_reserve *r = &rs[i].r;
		inf->asset = r->asset;
		memcpy(inf->symbol, r->symbol, sizeof(inf->symbol));
		inf->decimals = r->decimals;
		inf->price = r->price;
		inf->ltv_bps = r->ltv;
		inf->liq_threshold_bps = r->lt;
		inf->liq_bonus_bps = r->bonus;
		inf->liq_protocol_fee_bps = r->protocol_fee;
		inf->group = (uint16_t)lx_deployment_group_of(a->base.dep, &r->asset);
		inf->depth_base_per_pct = lx_deployment_depth_of(a->base.dep, &r->asset);
		if (r->price_block > mv->block)
			mv->block = r->price_block;
	}

	struct vb b = {mv, 0, 0, 0, NULL, NULL, 0, 0, 0};
	if (accounts) {
		for (size_t i = 0; i < n_accounts && rc == 0; i++)
			rc = view_account(a, txn, &b, rs, n_rs, em, have_em, &accounts[i], flags,
					  timestamp, err);
	} else {
		struct lx_store_iter it;
		const uint8_t *k, *v;
		size_t kl, vl;
		rc = lx_store_iter_begin(&it, txn, T_USER, a->market, AAVE_MARKET_KEY, err);
		while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
			struct lx_addr u;
			if (kl != AAVE_MARKET_KEY + 20) {
				rc = corrupt(err, T_USER);
				break;
			}
			memcpy(u.b, k + AAVE_MARKET_KEY, 20);
			rc = view_account(a, txn, &b, rs, n_rs, em, have_em, &u, flags, timestamp,
					  err);
		}
		lx_store_iter_end(&it);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			rc = 0;
		}
	}
	free(rs);
	if (rc == 0) {
		for (size_t i = 0; i < mv->n_accounts; i++) {
			struct lx_account_view *ac = &mv->accounts[i];
			ac->pos = ac->n_pos ? &mv->pos_pool[b.pos_start[i]] : NULL;
			ac->flows = ac->n_flows ? &mv->flow_pool[b.flow_start[i]] : NULL;
			if ((rc = lx_model_health(&ac->health, mv, ac, NULL))) {
				rc = lx_error_set(err, rc, "aave_v3: health overflow");
				break;
			}
		}
	}
	free(b.pos_start);
	free(b.flow_start);
	if (rc)
		lx_market_view_release(mv);
	return rc;
}

/* ---- lifecycle ---- */

static int load_tokens(struct aave *a, struct lx_store_txn *txn, struct lx_error *err)
{
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, txn, T_TOKEN, a->market, AAVE_MARKET_KEY, err);
	const uint8_t *k, *v;
	size_t kl, vl;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		struct lx_addr t, asset;
		if (kl != AAVE_MARKET_KEY + 20 || vl != 21 || v[20] < 1 || v[20] > 3) {
			lx_store_iter_end(&it);
			return corrupt(err, T_TOKEN);
		}
		memcpy(t.b, k + AAVE_MARKET_KEY, 20);
		memcpy(asset.b, v, 20);
		if (!find_token(a, &t) && (rc = add_token(a, &t, &asset, v[20], 0, err))) {
			lx_store_iter_end(&it);
			return rc;
		}
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

static int aave_create(struct lx_proto **out, const struct lx_chain *chain,
		       const struct lx_deployment *dep, const char *abi_dir,
		       struct lx_store_txn *txn, struct lx_error *err);

static void aave_destroy(struct lx_proto *p)
{
	free(p);
}

const struct lx_proto_ops lx_proto_aave_v3 = {
	.name = "aave_v3",
	.protocol = LX_PROTO_AAVE_V3,
	.create = aave_create,
	.destroy = aave_destroy,
	.discovery_filter = aave_discovery_filter,
	.discover = aave_discover,
	.filter = aave_filter,
	.apply = aave_apply,
	.calls = aave_calls,
	.apply_calls = aave_apply_calls,
	.view = aave_view,
};

static int aave_create(struct lx_proto **out, const struct lx_chain *chain,
		       const struct lx_deployment *dep, const char *abi_dir,
		       struct lx_store_txn *txn, struct lx_error *err)
{
	(void)abi_dir;
	*out = NULL;
	aave_events_init();
	struct aave *a = calloc(1, sizeof(*a));
	if (!a)
		return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
	a->base.ops = &lx_proto_aave_v3;
	a->base.chain = chain;
	a->base.dep = dep;
	int rc;
	if ((rc = lx_deployment_contract(dep, "pool", &a->pool, err)) ||
	    (rc = lx_deployment_contract(dep, "pool_configurator", &a->configurator, err)) ||
	    (rc = lx_deployment_contract(dep, "oracle", &a->oracle, err))) {
		free(a);
		return rc;
	}
	aave_be64(a->market, lx_chain_id(chain));
	memcpy(a->market + 8, a->pool.b, 20);
	lx_deployment_version(dep, &a->ver_major, &a->ver_minor, &a->ver_patch);
	if (txn && (rc = load_tokens(a, txn, err))) {
		free(a);
		return rc;
	}
	*out = &a->base;
	return 0;
}
