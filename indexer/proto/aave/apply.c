/*
 * apply.c: one Aave V3 log -> the handler's records. Pool events move indexes, collateral flags
 * and e-mode; configurator events set reserve and e-mode configuration; token events move
 * scaled balances. What differs between versions is read from a->rules (versions.h).
 */
#include <string.h>

#include "aave.h"
#include "math.h"
#include "lendex/chain.h"
#include "lendex/store.h"

/*
 * An event for a reserve whose ReserveInitialized was never applied: the deployment's
 * start_block is after the reserve's creation (or the config names the wrong pool). Replaces
 * the store's "no key" with what the user can act on.
 */
static int unknown_reserve(struct aave *a, struct lx_error *err, const char *event,
			   const struct lx_log *log, const struct lx_addr *asset)
{
	char as[LX_ADDR_STRLEN];
	lx_addr_lower(as, asset);
	return lx_error_set(err, LX_ENOTFOUND,
			    "aave_v3: %s at %llu:%u for reserve %s, not initialised since "
			    "start_block %llu of %s (its ReserveInitialized is earlier: lower "
			    "start_block in chains/%s.json)",
			    event, (unsigned long long)log->block, log->log_index, as,
			    (unsigned long long)a->base.dep->start_block, a->base.dep->name,
			    a->base.chain->name);
}

/* ---- event handlers ---- */

/*
 * 3.5+ Mint/Burn (ScaledBalanceTokenBase): value is the difference of up-scaled balances, the
 * previous one at the user's last index: prev = bal(s, index) - balanceIncrease, next = prev +
 * value (Mint) or prev - value (Burn), and the new scaled balance is the one whose balance at
 * index is next (TokenMath rounds aToken balances down, debt up; unique, see math.h).
 */
static int directional(struct lx_u256 *sc, bool debt, bool burn, const struct aave_args *x,
		       const struct lx_log *log, struct lx_error *err)
{
	struct lx_u256 cur, next;
	int rc = debt ? lx_aave_ray_mul_ceil(&cur, sc, &x->v[4])
		      : lx_aave_ray_mul_floor(&cur, sc, &x->v[4]);
	if (rc)
		return aave_math_err(err, rc, "balance", log);
	if (lx_u256_sub(&next, &cur, &x->v[3]) ||
	    (burn ? lx_u256_sub(&next, &next, &x->v[2]) : lx_u256_add(&next, &next, &x->v[2])))
		return lx_error_set(err, LX_ECORRUPT,
				    "aave_v3: %s at log %llu:%u does not fit the balance we hold "
				    "(events missing before this block?)",
				    burn ? "Burn" : "Mint", (unsigned long long)log->block,
				    log->log_index);
	rc = lx_aave_scaled_for_balance(sc, &next, &x->v[4], debt);
	if (rc == LX_ENOTFOUND)
		return lx_error_set(err, LX_ECORRUPT,
				    "aave_v3: %s at log %llu:%u: no scaled balance has the balance "
				    "it implies (state differs from the chain)",
				    burn ? "Burn" : "Mint", (unsigned long long)log->block,
				    log->log_index);
	return rc ? aave_math_err(err, rc, "scaled balance", log) : 0;
}

