/*
 * rlp.h: Ethereum's Recursive Length Prefix codec (strict) and the Merkle-Patricia trie root.
 *
 * The decoder reads untrusted bytes: it accepts only canonical encodings (a single byte below
 * 0x80 is never wrapped, lengths use the short form when they can and carry no leading zero
 * bytes, every length fits the input) and bounds list nesting. Every failure is LX_ERLP with a
 * message naming the byte offset. The encoder writes into a growable buffer with a size cap.
 * The trie builder computes the root of a set of (key, value) pairs the way a node commits
 * transactions, receipts and withdrawals: keys rlp(index), values the encoded items.
 */
#ifndef LENDEX_RLP_H
#define LENDEX_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"

#define LX_RLP_MAX_DEPTH 64 /* list nesting accepted by lx_rlp_validate */

/* ---- encoder ---- */

/*
 * A growable output buffer. Invariant: len <= cap <= max (when max != 0); p is malloc'd and
 * owned by the buffer. Embed it: _init, any number of _put, _release.
 */
struct lx_rlp_buf {
	uint8_t *p;      /* bytes written so far */
	size_t len;      /* bytes used */
	size_t cap;      /* bytes allocated */
	size_t max;      /* cap on len (0: 1 GiB) */
};

void lx_rlp_buf_init(struct lx_rlp_buf *b, size_t max);
void lx_rlp_buf_release(struct lx_rlp_buf *b);
/* Drops the contents, keeps the allocation. */
void lx_rlp_buf_reset(struct lx_rlp_buf *b);

/* Appends a string item holding n bytes. Errors: LX_ENOMEM, LX_EOVERFLOW (past max). */
int lx_rlp_put_bytes(struct lx_rlp_buf *b, const uint8_t *s, size_t n);
/* Appends an unsigned integer as a minimal big-endian string (0 is the empty string). */
int lx_rlp_put_u64(struct lx_rlp_buf *b, uint64_t v);
/* Appends bytes that already are one or more encoded items (no header). */
int lx_rlp_put_raw(struct lx_rlp_buf *b, const uint8_t *s, size_t n);
/* Appends a bare byte (no header): for an EIP-2718 type prefix. */
int lx_rlp_put_byte(struct lx_rlp_buf *b, uint8_t v);
/*
 * Lists: lx_rlp_list_begin returns a mark (the current length); after the items are put,
 * lx_rlp_list_end(b, mark) wraps everything since the mark in a list header.
 */
size_t lx_rlp_list_begin(const struct lx_rlp_buf *b);
int lx_rlp_list_end(struct lx_rlp_buf *b, size_t mark);

/* ---- decoder ---- */

/* One decoded item; payload points into the caller's input (borrowed). */
struct lx_rlp_item {
	bool list;              /* list (payload = concatenated items) or string */
	const uint8_t *p;       /* payload */
	size_t len;             /* payload length */
	size_t off;             /* offset of the item's first header byte in the whole input */
	size_t poff;            /* offset of the payload in the whole input */
	size_t end;             /* offset just past the item in the whole input */
};

/*
 * Reads the item that starts at offset off of buf[0..len). Strict: see the file comment.
 * Errors: LX_ERLP ("rlp: ... at offset N"), LX_EINVAL on misuse. *out zeroed on error.
 */
int lx_rlp_item_at(struct lx_rlp_item *out, const uint8_t *buf, size_t len, size_t off,
		   struct lx_error *err);

/*
 * Parses buf as exactly one item (no trailing bytes) and validates everything inside it
 * recursively (canonical, nesting at most LX_RLP_MAX_DEPTH). Errors: LX_ERLP.
 */
int lx_rlp_parse(struct lx_rlp_item *out, const uint8_t *buf, size_t len, struct lx_error *err);

/*
 * Iterates a list item's children: *cursor starts at 0; each call stores the next child in out
 * and returns 1, returns 0 at the end, or LX_ERLP. base is the whole input the list came from
 * (offsets in messages are relative to it).
 */
int lx_rlp_list_next(const struct lx_rlp_item *list, const uint8_t *base, size_t base_len,
		     size_t *cursor, struct lx_rlp_item *out, struct lx_error *err);

/* Counts a list's children (validating each header). Errors: LX_ERLP. */
int lx_rlp_list_count(const struct lx_rlp_item *list, const uint8_t *base, size_t base_len,
		      size_t *out, struct lx_error *err);

/* Reads a string item as a canonical unsigned integer (no leading zero byte, at most 8 bytes).
 * Errors: LX_ERLP (a list, a leading zero, too long). */
int lx_rlp_u64(uint64_t *out, const struct lx_rlp_item *it, struct lx_error *err);

/* ---- Merkle-Patricia trie ---- */

/* One pair to commit. Pointers are borrowed for the call. */
struct lx_trie_kv {
	const uint8_t *key;
	size_t key_len;
	const uint8_t *val;     /* must be non-empty: an empty value means "absent" in a trie */
	size_t val_len;
};

/*
 * Root hash of the trie holding the n pairs (any order; keys must be distinct). The pairs
 * array is reordered (sorted by key). n == 0 gives the empty root keccak(rlp("")).
 * Errors: LX_EINVAL (duplicate key, empty value), LX_ENOMEM.
 */
int lx_trie_root(uint8_t root[32], struct lx_trie_kv *kv, size_t n, struct lx_error *err);

/*
 * Root of an ordered list trie (transactions, receipts, withdrawals): item i under key rlp(i).
 * items[i] points to the encoded item of len[i] bytes. Errors as lx_trie_root.
 */
int lx_trie_list_root(uint8_t root[32], const uint8_t *const *items, const size_t *len, size_t n,
		      struct lx_error *err);

#endif
