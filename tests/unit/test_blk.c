/*
 * test_blk.c: the full-block text reader (lx_blk_read_text, what `sync --verify` streams each
 * eth_getBlockByNumber answer with transactions into) against eth.c's jansson path on the same
 * text (lx_header_hash, lx_tx_encode, lx_txs_root, lx_tx_check): the real blocks of
 * ../shared/real-logs/blocks (several chains, every fork era, every transaction type) printed
 * compact and indented, the same blocks as whole answers through the streamed RPC reader in
 * chunks of many sizes, and mutants of them (truncated, bytes replaced or dropped, a forged
 * signature or `from`): whatever the text reader accepts, the jansson path accepts with the
 * same header hash, encodings, signing hashes, signers and `from`.
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
#include "lendex/proto.h"
#include "lendex/rpc.h"
#include "lendex/rlp.h"
#include "lendex/verify.h"

static char *slurp(const char *name, size_t *n)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/../shared/real-logs/blocks/%s", LX_SOURCE_DIR, name);
	FILE *f = fopen(p, "rb");
	if (!f)
		fail_msg("cannot open %s", p);
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *t = malloc((size_t)l + 1);
	assert_non_null(t);
	assert_int_equal(fread(t, 1, (size_t)l, f), (size_t)l);
	fclose(f);
	t[l] = 0;
	*n = (size_t)l;
	return t;
}

static bool full_txs(const json_t *b)
{
	json_t *t = json_object_get(b, "transactions");
	return json_is_array(t) && (!json_array_size(t) || json_is_object(json_array_get(t, 0)));
}

/*
 * The jansson reading of text, held against bk (which the text reader filled, or not when
 * text_rc != 0). Returns 1 when both accepted and agree, 0 when both refused, -1 when only the
 * text reader refused; fails the test when the text reader accepted what jansson does not, or
 * read it differently.
 */
static int agree(const char *text, size_t len, const struct lx_blk *bk, int text_rc,
		 const char *name)
{
	json_t *b = json_loadb(text, len, 0, NULL);
	int ref = b && json_is_object(b) && full_txs(b) ? 0 : LX_EBADRESP;
	uint8_t h[32], p[32], root[32], bloom[256];
	uint64_t num = 0;
	const char *ns = json_string_value(json_object_get(b, "number"));
	const char *bs = json_string_value(json_object_get(b, "logsBloom"));
	size_t bl = 0;
	if (!ref && (!ns || lx_hex_u64(&num, ns, strlen(ns)) ||
		     lx_hash_parse(h, json_string_value(json_object_get(b, "hash"))) ||
		     lx_hash_parse(p, json_string_value(json_object_get(b, "parentHash"))) || !bs ||
		     lx_hex_decode(bloom, 256, &bl, bs, strlen(bs)) || bl != 256))
		ref = LX_EBADRESP;
	json_t *txs = json_object_get(b, "transactions");
	struct lx_rlp_buf e;
	lx_rlp_buf_init(&e, 0);
	for (size_t i = 0; i < json_array_size(txs) && !ref; i++)
		ref = lx_tx_encode(&e, json_array_get(txs, i), NULL);
	uint8_t hh[32];
	if (!ref)
		ref = lx_header_hash(hh, b, NULL);
	if (!ref && (lx_hash_parse(root, json_string_value(json_object_get(b, "receiptsRoot"))) ||
		     lx_hash_parse(root, json_string_value(json_object_get(b, "transactionsRoot")))))
		ref = LX_EBADRESP;
	int out;
	if (text_rc) {
		out = ref ? 0 : -1;
	} else {
		if (ref)
			fail_msg("%s: the text reader accepts what jansson refuses (%s)", name,
				 lx_strerror(ref));
		assert_true(bk->ok);
		assert_int_equal(bk->number, num);
		assert_memory_equal(bk->hash, hh, 32);
		assert_memory_equal(bk->claimed, h, 32);
		assert_memory_equal(bk->parent, p, 32);
		assert_memory_equal(bk->bloom, bloom, 256);
		assert_memory_equal(bk->txs_root, root, 32);
		assert_int_equal(bk->ntx, json_array_size(txs));
		assert_int_equal(bk->enc.len, e.len);
		assert_memory_equal(bk->enc.p, e.p, e.len);
		uint8_t ra[32], rb[32];
		assert_int_equal(lx_txs_root(ra, txs, NULL), 0);
		assert_int_equal(lx_blk_txs_root(rb, bk, NULL), 0);
		assert_memory_equal(ra, rb, 32);
		for (size_t i = 0; i < bk->ntx; i++) {
			json_t *tx = json_array_get(txs, i);
			struct lx_tx_info x, y;
			int rx = lx_tx_check(&x, tx, NULL), ry = lx_blk_signer(&y, bk, i, NULL);
			if (rx != ry)
				fail_msg("%s tx %zu: jansson %s, text %s", name, i, lx_strerror(rx),
					 lx_strerror(ry));
			if (!rx && (x.type != y.type || x.has_chain_id != y.has_chain_id ||
				    x.chain_id != y.chain_id || memcmp(x.hash, y.hash, 32) ||
				    memcmp(x.sighash, y.sighash, 32) || !lx_addr_eq(&x.from, &y.from)))
				fail_msg("%s tx %zu: signer differs", name, i);
			struct lx_addr fa;
			int fr = lx_addr_parse(&fa, json_string_value(json_object_get(tx, "from")),
					       NULL);
			assert_int_equal(fr, bk->tx[i].from_rc);
			if (!fr)
				assert_true(lx_addr_eq(&fa, &bk->tx[i].from));
		}
		out = 1;
	}
	lx_rlp_buf_release(&e);
	json_decref(b);
	return out;
}

