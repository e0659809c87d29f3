/*
 * health.c: Comet's own integer math, as the contract computes it (Comet.sol / CometCore.sol
 * at compound-finance/comet d5a30b0): interest accrual (accruedInterestIndices), present values,
 * and the account's liquidation check (isLiquidatable) as a market's health operation.
 *
 * The view (view.c) hands positions over in this layout: assets[0] is the base token, its
 * liquidity_index / borrow_index are the *stored* baseSupplyIndex / baseBorrowIndex (1e15
 * scale) read at the synced block; an account's base position has the principal magnitude in
 * scaled_supplied (principal >= 0) or scaled_variable (principal < 0) and the accrued balances
 * (balanceOf / borrowBalanceOf at the view's timestamp) in supplied / borrowed; collateral
 * positions (assets[1 + offset]) carry the balance in supplied, liquidateCollateralFactor in
 * liq_threshold_bps and borrowCollateralFactor in ltv_bps (Comet keeps factors with 4 decimals,
 * so factor = bps * 1e14 exactly). Prices are Comet's getPrice answers (8 decimals).
 */
#include <string.h>

#include "comet.h"

static int mul_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		   const struct lx_u256 *d)
{
	/* Solidity's checked a * b / d: the product overflowing reverts */
	struct lx_u256 t;
	int rc = lx_u256_mul(&t, a, b);
	if (rc)
		return LX_EOVERFLOW;
	return lx_u256_div(r, &t, d) ? LX_EOVERFLOW : 0;
}

static int mul_div_u64(struct lx_u256 *r, const struct lx_u256 *a, uint64_t b, uint64_t d)
{
	struct lx_u256 bb, dd;
	lx_u256_from_u64(&bb, b);
	lx_u256_from_u64(&dd, d);
	return mul_div(r, a, &bb, &dd);
}

int comet_present(struct lx_u256 *out, const struct lx_u256 *principal, uint64_t index)
{
	return mul_div_u64(out, principal, index, COMET_BASE_INDEX_SCALE);
}

/* getSupplyRate / getBorrowRate: the kink model; safe64 of the result. */
static int rate(uint64_t *out, const struct lx_u256 *u, uint64_t kink, uint64_t low,
		uint64_t high, uint64_t base)
{
	struct lx_u256 k, r, t, b;
	lx_u256_from_u64(&k, kink);
	lx_u256_from_u64(&b, base);
	int rc;
	if (lx_u256_cmp(u, &k) <= 0) {
		if ((rc = mul_div_u64(&t, u, low, COMET_FACTOR_SCALE)) || lx_u256_add(&r, &b, &t))
			return LX_EOVERFLOW;
	} else {
		struct lx_u256 d, t2;
		if ((rc = mul_div_u64(&t, &k, low, COMET_FACTOR_SCALE)) || lx_u256_sub(&d, u, &k) ||
		    (rc = mul_div_u64(&t2, &d, high, COMET_FACTOR_SCALE)) ||
		    lx_u256_add(&r, &b, &t) || lx_u256_add(&r, &r, &t2))
			return LX_EOVERFLOW;
	}
	return lx_u256_to_u64(out, &r) ? LX_EOVERFLOW : 0;
}

/* index + safe64(index * (rate * dt) / 1e18), the uint64 add checked */
static int grow(uint64_t *index, uint64_t rate_ps, uint64_t dt)
{
	struct lx_u256 rt, idx, inc;
	struct lx_u256 r, d;
	lx_u256_from_u64(&r, rate_ps);
	lx_u256_from_u64(&d, dt);
	lx_u256_from_u64(&idx, *index);
	if (lx_u256_mul(&rt, &r, &d))
		return LX_EOVERFLOW;
	struct lx_u256 scale;
	lx_u256_from_u64(&scale, COMET_FACTOR_SCALE);
	if (mul_div(&inc, &idx, &rt, &scale))
		return LX_EOVERFLOW;
	uint64_t i64;
	if (lx_u256_to_u64(&i64, &inc) || *index > UINT64_MAX - i64)
		return LX_EOVERFLOW;
	*index += i64;
	return 0;
}

