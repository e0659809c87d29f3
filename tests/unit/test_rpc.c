/*
 * test_rpc.c: the JSON-RPC client against a scripted loopback HTTP server — only for what a
 * real node will not do on demand (the anvil tests cover the real thing): JSON-RPC errors,
 * range refusals with a suggested range, 429 + Retry-After, 5xx, non-JSON and truncated
 * bodies, failover, keep-alive, and malformed log fields.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lendex/rpc.h"
#include "loopnode.h"

static char *ok(const char *body)
{
	static char bufs[16][1024];
	static int k;
	char *b = bufs[k++ % 16];
	snprintf(b, 1024, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(body), body);
	return b;
}

static struct lx_rpc *client(struct loopnode *s, int retries, const char *second)
{
	static char url[2][64];
	struct lx_rpc_opts o;
	memset(&o, 0, sizeof(o));
	snprintf(url[0], sizeof(url[0]), "http://127.0.0.1:%d", s->port);
	o.urls[o.n_urls++] = url[0];
	if (second) {
		snprintf(url[1], sizeof(url[1]), "%s", second);
		o.urls[o.n_urls++] = url[1];
	}
	o.max_retries = retries;
	o.backoff_ms = 5;
	o.backoff_max_ms = 20;
	o.timeout_ms = 2000;
	o.seed = 7;
	struct lx_rpc *c;
	assert_int_equal(lx_rpc_create(&c, &o, NULL), 0);
	return c;
}

static void test_ok_and_keepalive(void **st)
{
	(void)st;
	struct loopnode s = {0};
	s.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7a69\"}");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x10\"}");
	s.answers[2] = ok("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"anvil/v1\"}");
	s.n = 3;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 0, NULL);
	uint64_t v;
	struct lx_error e;
	assert_int_equal(lx_rpc_chain_id(c, &v, &e), 0);
	assert_int_equal(v, 31337);
	assert_int_equal(lx_rpc_block_number(c, &v, &e), 0);
	assert_int_equal(v, 16);
	char ver[64];
	assert_int_equal(lx_rpc_client_version(c, ver, sizeof(ver), &e), 0);
	assert_string_equal(ver, "anvil/v1");
	lx_rpc_destroy(c);
	loopnode_stop(&s);
	assert_int_equal(s.accepted, 1); /* one connection reused */
}

static void test_rpc_errors(void **st)
{
	(void)st;
	struct loopnode s = {0};
	s.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"header not found\"}}");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32005,\"message\":\"query returned more than 10000 results. Try with this block range [0x10, 0x1f].\"}}");
	s.answers[2] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!";
	s.n = 3;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 0, NULL);
	json_t *r;
	struct lx_error e;
	assert_int_equal(lx_rpc_call(c, "eth_getBalance", json_pack("[s]", "0x1"), &r, &e), LX_ERPC);
	assert_int_equal(e.detail, -32000);
	assert_non_null(strstr(e.msg, "header not found"));
	assert_non_null(strstr(e.msg, "eth_getBalance"));
	struct lx_rpc_req q = {0};
	q.method = "eth_getLogs";
	q.params = json_pack("[{s:s,s:s}]", "fromBlock", "0x10", "toBlock", "0x100");
	assert_int_equal(lx_rpc_run(c, &q, 1), LX_ERANGE);
	assert_int_equal(q.suggest_from, 16);
	assert_int_equal(q.suggest_to, 31);
	assert_int_equal(q.suggest_span, 16);
	assert_int_equal(lx_rpc_call(c, "eth_chainId", json_array(), &r, &e), LX_EBADRESP);
	assert_non_null(strstr(e.msg, "not JSON"));
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

