/*
 * cascade.c: liquidation cascades under oracle shocks (see risk.h, docs/risk.md).
 *
 * A round is one oracle price level (one block). In it every account below HF 1 is liquidated
 * with the protocol's own routine (lx_model_liquidate: close factor, bonus, fee and its clamp,
 * dust and deficit rules, balances moved through the indexes as the tokens move them), and
 * again while it stays below 1 and a liquidation is possible — as liquidators do within a
 * block. Each time the liquidator takes the pair that pays it most (bonus at oracle prices) and
 * skips the account when that does not cover the gas cost. The seized collateral that comes
 * out as underlying is sold into the market model; the oracle follows the market only past
 * its feed's deviation threshold (Chainlink); a new oracle price starts the next round. The
 * cascade stops when no liquidation happens or no oracle moves.
 *
 * Several markets together (lx_risk_cascade_views: every deployment of a store): the rounds go
 * in lockstep; a shock on a token moves it in every market of its chain that lists it; each
 * market's sales go into its own market model and a token's move is the product of the moves
 * of the markets that traded it, applied to every market listing it, so a liquidation on one
 * protocol moves the prices the others' oracles follow in the next round.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lendex/dex.h"
#include "lendex/risk.h"

static void u(struct lx_u256 *r, uint64_t v)
{
	lx_u256_from_u64(r, v);
}

void lx_cascade_release(struct lx_cascade *c)
{
	if (!c)
		return;
	free(c->liq);
	free(c->unliq);
	free(c->swaps);
	for (size_t r = 0; r < LX_CASCADE_MAX_ROUNDS; r++) {
		free(c->rounds[r].oracle);
		free(c->rounds[r].market);
	}
	memset(c, 0, sizeof(*c));
}

static double base_value(const struct lx_market_view *mv, uint32_t asset,
			 const struct lx_u256 *amt, const struct lx_u256 *price)
{
	return lx_u256_to_double(amt) * lx_u256_to_double(price) / pow(10, mv->assets[asset].decimals) *
	       lx_model_price_to_base(mv);
}

/* price * (10000 + bps) / 10000, floored at 0 */
static void move_bps(struct lx_u256 *p, int32_t bps)
{
	struct lx_u256 f, d;
	if (bps < -10000)
		bps = -10000;
	u(&f, (uint64_t)(10000 + bps));
	u(&d, 10000);
	lx_u256_muldiv(p, p, &f, &d);
}

/* The entry whose liquidity an asset pays out of: Spokes drawing from one Aave V4 Hub asset
 * share it (hub_slot); every other asset is its own. */
static uint32_t pool_of(const struct lx_market_view *mv, uint32_t k)
{
	return mv->assets[k].hub_slot ? mv->assets[k].hub_slot - 1 : k;
}

struct best {
	bool found;
	size_t ci, di;
	double profit;
	struct lx_liq_result r;
	enum lx_liq_refusal why;  /* when nothing was found: the last refusal seen */
};

/*
 * The pair a bot picks: of every (collateral, debt) pair the protocol would liquidate, the one
 * whose seized collateral minus repaid debt, both at oracle prices, is largest (ties: lowest
 * position indexes, i.e. reserve order).
 */
static int pick(const struct lx_market_view *mv, struct lx_account_view *a,
		const struct lx_u256 *available, struct best *b)
{
	memset(b, 0, sizeof(*b));
	b->why = LX_LIQ_NO_PAIR;
	for (size_t ci = 0; ci < a->n_pos; ci++) {
		const struct lx_asset_pos *cp = &a->pos[ci];
		if (!cp->collateral || lx_u256_is_zero(&cp->supplied))
			continue;
		for (size_t di = 0; di < a->n_pos; di++) {
			if (lx_u256_is_zero(&a->pos[di].borrowed))
				continue;
			struct lx_liq_result r;
			enum lx_liq_refusal why;
			int rc = lx_model_liquidate(&r, &why, mv, a, ci, di, NULL,
						    &available[pool_of(mv, cp->asset)], false);
			if (rc)
				return rc;
			if (why != LX_LIQ_OK) {
				if (why != LX_LIQ_NO_PAIR)
					b->why = why;
				continue;
			}
			double gain = base_value(mv, cp->asset, &r.collateral_out, &cp->price) -
				      base_value(mv, a->pos[di].asset, &r.debt_repaid, &a->pos[di].price);
			if (!b->found || gain > b->profit) {
				b->found = true;
				b->ci = ci;
				b->di = di;
				b->profit = gain;
				b->r = r;
			}
		}
	}
	return 0;
}

