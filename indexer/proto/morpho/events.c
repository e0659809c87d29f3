/*
 * events.c: the Morpho Blue events (EventsLib of morpho-blue 1.0) and a strict reader for them.
 * One table drives the eth_getLogs filter and decoding; abi/json/morpho_blue/Morpho.json holds
 * the published ABI and a unit test checks every signature here against it. CreateMarket's
 * MarketParams tuple is static, so its five words sit in data in place (flattened here).
 * Indexed and non-indexed arguments interleave (Withdraw, Borrow, WithdrawCollateral have the
 * caller in data): each argument is read from where its own flag says.
 */
#include <string.h>

#include "morpho.h"
#include "lendex/keccak.h"

#define I 1
#define N 0

struct morpho_event_def morpho_events[MEV_COUNT] = {
	{MEV_CREATE_MARKET, "CreateMarket",
	 "CreateMarket(bytes32,(address,address,address,address,uint256))", 6,
	 {MA_B32, MA_ADDR, MA_ADDR, MA_ADDR, MA_ADDR, MA_U256}, {I, N, N, N, N, N},
	 {"id", "loanToken", "collateralToken", "oracle", "irm", "lltv"}, {0}},
	{MEV_SUPPLY, "Supply", "Supply(bytes32,address,address,uint256,uint256)", 5,
	 {MA_B32, MA_ADDR, MA_ADDR, MA_U256, MA_U256}, {I, I, I, N, N},
	 {"id", "caller", "onBehalf", "assets", "shares"}, {0}},
	{MEV_WITHDRAW, "Withdraw", "Withdraw(bytes32,address,address,address,uint256,uint256)", 6,
	 {MA_B32, MA_ADDR, MA_ADDR, MA_ADDR, MA_U256, MA_U256}, {I, N, I, I, N, N},
	 {"id", "caller", "onBehalf", "receiver", "assets", "shares"}, {0}},
	{MEV_BORROW, "Borrow", "Borrow(bytes32,address,address,address,uint256,uint256)", 6,
	 {MA_B32, MA_ADDR, MA_ADDR, MA_ADDR, MA_U256, MA_U256}, {I, N, I, I, N, N},
	 {"id", "caller", "onBehalf", "receiver", "assets", "shares"}, {0}},
	{MEV_REPAY, "Repay", "Repay(bytes32,address,address,uint256,uint256)", 5,
	 {MA_B32, MA_ADDR, MA_ADDR, MA_U256, MA_U256}, {I, I, I, N, N},
	 {"id", "caller", "onBehalf", "assets", "shares"}, {0}},
	{MEV_SUPPLY_COLLATERAL, "SupplyCollateral",
	 "SupplyCollateral(bytes32,address,address,uint256)", 4, {MA_B32, MA_ADDR, MA_ADDR, MA_U256},
	 {I, I, I, N}, {"id", "caller", "onBehalf", "assets"}, {0}},
	{MEV_WITHDRAW_COLLATERAL, "WithdrawCollateral",
	 "WithdrawCollateral(bytes32,address,address,address,uint256)", 5,
	 {MA_B32, MA_ADDR, MA_ADDR, MA_ADDR, MA_U256}, {I, N, I, I, N},
	 {"id", "caller", "onBehalf", "receiver", "assets"}, {0}},
	{MEV_LIQUIDATE, "Liquidate",
	 "Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)", 8,
	 {MA_B32, MA_ADDR, MA_ADDR, MA_U256, MA_U256, MA_U256, MA_U256, MA_U256},
	 {I, I, I, N, N, N, N, N},
	 {"id", "caller", "borrower", "repaidAssets", "repaidShares", "seizedAssets",
	  "badDebtAssets", "badDebtShares"},
	 {0}},
	{MEV_ACCRUE_INTEREST, "AccrueInterest", "AccrueInterest(bytes32,uint256,uint256,uint256)", 4,
	 {MA_B32, MA_U256, MA_U256, MA_U256}, {I, N, N, N},
	 {"id", "prevBorrowRate", "interest", "feeShares"}, {0}},
	{MEV_SET_FEE, "SetFee", "SetFee(bytes32,uint256)", 2, {MA_B32, MA_U256}, {I, N},
	 {"id", "newFee"}, {0}},
	{MEV_SET_FEE_RECIPIENT, "SetFeeRecipient", "SetFeeRecipient(address)", 1, {MA_ADDR}, {I},
	 {"newFeeRecipient"}, {0}},
	{MEV_FLASH_LOAN, "FlashLoan", "FlashLoan(address,address,uint256)", 3,
	 {MA_ADDR, MA_ADDR, MA_U256}, {I, I, N}, {"caller", "token", "assets"}, {0}},
	{MEV_SET_AUTHORIZATION, "SetAuthorization",
	 "SetAuthorization(address,address,address,bool)", 4, {MA_ADDR, MA_ADDR, MA_ADDR, MA_BOOL},
	 {I, I, I, N}, {"caller", "authorizer", "authorized", "newIsAuthorized"}, {0}},
	{MEV_INCREMENT_NONCE, "IncrementNonce", "IncrementNonce(address,address,uint256)", 3,
	 {MA_ADDR, MA_ADDR, MA_U256}, {I, I, N}, {"caller", "authorizer", "usedNonce"}, {0}},
	{MEV_SET_OWNER, "SetOwner", "SetOwner(address)", 1, {MA_ADDR}, {I}, {"newOwner"}, {0}},
	{MEV_ENABLE_IRM, "EnableIrm", "EnableIrm(address)", 1, {MA_ADDR}, {I}, {"irm"}, {0}},
	{MEV_ENABLE_LLTV, "EnableLltv", "EnableLltv(uint256)", 1, {MA_U256}, {N}, {"lltv"}, {0}},
};

