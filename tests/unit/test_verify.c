/*
 * test_verify.c: consensus encodings rebuilt from real node answers (../shared/real-logs):
 * the hash of every recorded header (1268 distinct blocks, every fork era, ten chains), the
 * transactions root of every full block whose transactions are all of known types, the hash and
 * recovered sender of every signed transaction in those blocks and of the 240 transactions in
 * transactions/ (legacy with and without EIP-155, types 1 to 4), and the receipts root of the
 * two single-transaction blocks whose receipt is recorded. Then tampering: any changed field
 * changes the hash, a changed signature changes the sender, malformed fields are named.
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
#include <jansson.h>

#include "lendex/hex.h"
#include "lendex/verify.h"

static const char *shared(char *p, size_t cap, const char *rel)
{
	snprintf(p, cap, "%s/../shared/real-logs/%s", LX_SOURCE_DIR, rel);
	return p;
}

static json_t *load(const char *rel)
{
	char p[1024];
	json_error_t je;
	json_t *v = json_load_file(shared(p, sizeof(p), rel), 0, &je);
	if (!v)
		fail_msg("cannot load %s: %s", p, je.text);
	return v;
}

static bool hash_eq(const uint8_t h[32], const json_t *s)
{
	uint8_t w[32];
	return !lx_hash_parse(w, json_string_value(s)) && !memcmp(h, w, 32);
}

static void test_headers_all(void **st)
{
	(void)st;
	char p[1024];
	FILE *f = fopen(shared(p, sizeof(p), "blocks/headers-all.jsonl"), "r");
	assert_non_null(f);
	static char line[1 << 16];
	size_t n = 0, eras[7] = { 0 };
	while (fgets(line, sizeof(line), f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		assert_non_null(o);
		json_t *h = json_object_get(o, "header");
		uint8_t got[32];
		struct lx_error e;
		if (lx_header_hash(got, h, &e))
			fail_msg("chain %lld header %s: %s",
				 json_integer_value(json_object_get(o, "chain_id")),
				 json_string_value(json_object_get(h, "number")), e.msg);
		if (!hash_eq(got, json_object_get(h, "hash")))
			fail_msg("chain %lld header %s: hash mismatch",
				 json_integer_value(json_object_get(o, "chain_id")),
				 json_string_value(json_object_get(h, "number")));
		/* flipping one byte of the receipts root changes the hash */
		char rr[67];
		const char *orig = json_string_value(json_object_get(h, "receiptsRoot"));
		snprintf(rr, sizeof(rr), "%s", orig);
		rr[10] = rr[10] == '0' ? '1' : '0';
		json_object_set_new(h, "receiptsRoot", json_string(rr));
		uint8_t t[32];
		assert_int_equal(lx_header_hash(t, h, NULL), 0);
		assert_false(hash_eq(t, json_object_get(h, "hash")));
		eras[json_object_get(h, "requestsHash") ? 5
		     : json_object_get(h, "parentBeaconBlockRoot") ? 4
		     : json_object_get(h, "withdrawalsRoot") ? 3
		     : json_object_get(h, "baseFeePerGas") ? 1
		     : json_object_get(h, "step") ? 6 : 0]++;
		json_decref(o);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 1268);
	for (int i = 0; i < 7; i++)
		if (i != 2)
			assert_true(eras[i] > 0);
	print_message("headers: %zu hashed (pre-london %zu, london %zu, shanghai %zu, cancun %zu, "
		      "prague %zu, aura %zu)\n", n, eras[0], eras[1], eras[3], eras[4], eras[5],
		      eras[6]);
}

static void check_tx(const json_t *tx, uint64_t chain, const char *where)
{
	struct lx_tx_info ti;
	struct lx_error e;
	if (lx_tx_check(&ti, tx, &e))
		fail_msg("%s tx %s: %s", where, json_string_value(json_object_get(tx, "hash")),
			 e.msg);
	if (!hash_eq(ti.hash, json_object_get(tx, "hash")))
		fail_msg("%s tx %s: hash mismatch", where,
			 json_string_value(json_object_get(tx, "hash")));
	struct lx_addr from;
	assert_int_equal(lx_addr_parse(&from, json_string_value(json_object_get(tx, "from")),
				       NULL), 0);
	if (!lx_addr_eq(&from, &ti.from))
		fail_msg("%s tx %s: sender mismatch", where,
			 json_string_value(json_object_get(tx, "hash")));
	if (ti.has_chain_id && chain && ti.type != 0x7e && ti.chain_id != chain)
		fail_msg("%s tx %s: chain id %llu, want %llu", where,
			 json_string_value(json_object_get(tx, "hash")),
			 (unsigned long long)ti.chain_id, (unsigned long long)chain);
}

