/*
 * classify.c: what the Aave V3 handler does with each log of the contracts it follows, for the
 * sync summary's per-event counts (proto classify). A log is applied when its emitter's role
 * and topic0 name an event of events.c the handler reads; ignored, with the reason, when it is
 * one of the events below, which change nothing a position, a price or a rule depends on (the
 * events of aave-v3-origin 3.1 … 3.7 and aave-v3-core 3.0.x, by contract, plus the GHO
 * tokens'); unknown otherwise — a topic0 no release lendex knows emits from that contract.
 */
#include <string.h>

#include "aave.h"
#include "lendex/keccak.h"

static const char R_ERC20[] = "an ERC-20 view of a move the scaled Mint, Burn or "
			      "BalanceTransfer carries";
static const char R_ALLOWANCE[] = "an allowance or delegation: moves no balance";
static const char R_IMPL[] = "a contract implementation changed: the Pool's revision (read at "
			     "its Upgraded) decides the rules";
static const char R_ADMIN[] = "market administration: no position, price source or rule "
			      "lendex reads changes";
static const char R_RATES[] = "interest-rate curve: the rates that apply arrive in "
			      "ReserveDataUpdated";
static const char R_FEES[] = "a fee, cap or grace period of flows that move no position by "
			     "themselves";
static const char R_ISO_DEBT[] = "isolation-mode debt-ceiling usage: in neither "
				 "getUserAccountData nor a position";
static const char R_CARRIED[] = "the tokens' Mint and Burn carry the balances it moves";
static const char R_MANAGER[] = "who may act for a user (3.4 position managers): moves nothing";
static const char R_DEBT_INIT[] = "a debt token's initialisation: ReserveInitialized names it";
static const char R_GHO[] = "GHO facilitator settings: move no balance by themselves";
/* Reasons that start "not reproduced" are warned about by sync (the positions they touch differ
 * from the chain's) and their events are asked for (aave_surfaced_topics). */
static const char R_GHO_DISCOUNT[] = "not reproduced: GHO's stkAAVE discount (before 3.4), so "
				     "this borrower's GHO debt is overstated by it (README)";
static const char R_PENDING_LTV[] = "the LTV a frozen reserve gets back on unfreeze: "
				    "CollateralConfigurationChanged carries the one that applies";

struct ignored {
	enum aave_role role;
	const char *name;
	const char *signature;
	const char *reason;
	uint8_t topic0[32];
};

