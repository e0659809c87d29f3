/*
 * model.h: the protocol-neutral view of lending state.
 *
 * Protocol handlers (indexer/proto/) keep their own records in the store; to answer queries and
 * feed the risk pass they build these neutral views: one struct lx_account_view per (market,
 * account), with every amount already in token units as the protocol itself would report it at
 * a given timestamp (interest applied with the protocol's rounding). The risk pass and reports
 * read only these structs, never events or protocol records, so a new protocol arrives as a new
 * view builder and nothing in risk changes.
 *
 * Units: token amounts in the token's smallest unit (10^decimals per token); prices and values
 * in the market's base currency units (Aave V3: USD with 8 decimals); percentages in basis
 * points (10000 = 100%); health factors in wad (1e18 = 1.0).
 */
#ifndef LENDEX_MODEL_H
#define LENDEX_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/u256.h"

/* Protocol ids; stored on disk, so never renumber. */
enum lx_protocol {
	LX_PROTO_NONE = 0,
	LX_PROTO_AAVE_V3 = 1,
	LX_PROTO_AAVE_V2 = 2,
	LX_PROTO_SPARK = 3,
	LX_PROTO_COMPOUND_V3 = 4,
	LX_PROTO_MORPHO_BLUE = 5,
	LX_PROTO_AAVE_V4 = 6,
};

/* How an Aave-family market rounds account totals (Aave's own: read only by Aave's market
 * operations, lx_aave_v3_market_ops in lendex/aave.h; other protocols leave it 0). */
enum lx_health_method {
	LX_HEALTH_AAVE_V3 = 1,  /* Aave V2, V3.0-3.4 GenericLogic.calculateUserAccountData */
	LX_HEALTH_AAVE_V35 = 2, /* 3.5: debt value rounded up, HF = sum(value*LT) wadDiv debt /1e4,
				 * available borrows percentMulFloor */
	LX_HEALTH_AAVE_V36 = 3, /* 3.6+: as 3.5, and a flagged supply counts even with LT 0 */
};

/* One asset of one market, as the market sees it (same for every account). */
struct lx_asset_info {
	struct lx_addr asset;          /* underlying token */
	struct lx_addr supply_token;   /* receipt token of suppliers (Aave: aToken); zero if none */
	char symbol[16];               /* NUL-terminated, may be empty */
	uint8_t decimals;              /* token decimals */
	struct lx_u256 price;          /* base units per whole token (oracle answer) */
	uint64_t price_block;          /* block the price was read at; 0 = never read */
	uint64_t price_reverted;       /* the last read of this price (Morpho Blue: or of the
					* market's borrow rate) reverted at this block, after the
					* answer above: the number is unknown; 0 = it answered */
	const char *reverted_call;     /* that read, for messages (static), e.g. "getAssetPrice" */
	uint16_t ltv_bps;              /* outside e-mode */
	uint16_t liq_threshold_bps;    /* outside e-mode; 0 = not usable as collateral */
	uint16_t liq_bonus_bps;        /* Aave convention: 10500 = 5% bonus */
	uint16_t liq_protocol_fee_bps; /* share of the bonus taken by the protocol */
	uint16_t group;                /* correlation group (0 = none): ETH-like, USD-like, ... */
	double depth_base_per_pct;     /* market depth: base units sold per 1% price move */
	struct lx_u256 total_supplied; /* token units, market-wide */
	struct lx_u256 total_borrowed; /* token units, market-wide */
	/* Aave-family accounting at the view's timestamp (zero for protocols without indexes):
	 * amounts are scaled.rayMul(index) and liquidations burn amount.rayDiv(index) */
	struct lx_u256 liquidity_index;  /* ray: normalized income */
	struct lx_u256 borrow_index;     /* ray: normalized variable debt */
	struct lx_u256 available;        /* underlying the pool can pay out (supplied - borrowed) */
	/* Aave V4 (zero elsewhere): an asset is one reserve of one Spoke */
	uint8_t market[32];              /* sub-market of the asset: the Spoke address, left-padded
					  * (Aave V4); the market id (Morpho Blue) */
	uint32_t reserve_id;             /* the Spoke's reserveId */
	uint16_t collateral_risk_bps;    /* drives the risk premium */
	struct lx_u256 borrowed_premium; /* part of total_borrowed that is premium debt */
	struct lx_u256 hub_added_assets; /* the Hub asset's totalAddedAssets at the view's time */
	struct lx_u256 hub_added_shares; /* and its added shares (supply shares <-> assets) */
	struct lx_u256 hub_owed_ray;     /* and what it is owed: drawn + premium + deficit (ray) */
	uint32_t hub_slot;               /* 1 + the index of the first asset entry on the same Hub
					  * asset: entries sharing a slot share its liquidity and
					  * share price (Spokes drawing from one Hub asset); 0 = none */
	struct lx_u256 target_hf;        /* the Spoke's liquidation config: target HF (wad), */
	struct lx_u256 hf_for_max_bonus; /* HF at which the bonus is the maximum (wad), */
	uint16_t bonus_factor_bps;       /* minimum bonus as a share of the maximum's */
	bool no_receive_shares;          /* the reserve refuses liquidations paid in its shares */
	/* Share-based isolated markets (Morpho Blue; zero elsewhere): each market lists its loan
	 * token then its collateral token, both entries carrying the market's terms at the view's
	 * timestamp (interest accrued as the protocol would), market[] above its id; positions'
	 * shares are in lx_asset_pos.scaled_supplied (supply) and scaled_variable (borrow). */
	struct lx_u256 lltv;             /* liquidation LTV, wad */
	struct lx_u256 oracle_price;     /* the oracle's price() answer, scale 1e36 */
	struct lx_u256 total_supply_shares, total_borrow_shares;
};

