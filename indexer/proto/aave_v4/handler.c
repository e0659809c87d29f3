/*
 * handler.c: the Aave V4 handler's ops table, lifecycle, log filters, Spoke/Hub discovery and
 * the reads sync makes for it. State that changes with no log is read at the batch's last
 * block: every reserve's price (its Spoke's AaveOracle.getReservePrice(reserveId), which reads
 * the feed's latestAnswer live). A Spoke found through a Hub's AddSpoke (added after the
 * configured ones) has its oracle read at that block (Spoke.ORACLE(), an immutable: its
 * SetSpokeImmutables was emitted before the Hub listed it). Each Hub asset's underlying has its
 * symbol() read once, at the last block of the run that first sees the asset (display and
 * `--shock SYMBOL=`; its decimals come from the Hub's AddAsset, as the Hub uses them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/aave_v4.h"
#include "lendex/abi.h"
#include "lendex/chain.h"
#include "lendex/keccak.h"
#include "lendex/store.h"
#include "v4.h"

const struct lx_market_ops lx_aave_v4_market_ops = {
	.name = "aave_v4",
	.health = lx_aave_v4_health,
	.liquidate = v4_liquidate,
	/* HF = sum(CF * collateral value) / debt value: rises with a collateral-only feed, falls
	 * with a debt-only one */
	.monotone = true,
};

int v4_is_hub(const struct v4 *h, const struct lx_addr *a)
{
	for (size_t i = 0; i < h->n_hubs; i++)
		if (lx_addr_eq(&h->hubs[i], a))
			return 1;
	return 0;
}

int v4_is_spoke(const struct v4 *h, const struct lx_addr *a)
{
	for (size_t i = 0; i < h->n_spokes; i++)
		if (lx_addr_eq(&h->spokes[i], a))
			return 1;
	return 0;
}

static int add_hub(struct v4 *h, const struct lx_addr *a, struct lx_error *err)
{
	if (v4_is_hub(h, a))
		return 0;
	if (h->n_hubs >= V4_MAX_HUBS)
		return lx_error_set(err, LX_EOVERFLOW, "aave_v4: more than %d hubs", V4_MAX_HUBS);
	h->hubs[h->n_hubs++] = *a;
	return 0;
}

static int add_spoke(struct v4 *h, const struct lx_addr *a, struct lx_error *err)
{
	if (v4_is_spoke(h, a))
		return 0;
	if (h->n_spokes >= V4_MAX_SPOKES)
		return lx_error_set(err, LX_EOVERFLOW, "aave_v4: more than %d spokes", V4_MAX_SPOKES);
	h->spokes[h->n_spokes++] = *a;
	return 0;
}

static void selector(uint8_t out[4], const char *sig)
{
	uint8_t hsh[32];
	lx_keccak256(hsh, sig, strlen(sig));
	memcpy(out, hsh, 4);
}

/* ---- filters and discovery ---- */

static int v4_discovery_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct v4 *h = v4_of(p);
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < h->n_hubs; i++)
		f->addr[f->n_addr++] = h->hubs[i];
	for (size_t i = 0; i < h->n_spokes; i++)
		f->addr[f->n_addr++] = h->spokes[i];
	memcpy(f->topic0[f->n_topic0++], v4_events[H_ADD_SPOKE].topic0, 32);
	memcpy(f->topic0[f->n_topic0++], v4_events[S_ADD_RESERVE].topic0, 32);
	return 0;
}

static int v4_discover(struct lx_proto *p, const struct lx_log *log, struct lx_error *err)
{
	struct v4 *h = v4_of(p);
	struct lx_u256 w[V4_MAX_WORDS];
	if (v4_is_hub(h, &log->address)) {
		const struct v4_event_def *ev = v4_event_find(log, V4_HUB);
		if (!ev || ev->id != H_ADD_SPOKE || v4_event_words(w, ev, log, err))
			return 0; /* apply reports a malformed log */
		struct lx_addr s;
		v4_to_addr(&s, &w[1]);
		return add_spoke(h, &s, err);
	}
	if (v4_is_spoke(h, &log->address)) {
		const struct v4_event_def *ev = v4_event_find(log, V4_SPOKE);
		if (!ev || ev->id != S_ADD_RESERVE || v4_event_words(w, ev, log, err))
			return 0;
		struct lx_addr hub;
		v4_to_addr(&hub, &w[2]);
		return add_hub(h, &hub, err);
	}
	return 0;
}

