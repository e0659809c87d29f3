/*
 * handler.c: the Aave V2 handler's ops table, its lifecycle, the reserve tokens it follows, its
 * state record (the live oracle) and the log filters sync asks it for. See v2.h.
 */
#include <stdlib.h>
#include <string.h>

#include "v2.h"
#include "lendex/chain.h"
#include "lendex/store.h"

struct v2_token *v2_find_token(struct aave2 *a, const struct lx_addr *t)
{
	for (size_t i = 0; i < a->n_tokens; i++)
		if (lx_addr_eq(&a->tokens[i].token, t))
			return &a->tokens[i];
	return NULL;
}

int v2_add_token(struct aave2 *a, const struct lx_addr *t, const struct lx_addr *asset,
		 uint8_t kind, struct lx_error *err)
{
	if (v2_find_token(a, t))
		return 0;
	if (a->n_tokens >= V2_MAX_TOKENS)
		return lx_error_set(err, LX_EOVERFLOW, "aave_v2: more than %d reserve tokens",
				    V2_MAX_TOKENS);
	struct v2_token *k = &a->tokens[a->n_tokens++];
	memset(k, 0, sizeof(*k));
	k->token = *t;
	k->asset = *asset;
	k->kind = kind;
	return 0;
}

static bool zero_addr(const struct lx_addr *x)
{
	static const struct lx_addr z;
	return lx_addr_eq(x, &z);
}

/* ---- state record: aave2.state market -> version(1) oracle(20) ---- */

int v2_load_state(struct aave2 *a, struct lx_store_txn *txn, struct lx_error *err)
{
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(txn, V2_T_STATE, a->market, AAVE_MARKET_KEY, &v, &vl, err);
	a->oracle = a->config_oracle;
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	if (vl != 21 || v[0] != 1)
		return aave_rec_corrupt(err, V2_T_STATE);
	memcpy(a->oracle.b, v + 1, 20);
	return 0;
}

int v2_put_state(struct aave2 *a, struct lx_store_txn *txn, struct lx_error *err)
{
	uint8_t v[21] = {1};
	memcpy(v + 1, a->oracle.b, 20);
	return lx_store_put(txn, V2_T_STATE, a->market, AAVE_MARKET_KEY, v, sizeof(v), err);
}

/* ---- filters ---- */

static int discovery_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct aave2 *a = v2_of(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = a->configurator;
	memcpy(f->topic0[f->n_topic0++], v2_events[V2_RESERVE_INITIALIZED].topic0, 32);
	return 0;
}

/* ReserveInitialized(asset, aToken, stableDebtToken, variableDebtToken, strategy) */
static int discover(struct lx_proto *p, const struct lx_log *log, struct lx_error *err)
{
	struct aave2 *a = v2_of(p);
	const struct aave_event_def *ev = &v2_events[V2_RESERVE_INITIALIZED];
	if (!lx_addr_eq(&log->address, &a->configurator) || log->n_topics == 0 ||
	    memcmp(log->topics[0], ev->topic0, 32) != 0)
		return 0;
	struct aave_args x;
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	static const uint8_t kinds[3] = {AAVE_ATOKEN, AAVE_STOKEN, AAVE_VTOKEN};
	for (int i = 0; i < 3; i++)
		if (!zero_addr(&x.a[1 + i]) &&
		    (rc = v2_add_token(a, &x.a[1 + i], &x.a[0], kinds[i], err)))
			return rc;
	return 0;
}

static int filter(struct lx_proto *p, struct lx_filter *f)
{
	struct aave2 *a = v2_of(p);
	memset(f, 0, sizeof(*f));
	f->addr[f->n_addr++] = a->pool;
	f->addr[f->n_addr++] = a->configurator;
	if (a->have_provider)
		f->addr[f->n_addr++] = a->provider;
	for (size_t i = 0; i < a->n_tokens && f->n_addr < LX_FILTER_MAX_ADDR; i++)
		f->addr[f->n_addr++] = a->tokens[i].token;
	aave_filter_topics(f, v2_events, V2_EV_COUNT);
	return 0;
}

/* Per-range state: a range may be re-applied, so nothing pending survives its start. */
static int apply_log_reads(struct lx_proto *p, struct lx_store_txn *txn,
			   const struct lx_call *reads, size_t n, struct lx_error *err)
{
	(void)reads;
	(void)n;
	struct aave2 *a = v2_of(p);
	memset(&a->pending, 0, sizeof(a->pending));
	return v2_load_state(a, txn, err);
}

static int log_reads(struct lx_proto *p, uint64_t from, const struct lx_log *logs, size_t n_logs,
		     struct lx_calls *reads, struct lx_error *err)
{
	(void)p;
	(void)from;
	(void)logs;
	(void)n_logs;
	(void)reads;
	(void)err;
	return 0;
}

/* ---- lifecycle ---- */

static int add_loaded(void *ctx, const struct lx_addr *t, const struct lx_addr *asset,
		      uint8_t kind, struct lx_error *err)
{
	return v2_add_token(ctx, t, asset, kind, err);
}

/* Tokens learned earlier (aave2.token: market|token -> asset(20) kind(1)) and whether their
 * reserve's decimals are known. */
static int load_tokens(struct aave2 *a, struct lx_store_txn *txn, struct lx_error *err)
{
	int rc = aave_rec_load_tokens(txn, V2_T_TOKEN, a->market, add_loaded, a, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < a->n_tokens; i++) {
		struct aave_reserve r;
		rc = aave_rec_get_reserve(txn, V2_T_RESERVE, a->market, &a->tokens[i].asset, &r, err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			continue;
		}
		if (rc)
			return rc;
		a->tokens[i].meta = (r.flags & AAVE_R_META) != 0;
	}
	return 0;
}

static int create(struct lx_proto **out, const struct lx_chain *chain,
		  const struct lx_deployment *dep, const char *abi_dir, struct lx_store_txn *txn,
		  struct lx_error *err);

static void destroy(struct lx_proto *p)
{
	free(p);
}

/* sync's start-up check: the LendingPool proxy must have code */
static int core_contracts(struct lx_proto *p, struct lx_addr *out, const char **roles, size_t *n)
{
	if (*n < 1)
		return LX_EINVAL;
	out[0] = ((struct aave2 *)p)->pool;
	roles[0] = "pool";
	*n = 1;
	return 0;
}

const struct lx_proto_ops lx_proto_aave_v2 = {
	.name = "aave_v2",
	.protocol = LX_PROTO_AAVE_V2,
	.create = create,
	.destroy = destroy,
	.discovery_filter = discovery_filter,
	.discover = discover,
	.filter = filter,
	.apply = v2_apply,
	.calls = v2_calls,
	.apply_calls = v2_apply_calls,
	.log_reads = log_reads,
	.apply_log_reads = apply_log_reads,
	.view = v2_view,
	.core_contracts = core_contracts,
};

static int create(struct lx_proto **out, const struct lx_chain *chain,
		  const struct lx_deployment *dep, const char *abi_dir, struct lx_store_txn *txn,
		  struct lx_error *err)
{
	(void)abi_dir;
	*out = NULL;
	v2_events_init();
	aave_events_init(); /* the shared reader's tables */
	struct aave2 *a = calloc(1, sizeof(*a));
	if (!a)
		return lx_error_set(err, LX_ENOMEM, "aave_v2: out of memory");
	a->base.ops = &lx_proto_aave_v2;
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
	if (txn && ((rc = load_tokens(a, txn, err)) || (rc = v2_load_state(a, txn, err)))) {
		free(a);
		return rc;
	}
	*out = &a->base;
	return 0;
}
