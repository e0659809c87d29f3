/*
 * risk_common.h: shared by the risk commands (risk_common.c).
 */
#ifndef LENDEX_CLI_RISK_COMMON_H
#define LENDEX_CLI_RISK_COMMON_H

#include <stdlib.h>

#include "cli.h"
#include "lendex/chain.h"
#include "lendex/report.h"

int lx_cli_risk_setup(const struct lx_cli_args *a, struct lx_market_view *mv,
		      struct lx_report_opts *o, struct lx_chain **chain);
/* `cascade --all-markets`: one cascade over every market of the store (cascade_all.c). */
int lx_cli_cascade_all(const struct lx_cli_args *a);
/* `leverage --all-markets`: loops across every market of a chain (leverage_all.c). */
int lx_cli_leverage_all(const struct lx_cli_args *a);
/* Prints j compactly on one line and releases it. */
void lx_cli_print_json(json_t *j);

#define LX_OPT_RISK LX_OPT_CHAIN, LX_OPT_DATADIR, LX_OPT_CHAINSDIR, LX_OPT_DEPLOYMENT, LX_OPT_JSON, \
	{"at", true, false, "TIMESTAMP  balances with interest up to this time"}

#endif
