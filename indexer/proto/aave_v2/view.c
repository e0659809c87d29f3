/*
 * view.c: the Aave V2 handler's records -> struct lx_market_view at a timestamp, balances as
 * the V2 tokens' balanceOf computes them then: aToken scaled.rayMul(normalized income),
 * variable debt scaled.rayMul(normalized debt), stable debt principal.rayMul(V2 compounded
 * interest of the user's own rate since the user's timestamp). Reserves in the pool's order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v2.h"
#include "../aave/math.h"
#include "lendex/chain.h"
#include "lendex/store.h"


static int oom(struct lx_error *err)
{
	return lx_error_set(err, LX_ENOMEM, "aave_v2: out of memory building the view");
}

static int grow(void **p, size_t *cap, size_t need, size_t elem, struct lx_error *err)
{
	return aave_rec_grow(p, cap, need, elem, err);
}

static int load_reserves(struct aave2 *a, struct lx_store_txn *txn, uint64_t ts,
			 struct aave_rsv **out, size_t *n_out, struct lx_error *err)
{
	return aave_rec_load_reserves(txn, V2_T_RESERVE, a->market, ts,
				      lx_aave_compounded_interest_v2, out, n_out, err);
}

static size_t find_asset(const struct aave_rsv *rs, size_t n, const uint8_t *addr)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(rs[i].r.asset.b, addr, 20) == 0)
			return i;
	return n;
}

/* Flow rows of one user (lx.flow, market|user prefix) appended to *fl. */
static int load_flows(struct aave2 *a, struct lx_store_txn *txn, const struct lx_addr *user,
		      const struct aave_rsv *rs, size_t n_rs, bool keep_unknown, struct lx_flow **fl_out,
		      size_t *n, size_t *cap, struct lx_error *err)
{
	uint8_t k[AAVE_REC_KEY_MAX];
	size_t kl = aave_rec_key(k, a->market, user, NULL);
	struct lx_store_iter it;
	const uint8_t *fk, *fv;
	size_t fkl, fvl;
	int rc = lx_store_iter_begin(&it, txn, AAVE_T_FLOW, k, kl, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &fk, &fkl, &fv, &fvl, err)) == 0) {
		struct lx_flow fl;
		struct lx_addr asset;
		if (aave_rec_flow_decode(&fl, &asset, fk, fkl, kl, fv, fvl)) {
			rc = aave_rec_corrupt(err, AAVE_T_FLOW);
			break;
		}
		size_t ai = find_asset(rs, n_rs, asset.b);
		if (ai == n_rs && !keep_unknown)
			continue;
		if ((rc = grow((void **)fl_out, cap, *n + 1, sizeof(**fl_out), err)))
			break;
		fl.asset = ai < n_rs ? (uint32_t)ai : UINT32_MAX;
		(*fl_out)[(*n)++] = fl;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

struct vb {
	struct lx_market_view *mv;
	const struct aave_rsv *rs;
	size_t n_rs, acc_cap, pos_cap, flow_cap;
	size_t n_pos, n_flows;          /* totals so far */
	size_t *pos_start, *flow_start, idx_cap;
	uint64_t ts;
	unsigned flags;
};

static int position(struct lx_asset_pos *ap, const struct aave_rsv *rs, const struct aave_pos *p,
		    uint64_t ts)
{
	const struct aave_reserve *r = &rs->r;
	int rc;
	ap->scaled_supplied = p->scaled_a;
	ap->scaled_variable = p->scaled_v;
	if ((rc = lx_ray_mul(&ap->supplied, &p->scaled_a, &rs->income)) ||
	    (rc = lx_ray_mul(&ap->borrowed_variable, &p->scaled_v, &rs->debt)) ||
	    (rc = lx_aave_stable_with(&ap->borrowed_stable, lx_aave_compounded_interest_v2,
				      &p->stable, &p->stable_rate, p->stable_ts,
				      ts < p->stable_ts ? p->stable_ts : ts)) ||
	    (rc = lx_u256_add(&ap->borrowed, &ap->borrowed_variable, &ap->borrowed_stable)))
		return rc;
	/* GenericLogic counts a flagged supply only when the reserve's LT is not 0 */
	ap->collateral = p->collateral && r->lt != 0;
	ap->ltv_bps = r->ltv;
	ap->liq_threshold_bps = r->lt;
	ap->liq_bonus_bps = r->bonus;
	ap->price = r->price;
	return 0;
}

static int view_account(struct aave2 *a, struct lx_store_txn *txn, struct vb *b,
			const struct lx_addr *user, struct lx_error *err)
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
	b->pos_start[ai] = 0;
	b->flow_start[ai] = 0;

	size_t first = b->n_pos;
	b->pos_start[ai] = first;
	uint8_t k[AAVE_REC_KEY_MAX];
	size_t kl = aave_rec_key(k, a->market, user, NULL);
	struct lx_store_iter it;
	const uint8_t *pk, *pv;
	size_t pkl, pvl;
	rc = lx_store_iter_begin(&it, txn, V2_T_POS, k, kl, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &pk, &pkl, &pv, &pvl, err)) == 0) {
		struct aave_pos p;
		if (pkl != kl + 20 || aave_pos_decode(&p, pv, pvl)) {
			rc = aave_rec_corrupt(err, V2_T_POS);
			break;
		}
		size_t ri = find_asset(b->rs, b->n_rs, pk + kl);
		if (ri == b->n_rs || aave_pos_empty(&p))
			continue;
		size_t pi = first + acct->n_pos;
		if ((rc = grow((void **)&mv->pos_pool, &b->pos_cap, pi + 1, sizeof(*mv->pos_pool),
			       err)))
			break;
		struct lx_asset_pos *ap = &mv->pos_pool[pi];
		memset(ap, 0, sizeof(*ap));
		ap->asset = (uint32_t)ri;
		if ((rc = position(ap, &b->rs[ri], &p, b->ts))) {
			rc = lx_error_set(err, rc, "aave_v2: balance overflow");
			break;
		}
		struct lx_asset_info *inf = &mv->assets[ri];
		lx_u256_add(&inf->total_supplied, &inf->total_supplied, &ap->supplied);
		lx_u256_add(&inf->total_borrowed, &inf->total_borrowed, &ap->borrowed);
		acct->n_pos++;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	aave_rec_reserve_order(&mv->pos_pool[first], acct->n_pos);
	b->n_pos += acct->n_pos;
	if (b->flags & LX_VIEW_FLOWS) {
		size_t before = b->n_flows;
		b->flow_start[ai] = before;
		if ((rc = load_flows(a, txn, user, b->rs, b->n_rs, false, &mv->flow_pool, &b->n_flows,
				     &b->flow_cap, err)))
			return rc;
		acct->n_flows = b->n_flows - before;
	}
	mv->n_accounts++;
	return 0;
}