static void test_retries_and_failover(void **st)
{
	(void)st;
	struct loopnode s = {0};
	s.answers[0] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n";
	s.answers[1] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
	s.answers[2] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"jsonrpc\":";
	s.answers[3] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}");
	s.n = 4;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 5, NULL);
	uint64_t v;
	struct lx_error e;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(lx_rpc_chain_id(c, &v, &e), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(v, 1);
	/* three retries with a 5-20 ms backoff: not three whole seconds */
	double el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(el < 1.0);
	const struct lx_rpc_stats *stt = lx_rpc_stats(c);
	assert_int_equal(stt->retries, 3);
	assert_int_equal(stt->err_ratelimit, 1);
	lx_rpc_destroy(c);
	loopnode_stop(&s);
	/* a dead first endpoint fails over to the second */
	struct loopnode s2 = {0};
	s2.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2\"}");
	s2.n = 1;
	loopnode_start(&s2);
	char second[64];
	snprintf(second, sizeof(second), "http://127.0.0.1:%d", s2.port);
	struct loopnode dead = {0};
	loopnode_start(&dead);
	loopnode_stop(&dead); /* its port is now closed */
	c = client(&dead, 1, second);
	assert_int_equal(lx_rpc_chain_id(c, &v, &e), 0);
	assert_int_equal(v, 2);
	assert_int_equal(lx_rpc_stats(c)->failovers, 1);
	lx_rpc_destroy(c);
	loopnode_stop(&s2);
}

static void test_batch(void **st)
{
	(void)st;
	struct loopnode s = {0};
	/* ids 1..3: id 2 missing, then id 1 twice, then all three out of order: a batch with a
	 * missing or repeated id is a bad answer, retried as a whole; nothing of it leaks */
	s.answers[0] = ok("[{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]");
	s.answers[1] = ok("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x9\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"}]");
	s.answers[2] = ok("[{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x2\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]");
	s.answers[3] = ok("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":\"0x4\"}");
	s.answers[4] = ok("[{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":\"0x6\"}]");
	s.n = 5;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 2, NULL);
	struct lx_rpc_req q[3];
	memset(q, 0, sizeof(q));
	for (int i = 0; i < 3; i++)
		q[i].method = "eth_blockNumber";
	assert_int_equal(lx_rpc_batch(c, q, 3, 10), 0);
	for (int i = 0; i < 3; i++) {
		char want[8];
		snprintf(want, sizeof(want), "0x%d", i + 1);
		assert_int_equal(q[i].rc, 0);
		assert_string_equal(json_string_value(q[i].result), want);
		json_decref(q[i].result);
	}
	assert_int_equal(lx_rpc_stats(c)->retries, 2);
	lx_rpc_destroy(c);
	/* no retries left: the whole batch fails with what was wrong */
	c = client(&s, 0, NULL);
	memset(q, 0, sizeof(q));
	q[0].method = q[1].method = "eth_blockNumber";
	assert_int_equal(lx_rpc_batch(c, q, 2, 10), LX_EBADRESP);
	assert_int_equal(q[0].rc, LX_EBADRESP);
	assert_int_equal(q[1].rc, LX_EBADRESP);
	assert_null(q[0].result);
	assert_non_null(strstr(q[1].err.msg, "not an array"));
	memset(q, 0, sizeof(q));
	q[0].method = q[1].method = "eth_blockNumber";
	assert_int_equal(lx_rpc_batch(c, q, 2, 10), LX_EBADRESP);
	/* ids 3 and 4 asked, id 6 answered: an id not asked for; nothing is kept */
	assert_null(q[0].result);
	assert_non_null(strstr(q[1].err.msg, "id 6, not one asked for"));
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

/* A JSON-RPC error of the node is retried; a revert of eth_call and invalid params are not. */
static void test_node_errors_and_reverts(void **st)
{
	(void)st;
	struct loopnode s = {0};
	s.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"missing trie node 5a3b (path ) state is not available\"}}");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"header not found\"}}");
	s.answers[2] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x00000000000000000000000000000000000000000000000000000000000000ff\"}");
	s.answers[3] = ok("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x\"}}");
	s.answers[4] = ok("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32602,\"message\":\"invalid argument 0\"}}");
	s.answers[5] = ok("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32000,\"message\":\"missing trie node 5a3b\"}}");
	s.answers[6] = ok("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32000,\"message\":\"missing trie node 5a3b\"}}");
	s.n = 7;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 2, NULL);
	json_t *r;
	struct lx_error e;
	assert_int_equal(lx_rpc_call(c, "eth_call", json_array(), &r, &e), 0);
	assert_int_equal(json_string_length(r), 66);
	json_decref(r);
	struct lx_rpc_req q = {0};
	q.method = "eth_call";
	assert_int_equal(lx_rpc_run(c, &q, 1), LX_ERPC);
	assert_true(q.reverted);
	q = (struct lx_rpc_req){0};
	q.method = "eth_call";
	assert_int_equal(lx_rpc_run(c, &q, 1), LX_ERPC);
	assert_false(q.reverted);
	assert_non_null(strstr(q.err.msg, "invalid argument"));
	assert_int_equal(lx_rpc_stats(c)->retries, 2);
	lx_rpc_destroy(c);
	/* retried, then failed with the node's message */
	c = client(&s, 1, NULL);
	q = (struct lx_rpc_req){0};
	q.method = "eth_call";
	assert_int_equal(lx_rpc_run(c, &q, 1), LX_ERPC);
	assert_false(q.reverted);
	assert_non_null(strstr(q.err.msg, "missing trie node"));
	assert_non_null(strstr(q.err.msg, "giving up after 2 tries"));
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