#undef I
#undef N

void morpho_events_init(void)
{
	for (int i = 0; i < MEV_COUNT; i++)
		lx_keccak256(morpho_events[i].topic0, morpho_events[i].signature,
			     strlen(morpho_events[i].signature));
}

const struct morpho_event_def *morpho_event_of(const struct lx_log *log)
{
	if (log->n_topics == 0)
		return NULL;
	for (int i = 0; i < MEV_COUNT; i++)
		if (memcmp(morpho_events[i].topic0, log->topics[0], 32) == 0)
			return &morpho_events[i];
	return NULL;
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int morpho_event_decode(struct morpho_args *out, const struct morpho_event_def *def,
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
				    "morpho_blue: %s log %llu:%u: %u topics, the event has %d",
				    def->name, (unsigned long long)log->block, log->log_index,
				    log->n_topics, n_idx + 1);
	if (log->data_len != (size_t)n_data * 32)
		return lx_error_set(err, LX_ESHORT,
				    "morpho_blue: %s log %llu:%u: data is %zu bytes, the event has %d",
				    def->name, (unsigned long long)log->block, log->log_index,
				    log->data_len, n_data * 32);
	int t = 1, d = 0;
	for (int i = 0; i < def->n_args; i++) {
		const uint8_t *w = def->indexed[i] ? log->topics[t++] : log->data + 32 * (d++);
		size_t keep = 32;
		if (def->arg[i] == MA_ADDR)
			keep = 20;
		else if (def->arg[i] == MA_BOOL)
			keep = w[31] > 1 ? 0 : 1;
		if (keep == 0 || !zero(w, 32 - keep))
			return lx_error_set(err, LX_EPADDING,
					    "morpho_blue: %s log %llu:%u: argument %s is not "
					    "canonically padded",
					    def->name, (unsigned long long)log->block, log->log_index,
					    def->names[i]);
		lx_u256_from_be(&out->v[i], w);
		memcpy(out->b[i], w, 32);
		if (def->arg[i] == MA_ADDR)
			memcpy(out->a[i].b, w + 12, 20);
	}
	return 0;
}
