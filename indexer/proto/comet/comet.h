/*
 * comet.h: internals shared by the files of the Compound V3 (Comet) handler (proto/comet/).
 *
 * Comet is not fully event-sourced: interest accrual emits nothing and some accruals leave no
 * log at all, and a base transfer between two borrowers moves both principals with no log. So
 * the handler splits its numbers by where they can be known exactly:
 *   from events   collateral balances (SupplyCollateral / TransferCollateral /
 *                 WithdrawCollateral / AbsorbCollateral), and the set of accounts the market
 *                 ever named (every account-bearing Comet event);
 *   from reads    base principals (`userBasic(account)` for every named account) and the
 *                 market's indexes and totals (`totalsBasic()`), eth_call pinned to the synced
 *                 block; prices (`getPrice(feed)` on the Comet itself) at the same block; the
 *                 configuration (`getAssetInfo(i)`, base token and feed, decimals, rate
 *                 parameters) at the block of each proxy `Upgraded` log — a Comet's parameters
 *                 are immutables of its implementation, so they change only with an upgrade —
 *                 and at the first block of a store's first run.
 * A view accrues the read indexes to its timestamp exactly as Comet's accruedInterestIndices
 * does (balanceOf / borrowBalanceOf); health is Comet's isLiquidatable, which uses the stored
 * (not accrued) indexes. Both asset-list variants (classic Comet, up to 12 assets, and
 * CometWithExtendedAssetList, up to 24) answer the same getters through the proxy.
 *
 * Files, by concern:
 *   handler.c   ops table, create/destroy, log filters
 *   events.c    event signatures and the strict log reader
 *   apply.c     one log -> store records (collateral balances, named accounts)
 *   reads.c     the contract reads (configuration, totals, prices, principals) and answers
 *   records.c   byte layouts and typed get/put of the records
 *   view.c      store records -> struct lx_market_view
 *   health.c    Comet's math: accrual, present values, isLiquidatable, absorb
 */
#ifndef LENDEX_PROTO_COMET_COMET_H
#define LENDEX_PROTO_COMET_COMET_H

#include <stdbool.h>
#include <stdint.h>

#include "lendex/model.h"
#include "lendex/proto.h"

struct lx_store_txn;

#define CT_CONFIG "comet.config"  /* market -> configuration record */
#define CT_STATE "comet.state"    /* market -> totals, indexes, prices at the synced block */
#define CT_ACCT "comet.acct"      /* market | account -> principal read at a block */
#define CT_COLL "comet.coll"      /* market | account | asset -> collateral balance */
#define CT_SYMBOL "comet.symbol"  /* market | token -> ERC20 symbol() (display only) */
#define CT_FLOW "comet.flow"      /* market | account | block | log | sub -> one leverage flow */

#define COMET_MARKET_KEY 28       /* chain id (8, BE) | comet proxy (20) */
#define COMET_MAX_ASSETS 24       /* CometWithExtendedAssetList; the classic Comet has 12 */

/* ---- events ---- */

enum comet_event {
	CE_SUPPLY = 0,
	CE_TRANSFER,
	CE_WITHDRAW,
	CE_SUPPLY_COLLATERAL,
	CE_TRANSFER_COLLATERAL,
	CE_WITHDRAW_COLLATERAL,
	CE_ABSORB_DEBT,
	CE_ABSORB_COLLATERAL,
	CE_BUY_COLLATERAL,
	CE_WITHDRAW_RESERVES,
	CE_UPGRADED,
	CE_COUNT
};

#define COMET_MAX_ARGS 5

/* One event: its signature and which arguments are topics. Static types only (address,
 * uint256), so a log is exactly (1 + n_indexed) topics and 32 * (n - n_indexed) data bytes. */
struct comet_event_def {
	const char *name;
	const char *signature;
	uint8_t n;
	const char *names[COMET_MAX_ARGS];
	bool addr[COMET_MAX_ARGS];     /* address (else uint256) */
	bool indexed[COMET_MAX_ARGS];
	uint8_t topic0[32];            /* filled by comet_events_init */
};

