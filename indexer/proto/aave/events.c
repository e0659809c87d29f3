/*
 * events.c: the Aave V3 (3.0 … 3.7) event table and its strict reader. See events.h.
 */
#include <string.h>

#include "events.h"
#include "lendex/keccak.h"

#define I 1
#define N 0

struct aave_event_def aave_events[EV_COUNT] = {
	{EV_RESERVE_DATA_UPDATED, ROLE_POOL, "ReserveDataUpdated",
	 "ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)", 6,
	 {A_ADDR, A_U256, A_U256, A_U256, A_U256, A_U256}, {I, N, N, N, N, N}, {0}},
	{EV_SUPPLY, ROLE_POOL, "Supply", "Supply(address,address,address,uint256,uint16)", 5,
	 {A_ADDR, A_ADDR, A_ADDR, A_U256, A_U16}, {I, N, I, N, I}, {0}},
	{EV_WITHDRAW, ROLE_POOL, "Withdraw", "Withdraw(address,address,address,uint256)", 4,
	 {A_ADDR, A_ADDR, A_ADDR, A_U256}, {I, I, I, N}, {0}},
	{EV_BORROW, ROLE_POOL, "Borrow",
	 "Borrow(address,address,address,uint256,uint8,uint256,uint16)", 7,
	 {A_ADDR, A_ADDR, A_ADDR, A_U256, A_U8, A_U256, A_U16}, {I, N, I, N, N, N, I}, {0}},
	{EV_REPAY, ROLE_POOL, "Repay", "Repay(address,address,address,uint256,bool)", 5,
	 {A_ADDR, A_ADDR, A_ADDR, A_U256, A_BOOL}, {I, I, I, N, N}, {0}},
	{EV_COLL_ENABLED, ROLE_POOL, "ReserveUsedAsCollateralEnabled",
	 "ReserveUsedAsCollateralEnabled(address,address)", 2, {A_ADDR, A_ADDR}, {I, I}, {0}},
	{EV_COLL_DISABLED, ROLE_POOL, "ReserveUsedAsCollateralDisabled",
	 "ReserveUsedAsCollateralDisabled(address,address)", 2, {A_ADDR, A_ADDR}, {I, I}, {0}},
	{EV_USER_EMODE_SET, ROLE_POOL, "UserEModeSet", "UserEModeSet(address,uint8)", 2,
	 {A_ADDR, A_U8}, {I, N}, {0}},
	{EV_LIQUIDATION_CALL, ROLE_POOL, "LiquidationCall",
	 "LiquidationCall(address,address,address,uint256,uint256,address,bool)", 7,
	 {A_ADDR, A_ADDR, A_ADDR, A_U256, A_U256, A_ADDR, A_BOOL}, {I, I, I, N, N, N, N}, {0}},
	{EV_SCALED_MINT, ROLE_TOKEN, "Mint", "Mint(address,address,uint256,uint256,uint256)", 5,
	 {A_ADDR, A_ADDR, A_U256, A_U256, A_U256}, {I, I, N, N, N}, {0}},
	{EV_SCALED_BURN, ROLE_TOKEN, "Burn", "Burn(address,address,uint256,uint256,uint256)", 5,
	 {A_ADDR, A_ADDR, A_U256, A_U256, A_U256}, {I, I, N, N, N}, {0}},
	{EV_BALANCE_TRANSFER, ROLE_TOKEN, "BalanceTransfer",
	 "BalanceTransfer(address,address,uint256,uint256)", 4, {A_ADDR, A_ADDR, A_U256, A_U256},
	 {I, I, N, N}, {0}},
	{EV_STABLE_MINT, ROLE_TOKEN, "Mint",
	 "Mint(address,address,uint256,uint256,uint256,uint256,uint256,uint256)", 8,
	 {A_ADDR, A_ADDR, A_U256, A_U256, A_U256, A_U256, A_U256, A_U256}, {I, I, N, N, N, N, N, N},
	 {0}},
	{EV_STABLE_BURN, ROLE_TOKEN, "Burn", "Burn(address,uint256,uint256,uint256,uint256,uint256)",
	 6, {A_ADDR, A_U256, A_U256, A_U256, A_U256, A_U256}, {I, N, N, N, N, N}, {0}},
	{EV_ATOKEN_INITIALIZED, ROLE_TOKEN, "Initialized",
	 "Initialized(address,address,address,address,uint8,string,string,bytes)", 8,
	 {A_ADDR, A_ADDR, A_ADDR, A_ADDR, A_U8, A_DYN, A_DYN, A_DYN}, {I, I, N, N, N, N, N, N}, {0}},
	{EV_RESERVE_INITIALIZED, ROLE_CONFIGURATOR, "ReserveInitialized",
	 "ReserveInitialized(address,address,address,address,address)", 5,
	 {A_ADDR, A_ADDR, A_ADDR, A_ADDR, A_ADDR}, {I, I, N, N, N}, {0}},
	{EV_COLLATERAL_CONFIG, ROLE_CONFIGURATOR, "CollateralConfigurationChanged",
	 "CollateralConfigurationChanged(address,uint256,uint256,uint256)", 4,
	 {A_ADDR, A_U256, A_U256, A_U256}, {I, N, N, N}, {0}},
	{EV_RESERVE_BORROWING, ROLE_CONFIGURATOR, "ReserveBorrowing",
	 "ReserveBorrowing(address,bool)", 2, {A_ADDR, A_BOOL}, {I, N}, {0}},
	{EV_RESERVE_STABLE, ROLE_CONFIGURATOR, "ReserveStableRateBorrowing",
	 "ReserveStableRateBorrowing(address,bool)", 2, {A_ADDR, A_BOOL}, {I, N}, {0}},
	{EV_RESERVE_ACTIVE, ROLE_CONFIGURATOR, "ReserveActive", "ReserveActive(address,bool)", 2,
	 {A_ADDR, A_BOOL}, {I, N}, {0}},
	{EV_RESERVE_FROZEN, ROLE_CONFIGURATOR, "ReserveFrozen", "ReserveFrozen(address,bool)", 2,
	 {A_ADDR, A_BOOL}, {I, N}, {0}},
	{EV_RESERVE_PAUSED, ROLE_CONFIGURATOR, "ReservePaused", "ReservePaused(address,bool)", 2,
	 {A_ADDR, A_BOOL}, {I, N}, {0}},
	{EV_RESERVE_DROPPED, ROLE_CONFIGURATOR, "ReserveDropped", "ReserveDropped(address)", 1,
	 {A_ADDR}, {I}, {0}},
	{EV_RESERVE_FACTOR, ROLE_CONFIGURATOR, "ReserveFactorChanged",
	 "ReserveFactorChanged(address,uint256,uint256)", 3, {A_ADDR, A_U256, A_U256}, {I, N, N},
	 {0}},
	{EV_BORROW_CAP, ROLE_CONFIGURATOR, "BorrowCapChanged",
	 "BorrowCapChanged(address,uint256,uint256)", 3, {A_ADDR, A_U256, A_U256}, {I, N, N}, {0}},
	{EV_SUPPLY_CAP, ROLE_CONFIGURATOR, "SupplyCapChanged",
	 "SupplyCapChanged(address,uint256,uint256)", 3, {A_ADDR, A_U256, A_U256}, {I, N, N}, {0}},
	{EV_PROTOCOL_FEE, ROLE_CONFIGURATOR, "LiquidationProtocolFeeChanged",
	 "LiquidationProtocolFeeChanged(address,uint256,uint256)", 3, {A_ADDR, A_U256, A_U256},
	 {I, N, N}, {0}},
	{EV_EMODE_ASSET, ROLE_CONFIGURATOR, "EModeAssetCategoryChanged",
	 "EModeAssetCategoryChanged(address,uint8,uint8)", 3, {A_ADDR, A_U8, A_U8}, {I, N, N}, {0}},
	{EV_EMODE_ADDED, ROLE_CONFIGURATOR, "EModeCategoryAdded",
	 "EModeCategoryAdded(uint8,uint256,uint256,uint256,address,string)", 6,
	 {A_U8, A_U256, A_U256, A_U256, A_ADDR, A_DYN}, {I, N, N, N, N, N}, {0}},
	{EV_DEBT_CEILING, ROLE_CONFIGURATOR, "DebtCeilingChanged",
	 "DebtCeilingChanged(address,uint256,uint256)", 3, {A_ADDR, A_U256, A_U256}, {I, N, N},
	 {0}},
	{EV_SILOED, ROLE_CONFIGURATOR, "SiloedBorrowingChanged",
	 "SiloedBorrowingChanged(address,bool,bool)", 3, {A_ADDR, A_BOOL, A_BOOL}, {I, N, N}, {0}},
	{EV_ISO_BORROWABLE, ROLE_CONFIGURATOR, "BorrowableInIsolationChanged",
	 "BorrowableInIsolationChanged(address,bool)", 2, {A_ADDR, A_BOOL}, {N, N}, {0}},
	{EV_FLASHLOANING, ROLE_CONFIGURATOR, "ReserveFlashLoaning",
	 "ReserveFlashLoaning(address,bool)", 2, {A_ADDR, A_BOOL}, {I, N}, {0}},
	{EV_FLASH_LOAN, ROLE_POOL, "FlashLoan",
	 "FlashLoan(address,address,address,uint256,uint8,uint256,uint16)", 7,
	 {A_ADDR, A_ADDR, A_ADDR, A_U256, A_U8, A_U256, A_U16}, {I, N, I, N, N, N, I}, {0}},
	{EV_EMODE_COLLATERAL, ROLE_CONFIGURATOR, "AssetCollateralInEModeChanged",
	 "AssetCollateralInEModeChanged(address,uint8,bool)", 3, {A_ADDR, A_U8, A_BOOL}, {I, N, N},
	 {0}},
	{EV_EMODE_BORROWABLE, ROLE_CONFIGURATOR, "AssetBorrowableInEModeChanged",
	 "AssetBorrowableInEModeChanged(address,uint8,bool)", 3, {A_ADDR, A_U8, A_BOOL}, {I, N, N},
	 {0}},
	{EV_EMODE_LTVZERO, ROLE_CONFIGURATOR, "AssetLtvzeroInEModeChanged",
	 "AssetLtvzeroInEModeChanged(address,uint8,bool)", 3, {A_ADDR, A_U8, A_BOOL}, {I, N, N},
	 {0}},
	{EV_EMODE_ISOLATION, ROLE_CONFIGURATOR, "EModeCategoryIsolationChanged",
	 "EModeCategoryIsolationChanged(uint8,bool)", 2, {A_U8, A_BOOL}, {I, N}, {0}},
	{EV_DEFICIT_CREATED, ROLE_POOL, "DeficitCreated", "DeficitCreated(address,address,uint256)",
	 3, {A_ADDR, A_ADDR, A_U256}, {I, I, N}, {0}},
	{EV_DEFICIT_COVERED, ROLE_POOL, "DeficitCovered", "DeficitCovered(address,address,uint256)",
	 3, {A_ADDR, A_ADDR, A_U256}, {I, N, N}, {0}},
	{EV_UPGRADED, ROLE_POOL, "Upgraded", "Upgraded(address)", 1, {A_ADDR}, {I}, {0}},
	{EV_POOL_UPDATED, ROLE_PROVIDER, "PoolUpdated", "PoolUpdated(address,address)", 2,
	 {A_ADDR, A_ADDR}, {I, I}, {0}},
	{EV_ORACLE_UPDATED, ROLE_PROVIDER, "PriceOracleUpdated",
	 "PriceOracleUpdated(address,address)", 2, {A_ADDR, A_ADDR}, {I, I}, {0}},
};

