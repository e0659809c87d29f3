/*
 * aave.h: internals shared by the files of the Aave V3 handler (indexer/proto/aave/).
 *
 * The handler rebuilds every position of an Aave V3 market from events alone: reserves and
 * their configuration from the PoolConfigurator, indexes and rates from the Pool's
 * ReserveDataUpdated, per-account scaled balances from the aToken / variable-debt / stable-debt
 * tokens' Mint, Burn and BalanceTransfer (token addresses are learned from ReserveInitialized;
 * aTokens and debt tokens share Mint/Burn signatures, so a token event is routed by its emitter,
 * never by topic alone), collateral flags and e-mode from the Pool. Oracle prices are contract
 * reads pinned to each batch's last block.
 *
 * Balances are kept scaled, as the tokens keep them, and turned into amounts only when a view
 * is built, with the contracts' own rounding (math.c), so a view at the synced block equals
 * what balanceOf and getUserAccountData return there.
 *
 * Files, by concern:
 *   handler.c     ops table, create/destroy, token routing, log filters
 *   apply.c       one log -> store records (Pool, configurator, tokens)
 *   prices.c      oracle reads and their answers
 *   view.c        store records -> struct lx_market_view
 *   liquidation.c each version's liquidation rules for the risk pass
 *   tables.c      keys and typed get/put of the records (records.c holds their byte layouts)
 *   versions.c    the one table of per-version rules (versions.h)
 *   events.c      event signatures and the strict log reader
 *   math.c        Aave's interest and ray math
 */
#ifndef LENDEX_PROTO_AAVE_AAVE_H
#define LENDEX_PROTO_AAVE_AAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "records.h"
#include "versions.h"
#include "lendex/aave.h"
#include "lendex/model.h"
#include "lendex/proto.h"

struct lx_store_txn;

#define T_RESERVE "aave3.reserve"
#define T_TOKEN "aave3.token"
#define T_EMODE "aave3.emode"
#define T_USER "aave3.user"
#define T_POS "aave3.pos"
#define T_FLOW "lx.flow"

#define AAVE_MAX_TOKENS (3 * 256)

/* A reserve token the handler follows; kind says how its Mint/Burn are read. */
struct aave_token {
	struct lx_addr token, asset;
	uint8_t kind;       /* enum aave_token_kind */
	uint64_t block;     /* block of its ReserveInitialized */
};

#define AAVE_MAX_PENDING 64

/*
 * The handler object. Invariants: tokens[0..n_tokens) are distinct addresses; rules, revision
 * and oracle mirror the market's state record (upgrades.c) as of the log being applied — they
 * are reloaded from the store at the start of every range and moved only by logs.
 */
struct aave {
	struct lx_proto base;
	uint8_t market[AAVE_MARKET_KEY];  /* key prefix: chain id | pool */
	struct lx_addr pool, configurator, provider;
	bool have_provider;               /* chains/ names the PoolAddressesProvider */
	struct lx_addr config_oracle;     /* the oracle chains/ names (until one is logged) */
	struct lx_addr oracle;            /* the oracle live now */
	uint64_t start_block;             /* the deployment's start_block */
	const struct aave_rules *hint;    /* rules of chains/ `version` */
	const struct aave_rules *rules;   /* rules of the version live at the log applied */
	uint32_t revision;                /* POOL_REVISION live now, 0 = not known from chain */
	size_t n_pending;                 /* revision reads of the range being applied */
	struct {
		uint64_t block;
		uint32_t revision;
	} pending[AAVE_MAX_PENDING];
	size_t n_tokens;
	struct aave_token tokens[AAVE_MAX_TOKENS];
};

static inline struct aave *aave_of(struct lx_proto *p)
{
	return (struct aave *)p;
}

/* handler.c */
const struct aave_token *aave_find_token(const struct aave *a, const struct lx_addr *t);
int aave_add_token(struct aave *a, const struct lx_addr *t, const struct lx_addr *asset,
		   uint8_t kind, uint64_t block, struct lx_error *err);
bool aave_addr_zero(const struct lx_addr *x);
int aave_discovery_filter(struct lx_proto *p, struct lx_filter *f);
int aave_discover(struct lx_proto *p, const struct lx_log *log, struct lx_error *err);
int aave_filter(struct lx_proto *p, struct lx_filter *f);

