/*
 * versions.h: the one table of per-version rules of Aave V3 (3.0 … 3.7).
 *
 * Everything that differs between Aave V3 releases and matters to an event-based indexer is a
 * field of struct aave_rules; the handler looks up the rules live at a log's block and reads
 * fields, never compares version numbers. A new release is a new row in versions.c (and the
 * code for any new field), nothing else. Revisions are the Pool's POOL_REVISION, which is also
 * slot 0 of the pool proxy (VersionedInitializable.lastInitializedRevision).
 */
#ifndef LENDEX_PROTO_AAVE_VERSIONS_H
#define LENDEX_PROTO_AAVE_VERSIONS_H

#include <stdbool.h>
#include <stdint.h>

/* How token amounts are turned into scaled balances and back. */
enum aave_rounding {
	AAVE_ROUND_HALF_UP = 0,   /* <= 3.4: rayDiv / rayMul half-up everywhere */
	AAVE_ROUND_DIRECTIONAL,   /* 3.5+: TokenMath (aToken mint floor, burn ceil, ...) */
};

/* How much of a position one liquidation may repay. */
enum aave_close_factor {
	AAVE_CF_PER_RESERVE = 0,  /* <= 3.2: 50 % of the debt reserve, 100 % below HF 0.95 */
	AAVE_CF_POSITION,         /* 3.3+: whole position; 100 % also under the 2000-base rule */
};

/* Compound interest formula of MathUtils.calculateCompoundedInterest. */
enum aave_compound {
	AAVE_COMPOUND_V30 = 0,    /* <= 3.3: divisions before multiplications */
	AAVE_COMPOUND_PRECISE,    /* 3.4+: multiply before divide */
};

/*
 * Rules of one release. Invariant: rows are sorted by revision, each revision appears once.
 */
struct aave_rules {
	const char *version;        /* "3.0.2", "3.7.0" */
	uint8_t major, minor, patch;
	uint32_t pool_revision;     /* POOL_REVISION of the release's Pool (3.0.x: 1..3) */
	bool scaled_transfer;       /* BalanceTransfer carries the scaled amount (3.0.1+) */
	bool stable_debt;           /* StableDebtToken exists (<= 3.1) */
	bool emode_price_source;    /* e-mode categories may have their own oracle (<= 3.1) */
	bool emode_bitmaps;         /* per-category collateral/borrowable bitmaps (3.2+) */
	bool emode_ltvzero;         /* per-category LTV-zero bitmap (3.6+) */
	bool emode_isolated;        /* isolated e-mode categories (3.7+) */
	bool deficit;               /* bad debt burned into a reserve deficit (3.3+) */
	bool collateral_on_receive; /* aTokens received enable collateral (<= 3.5) */
	bool scaled_no_collateral;  /* "no collateral left" decided on scaled balances (3.7+) */
	bool liq_bonus_floor;       /* liquidation: bonus-weighted collateral and bonus part rounded
				     * down, protocol fee up (3.7+) */
	bool isolation_mode;        /* isolation mode and siloed borrowing exist (<= 3.6) */
	bool collateral_needs_lt;   /* a flagged supply counts only with LT != 0 (<= 3.5) */
	bool liq_collateral_state;  /* a liquidation updates the collateral reserve's indexes even
				     * when the liquidator takes aTokens, with no ReserveDataUpdated
				     * (3.5+: LiquidationLogic calls updateState up front) */
	enum aave_rounding rounding;
	enum aave_close_factor close_factor;
	enum aave_compound compound;
	uint32_t health_method;     /* enum lx_health_method: how getUserAccountData rounds */
	uint16_t min_leftover_base_units; /* MIN_LEFTOVER_BASE / 1e8 (3.3+: 1000), 0 = none */
	uint16_t full_close_base_units;   /* MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD / 1e8 (3.3+: 2000) */
};

/*
 * The rules of the release whose POOL_REVISION is rev, or NULL when lendex does not know it.
 * hint (the chains/ version, may be NULL) only tells 3.0.0 from 3.0.1+ for revision 1.
 */
const struct aave_rules *aave_rules_by_revision(uint32_t rev, const struct aave_rules *hint);

/* The rules of version major.minor.patch (from chains/, a hint), or NULL when unknown. */
const struct aave_rules *aave_rules_by_version(int major, int minor, int patch);

#endif
