/*
 * apply.c: one Comet log -> store records. Collateral balances follow the collateral events
 * exactly (they carry the exact balance changes); every account an event names is recorded so
 * its principal is read at the synced block (reads.c). Base events (Supply, Withdraw,
 * Transfer, AbsorbDebt) only name accounts: their principal changes are not recoverable from
 * logs (accrual and borrower-to-borrower transfers are silent; see comet.h).
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
	case CE_SUPPLY: /* from, dst: dst's principal moved */
		return name_account(c, t, &x.a[1], err);
	case CE_WITHDRAW: /* src, to */
		return name_account(c, t, &x.a[0], err);
	case CE_TRANSFER: /* supply-side mint/burn/transfer */
		if ((rc = name_account(c, t, &x.a[0], err)))
			return rc;
		return name_account(c, t, &x.a[1], err);
	case CE_ABSORB_DEBT: /* absorber, borrower */
		return name_account(c, t, &x.a[1], err);
	case CE_SUPPLY_COLLATERAL: /* from, dst, asset, amount */
		return coll_add(c, t, log, name, &x.a[1], &x.a[2], &x.u[3], false, err);
	case CE_WITHDRAW_COLLATERAL: /* src, to, asset, amount */
		return coll_add(c, t, log, name, &x.a[0], &x.a[2], &x.u[3], true, err);
	case CE_TRANSFER_COLLATERAL: /* from, to, asset, amount */
		if ((rc = coll_add(c, t, log, name, &x.a[0], &x.a[2], &x.u[3], true, err)))
			return rc;
		return coll_add(c, t, log, name, &x.a[1], &x.a[2], &x.u[3], false, err);
	case CE_ABSORB_COLLATERAL: /* absorber, borrower, asset, collateralAbsorbed, usdValue */
		return coll_add(c, t, log, name, &x.a[1], &x.a[2], &x.u[3], true, err);
	default:
		/* BuyCollateral sells protocol-owned collateral: no account changes. Upgraded: the
		 * configuration is read at its block (reads.c). WithdrawReserves: reserves only. */
		return 0;
	}
}
