/*
 * verify.h: proving a node's answers against block hashes (`sync --verify`).
 *
 * Part one rebuilds consensus encodings from the JSON objects a node returns and hashes them:
 * block headers (every fork's field set, and Gnosis AuRa's), signed transactions (legacy with
 * and without EIP-155, EIP-2930, 1559, 4844, 7702; OP deposits for the transactions trie),
 * their signing hashes and senders (libsecp256k1's recovery module), receipts (the same types)
 * and the transactions and receipts tries. All of it is pure: no I/O, no globals.
 *
 * Part two is the sync step: for a block range about to be applied, prove every log the
 * indexer would use against a receipts trie whose root sits in a header that is linked by
 * parentHash to a trusted checkpoint, and recover the signer of each transaction that emitted
 * them. The step fetches what it needs through lx_rpc and writes nothing.
 */
#ifndef LENDEX_VERIFY_H
#define LENDEX_VERIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/rlp.h"

/* ---- consensus encodings from JSON ---- */

/*
 * Appends the RLP of a block header built from an eth_getBlockBy* result: parentHash ...
 * extraData, then mixHash and nonce (or AuRa's step and signature), then whichever of
 * baseFeePerGas, withdrawalsRoot, blobGasUsed, excessBlobGas, parentBeaconBlockRoot and
 * requestsHash are present, in that order. Other members (hash, size, totalDifficulty, L2
 * extras) are ignored. Errors: LX_EBADRESP naming the missing or malformed field.
 */
int lx_header_encode(struct lx_rlp_buf *out, const json_t *hdr, struct lx_error *err);

/* keccak(lx_header_encode(hdr)). Errors as lx_header_encode. */
int lx_header_hash(uint8_t out[32], const json_t *hdr, struct lx_error *err);

/* What lx_tx_check found out about one signed transaction. */
struct lx_tx_info {
	unsigned type;            /* 0 legacy, 1..4 typed, 0x7e OP deposit (not signed) */
	bool has_chain_id;        /* false for pre-EIP-155 legacy and deposits */
	uint64_t chain_id;
	uint8_t hash[32];         /* keccak of the network encoding */
	uint8_t sighash[32];      /* what the sender signed (zero for deposits) */
	struct lx_addr from;      /* recovered signer (for deposits: the `from` field as given) */
};

/*
 * Appends a transaction's network encoding (what its hash and the transactions trie commit):
 * rlp(list) for legacy, type byte ‖ rlp(list) for typed. Errors: LX_EBADRESP naming the
 * field, LX_EUNKNOWN for a type this code does not know (its number in the message).
 */
int lx_tx_encode(struct lx_rlp_buf *out, const json_t *tx, struct lx_error *err);

/*
 * Rebuilds the encoding and the signing hash, recovers the signer. Does not compare with the
 * node's `hash` or `from`: the caller decides what to trust. Errors as lx_tx_encode, and
 * LX_EVERIFY for a signature that does not recover (bad v, r or s out of range).
 */
int lx_tx_check(struct lx_tx_info *out, const json_t *tx, struct lx_error *err);

/*
 * Appends a receipt's consensus encoding: [status or root, cumulativeGasUsed, logsBloom,
 * logs], prefixed by the type byte for typed receipts (OP deposits add depositNonce and
 * depositReceiptVersion when present). Errors: LX_EBADRESP, LX_EUNKNOWN.
 */
int lx_receipt_encode(struct lx_rlp_buf *out, const json_t *rcpt, struct lx_error *err);

/* Roots of the transactions and receipts tries of a block from the JSON arrays (in block
 * order). Errors as the encoders, naming the position. */
int lx_txs_root(uint8_t root[32], const json_t *txs, struct lx_error *err);
int lx_receipts_root(uint8_t root[32], const json_t *rcpts, struct lx_error *err);

/*
 * A block's receipts as the verifier needs them (rcpt.c): each receipt's consensus encoding,
 * its logs (address, topics, data) and the `from` it claims. Filled one receipt at a time in
 * block order, by either reader; a receipt that fails leaves the set as it was.
 */