int comet_accrue(uint64_t *supply_index, uint64_t *borrow_index, const struct comet_config *cfg,
		 const struct comet_state *st, uint64_t dt)
{
	*supply_index = st->supply_index;
	*borrow_index = st->borrow_index;
	if (dt == 0)
		return 0;
	/* getUtilization, from the stored indexes and totals */
	struct lx_u256 ts, tb, u;
	int rc;
	if ((rc = comet_present(&ts, &st->total_supply_base, st->supply_index)) ||
	    (rc = comet_present(&tb, &st->total_borrow_base, st->borrow_index)))
		return rc;
	if (lx_u256_is_zero(&ts)) {
		lx_u256_from_u64(&u, 0);
	} else {
		struct lx_u256 f;
		lx_u256_from_u64(&f, COMET_FACTOR_SCALE);
		if ((rc = mul_div(&u, &tb, &f, &ts)))
			return rc;
	}
	uint64_t sr, br;
	if ((rc = rate(&sr, &u, cfg->supply_kink, cfg->supply_low, cfg->supply_high,
		       cfg->supply_base)) ||
	    (rc = rate(&br, &u, cfg->borrow_kink, cfg->borrow_low, cfg->borrow_high,
		       cfg->borrow_base)))
		return rc;
	if ((rc = grow(supply_index, sr, dt)) || (rc = grow(borrow_index, br, dt)))
		return rc;
	return 0;
}

/* floor(amount * price / 10^decimals): Comet's mulPrice (checked product) */
static int mul_price(struct lx_u256 *out, const struct lx_u256 *amount,
		     const struct lx_u256 *price, uint8_t decimals)
{
	struct lx_u256 scale;
	if (lx_u256_pow10(&scale, decimals))
		return LX_EOVERFLOW;
	return mul_div(out, amount, price, &scale);
}

/*
 * isLiquidatable(account) as a health measure. With principal < 0:
 *   debt      = presentValueBorrow(stored baseBorrowIndex, -principal) * basePrice / baseScale
 *               (signedMulPrice truncates toward zero, so the magnitude floors),
 *   liquidity = Σ mulFactor(mulPrice(balance, price, scale), liquidateCollateralFactor),
 * liquidatable iff liquidity < debt; health_factor = liquidity * 1e18 / debt (floor), which is
 * < 1e18 exactly then. Comet stops summing once the sum covers the debt; the sum only grows,
 * so the answer is the same. total_collateral_base = Σ mulPrice (no factor),
 * available_borrows_base = Σ mulFactor(value, borrowCollateralFactor) - debt (0 if negative),
 * ltv / liq_threshold = those sums * 1e4 / total_collateral_base. All in USD, 8 decimals.
 */
