/*
 * events.c: the Aave V2 events the handler interprets (LendingPool, its configurator, the
 * aToken / variable / stable debt tokens, the addresses provider), in the V3 handler's table
 * layout so one strict reader (proto/aave/events.c) decodes both. Signatures are checked
 * against abi/json/aave_v2/ (the npm @aave/protocol-v2 1.0.1 artifacts) by test_aave_v2.
 */
#include <string.h>

#include "v2.h"
#include "lendex/keccak.h"

#define I 1
#define N 0
#define AAVE_ARGS(...) {__VA_ARGS__}
#define EV(id, role, name, sig, n, args, idx) {0, role, name, sig, n, args, idx, {0}}

struct aave_event_def v2_events[V2_EV_COUNT] = {
	[V2_RESERVE_DATA_UPDATED] = EV(0, ROLE_POOL, "ReserveDataUpdated",
		"ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)", 6,
		AAVE_ARGS(A_ADDR, A_U256, A_U256, A_U256, A_U256, A_U256), AAVE_ARGS(I, N, N, N, N, N)),
	[V2_DEPOSIT] = EV(0, ROLE_POOL, "Deposit", "Deposit(address,address,address,uint256,uint16)",
		5, AAVE_ARGS(A_ADDR, A_ADDR, A_ADDR, A_U256, A_U16), AAVE_ARGS(I, N, I, N, I)),
	[V2_WITHDRAW] = EV(0, ROLE_POOL, "Withdraw", "Withdraw(address,address,address,uint256)", 4,
		AAVE_ARGS(A_ADDR, A_ADDR, A_ADDR, A_U256), AAVE_ARGS(I, I, I, N)),
	[V2_BORROW] = EV(0, ROLE_POOL, "Borrow",
		"Borrow(address,address,address,uint256,uint256,uint256,uint16)", 7,
		AAVE_ARGS(A_ADDR, A_ADDR, A_ADDR, A_U256, A_U256, A_U256, A_U16),
		AAVE_ARGS(I, N, I, N, N, N, I)),
	[V2_REPAY] = EV(0, ROLE_POOL, "Repay", "Repay(address,address,address,uint256)", 4,
		AAVE_ARGS(A_ADDR, A_ADDR, A_ADDR, A_U256), AAVE_ARGS(I, I, I, N)),
	[V2_SWAP] = EV(0, ROLE_POOL, "Swap", "Swap(address,address,uint256)", 3,
		AAVE_ARGS(A_ADDR, A_ADDR, A_U256), AAVE_ARGS(I, I, N)),
	[V2_REBALANCE] = EV(0, ROLE_POOL, "RebalanceStableBorrowRate",
		"RebalanceStableBorrowRate(address,address)", 2, AAVE_ARGS(A_ADDR, A_ADDR),
		AAVE_ARGS(I, I)),
	[V2_COLL_ENABLED] = EV(0, ROLE_POOL, "ReserveUsedAsCollateralEnabled",
		"ReserveUsedAsCollateralEnabled(address,address)", 2, AAVE_ARGS(A_ADDR, A_ADDR),
		AAVE_ARGS(I, I)),
	[V2_COLL_DISABLED] = EV(0, ROLE_POOL, "ReserveUsedAsCollateralDisabled",
		"ReserveUsedAsCollateralDisabled(address,address)", 2, AAVE_ARGS(A_ADDR, A_ADDR),
		AAVE_ARGS(I, I)),
	[V2_LIQUIDATION_CALL] = EV(0, ROLE_POOL, "LiquidationCall",
		"LiquidationCall(address,address,address,uint256,uint256,address,bool)", 7,
		AAVE_ARGS(A_ADDR, A_ADDR, A_ADDR, A_U256, A_U256, A_ADDR, A_BOOL),
		AAVE_ARGS(I, I, I, N, N, N, N)),
	[V2_FLASH_LOAN] = EV(0, ROLE_POOL, "FlashLoan",
		"FlashLoan(address,address,address,uint256,uint256,uint16)", 6,
		AAVE_ARGS(A_ADDR, A_ADDR, A_ADDR, A_U256, A_U256, A_U16), AAVE_ARGS(I, I, I, N, N, N)),
	[V2_A_MINT] = EV(0, ROLE_TOKEN, "Mint", "Mint(address,uint256,uint256)", 3,
		AAVE_ARGS(A_ADDR, A_U256, A_U256), AAVE_ARGS(I, N, N)),
	[V2_A_BURN] = EV(0, ROLE_TOKEN, "Burn", "Burn(address,address,uint256,uint256)", 4,
		AAVE_ARGS(A_ADDR, A_ADDR, A_U256, A_U256), AAVE_ARGS(I, I, N, N)),
	[V2_BALANCE_TRANSFER] = EV(0, ROLE_TOKEN, "BalanceTransfer",
		"BalanceTransfer(address,address,uint256,uint256)", 4,
		AAVE_ARGS(A_ADDR, A_ADDR, A_U256, A_U256), AAVE_ARGS(I, I, N, N)),
	[V2_V_MINT] = EV(0, ROLE_TOKEN, "Mint", "Mint(address,address,uint256,uint256)", 4,
		AAVE_ARGS(A_ADDR, A_ADDR, A_U256, A_U256), AAVE_ARGS(I, I, N, N)),
	[V2_V_BURN] = EV(0, ROLE_TOKEN, "Burn", "Burn(address,uint256,uint256)", 3,
		AAVE_ARGS(A_ADDR, A_U256, A_U256), AAVE_ARGS(I, N, N)),
	[V2_S_MINT] = EV(0, ROLE_TOKEN, "Mint",
		"Mint(address,address,uint256,uint256,uint256,uint256,uint256,uint256)", 8,
		AAVE_ARGS(A_ADDR, A_ADDR, A_U256, A_U256, A_U256, A_U256, A_U256, A_U256),
		AAVE_ARGS(I, I, N, N, N, N, N, N)),
	[V2_S_BURN] = EV(0, ROLE_TOKEN, "Burn",
		"Burn(address,uint256,uint256,uint256,uint256,uint256)", 6,
		AAVE_ARGS(A_ADDR, A_U256, A_U256, A_U256, A_U256, A_U256), AAVE_ARGS(I, N, N, N, N, N)),
	[V2_RESERVE_INITIALIZED] = EV(0, ROLE_CONFIGURATOR, "ReserveInitialized",
		"ReserveInitialized(address,address,address,address,address)", 5,
		AAVE_ARGS(A_ADDR, A_ADDR, A_ADDR, A_ADDR, A_ADDR), AAVE_ARGS(I, I, N, N, N)),
	[V2_COLLATERAL_CONFIG] = EV(0, ROLE_CONFIGURATOR, "CollateralConfigurationChanged",
		"CollateralConfigurationChanged(address,uint256,uint256,uint256)", 4,
		AAVE_ARGS(A_ADDR, A_U256, A_U256, A_U256), AAVE_ARGS(I, N, N, N)),
	[V2_BORROWING_ENABLED] = EV(0, ROLE_CONFIGURATOR, "BorrowingEnabledOnReserve",
		"BorrowingEnabledOnReserve(address,bool)", 2, AAVE_ARGS(A_ADDR, A_BOOL),
		AAVE_ARGS(I, N)),
	[V2_BORROWING_DISABLED] = EV(0, ROLE_CONFIGURATOR, "BorrowingDisabledOnReserve",
		"BorrowingDisabledOnReserve(address)", 1, AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
	[V2_STABLE_ENABLED] = EV(0, ROLE_CONFIGURATOR, "StableRateEnabledOnReserve",
		"StableRateEnabledOnReserve(address)", 1, AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
	[V2_STABLE_DISABLED] = EV(0, ROLE_CONFIGURATOR, "StableRateDisabledOnReserve",
		"StableRateDisabledOnReserve(address)", 1, AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
	[V2_ACTIVATED] = EV(0, ROLE_CONFIGURATOR, "ReserveActivated", "ReserveActivated(address)", 1,
		AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
	[V2_DEACTIVATED] = EV(0, ROLE_CONFIGURATOR, "ReserveDeactivated",
		"ReserveDeactivated(address)", 1, AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
	[V2_FROZEN] = EV(0, ROLE_CONFIGURATOR, "ReserveFrozen", "ReserveFrozen(address)", 1,
		AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
	[V2_UNFROZEN] = EV(0, ROLE_CONFIGURATOR, "ReserveUnfrozen", "ReserveUnfrozen(address)", 1,
		AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
	[V2_RESERVE_FACTOR] = EV(0, ROLE_CONFIGURATOR, "ReserveFactorChanged",
		"ReserveFactorChanged(address,uint256)", 2, AAVE_ARGS(A_ADDR, A_U256), AAVE_ARGS(I, N)),
	[V2_DECIMALS] = EV(0, ROLE_CONFIGURATOR, "ReserveDecimalsChanged",
		"ReserveDecimalsChanged(address,uint256)", 2, AAVE_ARGS(A_ADDR, A_U256),
		AAVE_ARGS(I, N)),
	[V2_ORACLE_UPDATED] = EV(0, ROLE_PROVIDER, "PriceOracleUpdated",
		"PriceOracleUpdated(address)", 1, AAVE_ARGS(A_ADDR), AAVE_ARGS(I)),
};

#undef I
#undef N
#undef EV
#undef AAVE_ARGS

void v2_events_init(void)
{
	for (int i = 0; i < V2_EV_COUNT; i++)
		lx_keccak256(v2_events[i].topic0, v2_events[i].signature,
			     strlen(v2_events[i].signature));
}
