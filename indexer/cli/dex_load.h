/*
 * dex_load.h: the cascade's market from chains/ and the node (dex_load.c).
 */
#ifndef LENDEX_CLI_DEX_LOAD_H
#define LENDEX_CLI_DEX_LOAD_H

#include "cli.h"
#include "lendex/dex.h"
#include "lendex/model.h"

/*
 * The DEX model for mv (*out, caller destroys), or *out = NULL for the percentage model
 * (--market percent, or nothing configured). Pools are read with --rpc at mv->block.
 * Returns an exit code after printing one error line.
 */
int lx_cli_dex_setup(const struct lx_cli_args *a, const struct lx_market_view *mv,
		     struct lx_dex **out);

#endif
