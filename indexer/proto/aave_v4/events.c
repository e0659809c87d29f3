/*
 * events.c: the Hub and Spoke events of aave-v4 v0.5.11 that move state, and their strict
 * reader. Every parameter is static (tuples of static types are inline), so a log is a fixed
 * number of topics and data words; anything else is refused naming the log.
 */
#include <string.h>

#include "lendex/keccak.h"
#include "v4.h"

struct v4_event_def v4_events[V4_EV_COUNT] = {
	{H_ADD, V4_HUB, "Add(uint256,address,uint256,uint256)", 2, 2, {0}, {0}},
	{H_ADD_ASSET, V4_HUB, "AddAsset(uint256,address,uint8)", 2, 1, {0}, {0}},
	{H_ADD_SPOKE, V4_HUB, "AddSpoke(uint256,address)", 2, 0, {0}, {0}},
	{H_DRAW, V4_HUB, "Draw(uint256,address,uint256,uint256)", 2, 2, {0}, {0}},
	{H_ELIMINATE_DEFICIT, V4_HUB, "EliminateDeficit(uint256,address,address,uint256,uint256)", 3,
	 2, {0}, {0}},
	{H_MINT_FEE_SHARES, V4_HUB, "MintFeeShares(uint256,address,uint256,uint256)", 2, 2, {0}, {0}},
	{H_RECLAIM, V4_HUB, "Reclaim(uint256,address,uint256)", 2, 1, {0}, {0}},
	{H_REFRESH_PREMIUM, V4_HUB, "RefreshPremium(uint256,address,(int256,int256,uint256))", 2, 3,
	 {0}, {0}},
	{H_REMOVE, V4_HUB, "Remove(uint256,address,uint256,uint256)", 2, 2, {0}, {0}},
	{H_REPORT_DEFICIT, V4_HUB,
	 "ReportDeficit(uint256,address,uint256,(int256,int256,uint256),uint256)", 2, 5, {0}, {0}},
	{H_RESTORE, V4_HUB,
	 "Restore(uint256,address,uint256,(int256,int256,uint256),uint256,uint256)", 2, 6, {0}, {0}},
	{H_SWEEP, V4_HUB, "Sweep(uint256,address,uint256)", 2, 1, {0}, {0}},
	{H_TRANSFER_SHARES, V4_HUB, "TransferShares(uint256,address,address,uint256)", 3, 1, {0}, {0}},
	{H_UPDATE_ASSET, V4_HUB, "UpdateAsset(uint256,uint256,uint256,uint256)", 1, 3, {0}, {0}},
	{H_UPDATE_ASSET_CONFIG, V4_HUB, "UpdateAssetConfig(uint256,(address,uint16,address,address))",
	 1, 4, {0}, {0}},
	{S_ADD_DYN, V4_SPOKE, "AddDynamicReserveConfig(uint256,uint32,(uint16,uint32,uint16))", 2, 3,
	 {0}, {0}},
	{S_ADD_RESERVE, V4_SPOKE, "AddReserve(uint256,uint256,address)", 3, 0, {0}, {0}},
	{S_BORROW, V4_SPOKE, "Borrow(uint256,address,address,uint256,uint256)", 3, 2, {0}, {0}},
	{S_LIQUIDATION, V4_SPOKE,
	 "LiquidationCall(uint256,uint256,address,address,bool,uint256,uint256,(int256,int256,uint256),"
	 "uint256,uint256,uint256)",
	 3, 10, {0}, {0}},
	{S_REFRESH_ALL, V4_SPOKE, "RefreshAllUserDynamicConfig(address)", 1, 0, {0}, {0}},
	{S_REFRESH_PREMIUM_DEBT, V4_SPOKE, "RefreshPremiumDebt(uint256,address,(int256,int256,uint256))",
	 2, 3, {0}, {0}},
	{S_REFRESH_SINGLE, V4_SPOKE, "RefreshSingleUserDynamicConfig(address,uint256)", 1, 1, {0}, {0}},
	{S_REPAY, V4_SPOKE, "Repay(uint256,address,address,uint256,uint256,(int256,int256,uint256))", 3,
	 5, {0}, {0}},
	{S_REPORT_DEFICIT, V4_SPOKE, "ReportDeficit(uint256,address,uint256,(int256,int256,uint256))",
	 2, 4, {0}, {0}},
	{S_SET_IMMUTABLES, V4_SPOKE, "SetSpokeImmutables(address,uint16)", 1, 1, {0}, {0}},
	{S_SET_COLLATERAL, V4_SPOKE, "SetUsingAsCollateral(uint256,address,address,bool)", 3, 1, {0}, {0}},
	{S_SUPPLY, V4_SPOKE, "Supply(uint256,address,address,uint256,uint256)", 3, 2, {0}, {0}},
	{S_UPDATE_DYN, V4_SPOKE, "UpdateDynamicReserveConfig(uint256,uint32,(uint16,uint32,uint16))",
	 2, 3, {0}, {0}},
	{S_UPDATE_LIQ_CONFIG, V4_SPOKE, "UpdateLiquidationConfig((uint128,uint64,uint16))", 0, 3, {0}, {0}},
	{S_UPDATE_RESERVE_CONFIG, V4_SPOKE, "UpdateReserveConfig(uint256,(uint24,bool,bool,bool,bool))",
	 1, 5, {0}, {0}},
	{S_UPDATE_USER_RP, V4_SPOKE, "UpdateUserRiskPremium(address,uint256)", 1, 1, {0}, {0}},
	{S_WITHDRAW, V4_SPOKE, "Withdraw(uint256,address,address,uint256,uint256)", 3, 2, {0}, {0}},
};

