/*
 * risk.h: the risk pass over a protocol-neutral market view (model.h): leverage and loop
 * depth, health-factor bands and clusters, liquidation-price ladders, and liquidation cascades
 * under oracle shocks. Reads positions, assets and prices only — never events or the store —
 * so it works for every protocol that can build a view. Definitions: docs/risk.md.
 */
#ifndef LENDEX_RISK_H
#define LENDEX_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/dex.h"
#include "lendex/err.h"
#include "lendex/model.h"

/* ---- leverage ---- */

/* Loop rounds of one account (loops.c; definition in docs/risk.md, "Loop depth"). */
struct lx_loops {
	unsigned rounds;           /* open rounds now (current exposure): the loop depth */
	unsigned correlated;       /* of rounds: debt and collateral in one correlation group */
	unsigned directional;      /* of rounds: debt and collateral in different groups */
	unsigned flash;            /* of rounds: built in a transaction that took a flash loan */
	unsigned built;            /* rounds ever built, closed ones included */
	double looped_collateral;  /* base units: what the open rounds supplied, at view prices */
	unsigned across;           /* of rounds: borrowed in one market, supplied in another
				    * (lx_risk_loops_across; 0 from lx_risk_loops) */
};
/* Matching rules; NULL = lx_loop_defaults (window 100 blocks, value ratio 0.5..2). */
struct lx_loop_params {
	uint64_t window_blocks;    /* a later supply pairs with a borrow at most this old */
	double min_ratio;          /* supply value / open borrow value, lower bound */
	double max_ratio;          /* upper bound for a supply in a later transaction */
};
#define LX_LOOP_WINDOW_BLOCKS 100
extern const struct lx_loop_params lx_loop_defaults;
/*
 * Finds the loop rounds in a's flows (a must belong to mv; mv->market_flows marks flash-loan
 * transactions). Fills *out (zeroed first). Errors: LX_EINVAL (NULL argument), LX_ENOMEM.
 */
int lx_risk_loops(const struct lx_market_view *mv, const struct lx_account_view *a,
		  const struct lx_loop_params *p, struct lx_loops *out);
/*
 * One market of a chain, for loops across markets: its view (with flows), and per asset of the
 * view the USD value of one whole token, 8 decimals (usd[i] zero: no USD price; its flows are
 * left out) and
 * a chain-wide correlation class (class[i]: equal for the same token in every market and for
 * tokens of one named group; 0 = none).
 */
struct lx_loop_market {
	const struct lx_market_view *mv;
	const struct lx_u256 *usd;
	const uint16_t *klass;
};
/*
 * Loop rounds of one account over every market it is on (loops.c): its flows in all markets
 * merged in (block, log) order, each asset kept apart per market (a repay or a withdrawal only
 * closes legs of its own market) but valued in USD, so a borrow on one protocol pairs with the
 * supply of its proceeds on another by lx_risk_loops's rules. A supply that cannot be
 * collateral where it lands (an asset with no liquidation threshold there: a Morpho loan
 * token, Comet's base) is lending, not a loop leg. out->across counts the open rounds whose
 * borrow and supply are in different markets. Errors: LX_EINVAL, LX_ENOMEM.
 */
int lx_risk_loops_across(const struct lx_loop_market *m, size_t n, const struct lx_addr *account,
			 const struct lx_loop_params *p, struct lx_loops *out);
/* The loop depth alone (lx_risk_loops(...).rounds; 0 on error): exposed for tests. */
unsigned lx_risk_loop_depth(const struct lx_market_view *mv, const struct lx_account_view *a);

struct lx_leverage {
	size_t account;            /* index in mv->accounts */
	double collateral, debt;   /* base units, collateral counted at full value */
	double leverage;           /* collateral / (collateral - debt); INFINITY if bad debt */
	bool bad_debt;             /* debt > 0 and collateral <= debt (equity <= 0) */
	unsigned depth;            /* loops.rounds */
	struct lx_loops loops;
	double implied_depth;      /* rounds a loop at the account's LTV needs for this leverage */
	bool toxic;                /* bad debt, or debt/collateral > 1/(1+bonus): a liquidation
				      raises the LTV */
};

#define LX_RISK_MAX_DEPTH 16
struct lx_leverage_summary {
	size_t n_accounts, n_with_debt, n_looped;   /* looped: depth >= 1 */
	size_t n_looped_correlated, n_looped_directional, n_looped_flash; /* accounts with such a
									     round open */
	size_t depth_hist[LX_RISK_MAX_DEPTH + 1];   /* accounts by depth; last bucket = more */
	double coll_looped_share, debt_looped_share;/* 0..1 of market totals, looped accounts */
	double coll_loop_built_share;               /* 0..1: collateral the open rounds supplied */
	size_t n_toxic;                             /* bad-debt accounts included */
	size_t n_bad_debt;                          /* accounts with debt >= collateral */
	double bad_debt;                            /* base units: sum of debt - collateral there */
};

