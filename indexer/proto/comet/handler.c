/*
 * handler.c: the Compound V3 (Comet) handler's ops table, its lifecycle and its log filter.
 * One deployment is one Comet market (its proxy, contract role "comet" in chains/). See
 * comet.h for which numbers come from logs and which from contract reads.
 */
#include <stdlib.h>
#include <string.h>

#include "comet.h"
#include "lendex/chain.h"
#include "lendex/store.h"

static int comet_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct comet *c = comet_of(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = c->comet;
	for (int i = 0; i < CE_COUNT; i++)
		memcpy(f->topic0[f->n_topic0++], comet_events[i].topic0, 32);
	return 0;
}

/*
 * Comet discovers nothing (every contract it reads is the proxy), but sync sends each
 * handler's discovery filter: an empty one would ask the node for every log of the chain (and
 * hand another deployment's discovery logs back twice). Ask for the proxy's upgrades only.
 */
static int comet_discovery_filter(struct lx_proto *p, struct lx_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = comet_of(p)->comet;
	memcpy(f->topic0[f->n_topic0++], comet_events[CE_UPGRADED].topic0, 32);
	return 0;
}

static int comet_discover(struct lx_proto *p, const struct lx_log *log, struct lx_error *err)
{
	(void)p;
	(void)log;
	(void)err;
	return 0;
}

/* sync's start-up check: every event and every read is the proxy's */
static int comet_core_contracts(struct lx_proto *p, struct lx_addr *out, const char **roles,
				size_t *n)
{
	if (*n < 1)
		return LX_EINVAL;
	out[0] = comet_of(p)->comet;
	roles[0] = "comet";
	*n = 1;
	return 0;
}

static void comet_destroy(struct lx_proto *p)
{
	free(p);
}

static int comet_create(struct lx_proto **out, const struct lx_chain *chain,
			const struct lx_deployment *dep, const char *abi_dir,
			struct lx_store_txn *txn, struct lx_error *err);

const struct lx_proto_ops lx_proto_compound_v3 = {
	.name = "compound_v3",
	.protocol = LX_PROTO_COMPOUND_V3,
	.create = comet_create,
	.destroy = comet_destroy,
	.discovery_filter = comet_discovery_filter,
	.discover = comet_discover,
	.filter = comet_filter,
	.apply = comet_apply,
	.calls = comet_calls,
	.apply_calls = comet_apply_calls,
	.log_reads = comet_log_reads,
	.apply_log_reads = comet_apply_log_reads,
	.view = comet_view,
	.core_contracts = comet_core_contracts,
};

static int comet_create(struct lx_proto **out, const struct lx_chain *chain,
			const struct lx_deployment *dep, const char *abi_dir,
			struct lx_store_txn *txn, struct lx_error *err)
{
	(void)abi_dir;
	*out = NULL;
	comet_events_init();
	struct comet *c = calloc(1, sizeof(*c));
	if (!c)
		return lx_error_set(err, LX_ENOMEM, "compound_v3: out of memory");
	c->base.ops = &lx_proto_compound_v3;
	c->base.chain = chain;
	c->base.dep = dep;
	int rc = lx_deployment_contract(dep, "comet", &c->comet, err);
	if (rc) {
		free(c);
		return rc;
	}
	c->start_block = dep->start_block;
	comet_be64(c->market, lx_chain_id(chain));
	memcpy(c->market + 8, c->comet.b, 20);
	if (txn) {
		struct comet_config cfg;
		rc = comet_get_config(c, txn, &cfg, err);
		if (rc == 0) {
			c->config_at_create = true;
		} else if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
		} else {
			free(c);
			return rc;
		}
	}
	*out = &c->base;
	return 0;
}
