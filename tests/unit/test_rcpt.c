/*
 * test_rcpt.c: the receipts text reader (lx_rcptset_add_text, what `sync --verify` streams
 * eth_getBlockReceipts answers into) against the jansson reading of the same receipts
 * (json_loadb, then lx_rcptset_add_json): the 110 real receipts of ../shared/real-logs/receipts
 * (Ethereum, OP, BNB, Gnosis, Polygon, Base, Arbitrum, Scroll; legacy and typed) printed
 * compact, indented and with sorted keys, the same receipts as eth_getBlockReceipts answers fed
 * through the streamed RPC reader in chunks of many sizes, the two recorded receipts roots, and
 * mutated receipts (truncated, bytes replaced or dropped): whatever the text reader accepts,
 * jansson accepts with the same encodings, logs and `from`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lendex/hex.h"
#include "lendex/proto.h"
#include "lendex/rpc.h"
#include "lendex/verify.h"

static const char *const files[] = {
	"aave_v2", "aave_v3", "compound_v2", "compound_v3", "morpho", "morpho_blue", "spark",
};

static json_t *load(const char *name)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/../shared/real-logs/receipts/%s.json", LX_SOURCE_DIR, name);
	json_error_t je;
	json_t *v = json_load_file(p, 0, &je);
	if (!v)
		fail_msg("cannot load %s: %s", p, je.text);
	return v;
}

/* Two sets hold the same receipts: encodings, logs, from. */
static bool same_sets(const struct lx_rcptset *a, const struct lx_rcptset *b)
{
	if (a->n != b->n || a->nlogs != b->nlogs)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct lx_rcpt *x = &a->r[i], *y = &b->r[i];
		if (x->enc_len != y->enc_len || x->log0 != y->log0 || x->nlogs != y->nlogs ||
		    x->from_state != y->from_state ||
		    memcmp(a->enc.p + x->enc_off, b->enc.p + y->enc_off, x->enc_len) ||
		    (x->from_state == 1 && !lx_addr_eq(&x->from, &y->from)))
			return false;
	}
	for (size_t i = 0; i < a->nlogs; i++) {
		struct lx_log x, y;
		lx_rcptset_log(a, i, &x);
		lx_rcptset_log(b, i, &y);
		if (!lx_addr_eq(&x.address, &y.address) || x.n_topics != y.n_topics ||
		    memcmp(x.topics, y.topics, 32u * x.n_topics) || x.data_len != y.data_len ||
		    (x.data_len && memcmp(x.data, y.data, x.data_len)))
			return false;
	}
	return true;
}

/* The jansson reading of one receipt's text: 0 and the receipt appended, or an error. */
static int ref_add(struct lx_rcptset *s, const char *text, size_t len)
{
	json_t *v = json_loadb(text, len, 0, NULL);
	if (!v)
		return LX_EBADRESP;
	int rc = lx_rcptset_add_json(s, v, NULL);
	json_decref(v);
	return rc;
}

static void test_real_receipts(void **st)
{
	(void)st;
	static const size_t flags[] = { JSON_COMPACT, JSON_INDENT(2), JSON_COMPACT | JSON_SORT_KEYS };
	size_t total = 0, logs = 0, typed = 0;
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		json_t *arr = load(files[f]);
		size_t i;
		json_t *o;
		json_array_foreach(arr, i, o) {
			json_t *r = json_object_get(o, "receipt");
			struct lx_rcptset a, b;
			lx_rcptset_init(&a);
			struct lx_error e;
			if (lx_rcptset_add_json(&a, r, &e))
				fail_msg("%s #%zu (jansson): %s", files[f], i, e.msg);
			for (size_t k = 0; k < 3; k++) {
				char *t = json_dumps(r, flags[k]);
				assert_non_null(t);
				lx_rcptset_init(&b);
				if (lx_rcptset_add_text(&b, t, strlen(t), &e))
					fail_msg("%s #%zu (text): %s", files[f], i, e.msg);
				if (!same_sets(&a, &b))
					fail_msg("%s #%zu: the readings differ (dump flags %zu)", files[f],
						 i, k);
				lx_rcptset_release(&b);
				free(t);
			}
			total++;
			logs += a.nlogs;
			typed += a.enc.p[0] < 0x7f;
			lx_rcptset_release(&a);
		}
		json_decref(arr);
	}
	assert_int_equal(total, 110);
	assert_true(logs > 900);
	assert_true(typed > 10 && typed < total);
}

