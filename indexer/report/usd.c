/*
 * usd.c: the chain-wide USD price book (report.h) that puts positions of markets in different
 * base currencies (a Morpho Blue market counts in its loan token) into one USD total. Only
 * oracles that answer in USD feed it; nothing is inferred.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/report.h"

void lx_usd_book_init(struct lx_usd_book *b)
{
	memset(b, 0, sizeof(*b));
}

void lx_usd_book_release(struct lx_usd_book *b)
{
	if (!b)
		return;
	free(b->v);
	memset(b, 0, sizeof(*b));
}

const struct lx_usd_price *lx_usd_book_find(const struct lx_usd_book *b, uint64_t chain_id,
					    const struct lx_addr *token)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].chain_id == chain_id && lx_addr_eq(&b->v[i].token, token))
			return &b->v[i];
	return NULL;
}

static bool usd_based(const struct lx_market_view *mv)
{
	return strcmp(mv->base, "USD") == 0;
}

/* decimals of the view's prices */
static unsigned price_dec(const struct lx_market_view *mv)
{
	return mv->price_decimals ? mv->price_decimals : mv->base_decimals;
}

int lx_usd_book_add(struct lx_usd_book *b, const struct lx_market_view *mv)
{
	if (!usd_based(mv))
		return 0;
	for (size_t k = 0; k < mv->n_assets; k++) {
		const struct lx_asset_info *inf = &mv->assets[k];
		if (lx_u256_is_zero(&inf->price) || lx_usd_book_find(b, mv->chain_id, &inf->asset))
			continue;
		if (b->n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 32;
			struct lx_usd_price *nv = realloc(b->v, nc * sizeof(*nv));
			if (!nv)
				return LX_ENOMEM;
			b->v = nv;
			b->cap = nc;
		}
		struct lx_usd_price *e = &b->v[b->n++];
		memset(e, 0, sizeof(*e));
		e->chain_id = mv->chain_id;
		e->token = inf->asset;
		e->price = inf->price;
		e->price_decimals = (uint8_t)price_dec(mv);
		e->block = inf->price_block;
		memcpy(e->source, mv->name, sizeof(e->source) - 1);
	}
	return 0;
}

/* floor(amount * price / 10^dec) in price_decimals, then rescaled to LX_USD_DECIMALS */
static int value_of(struct lx_u256 *out, const struct lx_u256 *amount, const struct lx_u256 *price,
		    unsigned dec, unsigned price_decimals)
{
	struct lx_u256 unit, scale;
	int rc;
	if ((rc = lx_u256_pow10(&unit, dec)) || (rc = lx_u256_muldiv(out, amount, price, &unit)))
		return rc;
	if (price_decimals > LX_USD_DECIMALS) {
		if ((rc = lx_u256_pow10(&scale, price_decimals - LX_USD_DECIMALS)))
			return rc;
		return lx_u256_div(out, out, &scale);
	}
	if ((rc = lx_u256_pow10(&scale, LX_USD_DECIMALS - price_decimals)))
		return rc;
	return lx_u256_mul(out, out, &scale);
}

int lx_usd_value(const struct lx_usd_book *b, const struct lx_market_view *mv, uint32_t asset,
		 const struct lx_u256 *amount, const struct lx_u256 *price, struct lx_u256 *out,
		 const char **source)
{
	memset(out, 0, sizeof(*out));
	if (source)
		*source = NULL;
	if (asset >= mv->n_assets)
		return LX_EINVAL;
	const struct lx_asset_info *inf = &mv->assets[asset];
	if (usd_based(mv)) {
		/* the market's own oracle: an answer never read (0) is no price */
		if (lx_u256_is_zero(price))
			return LX_ENOTFOUND;
		int rc = value_of(out, amount, price, inf->decimals, price_dec(mv));
		if (rc == 0 && source)
			*source = mv->name;
		return rc;
	}
	const struct lx_usd_price *p = lx_usd_book_find(b, mv->chain_id, &inf->asset);
	if (!p)
		return LX_ENOTFOUND;
	int rc = value_of(out, amount, &p->price, inf->decimals, p->price_decimals);
	if (rc == 0 && source)
		*source = p->source;
	return rc;
}
