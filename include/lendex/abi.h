/*
 * abi.h: the Solidity ABI codec for event logs. Pure: no I/O besides loading ABI JSON files,
 * no globals.
 *
 * Event definitions come from standard JSON ABI files (an ABI array, or a Hardhat artifact's
 * "abi"); each event's canonical signature and topic0 are computed from its inputs. A log
 * (topics + data) decodes into a value tree. Decoding untrusted bytes never reads out of
 * bounds: short data, bad offsets, oversized lengths, non-canonical padding and a wrong topic
 * count each give their own error (LX_ESHORT, LX_EOFFSET, LX_ELENGTH, LX_EPADDING, LX_ETOPICS)
 * with a message saying which argument and where.
 */
#ifndef LENDEX_ABI_H
#define LENDEX_ABI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/u256.h"

enum lx_abi_kind {
	LX_ABI_ADDRESS = 1,
	LX_ABI_BOOL,
	LX_ABI_UINT,
	LX_ABI_INT,
	LX_ABI_FBYTES,  /* bytesN */
	LX_ABI_BYTES,
	LX_ABI_STRING,
	LX_ABI_ARRAY,   /* T[] */
	LX_ABI_FARRAY,  /* T[k] */
	LX_ABI_TUPLE,
};

struct lx_abi_type {
	enum lx_abi_kind kind;
	unsigned size;                 /* bits of uintN/intN, bytes of bytesN, k of T[k] */
	struct lx_abi_type *elem;      /* arrays */
	size_t n_comp;                 /* tuples */
	struct lx_abi_type **comp;
	char **names;                  /* component names (may be "") */
};

struct lx_abi_param {
	char *name;
	struct lx_abi_type *type;
	bool indexed;
};

struct lx_abi_event {
	char *name;
	char *signature;               /* canonical: Transfer(address,address,uint256) */
	uint8_t topic0[32];
	bool anonymous;
	size_t n;
	struct lx_abi_param *params;
	size_t n_indexed;
};

/* A set of events loaded from files; owns everything in it. */
struct lx_abi_set {
	size_t n, cap;
	struct lx_abi_event **events;
};

int lx_abi_set_create(struct lx_abi_set **out, struct lx_error *err);
void lx_abi_set_destroy(struct lx_abi_set *s);
/* Loads the events of a JSON ABI file, or of every *.json below a directory (sorted). An
 * event already in the set (same signature and indexed layout) is not added twice. */
int lx_abi_set_load(struct lx_abi_set *s, const char *path, struct lx_error *err);
/* Adds the events of one ABI JSON array (or artifact object). src names it in errors. */
int lx_abi_set_add_json(struct lx_abi_set *s, const json_t *abi, const char *src,
			struct lx_error *err);
/* The event with this topic0 whose indexed count matches n_topics - 1; NULL if none. */
const struct lx_abi_event *lx_abi_find(const struct lx_abi_set *s, const uint8_t topic0[32],
				       size_t n_topics);
const struct lx_abi_event *lx_abi_find_name(const struct lx_abi_set *s, const char *name);

/* A decoded value. Trees live in one allocation owned by struct lx_abi_decoded. */
struct lx_abi_value {
	const struct lx_abi_type *type;
	bool hashed;                   /* indexed dynamic value: only its keccak (bytes 32) */
	struct lx_u256 u;              /* uint / int (two's complement) / bool */
	bool negative;                 /* int < 0 */
	struct lx_addr addr;
	const uint8_t *bytes;          /* bytesN, bytes, string, hashed topics */
	size_t len;
	size_t n;                      /* arrays, tuples */
	struct lx_abi_value *items;
};

struct lx_abi_decoded {
	const struct lx_abi_event *event;
	size_t n;
	struct lx_abi_value *args;     /* in the event's parameter order */
	void *arena;
};

/*
 * Decodes a log against ev. topics: n_topics words of 32 bytes. On success *out is new
 * (free with lx_abi_decoded_free). Errors: LX_ETOPICS, LX_ESHORT, LX_EOFFSET, LX_ELENGTH,
 * LX_EPADDING, LX_ENOMEM, with the argument's name and byte position in err.
 */
int lx_abi_decode_log(struct lx_abi_decoded **out, const struct lx_abi_event *ev,
		      const uint8_t (*topics)[32], size_t n_topics, const uint8_t *data,
		      size_t len, struct lx_error *err);
void lx_abi_decoded_free(struct lx_abi_decoded *d);

/* The args as a JSON object (new reference): integers as decimal strings, addresses and bytes
 * as lowercase 0x hex, bools as booleans, tuples as objects, arrays as arrays. */
json_t *lx_abi_args_json(const struct lx_abi_decoded *d);

/*
 * An ERC-20 symbol() answer (b, len: the eth_call result) as text: an ABI string, or a bytes32
 * padded with zeros (MKR-style). Fills out with at most 15 printable ASCII bytes and a NUL and
 * returns true; returns false (out = "") for anything else: empty, longer than 15 bytes, a
 * byte outside 0x20..0x7e, a malformed encoding. Display only: never a key.
 */
bool lx_abi_symbol(char out[16], const uint8_t *b, size_t len);

#endif
