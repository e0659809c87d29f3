/*
 * test_logstream.c: the streaming eth_getLogs reader against the reference reading of the same
 * answers (jansson's json_loadb with JSON_REJECT_DUPLICATES, then lx_logset_append): real
 * answers from fixtures/real-logs/getlogs/, generated answers (field order, unknown fields,
 * escapes, whitespace, removed logs), and mutated ones (flipped, inserted and dropped bytes,
 * truncations), each fed in chunks of many sizes. Both readings must accept the same answers,
 * produce the same logs, and fail with the same message where the failure is a log's.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/rpc.h"

/* ---- the two readings ---------------------------------------------------------------------- */

struct reading {
	int rc;
	struct lx_error err;
	struct lx_logset set;
	long rpc_code;             /* JSON-RPC error code when the answer was an error object */
	bool rpc_error;
};

static void reading_release(struct reading *r)
{
	lx_logset_release(&r->set);
}

static void ref_read(const char *buf, size_t len, struct reading *out)
{
	memset(out, 0, sizeof(*out));
	lx_logset_init(&out->set);
	json_error_t je;
	json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc || !json_is_object(doc)) {
		out->rc = LX_EBADRESP;
		json_decref(doc);
		return;
	}
	json_t *e = json_object_get(doc, "error");
	if (e && !json_is_null(e)) {
		out->rpc_error = true;
		out->rpc_code = (long)json_integer_value(json_object_get(e, "code"));
	} else {
		out->rc = lx_logset_append(&out->set, json_object_get(doc, "result"), &out->err);
	}
	json_decref(doc);
}

static void stream_read(const char *buf, size_t len, size_t chunk, struct reading *out)
{
	memset(out, 0, sizeof(*out));
	lx_logset_init(&out->set);
	struct lx_logstream st;
	lx_logstream_init(&st, &out->set, 0);
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		/* a fresh copy per chunk, so nothing may point into an earlier one */
		char *c = malloc(n ? n : 1);
		assert_non_null(c);
		memcpy(c, buf + off, n);
		int rc = lx_logstream_feed(&st, c, n);
		memset(c, 0xAA, n);
		free(c);
		if (rc)
			break;
	}
	json_t *e = NULL;
	out->rc = lx_logstream_finish(&st, &e, &out->err);
	if (e) {
		out->rpc_error = true;
		out->rpc_code = (long)json_integer_value(json_object_get(e, "code"));
		json_decref(e);
	}
	lx_logstream_release(&st);
}

static void same_logs(const struct lx_logset *a, const struct lx_logset *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->have_timestamps, b->have_timestamps);
	for (size_t i = 0; i < a->n; i++) {
		const struct lx_log *x = &a->logs[i], *y = &b->logs[i];
		assert_int_equal(x->block, y->block);
		assert_int_equal(x->log_index, y->log_index);
		assert_int_equal(x->tx_index, y->tx_index);
		assert_int_equal(x->timestamp, y->timestamp);
		assert_memory_equal(x->tx, y->tx, 32);
		assert_memory_equal(x->address.b, y->address.b, 20);
		assert_int_equal(x->n_topics, y->n_topics);
		assert_memory_equal(x->topics, y->topics, sizeof(x->topics));
		assert_int_equal(x->data_len, y->data_len);
		if (x->data_len)
			assert_memory_equal(x->data, y->data, x->data_len);
	}
}

/* Both readings of buf, the stream's in several chunkings; returns the reference's rc. */
static int differential(const char *buf, size_t len)
{
	static const size_t chunks[] = {1, 2, 3, 7, 64, 4093, (size_t)1 << 30};
	struct reading ref;
	ref_read(buf, len, &ref);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct reading got;
		stream_read(buf, len, chunks[k], &got);
		if ((ref.rc == 0) != (got.rc == 0)) {
			fprintf(stderr, "disagree (chunk %zu): ref rc %d '%s', stream rc %d '%s'\n"
				"answer: %.*s\n", chunks[k], ref.rc, ref.err.msg, got.rc, got.err.msg,
				(int)(len > 600 ? 600 : len), buf);
			fail();
		}
		assert_int_equal(ref.rpc_error, got.rpc_error);
		if (ref.rc == 0 && !ref.rpc_error) {
			same_logs(&ref.set, &got.set);
		} else if (ref.rc && strstr(ref.err.msg, "eth_getLogs log #")) {
			assert_string_equal(ref.err.msg, got.err.msg);
		}
		if (ref.rpc_error)
			assert_int_equal(ref.rpc_code, got.rpc_code);
		if (got.rc)
			assert_true(got.err.msg[0] != 0);
		reading_release(&got);
	}
	int rc = ref.rc;
	reading_release(&ref);
	return rc;
}

