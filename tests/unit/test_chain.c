/*
 * test_chain.c: chain config loading, each error naming file and field, lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include <jansson.h>

#include "lendex/chain.h"
#include "lendex/model.h"

static char dir[256];

static void write_chain(const char *name, const char *body)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s.json", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
}

#define GOOD                                                                                    \
	"{\"name\":\"t\",\"chain_id\":5,\"reorg_window\":32,\"extra\":1,\"deployments\":[{"       \
	"\"name\":\"aave-v3-t\",\"protocol\":\"aave_v3\",\"version\":\"3.0.2\",\"start_block\":7," \
	"\"contracts\":{\"pool\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\","                \
	"\"oracle\":\"0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359\"},"                              \
	"\"groups\":{\"eth\":[\"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB\"],\"usd\":[]},"        \
	"\"depth_base_per_pct\":{\"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB\":12.5}}]}"

static int setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/lx-chain-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

/* the chain files written and their directory */
static int teardown(void **s)
{
	(void)s;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *x;
		char p[512];
		while ((x = readdir(d)))
			if (strcmp(x->d_name, ".") && strcmp(x->d_name, "..")) {
				snprintf(p, sizeof(p), "%s/%s", dir, x->d_name);
				unlink(p);
			}
		closedir(d);
	}
	return rmdir(dir);
}

static void test_good(void **s)
{
	(void)s;
	write_chain("t", GOOD);
	struct lx_chain *c;
	struct lx_error e;
	assert_int_equal(lx_chain_load(&c, dir, "t", &e), 0);
	assert_int_equal(lx_chain_id(c), 5);
	assert_int_equal(c->reorg_window, 32);
	assert_int_equal(c->max_block_range, 10000);
	const struct lx_deployment *d = lx_chain_find_deployment(c, NULL);
	assert_non_null(d);
	assert_ptr_equal(d, lx_chain_find_deployment(c, "aave-v3-t"));
	assert_null(lx_chain_find_deployment(c, "nope"));
	assert_int_equal(lx_deployment_protocol(d), LX_PROTO_AAVE_V3);
	int a, b, p;
	lx_deployment_version(d, &a, &b, &p);
	assert_int_equal(a * 100 + b * 10 + p, 302);
	assert_int_equal(lx_deployment_base_decimals(d), 8);
	struct lx_addr x, g;
	assert_int_equal(lx_deployment_contract(d, "pool", &x, &e), 0);
	assert_int_equal(x.b[0], 0x5a);
	assert_int_equal(lx_deployment_contract(d, "acl", &x, &e), LX_ENOTFOUND);
	assert_non_null(strstr(e.msg, "'acl'"));
	lx_addr_parse(&g, "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", NULL);
	assert_int_equal(lx_deployment_group_of(d, &g), 1);
	assert_string_equal(lx_deployment_group_name(d, 1), "eth");
	assert_true(lx_deployment_depth_of(d, &g) == 12.5);
	assert_int_equal(lx_deployment_group_of(d, &x), 0);
	lx_chain_destroy(c);
}

static void expect_err(const char *body, int code, const char *needle)
{
	write_chain("t", body);
	struct lx_chain *c = NULL;
	struct lx_error e;
	assert_int_equal(lx_chain_load(&c, dir, "t", &e), code);
	assert_null(c);
	if (!strstr(e.msg, needle))
		fail_msg("'%s' not in '%s'", needle, e.msg);
}

static void test_errors(void **s)
{
	(void)s;
	expect_err("{\"name\":\"t\",", LX_EPARSE, "t.json:1:");
	expect_err("{\"name\":\"x\",\"chain_id\":1,\"deployments\":[]}", LX_EPARSE, "file name");
	expect_err("{\"name\":\"t\",\"deployments\":[]}", LX_EPARSE, "chain_id: missing");
	expect_err("{\"name\":\"t\",\"chain_id\":1,\"deployments\":[]}", LX_EPARSE, "deployments");
	expect_err("{\"name\":\"t\",\"chain_id\":1,\"deployments\":[{\"name\":\"d\",\"protocol\":"
		   "\"nope\",\"version\":\"1\",\"start_block\":1,\"contracts\":{}}]}",
		   LX_EPARSE, "deployments[0].protocol: unknown protocol 'nope'");
	expect_err("{\"name\":\"t\",\"chain_id\":1,\"deployments\":[{\"name\":\"d\",\"protocol\":"
		   "\"aave_v3\",\"version\":\"3.x\",\"start_block\":1,\"contracts\":{}}]}",
		   LX_EPARSE, "deployments[0].version");
	expect_err("{\"name\":\"t\",\"chain_id\":1,\"deployments\":[{\"name\":\"d\",\"protocol\":"
		   "\"aave_v3\",\"version\":\"3.0\",\"start_block\":1,\"contracts\":{\"pool\":"
		   "\"0x12\"}}]}",
		   LX_EPARSE, "deployments[0].contracts.pool: bad address '0x12'");
	/* one market listed twice under two names: refused, naming both */
	expect_err("{\"name\":\"t\",\"chain_id\":1,\"deployments\":[{\"name\":\"a\",\"protocol\":"
		   "\"aave_v3\",\"version\":\"3.0\",\"start_block\":1,\"contracts\":{\"pool\":"
		   "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"}},{\"name\":\"b\",\"protocol\":"
		   "\"aave_v3\",\"version\":\"3.0\",\"start_block\":9,\"contracts\":{\"oracle\":"
		   "\"0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359\",\"pool\":"
		   "\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\"}}]}",
		   LX_EPARSE, "deployments 'a' and 'b' have the same pool "
		   "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
	struct lx_chain *c;
	struct lx_error e;
	assert_int_equal(lx_chain_load(&c, dir, "missing", &e), LX_ENOTFOUND);
	assert_non_null(strstr(e.msg, "available: t"));
	assert_int_equal(lx_chain_load(&c, dir, "../etc/passwd", &e), LX_ENOTFOUND);
}