static size_t accepted, refused_both, refused_text_only;

static int check_one(const char *text, size_t len, const char *name)
{
	struct lx_blk bk;
	lx_blk_init(&bk);
	int rc = lx_blk_read_text(&bk, text, len, NULL);
	int a = agree(text, len, &bk, rc, name);
	lx_blk_release(&bk);
	if (a > 0)
		accepted++;
	else if (a == 0)
		refused_both++;
	else
		refused_text_only++;
	return rc;
}

static int elem(void *ctx, const char *text, size_t len, size_t index, struct lx_error *err)
{
	assert_int_equal(index, 0);
	return lx_blk_read_text(ctx, text, len, err);
}

static int stream(struct lx_blk *bk, const char *body, size_t len, size_t chunk,
		  struct lx_error *err)
{
	struct lx_logset none;
	lx_logset_init(&none);
	struct lx_logstream ls;
	lx_logstream_init(&ls, &none, 0);
	ls.what = "eth_getBlockByNumber";
	ls.elem = elem;
	ls.elem_ctx = bk;
	ls.whole = true;
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

/* Every real block: full ones read the same both ways (compact and indented), hash-only ones
 * are refused; the header hash is the node's and the transactions root the header's. */
static void test_real_blocks(void **st)
{
	(void)st;
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/../shared/real-logs/blocks", LX_SOURCE_DIR);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	size_t full = 0, hashes = 0, unknown = 0, txs = 0, signers = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		size_t n;
		char *t = slurp(de->d_name, &n);
		json_t *b = json_loadb(t, n, 0, NULL);
		assert_non_null(b);
		struct lx_blk bk;
		lx_blk_init(&bk);
		struct lx_error e;
		int rc = lx_blk_read_text(&bk, t, n, &e);
		if (!full_txs(b)) {
			assert_int_equal(rc, LX_EBADRESP);
			hashes++;
		} else if (rc == LX_EUNKNOWN) {
			uint8_t r[32];
			assert_int_equal(lx_txs_root(r, json_object_get(b, "transactions"), NULL),
					 LX_EUNKNOWN);
			unknown++;
		} else {
			if (rc)
				fail_msg("%s: %s", de->d_name, e.msg);
			assert_int_equal(agree(t, n, &bk, rc, de->d_name), 1);
			if (memcmp(bk.hash, bk.claimed, 32))
				fail_msg("%s: header hash is not the node's", de->d_name);
			uint8_t r[32];
			assert_int_equal(lx_blk_txs_root(r, &bk, NULL), 0);
			/* 8453-40438954.json is recorded with an empty transactions array under a
			 * root that is not the empty trie's (a Base block always holds a deposit):
			 * the verifier refuses such an answer, as it must */
			if (memcmp(r, bk.txs_root, 32) && bk.ntx)
				fail_msg("%s: transactions root is not the header's", de->d_name);
			for (size_t i = 0; i < bk.ntx; i++) {
				struct lx_tx_info x;
				if (!lx_blk_signer(&x, &bk, i, NULL) && !bk.tx[i].from_rc &&
				    lx_addr_eq(&x.from, &bk.tx[i].from))
					signers++;
			}
			txs += bk.ntx;
			full++;
			/* indented: the same block */
			char *ind = json_dumps(b, JSON_INDENT(2));
			struct lx_blk b2;
			lx_blk_init(&b2);
			assert_int_equal(lx_blk_read_text(&b2, ind, strlen(ind), NULL), 0);
			assert_memory_equal(b2.hash, bk.hash, 32);
			assert_int_equal(b2.enc.len, bk.enc.len);
			assert_memory_equal(b2.enc.p, bk.enc.p, bk.enc.len);
			lx_blk_release(&b2);
			free(ind);
		}
		lx_blk_release(&bk);
		json_decref(b);
		free(t);
	}
	closedir(d);
	print_message("blocks: %zu full (%zu transactions, %zu signers recovered = node's from), "
		      "%zu with hashes only, %zu with a type nobody proves\n", full, txs, signers,
		      hashes, unknown);
	assert_true(full >= 100);
	assert_true(txs > 5000);
	assert_true(signers > txs / 2);
}

