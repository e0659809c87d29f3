/*
 * views.c: every market of the store at once (views.h). A deployment whose protocol has no
 * handler in this lendex is listed in skipped[]; a view that fails to build fails the command
 * (a partial answer would read as the whole).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "lendex/proto.h"
#include "views.h"

void lx_cli_views_release(struct lx_cli_views *v)
{
	for (size_t i = 0; i < v->n; i++)
		lx_market_view_release(&v->v[i].mv);
	free(v->v);
	for (size_t i = 0; i < v->n_chains; i++)
		lx_chain_destroy(v->chains[i]);
	memset(v, 0, sizeof(*v));
}

/* Every deployment of chain, if it has been synced into the store (else *synced false). */
static int load_chain(const struct lx_cli_args *a, struct lx_cli_views *V, struct lx_store *st,
		      const struct lx_chain *chain, const struct lx_addr *accounts,
		      size_t n_accounts, unsigned flags, bool *synced)
{
	struct lx_store_txn *t = NULL;
	struct lx_error e;
	struct lx_sync_cursor cur;
	*synced = false;
	if (lx_store_begin(st, false, &t, &e)) {
		lx_cli_errorf("%s", e.msg);
		return LX_EXIT_RUNTIME;
	}
	if (lx_store_cursor_get(t, chain->chain_id, &cur, &e)) {
		lx_store_abort(t);
		return LX_EXIT_OK;
	}
	*synced = true;
	/* --at: balances with interest to that time (not before the synced block's) */
	unsigned long long at;
	if (lx_cli_u64(a, "at", cur.timestamp, &at) < 0) {
		lx_store_abort(t);
		return LX_EXIT_USAGE;
	}
	if (at < cur.timestamp) {
		lx_cli_errorf("--at %llu is before %s's synced block time %llu", at, chain->name,
			      (unsigned long long)cur.timestamp);
		lx_store_abort(t);
		return LX_EXIT_USAGE;
	}
	int rc = LX_EXIT_OK;
	for (size_t d = 0; d < chain->n_deployments && rc == LX_EXIT_OK; d++) {
		const struct lx_deployment *dep = &chain->deployments[d];
		if (!lx_proto_find_id(dep->protocol)) {
			if (V->n_skipped < LX_CLI_MAX_SKIPPED) {
				V->skipped[V->n_skipped].chain = chain;
				V->skipped[V->n_skipped++].dep = dep;
			}
			continue;
		}
		if (V->n == V->cap) {
			size_t nc = V->cap ? V->cap * 2 : 8;
			struct lx_cli_view *nv = realloc(V->v, nc * sizeof(*nv));
			if (!nv) {
				lx_cli_errorf("out of memory loading the markets of %s", chain->name);
				rc = LX_EXIT_RUNTIME;
				break;
			}
			V->v = nv;
			V->cap = nc;
		}
		struct lx_cli_view *cv = &V->v[V->n];
		memset(cv, 0, sizeof(*cv));
		struct lx_proto *p = NULL;
		if (lx_proto_create(&p, chain, dep, LX_DEFAULT_ABI_DIR, t, &e) ||
		    p->ops->view(p, t, (uint64_t)at, accounts, n_accounts, flags, &cv->mv, &e)) {
			lx_cli_errorf("%s", e.msg);
			lx_proto_destroy(p);
			rc = LX_EXIT_RUNTIME;
			break;
		}
		lx_proto_destroy(p);
		cv->chain = chain;
		cv->dep = dep;
		cv->mv.block = cur.block;
		cv->mv.timestamp = (uint64_t)at;
		V->n++;
		if (lx_model_check_reads(&cv->mv, &e)) {
			lx_cli_errorf("%s", e.msg);
			rc = LX_EXIT_RUNTIME;
			break;
		}
	}
	lx_store_abort(t);
	return rc;
}

int lx_cli_views_load(const struct lx_cli_args *a, const struct lx_addr *accounts,
		      size_t n_accounts, unsigned flags, struct lx_cli_views *out)
{
	memset(out, 0, sizeof(*out));
	/* --chain (or LENDEX_CHAIN): that chain; else every chain config synced into the store */
	const char *one = lx_cli_get(a, "chain", NULL);
	if (!one || !*one)
		one = getenv("LENDEX_CHAIN");
	bool named = one && *one;
	char names[4096];
	if (named)
		snprintf(names, sizeof(names), "%s", one);
	else
		lx_chain_list(names, sizeof(names), lx_cli_chainsdir(a));
	struct lx_store *st = NULL;
	int rc = LX_EXIT_OK;
	const char *n0 = names;
	while (*n0 && rc == LX_EXIT_OK && out->n_chains < LX_CLI_MAX_CHAINS) {
		size_t l = strcspn(n0, ",");
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(l < 63 ? l : 63), n0);
		n0 += l;
		while (*n0 == ',' || *n0 == ' ')
			n0++;
		struct lx_chain *c;
		struct lx_error e;
		if (lx_chain_load(&c, lx_cli_chainsdir(a), name, &e)) {
			/* a named chain must load; a broken config among many is said, not fatal */
			if (named) {
				lx_cli_errorf("%s", e.msg);
				rc = e.code == LX_ENOTFOUND ? LX_EXIT_USAGE : LX_EXIT_RUNTIME;
			} else {
				lx_cli_warnf("%s", e.msg);
			}
			continue;
		}
		if (!st && (rc = lx_cli_open_store(a, false, &st))) {
			lx_chain_destroy(c);
			break;
		}
		bool synced;
		size_t before = out->n;
		rc = load_chain(a, out, st, c, accounts, n_accounts, flags, &synced);
		/* views borrow their chain: a chain stays listed (and alive) once synced */
		if (synced || out->n > before)
			out->chains[out->n_chains++] = c;
		else
			lx_chain_destroy(c);
		if (!rc && !synced && named) {
			lx_cli_errorf("chain %s has not been synced into %s yet (run 'lendex sync --chain "
				      "%s')",
				      name, lx_cli_datadir(a), name);
			rc = LX_EXIT_RUNTIME;
		}
	}
	lx_store_close(st);
	if (!rc && out->n_chains == 0) {
		lx_cli_errorf("no chain has been synced into %s yet (run 'lendex sync --chain NAME')",
			      lx_cli_datadir(a));
		rc = LX_EXIT_RUNTIME;
	}
	return rc;
}