/* A deployment's "source" (ignored by the loader): where its addresses and its start block come
 * from, both named; every deployment has its row in docs/chains.md's table, with the file's start
 * block, and says "lower bound" there exactly when its source does (a start block that is only a
 * lower bound must not read as a deployment block anywhere) */
static void check_source(const char *chain, json_t *dep, const char *doc)
{
	const char *name = json_string_value(json_object_get(dep, "name"));
	assert_non_null(name);
	json_t *src = json_object_get(dep, "source");
	const char *a = json_string_value(json_object_get(src, "addresses"));
	const char *b = json_string_value(json_object_get(src, "start_block_from"));
	if (!a || strlen(a) < 10 || !b || strlen(b) < 10)
		fail_msg("chains/%s.json: deployment %s names no source for its addresses and start "
			 "block (\"source\": {\"addresses\", \"start_block_from\"})", chain, name);
	if (!strcmp(chain, "devnet"))
		return; /* written by the test that deploys it */
	char quoted[80];
	snprintf(quoted, sizeof(quoted), "| %s | ", name);
	const char *row = strstr(doc, quoted);
	if (!row)
		fail_msg("docs/chains.md: no row for deployment %s of chains/%s.json", name, chain);
	/* | file | chain id | deployment | start block | version hint | start block from | */
	const char *p = row + strlen(quoted);
	char *end;
	unsigned long long blk = strtoull(p, &end, 10);
	json_int_t want = json_integer_value(json_object_get(dep, "start_block"));
	if (end == p || strncmp(end, " |", 2) || blk != (unsigned long long)want)
		fail_msg("docs/chains.md: row of %s gives start block '%.12s', chains/%s.json %lld",
			 name, p, chain, (long long)want);
	const char *ver = strstr(end + 2, " | ");
	const char *eol = strchr(end, '\n');
	assert_non_null(ver);
	assert_true(!eol || ver < eol);
	bool row_lb = !strncmp(ver + 3, "lower bound", 11);
	bool src_lb = !strncmp(b, "lower bound", 11);
	if (row_lb != src_lb)
		fail_msg("%s: docs/chains.md says %s, chains/%s.json's source says %s", name,
			 row_lb ? "lower bound" : "deployment block", chain,
			 src_lb ? "lower bound" : "deployment block");
}

static void test_shipped(void **s)
{
	(void)s;
	char cdir[512], list[512], p[700];
	snprintf(cdir, sizeof(cdir), "%s/chains", LX_SOURCE_DIR);
	snprintf(p, sizeof(p), "%s/docs/chains.md", LX_SOURCE_DIR);
	json_error_t je;
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	static char doc[65536];
	size_t dn = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[dn] = 0;
	lx_chain_list(list, sizeof(list), cdir);
	char *save = NULL;
	int n = 0, n_dep = 0;
	char names[64][64];
	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		struct lx_chain *c;
		struct lx_error e;
		if (lx_chain_load(&c, cdir, t, &e))
			fail_msg("chains/%s.json: %s", t, e.msg);
		for (size_t i = 0; i < c->n_deployments; i++) {
			/* names unique across every chain */
			for (int k = 0; k < n_dep; k++)
				if (!strcmp(names[k], c->deployments[i].name))
					fail_msg("deployment %s named twice", names[k]);
			assert_true(n_dep < 64);
			snprintf(names[n_dep++], sizeof(names[0]), "%s", c->deployments[i].name);
		}
		lx_chain_destroy(c);
		snprintf(p, sizeof(p), "%s/%s.json", cdir, t);
		json_t *root = json_load_file(p, 0, &je);
		assert_non_null(root);
		size_t i;
		json_t *dep;
		json_array_foreach(json_object_get(root, "deployments"), i, dep) check_source(t, dep, doc);
		json_decref(root);
		n++;
	}
	/* the address book's markets and Spark: at least Core on six chains, Ethereum's Prime/Lido,
	 * EtherFi and Horizon, Gnosis, and Spark on Ethereum and Gnosis; Aave V2 and V4, Morpho
	 * Blue, Compound V3 (tests/integration/chains_address_book.sh checks the Aave ones against
	 * the address book itself) */
	assert_true(n >= 8);
	assert_true(n_dep >= 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shipped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
