/*
 * liquidate.c: one Aave liquidation as the protocol executes it — the market operation the
 * cascade calls through lx_model_liquidate (model.h), so the risk pass stays protocol-neutral.
 *
 * Aave V3 (LiquidationLogic.executeLiquidationCall, 3.0.2 and 3.3+ variants chosen by the
 * view's rules, not by version numbers): the close factor (3.0–3.2: 50 % of the reserve debt,
 * 100 % at HF <= 0.95; 3.3+: the whole reserve debt unless the reserve's collateral and debt are
 * both >= 2,000 base units and HF > 0.95, then at most 50 % of the position's total debt), the
 * bonus-weighted collateral with the balance cap, the protocol fee on the bonus and its clamp to
 * the scaled balance left after seizing, 3.3's dust rule (no leftover under 1,000 base units
 * unless all debt or all collateral goes) and deficit creation (no collateral left: every debt
 * of the account is burnt into reserve deficits). Balances move as the tokens move them:
 * burns and transfers of amount.rayDiv(index) scaled units, read back as scaled.rayMul(index).
 * From 3.5 (rules.token_math) every one of those roundings has a direction (TokenMath: aToken
 * burn and transfer rayDivCeil, debt burn rayDivFloor, aToken balance rayMulFloor, debt balance
 * rayMulCeil; reserve and leftover debt valued mulDivCeil; the debt for a whole collateral
 * percentDivCeil); 3.7 (rules.bonus_floor_fee_ceil) also floors the bonus-weighted collateral
 * and the bonus part and ceils the fee, and decides "no collateral left" on the scaled units the
 * seizure and the fee consume (rules.no_collateral_scaled).
 */
#include <string.h>

#include "lendex/model.h"
#include "ops.h"

static void u64(struct lx_u256 *r, uint64_t v)
{
	lx_u256_from_u64(r, v);
}

/* amount * price / unit, reverting (LX_EOVERFLOW) where Solidity's checked product would */
static int base_of(struct lx_u256 *r, const struct lx_u256 *amt, const struct lx_u256 *price,
		   const struct lx_u256 *unit)
{
	int rc = lx_u256_mul(r, amt, price);
	if (rc)
		return rc;
	return lx_u256_div(r, r, unit);
}

/* a * b / d rounded down or up; LX_EOVERFLOW where the product overflows, as the assembly of
 * WadRayMath / PercentageMath / MathUtils.mulDivCeil reverts */
static int mul_div(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		   const struct lx_u256 *d, bool up)
{
	struct lx_u256 p, rem, one;
	int rc = lx_u256_mul(&p, a, b);
	if (rc || (rc = lx_u256_divmod(r, &rem, &p, d)))
		return rc;
	u64(&one, 1);
	if (up && !lx_u256_is_zero(&rem))
		return lx_u256_add(r, r, &one);
	return 0;
}

static const struct lx_u256 *ray(void)
{
	static const struct lx_u256 r = {{0x9fd0803ce8000000ull, 0x33b2e3cull, 0, 0}}; /* 1e27 */
	return &r;
}

static const struct lx_u256 *bps_one(void)
{
	static const struct lx_u256 r = {{10000, 0, 0, 0}};
	return &r;
}

/* amount -> scaled units of a burn or transfer: half-up rayDiv before 3.5, TokenMath after */
static int to_scaled(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *index,
		     bool tm, bool up)
{
	if (!tm)
		return lx_ray_div(r, x, index);
	return mul_div(r, x, ray(), index, up);
}

/* scaled units -> balance: half-up rayMul before 3.5, TokenMath after */
static int from_scaled(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *index,
		       bool tm, bool up)
{
	if (!tm)
		return lx_ray_mul(r, x, index);
	return mul_div(r, x, index, ray(), up);
}