#undef I
#undef N

bool aave_role_of(enum aave_role *out, const struct lx_addr *emitter, const struct lx_addr *pool,
		  const struct lx_addr *configurator, const struct lx_addr *provider)
{
	if (lx_addr_eq(emitter, pool))
		*out = ROLE_POOL;
	else if (lx_addr_eq(emitter, configurator))
		*out = ROLE_CONFIGURATOR;
	else if (provider && lx_addr_eq(emitter, provider))
		*out = ROLE_PROVIDER;
	else
		return false;
	return true;
}

int aave_event_find(const struct aave_event_def *evs, int n, enum aave_role role,
		    const uint8_t topic0[32])
{
	for (int i = 0; i < n; i++)
		if (evs[i].role == role && memcmp(evs[i].topic0, topic0, 32) == 0)
			return i;
	return -1;
}

void aave_filter_topics(struct lx_filter *f, const struct aave_event_def *evs, int n)
{
	for (int i = 0; i < n && f->n_topic0 < LX_FILTER_MAX_TOPIC; i++) {
		bool dup = false;
		for (size_t j = 0; j < f->n_topic0 && !dup; j++)
			dup = memcmp(f->topic0[j], evs[i].topic0, 32) == 0;
		if (!dup)
			memcpy(f->topic0[f->n_topic0++], evs[i].topic0, 32);
	}
}

