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
	assert_null(q[0].result); /* id 1 answered, id 2 not: nothing is kept */
	assert_non_null(strstr(q[1].err.msg, "no id"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_keepalive),
		cmocka_unit_test(test_rpc_errors),
		cmocka_unit_test(test_retries_and_failover),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_node_errors_and_reverts),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_cap_decoded),
		cmocka_unit_test(test_logs),
		cmocka_unit_test(test_streamed_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
