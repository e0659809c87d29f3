/*
 * test_sync.c: the sync engine against a scripted node (tests/unit/loopnode.c) that behaves
 * like a strict public provider — eth_getLogs refused above 10 blocks without a hint — and, on
 * demand, like a hostile one: repeated logs, logs outside the blocks asked for, a blockHash of
 * another fork, failing or malformed contract reads. Planning bugs and trust bugs show here in
 * seconds; the anvil tests cover real nodes.
 *
 * The chain: blocks 0..HEAD with hash(n) = 0xbb..n, one Aave V3 market from block START whose
 * configurator lists one reserve at block LISTED (ReserveInitialized) and prices it at every
 * block (getAssetPrice answers PRICE).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "lendex/chain.h"
#include "lendex/hex.h"
#include "lendex/keccak.h"
#include "lendex/rpc.h"
#include "lendex/store.h"
#include "lendex/sync.h"
#include "loopnode.h"

#define HEAD 2600
#define START 100
#define LISTED 1777
#define LIMIT 10
#define POOL "0x00000000000000000000000000000000000000a1"
#define CONF "0x00000000000000000000000000000000000000a2"
#define ORACLE "0x00000000000000000000000000000000000000a3"
#define W "0x000000000000000000000000" /* an address as a 32-byte word */
#define ASSET_HEX "00000000000000000000000000000000000000c1"
#define ATOKEN_HEX "00000000000000000000000000000000000000c2"
#define ATOKEN "0x" ATOKEN_HEX
#define VTOKEN_HEX "00000000000000000000000000000000000000c3"
#define STOKEN_HEX "00000000000000000000000000000000000000c4"
#define STRAT_HEX "00000000000000000000000000000000000000c5"

/* H_CALL_EMPTY: eth_call answers "0x" while eth_getCode shows code (an inconsistent node);
 * H_CALL_NOCODE: "0x" and no code there either (an oracle never deployed: read as a revert) */
enum hostile { H_NONE, H_DUP_LOG, H_OUTSIDE, H_WRONG_HASH, H_CALL_ERROR, H_CALL_GARBAGE,
	       H_CALL_REVERT, H_CALL_EMPTY, H_CALL_NOCODE };

struct node {
	enum hostile mode;
	int times;                   /* how many answers the fault spoils (-1: all) */
	int spoiled;
	int disc[HEAD + 1], main[HEAD + 1]; /* blocks answered, per pass */
	bool atoken_followed;        /* the main filter asked for the discovered aToken */
	int refusals;
	int code_asked;              /* eth_getCode requests */
	char topic0[67];
};

static void hashhex(char out[67], uint64_t n)
{
	snprintf(out, 67, "0x%048llx%016llx", 0xbbbbbbbbbbbbbbbbull, (unsigned long long)n);
}

static bool spoil(struct node *nd, enum hostile m)
{
	if (nd->mode != m || (nd->times >= 0 && nd->spoiled >= nd->times))
		return false;
	nd->spoiled++;
	return true;
}

static json_t *the_log(struct node *nd, uint64_t block, bool wrong_hash)
{
	char bh[67], tx[67];
	hashhex(bh, wrong_hash ? block + 1000000 : block);
	snprintf(tx, sizeof(tx), "0x%064x", 7);
	char num[24];
	snprintf(num, sizeof(num), "0x%llx", (unsigned long long)block);
	return json_pack("{s:s,s:[s,s,s],s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "address", CONF, "topics",
			 nd->topic0, W ASSET_HEX, W ATOKEN_HEX, "data",
			 W STOKEN_HEX "000000000000000000000000" VTOKEN_HEX
			 "000000000000000000000000" STRAT_HEX,
			 "blockNumber", num, "blockHash", bh, "transactionHash", tx, "logIndex", "0x0",
			 "transactionIndex", "0x0", "removed", 0);
}