static int want_word(const struct lx_rpc_req *r, const json_t *res, void *ctx,
		     struct lx_error *err)
{
	(void)r;
	(*(int *)ctx)++;
	if (json_string_length(res) != 66)
		return lx_error_set(err, LX_EBADRESP, "answer is not one word");
	return 0;
}

/* A caller's check turns a well-formed but wrong answer into a retried bad answer. */
static void test_check(void **st)
{
	(void)st;
	struct loopnode s = {0};
	s.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x01\"}");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x00000000000000000000000000000000000000000000000000000000000000ff\"}");
	s.answers[2] = ok("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x\"}");
	s.n = 3;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 1, NULL);
	int calls = 0;
	struct lx_rpc_req q = {0};
	q.method = "eth_call";
	q.check = want_word;
	q.check_ctx = &calls;
	assert_int_equal(lx_rpc_run(c, &q, 1), 0);
	assert_int_equal(calls, 2);
	json_decref(q.result);
	lx_rpc_destroy(c);
	c = client(&s, 0, NULL);
	q = (struct lx_rpc_req){0};
	q.method = "eth_call";
	q.check = want_word;
	q.check_ctx = &calls;
	assert_int_equal(lx_rpc_run(c, &q, 1), LX_EBADRESP);
	assert_null(q.result);
	assert_non_null(strstr(q.err.msg, "not one word"));
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

/* 364 bytes on the wire, 200 kB once gunzipped */
static const unsigned char bomb[] = {
	0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x31, 0x20, 0x32, 0x30, 0x30, 0x20, 0x4f, 0x4b, 0x0d,
	0x0a, 0x43, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d, 0x54, 0x79, 0x70, 0x65, 0x3a, 0x20, 0x61,
	0x70, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2f, 0x6a, 0x73, 0x6f, 0x6e, 0x0d,
	0x0a, 0x43, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d, 0x45, 0x6e, 0x63, 0x6f, 0x64, 0x69, 0x6e,
	0x67, 0x3a, 0x20, 0x67, 0x7a, 0x69, 0x70, 0x0d, 0x0a, 0x43, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74,
	0x2d, 0x4c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0x3a, 0x20, 0x32, 0x36, 0x38, 0x0d, 0x0a, 0x0d, 0x0a,
	0x1f, 0x8b, 0x08, 0x00, 0x67, 0x3c, 0x11, 0x6b, 0x02, 0xff, 0xed, 0xc8, 0x3b, 0x0e, 0x40, 0x40,
	0x14, 0x00, 0xc0, 0xbb, 0xbc, 0x7a, 0x23, 0x4b, 0xb9, 0xd7, 0x41, 0x41, 0x04, 0xf1, 0x49, 0x24,
	0xe2, 0xee, 0x5c, 0x41, 0x3f, 0x53, 0xce, 0x1d, 0xe3, 0xbe, 0xcc, 0xdb, 0xda, 0x46, 0x89, 0xa6,
	0xca, 0x91, 0x62, 0xe8, 0xa2, 0xd4, 0x29, 0xb6, 0x7e, 0x3f, 0xa7, 0xe3, 0xdb, 0x7c, 0x65, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xe0, 0xb7, 0x78, 0x5e, 0xc4, 0x4c, 0x90, 0xbd, 0x66, 0x0d, 0x03, 0x00,
};

