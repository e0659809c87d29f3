/*
 * dex.c: the cascade's market (dex.h). Each asset trades in its Uniswap V3 pool against a quote
 * asset of the market (swapped with uv3.c, the pool's own arithmetic), or through a linear depth
 * (base units per 1 % move) when it has no pool; an asset with neither keeps its price (the
 * quote assets). An asset's market price in base units is its pool price relative to the pool's
 * price at load, times the quote's own move: m = m0 * (P / P0) * (mQ / mQ0), in integers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/dex.h"

struct dex_asset {
	bool has_pool, token0;          /* the asset is the pool's token0 */
	size_t quote;
	struct lx_uv3_pool pool;
	struct lx_u256 sqrt0;           /* pool price at load */
	double depth;                   /* base units per 1 % (no pool) */
	struct lx_dex_feed feed;
};

struct lx_dex {
	size_t n;
	struct dex_asset *a;
	size_t round;
	size_t n_rec, rec_cap;
	struct lx_dex_swap_rec *rec;
	struct lx_u256 *m0;             /* market prices when the pools were loaded (first use) */
	bool have_m0;
};

int lx_dex_create(struct lx_dex **out, size_t n_assets)
{
	*out = NULL;
	struct lx_dex *d = calloc(1, sizeof(*d));
	if (!d)
		return LX_ENOMEM;
	d->n = n_assets;
	d->a = calloc(n_assets ? n_assets : 1, sizeof(*d->a));
	d->m0 = calloc(n_assets ? n_assets : 1, sizeof(*d->m0));
	if (!d->a || !d->m0) {
		lx_dex_destroy(d);
		return LX_ENOMEM;
	}
	*out = d;
	return 0;
}

void lx_dex_destroy(struct lx_dex *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->a[i].pool.ticks);
	free(d->a);
	free(d->m0);
	free(d->rec);
	free(d);
}

int lx_dex_clone(struct lx_dex **out, const struct lx_dex *d, struct lx_error *err)
{
	*out = NULL;
	struct lx_dex *c;
	if (lx_dex_create(&c, d->n))
		return lx_error_set(err, LX_ENOMEM, "dex: out of memory");
	c->round = d->round;
	c->have_m0 = d->have_m0;
	memcpy(c->m0, d->m0, d->n * sizeof(*d->m0));
	for (size_t i = 0; i < d->n; i++) {
		c->a[i] = d->a[i];
		c->a[i].pool.ticks = NULL;
		size_t nt = d->a[i].pool.n_ticks;
		if (nt) {
			c->a[i].pool.ticks = malloc(nt * sizeof(*d->a[i].pool.ticks));
			if (!c->a[i].pool.ticks) {
				c->a[i].pool.n_ticks = 0;
				lx_dex_destroy(c);
				return lx_error_set(err, LX_ENOMEM, "dex: out of memory");
			}
			memcpy(c->a[i].pool.ticks, d->a[i].pool.ticks, nt * sizeof(*d->a[i].pool.ticks));
		}
	}
	if (d->n_rec) {
		c->rec = malloc(d->n_rec * sizeof(*d->rec));
		if (!c->rec) {
			lx_dex_destroy(c);
			return lx_error_set(err, LX_ENOMEM, "dex: out of memory");
		}
		memcpy(c->rec, d->rec, d->n_rec * sizeof(*d->rec));
		c->n_rec = c->rec_cap = d->n_rec;
	}
	*out = c;
	return 0;
}

int lx_dex_add_pool(struct lx_dex *d, size_t asset, size_t quote, bool asset_is_token0,
		    const struct lx_uv3_pool *p)
{
	if (asset >= d->n || quote >= d->n || asset == quote || p->tick_spacing <= 0)
		return LX_EINVAL;
	struct dex_asset *x = &d->a[asset];
	struct lx_uv3_tick *t = NULL;
	if (p->n_ticks) {
		t = malloc(p->n_ticks * sizeof(*t));
		if (!t)
			return LX_ENOMEM;
		memcpy(t, p->ticks, p->n_ticks * sizeof(*t));
		/* sorted by tick, as the swap's word search needs */
		for (size_t i = 1; i < p->n_ticks; i++)
			for (size_t j = i; j > 0 && t[j - 1].tick > t[j].tick; j--) {
				struct lx_uv3_tick s = t[j];
				t[j] = t[j - 1];
				t[j - 1] = s;
			}
	}
	free(x->pool.ticks);
	x->pool = *p;
	x->pool.ticks = t;
	x->has_pool = true;
	x->token0 = asset_is_token0;
	x->quote = quote;
	x->sqrt0 = p->sqrt_price;
	return 0;
}

void lx_dex_set_depth(struct lx_dex *d, size_t asset, double base_per_pct)
{
	if (asset < d->n)
		d->a[asset].depth = base_per_pct;
}

