/*
 * view.c: the Morpho Blue handler's records -> struct lx_market_view at a timestamp.
 *
 * Each market is projected to the timestamp exactly as Morpho._accrueInterest would move it in
 * a transaction then (interest from the IRM's borrowRateView read at the synced block, fee
 * shares minted to the fee recipient), so amounts and health at the synced block are what
 * Morpho's own liquidate would see there. Layout of the view:
 *   assets[2m] is market m's loan token, assets[2m+1] its collateral token (markets in id
 *   order); both entries carry the market id, LLTV, oracle answer and share totals;
 *   one account view per (account, market): the loan position (supply assets = shares
 *   toAssetsDown, borrow assets = shares toAssetsUp) and the collateral position.
 * Units: each market's base is its loan token in the token's smallest unit (base_decimals 0;
 * base "" since the markets of one view have different bases: an account view's market id,
 * acct->market, says which). A loan-token position's price is
 * 10^decimals; a collateral position's price is the oracle answer converted to loan units per
 * whole collateral token, floor(price * 10^collateral decimals / 1e36), for display and
 * ranking only: health and liquidation use the oracle answer itself (health.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "morpho.h"
#include "lendex/chain.h"
#include "lendex/store.h"

struct proj {
	struct morpho_market m;     /* projected to the view's timestamp */
	struct lx_u256 fee_shares;  /* minted to the fee recipient by the projection */
	bool stale;                 /* rate or price not read at the latest state */
	bool fee_seen;              /* the fee recipient has a stored position here */
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
		return lx_error_set(err, LX_ENOMEM, "morpho_blue: out of memory building the view");
	*p = n;
	*cap = c;
	return 0;
}

static int find_market(const struct proj *ps, size_t n, const uint8_t *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(ps[mid].m.id, id, 32);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void unit_price(struct lx_u256 *out, uint8_t dec)
{
	lx_u256_pow10(out, dec == MORPHO_DEC_UNKNOWN ? 18 : dec);
}

static void coll_price(struct lx_u256 *out, const struct morpho_market *m)
{
	struct lx_u256 u, scale;
	unit_price(&u, m->coll_dec);
	lx_u256_pow10(&scale, 36);
	if (lx_u256_muldiv(out, &m->price, &u, &scale))
		lx_u256_max(out);
}

static int project(struct proj *pr, uint64_t ts, const char *dep, struct lx_error *err)
{
	struct morpho_market *m = &pr->m;
	memset(&pr->fee_shares, 0, sizeof(pr->fee_shares));
	static const struct lx_addr none;
	bool accrues = !lx_addr_eq(&m->p.irm, &none) && ts > m->last_update &&
		       !lx_u256_is_zero(&m->borrow_assets);
	/* the rate and price answer for the state as it is: read after its last change */
	if (accrues && m->rate_block < m->changed_block)
		pr->stale = true;
	if (!lx_u256_is_zero(&m->borrow_shares) && m->price_block < m->changed_block)
		pr->stale = true;
	int rc = morpho_accrue(m, &m->rate, ts, &pr->fee_shares);
	if (rc) {
		char hex[67] = "0x";
		lx_hex_encode(hex + 2, sizeof(hex) - 2, m->id, 32);
		return lx_error_set(err, rc, "morpho_blue: %s: market %s: interest to %llu overflows "
					     "(Morpho's accrual reverts too)",
				    dep, hex, (unsigned long long)ts);
	}
	return 0;
}

struct vb {
	struct lx_market_view *mv;
	size_t pos_cap, flow_cap, acc_cap;
	size_t *pos_start, *flow_start;
	size_t idx_cap;
	size_t n_pos, n_flows;
};

static int add_flows(struct morpho *mo, struct lx_store_txn *txn, struct vb *b,
		     struct lx_account_view *acct, size_t ai, const uint8_t *id, size_t mi,
		     struct lx_error *err)
{
	struct lx_market_view *mv = b->mv;
	uint8_t k[MORPHO_KEY + 20];
	memcpy(k, mo->key, MORPHO_KEY);
	memcpy(k + MORPHO_KEY, acct->account.b, 20);
	struct lx_store_iter it;
	const uint8_t *fk, *fv;
	size_t fkl, fvl;
	b->flow_start[ai] = b->n_flows;
	int rc = lx_store_iter_begin(&it, txn, T_FLOW, k, sizeof(k), err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &fk, &fkl, &fv, &fvl, err)) == 0) {
		if (fkl != sizeof(k) + 13 || fvl != MORPHO_FLOW_LEN || fv[33] > 2) {
			rc = morpho_corrupt(err, T_FLOW);
			break;
		}
		/* side 2: a market-wide flow (the zero address may also hold fee shares) */
		if (fv[33] == 2 || memcmp(fv + 1, id, 32) != 0)
			continue;
		size_t fi = b->n_flows + acct->n_flows;
		if ((rc = grow((void **)&mv->flow_pool, &b->flow_cap, fi + 1, sizeof(*mv->flow_pool),
			       err)))
			break;
		struct lx_flow *f = &mv->flow_pool[fi];
		memset(f, 0, sizeof(*f));
		f->block = morpho_rd64(fk + sizeof(k));
		const uint8_t *li = fk + sizeof(k) + 8;
		f->log_index = (uint32_t)li[0] << 24 | (uint32_t)li[1] << 16 | (uint32_t)li[2] << 8 |
			       li[3];
		f->kind = fv[0];
		f->asset = (uint32_t)(2 * mi + fv[33]);
		lx_u256_from_be(&f->amount, fv + 34);
		memcpy(f->tx, fv + 66, 32);
		acct->n_flows++;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	b->n_flows += acct->n_flows;
	return 0;
}

