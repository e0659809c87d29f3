/*
 * fuzz_aave_v4.c: libFuzzer target for the Aave V4 handler (indexer/proto/aave_v4/): an
 * eth_getLogs answer parsed by lx_logset is applied, log by log, to a scratch store through the
 * handler of a deployment with one Hub (0x…a1) and one Spoke (0x…b2) — the strict reader, the
 * id/address range checks, the share and premium bookkeeping — then the market view and every
 * account's data and liquidations are computed from what was stored. The write transaction is
 * aborted after each input, so inputs do not leak into each other.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/aave_v4.h"
#include "lendex/chain.h"
#include "lendex/proto.h"
#include "lendex/rpc.h"
#include "lendex/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

static struct lx_store *st;
static struct lx_chain chain;

static void setup(void)
{
	char dir[] = "/tmp/fuzz_aave_v4.XXXXXX";
	if (!mkdtemp(dir) || lx_store_open(&st, dir, LX_STORE_CREATE | LX_STORE_NOSYNC, NULL))
		abort();
	snprintf(chain.name, sizeof(chain.name), "fuzz");
	chain.chain_id = 31337;
	chain.n_deployments = 1;
	struct lx_deployment *d = &chain.deployments[0];
	snprintf(d->name, sizeof(d->name), "aave-v4-fuzz");
	d->protocol = LX_PROTO_AAVE_V4;
	snprintf(d->version, sizeof(d->version), "0.5.11");
	d->start_block = 1;
	d->n_contracts = 2;
	snprintf(d->contracts[0].role, sizeof(d->contracts[0].role), "hub:a");
	d->contracts[0].addr.b[19] = 0xa1;
	snprintf(d->contracts[1].role, sizeof(d->contracts[1].role), "spoke:s");
	d->contracts[1].addr.b[19] = 0xb2;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	if (!st)
		setup();
	json_t *j = json_loadb((const char *)in, len, 0, NULL);
	if (!j)
		return 0;
	struct lx_logset s;
	lx_logset_init(&s);
	struct lx_store_txn *t = NULL;
	struct lx_proto *p = NULL;
	if (lx_logset_append(&s, j, NULL) == 0 && lx_store_begin(st, true, &t, NULL) == 0 &&
	    lx_proto_create(&p, &chain, &chain.deployments[0], NULL, t, NULL) == 0) {
		for (size_t i = 0; i < s.n; i++) {
			struct lx_error e;
			if (p->ops->apply(p, t, &s.logs[i], &e))
				break; /* refused, with a message: the sync would stop here */
		}
		struct lx_market_view mv;
		struct lx_error e;
		uint64_t ts = s.n ? s.logs[s.n - 1].timestamp + 86400 : 0;
		if (p->ops->view(p, t, ts, NULL, 0, 0, &mv, &e) == 0) {
			for (size_t a = 0; a < mv.n_accounts; a++) {
				struct lx_account_view *ac = &mv.accounts[a];
				struct lx_aave_v4_account d;
				lx_aave_v4_account_data(&d, &mv, ac, NULL);
				for (size_t ci = 0; ci < ac->n_pos && ci < 4; ci++)
					for (size_t di = 0; di < ac->n_pos && di < 4; di++) {
						struct lx_liq_result r;
						enum lx_liq_refusal why;
						lx_model_liquidate(&r, &why, &mv, ac, ci, di, NULL, NULL,
								   false);
					}
			}
			lx_market_view_release(&mv);
		}
	}
	lx_proto_destroy(p);
	if (t)
		lx_store_abort(t);
	lx_logset_release(&s);
	json_decref(j);
	return 0;
}