/*
 * sync's start-up check: every Hub and Spoke chains/ names (role "hub:NAME" / "spoke:NAME").
 * Spokes discovered later from AddSpoke are the chain's own answer and need no check.
 */
static int v4_core_contracts(struct lx_proto *p, struct lx_addr *out, const char **roles,
			     size_t *n)
{
	const struct lx_deployment *dep = p->dep;
	size_t k = 0;
	for (size_t i = 0; i < dep->n_contracts; i++) {
		const struct lx_contract *c = &dep->contracts[i];
		if (strncmp(c->role, "hub", 3) && strncmp(c->role, "spoke", 5))
			continue;
		if (k == *n)
			return LX_EINVAL;
		out[k] = c->addr;
		roles[k++] = c->role; /* lives as long as the deployment */
	}
	*n = k;
	return 0;
}

static int v4_filter(struct lx_proto *p, struct lx_filter *f)
{
	struct v4 *h = v4_of(p);
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < h->n_hubs && f->n_addr < LX_FILTER_MAX_ADDR; i++)
		f->addr[f->n_addr++] = h->hubs[i];
	for (size_t i = 0; i < h->n_spokes && f->n_addr < LX_FILTER_MAX_ADDR; i++)
		f->addr[f->n_addr++] = h->spokes[i];
	for (int i = 0; i < V4_EV_COUNT && f->n_topic0 < LX_FILTER_MAX_TOPIC; i++)
		memcpy(f->topic0[f->n_topic0++], v4_events[i].topic0, 32);
	memcpy(f->topic0[f->n_topic0++], v4_upgraded_topic0, 32);
	return 0;
}

/* ---- reads ---- */

static int spoke_oracle(struct v4 *h, struct lx_store_txn *txn, const struct lx_addr *spoke,
			struct lx_addr *out, struct lx_error *err)
{
	uint8_t k[V4_KEY_MAX];
	size_t kl = v4_key_spoke(k, h->chain, spoke);
	struct v4_spoke s;
	int rc = v4_get(txn, T_SPOKE, k, kl, (struct lx_u256 *)&s, V4_WORDS(s), err);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	memset(out, 0, sizeof(*out));
	if (rc == 0 && !lx_u256_is_zero(&s.oracle)) {
		v4_to_addr(out, &s.oracle);
		return 0;
	}
	for (size_t i = 0; i < h->n_spokes; i++)
		if (lx_addr_eq(&h->spokes[i], spoke))
			*out = h->spoke_oracle[i];
	return 0;
}

