/*
 * handler.c: the Morpho Blue handler's ops table, its lifecycle and its log filter. See
 * morpho.h for how the files fit. The deployment names one contract, the singleton
 * (chains/: contracts.morpho); every market created on it is followed, none is listed.
 */
#include <stdlib.h>
#include <string.h>

#include "morpho.h"
#include "lendex/chain.h"

int morpho_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct morpho *mo = morpho_of(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = mo->singleton;
	for (int i = 0; i < MEV_COUNT; i++)
		memcpy(f->topic0[f->n_topic0++], morpho_events[i].topic0, 32);
	return 0;
}

/* Nothing to discover (every market logs on the singleton), but sync asks every handler for a
 * discovery filter and an empty one would match every log of the chain: ask for CreateMarket. */
static int no_discovery(struct lx_proto *p, struct lx_filter *f)
{
	struct morpho *mo = morpho_of(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = mo->singleton;
	memcpy(f->topic0[f->n_topic0++], morpho_events[MEV_CREATE_MARKET].topic0, 32);
	return 0;
}

static int no_discover(struct lx_proto *p, const struct lx_log *log, struct lx_error *err)
{
	(void)p;
	(void)log;
	(void)err;
	return 0;
}

static int morpho_create(struct lx_proto **out, const struct lx_chain *chain,
			 const struct lx_deployment *dep, const char *abi_dir,
			 struct lx_store_txn *txn, struct lx_error *err);

/* sync's start-up check: the singleton holds every market */
static int morpho_core_contracts(struct lx_proto *p, struct lx_addr *out, const char **roles,
				 size_t *n)
{
	if (*n < 1)
		return LX_EINVAL;
	out[0] = morpho_of(p)->singleton;
	roles[0] = "morpho";
	*n = 1;
	return 0;
}

static void morpho_destroy(struct lx_proto *p)
{
	free(p);
}

const struct lx_proto_ops lx_proto_morpho_blue = {
	.name = "morpho_blue",
	.protocol = LX_PROTO_MORPHO_BLUE,
	.create = morpho_create,
	.destroy = morpho_destroy,
	.discovery_filter = no_discovery,
	.discover = no_discover,
	.filter = morpho_filter,
	.apply = morpho_apply,
	.calls = morpho_calls,
	.apply_calls = morpho_apply_calls,
	.view = morpho_view,
	.core_contracts = morpho_core_contracts,
};

static int morpho_create(struct lx_proto **out, const struct lx_chain *chain,
			 const struct lx_deployment *dep, const char *abi_dir,
			 struct lx_store_txn *txn, struct lx_error *err)
{
	(void)abi_dir;
	(void)txn; /* nothing to reload: every market lives in the store */
	*out = NULL;
	morpho_events_init();
	struct morpho *mo = calloc(1, sizeof(*mo));
	if (!mo)
		return lx_error_set(err, LX_ENOMEM, "morpho_blue: out of memory");
	mo->base.ops = &lx_proto_morpho_blue;
	mo->base.chain = chain;
	mo->base.dep = dep;
	int rc = lx_deployment_contract(dep, "morpho", &mo->singleton, err);
	if (rc) {
		free(mo);
		return rc;
	}
	morpho_be64(mo->key, lx_chain_id(chain));
	memcpy(mo->key + 8, mo->singleton.b, 20);
	*out = &mo->base;
	return 0;
}