void v4_events_init(void)
{
	static int done;
	if (done)
		return;
	for (int i = 0; i < V4_EV_COUNT; i++) {
		lx_keccak256(v4_events[i].topic0, v4_events[i].signature,
			     strlen(v4_events[i].signature));
		size_t nl = strcspn(v4_events[i].signature, "(");
		if (nl >= sizeof(v4_events[i].name))
			nl = sizeof(v4_events[i].name) - 1;
		memcpy(v4_events[i].name, v4_events[i].signature, nl);
		v4_events[i].name[nl] = 0;
	}
	lx_keccak256(v4_upgraded_topic0, "Upgraded(address)", strlen("Upgraded(address)"));
	done = 1;
}

const struct v4_event_def *v4_event_find(const struct lx_log *log, int role)
{
	if (log->n_topics == 0)
		return NULL;
	for (int i = 0; i < V4_EV_COUNT; i++)
		if (v4_events[i].role == role && memcmp(v4_events[i].topic0, log->topics[0], 32) == 0)
			return &v4_events[i];
	return NULL;
}

int v4_event_words(struct lx_u256 *w, const struct v4_event_def *ev, const struct lx_log *log,
		   struct lx_error *err)
{
	char name[48];
	size_t nl = strcspn(ev->signature, "(");
	if (nl >= sizeof(name))
		nl = sizeof(name) - 1;
	memcpy(name, ev->signature, nl);
	name[nl] = 0;
	if (log->n_topics != 1 + ev->n_indexed)
		return lx_error_set(err, LX_ETOPICS,
				    "aave_v4: %s log %u in block %llu has %u topics, expected %d", name,
				    log->log_index, (unsigned long long)log->block, log->n_topics,
				    1 + ev->n_indexed);
	if (log->data_len != (size_t)ev->n_data * 32)
		return lx_error_set(err, LX_ESHORT,
				    "aave_v4: %s log %u in block %llu has %zu data bytes, expected %d",
				    name, log->log_index, (unsigned long long)log->block, log->data_len,
				    ev->n_data * 32);
	int k = 0;
	for (int i = 0; i < ev->n_indexed; i++)
		lx_u256_from_be(&w[k++], log->topics[1 + i]);
	for (int i = 0; i < ev->n_data; i++)
		lx_u256_from_be(&w[k++], log->data + 32 * i);
	return 0;
}