static json_t *answer_one(struct node *nd, json_t *rq)
{
	const char *m = json_string_value(json_object_get(rq, "method"));
	json_t *params = json_object_get(rq, "params");
	json_t *id = json_object_get(rq, "id");
	json_t *res = NULL, *error = NULL;
	char b[200];
	if (!strcmp(m, "eth_chainId")) {
		res = json_string("0x7a69");
	} else if (!strcmp(m, "eth_blockNumber")) {
		snprintf(b, sizeof(b), "0x%x", HEAD);
		res = json_string(b);
	} else if (!strcmp(m, "eth_getCode")) {
		/* H_CALL_NOCODE: the oracle has no code once its reads answer "0x" (the start-up
		 * check before them finds code) */
		const char *a = json_string_value(json_array_get(params, 0));
		bool none = nd->mode == H_CALL_NOCODE && nd->spoiled && a && !strcmp(a, ORACLE);
		nd->code_asked += nd->spoiled > 0;
		res = json_string(none ? "0x" : "0x6080");
	} else if (!strcmp(m, "eth_getBlockByNumber")) {
		uint64_t n;
		const char *q = json_string_value(json_array_get(params, 0));
		lx_hex_u64(&n, q, strlen(q));
		char h[67], p[67];
		hashhex(h, n);
		hashhex(p, n - 1);
		snprintf(b, sizeof(b), "0x%llx", 1700000000ull + 12 * n);
		res = json_pack("{s:s,s:s,s:s,s:s}", "number", q, "hash", h, "parentHash", p,
				"timestamp", b);
	} else if (!strcmp(m, "eth_getLogs")) {
		json_t *f = json_array_get(params, 0);
		uint64_t a, z;
		const char *fa = json_string_value(json_object_get(f, "fromBlock"));
		const char *fz = json_string_value(json_object_get(f, "toBlock"));
		lx_hex_u64(&a, fa, strlen(fa));
		lx_hex_u64(&z, fz, strlen(fz));
		if (z - a + 1 > LIMIT) {
			nd->refusals++;
			error = json_pack("{s:i,s:s}", "code", -32602, "message",
					  "block range is too large");
		} else {
			bool disc = json_array_size(json_array_get(json_object_get(f, "topics"), 0)) == 1;
			size_t i;
			json_t *ad;
			json_array_foreach(json_object_get(f, "address"), i, ad)
				if (!strcmp(json_string_value(ad), ATOKEN) && !disc)
					nd->atoken_followed = true;
			for (uint64_t k = a; k <= z && k <= HEAD; k++)
				(disc ? nd->disc : nd->main)[k]++;
			res = json_array();
			if (a <= LISTED && LISTED <= z) {
				json_array_append_new(res, the_log(nd, LISTED,
								   !disc && spoil(nd, H_WRONG_HASH)));
				if (spoil(nd, H_DUP_LOG))
					json_array_append_new(res, the_log(nd, LISTED, false));
			}
			if (!disc && a <= 1500 && 1500 <= z && spoil(nd, H_OUTSIDE)) {
				json_t *l = the_log(nd, LISTED, false);
				json_array_append_new(res, l);
			}
		}
	} else if (!strcmp(m, "eth_getStorageAt")) {
		/* the Aave handler reads the pool's revision (slot 0) where its history starts */
		res = json_string("0x0000000000000000000000000000000000000000000000000000000000000001");
	} else if (!strcmp(m, "eth_call")) {
		if (spoil(nd, H_CALL_ERROR))
			error = json_pack("{s:i,s:s}", "code", -32000, "message",
					  "missing trie node 1f2e (path ) state is not available");
		else if (spoil(nd, H_CALL_REVERT))
			error = json_pack("{s:i,s:s}", "code", 3, "message", "execution reverted");
		else if (spoil(nd, H_CALL_GARBAGE))
			res = json_string("0x05f5e1");
		else if (spoil(nd, H_CALL_EMPTY) || spoil(nd, H_CALL_NOCODE))
			res = json_string("0x");
		else
			res = json_string("0x0000000000000000000000000000000000000000000000000000000005f5e100");
	} else {
		error = json_pack("{s:i,s:s}", "code", -32601, "message", "method not found");
	}
	json_t *out = json_pack("{s:s,s:O}", "jsonrpc", "2.0", "id", id);
	if (error)
		json_object_set_new(out, "error", error);
	else
		json_object_set_new(out, "result", res);
	return out;
}

