/*
 * apply.c: one Aave V2 log -> the handler's records. Pool events move indexes and collateral
 * flags (and are kept as flows); configurator events set reserve configuration; token events
 * move scaled balances and stable principals. V2 token events carry unscaled amounts: the
 * scaled change is amount.rayDiv(index), exactly what the token stores.
 */
#include <string.h>

#include "v2.h"
#include "lendex/chain.h"
#include "lendex/store.h"

static int math_err(struct lx_error *err, int rc, const char *what, const struct lx_log *log)
{
	return lx_error_set(err, rc, "aave_v2: %s at log %llu:%u: %s", what,
			    (unsigned long long)log->block, log->log_index, lx_strerror(rc));
}

static int diverged(struct lx_error *err, const char *what, const struct lx_log *log)
{
	return lx_error_set(err, LX_ECORRUPT,
			    "aave_v2: %s at log %llu:%u does not fit the balance we hold (events "
			    "missing before this block?)",
			    what, (unsigned long long)log->block, log->log_index);
}

static int unknown_reserve(struct aave2 *a, struct lx_error *err, const char *event,
			   const struct lx_log *log, const struct lx_addr *asset)
{
	char as[LX_ADDR_STRLEN];
	lx_addr_lower(as, asset);
	return lx_error_set(err, LX_ENOTFOUND,
			    "aave_v2: %s at %llu:%u for reserve %s, not initialised since "
			    "start_block %llu of %s (its ReserveInitialized is earlier: lower "
			    "start_block in chains/%s.json)",
			    event, (unsigned long long)log->block, log->log_index, as,
			    (unsigned long long)a->base.dep->start_block, a->base.dep->name,
			    a->base.chain->name);
}

static int get_pos(struct aave2 *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, struct aave_pos *p, struct lx_error *err)
{
	return aave_rec_get_pos(txn, V2_T_POS, a->market, user, asset, p, err);
}

static int put_pos(struct aave2 *a, struct lx_store_txn *txn, const struct lx_addr *user,
		   const struct lx_addr *asset, const struct aave_pos *p, struct lx_error *err)
{
	return aave_rec_put_pos(txn, V2_T_POS, V2_T_USER, a->market, user, asset, p, err);
}

static int put_flow(struct aave2 *a, struct lx_store_txn *txn, const struct lx_log *log,
		    const struct lx_addr *user, uint8_t kind, const struct lx_addr *asset,
		    const struct lx_u256 *amount, uint8_t sub, struct lx_error *err)
{
	return aave_rec_put_flow(txn, a->market, log->block, log->log_index, log->tx, user, kind,
				 asset, amount, sub, err);
}

/* scaled += / -= amount.rayDiv(index) */
static int scaled_move(struct lx_u256 *scaled, const struct lx_u256 *amount,
		       const struct lx_u256 *index, bool sub, const char *what,
		       const struct lx_log *log, struct lx_error *err)
{
	struct lx_u256 s;
	int rc = lx_ray_div(&s, amount, index);
	if (rc)
		return math_err(err, rc, what, log);
	if (sub ? lx_u256_sub(scaled, scaled, &s) : lx_u256_add(scaled, scaled, &s))
		return diverged(err, what, log);
	return 0;
}

/* ---- tokens ---- */

static const struct aave_event_def *token_event(const struct v2_token *tk, const uint8_t *t0)
{
	static const enum v2_ev a_evs[] = {V2_A_MINT, V2_A_BURN, V2_BALANCE_TRANSFER};
	static const enum v2_ev v_evs[] = {V2_V_MINT, V2_V_BURN};
	static const enum v2_ev s_evs[] = {V2_S_MINT, V2_S_BURN};
	const enum v2_ev *list = tk->kind == AAVE_ATOKEN ? a_evs : tk->kind == AAVE_VTOKEN ? v_evs
											     : s_evs;
	size_t n = tk->kind == AAVE_ATOKEN ? 3 : 2;
	for (size_t i = 0; i < n; i++)
		if (memcmp(v2_events[list[i]].topic0, t0, 32) == 0)
			return &v2_events[list[i]];
	return NULL;
}

