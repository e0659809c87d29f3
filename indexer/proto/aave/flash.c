/*
 * flash.c: market-wide flows of an Aave market — today its flash loans. The risk pass needs to
 * know which transactions took a flash loan: a leverage loop built in one transaction (flash
 * loan, swap, supply, then a borrow that repays the flash loan) shows its supply before its
 * borrow in log order, which only the flash loan explains (docs/risk.md, loop depth). The
 * FlashLoan log names the receiver contract and initiator, not the account, so it is kept
 * under a pseudo-account (the zero address) in the ordinary flow table (same key layout, same
 * unwind) and loaded here into lx_market_view.market_flows.
 */
#include <stdlib.h>
#include <string.h>

#include "aave.h"
#include "lendex/store.h"

const struct lx_addr aave_market_flow_user = {{0}};

int aave_view_market_flows(struct aave *a, struct lx_store_txn *txn, struct lx_market_view *mv,
			   struct lx_error *err)
{
	uint8_t k[96];
	size_t kl = aave_key_asset(k, a, &aave_market_flow_user), cap = 0;
	struct lx_store_iter it;
	const uint8_t *fk, *fv;
	size_t fkl, fvl;
	int rc = lx_store_iter_begin(&it, txn, T_FLOW, k, kl, err);
	while (rc == 0 && (rc = lx_store_iter_next(&it, &fk, &fkl, &fv, &fvl, err)) == 0) {
		struct lx_flow fl;
		struct lx_addr asset;
		if (aave_rec_flow_decode(&fl, &asset, fk, fkl, kl, fv, fvl)) {
			lx_store_iter_end(&it);
			return aave_corrupt(err, T_FLOW);
		}
		size_t ai;
		for (ai = 0; ai < mv->n_assets; ai++)
			if (lx_addr_eq(&mv->assets[ai].asset, &asset))
				break;
		/* a flash loan of an asset the view does not list still marks its transaction */
		if (mv->n_market_flows == cap) {
			size_t nc = cap ? 2 * cap : 64;
			struct lx_flow *nf = realloc(mv->market_flows, nc * sizeof(*nf));
			if (!nf) {
				lx_store_iter_end(&it);
				return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
			}
			mv->market_flows = nf;
			cap = nc;
		}
		fl.asset = ai < mv->n_assets ? (uint32_t)ai : UINT32_MAX;
		mv->market_flows[mv->n_market_flows++] = fl;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}