/* One account's balance in one asset. asset indexes lx_market_view.assets. */
struct lx_asset_pos {
	uint32_t asset;                /* index into the market's assets[] */
	struct lx_u256 supplied;       /* token units (aToken balanceOf) */
	struct lx_u256 borrowed;       /* token units (variable + stable debt balanceOf) */
	struct lx_u256 borrowed_variable; /* part of borrowed: variable-rate debt */
	struct lx_u256 borrowed_stable;   /* part of borrowed: stable-rate debt (Aave <= 3.3) */
	uint16_t ltv_bps;              /* effective for this account (e-mode applied) */
	uint16_t liq_threshold_bps;    /* effective for this account (e-mode applied) */
	uint16_t liq_bonus_bps;        /* effective for this account (e-mode applied) */
	bool collateral;               /* the account uses this supply as collateral */
	struct lx_u256 price;          /* effective price (e-mode price source applied) */
	uint32_t feed;                 /* what prices it: 0 = the asset's own oracle answer,
	                                * k >= 1 = mv->feeds[k - 1] (e.g. an e-mode price source) */
	struct lx_u256 scaled_supplied;   /* aToken scaledBalanceOf (0 = not index-based) */
	struct lx_u256 scaled_variable;   /* variable debt scaledBalanceOf */
	/* Aave V4 (zero elsewhere): scaled_supplied = supplied shares, scaled_variable = drawn
	 * shares; debt value uses scaled_variable * borrow_index + premium_ray, unrounded */
	struct lx_u256 premium_ray;       /* premium debt, ray */
	uint16_t liq_fee_bps;             /* liquidation fee of the account's config key */
};

/*
 * An oracle answer that prices positions besides each asset's own: Aave 3.0-3.1's e-mode
 * category price source (every category asset of the category's users, collateral and debt,
 * is priced by it). A feed whose key is itself a listed asset is that asset's own price.
 */
#define LX_FEED_NONE UINT32_MAX
struct lx_price_feed {
	struct lx_addr key;            /* what the oracle is asked (Aave: getAssetPrice(key)) */
	struct lx_u256 price;          /* its answer at the view's block */
	uint32_t same_as;              /* asset index when key is a listed asset, else LX_FEED_NONE */
	uint8_t emode;                 /* e-mode category it prices (0 = none) */
};

