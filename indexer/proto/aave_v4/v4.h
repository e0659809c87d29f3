/*
 * v4.h: the Aave V4 handler's insides (internal to indexer/proto/aave_v4/).
 *
 * Aave V4 splits a market in two: Hubs hold the tokens and one book per asset (liquidity,
 * supply shares, drawn shares, the aggregate premium, deficits, fees, the drawn index); Spokes
 * hold the users, each user's shares per reserve, and the risk parameters. A Spoke's reserve
 * points at (Hub, assetId), so one Spoke can draw from several Hubs. One deployment in chains/
 * lists its Hubs and Spokes (roles "hub:NAME", "spoke:NAME"); the handler follows both kinds of
 * contract and keeps, in the store:
 *
 *   v4.asset   chain|hub(20)|asset(2)             -> struct v4_asset   (Hub: UpdateAsset, Add, ...)
 *   v4.sdata   chain|hub|asset|spoke(20)          -> struct v4_sdata   (the Hub's SpokeData)
 *   v4.spoke   chain|spoke(20)                    -> struct v4_spoke   (oracle, liquidation config)
 *   v4.reserve chain|spoke|reserve(4)             -> struct v4_reserve (hub, asset, risk, price)
 *   v4.dyn     chain|spoke|reserve|key(4)         -> struct v4_dyn     (a dynamic config key)
 *   v4.user    chain|spoke|user(20)               -> struct v4_user    (stored risk premium)
 *   v4.pos     chain|spoke|user|reserve           -> struct v4_pos     (shares, key, flags)
 *   v4.impl    chain|proxy(20)                    -> implementation    (its first Upgraded)
 *   v4.symbol  chain|token(20)                    -> struct v4_symbol  (symbol(), display only)
 *
 * Every record is a version byte and a fixed list of 256-bit big-endian words (signed values
 * in two's complement), so a value that does not parse is reported as corrupt.
 * Files: events.c (event table, strict reader), records.c (keys and records), apply.c (one log),
 * math.c (Hub and Spoke arithmetic), account.c (getUserAccountData), view.c (the neutral view),
 * handler.c (ops, filters, price reads).
 */
#ifndef LENDEX_PROTO_AAVE_V4_H
#define LENDEX_PROTO_AAVE_V4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"
#include "lendex/proto.h"
#include "lendex/u256.h"

#define V4_MAX_HUBS 16
#define V4_MAX_SPOKES 64

#define T_ASSET "v4.asset"
#define T_SDATA "v4.sdata"
#define T_SPOKE "v4.spoke"
#define T_RESERVE "v4.reserve"
#define T_DYN "v4.dyn"
#define T_USER "v4.user"
#define T_POS "v4.pos"
#define T_IMPL "v4.impl"
#define T_SYMBOL "v4.symbol"

/* ---- records: only struct lx_u256 members, in stored order ---- */

struct v4_asset {
	struct lx_u256 liquidity, swept, added_shares, drawn_shares, premium_shares;
	struct lx_u256 premium_offset_ray; /* int200, two's complement */
	struct lx_u256 deficit_ray, realized_fees, drawn_index, drawn_rate;
	struct lx_u256 last_update;        /* timestamp of the last UpdateAsset */
	struct lx_u256 liquidity_fee;      /* bps */
	struct lx_u256 decimals, underlying, fee_receiver;
};

struct v4_sdata {
	struct lx_u256 added_shares, drawn_shares, premium_shares;
	struct lx_u256 premium_offset_ray; /* two's complement */
	struct lx_u256 deficit_ray;
};

struct v4_spoke {
	struct lx_u256 oracle;             /* from SetSpokeImmutables, else chains/ */
	struct lx_u256 target_hf, hf_for_max_bonus, bonus_factor;
	struct lx_u256 n_reserves;
};

#define V4_R_PAUSED 0x1
#define V4_R_FROZEN 0x2
#define V4_R_BORROWABLE 0x4
#define V4_R_RECEIVE_SHARES 0x8
struct v4_reserve {
	struct lx_u256 hub, asset_id, collateral_risk, flags, latest_key;
	struct lx_u256 price, price_block; /* AaveOracle.getReservePrice at price_block */
};

struct v4_dyn {
	struct lx_u256 collateral_factor, max_bonus, liquidation_fee; /* bps */
};

struct v4_user {
	struct lx_u256 risk_premium; /* the stored one (UpdateUserRiskPremium), bps */
};

#define V4_P_COLLATERAL 0x1
#define V4_P_BORROWING 0x2
struct v4_pos {
	struct lx_u256 drawn_shares, premium_shares;
	struct lx_u256 premium_offset_ray; /* two's complement */
	struct lx_u256 supplied_shares, key, flags;
};