static int on_transfer(struct aave2 *a, struct lx_store_txn *txn, const struct v2_token *tk,
		       const struct aave_args *x, const struct lx_log *log, struct lx_error *err)
{
	/* BalanceTransfer(from, to, value, index): the token moves value.rayDiv(index) scaled */
	struct aave_pos p, q;
	struct lx_u256 sc;
	int rc = lx_ray_div(&sc, &x->v[2], &x->v[3]);
	if (rc)
		return math_err(err, rc, "BalanceTransfer", log);
	if (lx_addr_eq(&x->a[0], &x->a[1]))
		return 0;
	if ((rc = get_pos(a, txn, &x->a[0], &tk->asset, &p, err)))
		return rc;
	if (lx_u256_sub(&p.scaled_a, &p.scaled_a, &sc))
		return diverged(err, "BalanceTransfer", log);
	if ((rc = put_pos(a, txn, &x->a[0], &tk->asset, &p, err)) ||
	    (rc = get_pos(a, txn, &x->a[1], &tk->asset, &q, err)))
		return rc;
	if (lx_u256_add(&q.scaled_a, &q.scaled_a, &sc))
		return math_err(err, LX_EOVERFLOW, "BalanceTransfer", log);
	if ((rc = put_pos(a, txn, &x->a[1], &tk->asset, &q, err)) ||
	    (rc = put_flow(a, txn, log, &x->a[0], LX_FLOW_TRANSFER_OUT, &tk->asset, &x->v[2], 0,
			   err)))
		return rc;
	return put_flow(a, txn, log, &x->a[1], LX_FLOW_TRANSFER_IN, &tk->asset, &x->v[2], 1, err);
}

static int on_token(struct aave2 *a, struct lx_store_txn *txn, const struct v2_token *tk,
		    const struct lx_log *log, struct lx_error *err)
{
	const struct aave_event_def *ev = token_event(tk, log->topics[0]);
	if (!ev)
		return 0; /* Transfer, Approval, ...: not state we keep */
	struct aave_args x;
	struct aave_pos p;
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	enum v2_ev id = (enum v2_ev)(ev - v2_events);
	const struct lx_addr *user = id == V2_V_MINT || id == V2_S_MINT ? &x.a[1] : &x.a[0];
	if (id == V2_BALANCE_TRANSFER)
		return on_transfer(a, txn, tk, &x, log, err);
	if ((rc = get_pos(a, txn, user, &tk->asset, &p, err)))
		return rc;
	switch (id) {
	case V2_A_MINT: /* Mint(from, value, index) */
		rc = scaled_move(&p.scaled_a, &x.v[1], &x.v[2], false, "aToken Mint", log, err);
		break;
	case V2_A_BURN: /* Burn(from, target, value, index) */
		rc = scaled_move(&p.scaled_a, &x.v[2], &x.v[3], true, "aToken Burn", log, err);
		break;
	case V2_V_MINT: /* Mint(from, onBehalfOf, value, index) */
		rc = scaled_move(&p.scaled_v, &x.v[2], &x.v[3], false, "variable debt Mint", log,
				 err);
		break;
	case V2_V_BURN: /* Burn(user, amount, index) */
		rc = scaled_move(&p.scaled_v, &x.v[1], &x.v[2], true, "variable debt Burn", log,
				 err);
		break;
	case V2_S_MINT:
		/* Mint(user, onBehalfOf, amount, currentBalance, balanceIncrease, newRate, ...):
		 * a borrow mints amount + balanceIncrease, so principal = currentBalance + amount,
		 * at the user's new rate, from now. A repayment smaller than the interest emits
		 * the same event (user == onBehalfOf, amount = interest - repaid < interest, the
		 * rate unchanged) and its principal is balanceIncrease lower: kept pending until
		 * the transaction's Repay / LiquidationCall says which it was. */
		if (lx_u256_add(&p.stable, &x.v[3], &x.v[2]))
			return math_err(err, LX_EOVERFLOW, "stable Mint", log);
		p.stable_rate = x.v[5];
		p.stable_ts = log->timestamp;
		if (lx_addr_eq(&x.a[0], &x.a[1]) && lx_u256_cmp(&x.v[2], &x.v[4]) < 0) {
			a->pending.on = true;
			a->pending.block = log->block;
			memcpy(a->pending.tx, log->tx, 32);
			a->pending.user = *user;
			a->pending.asset = tk->asset;
			a->pending.bi = x.v[4];
		}
		break;
	case V2_S_BURN:
		/* Burn(user, amount - bi, currentBalance, bi, ...): principal = currentBalance -
		 * repaid; all repaid clears the user's rate and timestamp */
		if (lx_u256_sub(&p.stable, &x.v[2], &x.v[3]) ||
		    lx_u256_sub(&p.stable, &p.stable, &x.v[1]))
			return diverged(err, "stable Burn", log);
		if (lx_u256_is_zero(&p.stable)) {
			memset(&p.stable_rate, 0, sizeof(p.stable_rate));
			p.stable_ts = 0;
		} else {
			p.stable_ts = log->timestamp;
		}
		break;
	default:
		return 0;
	}
	if (rc)
		return rc;
	return put_pos(a, txn, user, &tk->asset, &p, err);
}

