/*
 * view.c: the Aave handler's records -> struct lx_market_view at a timestamp, balances with
 * interest projected the way the tokens' balanceOf does, e-mode applied per account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aave.h"
#include "math.h"
#include "lendex/chain.h"
#include "lendex/store.h"

/* ---- views ---- */

/* The market's reserves, indexes projected to ts with the live version's compound formula. */
static int load_reserves(struct aave *a, struct lx_store_txn *txn, uint64_t ts,
			 struct aave_rsv **out, size_t *n_out, struct lx_error *err)
{
	lx_aave_compound_fn compound = a->rules->compound == AAVE_COMPOUND_PRECISE
					       ? lx_aave_compounded_interest_v34
					       : lx_aave_compounded_interest;
	return aave_rec_load_reserves(txn, T_RESERVE, a->market, ts, compound, out, n_out, err);
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
			return aave_corrupt(err, T_EMODE);
		}
		have[k[AAVE_MARKET_KEY]] = true;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

static bool bit_set(const struct lx_u256 *set, uint8_t c)
{
	return (set->w[c / 64] >> (c % 64)) & 1;
}

/*
 * An account's terms for one reserve, as GenericLogic of the version in force reads them:
 * <= 3.1 the reserve's own e-mode category (and its price source); 3.2+ the category's
 * collateral bitmap decides LT/LTV (no category oracle); 3.6+ getUserReserveLtv (LTV-zero
 * bitmap; 3.7 isolated categories give LTV 0 outside the bitmap) and a flagged supply counts
 * as collateral even with LT 0.
 */
static void emode_terms(struct lx_asset_pos *ap, const struct lx_market_view *mv,
			const struct aave_rules *ru,
			const struct aave_reserve *r, const struct aave_emode *e, uint8_t emode,
			bool flagged)
{
	ap->collateral = flagged && (r->lt != 0 || !ru->collateral_needs_lt);
	ap->price = r->price;
	if (!ru->emode_bitmaps) {
		bool in_em = e && r->emode == emode;
		ap->ltv_bps = r->ltv == 0 ? 0 : (in_em ? e->ltv : r->ltv);
		ap->liq_threshold_bps = in_em ? e->lt : r->lt;
		ap->liq_bonus_bps = in_em ? e->bonus : r->bonus;
		if (in_em && ru->emode_price_source && !lx_u256_is_zero(&e->price)) {
			/* priced by the category's source: that feed moves it, not its own */
			ap->price = e->price;
			for (size_t f = 0; f < mv->n_feeds; f++)
				if (mv->feeds[f].emode == emode)
					ap->feed = (uint32_t)f + 1;
		}
		return;
	}
	bool in_em = e && bit_set(&r->emode_collateral, emode);
	ap->liq_threshold_bps = in_em ? e->lt : r->lt;
	ap->liq_bonus_bps = in_em ? e->bonus : r->bonus;
	if (!ru->emode_ltvzero)
		ap->ltv_bps = r->ltv == 0 ? 0 : (in_em ? e->ltv : r->ltv);
	else if (in_em)
		ap->ltv_bps = bit_set(&r->emode_ltvzero, emode) ? 0 : e->ltv;
	else
		ap->ltv_bps = ru->emode_isolated && e && e->isolated ? 0 : r->ltv;
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
	return aave_rec_grow(p, cap, need, elem, err);
}

