/*
 * view.c: Comet records -> struct lx_market_view at a timestamp. assets[0] is the base token,
 * assets[1 + i] the collateral at offset i of getAssetInfo. Base balances are Comet's balanceOf
 * / borrowBalanceOf at the view's timestamp: the principal read at the synced block times the
 * indexes accrued from the read totalsBasic to that timestamp (accruedInterestIndices). The
 * layout health.c reads is described there. Values are in USD with 8 decimals (Comet's price
 * scale).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comet.h"
#include "lendex/chain.h"
#include "lendex/store.h"

struct vb {
	struct lx_market_view *mv;
	size_t cap_acct, cap_pos;
	size_t n_pos;
	size_t *pos_start;
	unsigned flags;
	size_t cap_flow, n_flows;
	size_t *flow_start;
};

static int grow_pos(struct vb *b, struct lx_error *err)
{
	if (b->n_pos < b->cap_pos)
		return 0;
	size_t nc = b->cap_pos ? 2 * b->cap_pos : 64;
	struct lx_asset_pos *np = realloc(b->mv->pos_pool, nc * sizeof(*np));
	if (!np)
		return lx_error_set(err, LX_ENOMEM, "compound_v3: out of memory");
	b->mv->pos_pool = np;
	b->cap_pos = nc;
	return 0;
}

static int grow_acct(struct vb *b, struct lx_error *err)
{
	if (b->mv->n_accounts < b->cap_acct)
		return 0;
	size_t nc = b->cap_acct ? 2 * b->cap_acct : 64;
	struct lx_account_view *na = realloc(b->mv->accounts, nc * sizeof(*na));
	size_t *ns = realloc(b->pos_start, nc * sizeof(*ns));
	if (na)
		b->mv->accounts = na;
	if (ns)
		b->pos_start = ns;
	size_t *nf = ns && na ? realloc(b->flow_start, nc * sizeof(*nf)) : NULL;
	if (nf)
		b->flow_start = nf;
	if (!na || !ns || !nf)
		return lx_error_set(err, LX_ENOMEM, "compound_v3: out of memory");
	b->cap_acct = nc;
	return 0;
}

static int asset_index(const struct comet_config *cfg, const struct lx_addr *a)
{
	for (unsigned i = 0; i < cfg->n_assets; i++)
		if (lx_addr_eq(&cfg->assets[i].asset, a))
			return (int)i;
	return -1;
}

/* the account's stored flows (apply.c), in (block, log, sub) order; asset zero = base */
static int add_flows(struct comet *c, struct lx_store_txn *t, struct vb *b,
		     const struct comet_config *cfg, struct lx_account_view *ac, size_t ai,
		     struct lx_error *err)
{
	struct lx_market_view *mv = b->mv;
	uint8_t prefix[COMET_MARKET_KEY + 20];
	memcpy(prefix, c->market, COMET_MARKET_KEY);
	memcpy(prefix + COMET_MARKET_KEY, ac->account.b, 20);
	b->flow_start[ai] = b->n_flows;
	struct lx_store_iter it;
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc = lx_store_iter_begin(&it, t, CT_FLOW, prefix, sizeof(prefix), err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		struct comet_flow f;
		if (kl != COMET_FLOW_KEY || comet_flow_decode(&f, v, vl)) {
			rc = comet_corrupt(err, CT_FLOW);
			break;
		}
		if (lx_u256_is_zero(&f.amount))
			continue; /* a base Supply / Withdraw that moved supply only */
		struct lx_addr zero;
		memset(&zero, 0, sizeof(zero));
		int ci = lx_addr_eq(&f.asset, &zero) ? -1 : asset_index(cfg, &f.asset);
		if (ci < 0 && !lx_addr_eq(&f.asset, &zero))
			continue; /* an asset the configuration no longer lists */
		size_t idx = ci < 0 ? 0 : 1 + (size_t)ci;
		if (b->n_flows == b->cap_flow) {
			size_t nc = b->cap_flow ? 2 * b->cap_flow : 64;
			struct lx_flow *np = realloc(mv->flow_pool, nc * sizeof(*np));
			if (!np) {
				rc = lx_error_set(err, LX_ENOMEM, "compound_v3: out of memory");
				break;
			}
			mv->flow_pool = np;
			b->cap_flow = nc;
		}
		struct lx_flow *o = &mv->flow_pool[b->n_flows++];
		memset(o, 0, sizeof(*o));
		o->block = comet_rd64(k + COMET_MARKET_KEY + 20);
		const uint8_t *li = k + COMET_MARKET_KEY + 28;
		o->log_index = (uint32_t)li[0] << 24 | (uint32_t)li[1] << 16 | (uint32_t)li[2] << 8 |
			       li[3];
		o->kind = f.kind;
		o->asset = (uint32_t)idx;
		o->amount = f.amount;
		memcpy(o->tx, f.tx, 32);
		ac->n_flows++;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

static int view_account(struct comet *c, struct lx_store_txn *t, struct vb *b,
			const struct comet_config *cfg, uint64_t si, uint64_t bi,
			const struct lx_addr *who, struct lx_error *err)
{
	struct lx_market_view *mv = b->mv;
	int rc;
	if ((rc = grow_acct(b, err)))
		return rc;
	struct lx_account_view *ac = &mv->accounts[mv->n_accounts];
	memset(ac, 0, sizeof(*ac));
	ac->account = *who;
	b->pos_start[mv->n_accounts] = b->n_pos;
	struct comet_acct ca;
	rc = comet_get_acct(c, t, who, &ca, err);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	if (rc == 0 && !lx_u256_is_zero(&ca.principal) && mv->n_assets) {
		if ((rc = grow_pos(b, err)))
			return rc;
		struct lx_asset_pos *p = &mv->pos_pool[b->n_pos];
		memset(p, 0, sizeof(*p));
		p->asset = 0;
		p->price = mv->assets[0].price;
		if (ca.negative) {
			p->scaled_variable = ca.principal;
			rc = comet_present(&p->borrowed, &ca.principal, bi);
			p->borrowed_variable = p->borrowed;
		} else {
			p->scaled_supplied = ca.principal;
			rc = comet_present(&p->supplied, &ca.principal, si);
		}
		if (rc)
			return lx_error_set(err, rc, "compound_v3: principal of an account overflows");
		b->n_pos++;
		ac->n_pos++;
	}
	/* collateral, in offset order (the order isLiquidatable walks) */
	struct lx_u256 bal[COMET_MAX_ASSETS];
	memset(bal, 0, sizeof(bal));
	uint8_t prefix[COMET_MARKET_KEY + 20];
	memcpy(prefix, c->market, COMET_MARKET_KEY);
	memcpy(prefix + COMET_MARKET_KEY, who->b, 20);
	struct lx_store_iter it;
	const uint8_t *k, *v;
	size_t kl, vl;
	rc = lx_store_iter_begin(&it, t, CT_COLL, prefix, sizeof(prefix), err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		if (kl != COMET_MARKET_KEY + 40 || vl != 32) {
			lx_store_iter_end(&it);
			return comet_corrupt(err, CT_COLL);
		}
		struct lx_addr asset;
		memcpy(asset.b, k + COMET_MARKET_KEY + 20, 20);
		int ai = asset_index(cfg, &asset);
		if (ai < 0) {
			char as[LX_ADDR_STRLEN], a[LX_ADDR_STRLEN];
			lx_addr_lower(as, &asset);
			lx_addr_lower(a, who);
			lx_store_iter_end(&it);
			return lx_error_set(err, LX_ECORRUPT,
					    "compound_v3: %s holds collateral %s that the market's "
					    "configuration (read at block %llu) does not list",
					    a, as, (unsigned long long)cfg->block);
		}
		lx_u256_from_be(&bal[ai], v);
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	for (unsigned i = 0; i < cfg->n_assets; i++) {
		if (lx_u256_is_zero(&bal[i]))
			continue;
		if ((rc = grow_pos(b, err)))
			return rc;
		const struct lx_asset_info *inf = &mv->assets[1 + i];
		struct lx_asset_pos *p = &mv->pos_pool[b->n_pos];
		memset(p, 0, sizeof(*p));
		p->asset = 1 + i;
		p->supplied = bal[i];
		p->collateral = true;
		p->price = inf->price;
		p->ltv_bps = inf->ltv_bps;
		p->liq_threshold_bps = inf->liq_threshold_bps;
		p->liq_bonus_bps = inf->liq_bonus_bps;
		if (lx_u256_add(&mv->assets[1 + i].total_supplied, &mv->assets[1 + i].total_supplied,
				&bal[i]))
			return lx_error_set(err, LX_EOVERFLOW, "compound_v3: collateral total overflows");
		b->n_pos++;
		ac->n_pos++;
	}
	if ((b->flags & LX_VIEW_FLOWS) && mv->n_assets &&
	    (rc = add_flows(c, t, b, cfg, ac, mv->n_accounts, err)))
		return rc;
	mv->n_accounts++;
	return 0;
}

static void factor_bps(uint16_t *out, uint64_t factor)
{
	uint64_t b = factor / 100000000000000ULL; /* 4 decimals, as Comet keeps them */
	*out = (uint16_t)(b > 10000 ? 10000 : b);
}

int comet_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
	       const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
	       struct lx_market_view *mv, struct lx_error *err)
{
	struct comet *c = comet_of(p);
	memset(mv, 0, sizeof(*mv));
	struct comet_config cfg;
	struct comet_state st;
	int rc = comet_get_config(c, txn, &cfg, err);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	if (rc == LX_ENOTFOUND)
		memset(&cfg, 0, sizeof(cfg));
	bool have_cfg = rc == 0;
	rc = comet_get_state(c, txn, &st, err);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	mv->chain_id = lx_chain_id(c->base.chain);
	mv->protocol = LX_PROTO_COMPOUND_V3;
	mv->ops = &lx_compound_v3_market_ops;
	snprintf(mv->base, sizeof(mv->base), "USD");
	snprintf(mv->name, sizeof(mv->name), "%s", lx_deployment_name(c->base.dep));
	mv->timestamp = timestamp;
	mv->block = st.block;
	mv->base_decimals = 8;
	snprintf(mv->rules.version, sizeof(mv->rules.version), "%s", c->base.dep->version);
	mv->rules.not_reproduced = NULL;
	uint64_t si = st.supply_index, bi = st.borrow_index;
	if (st.block && timestamp > st.last_accrual &&
	    (rc = comet_accrue(&si, &bi, &cfg, &st, timestamp - st.last_accrual)))
		return lx_error_set(err, rc, "compound_v3: %s: accruing interest from %llu to %llu "
					     "overflows (Comet would revert)",
				    mv->name, (unsigned long long)st.last_accrual,
				    (unsigned long long)timestamp);
	mv->n_assets = have_cfg ? 1 + (size_t)cfg.n_assets : 0;
	mv->assets = calloc(mv->n_assets ? mv->n_assets : 1, sizeof(*mv->assets));
	if (!mv->assets)
		return lx_error_set(err, LX_ENOMEM, "compound_v3: out of memory");
	if (have_cfg) {
		struct lx_asset_info *b = &mv->assets[0];
		b->asset = cfg.base_token;
		comet_get_symbol(c, txn, &cfg.base_token, b->symbol);
		b->decimals = cfg.base_decimals;
		b->price = st.base_price;
		b->price_block = st.base_price_block;
		/* every feed is read with totalsBasic() at st.block: one older than that reverted
		 * there (BadPrice), and Comet's isLiquidatable reverts with it (lx_model_check_reads) */
		if (st.block && st.base_price_block < st.block) {
			b->price_reverted = st.block;
			b->reverted_call = "getPrice";
		}
		/* stored (not accrued) indexes: isLiquidatable's (health.c) */
		lx_u256_from_u64(&b->liquidity_index, st.supply_index);
		lx_u256_from_u64(&b->borrow_index, st.borrow_index);
		if (comet_present(&b->total_supplied, &st.total_supply_base, si) ||
		    comet_present(&b->total_borrowed, &st.total_borrow_base, bi))
			return lx_error_set(err, LX_EOVERFLOW, "compound_v3: totals overflow");
		b->group = (uint16_t)lx_deployment_group_of(c->base.dep, &cfg.base_token);
		b->depth_base_per_pct = lx_deployment_depth_of(c->base.dep, &cfg.base_token);
		for (unsigned i = 0; i < cfg.n_assets; i++) {
			struct lx_asset_info *a = &mv->assets[1 + i];
			const struct comet_asset *ca = &cfg.assets[i];
			a->asset = ca->asset;
			comet_get_symbol(c, txn, &ca->asset, a->symbol);
			a->decimals = ca->decimals;
			a->price = st.price[i];
			a->price_block = st.price_block[i];
			if (st.block && st.price_block[i] < st.block) {
				a->price_reverted = st.block;
				a->reverted_call = "getPrice";
			}
			factor_bps(&a->ltv_bps, ca->borrow_cf);
			factor_bps(&a->liq_threshold_bps, ca->liquidate_cf);
			/* Aave's convention (10000 + bonus): absorb values collateral at
			 * liquidationFactor, so the "bonus" is its complement, kept by the protocol */
			uint16_t lf;
			factor_bps(&lf, ca->liquidation_factor);
			a->liq_bonus_bps = (uint16_t)(20000 - lf);
			a->group = (uint16_t)lx_deployment_group_of(c->base.dep, &ca->asset);
			a->depth_base_per_pct = lx_deployment_depth_of(c->base.dep, &ca->asset);
		}
	}
	struct vb b = {mv, 0, 0, 0, NULL, flags, 0, 0, NULL};
	if (accounts) {
		for (size_t i = 0; i < n_accounts && rc == 0; i++)
			rc = view_account(c, txn, &b, &cfg, si, bi, &accounts[i], err);
	} else {
		struct lx_store_iter it;
		const uint8_t *k, *v;
		size_t kl, vl;
		rc = lx_store_iter_begin(&it, txn, CT_ACCT, c->market, COMET_MARKET_KEY, err);
		while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
			struct lx_addr u;
			if (kl != COMET_MARKET_KEY + 20) {
				rc = comet_corrupt(err, CT_ACCT);
				break;
			}
			memcpy(u.b, k + COMET_MARKET_KEY, 20);
			rc = view_account(c, txn, &b, &cfg, si, bi, &u, err);
		}
		lx_store_iter_end(&it);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			rc = 0;
		}
	}
	for (size_t i = 0; rc == 0 && i < mv->n_accounts; i++) {
		struct lx_account_view *ac = &mv->accounts[i];
		ac->pos = ac->n_pos ? &mv->pos_pool[b.pos_start[i]] : NULL;
		ac->flows = ac->n_flows ? &mv->flow_pool[b.flow_start[i]] : NULL;
		if (!mv->n_assets)
			continue;
		if ((rc = comet_health(&ac->health, mv, ac, NULL))) {
			char a[LX_ADDR_STRLEN];
			lx_addr_checksum(a, &ac->account);
			rc = lx_error_set(err, rc, "compound_v3: account %s: its liquidity overflows "
						   "256 bits; isLiquidatable would revert too", a);
		}
	}
	if (rc == 0)
		for (size_t i = 1; i < mv->n_assets; i++)
			mv->assets[i].available = mv->assets[i].total_supplied;
	if (rc == 0 && mv->n_assets &&
	    lx_u256_sub(&mv->assets[0].available, &mv->assets[0].total_supplied,
			&mv->assets[0].total_borrowed))
		lx_u256_from_u64(&mv->assets[0].available, 0);
	free(b.pos_start);
	free(b.flow_start);
	if (rc)
		lx_market_view_release(mv);
	return rc;
}