/* ---- the same receipts as streamed eth_getBlockReceipts answers ---- */

static int elem(void *ctx, const char *text, size_t len, size_t index, struct lx_error *err)
{
	(void)index;
	return lx_rcptset_add_text(ctx, text, len, err);
}

static int stream(struct lx_rcptset *s, const char *body, size_t len, size_t chunk,
		  struct lx_error *err)
{
	struct lx_logset none;
	lx_logset_init(&none);
	struct lx_logstream ls;
	lx_logstream_init(&ls, &none, 0);
	ls.what = "eth_getBlockReceipts";
	ls.elem = elem;
	ls.elem_ctx = s;
	for (size_t off = 0; off < len; off += chunk)
		if (lx_logstream_feed(&ls, body + off, len - off < chunk ? len - off : chunk))
			break;
	json_t *rpcerr = NULL;
	int rc = lx_logstream_finish(&ls, &rpcerr, err);
	lx_logstream_release(&ls);
	assert_int_equal(none.n, 0);
	lx_logset_release(&none);
	if (!rc && rpcerr)
		rc = LX_ERPC;
	json_decref(rpcerr);
	return rc;
}

static void test_streamed_answers(void **st)
{
	(void)st;
	static const size_t chunks[] = { 1, 3, 7, 64, 1000, 4096, (size_t)1 << 30 };
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		json_t *arr = load(files[f]), *res = json_array();
		struct lx_rcptset a;
		lx_rcptset_init(&a);
		size_t i;
		json_t *o;
		json_array_foreach(arr, i, o) {
			json_array_append(res, json_object_get(o, "receipt"));
			assert_int_equal(lx_rcptset_add_json(&a, json_object_get(o, "receipt"), NULL), 0);
		}
		json_t *env = json_pack("{s:s,s:i,s:o}", "jsonrpc", "2.0", "id", 7, "result", res);
		char *body = json_dumps(env, JSON_COMPACT);
		uint8_t ra[32], rb[32];
		assert_int_equal(lx_rcptset_root(ra, &a, NULL), 0);
		for (size_t c = 0; c < sizeof(chunks) / sizeof(*chunks); c++) {
			struct lx_rcptset b;
			lx_rcptset_init(&b);
			struct lx_error e;
			if (stream(&b, body, strlen(body), chunks[c], &e))
				fail_msg("%s chunk %zu: %s", files[f], chunks[c], e.msg);
			assert_true(same_sets(&a, &b));
			assert_int_equal(lx_rcptset_root(rb, &b, NULL), 0);
			assert_memory_equal(ra, rb, 32);
			lx_rcptset_release(&b);
		}
		/* a bad receipt fails the answer, naming the method */
		struct lx_rcptset b;
		lx_rcptset_init(&b);
		char *bad = strstr(body, "\"logsBloom\":\"0x");
		assert_non_null(bad);
		bad[15] = 'z';
		struct lx_error e;
		assert_int_equal(stream(&b, body, strlen(body), 64, &e), LX_EBADRESP);
		assert_non_null(strstr(e.msg, "logsBloom"));
		lx_rcptset_release(&b);
		/* a node's error object is not a result */
		const char *err = "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32601,"
				  "\"message\":\"the method eth_getBlockReceipts does not exist\"}}";
		lx_rcptset_init(&b);
		assert_int_equal(stream(&b, err, strlen(err), 5, &e), LX_ERPC);
		assert_int_equal(b.n, 0);
		/* a result that is not an array */
		const char *nul = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}";
		assert_int_equal(stream(&b, nul, strlen(nul), 5, &e), LX_EBADRESP);
		assert_non_null(strstr(e.msg, "eth_getBlockReceipts result is not an array"));
		lx_rcptset_release(&b);
		free(body);
		json_decref(env);
		lx_rcptset_release(&a);
		json_decref(arr);
	}
}