/* Positions priced by an asset's oracle answer follow it; a feed that is no listed asset (an
 * e-mode category's own price source) is not shocked and keeps its answer. */
static void reprice(const struct lx_market_view *mv, size_t i, struct lx_account_view *a,
		    const struct lx_u256 *oracle)
{
	(void)i;
	for (size_t k = 0; k < a->n_pos; k++) {
		uint32_t f = lx_model_feed_of(mv, &a->pos[k]);
		if (f < mv->n_assets)
			a->pos[k].price = oracle[f];
	}
}

/* Debt of accounts that have debt and no collateral, at the positions' prices. */
static double no_collateral_debt(const struct lx_market_view *mv, struct lx_account_view *acc,
				 const struct lx_u256 *oracle)
{
	double bad = 0;
	for (size_t i = 0; i < mv->n_accounts; i++) {
		struct lx_health h;
		if (oracle)
			reprice(mv, i, &acc[i], oracle);
		if (lx_model_health(&h, mv, &acc[i], NULL))
			continue;
		if (lx_u256_is_zero(&h.total_collateral_base))
			bad += lx_u256_to_double(&h.total_debt_base);
	}
	return bad;
}

static int push(void **arr, size_t *n, size_t *cap, size_t elem, const void *v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void *p = realloc(*arr, c * elem);
		if (!p)
			return LX_ENOMEM;
		*arr = p;
		*cap = c;
	}
	memcpy((char *)*arr + *n * elem, v, elem);
	(*n)++;
	return 0;
}

/* The percentage model: each asset's price falls by (value sold / depth per 1 %) percent. */
static void percent_market(const struct lx_market_view *mv, const double *sold,
			   const struct lx_u256 *price0, double share, struct lx_u256 *market,
			   double *proceeds)
{
	for (size_t k = 0; k < mv->n_assets; k++) {
		if (sold[k] <= 0)
			continue;
		double depth = mv->assets[k].depth_base_per_pct;
		if (depth <= 0) {
			double supplied = base_value(mv, (uint32_t)k, &mv->assets[k].total_supplied,
						     &price0[k]);
			depth = supplied * share;
			if (depth <= 0)
				depth = sold[k];
		}
		double pct = sold[k] / depth;
		if (pct > 99)
			pct = 99;
		/* linear impact: the sale is paid at the mean of the prices before and after */
		*proceeds += sold[k] * (1 - pct / 200);
		struct lx_u256 f, d = {{1000000, 0, 0, 0}};
		u(&f, (uint64_t)llround((100 - pct) * 10000));
		lx_u256_muldiv(&market[k], &market[k], &f, &d);
	}
}

struct run {
	const struct lx_market_view *mv; /* &view: the caller's, with assets of the run's own */
	struct lx_market_view view;
	const struct lx_market_view *orig; /* the caller's view, as it was: the depth model's */
	struct lx_asset_info *assets;    /* the market state liquidations move (Morpho: totals) */
	const struct lx_cascade_opts *o;
	struct lx_cascade *out;
	struct lx_account_view *acc;
	struct lx_asset_pos *pool;
	struct lx_u256 *price0, *oracle, *market, *available, *sell, *buy;
	double *sold;
	struct lx_dex *dex;
	size_t liq_cap, unliq_cap;
};

static void run_free(struct run *r)
{
	free(r->assets);
	free(r->acc);
	free(r->pool);
	free(r->price0);
	free(r->oracle);
	free(r->market);
	free(r->available);
	free(r->sell);
	free(r->buy);
	free(r->sold);
	lx_dex_destroy(r->dex);
}