struct lx_rcpt {
	size_t enc_off, enc_len;  /* its encoding in enc */
	size_t log0, nlogs;       /* its logs: logs[log0 .. log0 + nlogs) */
	int from_state;           /* 0 no `from` string, 1 parsed into from, 2 malformed */
	struct lx_addr from;
};
struct lx_rlog {
	struct lx_addr address;
	uint8_t n_topics;
	uint8_t topics[4][32];
	size_t data_off, data_len; /* in arena */
};
struct lx_rcptset {
	size_t n, cap;
	struct lx_rcpt *r;
	struct lx_rlp_buf enc;     /* the encodings, back to back */
	size_t nlogs, logs_cap;
	struct lx_rlog *logs;      /* every receipt's logs, in block order */
	uint8_t *arena;            /* the logs' data */
	size_t arena_len, arena_cap;
	void *scratch;             /* the text reader's per-receipt log fields */
	size_t scratch_cap;
};
void lx_rcptset_init(struct lx_rcptset *s);
void lx_rcptset_reset(struct lx_rcptset *s);   /* empties it, keeps the memory */
void lx_rcptset_release(struct lx_rcptset *s);
/* Appends a receipt parsed by jansson (borrowed). Errors: as lx_receipt_encode; LX_ENOMEM. */
int lx_rcptset_add_json(struct lx_rcptset *s, const json_t *rcpt, struct lx_error *err);
/*
 * Appends a receipt from its JSON text (one element of an eth_getBlockReceipts answer), read
 * without a document tree. Whatever it accepts, jansson + lx_rcptset_add_json accept with the
 * same result; it refuses escapes in keys and in the fields it reads and repeated fields.
 * Errors: LX_EBADRESP (naming the reason and the byte), LX_EUNKNOWN, LX_ENOMEM.
 */
int lx_rcptset_add_text(struct lx_rcptset *s, const char *text, size_t len,
			struct lx_error *err);
/* The receipts trie root of the set (in order). Errors: LX_ENOMEM. */
int lx_rcptset_root(uint8_t root[32], const struct lx_rcptset *s, struct lx_error *err);
/* Log i of the set as an lx_log (address, topics, data; data borrowed from the set). */
struct lx_log;
void lx_rcptset_log(const struct lx_rcptset *s, size_t i, struct lx_log *out);

/*
 * A full block (eth_getBlockByNumber with its transactions) as the verifier needs it (blk.c),
 * read from the answer's text with no document tree: the header's hash rebuilt from its fields
 * and the fields the step compares; each transaction's network encoding (for the transactions
 * trie), its hash, where its signature starts in it, and the `from` the node claims. Whatever
 * lx_blk_read_text accepts, eth.c's jansson path (lx_header_hash, lx_tx_encode, lx_tx_check)
 * accepts with the same result.
 */
struct lx_blk_tx {
	unsigned type;
	bool has_chain_id;
	uint64_t chain_id, v;     /* v: legacy v, or the typed yParity */
	uint8_t hash[32];
	size_t enc_off, enc_len;  /* its network encoding in enc */
	size_t pay_off, sig_rel;  /* its list payload (from enc_off), the bytes before v, r, s */
	uint8_t rs[64];
	int from_rc;              /* lx_addr_parse of its `from` (0: parsed into from) */
	struct lx_addr from;
};
struct lx_blk {
	bool ok;                  /* a block was read */
	uint64_t number;
	uint8_t hash[32];         /* keccak of the header's RLP, rebuilt */
	uint8_t claimed[32];      /* the node's `hash` */
	uint8_t parent[32], receipts_root[32], txs_root[32], bloom[256];
	size_t ntx, cap;
	struct lx_blk_tx *tx;
	struct lx_rlp_buf enc;    /* the transactions' encodings, back to back */
	void *scratch;
	size_t scratch_cap;
};
void lx_blk_init(struct lx_blk *b);
void lx_blk_reset(struct lx_blk *b);     /* empties it, keeps the memory */
void lx_blk_release(struct lx_blk *b);
/*
 * Reads a full block from its JSON text. Refuses what the jansson path refuses (LX_EBADRESP,
 * LX_EUNKNOWN naming the field and the transaction), blocks whose transactions are hashes, and
 * escapes in keys and read fields, repeated read fields. On error the block is empty.
 */
int lx_blk_read_text(struct lx_blk *b, const char *text, size_t len, struct lx_error *err);
/* The transactions trie root of the block. Errors: LX_ENOMEM. */
int lx_blk_txs_root(uint8_t root[32], const struct lx_blk *b, struct lx_error *err);
/* lx_tx_check of transaction i: its signing hash rebuilt from its encoding and the signer
 * recovered (deposits: the `from` as given). Errors as lx_tx_check. */
int lx_blk_signer(struct lx_tx_info *out, const struct lx_blk *b, size_t i,
		  struct lx_error *err);

/* Parses a 0x-prefixed 32-byte hash. Errors: LX_EPARSE. */
int lx_hash_parse(uint8_t out[32], const char *s);

/* ---- the sync step ---- */

struct lx_rpc;
struct lx_logset;
struct lx_filter;
struct lx_store_txn;