/* The recorded receipts roots of two single-transaction blocks, through the text reader. */
static void test_roots(void **st)
{
	(void)st;
	static const struct {
		uint64_t chain, block;
		const char *root;
	} cases[] = {
		{ 10, 32023417, NULL }, { 534352, 24403877, NULL },
	};
	json_t *rs = load("aave_v3");
	for (size_t c = 0; c < 2; c++) {
		char p[1024];
		snprintf(p, sizeof(p), "%s/../shared/real-logs/blocks/%llu-%llu.json", LX_SOURCE_DIR,
			 (unsigned long long)cases[c].chain, (unsigned long long)cases[c].block);
		json_t *blk = json_load_file(p, 0, NULL);
		assert_non_null(blk);
		uint8_t want[32], got[32];
		assert_int_equal(lx_hash_parse(want, json_string_value(json_object_get(blk,
										  "receiptsRoot"))), 0);
		size_t i, found = 0;
		json_t *o;
		json_array_foreach(rs, i, o) {
			json_t *r = json_object_get(o, "receipt");
			uint64_t bn = 0;
			const char *s = json_string_value(json_object_get(r, "blockNumber"));
			assert_int_equal(lx_hex_u64(&bn, s, strlen(s)), 0);
			if ((uint64_t)json_integer_value(json_object_get(o, "chain_id")) !=
			    cases[c].chain || bn != cases[c].block)
				continue;
			char *t = json_dumps(r, JSON_COMPACT);
			struct lx_rcptset b;
			lx_rcptset_init(&b);
			assert_int_equal(lx_rcptset_add_text(&b, t, strlen(t), NULL), 0);
			assert_int_equal(lx_rcptset_root(got, &b, NULL), 0);
			assert_memory_equal(got, want, 32);
			lx_rcptset_release(&b);
			free(t);
			found++;
		}
		assert_int_equal(found, 1);
		json_decref(blk);
	}
	json_decref(rs);
}

/* ---- mutations: the text reader never accepts what jansson reads otherwise ---- */

static size_t accepted, refused_both, refused_text_only;

static void check_one(const char *t, size_t n)
{
	struct lx_rcptset a, b;
	lx_rcptset_init(&a);
	lx_rcptset_init(&b);
	int rt = lx_rcptset_add_text(&a, t, n, NULL);
	int rj = ref_add(&b, t, n);
	if (rt == 0) {
		if (rj != 0 || !same_sets(&a, &b))
			fail_msg("text reader accepted what jansson reads otherwise: %.*s", (int)n, t);
		accepted++;
	} else if (rj == 0) {
		refused_text_only++;
	} else {
		refused_both++;
		/* a refused receipt leaves the set as it was */
		assert_int_equal(a.n, 0);
		assert_int_equal(a.nlogs, 0);
		assert_int_equal(a.enc.len, 0);
	}
	lx_rcptset_release(&a);
	lx_rcptset_release(&b);
}

static void test_mutations(void **st)
{
	(void)st;
	static const char repl[] = { '"', '\\', '0', 'x', 'X', '{', '}', '[', ']', ',', ':', 'g',
				     ' ', 'n', '1', (char)0x80, (char)0xc3, 0x01 };
	json_t *arr = load("aave_v3");
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (i % 6)
			continue; /* every sixth receipt: some thousands of mutants */
		char *t = json_dumps(json_object_get(o, "receipt"), JSON_COMPACT);
		size_t n = strlen(t);
		char *m = malloc(n + 1);
		assert_non_null(m);
		size_t step = n / 100 + 1;
		for (size_t p = 0; p < n; p += step) {
			check_one(t, p); /* truncated */
			memcpy(m, t, n);
			memmove(m + p, m + p + 1, n - p - 1); /* a byte dropped */
			check_one(m, n - 1);
			for (size_t k = 0; k < sizeof(repl); k++) {
				memcpy(m, t, n);
				m[p] = repl[k];
				check_one(m, n);
			}
		}
		free(m);
		free(t);
	}
	json_decref(arr);
	/* most mutants break something; some (a digit in the data, a byte of an unknown
	 * field) are still receipts and must read the same both ways */
	print_message("mutants: %zu read the same both ways, %zu refused by both, %zu refused by "
		      "the text reader only\n", accepted, refused_both, refused_text_only);
	assert_true(accepted > 100);
	assert_true(refused_both > 1000);
}

