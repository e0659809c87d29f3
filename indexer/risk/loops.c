/*
 * loops.c: loop detection — how many borrow → resupply rounds an account's own flows built
 * (risk.h: lx_risk_loop_depth; definition in docs/risk.md). Reads the account's flows from the
 * market view only, never events.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/risk.h"

static bool same_group(const struct lx_market_view *mv, uint32_t a, uint32_t b)
{
	if (a == b)
		return true;
	uint16_t ga = mv->assets[a].group, gb = mv->assets[b].group;
	return ga && ga == gb;
}

unsigned lx_risk_loop_depth(const struct lx_market_view *mv, const struct lx_account_view *a)
{
	/* greedy in (block, log) order: each borrow waits for the first later supply of the same
	 * asset or of an asset in its correlation group; a matched pair is one round */
	unsigned rounds = 0;
	bool *open = calloc(a->n_flows ? a->n_flows : 1, sizeof(bool));
	if (!open)
		return 0;
	for (size_t i = 0; i < a->n_flows; i++) {
		const struct lx_flow *f = &a->flows[i];
		if (f->kind == LX_FLOW_BORROW) {
			open[i] = true;
			continue;
		}
		if (f->kind != LX_FLOW_SUPPLY)
			continue;
		for (size_t j = 0; j < i; j++)
			if (open[j] && same_group(mv, a->flows[j].asset, f->asset)) {
				open[j] = false;
				rounds++;
				break;
			}
	}
	free(open);
	return rounds;
}