/* One round at the current oracle prices. Returns the number of liquidations or < 0. */
static int liquidate_round(struct run *R, size_t rn, struct lx_error *err)
{
	const struct lx_market_view *mv = R->mv;
	struct lx_cascade *out = R->out;
	struct lx_cascade_round *rd = &out->rounds[rn];
	unsigned per = R->o->max_per_account ? R->o->max_per_account : 64;
	size_t na = mv->n_assets;
	for (size_t k = 0; k < na; k++) {
		u(&R->sell[k], 0);
		u(&R->buy[k], 0);
	}
	memset(R->sold, 0, na * sizeof(*R->sold));
	for (size_t i = 0; i < mv->n_accounts; i++) {
		struct lx_account_view *a = &R->acc[i];
		reprice(mv, i, a, R->oracle);
		bool counted = false;
		for (unsigned seq = 0; seq < per; seq++) {
			struct best b;
			int rc = pick(mv, a, R->available, &b);
			if (rc) {
				char ad[LX_ADDR_STRLEN];
				lx_addr_checksum(ad, &a->account);
				return lx_error_set(err, rc, "cascade: liquidating %s in round %zu: %s", ad,
						    rn + 1, lx_strerror(rc));
			}
			if (!b.found || b.profit < R->o->gas_cost_base)
				break;
			struct lx_liq_result r;
			enum lx_liq_refusal why;
			struct lx_asset_pos *cp = &a->pos[b.ci], *dp = &a->pos[b.di];
			uint32_t ca = cp->asset, da = dp->asset;
			struct lx_u256 cprice = cp->price, dprice = dp->price;
			uint32_t cpool = pool_of(mv, ca), dpool = pool_of(mv, da);
			if ((rc = lx_model_liquidate(&r, &why, mv, a, b.ci, b.di, NULL,
						     &R->available[cpool], true)) ||
			    why != LX_LIQ_OK)
				return lx_error_set(err, rc ? rc : LX_EINVAL,
						    "cascade: liquidation arithmetic failed");
			struct lx_liquidation l;
			memset(&l, 0, sizeof(l));
			l.round = rn + 1;
			l.account = i;
			l.seq = seq + 1;
			l.collateral_asset = ca;
			l.debt_asset = da;
			l.debt_to_cover = r.debt_to_cover;
			l.debt_repaid = r.debt_repaid;
			l.collateral_seized = r.collateral_seized;
			l.protocol_fee = r.protocol_fee;
			l.hf_before = r.hf_before;
			l.deficit_base = r.deficit_base;
			l.premium_repaid_ray = r.premium_repaid_ray;
			l.fee_shares = r.fee_shares;
			l.close_factor_bps = r.close_factor_bps;
			l.receive_atoken = r.receive_atoken;
			l.protocol_fee_clamped = r.protocol_fee_clamped;
			l.profit = b.profit;
			l.collateral_after = a->pos[b.ci].supplied;
			l.debt_after = a->pos[b.di].borrowed;
			if (push((void **)&out->liq, &out->n_liq, &R->liq_cap, sizeof(l), &l))
				return lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
			if (!counted)
				rd->accounts++;
			counted = true;
			rd->liquidations++;
			/* collateral taken from the account: the liquidator's and the protocol's */
			struct lx_u256 all;
			lx_u256_add(&all, &r.collateral_out, &r.protocol_fee);
			rd->debt_repaid += base_value(mv, da, &r.debt_repaid, &dprice);
			rd->collateral_seized += base_value(mv, ca, &all, &cprice);
			out->deficit += lx_u256_to_double(&r.deficit_base);
			/* the repaid debt comes back into the debt reserve as liquidity */
			lx_u256_add(&R->available[dpool], &R->available[dpool], &r.debt_repaid);
			lx_u256_add(&R->buy[da], &R->buy[da], &r.debt_repaid);
			const struct lx_u256 *got = &r.collateral_out;
			double cv = base_value(mv, ca, got, &cprice);
			if (r.receive_atoken) {
				/* aTokens: the liquidator keeps them at oracle value, nothing is sold */
				rd->profit += cv;
			} else {
				/* only the liquidator's part leaves the pool and is sold */
				if (lx_u256_sub(&R->available[cpool], &R->available[cpool], got))
					u(&R->available[cpool], 0);
				lx_u256_add(&R->sell[ca], &R->sell[ca], got);
				R->sold[ca] += cv;
				rd->collateral_sold += cv;
			}
			rd->profit -= base_value(mv, da, &r.debt_repaid, &dprice);
		}
	}
	return (int)rd->liquidations;
}

/* Why a market's cascade cannot be computed (NULL: it can). */
static const char *not_computed(const struct lx_market_view *mv)
{
	if (mv->rules.not_reproduced)
		return mv->rules.not_reproduced;
	if (!mv->ops || !mv->ops->liquidate)
		return "lendex does not model this protocol's liquidation";
	return NULL;
}