/*
 * The verifier: the last header linked to the checkpoint (and a window of recent linked hashes
 * so a range can restart after a reorg unwind), plus counters. Used from one thread.
 */
struct lx_verifier;

struct lx_verify_stats {
	uint64_t headers;         /* headers hashed and linked */
	uint64_t blocks;          /* blocks whose receipts were proven */
	uint64_t bloom_blocks;    /* of those: fetched only because the bloom may match */
	uint64_t receipts, logs, signers;
	uint64_t fallback;        /* blocks whose receipts came one by one */
};

/* A proven signer of a transaction that emitted a log the indexer uses. */
struct lx_signer {
	uint8_t tx[32];
	struct lx_addr signer;
	uint64_t block;
};

/* What lx_verify_range proved for one range; _release frees the array. */
struct lx_verified {
	size_t n, cap;
	struct lx_signer *s;
};
void lx_verified_release(struct lx_verified *v);

/*
 * Creates a verifier anchored at a trusted checkpoint (block number and hash): every header
 * verified later links to it by parentHash. Errors: LX_ENOMEM.
 */
int lx_verifier_create(struct lx_verifier **out, uint64_t cp_block, const uint8_t cp_hash[32],
		       struct lx_error *err);
void lx_verifier_destroy(struct lx_verifier *v);
const struct lx_verify_stats *lx_verifier_stats(const struct lx_verifier *v);
/* The last header linked to the checkpoint: its number and hash (compare with a second source:
 * the link proves descent from the checkpoint, not that the chain is the canonical one). */
void lx_verifier_tip(const struct lx_verifier *v, uint64_t *block, uint8_t hash[32]);

/*
 * Proves the logs of blocks [from, to] that the indexer is about to apply:
 *  - every header from the last linked one up to `to` is fetched (JSON-RPC batches), hashed and
 *    linked by parentHash; first_hash/last_hash (what sync will store) must be the linked ones;
 *  - for each block that has logs in `logs`, or whose logsBloom may hold a log matching one of
 *    the nf filters, all receipts are fetched (eth_getBlockReceipts, else one by one), their
 *    trie root must be the header's receiptsRoot, and the logs in `logs` for that block must be
 *    exactly the receipts' logs that match the filters (address, topics, data, order, tx);
 *  - blocks with logs are fetched with their transactions, whose trie root must be the
 *    header's transactionsRoot; the signer of each transaction that emitted a used log is
 *    recovered and must equal the node's `from`.
 * out (zeroed on entry) receives the signers. Errors: LX_EVERIFY naming the block and what did
 * not match; LX_EREORG when block `from` itself does not extend the linked chain (a reorg, or
 * a lie: the caller must not apply the range either way); RPC errors as lx_rpc; LX_EUNKNOWN
 * for a transaction type that cannot be proven.
 */
int lx_verify_range(struct lx_verifier *v, struct lx_rpc *rpc, const struct lx_filter *f,
		    size_t nf, const struct lx_logset *logs, uint64_t from, uint64_t to,
		    const uint8_t first_hash[32], const uint8_t last_hash[32],
		    struct lx_verified *out, struct lx_error *err);

/* ---- entities: the keys that drove positions ---- */

/*
 * Stores the signers of a verified range (table lx.signer: chain · tx hash → signer · block),
 * in the caller's write transaction.
 */
int lx_entity_put(struct lx_store_txn *t, uint64_t chain_id, const struct lx_verified *v,
		  struct lx_error *err);

/* One account a signer drove: its market, the account, how many position flows. */
struct lx_entity_account {
	struct lx_addr market;
	struct lx_addr account;
	uint64_t flows;
	uint64_t last_block;
};

/*
 * Lists the accounts whose positions (flows in lx.flow) transactions signed by `signer` moved
 * (not counting a liquidator's seizure and repayment, nor received transfers).
 * *out is malloc'd (caller frees), sorted by market then account. Errors: store errors,
 * LX_ECORRUPT for malformed rows, LX_ENOMEM.
 */
int lx_entity_accounts(struct lx_store_txn *t, uint64_t chain_id, const struct lx_addr *signer,
		       struct lx_entity_account **out, size_t *n, struct lx_error *err);

/*
 * The signer that moved an account's positions most often (its entity), or LX_ENOTFOUND when
 * no verified transaction touched it. Used to group accounts by entity.
 */
int lx_entity_of(struct lx_store_txn *t, uint64_t chain_id, const struct lx_addr *market,
		 const struct lx_addr *account, struct lx_addr *signer, struct lx_error *err);

#endif
