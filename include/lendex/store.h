/*
 * store.h: the LMDB-backed store. Only indexer/store/ sees LMDB; everyone else sees these
 * opaque handles.
 *
 * One environment (a directory) holds named tables; keys are big-endian fixed-width fields so
 * LMDB's byte order is the natural order and prefix scans are range scans. A write transaction
 * is the unit of atomicity: sync applies a batch of blocks and moves the per-chain cursor in
 * the same transaction. While a block is marked on a write transaction, every put and delete
 * also records the key's previous value (an undo record) so a reorg can be unwound exactly.
 * Key layouts: docs/store.md.
 */
#ifndef LENDEX_STORE_H
#define LENDEX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lendex/err.h"

struct lx_store;
struct lx_store_txn;

#define LX_STORE_SCHEMA 1

#define LX_STORE_RDONLY 0x1 /* open for queries only; fails with LX_ENOTFOUND if absent */
#define LX_STORE_CREATE 0x2 /* create the directory and store if absent */
#define LX_STORE_NOSYNC 0x4 /* no fsync at commit (benchmarks only: not crash-safe) */

/*
 * Opens the store in dir. Errors: LX_ENOTFOUND (read-only and absent: run sync first),
 * LX_ESCHEMA (written by another schema version), LX_ECORRUPT (not an LMDB store or damaged),
 * LX_ESTORE (other LMDB errors, code in err->detail), LX_EIO.
 */
int lx_store_open(struct lx_store **out, const char *dir, unsigned flags, struct lx_error *err);
void lx_store_close(struct lx_store *s);

/* Transactions. A write transaction excludes other writers. Values returned by get and
 * iterators are borrowed and valid until the transaction ends. Read transactions may run on
 * any thread, several at once: the tables on disk are opened with the store, and a table a
 * write transaction creates is seen by read transactions that begin after its commit (one
 * whose snapshot is older, or a table another process creates later, reads as absent). */
int lx_store_begin(struct lx_store *s, bool write, struct lx_store_txn **out,
		   struct lx_error *err);
/* Commits and frees t. LX_EMAPFULL when the map must grow (t is gone either way). */
int lx_store_commit(struct lx_store_txn *t, struct lx_error *err);
void lx_store_abort(struct lx_store_txn *t);

/*
 * Runs fn in a write transaction and commits it. When the map is full, aborts, doubles the map
 * and runs fn again from scratch: fn must depend only on ctx and the store's state, and must
 * not keep side effects outside the transaction. Returns fn's error (after abort) or 0.
 */
int lx_store_write(struct lx_store *s,
		   int (*fn)(struct lx_store_txn *t, void *ctx, struct lx_error *err), void *ctx,
		   struct lx_error *err);

/* Key/value in a named table (created on first write). get: LX_ENOTFOUND if absent. */
int lx_store_get(struct lx_store_txn *t, const char *table, const void *key, size_t klen,
		 const uint8_t **val, size_t *vlen, struct lx_error *err);
int lx_store_put(struct lx_store_txn *t, const char *table, const void *key, size_t klen,
		 const void *val, size_t vlen, struct lx_error *err);
/* LX_ENOTFOUND if the key was absent. */
int lx_store_del(struct lx_store_txn *t, const char *table, const void *key, size_t klen,
		 struct lx_error *err);

/* Ordered scan of the keys that start with prefix. Embed it; begin, next until
 * LX_ENOTFOUND (which, like every non-zero return, fills err: "no more keys ..."), end. */
struct lx_store_iter {
	void *cur;              /* MDB_cursor *, NULL when the table is absent */
	uint8_t prefix[128];
	size_t plen;
	bool started;
	char table[40];         /* for messages */
};
int lx_store_iter_begin(struct lx_store_iter *it, struct lx_store_txn *t, const char *table,
			const void *prefix, size_t plen, struct lx_error *err);
int lx_store_iter_next(struct lx_store_iter *it, const uint8_t **key, size_t *klen,
		       const uint8_t **val, size_t *vlen, struct lx_error *err);
void lx_store_iter_end(struct lx_store_iter *it);

/* The per-chain sync cursor: the last applied block. LX_ENOTFOUND before the first sync. */
struct lx_sync_cursor {
	uint64_t block;
	uint8_t hash[32];
	uint64_t timestamp;
};
int lx_store_cursor_get(struct lx_store_txn *t, uint64_t chain_id, struct lx_sync_cursor *c,
			struct lx_error *err);
int lx_store_cursor_set(struct lx_store_txn *t, uint64_t chain_id,
			const struct lx_sync_cursor *c, struct lx_error *err);

/* Recent block headers (hash, parent, timestamp) for reorg detection. */
struct lx_block_ref {
	uint64_t number;
	uint8_t hash[32];
	uint8_t parent[32];
	uint64_t timestamp;
};
int lx_store_block_put(struct lx_store_txn *t, uint64_t chain_id, const struct lx_block_ref *b,
		       struct lx_error *err);
int lx_store_block_get(struct lx_store_txn *t, uint64_t chain_id, uint64_t number,
		       struct lx_block_ref *b, struct lx_error *err);
/* Deletes headers and undo records of blocks below `below`. */
int lx_store_prune(struct lx_store_txn *t, uint64_t chain_id, uint64_t below,
		   struct lx_error *err);

/*
 * Undo: marks the block whose changes follow (0 = stop recording). Every put/del after this
 * records the previous value under (chain, block).
 */
void lx_store_txn_set_block(struct lx_store_txn *t, uint64_t chain_id, uint64_t block);
/* Restores every change recorded for blocks > to_block, newest first, and drops those undo
 * records and block headers. Unwinding with nothing recorded is a no-op. */
int lx_store_unwind(struct lx_store_txn *t, uint64_t chain_id, uint64_t to_block,
		    struct lx_error *err);
/* The oldest block with an undo record (LX_ENOTFOUND if none). */
int lx_store_undo_oldest(struct lx_store_txn *t, uint64_t chain_id, uint64_t *block,
			 struct lx_error *err);

/* Canonical text dump of the state: every table except infrastructure (undo, block
 * headers), tables in name order, keys in order: "table\tkey-hex\tvalue-hex". */
int lx_store_dump(struct lx_store_txn *t, FILE *out, struct lx_error *err);

/* Bytes used by the data file. */
uint64_t lx_store_size(struct lx_store *s);

#endif