/* A leverage-relevant movement in an account's history, in block order. */
enum lx_flow_kind {
	LX_FLOW_SUPPLY = 1,
	LX_FLOW_WITHDRAW = 2,
	LX_FLOW_BORROW = 3,
	LX_FLOW_REPAY = 4,
	LX_FLOW_LIQUIDATED = 5,        /* collateral seized from the account */
	LX_FLOW_TRANSFER_IN = 6,       /* received supply (aToken transfer) */
	LX_FLOW_TRANSFER_OUT = 7,
	LX_FLOW_FLASH_LOAN = 8,        /* market-wide (lx_market_view.market_flows): a flash loan */
};

struct lx_flow {
	uint64_t block;
	uint32_t log_index;
	uint8_t kind;                  /* enum lx_flow_kind */
	uint32_t asset;                /* index into the market's assets[] */
	struct lx_u256 amount;         /* token units */
	uint8_t tx[32];                /* transaction hash */
};

/* Account totals, exactly as the protocol computes them (Aave: getUserAccountData). */
struct lx_health {
	struct lx_u256 total_collateral_base;
	struct lx_u256 total_debt_base;
	struct lx_u256 available_borrows_base;
	struct lx_u256 ltv_bps;        /* weighted average, protocol rounding */
	struct lx_u256 liq_threshold_bps;
	struct lx_u256 health_factor;  /* wad; 2^256-1 when there is no debt */
};

/*
 * One account in one market. A deployment with many isolated markets has one view per
 * (account, sub-market): the same address may then appear once per market, so positions are
 * keyed (chain, deployment, market, account).
 */
struct lx_account_view {
	struct lx_addr account;
	uint8_t market[32];            /* sub-market the positions live in (Morpho Blue: market id;
					* Aave V4: the Spoke address left-padded); zero for a pooled
					* market (Aave V2/V3, one Comet) */
	uint8_t emode;                 /* e-mode category, 0 = none */
	size_t n_pos;
	struct lx_asset_pos *pos;      /* owned by the enclosing lx_market_view */
	size_t n_flows;
	struct lx_flow *flows;         /* owned by the enclosing lx_market_view; may be 0 */
	struct lx_health health;       /* filled by the builder with lx_model_health */
};

/*
 * Liquidation rules of a market at the view's block, for the cascade simulation (Aave:
 * LiquidationLogic of the version live there; indexer/proto/aave/liquidation.c).
 *   close factor: one liquidation may repay default_close_factor_bps of the debt, or
 *     max_close_factor_bps when HF < full_close_hf, or (when min_base_full_close != 0) when the
 *     collateral or debt reserve of the position is worth less than min_base_full_close;
 *   close_on_position: the close factor applies to the position's total debt (Aave 3.3+),
 *     not to the one debt reserve (<= 3.2);
 *   min_leftover_base: a liquidation may not leave debt or collateral worth less than this
 *     (base units) unless it leaves exactly 0 (3.3+; 0 = no rule);
 *   deficit: when no collateral is left the remaining debt is written off as reserve deficit
 *     (3.3+) instead of staying with the account; no_collateral_scaled: "no collateral left"
 *     is decided on scaled balances (3.7+).
 */
