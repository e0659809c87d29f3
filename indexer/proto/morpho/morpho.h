/*
 * morpho.h: internals shared by the files of the Morpho Blue handler (indexer/proto/morpho/).
 *
 * Morpho Blue is one singleton contract holding any number of isolated markets, each keyed by
 * its id = keccak256(abi.encode(MarketParams)) and created permissionlessly by CreateMarket.
 * Its accounting is share-based and fully event-sourced: Supply / Withdraw / Borrow / Repay
 * carry both assets and shares, AccrueInterest carries the interest and the fee shares minted
 * to the fee recipient, Liquidate carries the repaid shares, the seized collateral and the
 * bad debt written off. So market totals and positions are rebuilt from logs alone, exactly.
 * Two numbers are contract reads, pinned to the synced block (sync's `calls`): the oracle's
 * price() and the IRM's borrowRateView(marketParams, market) with the market as stored there,
 * so a view projects interest to the block's timestamp as Morpho's _accrueInterest would
 * (plus each token's decimals(), read once, for display prices only).
 *
 * Files, by concern:
 *   handler.c  ops table, create/destroy, log filter
 *   events.c   event signatures and the strict log reader
 *   records.c  keys and byte layouts of the records, typed get/put
 *   apply.c    one log -> store records
 *   calls.c    contract reads (price, borrow rate, decimals) and their answers
 *   math.c     Morpho's MathLib / SharesMathLib and _accrueInterest
 *   view.c     store records -> struct lx_market_view (one account view per (account, market))
 *   health.c   _isHealthy and liquidate as market operations
 *
 * Records (keys start with M = chain id(8) | singleton(20); integers big-endian):
 *   morpho.market  M|id(32)                  -> struct morpho_market
 *   morpho.pos     M|account(20)|id(32)      -> supply shares, borrow shares, collateral
 *   morpho.state   M                         -> fee recipient, owner, ignored-event counters
 *   morpho.flow    M|account(20)|block(8)|log(4)|sub(1) -> kind, id, side, amount, tx
 */
#ifndef LENDEX_PROTO_MORPHO_MORPHO_H
#define LENDEX_PROTO_MORPHO_MORPHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/model.h"
#include "lendex/proto.h"
#include "lendex/u256.h"

struct lx_store_txn;

#define T_MARKET "morpho.market"
#define T_POS "morpho.pos"
#define T_STATE "morpho.state"
#define T_FLOW "morpho.flow"

#define MORPHO_KEY 28            /* chain(8) | singleton(20) */
#define MORPHO_DEC_UNKNOWN 0xff  /* decimals() not read yet (or reverted) */

/* ---- events ---- */

enum morpho_ev {
	MEV_CREATE_MARKET,
	MEV_SUPPLY,
	MEV_WITHDRAW,
	MEV_BORROW,
	MEV_REPAY,
	MEV_SUPPLY_COLLATERAL,
	MEV_WITHDRAW_COLLATERAL,
	MEV_LIQUIDATE,
	MEV_ACCRUE_INTEREST,
	MEV_SET_FEE,
	MEV_SET_FEE_RECIPIENT,
	MEV_FLASH_LOAN,
	MEV_SET_AUTHORIZATION,
	MEV_INCREMENT_NONCE,
	MEV_SET_OWNER,
	MEV_ENABLE_IRM,
	MEV_ENABLE_LLTV,
	MEV_COUNT
};

#define MORPHO_MAX_ARGS 10

enum morpho_arg { MA_ADDR = 1, MA_U256, MA_B32, MA_BOOL, MA_U128 };

struct morpho_event_def {
	enum morpho_ev id;
	const char *name;
	const char *signature;              /* canonical: tuples expanded, as keccak'd */
	uint8_t n_args;
	uint8_t arg[MORPHO_MAX_ARGS];       /* enum morpho_arg, in ABI order (tuple flattened) */
	uint8_t indexed[MORPHO_MAX_ARGS];
	const char *names[MORPHO_MAX_ARGS]; /* argument names as in EventsLib / the ABI */
	uint8_t topic0[32];
};

