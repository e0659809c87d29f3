/*
 * test_abi.c: the ABI codec. A log encoded by an independent encoder (ethers' AbiCoder, see
 * scripts/gen_abi_vectors.js) with every kind of type decodes to the expected values; each
 * malformed variant raises its own error; real Aave V3 topic0s come out of the published ABIs;
 * ABI files that are not ABIs are rejected with their name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/abi.h"
#include "lendex/hex.h"

static json_t *vectors;

static int setup(void **s)
{
	(void)s;
	char p[1024];
	snprintf(p, sizeof(p), "%s/fixtures/abi/vectors.json", LX_SOURCE_DIR);
	json_error_t je;
	vectors = json_load_file(p, 0, &je);
	return vectors ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	json_decref(vectors);
	return 0;
}

static size_t hexbuf(uint8_t *out, size_t cap, const char *s)
{
	size_t n = 0;
	assert_int_equal(lx_hex_decode(out, cap, &n, s, strlen(s)), 0);
	return n;
}

static int decode(const struct lx_abi_event *ev, const json_t *topics, const char *data,
		  struct lx_abi_decoded **out, struct lx_error *e)
{
	uint8_t t[4][32], d[8192];
	size_t nt = json_array_size(topics);
	for (size_t i = 0; i < nt; i++)
		assert_int_equal(hexbuf(t[i], 32, json_string_value(json_array_get(topics, i))), 32);
	size_t dl = hexbuf(d, sizeof(d), data);
	return lx_abi_decode_log(out, ev, (const uint8_t(*)[32])t, nt, d, dl, e);
}

static void test_complex_roundtrip(void **s)
{
	(void)s;
	struct lx_abi_set *set;
	struct lx_error e;
	assert_int_equal(lx_abi_set_create(&set, &e), 0);
	assert_int_equal(lx_abi_set_add_json(set, json_object_get(vectors, "abi"), "vectors", &e), 0);
	assert_int_equal(set->n, 1);
	const struct lx_abi_event *ev = set->events[0];
	assert_string_equal(ev->signature, json_string_value(json_object_get(vectors, "signature")));
	uint8_t t0[32];
	hexbuf(t0, 32, json_string_value(json_array_get(json_object_get(vectors, "topics"), 0)));
	assert_memory_equal(ev->topic0, t0, 32);
	assert_ptr_equal(lx_abi_find(set, t0, 3), ev);
	assert_null(lx_abi_find(set, t0, 2));
	struct lx_abi_decoded *d;
	int rc = decode(ev, json_object_get(vectors, "topics"),
			json_string_value(json_object_get(vectors, "data")), &d, &e);
	if (rc)
		fail_msg("%s", e.msg);
	json_t *got = lx_abi_args_json(d);
	if (!json_equal(got, json_object_get(vectors, "args"))) {
		char *g = json_dumps(got, JSON_COMPACT);
		fail_msg("decoded %s", g);
	}
	json_decref(got);
	lx_abi_decoded_free(d);
	lx_abi_set_destroy(set);
}

static int code_of(const char *name)
{
	static const struct {
		const char *n;
		int c;
	} m[] = {{"LX_ESHORT", LX_ESHORT},     {"LX_EOFFSET", LX_EOFFSET},
		 {"LX_ELENGTH", LX_ELENGTH},   {"LX_EPADDING", LX_EPADDING},
		 {"LX_ETOPICS", LX_ETOPICS}};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(m[i].n, name))
			return m[i].c;
	return 0;
}

static void test_malformed(void **s)
{
	(void)s;
	struct lx_abi_set *set;
	struct lx_error e;
	lx_abi_set_create(&set, &e);
	lx_abi_set_add_json(set, json_object_get(vectors, "abi"), "vectors", &e);
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(vectors, "bad"), i, b)
	{
		const json_t *topics = json_object_get(b, "topics");
		if (!topics)
			topics = json_object_get(vectors, "topics");
		struct lx_abi_decoded *d = NULL;
		int want = code_of(json_string_value(json_object_get(b, "error")));
		int rc = decode(set->events[0], topics, json_string_value(json_object_get(b, "data")), &d,
				&e);
		if (rc != want)
			fail_msg("%s: got %d (%s), want %d", json_string_value(json_object_get(b, "why")), rc,
				 rc ? e.msg : "ok", want);
		assert_null(d);
		assert_non_null(strstr(e.msg, "Complex"));
	}
	lx_abi_set_destroy(set);
}

static void test_aave_topics(void **s)
{
	(void)s;
	struct lx_abi_set *set;
	struct lx_error e;
	char p[1024];
	snprintf(p, sizeof(p), "%s/abi/json/aave_v3", LX_SOURCE_DIR);
	assert_int_equal(lx_abi_set_create(&set, &e), 0);
	if (lx_abi_set_load(set, p, &e))
		fail_msg("%s", e.msg);
	static const struct {
		const char *name, *t0;
	} want[] = {
		{"ReserveDataUpdated", "804c9b842b2748a22bb64b345453a3de7ca54a6ca45ce00d415894979e22897a"},
		{"ReserveUsedAsCollateralEnabled",
		 "00058a56ea94653cdf4f152d227ace22d4c00ad99e2a43f58cb7d9e3feb295f2"},
		{"BalanceTransfer", "4beccb90f994c31aced7a23b5611020728a23d8ec5cddd1a3e9d97b96fda8666"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct lx_abi_event *ev = lx_abi_find_name(set, want[i].name);
		assert_non_null(ev);
		char h[67];
		lx_hex_encode(h, sizeof(h), ev->topic0, 32);
		assert_string_equal(h + 2, want[i].t0);
	}
	/* the aToken and the variable debt token share Mint: loaded once */
	size_t mints = 0;
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->events[i]->signature, "Mint(address,address,uint256,uint256,uint256)"))
			mints++;
	assert_int_equal(mints, 1);
	lx_abi_set_destroy(set);
}