/* an underlying's symbol() read once at a synced block: up to 15 printable bytes, left-aligned
 * and zero-padded; all zeros = read, no usable answer (not read again) */
struct v4_symbol {
	struct lx_u256 text;
};

#define V4_WORDS(s) (sizeof(s) / sizeof(struct lx_u256))
#define V4_REC_MAX (1 + 32 * 16)

/* records.c */
size_t v4_key(uint8_t *k, uint64_t chain, const struct lx_addr *a, const struct lx_addr *b,
	      int n_small, const uint32_t *small, const int *small_len);
int v4_get(struct lx_store_txn *t, const char *table, const uint8_t *k, size_t kl,
	   struct lx_u256 *words, size_t n, struct lx_error *err);
int v4_put(struct lx_store_txn *t, const char *table, const uint8_t *k, size_t kl,
	   const struct lx_u256 *words, size_t n, struct lx_error *err);
int v4_decode(struct lx_u256 *words, size_t n, const uint8_t *v, size_t vl);
int v4_corrupt(struct lx_error *err, const char *table);

/* typed keys (k needs 8 + 20 + 20 + 4 + 4 bytes at most) */
#define V4_KEY_MAX 64
size_t v4_key_asset(uint8_t *k, uint64_t chain, const struct lx_addr *hub, uint32_t asset);
size_t v4_key_sdata(uint8_t *k, uint64_t chain, const struct lx_addr *hub, uint32_t asset,
		    const struct lx_addr *spoke);
size_t v4_key_spoke(uint8_t *k, uint64_t chain, const struct lx_addr *spoke);
size_t v4_key_reserve(uint8_t *k, uint64_t chain, const struct lx_addr *spoke, uint32_t reserve);
size_t v4_key_dyn(uint8_t *k, uint64_t chain, const struct lx_addr *spoke, uint32_t reserve,
		  uint32_t key);
size_t v4_key_user(uint8_t *k, uint64_t chain, const struct lx_addr *spoke,
		   const struct lx_addr *user);
size_t v4_key_pos(uint8_t *k, uint64_t chain, const struct lx_addr *spoke,
		  const struct lx_addr *user, uint32_t reserve);
size_t v4_key_symbol(uint8_t *k, uint64_t chain, const struct lx_addr *token);
/* The token's symbol as stored ("" if never read or no usable answer). */
int v4_get_symbol(struct lx_store_txn *t, uint64_t chain, const struct lx_addr *token,
		  char out[16], bool *found, struct lx_error *err);

/* u256 <-> small values and addresses */
void v4_from_addr(struct lx_u256 *w, const struct lx_addr *a);
void v4_to_addr(struct lx_addr *a, const struct lx_u256 *w);
uint64_t v4_small(const struct lx_u256 *w); /* low 64 bits */
void v4_set(struct lx_u256 *w, uint64_t v);

/* ---- math.c: Hub and Spoke arithmetic, each with the contract's rounding ---- */

/* AssetLogic.getDrawnIndex at time now. */
int v4_drawn_index(struct lx_u256 *out, const struct v4_asset *a, uint64_t now);
/* Premium.calculatePremiumRay: shares * index - offset (must not be negative). */
int v4_premium_ray(struct lx_u256 *out, const struct lx_u256 *shares,
		   const struct lx_u256 *offset, const struct lx_u256 *index);
/* drawnShares * index + premiumRay + deficitRay (AssetLogic._calculateAggregatedOwedRay). */
int v4_owed_ray(struct lx_u256 *out, const struct v4_asset *a, const struct lx_u256 *index);
/* AssetLogic.totalAddedAssets at time now (index = v4_drawn_index at now). */
int v4_total_added(struct lx_u256 *out, const struct v4_asset *a, const struct lx_u256 *index);
/* SharesMath.toAssetsDown / toAssetsUp / toSharesDown with the 1e6 virtual offsets. */
int v4_shares_to_assets(struct lx_u256 *out, const struct lx_u256 *shares,
			const struct lx_u256 *total_assets, const struct lx_u256 *total_shares,
			bool up);
int v4_assets_to_shares(struct lx_u256 *out, const struct lx_u256 *assets,
			const struct lx_u256 *total_assets, const struct lx_u256 *total_shares,
			bool up);
/* Apply a PremiumDelta (sharesDelta, offsetRayDelta as two's complement words). */
void v4_apply_delta(struct lx_u256 *shares, struct lx_u256 *offset, const struct lx_u256 *d_shares,
		    const struct lx_u256 *d_offset);