static int all_accounts(struct aave2 *a, struct lx_store_txn *txn, struct vb *b,
			struct lx_error *err)
{
	struct lx_store_iter it;
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc = lx_store_iter_begin(&it, txn, V2_T_USER, a->market, AAVE_MARKET_KEY, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		struct lx_addr u;
		if (kl != AAVE_MARKET_KEY + 20) {
			rc = aave_rec_corrupt(err, V2_T_USER);
			break;
		}
		memcpy(u.b, k + AAVE_MARKET_KEY, 20);
		rc = view_account(a, txn, b, &u, err);
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

static void fill_market(struct aave2 *a, struct lx_market_view *mv, const struct aave_rsv *rs,
			size_t n_rs, uint64_t timestamp)
{
	const struct lx_deployment *dep = a->base.dep;
	mv->chain_id = lx_chain_id(a->base.chain);
	mv->protocol = LX_PROTO_AAVE_V2;
	mv->health_method = LX_HEALTH_AAVE_V3; /* V2 GenericLogic: the 3.0 rounding exactly */
	snprintf(mv->protocol_version, sizeof(mv->protocol_version), "%s", dep->version);
	snprintf(mv->name, sizeof(mv->name), "%s", lx_deployment_name(dep));
	mv->timestamp = timestamp;
	mv->base_decimals = (uint8_t)lx_deployment_base_decimals(dep);
	v2_view_ops(mv);
	v2_liq_rules(&mv->rules);
	snprintf(mv->rules.version, sizeof(mv->rules.version), "%s", dep->version);
	mv->n_assets = n_rs;
	for (size_t i = 0; i < n_rs; i++) {
		const struct aave_reserve *r = &rs[i].r;
		aave_rec_asset_info(&mv->assets[i], r, dep, &rs[i].income, &rs[i].debt);
		if (r->price_block > mv->block)
			mv->block = r->price_block;
	}
}

int v2_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
	    const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
	    struct lx_market_view *mv, struct lx_error *err)
{
	struct aave2 *a = v2_of(p);
	struct aave_rsv *rs = NULL;
	size_t n_rs = 0;
	memset(mv, 0, sizeof(*mv));
	int rc = load_reserves(a, txn, timestamp, &rs, &n_rs, err);
	if (rc)
		return rc;
	mv->assets = calloc(n_rs ? n_rs : 1, sizeof(*mv->assets));
	if (!mv->assets) {
		free(rs);
		return oom(err);
	}
	fill_market(a, mv, rs, n_rs, timestamp);
	struct vb b = {.mv = mv, .rs = rs, .n_rs = n_rs, .ts = timestamp, .flags = flags};
	if (accounts) {
		for (size_t i = 0; i < n_accounts && rc == 0; i++)
			rc = view_account(a, txn, &b, &accounts[i], err);
	} else {
		rc = all_accounts(a, txn, &b, err);
	}
	for (size_t i = 0; rc == 0 && i < mv->n_assets; i++) {
		struct lx_asset_info *inf = &mv->assets[i];
		if (lx_u256_sub(&inf->available, &inf->total_supplied, &inf->total_borrowed))
			lx_u256_from_u64(&inf->available, 0);
	}
	if (rc == 0 && (flags & LX_VIEW_FLOWS)) {
		static const struct lx_addr market_flows; /* flash loans, market-wide */
		size_t cap = 0;
		rc = load_flows(a, txn, &market_flows, rs, n_rs, true, &mv->market_flows,
				&mv->n_market_flows, &cap, err);
	}
	free(rs);
	for (size_t i = 0; rc == 0 && i < mv->n_accounts; i++) {
		struct lx_account_view *ac = &mv->accounts[i];
		ac->pos = ac->n_pos ? &mv->pos_pool[b.pos_start[i]] : NULL;
		ac->flows = ac->n_flows ? &mv->flow_pool[b.flow_start[i]] : NULL;
		if ((rc = lx_model_health(&ac->health, mv, ac, NULL))) {
			char as[LX_ADDR_STRLEN];
			lx_addr_checksum(as, &ac->account);
			rc = lx_error_set(err, rc, "aave_v2: account %s: its totals overflow 256 bits "
						   "(%s); the LendingPool would revert too",
					  as, lx_strerror(rc));
		}
	}
	free(b.pos_start);
	free(b.flow_start);
	if (rc)
		lx_market_view_release(mv);
	return rc;
}
