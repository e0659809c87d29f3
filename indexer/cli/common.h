/*
 * common.h: helpers shared by the commands (common.c).
 */
#ifndef LENDEX_CLI_COMMON_H
#define LENDEX_CLI_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "lendex/chain.h"
#include "lendex/model.h"
#include "lendex/rpc.h"
#include "lendex/store.h"

/* Each returns an exit code after printing one error line, LX_EXIT_OK on success. */
int lx_cli_open_chain(const struct lx_cli_args *a, struct lx_chain **out);
int lx_cli_open_rpc(const struct lx_cli_args *a, int def_retries, struct lx_rpc **out);
int lx_cli_open_store(const struct lx_cli_args *a, bool write, struct lx_store **out);
/* View of --chain/--deployment at the synced head; accounts NULL = all. */
int lx_cli_load_view(const struct lx_cli_args *a, struct lx_market_view *mv, unsigned flags,
		     const struct lx_addr *accounts, size_t n_accounts,
		     struct lx_chain **chain_out);
void lx_cli_print_u256(FILE *f, const struct lx_u256 *v);

#define LX_OPT_RPC_TUNING                                                                       \
	{"timeout-ms", true, false, "MS  per-request timeout (default 30000)"},                 \
		{"retries", true, false, "N  retries per endpoint (default 6)"},                \
		{"backoff-ms", true, false, "MS  first retry delay (default 250)"},             \
		{"max-rps", true, false, "N  request budget per endpoint per second"},          \
		{"rpc-batch", true, false, "N  reads per JSON-RPC batch (default 100; 1 = none)"}

#endif
