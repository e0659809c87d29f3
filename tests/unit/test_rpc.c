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
#include <unistd.h>

#include <cmocka.h>

#include "lendex/rpc.h"

struct server {
	int fd, port;
	const char *answers[16]; /* raw HTTP responses, served in order, one per request */
	int n, served, accepted;
	pthread_t th;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	while (s->served < s->n) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		s->accepted++;
		char buf[65536];
		while (s->served < s->n) {
			ssize_t got = recv(c, buf, sizeof(buf) - 1, 0);
			if (got <= 0)
				break;
			buf[got] = 0;
			/* wait for the whole body (Content-Length) */
			char *cl = strcasestr(buf, "content-length:");
			char *hdr_end = strstr(buf, "\r\n\r\n");
			if (cl && hdr_end) {
				long want = strtol(cl + 15, NULL, 10);
				while ((long)(got - (hdr_end + 4 - buf)) < want) {
					ssize_t m = recv(c, buf + got, sizeof(buf) - 1 - (size_t)got, 0);
					if (m <= 0)
						break;
					got += m;
				}
			}
			const char *a = s->answers[s->served++];
			send(c, a, strlen(a), MSG_NOSIGNAL);
			if (strstr(a, "Connection: close"))
				break;
		}
		close(c);
	}
	return NULL;
}

static void start(struct server *s)
{
	struct sockaddr_in sa = {0};
	socklen_t sl = sizeof(sa);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	getsockname(s->fd, (struct sockaddr *)&sa, &sl);
	s->port = ntohs(sa.sin_port);
	pthread_create(&s->th, NULL, serve, s);
}

static void stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->th, NULL);
}

static char *ok(const char *body)
{
	static char bufs[16][1024];
	static int k;
	char *b = bufs[k++ % 16];
	snprintf(b, 1024, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(body), body);
	return b;
}

static struct lx_rpc *client(struct server *s, int retries, const char *second)
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
	struct server s = {0};
	s.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7a69\"}");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x10\"}");
	s.answers[2] = ok("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"anvil/v1\"}");
	s.n = 3;
	start(&s);
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
	stop(&s);
	assert_int_equal(s.accepted, 1); /* one connection reused */
}

static void test_rpc_errors(void **st)
{
	(void)st;
	struct server s = {0};
	s.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"header not found\"}}");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32005,\"message\":\"query returned more than 10000 results. Try with this block range [0x10, 0x1f].\"}}");
	s.answers[2] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!";
	s.n = 3;
	start(&s);
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
	stop(&s);
}

static void test_retries_and_failover(void **st)
{
	(void)st;
	struct server s = {0};
	s.answers[0] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n";
	s.answers[1] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
	s.answers[2] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"jsonrpc\":";
	s.answers[3] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}");
	s.n = 4;
	start(&s);
	struct lx_rpc *c = client(&s, 5, NULL);
	uint64_t v;
	struct lx_error e;
	assert_int_equal(lx_rpc_chain_id(c, &v, &e), 0);
	assert_int_equal(v, 1);
	const struct lx_rpc_stats *stt = lx_rpc_stats(c);
	assert_int_equal(stt->retries, 3);
	assert_int_equal(stt->err_ratelimit, 1);
	lx_rpc_destroy(c);
	stop(&s);
	/* a dead first endpoint fails over to the second */
	struct server s2 = {0};
	s2.answers[0] = ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2\"}");
	s2.n = 1;
	start(&s2);
	char second[64];
	snprintf(second, sizeof(second), "http://127.0.0.1:%d", s2.port);
	struct server dead = {0};
	start(&dead);
	stop(&dead); /* its port is now closed */
	c = client(&dead, 1, second);
	assert_int_equal(lx_rpc_chain_id(c, &v, &e), 0);
	assert_int_equal(v, 2);
	assert_int_equal(lx_rpc_stats(c)->failovers, 1);
	lx_rpc_destroy(c);
	stop(&s2);
}

static void test_batch(void **st)
{
	(void)st;
	struct server s = {0};
	/* ids 1..3 answered out of order, id 2 missing; then a whole batch that is not an array */
	s.answers[0] = ok("[{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]");
	s.answers[1] = ok("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":\"0x4\"}");
	s.n = 2;
	start(&s);
	struct lx_rpc *c = client(&s, 0, NULL);
	struct lx_rpc_req q[3];
	memset(q, 0, sizeof(q));
	for (int i = 0; i < 3; i++)
		q[i].method = "eth_blockNumber";
	assert_int_equal(lx_rpc_batch(c, q, 3, 10), LX_EBADRESP);
	assert_int_equal(q[0].rc, 0);
	assert_string_equal(json_string_value(q[0].result), "0x1");
	assert_int_equal(q[1].rc, LX_EBADRESP);
	assert_non_null(strstr(q[1].err.msg, "no id"));
	assert_int_equal(q[2].rc, 0);
	assert_string_equal(json_string_value(q[2].result), "0x3");
	for (int i = 0; i < 3; i++)
		json_decref(q[i].result);
	memset(q, 0, sizeof(q));
	q[0].method = q[1].method = "eth_blockNumber";
	assert_int_equal(lx_rpc_batch(c, q, 2, 10), LX_EBADRESP);
	assert_int_equal(q[0].rc, LX_EBADRESP);
	assert_int_equal(q[1].rc, LX_EBADRESP);
	assert_non_null(strstr(q[1].err.msg, "not an array"));
	lx_rpc_destroy(c);
	stop(&s);
	assert_int_equal(s.accepted, 1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_keepalive),
		cmocka_unit_test(test_rpc_errors),
		cmocka_unit_test(test_retries_and_failover),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