/* Fills out[mv->n_accounts] and the summary. Errors: LX_ENOMEM. */
int lx_risk_leverage(const struct lx_market_view *mv, struct lx_leverage *out,
		     struct lx_leverage_summary *sum);

/* Leverage of one entity: every open account one key drove, summed as one position. */
struct lx_entity_leverage {
	struct lx_addr signer;     /* the key (a transaction signer recovered by sync --verify) */
	size_t n_accounts;         /* open accounts it drove */
	double collateral, debt;   /* base units, summed over them (collateral at full value) */
	double leverage;           /* collateral / (collateral - debt); INFINITY if bad debt */
	bool bad_debt;             /* debt > 0 and collateral <= debt */
	unsigned max_depth;        /* deepest open loop among its accounts */
	size_t largest;            /* its largest account (collateral + debt), index in mv */
};
/*
 * Groups the leverage rows lev[0 .. mv->n_accounts) (from lx_risk_leverage) by entity:
 * entity_of[i] is the key that drove account i when has[i] (verify.h: lx_entity_of); accounts
 * with nothing open are left out, open ones without a known key are counted in *n_unknown.
 * *out (malloc'd, caller frees) is sorted as the accounts' table: bad debt first by shortfall,
 * then leverage, highest first. Errors: LX_EINVAL, LX_ENOMEM.
 */
int lx_risk_leverage_by_entity(const struct lx_market_view *mv, const struct lx_leverage *lev,
			       const struct lx_addr *entity_of, const bool *has,
			       struct lx_entity_leverage **out, size_t *n, size_t *n_unknown);

/* ---- health-factor bands and clusters ---- */
#define LX_RISK_BANDS 8
extern const double lx_risk_band_edges[LX_RISK_BANDS - 1]; /* 1.0 1.05 1.1 1.25 1.5 2 3 */
/* the same edges in wad: bands compare the protocol's integer HF */
extern const uint64_t lx_risk_band_edges_wad[LX_RISK_BANDS - 1];
#define LX_RISK_MAX_CLUSTERS 6
struct lx_hf_cluster {
	double lo, hi, center;     /* HF range and debt-weighted mean */
	double debt;               /* base units */
	size_t accounts;
};
struct lx_hf_report {
	double band_debt[LX_RISK_BANDS];    /* base units of debt per band */
	size_t band_accounts[LX_RISK_BANDS];
	size_t no_debt_accounts;
	double total_debt;
	double hhi;                         /* sum of squared band debt shares, 0..1 */
	size_t n_clusters;
	struct lx_hf_cluster clusters[LX_RISK_MAX_CLUSTERS];
};
int lx_risk_hf(const struct lx_market_view *mv, struct lx_hf_report *out);

/* ---- liquidation prices ---- */
/*
 * A liquidation price answers "at what price of this feed does the account become
 * liquidatable", every other feed held. A feed (model.h) is what the oracle answers: an asset's
 * own price, or an extra source such as an Aave 3.0-3.1 e-mode category's, which moves every
 * category asset of the account together (collateral and debt); such a position is not moved
 * by its asset's own price at all. HF is not monotone in a feed's price (an account that also
 * borrows what it supplies; the floored average LT), so the search bounds HF on price intervals
 * (lx_model_curve_bound) and refines the undecided ones: the answer is the true extreme.
 */
#define LX_RISK_RISE_MAX_X 1000000 /* rises are searched up to this multiple of today's price */
enum lx_liq_status {
	LX_LIQ_FOUND = 1,           /* price holds the answer */
	LX_LIQ_NONE = 2,            /* no integer price in the range makes HF < 1 */
	LX_LIQ_UNDECIDED = 3,       /* search budget spent (never printed as a price) */
};
struct lx_liq_point {
	size_t account;             /* index in mv->accounts */
	uint32_t feed;              /* feed id (model.h) */
	uint32_t asset;             /* the asset when feed is an asset's own price, else LX_FEED_NONE */
	bool rise;                  /* false: the feed falls (range [1, now]); true: it rises
	                             * (range [now, now * LX_RISK_RISE_MAX_X]) */
	uint8_t status;             /* enum lx_liq_status */
	bool already;               /* HF already below 1 at today's prices */
	struct lx_u256 price;       /* FOUND: the highest (fall) / lowest (rise) integer price of the
	                             * feed with HF < 1 (base units per token, as the oracle answers) */
	struct lx_u256 price_now;   /* the feed's answer today */
	struct lx_u256 value;       /* base units at today's prices of what the feed prices in this
	                             * account: collateral (fall) or debt (rise), protocol rounding */
};
/*
 * Returns a malloc'd array in *out (caller frees): for every account with debt and every feed
 * that prices some of its collateral, a fall point; every feed that prices some of its debt, a
 * rise point. Ordered by account, then feed id, fall before rise. Errors: LX_ENOMEM, LX_EINVAL.
 */