/* Allocations, the accounts' copies, the bad debt before and the shocks (market and oracle). */
static int run_init(struct run *R, const struct lx_market_view *mv, const struct lx_shock *shocks,
		    size_t n, const struct lx_cascade_opts *opts, struct lx_cascade *out,
		    struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	memset(R, 0, sizeof(*R));
	size_t na = mv->n_assets, n1 = na ? na : 1;
	/* a liquidation may move market-wide state (Morpho's totals, seen by the next one in the
	 * round): each run moves its own copy, never the caller's view */
	R->orig = mv;
	R->view = *mv;
	if (!(R->assets = malloc(n1 * sizeof(*R->assets))))
		return lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
	if (na)
		memcpy(R->assets, mv->assets, na * sizeof(*R->assets));
	R->view.assets = R->assets;
	R->mv = mv = &R->view;
	R->o = opts;
	R->out = out;
	out->n_assets = na;
	R->acc = calloc(mv->n_accounts ? mv->n_accounts : 1, sizeof(*R->acc));
	size_t np = 0;
	for (size_t i = 0; i < mv->n_accounts; i++)
		np += mv->accounts[i].n_pos;
	R->pool = calloc(np ? np : 1, sizeof(*R->pool));
	R->price0 = calloc(n1, sizeof(*R->price0));
	R->oracle = calloc(n1, sizeof(*R->oracle));
	R->market = calloc(n1, sizeof(*R->market));
	R->available = calloc(n1, sizeof(*R->available));
	R->sell = calloc(n1, sizeof(*R->sell));
	R->buy = calloc(n1, sizeof(*R->buy));
	R->sold = calloc(n1, sizeof(*R->sold));
	int rc = 0;
	if (!R->acc || !R->pool || !R->price0 || !R->oracle || !R->market || !R->available ||
	    !R->sell || !R->buy || !R->sold)
		return lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
	if (opts->dex && (rc = lx_dex_clone(&R->dex, opts->dex, err)))
		return rc;
	for (size_t k = 0; k < na; k++) {
		R->price0[k] = R->oracle[k] = R->market[k] = mv->assets[k].price;
		R->available[k] = mv->assets[k].available;
		if (lx_u256_is_zero(&R->available[k]) && !mv->available_exact)
			lx_u256_max(&R->available[k]); /* views that do not know it: unlimited */
	}
	size_t off = 0;
	for (size_t i = 0; i < mv->n_accounts; i++) {
		R->acc[i] = mv->accounts[i];
		R->acc[i].pos = R->pool + off;
		memcpy(R->acc[i].pos, mv->accounts[i].pos, mv->accounts[i].n_pos * sizeof(*R->pool));
		off += mv->accounts[i].n_pos;
	}
	out->bad_debt_before = no_collateral_debt(mv, R->acc, NULL);
	/* the shocks: market and oracle move together (a shock is past any deviation threshold);
	 * several shocks of one asset compound */
	for (size_t s = 0; s < n; s++) {
		if (shocks[s].asset >= na)
			continue;
		move_bps(&R->market[shocks[s].asset], shocks[s].bps);
		R->oracle[shocks[s].asset] = R->market[shocks[s].asset];
		size_t j;
		for (j = 0; j < out->n_shocked; j++)
			if (out->shocked[j].asset == shocks[s].asset)
				break;
		if (j == out->n_shocked && j < 16)
			out->shocked[out->n_shocked++].asset = shocks[s].asset;
	}
	if (R->dex && (rc = lx_dex_shock(R->dex, mv, R->price0, R->market, err)))
		return rc;
	return 0;
}

/* Round r's liquidations at the current oracle prices: their number, or < 0. */
static int run_liquidate(struct run *R, size_t r, struct lx_error *err)
{
	size_t n1 = R->mv->n_assets ? R->mv->n_assets : 1;
	struct lx_cascade_round *rd = &R->out->rounds[r];
	memset(rd, 0, sizeof(*rd));
	rd->oracle = malloc(n1 * sizeof(*rd->oracle));
	rd->market = malloc(n1 * sizeof(*rd->market));
	if (!rd->oracle || !rd->market)
		return lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
	memcpy(rd->oracle, R->oracle, R->mv->n_assets * sizeof(*R->oracle));
	return liquidate_round(R, r, err);
}

/* Round r's sales into the market model; the market answers with new prices (R->market). */
static int run_market(struct run *R, size_t r, struct lx_error *err)
{
	const struct lx_market_view *mv = R->mv;
	struct lx_cascade *out = R->out;
	struct lx_cascade_round *rd = &out->rounds[r];
	out->n_rounds = r + 1;
	double proceeds = 0;
	int rc;
	if (R->dex) {
		lx_dex_set_round(R->dex, r + 1);
		if ((rc = lx_dex_trade(R->dex, mv, R->sell, R->buy, R->market, &proceeds, err)))
			return rc;
	} else {
		percent_market(R->orig, R->sold, R->price0,
			       R->o->percent_depth > 0 ? R->o->percent_depth : 0.02, R->market,
			       &proceeds);
	}
	memcpy(rd->market, R->market, mv->n_assets * sizeof(*R->market));
	rd->proceeds = proceeds;
	rd->slippage = rd->collateral_sold - proceeds;
	rd->profit += proceeds;
	out->total_debt_repaid += rd->debt_repaid;
	out->total_collateral_seized += rd->collateral_seized;
	out->total_profit += rd->profit;
	out->total_slippage += rd->slippage;
	return 0;
}