static struct ignored ignored[] = {
	/* Pool */
	{ROLE_POOL, "IsolationModeTotalDebtUpdated", "IsolationModeTotalDebtUpdated(address,uint256)",
	 R_ISO_DEBT, {0}},
	{ROLE_POOL, "MintedToTreasury", "MintedToTreasury(address,uint256)", R_CARRIED, {0}},
	{ROLE_POOL, "SwapBorrowRateMode", "SwapBorrowRateMode(address,address,uint8)", R_CARRIED, {0}},
	{ROLE_POOL, "RebalanceStableBorrowRate", "RebalanceStableBorrowRate(address,address)",
	 R_CARRIED, {0}},
	{ROLE_POOL, "MintUnbacked", "MintUnbacked(address,address,address,uint256,uint16)", R_CARRIED,
	 {0}},
	{ROLE_POOL, "BackUnbacked", "BackUnbacked(address,address,uint256,uint256)", R_FEES, {0}},
	{ROLE_POOL, "PositionManagerApproved", "PositionManagerApproved(address,address)", R_MANAGER,
	 {0}},
	{ROLE_POOL, "PositionManagerRevoked", "PositionManagerRevoked(address,address)", R_MANAGER,
	 {0}},
	/* PoolConfigurator */
	{ROLE_CONFIGURATOR, "ATokenUpgraded", "ATokenUpgraded(address,address,address)", R_IMPL, {0}},
	{ROLE_CONFIGURATOR, "VariableDebtTokenUpgraded",
	 "VariableDebtTokenUpgraded(address,address,address)", R_IMPL, {0}},
	{ROLE_CONFIGURATOR, "StableDebtTokenUpgraded",
	 "StableDebtTokenUpgraded(address,address,address)", R_IMPL, {0}},
	{ROLE_CONFIGURATOR, "Upgraded", "Upgraded(address)", R_IMPL, {0}},
	{ROLE_CONFIGURATOR, "ReserveInterestRateStrategyChanged",
	 "ReserveInterestRateStrategyChanged(address,address,address)", R_RATES, {0}},
	{ROLE_CONFIGURATOR, "ReserveInterestRateDataChanged",
	 "ReserveInterestRateDataChanged(address,address,bytes)", R_RATES, {0}},
	{ROLE_CONFIGURATOR, "BridgeProtocolFeeUpdated", "BridgeProtocolFeeUpdated(uint256,uint256)",
	 R_FEES, {0}},
	{ROLE_CONFIGURATOR, "UnbackedMintCapChanged",
	 "UnbackedMintCapChanged(address,uint256,uint256)", R_FEES, {0}},
	{ROLE_CONFIGURATOR, "FlashloanPremiumTotalUpdated",
	 "FlashloanPremiumTotalUpdated(uint128,uint128)", R_FEES, {0}},
	{ROLE_CONFIGURATOR, "FlashloanPremiumToProtocolUpdated",
	 "FlashloanPremiumToProtocolUpdated(uint128,uint128)", R_FEES, {0}},
	{ROLE_CONFIGURATOR, "LiquidationGracePeriodChanged",
	 "LiquidationGracePeriodChanged(address,uint40)", R_FEES, {0}},
	{ROLE_CONFIGURATOR, "LiquidationGracePeriodDisabled",
	 "LiquidationGracePeriodDisabled(address)", R_FEES, {0}},
	{ROLE_CONFIGURATOR, "PendingLtvChanged", "PendingLtvChanged(address,uint256)",
	 R_PENDING_LTV, {0}},
	/* PoolAddressesProvider */
	{ROLE_PROVIDER, "ACLAdminUpdated", "ACLAdminUpdated(address,address)", R_ADMIN, {0}},
	{ROLE_PROVIDER, "ACLManagerUpdated", "ACLManagerUpdated(address,address)", R_ADMIN, {0}},
	{ROLE_PROVIDER, "AddressSet", "AddressSet(bytes32,address,address)", R_ADMIN, {0}},
	{ROLE_PROVIDER, "AddressSetAsProxy", "AddressSetAsProxy(bytes32,address,address,address)",
	 R_ADMIN, {0}},
	{ROLE_PROVIDER, "MarketIdSet", "MarketIdSet(string,string)", R_ADMIN, {0}},
	{ROLE_PROVIDER, "OwnershipTransferred", "OwnershipTransferred(address,address)", R_ADMIN,
	 {0}},
	{ROLE_PROVIDER, "PoolConfiguratorUpdated", "PoolConfiguratorUpdated(address,address)",
	 R_IMPL, {0}},
	{ROLE_PROVIDER, "PoolDataProviderUpdated", "PoolDataProviderUpdated(address,address)",
	 R_ADMIN, {0}},
	{ROLE_PROVIDER, "PriceOracleSentinelUpdated", "PriceOracleSentinelUpdated(address,address)",
	 R_FEES, {0}},
	{ROLE_PROVIDER, "ProxyCreated", "ProxyCreated(bytes32,address,address)", R_ADMIN, {0}},
	/* aTokens and debt tokens (and their proxies) */
	{ROLE_TOKEN, "Transfer", "Transfer(address,address,uint256)", R_ERC20, {0}},
	{ROLE_TOKEN, "Approval", "Approval(address,address,uint256)", R_ALLOWANCE, {0}},
	{ROLE_TOKEN, "BorrowAllowanceDelegated",
	 "BorrowAllowanceDelegated(address,address,address,uint256)", R_ALLOWANCE, {0}},
	{ROLE_TOKEN, "DelegateChanged", "DelegateChanged(address,address,uint8)", R_ALLOWANCE, {0}},
	{ROLE_TOKEN, "Upgraded", "Upgraded(address)", R_IMPL, {0}},
	{ROLE_TOKEN, "Initialized", "Initialized(address,address,address,uint8,string,string,bytes)",
	 R_DEBT_INIT, {0}},
	/* GHO's aToken and variable debt token (Ethereum Core, before 3.4) */
	{ROLE_TOKEN, "DiscountPercentUpdated", "DiscountPercentUpdated(address,uint256,uint256)",
	 R_GHO_DISCOUNT, {0}},
	{ROLE_TOKEN, "DiscountRateStrategyUpdated", "DiscountRateStrategyUpdated(address,address)",
	 R_GHO, {0}},
	{ROLE_TOKEN, "DiscountTokenUpdated", "DiscountTokenUpdated(address,address)", R_GHO, {0}},
	{ROLE_TOKEN, "ATokenSet", "ATokenSet(address)", R_GHO, {0}},
	{ROLE_TOKEN, "VariableDebtTokenSet", "VariableDebtTokenSet(address)", R_GHO, {0}},
	{ROLE_TOKEN, "GhoTreasuryUpdated", "GhoTreasuryUpdated(address,address)", R_GHO, {0}},
};

