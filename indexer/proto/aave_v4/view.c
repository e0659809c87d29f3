/*
 * view.c: the neutral market view of an Aave V4 deployment at a timestamp. One asset per
 * (Spoke, reserve) — its price, parameters and the Spoke's share of its Hub asset — and one
 * account per (user, Spoke), market = the Spoke, its positions valued as the Spoke's views
 * value them (getUserSuppliedAssets, getUserDebt) with the account's pinned config keys.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/aave_v4.h"
#include "lendex/chain.h"
#include "lendex/store.h"
#include "v4.h"

struct rsv {
	struct lx_addr spoke;
	uint32_t reserve;
	struct lx_addr hub;
	uint32_t asset_id;
	struct v4_asset a;
	struct lx_u256 index, total_added;
};

struct build {
	struct v4 *h;
	struct lx_store_txn *t;
	struct lx_market_view *mv;
	struct rsv *r;
	size_t n_r;
	size_t pos_cap, acc_cap, ps_cap;
	size_t *pos_start;
	struct lx_error *err;
};

static int grow(void **p, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * sz);
	if (!q)
		return LX_ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int find_rsv(const struct build *b, const struct lx_addr *spoke, uint32_t reserve)
{
	size_t lo = 0, hi = b->n_r;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(b->r[mid].spoke.b, spoke->b, 20);
		if (c == 0)
			c = b->r[mid].reserve < reserve ? -1 : b->r[mid].reserve > reserve ? 1 : 0;
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int math_err(struct build *b, int rc, const char *what, const struct lx_addr *who)
{
	char x[43];
	lx_addr_lower(x, who);
	return lx_error_set(b->err, rc, "aave_v4: %s of %s: %s (the contract would revert)", what, x,
			    lx_strerror(rc));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int load_reserves(struct build *b, uint64_t ts)
{
	uint8_t pre[8];
	v4_key(pre, b->h->chain, NULL, NULL, 0, NULL, NULL);
	struct lx_store_iter it;
	size_t cap = 0;
	int rc = lx_store_iter_begin(&it, b->t, T_RESERVE, pre, 8, b->err);
	const uint8_t *k, *v;
	size_t kl, vl;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, b->err)) == 0) {
		struct v4_reserve r;
		if (kl != 32 || v4_decode((struct lx_u256 *)&r, V4_WORDS(r), v, vl)) {
			lx_store_iter_end(&it);
			return v4_corrupt(b->err, T_RESERVE);
		}
		if ((rc = grow((void **)&b->r, &cap, b->n_r + 1, sizeof(*b->r)))) {
			lx_store_iter_end(&it);
			return lx_error_set(b->err, rc, "aave_v4: out of memory");
		}
		struct rsv *x = &b->r[b->n_r++];
		memset(x, 0, sizeof(*x));
		memcpy(x->spoke.b, k + 8, 20);
		x->reserve = rd32(k + 28);
		v4_to_addr(&x->hub, &r.hub);
		x->asset_id = (uint32_t)v4_small(&r.asset_id);
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(b->err);
	struct lx_market_view *mv = b->mv;
	if (b->n_r && !(mv->assets = calloc(b->n_r, sizeof(*mv->assets))))
		return lx_error_set(b->err, LX_ENOMEM, "aave_v4: out of memory");
	mv->n_assets = b->n_r;
	mv->available_exact = true; /* the Hubs' liquidity */
	for (size_t i = 0; i < b->n_r; i++) {
		struct rsv *x = &b->r[i];
		struct lx_asset_info *inf = &mv->assets[i];
		uint8_t kk[V4_KEY_MAX];
		size_t kkl;
		struct v4_reserve r;
		struct v4_sdata s;
		kkl = v4_key_reserve(kk, b->h->chain, &x->spoke, x->reserve);
		if ((rc = v4_get(b->t, T_RESERVE, kk, kkl, (struct lx_u256 *)&r, V4_WORDS(r), b->err)))
			return rc;
		kkl = v4_key_asset(kk, b->h->chain, &x->hub, x->asset_id);
		rc = v4_get(b->t, T_ASSET, kk, kkl, (struct lx_u256 *)&x->a, V4_WORDS(x->a), b->err);
		if (rc == LX_ENOTFOUND) {
			char hx[43];
			lx_addr_lower(hx, &x->hub);
			return lx_error_set(b->err, LX_ECORRUPT,
					    "aave_v4: reserve %u of a Spoke points at asset %u of hub %s, "
					    "which lendex does not follow (add the hub to chains/)",
					    x->reserve, x->asset_id, hx);
		}
		if (rc)
			return rc;
		kkl = v4_key_sdata(kk, b->h->chain, &x->hub, x->asset_id, &x->spoke);
		rc = v4_get(b->t, T_SDATA, kk, kkl, (struct lx_u256 *)&s, V4_WORDS(s), b->err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(b->err);
			memset(&s, 0, sizeof(s));
		} else if (rc) {
			return rc;
		}
		if ((rc = v4_drawn_index(&x->index, &x->a, ts)) ||
		    (rc = v4_total_added(&x->total_added, &x->a, &x->index)))
			return math_err(b, rc, "asset totals", &x->hub);
		v4_to_addr(&inf->asset, &x->a.underlying);
		bool found;
		if ((rc = v4_get_symbol(b->t, b->h->chain, &inf->asset, inf->symbol, &found, b->err)))
			return rc;
		inf->decimals = (uint8_t)v4_small(&x->a.decimals);
		inf->price = r.price;
		inf->price_block = v4_small(&r.price_block);
		memcpy(inf->market + 12, x->spoke.b, 20);
		inf->reserve_id = x->reserve;
		inf->collateral_risk_bps = (uint16_t)v4_small(&r.collateral_risk);
		inf->no_receive_shares = !(v4_small(&r.flags) & V4_R_RECEIVE_SHARES);
		inf->borrow_index = x->index;
		inf->available = x->a.liquidity;
		struct v4_dyn d;
		kkl = v4_key_dyn(kk, b->h->chain, &x->spoke, x->reserve,
				 (uint32_t)v4_small(&r.latest_key));
		if (v4_get(b->t, T_DYN, kk, kkl, (struct lx_u256 *)&d, V4_WORDS(d), b->err) == 0) {
			inf->ltv_bps = inf->liq_threshold_bps = (uint16_t)v4_small(&d.collateral_factor);
			inf->liq_bonus_bps = (uint16_t)v4_small(&d.max_bonus);
			inf->liq_protocol_fee_bps = (uint16_t)v4_small(&d.liquidation_fee);
		}
		lx_error_clear(b->err);
		/* Spoke.getReserveSuppliedAssets and getReserveDebt */
		struct lx_u256 drawn, prem, rr;
		lx_u256_pow10(&rr, 27);
		if ((rc = v4_shares_to_assets(&inf->total_supplied, &s.added_shares, &x->total_added,
					      &x->a.added_shares, false)) ||
		    (rc = lx_u256_mul(&drawn, &s.drawn_shares, &x->index)) ||
		    (rc = v4_div_up(&drawn, &drawn, &rr)) ||
		    (rc = v4_premium_ray(&prem, &s.premium_shares, &s.premium_offset_ray, &x->index)) ||
		    (rc = v4_div_up(&prem, &prem, &rr)) ||
		    (rc = lx_u256_add(&inf->total_borrowed, &drawn, &prem)))
			return math_err(b, rc, "reserve totals", &x->spoke);
		inf->borrowed_premium = prem;
		inf->hub_added_assets = x->total_added;
		inf->hub_added_shares = x->a.added_shares;
		if ((rc = v4_owed_ray(&inf->hub_owed_ray, &x->a, &x->index)))
			return math_err(b, rc, "asset totals", &x->hub);
		inf->hub_slot = (uint32_t)i + 1;
		for (size_t j = 0; j < i; j++)
			if (b->r[j].asset_id == x->asset_id && lx_addr_eq(&b->r[j].hub, &x->hub)) {
				inf->hub_slot = (uint32_t)j + 1;
				break;
			}
		struct v4_spoke sk;
		kkl = v4_key_spoke(kk, b->h->chain, &x->spoke);
		if (v4_get(b->t, T_SPOKE, kk, kkl, (struct lx_u256 *)&sk, V4_WORDS(sk), b->err) == 0) {
			inf->target_hf = sk.target_hf;
			inf->hf_for_max_bonus = sk.hf_for_max_bonus;
			inf->bonus_factor_bps = (uint16_t)v4_small(&sk.bonus_factor);
		}
		lx_error_clear(b->err);
	}
	return 0;
}

