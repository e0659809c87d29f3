/*
 * apply.c: one Hub or Spoke log into the store (rules: ../shared/aave-v4/README.md §4, checked
 * against aave-v4 v0.5.11's Hub.sol, Spoke.sol and LiquidationLogic.sol). All share and premium
 * movements are deltas, applied in log order; the one exception (a disabled collateral keeps
 * its config key although RefreshAllUserDynamicConfig comes first) is handled with the
 * transaction's remembered refresh (struct v4.refresh).
 */
#include <string.h>

#include "lendex/store.h"
#include "v4.h"

struct ctx {
	struct v4 *h;
	struct lx_store_txn *t;
	const struct lx_log *log;
	const char *name;
	struct lx_error *err;
};

static int bad(struct ctx *c, const char *what)
{
	return lx_error_set(c->err, LX_EPARSE, "aave_v4: %s log %u in block %llu: %s", c->name,
			    c->log->log_index, (unsigned long long)c->log->block, what);
}

/* a word that must fit n bits (ids, keys, bps) */
static int small(struct ctx *c, const struct lx_u256 *w, unsigned bits, uint32_t *out)
{
	if (w->w[1] || w->w[2] || w->w[3] || (bits < 64 && (w->w[0] >> bits)))
		return bad(c, "id or field out of range");
	*out = (uint32_t)w->w[0];
	return 0;
}

static int addr(struct ctx *c, const struct lx_u256 *w, struct lx_addr *out)
{
	if (w->w[3] || (w->w[2] >> 32))
		return bad(c, "address word with high bits set");
	v4_to_addr(out, w);
	return 0;
}

/* get that treats absence as a zero record */
static int get0(struct ctx *c, const char *table, const uint8_t *k, size_t kl,
		struct lx_u256 *words, size_t n)
{
	int rc = v4_get(c->t, table, k, kl, words, n, c->err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(c->err);
		return 0;
	}
	return rc;
}

static int sub_checked(struct ctx *c, struct lx_u256 *a, const struct lx_u256 *b, const char *what)
{
	if (lx_u256_sub(a, a, b))
		return lx_error_set(c->err, LX_ECORRUPT,
				    "aave_v4: %s log %u in block %llu takes more %s than the store "
				    "holds (state out of step with the chain)",
				    c->name, c->log->log_index, (unsigned long long)c->log->block, what);
	return 0;
}

/* ---- Hub ---- */

