/*
 * upgrades.c: which Aave V3 version is live at a block, and where the market's price oracle is.
 *
 * Live markets were deployed at 3.0.x and upgraded in place by governance: the pool proxy logs
 * Upgraded(implementation) and the PoolAddressesProvider logs PoolUpdated(old, new) in the
 * upgrade block (PoolUpdated alone when the proxy is created). Neither says which release the
 * new implementation is, so for each such log the handler asks sync (log_reads) for slot 0 of
 * the pool proxy at that block: VersionedInitializable.lastInitializedRevision, i.e. the new
 * POOL_REVISION once the proxy has been initialised. Logs after the upgrade log are applied with
 * that revision's rules; a revision missing from versions.c stops the sync naming revision and
 * block. The first range of a deployment also reads slot 0 just before start_block, so a market
 * first synced after its upgrades starts with the right rules; chains/ `version` is only used
 * when the chain cannot tell (no pool yet: slot 0 is 0) and to tell 3.0.0 from 3.0.1+.
 *
 * The provider's PriceOracleUpdated(old, new) moves the oracle prices are read from.
 *
 * Both live in the market's state record (aave3.state), written in the same write txn as the
 * logs that move them; apply_log_reads reloads it at the start of every range, so a restart or a
 * reorg unwind continues with the revision and oracle of its block.
 */
#include <string.h>

#include "aave.h"
#include "lendex/chain.h"
#include "lendex/store.h"

#define T_STATE "aave3.state"

static bool is_upgrade_log(const struct aave *a, const struct lx_log *log)
{
	if (log->n_topics == 0)
		return false;
	if (lx_addr_eq(&log->address, &a->pool))
		return memcmp(log->topics[0], aave_events[EV_UPGRADED].topic0, 32) == 0;
	if (a->have_provider && lx_addr_eq(&log->address, &a->provider))
		return memcmp(log->topics[0], aave_events[EV_POOL_UPDATED].topic0, 32) == 0;
	return false;
}

static int storage_read(struct lx_calls *l, const struct lx_addr *to, uint64_t block,
			struct lx_error *err)
{
	struct lx_call *c = lx_calls_add(l, to, 32, 0); /* slot 0 */
	if (!c)
		return lx_error_set(err, LX_ENOMEM, "aave_v3: out of memory");
	c->kind = LX_CALL_STORAGE;
	c->block = block;
	c->result_min = 32;
	return 0;
}

int aave_log_reads(struct lx_proto *p, uint64_t from, const struct lx_log *logs, size_t n_logs,
		   struct lx_calls *reads, struct lx_error *err)
{
	struct aave *a = aave_of(p);
	int rc;
	/* the revision the deployment's history starts with: slot 0 at the block before */
	if (from == a->start_block && from > 1 && /* (block 0 would mean "the range's last") */
	    (rc = storage_read(reads, &a->pool, from - 1, err)))
		return rc;
	uint64_t last = 0;
	for (size_t i = 0; i < n_logs; i++) {
		if (!is_upgrade_log(a, &logs[i]) || logs[i].block == last)
			continue;
		last = logs[i].block;
		if ((rc = storage_read(reads, &a->pool, logs[i].block, err)))
			return rc;
	}
	return 0;
}

/* ---- the state record ---- */

