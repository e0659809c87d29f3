/*
 * health.c: Morpho Blue's market operations on a view built by view.c — _isHealthy and
 * liquidate of Morpho.sol 1.0, in its own integer math, on the market as projected to the
 * view's timestamp (interest accrued as liquidate's own _accrueInterest would).
 *
 * Health: borrowed = borrowShares.toAssetsUp(totals), maxBorrow =
 * collateral.mulDivDown(price, 1e36).wMulDown(lltv); the position is healthy when
 * maxBorrow >= borrowed. health_factor = maxBorrow * 1e18 / borrowed (floor), which is < 1e18
 * exactly when maxBorrow < borrowed, i.e. exactly when Morpho lets a liquidator in.
 *
 * Prices: the oracle's own answer (lx_asset_info.oracle_price) while the collateral and loan
 * positions' prices are the view's; a caller that moves the collateral's price (a shock) has it
 * taken back to the oracle's scale, floor(price * 1e36 / 10^decimals), and one that moves the
 * loan token's price divides the answer by that move, floor(answer * unit / price) (the
 * oracle prices collateral in loan units).
 */
#include <string.h>

#include "morpho.h"

static void wad(struct lx_u256 *r)
{
	lx_u256_from_u64(r, 1000000000000000000ull);
}

/* The positions of one account view: loan (even asset) and collateral (odd asset) of one
 * market. LX_EINVAL when they belong to different markets. */
struct split {
	int li, ci;          /* position indexes, -1 = none */
	size_t m;            /* market index: assets 2m and 2m+1 */
	bool any;
};

static int split(struct split *s, const struct lx_market_view *mv,
		 const struct lx_account_view *a)
{
	memset(s, 0, sizeof(*s));
	s->li = s->ci = -1;
	for (size_t i = 0; i < a->n_pos; i++) {
		uint32_t as = a->pos[i].asset;
		if (as >= mv->n_assets || (s->any && as / 2 != s->m))
			return LX_EINVAL;
		s->m = as / 2;
		s->any = true;
		if (as % 2)
			s->ci = (int)i;
		else
			s->li = (int)i;
	}
	return 0;
}

/*
 * the price the collateral is valued at, on the oracle's 1e36 scale: the oracle's answer, or,
 * when a caller moved the collateral's price, that price taken back to the oracle's scale;
 * when it moved the loan token's price (a view's loan price is one whole token in its own
 * units), the answer divided by that move — the oracle prices collateral in loan units, so a
 * loan token worth 30 % more makes the collateral worth 1/1.3 as many loan units
 */
static int raw_price(struct lx_u256 *out, const struct lx_market_view *mv,
		     const struct lx_account_view *a, const struct split *s,
		     const struct lx_u256 *prices)
{
	const struct lx_asset_info *ci = &mv->assets[2 * s->m + 1], *li = &mv->assets[2 * s->m];
	*out = ci->oracle_price;
	int rc;
	if (s->ci >= 0) {
		const struct lx_u256 *p = prices ? &prices[s->ci] : &a->pos[s->ci].price;
		if (!lx_u256_eq(p, &ci->price)) {
			struct lx_u256 scale, unit;
			lx_u256_pow10(&scale, 36);
			lx_u256_pow10(&unit, ci->decimals);
			if ((rc = lx_u256_muldiv(out, p, &scale, &unit)))
				return rc;
		}
	}
	if (s->li >= 0) {
		const struct lx_u256 *p = prices ? &prices[s->li] : &a->pos[s->li].price;
		if (!lx_u256_eq(p, &li->price)) {
			if (lx_u256_is_zero(p))
				return LX_EOVERFLOW; /* a worthless loan token: no finite price */
			if ((rc = lx_u256_muldiv(out, out, &li->price, p)))
				return rc;
		}
	}
	return 0;
}

struct terms {
	struct lx_u256 shares, borrowed, collateral, price, coll_value, max_borrow, hf;
};