/* A Repay or LiquidationCall of (user, asset): the pending stable Mint of this transaction was
 * a repayment smaller than the interest. */
static int settle_pending(struct aave2 *a, struct lx_store_txn *txn, const struct lx_log *log,
			  const struct lx_addr *user, const struct lx_addr *asset,
			  struct lx_error *err)
{
	struct v2_pending *pd = &a->pending;
	if (!pd->on || pd->block != log->block || memcmp(pd->tx, log->tx, 32) != 0 ||
	    !lx_addr_eq(&pd->user, user) || !lx_addr_eq(&pd->asset, asset))
		return 0;
	pd->on = false;
	struct aave_pos p;
	int rc = get_pos(a, txn, user, asset, &p, err);
	if (rc)
		return rc;
	if (lx_u256_sub(&p.stable, &p.stable, &pd->bi))
		return diverged(err, "stable repayment", log);
	return put_pos(a, txn, user, asset, &p, err);
}

/* ---- pool ---- */

static int set_collateral(struct aave2 *a, struct lx_store_txn *txn, const struct lx_addr *asset,
			  const struct lx_addr *user, bool on, struct lx_error *err)
{
	struct aave_pos p;
	int rc = get_pos(a, txn, user, asset, &p, err);
	if (rc)
		return rc;
	p.collateral = on;
	return put_pos(a, txn, user, asset, &p, err);
}

