/*
 * risk_common.c: what the risk commands share — loading the market with flows, the report
 * options (chain name, correlation groups) and --shock parsing.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "risk_common.h"

int lx_cli_risk_setup(const struct lx_cli_args *a, struct lx_market_view *mv,
		      struct lx_report_opts *o, struct lx_chain **chain)
{
	memset(o, 0, sizeof(*o));
	/* the plain options first: a bad one is refused before anything is loaded */
	unsigned long long v;
	if (lx_cli_u64(a, "top", 20, &v) < 0)
		return LX_EXIT_USAGE;
	o->top = (size_t)v;
	if (lx_cli_u64(a, "step", 5, &v) < 0 || v == 0 || v > 100) {
		lx_cli_errorf("--step must be a percentage between 1 and 100");
		return LX_EXIT_USAGE;
	}
	o->sweep_step_bps = (int)v * 100;
	if (lx_cli_u64(a, "max", 50, &v) < 0 || v > 100) {
		lx_cli_errorf("--max must be a percentage up to 100");
		return LX_EXIT_USAGE;
	}
	o->sweep_max_bps = (int)v * 100;
	int rc = lx_cli_load_view(a, mv, LX_VIEW_FLOWS, NULL, 0, chain);
	if (rc)
		return rc;
	o->chain = (*chain)->name;
	const struct lx_deployment *d =
		lx_chain_find_deployment(*chain, lx_cli_get(a, "deployment", NULL));
	const char *names[16];
	uint16_t ids[16];
	size_t ng = 0;
	for (unsigned g = 1; d && g <= d->n_groups && ng < 16; g++) {
		names[ng] = lx_deployment_group_name(d, g);
		o->group_names[ng] = names[ng];
		ids[ng++] = (uint16_t)g;
	}
	const char *const *shocks;
	int n = lx_cli_all(a, "shock", &shocks);
	for (int i = 0; i < n; i++) {
		struct lx_error e;
		if (lx_risk_parse_shock(mv, shocks[i], names, ids, ng, o->shocks, LX_REPORT_MAX_SHOCKS,
					&o->n_shocks, &e)) {
			lx_cli_errorf("%s", e.msg);
			lx_market_view_release(mv);
			lx_chain_destroy(*chain);
			return LX_EXIT_USAGE;
		}
	}
	return LX_EXIT_OK;
}

void lx_cli_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s)
		puts(s);
	free(s);
	json_decref(j);
}
