/*
 * common.c: what most commands share — opening the chain config, the store and the node
 * client from the command line, printing one clear error line and choosing the exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/model.h"
#include "lendex/proto.h"

int lx_cli_open_chain(const struct lx_cli_args *a, struct lx_chain **out)
{
	struct lx_error e;
	const char *name = lx_cli_get(a, "chain", NULL);
	if (!name)
		name = getenv("LENDEX_CHAIN");
	if (!name || !*name)
		name = "devnet";
	if (lx_chain_load(out, lx_cli_chainsdir(a), name, &e)) {
		lx_cli_errorf("%s", e.msg);
		return e.code == LX_ENOTFOUND ? LX_EXIT_USAGE : LX_EXIT_RUNTIME;
	}
	return LX_EXIT_OK;
}

int lx_cli_open_rpc(const struct lx_cli_args *a, int def_retries, struct lx_rpc **out)
{
	struct lx_rpc_opts o;
	memset(&o, 0, sizeof(o));
	const char *const *urls;
	int n = lx_cli_all(a, "rpc", &urls);
	for (int i = 0; i < n && i < LX_RPC_MAX_URLS; i++)
		o.urls[o.n_urls++] = urls[i];
	const char *env = getenv("LENDEX_RPC");
	if (!o.n_urls && env && *env)
		o.urls[o.n_urls++] = env;
	if (!o.n_urls) {
		lx_cli_errorf("no node given: pass --rpc URL (or set LENDEX_RPC)");
		return LX_EXIT_USAGE;
	}
	for (size_t i = 0; i < o.n_urls; i++)
		if (strncmp(o.urls[i], "http://", 7) && strncmp(o.urls[i], "https://", 8)) {
			lx_cli_errorf("bad --rpc '%s': expected an http:// or https:// URL", o.urls[i]);
			return LX_EXIT_USAGE;
		}
	unsigned long long v;
	if (lx_cli_u64(a, "timeout-ms", 30000, &v) < 0)
		return LX_EXIT_USAGE;
	o.timeout_ms = (long)v;
	if (lx_cli_u64(a, "retries", (unsigned long long)def_retries, &v) < 0)
		return LX_EXIT_USAGE;
	o.max_retries = (int)v;
	if (lx_cli_u64(a, "max-rps", 0, &v) < 0)
		return LX_EXIT_USAGE;
	o.max_rps = (double)v;
	if (lx_cli_u64(a, "concurrency", 4, &v) < 0)
		return LX_EXIT_USAGE;
	o.max_inflight = (int)(v ? v * 3 : 12);
	if (lx_cli_u64(a, "backoff-ms", 250, &v) < 0)
		return LX_EXIT_USAGE;
	o.backoff_ms = (long)v;
	if (lx_cli_u64(a, "rpc-batch", 100, &v) < 0)
		return LX_EXIT_USAGE;
	if (v == 0 || v > 100000) {
		lx_cli_errorf("bad --rpc-batch '%llu': expected 1 to 100000", v);
		return LX_EXIT_USAGE;
	}
	o.batch = (size_t)v;
	struct lx_error e;
	if (lx_rpc_create(out, &o, &e)) {
		lx_cli_errorf("%s", e.msg);
		return LX_EXIT_RUNTIME;
	}
	return LX_EXIT_OK;
}

int lx_cli_open_store(const struct lx_cli_args *a, bool write, struct lx_store **out)
{
	struct lx_error e;
	lx_cli_guard_store(lx_cli_datadir(a));
	if (lx_store_open(out, lx_cli_datadir(a), write ? LX_STORE_CREATE : LX_STORE_RDONLY, &e)) {
		lx_cli_errorf("%s", e.msg);
		return LX_EXIT_RUNTIME;
	}
	return LX_EXIT_OK;
}

int lx_cli_load_view(const struct lx_cli_args *a, struct lx_market_view *mv, unsigned flags,
		     const struct lx_addr *accounts, size_t n_accounts, struct lx_chain **chain_out)
{
	struct lx_chain *chain = NULL;
	struct lx_store *st = NULL;
	struct lx_store_txn *t = NULL;
	struct lx_proto *p = NULL;
	struct lx_error e;
	int rc = lx_cli_open_chain(a, &chain);
	if (rc)
		return rc;
	const char *dn = lx_cli_get(a, "deployment", NULL);
	const struct lx_deployment *d = lx_chain_find_deployment(chain, dn);
	if (!d) {
		lx_cli_errorf("no deployment '%s' on chain %s", dn ? dn : "", chain->name);
		lx_chain_destroy(chain);
		return LX_EXIT_USAGE;
	}
	if ((rc = lx_cli_open_store(a, false, &st)))
		goto out;
	if (lx_store_begin(st, false, &t, &e) ||
	    lx_proto_create(&p, chain, d, LX_DEFAULT_ABI_DIR, t, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	struct lx_sync_cursor cur;
	if (lx_store_cursor_get(t, chain->chain_id, &cur, &e)) {
		lx_cli_errorf("chain %s has not been synced into %s yet (run 'lendex sync --chain "
			      "%s')",
			      chain->name, lx_cli_datadir(a), chain->name);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	unsigned long long at;
	if (lx_cli_u64(a, "at", cur.timestamp, &at) < 0) {
		rc = LX_EXIT_USAGE;
		goto out;
	}
	if (at < cur.timestamp) {
		lx_cli_errorf("--at %llu is before the synced block's time %llu", at,
			      (unsigned long long)cur.timestamp);
		rc = LX_EXIT_USAGE;
		goto out;
	}
	if (p->ops->view(p, t, at, accounts, n_accounts, flags, mv, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	mv->block = cur.block;
	mv->timestamp = at;
	if (lx_model_check_reads(mv, &e)) {
		lx_cli_errorf("%s", e.msg);
		lx_market_view_release(mv);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
out:
	lx_proto_destroy(p);
	if (t)
		lx_store_abort(t);
	lx_store_close(st);
	if (chain_out && rc == 0)
		*chain_out = chain;
	else
		lx_chain_destroy(chain);
	return rc;
}

int lx_cli_load_market(const struct lx_cli_args *a, struct lx_market_view *mv, unsigned flags)
{
	return lx_cli_load_view(a, mv, flags & LX_CLI_VIEW_FLOWS ? LX_VIEW_FLOWS : 0, NULL, 0,
				NULL);
}

void lx_cli_print_u256(FILE *f, const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	fputs(b, f);
}
