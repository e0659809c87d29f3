/*
 * view_dump.c: prints the market view lendex builds from its store for one deployment, one
 * JSON line per account, for referee scripts that hold many accounts against the contract at
 * once (tests/devnet/comet_scale_verify.js): the handler's own view at the synced block's
 * timestamp, through the ops the CLI uses — what `lendex position --deployment` shows, without a
 * process per account.
 *
 * usage: view_dump DATADIR CHAINS_DIR CHAIN DEPLOYMENT
 * prints {"block":N,"accounts":K} then per account {"account","healthFactor","positions":[
 * {"asset","supplied","borrowed"}]} (token address; amounts in token units, decimal).
 */
#include <stdio.h>
#include <string.h>

#include "lendex/chain.h"
#include "lendex/proto.h"
#include "lendex/store.h"

static int die(const struct lx_error *e)
{
	fprintf(stderr, "view_dump: %s\n", e->msg);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: view_dump DATADIR CHAINS_DIR CHAIN DEPLOYMENT\n");
		return 2;
	}
	struct lx_error e;
	struct lx_store *st;
	struct lx_chain *chain;
	if (lx_store_open(&st, argv[1], LX_STORE_RDONLY, &e) ||
	    lx_chain_load(&chain, argv[2], argv[3], &e))
		return die(&e);
	const struct lx_deployment *dep = lx_chain_find_deployment(chain, argv[4]);
	if (!dep) {
		fprintf(stderr, "view_dump: no deployment %s\n", argv[4]);
		return 2;
	}
	struct lx_store_txn *t;
	struct lx_proto *p;
	struct lx_sync_cursor cur;
	struct lx_market_view mv;
	if (lx_store_begin(st, false, &t, &e) || lx_proto_create(&p, chain, dep, NULL, t, &e) ||
	    lx_store_cursor_get(t, lx_chain_id(chain), &cur, &e) ||
	    p->ops->view(p, t, cur.timestamp, NULL, 0, 0, &mv, &e))
		return die(&e);
	printf("{\"block\":%llu,\"accounts\":%zu}\n", (unsigned long long)cur.block, mv.n_accounts);
	for (size_t i = 0; i < mv.n_accounts; i++) {
		const struct lx_account_view *a = &mv.accounts[i];
		char acct[LX_ADDR_STRLEN], hf[LX_U256_DEC_MAX];
		lx_addr_lower(acct, &a->account);
		lx_u256_to_dec(hf, sizeof(hf), &a->health.health_factor);
		printf("{\"account\":\"%s\",\"healthFactor\":\"%s\",\"positions\":[", acct, hf);
		for (size_t k = 0; k < a->n_pos; k++) {
			const struct lx_asset_pos *q = &a->pos[k];
			char tok[LX_ADDR_STRLEN], s[LX_U256_DEC_MAX], b[LX_U256_DEC_MAX];
			if (q->asset >= mv.n_assets) {
				fprintf(stderr, "view_dump: position of asset %u past the view's %zu\n",
					q->asset, mv.n_assets);
				return 1;
			}
			lx_addr_lower(tok, &mv.assets[q->asset].asset);
			lx_u256_to_dec(s, sizeof(s), &q->supplied);
			lx_u256_to_dec(b, sizeof(b), &q->borrowed);
			printf("%s{\"asset\":\"%s\",\"supplied\":\"%s\",\"borrowed\":\"%s\"}", k ? "," : "",
			       tok, s, b);
		}
		printf("]}\n");
	}
	lx_market_view_release(&mv);
	lx_store_abort(t);
	lx_proto_destroy(p);
	lx_chain_destroy(chain);
	lx_store_close(st);
	return 0;
}