int comet_health(struct lx_health *out, const struct lx_market_view *mv,
		 const struct lx_account_view *acct, const struct lx_u256 *prices)
{
	memset(out, 0, sizeof(*out));
	if (!mv->n_assets)
		return LX_EINVAL;
	struct lx_u256 debt, coll, liq, brw, zero;
	lx_u256_from_u64(&zero, 0);
	debt = coll = liq = brw = zero;
	int rc;
	for (size_t i = 0; i < acct->n_pos; i++) {
		const struct lx_asset_pos *p = &acct->pos[i];
		if (p->asset >= mv->n_assets)
			return LX_EINVAL;
		const struct lx_asset_info *inf = &mv->assets[p->asset];
		const struct lx_u256 *price = prices ? &prices[i] : &p->price;
		if (p->asset == 0) {
			if (lx_u256_is_zero(&p->scaled_variable))
				continue;
			struct lx_u256 pv;
			uint64_t bi;
			if (lx_u256_to_u64(&bi, &inf->borrow_index))
				return LX_EINVAL;
			if ((rc = comet_present(&pv, &p->scaled_variable, bi)) ||
			    (rc = mul_price(&debt, &pv, price, inf->decimals)))
				return rc;
			continue;
		}
		if (lx_u256_is_zero(&p->supplied))
			continue;
		struct lx_u256 v, t;
		if ((rc = mul_price(&v, &p->supplied, price, inf->decimals)) ||
		    lx_u256_add(&coll, &coll, &v))
			return LX_EOVERFLOW;
		if ((rc = mul_div_u64(&t, &v, (uint64_t)p->liq_threshold_bps * 100000000000000ULL,
				      COMET_FACTOR_SCALE)) ||
		    lx_u256_add(&liq, &liq, &t))
			return LX_EOVERFLOW;
		if ((rc = mul_div_u64(&t, &v, (uint64_t)p->ltv_bps * 100000000000000ULL,
				      COMET_FACTOR_SCALE)) ||
		    lx_u256_add(&brw, &brw, &t))
			return LX_EOVERFLOW;
	}
	out->total_collateral_base = coll;
	out->total_debt_base = debt;
	if (lx_u256_sub(&out->available_borrows_base, &brw, &debt))
		out->available_borrows_base = zero;
	if (!lx_u256_is_zero(&coll)) {
		struct lx_u256 bps;
		lx_u256_from_u64(&bps, 10000);
		if (mul_div(&out->ltv_bps, &brw, &bps, &coll) ||
		    mul_div(&out->liq_threshold_bps, &liq, &bps, &coll))
			return LX_EOVERFLOW;
	}
	if (lx_u256_is_zero(&debt)) {
		lx_u256_max(&out->health_factor);
		return 0;
	}
	struct lx_u256 wad;
	lx_u256_from_u64(&wad, COMET_FACTOR_SCALE);
	return mul_div(&out->health_factor, &liq, &wad, &debt);
}

/* Σ mulFactor(mulPrice(balance, price, scale), liquidationFactor) over the positions in mask */
static int credit_value(struct lx_u256 *out, const struct lx_market_view *mv,
			const struct lx_account_view *a, const bool *take)
{
	lx_u256_from_u64(out, 0);
	for (size_t i = 0; i < a->n_pos; i++) {
		const struct lx_asset_pos *p = &a->pos[i];
		if (!take[i])
			continue;
		struct lx_u256 v, t;
		int rc;
		uint64_t lf = (uint64_t)(20000 - mv->assets[p->asset].liq_bonus_bps) * 100000000000000ULL;
		if ((rc = mul_price(&v, &p->supplied, &p->price, mv->assets[p->asset].decimals)) ||
		    (rc = mul_div_u64(&t, &v, lf, COMET_FACTOR_SCALE)) || lx_u256_add(out, out, &t))
			return LX_EOVERFLOW;
	}
	return 0;
}

/* divPrice(value, basePrice, baseScale): value * baseScale / basePrice */
static int to_base(struct lx_u256 *out, const struct lx_u256 *value,
		   const struct lx_market_view *mv, const struct lx_u256 *base_price)
{
	struct lx_u256 scale;
	if (lx_u256_is_zero(base_price) || lx_u256_pow10(&scale, mv->assets[0].decimals))
		return LX_EOVERFLOW;
	return mul_div(out, value, &scale, base_price);
}

/*
 * absorb(account) (Comet.absorbInternal) as the market's liquidation, one collateral position
 * per call so the cascade can sell each asset: every collateral balance is seized by the
 * protocol, the account is credited Σ value * liquidationFactor converted to base in one
 * division, its debt is wiped (what the collateral does not cover is the reserves' loss,
 * deficit_base), and a credit beyond the debt becomes a base supply. The calls of one absorb
 * telescope exactly: call k credits floor(V_{1..k} * scale / price) - floor(V_{1..k-1} * ...),
 * so the sum is Comet's single division. While an absorb is in progress (apply) the base position
 * keeps the debt the absorb started from, carries `collateral` = true and, in scaled_supplied,
 * the value V credited so far; the last collateral call settles it. debt_to_cover is that
 * starting debt (accrued to the view's timestamp, as absorb accrues first); debt_repaid the part
 * the credit covers; all of collateral_seized goes to the protocol's reserves (no liquidator
 * bonus: protocol_fee stays 0 so the cascade counts the seized amount once).
 * Health is checked at the first call only (isLiquidatable, stored indexes).
 */