struct lx_liq_rules {
	uint16_t default_close_factor_bps; /* Aave: 5000 */
	uint16_t max_close_factor_bps;     /* Aave: 10000 */
	struct lx_u256 full_close_hf;      /* wad; HF below this allows the max (Aave: 0.95e18) */
	struct lx_u256 min_base_full_close;/* Aave 3.3+: 2000e8; 0 = rule absent (<= 3.2) */
	struct lx_u256 min_leftover_base;  /* Aave 3.3+: 1000e8, no dust under it; 0 = absent */
	bool position_close_factor;        /* Aave 3.3+: 50 % cap of the whole position's debt */
	bool deficit;                      /* Aave 3.3+: no collateral left burns all debt */
	bool stable_debt;                  /* Aave <= 3.1: stable debt repaid after variable */
	const char *not_reproduced;        /* NULL, or why lx_model_liquidate would not be exact
					    * for this market (it then refuses: LX_EINVAL) */
	bool no_collateral_scaled;         /* Aave 3.7+: "no collateral left" on scaled balances */
	char version[16];                  /* protocol version these rules are from, "3.7.0" */
	/* Aave 3.5+ TokenMath: aToken burns and transfers take amount.rayDivCeil(index) scaled
	 * units, debt burns rayDivFloor (a burn of 0 scaled reverts), balances read back as
	 * rayMulFloor (aToken) / rayMulCeil (debt); the debt reserve and leftover debt valued
	 * rounding up (mulDivCeil); the debt for all of a collateral percentDivCeil'd */
	bool token_math;
	/* Aave 3.7+ liquidation rounding: collateral for the debt percentMulFloor(bonus), bonus
	 * part amount - percentDivFloor(amount, bonus), protocol fee percentMulCeil */
	bool bonus_floor_fee_ceil;
};

struct lx_market_ops;

/* A whole market at one block: what the risk pass consumes. */
struct lx_market_view {
	uint64_t chain_id;
	uint32_t protocol;             /* enum lx_protocol */
	const struct lx_market_ops *ops; /* the market's own rules (health, liquidation), set by
					  * the handler's view builder; static, never freed */
	uint32_t health_method;        /* enum lx_health_method (Aave family only) */
	char name[64];                 /* deployment name from chains/, e.g. "aave-v3-ethereum" */
	uint64_t block;                /* state as of this block */
	uint64_t timestamp;            /* balances computed at this time */
	uint8_t base_decimals;         /* Aave V3: 8 */
	char base[8];                  /* base currency, NUL-terminated: "USD", or the loan token's
					* symbol for a Morpho Blue market; empty = unknown */
	uint8_t price_decimals;        /* decimals of prices (assets[].price, pos[].price) when
					* they differ from base_decimals (Aave V4: 8-decimal oracle
					* answers, values in 1e26 = one dollar); 0 = base_decimals */
	char protocol_version[16];     /* version whose rules computed these numbers, "3.7.0" */
	struct lx_liq_rules rules;
	size_t n_assets;
	struct lx_asset_info *assets;
	bool available_exact;          /* assets[].available is the pool's own liquidity (Aave V4:
					* the Hub's), so 0 means nothing to pay out; else 0 means
					* not known (a cascade takes it as unlimited) */
	size_t n_accounts;
	struct lx_account_view *accounts;
	/* market-wide flows (flash loans), (block, log) order; filled with the accounts' flows */
	size_t n_market_flows;
	struct lx_flow *market_flows;
	size_t n_feeds;                /* extra price feeds (may be 0) */
	struct lx_price_feed *feeds;   /* owned by the view */
	/* storage owned by the view, freed by lx_market_view_release */
	struct lx_asset_pos *pos_pool;
	struct lx_flow *flow_pool;
};

/* Frees what the view owns and zeroes it. */
void lx_market_view_release(struct lx_market_view *mv);

/*
 * Reverted reads, one rule for every handler: a contract read the numbers need (an oracle
 * price, Morpho Blue's borrow rate) that reverted leaves the last answer in the store with its
 * block and the revert's block in lx_asset_info.price_reverted; it is never used silently. The
 * protocols' own health reads call the same contract and revert with it (Aave's
 * getUserAccountData, Comet's isLiquidatable, Morpho's liquidate, V4's Spoke), so an account
 * holding a non-zero balance of such an asset has no health either: this returns LX_EREVERTED
 * naming the market, the account, the asset, the read and both blocks. Accounts that hold none
 * are unaffected. Callers: whoever hands views to risk, reports or output (the CLI's loaders).
 */
int lx_model_check_reads(const struct lx_market_view *mv, struct lx_error *err);

