/*
 * apply.c: one Morpho Blue log -> the market and position records, as Morpho.sol moves its
 * storage for the call that emitted it (supply/withdraw/borrow/repay add or subtract both
 * assets and shares, repay and liquidate floor the borrow total at zero, a liquidation that
 * leaves no collateral writes the rest of the debt off as bad debt, AccrueInterest adds the
 * interest to both totals and mints the fee shares to the fee recipient). A subtraction that
 * would go below zero means the store no longer follows the chain: it stops the sync naming
 * the log, never clamps.
 */
#include <string.h>

#include "morpho.h"
#include "lendex/store.h"

static int diverged(struct lx_error *err, const struct morpho_event_def *ev,
		    const struct lx_log *log, const char *what)
{
	return lx_error_set(err, LX_ECORRUPT,
			    "morpho_blue: %s log %llu:%u: %s goes below zero (the store does not "
			    "follow the chain: sync from an earlier block)",
			    ev->name, (unsigned long long)log->block, log->log_index, what);
}

static int sub(struct lx_u256 *a, const struct lx_u256 *b, const struct morpho_event_def *ev,
	       const struct lx_log *log, const char *what, struct lx_error *err)
{
	return lx_u256_sub(a, a, b) ? diverged(err, ev, log, what) : 0;
}

static int add(struct lx_u256 *a, const struct lx_u256 *b, const struct morpho_event_def *ev,
	       const struct lx_log *log, const char *what, struct lx_error *err)
{
	if (lx_u256_add(a, a, b) || a->w[2] || a->w[3])
		return lx_error_set(err, LX_EOVERFLOW,
				    "morpho_blue: %s log %llu:%u: %s exceeds uint128 (Morpho "
				    "would have reverted)",
				    ev->name, (unsigned long long)log->block, log->log_index, what);
	return 0;
}

static void zero_floor_sub(struct lx_u256 *a, const struct lx_u256 *b)
{
	if (lx_u256_sub(a, a, b))
		memset(a, 0, sizeof(*a));
}

static int load_market(struct morpho *mo, struct lx_store_txn *txn, const uint8_t id[32],
		       struct morpho_market *m, const struct morpho_event_def *ev,
		       const struct lx_log *log, struct lx_error *err)
{
	int rc = morpho_get_market(mo->key, txn, id, m, err);
	if (rc == LX_ENOTFOUND) {
		char hex[67] = "0x";
		lx_hex_encode(hex + 2, sizeof(hex) - 2, id, 32);
		return lx_error_set(err, LX_ECORRUPT,
				    "morpho_blue: %s log %llu:%u names market %s, which no "
				    "CreateMarket created (sync from the deployment's start block)",
				    ev->name, (unsigned long long)log->block, log->log_index, hex);
	}
	return rc;
}

static int create_market(struct morpho *mo, struct lx_store_txn *txn,
			 const struct morpho_event_def *ev, const struct morpho_args *x,
			 const struct lx_log *log, struct lx_error *err)
{
	struct morpho_market m;
	memset(&m, 0, sizeof(m));
	m.p.loan = x->a[1];
	m.p.collateral = x->a[2];
	m.p.oracle = x->a[3];
	m.p.irm = x->a[4];
	m.p.lltv = x->v[5];
	morpho_market_id(m.id, &m.p);
	if (memcmp(m.id, x->b[0], 32) != 0)
		return lx_error_set(err, LX_EBADRESP,
				    "morpho_blue: CreateMarket log %llu:%u: id is not the hash of "
				    "its market params",
				    (unsigned long long)log->block, log->log_index);
	(void)ev;
	struct morpho_market old;
	int rc = morpho_get_market(mo->key, txn, m.id, &old, err);
	if (rc == 0)
		return lx_error_set(err, LX_ECORRUPT,
				    "morpho_blue: CreateMarket log %llu:%u: market created twice",
				    (unsigned long long)log->block, log->log_index);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	m.last_update = log->timestamp;
	m.loan_dec = m.coll_dec = MORPHO_DEC_UNKNOWN;
	m.created_block = m.changed_block = log->block;
	return morpho_put_market(mo->key, txn, &m, err);
}

enum side { SIDE_LOAN = 0, SIDE_COLLATERAL = 1, SIDE_TOKEN = 2 };