/* small blocks of every era and type: legacy, AuRa, OP deposits, Scroll, 2930, 4844, 7702 */
static const struct {
	const char *name;
	size_t per;
} picks[] = {
	{ "1-80001.json", 150 }, { "100-10253328.json", 100 }, { "10-115033839.json", 100 },
	{ "534352-24403877.json", 100 }, { "1-15864822.json", 25 }, { "56-58054314.json", 15 },
	{ "1-22751731.json", 10 },
};

/* A full Ethereum block with every type streamed as a whole eth_getBlockByNumber answer. */
static void test_streamed_answers(void **st)
{
	(void)st;
	static const size_t chunks[] = { 1, 7, 64, 4096, (size_t)1 << 30 };
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/../shared/real-logs/blocks", LX_SOURCE_DIR);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	size_t done = 0;
	while ((de = readdir(d)) && done < 6) {
		size_t l = strlen(de->d_name), n;
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") || strncmp(de->d_name, "1-", 2))
			continue;
		char *t = slurp(de->d_name, &n);
		struct lx_blk a;
		lx_blk_init(&a);
		if (lx_blk_read_text(&a, t, n, NULL) || a.ntx < 20) {
			lx_blk_release(&a);
			free(t);
			continue;
		}
		size_t bn = n + 64;
		char *body = malloc(bn);
		assert_non_null(body);
		int bl = snprintf(body, bn, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":%s}", t);
		for (size_t c = 0; c < sizeof(chunks) / sizeof(*chunks); c++) {
			struct lx_blk b;
			lx_blk_init(&b);
			struct lx_error e;
			if (stream(&b, body, (size_t)bl, chunks[c], &e))
				fail_msg("%s chunk %zu: %s", de->d_name, chunks[c], e.msg);
			assert_memory_equal(a.hash, b.hash, 32);
			assert_int_equal(a.enc.len, b.enc.len);
			assert_memory_equal(a.enc.p, b.enc.p, a.enc.len);
			lx_blk_release(&b);
		}
		/* a block not found (null) fails the answer */
		const char *nul = "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}";
		struct lx_blk b;
		lx_blk_init(&b);
		struct lx_error e;
		assert_int_equal(stream(&b, nul, strlen(nul), 5, &e), LX_EBADRESP);
		assert_false(b.ok);
		lx_blk_release(&b);
		free(body);
		lx_blk_release(&a);
		free(t);
		done++;
	}
	closedir(d);
	assert_true(done >= 3);
}

