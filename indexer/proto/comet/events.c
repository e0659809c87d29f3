/*
 * events.c: the Comet event table (CometMainInterface, CometExt's Transfer, the proxy's
 * Upgraded) and its strict log reader. Every argument is a static word, so a log either has
 * exactly the layout of its event or is an error naming it.
 */
#include <string.h>

#include "comet.h"
#include "lendex/keccak.h"

#define A true
#define U false
#define I true
#define D false

struct comet_event_def comet_events[CE_COUNT] = {
	[CE_SUPPLY] = {"Supply", "Supply(address,address,uint256)", 3,
		       {"from", "dst", "amount"}, {A, A, U}, {I, I, D}, {0}},
	[CE_TRANSFER] = {"Transfer", "Transfer(address,address,uint256)", 3,
			 {"from", "to", "amount"}, {A, A, U}, {I, I, D}, {0}},
	[CE_WITHDRAW] = {"Withdraw", "Withdraw(address,address,uint256)", 3,
			 {"src", "to", "amount"}, {A, A, U}, {I, I, D}, {0}},
	[CE_SUPPLY_COLLATERAL] = {"SupplyCollateral",
				  "SupplyCollateral(address,address,address,uint256)", 4,
				  {"from", "dst", "asset", "amount"}, {A, A, A, U}, {I, I, I, D},
				  {0}},
	[CE_TRANSFER_COLLATERAL] = {"TransferCollateral",
				    "TransferCollateral(address,address,address,uint256)", 4,
				    {"from", "to", "asset", "amount"}, {A, A, A, U}, {I, I, I, D},
				    {0}},
	[CE_WITHDRAW_COLLATERAL] = {"WithdrawCollateral",
				    "WithdrawCollateral(address,address,address,uint256)", 4,
				    {"src", "to", "asset", "amount"}, {A, A, A, U}, {I, I, I, D},
				    {0}},
	[CE_ABSORB_DEBT] = {"AbsorbDebt", "AbsorbDebt(address,address,uint256,uint256)", 4,
			    {"absorber", "borrower", "basePaidOut", "usdValue"}, {A, A, U, U},
			    {I, I, D, D}, {0}},
	[CE_ABSORB_COLLATERAL] = {"AbsorbCollateral",
				  "AbsorbCollateral(address,address,address,uint256,uint256)", 5,
				  {"absorber", "borrower", "asset", "collateralAbsorbed", "usdValue"},
				  {A, A, A, U, U}, {I, I, I, D, D}, {0}},
	[CE_BUY_COLLATERAL] = {"BuyCollateral", "BuyCollateral(address,address,uint256,uint256)",
			       4, {"buyer", "asset", "baseAmount", "collateralAmount"},
			       {A, A, U, U}, {I, I, D, D}, {0}},
	[CE_WITHDRAW_RESERVES] = {"WithdrawReserves", "WithdrawReserves(address,uint256)", 2,
				  {"to", "amount"}, {A, U}, {I, D}, {0}},
	[CE_UPGRADED] = {"Upgraded", "Upgraded(address)", 1, {"implementation"}, {A}, {I}, {0}},
};

void comet_events_init(void)
{
	for (int i = 0; i < CE_COUNT; i++)
		lx_keccak256(comet_events[i].topic0, comet_events[i].signature,
			     strlen(comet_events[i].signature));
}

int comet_event_find(const uint8_t topic0[32])
{
	for (int i = 0; i < CE_COUNT; i++)
		if (memcmp(comet_events[i].topic0, topic0, 32) == 0)
			return i;
	return -1;
}

static bool word_is_addr(const uint8_t w[32])
{
	for (int i = 0; i < 12; i++)
		if (w[i])
			return false;
	return true;
}

int comet_event_decode(struct comet_args *out, int ev, const uint8_t (*topics)[32],
		       size_t n_topics, const uint8_t *data, size_t data_len, uint64_t block,
		       uint32_t log_index, struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	if (ev < 0 || ev >= CE_COUNT)
		return lx_error_set(err, LX_EINVAL, "compound_v3: no such event %d", ev);
	const struct comet_event_def *d = &comet_events[ev];
	size_t n_idx = 0;
	for (int i = 0; i < d->n; i++)
		n_idx += d->indexed[i];
	if (n_topics != 1 + n_idx)
		return lx_error_set(err, LX_ETOPICS,
				    "compound_v3: cannot decode %s log %u in block %llu: %zu topics, "
				    "the event has %zu",
				    d->name, log_index, (unsigned long long)block, n_topics, 1 + n_idx);
	if (data_len != 32 * (d->n - n_idx))
		return lx_error_set(err, data_len < 32 * (d->n - n_idx) ? LX_ESHORT : LX_ELENGTH,
				    "compound_v3: cannot decode %s log %u in block %llu: data is %zu "
				    "bytes, the event has %zu",
				    d->name, log_index, (unsigned long long)block, data_len,
				    32 * (d->n - n_idx));
	size_t t = 1, w = 0;
	for (int i = 0; i < d->n; i++) {
		const uint8_t *word = d->indexed[i] ? topics[t++] : data + 32 * w++;
		if (d->addr[i]) {
			if (!word_is_addr(word))
				return lx_error_set(err, LX_EPADDING,
						    "compound_v3: cannot decode %s log %u in block "
						    "%llu: %s is not an address (non-zero high bytes)",
						    d->name, log_index, (unsigned long long)block,
						    d->names[i]);
			memcpy(out->a[i].b, word + 12, 20);
		} else {
			lx_u256_from_be(&out->u[i], word);
		}
	}
	out->ev = ev;
	return 0;
}