extern struct comet_event_def comet_events[CE_COUNT];

/* Fills the topic0s (idempotent). */
void comet_events_init(void);

/* A decoded log: arguments in signature order. */
struct comet_args {
	int ev;                        /* enum comet_event */
	struct lx_addr a[COMET_MAX_ARGS];
	struct lx_u256 u[COMET_MAX_ARGS];
};

/*
 * Which event a log is (by topic0), -1 if none. Decodes it strictly: topic count, data length
 * and address padding. Errors (LX_ETOPICS, LX_ESHORT, LX_EPADDING) name the event, the block and
 * the log.
 */
int comet_event_find(const uint8_t topic0[32]);
int comet_event_decode(struct comet_args *out, int ev, const uint8_t (*topics)[32],
		       size_t n_topics, const uint8_t *data, size_t data_len, uint64_t block,
		       uint32_t log_index, struct lx_error *err);

/* ---- records ---- */

/* One collateral asset as getAssetInfo(i) reports it (factors 1e18-scaled, 4 decimals kept). */
struct comet_asset {
	struct lx_addr asset, feed;
	uint8_t decimals;
	uint64_t borrow_cf, liquidate_cf, liquidation_factor;
	struct lx_u256 supply_cap;
};

/* The market's configuration: immutables of the implementation live since `block`. */
struct comet_config {
	uint64_t block;                /* read at this block */
	struct lx_addr base_token, base_feed;
	uint8_t base_decimals;
	uint64_t supply_kink, supply_low, supply_high, supply_base; /* per second, 1e18 */
	uint64_t borrow_kink, borrow_low, borrow_high, borrow_base;
	uint64_t store_front_price_factor;
	uint8_t n_assets;
	struct comet_asset assets[COMET_MAX_ASSETS];
};

/* The market's state read at the synced block (totalsBasic and prices). */
struct comet_state {
	uint64_t block;                /* read at this block; 0 = never */
	uint64_t supply_index, borrow_index; /* baseSupplyIndex, baseBorrowIndex (1e15) */
	struct lx_u256 total_supply_base, total_borrow_base; /* principals */
	uint64_t last_accrual;         /* lastAccrualTime */
	struct lx_u256 base_price;     /* getPrice(baseTokenPriceFeed), 8 decimals */
	uint64_t base_price_block;     /* 0 = never read (or the feed reverted every time) */
	struct lx_u256 price[COMET_MAX_ASSETS];
	uint64_t price_block[COMET_MAX_ASSETS];
};

/* An account's principal (int104) as userBasic returned it. */
struct comet_acct {
	bool negative;                 /* borrow */
	struct lx_u256 principal;      /* magnitude */
	uint64_t block;                /* read at this block; 0 = named by a log, not read yet */
};

/*
 * The handler object. first_from / config_at_create are producer-side only (log_reads):
 * whether the run's first range must read the configuration at its first block.
 */
struct comet {
	struct lx_proto base;
	uint8_t market[COMET_MARKET_KEY];
	struct lx_addr comet;          /* the proxy: every event and every read */
	uint64_t start_block;
	bool config_at_create;         /* the store had a configuration when created */
	bool seen_from;                /* log_reads saw a range of this run */
	uint64_t first_from;           /* the lowest range start seen */
};

static inline struct comet *comet_of(struct lx_proto *p)
{
	return (struct comet *)p;
}

int comet_corrupt(struct lx_error *err, const char *table);
void comet_be64(uint8_t *p, uint64_t v);
uint64_t comet_rd64(const uint8_t *p);

int comet_get_config(struct comet *c, struct lx_store_txn *t, struct comet_config *out,
		     struct lx_error *err);
int comet_put_config(struct comet *c, struct lx_store_txn *t, const struct comet_config *cfg,
		     struct lx_error *err);
int comet_get_state(struct comet *c, struct lx_store_txn *t, struct comet_state *out,
		    struct lx_error *err);