/* symbol() of every Hub asset's underlying that has none stored yet (each token once) */
static int symbol_calls(struct v4 *h, struct lx_store_txn *txn, struct lx_calls *calls,
			struct lx_error *err)
{
	uint8_t sel[4], pre[8];
	selector(sel, "symbol()");
	v4_key(pre, h->chain, NULL, NULL, 0, NULL, NULL);
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, txn, T_ASSET, pre, 8, err);
	const uint8_t *kk, *v;
	size_t kl, vl;
	size_t first = calls->n;
	while (rc == 0 && (rc = lx_store_iter_next(&it, &kk, &kl, &v, &vl, err)) == 0) {
		struct v4_asset a;
		if (v4_decode((struct lx_u256 *)&a, V4_WORDS(a), v, vl)) {
			rc = v4_corrupt(err, T_ASSET);
			break;
		}
		struct lx_addr tok;
		v4_to_addr(&tok, &a.underlying);
		char sym[16];
		bool found, dup = false;
		struct lx_error e2;
		lx_error_clear(&e2);
		if ((rc = v4_get_symbol(txn, h->chain, &tok, sym, &found, &e2))) {
			*err = e2;
			break;
		}
		for (size_t j = first; j < calls->n && !dup; j++)
			dup = lx_addr_eq(&calls->v[j].to, &tok);
		if (found || dup)
			continue;
		struct lx_call *c = lx_calls_add(calls, &tok, 4, 0);
		if (!c) {
			rc = lx_error_set(err, LX_ENOMEM, "aave_v4: out of memory");
			break;
		}
		memcpy(c->data, sel, 4);
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

static int v4_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
		    struct lx_error *err)
{
	struct v4 *h = v4_of(p);
	uint8_t sel[4], pre[8];
	selector(sel, "getReservePrice(uint256)");
	v4_key(pre, h->chain, NULL, NULL, 0, NULL, NULL);
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, txn, T_RESERVE, pre, 8, err);
	const uint8_t *kk, *v;
	size_t kl, vl;
	struct lx_addr last_spoke = {{0}}, oracle = {{0}};
	while (rc == 0 && (rc = lx_store_iter_next(&it, &kk, &kl, &v, &vl, err)) == 0) {
		if (kl != 32) {
			lx_store_iter_end(&it);
			return v4_corrupt(err, T_RESERVE);
		}
		struct lx_addr spoke;
		memcpy(spoke.b, kk + 8, 20);
		if (!lx_addr_eq(&spoke, &last_spoke)) {
			last_spoke = spoke;
			struct lx_error e2;
			lx_error_clear(&e2);
			if ((rc = spoke_oracle(h, txn, &spoke, &oracle, &e2))) {
				lx_store_iter_end(&it);
				*err = e2;
				return rc;
			}
		}
		if (lx_addr_eq(&oracle, &(struct lx_addr){{0}}))
			continue; /* no oracle known: its prices stay unread (reported stale) */
		/* after the call data, 20 bytes of our own: whose reserve it is */
		struct lx_call *c = lx_calls_add(calls, &oracle, 36, 56);
		if (!c) {
			lx_store_iter_end(&it);
			return lx_error_set(err, LX_ENOMEM, "aave_v4: out of memory");
		}
		memcpy(c->data, sel, 4);
		memcpy(c->data + 4 + 28, kk + 28, 4); /* reserveId */
		memcpy(c->data + 4 + 32, spoke.b, 20);
		c->result_min = 32;
		rc = 0;
	}
	lx_store_iter_end(&it);
	if (rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	if ((rc = symbol_calls(h, txn, calls, err)))
		return rc;
	return 0;
}

static bool is_symbol_call(const struct lx_call *c)
{
	uint8_t sel[4];
	selector(sel, "symbol()");
	return c->data_len == 4 && memcmp(c->data, sel, 4) == 0;
}

static int v4_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
			  const struct lx_call *calls, size_t n, struct lx_error *err)
{
	struct v4 *h = v4_of(p);
	for (size_t i = 0; i < n; i++) {
		const struct lx_call *c = &calls[i];
		if (is_symbol_call(c)) {
			/* a token with no usable symbol() is stored with none, not read again */
			char sym[16];
			uint8_t b[32] = {0}, k[V4_KEY_MAX];
			struct v4_symbol rec;
			if (lx_abi_symbol(sym, c->result, c->result_len))
				memcpy(b, sym, strlen(sym));
			lx_u256_from_be(&rec.text, b);
			size_t kl = v4_key_symbol(k, h->chain, &c->to);
			int rc = v4_put(txn, T_SYMBOL, k, kl, (struct lx_u256 *)&rec, V4_WORDS(rec),
					err);
			if (rc)
				return rc;
			continue;
		}
		if (!c->result || c->result_len != 32)
			continue; /* reverted (no source, price <= 0): the last price stays, stale */
		struct lx_addr spoke;
		memcpy(spoke.b, c->data + 36, 20);
		uint32_t reserve = (uint32_t)c->data[32] << 24 | (uint32_t)c->data[33] << 16 |
				   (uint32_t)c->data[34] << 8 | c->data[35];
		uint8_t k[V4_KEY_MAX];
		size_t kl = v4_key_reserve(k, h->chain, &spoke, reserve);
		struct v4_reserve r;
		int rc = v4_get(txn, T_RESERVE, k, kl, (struct lx_u256 *)&r, V4_WORDS(r), err);
		if (rc)
			return rc;
		lx_u256_from_be(&r.price, c->result);
		v4_set(&r.price_block, block);
		if ((rc = v4_put(txn, T_RESERVE, k, kl, (struct lx_u256 *)&r, V4_WORDS(r), err)))
			return rc;
	}
	return 0;
}

