/*
 * view.c: the market operations' front doors (lx_model_health, lx_model_liquidate: argument
 * checks, then mv->ops) and view memory management. The protocols' own arithmetic lives with
 * their handlers (indexer/proto/<protocol>/).
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/model.h"

void lx_market_view_release(struct lx_market_view *mv)
{
	if (!mv)
		return;
	free(mv->assets);
	free(mv->accounts);
	free(mv->pos_pool);
	free(mv->flow_pool);
	free(mv->market_flows);
	free(mv->feeds);
	memset(mv, 0, sizeof(*mv));
}

int lx_model_health(struct lx_health *out, const struct lx_market_view *mv,
		    const struct lx_account_view *acct, const struct lx_u256 *prices)
{
	memset(out, 0, sizeof(*out));
	if (!mv->ops || !mv->ops->health)
		return LX_EINVAL;
	return mv->ops->health(out, mv, acct, prices);
}

int lx_model_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
		       const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
		       size_t di, const struct lx_u256 *debt_to_cover, const struct lx_u256 *available,
		       bool apply)
{
	memset(out, 0, sizeof(*out));
	*refusal = LX_LIQ_NO_PAIR;
	if (ci >= a->n_pos || di >= a->n_pos || a->pos[ci].asset >= mv->n_assets ||
	    a->pos[di].asset >= mv->n_assets)
		return LX_EINVAL;
	if (mv->rules.not_reproduced)
		return LX_EINVAL; /* a number that might be off by a wei is not printed */
	if (!mv->ops || !mv->ops->liquidate)
		return LX_EINVAL;
	return mv->ops->liquidate(out, refusal, mv, a, ci, di, debt_to_cover, available, apply);
}
