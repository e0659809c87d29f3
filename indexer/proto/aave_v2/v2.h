/*
 * v2.h: internals shared by the files of the Aave V2 handler (indexer/proto/aave_v2/).
 *
 * Aave V2 (LendingPool 1.0.x) rebuilt from events, as the V3 handler does for V3: reserves from
 * the LendingPoolConfigurator, indexes and rates from the pool's ReserveDataUpdated, scaled
 * balances from the aToken / variable-debt token Mint, Burn and BalanceTransfer (V2 amounts are
 * not scaled: scaled = amount.rayDiv(index), as the tokens do), stable debt from the
 * StableDebtToken's Mint/Burn (principal, the user's own rate and timestamp), collateral flags
 * from the pool. No e-mode, no isolation. What V2 does not log (reserve decimals, symbols) and
 * prices (AaveOracle, in the market's base: ETH with 18 decimals on Ethereum and Polygon) are
 * contract reads at a batch's last block.
 *
 * Records are the Aave family's (proto/aave/records.h) in the handler's own tables aave2.*;
 * the math is proto/aave/math.c with V2's compound-interest formula.
 *
 * Files: handler.c (ops, lifecycle, tokens, filters), events.c (event table), apply.c (logs ->
 * records), prices.c (contract reads), view.c (records -> lx_market_view), ops.c (health and
 * liquidation as V2 computes them).
 */
#ifndef LENDEX_PROTO_AAVE_V2_H
#define LENDEX_PROTO_AAVE_V2_H

#include <stdbool.h>
#include <stdint.h>

#include "../aave/events.h"
#include "../aave/records.h"
#include "lendex/aave.h"
#include "lendex/model.h"
#include "lendex/proto.h"

#define V2_T_RESERVE "aave2.reserve"
#define V2_T_TOKEN "aave2.token"
#define V2_T_USER "aave2.user"
#define V2_T_POS "aave2.pos"
#define V2_T_STATE "aave2.state"

#define V2_MAX_TOKENS (3 * 256)

/* V2 events (index into v2_events[]) */
enum v2_ev {
	V2_RESERVE_DATA_UPDATED,
	V2_DEPOSIT,
	V2_WITHDRAW,
	V2_BORROW,
	V2_REPAY,
	V2_SWAP,
	V2_REBALANCE,
	V2_COLL_ENABLED,
	V2_COLL_DISABLED,
	V2_LIQUIDATION_CALL,
	V2_FLASH_LOAN,
	/* tokens */
	V2_A_MINT,
	V2_A_BURN,
	V2_BALANCE_TRANSFER,
	V2_V_MINT,
	V2_V_BURN,
	V2_S_MINT,
	V2_S_BURN,
	/* configurator */
	V2_RESERVE_INITIALIZED,
	V2_COLLATERAL_CONFIG,
	V2_BORROWING_ENABLED,
	V2_BORROWING_DISABLED,
	V2_STABLE_ENABLED,
	V2_STABLE_DISABLED,
	V2_ACTIVATED,
	V2_DEACTIVATED,
	V2_FROZEN,
	V2_UNFROZEN,
	V2_RESERVE_FACTOR,
	V2_DECIMALS,
	/* LendingPoolAddressesProvider */
	V2_ORACLE_UPDATED,
	V2_EV_COUNT
};

/* Same layout as the V3 table (the strict reader aave_event_decode is shared); .id unused. */
extern struct aave_event_def v2_events[V2_EV_COUNT];
void v2_events_init(void);

struct v2_token {
	struct lx_addr token, asset;
	uint8_t kind;      /* enum aave_token_kind */
	bool meta;         /* decimals and symbol known (read once, see prices.c) */
};

/*
 * A StableDebtToken Mint that may be a repayment: V2's burn of less than the accrued interest
 * emits Mint(user, user, interest - repaid, ...), which moves the principal by bi - amount less
 * than a borrow's Mint with the same fields would. Applied as a borrow, corrected by bi when
 * the same transaction's Repay or LiquidationCall for that user and reserve follows (apply.c).
 */
struct v2_pending {
	bool on;
	uint64_t block;
	uint8_t tx[32];
	struct lx_addr user, asset;
	struct lx_u256 bi;
};

struct aave2 {
	struct lx_proto base;
	uint8_t market[AAVE_MARKET_KEY];  /* chain id | pool */
	struct lx_addr pool, configurator, provider;
	bool have_provider;
	struct lx_addr config_oracle;     /* chains/ oracle */
	struct lx_addr oracle;            /* live oracle (PriceOracleUpdated moves it) */
	struct v2_pending pending;
	size_t n_tokens;
	struct v2_token tokens[V2_MAX_TOKENS];
};

static inline struct aave2 *v2_of(struct lx_proto *p)
{
	return (struct aave2 *)p;
}

/* handler.c */
struct v2_token *v2_find_token(struct aave2 *a, const struct lx_addr *t);
int v2_add_token(struct aave2 *a, const struct lx_addr *t, const struct lx_addr *asset,
		 uint8_t kind, struct lx_error *err);
/* The oracle of the state record (zero = chains/). */
int v2_load_state(struct aave2 *a, struct lx_store_txn *txn, struct lx_error *err);
int v2_put_state(struct aave2 *a, struct lx_store_txn *txn, struct lx_error *err);

/* apply.c */
int v2_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
	     struct lx_error *err);

/* prices.c */
int v2_calls(struct lx_proto *p, struct lx_store_txn *txn, struct lx_calls *calls,
	     struct lx_error *err);
int v2_apply_calls(struct lx_proto *p, struct lx_store_txn *txn, uint64_t block,
		   const struct lx_call *calls, size_t n, struct lx_error *err);

/* view.c */
int v2_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
	    const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
	    struct lx_market_view *out, struct lx_error *err);

/* ops.c: the V2 market's rules (health, liquidation) for the risk pass */
void v2_liq_rules(struct lx_liq_rules *out);
/* Sets mv->ops (lx_aave_v2_market_ops) and mv->base from base_decimals. */
void v2_view_ops(struct lx_market_view *mv);

#endif