/* The answer cap holds for decoded bytes: a gzip bomb and a chunked body without a length. */
static void test_cap_decoded(void **st)
{
	(void)st;
	static char chunked[70000];
	int k = snprintf(chunked, sizeof(chunked),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n");
	const char *pre = "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x";
	k += snprintf(chunked + k, sizeof(chunked) - (size_t)k, "%zx\r\n%s\r\n", strlen(pre), pre);
	for (int i = 0; i < 10; i++) {
		k += snprintf(chunked + k, sizeof(chunked) - (size_t)k, "1000\r\n");
		memset(chunked + k, '0', 4096);
		k += 4096;
		k += snprintf(chunked + k, sizeof(chunked) - (size_t)k, "\r\n");
	}
	snprintf(chunked + k, sizeof(chunked) - (size_t)k, "2\r\n\"}\r\n0\r\n\r\n");
	struct loopnode s = {0};
	s.answers[0] = (const char *)bomb;
	s.lens[0] = sizeof(bomb);
	s.answers[1] = chunked;
	s.answers[2] = ok("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x1\"}");
	s.n = 3;
	loopnode_start(&s);
	struct lx_rpc_opts o;
	memset(&o, 0, sizeof(o));
	char url[64];
	loopnode_url(&s, url, sizeof(url));
	o.urls[o.n_urls++] = url;
	o.max_retries = 0;
	o.backoff_ms = 5;
	o.max_response = 16384;
	o.compress = 1; /* loopback answers are not asked for gzip otherwise */
	struct lx_rpc *c;
	assert_int_equal(lx_rpc_create(&c, &o, NULL), 0);
	json_t *r = NULL;
	struct lx_error e;
	assert_int_equal(lx_rpc_call(c, "eth_call", json_array(), &r, &e), LX_ERANGE);
	assert_non_null(strstr(e.msg, "larger than 16384 bytes"));
	assert_int_equal(lx_rpc_call(c, "eth_call", json_array(), &r, &e), LX_ERANGE);
	assert_non_null(strstr(e.msg, "larger than 16384 bytes"));
	uint64_t v;
	assert_int_equal(lx_rpc_block_number(c, &v, &e), 0); /* the client is still usable */
	assert_int_equal(v, 1);
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

static void test_logs(void **st)
{
	(void)st;
	struct lx_logset ls;
	struct lx_error e;
	lx_logset_init(&ls);
	json_t *ok_log = json_loads(
		"[{\"address\":\"0x794a61358d6845594f94dc1db02a252b5b4814ad\",\"topics\":[\"0x00058a56ea94"
		"653cdf4f152d227ace22d4c00ad99e2a43f58cb7d9e3feb295f2\"],\"data\":\"0x\",\"blockNumber\":"
		"\"0x10\",\"transactionHash\":\"0x0b1fc684f986b507c84d13d45d4eb42d48ce2a4e8ae20afc4a8af4e69"
		"b140e96\",\"logIndex\":\"0x2\",\"l1Fee\":\"0x1\",\"blockTimestamp\":\"0x5\"}]",
		0, NULL);
	assert_int_equal(lx_logset_append(&ls, ok_log, &e), 0);
	assert_int_equal(ls.n, 1);
	assert_int_equal(ls.logs[0].block, 16);
	assert_int_equal(ls.logs[0].timestamp, 5);
	assert_int_equal(ls.logs[0].data_len, 0);
	json_decref(ok_log);
	json_t *bad = json_loads("[{\"address\":\"0x12\",\"topics\":[],\"data\":\"0x\",\"blockNumber\":"
				 "\"0x10\",\"transactionHash\":\"0x0b1fc684f986b507c84d13d45d4eb42d48ce"
				 "2a4e8ae20afc4a8af4e69b140e96\",\"logIndex\":\"0x2\"}]",
				 0, NULL);
	assert_int_equal(lx_logset_append(&ls, bad, &e), LX_EBADRESP);
	assert_non_null(strstr(e.msg, "'address'"));
	json_decref(bad);
	lx_logset_release(&ls);
}

/* check_logs for test_streamed_logs: every log in block 16 */
static int in_block_16(const struct lx_rpc_req *r, const struct lx_logset *set, size_t first,
		       void *ctx, struct lx_error *err)
{
	(void)r;
	(*(int *)ctx)++;
	for (size_t i = first; i < set->n; i++)
		if (set->logs[i].block != 16)
			return lx_error_set(err, LX_EBADRESP, "log outside the range");
	return 0;
}

#define STREAM_LOG(block, index)                                                               \
	"{\"address\":\"0x794a61358d6845594f94dc1db02a252b5b4814ad\",\"topics\":[],\"data\":"   \
	"\"0xabcd\",\"blockNumber\":\"" block "\",\"transactionHash\":\"0x0b1fc684f986b507c84d13" \
	"d45d4eb42d48ce2a4e8ae20afc4a8af4e69b140e96\",\"logIndex\":\"" index "\"}"

/* eth_getLogs read as it arrives into the caller's set: bad JSON, a log the caller's check
 * refuses and a JSON-RPC refusal are retried or failed with nothing left in the set. */
static void test_streamed_logs(void **st)
{
	(void)st;
	struct loopnode s = {0};
	s.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[" STREAM_LOG("0x10", "0x0")
			  ",{\"address\":}]}");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[" STREAM_LOG("0x10", "0x0")
			  "," STREAM_LOG("0x11", "0x0") "]}");
	s.answers[2] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[" STREAM_LOG("0x10", "0x0")
			  "," STREAM_LOG("0x10", "0x1") "]}");
	s.answers[3] = ok("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32005,\"message\":"
			  "\"query returned more than 10000 results. Try with this block range "
			  "[0x10, 0x20].\"}}");
	s.n = 4;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 3, NULL);
	struct lx_logset set;
	lx_logset_init(&set);
	int checks = 0;
	struct lx_rpc_req q = {0};
	q.method = "eth_getLogs";
	q.logs = &set;
	q.check_logs = in_block_16;
	q.check_ctx = &checks;
	assert_int_equal(lx_rpc_run(c, &q, 1), 0);
	assert_null(q.result);
	assert_int_equal(checks, 2); /* answer 1 refused by the check, answer 2 taken */
	assert_int_equal(set.n, 2);
	assert_int_equal(set.logs[1].log_index, 1);
	assert_int_equal(set.arena_len, 4);
	assert_int_equal(set.logs[0].data[1], 0xcd);
	assert_int_equal(set.logs[1].data[0], 0xab);
	q = (struct lx_rpc_req){0};
	q.method = "eth_getLogs";
	q.logs = &set;
	assert_int_equal(lx_rpc_run(c, &q, 1), LX_ERANGE);
	assert_int_equal(q.suggest_span, 17);
	assert_int_equal(set.n, 2);
	assert_int_equal(set.arena_len, 4);
	lx_logset_release(&set);
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

/* ---- the batch codec (batch.c) ---- */

static void test_batch_encode(void **st)
{
	(void)st;
	struct lx_rpc_req q[3];
	memset(q, 0, sizeof(q));
	q[0].method = "eth_blockNumber"; /* params NULL: [] */
	q[1].method = "eth_call";
	q[1].params = json_pack("[{s:s},s]", "to", "0x01", "latest");
	q[2].method = "eth_chainId";
	size_t len;
	char *one = lx_rpc_encode(q, 1, 7, &len);
	assert_non_null(one);
	assert_int_equal(len, strlen(one));
	assert_string_equal(one, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\","
				 "\"params\":[]}");
	free(one);
	char *all = lx_rpc_encode(q, 3, 41, &len);
	assert_non_null(all);
	json_error_t je;
	json_t *d = json_loads(all, 0, &je);
	assert_non_null(d);
	assert_true(json_is_array(d));
	assert_int_equal(json_array_size(d), 3);
	for (size_t k = 0; k < 3; k++) {
		json_t *e = json_array_get(d, k);
		assert_int_equal(json_integer_value(json_object_get(e, "id")), 41 + (int)k);
		assert_string_equal(json_string_value(json_object_get(e, "method")), q[k].method);
		assert_true(json_is_array(json_object_get(e, "params")));
	}
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(json_array_get(d, 1), "params"), 0),
				    "to")),
			    "0x01");
	json_decref(d);
	free(all);
	/* params are borrowed: still the caller's */
	assert_int_equal(q[1].params->refcount, 1);
	json_decref(q[1].params);
	assert_null(lx_rpc_encode(q, 0, 1, &len));
	assert_int_equal(len, 0);
}

