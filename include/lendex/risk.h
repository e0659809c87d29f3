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

#include "lendex/err.h"
#include "lendex/model.h"

/* ---- leverage ---- */
struct lx_leverage {
	size_t account;            /* index in mv->accounts */
	double collateral, debt;   /* base units, collateral counted at full value */
	double leverage;           /* collateral / (collateral - debt); INFINITY if equity <= 0 */
	unsigned depth;            /* detected borrow → resupply rounds */
	double implied_depth;      /* rounds a loop at the account's LTV needs for this leverage */
	bool toxic;                /* debt/collateral > 1/(1+bonus): liquidation raises the LTV */
};

#define LX_RISK_MAX_DEPTH 16
struct lx_leverage_summary {
	size_t n_accounts, n_with_debt, n_looped;   /* looped: depth >= 1 */
	size_t depth_hist[LX_RISK_MAX_DEPTH + 1];   /* accounts by depth; last bucket = more */
	double coll_looped_share, debt_looped_share;/* 0..1 of market totals */
	size_t n_toxic;
};

/* Fills out[mv->n_accounts] and the summary. */
int lx_risk_leverage(const struct lx_market_view *mv, struct lx_leverage *out,
		     struct lx_leverage_summary *sum);
/* Loop rounds in one account's flows (docs/risk.md): exposed for tests. */
unsigned lx_risk_loop_depth(const struct lx_market_view *mv, const struct lx_account_view *a);

/* ---- health-factor bands and clusters ---- */
#define LX_RISK_BANDS 8
extern const double lx_risk_band_edges[LX_RISK_BANDS - 1]; /* 1.0 1.05 1.1 1.25 1.5 2 3 */
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
struct lx_liq_point {
	size_t account, asset;      /* asset index in mv->assets */
	double price;               /* base units per token at which HF reaches 1, others held */
	double price_now;
	double collateral_amount;   /* tokens */
	double collateral_value;    /* base units at price_now */
	bool already;               /* HF already below 1 */
};
/* Returns a malloc'd array in *out (caller frees), one per (account with debt, collateral). */
int lx_risk_liq_points(const struct lx_market_view *mv, struct lx_liq_point **out, size_t *n);

#define LX_LADDER_STEPS 20 /* price levels 100%, 95%, ..., 5% of today's */
struct lx_ladder {
	size_t asset;
	double value[LX_LADDER_STEPS + 1]; /* collateral value liquidatable at each level; [0] = now */
	double cumulative[LX_LADDER_STEPS + 1];
};
int lx_risk_ladders(const struct lx_market_view *mv, const struct lx_liq_point *pts, size_t n,
		    struct lx_ladder *out /* n_assets */);

/* ---- cascades ---- */
struct lx_shock {
	size_t asset;               /* index in mv->assets */
	int32_t bps;                /* -2000 = -20% */
};
struct lx_liquidation {
	size_t round, account, collateral_asset, debt_asset;
	struct lx_u256 debt_repaid;       /* debt asset units (LiquidationCall.debtToCover) */
	struct lx_u256 collateral_seized; /* collateral units to the liquidator */
	struct lx_u256 protocol_fee;      /* collateral units to the treasury */
	struct lx_u256 hf_before;         /* wad */
	uint16_t close_factor_bps;
};
#define LX_CASCADE_MAX_ROUNDS 32
struct lx_cascade_round {
	size_t accounts;
	double debt_repaid, collateral_seized; /* base units at the round's prices */
	double price_move[64];                 /* cumulative move per asset (first 64 assets) */
};
struct lx_cascade {
	size_t n_rounds;
	struct lx_cascade_round rounds[LX_CASCADE_MAX_ROUNDS];
	size_t n_liq;
	struct lx_liquidation *liq;             /* malloc'd, every liquidation in order */
	double total_debt_repaid, total_collateral_seized, bad_debt;
	double initial_move, final_move, amplification; /* of the first shocked asset */
};
/*
 * Runs the cascade: apply the shocks, liquidate every account below HF 1 per the market's
 * rules (Aave: close factor, bonus, protocol fee, exact rounding), sell the seized collateral
 * into the price-impact model, apply the new prices, repeat to a fixed point. max_rounds 1 =
 * round 1 only (exact to the wei against the protocol). Free with lx_cascade_release.
 */
int lx_risk_cascade(const struct lx_market_view *mv, const struct lx_shock *shocks, size_t n,
		    size_t max_rounds, struct lx_cascade *out, struct lx_error *err);
void lx_cascade_release(struct lx_cascade *c);

/* Parses "WETH=-20%", "0xADDR=-5.5%", "group:eth=-20%" into shocks (a group expands). */
int lx_risk_parse_shock(const struct lx_market_view *mv, const char *spec,
			const char *const *group_names, const uint16_t *group_ids, size_t n_groups,
			struct lx_shock *out, size_t cap, size_t *n, struct lx_error *err);

#endif