static void test_bad_abi(void **s)
{
	(void)s;
	struct lx_abi_set *set;
	struct lx_error e;
	lx_abi_set_create(&set, &e);
	json_t *j = json_loads("{\"x\":1}", 0, NULL);
	assert_int_equal(lx_abi_set_add_json(set, j, "weird.json", &e), LX_EPARSE);
	assert_non_null(strstr(e.msg, "weird.json"));
	json_decref(j);
	j = json_loads("[{\"type\":\"event\",\"name\":\"E\",\"inputs\":[{\"type\":\"uint7\"}]}]", 0,
		       NULL);
	assert_int_equal(lx_abi_set_add_json(set, j, "b.json", &e), LX_EPARSE);
	assert_non_null(strstr(e.msg, "uint7"));
	json_decref(j);
	assert_int_equal(lx_abi_set_load(set, "/nonexistent/x.json", &e), LX_ENOTFOUND);
	/* empty data for an event whose arguments are all indexed */
	j = json_loads("[{\"type\":\"event\",\"name\":\"E\",\"inputs\":[{\"type\":\"address\","
		       "\"indexed\":true,\"name\":\"a\"}]}]",
		       0, NULL);
	assert_int_equal(lx_abi_set_add_json(set, j, "c.json", &e), 0);
	json_decref(j);
	uint8_t t[2][32] = {{0}};
	memcpy(t[0], set->events[0]->topic0, 32);
	struct lx_abi_decoded *d;
	assert_int_equal(lx_abi_decode_log(&d, set->events[0], (const uint8_t(*)[32])t, 2, NULL, 0,
					   &e),
			 0);
	lx_abi_decoded_free(d);
	lx_abi_set_destroy(set);
}

/* symbol() answers: ABI string, zero-padded bytes32, and what is refused */
static void test_symbol(void **s)
{
	(void)s;
	uint8_t b[128];
	char out[16];
	memset(b, 0, sizeof(b));
	b[31] = 32;
	b[63] = 4;
	memcpy(b + 64, "WETH", 4);
	assert_true(lx_abi_symbol(out, b, 96));
	assert_string_equal(out, "WETH");
	assert_false(lx_abi_symbol(out, b, 64)); /* length past the end */
	b[63] = 16;                              /* 16 bytes: longer than 15 */
	assert_false(lx_abi_symbol(out, b, 96));
	assert_string_equal(out, "");
	b[63] = 4;
	b[65] = 0x07; /* not printable */
	assert_false(lx_abi_symbol(out, b, 96));
	b[31] = 64; /* offset not 32 */
	assert_false(lx_abi_symbol(out, b, 96));
	uint8_t w[32] = {'M', 'K', 'R'};
	assert_true(lx_abi_symbol(out, w, 32));
	assert_string_equal(out, "MKR");
	w[20] = 1; /* bytes after the text are not zero */
	assert_false(lx_abi_symbol(out, w, 32));
	memset(w, 0, sizeof(w));
	assert_false(lx_abi_symbol(out, w, 32)); /* empty */
	assert_false(lx_abi_symbol(out, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complex_roundtrip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_aave_topics),
		cmocka_unit_test(test_bad_abi),
		cmocka_unit_test(test_symbol),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
