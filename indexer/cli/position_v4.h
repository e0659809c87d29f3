/* position_v4.h: `lendex position` for an Aave V4 deployment (position_v4.c). */
#ifndef LENDEX_CLI_POSITION_V4_H
#define LENDEX_CLI_POSITION_V4_H

#include "cli.h"
#include "lendex/hex.h"
#include "lendex/model.h"

/* Prints who's V4 accounts (one per Spoke) from mv; returns an exit code. */
int lx_cli_position_v4(const struct lx_cli_args *a, const struct lx_market_view *mv,
		       const char *chain, const struct lx_addr *who);

#endif
