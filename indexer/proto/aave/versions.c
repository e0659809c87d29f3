/*
 * versions.c: the per-version rules table of Aave V3 (see versions.h). Sources: aave-v3-origin
 * at each release tag (docs/3.x features; PoolInstance.POOL_REVISION; GenericLogic,
 * TokenMath, MathUtils, LiquidationLogic) and aave-v3-core for 3.0.x;
 * ../shared/aave-v3-origin/README.md summarises them. Each row lists only what differs from
 * the 3.0 behaviour (BASE).
 */
#include <stddef.h>

#include "versions.h"
#include "lendex/model.h"

#define BASE                                                                                   \
	.scaled_transfer = true, .stable_debt = true, .emode_price_source = true,             \
	.collateral_on_receive = true, .isolation_mode = true, .collateral_needs_lt = true,   \
	.rounding = AAVE_ROUND_HALF_UP, .close_factor = AAVE_CF_PER_RESERVE,                  \
	.compound = AAVE_COMPOUND_V30, .health_method = LX_HEALTH_AAVE_V3

/* 3.2: stable debt and e-mode oracles gone, liquid e-mode bitmaps */
#define V32 BASE, .stable_debt = false, .emode_price_source = false, .emode_bitmaps = true
/* 3.3: deficit, position-wide close factor, leftover rule */
#define V33                                                                                    \
	V32, .deficit = true, .close_factor = AAVE_CF_POSITION, .min_leftover_base_units = 1000,  \
	     .full_close_base_units = 2000
/* 3.4: precise compound interest */
#define V34 V33, .compound = AAVE_COMPOUND_PRECISE
/* 3.5: directional rounding, Mint/Burn values are balance differences */
#define V35                                                                                    \
	V34, .rounding = AAVE_ROUND_DIRECTIONAL, .health_method = LX_HEALTH_AAVE_V35,          \
	     .liq_collateral_state = true
/* 3.6: LTV-zero bitmap, no collateral on receive, flagged supply counts without LT check */
#define V36                                                                                    \
	V35, .emode_ltvzero = true, .collateral_on_receive = false,                              \
	     .collateral_needs_lt = false, .health_method = LX_HEALTH_AAVE_V36
/* 3.7: isolated e-mode, no isolation mode, liquidation rounding (scaled "no collateral left",
 * bonus down, fee up) */
#define V37                                                                                    \
	V36, .emode_isolated = true, .isolation_mode = false, .scaled_no_collateral = true,   \
	     .liq_bonus_floor = true

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
static const struct aave_rules table[] = {
	/* 3.0.0 (revision 1 on the first L2 deployments): BalanceTransfer carried the unscaled
	 * amount. Only chosen when chains/ says 3.0.0: revision 1 is also 3.0.1 (Ethereum) and
	 * the npm 3.0.2 package. */
	{.version = "3.0.0", .major = 3, .pool_revision = 1, BASE, .scaled_transfer = false},
	{.version = "3.0.2", .major = 3, .patch = 2, .pool_revision = 1, BASE},
	{.version = "3.1.0", .major = 3, .minor = 1, .pool_revision = 4, BASE},
	{.version = "3.2.0", .major = 3, .minor = 2, .pool_revision = 5, V32},
	/* 3.2.1: Pool.sol gained a view, no accounting change */
	{.version = "3.2.1", .major = 3, .minor = 2, .patch = 1, .pool_revision = 6, V32},
	{.version = "3.3.0", .major = 3, .minor = 3, .pool_revision = 7, V33},
	{.version = "3.4.0", .major = 3, .minor = 4, .pool_revision = 8, V34},
	{.version = "3.5.0", .major = 3, .minor = 5, .pool_revision = 9, V35},
	{.version = "3.6.0", .major = 3, .minor = 6, .pool_revision = 10, V36},
	{.version = "3.7.0", .major = 3, .minor = 7, .pool_revision = 11, V37},
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#define N_ROWS (sizeof(table) / sizeof(table[0]))

const struct aave_rules *aave_rules_by_version(int major, int minor, int patch)
{
	if (major == 3 && minor == 0 && patch == 1)
		patch = 2; /* 3.0.1 and 3.0.2 differ in nothing an indexer sees */
	for (size_t i = 0; i < N_ROWS; i++)
		if (table[i].major == major && table[i].minor == minor && table[i].patch == patch)
			return &table[i];
	return NULL;
}

const struct aave_rules *aave_rules_by_revision(uint32_t rev, const struct aave_rules *hint)
{
	if (rev >= 1 && rev <= 3) {
		/* 3.0.x: 1 = 3.0.0 or a fresh 3.0.1/3.0.2 deployment, 2 and 3 = upgraded 3.0.1/3.0.2 */
		if (rev == 1 && hint && hint->minor == 0 && hint->patch == 0)
			return &table[0];
		return &table[1];
	}
	for (size_t i = 2; i < N_ROWS; i++)
		if (table[i].pool_revision == rev)
			return &table[i];
	return NULL;
}