/* The oracle follows the market past the feed's deviation threshold; true if one moved. */
static bool run_oracle(struct run *R, size_t r)
{
	const struct lx_market_view *mv = R->mv;
	size_t na = mv->n_assets;
	struct lx_cascade_round *rd = &R->out->rounds[r];
	/* a feed never answers 0 (AaveOracle would revert), so a drained pool reads as 1 unit */
	for (size_t k = 0; k < na; k++)
		if (lx_u256_is_zero(&R->market[k]))
			u(&R->market[k], 1);
	bool moved = false;
	for (size_t k = 0; k < na; k++) {
		if (lx_u256_eq(&R->oracle[k], &R->market[k]))
			continue;
		double o = lx_u256_to_double(&R->oracle[k]), m = lx_u256_to_double(&R->market[k]);
		double thr = R->dex ? lx_dex_threshold(R->dex, k) : 0;
		if (o > 0 && fabs(m / o - 1) >= thr) {
			R->oracle[k] = R->market[k];
			moved = true;
		}
	}
	for (size_t k = 0; k < na && k < 64; k++) {
		double p0 = lx_u256_to_double(&R->price0[k]);
		rd->price_move[k] = p0 > 0 ? lx_u256_to_double(&R->oracle[k]) / p0 - 1 : 0;
	}
	return moved;
}

/* What stays below HF 1, and why; bad debt; each shocked asset's moves. */
static int run_finish(struct run *R, const struct lx_shock *shocks, size_t n, struct lx_error *err)
{
	const struct lx_market_view *mv = R->mv;
	const struct lx_cascade_opts *opts = R->o;
	struct lx_cascade *out = R->out;
	int rc = 0;
	for (size_t i = 0; i < mv->n_accounts && !rc; i++) {
		struct lx_account_view *a = &R->acc[i];
		reprice(mv, i, a, R->oracle);
		struct lx_health h;
		struct lx_u256 one;
		u(&one, 1000000000000000000ull);
		if ((rc = lx_model_health(&h, mv, a, NULL)))
			break;
		if (lx_u256_cmp(&h.health_factor, &one) >= 0)
			continue;
		struct best b;
		if ((rc = pick(mv, a, R->available, &b)))
			break;
		struct lx_unliquidated x;
		memset(&x, 0, sizeof(x));
		x.account = i;
		x.hf = h.health_factor;
		x.debt = lx_u256_to_double(&h.total_debt_base);
		x.profit = b.found ? b.profit : 0;
		if (lx_u256_is_zero(&h.total_collateral_base))
			x.reason = LX_UNLIQ_NO_COLLATERAL;
		else if (b.found && b.profit < opts->gas_cost_base)
			x.reason = LX_UNLIQ_GAS;
		else if (!b.found && b.why == LX_LIQ_DUST)
			x.reason = LX_UNLIQ_DUST;
		else if (!b.found)
			x.reason = LX_UNLIQ_NO_COLLATERAL;
		else
			x.reason = LX_UNLIQ_LIMIT;
		if (push((void **)&out->unliq, &out->n_unliq, &R->unliq_cap, sizeof(x), &x))
			rc = lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
	}
	if (rc)
		return rc;
	out->bad_debt = no_collateral_debt(mv, R->acc, R->oracle);
	out->bad_debt_created = out->bad_debt - out->bad_debt_before + out->deficit;
	for (size_t j = 0; j < out->n_shocked; j++) {
		size_t k = out->shocked[j].asset;
		double p0 = lx_u256_to_double(&R->price0[k]);
		double i0 = 1;
		for (size_t s = 0; s < n; s++)
			if (shocks[s].asset == k)
				i0 *= 1 + (shocks[s].bps < -10000 ? -10000 : shocks[s].bps) / 10000.0;
		out->shocked[j].initial_move = i0 - 1;
		out->shocked[j].final_move = p0 > 0 ? lx_u256_to_double(&R->market[k]) / p0 - 1 : 0;
		out->shocked[j].amplification = out->shocked[j].initial_move != 0
							? out->shocked[j].final_move /
								  out->shocked[j].initial_move
							: 0;
	}
	if (out->n_shocked) {
		out->initial_move = out->shocked[0].initial_move;
		out->final_move = out->shocked[0].final_move;
		out->amplification = out->shocked[0].amplification;
	}
	if (R->dex && lx_dex_n_swaps(R->dex)) {
		out->swaps = malloc(lx_dex_n_swaps(R->dex) * sizeof(*out->swaps));
		if (!out->swaps)
			return lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
		out->n_swaps = lx_dex_n_swaps(R->dex);
		memcpy(out->swaps, lx_dex_swaps(R->dex), out->n_swaps * sizeof(*out->swaps));
	}
	return 0;
}