static void test_transactions(void **st)
{
	(void)st;
	static const char *files[] = { "type-0-pre155", "type-0", "type-1", "type-2", "type-3",
				       "type-4" };
	size_t n = 0;
	for (size_t f = 0; f < 6; f++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "transactions/%s.json", files[f]);
		json_t *a = load(rel);
		size_t i;
		json_t *o;
		json_array_foreach(a, i, o) {
			json_t *tx = json_object_get(o, "tx");
			struct lx_tx_info ti;
			check_tx(tx, (uint64_t)json_integer_value(json_object_get(o, "chain_id")),
				 files[f]);
			assert_int_equal(lx_tx_check(&ti, tx, NULL), 0);
			assert_int_equal(ti.type, f == 0 ? 0 : f - 1);
			assert_int_equal(ti.has_chain_id, f != 0);
			/* a changed s recovers another key (or none); a changed value another hash */
			json_t *c = json_deep_copy(tx);
			json_object_set_new(c, "s", json_string("0x1234"));
			struct lx_tx_info t2;
			if (!lx_tx_check(&t2, c, NULL))
				assert_false(lx_addr_eq(&t2.from, &ti.from));
			json_object_set_new(c, "s", json_deep_copy(json_object_get(tx, "s")));
			json_object_set_new(c, "value", json_string("0x123456789"));
			assert_int_equal(lx_tx_check(&t2, c, NULL), 0);
			assert_memory_not_equal(t2.hash, ti.hash, 32);
			assert_false(lx_addr_eq(&t2.from, &ti.from));
			json_decref(c);
			n++;
		}
		json_decref(a);
	}
	assert_int_equal(n, 240);
}

static void test_block_files(void **st)
{
	(void)st;
	char p[1024];
	DIR *d = opendir(shared(p, sizeof(p), "blocks"));
	assert_non_null(d);
	struct dirent *de;
	size_t files = 0, roots = 0, skipped = 0, txs = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		char rel[512];
		snprintf(rel, sizeof(rel), "blocks/%s", de->d_name);
		json_t *b = load(rel);
		uint64_t chain = strtoull(de->d_name, NULL, 10);
		uint8_t h[32];
		struct lx_error e;
		if (lx_header_hash(h, b, &e))
			fail_msg("%s: %s", de->d_name, e.msg);
		if (!hash_eq(h, json_object_get(b, "hash")))
			fail_msg("%s: header hash mismatch", de->d_name);
		files++;
		json_t *list = json_object_get(b, "transactions");
		bool full = json_array_size(list) && json_is_object(json_array_get(list, 0));
		if (!full) {
			json_decref(b);
			continue;
		}
		int rc = lx_txs_root(h, list, &e);
		if (rc == LX_EUNKNOWN) {
			skipped++;
		} else if (rc) {
			fail_msg("%s: %s", de->d_name, e.msg);
		} else {
			if (!hash_eq(h, json_object_get(b, "transactionsRoot")))
				fail_msg("%s: transactions root mismatch", de->d_name);
			roots++;
		}
		size_t i;
		json_t *tx;
		json_array_foreach(list, i, tx) {
			struct lx_tx_info ti;
			if (lx_tx_check(&ti, tx, NULL) == LX_EUNKNOWN)
				continue;
			/* v = 0 legacy: Polygon state-sync / OP pre-Bedrock system txs (unsigned) */
			const char *v = json_string_value(json_object_get(tx, "v"));
			if (v && !strcmp(v, "0x0") && !json_object_get(tx, "yParity") &&
			    ti.type == 0)
				continue;
			check_tx(tx, chain, de->d_name);
			txs++;
		}
		json_decref(b);
	}
	closedir(d);
	assert_int_equal(files, 166);
	assert_true(roots >= 102);
	print_message("blocks: %zu headers, %zu transactions roots (%zu skipped: non-standard "
		      "types), %zu senders\n", files, roots, skipped, txs);
}

static void test_receipts_roots(void **st)
{
	(void)st;
	static const struct {
		uint64_t chain, block;
		const char *file;
	} cases[] = { { 10, 32023417, "blocks/10-32023417.json" },
		      { 534352, 24403877, "blocks/534352-24403877.json" } };
	json_t *rs = load("receipts/aave_v3.json");
	for (size_t c = 0; c < 2; c++) {
		json_t *b = load(cases[c].file), *arr = json_array();
		size_t i;
		json_t *o;
		json_array_foreach(rs, i, o) {
			json_t *r = json_object_get(o, "receipt");
			uint64_t bn = 0;
			const char *s = json_string_value(json_object_get(r, "blockNumber"));
			assert_int_equal(lx_hex_u64(&bn, s, strlen(s)), 0);
			if ((uint64_t)json_integer_value(json_object_get(o, "chain_id")) ==
				    cases[c].chain && bn == cases[c].block)
				json_array_append(arr, r);
		}
		assert_int_equal(json_array_size(arr), 1);
		uint8_t root[32];
		struct lx_error e;
		if (lx_receipts_root(root, arr, &e))
			fail_msg("%s: %s", cases[c].file, e.msg);
		assert_true(hash_eq(root, json_object_get(b, "receiptsRoot")));
		/* one changed data byte in one log: another root */
		json_t *logs = json_object_get(json_array_get(arr, 0), "logs");
		json_t *l0 = json_array_get(logs, 0);
		assert_non_null(l0);
		char data[4096];
		snprintf(data, sizeof(data), "%s", json_string_value(json_object_get(l0, "data")));
		size_t dl = strlen(data);
		assert_true(dl > 4);
		data[dl - 1] = data[dl - 1] == '0' ? '1' : '0';
		json_object_set_new(l0, "data", json_string(data));
		uint8_t r2[32];
		assert_int_equal(lx_receipts_root(r2, arr, &e), 0);
		assert_memory_not_equal(root, r2, 32);
		/* a dropped log: another root */
		json_array_remove(logs, 0);
		assert_int_equal(lx_receipts_root(r2, arr, &e), 0);
		assert_memory_not_equal(root, r2, 32);
		json_decref(arr);
		json_decref(b);
	}
	json_decref(rs);
}

