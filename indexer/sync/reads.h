/*
 * reads.h: sync's contract reads (reads.c), private to indexer/sync/.
 */
#ifndef LENDEX_SYNC_READS_H
#define LENDEX_SYNC_READS_H

#include <stdbool.h>

#include "lendex/proto.h"
#include "lendex/rpc.h"

/*
 * Makes every read of l, each at its own block or at `at` when its block is 0, in JSON-RPC
 * batches of the client's size (lx_rpc_batch: retried, refused batches sent smaller), a chunk
 * of requests at a time so that only one chunk's JSON is held. Fills each call's result (NULL
 * when the contract reverted: its own answer, for the handler to judge). strict: an eth_call
 * answer must be whole 32-byte words (at least one). A call's result_min is checked either way.
 * Not strict (reads at a log's own block): a JSON-RPC error the node still gives after the
 * client's retries is also handed over as no result — a full node without that block's state
 * (Aave's revision read at the block before its start block: the handler then keeps chains/
 * `version`, as it documents).
 * Errors: the node's (after the client's retries) or a malformed or short answer, with err
 * naming who (a deployment), the call (selector and argument), its contract and block.
 */
int lx_sync_reads(struct lx_rpc *rpc, struct lx_calls *l, uint64_t at, bool strict,
		  const char *who, struct lx_error *err);

#endif