extern struct morpho_event_def morpho_events[MEV_COUNT];

/* Computes every topic0 (idempotent). */
void morpho_events_init(void);
/* The event whose topic0 is the log's, or NULL. */
const struct morpho_event_def *morpho_event_of(const struct lx_log *log);

struct morpho_args {
	struct lx_u256 v[MORPHO_MAX_ARGS];   /* every argument as a word */
	struct lx_addr a[MORPHO_MAX_ARGS];   /* valid where the argument is an address */
	uint8_t b[MORPHO_MAX_ARGS][32];      /* the raw word (ids) */
};

/* Strict: topic count, data length (exact), canonical padding. LX_ETOPICS, LX_ESHORT,
 * LX_EPADDING naming the event, block and log index. */
int morpho_event_decode(struct morpho_args *out, const struct morpho_event_def *def,
			const struct lx_log *log, struct lx_error *err);

/* ---- records ---- */

struct morpho_params {
	struct lx_addr loan, collateral, oracle, irm;
	struct lx_u256 lltv;                 /* wad */
};

/* One market. Invariant: totals are the contract's Market struct after the last applied log. */
struct morpho_market {
	uint8_t id[32];
	struct morpho_params p;
	struct lx_u256 supply_assets, supply_shares, borrow_assets, borrow_shares; /* uint128s */
	uint64_t last_update;                /* timestamp of CreateMarket / last AccrueInterest */
	struct lx_u256 fee;                  /* wad */
	struct lx_u256 price;                /* oracle price() at price_block (scale 1e36) */
	uint64_t price_block;                /* 0 = never read (or reverted every time) */
	struct lx_u256 rate;                 /* IRM borrowRateView at rate_block, wad per second */
	uint64_t rate_block;                 /* 0 = never read */
	uint8_t loan_dec, coll_dec;          /* MORPHO_DEC_UNKNOWN until read */
	uint64_t created_block;
	uint64_t changed_block;              /* block of the last log that moved the totals */
	/* record version 2 (zero from version 1): the last read of the price or the rate
	 * reverted at this block, after the answers above; 0 = it answered */
	uint64_t price_reverted, rate_reverted;
};

struct morpho_pos {
	struct lx_u256 supply_shares, borrow_shares, collateral;
};

struct morpho_state {
	struct lx_addr fee_recipient, owner;
	uint64_t n_authorizations, n_nonces; /* SetAuthorization / IncrementNonce seen (ignored) */
};

void morpho_be64(uint8_t *out, uint64_t v);
uint64_t morpho_rd64(const uint8_t *in);
/* keccak256(abi.encode(params)): the market id */
void morpho_market_id(uint8_t id[32], const struct morpho_params *p);
void morpho_params_encode(uint8_t out[160], const struct morpho_params *p);

int morpho_corrupt(struct lx_error *err, const char *table);
/* LX_ENOTFOUND (err filled) when the market is not known */
int morpho_get_market(const uint8_t *mkey, struct lx_store_txn *txn, const uint8_t id[32],
		      struct morpho_market *m, struct lx_error *err);
int morpho_put_market(const uint8_t *mkey, struct lx_store_txn *txn,
		      const struct morpho_market *m, struct lx_error *err);
int morpho_market_decode(struct morpho_market *m, const uint8_t *id, const uint8_t *v,
			 size_t vl);
/* absent = all zero; a position all zero is deleted */
int morpho_get_pos(const uint8_t *mkey, struct lx_store_txn *txn, const struct lx_addr *acct,
		   const uint8_t id[32], struct morpho_pos *p, struct lx_error *err);
int morpho_put_pos(const uint8_t *mkey, struct lx_store_txn *txn, const struct lx_addr *acct,
		   const uint8_t id[32], const struct morpho_pos *p, struct lx_error *err);
int morpho_pos_decode(struct morpho_pos *p, const uint8_t *v, size_t vl);
int morpho_get_state(const uint8_t *mkey, struct lx_store_txn *txn, struct morpho_state *s,
		     struct lx_error *err);