/* one account view for (user, market mi) with its stored position */
static int add_account(struct morpho *mo, struct lx_store_txn *txn, struct vb *b,
		       const struct proj *ps, int mi, const struct lx_addr *user,
		       const struct morpho_pos *pos, const struct lx_addr *fee_recipient,
		       unsigned flags, struct lx_error *err)
{
	struct lx_market_view *mv = b->mv;
	size_t ai = mv->n_accounts;
	int rc;
	size_t c1 = b->idx_cap;
	if ((rc = grow((void **)&mv->accounts, &b->acc_cap, ai + 1, sizeof(*mv->accounts), err)) ||
	    (rc = grow((void **)&b->pos_start, &c1, ai + 1, sizeof(size_t), err)))
		return rc;
	c1 = b->idx_cap;
	if ((rc = grow((void **)&b->flow_start, &c1, ai + 1, sizeof(size_t), err)))
		return rc;
	b->idx_cap = c1;
	struct lx_account_view *acct = &mv->accounts[ai];
	memset(acct, 0, sizeof(*acct));
	acct->account = *user;
	if (mi >= 0)
		memcpy(acct->market, ps[mi].m.id, 32);
	b->pos_start[ai] = b->n_pos;
	b->flow_start[ai] = b->n_flows;
	mv->n_accounts++;
	if (mi < 0)
		return 0;
	const struct morpho_market *m = &ps[mi].m;
	struct lx_u256 supply = pos->supply_shares;
	if (lx_addr_eq(user, fee_recipient) &&
	    lx_u256_add(&supply, &supply, &ps[mi].fee_shares))
		return lx_error_set(err, LX_EOVERFLOW, "morpho_blue: fee shares overflow");
	if ((rc = grow((void **)&mv->pos_pool, &b->pos_cap, b->n_pos + 2, sizeof(*mv->pos_pool),
		       err)))
		return rc;
	struct lx_asset_pos *lp = &mv->pos_pool[b->n_pos];
	if (!lx_u256_is_zero(&supply) || !lx_u256_is_zero(&pos->borrow_shares)) {
		memset(lp, 0, sizeof(*lp));
		lp->asset = (uint32_t)(2 * mi);
		lp->scaled_supplied = supply;
		lp->scaled_variable = pos->borrow_shares;
		if ((rc = morpho_to_assets_down(&lp->supplied, &supply, &m->supply_assets,
						&m->supply_shares)) ||
		    (rc = morpho_to_assets_up(&lp->borrowed, &pos->borrow_shares, &m->borrow_assets,
					      &m->borrow_shares)))
			return lx_error_set(err, rc, "morpho_blue: share conversion overflows");
		lp->borrowed_variable = lp->borrowed;
		lp->price = mv->assets[2 * mi].price;
		acct->n_pos++;
		lp++;
	}
	if (!lx_u256_is_zero(&pos->collateral)) {
		const struct lx_asset_info *ci = &mv->assets[2 * mi + 1];
		memset(lp, 0, sizeof(*lp));
		lp->asset = (uint32_t)(2 * mi + 1);
		lp->supplied = pos->collateral;
		lp->collateral = true;
		lp->ltv_bps = ci->ltv_bps;
		lp->liq_threshold_bps = ci->liq_threshold_bps;
		lp->liq_bonus_bps = ci->liq_bonus_bps;
		lp->price = ci->price;
		acct->n_pos++;
		lx_u256_add(&mv->assets[2 * mi + 1].total_supplied,
			    &mv->assets[2 * mi + 1].total_supplied, &pos->collateral);
	}
	b->n_pos += acct->n_pos;
	if (flags & LX_VIEW_FLOWS)
		return add_flows(mo, txn, b, acct, ai, m->id, (size_t)mi, err);
	return 0;
}