static int view_account(struct aave *a, struct lx_store_txn *txn, struct vb *b,
			const struct aave_rsv *rs, size_t n_rs, const struct aave_emode *em,
			const bool *have_em, const struct lx_addr *user, unsigned flags,
			uint64_t ts, struct lx_error *err)
{
	struct lx_market_view *mv = b->mv;
	uint8_t k[96];
	size_t kl = aave_key_asset(k, a, user);
	const uint8_t *v;
	size_t vl;
	uint8_t emode = 0;
	int rc = lx_store_get(txn, T_USER, k, kl, &v, &vl, err);
	if (rc == 0) {
		if (vl != 2 || v[0] != 1)
			return aave_corrupt(err, T_USER);
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
				rc = aave_corrupt(err, T_POS);
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
			ap->scaled_supplied = p.scaled_a;
			ap->scaled_variable = p.scaled_v;
			bool dir = a->rules->rounding == AAVE_ROUND_DIRECTIONAL;
			if ((rc = (dir ? lx_aave_ray_mul_floor : lx_ray_mul)(&ap->supplied, &p.scaled_a,
									  &rs[ri].income)) ||
			    (rc = (dir ? lx_aave_ray_mul_ceil : lx_ray_mul)(&ap->borrowed_variable,
									 &p.scaled_v, &rs[ri].debt)) ||
			    (rc = lx_aave_stable_balance(&ap->borrowed_stable, &p.stable,
							 &p.stable_rate, p.stable_ts,
							 ts < p.stable_ts ? p.stable_ts : ts)) ||
			    (rc = lx_u256_add(&ap->borrowed, &ap->borrowed_variable,
					      &ap->borrowed_stable))) {
				rc = lx_error_set(err, rc, "aave_v3: balance overflow");
				break;
			}
			emode_terms(ap, mv, a->rules, r, e, emode, p.collateral);
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
		aave_rec_reserve_order(&mv->pos_pool[first], acct->n_pos);
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
			struct lx_flow fl;
			struct lx_addr asset;
			if (aave_rec_flow_decode(&fl, &asset, fk, fkl, kl, fv, fvl)) {
				lx_store_iter_end(&it);
				return aave_corrupt(err, T_FLOW);
			}
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
			fl.asset = (uint32_t)ri;
			mv->flow_pool[fi] = fl;
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

/*
 * The account's totals do not fit in 256 bits: some balance times its price overflows, as it
 * would in the Pool, whose getUserAccountData (and every borrow, withdraw or liquidation of the
 * account) then reverts too. Names the account, the asset, its balance and the price, and the
 * block the price was read at, so a bogus oracle answer can be traced.
 */
static int health_err(const struct lx_market_view *mv, const struct lx_account_view *ac, int rc,
		      struct lx_error *err)
{
	char acct[LX_ADDR_STRLEN], as[LX_ADDR_STRLEN], amt[LX_U256_DEC_MAX], pr[LX_U256_DEC_MAX];
	lx_addr_checksum(acct, &ac->account);
	for (size_t i = 0; i < ac->n_pos; i++) {
		const struct lx_asset_pos *p = &ac->pos[i];
		const struct lx_asset_info *inf = &mv->assets[p->asset];
		const struct lx_u256 *bal = NULL, *two[2] = {&p->supplied, &p->borrowed};
		for (int k = 0; k < 2 && !bal; k++) {
			/* value = balance * price / 10^decimals, then * up to 10000 bps */
			struct lx_u256 t, unit, bps;
			lx_u256_from_u64(&bps, 10000);
			if (lx_u256_mul(&t, two[k], &p->price) ||
			    lx_u256_pow10(&unit, inf->decimals) || lx_u256_div(&t, &t, &unit) ||
			    lx_u256_mul(&t, &t, &bps))
				bal = two[k];
		}
		if (!bal)
			continue;
		lx_addr_checksum(as, &inf->asset);
		lx_u256_to_dec(amt, sizeof(amt), bal);
		lx_u256_to_dec(pr, sizeof(pr), &p->price);
		return lx_error_set(err, LX_EOVERFLOW,
				    "aave_v3: account %s: %s %s (%s) at price %s (read at block "
				    "%llu) overflows 256 bits; the Pool would revert too (a bogus "
				    "oracle answer for %s?)",
				    acct, amt, inf->symbol[0] ? inf->symbol : "?", as, pr,
				    (unsigned long long)inf->price_block,
				    inf->symbol[0] ? inf->symbol : as);
	}
	return lx_error_set(err, rc, "aave_v3: account %s: its totals overflow 256 bits (%s); the "
				     "Pool would revert too",
			    acct, lx_strerror(rc));
}

int aave_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
		     const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
		     struct lx_market_view *mv, struct lx_error *err)
{
	struct aave *a = aave_of(p);
	struct aave_rsv *rs = NULL;
	size_t n_rs = 0;
	static struct aave_emode em[256];
	static bool have_em[256];
	memset(mv, 0, sizeof(*mv));
	memset(em, 0, sizeof(em));
	memset(have_em, 0, sizeof(have_em));
	int rc = aave_load_state(a, txn, err);
	if (rc)
		return rc;
	rc = load_reserves(a, txn, timestamp, &rs, &n_rs, err);
	if (rc)
		return rc;
	if ((rc = load_emodes(a, txn, em, have_em, err))) {
		free(rs);
		return rc;
	}
	mv->chain_id = lx_chain_id(a->base.chain);
	mv->protocol = LX_PROTO_AAVE_V3;
	mv->ops = &lx_aave_v3_market_ops;
	mv->health_method = a->rules->health_method;
	snprintf(mv->protocol_version, sizeof(mv->protocol_version), "%s", a->rules->version);
	snprintf(mv->name, sizeof(mv->name), "%s", lx_deployment_name(a->base.dep));
	mv->timestamp = timestamp;
	mv->base_decimals = (uint8_t)lx_deployment_base_decimals(a->base.dep);
	/* Aave V3's oracles answer in USD with 8 decimals (BASE_CURRENCY_UNIT 1e8) */
	snprintf(mv->base, sizeof(mv->base), "%s", mv->base_decimals == 8 ? "USD" : "");
	aave_liq_rules(&mv->rules, a->rules);
	mv->n_assets = n_rs;
	mv->assets = calloc(n_rs ? n_rs : 1, sizeof(*mv->assets));
	if (!mv->assets) {
		free(rs);
		return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
	}
	for (size_t i = 0; i < n_rs; i++) {
		const struct aave_reserve *r = &rs[i].r;
		aave_rec_asset_info(&mv->assets[i], r, a->base.dep, &rs[i].income, &rs[i].debt);
		if (r->price_block > mv->block)
			mv->block = r->price_block;
	}

	/* e-mode category price sources (Aave 3.0-3.1) as extra price feeds */
	mv->feeds = calloc(256, sizeof(*mv->feeds));
	if (!mv->feeds) {
		free(rs);
		return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
	}
	for (unsigned c = 1; c < 256; c++) {
		if (!have_em[c] || aave_addr_zero(&em[c].price_source) ||
		    lx_u256_is_zero(&em[c].price))
			continue;
		struct lx_price_feed *f = &mv->feeds[mv->n_feeds++];
		f->key = em[c].price_source;
		f->price = em[c].price;
		f->emode = (uint8_t)c;
		f->same_as = LX_FEED_NONE;
		for (size_t i = 0; i < n_rs; i++)
			if (lx_addr_eq(&rs[i].r.asset, &f->key))
				f->same_as = (uint32_t)i;
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
				rc = aave_corrupt(err, T_USER);
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
	for (size_t i = 0; rc == 0 && i < mv->n_assets; i++) {
		struct lx_asset_info *inf = &mv->assets[i];
		if (lx_u256_sub(&inf->available, &inf->total_supplied, &inf->total_borrowed))
			lx_u256_from_u64(&inf->available, 0);
	}
	if (rc == 0 && (flags & LX_VIEW_FLOWS))
		rc = aave_view_market_flows(a, txn, mv, err);
	if (rc == 0) {
		for (size_t i = 0; i < mv->n_accounts; i++) {
			struct lx_account_view *ac = &mv->accounts[i];
			ac->pos = ac->n_pos ? &mv->pos_pool[b.pos_start[i]] : NULL;
			ac->flows = ac->n_flows ? &mv->flow_pool[b.flow_start[i]] : NULL;
			if ((rc = lx_model_health(&ac->health, mv, ac, NULL))) {
				rc = health_err(mv, ac, rc, err);
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