int lx_risk_cascade_run(const struct lx_market_view *mv, const struct lx_shock *shocks,
			size_t n, const struct lx_cascade_opts *opts, struct lx_cascade *out,
			struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	const char *why = not_computed(mv);
	if (why)
		return lx_error_set(err, LX_EINVAL, "cascade: market %s: %s", mv->name, why);
	struct lx_cascade_opts defaults;
	memset(&defaults, 0, sizeof(defaults));
	if (!opts)
		opts = &defaults;
	size_t max_rounds = opts->max_rounds;
	if (max_rounds == 0 || max_rounds > LX_CASCADE_MAX_ROUNDS)
		max_rounds = LX_CASCADE_MAX_ROUNDS;
	struct run R;
	int rc = run_init(&R, mv, shocks, n, opts, out, err);
	for (size_t r = 0; r < max_rounds && !rc; r++) {
		int nl = run_liquidate(&R, r, err);
		if (nl < 0) {
			rc = nl;
			break;
		}
		if (nl == 0) {
			out->fixed_point = true;
			break;
		}
		if ((rc = run_market(&R, r, err)))
			break;
		if (!run_oracle(&R, r)) {
			out->fixed_point = true;
			break;
		}
	}
	if (!rc)
		rc = run_finish(&R, shocks, n, err);
	run_free(&R);
	if (rc)
		lx_cascade_release(out);
	return rc;
}

/* ---- several markets together ---- */

/* a token of one chain, and which (view, asset) list it */
struct tok {
	uint64_t chain_id;
	struct lx_addr token;
	double move;                    /* this round's combined market move (ratio) */
	size_t holders;                 /* views listing it */
};

