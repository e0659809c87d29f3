/*
 * cmd_chain.c: `lendex chain --rpc URL` — what the node is: chain id, head block, client.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common.h"
#include "lendex/hex.h"

int lx_cmd_chain(const struct lx_cli_args *a)
{
	struct lx_rpc *rpc;
	struct lx_error e;
	int rc = lx_cli_open_rpc(a, 1, &rpc);
	if (rc)
		return rc;
	uint64_t id, head;
	char ver[256];
	json_t *b = NULL;
	struct lx_block_ref ref;
	if (lx_rpc_chain_id(rpc, &id, &e) || lx_rpc_block_number(rpc, &head, &e) ||
	    lx_rpc_call(rpc, "eth_getBlockByNumber", lx_rpc_block_params(head), &b, &e) ||
	    lx_rpc_parse_block(b, &ref, &e)) {
		lx_cli_errorf("%s", e.msg);
		json_decref(b);
		lx_rpc_destroy(rpc);
		return LX_EXIT_RUNTIME;
	}
	json_decref(b);
	if (lx_rpc_client_version(rpc, ver, sizeof(ver), &e))
		snprintf(ver, sizeof(ver), "unknown");
	char h[67];
	lx_hex_encode(h, sizeof(h), ref.hash, 32);
	if (lx_cli_has(a, "json")) {
		json_t *o = json_pack("{s:I,s:I,s:s,s:I,s:s}", "chainId", (json_int_t)id, "head",
				      (json_int_t)head, "hash", h, "timestamp",
				      (json_int_t)ref.timestamp, "client", ver);
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		printf("chain id   %llu\nhead       %llu\nhash       %s\ntimestamp  %llu\nclient     "
		       "%s\n",
		       (unsigned long long)id, (unsigned long long)head, h,
		       (unsigned long long)ref.timestamp, ver);
	}
	lx_rpc_destroy(rpc);
	return LX_EXIT_OK;
}