/*
 * Computes an account's totals from its positions with the market's own rules: calls
 * mv->ops->health (struct lx_market_ops). For Aave, each asset's base value is
 * floor(amount * price / 10^decimals); collateral counts when the flag is set and the
 * liquidation threshold is non-zero; averages are floor(sum(value*bps)/total);
 * HF = percentMul(totalCollateral, avgLT) wadDiv totalDebt, or 2^256-1 with no debt.
 * prices: optional per-position override (indexed like acct->pos; NULL = use pos[i].price).
 * Errors: LX_EINVAL (no ops or no health op for the market, unknown Aave method), LX_EOVERFLOW.
 */
int lx_model_health(struct lx_health *out, const struct lx_market_view *mv,
		    const struct lx_account_view *acct, const struct lx_u256 *prices);

/*
 * Price feeds by id: ids 0..n_assets-1 are the assets' own oracle answers, n_assets + k is
 * mv->feeds[k] (a feed keyed by a listed asset is folded into that asset's id). Every price
 * the market reads is one feed; moving a feed moves every position it prices, together.
 */
static inline size_t lx_model_n_feeds(const struct lx_market_view *mv)
{
	return mv->n_assets + mv->n_feeds;
}
/*
 * What amount * price / 10^decimals is multiplied by to be in base units (the risk pass's
 * double values): 1 when prices are in base units, 10^(base - price decimals) otherwise (Aave
 * V4: 10^18, its 8-decimal answers against values in 1e26).
 */
static inline double lx_model_price_to_base(const struct lx_market_view *mv)
{
	double f = 1;
	for (unsigned i = mv->price_decimals; mv->price_decimals && i < mv->base_decimals; i++)
		f *= 10;
	return f;
}
/* The feed id that prices position p (LX_FEED_NONE if p->feed is out of range). */
uint32_t lx_model_feed_of(const struct lx_market_view *mv, const struct lx_asset_pos *p);
/* Today's answer of feed id f (zero for an unknown id). */
void lx_model_feed_price(const struct lx_market_view *mv, uint32_t f, struct lx_u256 *out);

/*
 * One account's health as a function of one feed's price, every other price held: what
 * liquidation prices and ladders are computed from. Built once (fixed parts precomputed),
 * then evaluated exactly (lx_model_curve_hf = lx_model_health with the feed at that price) and
 * bounded on price intervals (lx_model_curve_bound), both in the market's integer arithmetic.
 * The curve borrows mv and acct.
 */
struct lx_curve {
	const struct lx_market_view *mv;
	const struct lx_account_view *acct;
	uint32_t feed;                 /* feed id */
	bool moves_coll, moves_debt;   /* the feed prices some collateral / some debt */
	struct lx_u256 c0, s0, d0;     /* collateral, sum(value * LT), debt of the other positions */
	/* affine relaxation of the moving parts, scaled by K = 10^(largest decimals moved):
	 * K * collateral(P) = K*c0 + gamma*P - (< K*kf), K * sum_lt = K*s0 + sigma*P - (< K*sum_lt_f),
	 * K * debt = K*d0 + delta*P - (< K*mf) */
	struct lx_u256 k, gamma, sigma, delta;
	uint64_t kf, mf, sum_lt_f;     /* moving collateral positions, debt positions, their LTs */
	uint16_t lt_max;               /* largest LT of any counted collateral position */
	/* markets whose ops say monotone: HF is mv->ops->health with the moving positions at
	 * the price (prices: per-position buffer, owned; the affine parts above stay zero) and
	 * its bounds come from the ends of the interval */
	bool monotone;
	struct lx_u256 *prices;
};
/*
 * Markets whose ops are monotone get the exact-ends curve; others get their own ops->curve
 * (Aave, health rounding of <= 3.4: the affine curve). Free with lx_model_curve_release.
 * Errors: LX_EINVAL (no curve for this market, unknown feed), LX_EOVERFLOW, LX_ENOMEM.
 */
int lx_model_curve_init(struct lx_curve *c, const struct lx_market_view *mv,
			const struct lx_account_view *acct, uint32_t feed);
