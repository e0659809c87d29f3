/*
 * versions.c: the per-version rules table of Aave V3 (see versions.h). Sources: aave-v3-origin
 * at each release tag (docs/3.x features, PoolInstance.POOL_REVISION) and aave-v3-core for
 * 3.0.x; ../shared/aave-v3-origin/README.md summarises them.
 */
#include <stddef.h>

#include "versions.h"

#define OLD false
#define NEW true

static const struct aave_rules table[] = {
	/* 3.0.0: BalanceTransfer carried the unscaled amount */
	{"3.0.0", 3, 0, 0, 1, OLD, NEW, NEW, OLD, OLD, OLD, OLD, NEW, OLD, NEW, AAVE_ROUND_HALF_UP,
	 AAVE_CF_PER_RESERVE, AAVE_COMPOUND_V30, 0, 0},
	{"3.0.2", 3, 0, 2, 2, NEW, NEW, NEW, OLD, OLD, OLD, OLD, NEW, OLD, NEW, AAVE_ROUND_HALF_UP,
	 AAVE_CF_PER_RESERVE, AAVE_COMPOUND_V30, 0, 0},
	{"3.1.0", 3, 1, 0, 4, NEW, NEW, NEW, OLD, OLD, OLD, OLD, NEW, OLD, NEW, AAVE_ROUND_HALF_UP,
	 AAVE_CF_PER_RESERVE, AAVE_COMPOUND_V30, 0, 0},
	{"3.2.0", 3, 2, 0, 5, NEW, OLD, OLD, NEW, OLD, OLD, OLD, NEW, OLD, NEW, AAVE_ROUND_HALF_UP,
	 AAVE_CF_PER_RESERVE, AAVE_COMPOUND_V30, 0, 0},
	{"3.3.0", 3, 3, 0, 7, NEW, OLD, OLD, NEW, OLD, OLD, NEW, NEW, OLD, NEW, AAVE_ROUND_HALF_UP,
	 AAVE_CF_POSITION, AAVE_COMPOUND_V30, 1000, 2000},
	{"3.4.0", 3, 4, 0, 8, NEW, OLD, OLD, NEW, OLD, OLD, NEW, NEW, OLD, NEW, AAVE_ROUND_HALF_UP,
	 AAVE_CF_POSITION, AAVE_COMPOUND_PRECISE, 1000, 2000},
	{"3.5.0", 3, 5, 0, 9, NEW, OLD, OLD, NEW, OLD, OLD, NEW, NEW, OLD, NEW,
	 AAVE_ROUND_DIRECTIONAL, AAVE_CF_POSITION, AAVE_COMPOUND_PRECISE, 1000, 2000},
	{"3.6.0", 3, 6, 0, 10, NEW, OLD, OLD, NEW, NEW, OLD, NEW, OLD, OLD, NEW,
	 AAVE_ROUND_DIRECTIONAL, AAVE_CF_POSITION, AAVE_COMPOUND_PRECISE, 1000, 2000},
	{"3.7.0", 3, 7, 0, 11, NEW, OLD, OLD, NEW, NEW, NEW, NEW, OLD, NEW, OLD,
	 AAVE_ROUND_DIRECTIONAL, AAVE_CF_POSITION, AAVE_COMPOUND_PRECISE, 1000, 2000},
};

#undef OLD
#undef NEW

#define N_ROWS (sizeof(table) / sizeof(table[0]))

const struct aave_rules *aave_rules_by_revision(uint32_t rev)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (table[i].pool_revision == rev)
			return &table[i];
	return NULL;
}

const struct aave_rules *aave_rules_by_version(int major, int minor, int patch)
{
	if (major == 3 && minor == 0 && patch == 1)
		patch = 2; /* 3.0.1 and 3.0.2 differ in nothing an indexer sees */
	for (size_t i = 0; i < N_ROWS; i++)
		if (table[i].major == major && table[i].minor == minor && table[i].patch == patch)
			return &table[i];
	return NULL;
}