static char *handle(struct loopnode *ln, const char *body, size_t len)
{
	json_t *rq = json_loadb(body, len, 0, NULL), *out;
	if (json_is_array(rq)) {
		out = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(rq, i, x)
			json_array_append_new(out, answer_one(ln->ctx, x));
	} else {
		out = answer_one(ln->ctx, rq);
	}
	char *text = json_dumps(out, JSON_COMPACT);
	char *resp = loopnode_ok(text);
	free(text);
	json_decref(out);
	json_decref(rq);
	return resp;
}

struct run {
	int rc;
	struct lx_error err;
	struct lx_sync_result res;
	char *dump;                  /* canonical store dump (malloc'd) */
	bool have_cursor;
	uint64_t cursor;
};

static void write_chain(char *dir, size_t cap)
{
	snprintf(dir, cap, "/tmp/lendex-test-sync-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof(path), "%s/chain.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"name\":\"scripted\",\"chain_id\":31337,\"reorg_window\":64,"
		   "\"max_block_range\":2000,\"deployments\":[{\"name\":\"aave-scripted\","
		   "\"protocol\":\"aave_v3\",\"version\":\"3.0.2\",\"start_block\":%d,"
		   "\"base_currency_decimals\":8,\"contracts\":{\"pool\":\"%s\","
		   "\"pool_configurator\":\"%s\",\"oracle\":\"%s\"}}]}\n",
		START, POOL, CONF, ORACLE);
	fclose(f);
}

/* One sync of the scripted chain into a fresh store. */
static struct run sync_once(struct node *nd, int concurrency)
{
	struct run out;
	memset(&out, 0, sizeof(out));
	char dir[64];
	write_chain(dir, sizeof(dir));
	char path[300];
	snprintf(path, sizeof(path), "%s/chain.json", dir);
	struct lx_chain *chain;
	struct lx_error e;
	assert_int_equal(lx_chain_load_file(&chain, path, &e), 0);
	struct lx_keccak k;
	uint8_t t0[32];
	const char *sig = "ReserveInitialized(address,address,address,address,address)";
	lx_keccak_init(&k);
	lx_keccak_update(&k, sig, strlen(sig));
	lx_keccak_final(&k, t0);
	lx_hex_encode(nd->topic0, sizeof(nd->topic0), t0, 32);

	struct loopnode ln = {0};
	ln.handler = handle;
	ln.ctx = nd;
	loopnode_start(&ln);
	char url[64];
	loopnode_url(&ln, url, sizeof(url));
	struct lx_rpc_opts ro;
	memset(&ro, 0, sizeof(ro));
	ro.urls[ro.n_urls++] = url;
	ro.max_retries = 2;
	ro.backoff_ms = 1;
	ro.backoff_max_ms = 4;
	ro.timeout_ms = 5000;
	ro.seed = 3;
	struct lx_rpc *rpc;
	assert_int_equal(lx_rpc_create(&rpc, &ro, &e), 0);
	struct lx_store *st;
	snprintf(path, sizeof(path), "%s/db", dir);
	assert_int_equal(lx_store_open(&st, path, LX_STORE_CREATE | LX_STORE_NOSYNC, &e), 0);
	struct lx_sync_opts so;
	memset(&so, 0, sizeof(so));
	so.chain = chain;
	so.concurrency = concurrency;
	so.progress = concurrency == 4; /* the progress line reads counters the producer writes */
	out.rc = lx_sync_run(st, rpc, &so, &out.res, &out.err);
	struct lx_store_txn *t;
	assert_int_equal(lx_store_begin(st, false, &t, &e), 0);
	size_t dl;
	FILE *m = open_memstream(&out.dump, &dl);
	assert_int_equal(lx_store_dump(t, m, &e), 0);
	fclose(m);
	struct lx_sync_cursor c;
	out.have_cursor = lx_store_cursor_get(t, 31337, &c, &e) == 0;
	out.cursor = c.block;
	lx_store_abort(t);
	lx_store_close(st);
	lx_rpc_destroy(rpc);
	loopnode_stop(&ln);
	lx_chain_destroy(chain);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return out;
}