/* decode body for ids 10..12; returns rc, fills refused and the error */
static int dec(const char *body, struct lx_rpc_batch_entry out[3], bool *refused,
	       size_t *culprit, struct lx_error *e)
{
	json_t *doc;
	int rc = lx_rpc_batch_decode(&doc, out, refused, culprit, body, strlen(body), 10, 3, e);
	if (rc == 0) {
		assert_non_null(doc);
		/* the entries are borrowed from doc: read them, then let go of it */
		for (int k = 0; k < 3; k++)
			assert_true((out[k].result != NULL) != (out[k].error != NULL));
		json_decref(doc);
	} else {
		assert_null(doc);
		for (int k = 0; k < 3; k++)
			assert_true(!out[k].result && !out[k].error);
	}
	return rc;
}

static void test_batch_decode(void **st)
{
	(void)st;
	struct lx_rpc_batch_entry out[3];
	bool refused;
	size_t culprit;
	struct lx_error e;
	/* out of order, a null result and an error entry: each id once is an answer */
	json_t *doc;
	const char *good = "[{\"jsonrpc\":\"2.0\",\"id\":12,\"result\":\"0xc\"},"
			   "{\"jsonrpc\":\"2.0\",\"id\":10,\"result\":null},"
			   "{\"jsonrpc\":\"2.0\",\"id\":11,\"error\":{\"code\":3,\"message\":\"execution "
			   "reverted\"}}]";
	assert_int_equal(lx_rpc_batch_decode(&doc, out, &refused, &culprit, good, strlen(good), 10,
					     3, &e),
			 0);
	assert_int_equal(culprit, 3);
	assert_false(refused);
	assert_true(json_is_null(out[0].result));
	assert_non_null(out[1].error);
	assert_null(out[1].result);
	assert_string_equal(json_string_value(out[2].result), "0xc");
	json_decref(doc);
	static const struct {
		const char *body, *msg;
		bool refused;
		size_t culprit; /* 3: none */
	} bad[] = {
		{"", "not JSON", false, 3},
		{"[{\"id\":10,\"result\":\"0x1\"},{\"id\":11,\"result\":\"0x1\"}", "not JSON", false, 3},
		{"{\"jsonrpc\":\"2.0\",\"id\":10,\"result\":\"0x1\"}", "not an array", false, 3},
		{"[]", "0 of the 3 ids asked for (no id 10)", false, 0},
		{"[{\"id\":10,\"result\":\"0x1\"},{\"id\":12,\"result\":\"0x1\"}]",
		 "2 of the 3 ids asked for (no id 11)", false, 1},
		{"[{\"id\":10,\"result\":\"0x1\"},{\"id\":10,\"result\":\"0x2\"},{\"id\":11,"
		 "\"result\":\"0x1\"},{\"id\":12,\"result\":\"0x1\"}]",
		 "repeats id 10", false, 0},
		{"[{\"id\":10,\"result\":\"0x1\"},{\"id\":13,\"result\":\"0x1\"},{\"id\":12,"
		 "\"result\":\"0x1\"}]",
		 "id 13, not one asked for", false, 3},
		{"[{\"id\":9,\"result\":\"0x1\"}]", "id 9, not one asked for", false, 3},
		{"[{\"id\":-1,\"result\":\"0x1\"}]", "id -1, not one asked for", false, 3},
		{"[{\"id\":\"10\",\"result\":\"0x1\"}]", "id \"10\", not one asked for", false, 3},
		{"[{\"result\":\"0x1\"}]", "id (none), not one asked for", false, 3},
		{"[{\"id\":10.0,\"result\":\"0x1\"}]", "not one asked for", false, 3},
		{"[7]", "entry 0 is not an object", false, 3},
		{"[{\"id\":10}]", "for id 10 has no result", false, 0},
		{"[{\"id\":10,\"result\":\"0x1\",\"error\":{\"code\":1}}]", "both a result and an error",
		 false, 0},
		{"[{\"id\":10,\"error\":\"no\"}]", "error that is not an object", false, 0},
		{"[{\"id\":10,\"result\":\"0x1\",\"id\":11}]", "not JSON", false, 3},
		/* refusals: the node says no to the batch itself */
		{"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batch too "
		 "large\"}}",
		 "refused a batch of 3: batch too large", true, 3},
		{"[{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batch "
		 "requests are not supported\"}}]",
		 "refused a batch of 3: batch requests are not supported", true, 3},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lx_error_clear(&e);
		assert_int_equal(dec(bad[i].body, out, &refused, &culprit, &e), LX_EBADRESP);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("case %zu: want '%s' in '%s'", i, bad[i].msg, e.msg);
		assert_int_equal(refused, bad[i].refused);
		if (culprit != bad[i].culprit)
			fail_msg("case %zu: culprit %zu, want %zu", i, culprit, bad[i].culprit);
	}
	assert_int_equal(lx_rpc_batch_decode(&doc, out, &refused, &culprit, "[]", 2, 10, 0, &e),
			 LX_EINVAL);
	/* ids near 2^63: no wrap-around into the ids asked for */
	const char *big = "[{\"id\":9223372036854775807,\"result\":\"0x1\"}]";
	assert_int_equal(lx_rpc_batch_decode(&doc, out, &refused, &culprit, big, strlen(big), 10, 3,
					     &e),
			 LX_EBADRESP);
}

