/*
 * cmd_sync.c: `lendex sync` — brings the store up to the chain's head (or --to) and keeps
 * following it with --follow.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "lendex/sync.h"

int lx_cmd_sync(const struct lx_cli_args *a)
{
	struct lx_chain *chain = NULL;
	struct lx_rpc *rpc = NULL;
	struct lx_store *st = NULL;
	unsigned long long to, conf, range, conc;
	if (lx_cli_u64(a, "to", 0, &to) < 0 || lx_cli_u64(a, "confirmations", 0, &conf) < 0 ||
	    lx_cli_u64(a, "max-range", 0, &range) < 0 || lx_cli_u64(a, "concurrency", 4, &conc) < 0)
		return LX_EXIT_USAGE;
	int rc = lx_cli_open_chain(a, &chain);
	if (rc)
		return rc;
	const char *dn = lx_cli_get(a, "deployment", NULL);
	if (dn && !lx_chain_find_deployment(chain, dn)) {
		lx_cli_errorf("no deployment '%s' on chain %s", dn, chain->name);
		lx_chain_destroy(chain);
		return LX_EXIT_USAGE;
	}
	if ((rc = lx_cli_open_rpc(a, 6, &rpc)) || (rc = lx_cli_open_store(a, true, &st)))
		goto out;
	struct lx_sync_opts o;
	memset(&o, 0, sizeof(o));
	o.chain = chain;
	o.deployment = dn;
	o.abi_dir = LX_DEFAULT_ABI_DIR;
	o.to = to;
	o.confirmations = conf;
	o.max_range = range;
	o.concurrency = (int)conc;
	o.follow = lx_cli_has(a, "follow");
	o.progress = lx_cli_has(a, "quiet") ? 0 : (isatty(2) ? 2 : 1);
	struct lx_sync_result res;
	struct lx_error e;
	lx_error_clear(&e);
	if (lx_sync_run(st, rpc, &o, &res, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	if (lx_cli_has(a, "json"))
		printf("{\"chain\":\"%s\",\"from\":%llu,\"to\":%llu,\"logs\":%llu,\"ranges\":%llu,"
		       "\"splits\":%llu,\"reorgs\":%llu}\n",
		       chain->name, (unsigned long long)res.from, (unsigned long long)res.to,
		       (unsigned long long)res.logs, (unsigned long long)res.ranges,
		       (unsigned long long)res.splits, (unsigned long long)res.reorgs);
	else if (!lx_cli_has(a, "quiet"))
		printf("synced %s to block %llu: %llu logs in %llu ranges (%llu splits, %llu "
		       "reorgs)\n",
		       chain->name, (unsigned long long)res.to, (unsigned long long)res.logs,
		       (unsigned long long)res.ranges, (unsigned long long)res.splits,
		       (unsigned long long)res.reorgs);
out:
	lx_store_close(st);
	lx_rpc_destroy(rpc);
	lx_chain_destroy(chain);
	return rc;
}
