/*
 * apply.c: one Comet log -> store records. Collateral balances follow the collateral events
 * exactly (they carry the exact balance changes); every account an event names is recorded so
 * its principal is read at the synced block (reads.c). Base events (Supply, Withdraw,
 * Transfer, AbsorbDebt) name accounts: their principal changes are not recoverable from logs
 * (accrual and borrower-to-borrower transfers are silent; see comet.h).
 *
 * Every event also leaves the account's leverage flows (comet.flow), which only the loop
 * detector reads: collateral in / out / transferred / absorbed as they are; a base Supply is a
 * repay unless Comet's supply-side mint follows it (the next log of the same transaction:
 * Transfer(0, dst, presentValueSupply of the supplied principal)), whose amount is then the
 * supply and the rest the repay; a base Withdraw is a borrow except for the burn that follows
 * it (Transfer(src, 0, ...)), which is the withdrawal of supply; AbsorbDebt repays basePaidOut,
 * less a mint that follows (credit left as supply, received). A mint or burn with no Supply or
 * Withdraw before it is a supply-side transfer (in / out). The split amounts are present values
 * rounded down, as Comet logs them: a flow may be off the tokens moved by one unit.
 */
#include <stdio.h>
#include <string.h>

#include "comet.h"
#include "lendex/store.h"

static bool addr_zero(const struct lx_addr *a)
{
	for (int i = 0; i < 20; i++)
		if (a->b[i])
			return false;
	return true;
}

/* Records that the market named account a (principal unread until the next reads). */
static int name_account(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
			struct lx_error *err)
{
	if (addr_zero(a))
		return 0;
	struct comet_acct v;
	int rc = comet_get_acct(c, t, a, &v, err);
	if (rc == 0)
		return 0;
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	memset(&v, 0, sizeof(v));
	return comet_put_acct(c, t, a, &v, err);
}

static int flow_by(struct comet *c, struct lx_store_txn *t, const struct lx_log *log,
		   uint8_t sub, const struct lx_addr *who, uint8_t kind, const struct lx_addr *asset,
		   const struct lx_u256 *amount, bool absorb, struct lx_error *err)
{
	if (addr_zero(who))
		return 0;
	struct comet_flow f;
	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.absorb = absorb;
	if (asset)
		f.asset = *asset;
	f.amount = *amount;
	memcpy(f.tx, log->tx, 32);
	return comet_put_flow(c, t, who, log->block, log->log_index, sub, &f, err);
}

static int flow(struct comet *c, struct lx_store_txn *t, const struct lx_log *log, uint8_t sub,
		const struct lx_addr *who, uint8_t kind, const struct lx_addr *asset,
		const struct lx_u256 *amount, struct lx_error *err)
{
	return flow_by(c, t, log, sub, who, kind, asset, amount, false, err);
}

/*
 * A supply-side mint (burn) of v for account a: when the log before it in the same transaction
 * was a's base Supply or AbsorbDebt (Withdraw), that flow is split — v of it moved supply, the
 * rest debt; else it is a supply-side transfer in (out).
 */
static int supply_side(struct comet *c, struct lx_store_txn *t, const struct lx_log *log,
		       const struct lx_addr *a, const struct lx_u256 *v, bool mint,
		       struct lx_error *err)
{
	if (addr_zero(a))
		return 0;
	struct comet_flow prev;
	int rc = log->log_index == 0 ? LX_ENOTFOUND
				     : comet_get_flow(c, t, a, log->block, log->log_index - 1, 0,
						      &prev, err);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	uint8_t want = mint ? LX_FLOW_REPAY : LX_FLOW_BORROW;
	if (rc == 0 && prev.kind == want && addr_zero(&prev.asset) &&
	    memcmp(prev.tx, log->tx, 32) == 0) {
		struct comet_flow split = prev;
		if (lx_u256_sub(&split.amount, &prev.amount, v))
			lx_u256_from_u64(&split.amount, 0); /* rounding: all of it moved supply */
		/* the supply part is kept on the earlier log (sub 1), so a re-applied range writes
		 * the same records */
		if ((rc = comet_put_flow(c, t, a, log->block, log->log_index - 1, 0, &split, err)))
			return rc;
		struct comet_flow part = prev;
		part.kind = !mint ? LX_FLOW_WITHDRAW : prev.absorb ? LX_FLOW_TRANSFER_IN : LX_FLOW_SUPPLY;
		part.amount = *v;
		return comet_put_flow(c, t, a, log->block, log->log_index - 1, 1, &part, err);
	}
	return flow(c, t, log, 0, a, mint ? LX_FLOW_TRANSFER_IN : LX_FLOW_TRANSFER_OUT, NULL, v,
		    err);
}