static void mutate_file(const char *name, size_t per)
{
	static const char repl[] = { '"', '\\', '0', 'x', '{', '}', '[', ']', ',', ':', 'g', ' ',
				     'n', '1', '7', (char)0x80 };
	size_t n;
	char *t = slurp(name, &n);
	char *m = malloc(n + 1);
	assert_non_null(m);
	size_t step = n / per + 1;
	for (size_t p = 0; p < n; p += step) {
		check_one(t, p, name); /* truncated */
		memcpy(m, t, n);
		memmove(m + p, m + p + 1, n - p - 1); /* a byte dropped */
		check_one(m, n - 1, name);
		for (size_t k = 0; k < sizeof(repl); k++) {
			memcpy(m, t, n);
			m[p] = repl[k];
			check_one(m, n, name);
		}
	}
	free(m);
	free(t);
}

/* Mutants of blocks with every transaction type, and forged signatures and `from`s. */
static void test_mutations(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(picks) / sizeof(*picks); i++)
		mutate_file(picks[i].name, picks[i].per);
	/* one digit of each r, s, v and from of a block: still blocks, read the same both ways
	 * (a forged r recovers another key or none, a forged from is the node's word) */
	size_t n;
	char *t = slurp("1-22751731.json", &n);
	static const char *const keys[] = { "\"r\":\"0x", "\"s\":\"0x", "\"from\":\"0x",
					    "\"v\":\"0x", "\"yParity\":\"0x", "\"input\":\"0x" };
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
		size_t c = 0;
		for (char *p = strstr(t, keys[k]); p && c < 6; p = strstr(p + 1, keys[k]), c++) {
			char *d = p + strlen(keys[k]);
			char o = *d;
			*d = o == '1' ? '2' : '1';
			check_one(t, n, "forged");
			*d = o;
		}
	}
	free(t);
	print_message("mutants: %zu read the same both ways, %zu refused by both, %zu refused by "
		      "the text reader only\n", accepted, refused_both, refused_text_only);
	assert_true(accepted > 100);
	assert_true(refused_both > 1000);
}

/* What the text reader refuses on purpose. */
static void test_refusals(void **st)
{
	(void)st;
	size_t n;
	char *t = slurp("1-22751731.json", &n);
	struct lx_blk bk;
	lx_blk_init(&bk);
	struct lx_error e;
	assert_int_equal(lx_blk_read_text(&bk, t, n, &e), 0);
	assert_true(bk.ntx > 0);
	/* a repeated field it reads */
	char *m = malloc(n + 64);
	assert_non_null(m);
	int l = snprintf(m, n + 64, "{\"number\":\"0x1\",%s", t + 1);
	assert_int_equal(lx_blk_read_text(&bk, m, (size_t)l, &e), LX_EBADRESP);
	assert_non_null(strstr(e.msg, "repeated field"));
	assert_false(bk.ok);
	assert_int_equal(bk.ntx, 0);
	/* an unknown transaction type, named */
	memcpy(m, t, n + 1);
	char *ty = strstr(m, "\"type\":\"0x2\"");
	assert_non_null(ty);
	ty[10] = '9';
	assert_int_equal(lx_blk_read_text(&bk, m, n, &e), LX_EUNKNOWN);
	assert_non_null(strstr(e.msg, "unknown type 0x9"));
	free(m);
	lx_blk_release(&bk);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_blocks),
		cmocka_unit_test(test_streamed_answers),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