/* a Spoke a Hub lists: its oracle (an immutable) read at the listing block */
static int v4_log_reads(struct lx_proto *p, uint64_t from, const struct lx_log *logs,
			size_t n_logs, struct lx_calls *reads, struct lx_error *err)
{
	(void)from;
	struct v4 *h = v4_of(p);
	uint8_t sel[4];
	selector(sel, "ORACLE()");
	for (size_t i = 0; i < n_logs; i++) {
		const struct lx_log *l = &logs[i];
		if (!v4_is_hub(h, &l->address) || l->n_topics != 3 ||
		    memcmp(l->topics[0], v4_events[H_ADD_SPOKE].topic0, 32) != 0)
			continue;
		struct lx_addr s;
		memcpy(s.b, l->topics[2] + 12, 20);
		bool configured = false;
		for (size_t j = 0; j < h->n_spokes; j++)
			if (lx_addr_eq(&h->spokes[j], &s) &&
			    !lx_addr_eq(&h->spoke_oracle[j], &(struct lx_addr){{0}}))
				configured = true;
		bool dup = false;
		for (size_t j = 0; j < reads->n; j++)
			if (lx_addr_eq(&reads->v[j].to, &s))
				dup = true;
		if (configured || dup)
			continue;
		struct lx_call *c = lx_calls_add(reads, &s, 4, 0);
		if (!c)
			return lx_error_set(err, LX_ENOMEM, "aave_v4: out of memory");
		c->block = l->block;
		memcpy(c->data, sel, 4);
	}
	return 0;
}

static int v4_apply_log_reads(struct lx_proto *p, struct lx_store_txn *txn,
			      const struct lx_call *reads, size_t n, struct lx_error *err)
{
	struct v4 *h = v4_of(p);
	h->refresh.set = false;
	for (size_t i = 0; i < n; i++) {
		if (!reads[i].result || reads[i].result_len != 32)
			continue; /* not a Spoke (treasury, tokenization vault, an EOA) */
		uint8_t k[V4_KEY_MAX];
		size_t kl = v4_key_spoke(k, h->chain, &reads[i].to);
		struct v4_spoke s;
		int rc = v4_get(txn, T_SPOKE, k, kl, (struct lx_u256 *)&s, V4_WORDS(s), err);
		if (rc && rc != LX_ENOTFOUND)
			return rc;
		lx_error_clear(err);
		if (!lx_u256_is_zero(&s.oracle))
			continue;
		lx_u256_from_be(&s.oracle, reads[i].result);
		if ((rc = v4_put(txn, T_SPOKE, k, kl, (struct lx_u256 *)&s, V4_WORDS(s), err)))
			return rc;
	}
	return 0;
}

/* ---- the sync summary: every log of a followed Hub or Spoke that the filter asks for is
 * applied (the filter names only events that move state, and Upgraded) ---- */

static void v4_classify(const struct lx_proto *p, const struct lx_log *log,
			struct lx_log_class *out)
{
	const struct v4 *h = (const struct v4 *)p;
	memset(out, 0, sizeof(*out));
	int role = v4_is_hub(h, &log->address) ? V4_HUB : v4_is_spoke(h, &log->address) ? V4_SPOKE : 0;
	if (!role || log->n_topics == 0)
		return;
	if (memcmp(log->topics[0], v4_upgraded_topic0, 32) == 0) {
		out->fate = LX_LOG_APPLIED;
		out->event = "Upgraded";
		return;
	}
	const struct v4_event_def *ev = v4_event_find(log, role);
	if (!ev) {
		out->fate = LX_LOG_UNKNOWN;
		return;
	}
	out->fate = LX_LOG_APPLIED;
	out->event = ev->name; /* v4_events_init ran in create */
}

/* ---- lifecycle ---- */

