/*
 * morpho_view.c: prints the Morpho Blue view lendex builds from its store, one JSON line per
 * (account, market), for tests/devnet/morpho_verify.js to hold against the contract: the
 * handler's own view at the synced block's timestamp, through the same ops the CLI uses.
 *
 * usage: morpho_view DATADIR CHAINS_DIR CHAIN DEPLOYMENT
 * prints {"block":N} then {"account","market","supplyShares","supplyAssets","borrowShares",
 * "borrowAssets","collateral","healthFactor","liquidatable"} per account view.
 */
#include <stdio.h>
#include <string.h>

#include "lendex/chain.h"
#include "lendex/proto.h"
#include "lendex/store.h"

static int die(const struct lx_error *e)
{
	fprintf(stderr, "morpho_view: %s\n", e->msg);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: morpho_view DATADIR CHAINS_DIR CHAIN DEPLOYMENT\n");
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
		fprintf(stderr, "morpho_view: no deployment %s\n", argv[4]);
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
	printf("{\"block\":%llu}\n", (unsigned long long)cur.block);
	for (size_t i = 0; i < mv.n_accounts; i++) {
		const struct lx_account_view *a = &mv.accounts[i];
		struct lx_u256 z = {{0, 0, 0, 0}};
		const struct lx_u256 *ss = &z, *sa = &z, *bs = &z, *ba = &z, *c = &z;
		for (size_t k = 0; k < a->n_pos; k++) {
			const struct lx_asset_pos *q = &a->pos[k];
			if (q->asset % 2) {
				c = &q->supplied;
			} else {
				ss = &q->scaled_supplied;
				sa = &q->supplied;
				bs = &q->scaled_variable;
				ba = &q->borrowed;
			}
		}
		char acct[LX_ADDR_STRLEN], mk[67], v[6][LX_U256_DEC_MAX];
		lx_addr_lower(acct, &a->account);
		lx_hex_encode(mk, sizeof(mk), a->market, 32);
		lx_u256_to_dec(v[0], sizeof(v[0]), ss);
		lx_u256_to_dec(v[1], sizeof(v[1]), sa);
		lx_u256_to_dec(v[2], sizeof(v[2]), bs);
		lx_u256_to_dec(v[3], sizeof(v[3]), ba);
		lx_u256_to_dec(v[4], sizeof(v[4]), c);
		lx_u256_to_dec(v[5], sizeof(v[5]), &a->health.health_factor);
		struct lx_u256 one;
		lx_u256_from_u64(&one, 1000000000000000000ull);
		printf("{\"account\":\"%s\",\"market\":\"%s\",\"supplyShares\":\"%s\",\"supplyAssets\":"
		       "\"%s\",\"borrowShares\":\"%s\",\"borrowAssets\":\"%s\",\"collateral\":\"%s\","
		       "\"healthFactor\":\"%s\",\"liquidatable\":%s}\n",
		       acct, mk, v[0], v[1], v[2], v[3], v[4], v[5],
		       lx_u256_cmp(&a->health.health_factor, &one) < 0 ? "true" : "false");
	}
	lx_market_view_release(&mv);
	lx_store_abort(t);
	lx_proto_destroy(p);
	lx_chain_destroy(chain);
	lx_store_close(st);
	return 0;
}
