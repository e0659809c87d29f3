/*
 * records.h: the Aave V3 handler's records in the store and their byte layouts.
 *
 * Every key starts with the market prefix: chain id (8 bytes big-endian) and the Pool address
 * (20 bytes), so several Aave deployments (and later V2/Spark, which reuse these records) share
 * one store. Values are fixed layouts written field by field (integers big-endian, u256 as 32
 * big-endian bytes) behind a one-byte record version; a value that does not parse is reported
 * as corrupt, never trusted. Layouts are documented in docs/store.md.
 *
 *   aave3.reserve  market|asset(20)            -> struct aave_reserve
 *   aave3.token    market|token(20)            -> asset(20) kind(1)
 *   aave3.emode    market|category(1)          -> struct aave_emode
 *   aave3.user     market|user(20)             -> emode(1)
 *   aave3.pos      market|user(20)|asset(20)   -> struct aave_pos
 *   aave3.state    market                      -> struct aave_state
 *   lx.flow        market|user(20)|block(8)|log(4) -> kind(1) asset(20) amount(32) tx(32)
 */
#ifndef LENDEX_PROTO_AAVE_REC_H
#define LENDEX_PROTO_AAVE_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/u256.h"

#define AAVE_MARKET_KEY 28 /* chain(8) | pool(20) */

enum aave_token_kind { AAVE_ATOKEN = 1, AAVE_VTOKEN = 2, AAVE_STOKEN = 3 };

/* Reserve flags (bit positions are stored: never reuse) */
#define AAVE_R_ACTIVE 0x1
#define AAVE_R_FROZEN 0x2
#define AAVE_R_PAUSED 0x4
#define AAVE_R_BORROWING 0x8
#define AAVE_R_STABLE 0x10
#define AAVE_R_FLASHLOAN 0x20
#define AAVE_R_ISO_BORROWABLE 0x40
#define AAVE_R_SILOED 0x80
#define AAVE_R_DROPPED 0x100
#define AAVE_R_META 0x200 /* V2: decimals and symbol read from the aToken (not logged) */

struct aave_reserve {
	uint16_t id;                 /* order of initialisation (the Pool's reserve id) */
	struct lx_addr asset, atoken, vtoken, stoken;
	uint8_t decimals;
	uint16_t ltv, lt, bonus;     /* bps; bonus in Aave's 10500 = 5% form */
	uint16_t reserve_factor, protocol_fee;
	uint8_t emode;               /* e-mode category, 0 = none */
	uint32_t flags;              /* AAVE_R_* */
	uint64_t supply_cap, borrow_cap, debt_ceiling;
	struct lx_u256 liq_index, var_index;          /* ray */
	struct lx_u256 liq_rate, var_rate, stable_rate; /* ray per year */
	uint64_t last_update;        /* timestamp of the last ReserveDataUpdated */
	struct lx_u256 price;        /* oracle price in base units, as of price_block */
	uint64_t price_block;
	char symbol[16];
	/* record version 2 (3.2+ liquid e-mode, 3.3+ deficit); zero when read from version 1 */
	struct lx_u256 emode_collateral; /* bit c set: collateral in e-mode category c */
	struct lx_u256 emode_borrowable; /* bit c set: borrowable in category c */
	struct lx_u256 emode_ltvzero;    /* bit c set: LTV 0 in category c (3.6+) */
	struct lx_u256 deficit;          /* bad debt not yet covered, token units (3.3+) */
	/* record version 3; zero when read from an older one */
	uint64_t price_reverted;         /* the last price read reverted at this block (price
					  * stays the answer of price_block); 0 = it answered */
};

struct aave_emode {
	uint16_t ltv, lt, bonus;
	struct lx_addr price_source; /* zero = none */
	struct lx_u256 price;        /* price of price_source as of the last batch */
	char label[32];
	bool isolated;               /* 3.7+: assets outside the collateral bitmap have LTV 0 */
};

/*
 * The market's upgrade state: the Pool revision live now and the addresses the provider
 * points to. One record per market, moved by the upgrade and address events in the same write
 * txn as the rest, so restarts and reorgs see the revision and oracle of their block.
 */
struct aave_state {
	uint32_t revision;           /* POOL_REVISION (slot 0 of the pool proxy); 0 = unknown */
	uint64_t revision_block;     /* block it was read at */
	struct lx_addr oracle;       /* current price oracle; zero = the one in chains/ */
	struct lx_addr pool_impl;    /* current implementation (zero = unknown) */
};

struct aave_pos {
	struct lx_u256 scaled_a;     /* aToken scaled balance */
	struct lx_u256 scaled_v;     /* variable debt token scaled balance */
	struct lx_u256 stable;       /* stable debt principal */
	struct lx_u256 stable_rate;  /* the user's stable rate (ray) */
	uint64_t stable_ts;          /* last stable update timestamp */
	bool collateral;             /* isUsingAsCollateral bit */
};

/* Encoders write into buf (cap checked by the caller's fixed sizes) and return the length. */
#define AAVE_RESERVE_LEN 512
#define AAVE_EMODE_LEN 128
#define AAVE_POS_LEN 160
size_t aave_reserve_encode(uint8_t *buf, const struct aave_reserve *r);
int aave_reserve_decode(struct aave_reserve *r, const uint8_t *buf, size_t len);
size_t aave_emode_encode(uint8_t *buf, const struct aave_emode *e);
int aave_emode_decode(struct aave_emode *e, const uint8_t *buf, size_t len);
#define AAVE_STATE_LEN 64
size_t aave_state_encode(uint8_t *buf, const struct aave_state *s);
int aave_state_decode(struct aave_state *s, const uint8_t *buf, size_t len);
size_t aave_pos_encode(uint8_t *buf, const struct aave_pos *p);
int aave_pos_decode(struct aave_pos *p, const uint8_t *buf, size_t len);
bool aave_pos_empty(const struct aave_pos *p);