static int coll_add(struct comet *c, struct lx_store_txn *t, const struct lx_log *log,
		    const char *ev, const struct lx_addr *a, const struct lx_addr *asset,
		    const struct lx_u256 *amount, bool sub, struct lx_error *err)
{
	struct lx_u256 bal;
	int rc = comet_get_coll(c, t, a, asset, &bal, err);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	if (sub ? lx_u256_sub(&bal, &bal, amount) : lx_u256_add(&bal, &bal, amount)) {
		char who[LX_ADDR_STRLEN], as[LX_ADDR_STRLEN], amt[LX_U256_DEC_MAX];
		lx_addr_lower(who, a);
		lx_addr_lower(as, asset);
		lx_u256_to_dec(amt, sizeof(amt), amount);
		return lx_error_set(err, LX_ECORRUPT,
				    "compound_v3: %s log %u in block %llu takes %s of %s from %s, "
				    "more than the balance the logs gave it (logs missing: a start "
				    "block after the market's first collateral supply?)",
				    ev, log->log_index, (unsigned long long)log->block, amt, as, who);
	}
	if ((rc = comet_put_coll(c, t, a, asset, &bal, err)))
		return rc;
	return name_account(c, t, a, err);
}

int comet_apply(struct lx_proto *p, struct lx_store_txn *t, const struct lx_log *log,
		struct lx_error *err)
{
	struct comet *c = comet_of(p);
	if (!lx_addr_eq(&log->address, &c->comet) || log->n_topics == 0)
		return 0;
	int ev = comet_event_find(log->topics[0]);
	if (ev < 0)
		return 0;
	struct comet_args x;
	int rc = comet_event_decode(&x, ev, (const uint8_t(*)[32])log->topics, log->n_topics,
				    log->data, log->data_len, log->block, log->log_index, err);
	if (rc)
		return rc;
	const char *name = comet_events[ev].name;
	switch (ev) {
	case CE_SUPPLY: /* from, dst, amount: dst's principal moved (repay, then supply) */
		if ((rc = name_account(c, t, &x.a[1], err)))
			return rc;
		return flow(c, t, log, 0, &x.a[1], LX_FLOW_REPAY, NULL, &x.u[2], err);
	case CE_WITHDRAW: /* src, to, amount (supply withdrawn, then borrowed) */
		if ((rc = name_account(c, t, &x.a[0], err)))
			return rc;
		return flow(c, t, log, 0, &x.a[0], LX_FLOW_BORROW, NULL, &x.u[2], err);
	case CE_TRANSFER: /* supply-side mint/burn/transfer */
		if ((rc = name_account(c, t, &x.a[0], err)) ||
		    (rc = name_account(c, t, &x.a[1], err)))
			return rc;
		if (addr_zero(&x.a[0]))
			return supply_side(c, t, log, &x.a[1], &x.u[2], true, err);
		if (addr_zero(&x.a[1]))
			return supply_side(c, t, log, &x.a[0], &x.u[2], false, err);
		if ((rc = flow(c, t, log, 0, &x.a[0], LX_FLOW_TRANSFER_OUT, NULL, &x.u[2], err)))
			return rc;
		return flow(c, t, log, 1, &x.a[1], LX_FLOW_TRANSFER_IN, NULL, &x.u[2], err);
	case CE_ABSORB_DEBT: /* absorber, borrower, basePaidOut, usdValue */
		if ((rc = name_account(c, t, &x.a[1], err)))
			return rc;
		/* a repay the protocol made: kept as REPAY so a mint after it splits it, but the
		 * credit left is a transfer in, not the account's own supply */
		return flow_by(c, t, log, 0, &x.a[1], LX_FLOW_REPAY, NULL, &x.u[2], true, err);
	case CE_SUPPLY_COLLATERAL: /* from, dst, asset, amount */
		if ((rc = coll_add(c, t, log, name, &x.a[1], &x.a[2], &x.u[3], false, err)))
			return rc;
		return flow(c, t, log, 0, &x.a[1], LX_FLOW_SUPPLY, &x.a[2], &x.u[3], err);
	case CE_WITHDRAW_COLLATERAL: /* src, to, asset, amount */
		if ((rc = coll_add(c, t, log, name, &x.a[0], &x.a[2], &x.u[3], true, err)))
			return rc;
		return flow(c, t, log, 0, &x.a[0], LX_FLOW_WITHDRAW, &x.a[2], &x.u[3], err);
	case CE_TRANSFER_COLLATERAL: /* from, to, asset, amount */
		if ((rc = coll_add(c, t, log, name, &x.a[0], &x.a[2], &x.u[3], true, err)) ||
		    (rc = coll_add(c, t, log, name, &x.a[1], &x.a[2], &x.u[3], false, err)) ||
		    (rc = flow(c, t, log, 0, &x.a[0], LX_FLOW_TRANSFER_OUT, &x.a[2], &x.u[3], err)))
			return rc;
		return flow(c, t, log, 1, &x.a[1], LX_FLOW_TRANSFER_IN, &x.a[2], &x.u[3], err);
	case CE_ABSORB_COLLATERAL: /* absorber, borrower, asset, collateralAbsorbed, usdValue */
		if ((rc = coll_add(c, t, log, name, &x.a[1], &x.a[2], &x.u[3], true, err)))
			return rc;
		return flow(c, t, log, 0, &x.a[1], LX_FLOW_LIQUIDATED, &x.a[2], &x.u[3], err);
	default:
		/* BuyCollateral sells protocol-owned collateral: no account changes. Upgraded: the
		 * configuration is read at its block (reads.c). WithdrawReserves: reserves only. */
		return 0;
	}
}