void aave_events_init(void)
{
	for (int i = 0; i < EV_COUNT; i++)
		lx_keccak256(aave_events[i].topic0, aave_events[i].signature,
			     strlen(aave_events[i].signature));
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int check_word(struct aave_args *out, int i, enum aave_arg kind, const uint8_t *w,
		      const struct aave_event_def *def, const struct lx_log *log,
		      struct lx_error *err)
{
	size_t keep = 32;
	switch (kind) {
	case A_ADDR:
		keep = 20;
		break;
	case A_U8:
		keep = 1;
		break;
	case A_U16:
		keep = 2;
		break;
	case A_BOOL:
		keep = 1;
		if (w[31] > 1)
			keep = 0;
		break;
	default:
		break;
	}
	if (keep == 0 || !zero(w, 32 - keep))
		return lx_error_set(err, LX_EPADDING,
				    "abi: %s log %llu:%u: argument %d is not canonically padded",
				    def->name, (unsigned long long)log->block, log->log_index, i);
	lx_u256_from_be(&out->v[i], w);
	if (kind == A_ADDR)
		memcpy(out->a[i].b, w + 12, 20);
	return 0;
}

int aave_event_decode(struct aave_args *out, const struct aave_event_def *def,
		      const struct lx_log *log, struct lx_error *err)
{
	int n_idx = 0, n_data = 0;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < def->n_args; i++) {
		if (def->indexed[i])
			n_idx++;
		else
			n_data++;
	}
	if (log->n_topics != n_idx + 1)
		return lx_error_set(err, LX_ETOPICS,
				    "abi: %s log %llu:%u: %u topics, the event has %d", def->name,
				    (unsigned long long)log->block, log->log_index, log->n_topics,
				    n_idx + 1);
	if (log->data_len < (size_t)n_data * 32)
		return lx_error_set(err, LX_ESHORT,
				    "abi: %s log %llu:%u: data is %zu bytes, the event needs %d",
				    def->name, (unsigned long long)log->block, log->log_index,
				    log->data_len, n_data * 32);
	int t = 1, d = 0;
	for (int i = 0; i < def->n_args; i++) {
		const uint8_t *w = def->indexed[i] ? log->topics[t++] : log->data + 32 * (d++);
		if (def->arg[i] == A_DYN) {
			/* offset word: must point inside data at a 32-byte boundary */
			struct lx_u256 off;
			uint64_t o;
			lx_u256_from_be(&off, w);
			if (lx_u256_to_u64(&o, &off) || o % 32 || o > log->data_len ||
			    log->data_len - o < 32) /* o + 32 would wrap near 2^64 */
				return lx_error_set(err, LX_EOFFSET,
						    "abi: %s log %llu:%u: argument %d offset past "
						    "data end 0x%zx",
						    def->name, (unsigned long long)log->block,
						    log->log_index, i, log->data_len);
			out->v[i] = off;
			continue;
		}
		int rc = check_word(out, i, (enum aave_arg)def->arg[i], w, def, log, err);
		if (rc)
			return rc;
	}
	return 0;
}

int aave_event_string(char *buf, size_t cap, const struct aave_event_def *def,
		      const struct lx_log *log, int i, struct lx_error *err)
{
	struct aave_args a;
	int rc = aave_event_decode(&a, def, log, err);
	if (rc)
		return rc;
	uint64_t off, len;
	lx_u256_to_u64(&off, &a.v[i]);
	struct lx_u256 l;
	lx_u256_from_be(&l, log->data + off);
	if (lx_u256_to_u64(&len, &l) || len > log->data_len - off - 32)
		return lx_error_set(err, LX_ELENGTH,
				    "abi: %s log %llu:%u: argument %d length exceeds the data",
				    def->name, (unsigned long long)log->block, log->log_index, i);
	size_t n = len < cap - 1 ? (size_t)len : cap - 1;
	memcpy(buf, log->data + off + 32, n);
	buf[n] = 0;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)buf[k] < 0x20 || buf[k] == 0x7f)
			buf[k] = '?';
	return 0;
}
