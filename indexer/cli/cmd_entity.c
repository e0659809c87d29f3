/*
 * cmd_entity.c: `lendex entity ADDRESS` — the accounts whose positions transactions signed by
 * this key moved (its own account, smart wallets and proxies it drives, onBehalfOf borrowing).
 * Answers from the signers that `sync --verify` recovered and stored; a store synced without
 * --verify has none, and the command says so instead of printing an empty list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/hex.h"
#include "lendex/store.h"
#include "lendex/verify.h"

/* Does the store hold any verified signer for this chain? */
static int have_signers(struct lx_store_txn *t, uint64_t chain_id, bool *out, struct lx_error *e)
{
	uint8_t pre[8];
	for (int i = 0; i < 8; i++)
		pre[i] = (uint8_t)(chain_id >> (56 - 8 * i));
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, t, "lx.signer", pre, sizeof(pre), e);
	if (rc)
		return rc;
	const uint8_t *k, *v;
	size_t kl, vl;
	rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, e);
	lx_store_iter_end(&it);
	*out = rc == 0;
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(e);
		rc = 0;
	}
	return rc;
}

int lx_cmd_entity(const struct lx_cli_args *a)
{
	struct lx_addr who;
	struct lx_error e;
	lx_error_clear(&e);
	if (lx_addr_parse(&who, a->pos[0], &e)) {
		lx_cli_errorf("%s", e.msg);
		return LX_EXIT_USAGE;
	}
	struct lx_chain *chain = NULL;
	struct lx_store *st = NULL;
	struct lx_store_txn *t = NULL;
	struct lx_entity_account *acc = NULL;
	size_t n = 0;
	bool any = false;
	int rc = lx_cli_open_chain(a, &chain);
	if (rc)
		return rc;
	if ((rc = lx_cli_open_store(a, false, &st)))
		goto out;
	if (lx_store_begin(st, false, &t, &e) || have_signers(t, chain->chain_id, &any, &e) ||
	    lx_entity_accounts(t, chain->chain_id, &who, &acc, &n, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	if (!any) {
		lx_cli_errorf("no verified signers for chain %s in %s: signers are recovered by "
			      "'lendex sync --chain %s --verify'", chain->name, lx_cli_datadir(a),
			      chain->name);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	char s[LX_ADDR_STRLEN], m[LX_ADDR_STRLEN], ac[LX_ADDR_STRLEN];
	lx_addr_checksum(s, &who);
	if (lx_cli_has(a, "json")) {
		json_t *o = json_object(), *arr = json_array();
		json_object_set_new(o, "chain", json_string(chain->name));
		json_object_set_new(o, "signer", json_string(s));
		for (size_t i = 0; i < n; i++) {
			lx_addr_checksum(m, &acc[i].market);
			lx_addr_checksum(ac, &acc[i].account);
			json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I,s:b}", "market", m,
							     "account", ac, "flows",
							     (json_int_t)acc[i].flows, "last_block",
							     (json_int_t)acc[i].last_block, "self",
							     lx_addr_eq(&acc[i].account, &who)));
		}
		json_object_set_new(o, "accounts", arr);
		char *txt = json_dumps(o, JSON_COMPACT);
		if (txt)
			printf("%s\n", txt);
		free(txt);
		json_decref(o);
	} else {
		printf("signer %s on %s: %zu account%s driven\n", s, chain->name, n,
		       n == 1 ? "" : "s");
		if (n)
			printf("%-42s  %-42s  %7s  %10s\n", "market (pool)", "account", "flows",
			       "last block");
		for (size_t i = 0; i < n; i++) {
			lx_addr_checksum(m, &acc[i].market);
			lx_addr_checksum(ac, &acc[i].account);
			printf("%-42s  %-42s  %7llu  %10llu%s\n", m, ac,
			       (unsigned long long)acc[i].flows, (unsigned long long)acc[i].last_block,
			       lx_addr_eq(&acc[i].account, &who) ? "  (own)" : "");
		}
	}
out:
	free(acc);
	if (t)
		lx_store_abort(t);
	lx_store_close(st);
	lx_chain_destroy(chain);
	return rc;
}