#define N_IGNORED (sizeof(ignored) / sizeof(ignored[0]))

static void init_ignored(void)
{
	/* idempotent, like aave_events_init: the same bytes each time */
	for (size_t i = 0; i < N_IGNORED; i++)
		lx_keccak256(ignored[i].topic0, ignored[i].signature, strlen(ignored[i].signature));
}

void aave_classify_role(enum aave_role role, int token_kind, const struct lx_log *log,
			struct lx_log_class *out)
{
	memset(out, 0, sizeof(*out));
	aave_events_init();
	init_ignored();
	out->fate = LX_LOG_UNKNOWN;
	if (log->n_topics == 0)
		return; /* no Aave event is anonymous */
	const uint8_t *t0 = log->topics[0];
	for (int i = 0; i < EV_COUNT; i++) {
		const struct aave_event_def *ev = &aave_events[i];
		if (ev->role != role || memcmp(ev->topic0, t0, 32) != 0)
			continue;
		if (role == ROLE_TOKEN) {
			/* what on_token reads for this kind of token */
			bool stable_ev = ev->id == EV_STABLE_MINT || ev->id == EV_STABLE_BURN;
			if (stable_ev != (token_kind == AAVE_STOKEN))
				continue;
			if (ev->id == EV_ATOKEN_INITIALIZED && token_kind != AAVE_ATOKEN)
				continue;
		}
		out->fate = LX_LOG_APPLIED;
		out->event = ev->name;
		return;
	}
	for (size_t i = 0; i < N_IGNORED; i++)
		if (ignored[i].role == role && memcmp(ignored[i].topic0, t0, 32) == 0) {
			out->fate = LX_LOG_IGNORED;
			out->event = ignored[i].name;
			out->reason = ignored[i].reason;
			return;
		}
}

void aave_classify(const struct lx_proto *p, const struct lx_log *log, struct lx_log_class *out)
{
	const struct aave *a = (const struct aave *)p;
	memset(out, 0, sizeof(*out));
	const struct aave_token *tk = aave_find_token(a, &log->address);
	if (tk)
		aave_classify_role(ROLE_TOKEN, tk->kind, log, out);
	else if (lx_addr_eq(&log->address, &a->pool))
		aave_classify_role(ROLE_POOL, 0, log, out);
	else if (lx_addr_eq(&log->address, &a->configurator))
		aave_classify_role(ROLE_CONFIGURATOR, 0, log, out);
	else if (a->have_provider && lx_addr_eq(&log->address, &a->provider))
		aave_classify_role(ROLE_PROVIDER, 0, log, out);
}

size_t aave_surfaced_topics(uint8_t (*out)[32], size_t cap)
{
	init_ignored();
	size_t n = 0;
	for (size_t i = 0; i < N_IGNORED; i++)
		if (ignored[i].reason == R_GHO_DISCOUNT && n < cap)
			memcpy(out[n++], ignored[i].topic0, 32);
	return n;
}
