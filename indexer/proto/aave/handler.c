/*
 * handler.c: the Aave V3 handler's ops table, its lifecycle, the reserve tokens it follows and
 * the log filters sync asks it for. See aave.h for how the files of the handler fit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aave.h"
#include "lendex/chain.h"
#include "lendex/store.h"

/* ---- reserve tokens ---- */

const struct aave_token *aave_find_token(const struct aave *a, const struct lx_addr *t)
{
	for (size_t i = 0; i < a->n_tokens; i++)
		if (lx_addr_eq(&a->tokens[i].token, t))
			return &a->tokens[i];
	return NULL;
}

int aave_add_token(struct aave *a, const struct lx_addr *t, const struct lx_addr *asset,
		     uint8_t kind, uint64_t block, struct lx_error *err)
{
	if (aave_find_token(a, t))
		return 0;
	if (a->n_tokens >= AAVE_MAX_TOKENS)
		return lx_error_set(err, LX_EOVERFLOW, "aave_v3: more than %d reserve tokens",
				    AAVE_MAX_TOKENS);
	struct aave_token *k = &a->tokens[a->n_tokens++];
	k->token = *t;
	k->asset = *asset;
	k->kind = kind;
	k->block = block;
	return 0;
}

bool aave_addr_zero(const struct lx_addr *x)
{
	for (int i = 0; i < 20; i++)
		if (x->b[i])
			return false;
	return true;
}

/* ---- filters ---- */

int aave_discovery_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct aave *a = aave_of(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = a->configurator;
	memcpy(f->topic0[f->n_topic0++], aave_events[EV_RESERVE_INITIALIZED].topic0, 32);
	return 0;
}

int aave_discover(struct lx_proto *p, const struct lx_log *log, struct lx_error *err)
{
	struct aave *a = aave_of(p);
	const struct aave_event_def *ev = &aave_events[EV_RESERVE_INITIALIZED];
	if (!lx_addr_eq(&log->address, &a->configurator) || log->n_topics == 0 ||
	    memcmp(log->topics[0], ev->topic0, 32) != 0)
		return 0;
	struct aave_args x;
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	const int idx[3] = {1, 3, 2}; /* aToken, variable, stable */
	for (int i = 0; i < 3; i++) {
		const struct lx_addr *t = &x.a[idx[i]];
		if (aave_addr_zero(t) || aave_find_token(a, t))
			continue;
		if ((rc = aave_add_token(a, t, &x.a[0], (uint8_t)(i + 1), log->block, err)))
			return rc;
	}
	return 0;
}

int aave_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct aave *a = aave_of(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = a->pool;
	f->addr[f->n_addr++] = a->configurator;
	if (a->have_provider)
		f->addr[f->n_addr++] = a->provider;
	for (size_t i = 0; i < a->n_tokens && f->n_addr < LX_FILTER_MAX_ADDR; i++)
		f->addr[f->n_addr++] = a->tokens[i].token;
	aave_filter_topics(f, aave_events, EV_COUNT);
	f->n_topic0 += aave_surfaced_topics(f->topic0 + f->n_topic0,
					    LX_FILTER_MAX_TOPIC - f->n_topic0);
	return 0;
}

/* ---- lifecycle ---- */

static int add_loaded(void *ctx, const struct lx_addr *t, const struct lx_addr *asset,
		      uint8_t kind, struct lx_error *err)
{
	struct aave *a = ctx;
	return aave_find_token(a, t) ? 0 : aave_add_token(a, t, asset, kind, 0, err);
}

static int load_tokens(struct aave *a, struct lx_store_txn *txn, struct lx_error *err)
{
	return aave_rec_load_tokens(txn, T_TOKEN, a->market, add_loaded, a, err);
}

static int aave_create(struct lx_proto **out, const struct lx_chain *chain,
		       const struct lx_deployment *dep, const char *abi_dir,
		       struct lx_store_txn *txn, struct lx_error *err);

static void aave_destroy(struct lx_proto *p)
{
	free(p);
}

/* the Pool proxy: every event the handler reads is the Pool's or its reserves' */
static int aave_core_contracts(struct lx_proto *p, struct lx_addr *out, const char **roles,
			       size_t *n)
{
	if (*n < 1)
		return LX_EINVAL;
	out[0] = ((struct aave *)p)->pool;
	roles[0] = "pool";
	*n = 1;
	return 0;
}

const struct lx_proto_ops lx_proto_aave_v3 = {
	.name = "aave_v3",
	.protocol = LX_PROTO_AAVE_V3,
	.create = aave_create,
	.destroy = aave_destroy,
	.discovery_filter = aave_discovery_filter,
	.discover = aave_discover,
	.filter = aave_filter,
	.apply = aave_apply,
	.calls = aave_calls,
	.apply_calls = aave_apply_calls,
	.log_reads = aave_log_reads,
	.apply_log_reads = aave_apply_log_reads,
	.classify = aave_classify,
	.view = aave_view,
	.core_contracts = aave_core_contracts,
};

static int aave_create(struct lx_proto **out, const struct lx_chain *chain,
		       const struct lx_deployment *dep, const char *abi_dir,
		       struct lx_store_txn *txn, struct lx_error *err)
{
	(void)abi_dir;
	*out = NULL;
	aave_events_init();
	struct aave *a = calloc(1, sizeof(*a));
	if (!a)
		return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
	a->base.ops = &lx_proto_aave_v3;
	a->base.chain = chain;
	a->base.dep = dep;
	struct aave_core core;
	int rc = aave_rec_core(&core, chain, dep, err);
	if (rc) {
		free(a);
		return rc;
	}
	a->pool = core.pool;
	a->configurator = core.configurator;
	a->config_oracle = a->oracle = core.oracle;
	a->provider = core.provider;
	a->have_provider = core.have_provider;
	memcpy(a->market, core.market, sizeof(a->market));
	a->start_block = dep->start_block;
	int maj, min, pat;
	lx_deployment_version(dep, &maj, &min, &pat);
	/* chains/ version: a hint for blocks where the chain cannot tell (see upgrades.c) */
	a->hint = aave_rules_by_version(maj, min, pat);
	if (!a->hint) {
		rc = lx_error_set(err, LX_EINVAL, "deployment '%s': aave_v3 version %d.%d.%d is not "
					 "known to this lendex", lx_deployment_name(dep), maj, min, pat);
		free(a);
		return rc;
	}
	a->rules = a->hint;
	if (txn && ((rc = load_tokens(a, txn, err)) || (rc = aave_load_state(a, txn, err)))) {
		free(a);
		return rc;
	}
	*out = &a->base;
	return 0;
}
