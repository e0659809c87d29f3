/*
 * report.h: risk reports for machines (JSON, CSV) and people (one self-contained HTML page with
 * inline SVG charts). Built from a market view and the risk pass; written as file.tmp then
 * renamed, so a reader never sees half a report.
 */
#ifndef LENDEX_REPORT_H
#define LENDEX_REPORT_H

#include <jansson.h>

#include "lendex/risk.h"

#define LX_REPORT_MAX_SWEEP 256
#define LX_REPORT_MAX_SHOCKS 32

struct lx_report_opts {
	const char *chain;            /* chain name, for DeFiLlama's "chain:address" */
	size_t top;                   /* accounts listed by leverage (default 20) */
	size_t n_shocks;
	struct lx_shock shocks[LX_REPORT_MAX_SHOCKS];
	int sweep_step_bps;           /* default 500 (5%) */
	int sweep_max_bps;            /* default 5000 (50%) */
	const char *group_names[16];  /* correlation group names, by id - 1 */
	struct lx_cascade_opts cascade; /* market model, gas cost, rounds (zero = defaults) */
};

struct lx_sweep_point {
	size_t asset;                 /* the asset swept (each shocked asset on its own) */
	double shock;                 /* -0.05 = -5% */
	double bad_debt_created, amplification;
	double debt_repaid, collateral_seized, bad_debt, final_move;
	size_t accounts, rounds;
};

struct lx_report {
	struct lx_leverage *lev;
	struct lx_leverage_summary lsum;
	struct lx_hf_report hf;
	struct lx_liq_point *pts;
	size_t n_pts;
	struct lx_ladder *ladders;    /* fall and rise ladders (lx_risk_ladders) */
	size_t n_ladders;
	struct lx_cascade cascade;    /* under opts.shocks */
	size_t n_sweep;
	struct lx_sweep_point sweep[LX_REPORT_MAX_SWEEP];
};

/* Runs the whole risk pass. When opts has no shocks, the asset holding the most collateral is
 * shocked by -20% (and swept). Release with lx_report_release. */
int lx_report_compute(struct lx_report *r, const struct lx_market_view *mv,
		      struct lx_report_opts *o, struct lx_error *err);
void lx_report_release(struct lx_report *r);

/* The unit of the market's base currency for column headers: the view's base ("USD" for Aave
 * V3, "ETH" for Aave V2 on Ethereum), else "base". Borrowed from mv (or static). */
const char *lx_report_base_unit(const struct lx_market_view *mv);
/* Why the market gets no cascade (its liquidation is not reproduced exactly, or not modelled:
 * no ops->liquidate), as a static string; NULL when it gets one. */
const char *lx_report_cascade_not_computed(const struct lx_market_view *mv);

/*
 * A feed's name for people and CSVs: the asset's symbol, or "emode-N-source" for an e-mode
 * category's price source. Returns buf.
 */
const char *lx_report_feed_label(const struct lx_market_view *mv, uint32_t feed, char *buf,
				 size_t cap);
/* A liquidation point as JSON (new reference): feed, direction, status, integer prices. */
json_t *lx_report_point_json(const struct lx_liq_point *p, const struct lx_market_view *mv);

/*
 * JSON sections (new references). The leverage section lists up to `top` accounts with debt:
 * bad debt (debt >= collateral) first, largest shortfall first, then by leverage, highest
 * first; accounts with neither collateral nor debt are never listed.
 */
json_t *lx_report_leverage_json(const struct lx_report *r, const struct lx_market_view *mv,
				size_t top);
json_t *lx_report_hf_json(const struct lx_report *r, const struct lx_market_view *mv,
			  const struct lx_report_opts *o);
json_t *lx_report_cascade_json(const struct lx_cascade *c, const struct lx_market_view *mv,
			       bool with_liquidations);
json_t *lx_report_json(const struct lx_report *r, const struct lx_market_view *mv,
		       const struct lx_report_opts *o);

/*
 * DefiLlama's liquidation levels (export.c; format pinned to DefiLlama-Adapters 0e65a4b9a2, see
 * README): a new array of Liq objects. When the market's base currency is not USD no row is
 * written: *omitted counts them and *why says why (static string; NULL when none is left out).
 */
json_t *lx_report_defillama_json(const struct lx_report *r, const struct lx_market_view *mv,
				 const struct lx_report_opts *o, size_t *omitted, const char **why);
/* DefiLlama's chain key for a chain id ("avax" for 43114), else fallback. */
const char *lx_report_defillama_chain(uint64_t chain_id, const char *fallback);

/* Writes report.json, leverage.csv, hf_bands.csv, clusters.csv, ladder.csv,
 * liquidation_prices.csv, liquidations_defillama.csv and .json, positions_messari.csv,
 * cascade.csv, sweep.csv and report.html into dir. */
int lx_report_write(const char *dir, const struct lx_report *r, const struct lx_market_view *mv,
		    const struct lx_report_opts *o, struct lx_error *err);

/* ---- USD across markets (usd.c) ---- */

/*
 * A chain-wide USD price book, for totals across markets in different base currencies
 * (`position` over every deployment). Prices come only from oracles that answer in USD: the
 * views whose base is "USD" (Aave V3's AaveOracle, Comet's price feeds), each token priced by
 * the first such deployment that lists it, in the order the views are added (chains/ order).
 * A token no USD oracle lists has no USD price: callers say so instead of guessing (no
 * cross rate through another token, no stablecoin assumed at 1).
 */
#define LX_USD_DECIMALS 8              /* USD amounts of the book: 1e-8 USD units */
struct lx_usd_price {
	uint64_t chain_id;
	struct lx_addr token;
	struct lx_u256 price;          /* USD per whole token, price_decimals decimals */
	uint8_t price_decimals;
	uint64_t block;                /* block the oracle was read at */
	char source[64];               /* the deployment whose oracle answered */
};
struct lx_usd_book {
	size_t n, cap;
	struct lx_usd_price *v;        /* owned */
};
void lx_usd_book_init(struct lx_usd_book *b);
void lx_usd_book_release(struct lx_usd_book *b);
/*
 * Adds the oracle answers of mv when its base is "USD", for tokens not yet in the book; an
 * answer never read (price 0) is not added. Other bases add nothing. Errors: LX_ENOMEM.
 */
int lx_usd_book_add(struct lx_usd_book *b, const struct lx_market_view *mv);
/* The book's price of token on chain_id, or NULL. Borrowed until the next add. */
const struct lx_usd_price *lx_usd_book_find(const struct lx_usd_book *b, uint64_t chain_id,
					    const struct lx_addr *token);
/*
 * USD value (LX_USD_DECIMALS, floored) of amount of mv's asset. A USD-based market values it at
 * price (the position's own, base units of mv) exactly as its base value, rescaled; any other
 * market at the book's price for the token. *source (may be NULL) names where the price came
 * from (mv->name or the book's deployment). Errors: LX_ENOTFOUND (no USD price: the oracle
 * never answered, or no USD oracle of the chain lists the token), LX_EOVERFLOW, LX_EINVAL.
 */
int lx_usd_value(const struct lx_usd_book *b, const struct lx_market_view *mv, uint32_t asset,
		 const struct lx_u256 *amount, const struct lx_u256 *price, struct lx_u256 *out,
		 const char **source);

#endif