/* ---- what the text reader refuses on purpose, and the fields it reads ---- */

static void test_cases(void **st)
{
	(void)st;
#define BASE "{\"type\":\"0x2\",\"status\":\"0x1\",\"cumulativeGasUsed\":\"0x5208\"," \
	"\"logsBloom\":\"0x%0512d\",\"from\":\"0x%040d\",\"logs\":[{\"address\":" \
	"\"0x%040d\",\"topics\":[\"0x%064d\"],\"data\":\"0x01\",\"x\":[1,2.5e3," \
	"{\"y\":null}]}],\"extra\":\"\\u00e9\"}"
	char t[4096];
	snprintf(t, sizeof(t), BASE, 0, 0, 0, 0);
	struct lx_rcptset s;
	lx_rcptset_init(&s);
	struct lx_error e;
	assert_int_equal(lx_rcptset_add_text(&s, t, strlen(t), &e), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nlogs, 1);
	assert_int_equal(s.r[0].from_state, 1);
	assert_int_equal(s.logs[0].data_len, 1);
	check_one(t, strlen(t));
	struct {
		const char *from, *to;
		int rc;
	} cases[] = {
		{ "\"status\"", "\"st\\u0061tus\"", LX_EBADRESP },     /* escaped key */
		{ "\"extra\"", "\"status\"", LX_EBADRESP },            /* repeated field */
		{ "\"0x2\"", "\"0x64\"", LX_EUNKNOWN },                /* Arbitrum's type */
		{ "\"0x2\"", "\"0x100\"", LX_EUNKNOWN },
		{ "\"0x2\"", "2", LX_EBADRESP },
		{ "2.5e3", "2.5e300", LX_EBADRESP },                   /* beyond the number rule */
		{ "\"0x01\"", "\"0x1\"", LX_EBADRESP },                /* odd data */
		{ "\"0x01\"", "\"01\"", LX_EBADRESP },
		{ "\"status\"", "\"root\"", LX_EBADRESP },             /* root must be 32 bytes */
		{ "\"cumulativeGasUsed\"", "\"gasUsed\"", LX_EBADRESP },
		{ "\"topics\":[", "\"topics\":[\"0x00\",", LX_EBADRESP },
		{ "\"logs\":[", "\"logs\":[1,", LX_EBADRESP },
		{ "\"from\":\"0x", "\"from\":\"0X", 0 },               /* malformed from: noted */
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
		char m[4096];
		const char *at = strstr(t, cases[c].from);
		assert_non_null(at);
		snprintf(m, sizeof(m), "%.*s%s%s", (int)(at - t), t, cases[c].to,
			 at + strlen(cases[c].from));
		lx_rcptset_reset(&s);
		int rc = lx_rcptset_add_text(&s, m, strlen(m), &e);
		if (rc != cases[c].rc)
			fail_msg("case %zu: rc %d, want %d (%s)", c, rc, cases[c].rc, rc ? e.msg : "");
		if (!rc)
			assert_int_equal(s.r[0].from_state, 2);
		check_one(m, strlen(m));
	}
	/* pre-Byzantium: the state root instead of status */
	char m[4096];
	const char *at = strstr(t, "\"status\":\"0x1\"");
	snprintf(m, sizeof(m), "%.*s\"root\":\"0x%064d\"%s", (int)(at - t), t, 7,
		 at + strlen("\"status\":\"0x1\""));
	lx_rcptset_reset(&s);
	assert_int_equal(lx_rcptset_add_text(&s, m, strlen(m), &e), 0);
	check_one(m, strlen(m));
	lx_rcptset_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_receipts),
		cmocka_unit_test(test_streamed_answers),
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
