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

/* Parses a 0x-prefixed 32-byte hash. Errors: LX_EPARSE. */
int lx_hash_parse(uint8_t out[32], const char *s);

#endif
