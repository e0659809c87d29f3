/*
 * view.c: the market operations' front doors (lx_model_health, lx_model_liquidate: argument
 * checks, then mv->ops) and view memory management. The protocols' own arithmetic lives with
 * their handlers (indexer/proto/<protocol>/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/hex.h"
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

int lx_model_check_reads(const struct lx_market_view *mv, struct lx_error *err)
{
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_account_view *a = &mv->accounts[i];
		for (size_t j = 0; j < a->n_pos; j++) {
			const struct lx_asset_pos *p = &a->pos[j];
			if (p->asset >= mv->n_assets)
				continue;
			const struct lx_asset_info *inf = &mv->assets[p->asset];
			if (!inf->price_reverted ||
			    (lx_u256_is_zero(&p->supplied) && lx_u256_is_zero(&p->borrowed)))
				continue;
			char acct[LX_ADDR_STRLEN], as[LX_ADDR_STRLEN], last[32];
			lx_addr_checksum(acct, &a->account);
			lx_addr_checksum(as, &inf->asset);
			if (inf->price_block)
				snprintf(last, sizeof(last), "block %llu",
					 (unsigned long long)inf->price_block);
			else
				snprintf(last, sizeof(last), "none");
			return lx_error_set(err, LX_EREVERTED,
					    "%s: account %s holds %s (%s), whose %s read reverted at "
					    "block %llu (last answer: %s): its health is unknown, as "
					    "on chain, where the protocol's own health read reverts too",
					    mv->name, acct, inf->symbol[0] ? inf->symbol : "?", as,
					    inf->reverted_call ? inf->reverted_call : "price",
					    (unsigned long long)inf->price_reverted, last);
		}
	}
	return 0;
}
