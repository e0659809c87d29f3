/*
 * err.h: lendex error codes and the caller-supplied error record.
 *
 * Every fallible function returns int: 0 on success, a negative enum lx_err otherwise. Where a
 * function can say more (which input, which byte, which foreign code), it takes a
 * struct lx_error * (may be NULL) and fills it. The enum only grows: never renumber or remove a
 * value, since codes are printed, logged and compared by callers.
 */
#ifndef LENDEX_ERR_H
#define LENDEX_ERR_H

#include <stddef.h>

enum lx_err {
	LX_OK = 0,
	LX_EINVAL = -1,         /* API misuse: bad argument from our own code */
	LX_ENOMEM = -2,         /* allocation failed */
	LX_EOVERFLOW = -3,      /* arithmetic overflow or value too large for its type */
	LX_EDIVZERO = -4,       /* division by zero */
	LX_EPARSE = -5,         /* text that does not parse (number, hex, JSON, address) */
	LX_EIO = -6,            /* file system error (errno kept in detail) */
	LX_ETRANSPORT = -7,     /* HTTP/connection failure talking to a node */
	LX_ERPC = -8,           /* node answered with a JSON-RPC error object */
	LX_ESTORE = -9,         /* LMDB error (MDB code kept in detail) */
	LX_ENOTFOUND = -10,     /* key, file, command or item not found */
	LX_ESCHEMA = -11,       /* store schema version mismatch */
	LX_ECORRUPT = -12,      /* stored data that fails validation */
	LX_ESHORT = -13,        /* ABI: data shorter than the layout requires */
	LX_EOFFSET = -14,       /* ABI: dynamic offset out of bounds or misaligned */
	LX_ELENGTH = -15,       /* ABI: length field too large for the data */
	LX_EPADDING = -16,      /* ABI: non-canonical padding / non-zero high bits */
	LX_EUNKNOWN = -17,      /* log or item that matches no known definition */
	LX_ETIMEOUT = -18,      /* request timed out */
	LX_ERANGE = -19,        /* provider refused a block range or result count */
	LX_ERATELIMIT = -20,    /* HTTP 429 / provider rate limit */
	LX_EREORG = -21,        /* chain reorganised beyond what can be unwound */
	LX_ECHAIN = -22,        /* wrong chain id or missing contract: definitive */
	LX_EUSAGE = -23,        /* bad command-line usage */
	LX_EBADRESP = -24,      /* malformed or truncated answer from a node */
	LX_ETOPICS = -25,       /* ABI: topic count does not match the event */
	LX_EHTTP = -26,         /* HTTP status other than 2xx/429 (status in detail) */
	LX_EMAPFULL = -27,      /* store map full and could not grow */
	LX_ERLP = -28,          /* RLP bytes that are not canonical or do not parse */
	LX_EVERIFY = -29,       /* node data that fails verification (hash, root, signer) */
	LX_EREVERTED = -30,     /* a contract read the answer needs reverted: value unknown */
};

/* A human-readable name for an lx_err code ("short data", ...); never NULL. */
const char *lx_strerror(int code);

/*
 * The error record: code, a foreign detail code (errno, CURLcode, MDB_*, HTTP status, JSON-RPC
 * error code) and a message naming the input. Messages are lowercase, no full stop.
 */
struct lx_error {
	int code;          /* enum lx_err, 0 when clear */
	long detail;       /* foreign code, 0 if none */
	char msg[512];     /* NUL-terminated, possibly truncated */
};

/* Clears the record (code 0, empty message). err may be NULL. */
void lx_error_clear(struct lx_error *err);

/*
 * Sets code and a printf-style message; returns code so callers can `return lx_error_set(...)`.
 * err may be NULL (then only code is returned). A message that formats to nothing becomes the
 * code's name: a filled record is never empty.
 */
int lx_error_set(struct lx_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As lx_error_set, and records a foreign detail code. */
int lx_error_setd(struct lx_error *err, int code, long detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Prepends context to an existing message: "ctx: old message". Returns err->code (LX_EINVAL if
 * err is NULL). Used as errors travel up: abi → proto → sync. A record left empty by a callee
 * (a bug: every non-zero return fills the record) still ends with a non-empty message: "ctx: "
 * and the code's name, or, when clear, code LX_EINVAL and "ctx: unknown error (...)".
 */
int lx_error_prefix(struct lx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