/* wrapping add/sub (two's complement) */
void v4_wadd(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
void v4_wsub(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
/* ceil(a / b) */
int v4_div_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b);
/* mulDiv(a, b, d) rounded up */
int v4_muldiv_up(struct lx_u256 *r, const struct lx_u256 *a, const struct lx_u256 *b,
		 const struct lx_u256 *d);
/* amount * price * 10^(18 - decimals) (SpokeUtils.toValue, checked) */
int v4_to_value(struct lx_u256 *r, const struct lx_u256 *amount, unsigned decimals,
		const struct lx_u256 *price);

/* ---- events.c ---- */

enum v4_role { V4_HUB = 1, V4_SPOKE = 2 };

enum v4_ev {
	/* Hub */
	H_ADD, H_ADD_ASSET, H_ADD_SPOKE, H_DRAW, H_ELIMINATE_DEFICIT, H_MINT_FEE_SHARES, H_RECLAIM,
	H_REFRESH_PREMIUM, H_REMOVE, H_REPORT_DEFICIT, H_RESTORE, H_SWEEP, H_TRANSFER_SHARES,
	H_UPDATE_ASSET, H_UPDATE_ASSET_CONFIG,
	/* Spoke */
	S_ADD_DYN, S_ADD_RESERVE, S_BORROW, S_LIQUIDATION, S_REFRESH_ALL, S_REFRESH_PREMIUM_DEBT,
	S_REFRESH_SINGLE, S_REPAY, S_REPORT_DEFICIT, S_SET_IMMUTABLES, S_SET_COLLATERAL, S_SUPPLY,
	S_UPDATE_DYN, S_UPDATE_LIQ_CONFIG, S_UPDATE_RESERVE_CONFIG, S_UPDATE_USER_RP, S_WITHDRAW,
	V4_EV_COUNT
};

#define V4_MAX_WORDS 16
struct v4_event_def {
	int id;
	int role;                 /* enum v4_role */
	const char *signature;    /* canonical, for topic0 */
	int n_indexed;            /* topics after topic0 */
	int n_data;               /* 32-byte words of data (tuples flattened: all static) */
	uint8_t topic0[32];       /* filled by v4_events_init */
	char name[48];            /* the signature's name, filled by v4_events_init */
};
extern struct v4_event_def v4_events[V4_EV_COUNT];
void v4_events_init(void);
/* The definition for a log's topic0 and emitter role, or NULL. */
const struct v4_event_def *v4_event_find(const struct lx_log *log, int role);
/* Words of a log in parameter order: indexed ones from topics, the rest from data. Strict:
 * topic count and data length must match exactly (LX_ETOPICS, LX_ESHORT naming the log). */
int v4_event_words(struct lx_u256 *w, const struct v4_event_def *ev, const struct lx_log *log,
		   struct lx_error *err);

/* ---- the handler ---- */

struct v4 {
	struct lx_proto base;
	uint64_t chain;
	size_t n_hubs, n_spokes;
	struct lx_addr hubs[V4_MAX_HUBS];
	struct lx_addr spokes[V4_MAX_SPOKES];
	struct lx_addr spoke_oracle[V4_MAX_SPOKES]; /* chains/ "oracle:NAME" (zero = from chain) */
	/* trap: setUsingAsCollateral(false) clears the flag, then refreshes every collateral's
	 * key and emits RefreshAllUserDynamicConfig before SetUsingAsCollateral; the reserve being
	 * disabled keeps its key. The refresh of the current transaction is remembered here so
	 * the SetUsingAsCollateral(false) that follows can give that reserve its key back. */
	struct {
		bool set;
		uint8_t tx[32];
		struct lx_addr spoke, user;
		size_t n;
		uint32_t reserve[256];
		struct lx_u256 old_key[256];
	} refresh;
};

static inline struct v4 *v4_of(struct lx_proto *p)
{
	return (struct v4 *)p;
}

int v4_is_hub(const struct v4 *h, const struct lx_addr *a);
int v4_is_spoke(const struct v4 *h, const struct lx_addr *a);

/* apply.c: Upgraded(address) of a Hub or Spoke proxy (topic0) */
extern uint8_t v4_upgraded_topic0[32];
/* apply.c */
int v4_apply(struct lx_proto *p, struct lx_store_txn *txn, const struct lx_log *log,
	     struct lx_error *err);
/* liquidate.c: the market's liquidate operation (struct lx_market_ops) */
int v4_liquidate(struct lx_liq_result *out, enum lx_liq_refusal *refusal,
		 const struct lx_market_view *mv, struct lx_account_view *a, size_t ci, size_t di,
		 const struct lx_u256 *debt_to_cover, const struct lx_u256 *available, bool apply);
/* view.c */
int v4_view(struct lx_proto *p, struct lx_store_txn *txn, uint64_t timestamp,
	    const struct lx_addr *accounts, size_t n_accounts, unsigned flags,
	    struct lx_market_view *out, struct lx_error *err);

#endif
