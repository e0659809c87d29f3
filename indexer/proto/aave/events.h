/*
 * events.h: the Aave V3 events the handler interprets, and a strict reader for them.
 *
 * Each event is named by its canonical signature; topic0 is its keccak. The layout says which
 * arguments are indexed (in topics) and which are in data, in ABI order, so one table drives
 * both the eth_getLogs filter and decoding. Decoding is strict, like the ABI codec: the topic
 * count must match, data must hold every word, addresses and small integers must be canonically
 * padded. Event definitions also live in abi/json/aave_v3/ (the published ABIs); a unit test
 * checks that every signature here is in those files.
 */
#ifndef LENDEX_PROTO_AAVE_EVENTS_H
#define LENDEX_PROTO_AAVE_EVENTS_H

#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/proto.h"
#include "lendex/u256.h"

enum aave_role { ROLE_POOL = 1, ROLE_CONFIGURATOR = 2, ROLE_TOKEN = 3, ROLE_PROVIDER = 4 };

enum aave_ev {
	EV_RESERVE_DATA_UPDATED,
	EV_SUPPLY,
	EV_WITHDRAW,
	EV_BORROW,
	EV_REPAY,
	EV_COLL_ENABLED,
	EV_COLL_DISABLED,
	EV_USER_EMODE_SET,
	EV_LIQUIDATION_CALL,
	/* tokens */
	EV_SCALED_MINT,   /* aToken / variable debt token Mint */
	EV_SCALED_BURN,
	EV_BALANCE_TRANSFER,
	EV_STABLE_MINT,
	EV_STABLE_BURN,
	EV_ATOKEN_INITIALIZED,
	/* configurator */
	EV_RESERVE_INITIALIZED,
	EV_COLLATERAL_CONFIG,
	EV_RESERVE_BORROWING,
	EV_RESERVE_STABLE,
	EV_RESERVE_ACTIVE,
	EV_RESERVE_FROZEN,
	EV_RESERVE_PAUSED,
	EV_RESERVE_DROPPED,
	EV_RESERVE_FACTOR,
	EV_BORROW_CAP,
	EV_SUPPLY_CAP,
	EV_PROTOCOL_FEE,
	EV_EMODE_ASSET,
	EV_EMODE_ADDED,
	EV_DEBT_CEILING,
	EV_SILOED,
	EV_ISO_BORROWABLE,
	EV_FLASHLOANING,
	EV_FLASH_LOAN, /* pool: kept as a market-wide flow (loop detection) */
	/* 3.2+: liquid e-mode bitmaps; 3.6 LTV-zero; 3.7 isolated categories */
	EV_EMODE_COLLATERAL,
	EV_EMODE_BORROWABLE,
	EV_EMODE_LTVZERO,
	EV_EMODE_ISOLATION,
	/* 3.3+: bad debt */
	EV_DEFICIT_CREATED,
	EV_DEFICIT_COVERED,
	/* upgrades and addresses: the pool proxy and the PoolAddressesProvider */
	EV_UPGRADED,
	EV_POOL_UPDATED,
	EV_ORACLE_UPDATED,
	EV_COUNT
};

#define AAVE_MAX_ARGS 8

/* Argument kinds for strict checks */
enum aave_arg { A_ADDR = 1, A_U256, A_U8, A_U16, A_BOOL, A_DYN /* string/bytes: offset only */ };

struct aave_event_def {
	enum aave_ev id;
	enum aave_role role;
	const char *name;
	const char *signature;          /* canonical, e.g. "Supply(address,address,...)" */
	uint8_t n_args;
	uint8_t arg[AAVE_MAX_ARGS];     /* enum aave_arg */
	uint8_t indexed[AAVE_MAX_ARGS]; /* 1 if in topics */
	uint8_t topic0[32];             /* filled by aave_events_init */
};

extern struct aave_event_def aave_events[EV_COUNT];

/* Adds the topic0s of evs[0..n) to f, each once (the filter's topic list is a set). */
void aave_filter_topics(struct lx_filter *f, const struct aave_event_def *evs, int n);

/* Computes every topic0 (idempotent, thread-compatible at start-up). */
void aave_events_init(void);

/*
 * The log dispatch the V3 and V2 handlers share: the role of the emitter among a market's core
 * contracts (provider NULL when the market has none); false when it is none of them (an
 * emitter the handler did not ask for).
 */
bool aave_role_of(enum aave_role *out, const struct lx_addr *emitter, const struct lx_addr *pool,
		  const struct lx_addr *configurator, const struct lx_addr *provider);
/* The index in evs[0..n) of the event of that role with the log's topic0, or -1. */
int aave_event_find(const struct aave_event_def *evs, int n, enum aave_role role,
		    const uint8_t topic0[32]);

/* Decoded static arguments in ABI order: each as u256 (addresses/ints/bools) */
struct aave_args {
	struct lx_u256 v[AAVE_MAX_ARGS];
	struct lx_addr a[AAVE_MAX_ARGS]; /* valid where the arg is an address */
};

/*
 * Checks log against def and fills out. Errors: LX_ETOPICS, LX_ESHORT, LX_EPADDING with a
 * message naming the event, block and log index.
 */
int aave_event_decode(struct aave_args *out, const struct aave_event_def *def,
		      const struct lx_log *log, struct lx_error *err);

/* Reads the dynamic string argument i (already offset-validated) into buf (NUL-terminated,
 * truncated to cap-1). Returns 0 or an ABI error. */
int aave_event_string(char *buf, size_t cap, const struct aave_event_def *def,
		      const struct lx_log *log, int i, struct lx_error *err);

#endif