static int terms_of(struct terms *t, const struct lx_market_view *mv,
		    const struct lx_account_view *a, const struct split *s,
		    const struct lx_u256 *prices)
{
	memset(t, 0, sizeof(*t));
	const struct lx_asset_info *li = &mv->assets[2 * s->m], *ci = &mv->assets[2 * s->m + 1];
	if (s->li >= 0)
		t->shares = a->pos[s->li].scaled_variable;
	if (s->ci >= 0)
		t->collateral = a->pos[s->ci].supplied;
	struct lx_u256 scale;
	lx_u256_pow10(&scale, 36);
	int rc;
	if ((rc = morpho_to_assets_up(&t->borrowed, &t->shares, &li->total_borrowed,
				      &li->total_borrow_shares)) ||
	    (rc = raw_price(&t->price, mv, a, s, prices)) ||
	    (rc = morpho_mul_div_down(&t->coll_value, &t->collateral, &t->price, &scale)) ||
	    (rc = morpho_w_mul_down(&t->max_borrow, &t->coll_value, &ci->lltv)))
		return rc;
	if (lx_u256_is_zero(&t->shares)) {
		lx_u256_max(&t->hf);
		return 0;
	}
	struct lx_u256 w;
	wad(&w);
	if (lx_u256_muldiv(&t->hf, &t->max_borrow, &w, &t->borrowed)) {
		/* beyond 2^256: far above 1, and not the "no debt" sentinel */
		lx_u256_max(&t->hf);
		struct lx_u256 one;
		lx_u256_from_u64(&one, 1);
		lx_u256_sub(&t->hf, &t->hf, &one);
	}
	return 0;
}

int lx_morpho_health(struct lx_health *out, const struct lx_market_view *mv,
		     const struct lx_account_view *acct, const struct lx_u256 *prices)
{
	memset(out, 0, sizeof(*out));
	struct split s;
	int rc = split(&s, mv, acct);
	if (rc)
		return rc;
	if (!s.any) {
		lx_u256_max(&out->health_factor);
		return 0;
	}
	struct terms t;
	if ((rc = terms_of(&t, mv, acct, &s, prices)))
		return rc;
	const struct lx_asset_info *ci = &mv->assets[2 * s.m + 1];
	out->total_collateral_base = t.coll_value;
	out->total_debt_base = t.borrowed;
	if (lx_u256_sub(&out->available_borrows_base, &t.max_borrow, &t.borrowed))
		memset(&out->available_borrows_base, 0, sizeof(out->available_borrows_base));
	lx_u256_from_u64(&out->ltv_bps, ci->liq_threshold_bps);
	out->liq_threshold_bps = out->ltv_bps;
	out->health_factor = t.hf;
	return 0;
}

/*
 * Morpho.liquidate(marketParams, borrower, seizedAssets, repaidShares) on the view: exactly one
 * of seized_in / shares_in is non-NULL (the input Morpho takes non-zero). Rounding as Morpho:
 * given seizedAssets, repaidShares = seized.mulDivUp(price, 1e36).wDivUp(LIF).toSharesUp;
 * given repaidShares, seized = shares.toAssetsDown.wMulDown(LIF).mulDivDown(1e36, price);
 * repaidAssets = repaidShares.toAssetsUp; the borrow total floors at zero; no collateral left
 * writes the rest of the position off as bad debt (min(total, shares.toAssetsUp)).
 * apply: the position moves, and so does the market in mv->assets, as Morpho's storage does —
 * totalBorrowShares and totalBorrowAssets (repaid, then the bad debt written off) and, on bad
 * debt, totalSupplyAssets (supply shares stay: each is worth less) — so the next liquidation in
 * the market, in the same cascade round, sees the totals this one leaves.
 * LX_EOVERFLOW where Morpho reverts (more shares or collateral than the position holds).
 */
