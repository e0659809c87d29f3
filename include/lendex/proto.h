/*
 * proto.h: the seam between sync and protocol handlers.
 *
 * A protocol handler (indexer/proto/<protocol>.c) turns a deployment's logs into its own
 * records in the store, and turns those records back into the protocol-neutral struct
 * lx_market_view (model.h) for queries and the risk pass. Sync knows nothing of any protocol:
 * it asks each handler which logs it wants, fetches them, hands them over in block order inside
 * one write transaction, and asks for the contract reads (oracle prices) pinned to the batch's
 * last block. Adding a protocol = one new file here + its ABIs in abi/json/ + chains/ entries +
 * one line in the registry (registry.c).
 */
#ifndef LENDEX_PROTO_H
#define LENDEX_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/model.h"

struct lx_store_txn;
struct lx_chain;
struct lx_deployment;

/* One log as sync hands it to a handler. Pointers are borrowed for the call. */
struct lx_log {
	uint64_t block;
	uint8_t block_hash[32];    /* the block's hash as the node gave it with the log */
	uint64_t timestamp;        /* block timestamp */
	uint32_t log_index;        /* block-wide */
	uint32_t tx_index;
	uint8_t tx[32];            /* transaction hash */
	struct lx_addr address;    /* emitter */
	uint8_t n_topics;
	uint8_t topics[4][32];
	const uint8_t *data;
	size_t data_len;
};

/*
 * What a handler does with one log, for the sync summary's per-event counts. A log of an
 * emitter the handler follows is either applied, or ignored for a named reason (it changes
 * nothing the handler keeps: an ERC-20 Transfer that the scaled Mint/Burn already carry, an
 * allowance, ...), or unknown (a topic0 the handler cannot name: a version it does not know?).
 */
enum lx_log_fate { LX_LOG_NOT_MINE = 0, LX_LOG_APPLIED, LX_LOG_IGNORED, LX_LOG_UNKNOWN };
struct lx_log_class {
	enum lx_log_fate fate;
	const char *event;  /* static: the event's name; NULL when unknown or not mine */
	const char *reason; /* static: why an ignored log changes nothing kept; NULL otherwise */
};

#define LX_FILTER_MAX_ADDR 1024
#define LX_FILTER_MAX_TOPIC 64

/* What to ask eth_getLogs for: any of these emitters with any of these topic0s. */
struct lx_filter {
	size_t n_addr;
	struct lx_addr addr[LX_FILTER_MAX_ADDR];
	size_t n_topic0;
	uint8_t topic0[LX_FILTER_MAX_TOPIC][32];
};

/*
 * An eth_call (or storage read) a handler wants made, and its answer. Calls live in a struct
 * lx_calls list that sync owns: data points into the list's pool, so a call costs its own
 * bytes and no fixed maximum (a Comet market with 50,000 accounts is 50,000 small reads).
 */
enum lx_call_kind {
	LX_CALL_ETH_CALL = 0,      /* eth_call(to, data) */
	LX_CALL_STORAGE = 1,       /* eth_getStorageAt(to, slot = data[0..32)) */
};
struct lx_call {
	struct lx_addr to;
	uint8_t kind;              /* enum lx_call_kind */
	uint64_t block;            /* log reads: the block to read at; 0 = the batch's last */
	size_t data_len;
	uint8_t *data;             /* the list's pool: data_cap bytes, zeroed by lx_calls_add */
	size_t data_cap;           /* >= data_len: bytes past data_len are the handler's (a tag) */
	size_t result_min;         /* shortest answer the handler can read (bytes, 0 = any): a
				    * shorter one is a bad answer, retried and then a failed run */
	/* filled by sync: */
	uint8_t *result;           /* malloc'd by sync, freed with the list; NULL = reverted */
	size_t result_len;
};

/* A growable list of calls and the pool their data lives in. */
struct lx_calls_block;
struct lx_calls {
	struct lx_call *v;         /* v[0..n) */
	size_t n, cap;
	struct lx_calls_block *pool; /* data blocks, newest first */
};
void lx_calls_init(struct lx_calls *l);
/* Frees the calls, their data and their results; l is left empty and initialised. */
void lx_calls_release(struct lx_calls *l);
/*
 * Appends a call to `to` with data_len = len zeroed bytes of data (cap >= len bytes writable;
 * cap 0 = len) and block 0 (the batch's last). Returns the call, valid until the next add, or
 * NULL when out of memory (the list is unchanged).
 */
struct lx_call *lx_calls_add(struct lx_calls *l, const struct lx_addr *to, size_t len,
			     size_t cap);

/* A live handler for one deployment. */
struct lx_proto;

struct lx_proto_ops {
	const char *name;          /* as in chains/: "aave_v3" */
	uint32_t protocol;         /* enum lx_protocol */