int morpho_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
		 struct lx_error *err)
{
	struct morpho *mo = morpho_of(p);
	if (!lx_addr_eq(&log->address, &mo->singleton))
		return 0;
	const struct morpho_event_def *ev = morpho_event_of(log);
	if (!ev)
		return 0; /* not an event the handler asked for (counted by sync's filter) */
	struct morpho_args x;
	int rc = morpho_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	struct morpho_state st;
	switch (ev->id) {
	case MEV_CREATE_MARKET:
		return create_market(mo, txn, ev, &x, log, err);
	case MEV_SET_FEE_RECIPIENT:
	case MEV_SET_OWNER:
	case MEV_SET_AUTHORIZATION:
	case MEV_INCREMENT_NONCE:
		if ((rc = morpho_get_state(mo->key, txn, &st, err)))
			return rc;
		if (ev->id == MEV_SET_FEE_RECIPIENT)
			st.fee_recipient = x.a[0];
		else if (ev->id == MEV_SET_OWNER)
			st.owner = x.a[0];
		else if (ev->id == MEV_SET_AUTHORIZATION)
			st.n_authorizations++;
		else
			st.n_nonces++;
		return morpho_put_state(mo->key, txn, &st, err);
	case MEV_ENABLE_IRM:
	case MEV_ENABLE_LLTV:
		return 0; /* governance lists: no position depends on them */
	case MEV_FLASH_LOAN: {
		static const struct lx_addr market_wide; /* flows of no account */
		uint8_t tok[32] = {0};
		memcpy(tok + 12, x.a[1].b, 20);
		return morpho_put_flow(mo->key, txn, log, &market_wide, LX_FLOW_FLASH_LOAN, tok,
				       SIDE_TOKEN, &x.v[2], 0, err);
	}
	default:
		break;
	}

