/*
 * sync.h: the sync engine — plans block ranges, fetches logs, headers and contract reads with
 * many requests in flight, hands logs to the protocol handlers strictly in block order, and
 * commits each range together with the chain's cursor in one store transaction. Resumable
 * from the cursor at any point; unwinds reorgs inside the chain's reorg window.
 */
#ifndef LENDEX_SYNC_H
#define LENDEX_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "lendex/chain.h"
#include "lendex/err.h"
#include "lendex/proto.h"
#include "lendex/rpc.h"
#include "lendex/store.h"
#include "lendex/verify.h"

struct lx_sync_opts {
	const struct lx_chain *chain;
	const char *deployment;     /* NULL: every deployment of the chain */
	const char *abi_dir;
	uint64_t to;                /* 0: the head (minus confirmations) */
	uint64_t confirmations;
	uint64_t max_range;         /* 0: the chain's max_block_range */
	int concurrency;            /* ranges in flight (default 4) */
	bool follow;                /* keep tailing the head */
	long follow_interval_ms;    /* poll interval in follow mode (default 2000) */
	int progress;               /* 0 quiet, 1 plain lines, 2 live TTY line */
	struct lx_verifier *verifier; /* sync --verify: prove each range first (NULL: off) */
	struct lx_rpc *verify_rpc;  /* --verify: the verify thread's own client (NULL: prove on
				     * the fetch thread with the sync's client) */
};

/*
 * Logs of one event and fate in a run (the summary's per-event counts). Key: (fate, event,
 * reason). Logs no handler asked for have fate LX_LOG_NOT_MINE and sync's own reason.
 */
#define LX_SYNC_MAX_EVENT_KINDS 64
struct lx_event_count {
	char event[40];     /* the event's name; unnamed: "topic0 0x" and 8 hex digits */
	const char *reason; /* static; ignored logs: why they change nothing kept; else NULL */
	uint8_t fate;       /* enum lx_log_fate (proto.h) */
	uint64_t n;
};
struct lx_event_counts {
	size_t n;
	struct lx_event_count c[LX_SYNC_MAX_EVENT_KINDS];
	uint64_t other; /* logs of kinds beyond the table (counted, not named) */
};

/*
 * Adds k logs of one kind to t: class from a handler's classify (fate LX_LOG_NOT_MINE when
 * none named it), topic0 names an unnamed one (NULL: anonymous log).
 */
void lx_event_counts_add(struct lx_event_counts *t, const struct lx_log_class *c,
			 const uint8_t *topic0, uint64_t k);
/* Adds every kind of src to t. */
void lx_event_counts_merge(struct lx_event_counts *t, const struct lx_event_counts *src);

/*
 * What a run did. [from, to] are the blocks applied by this run; when nothing was applied,
 * from = to + 1 and to is the block the store was already at (0 with no cursor yet).
 */
struct lx_sync_result {
	uint64_t from, to;          /* blocks applied by this run; to: the store's block after it */
	uint64_t logs, ranges, splits, reorgs;
	uint64_t start;             /* the earliest start_block of the synced deployments */
	uint64_t head;              /* the node's last head (before confirmations) */
	bool have_cursor;           /* the store holds a synced block for this chain */
	uint64_t behind;            /* > 0: the node's head (less confirmations) was this many
				     * blocks behind the store's block; nothing was synced */
	uint64_t ignored_logs;      /* logs in the node's answers that match no handler's filter
				     * (an emitter or event nobody asked for): not applied */
	struct lx_log_ref {         /* the first of them, for the warning */
		uint64_t block;
		uint32_t log_index;
		uint8_t address[20];
	} first_ignored;
	struct lx_event_counts events; /* every log of the run's answers, by event and fate */
	uint64_t caught_up;         /* emitters found in this run whose earlier logs (start block
				     * to the store's block) were fetched and applied first */
	uint64_t caught_up_logs;    /* those logs (also counted in logs) */
};

/*
 * Threads. lx_sync_run runs on the caller's thread (the consumer) and starts one producer
 * thread per pass; the contract between them:
 *   - the producer owns the RPC client while it runs: it alone plans block ranges, fetches
 *     logs and headers, splits refused ranges, and checks the answers. It never touches the
 *     store, nor the handlers' state (it only asks them for their log filters, which change
 *     only during discovery, before the producer starts, and for the reads a fetched range's
 *     logs need at their own blocks — proto log_reads, which looks only at the logs and the
 *     handler's configuration; the answers travel with the range to apply_log_reads).
 *   - the consumer owns the store and the handlers: it applies fetched ranges strictly in block
 *     order, each in one write transaction with the cursor.
 *   - they meet only in a mutex-guarded ring of fetched ranges (ownership of a range moves with
 *     it) and in the client's retry count, which the producer publishes atomically for the
 *     progress line.
 *   - with --verify and o->verify_rpc, a verify thread sits between them: it takes fetched
 *     ranges in order from a ring like the consumer's, proves them with the verifier and its
 *     own client (o->verify_rpc, which nobody else uses while it runs), and hands them on; it
 *     never touches the store, the handlers or the producer's client. Without verify_rpc the
 *     producer proves each range itself before handing it on.
 *   - the client goes back to the consumer only after the producer has been joined: for the
 *     last range's contract reads (planned from the state that range's own logs leave), for a
 *     reorg's header lookups, and between passes.
 * Neither lx_rpc nor lx_store is otherwise safe to share between threads.
 *
 * Syncs the chain's deployments into st over rpc. Definitive errors (wrong chain id, a
 * deployment without code) stop before anything is written. Returns 0 or enum lx_err:
 * LX_EUSAGE when o->to is before every deployment's start block (nothing could be synced);
 * LX_ECHAIN when the node's head is behind the store's block by more than the reorg window
 * (another node or chain). A head behind by less is a lagging node: 0, res->behind set, and the
 * store is left as it was (never moved backwards).
 */
int lx_sync_run(struct lx_store *st, struct lx_rpc *rpc, const struct lx_sync_opts *o,
		struct lx_sync_result *res, struct lx_error *err);

#endif