static int hub_log(struct ctx *c, const struct v4_event_def *ev, const struct lx_u256 *w)
{
	const struct lx_addr *hub = &c->log->address;
	uint32_t asset_id;
	int rc;
	if ((rc = small(c, &w[0], 16, &asset_id)))
		return rc;
	uint8_t ka[V4_KEY_MAX], ks[V4_KEY_MAX], ks2[V4_KEY_MAX];
	size_t kal = v4_key_asset(ka, c->h->chain, hub, asset_id);
	struct v4_asset a;
	if ((rc = get0(c, T_ASSET, ka, kal, (struct lx_u256 *)&a, V4_WORDS(a))))
		return rc;
	struct lx_addr spoke = {{0}}, spoke2 = {{0}};
	struct v4_sdata s, s2;
	size_t ksl = 0, ks2l = 0;
	bool has_spoke = ev->id != H_UPDATE_ASSET && ev->id != H_UPDATE_ASSET_CONFIG &&
			 ev->id != H_ADD_ASSET && ev->id != H_SWEEP && ev->id != H_RECLAIM &&
			 ev->id != H_ADD_SPOKE;
	if (has_spoke) {
		if ((rc = addr(c, &w[1], &spoke)))
			return rc;
		ksl = v4_key_sdata(ks, c->h->chain, hub, asset_id, &spoke);
		if ((rc = get0(c, T_SDATA, ks, ksl, (struct lx_u256 *)&s, V4_WORDS(s))))
			return rc;
	}
	if (ev->id == H_ELIMINATE_DEFICIT || ev->id == H_TRANSFER_SHARES) {
		if ((rc = addr(c, &w[2], &spoke2)))
			return rc;
		ks2l = v4_key_sdata(ks2, c->h->chain, hub, asset_id, &spoke2);
		if ((rc = get0(c, T_SDATA, ks2, ks2l, (struct lx_u256 *)&s2, V4_WORDS(s2))))
			return rc;
	}
	switch (ev->id) {
	case H_ADD_ASSET: {
		uint32_t dec;
		if ((rc = small(c, &w[2], 8, &dec)))
			return rc;
		a.underlying = w[1];
		v4_set(&a.decimals, dec);
		lx_u256_pow10(&a.drawn_index, 27); /* AddAsset's UpdateAsset says so too */
		v4_set(&a.last_update, c->log->timestamp);
		break;
	}
	case H_UPDATE_ASSET:
		a.drawn_index = w[1];
		a.drawn_rate = w[2];
		a.realized_fees = w[3];
		v4_set(&a.last_update, c->log->timestamp);
		break;
	case H_UPDATE_ASSET_CONFIG: {
		uint32_t fee;
		if ((rc = small(c, &w[2], 16, &fee)))
			return rc;
		a.fee_receiver = w[1];
		v4_set(&a.liquidity_fee, fee);
		break;
	}
	case H_ADD_SPOKE: {
		/* a Spoke record, so a restart follows it again (load_known) */
		struct lx_addr sp;
		uint8_t k[V4_KEY_MAX];
		struct v4_spoke rec;
		if ((rc = addr(c, &w[1], &sp)))
			return rc;
		size_t kl = v4_key_spoke(k, c->h->chain, &sp);
		rc = v4_get(c->t, T_SPOKE, k, kl, (struct lx_u256 *)&rec, V4_WORDS(rec), c->err);
		if (rc != LX_ENOTFOUND)
			return rc;
		lx_error_clear(c->err);
		memset(&rec, 0, sizeof(rec));
		return v4_put(c->t, T_SPOKE, k, kl, (struct lx_u256 *)&rec, V4_WORDS(rec), c->err);
	}
	case H_ADD:
		if ((rc = lx_u256_add(&a.liquidity, &a.liquidity, &w[3])) ||
		    (rc = lx_u256_add(&a.added_shares, &a.added_shares, &w[2])) ||
		    (rc = lx_u256_add(&s.added_shares, &s.added_shares, &w[2])))
			return bad(c, "overflow");
		break;
	case H_REMOVE:
		if ((rc = sub_checked(c, &a.liquidity, &w[3], "liquidity")) ||
		    (rc = sub_checked(c, &a.added_shares, &w[2], "added shares")) ||
		    (rc = sub_checked(c, &s.added_shares, &w[2], "spoke added shares")))
			return rc;
		break;
	case H_DRAW:
		if ((rc = sub_checked(c, &a.liquidity, &w[3], "liquidity")) ||
		    lx_u256_add(&a.drawn_shares, &a.drawn_shares, &w[2]) ||
		    lx_u256_add(&s.drawn_shares, &s.drawn_shares, &w[2]))
			return rc ? rc : bad(c, "overflow");
		break;
	case H_RESTORE: /* drawnShares, (sharesDelta, offsetDelta, restored), drawnAmount, premiumAmount */
		if ((rc = sub_checked(c, &a.drawn_shares, &w[2], "drawn shares")) ||
		    (rc = sub_checked(c, &s.drawn_shares, &w[2], "spoke drawn shares")))
			return rc;
		v4_apply_delta(&a.premium_shares, &a.premium_offset_ray, &w[3], &w[4]);
		v4_apply_delta(&s.premium_shares, &s.premium_offset_ray, &w[3], &w[4]);
		if (lx_u256_add(&a.liquidity, &a.liquidity, &w[6]) ||
		    lx_u256_add(&a.liquidity, &a.liquidity, &w[7]))
			return bad(c, "overflow");
		break;
	case H_REFRESH_PREMIUM:
		v4_apply_delta(&a.premium_shares, &a.premium_offset_ray, &w[2], &w[3]);
		v4_apply_delta(&s.premium_shares, &s.premium_offset_ray, &w[2], &w[3]);
		break;
	case H_REPORT_DEFICIT: /* drawnShares, delta(3), deficitAmountRay */
		if ((rc = sub_checked(c, &a.drawn_shares, &w[2], "drawn shares")) ||
		    (rc = sub_checked(c, &s.drawn_shares, &w[2], "spoke drawn shares")))
			return rc;
		v4_apply_delta(&a.premium_shares, &a.premium_offset_ray, &w[3], &w[4]);
		v4_apply_delta(&s.premium_shares, &s.premium_offset_ray, &w[3], &w[4]);
		if (lx_u256_add(&a.deficit_ray, &a.deficit_ray, &w[6]) ||
		    lx_u256_add(&s.deficit_ray, &s.deficit_ray, &w[6]))
			return bad(c, "overflow");
		break;
	case H_ELIMINATE_DEFICIT: /* caller's shares burnt, covered spoke's deficit gone */
		if ((rc = sub_checked(c, &a.added_shares, &w[3], "added shares")) ||
		    (rc = sub_checked(c, &s.added_shares, &w[3], "caller spoke shares")) ||
		    (rc = sub_checked(c, &a.deficit_ray, &w[4], "deficit")))
			return rc;
		if (lx_addr_eq(&spoke, &spoke2)) {
			if ((rc = sub_checked(c, &s.deficit_ray, &w[4], "spoke deficit")))
				return rc;
		} else if ((rc = sub_checked(c, &s2.deficit_ray, &w[4], "covered spoke deficit"))) {
			return rc;
		}
		break;
	case H_MINT_FEE_SHARES:
		if (lx_u256_add(&a.added_shares, &a.added_shares, &w[2]) ||
		    lx_u256_add(&s.added_shares, &s.added_shares, &w[2]))
			return bad(c, "overflow");
		break;
	case H_TRANSFER_SHARES:
		if ((rc = sub_checked(c, &s.added_shares, &w[3], "sender spoke shares")))
			return rc;
		if (lx_addr_eq(&spoke, &spoke2))
			lx_u256_add(&s.added_shares, &s.added_shares, &w[3]);
		else if (lx_u256_add(&s2.added_shares, &s2.added_shares, &w[3]))
			return bad(c, "overflow");
		break;
	case H_SWEEP:
		if ((rc = sub_checked(c, &a.liquidity, &w[2], "liquidity")) ||
		    lx_u256_add(&a.swept, &a.swept, &w[2]))
			return rc ? rc : bad(c, "overflow");
		break;
	case H_RECLAIM:
		if ((rc = sub_checked(c, &a.swept, &w[2], "swept")) ||
		    lx_u256_add(&a.liquidity, &a.liquidity, &w[2]))
			return rc ? rc : bad(c, "overflow");
		break;
	default:
		return 0;
	}
	if ((rc = v4_put(c->t, T_ASSET, ka, kal, (struct lx_u256 *)&a, V4_WORDS(a), c->err)))
		return rc;
	if (has_spoke &&
	    (rc = v4_put(c->t, T_SDATA, ks, ksl, (struct lx_u256 *)&s, V4_WORDS(s), c->err)))
		return rc;
	if (ks2l && !lx_addr_eq(&spoke, &spoke2) &&
	    (rc = v4_put(c->t, T_SDATA, ks2, ks2l, (struct lx_u256 *)&s2, V4_WORDS(s2), c->err)))
		return rc;
	return 0;
}