static void test_malformed(void **st)
{
	(void)st;
	json_t *b = load("blocks/1-80001.json");
	struct lx_error e;
	uint8_t h[32];
	json_object_set_new(b, "miner", json_string("0x1234"));
	assert_int_equal(lx_header_hash(h, b, &e), LX_EBADRESP);
	assert_non_null(strstr(e.msg, "miner"));
	json_object_del(b, "stateRoot");
	assert_int_equal(lx_header_hash(h, b, &e), LX_EBADRESP);
	assert_int_equal(lx_header_hash(h, json_null(), &e), LX_EBADRESP);
	json_decref(b);
	json_t *tx = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "0x2", "nonce",
			       "0x1", "gas", "0x5208", "to", "0x00", "value", "0x0", "input", "0x",
			       "v", "0x5", "r", "0x1", "s", "0x1");
	struct lx_tx_info ti;
	assert_int_equal(lx_tx_check(&ti, tx, &e), LX_EBADRESP);
	assert_non_null(strstr(e.msg, "chainId"));
	json_object_set_new(tx, "type", json_string("0x6f"));
	assert_int_equal(lx_tx_check(&ti, tx, &e), LX_EUNKNOWN);
	json_object_set_new(tx, "type", json_string("0x0"));
	json_object_set_new(tx, "gasPrice", json_string("0x1"));
	json_object_set_new(tx, "to", json_string("0x0000000000000000000000000000000000000001"));
	assert_int_equal(lx_tx_check(&ti, tx, &e), LX_EVERIFY); /* legacy v 5 */
	assert_non_null(strstr(e.msg, "legacy v 5"));
	json_object_set_new(tx, "v", json_string("0x1b"));
	json_object_set_new(tx, "r", json_string("0x0"));
	assert_int_equal(lx_tx_check(&ti, tx, &e), LX_EVERIFY); /* r = 0 does not recover */
	json_object_set_new(tx, "value", json_string("0x" "1" "0000000000000000000000000000000000"
						      "000000000000000000000000000000"));
	assert_int_equal(lx_tx_check(&ti, tx, &e), LX_EBADRESP); /* 257-bit quantity */
	json_decref(tx);
	uint8_t w[32];
	assert_int_equal(lx_hash_parse(w, "0x12"), LX_EPARSE);
	assert_int_equal(lx_hash_parse(w, NULL), LX_EPARSE);
	/* every non-zero return fills the record: misuse, and a failure of the output buffer
	 * (its cap) inside the encoding, which the raw RLP puts cannot name themselves */
	json_t *txs = load("transactions/type-2.json");
	json_t *good = json_object_get(json_array_get(txs, 0), "tx");
	lx_error_clear(&e);
	assert_int_equal(lx_tx_check(NULL, good, &e), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
	assert_non_null(strstr(e.msg, "transaction"));
	lx_error_clear(&e);
	assert_int_equal(lx_tx_encode(NULL, good, &e), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
	struct lx_rlp_buf full, small;
	lx_rlp_buf_init(&full, 0);
	assert_int_equal(lx_tx_encode(&full, good, &e), 0);
	/* one byte short: every field fits, the list header that wraps them last does not */
	lx_rlp_buf_init(&small, full.len - 1);
	e.code = LX_EPARSE; /* a stale record from an earlier call must not pass for this one */
	snprintf(e.msg, sizeof(e.msg), "stale");
	assert_int_equal(lx_tx_encode(&small, good, &e), LX_EOVERFLOW);
	assert_int_equal(e.code, LX_EOVERFLOW);
	assert_string_equal(e.msg, "transaction: cannot encode: overflow");
	lx_rlp_buf_release(&small);
	lx_rlp_buf_release(&full);
	json_decref(txs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_all),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_block_files),
		cmocka_unit_test(test_receipts_roots),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