int morpho_put_state(const uint8_t *mkey, struct lx_store_txn *txn,
		     const struct morpho_state *s, struct lx_error *err);
#define MORPHO_FLOW_LEN 98
int morpho_put_flow(const uint8_t *mkey, struct lx_store_txn *txn, const struct lx_log *log,
		    const struct lx_addr *acct, uint8_t kind, const uint8_t id[32], uint8_t side,
		    const struct lx_u256 *amount, uint8_t sub, struct lx_error *err);

/* ---- math (math.c): MathLib / SharesMathLib / _accrueInterest, reverting as they do ---- */

int morpho_mul_div_down(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y,
			const struct lx_u256 *d);
int morpho_mul_div_up(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y,
		      const struct lx_u256 *d);
int morpho_w_mul_down(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y);
int morpho_w_div_down(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y);
int morpho_w_div_up(struct lx_u256 *r, const struct lx_u256 *x, const struct lx_u256 *y);
int morpho_w_taylor(struct lx_u256 *r, const struct lx_u256 *x, uint64_t n);
int morpho_to_shares_down(struct lx_u256 *r, const struct lx_u256 *assets,
			  const struct lx_u256 *total_assets, const struct lx_u256 *total_shares);
int morpho_to_shares_up(struct lx_u256 *r, const struct lx_u256 *assets,
			const struct lx_u256 *total_assets, const struct lx_u256 *total_shares);
int morpho_to_assets_down(struct lx_u256 *r, const struct lx_u256 *shares,
			  const struct lx_u256 *total_assets, const struct lx_u256 *total_shares);
int morpho_to_assets_up(struct lx_u256 *r, const struct lx_u256 *shares,
			const struct lx_u256 *total_assets, const struct lx_u256 *total_shares);
/*
 * Morpho._accrueInterest on m's totals to timestamp ts with borrow rate `rate` (what the IRM
 * answers for m as stored): interest and fee shares added to the totals, *fee_shares set (to
 * credit the fee recipient). No-op when ts <= last_update or irm is zero. LX_EOVERFLOW where
 * the contract reverts (uint128 casts, overflows).
 */
int morpho_accrue(struct morpho_market *m, const struct lx_u256 *rate, uint64_t ts,
		  struct lx_u256 *fee_shares);
/* min(1.15e18, WAD.wDivDown(WAD - 0.3e18.wMulDown(WAD - lltv))) */
int morpho_incentive_factor(struct lx_u256 *r, const struct lx_u256 *lltv);

/* ---- the handler ---- */

struct morpho {
	struct lx_proto base;
	uint8_t key[MORPHO_KEY];             /* chain id | singleton */
	struct lx_addr singleton;
};

static inline struct morpho *morpho_of(struct lx_proto *p)
{
	return (struct morpho *)p;
}

int morpho_filter(struct lx_proto *p, struct lx_filter *f);
int morpho_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
		 struct lx_error *err);
int morpho_load_markets(struct morpho *mo, struct lx_store_txn *txn, struct morpho_market **out,
			size_t *n_out, struct lx_error *err);
int morpho_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
		 struct lx_error *err);
int morpho_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		       const struct lx_call *calls, size_t n, struct lx_error *err);
int morpho_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
		const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
		struct lx_market_view *out, struct lx_error *err);

/* health.c: the market operations (seam signatures of struct lx_market_ops) */
int lx_morpho_health(struct lx_health *out, const struct lx_market_view *mv,
		     const struct lx_account_view *acct, const struct lx_u256 *prices);
int lx_morpho_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			size_t di, const struct lx_u256 *debt_to_cover,
			const struct lx_u256 *available, bool apply);
extern const struct lx_market_ops lx_morpho_blue_market_ops;
/* Morpho.liquidate with its own input: exactly one of seized_in / shares_in (health.c) */
int morpho_liquidate_exact(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
			   const struct lx_market_view *mv, struct lx_account_view *a, size_t ci,
			   size_t di, const struct lx_u256 *seized_in,
			   const struct lx_u256 *shares_in, bool apply);

#endif