/* ---- Spoke ---- */

static int get_pos(struct ctx *c, const struct lx_addr *user, uint32_t reserve, uint8_t *k,
		   size_t *kl, struct v4_pos *p)
{
	*kl = v4_key_pos(k, c->h->chain, &c->log->address, user, reserve);
	return get0(c, T_POS, k, *kl, (struct lx_u256 *)p, V4_WORDS(*p));
}

static int put_pos(struct ctx *c, const uint8_t *k, size_t kl, const struct v4_pos *p)
{
	bool empty = true;
	const struct lx_u256 *w = (const struct lx_u256 *)p;
	for (size_t i = 0; i < V4_WORDS(*p); i++)
		if (!lx_u256_is_zero(&w[i]))
			empty = false;
	if (empty) {
		int rc = lx_store_del(c->t, T_POS, k, kl, c->err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(c->err);
			return 0;
		}
		return rc;
	}
	return v4_put(c->t, T_POS, k, kl, w, V4_WORDS(*p), c->err);
}

static int get_reserve(struct ctx *c, uint32_t reserve, uint8_t *k, size_t *kl,
		       struct v4_reserve *r, bool must)
{
	*kl = v4_key_reserve(k, c->h->chain, &c->log->address, reserve);
	int rc = v4_get(c->t, T_RESERVE, k, *kl, (struct lx_u256 *)r, V4_WORDS(*r), c->err);
	if (rc == LX_ENOTFOUND && must)
		return lx_error_set(c->err, LX_ECORRUPT,
				    "aave_v4: %s log %u in block %llu names reserve %u, which no "
				    "AddReserve listed",
				    c->name, c->log->log_index, (unsigned long long)c->log->block,
				    reserve);
	return rc;
}