/* one position record into the current account */
static int add_pos(struct build *b, const struct lx_addr *spoke, uint32_t reserve,
		   const struct v4_pos *p, const struct lx_addr *user)
{
	int ri = find_rsv(b, spoke, reserve);
	if (ri < 0)
		return lx_error_set(b->err, LX_ECORRUPT,
				    "aave_v4: a position names reserve %u, which no AddReserve listed",
				    reserve);
	struct lx_market_view *mv = b->mv;
	struct rsv *x = &b->r[ri];
	int rc;
	if ((rc = grow((void **)&mv->pos_pool, &b->pos_cap, mv->accounts[mv->n_accounts - 1].n_pos +
							  b->pos_start[mv->n_accounts - 1] + 1,
		       sizeof(*mv->pos_pool))))
		return lx_error_set(b->err, rc, "aave_v4: out of memory");
	struct lx_account_view *ac = &mv->accounts[mv->n_accounts - 1];
	struct lx_asset_pos *ap = &mv->pos_pool[b->pos_start[mv->n_accounts - 1] + ac->n_pos++];
	memset(ap, 0, sizeof(*ap));
	ap->asset = (uint32_t)ri;
	ap->price = mv->assets[ri].price;
	ap->collateral = (v4_small(&p->flags) & V4_P_COLLATERAL) != 0;
	ap->scaled_supplied = p->supplied_shares;
	ap->scaled_variable = p->drawn_shares;
	struct lx_u256 rr, prem;
	lx_u256_pow10(&rr, 27);
	if ((rc = v4_shares_to_assets(&ap->supplied, &p->supplied_shares, &x->total_added,
				      &x->a.added_shares, false)) ||
	    (rc = lx_u256_mul(&ap->borrowed_variable, &p->drawn_shares, &x->index)) ||
	    (rc = v4_div_up(&ap->borrowed_variable, &ap->borrowed_variable, &rr)) ||
	    (rc = v4_premium_ray(&ap->premium_ray, &p->premium_shares, &p->premium_offset_ray,
				 &x->index)) ||
	    (rc = v4_div_up(&prem, &ap->premium_ray, &rr)) ||
	    (rc = lx_u256_add(&ap->borrowed, &ap->borrowed_variable, &prem)))
		return math_err(b, rc, "position", user);
	uint8_t kk[V4_KEY_MAX];
	size_t kkl = v4_key_dyn(kk, b->h->chain, spoke, reserve, (uint32_t)v4_small(&p->key));
	struct v4_dyn d;
	rc = v4_get(b->t, T_DYN, kk, kkl, (struct lx_u256 *)&d, V4_WORDS(d), b->err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(b->err);
		memset(&d, 0, sizeof(d)); /* an unset key reads as zeros, as in the Spoke */
	} else if (rc) {
		return rc;
	}
	ap->ltv_bps = ap->liq_threshold_bps = (uint16_t)v4_small(&d.collateral_factor);
	ap->liq_bonus_bps = (uint16_t)v4_small(&d.max_bonus);
	ap->liq_fee_bps = (uint16_t)v4_small(&d.liquidation_fee);
	return 0;
}