int morpho_liquidate_exact(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			   const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			   size_t di, const struct lx_u256 *seized_in,
			   const struct lx_u256 *shares_in, bool apply)
{
	memset(out, 0, sizeof(*out));
	*refusal = LX_LIQ_OK;
	struct split s;
	int rc = split(&s, mv, a);
	if (rc || ci >= a->n_pos || di >= a->n_pos || (int)ci != s.ci || (int)di != s.li ||
	    (!seized_in) == (!shares_in))
		return LX_EINVAL;
	struct terms t;
	if ((rc = terms_of(&t, mv, a, &s, NULL)))
		return rc;
	out->hf_before = t.hf;
	out->close_factor_bps = 10000;
	struct lx_u256 w;
	wad(&w);
	if (lx_u256_cmp(&t.hf, &w) >= 0) {
		*refusal = LX_LIQ_HEALTHY;
		return 0;
	}
	if (lx_u256_is_zero(&t.shares) || lx_u256_is_zero(&t.collateral)) {
		*refusal = LX_LIQ_NO_PAIR;
		return 0;
	}
	const struct lx_asset_info *li = &mv->assets[2 * s.m];
	const struct lx_asset_info *cinfo = &mv->assets[2 * s.m + 1];
	struct lx_u256 tba = li->total_borrowed, tbs = li->total_borrow_shares;
	struct lx_u256 lif, scale, repaid_shares, seized, x;
	lx_u256_pow10(&scale, 36);
	if ((rc = morpho_incentive_factor(&lif, &cinfo->lltv)))
		return rc;
	if (seized_in) {
		seized = *seized_in;
		if ((rc = morpho_mul_div_up(&x, &seized, &t.price, &scale)) ||
		    (rc = morpho_w_div_up(&x, &x, &lif)) ||
		    (rc = morpho_to_shares_up(&repaid_shares, &x, &tba, &tbs)))
			return rc;
	} else {
		repaid_shares = *shares_in;
		if ((rc = morpho_to_assets_down(&x, &repaid_shares, &tba, &tbs)) ||
		    (rc = morpho_w_mul_down(&x, &x, &lif)) ||
		    (rc = morpho_mul_div_down(&seized, &x, &scale, &t.price)))
			return rc;
	}
	struct lx_u256 repaid_assets, shares_left, coll_left;
	if ((rc = morpho_to_assets_up(&repaid_assets, &repaid_shares, &tba, &tbs)))
		return rc;
	if (lx_u256_sub(&shares_left, &t.shares, &repaid_shares) ||
	    lx_u256_sub(&tbs, &tbs, &repaid_shares) ||
	    lx_u256_sub(&coll_left, &t.collateral, &seized))
		return LX_EOVERFLOW; /* Morpho's checked subtractions revert */
	if (lx_u256_sub(&tba, &tba, &repaid_assets))
		memset(&tba, 0, sizeof(tba));
	struct lx_u256 bad_assets = {{0, 0, 0, 0}};
	if (lx_u256_is_zero(&coll_left)) {
		if ((rc = morpho_to_assets_up(&bad_assets, &shares_left, &tba, &tbs)))
			return rc;
		if (lx_u256_cmp(&bad_assets, &tba) > 0)
			bad_assets = tba;
		lx_u256_sub(&tba, &tba, &bad_assets);
		if (lx_u256_sub(&tbs, &tbs, &shares_left))
			return LX_EOVERFLOW;
		memset(&shares_left, 0, sizeof(shares_left));
	}
	out->debt_to_cover = repaid_assets;
	out->debt_repaid = repaid_assets;
	out->collateral_seized = out->collateral_out = seized;
	out->deficit_base = bad_assets; /* loan-token units: the market's base */
	out->collateral_cleared = lx_u256_is_zero(&coll_left);
	if (apply) {
		struct lx_asset_pos *dp = &a->pos[di], *cp = &a->pos[ci];
		struct lx_u256 borrowed, tsa = li->total_supplied, coll_total;
		/* Morpho's totalSupplyAssets -= badDebtAssets is checked: it cannot underflow there */
		if ((rc = morpho_to_assets_up(&borrowed, &shares_left, &tba, &tbs)) ||
		    lx_u256_sub(&tsa, &tsa, &bad_assets))
			return rc ? rc : LX_EOVERFLOW;
		if (lx_u256_sub(&coll_total, &cinfo->total_supplied, &seized))
			memset(&coll_total, 0, sizeof(coll_total)); /* a view without the sum */
		dp->scaled_variable = shares_left;
		dp->borrowed = borrowed;
		dp->borrowed_variable = borrowed;
		cp->supplied = coll_left;
		cp->collateral = !lx_u256_is_zero(&coll_left);
		/* the market: mv->assets is the caller's (the cascade gives each run its own copy) */
		struct lx_asset_info *lm = &mv->assets[2 * s.m], *cm = &mv->assets[2 * s.m + 1];
		lm->total_borrowed = tba;
		lm->total_borrow_shares = tbs;
		cm->total_borrow_shares = tbs;
		lm->total_supplied = tsa;
		if (lx_u256_sub(&lm->available, &tsa, &tba))
			memset(&lm->available, 0, sizeof(lm->available));
		cm->total_supplied = coll_total;
	}
	return 0;
}