/* every stored position under prefix (M, or M|account) */
static int scan_positions(struct morpho *mo, struct lx_store_txn *txn, struct vb *b,
			  struct proj *ps, size_t nm, const uint8_t *prefix, size_t plen,
			  const struct lx_addr *fee_recipient, unsigned flags, size_t *found,
			  struct lx_error *err)
{
	struct lx_store_iter it;
	const uint8_t *k, *v;
	size_t kl, vl;
	*found = 0;
	int rc = lx_store_iter_begin(&it, txn, T_POS, prefix, plen, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		struct morpho_pos pos;
		if (kl != MORPHO_KEY + 52 || morpho_pos_decode(&pos, v, vl)) {
			rc = morpho_corrupt(err, T_POS);
			break;
		}
		int mi = find_market(ps, nm, k + MORPHO_KEY + 20);
		if (mi < 0) {
			rc = morpho_corrupt(err, T_POS);
			break;
		}
		struct lx_addr u;
		memcpy(u.b, k + MORPHO_KEY, 20);
		if (lx_addr_eq(&u, fee_recipient))
			ps[mi].fee_seen = true;
		rc = add_account(mo, txn, b, ps, mi, &u, &pos, fee_recipient, flags, err);
		(*found)++;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

/* The fee recipient's shares minted by the projection in markets where it holds nothing yet:
 * a position of its own, as Morpho's accrual would create. */
static int fee_only(struct morpho *mo, struct lx_store_txn *txn, struct vb *b, struct proj *ps,
		    size_t nm, const struct lx_addr *fee_recipient, unsigned flags, size_t *found,
		    struct lx_error *err)
{
	static const struct morpho_pos none;
	int rc = 0;
	for (size_t i = 0; i < nm && rc == 0; i++)
		if (!ps[i].fee_seen && !lx_u256_is_zero(&ps[i].fee_shares)) {
			rc = add_account(mo, txn, b, ps, (int)i, fee_recipient, &none, fee_recipient,
					 flags, err);
			(*found)++;
		}
	return rc;
}

static int market_flows(struct morpho *mo, struct lx_store_txn *txn, struct lx_market_view *mv,
			struct lx_error *err)
{
	uint8_t k[MORPHO_KEY + 20] = {0};
	memcpy(k, mo->key, MORPHO_KEY);
	struct lx_store_iter it;
	const uint8_t *fk, *fv;
	size_t fkl, fvl, cap = 0;
	int rc = lx_store_iter_begin(&it, txn, T_FLOW, k, sizeof(k), err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &fk, &fkl, &fv, &fvl, err)) == 0) {
		if (fkl != sizeof(k) + 13 || fvl != MORPHO_FLOW_LEN) {
			rc = morpho_corrupt(err, T_FLOW);
			break;
		}
		if (fv[33] != 2)
			continue; /* not a market-wide flow */
		struct lx_addr tok;
		memcpy(tok.b, fv + 13, 20);
		size_t ai;
		for (ai = 0; ai < mv->n_assets; ai++)
			if (lx_addr_eq(&mv->assets[ai].asset, &tok))
				break;
		if (ai == mv->n_assets)
			continue; /* a token no market lists */
		if ((rc = grow((void **)&mv->market_flows, &cap, mv->n_market_flows + 1,
			       sizeof(*mv->market_flows), err)))
			break;
		struct lx_flow *f = &mv->market_flows[mv->n_market_flows++];
		memset(f, 0, sizeof(*f));
		f->block = morpho_rd64(fk + sizeof(k));
		const uint8_t *li = fk + sizeof(k) + 8;
		f->log_index = (uint32_t)li[0] << 24 | (uint32_t)li[1] << 16 | (uint32_t)li[2] << 8 |
			       li[3];
		f->kind = fv[0];
		f->asset = (uint32_t)ai;
		lx_u256_from_be(&f->amount, fv + 34);
		memcpy(f->tx, fv + 66, 32);
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

static void fill_assets(struct lx_market_view *mv, const struct proj *ps, size_t nm,
			const struct lx_chain *chain, const struct lx_deployment *dep)
{
	(void)chain;
	for (size_t i = 0; i < nm; i++) {
		const struct morpho_market *m = &ps[i].m;
		struct lx_u256 bps, lif;
		lx_u256_from_u64(&bps, 100000000000000ull); /* 1e14: wad -> bps */
		lx_u256_div(&bps, &m->p.lltv, &bps);
		uint16_t lt = bps.w[0] > 10000 || bps.w[1] || bps.w[2] || bps.w[3]
				      ? 10000 : (uint16_t)bps.w[0];
		uint16_t bonus = 10000;
		if (morpho_incentive_factor(&lif, &m->p.lltv) == 0) {
			lx_u256_from_u64(&bps, 100000000000000ull);
			lx_u256_div(&lif, &lif, &bps);
			bonus = (uint16_t)lif.w[0];
		}
		for (int side = 0; side < 2; side++) {
			struct lx_asset_info *a = &mv->assets[2 * i + side];
			memcpy(a->market, m->id, 32);
			a->lltv = m->p.lltv;
			a->oracle_price = m->price;
			a->total_supply_shares = m->supply_shares;
			a->total_borrow_shares = m->borrow_shares;
			a->price_block = ps[i].stale ? 0 : m->price_block;
			/* the rate moves both sides' amounts; the price values the collateral */
			if (m->rate_reverted && !lx_u256_is_zero(&m->borrow_assets)) {
				a->price_reverted = m->rate_reverted;
				a->reverted_call = "borrowRateView";
			} else if (side == 1 && m->price_reverted) {
				a->price_reverted = m->price_reverted;
				a->reverted_call = "price()";
			}
			if (side == 0) {
				a->asset = m->p.loan;
				a->decimals = m->loan_dec == MORPHO_DEC_UNKNOWN ? 18 : m->loan_dec;
				unit_price(&a->price, m->loan_dec);
				a->total_supplied = m->supply_assets;
				a->total_borrowed = m->borrow_assets;
				if (lx_u256_sub(&a->available, &m->supply_assets, &m->borrow_assets))
					memset(&a->available, 0, sizeof(a->available));
			} else {
				a->asset = m->p.collateral;
				a->decimals = m->coll_dec == MORPHO_DEC_UNKNOWN ? 18 : m->coll_dec;
				coll_price(&a->price, m);
				a->ltv_bps = lt;
				a->liq_threshold_bps = lt;
				a->liq_bonus_bps = bonus;
			}
			a->group = (uint16_t)lx_deployment_group_of(dep, &a->asset);
			a->depth_base_per_pct = lx_deployment_depth_of(dep, &a->asset);
		}
		if (m->price_block > mv->block)
			mv->block = m->price_block;
	}
}

int morpho_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
		const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
		struct lx_market_view *mv, struct lx_error *err)
{
	struct morpho *mo = morpho_of(p);
	memset(mv, 0, sizeof(*mv));
	const char *dep = lx_deployment_name(p->dep);
	struct morpho_market *ms = NULL;
	size_t nm = 0;
	struct morpho_state st;
	int rc = morpho_get_state(mo->key, txn, &st, err);
	if (rc || (rc = morpho_load_markets(mo, txn, &ms, &nm, err)))
		return rc;
	struct proj *ps = calloc(nm ? nm : 1, sizeof(*ps));
	mv->assets = calloc(nm ? 2 * nm : 1, sizeof(*mv->assets));
	if (!ps || !mv->assets) {
		free(ms);
		free(ps);
		free(mv->assets);
		mv->assets = NULL;
		return lx_error_set(err, LX_ENOMEM, "morpho_blue: out of memory");
	}
	for (size_t i = 0; i < nm && rc == 0; i++) {
		ps[i].m = ms[i];
		rc = project(&ps[i], timestamp, dep, err);
	}
	free(ms);
	if (rc) {
		free(ps);
		lx_market_view_release(mv);
		return rc;
	}
	mv->chain_id = lx_chain_id(p->chain);
	mv->protocol = LX_PROTO_MORPHO_BLUE;
	mv->ops = &lx_morpho_blue_market_ops;
	/* base: each market's loan token (mv->base stays empty: one view holds many markets) */
	snprintf(mv->protocol_version, sizeof(mv->protocol_version), "1.0");
	snprintf(mv->name, sizeof(mv->name), "%s", dep);
	mv->timestamp = timestamp;
	mv->base_decimals = 0;
	mv->rules.max_close_factor_bps = 10000;
	mv->rules.default_close_factor_bps = 10000;
	snprintf(mv->rules.version, sizeof(mv->rules.version), "1.0");
	mv->n_assets = 2 * nm;
	fill_assets(mv, ps, nm, p->chain, p->dep);