void lx_dex_set_feed(struct lx_dex *d, size_t asset, const struct lx_dex_feed *f)
{
	if (asset < d->n)
		d->a[asset].feed = *f;
}

double lx_dex_threshold(const struct lx_dex *d, size_t asset)
{
	return asset < d->n ? d->a[asset].feed.deviation_bps / 10000.0 : 0;
}

const struct lx_uv3_pool *lx_dex_pool(const struct lx_dex *d, size_t asset)
{
	return asset < d->n && d->a[asset].has_pool ? &d->a[asset].pool : NULL;
}

size_t lx_dex_n_pools(const struct lx_dex *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->a[i].has_pool;
	return n;
}

size_t lx_dex_n_swaps(const struct lx_dex *d)
{
	return d->n_rec;
}

const struct lx_dex_swap_rec *lx_dex_swaps(const struct lx_dex *d)
{
	return d->rec;
}

void lx_dex_set_round(struct lx_dex *d, size_t round)
{
	d->round = round;
}

static int record(struct lx_dex *d, size_t asset, const struct lx_uv3_swap *s)
{
	if (d->n_rec == d->rec_cap) {
		size_t c = d->rec_cap ? d->rec_cap * 2 : 16;
		struct lx_dex_swap_rec *r = realloc(d->rec, c * sizeof(*r));
		if (!r)
			return LX_ENOMEM;
		d->rec = r;
		d->rec_cap = c;
	}
	const struct lx_uv3_pool *p = &d->a[asset].pool;
	struct lx_dex_swap_rec *r = &d->rec[d->n_rec++];
	r->round = d->round;
	r->asset = asset;
	r->swap = *s;
	r->sqrt_price = p->sqrt_price;
	r->tick = p->tick;
	r->liquidity = p->liquidity;
	return 0;
}

static void init_m0(struct lx_dex *d, const struct lx_market_view *mv)
{
	if (d->have_m0)
		return;
	for (size_t k = 0; k < d->n && k < mv->n_assets; k++)
		d->m0[k] = mv->assets[k].price;
	d->have_m0 = true;
}

/* m = m0 * (P / P0) * (mQ / mQ0), P = sqrt^2 (token0) or its inverse (token1) */
static int pool_price(const struct lx_dex *d, size_t k, const struct lx_u256 *market,
		      struct lx_u256 *r)
{
	const struct dex_asset *x = &d->a[k];
	const struct lx_u256 *num = x->token0 ? &x->pool.sqrt_price : &x->sqrt0;
	const struct lx_u256 *den = x->token0 ? &x->sqrt0 : &x->pool.sqrt_price;
	struct lx_u256 t;
	int rc;
	if ((rc = lx_u256_muldiv(&t, &d->m0[k], num, den)) ||
	    (rc = lx_u256_muldiv(&t, &t, num, den)))
		return rc;
	if (!lx_u256_is_zero(&d->m0[x->quote]) &&
	    (rc = lx_u256_muldiv(&t, &t, &market[x->quote], &d->m0[x->quote])))
		return rc;
	*r = t;
	return 0;
}

static double base_value(const struct lx_market_view *mv, size_t k, const struct lx_u256 *amt,
			 const struct lx_u256 *price)
{
	return lx_u256_to_double(amt) * lx_u256_to_double(price) / pow(10, mv->assets[k].decimals);
}

int lx_dex_shock(struct lx_dex *d, const struct lx_market_view *mv, const struct lx_u256 *price0,
		 const struct lx_u256 *market, struct lx_error *err)
{
	init_m0(d, mv);
	for (size_t k = 0; k < d->n; k++) {
		struct dex_asset *x = &d->a[k];
		if (!x->has_pool || lx_u256_eq(&price0[k], &market[k]))
			continue;
		/* the pool price that gives the shocked market price: arbitrage to it */
		double ratio = lx_u256_to_double(&market[k]) / lx_u256_to_double(&price0[k]);
		double q = lx_u256_to_double(&market[x->quote]) / lx_u256_to_double(&price0[x->quote]);
		double f = x->token0 ? sqrt(ratio / q) : sqrt(q / ratio);
		struct lx_u256 ff, two64, lim;
		lx_u256_from_u64(&ff, (uint64_t)llround(f * 18446744073709551616.0 / 4));
		lx_u256_from_u64(&two64, 1);
		lx_u256_shl(&two64, &two64, 62);
		if (lx_u256_muldiv(&lim, &x->pool.sqrt_price, &ff, &two64))
			return lx_error_set(err, LX_EOVERFLOW, "dex: shock price overflow");
		if (lx_u256_eq(&lim, &x->pool.sqrt_price))
			continue;
		bool z41 = lx_u256_cmp(&lim, &x->pool.sqrt_price) < 0;
		struct lx_u256 huge;
		lx_u256_from_u64(&huge, 1);
		lx_u256_shl(&huge, &huge, 200);
		struct lx_uv3_swap s;
		size_t save = d->round;
		d->round = 0;
		int rc = lx_uv3_swap(&x->pool, &s, z41, true, &huge, &lim);
		if (rc == 0)
			rc = record(d, k, &s);
		d->round = save;
		if (rc)
			return lx_error_set(err, rc, "dex: shock swap of %s in its pool: %s",
					    mv->assets[k].symbol, lx_strerror(rc));
	}
	return 0;
}