/*
 * The exact-ends curve (HF by mv->ops->health, intervals decided by their ends when the feed
 * prices only collateral or only debt), for a market's own curve op whose health is monotone
 * at this view (Aave 3.5+). Same contract as lx_model_curve_init.
 */
int lx_model_curve_init_monotone(struct lx_curve *c, const struct lx_market_view *mv,
				 const struct lx_account_view *acct, uint32_t feed);
/* Frees what the curve owns (safe on a zeroed or failed curve). */
void lx_model_curve_release(struct lx_curve *c);
/* HF (wad) with the feed at price. LX_EOVERFLOW where the protocol would revert. */
int lx_model_curve_hf(const struct lx_curve *c, const struct lx_u256 *price, struct lx_u256 *hf);
/* What is known of HF on every integer price in [lo, hi] without evaluating each (monotone
 * markets: exact, from HF at both ends, when the feed prices only collateral or only debt). */
enum lx_curve_bound {
	LX_CURVE_MIXED = 0,            /* undecided: split the interval */
	LX_CURVE_ALL_BELOW = 1,        /* HF < 1 at every price in the interval */
	LX_CURVE_NONE_BELOW = 2,       /* HF >= 1 at every price in the interval */
};
enum lx_curve_bound lx_model_curve_bound(const struct lx_curve *c, const struct lx_u256 *lo,
					 const struct lx_u256 *hi);
/*
 * A hint for searches: where in (lo, hi) HF is estimated to cross 1 (the affine parts and the
 * average LT at the interval's middle, in doubles). Returns false when there is no estimate in
 * the open interval. Nothing exact depends on it: it only chooses where to split.
 */
bool lx_model_curve_guess(const struct lx_curve *c, const struct lx_u256 *lo,
			  const struct lx_u256 *hi, struct lx_u256 *out);

/* ---- liquidation: the protocol's own routine, as a market operation ---- */

/* One liquidation as the protocol executes it (Aave: LiquidationLogic.executeLiquidationCall). */
struct lx_liq_result {
	struct lx_u256 debt_to_cover;      /* the amount asked (capped by the close factor) */
	struct lx_u256 debt_repaid;        /* LiquidationCall.debtToCover: actually repaid */
	struct lx_u256 collateral_seized;  /* LiquidationCall.liquidatedCollateralAmount */
	struct lx_u256 protocol_fee;       /* collateral to the treasury, after Aave's clamp */
	struct lx_u256 deficit_base;       /* 3.3+: debt written off as reserve deficit, base units */
	struct lx_u256 hf_before;          /* wad */
	uint16_t close_factor_bps;         /* 10000 when the whole reserve debt may be repaid */
	bool receive_atoken;               /* the pool lacks the underlying: liquidator gets aTokens */
	bool collateral_cleared;           /* collateral flag cleared (all of it seized) */
	struct lx_u256 premium_repaid_ray; /* Aave V4: premium debt restored (ray); else zero */
	struct lx_u256 fee_shares;         /* Aave V4: collateral shares to the fee receiver */
	struct lx_u256 collateral_out;     /* what the liquidator receives, in underlying, the
					    * protocol's fee apart: collateral_seized everywhere but
					    * Aave V4, whose seized amount includes the fee (its
					    * shares stay in the Hub) and whose liquidator gets its
					    * shares at the Hub's price (Hub.remove's amount) */
	bool protocol_fee_clamped;         /* the fee exceeded the scaled balance left after the
					    * seizure and was cut to it (Aave's 1-wei clamp) */
};

/* Why an account below HF 1 cannot be liquidated on a given pair. */
enum lx_liq_refusal {
	LX_LIQ_OK = 0,
	LX_LIQ_HEALTHY = 1,    /* HF >= 1 */
	LX_LIQ_NO_PAIR = 2,    /* no debt in the debt asset or no usable collateral in the other */
	LX_LIQ_DUST = 3,       /* every amount would leave dust (3.3+ MUST_NOT_LEAVE_DUST) */
};