	struct vb b = {mv, 0, 0, 0, NULL, NULL, 0, 0, 0};
	if (accounts) {
		for (size_t i = 0; i < n_accounts && rc == 0; i++) {
			uint8_t pre[MORPHO_KEY + 20];
			memcpy(pre, mo->key, MORPHO_KEY);
			memcpy(pre + MORPHO_KEY, accounts[i].b, 20);
			size_t found;
			rc = scan_positions(mo, txn, &b, ps, nm, pre, sizeof(pre), &st.fee_recipient,
					    flags, &found, err);
			if (rc == 0 && lx_addr_eq(&accounts[i], &st.fee_recipient))
				rc = fee_only(mo, txn, &b, ps, nm, &st.fee_recipient, flags, &found,
					      err);
			if (rc == 0 && found == 0) /* unknown: listed with no positions */
				rc = add_account(mo, txn, &b, ps, -1, &accounts[i], NULL,
						 &st.fee_recipient, flags, err);
		}
	} else {
		size_t found;
		rc = scan_positions(mo, txn, &b, ps, nm, mo->key, MORPHO_KEY, &st.fee_recipient,
				    flags, &found, err);
		if (rc == 0)
			rc = fee_only(mo, txn, &b, ps, nm, &st.fee_recipient, flags, &found, err);
	}
	free(ps);
	if (rc == 0 && (flags & LX_VIEW_FLOWS))
		rc = market_flows(mo, txn, mv, err);
	for (size_t i = 0; rc == 0 && i < mv->n_accounts; i++) {
		struct lx_account_view *ac = &mv->accounts[i];
		ac->pos = ac->n_pos ? &mv->pos_pool[b.pos_start[i]] : NULL;
		ac->flows = ac->n_flows ? &mv->flow_pool[b.flow_start[i]] : NULL;
		if ((rc = lx_morpho_health(&ac->health, mv, ac, NULL))) {
			char a[LX_ADDR_STRLEN];
			lx_addr_checksum(a, &ac->account);
			rc = lx_error_set(err, rc, "morpho_blue: %s: account %s: health overflows 256 "
						   "bits (Morpho's liquidate reverts too: a bogus "
						   "oracle answer?)",
					  dep, a);
		}
	}
	free(b.pos_start);
	free(b.flow_start);
	if (rc)
		lx_market_view_release(mv);
	return rc;
}