int lx_dex_trade(struct lx_dex *d, const struct lx_market_view *mv, const struct lx_u256 *sell,
		 const struct lx_u256 *buy, struct lx_u256 *market, double *proceeds,
		 struct lx_error *err)
{
	init_m0(d, mv);
	*proceeds = 0;
	struct lx_u256 *before = malloc((d->n ? d->n : 1) * sizeof(*before));
	if (!before)
		return lx_error_set(err, LX_ENOMEM, "dex: out of memory");
	memcpy(before, market, d->n * sizeof(*before));
	int rc = 0;
	for (size_t k = 0; k < d->n && !rc; k++) {
		struct dex_asset *x = &d->a[k];
		bool net_sell = lx_u256_cmp(&sell[k], &buy[k]) >= 0;
		struct lx_u256 net, matched;
		if (net_sell) {
			lx_u256_sub(&net, &sell[k], &buy[k]);
			matched = buy[k];
		} else {
			lx_u256_sub(&net, &buy[k], &sell[k]);
			matched = sell[k];
		}
		/* what is sold and bought back in the same asset nets out at the market price */
		*proceeds += base_value(mv, k, &matched, &market[k]);
		if (lx_u256_is_zero(&net))
			continue;
		double at_market = base_value(mv, k, &net, &market[k]);
		if (x->has_pool) {
			struct lx_uv3_swap s;
			/* selling the asset: exact input; buying it: exact output */
			bool z41 = net_sell ? x->token0 : !x->token0;
			/* a pool an earlier sale drove to the end of its price range takes nothing
			 * more that way (the pool reverts 'SPL'): nothing traded, nothing recorded */
			struct lx_u256 edge, one;
			lx_u256_from_u64(&one, 1);
			lx_uv3_sqrt_at_tick(&edge, z41 ? LX_UV3_MIN_TICK : LX_UV3_MAX_TICK);
			if (z41 ? lx_u256_add(&edge, &edge, &one) : lx_u256_sub(&edge, &edge, &one))
				edge = x->pool.sqrt_price;
			if (z41 ? lx_u256_cmp(&x->pool.sqrt_price, &edge) <= 0
				: lx_u256_cmp(&x->pool.sqrt_price, &edge) >= 0)
				continue;
			rc = lx_uv3_swap(&x->pool, &s, z41, net_sell, &net, NULL);
			if (rc) {
				rc = lx_error_set(err, rc, "dex: swap of %s in its pool: %s",
						  mv->assets[k].symbol, lx_strerror(rc));
				break;
			}
			if ((rc = record(d, k, &s))) {
				rc = lx_error_set(err, rc, "dex: out of memory");
				break;
			}
			size_t q = x->quote;
			if (net_sell) {
				/* input the pool could not take (it ran out of liquidity) stays
				 * unsold: no proceeds, all slippage */
				*proceeds += base_value(mv, q, &s.amount_out, &before[q]);
			} else {
				*proceeds -= base_value(mv, q, &s.amount_in, &before[q]) - at_market;
			}
			if ((rc = pool_price(d, k, market, &market[k]))) {
				rc = lx_error_set(err, rc, "dex: price of %s overflows",
						  mv->assets[k].symbol);
				break;
			}
		} else if (x->depth > 0) {
			double pct = at_market / x->depth;
			if (pct > 99)
				pct = 99;
			*proceeds += net_sell ? at_market * (1 - pct / 200) : -at_market * pct / 200;
			struct lx_u256 f, m = {{1000000, 0, 0, 0}};
			lx_u256_from_u64(&f, (uint64_t)llround((net_sell ? 100 - pct : 100 + pct) * 10000));
			lx_u256_muldiv(&market[k], &market[k], &f, &m);
		} else if (net_sell) {
			*proceeds += at_market; /* no pool, no depth: the quote assets, price held */
		}
	}
	/* quotes may have moved: reprice every pooled asset */
	for (size_t k = 0; k < d->n && !rc; k++)
		if (d->a[k].has_pool && (rc = pool_price(d, k, market, &market[k])))
			rc = lx_error_set(err, rc, "dex: price overflow");
	free(before);
	return rc;
}