static int on_token(struct aave *a, struct lx_store_txn *txn, const struct aave_token *tk,
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
		if ((rc = aave_get_reserve(a, txn, &tk->asset, &r, err)) == LX_ENOTFOUND) {
			/* emitted before ReserveInitialized in the same tx: create the record */
			lx_error_clear(err);
			memset(&r, 0, sizeof(r));
			r.asset = tk->asset;
			r.atoken = tk->token;
			if ((rc = aave_count_reserves(a, txn, &r.id, err)))
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
		return aave_put_reserve(a, txn, &r, err);
	}
	case EV_SCALED_MINT:
	case EV_SCALED_BURN: {
		/* Mint(caller, onBehalfOf, ...) / Burn(from, target, ...) */
		const struct lx_addr *user = ev->id == EV_SCALED_BURN ? &x.a[0] : &x.a[1];
		if ((rc = aave_get_pos(a, txn, user, &tk->asset, &p, err)))
			return rc;
		struct lx_u256 *sc = tk->kind == AAVE_ATOKEN ? &p.scaled_a : &p.scaled_v;
		if (a->rules->rounding == AAVE_ROUND_DIRECTIONAL) {
			if ((rc = directional(sc, tk->kind != AAVE_ATOKEN, ev->id == EV_SCALED_BURN,
					      &x, log, err)))
				return rc;
			return aave_put_pos(a, txn, user, &tk->asset, &p, err);
		}
		struct lx_u256 amt;
		bool sub;
		if (ev->id == EV_SCALED_BURN) {
			/* Burn(from, target, value, balanceIncrease, index): burned = value + bi */
			if ((rc = lx_u256_add(&amt, &x.v[2], &x.v[3])))
				return aave_math_err(err, rc, "Burn amount", log);
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
		    (rc = aave_scaled_add(sc, &amt, &x.v[4], sub, log, err)))
			return rc;
		return aave_put_pos(a, txn, user, &tk->asset, &p, err);
	}
	case EV_BALANCE_TRANSFER: {
		/* BalanceTransfer(from, to, value, index): value is scaled from 3.0.1 on */
		struct lx_u256 sc = x.v[2];
		if (!a->rules->scaled_transfer &&
		    (rc = lx_ray_div(&sc, &x.v[2], &x.v[3])))
			return aave_math_err(err, rc, "rayDiv", log);
		if (lx_addr_eq(&x.a[0], &x.a[1]))
			return 0;
		struct aave_pos q;
		if ((rc = aave_get_pos(a, txn, &x.a[0], &tk->asset, &p, err)))
			return rc;
		if (lx_u256_sub(&p.scaled_a, &p.scaled_a, &sc))
			return lx_error_set(err, LX_ECORRUPT,
					    "aave_v3: BalanceTransfer at %llu:%u exceeds the "
					    "sender's balance (events missing?)",
					    (unsigned long long)log->block, log->log_index);
		if ((rc = aave_put_pos(a, txn, &x.a[0], &tk->asset, &p, err)))
			return rc;
		if ((rc = aave_get_pos(a, txn, &x.a[1], &tk->asset, &q, err)))
			return rc;
		if (lx_u256_add(&q.scaled_a, &q.scaled_a, &sc))
			return aave_math_err(err, LX_EOVERFLOW, "BalanceTransfer", log);
		if ((rc = aave_put_pos(a, txn, &x.a[1], &tk->asset, &q, err)))
			return rc;
		struct lx_u256 amt;
		if (lx_ray_mul(&amt, &sc, &x.v[3]))
			amt = sc;
		if ((rc = aave_put_flow(a, txn, log, &x.a[0], LX_FLOW_TRANSFER_OUT, &tk->asset, &amt, 0,
				   err)))
			return rc;
		return aave_put_flow(a, txn, log, &x.a[1], LX_FLOW_TRANSFER_IN, &tk->asset, &amt, 1,
				err);
	}
	case EV_STABLE_MINT: {
		/* Mint(user, onBehalfOf, amount, currentBalance, bi, newRate, avg, supply):
		 * principal = currentBalance + amount - bi, for a borrow and for a burn smaller
		 * than the accrued interest alike; the rate field is the user's rate after. */
		const struct lx_addr *user = &x.a[1];
		if ((rc = aave_get_pos(a, txn, user, &tk->asset, &p, err)))
			return rc;
		struct lx_u256 pr;
		if (lx_u256_add(&pr, &x.v[3], &x.v[2]) || lx_u256_sub(&pr, &pr, &x.v[4]))
			return aave_math_err(err, LX_EOVERFLOW, "stable Mint", log);
		p.stable = pr;
		p.stable_rate = x.v[5];
		p.stable_ts = log->timestamp;
		return aave_put_pos(a, txn, user, &tk->asset, &p, err);
	}
	case EV_STABLE_BURN: {
		/* Burn(from, amount, currentBalance, bi, avg, supply): repaid = amount + bi */
		const struct lx_addr *user = &x.a[0];
		if ((rc = aave_get_pos(a, txn, user, &tk->asset, &p, err)))
			return rc;
		struct lx_u256 pr;
		if (lx_u256_sub(&pr, &x.v[2], &x.v[1]) || lx_u256_sub(&pr, &pr, &x.v[3]))
			return aave_math_err(err, LX_EOVERFLOW, "stable Burn", log);
		p.stable = pr;
		if (lx_u256_is_zero(&pr)) {
			memset(&p.stable_rate, 0, sizeof(p.stable_rate));
			p.stable_ts = 0;
		} else {
			p.stable_ts = log->timestamp;
		}
		return aave_put_pos(a, txn, user, &tk->asset, &p, err);
	}
	default:
		return 0;
	}
}

