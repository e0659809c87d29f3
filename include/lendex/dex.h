/*
 * dex.h: the market the cascade sells into — Uniswap V3 pools swapped with V3's own integer
 * math (TickMath, SqrtPriceMath, SwapMath, the pool's tick-by-tick swap loop), per-asset depth
 * for assets without a pool, and the oracle feeds' deviation thresholds (docs/risk.md).
 *
 * Pure: no I/O. The pools' state (slot0, liquidity, initialized ticks) is read from the chain by
 * the caller (indexer/cli/dex_load.c) and handed in with lx_dex_add_pool.
 */
#ifndef LENDEX_DEX_H
#define LENDEX_DEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/model.h"
#include "lendex/u256.h"

/* ---- Uniswap V3 math (exact, 256-bit) ---- */
#define LX_UV3_MIN_TICK (-887272)
#define LX_UV3_MAX_TICK 887272

/* TickMath.getSqrtRatioAtTick: sqrt(1.0001^tick) * 2^96. LX_EINVAL past |MAX_TICK|. */
int lx_uv3_sqrt_at_tick(struct lx_u256 *r, int32_t tick);
/* TickMath.getTickAtSqrtRatio: the greatest tick whose sqrt ratio is <= sqrt_price.
 * LX_EINVAL outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO). */
int lx_uv3_tick_at_sqrt(int32_t *tick, const struct lx_u256 *sqrt_price);

/* One initialized tick of a pool. */
struct lx_uv3_tick {
	int32_t tick;
	__int128 liquidity_net;
};

/* A pool's swap-relevant state. ticks sorted by tick, owned by the pool (malloc'd). */
struct lx_uv3_pool {
	struct lx_addr address, token0, token1;
	uint32_t fee;                   /* pips: 3000 = 0.3 % */
	int32_t tick_spacing;
	struct lx_u256 sqrt_price;      /* slot0.sqrtPriceX96 */
	int32_t tick;                   /* slot0.tick */
	unsigned __int128 liquidity;    /* in-range liquidity */
	size_t n_ticks;
	struct lx_uv3_tick *ticks;
};

/* What one swap did, as UniswapV3Pool.swap returns it. */
struct lx_uv3_swap {
	bool zero_for_one;
	struct lx_u256 amount_in, amount_out;   /* |amount0| and |amount1| by direction */
	struct lx_u256 limit;                   /* sqrtPriceLimitX96 used */
	bool exact_in;
	struct lx_u256 specified;               /* amountSpecified (magnitude) */
};

/*
 * UniswapV3Pool.swap on p: zero_for_one, exact_in (else exact output) of amount, stopping at
 * limit (NULL = MIN_SQRT_RATIO+1 / MAX_SQRT_RATIO-1, as the periphery router does). Updates p
 * (price, tick, liquidity) as the pool would and fills *out. Errors: LX_EINVAL (bad limit or
 * zero amount: the pool reverts 'SPL'/'AS'), LX_EOVERFLOW.
 */
int lx_uv3_swap(struct lx_uv3_pool *p, struct lx_uv3_swap *out, bool zero_for_one, bool exact_in,
		const struct lx_u256 *amount, const struct lx_u256 *limit);

/* ---- the cascade's market ---- */
struct lx_dex;

/* Per-asset settings from chains/ (and a depth file). */
struct lx_dex_feed {
	uint32_t deviation_bps;         /* oracle moves when the market is this far (0 = any move) */
	uint32_t heartbeat;             /* seconds; recorded, not simulated (cascades are minutes) */
};

int lx_dex_create(struct lx_dex **out, size_t n_assets);
void lx_dex_destroy(struct lx_dex *d);
/* Deep copy (pools included), so a cascade can trade without touching the original. */
int lx_dex_clone(struct lx_dex **out, const struct lx_dex *d, struct lx_error *err);
/* Asset `asset` trades in pool p against market asset `quote` (pool copied, ticks included);
 * asset_is_token0 says which side of the pool it is. LX_ENOMEM, LX_EINVAL. */
int lx_dex_add_pool(struct lx_dex *d, size_t asset, size_t quote, bool asset_is_token0,
		    const struct lx_uv3_pool *p);
/* Depth for an asset without a pool: base units sold per 1 % price move. */
void lx_dex_set_depth(struct lx_dex *d, size_t asset, double base_per_pct);
void lx_dex_set_feed(struct lx_dex *d, size_t asset, const struct lx_dex_feed *f);
/* The feed's deviation threshold as a fraction (0.005 = 0.5 %). */
double lx_dex_threshold(const struct lx_dex *d, size_t asset);
/* The pool of an asset (NULL if none): for reports. */
const struct lx_uv3_pool *lx_dex_pool(const struct lx_dex *d, size_t asset);
size_t lx_dex_n_pools(const struct lx_dex *d);

/*
 * Moves every shocked asset's pool to its shocked price (arbitrage: a swap up to the price
 * limit) and records the swap. price0: prices before, market: after the shock (base units).
 */
int lx_dex_shock(struct lx_dex *d, const struct lx_market_view *mv, const struct lx_u256 *price0,
		 const struct lx_u256 *market, struct lx_error *err);
/*
 * One round's trades: sells sell[k] tokens of each asset and buys buy[k] (net per asset),
 * through its pool or its depth. market[] (base units) is updated from the pools' prices;
 * *proceeds gets the base value received for the sales (at the quote's market price).
 */
int lx_dex_trade(struct lx_dex *d, const struct lx_market_view *mv, const struct lx_u256 *sell,
		 const struct lx_u256 *buy, struct lx_u256 *market, double *proceeds,
		 struct lx_error *err);

/* Swaps done so far, in order (for reports and the devnet referee). */
struct lx_dex_swap_rec {
	size_t round;                   /* 0 = the shock */
	size_t asset;
	struct lx_uv3_swap swap;
	struct lx_u256 sqrt_price;      /* after */
	int32_t tick;                   /* after */
	unsigned __int128 liquidity;    /* after */
};
size_t lx_dex_n_swaps(const struct lx_dex *d);
const struct lx_dex_swap_rec *lx_dex_swaps(const struct lx_dex *d);
/* The round number the next trades are recorded under. */
void lx_dex_set_round(struct lx_dex *d, size_t round);

#endif