static int on_pool(struct aave2 *a, struct lx_store_txn *txn, enum v2_ev id,
		   const struct lx_log *log, struct lx_error *err)
{
	struct aave_args x;
	int rc = aave_event_decode(&x, &v2_events[id], log, err);
	if (rc)
		return rc;
	switch (id) {
	case V2_RESERVE_DATA_UPDATED: {
		struct aave_reserve r;
		if ((rc = aave_rec_get_reserve(txn, V2_T_RESERVE, a->market, &x.a[0], &r, err)))
			return rc == LX_ENOTFOUND ? unknown_reserve(a, err, "ReserveDataUpdated", log,
								    &x.a[0])
						  : rc;
		r.liq_rate = x.v[1];
		r.stable_rate = x.v[2];
		r.var_rate = x.v[3];
		r.liq_index = x.v[4];
		r.var_index = x.v[5];
		r.last_update = log->timestamp;
		return aave_rec_put_reserve(txn, V2_T_RESERVE, a->market, &r, err);
	}
	case V2_COLL_ENABLED:
	case V2_COLL_DISABLED:
		return set_collateral(a, txn, &x.a[0], &x.a[1], id == V2_COLL_ENABLED, err);
	case V2_DEPOSIT: /* Deposit(reserve, user, onBehalfOf, amount, referral) */
		return put_flow(a, txn, log, &x.a[2], LX_FLOW_SUPPLY, &x.a[0], &x.v[3], 0, err);
	case V2_WITHDRAW: /* Withdraw(reserve, user, to, amount) */
		return put_flow(a, txn, log, &x.a[1], LX_FLOW_WITHDRAW, &x.a[0], &x.v[3], 0, err);
	case V2_BORROW: /* Borrow(reserve, user, onBehalfOf, amount, mode, rate, referral) */
		a->pending.on = false;
		return put_flow(a, txn, log, &x.a[2], LX_FLOW_BORROW, &x.a[0], &x.v[3], 0, err);
	case V2_REPAY: /* Repay(reserve, user, repayer, amount) */
		if ((rc = settle_pending(a, txn, log, &x.a[1], &x.a[0], err)))
			return rc;
		return put_flow(a, txn, log, &x.a[1], LX_FLOW_REPAY, &x.a[0], &x.v[3], 0, err);
	case V2_SWAP:
	case V2_REBALANCE:
		a->pending.on = false;
		return 0;
	case V2_LIQUIDATION_CALL:
		/* LiquidationCall(collateral, debt, user, debtToCover, liquidated, liquidator,
		 * receiveAToken) */
		if ((rc = settle_pending(a, txn, log, &x.a[2], &x.a[1], err)) ||
		    (rc = put_flow(a, txn, log, &x.a[2], LX_FLOW_LIQUIDATED, &x.a[0], &x.v[4], 0,
				   err)))
			return rc;
		return put_flow(a, txn, log, &x.a[2], LX_FLOW_REPAY, &x.a[1], &x.v[3], 1, err);
	case V2_FLASH_LOAN: { /* FlashLoan(target, initiator, asset, amount, premium, referral) */
		static const struct lx_addr market_flows; /* the zero address: market-wide */
		return put_flow(a, txn, log, &market_flows, LX_FLOW_FLASH_LOAN, &x.a[2], &x.v[3], 0,
				err);
	}
	default:
		return 0;
	}
}

/* ---- configurator ---- */

static uint16_t bps(const struct lx_u256 *v)
{
	uint64_t u;
	if (lx_u256_to_u64(&u, v) || u > 0xffff)
		return 0xffff;
	return (uint16_t)u;
}

static void flag(struct aave_reserve *r, uint32_t f, bool on)
{
	if (on)
		r->flags |= f;
	else
		r->flags &= ~f;
}

static int init_reserve(struct aave2 *a, struct lx_store_txn *txn, struct aave_reserve *r,
			const struct aave_args *x, const struct lx_log *log, struct lx_error *err)
{
	int rc;
	if (r->id == 0xffff &&
	    (rc = aave_rec_count(txn, V2_T_RESERVE, a->market, &r->id, err)))
		return rc;
	(void)log;
	r->asset = x->a[0];
	r->atoken = x->a[1];
	r->stoken = x->a[2];
	r->vtoken = x->a[3];
	r->flags |= AAVE_R_ACTIVE;
	const struct lx_addr *toks[3] = {&r->atoken, &r->vtoken, &r->stoken};
	static const uint8_t kinds[3] = {AAVE_ATOKEN, AAVE_VTOKEN, AAVE_STOKEN};
	for (int i = 0; i < 3; i++) {
		uint8_t k[AAVE_REC_KEY_MAX], v[21];
		memcpy(v, r->asset.b, 20);
		v[20] = kinds[i];
		if ((rc = lx_store_put(txn, V2_T_TOKEN, k, aave_rec_key(k, a->market, toks[i], NULL), v,
				       sizeof(v), err)) ||
		    (rc = v2_add_token(a, toks[i], &r->asset, kinds[i], err)))
			return rc;
	}
	return 0;
}