static char *envelope(const char *result, size_t *len)
{
	size_t n = strlen(result) + 64;
	char *b = malloc(n);
	assert_non_null(b);
	*len = (size_t)snprintf(b, n, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":%s}", result);
	return b;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* ---- real answers -------------------------------------------------------------------------- */

static void test_real_answers(void **state)
{
	(void)state;
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/fixtures/real-logs/getlogs", LX_SOURCE_DIR);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int files = 0;
	size_t logs = 0;
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, ".json"))
			continue;
		char path[1400];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t n, len;
		char *raw = slurp(path, &n);
		assert_non_null(raw);
		char *env = envelope(raw, &len);
		assert_int_equal(differential(env, len), 0);
		struct reading got;
		stream_read(env, len, 5, &got);
		assert_int_equal(got.rc, 0);
		assert_true(got.set.n > 0);
		logs += got.set.n;
		reading_release(&got);
		free(raw);
		free(env);
		files++;
	}
	closedir(d);
	assert_true(files >= 10);
	assert_true(logs > 100);
}

/* ---- generated answers --------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if ((size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		b->cap = b->cap * 2 + (size_t)k + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
}

static void sp(struct buf *b)
{
	static const char *const w[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
	put(b, "%s", w[rnd() % 7]);
}

/* hex text of n bytes, sometimes upper case, sometimes with an escaped digit */
static void hex(struct buf *b, size_t n, bool quantity)
{
	put(b, "\"0x");
	if (quantity) {
		put(b, "%llx", (unsigned long long)(rnd() % 100000000));
	} else {
		bool upper = rnd() % 5 == 0;
		for (size_t i = 0; i < n; i++) {
			unsigned v = (unsigned)(rnd() & 0xff);
			if (rnd() % 97 == 0)
				put(b, "\\u003%u%x", v >> 4 < 10 ? v >> 4 : 0, v & 0xf);
			else
				put(b, upper ? "%02X" : "%02x", v);
		}
	}
	put(b, "\"");
}

static void junk_value(struct buf *b, int depth)
{
	switch (rnd() % (depth > 3 ? 5 : 7)) {
	case 0:
		put(b, "%lld", (long long)(rnd() % 2000000) - 1000000);
		break;
	case 1:
		put(b, "-12.5e%d", (int)(rnd() % 20));
		break;
	case 2:
		put(b, "\"caf\\u00e9 \\\"q\\\" \\ud83d\\ude00 \xc3\xa9\"");
		break;
	case 3:
		put(b, rnd() % 2 ? "true" : "null");
		break;
	case 4:
		put(b, "\"\"");
		break;
	case 5:
		put(b, "[");
		for (int i = 0, n = (int)(rnd() % 3); i < n; i++) {
			if (i)
				put(b, ",");
			junk_value(b, depth + 1);
		}
		put(b, "]");
		break;
	default:
		put(b, "{");
		for (int i = 0, n = (int)(rnd() % 3); i < n; i++) {
			if (i)
				put(b, ",");
			put(b, "\"k%d\":", i);
			junk_value(b, depth + 1);
		}
		put(b, "}");
		break;
	}
}