/*
 * The market operation: repay debt_to_cover (its shares, rounded down, at most the position's)
 * or, with debt_to_cover NULL, the most Morpho allows — every borrow share, or all the
 * collateral when repaying every share would take more collateral than there is (then the
 * rest is bad debt). Morpho has no close factor and no dust rule.
 */
int lx_morpho_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			size_t di, const struct lx_u256 *debt_to_cover,
			const struct lx_u256 *available, bool apply)
{
	(void)available; /* collateral is never lent out: it is always there to seize */
	struct split s;
	int rc = split(&s, mv, a);
	if (rc || ci >= a->n_pos || di >= a->n_pos || (int)ci != s.ci || (int)di != s.li)
		return LX_EINVAL;
	const struct lx_asset_info *li = &mv->assets[2 * s.m];
	struct lx_u256 shares = a->pos[di].scaled_variable;
	if (debt_to_cover) {
		struct lx_u256 want;
		if ((rc = morpho_to_shares_down(&want, debt_to_cover, &li->total_borrowed,
						&li->total_borrow_shares)))
			return rc;
		if (lx_u256_cmp(&want, &shares) < 0)
			shares = want;
	}
	/* would every share asked take more collateral than the position has? */
	struct terms t;
	struct lx_u256 lif, scale, x, seized;
	lx_u256_pow10(&scale, 36);
	if ((rc = terms_of(&t, mv, a, &s, NULL)) ||
	    (rc = morpho_incentive_factor(&lif, &mv->assets[2 * s.m + 1].lltv)) ||
	    (rc = morpho_to_assets_down(&x, &shares, &li->total_borrowed,
					&li->total_borrow_shares)) ||
	    (rc = morpho_w_mul_down(&x, &x, &lif)))
		return rc;
	if (lx_u256_is_zero(&t.price)) {
		lx_u256_max(&seized); /* mulDivDown by a zero price reverts: take the collateral */
	} else if ((rc = morpho_mul_div_down(&seized, &x, &scale, &t.price))) {
		return rc;
	}
	if (lx_u256_cmp(&seized, &a->pos[ci].supplied) > 0) {
		struct lx_u256 all = a->pos[ci].supplied;
		rc = morpho_liquidate_exact(out, refusal, mv, a, ci, di, &all, NULL, apply);
	} else {
		rc = morpho_liquidate_exact(out, refusal, mv, a, ci, di, NULL, &shares, apply);
	}
	if (rc == 0 && *refusal == LX_LIQ_OK && debt_to_cover)
		out->debt_to_cover = *debt_to_cover;
	return rc;
}

/* Health is monotone in the oracle's price (collateral only; the debt is the loan token
 * itself), so liquidation prices are an exact bisection over lx_morpho_health. */
const struct lx_market_ops lx_morpho_blue_market_ops = {
	.name = "morpho_blue",
	.health = lx_morpho_health,
	.liquidate = lx_morpho_liquidate,
	.monotone = true,
};
