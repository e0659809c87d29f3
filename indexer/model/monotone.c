/*
 * monotone.c: price feeds and the curve front door (lx_model_curve_*, model.h): one account's
 * health as a function of one feed's price.
 *
 * Liquidation prices and ladders ask "is HF below 1 at price P of feed f?" many times per
 * account. A market whose health is monotone in each price (ops->monotone, or a market's own
 * curve that says so) needs nothing precomputed: every evaluation is its own health op with
 * the feed's positions at P, and an interval is decided by its ends when the feed prices only
 * collateral or only debt. A market whose health is not monotone brings its own exact curve
 * (ops->curve; Aave's affine bounds live in indexer/proto/aave/curve.c).
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/model.h"

uint32_t lx_model_feed_of(const struct lx_market_view *mv, const struct lx_asset_pos *p)
{
	if (p->feed == 0)
		return p->asset;
	if (p->feed > mv->n_feeds)
		return LX_FEED_NONE;
	const struct lx_price_feed *f = &mv->feeds[p->feed - 1];
	if (f->same_as != LX_FEED_NONE && f->same_as < mv->n_assets)
		return f->same_as;
	return (uint32_t)(mv->n_assets + p->feed - 1);
}

void lx_model_feed_price(const struct lx_market_view *mv, uint32_t f, struct lx_u256 *out)
{
	memset(out, 0, sizeof(*out));
	if (f < mv->n_assets)
		*out = mv->assets[f].price;
	else if (f - mv->n_assets < mv->n_feeds)
		*out = mv->feeds[f - mv->n_assets].price;
}

/*
 * A market whose health is monotone in each feed (ops->monotone): nothing to precompute but
 * which positions move; every evaluation is the market's own health op.
 */
static int monotone_init(struct lx_curve *c, const struct lx_market_view *mv,
			 const struct lx_account_view *acct, uint32_t feed)
{
	c->monotone = true;
	c->prices = calloc(acct->n_pos ? acct->n_pos : 1, sizeof(*c->prices));
	if (!c->prices)
		return LX_ENOMEM;
	for (size_t i = 0; i < acct->n_pos; i++) {
		const struct lx_asset_pos *p = &acct->pos[i];
		if (p->asset >= mv->n_assets)
			return LX_EINVAL;
		c->prices[i] = p->price;
		if (lx_model_feed_of(mv, p) != feed)
			continue;
		if (p->collateral && !lx_u256_is_zero(&p->supplied))
			c->moves_coll = true;
		if (!lx_u256_is_zero(&p->borrowed))
			c->moves_debt = true;
	}
	return 0;
}

int lx_model_curve_init_monotone(struct lx_curve *c, const struct lx_market_view *mv,
				 const struct lx_account_view *acct, uint32_t feed)
{
	memset(c, 0, sizeof(*c));
	c->mv = mv;
	c->acct = acct;
	c->feed = feed;
	int rc = monotone_init(c, mv, acct, feed);
	if (rc)
		lx_model_curve_release(c);
	return rc;
}

void lx_model_curve_release(struct lx_curve *c)
{
	if (!c)
		return;
	free(c->prices);
	c->prices = NULL;
}


int lx_model_curve_init(struct lx_curve *c, const struct lx_market_view *mv,
			const struct lx_account_view *acct, uint32_t feed)
{
	memset(c, 0, sizeof(*c));
	if (!mv->ops || feed >= lx_model_n_feeds(mv))
		return LX_EINVAL;
	if (mv->ops->monotone)
		return lx_model_curve_init_monotone(c, mv, acct, feed);
	if (!mv->ops->curve || !mv->ops->curve->init)
		return LX_EINVAL; /* neither monotone nor a curve of its own: no guess */
	c->mv = mv;
	c->acct = acct;
	c->feed = feed;
	return mv->ops->curve->init(c, mv, acct, feed);
}

/* HF by the market's own health op, the feed's positions at price */
static int monotone_hf(const struct lx_curve *c, const struct lx_u256 *price, struct lx_u256 *hf)
{
	for (size_t i = 0; i < c->acct->n_pos; i++)
		c->prices[i] = lx_model_feed_of(c->mv, &c->acct->pos[i]) == c->feed
				       ? *price
				       : c->acct->pos[i].price;
	struct lx_health h;
	int rc = lx_model_health(&h, c->mv, c->acct, c->prices);
	if (rc)
		return rc;
	*hf = h.health_factor;
	return 0;
}

int lx_model_curve_hf(const struct lx_curve *c, const struct lx_u256 *price, struct lx_u256 *hf)
{
	memset(hf, 0, sizeof(*hf));
	if (c->monotone)
		return monotone_hf(c, price, hf);
	if (!c->mv || !c->mv->ops || !c->mv->ops->curve)
		return LX_EINVAL;
	return c->mv->ops->curve->hf(c, price, hf);
}

enum lx_curve_bound lx_model_curve_bound(const struct lx_curve *c, const struct lx_u256 *lo,
					 const struct lx_u256 *hi)
{
	struct lx_u256 hf, wad;
	lx_u256_from_u64(&wad, 1000000000000000000ull);
	if (!c->moves_coll && !c->moves_debt) {
		/* the feed moves nothing: HF is the same at every price */
		if (lx_model_curve_hf(c, lo, &hf))
			return LX_CURVE_MIXED;
		return lx_u256_cmp(&hf, &wad) < 0 ? LX_CURVE_ALL_BELOW : LX_CURVE_NONE_BELOW;
	}
	if (c->monotone) {
		/* rising in the price of collateral alone, falling in that of debt alone: the
		 * ends decide the interval; a feed pricing both is not monotone */
		if (c->moves_coll && c->moves_debt)
			return LX_CURVE_MIXED;
		const struct lx_u256 *low_end = c->moves_coll ? lo : hi;  /* HF lowest here */
		const struct lx_u256 *high_end = c->moves_coll ? hi : lo; /* HF highest here */
		if (lx_model_curve_hf(c, high_end, &hf) == 0 && lx_u256_cmp(&hf, &wad) < 0)
			return LX_CURVE_ALL_BELOW;
		if (lx_model_curve_hf(c, low_end, &hf) == 0 && lx_u256_cmp(&hf, &wad) >= 0)
			return LX_CURVE_NONE_BELOW;
		return LX_CURVE_MIXED;
	}
	if (!c->mv->ops->curve)
		return LX_CURVE_MIXED;
	return c->mv->ops->curve->bound(c, lo, hi);
}

bool lx_model_curve_guess(const struct lx_curve *c, const struct lx_u256 *lo,
			  const struct lx_u256 *hi, struct lx_u256 *out)
{
	memset(out, 0, sizeof(*out));
	if (c->monotone || (!c->moves_coll && !c->moves_debt) || !c->mv->ops->curve)
		return false;
	return c->mv->ops->curve->guess(c, lo, hi, out);
}