static void gen_log(struct buf *b)
{
	int order[14];
	int n = 0;
	for (int i = 0; i < 8; i++)
		order[n++] = i;
	if (rnd() % 3)
		order[n++] = 8; /* blockTimestamp */
	if (rnd() % 10 == 0)
		order[n++] = 9; /* removed */
	for (int i = 0, k = (int)(rnd() % 3); i < k; i++)
		order[n++] = 10 + i; /* unknown fields */
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(rnd() % (uint64_t)(i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	put(b, "{");
	for (int i = 0; i < n; i++) {
		if (i)
			put(b, ",");
		sp(b);
		switch (order[i]) {
		case 0:
			put(b, "\"address\":");
			sp(b);
			put(b, rnd() % 2 ? "\"0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2\""
					 : "\"0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2\"");
			break;
		case 1: {
			put(b, "\"topics\":[");
			int k = (int)(rnd() % 5);
			for (int t = 0; t < k; t++) {
				if (t)
					put(b, ",");
				sp(b);
				hex(b, 32, false);
			}
			put(b, "]");
			break;
		}
		case 2:
			put(b, "\"data\":");
			hex(b, (size_t)(rnd() % 5) * 32, false);
			break;
		case 3:
			put(b, rnd() % 20 ? "\"blockNumber\":" : "\"block\\u004eumber\":");
			hex(b, 0, true);
			break;
		case 4:
			put(b, "\"transactionHash\":");
			hex(b, 32, false);
			break;
		case 5:
			put(b, "\"transactionIndex\":");
			hex(b, 0, true);
			break;
		case 6:
			put(b, "\"blockHash\":");
			hex(b, 32, false);
			break;
		case 7:
			put(b, "\"logIndex\":");
			hex(b, 0, true);
			break;
		case 8:
			put(b, "\"blockTimestamp\":");
			hex(b, 0, true);
			break;
		case 9:
			put(b, "\"removed\":%s", rnd() % 2 ? "true" : "false");
			break;
		default:
			put(b, "\"x-extra%d\":", order[i]);
			junk_value(b, 0);
			break;
		}
		sp(b);
	}
	put(b, "}");
}

static void gen_answer(struct buf *b)
{
	b->n = 0;
	put(b, "{");
	sp(b);
	bool result_first = rnd() % 2;
	if (result_first)
		put(b, "\"result\":");
	else
		put(b, "\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":", (int)(rnd() % 1000));
	put(b, "[");
	for (int i = 0, n = (int)(rnd() % 6); i < n; i++) {
		if (i)
			put(b, ",");
		sp(b);
		gen_log(b);
	}
	put(b, "]");
	if (result_first)
		put(b, ",\"id\":1,\"jsonrpc\":\"2.0\"");
	sp(b);
	put(b, "}");
	sp(b);
}

static void test_generated(void **state)
{
	(void)state;
	struct buf b = {0};
	int ok = 0;
	for (int i = 0; i < 400; i++) {
		gen_answer(&b);
		if (differential(b.p, b.n) == 0)
			ok++;
	}
	free(b.p);
	/* most generated answers are valid; the rest fail on purpose (bad escapes in hex) */
	assert_true(ok > 300);
}

static void test_mutated(void **state)
{
	(void)state;
	struct buf b = {0};
	int accepted = 0, refused = 0;
	for (int i = 0; i < 1500; i++) {
		gen_answer(&b);
		size_t at = b.n ? (size_t)(rnd() % b.n) : 0;
		switch (rnd() % 4) {
		case 0:
			b.p[at] ^= (char)(1u << (rnd() % 8));
			break;
		case 1:
			b.n = at; /* truncated */
			break;
		case 2:
			memmove(b.p + at, b.p + at + 1, b.n - at - 1);
			b.n--;
			break;
		default:
			put(&b, " ");
			memmove(b.p + at + 1, b.p + at, b.n - at - 1);
			b.p[at] = "{}[]\",:\\0x-e"[rnd() % 12];
			break;
		}
		if (differential(b.p, b.n) == 0)
			accepted++;
		else
			refused++;
	}
	free(b.p);
	assert_true(accepted > 0 && refused > 0);
}

/* ---- specific cases ------------------------------------------------------------------------ */

#define ONE_LOG                                                                            \
	"{\"address\":\"0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2\",\"topics\":[]," \
	"\"data\":\"0x01\",\"blockNumber\":\"0x10\",\"transactionHash\":" \
	"\"0x1111111111111111111111111111111111111111111111111111111111111111\"," \
	"\"logIndex\":\"0x0\"}"
static const char *const one_log = ONE_LOG;
static const char *const one_log_array = "[" ONE_LOG "]";

static int stream_rc(const char *text, struct lx_error *err)
{
	struct reading got;
	stream_read(text, strlen(text), 3, &got);
	if (err)
		*err = got.err;
	int rc = got.rc;
	reading_release(&got);
	return rc;
}

static void test_truncated_prefixes_fail(void **state)
{
	(void)state;
	size_t len;
	char *env = envelope(one_log_array, &len);
	for (size_t n = 0; n < len; n++) {
		struct reading got;
		stream_read(env, n, 1, &got);
		assert_int_not_equal(got.rc, 0);
		assert_int_equal(got.set.n, 0);
		reading_release(&got);
	}
	assert_int_equal(stream_rc(env, NULL), 0);
	free(env);
}

static void test_duplicates_refused(void **state)
{
	(void)state;
	struct lx_error e;
	char text[2048];
	snprintf(text, sizeof(text), "{\"result\":[%.*s,\"data\":\"0x02\"}]}",
		 (int)strlen(one_log) - 1, one_log);
	assert_int_equal(stream_rc(text, &e), LX_EBADRESP);
	assert_non_null(strstr(e.msg, "duplicate"));
	snprintf(text, sizeof(text), "{\"result\":[],\"id\":1,\"result\":[%s]}", one_log);
	assert_int_equal(stream_rc(text, &e), LX_EBADRESP);
	assert_non_null(strstr(e.msg, "duplicate"));
	snprintf(text, sizeof(text), "{\"id\":1,\"i\\u0064\":2,\"result\":[]}");
	assert_int_equal(stream_rc(text, &e), LX_EBADRESP);
}

static void test_rpc_error(void **state)
{
	(void)state;
	const char *text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32005,"
			   "\"message\":\"query returned more than 10000 results\"}}";
	struct lx_logset set;
	lx_logset_init(&set);
	struct lx_logstream st;
	lx_logstream_init(&st, &set, 0);
	assert_int_equal(lx_logstream_feed(&st, text, strlen(text)), 0);
	json_t *e = NULL;
	struct lx_error err;
	assert_int_equal(lx_logstream_finish(&st, &e, &err), 0);
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "code")), -32005);
	json_decref(e);
	lx_logstream_release(&st);
	lx_logset_release(&set);
}