static int comet_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			   const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			   size_t di, const struct lx_u256 *debt_to_cover,
			   const struct lx_u256 *available, bool apply)
{
	(void)debt_to_cover;
	(void)available; /* the protocol takes the collateral: no liquidity needed */
	memset(out, 0, sizeof(*out));
	*refusal = LX_LIQ_NO_PAIR;
	if (ci >= a->n_pos || di >= a->n_pos || a->n_pos > 64 || !mv->n_assets)
		return LX_EINVAL;
	struct lx_asset_pos *cp = &a->pos[ci], *dp = &a->pos[di];
	if (dp->asset != 0 || cp->asset == 0 || lx_u256_is_zero(&dp->borrowed) ||
	    lx_u256_is_zero(&cp->supplied))
		return 0;
	bool busy = dp->collateral; /* an absorb in progress */
	int rc;
	struct lx_health h;
	if ((rc = comet_health(&h, mv, a, NULL)))
		return rc;
	out->hf_before = h.health_factor;
	struct lx_u256 wad;
	lx_u256_from_u64(&wad, COMET_FACTOR_SCALE);
	if (!busy && lx_u256_cmp(&h.health_factor, &wad) >= 0) {
		*refusal = LX_LIQ_HEALTHY;
		return 0;
	}
	bool take[64] = {0}, last = true;
	take[ci] = true;
	for (size_t i = 0; i < a->n_pos; i++)
		if (i != ci && a->pos[i].asset != 0 && !lx_u256_is_zero(&a->pos[i].supplied))
			last = false;
	struct lx_u256 zero, v_before, v_this, v_after, c_before, c_after, d0, repaid;
	lx_u256_from_u64(&zero, 0);
	v_before = busy ? dp->scaled_supplied : zero;
	d0 = dp->borrowed;
	if ((rc = credit_value(&v_this, mv, a, take)) || lx_u256_add(&v_after, &v_before, &v_this) ||
	    (rc = to_base(&c_before, &v_before, mv, &dp->price)) ||
	    (rc = to_base(&c_after, &v_after, mv, &dp->price)))
		return LX_EOVERFLOW;
	/* debt covered so far: min(d0, credit) */
	struct lx_u256 cov_before = lx_u256_cmp(&c_before, &d0) < 0 ? c_before : d0;
	struct lx_u256 cov_after = lx_u256_cmp(&c_after, &d0) < 0 ? c_after : d0;
	lx_u256_sub(&repaid, &cov_after, &cov_before);
	out->debt_to_cover = d0;
	out->debt_repaid = repaid;
	out->collateral_seized = out->collateral_out = cp->supplied;
	out->protocol_fee = zero;
	out->close_factor_bps = 10000;
	out->collateral_cleared = true;
	if (last && lx_u256_cmp(&c_after, &d0) < 0) {
		struct lx_u256 gap;
		lx_u256_sub(&gap, &d0, &c_after);
		if ((rc = mul_price(&out->deficit_base, &gap, &dp->price, mv->assets[0].decimals)))
			return rc;
	}
	*refusal = LX_LIQ_OK;
	if (!apply)
		return 0;
	cp->supplied = zero;
	cp->collateral = false;
	if (!last) {
		dp->collateral = true;
		dp->scaled_supplied = v_after;
		return 0;
	}
	/* settled: newBalance = max(0, credit - debt) becomes a supply */
	dp->collateral = false;
	dp->scaled_supplied = zero;
	dp->scaled_variable = zero;
	dp->borrowed = dp->borrowed_variable = zero;
	if (lx_u256_cmp(&c_after, &d0) > 0)
		lx_u256_sub(&dp->supplied, &c_after, &d0);
	return 0;
}

const struct lx_market_ops lx_compound_v3_market_ops = {
	.name = "compound_v3",
	.health = comet_health,
	.liquidate = comet_liquidate,
	/* liquidity = sum of floored collateral values (each rising with its own feed), debt =
	 * floored base value (rising with the base feed): monotone in every feed */
	.monotone = true,
};