/* Spokes found earlier (a Spoke record exists for every Spoke that logged or was listed). */
static int load_known(struct v4 *h, struct lx_store_txn *txn, struct lx_error *err)
{
	uint8_t pre[8];
	v4_key(pre, h->chain, NULL, NULL, 0, NULL, NULL);
	const char *tables[2] = {T_SPOKE, T_ASSET};
	for (int t = 0; t < 2; t++) {
		struct lx_store_iter it;
		int rc = lx_store_iter_begin(&it, txn, tables[t], pre, 8, err);
		const uint8_t *k, *v;
		size_t kl, vl;
		while (rc == 0 && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
			struct lx_addr a;
			if (kl < 28) {
				lx_store_iter_end(&it);
				return v4_corrupt(err, tables[t]);
			}
			memcpy(a.b, k + 8, 20);
			if ((rc = t == 0 ? add_spoke(h, &a, err) : add_hub(h, &a, err))) {
				lx_store_iter_end(&it);
				return rc;
			}
		}
		lx_store_iter_end(&it);
		if (rc != LX_ENOTFOUND)
			return rc;
		lx_error_clear(err);
	}
	return 0;
}

static void v4_destroy(struct lx_proto *p)
{
	free(p);
}

static int v4_create(struct lx_proto **out, const struct lx_chain *chain,
		     const struct lx_deployment *dep, const char *abi_dir,
		     struct lx_store_txn *txn, struct lx_error *err);

const struct lx_proto_ops lx_proto_aave_v4 = {
	.name = "aave_v4",
	.protocol = LX_PROTO_AAVE_V4,
	.create = v4_create,
	.destroy = v4_destroy,
	.discovery_filter = v4_discovery_filter,
	.discover = v4_discover,
	.filter = v4_filter,
	.apply = v4_apply,
	.calls = v4_calls,
	.apply_calls = v4_apply_calls,
	.log_reads = v4_log_reads,
	.apply_log_reads = v4_apply_log_reads,
	.classify = v4_classify,
	.view = v4_view,
	.core_contracts = v4_core_contracts,
	.history_before_discovery = true, /* records keyed by Hub or Spoke: apply.c */
};

static int v4_create(struct lx_proto **out, const struct lx_chain *chain,
		     const struct lx_deployment *dep, const char *abi_dir,
		     struct lx_store_txn *txn, struct lx_error *err)
{
	(void)abi_dir;
	*out = NULL;
	v4_events_init();
	if (strcmp(dep->version, "0.5.11") != 0)
		return lx_error_set(err, LX_EINVAL,
				    "deployment '%s': aave_v4 version %s is not known to this lendex "
				    "(it follows 0.5.11)",
				    dep->name, dep->version);
	struct v4 *h = calloc(1, sizeof(*h));
	if (!h)
		return lx_error_set(err, LX_ENOMEM, "aave_v4: out of memory");
	h->base.ops = &lx_proto_aave_v4;
	h->base.chain = chain;
	h->base.dep = dep;
	h->chain = lx_chain_id(chain);
	int rc = 0;
	for (size_t i = 0; i < dep->n_contracts && !rc; i++) {
		const struct lx_contract *c = &dep->contracts[i];
		if (!strncmp(c->role, "hub", 3))
			rc = add_hub(h, &c->addr, err);
		else if (!strncmp(c->role, "spoke", 5))
			rc = add_spoke(h, &c->addr, err);
	}
	/* "oracle:NAME" is the AaveOracle of "spoke:NAME" */
	for (size_t i = 0; i < dep->n_contracts && !rc; i++) {
		const struct lx_contract *c = &dep->contracts[i];
		if (strncmp(c->role, "oracle:", 7))
			continue;
		char want[40];
		snprintf(want, sizeof(want), "spoke:%s", c->role + 7);
		struct lx_addr s;
		if (lx_deployment_contract(dep, want, &s, NULL))
			rc = lx_error_set(err, LX_EINVAL, "deployment '%s': %s names no %s",
					  dep->name, c->role, want);
		for (size_t j = 0; !rc && j < h->n_spokes; j++)
			if (lx_addr_eq(&h->spokes[j], &s))
				h->spoke_oracle[j] = c->addr;
	}
	if (!rc && h->n_hubs == 0)
		rc = lx_error_set(err, LX_EINVAL, "deployment '%s': aave_v4 needs at least one "
						  "\"hub:NAME\" contract", dep->name);
	if (!rc && txn)
		rc = load_known(h, txn, err);
	if (rc) {
		free(h);
		return rc;
	}
	*out = &h->base;
	return 0;
}