static void set_flag(struct lx_u256 *flags, uint64_t bit, bool on)
{
	uint64_t f = v4_small(flags);
	v4_set(flags, on ? (f | bit) : (f & ~bit));
}

/* every collateral-flagged position of (spoke, user) to its reserve's latest key */
static int refresh_all(struct ctx *c, const struct lx_addr *user)
{
	uint8_t pre[V4_KEY_MAX];
	size_t pl = v4_key_user(pre, c->h->chain, &c->log->address, user);
	struct lx_store_iter it;
	struct {
		uint32_t reserve;
		struct v4_pos p;
	} upd[256];
	size_t n = 0;
	int rc = lx_store_iter_begin(&it, c->t, T_POS, pre, pl, c->err);
	const uint8_t *k, *v;
	size_t kl, vl;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, c->err)) == 0) {
		struct v4_pos p;
		if (kl != pl + 4 || v4_decode((struct lx_u256 *)&p, V4_WORDS(p), v, vl)) {
			lx_store_iter_end(&it);
			return v4_corrupt(c->err, T_POS);
		}
		if (!(v4_small(&p.flags) & V4_P_COLLATERAL))
			continue;
		if (n >= 256) {
			lx_store_iter_end(&it);
			return lx_error_set(c->err, LX_EOVERFLOW, "aave_v4: more than 256 collaterals");
		}
		upd[n].reserve = (uint32_t)k[pl] << 24 | (uint32_t)k[pl + 1] << 16 |
				 (uint32_t)k[pl + 2] << 8 | k[pl + 3];
		upd[n++].p = p;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(c->err);
	c->h->refresh.set = true;
	memcpy(c->h->refresh.tx, c->log->tx, 32);
	c->h->refresh.spoke = c->log->address;
	c->h->refresh.user = *user;
	c->h->refresh.n = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t kr[V4_KEY_MAX], kp[V4_KEY_MAX];
		size_t krl, kpl;
		struct v4_reserve r;
		if ((rc = get_reserve(c, upd[i].reserve, kr, &krl, &r, true)))
			return rc;
		c->h->refresh.reserve[c->h->refresh.n] = upd[i].reserve;
		c->h->refresh.old_key[c->h->refresh.n++] = upd[i].p.key;
		upd[i].p.key = r.latest_key;
		kpl = v4_key_pos(kp, c->h->chain, &c->log->address, user, upd[i].reserve);
		if ((rc = put_pos(c, kp, kpl, &upd[i].p)))
			return rc;
	}
	return 0;
}

static int spoke_record(struct ctx *c, uint8_t *k, size_t *kl, struct v4_spoke *s)
{
	*kl = v4_key_spoke(k, c->h->chain, &c->log->address);
	return get0(c, T_SPOKE, k, *kl, (struct lx_u256 *)s, V4_WORDS(*s));
}