static int grow_toks(struct tok **v, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 32;
	struct tok *nv = realloc(*v, nc * sizeof(**v));
	if (!nv)
		return LX_ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

int lx_risk_cascade_views(const struct lx_market_view *const *mvs, size_t n_views,
			  const struct lx_token_shock *shocks, size_t n_shocks,
			  const struct lx_cascade_opts *opts, struct lx_cascade *outs,
			  struct lx_error *err)
{
	for (size_t v = 0; v < n_views; v++)
		memset(&outs[v], 0, sizeof(outs[v]));
	struct lx_cascade_opts defaults;
	memset(&defaults, 0, sizeof(defaults));
	if (!opts)
		opts = &defaults;
	if (opts->dex)
		return lx_error_set(err, LX_EINVAL,
				    "cascade: the DEX model is built for one market's assets; a "
				    "cascade over several markets uses the percentage model");
	size_t max_rounds = opts->max_rounds;
	if (max_rounds == 0 || max_rounds > LX_CASCADE_MAX_ROUNDS)
		max_rounds = LX_CASCADE_MAX_ROUNDS;
	struct run *R = calloc(n_views ? n_views : 1, sizeof(*R));
	struct lx_shock **sh = calloc(n_views ? n_views : 1, sizeof(*sh));
	size_t *nsh = calloc(n_views ? n_views : 1, sizeof(*nsh));
	size_t **tix = calloc(n_views ? n_views : 1, sizeof(*tix)); /* (view, asset) -> token */
	bool *live = calloc(n_views ? n_views : 1, sizeof(*live));
	struct lx_u256 **before = calloc(n_views ? n_views : 1, sizeof(*before));
	struct tok *toks = NULL;
	size_t n_toks = 0, cap_toks = 0;
	int rc = 0;
	if (!R || !sh || !nsh || !tix || !live || !before) {
		rc = lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
		goto done;
	}
	/* the tokens of every view, keyed (chain, address); each view's own shocks */
	for (size_t v = 0; v < n_views && !rc; v++) {
		const struct lx_market_view *mv = mvs[v];
		tix[v] = calloc(mv->n_assets ? mv->n_assets : 1, sizeof(*tix[v]));
		/* a token shock moves every entry of the token: a view may list it more than once
		 * (Morpho Blue: once per market), so a view can have more shocks than tokens shocked */
		sh[v] = calloc((n_shocks ? n_shocks : 1) * (mv->n_assets ? mv->n_assets : 1),
			       sizeof(*sh[v]));
		before[v] = calloc(mv->n_assets ? mv->n_assets : 1, sizeof(*before[v]));
		if (!tix[v] || !sh[v] || !before[v]) {
			rc = lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
			break;
		}
		for (size_t k = 0; k < mv->n_assets; k++) {
			size_t t = 0;
			while (t < n_toks && !(toks[t].chain_id == mv->chain_id &&
					       lx_addr_eq(&toks[t].token, &mv->assets[k].asset)))
				t++;
			if (t == n_toks &&
			    grow_toks(&toks, &cap_toks, n_toks + 1)) {
				rc = lx_error_set(err, LX_ENOMEM, "cascade: out of memory");
				break;
			}
			if (t == n_toks) {
				memset(&toks[t], 0, sizeof(toks[t]));
				toks[t].chain_id = mv->chain_id;
				toks[t].token = mv->assets[k].asset;
				n_toks++;
			}
			toks[t].holders++;
			tix[v][k] = t;
		}
		for (size_t s = 0; s < n_shocks; s++)
			for (size_t k = 0; k < mv->n_assets; k++)
				if (shocks[s].chain_id == mv->chain_id &&
				    lx_addr_eq(&shocks[s].token, &mv->assets[k].asset))
					sh[v][nsh[v]++] = (struct lx_shock){k, shocks[s].bps};
	}
	/* a market whose liquidation lendex does not reproduce sits out, said in its result */
	for (size_t v = 0; v < n_views && !rc; v++) {
		outs[v].not_computed = not_computed(mvs[v]);
		if (outs[v].not_computed)
			continue;
		const char *nc = outs[v].not_computed;
		rc = run_init(&R[v], mvs[v], sh[v], nsh[v], opts, &outs[v], err);
		outs[v].not_computed = nc;
		live[v] = true;
	}
	bool fixed = false;
	for (size_t r = 0; r < max_rounds && !rc && !fixed; r++) {
		/* every market liquidates at its oracle prices, in the same round */
		int total = 0;
		for (size_t v = 0; v < n_views && !rc; v++) {
			if (!live[v])
				continue;
			int nl = run_liquidate(&R[v], r, err);
			if (nl < 0)
				rc = nl;
			else
				total += nl;
		}
		if (rc || total == 0) {
			fixed = !rc;
			break;
		}
		/* each market sells into its model; a token moves by the product of its markets'
		 * moves, in every market listing it */
		for (size_t t = 0; t < n_toks; t++)
			toks[t].move = 1;
		for (size_t v = 0; v < n_views && !rc; v++) {
			if (!live[v])
				continue;
			memcpy(before[v], R[v].market, mvs[v]->n_assets * sizeof(*before[v]));
			if ((rc = run_market(&R[v], r, err)))
				break;
			for (size_t k = 0; k < mvs[v]->n_assets; k++) {
				double b = lx_u256_to_double(&before[v][k]);
				if (b > 0 && !lx_u256_eq(&before[v][k], &R[v].market[k]))
					toks[tix[v][k]].move *= lx_u256_to_double(&R[v].market[k]) / b;
			}
		}
		bool moved = false;
		for (size_t v = 0; v < n_views && !rc; v++) {
			if (!live[v])
				continue;
			for (size_t k = 0; k < mvs[v]->n_assets; k++) {
				const struct tok *tk = &toks[tix[v][k]];
				if (tk->holders < 2 || tk->move == 1)
					continue; /* moved by this market alone: its own answer stands */
				/* move in parts per 1e12, applied to the price before this round */
				struct lx_u256 f, d;
				u(&f, (uint64_t)llround(tk->move * 1e12));
				u(&d, 1000000000000ull);
				if (lx_u256_muldiv(&R[v].market[k], &before[v][k], &f, &d))
					lx_u256_max(&R[v].market[k]);
			}
			memcpy(R[v].out->rounds[r].market, R[v].market,
			       mvs[v]->n_assets * sizeof(*R[v].market));
			moved |= run_oracle(&R[v], r);
		}
		if (!moved)
			fixed = true;
	}
	for (size_t v = 0; v < n_views && !rc; v++) {
		if (!live[v])
			continue;
		outs[v].fixed_point = fixed;
		rc = run_finish(&R[v], sh[v], nsh[v], err);
	}
done:
	for (size_t v = 0; v < n_views; v++) {
		if (R && live && live[v])
			run_free(&R[v]);
		if (sh)
			free(sh[v]);
		if (tix)
			free(tix[v]);
		if (before)
			free(before[v]);
		if (rc)
			lx_cascade_release(&outs[v]);
	}
	free(R);
	free(sh);
	free(nsh);
	free(tix);
	free(live);
	free(before);
	free(toks);
	return rc;
}

int lx_risk_cascade(const struct lx_market_view *mv, const struct lx_shock *shocks, size_t n,
		    size_t max_rounds, struct lx_cascade *out, struct lx_error *err)
{
	struct lx_cascade_opts o;
	memset(&o, 0, sizeof(o));
	o.max_rounds = max_rounds;
	return lx_risk_cascade_run(mv, shocks, n, &o, out, err);
}

/*
 * A percentage as people write it: [+-]digits[.digits][%]. strtod alone also takes "nan",
 * "inf", "0x1p3" and "1e2", and a NaN passed every range check and became a 0 % shock.
 */
static int parse_pct(const char *s, double *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	size_t digits = 0;
	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits || (*p && strcmp(p, "%")) || p - s > 24)
		return -1;
	char buf[32];
	memcpy(buf, s, (size_t)(p - s));
	buf[p - s] = 0;
	*out = strtod(buf, NULL);
	return isfinite(*out) ? 0 : -1;
}

