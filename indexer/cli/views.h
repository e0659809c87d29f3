/*
 * views.h: every market of the store at once (views.c) — each deployment of each synced chain
 * (or of --chain), for the commands that look across protocols: `position` and
 * `cascade --all-markets`.
 */
#ifndef LENDEX_CLI_VIEWS_H
#define LENDEX_CLI_VIEWS_H

#include "cli.h"
#include "lendex/chain.h"
#include "lendex/model.h"

#define LX_CLI_MAX_CHAINS 64
#define LX_CLI_MAX_SKIPPED 64

/* One deployment's view; chain and dep are borrowed from the enclosing lx_cli_views. */
struct lx_cli_view {
	const struct lx_chain *chain;
	const struct lx_deployment *dep;
	struct lx_market_view mv;
};

struct lx_cli_views {
	struct lx_chain *chains[LX_CLI_MAX_CHAINS]; /* the synced chains searched (owned) */
	size_t n_chains;
	struct lx_cli_view *v;                      /* owned */
	size_t n, cap;
	/* deployments with no handler in this lendex: listed, never silently skipped */
	struct {
		const struct lx_chain *chain;
		const struct lx_deployment *dep;
	} skipped[LX_CLI_MAX_SKIPPED];
	size_t n_skipped;
};

/*
 * Loads the view of every deployment of --chain (or $LENDEX_CHAIN), else of every chain in the
 * chains directory that has been synced into the store, at each chain's synced head (balances
 * with interest to --at when given).
 * accounts: NULL = every account, else only those. flags: LX_VIEW_FLOWS. Prints one error line
 * and returns an exit code on failure (a chain named but not synced, no chain synced, a view
 * that cannot be built); LX_EXIT_OK on success. Release with lx_cli_views_release (also after a
 * failure).
 */
int lx_cli_views_load(const struct lx_cli_args *a, const struct lx_addr *accounts,
		      size_t n_accounts, unsigned flags, struct lx_cli_views *out);
void lx_cli_views_release(struct lx_cli_views *v);

#endif