static int spoke_log(struct ctx *c, const struct v4_event_def *ev, const struct lx_u256 *w)
{
	int rc;
	uint8_t k[V4_KEY_MAX], kr[V4_KEY_MAX];
	size_t kl, krl;
	struct v4_pos p;
	struct v4_reserve r;
	struct lx_addr user;
	uint32_t reserve = 0;
	switch (ev->id) {
	case S_SET_IMMUTABLES:
	case S_UPDATE_LIQ_CONFIG: {
		struct v4_spoke s;
		if ((rc = spoke_record(c, k, &kl, &s)))
			return rc;
		if (ev->id == S_SET_IMMUTABLES) {
			s.oracle = w[0];
		} else {
			s.target_hf = w[0];
			s.hf_for_max_bonus = w[1];
			s.bonus_factor = w[2];
		}
		return v4_put(c->t, T_SPOKE, k, kl, (struct lx_u256 *)&s, V4_WORDS(s), c->err);
	}
	case S_ADD_RESERVE: {
		struct v4_spoke s;
		uint32_t asset_id;
		struct lx_addr hub;
		if ((rc = small(c, &w[0], 32, &reserve)) || (rc = small(c, &w[1], 16, &asset_id)) ||
		    (rc = addr(c, &w[2], &hub)) || (rc = spoke_record(c, k, &kl, &s)))
			return rc;
		memset(&r, 0, sizeof(r));
		r.hub = w[2];
		r.asset_id = w[1];
		krl = v4_key_reserve(kr, c->h->chain, &c->log->address, reserve);
		if ((rc = v4_put(c->t, T_RESERVE, kr, krl, (struct lx_u256 *)&r, V4_WORDS(r), c->err)))
			return rc;
		if (reserve + 1 > v4_small(&s.n_reserves))
			v4_set(&s.n_reserves, reserve + 1);
		return v4_put(c->t, T_SPOKE, k, kl, (struct lx_u256 *)&s, V4_WORDS(s), c->err);
	}
	case S_UPDATE_RESERVE_CONFIG: {
		uint32_t risk;
		if ((rc = small(c, &w[0], 32, &reserve)) || (rc = small(c, &w[1], 24, &risk)) ||
		    (rc = get_reserve(c, reserve, kr, &krl, &r, true)))
			return rc;
		v4_set(&r.collateral_risk, risk);
		uint64_t f = 0;
		for (int i = 0; i < 4; i++)
			if (!lx_u256_is_zero(&w[2 + i]))
				f |= 1u << i; /* paused, frozen, borrowable, receiveShares */
		v4_set(&r.flags, f);
		return v4_put(c->t, T_RESERVE, kr, krl, (struct lx_u256 *)&r, V4_WORDS(r), c->err);
	}
	case S_ADD_DYN:
	case S_UPDATE_DYN: {
		uint32_t key, cf, lb, fee;
		if ((rc = small(c, &w[0], 32, &reserve)) || (rc = small(c, &w[1], 32, &key)) ||
		    (rc = small(c, &w[2], 16, &cf)) || (rc = small(c, &w[3], 32, &lb)) ||
		    (rc = small(c, &w[4], 16, &fee)) || (rc = get_reserve(c, reserve, kr, &krl, &r, true)))
			return rc;
		struct v4_dyn d;
		v4_set(&d.collateral_factor, cf);
		v4_set(&d.max_bonus, lb);
		v4_set(&d.liquidation_fee, fee);
		kl = v4_key_dyn(k, c->h->chain, &c->log->address, reserve, key);
		if ((rc = v4_put(c->t, T_DYN, k, kl, (struct lx_u256 *)&d, V4_WORDS(d), c->err)))
			return rc;
		if (ev->id == S_UPDATE_DYN)
			return 0; /* in place: every user pinned to key revalues, no user event */
		v4_set(&r.latest_key, key);
		return v4_put(c->t, T_RESERVE, kr, krl, (struct lx_u256 *)&r, V4_WORDS(r), c->err);
	}
	case S_UPDATE_USER_RP: {
		if ((rc = addr(c, &w[0], &user)))
			return rc;
		struct v4_user u;
		u.risk_premium = w[1];
		kl = v4_key_user(k, c->h->chain, &c->log->address, &user);
		if (lx_u256_is_zero(&u.risk_premium)) {
			rc = lx_store_del(c->t, T_USER, k, kl, c->err);
			if (rc == LX_ENOTFOUND) {
				lx_error_clear(c->err);
				rc = 0;
			}
			return rc;
		}
		return v4_put(c->t, T_USER, k, kl, (struct lx_u256 *)&u, V4_WORDS(u), c->err);
	}
	case S_REFRESH_ALL:
		if ((rc = addr(c, &w[0], &user)))
			return rc;
		return refresh_all(c, &user);
	case S_REFRESH_SINGLE:
		if ((rc = addr(c, &w[0], &user)) || (rc = small(c, &w[1], 32, &reserve)) ||
		    (rc = get_reserve(c, reserve, kr, &krl, &r, true)) ||
		    (rc = get_pos(c, &user, reserve, k, &kl, &p)))
			return rc;
		p.key = r.latest_key;
		return put_pos(c, k, kl, &p);
	default:
		break;
	}
	/* user-level logs: reserve first, user at a fixed place */
	int user_word = (ev->id == S_REFRESH_PREMIUM_DEBT || ev->id == S_REPORT_DEFICIT) ? 1 : 2;
	if ((rc = small(c, &w[0], 32, &reserve)) || (rc = addr(c, &w[user_word], &user)) ||
	    (rc = get_pos(c, &user, ev->id == S_LIQUIDATION ? 0 : reserve, k, &kl, &p)))
		return rc;
	if (ev->id == S_LIQUIDATION) {
		/* collateralReserveId, debtReserveId, user | liquidator, receiveShares,
		 * debtAmountRestored, drawnSharesLiquidated, delta(3), collateralAmountRemoved,
		 * collateralSharesLiquidated, collateralSharesToLiquidator */
		uint32_t coll, debt;
		struct lx_addr liq;
		if ((rc = small(c, &w[0], 32, &coll)) || (rc = small(c, &w[1], 32, &debt)) ||
		    (rc = addr(c, &w[3], &liq)) || (rc = get_pos(c, &user, coll, k, &kl, &p)) ||
		    (rc = sub_checked(c, &p.supplied_shares, &w[11], "collateral shares")) ||
		    (rc = put_pos(c, k, kl, &p)) || (rc = get_pos(c, &user, debt, k, &kl, &p)) ||
		    (rc = sub_checked(c, &p.drawn_shares, &w[6], "drawn shares")))
			return rc;
		v4_apply_delta(&p.premium_shares, &p.premium_offset_ray, &w[7], &w[8]);
		if (lx_u256_is_zero(&p.drawn_shares))
			set_flag(&p.flags, V4_P_BORROWING, false);
		if ((rc = put_pos(c, k, kl, &p)))
			return rc;
		if (lx_u256_is_zero(&w[4]) || lx_u256_is_zero(&w[12]))
			return 0;
		/* receiveShares: the liquidator's supply grows with no Supply log */
		if ((rc = get_pos(c, &liq, coll, k, &kl, &p)) ||
		    lx_u256_add(&p.supplied_shares, &p.supplied_shares, &w[12]))
			return rc ? rc : bad(c, "overflow");
		return put_pos(c, k, kl, &p);
	}
	switch (ev->id) {
	case S_SUPPLY:
		if (lx_u256_add(&p.supplied_shares, &p.supplied_shares, &w[3]))
			return bad(c, "overflow");
		break;
	case S_WITHDRAW:
		if ((rc = sub_checked(c, &p.supplied_shares, &w[3], "supplied shares")))
			return rc;
		break;
	case S_BORROW:
		if (lx_u256_add(&p.drawn_shares, &p.drawn_shares, &w[3]))
			return bad(c, "overflow");
		set_flag(&p.flags, V4_P_BORROWING, true);
		break;
	case S_REPAY: /* drawnShares, totalAmountRepaid, delta(3) */
		if ((rc = sub_checked(c, &p.drawn_shares, &w[3], "drawn shares")))
			return rc;
		v4_apply_delta(&p.premium_shares, &p.premium_offset_ray, &w[5], &w[6]);
		if (lx_u256_is_zero(&p.drawn_shares))
			set_flag(&p.flags, V4_P_BORROWING, false);
		break;
	case S_REPORT_DEFICIT: /* drawnShares, delta(3) */
		if ((rc = sub_checked(c, &p.drawn_shares, &w[2], "drawn shares")))
			return rc;
		v4_apply_delta(&p.premium_shares, &p.premium_offset_ray, &w[3], &w[4]);
		set_flag(&p.flags, V4_P_BORROWING, false);
		break;
	case S_REFRESH_PREMIUM_DEBT:
		v4_apply_delta(&p.premium_shares, &p.premium_offset_ray, &w[2], &w[3]);
		break;
	case S_SET_COLLATERAL: {
		bool on = !lx_u256_is_zero(&w[3]);
		set_flag(&p.flags, V4_P_COLLATERAL, on);
		struct v4 *h = c->h;
		if (!on && h->refresh.set && memcmp(h->refresh.tx, c->log->tx, 32) == 0 &&
		    lx_addr_eq(&h->refresh.spoke, &c->log->address) &&
		    lx_addr_eq(&h->refresh.user, &user))
			for (size_t i = 0; i < h->refresh.n; i++)
				if (h->refresh.reserve[i] == reserve)
					p.key = h->refresh.old_key[i];
		break;
	}
	default:
		return 0;
	}
	return put_pos(c, k, kl, &p);
}