static int on_configurator(struct aave2 *a, struct lx_store_txn *txn, enum v2_ev id,
			   const struct lx_log *log, struct lx_error *err)
{
	struct aave_args x;
	const struct aave_event_def *ev = &v2_events[id];
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	struct aave_reserve r;
	rc = aave_rec_get_reserve(txn, V2_T_RESERVE, a->market, &x.a[0], &r, err);
	if (rc == LX_ENOTFOUND && id == V2_RESERVE_INITIALIZED) {
		lx_error_clear(err);
		memset(&r, 0, sizeof(r));
		r.id = 0xffff;
		rc = 0;
	}
	if (rc == LX_ENOTFOUND)
		return unknown_reserve(a, err, ev->name, log, &x.a[0]);
	if (rc)
		return rc;
	switch (id) {
	case V2_RESERVE_INITIALIZED:
		if ((rc = init_reserve(a, txn, &r, &x, log, err)))
			return rc;
		break;
	case V2_COLLATERAL_CONFIG:
		r.ltv = bps(&x.v[1]);
		r.lt = bps(&x.v[2]);
		r.bonus = bps(&x.v[3]);
		break;
	case V2_BORROWING_ENABLED:
		flag(&r, AAVE_R_BORROWING, true);
		flag(&r, AAVE_R_STABLE, !lx_u256_is_zero(&x.v[1]));
		break;
	case V2_BORROWING_DISABLED:
		flag(&r, AAVE_R_BORROWING, false);
		break;
	case V2_STABLE_ENABLED:
	case V2_STABLE_DISABLED:
		flag(&r, AAVE_R_STABLE, id == V2_STABLE_ENABLED);
		break;
	case V2_ACTIVATED:
	case V2_DEACTIVATED:
		flag(&r, AAVE_R_ACTIVE, id == V2_ACTIVATED);
		break;
	case V2_FROZEN:
	case V2_UNFROZEN:
		flag(&r, AAVE_R_FROZEN, id == V2_FROZEN);
		break;
	case V2_RESERVE_FACTOR:
		r.reserve_factor = bps(&x.v[1]);
		break;
	case V2_DECIMALS: {
		uint64_t d;
		if (lx_u256_to_u64(&d, &x.v[1]) || d > 77)
			return lx_error_set(err, LX_EPADDING,
					    "aave_v2: ReserveDecimalsChanged at %llu:%u: %s decimals",
					    (unsigned long long)log->block, log->log_index, "bad");
		r.decimals = (uint8_t)d;
		break;
	}
	default:
		return 0;
	}
	return aave_rec_put_reserve(txn, V2_T_RESERVE, a->market, &r, err);
}

/* ---- ops ---- */

int v2_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
	     struct lx_error *err)
{
	struct aave2 *a = v2_of(p);
	if (log->n_topics == 0)
		return 0; /* anonymous: nothing of ours */
	const struct v2_token *tk = v2_find_token(a, &log->address);
	if (tk)
		return on_token(a, txn, tk, log, err);
	enum aave_role role;
	if (!aave_role_of(&role, &log->address, &a->pool, &a->configurator,
			  a->have_provider ? &a->provider : NULL))
		return 0; /* an emitter we did not ask for */
	int i = aave_event_find(v2_events, V2_EV_COUNT, role, log->topics[0]);
	if (i < 0)
		return 0; /* an event we keep no state for (Paused, ...) */
	if (role == ROLE_POOL)
		return on_pool(a, txn, (enum v2_ev)i, log, err);
	if (role == ROLE_CONFIGURATOR)
		return on_configurator(a, txn, (enum v2_ev)i, log, err);
	struct aave_args x; /* PriceOracleUpdated(newAddress) */
	int rc = aave_event_decode(&x, &v2_events[i], log, err);
	if (rc)
		return rc;
	a->oracle = x.a[0];
	return v2_put_state(a, txn, err);
}