struct calc {
	struct lx_u256 coll;      /* collateral to the liquidator (fee deducted) */
	struct lx_u256 debt;      /* debt repaid */
	struct lx_u256 fee;       /* protocol fee before the clamp */
	struct lx_u256 coll_base; /* 3.3: collateralToLiquidateInBaseCurrency (fee included) */
};

/*
 * LiquidationLogic._calculateAvailableCollateralToLiquidate. v2: Aave V2's
 * LendingPoolCollateralManager applies the bonus before the division
 * ((dprice * debt * cunit).percentMul(bonus) / (cprice * dunit)); V3 divides first.
 */
static int available_collateral(struct calc *c, const struct lx_liq_rules *ru,
				const struct lx_u256 *cprice, const struct lx_u256 *cunit,
				const struct lx_u256 *dprice, const struct lx_u256 *dunit,
				const struct lx_u256 *debt_to_cover, const struct lx_u256 *balance,
				uint16_t bonus_bps, uint16_t fee_bps, bool v2)
{
	struct lx_u256 num, den, base, maxc, amount, t, bonus;
	int rc;
	bool r37 = ru->bonus_floor_fee_ceil;
	u64(&bonus, bonus_bps);
	if ((rc = lx_u256_mul(&num, dprice, debt_to_cover)) || (rc = lx_u256_mul(&num, &num, cunit)) ||
	    (rc = lx_u256_mul(&den, cprice, dunit)))
		return rc;
	if (v2 ? (rc = lx_percent_mul(&base, &num, &bonus)) || (rc = lx_u256_div(&maxc, &base, &den))
	       : (rc = lx_u256_div(&base, &num, &den)) ||
			 (rc = r37 ? mul_div(&maxc, &base, &bonus, bps_one(), false)
				   : lx_percent_mul(&maxc, &base, &bonus)))
		return rc;
	if (lx_u256_cmp(&maxc, balance) > 0) {
		amount = *balance;
		if ((rc = lx_u256_mul(&num, cprice, &amount)) || (rc = lx_u256_mul(&num, &num, dunit)) ||
		    (rc = lx_u256_mul(&den, dprice, cunit)) || (rc = lx_u256_div(&t, &num, &den)) ||
		    (rc = ru->token_math ? mul_div(&c->debt, &t, bps_one(), &bonus, true)
					 : lx_percent_div(&c->debt, &t, &bonus)))
			return rc;
	} else {
		amount = maxc;
		c->debt = *debt_to_cover;
	}
	if ((rc = base_of(&c->coll_base, &amount, cprice, cunit)))
		return rc;
	u64(&c->fee, 0);
	if (fee_bps) {
		struct lx_u256 bc, pf;
		if ((rc = r37 ? mul_div(&t, &amount, bps_one(), &bonus, false)
			      : lx_percent_div(&t, &amount, &bonus)))
			return rc;
		if (lx_u256_sub(&bc, &amount, &t))
			return LX_EOVERFLOW; /* a bonus under 100 %: the checked subtraction reverts */
		u64(&pf, fee_bps);
		if ((rc = r37 ? mul_div(&c->fee, &bc, &pf, bps_one(), true)
			      : lx_percent_mul(&c->fee, &bc, &pf)))
			return rc;
	}
	return lx_u256_sub(&c->coll, &amount, &c->fee) ? LX_EOVERFLOW : 0;
}

/* 3.3+ MUST_NOT_LEAVE_DUST: true when the liquidation may go through */
static bool no_dust(const struct lx_market_view *mv, const struct calc *c,
		    const struct lx_u256 *debt, const struct lx_u256 *balance,
		    const struct lx_u256 *cprice, const struct lx_u256 *cunit,
		    const struct lx_u256 *dprice, const struct lx_u256 *dunit)
{
	if (lx_u256_is_zero(&mv->rules.min_leftover_base))
		return true;
	struct lx_u256 all, left, v;
	lx_u256_add(&all, &c->coll, &c->fee);
	if (lx_u256_cmp(&c->debt, debt) >= 0 || lx_u256_cmp(&all, balance) >= 0)
		return true;
	lx_u256_sub(&left, debt, &c->debt);
	if ((mv->rules.token_math ? mul_div(&v, &left, dprice, dunit, true)
				  : base_of(&v, &left, dprice, dunit)) ||
	    lx_u256_cmp(&v, &mv->rules.min_leftover_base) < 0)
		return false;
	lx_u256_sub(&left, balance, &all);
	if (base_of(&v, &left, cprice, cunit) || lx_u256_cmp(&v, &mv->rules.min_leftover_base) < 0)
		return false;
	return true;
}