static int get_state(struct aave *a, struct lx_store_txn *txn, struct aave_state *st,
		     struct lx_error *err)
{
	const uint8_t *v;
	size_t vl;
	memset(st, 0, sizeof(*st));
	int rc = lx_store_get(txn, T_STATE, a->market, AAVE_MARKET_KEY, &v, &vl, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	return aave_state_decode(st, v, vl) ? aave_corrupt(err, T_STATE) : 0;
}

static int put_state(struct aave *a, struct lx_store_txn *txn, const struct aave_state *st,
		     struct lx_error *err)
{
	uint8_t v[AAVE_STATE_LEN];
	size_t vl = aave_state_encode(v, st);
	return lx_store_put(txn, T_STATE, a->market, AAVE_MARKET_KEY, v, vl, err);
}

int aave_rules_at(struct aave *a, uint32_t revision, uint64_t block,
		  const struct aave_rules **out, struct lx_error *err)
{
	*out = NULL;
	if (revision == 0) {
		*out = a->hint;
		return 0;
	}
	const struct aave_rules *r = aave_rules_by_revision(revision, a->hint);
	if (!r)
		return lx_error_set(err, LX_EUNKNOWN,
				    "aave_v3: %s: pool revision %u at block %llu is not known to "
				    "this lendex (known: 1-3 = 3.0.x, 4 = 3.1, 5-6 = 3.2, 7 = 3.3, "
				    "8 = 3.4, 9 = 3.5, 10 = 3.6, 11 = 3.7)",
				    lx_deployment_name(a->base.dep), revision,
				    (unsigned long long)block);
	*out = r;
	return 0;
}

int aave_load_state(struct aave *a, struct lx_store_txn *txn, struct lx_error *err)
{
	struct aave_state st;
	int rc = get_state(a, txn, &st, err);
	if (rc)
		return rc;
	if ((rc = aave_rules_at(a, st.revision, st.revision_block, &a->rules, err)))
		return rc;
	a->revision = st.revision;
	a->oracle = aave_addr_zero(&st.oracle) ? a->config_oracle : st.oracle;
	return 0;
}

/* A slot-0 answer: 32 bytes holding a small integer. */
static int revision_of(const struct lx_call *c, uint32_t *rev, struct lx_error *err)
{
	if (!c->result || c->result_len != 32)
		return lx_error_set(err, LX_EBADRESP,
				    "aave_v3: eth_getStorageAt(pool, 0) at block %llu: no 32-byte "
				    "answer (%zu bytes)",
				    (unsigned long long)c->block, c->result ? c->result_len : 0);
	for (int i = 0; i < 28; i++)
		if (c->result[i])
			return lx_error_set(err, LX_EBADRESP,
					    "aave_v3: slot 0 of the pool at block %llu is not a "
					    "revision number",
					    (unsigned long long)c->block);
	*rev = (uint32_t)c->result[28] << 24 | (uint32_t)c->result[29] << 16 |
	       (uint32_t)c->result[30] << 8 | c->result[31];
	return 0;
}

int aave_apply_log_reads(struct lx_proto *p, struct lx_store_txn *txn,
			 const struct lx_call *reads, size_t n, struct lx_error *err)
{
	struct aave *a = aave_of(p);
	a->n_pending = 0;
	int rc = aave_load_state(a, txn, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (reads[i].kind != LX_CALL_STORAGE)
			continue;
		uint32_t rev = 0;
		bool none = !reads[i].result || reads[i].result_len == 0;
		if (none)
			rev = UINT32_MAX; /* no state at that block: a pruned node, or none yet */
		else if ((rc = revision_of(&reads[i], &rev, err)))
			return rc;
		if (reads[i].block + 1 == a->start_block && a->revision == 0) {
			/* the revision live when the deployment's history starts; a node that cannot
			 * answer leaves chains/ `version` in force until the next upgrade is read */
			if (none || rev == 0)
				continue; /* (0: no pool yet, its creation is in the history) */
			const struct aave_rules *r;
			if ((rc = aave_rules_at(a, rev, reads[i].block, &r, err)))
				return rc;
			struct aave_state st;
			if ((rc = get_state(a, txn, &st, err)))
				return rc;
			st.revision = rev;
			st.revision_block = reads[i].block;
			if ((rc = put_state(a, txn, &st, err)))
				return rc;
			a->rules = r;
			a->revision = rev;
			continue;
		}
		if (a->n_pending < AAVE_MAX_PENDING) {
			a->pending[a->n_pending].block = reads[i].block;
			a->pending[a->n_pending++].revision = rev;
		}
	}
	return 0;
}

int aave_on_upgrade(struct aave *a, struct lx_store_txn *txn, const struct lx_log *log,
		    struct lx_error *err)
{
	size_t i;
	for (i = 0; i < a->n_pending; i++)
		if (a->pending[i].block == log->block)
			break;
	if (i == a->n_pending)
		return lx_error_set(err, LX_EINVAL,
				    "aave_v3: pool upgrade at %llu:%u without its revision read",
				    (unsigned long long)log->block, log->log_index);
	uint32_t rev = a->pending[i].revision;
	bool created = log->n_topics >= 2 && !lx_addr_eq(&log->address, &a->pool) &&
		       memcmp(log->topics[1], (const uint8_t[32]){0}, 32) == 0;
	if (rev == UINT32_MAX && created)
		return 0; /* the proxy's creation, state not served: chains/ version stands */
	if (rev == UINT32_MAX)
		return lx_error_set(err, LX_EBADRESP,
				    "aave_v3: pool upgraded at block %llu but the node serves no "
				    "state there to read its revision (slot 0): use an archive node",
				    (unsigned long long)log->block);
	if (rev == 0)
		return lx_error_set(err, LX_EBADRESP,
				    "aave_v3: pool upgraded at block %llu but slot 0 (revision) "
				    "reads 0 there",
				    (unsigned long long)log->block);
	const struct aave_rules *r;
	int rc = aave_rules_at(a, rev, log->block, &r, err);
	if (rc)
		return rc;
	struct aave_state st;
	if ((rc = get_state(a, txn, &st, err)))
		return rc;
	if (st.revision == rev)
		return 0; /* Upgraded and PoolUpdated of the same upgrade */
	st.revision = rev;
	st.revision_block = log->block;
	if ((rc = put_state(a, txn, &st, err)))
		return rc;
	a->rules = r;
	a->revision = rev;
	return 0;
}

int aave_on_provider(struct aave *a, struct lx_store_txn *txn, const struct aave_event_def *ev,
		     const struct lx_log *log, struct lx_error *err)
{
	struct aave_args x;
	int rc = aave_event_decode(&x, ev, log, err);
	if (rc)
		return rc;
	switch (ev->id) {
	case EV_POOL_UPDATED:
		return aave_on_upgrade(a, txn, log, err);
	case EV_ORACLE_UPDATED: {
		struct aave_state st;
		if ((rc = get_state(a, txn, &st, err)))
			return rc;
		st.oracle = x.a[1];
		if ((rc = put_state(a, txn, &st, err)))
			return rc;
		a->oracle = aave_addr_zero(&x.a[1]) ? a->config_oracle : x.a[1];
		return 0;
	}
	default:
		return 0;
	}
}

int aave_oracle_now(struct aave *a, struct lx_store_txn *txn, struct lx_addr *out,
		    struct lx_error *err)
{
	struct aave_state st;
	int rc = get_state(a, txn, &st, err);
	if (rc)
		return rc;
	*out = aave_addr_zero(&st.oracle) ? a->config_oracle : st.oracle;
	return 0;
}
