/*
 * fuzz_blk.c: libFuzzer target for the full-block text reader (lx_blk_read_text), which reads
 * the eth_getBlockByNumber answers (with transactions) that `sync --verify` streams. The input
 * is one block's text. Beyond not crashing: whatever the reader accepts, jansson (json_loadb)
 * and eth.c accept too with the same header hash and fields, the same transaction encodings,
 * transactions root, signers (lx_tx_check against lx_blk_signer, error codes included) and
 * `from`; a refused block leaves the reader empty.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

static void same(const struct lx_blk *bk, const json_t *b)
{
	uint8_t h[32], p[32], tr[32], rr[32], bloom[256], hh[32];
	uint64_t num = 0;
	size_t bl = 0;
	const char *ns = json_string_value(json_object_get(b, "number"));
	const char *bs = json_string_value(json_object_get(b, "logsBloom"));
	json_t *txs = json_object_get(b, "transactions");
	if (!json_is_array(txs) || !ns || lx_hex_u64(&num, ns, strlen(ns)) ||
	    lx_hash_parse(h, json_string_value(json_object_get(b, "hash"))) ||
	    lx_hash_parse(p, json_string_value(json_object_get(b, "parentHash"))) ||
	    lx_hash_parse(tr, json_string_value(json_object_get(b, "transactionsRoot"))) ||
	    lx_hash_parse(rr, json_string_value(json_object_get(b, "receiptsRoot"))) || !bs ||
	    lx_hex_decode(bloom, 256, &bl, bs, strlen(bs)) || bl != 256 ||
	    lx_header_hash(hh, b, NULL))
		abort();
	if (!bk->ok || bk->number != num || memcmp(bk->hash, hh, 32) || memcmp(bk->claimed, h, 32) ||
	    memcmp(bk->parent, p, 32) || memcmp(bk->txs_root, tr, 32) ||
	    memcmp(bk->receipts_root, rr, 32) || memcmp(bk->bloom, bloom, 256) ||
	    bk->ntx != json_array_size(txs))
		abort();
	struct lx_rlp_buf e;
	lx_rlp_buf_init(&e, 0);
	for (size_t i = 0; i < bk->ntx; i++) {
		json_t *tx = json_array_get(txs, i);
		size_t at = e.len;
		if (lx_tx_encode(&e, tx, NULL) || e.len - at != bk->tx[i].enc_len ||
		    memcmp(e.p + at, bk->enc.p + bk->tx[i].enc_off, e.len - at))
			abort();
		struct lx_tx_info x, y;
		int rx = lx_tx_check(&x, tx, NULL), ry = lx_blk_signer(&y, bk, i, NULL);
		if (rx != ry || (!rx && (x.type != y.type || x.has_chain_id != y.has_chain_id ||
					 x.chain_id != y.chain_id || memcmp(x.hash, y.hash, 32) ||
					 memcmp(x.sighash, y.sighash, 32) ||
					 !lx_addr_eq(&x.from, &y.from))))
			abort();
		struct lx_addr fa;
		int fr = lx_addr_parse(&fa, json_string_value(json_object_get(tx, "from")), NULL);
		if (fr != bk->tx[i].from_rc || (!fr && !lx_addr_eq(&fa, &bk->tx[i].from)))
			abort();
	}
	uint8_t ra[32], rb[32];
	if (lx_txs_root(ra, txs, NULL) || lx_blk_txs_root(rb, bk, NULL) || memcmp(ra, rb, 32))
		abort();
	lx_rlp_buf_release(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	const char *t = (const char *)in;
	struct lx_blk bk;
	lx_blk_init(&bk);
	int rc = lx_blk_read_text(&bk, t, len, NULL);
	if (rc) {
		if (bk.ok || bk.ntx)
			abort();
	} else {
		json_t *b = json_loadb(t, len, 0, NULL);
		if (!b)
			abort();
		same(&bk, b);
		json_decref(b);
	}
	lx_blk_release(&bk);
	return 0;
}