/* Takes x out of a balance kept as scaled units: scaled -= x in scaled units (an aToken burn or
 * transfer rounds up from 3.5, a debt burn down; half-up before), amount read back from scaled
 * (aToken down, debt up from 3.5); raw amount -= x for views without indexes. *units gets the
 * scaled units taken (x itself without indexes): a burn of 0 units reverts on chain.
 * LX_EOVERFLOW on underflow, where the token's _burn/_transfer would revert. */
static int take(struct lx_u256 *scaled, struct lx_u256 *amount, struct lx_u256 *units,
		const struct lx_u256 *x, const struct lx_u256 *index, bool tm, bool atoken)
{
	int rc;
	*units = *x;
	if (lx_u256_is_zero(index) || lx_u256_is_zero(scaled))
		return lx_u256_sub(amount, amount, x) ? LX_EOVERFLOW : 0;
	if ((rc = to_scaled(units, x, index, tm, atoken)))
		return rc;
	if (lx_u256_sub(scaled, scaled, units))
		return LX_EOVERFLOW;
	return from_scaled(amount, scaled, index, tm, !atoken);
}

static void zero_debt(struct lx_asset_pos *p)
{
	u64(&p->borrowed, 0);
	u64(&p->borrowed_variable, 0);
	u64(&p->borrowed_stable, 0);
	u64(&p->scaled_variable, 0);
}

