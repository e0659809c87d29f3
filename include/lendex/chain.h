/*
 * chain.h: chain and deployment configs (chains/<name>.json, format in docs/chains.md).
 *
 * Configs are data: a chain id, sync defaults, and the protocol deployments on it with their
 * contract addresses, version and start block. Everything that differs between Ethereum, an L2
 * and the local devnet lives there, not in code.
 */
#ifndef LENDEX_CHAIN_H
#define LENDEX_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "lendex/err.h"
#include "lendex/hex.h"

#define LX_CHAIN_MAX_DEPLOYMENTS 16
#define LX_DEP_MAX_CONTRACTS 32
#define LX_DEP_MAX_GROUPS 16
#define LX_DEP_MAX_GROUP_ASSETS 64
#define LX_DEP_MAX_DEPTHS 64

struct lx_contract {
	char role[32];              /* "pool", "pool_configurator", "oracle", ... */
	struct lx_addr addr;
};

struct lx_group {
	char name[24];              /* "eth", "usd", ... ; id = index + 1 */
	size_t n;
	struct lx_addr assets[LX_DEP_MAX_GROUP_ASSETS];
};

struct lx_depth {
	struct lx_addr asset;
	double base_per_pct;        /* base-currency units per 1% price move */
};

struct lx_deployment {
	char name[64];              /* unique: "aave-v3-ethereum" */
	uint32_t protocol;          /* enum lx_protocol */
	char version[16];           /* "3.0.2" */
	int ver_major, ver_minor, ver_patch;
	uint64_t start_block;
	unsigned base_decimals;
	size_t n_contracts;
	struct lx_contract contracts[LX_DEP_MAX_CONTRACTS];
	size_t n_groups;
	struct lx_group groups[LX_DEP_MAX_GROUPS];
	size_t n_depths;
	struct lx_depth depths[LX_DEP_MAX_DEPTHS];
};

struct lx_chain {
	char name[32];
	uint64_t chain_id;
	uint64_t reorg_window;      /* default 64 */
	uint64_t confirmations;     /* default 0 */
	uint64_t max_block_range;   /* default 10000 */
	bool has_checkpoint;        /* "checkpoint": a trusted block for `sync --verify` */
	uint64_t checkpoint_block;
	uint8_t checkpoint_hash[32];
	size_t n_deployments;
	struct lx_deployment deployments[LX_CHAIN_MAX_DEPLOYMENTS];
};

/*
 * Loads dir/name.json. Errors name the file and field: LX_ENOTFOUND (no such chain: the
 * message lists the available ones), LX_EPARSE (bad JSON, with line and column, or a bad
 * field). The caller frees *out with lx_chain_destroy.
 */
int lx_chain_load(struct lx_chain **out, const char *dir, const char *name,
		  struct lx_error *err);
int lx_chain_load_file(struct lx_chain **out, const char *path, struct lx_error *err);
void lx_chain_destroy(struct lx_chain *c);

/* Writes the sorted names of dir's configs, comma-separated, into buf. */
void lx_chain_list(char *buf, size_t cap, const char *dir);

/* The deployment named name, or the first one when name is NULL; NULL if none. */
const struct lx_deployment *lx_chain_find_deployment(const struct lx_chain *c, const char *name);

uint64_t lx_chain_id(const struct lx_chain *c);
const char *lx_deployment_name(const struct lx_deployment *d);
uint32_t lx_deployment_protocol(const struct lx_deployment *d);
unsigned lx_deployment_base_decimals(const struct lx_deployment *d);
void lx_deployment_version(const struct lx_deployment *d, int *major, int *minor, int *patch);
/* LX_ENOTFOUND naming the deployment and role when the config lacks it. */
int lx_deployment_contract(const struct lx_deployment *d, const char *role, struct lx_addr *out,
			   struct lx_error *err);
/* Correlation group id of an asset (1-based, file order), 0 if in none. */
unsigned lx_deployment_group_of(const struct lx_deployment *d, const struct lx_addr *asset);
/* Name of group id (1-based), NULL if out of range. */
const char *lx_deployment_group_name(const struct lx_deployment *d, unsigned id);
/* Market depth configured for an asset, 0 if none. */
double lx_deployment_depth_of(const struct lx_deployment *d, const struct lx_addr *asset);

/* Protocol name <-> enum lx_protocol ("aave_v3" <-> LX_PROTO_AAVE_V3); 0 / NULL if unknown. */
uint32_t lx_protocol_from_name(const char *name);
const char *lx_protocol_name(uint32_t protocol);

#endif