int lx_risk_liq_points(const struct lx_market_view *mv, struct lx_liq_point **out, size_t *n);

#define LX_LADDER_STEPS 20 /* levels of 5%: falls 0..-95%, rises 0..+100% */
struct lx_ladder {
	uint32_t feed;              /* feed id (model.h) */
	bool rise;
	size_t n_levels;            /* fall: 20 (price 0 is not an oracle answer), rise: 21 */
	int32_t move_bps[LX_LADDER_STEPS + 1];      /* -500 s (fall) / +500 s (rise) */
	struct lx_u256 price[LX_LADDER_STEPS + 1];  /* floor(now * (10000 + move) / 10000) */
	struct lx_u256 value[LX_LADDER_STEPS + 1];  /* base units at today's prices of the feed-priced
	                                             * collateral (fall) / debt (rise) of every account
	                                             * with HF < 1 at that price */
	size_t accounts[LX_LADDER_STEPS + 1];       /* those accounts */
};
/*
 * One fall ladder per feed that prices some collateral of an account with debt, one rise ladder
 * per feed that prices some debt; every level is each holder's HF recomputed at that level's
 * price. Returns a malloc'd array in *out (caller frees). Errors: LX_ENOMEM, LX_EINVAL.
 */
int lx_risk_ladders(const struct lx_market_view *mv, struct lx_ladder **out, size_t *n);

/* ---- cascades ---- */
struct lx_shock {
	size_t asset;               /* index in mv->assets */
	int32_t bps;                /* -2000 = -20%; several on one asset compound */
};
struct lx_liquidation {
	size_t round, account, collateral_asset, debt_asset;
	unsigned seq;                     /* n-th liquidation of this account in this round */
	struct lx_u256 debt_to_cover;     /* amount asked of liquidationCall (close factor cap) */
	struct lx_u256 debt_repaid;       /* debt asset units (LiquidationCall.debtToCover) */
	struct lx_u256 collateral_seized; /* collateral units to the liquidator */
	struct lx_u256 protocol_fee;      /* collateral units to the treasury (clamped) */
	struct lx_u256 hf_before;         /* wad */
	struct lx_u256 deficit_base;      /* 3.3+: debt burnt into deficits, base units */
	struct lx_u256 premium_repaid_ray; /* Aave V4: premium debt restored (ray) */
	struct lx_u256 fee_shares;        /* Aave V4: collateral shares to the fee receiver */
	uint16_t close_factor_bps;
	bool receive_atoken;              /* the reserve could not pay the underlying out */
	bool protocol_fee_clamped;        /* the fee was cut to the scaled balance left */
	double profit;                    /* base units at oracle prices: seized - repaid */
	struct lx_u256 collateral_after;  /* the account's collateral balance afterwards */
	struct lx_u256 debt_after;        /* the account's debt in the debt asset afterwards */
};
/* An account left below HF 1 at the end, and why. */
enum lx_unliq_reason {
	LX_UNLIQ_GAS = 1,           /* the best liquidation's bonus does not cover the gas cost */
	LX_UNLIQ_NO_COLLATERAL = 2, /* debt without collateral: bad debt */
	LX_UNLIQ_DUST = 3,          /* every amount would leave dust (3.3+) */
	LX_UNLIQ_LIMIT = 4,         /* round or per-round liquidation limit reached */
};
struct lx_unliquidated {
	size_t account;
	uint8_t reason;             /* enum lx_unliq_reason */
	double debt, profit;        /* base units: account's debt, best liquidation's profit */
	struct lx_u256 hf;
};
#define LX_CASCADE_MAX_ROUNDS 32
struct lx_cascade_round {
	size_t accounts, liquidations;
	double debt_repaid, collateral_seized;  /* base units at the round's oracle prices */
	double collateral_sold;                 /* base units at oracle: underlying sold */
	double proceeds;                        /* base units the market model paid for it */
	double slippage;                        /* collateral_sold - proceeds */
	double profit;                          /* liquidators: proceeds + aTokens - repaid */
	double price_move[64];                  /* cumulative oracle move per asset (first 64) */
	struct lx_u256 *oracle;                 /* n_assets oracle prices the round ran at */
	struct lx_u256 *market;                 /* n_assets market (DEX) prices after the sales */
};
/* Market model for selling seized collateral (docs/risk.md). */
enum lx_market_model {
	LX_MARKET_PERCENT = 0,      /* depth = share of supplied value per 1 % (old model) */
	LX_MARKET_DEX = 1,          /* Uniswap V3 pools and depth files (dex.h) */
};
struct lx_cascade_opts {
	size_t max_rounds;          /* 0 = LX_CASCADE_MAX_ROUNDS; 1 = round 1 only */
	double gas_cost_base;       /* a liquidation must earn this (base units) or is skipped */
	double percent_depth;       /* percent model: depth share per 1 % (0 = 0.02) */
	unsigned max_per_account;   /* liquidations of one account per round (0 = 64) */
	struct lx_dex *dex;         /* DEX model (NULL = percent model); state is copied */
};
struct lx_cascade {
	size_t n_rounds;
	size_t n_assets;
	struct lx_cascade_round rounds[LX_CASCADE_MAX_ROUNDS];
	size_t n_liq;
	struct lx_liquidation *liq;             /* malloc'd, every liquidation in order */
	size_t n_unliq;
	struct lx_unliquidated *unliq;          /* malloc'd: below HF 1 at the end */
	double total_debt_repaid, total_collateral_seized, bad_debt;
	double bad_debt_before;                 /* debt without collateral before the shock */
	double bad_debt_created;                /* bad_debt - bad_debt_before + deficits */
	double deficit;                         /* 3.3+ deficits created, base units */
	double total_profit, total_slippage;
	double initial_move, final_move, amplification; /* of the first shocked asset */
	size_t n_shocked;
	struct {
		size_t asset;
		double initial_move, final_move, amplification;
	} shocked[16];                          /* per shocked asset (compounded) */
	bool fixed_point;                       /* stopped because nothing more moved */
	size_t n_swaps;
	struct lx_dex_swap_rec *swaps;          /* malloc'd: the DEX model's swaps, in order */
	const char *not_computed;               /* lx_risk_cascade_views: why this market sat
						 * out (static string), else NULL */
};
/*
 * Runs the cascade: apply the shocks to market and oracle, liquidate every account below HF 1
 * with the protocol's own routine (lx_model_liquidate) — again while it stays below 1 — pick
 * each pair as a bot would, sell the seized collateral into the market model, move the oracle
 * where the market deviates past the feed's threshold, repeat to a fixed point.
 * Free with lx_cascade_release. Errors: LX_ENOMEM, LX_EOVERFLOW.
 */