	/*
	 * Creates the handler for dep. abi_dir is the abi/json directory. txn (read) lets the
	 * handler reload what it already discovered (token addresses) from the store.
	 */
	int (*create)(struct lx_proto **out, const struct lx_chain *chain,
		      const struct lx_deployment *dep, const char *abi_dir,
		      struct lx_store_txn *txn, struct lx_error *err);
	void (*destroy)(struct lx_proto *p);

	/* Logs that reveal new emitters to follow (Aave: ReserveInitialized). */
	int (*discovery_filter)(struct lx_proto *p, struct lx_filter *out);
	/* Learns emitters from one discovery log (in memory; persisted by apply). */
	int (*discover)(struct lx_proto *p, const struct lx_log *log, struct lx_error *err);
	/* The main filter: every emitter and topic0 the handler applies. */
	int (*filter)(struct lx_proto *p, struct lx_filter *out);

	/* Applies one log. Logs arrive in (block, log_index) order inside a write txn. */
	int (*apply)(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
		     struct lx_error *err);

	/*
	 * Contract reads wanted at a batch's last block (prices, balances), appended to out (any
	 * number: sync makes them in JSON-RPC batches). LX_ENOMEM when an add fails.
	 */
	int (*calls)(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *out,
		     struct lx_error *err);
	/* Stores the answers of those reads, in the same write txn as the batch. */
	int (*apply_calls)(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
			   const struct lx_call *calls, size_t n, struct lx_error *err);

	/*
	 * Optional (NULL = none). Reads that some logs of a range need answered at their own
	 * block before they can be applied (Aave: the Pool's revision after an upgrade, from
	 * eth_getStorageAt at the upgrade block). Called on the fetch side with the range's logs in
	 * order (from = the range's first block): it may look only at the logs and the handler's
	 * configuration, never at state apply changes. Each read appended to out sets block.
	 */
	int (*log_reads)(struct lx_proto *p, uint64_t from, const struct lx_log *logs,
			 size_t n_logs, struct lx_calls *out, struct lx_error *err);
	/*
	 * Optional. Called in the range's write txn before its logs (with n = 0 when there were
	 * no reads): hands over the answers (result NULL = reverted / empty). Also the point where
	 * a handler reloads per-range state from the store, since a range may be re-applied.
	 */
	int (*apply_log_reads)(struct lx_proto *p, struct lx_store_txn *txn,
			       const struct lx_call *reads, size_t n, struct lx_error *err);
	/*
	 * Optional. Says what apply does (or did) with log, from the log and the emitters the
	 * handler follows alone (no store, no error): out is always filled.
	 */
	void (*classify)(const struct lx_proto *p, const struct lx_log *log,
			 struct lx_log_class *out);

	/*
	 * Builds the neutral market view as of timestamp (balances with interest to then).
	 * accounts: NULL = every account; else only those n_accounts addresses (unknown ones are
	 * included with no positions). flags: LX_VIEW_FLOWS.
	 */
	int (*view)(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
		    const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
		    struct lx_market_view *out, struct lx_error *err);

	/*
	 * Optional (NULL = nothing checked). The contracts that must have code at every block
	 * from the deployment's start block on (Aave: the Pool; a singleton or a proxy for
	 * others): sync's start-up check asks the node for their code at its target block, so a
	 * wrong --rpc or chains/ entry fails before any log is read. Fills out[] and roles[] (a
	 * static name for messages, "pool"); *n in: capacity, out: count.
	 */
	int (*core_contracts)(struct lx_proto *p, struct lx_addr *out, const char **roles,
			      size_t *n);

	/*
	 * The emitters this handler follows may have logged before anything revealed them (an
	 * Aave V4 Hub set up before a followed Spoke lists it; a Spoke configured before a Hub
	 * adds it): sync records in the store which emitters' logs it holds from the start block,
	 * and a run that finds one it does not hold fetches that emitter's logs from the start
	 * block to the cursor and applies them, in one transaction, before going on (sync.c,
	 * catch_up; whole deployments added later are caught up for every handler). The handler's
	 * apply of one emitter's logs must touch only that emitter's records.
	 */
	bool history_before_discovery;
};

/* Capacity sync offers core_contracts (Aave V4 Ethereum names 16 Hubs and Spokes). */
#define LX_PROTO_MAX_CORE 64

#define LX_VIEW_FLOWS 0x1

/* Base of every handler object (first member), so generic code can find its ops. */
struct lx_proto {
	const struct lx_proto_ops *ops;
	const struct lx_chain *chain;
	const struct lx_deployment *dep;
};

/* The registry: ops by protocol name ("aave_v3") or id; NULL if unsupported. */
const struct lx_proto_ops *lx_proto_find(const char *name);
const struct lx_proto_ops *lx_proto_find_id(uint32_t protocol);

/* Creates the handler for a deployment (looks up its protocol in the registry). */
int lx_proto_create(struct lx_proto **out, const struct lx_chain *chain,
		    const struct lx_deployment *dep, const char *abi_dir,
		    struct lx_store_txn *txn, struct lx_error *err);
void lx_proto_destroy(struct lx_proto *p);

#endif