/*
 * A node with a batch limit: a batch over `limit` requests is refused (how: ctx->how), others
 * answered with each request's own first param as its result, in reverse order.
 */
struct limit_node {
	size_t limit;
	int how; /* 0: an error object instead of the array; 1: an id-null error entry; 2: HTTP 413 */
	int batches, refusals, singles;
};

static char *limit_handler(struct loopnode *ln, const char *body, size_t len)
{
	struct limit_node *n = ln->ctx;
	json_error_t je;
	json_t *d = json_loadb(body, len, 0, &je);
	if (!d)
		return NULL;
	char *out;
	if (json_is_array(d) && json_array_size(d) > n->limit) {
		n->refusals++;
		json_decref(d);
		if (n->how == 2) {
			const char *r = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n";
			return strdup(r);
		}
		return loopnode_ok(n->how == 0
					   ? "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
					     "\"message\":\"batch too large\"}}"
					   : "[{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
					     "\"message\":\"batch too large\"}}]");
	}
	json_t *ans;
	if (json_is_array(d)) {
		n->batches++;
		ans = json_array();
		for (size_t i = json_array_size(d); i-- > 0;) {
			json_t *q = json_array_get(d, i);
			json_array_append_new(ans, json_pack("{s:s,s:O,s:O}", "jsonrpc", "2.0", "id",
							     json_object_get(q, "id"), "result",
							     json_array_get(json_object_get(q, "params"),
									    0)));
		}
	} else {
		n->singles++;
		ans = json_pack("{s:s,s:O,s:O}", "jsonrpc", "2.0", "id", json_object_get(d, "id"),
				"result", json_array_get(json_object_get(d, "params"), 0));
	}
	char *t = json_dumps(ans, JSON_COMPACT);
	out = loopnode_ok(t);
	free(t);
	json_decref(ans);
	json_decref(d);
	return out;
}