/*
 * Typed access under a market prefix in a named table (store_rec.c), shared by the Aave V3 and
 * V2 handlers. Keys: market(28) | x(20) [| y(20)]. get_reserve: LX_ENOTFOUND when absent;
 * get_pos: an absent position reads as empty; put_pos of an empty position deletes it and a
 * non-empty one records the user in user_table (value: 1, e-mode); touch_user with emode -1
 * keeps a recorded e-mode. Undecodable values are LX_ECORRUPT naming the table.
 */
#define AAVE_T_FLOW "lx.flow"
#define AAVE_REC_KEY_MAX (AAVE_MARKET_KEY + 40)
struct lx_store_txn;
size_t aave_rec_key(uint8_t *k, const uint8_t *market, const struct lx_addr *x,
		    const struct lx_addr *y);
int aave_rec_corrupt(struct lx_error *err, const char *table);
int aave_rec_get_reserve(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			 const struct lx_addr *asset, struct aave_reserve *r, struct lx_error *err);
int aave_rec_put_reserve(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			 const struct aave_reserve *r, struct lx_error *err);
int aave_rec_get_pos(struct lx_store_txn *txn, const char *table, const uint8_t *market,
		     const struct lx_addr *user, const struct lx_addr *asset, struct aave_pos *p,
		     struct lx_error *err);
int aave_rec_touch_user(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			const struct lx_addr *user, int emode, struct lx_error *err);
int aave_rec_put_pos(struct lx_store_txn *txn, const char *table, const char *user_table,
		     const uint8_t *market, const struct lx_addr *user, const struct lx_addr *asset,
		     const struct aave_pos *p, struct lx_error *err);
/* A flow row (lx.flow): market|user|block|log|sub -> kind asset amount tx (see records.h top). */
int aave_rec_put_flow(struct lx_store_txn *txn, const uint8_t *market, uint64_t block,
		      uint32_t log_index, const uint8_t tx[32], const struct lx_addr *user,
		      uint8_t kind, const struct lx_addr *asset, const struct lx_u256 *amount,
		      uint8_t sub, struct lx_error *err);
/* Number of rows of table under market. */
int aave_rec_count(struct lx_store_txn *txn, const char *table, const uint8_t *market,
		   uint16_t *out, struct lx_error *err);

/*
 * Shared pieces of the handlers' views and start-up (view_rec.c). asset_info fills a view's
 * asset from a reserve record and its indexes at the view's time. flow_decode reads one
 * lx.flow row whose key has a prefix-byte market|user prefix (LX_ECORRUPT when its sizes are
 * not a flow row's). load_tokens calls add for every row of a token table under market.
 */
struct lx_asset_info;
struct lx_asset_pos;
struct lx_flow;
struct lx_deployment;
void aave_rec_asset_info(struct lx_asset_info *inf, const struct aave_reserve *r,
			 const struct lx_deployment *dep, const struct lx_u256 *income,
			 const struct lx_u256 *debt);
int aave_rec_flow_decode(struct lx_flow *f, struct lx_addr *asset, const uint8_t *k, size_t kl,
			 size_t prefix, const uint8_t *v, size_t vl);
/* A reserve with its normalized income and debt at a view's time. load_reserves: every reserve
 * of table under market, in the pool's reserve order, indexes projected to ts with compound
 * (math.h); *out malloc'd, freed by the caller. */
struct aave_rsv {
	struct aave_reserve r;
	struct lx_u256 income, debt;
};
int aave_rec_load_reserves(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			   uint64_t ts,
			   int (*compound)(struct lx_u256 *, const struct lx_u256 *, uint64_t, uint64_t),
			   struct aave_rsv **out, size_t *n_out, struct lx_error *err);
/* Grows *p (elements of elem bytes, capacity *cap) to hold need; LX_ENOMEM. */
int aave_rec_grow(void **p, size_t *cap, size_t need, size_t elem, struct lx_error *err);
typedef int (*aave_rec_token_fn)(void *ctx, const struct lx_addr *token,
				 const struct lx_addr *asset, uint8_t kind, struct lx_error *err);
int aave_rec_load_tokens(struct lx_store_txn *txn, const char *table, const uint8_t *market,
			 aave_rec_token_fn add, void *ctx, struct lx_error *err);
/* An account's positions in the pool's reserve order (asset index), as getUserAccountData /
 * GenericLogic walk them. */
void aave_rec_reserve_order(struct lx_asset_pos *ps, size_t n);

/*
 * The contracts of an Aave-family deployment the V3 and V2 handlers both start from: pool,
 * configurator and oracle (required), the addresses provider (when chains/ names it: *provider
 * set, *have_provider true), and the market's key prefix (chain id | pool). Errors: those of
 * lx_deployment_contract, naming the missing role.
 */
struct aave_core {
	struct lx_addr pool, configurator, oracle, provider;
	bool have_provider;
	uint8_t market[AAVE_MARKET_KEY];
};
struct lx_chain;
int aave_rec_core(struct aave_core *out, const struct lx_chain *chain,
		  const struct lx_deployment *dep, struct lx_error *err);

/* Big-endian helpers */
void aave_be64(uint8_t *out, uint64_t v);
uint64_t aave_rd64(const uint8_t *in);

#endif