int lx_risk_cascade_run(const struct lx_market_view *mv, const struct lx_shock *shocks,
			size_t n, const struct lx_cascade_opts *opts, struct lx_cascade *out,
			struct lx_error *err);
/* A shock on a token wherever it is listed: every market of chain_id holding it. */
struct lx_token_shock {
	uint64_t chain_id;
	struct lx_addr token;
	int32_t bps;                /* -2000 = -20%; several on one token compound */
};
/*
 * One cascade over several markets together (the views of a store: every deployment, every
 * chain). The rounds go in lockstep: in each, every market liquidates its accounts below HF 1
 * with its own operations (mv->ops->liquidate); each market's seized collateral is sold into
 * the percentage model and a token's market move is the product of the moves of every market
 * of its chain that traded it, applied in every market listing it; each market's oracle
 * follows. The cascade stops when no market liquidates or no oracle moves. outs[i] (n_views
 * of them, release each with lx_cascade_release) is market i's result, in its own base
 * currency; a market whose liquidation lendex does not reproduce sits out with
 * outs[i].not_computed saying why (its prices are not moved). opts->dex must be NULL (the DEX
 * model is per market). Errors: LX_EINVAL, LX_ENOMEM, LX_EOVERFLOW.
 */
int lx_risk_cascade_views(const struct lx_market_view *const *mvs, size_t n_views,
			  const struct lx_token_shock *shocks, size_t n_shocks,
			  const struct lx_cascade_opts *opts, struct lx_cascade *outs,
			  struct lx_error *err);
/* lx_risk_cascade_run with the default options and max_rounds. */
int lx_risk_cascade(const struct lx_market_view *mv, const struct lx_shock *shocks, size_t n,
		    size_t max_rounds, struct lx_cascade *out, struct lx_error *err);
void lx_cascade_release(struct lx_cascade *c);

/* Parses "WETH=-20%", "0xADDR=-5.5%", "group:eth=-20%" into shocks (a group expands; a token
 * the view lists more than once — Morpho Blue: once per market it is in — is shocked in every
 * entry). */
int lx_risk_parse_shock(const struct lx_market_view *mv, const char *spec,
			const char *const *group_names, const uint16_t *group_ids, size_t n_groups,
			struct lx_shock *out, size_t cap, size_t *n, struct lx_error *err);

#endif