static void test_batch_refused(void **st)
{
	(void)st;
	for (int how = 0; how < 3; how++) {
		struct limit_node ln = {3, how, 0, 0, 0};
		struct loopnode s = {0};
		s.handler = limit_handler;
		s.ctx = &ln;
		loopnode_start(&s);
		char url[64];
		loopnode_url(&s, url, sizeof(url));
		struct lx_rpc_opts o;
		memset(&o, 0, sizeof(o));
		o.urls[o.n_urls++] = url;
		o.max_retries = 2;
		o.backoff_ms = 5;
		o.timeout_ms = 2000;
		o.batch = 16;
		o.max_inflight = 2;
		struct lx_rpc *c;
		assert_int_equal(lx_rpc_create(&c, &o, NULL), 0);
		enum { N = 40 };
		struct lx_rpc_req q[N];
		memset(q, 0, sizeof(q));
		for (int i = 0; i < N; i++) {
			char v[16];
			snprintf(v, sizeof(v), "0x%x", 1000 + i);
			q[i].method = "eth_getBalance";
			q[i].params = json_pack("[s]", v);
		}
		/* 16 refused -> 8 refused -> 4 refused -> 2 taken: every answer its own */
		assert_int_equal(lx_rpc_batch(c, q, N, 0), 0);
		for (int i = 0; i < N; i++) {
			char v[16];
			snprintf(v, sizeof(v), "0x%x", 1000 + i);
			assert_int_equal(q[i].rc, 0);
			assert_string_equal(json_string_value(q[i].result), v);
			json_decref(q[i].result);
		}
		assert_int_equal(lx_rpc_batch_size(c), 2);
		assert_true(lx_rpc_stats(c)->batch_refused >= 3);
		assert_int_equal(ln.refusals, (int)lx_rpc_stats(c)->batch_refused);
		assert_true(ln.batches >= 20);
		/* later batches start at the size that worked: no refusal */
		int before = ln.refusals;
		memset(q, 0, 6 * sizeof(q[0]));
		for (int i = 0; i < 6; i++) {
			q[i].method = "eth_getBalance";
			q[i].params = json_pack("[s]", "0x5");
		}
		assert_int_equal(lx_rpc_batch(c, q, 6, 0), 0);
		for (int i = 0; i < 6; i++) {
			assert_string_equal(json_string_value(q[i].result), "0x5");
			json_decref(q[i].result);
		}
		assert_int_equal(ln.refusals, before);
		lx_rpc_destroy(c);
		loopnode_stop(&s);
	}
	/* a node that takes no batch at all: single requests, every answer its own */
	struct limit_node ln = {1, 0, 0, 0, 0};
	struct loopnode s = {0};
	s.handler = limit_handler;
	s.ctx = &ln;
	loopnode_start(&s);
	char url[64];
	loopnode_url(&s, url, sizeof(url));
	struct lx_rpc_opts o;
	memset(&o, 0, sizeof(o));
	o.urls[o.n_urls++] = url;
	o.backoff_ms = 5;
	o.timeout_ms = 2000;
	struct lx_rpc *c;
	assert_int_equal(lx_rpc_create(&c, &o, NULL), 0);
	assert_int_equal(lx_rpc_batch_size(c), 100);
	struct lx_rpc_req q[5];
	memset(q, 0, sizeof(q));
	for (int i = 0; i < 5; i++) {
		q[i].method = "eth_getBalance";
		q[i].params = json_pack("[s]", i % 2 ? "0x1" : "0x2");
	}
	assert_int_equal(lx_rpc_batch(c, q, 5, 0), 0);
	for (int i = 0; i < 5; i++) {
		assert_string_equal(json_string_value(q[i].result), i % 2 ? "0x1" : "0x2");
		json_decref(q[i].result);
	}
	assert_int_equal(lx_rpc_batch_size(c), 1);
	assert_int_equal(ln.singles, 5);
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

/* An error entry of the node's inside a batch: the batch is retried whole, then fails with the
 * node's words, never read as "no result". */
static void test_batch_error_entry(void **st)
{
	(void)st;
	struct loopnode s = {0};
	const char *trie = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\","
			   "\"id\":2,\"error\":{\"code\":-32000,\"message\":\"missing trie node "
			   "ab\"}}]";
	s.answers[0] = ok(trie);
	s.answers[1] = ok("[{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x2\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]");
	/* a new client numbers from 1 again */
	s.answers[2] = ok("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\","
			  "\"id\":2,\"error\":{\"code\":-32000,\"message\":\"missing trie node "
			  "ab\"}}]");
	s.n = 3;
	loopnode_start(&s);
	struct lx_rpc *c = client(&s, 1, NULL);
	struct lx_rpc_req q[2];
	memset(q, 0, sizeof(q));
	q[0].method = q[1].method = "eth_call";
	assert_int_equal(lx_rpc_batch(c, q, 2, 10), 0);
	assert_string_equal(json_string_value(q[0].result), "0x1");
	assert_string_equal(json_string_value(q[1].result), "0x2");
	json_decref(q[0].result);
	json_decref(q[1].result);
	lx_rpc_destroy(c);
	c = client(&s, 0, NULL);
	memset(q, 0, sizeof(q));
	q[0].method = q[1].method = "eth_call";
	assert_int_equal(lx_rpc_batch(c, q, 2, 10), LX_ERPC);
	assert_null(q[0].result);
	assert_null(q[1].result);
	assert_false(q[1].reverted);
	assert_non_null(strstr(q[1].err.msg, "missing trie node"));
	/* both fail with the batch's error; the second's entry is the one to name */
	assert_false(q[0].culprit);
	assert_true(q[1].culprit);
	lx_rpc_destroy(c);
	loopnode_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_keepalive),
		cmocka_unit_test(test_rpc_errors),
		cmocka_unit_test(test_retries_and_failover),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_batch_encode),
		cmocka_unit_test(test_batch_decode),
		cmocka_unit_test(test_batch_refused),
		cmocka_unit_test(test_batch_error_entry),
		cmocka_unit_test(test_node_errors_and_reverts),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_cap_decoded),
		cmocka_unit_test(test_logs),
		cmocka_unit_test(test_streamed_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