int comet_put_state(struct comet *c, struct lx_store_txn *t, const struct comet_state *s,
		    struct lx_error *err);
int comet_get_acct(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   struct comet_acct *out, struct lx_error *err);
int comet_put_acct(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   const struct comet_acct *v, struct lx_error *err);
int comet_acct_decode(struct comet_acct *out, const uint8_t *v, size_t vl);
int comet_get_coll(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   const struct lx_addr *asset, struct lx_u256 *out, struct lx_error *err);
/* The token's symbol as read at a synced block ("" if never read). */
void comet_get_symbol(struct comet *c, struct lx_store_txn *t, const struct lx_addr *token,
		      char out[16]);
int comet_put_symbol(struct comet *c, struct lx_store_txn *t, const struct lx_addr *token,
		     const char *sym, struct lx_error *err);
int comet_put_coll(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   const struct lx_addr *asset, const struct lx_u256 *v, struct lx_error *err);

/*
 * One leverage-relevant movement of an account (lx_flow's kinds). asset zero = the base token
 * (the view resolves it; apply does not need the configuration). Keyed by the log that made
 * it; sub 1 is the second flow of one log (a base Supply that repaid and supplied).
 */
struct comet_flow {
	uint8_t kind;                  /* enum lx_flow_kind */
	uint8_t absorb;                /* 1: made by absorb (AbsorbDebt's repay), not the account */
	struct lx_addr asset;          /* zero = base */
	struct lx_u256 amount;         /* token units */
	uint8_t tx[32];
};

int comet_put_flow(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   uint64_t block, uint32_t log_index, uint8_t sub, const struct comet_flow *f,
		   struct lx_error *err);
/* LX_ENOTFOUND if there is none. */
int comet_get_flow(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   uint64_t block, uint32_t log_index, uint8_t sub, struct comet_flow *out,
		   struct lx_error *err);
#define COMET_FLOW_KEY (COMET_MARKET_KEY + 20 + 8 + 4 + 1)
#define COMET_FLOW_LEN (1 + 1 + 20 + 32 + 32)
int comet_flow_decode(struct comet_flow *out, const uint8_t *v, size_t vl);

/* ---- ops ---- */

int comet_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
		struct lx_error *err);
int comet_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
		struct lx_error *err);
int comet_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		      const struct lx_call *calls, size_t n, struct lx_error *err);
int comet_log_reads(struct lx_proto *p, uint64_t from, const struct lx_log *logs, size_t n_logs,
		    struct lx_calls *reads, struct lx_error *err);
int comet_apply_log_reads(struct lx_proto *p, struct lx_store_txn *txn,
			  const struct lx_call *reads, size_t n, struct lx_error *err);
int comet_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
	       const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
	       struct lx_market_view *mv, struct lx_error *err);

/* ---- Comet's math (health.c) ---- */

#define COMET_BASE_INDEX_SCALE 1000000000000000ULL /* 1e15 */
#define COMET_FACTOR_SCALE 1000000000000000000ULL  /* 1e18 */

/*
 * accruedInterestIndices: the indexes accrued from st's stored ones over dt seconds, with the
 * utilization of the stored totals and cfg's kink model. LX_EOVERFLOW where Comet's safe64
 * reverts.
 */
int comet_accrue(uint64_t *supply_index, uint64_t *borrow_index, const struct comet_config *cfg,
		 const struct comet_state *st, uint64_t dt);

/* presentValueSupply / presentValueBorrow: principal * index / 1e15 (floor). */
int comet_present(struct lx_u256 *out, const struct lx_u256 *principal, uint64_t index);

/* The market's operations (health.c): health = isLiquidatable, liquidate = absorb. */
extern const struct lx_market_ops lx_compound_v3_market_ops;

/* isLiquidatable as the market's health operation (layout of the view: health.c). */
int comet_health(struct lx_health *out, const struct lx_market_view *mv,
		 const struct lx_account_view *acct, const struct lx_u256 *prices);

#endif