/* Every block from START to HEAD answered exactly once in each pass. */
static void assert_covered(const struct node *nd)
{
	for (int b = 0; b <= HEAD; b++) {
		int want = b >= START;
		if (nd->disc[b] != want || nd->main[b] != want)
			fail_msg("block %d answered %d times in discovery, %d in the main pass (want %d)",
				 b, nd->disc[b], nd->main[b], want);
	}
}

static char *clean_dump;

/* A strict provider (10 blocks per eth_getLogs, no hint): the planner splits 2000-block
 * ranges down to 10 with the queue full, and still asks for every block exactly once. */
static void test_strict_provider(void **st)
{
	(void)st;
	for (int conc = 1; conc <= 16; conc *= 4) {
		struct node *nd = calloc(1, sizeof(*nd));
		nd->mode = H_NONE;
		struct run r = sync_once(nd, conc);
		if (r.rc)
			fail_msg("concurrency %d: rc %d: %s", conc, r.rc, r.err.msg);
		assert_int_equal(r.res.to, HEAD);
		assert_covered(nd);
		assert_true(nd->atoken_followed);
		assert_true(nd->refusals > 0);
		assert_non_null(strstr(r.dump, ASSET_HEX));
		if (!clean_dump)
			clean_dump = strdup(r.dump);
		else
			assert_string_equal(r.dump, clean_dump);
		free(r.dump);
		free(nd);
	}
}

struct hostile_case {
	enum hostile mode;
	const char *msg;             /* NULL: the run must succeed (and match the clean sync) */
};

static void run_hostile(const struct hostile_case *hc, int times)
{
	struct node *nd = calloc(1, sizeof(*nd));
	nd->mode = hc->mode;
	nd->times = times;
	struct run r = sync_once(nd, 4);
	assert_true(nd->spoiled > 0);
	if (times > 0 || !hc->msg) {
		/* spoiled once: retried, and the store ends as a clean sync */
		if (r.rc)
			fail_msg("mode %d spoiled %d times: %s", hc->mode, times, r.err.msg);
		if (hc->mode != H_CALL_REVERT && hc->mode != H_CALL_NOCODE)
			assert_string_equal(r.dump, clean_dump);
		/* an empty answer is judged by the contract's code at that block */
		if (hc->mode == H_CALL_NOCODE && times < 0)
			assert_true(nd->code_asked > 0);
		/* no code: the same store as a node that says the read reverted */
		if (hc->mode == H_CALL_NOCODE && times < 0) {
			struct node *rv = calloc(1, sizeof(*rv));
			rv->mode = H_CALL_REVERT;
			rv->times = -1;
			struct run rr = sync_once(rv, 4);
			assert_int_equal(rr.rc, 0);
			assert_string_equal(r.dump, rr.dump);
			free(rr.dump);
			free(rv);
		}
	} else {
		assert_int_not_equal(r.rc, 0);
		if (!strstr(r.err.msg, hc->msg))
			fail_msg("mode %d: want '%s' in: %s", hc->mode, hc->msg, r.err.msg);
		assert_null(strchr(r.err.msg, '\n'));
		/* the range with the bad answer was not applied */
		assert_true(!r.have_cursor || r.cursor < (hc->mode >= H_CALL_ERROR ? HEAD : LISTED));
	}
	free(r.dump);
	free(nd);
}

static void test_hostile(void **st)
{
	(void)st;
	if (!clean_dump)
		test_strict_provider(st);
	static const struct hostile_case cs[] = {
		{H_DUP_LOG, "log 0 of block 1777 appears twice"},
		{H_OUTSIDE, "outside the blocks asked for"},
		{H_WRONG_HASH, "but the block's header says"},
		{H_CALL_ERROR, "missing trie node"},
		{H_CALL_GARBAGE, "not whole 32-byte words"},
		{H_CALL_REVERT, NULL},
		{H_CALL_EMPTY, "the node answered 0x, but the contract has code there"},
		{H_CALL_NOCODE, NULL},
	};
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		run_hostile(&cs[i], 1);
		run_hostile(&cs[i], -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict_provider),
		cmocka_unit_test(test_hostile),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(clean_dump);
	return rc;
}