static int aave_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			  const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			  size_t di, const struct lx_u256 *debt_to_cover,
			  const struct lx_u256 *available, bool apply, bool v2)
{
	struct lx_asset_pos *cp = &a->pos[ci], *dp = &a->pos[di];
	const struct lx_liq_rules *ru = &mv->rules;
	struct lx_health h;
	int rc = lx_model_health(&h, mv, a, NULL);
	if (rc)
		return rc;
	struct lx_u256 one;
	u64(&one, 1000000000000000000ull);
	if (lx_u256_cmp(&h.health_factor, &one) >= 0) {
		*refusal = LX_LIQ_HEALTHY;
		return 0;
	}
	const struct lx_u256 *debt = &dp->borrowed;
	if (!cp->collateral || !cp->liq_threshold_bps || lx_u256_is_zero(&cp->supplied) ||
	    lx_u256_is_zero(debt)) {
		*refusal = LX_LIQ_NO_PAIR;
		return 0;
	}
	const struct lx_asset_info *ca = &mv->assets[cp->asset], *da = &mv->assets[dp->asset];
	struct lx_u256 cunit, dunit, maxliq, t;
	if ((rc = lx_u256_pow10(&cunit, ca->decimals)) || (rc = lx_u256_pow10(&dunit, da->decimals)))
		return rc;
	const struct lx_u256 *cprice = &cp->price, *dprice = &dp->price;
	uint16_t cf = 10000;
	if (!ru->position_close_factor) {
		cf = lx_u256_cmp(&h.health_factor, &ru->full_close_hf) > 0 ? ru->default_close_factor_bps
									   : ru->max_close_factor_bps;
		u64(&t, cf);
		if ((rc = lx_percent_mul(&maxliq, debt, &t)))
			return rc;
	} else {
		struct lx_u256 db, cb, half;
		maxliq = *debt;
		if ((rc = ru->token_math ? mul_div(&db, debt, dprice, &dunit, true)
					 : base_of(&db, debt, dprice, &dunit)) ||
		    (rc = base_of(&cb, &cp->supplied, cprice, &cunit)))
			return rc;
		if (lx_u256_cmp(&cb, &ru->min_base_full_close) >= 0 &&
		    lx_u256_cmp(&db, &ru->min_base_full_close) >= 0 &&
		    lx_u256_cmp(&h.health_factor, &ru->full_close_hf) > 0) {
			u64(&t, ru->default_close_factor_bps);
			if ((rc = lx_percent_mul(&half, &h.total_debt_base, &t)))
				return rc;
			if (lx_u256_cmp(&db, &half) > 0) {
				if ((rc = lx_u256_mul(&t, &half, &dunit)) ||
				    (rc = lx_u256_div(&maxliq, &t, dprice)))
					return rc;
				cf = ru->default_close_factor_bps;
			}
		}
	}
	struct lx_u256 ask = maxliq;
	if (debt_to_cover && lx_u256_cmp(debt_to_cover, &maxliq) < 0)
		ask = *debt_to_cover;
	struct calc c;
	if ((rc = available_collateral(&c, ru, cprice, &cunit, dprice, &dunit, &ask, &cp->supplied,
				       cp->liq_bonus_bps, ca->liq_protocol_fee_bps, v2)))
		return rc;
	if (!no_dust(mv, &c, debt, &cp->supplied, cprice, &cunit, dprice, &dunit)) {
		if (debt_to_cover) {
			*refusal = LX_LIQ_DUST;
			return 0;
		}
		/* a liquidator asks for the largest amount that leaves no dust: feasibility only
		 * shrinks as the amount grows, so bisect on [0, ask) */
		struct lx_u256 lo = {{0}}, hi = ask, mid, oneu;
		u64(&oneu, 1);
		bool found = false;
		struct calc best;
		while (lx_u256_cmp(&lo, &hi) < 0) {
			lx_u256_add(&mid, &lo, &hi);
			lx_u256_add(&mid, &mid, &oneu);
			lx_u256_shr(&mid, &mid, 1);
			struct calc m;
			if (!lx_u256_cmp(&mid, &ask))
				break;
			if ((rc = available_collateral(&m, ru, cprice, &cunit, dprice, &dunit, &mid,
						       &cp->supplied, cp->liq_bonus_bps,
						       ca->liq_protocol_fee_bps, v2)))
				return rc;
			if (no_dust(mv, &m, debt, &cp->supplied, cprice, &cunit, dprice, &dunit)) {
				lo = mid;
				best = m;
				found = true;
			} else {
				lx_u256_sub(&hi, &mid, &oneu);
			}
		}
		if (!found || lx_u256_is_zero(&best.coll)) {
			*refusal = LX_LIQ_DUST;
			return 0;
		}
		c = best;
		ask = lo;
	}
	if (lx_u256_is_zero(&c.debt) || lx_u256_is_zero(&c.coll)) {
		/* nothing to repay or to seize: the token's burn of 0 reverts (INVALID_BURN_AMOUNT) */
		*refusal = LX_LIQ_NO_PAIR;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	out->debt_to_cover = ask;
	out->debt_repaid = c.debt;
	out->collateral_seized = out->collateral_out = c.coll; /* the fee is apart */
	out->protocol_fee = c.fee;
	out->hf_before = h.health_factor;
	out->close_factor_bps = cf;
	out->receive_atoken = available && lx_u256_cmp(&c.coll, available) > 0;
	bool tm = ru->token_math;
	const struct lx_u256 *bidx = &da->borrow_index, *lidx = &ca->liquidity_index;
	bool cidx = !lx_u256_is_zero(lidx) && !lx_u256_is_zero(&cp->scaled_supplied);
	struct lx_u256 all;
	lx_u256_add(&all, &c.coll, &c.fee);
	out->collateral_cleared = lx_u256_eq(&all, &cp->supplied);
	bool no_coll_left = ru->deficit && lx_u256_eq(&h.total_collateral_base, &c.coll_base);
	if (ru->no_collateral_scaled && cidx) {
		/* 3.7: the scaled units the seizure and the fee consume (capped at the balance), valued
		 * back, against the account's collateral; either clears the collateral flag */
		struct lx_u256 s1, s2, used, v;
		if ((rc = to_scaled(&s1, &c.coll, lidx, tm, true)) ||
		    (rc = to_scaled(&s2, &c.fee, lidx, tm, true)) || (rc = lx_u256_add(&used, &s1, &s2)))
			return rc;
		if (lx_u256_cmp(&used, &cp->scaled_supplied) > 0)
			used = cp->scaled_supplied;
		bool fully = lx_u256_eq(&used, &cp->scaled_supplied);
		if ((rc = from_scaled(&v, &used, lidx, tm, false)) ||
		    (rc = base_of(&v, &v, cprice, &cunit)))
			return rc;
		no_coll_left = ru->deficit && lx_u256_eq(&v, &h.total_collateral_base);
		out->collateral_cleared = fully || no_coll_left;
	}
	*refusal = LX_LIQ_OK;

	/* the account after the liquidation: on a copy, so a revert leaves a untouched */
	struct lx_asset_pos cpn = *cp, dpn = *dp;
	struct lx_u256 units;
	if (no_coll_left) {
		/* 3.3 _burnDebtTokens: the whole reserve debt burnt, the rest becomes deficit */
		struct lx_u256 left, v;
		lx_u256_sub(&left, debt, &c.debt);
		if ((rc = base_of(&v, &left, dprice, &dunit)))
			return rc;
		out->deficit_base = v;
		zero_debt(&dpn);
	} else if (lx_u256_cmp(&dpn.borrowed_variable, &c.debt) >= 0) {
		bool scaled = !lx_u256_is_zero(bidx) && !lx_u256_is_zero(&dpn.scaled_variable);
		if ((rc = take(&dpn.scaled_variable, &dpn.borrowed_variable, &units, &c.debt, bidx, tm,
			       false)))
			return rc;
		if (lx_u256_is_zero(&units)) {
			/* the debt token's burn of 0 scaled units reverts (InvalidBurnAmount) */
			*refusal = LX_LIQ_NO_PAIR;
			return 0;
		}
		if ((rc = lx_u256_add(&dpn.borrowed, &dpn.borrowed_variable, &dpn.borrowed_stable)))
			return rc;
		/* setBorrowing(false): 3.5+ when no scaled debt is left, before when all was repaid
		 * (a scaled residue then no longer counts) */
		if (tm && scaled ? lx_u256_is_zero(&dpn.scaled_variable) : lx_u256_eq(&c.debt, debt))
			zero_debt(&dpn);
	} else {
		/* variable debt first, then stable (3.0-3.1), which keeps balance - amount */
		lx_u256_sub(&t, &c.debt, &dpn.borrowed_variable);
		u64(&dpn.borrowed_variable, 0);
		u64(&dpn.scaled_variable, 0);
		if (lx_u256_sub(&dpn.borrowed_stable, &dpn.borrowed_stable, &t))
			return LX_EOVERFLOW;
		dpn.borrowed = dpn.borrowed_stable;
		if (lx_u256_eq(&c.debt, debt))
			zero_debt(&dpn);
	}
	/* collateral: burn (or transfer) the seized part, then the fee, clamped to what is left */
	if (ci == di)
		cpn = dpn;
	if (cidx) {
		if ((rc = take(&cpn.scaled_supplied, &cpn.supplied, &units, &c.coll, lidx, tm, true)))
			return rc;
		if (lx_u256_is_zero(&units) && !out->receive_atoken) {
			*refusal = LX_LIQ_NO_PAIR; /* the aToken's burn of 0 scaled units reverts */
			return 0;
		}
		if (!lx_u256_is_zero(&out->protocol_fee)) {
			struct lx_u256 sf;
			if ((rc = to_scaled(&sf, &out->protocol_fee, lidx, tm, true)))
				return rc;
			if (lx_u256_cmp(&sf, &cpn.scaled_supplied) > 0) {
				/* the treasury gets the whole scaled balance left, valued back */
				if ((rc = from_scaled(&out->protocol_fee, &cpn.scaled_supplied, lidx, tm,
						      false)))
					return rc;
				out->protocol_fee_clamped = true;
				u64(&cpn.scaled_supplied, 0);
				u64(&cpn.supplied, 0);
			} else if ((rc = take(&cpn.scaled_supplied, &cpn.supplied, &units,
					      &out->protocol_fee, lidx, tm, true))) {
				return rc;
			}
		}
	} else {
		if (lx_u256_sub(&cpn.supplied, &cpn.supplied, &c.coll))
			return LX_EOVERFLOW;
		if (lx_u256_cmp(&out->protocol_fee, &cpn.supplied) > 0) {
			out->protocol_fee = cpn.supplied;
			out->protocol_fee_clamped = true;
		}
		lx_u256_sub(&cpn.supplied, &cpn.supplied, &out->protocol_fee);
	}
	if (out->collateral_cleared)
		cpn.collateral = false;
	if (!apply)
		return 0;
	if (ci == di) {
		*cp = cpn;
	} else {
		*dp = dpn;
		*cp = cpn;
	}
	if (no_coll_left) {
		/* 3.3 _burnBadDebt: every other debt of the account becomes deficit */
		for (size_t k = 0; k < a->n_pos; k++) {
			struct lx_asset_pos *p = &a->pos[k];
			if (lx_u256_is_zero(&p->borrowed))
				continue;
			struct lx_u256 unit, v;
			if ((rc = lx_u256_pow10(&unit, mv->assets[p->asset].decimals)) ||
			    (rc = base_of(&v, &p->borrowed, &p->price, &unit)) ||
			    (rc = lx_u256_add(&out->deficit_base, &out->deficit_base, &v)))
				return rc;
			zero_debt(p);
		}
	}
	return 0;
}

static int liquidate_op(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			size_t di, const struct lx_u256 *debt_to_cover,
			const struct lx_u256 *available, bool apply, bool v2)
{
	memset(out, 0, sizeof(*out));
	*refusal = LX_LIQ_NO_PAIR;
	switch (mv->health_method) {
	case LX_HEALTH_AAVE_V3:
	case LX_HEALTH_AAVE_V35:
	case LX_HEALTH_AAVE_V36: {
		struct lx_liq_result r;
		int rc = aave_liquidate(&r, refusal, mv, a, ci, di, debt_to_cover, available, apply,
					v2);
		if (rc) {
			*refusal = LX_LIQ_NO_PAIR;
			return rc;
		}
		if (*refusal == LX_LIQ_OK)
			*out = r;
		return 0;
	}
	default:
		return LX_EINVAL;
	}
}

/* Aave's liquidate op (lx_aave_v3_market_ops) */
int lx_aave_v3_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			 const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			 size_t di, const struct lx_u256 *debt_to_cover,
			 const struct lx_u256 *available, bool apply)
{
	return liquidate_op(out, refusal, mv, a, ci, di, debt_to_cover, available, apply, false);
}

/* Aave V2's (lx_aave_v2_market_ops): V3.0's routine with V2's collateral rounding; the close
 * factor and the absence of fee, dust rule and deficit come from the view's rules */
int lx_aave_v2_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			 const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			 size_t di, const struct lx_u256 *debt_to_cover,
			 const struct lx_u256 *available, bool apply)
{
	return liquidate_op(out, refusal, mv, a, ci, di, debt_to_cover, available, apply, true);
}