static int new_account(struct build *b, const struct lx_addr *spoke, const struct lx_addr *user)
{
	struct lx_market_view *mv = b->mv;
	size_t n = mv->n_accounts;
	int rc;
	if ((rc = grow((void **)&mv->accounts, &b->acc_cap, n + 1, sizeof(*mv->accounts))) ||
	    (rc = grow((void **)&b->pos_start, &b->ps_cap, n + 1, sizeof(*b->pos_start))))
		return lx_error_set(b->err, rc, "aave_v4: out of memory");
	struct lx_account_view *ac = &mv->accounts[n];
	memset(ac, 0, sizeof(*ac));
	ac->account = *user;
	memcpy(ac->market + 12, spoke->b, 20);
	b->pos_start[n] = n ? b->pos_start[n - 1] + mv->accounts[n - 1].n_pos : 0;
	mv->n_accounts++;
	return 0;
}

/* every position under prefix (chain, or chain|spoke|user), grouped by (spoke, user) */
static int scan(struct build *b, const uint8_t *pre, size_t pl)
{
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, b->t, T_POS, pre, pl, b->err);
	const uint8_t *k, *v;
	size_t kl, vl;
	struct lx_addr cur_s = {{0}}, cur_u = {{0}};
	bool have = false;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, b->err)) == 0) {
		struct v4_pos p;
		if (kl != 8 + 20 + 20 + 4 || v4_decode((struct lx_u256 *)&p, V4_WORDS(p), v, vl)) {
			lx_store_iter_end(&it);
			return v4_corrupt(b->err, T_POS);
		}
		struct lx_addr s, u;
		memcpy(s.b, k + 8, 20);
		memcpy(u.b, k + 28, 20);
		if (!have || !lx_addr_eq(&s, &cur_s) || !lx_addr_eq(&u, &cur_u)) {
			if ((rc = new_account(b, &s, &u)))
				break;
			cur_s = s;
			cur_u = u;
			have = true;
		}
		if ((rc = add_pos(b, &s, rd32(k + 48), &p, &u)))
			break;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(b->err);
	return 0;
}