/*
 * Liquidates account a (positions as in a, prices pos[].price) with collateral a->pos[ci] and
 * debt a->pos[di], asking to cover debt_to_cover (NULL = the most the protocol allows), by the
 * market's rules: calls mv->ops->liquidate (Aave: mv->rules, mv->health_method). available: underlying the collateral reserve
 * can pay out (NULL = unlimited); more than that makes the liquidator take aTokens.
 * When apply is true the account's positions are updated as the tokens update them (scaled
 * burns through the indexes, flags cleared, 3.3+ deficit burning); otherwise a is untouched.
 * *refusal says why nothing happened (LX_LIQ_OK on success; then the function returns 0).
 * Errors: LX_EINVAL (no liquidate op for the market, rules.not_reproduced set, unknown method,
 * bad index), LX_EOVERFLOW (where the contract would revert).
 */
int lx_model_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
		       const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
		       size_t di, const struct lx_u256 *debt_to_cover, const struct lx_u256 *available,
		       bool apply);

/* ---- market operations: what a market can do with its own rules ---- */

/*
 * Supplied by the handler that built the view (mv->ops); static tables, never freed. Risk,
 * reports and the CLI reach a protocol's rules only through these.
 */
struct lx_market_ops {
	const char *name;              /* "aave_v3", "aave_v2", "morpho_blue", "compound_v3",
					* "aave_v4" */
	/*
	 * Account totals exactly as the protocol computes them. prices: optional per-position
	 * override (indexed like acct->pos; NULL = pos[i].price). health_factor is the common
	 * "distance to liquidation": wad, < 1e18 exactly when the protocol allows liquidation,
	 * 2^256-1 with no debt. Errors: LX_EOVERFLOW where the contract would revert.
	 */
	int (*health)(struct lx_health *out, const struct lx_market_view *mv,
		      const struct lx_account_view *acct, const struct lx_u256 *prices);
	/*
	 * One liquidation as the protocol executes it (contract of lx_model_liquidate, which
	 * checks the indexes and rules.not_reproduced first). NULL = not modelled: the cascade
	 * reports the market as not computed, with why. apply: the account moves, and so does
	 * the market-wide state the protocol's liquidation changes, in mv->assets[] (Morpho
	 * Blue: the market's borrow totals and, on bad debt, its supply total), so the next
	 * liquidation sees what this one left; the cascade runs on its own copy of mv->assets.
	 */
	int (*liquidate)(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			 const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			 size_t di, const struct lx_u256 *debt_to_cover,
			 const struct lx_u256 *available, bool apply);
	/*
	 * Liquidation prices: true when health is monotone in each feed's price (rising for a
	 * feed that prices only collateral, falling for one that prices only debt), so a
	 * bisection on health() is exact; Aave-family markets leave it false and use the exact
	 * curve (lx_model_curve_*).
	 */
	bool monotone;
	/* A market whose health is not monotone: its own exact curve (NULL = none; then, unless
	 * monotone, lx_model_curve_init refuses with LX_EINVAL). */
	const struct lx_curve_ops *curve;
};

/*
 * A market's own curve behind lx_model_curve_* (contracts there; static tables). init is
 * called with c zeroed and c->mv, acct, feed set; it may hand over to
 * lx_model_curve_init_monotone. hf, bound and guess are called only for curves their init
 * built that are not c->monotone (bound and guess only when the feed moves something).
 */
struct lx_curve_ops {
	int (*init)(struct lx_curve *c, const struct lx_market_view *mv,
		    const struct lx_account_view *acct, uint32_t feed);
	int (*hf)(const struct lx_curve *c, const struct lx_u256 *price, struct lx_u256 *hf);
	enum lx_curve_bound (*bound)(const struct lx_curve *c, const struct lx_u256 *lo,
				     const struct lx_u256 *hi);
	bool (*guess)(const struct lx_curve *c, const struct lx_u256 *lo, const struct lx_u256 *hi,
		      struct lx_u256 *out);
};

#endif