static void test_failure_leaves_set_unchanged(void **state)
{
	(void)state;
	struct lx_logset set;
	lx_logset_init(&set);
	size_t len;
	char *env = envelope(one_log_array, &len);
	struct lx_logstream st;
	json_t *e;
	struct lx_error err;
	lx_logstream_init(&st, &set, 0);
	assert_int_equal(lx_logstream_feed(&st, env, len), 0);
	int frc = lx_logstream_finish(&st, &e, &err);
	if (frc)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(frc, 0);
	lx_logstream_release(&st);
	assert_int_equal(set.n, 1);
	size_t arena = set.arena_len;
	/* a good log then a bad one: neither stays */
	char bad[4096];
	snprintf(bad, sizeof(bad), "{\"result\":[%s,{\"logIndex\":\"0x1\"}]}", one_log);
	lx_logstream_init(&st, &set, 0);
	lx_logstream_feed(&st, bad, strlen(bad));
	assert_int_equal(lx_logstream_finish(&st, &e, &err), LX_EBADRESP);
	assert_string_equal(err.msg, "rpc: eth_getLogs log #1: bad or missing 'blockNumber'");
	lx_logstream_release(&st);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.arena_len, arena);
	assert_int_equal(set.logs[0].data[0], 0x01);
	lx_logset_release(&set);
	free(env);
}

static void test_value_cap(void **state)
{
	(void)state;
	struct lx_logset set;
	lx_logset_init(&set);
	size_t len;
	char *env = envelope(one_log_array, &len);
	struct lx_logstream st;
	json_t *e;
	struct lx_error err;
	lx_logstream_init(&st, &set, 64); /* the log is ~250 bytes */
	for (size_t i = 0; i < len; i += 16)
		lx_logstream_feed(&st, env + i, len - i < 16 ? len - i : 16);
	assert_int_equal(lx_logstream_finish(&st, &e, &err), LX_EBADRESP);
	assert_non_null(strstr(err.msg, "larger than 64 bytes"));
	lx_logstream_release(&st);
	lx_logset_release(&set);
	free(env);
}

static void test_deep_nesting(void **state)
{
	(void)state;
	struct buf b = {0};
	for (int depth = 2040; depth <= 2056; depth += 4) {
		b.n = 0;
		put(&b, "{\"result\":[{\"x\":");
		for (int i = 0; i < depth; i++)
			put(&b, "[");
		for (int i = 0; i < depth; i++)
			put(&b, "]");
		put(&b, "}]}");
		/* both refuse or both accept (the log itself lacks fields either way) */
		struct reading ref, got;
		ref_read(b.p, b.n, &ref);
		stream_read(b.p, b.n, 100, &got);
		assert_int_equal(ref.rc != 0, got.rc != 0);
		assert_int_equal(strstr(ref.err.msg, "log #") != NULL,
				 strstr(got.err.msg, "log #") != NULL);
		reading_release(&ref);
		reading_release(&got);
	}
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_answers),
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_mutated),
		cmocka_unit_test(test_truncated_prefixes_fail),
		cmocka_unit_test(test_duplicates_refused),
		cmocka_unit_test(test_rpc_error),
		cmocka_unit_test(test_failure_leaves_set_unchanged),
		cmocka_unit_test(test_value_cap),
		cmocka_unit_test(test_deep_nesting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
