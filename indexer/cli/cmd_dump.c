/*
 * cmd_dump.c: `lendex dump` — the whole store in a canonical text form, one line per record
 * (table, key, value in hex), tables and keys in order: two stores hold the same state exactly
 * when their dumps are equal.
 */
#include <stdio.h>

#include "cli.h"
#include "common.h"

int lx_cmd_dump(const struct lx_cli_args *a)
{
	struct lx_store *st;
	struct lx_store_txn *t;
	struct lx_error e;
	int rc = lx_cli_open_store(a, false, &st);
	if (rc)
		return rc;
	if (lx_store_begin(st, false, &t, &e) || lx_store_dump(t, stdout, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
	}
	if (t)
		lx_store_abort(t);
	lx_store_close(st);
	return rc;
}