/* tables.c: keys, typed records, scaled arithmetic shared by apply and view */
size_t aave_key_asset(uint8_t *k, const struct aave *a, const struct lx_addr *x);
size_t aave_key_pos(uint8_t *k, const struct aave *a, const struct lx_addr *user,
		    const struct lx_addr *asset);
int aave_corrupt(struct lx_error *err, const char *table);
int aave_get_reserve(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *asset,
		     struct aave_reserve *r, struct lx_error *err);
int aave_put_reserve(struct aave *a, struct lx_store_txn *txn, const struct aave_reserve *r,
		     struct lx_error *err);
int aave_get_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		 const struct lx_addr *asset, struct aave_pos *p, struct lx_error *err);
int aave_put_pos(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		 const struct lx_addr *asset, const struct aave_pos *p, struct lx_error *err);
int aave_touch_user(struct aave *a, struct lx_store_txn *txn, const struct lx_addr *user,
		    int emode /* -1 = keep */, struct lx_error *err);
/*
 * Market-wide flows (flash loans) are kept in the flow table under this pseudo-account (the
 * zero address, which never holds a position); aave_view_market_flows (flash.c) loads them
 * into lx_market_view.market_flows.
 */
extern const struct lx_addr aave_market_flow_user;
int aave_view_market_flows(struct aave *a, struct lx_store_txn *txn, struct lx_market_view *mv,
			   struct lx_error *err);
int aave_put_flow(struct aave *a, struct lx_store_txn *txn, const struct lx_log *log,
		  const struct lx_addr *user, uint8_t kind, const struct lx_addr *asset,
		  const struct lx_u256 *amount, uint8_t sub, struct lx_error *err);
int aave_count_reserves(struct aave *a, struct lx_store_txn *txn, uint16_t *out,
			struct lx_error *err);
int aave_math_err(struct lx_error *err, int rc, const char *what, const struct lx_log *log);
int aave_scaled_add(struct lx_u256 *scaled, const struct lx_u256 *amount,
		    const struct lx_u256 *index, bool sub, const struct lx_log *log,
		    struct lx_error *err);

/* apply.c */
int aave_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
	       struct lx_error *err);

/* classify.c: applied, ignored (with the reason) or unknown, for the sync summary */
void aave_classify(const struct lx_proto *p, const struct lx_log *log, struct lx_log_class *out);
/* The same for an emitter of a known role (token_kind: enum aave_token_kind for ROLE_TOKEN). */
void aave_classify_role(enum aave_role role, int token_kind, const struct lx_log *log,
			struct lx_log_class *out);

/* Topic0s of ignored events the filter asks for anyway, so that sync counts and warns about
 * them (an effect lendex does not reproduce). Returns how many were written (at most cap). */
size_t aave_surfaced_topics(uint8_t (*out)[32], size_t cap);

/* prices.c */
int aave_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
	       struct lx_error *err);
int aave_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		     const struct lx_call *calls, size_t n, struct lx_error *err);

/* view.c */
int aave_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
	      const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
	      struct lx_market_view *out, struct lx_error *err);

/* upgrades.c: the version live at a block and the current oracle */
int aave_log_reads(struct lx_proto *p, uint64_t from, const struct lx_log *logs, size_t n_logs,
		   struct lx_calls *reads, struct lx_error *err);
int aave_apply_log_reads(struct lx_proto *p, struct lx_store_txn *txn,
			 const struct lx_call *reads, size_t n, struct lx_error *err);
/* Reloads rules, revision and oracle from the state record (view and calls use it too). */
int aave_load_state(struct aave *a, struct lx_store_txn *txn, struct lx_error *err);
/* The rules of revision (0 = the chains/ hint); LX_EUNKNOWN naming revision and block. */
int aave_rules_at(struct aave *a, uint32_t revision, uint64_t block,
		  const struct aave_rules **out, struct lx_error *err);
/* The oracle live in txn's state (does not touch the handler: safe on the fetch side). */
int aave_oracle_now(struct aave *a, struct lx_store_txn *txn, struct lx_addr *out,
		    struct lx_error *err);
int aave_on_upgrade(struct aave *a, struct lx_store_txn *txn, const struct lx_log *log,
		    struct lx_error *err);
int aave_on_provider(struct aave *a, struct lx_store_txn *txn, const struct aave_event_def *ev,
		     const struct lx_log *log, struct lx_error *err);

/* liquidation.c: the liquidation rules of a version, in the market view's neutral form */
void aave_liq_rules(struct lx_liq_rules *out, const struct aave_rules *rules);

#endif