static int set_collateral(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *asset,
			  const struct lx_addr *user, bool on, struct lx_error *err)
{
	struct aave_pos p;
	int rc = aave_get_pos(a, txn, user, asset, &p, err);
	if (rc)
		return rc;
	p.collateral = on;
	return aave_put_pos(a, txn, user, asset, &p, err);
}

/*
 * ReserveLogic.updateState with no event: indexes moved to the log's time at the current
 * rates (liquidity index only when its rate is not 0, as _updateIndexes does; the variable index
 * likewise, standing in for "scaled debt not 0": with no debt nobody reads it before the next
 * ReserveDataUpdated sets it).
 */
static int silent_update_state(struct aave *a, struct lx_store_txn *txn,
			       const struct lx_addr *asset, const struct lx_log *log,
			       struct lx_error *err)
{
	struct aave_reserve r;
	int rc = aave_get_reserve(a, txn, asset, &r, err);
	if (rc)
		return rc == LX_ENOTFOUND ? lx_error_prefix(err, "aave_v3: LiquidationCall at "
								 "%llu:%u for an unknown reserve",
							   (unsigned long long)log->block,
							   log->log_index)
					  : rc;
	if (r.last_update == log->timestamp || lx_u256_is_zero(&r.liq_index))
		return 0;
	struct lx_u256 li = r.liq_index, vi = r.var_index;
	if (!lx_u256_is_zero(&r.liq_rate) &&
	    (rc = lx_aave_normalized_income(&li, &r.liq_index, &r.liq_rate, r.last_update,
					    log->timestamp)))
		return aave_math_err(err, rc, "liquidity index", log);
	if (!lx_u256_is_zero(&r.var_rate) &&
	    (rc = (a->rules->compound == AAVE_COMPOUND_PRECISE ? lx_aave_normalized_debt_v34
							       : lx_aave_normalized_debt)(
		     &vi, &r.var_index, &r.var_rate, r.last_update, log->timestamp)))
		return aave_math_err(err, rc, "variable borrow index", log);
	r.liq_index = li;
	r.var_index = vi;
	r.last_update = log->timestamp;
	return aave_put_reserve(a, txn, &r, err);
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
		if ((rc = aave_get_reserve(a, txn, &x.a[0], &r, err)))
			return rc == LX_ENOTFOUND
				       ? unknown_reserve(a, err, "ReserveDataUpdated", log, &x.a[0])
				       : rc;
		r.liq_rate = x.v[1];
		r.stable_rate = x.v[2];
		r.var_rate = x.v[3];
		r.liq_index = x.v[4];
		r.var_index = x.v[5];
		r.last_update = log->timestamp;
		return aave_put_reserve(a, txn, &r, err);
	}
	case EV_COLL_ENABLED:
	case EV_COLL_DISABLED:
		return set_collateral(a, txn, &x.a[0], &x.a[1], ev->id == EV_COLL_ENABLED, err);
	case EV_USER_EMODE_SET: {
		uint64_t c;
		lx_u256_to_u64(&c, &x.v[1]);
		return aave_touch_user(a, txn, &x.a[0], (int)c, err);
	}
	case EV_DEFICIT_CREATED:
	case EV_DEFICIT_COVERED: {
		/* DeficitCreated(user, debtAsset, amount) / DeficitCovered(reserve, caller, amount) */
		const struct lx_addr *asset = ev->id == EV_DEFICIT_CREATED ? &x.a[1] : &x.a[0];
		struct aave_reserve r;
		if ((rc = aave_get_reserve(a, txn, asset, &r, err)))
			return rc == LX_ENOTFOUND
				       ? lx_error_prefix(err, "aave_v3: %s at %llu:%u for an unknown "
							      "reserve",
							 ev->name, (unsigned long long)log->block,
							 log->log_index)
				       : rc;
		if (ev->id == EV_DEFICIT_CREATED) {
			if (lx_u256_add(&r.deficit, &r.deficit, &x.v[2]))
				return aave_math_err(err, LX_EOVERFLOW, "DeficitCreated", log);
		} else if (lx_u256_sub(&r.deficit, &r.deficit, &x.v[2])) {
			memset(&r.deficit, 0, sizeof(r.deficit));
		}
		return aave_put_reserve(a, txn, &r, err);
	}
	case EV_UPGRADED:
		return aave_on_upgrade(a, txn, log, err);
	case EV_SUPPLY:
		return aave_put_flow(a, txn, log, &x.a[2], LX_FLOW_SUPPLY, &x.a[0], &x.v[3], 0, err);
	case EV_WITHDRAW:
		return aave_put_flow(a, txn, log, &x.a[1], LX_FLOW_WITHDRAW, &x.a[0], &x.v[3], 0, err);
	case EV_BORROW:
		return aave_put_flow(a, txn, log, &x.a[2], LX_FLOW_BORROW, &x.a[0], &x.v[3], 0, err);
	case EV_REPAY:
		return aave_put_flow(a, txn, log, &x.a[1], LX_FLOW_REPAY, &x.a[0], &x.v[3], 0, err);
	case EV_LIQUIDATION_CALL:
		/* LiquidationCall(collateral, debt, user, debtToCover, liquidated, liquidator,
		 * receiveAToken) */
		if (a->rules->liq_collateral_state && !lx_u256_is_zero(&x.v[6]) &&
		    (rc = silent_update_state(a, txn, &x.a[0], log, err)))
			return rc;
		if ((rc = aave_put_flow(a, txn, log, &x.a[2], LX_FLOW_LIQUIDATED, &x.a[0], &x.v[4], 0,
				   err)))
			return rc;
		return aave_put_flow(a, txn, log, &x.a[2], LX_FLOW_REPAY, &x.a[1], &x.v[3], 1, err);
	case EV_FLASH_LOAN: /* market-wide: marks the transaction for loop detection (flash.c) */
		return aave_put_flow(a, txn, log, &aave_market_flow_user, LX_FLOW_FLASH_LOAN, &x.a[2],
				     &x.v[3], 0, err);
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
	if (ev->id == EV_EMODE_ISOLATION) {
		/* EModeCategoryIsolationChanged(categoryId, isolated) */
		uint8_t k[AAVE_MARKET_KEY + 1], v[AAVE_EMODE_LEN];
		const uint8_t *old;
		size_t ol;
		struct aave_emode e;
		memcpy(k, a->market, AAVE_MARKET_KEY);
		k[AAVE_MARKET_KEY] = (uint8_t)u64v(&x.v[0]);
		if ((rc = lx_store_get(txn, T_EMODE, k, sizeof(k), &old, &ol, err)))
			return rc == LX_ENOTFOUND
				       ? lx_error_prefix(err, "aave_v3: %s at %llu:%u for an unknown "
							      "e-mode category",
							 ev->name, (unsigned long long)log->block,
							 log->log_index)
				       : rc;
		if (aave_emode_decode(&e, old, ol))
			return aave_corrupt(err, T_EMODE);
		e.isolated = !lx_u256_is_zero(&x.v[1]);
		size_t vl = aave_emode_encode(v, &e);
		return lx_store_put(txn, T_EMODE, k, sizeof(k), v, vl, err);
	}
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
	rc = aave_get_reserve(a, txn, asset, &r, err);
	if (rc == LX_ENOTFOUND && ev->id == EV_RESERVE_INITIALIZED) {
		lx_error_clear(err);
		memset(&r, 0, sizeof(r));
		r.id = 0xffff;
		rc = 0;
	}
	if (rc == LX_ENOTFOUND) /* configuration of a reserve we never saw initialised */
		return unknown_reserve(a, err, ev->name, log, asset);
	if (rc)
		return rc;
	switch (ev->id) {
	case EV_RESERVE_INITIALIZED: {
		if (r.id == 0xffff && (rc = aave_count_reserves(a, txn, &r.id, err)))
			return rc;
		r.asset = *asset;
		r.atoken = x.a[1];
		r.stoken = x.a[2];
		r.vtoken = x.a[3];
		r.flags |= AAVE_R_ACTIVE;
		/* persist the token routing (discovery keeps it in memory too) */
		const struct lx_addr *toks[3] = {&r.atoken, &r.vtoken, &r.stoken};
		for (int i = 0; i < 3; i++) {
			if (aave_addr_zero(toks[i]))
				continue;
			uint8_t k[64], v[21];
			memcpy(v, asset->b, 20);
			v[20] = (uint8_t)(i + 1);
			if ((rc = lx_store_put(txn, T_TOKEN, k, aave_key_asset(k, a, toks[i]), v, 21, err)))
				return rc;
			if (!aave_find_token(a, toks[i]) &&
			    (rc = aave_add_token(a, toks[i], asset, (uint8_t)(i + 1), log->block, err)))
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
	case EV_EMODE_COLLATERAL:
	case EV_EMODE_BORROWABLE:
	case EV_EMODE_LTVZERO: {
		/* Asset…InEModeChanged(asset, categoryId, bool): one bit per category */
		struct lx_u256 *set = ev->id == EV_EMODE_COLLATERAL   ? &r.emode_collateral
				      : ev->id == EV_EMODE_BORROWABLE ? &r.emode_borrowable
								      : &r.emode_ltvzero;
		unsigned c = (unsigned)u64v(&x.v[1]) & 0xff;
		struct lx_u256 bit;
		lx_u256_from_u64(&bit, 1);
		lx_u256_shl(&bit, &bit, c);
		for (int w = 0; w < 4; w++)
			set->w[w] = lx_u256_is_zero(&x.v[2]) ? set->w[w] & ~bit.w[w]
							      : set->w[w] | bit.w[w];
		break;
	}
	case EV_EMODE_ASSET:
		r.emode = (uint8_t)u64v(&x.v[2]);
		break;
	case EV_DEBT_CEILING:
		r.debt_ceiling = u64v(&x.v[2]);
		break;
	default:
		return 0;
	}
	return aave_put_reserve(a, txn, &r, err);
}

/* ---- ops ---- */

int aave_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
		      struct lx_error *err)
{
	struct aave *a = aave_of(p);
	if (log->n_topics == 0)
		return 0; /* anonymous: nothing of ours */
	const struct aave_token *tk = aave_find_token(a, &log->address);
	if (tk)
		return on_token(a, txn, tk, log, err);
	enum aave_role role;
	if (!aave_role_of(&role, &log->address, &a->pool, &a->configurator,
			  a->have_provider ? &a->provider : NULL))
		return 0; /* an emitter we did not ask for */
	int i = aave_event_find(aave_events, EV_COUNT, role, log->topics[0]);
	if (i < 0)
		return 0; /* an event we do not keep state for (MintedToTreasury, ...) */
	const struct aave_event_def *ev = &aave_events[i];
	switch (role) {
	case ROLE_POOL:
		return on_pool(a, txn, ev, log, err);
	case ROLE_PROVIDER:
		return aave_on_provider(a, txn, ev, log, err);
	default:
		return on_configurator(a, txn, ev, log, err);
	}
}