	/* the rest move one market (and one position) */
	struct morpho_market m;
	if ((rc = load_market(mo, txn, x.b[0], &m, ev, log, err)))
		return rc;
	struct lx_addr who;
	struct morpho_pos ps;
	switch (ev->id) {
	case MEV_SUPPLY: /* id caller onBehalf assets shares */
	case MEV_REPAY:
	case MEV_SUPPLY_COLLATERAL:
		who = x.a[2];
		break;
	case MEV_WITHDRAW: /* id caller onBehalf receiver assets shares */
	case MEV_BORROW:
	case MEV_WITHDRAW_COLLATERAL:
		who = x.a[2];
		break;
	case MEV_LIQUIDATE: /* id caller borrower ... */
		who = x.a[2];
		break;
	case MEV_ACCRUE_INTEREST:
		if ((rc = morpho_get_state(mo->key, txn, &st, err)))
			return rc;
		who = st.fee_recipient;
		break;
	default: /* SetFee */
		memset(&who, 0, sizeof(who));
		break;
	}
	if ((rc = morpho_get_pos(mo->key, txn, &who, m.id, &ps, err)))
		return rc;
	const uint8_t *id = m.id;
	switch (ev->id) {
	case MEV_SUPPLY:
		if ((rc = add(&ps.supply_shares, &x.v[4], ev, log, "supply shares", err)) ||
		    (rc = add(&m.supply_shares, &x.v[4], ev, log, "total supply shares", err)) ||
		    (rc = add(&m.supply_assets, &x.v[3], ev, log, "total supply assets", err)) ||
		    (rc = morpho_put_flow(mo->key, txn, log, &who, LX_FLOW_SUPPLY, id, SIDE_LOAN,
					  &x.v[3], 0, err)))
			return rc;
		break;
	case MEV_WITHDRAW:
		if ((rc = sub(&ps.supply_shares, &x.v[5], ev, log, "supply shares", err)) ||
		    (rc = sub(&m.supply_shares, &x.v[5], ev, log, "total supply shares", err)) ||
		    (rc = sub(&m.supply_assets, &x.v[4], ev, log, "total supply assets", err)) ||
		    (rc = morpho_put_flow(mo->key, txn, log, &who, LX_FLOW_WITHDRAW, id, SIDE_LOAN,
					  &x.v[4], 0, err)))
			return rc;
		break;
	case MEV_BORROW:
		if ((rc = add(&ps.borrow_shares, &x.v[5], ev, log, "borrow shares", err)) ||
		    (rc = add(&m.borrow_shares, &x.v[5], ev, log, "total borrow shares", err)) ||
		    (rc = add(&m.borrow_assets, &x.v[4], ev, log, "total borrow assets", err)) ||
		    (rc = morpho_put_flow(mo->key, txn, log, &who, LX_FLOW_BORROW, id, SIDE_LOAN,
					  &x.v[4], 0, err)))
			return rc;
		break;
	case MEV_REPAY:
		if ((rc = sub(&ps.borrow_shares, &x.v[4], ev, log, "borrow shares", err)) ||
		    (rc = sub(&m.borrow_shares, &x.v[4], ev, log, "total borrow shares", err)) ||
		    (rc = morpho_put_flow(mo->key, txn, log, &who, LX_FLOW_REPAY, id, SIDE_LOAN,
					  &x.v[3], 0, err)))
			return rc;
		zero_floor_sub(&m.borrow_assets, &x.v[3]);
		break;
	case MEV_SUPPLY_COLLATERAL:
		if ((rc = add(&ps.collateral, &x.v[3], ev, log, "collateral", err)) ||
		    (rc = morpho_put_flow(mo->key, txn, log, &who, LX_FLOW_SUPPLY, id,
					  SIDE_COLLATERAL, &x.v[3], 0, err)))
			return rc;
		break;
	case MEV_WITHDRAW_COLLATERAL:
		if ((rc = sub(&ps.collateral, &x.v[4], ev, log, "collateral", err)) ||
		    (rc = morpho_put_flow(mo->key, txn, log, &who, LX_FLOW_WITHDRAW, id,
					  SIDE_COLLATERAL, &x.v[4], 0, err)))
			return rc;
		break;
	case MEV_LIQUIDATE: {
		/* repaidAssets repaidShares seizedAssets badDebtAssets badDebtShares */
		const struct lx_u256 *ra = &x.v[3], *rs = &x.v[4], *seized = &x.v[5],
				     *bda = &x.v[6], *bds = &x.v[7];
		if ((rc = sub(&ps.borrow_shares, rs, ev, log, "borrow shares", err)) ||
		    (rc = sub(&m.borrow_shares, rs, ev, log, "total borrow shares", err)) ||
		    (rc = sub(&ps.collateral, seized, ev, log, "collateral", err)))
			return rc;
		zero_floor_sub(&m.borrow_assets, ra);
		if (lx_u256_is_zero(&ps.collateral)) {
			/* bad debt: the rest of the position's debt leaves both totals */
			if ((rc = sub(&m.borrow_assets, bda, ev, log, "total borrow assets", err)) ||
			    (rc = sub(&m.supply_assets, bda, ev, log, "total supply assets", err)) ||
			    (rc = sub(&m.borrow_shares, bds, ev, log, "total borrow shares", err)) ||
			    (rc = sub(&ps.borrow_shares, bds, ev, log, "borrow shares", err)))
				return rc;
			if (!lx_u256_is_zero(&ps.borrow_shares))
				return lx_error_set(err, LX_ECORRUPT,
						    "morpho_blue: Liquidate log %llu:%u: borrow "
						    "shares left after bad debt (the store does not "
						    "follow the chain)",
						    (unsigned long long)log->block, log->log_index);
		} else if (!lx_u256_is_zero(bda) || !lx_u256_is_zero(bds)) {
			return lx_error_set(err, LX_ECORRUPT,
					    "morpho_blue: Liquidate log %llu:%u: bad debt while "
					    "collateral is left (the store does not follow the chain)",
					    (unsigned long long)log->block, log->log_index);
		}
		if ((rc = morpho_put_flow(mo->key, txn, log, &who, LX_FLOW_LIQUIDATED, id,
					  SIDE_COLLATERAL, seized, 0, err)))
			return rc;
		break;
	}
	case MEV_ACCRUE_INTEREST: /* id prevBorrowRate interest feeShares */
		if ((rc = add(&m.borrow_assets, &x.v[2], ev, log, "total borrow assets", err)) ||
		    (rc = add(&m.supply_assets, &x.v[2], ev, log, "total supply assets", err)) ||
		    (rc = add(&m.supply_shares, &x.v[3], ev, log, "total supply shares", err)) ||
		    (rc = add(&ps.supply_shares, &x.v[3], ev, log, "fee recipient shares", err)))
			return rc;
		m.last_update = log->timestamp;
		break;
	case MEV_SET_FEE:
		m.fee = x.v[1];
		break;
	default:
		return 0;
	}
	m.changed_block = log->block;
	if (ev->id != MEV_SET_FEE && (rc = morpho_put_pos(mo->key, txn, &who, id, &ps, err)))
		return rc;
	return morpho_put_market(mo->key, txn, &m, err);
}