int lx_risk_parse_shock(const struct lx_market_view *mv, const char *spec,
			const char *const *group_names, const uint16_t *group_ids, size_t n_groups,
			struct lx_shock *out, size_t cap, size_t *n, struct lx_error *err)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return lx_error_set(err, LX_EUSAGE, "bad shock '%s': expected ASSET=-20%%", spec);
	char name[64];
	size_t nl = (size_t)(eq - spec);
	if (nl >= sizeof(name))
		return lx_error_set(err, LX_EUSAGE, "bad shock '%s': asset name too long", spec);
	memcpy(name, spec, nl);
	name[nl] = 0;
	double pct;
	if (parse_pct(eq + 1, &pct) || pct < -100 || pct > 1000)
		return lx_error_set(err, LX_EUSAGE,
				    "bad shock '%s': expected a percentage from -100%% to 1000%% like "
				    "-20%%",
				    spec);
	int32_t bps = (int32_t)llround(pct * 100);
	size_t before = *n;
	if (!strncmp(name, "group:", 6)) {
		uint16_t gid = 0;
		for (size_t g = 0; g < n_groups; g++)
			if (!strcmp(group_names[g], name + 6))
				gid = group_ids[g];
		for (size_t a = 0; gid && a < mv->n_assets; a++)
			if (mv->assets[a].group == gid && *n < cap)
				out[(*n)++] = (struct lx_shock){a, bps};
	} else {
		/* a token listed in several sub-markets of the view (Morpho Blue: one entry per
		 * market it is in, each priced by that market's oracle) moves in all of them; a
		 * symbol names the token of its first match (two tokens sharing a symbol are not
		 * both moved) */
		struct lx_addr addr;
		bool is_addr = lx_addr_parse(&addr, name, NULL) == 0;
		bool found = is_addr;
		for (size_t a = 0; !found && a < mv->n_assets; a++)
			if (!strcasecmp(mv->assets[a].symbol, name)) {
				addr = mv->assets[a].asset;
				found = true;
			}
		for (size_t a = 0; found && a < mv->n_assets; a++)
			if (lx_addr_eq(&addr, &mv->assets[a].asset) &&
			    (is_addr || !strcasecmp(mv->assets[a].symbol, name)) && *n < cap)
				out[(*n)++] = (struct lx_shock){a, bps};
	}
	if (*n == before)
		return lx_error_set(err, LX_EUSAGE, "bad shock '%s': no asset or group '%s' in this market",
				    spec, name);
	/* an asset shocked twice (twice named, or named and in a group) would silently keep only
	 * one of the two moves: refuse it */
	for (size_t i = before; i < *n; i++)
		for (size_t j = 0; j < before; j++)
			if (out[i].asset == out[j].asset) {
				size_t a = out[i].asset;
				*n = before;
				return lx_error_set(err, LX_EUSAGE,
						    "bad shock '%s': %s is already shocked by %+.2f%% "
						    "from an earlier --shock (one move per asset)",
						    spec,
						    mv->assets[a].symbol[0] ? mv->assets[a].symbol : name,
						    out[j].bps / 100.0);
			}
	return 0;
}