int v4_view(struct lx_proto *pr, struct lx_store_txn *txn, uint64_t timestamp,
	    const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
	    struct lx_market_view *out, struct lx_error *err)
{
	(void)flags;
	struct v4 *h = v4_of(pr);
	memset(out, 0, sizeof(*out));
	struct build b = {.h = h, .t = txn, .mv = out, .err = err};
	out->chain_id = h->chain;
	out->protocol = LX_PROTO_AAVE_V4;
	snprintf(out->name, sizeof(out->name), "%s", lx_deployment_name(pr->dep));
	snprintf(out->protocol_version, sizeof(out->protocol_version), "%s", pr->dep->version);
	out->ops = &lx_aave_v4_market_ops;
	out->base_decimals = 26; /* SpokeUtils.toValue: 1e26 = one dollar */
	out->price_decimals = 8; /* prices are the oracle's 8-decimal answers (model.h) */
	snprintf(out->base, sizeof(out->base), "USD");
	out->timestamp = timestamp;
	int rc = load_reserves(&b, timestamp);
	if (!rc) {
		if (!accounts) {
			uint8_t pre[8];
			v4_key(pre, h->chain, NULL, NULL, 0, NULL, NULL);
			rc = scan(&b, pre, 8);
		} else {
			/* each account in every Spoke it has a position in (none: one empty view in
			 * the first Spoke, so the caller sees the address) */
			for (size_t i = 0; i < n_accounts && !rc; i++) {
				size_t before = out->n_accounts;
				for (size_t s = 0; s < b.n_r && !rc; s++) {
					if (s && lx_addr_eq(&b.r[s].spoke, &b.r[s - 1].spoke))
						continue;
					uint8_t pre[V4_KEY_MAX];
					size_t pl = v4_key_user(pre, h->chain, &b.r[s].spoke, &accounts[i]);
					rc = scan(&b, pre, pl);
				}
				if (!rc && out->n_accounts == before) {
					struct lx_addr z = {{0}};
					rc = new_account(&b, b.n_r ? &b.r[0].spoke : &z, &accounts[i]);
				}
			}
		}
	}
	/* every reserve's price is read at each run's last block: one older than the newest
	 * reverted there, and the Spoke's own account data reverts with it (lx_model_check_reads;
	 * if every read of the last run reverted, that run's block is not known here) */
	uint64_t read = 0;
	for (size_t i = 0; i < out->n_assets; i++)
		if (out->assets[i].price_block > read)
			read = out->assets[i].price_block;
	for (size_t i = 0; i < out->n_assets; i++)
		if (out->assets[i].price_block < read) {
			out->assets[i].price_reverted = read;
			out->assets[i].reverted_call = "getReservePrice";
		}
	for (size_t i = 0; !rc && i < out->n_accounts; i++) {
		struct lx_account_view *ac = &out->accounts[i];
		ac->pos = ac->n_pos ? &out->pos_pool[b.pos_start[i]] : NULL;
		int hr = lx_aave_v4_health(&ac->health, out, ac, NULL);
		if (hr)
			rc = math_err(&b, hr, "account data", &ac->account);
	}
	free(b.r);
	free(b.pos_start);
	if (rc)
		lx_market_view_release(out);
	return rc;
}