/* keccak256("Upgraded(address)"), set by v4_events_init */
uint8_t v4_upgraded_topic0[32];

/*
 * A Hub or Spoke proxy's implementation. The first one seen is its creation (start_block lies
 * before every configured proxy; a Spoke found later is followed from the start of the range
 * it was found in). A later, different implementation may run other rules than v0.5.11's, and
 * which version it is cannot be read from the chain: the sync stops there, naming it, rather
 * than apply v0.5.11's rules to it.
 */
static int upgraded(struct v4 *h, struct lx_store_txn *txn, const struct lx_log *log,
		    struct lx_error *err)
{
	if (log->n_topics != 2 || log->data_len != 0)
		return lx_error_set(err, LX_ETOPICS, "aave_v4: Upgraded log %u in block %llu is malformed",
				    log->log_index, (unsigned long long)log->block);
	uint8_t k[V4_KEY_MAX];
	size_t kl = v4_key_spoke(k, h->chain, &log->address);
	struct lx_u256 impl, now;
	lx_u256_from_be(&now, log->topics[1]);
	int rc = v4_get(txn, T_IMPL, k, kl, &impl, 1, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return v4_put(txn, T_IMPL, k, kl, &now, 1, err);
	}
	if (rc || lx_u256_eq(&impl, &now))
		return rc;
	char px[LX_ADDR_STRLEN], ix[LX_ADDR_STRLEN];
	struct lx_addr ia;
	v4_to_addr(&ia, &now);
	lx_addr_lower(px, &log->address);
	lx_addr_lower(ix, &ia);
	return lx_error_set(err, LX_EINVAL,
			    "aave_v4: %s %s upgraded to implementation %s in block %llu: this lendex "
			    "knows aave-v4 v0.5.11's rules only and cannot tell which version that "
			    "implementation runs (sync stops before applying it)",
			    v4_is_hub(h, &log->address) ? "hub" : "spoke", px, ix,
			    (unsigned long long)log->block);
}

int v4_apply(struct lx_proto *pr, struct lx_store_txn *txn, const struct lx_log *log,
	     struct lx_error *err)
{
	struct v4 *h = v4_of(pr);
	int role = v4_is_hub(h, &log->address) ? V4_HUB : v4_is_spoke(h, &log->address) ? V4_SPOKE : 0;
	if (!role)
		return 0;
	if (log->n_topics > 0 && memcmp(log->topics[0], v4_upgraded_topic0, 32) == 0)
		return upgraded(h, txn, log, err);
	const struct v4_event_def *ev = v4_event_find(log, role);
	if (!ev)
		return 0;
	struct lx_u256 w[V4_MAX_WORDS];
	int rc = v4_event_words(w, ev, log, err);
	if (rc)
		return rc;
	char name[48];
	size_t nl = strcspn(ev->signature, "(");
	if (nl >= sizeof(name))
		nl = sizeof(name) - 1;
	memcpy(name, ev->signature, nl);
	name[nl] = 0;
	struct ctx c = {h, txn, log, name, err};
	return role == V4_HUB ? hub_log(&c, ev, w) : spoke_log(&c, ev, w);
}
