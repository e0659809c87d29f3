/*
 * eth.c: consensus encodings of headers, transactions and receipts rebuilt from the JSON a
 * node returns (see verify.h), their hashes and the senders of signed transactions.
 *
 * Every field is read strictly: hashes and addresses must have their exact width, quantities
 * are hex without sign and at most 256 bits, and a field that a fork's encoding needs and the
 * object lacks is an error naming it. What a field means is never guessed from the chain.
 */
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "lendex/keccak.h"
#include "lendex/verify.h"
#include "verify_int.h"

#define MAX_DATA ((size_t)64 << 20) /* one input or extraData field */

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int lx_hash_parse(uint8_t out[32], const char *s)
{
	size_t n = 0;
	if (!s || strlen(s) != 66 || s[0] != '0' || s[1] != 'x')
		return LX_EPARSE;
	return lx_hex_decode(out, 32, &n, s, 66) || n != 32 ? LX_EPARSE : 0;
}

/* Byte string field; want is the exact width or 0 for any. */
static int put_data(struct lx_rlp_buf *b, const json_t *o, const char *k, size_t want,
		    const char *what, struct lx_error *err)
{
	const char *s = str(o, k);
	if (!s)
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' missing or not a string",
				    what, k);
	size_t sl = strlen(s);
	if (sl < 2 || s[0] != '0' || s[1] != 'x' || (sl - 2) / 2 > MAX_DATA)
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' is not 0x hex", what, k);
	size_t cap = (sl - 2) / 2, n = 0;
	uint8_t *t = malloc(cap ? cap : 1);
	if (!t)
		return lx_error_set(err, LX_ENOMEM, "%s: out of memory for '%s'", what, k);
	int rc = lx_hex_decode(t, cap, &n, s, sl);
	if (rc || (want && n != want)) {
		free(t);
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' is not %s%zu-byte hex", what,
				    k, want ? "" : "even ", want);
	}
	rc = lx_rlp_put_bytes(b, t, n);
	free(t);
	return rc ? lx_error_set(err, rc, "%s: cannot encode '%s'", what, k) : 0;
}

/* Quantity text to minimal big-endian bytes (at most 32). Returns the byte count or -1. */
int lx_eth_quantity(uint8_t out[32], const char *s, size_t n)
{
	if (!s || n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	s += 2;
	n -= 2;
	while (n > 1 && s[0] == '0') {
		s++;
		n--;
	}
	if (n > 64)
		return -1;
	if (n == 1 && s[0] == '0')
		return 0;
	uint8_t t[33];
	char pad[66];
	size_t k = 0;
	if (n % 2)
		pad[k++] = '0';
	memcpy(pad + k, s, n);
	k += n;
	size_t got = 0;
	if (lx_hex_decode(t, sizeof(t), &got, pad, k) || got > 32)
		return -1;
	memcpy(out, t, got);
	return (int)got;
}

static int quantity(uint8_t out[32], const char *s)
{
	return s ? lx_eth_quantity(out, s, strlen(s)) : -1;
}

static int put_qty(struct lx_rlp_buf *b, const json_t *o, const char *k, const char *what,
		   struct lx_error *err)
{
	uint8_t t[32];
	int n = quantity(t, str(o, k));
	if (n < 0)
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' missing or not a quantity",
				    what, k);
	int rc = lx_rlp_put_bytes(b, t, (size_t)n);
	return rc ? lx_error_set(err, rc, "%s: cannot encode '%s'", what, k) : 0;
}

static int get_u64(uint64_t *v, const json_t *o, const char *k, const char *what,
		   struct lx_error *err)
{
	const char *s = str(o, k);
	if (!s || lx_hex_u64(v, s, strlen(s)))
		return lx_error_set(err, LX_EBADRESP, "%s: field '%s' missing or not a 64-bit "
				    "quantity", what, k);
	return 0;
}

/* ---- headers ---- */

static int header_encode(struct lx_rlp_buf *out, const json_t *h, struct lx_error *err)
{
	static const char *const opt[][2] = {
		{ "baseFeePerGas", "q" }, { "withdrawalsRoot", "h" }, { "blobGasUsed", "q" },
		{ "excessBlobGas", "q" }, { "parentBeaconBlockRoot", "h" }, { "requestsHash", "h" },
	};
	const char *what = "header";
	if (!out || !json_is_object(h))
		return lx_error_set(err, LX_EBADRESP, "header: not a JSON object");
	size_t m = lx_rlp_list_begin(out);
	int rc;
	if ((rc = put_data(out, h, "parentHash", 32, what, err)) ||
	    (rc = put_data(out, h, "sha3Uncles", 32, what, err)) ||
	    (rc = put_data(out, h, "miner", 20, what, err)) ||
	    (rc = put_data(out, h, "stateRoot", 32, what, err)) ||
	    (rc = put_data(out, h, "transactionsRoot", 32, what, err)) ||
	    (rc = put_data(out, h, "receiptsRoot", 32, what, err)) ||
	    (rc = put_data(out, h, "logsBloom", 256, what, err)) ||
	    (rc = put_qty(out, h, "difficulty", what, err)) ||
	    (rc = put_qty(out, h, "number", what, err)) ||
	    (rc = put_qty(out, h, "gasLimit", what, err)) ||
	    (rc = put_qty(out, h, "gasUsed", what, err)) ||
	    (rc = put_qty(out, h, "timestamp", what, err)) ||
	    (rc = put_data(out, h, "extraData", 0, what, err)))
		return rc;
	if (!json_object_get(h, "mixHash") && json_object_get(h, "step")) {
		/* Gnosis AuRa seal: step as an integer, then the 65-byte signature */
		json_t *step = json_object_get(h, "step");
		if (json_is_integer(step) && json_integer_value(step) >= 0)
			rc = lx_rlp_put_u64(out, (uint64_t)json_integer_value(step));
		else
			rc = put_qty(out, h, "step", what, err);
		if (rc ||
		    (rc = put_data(out, h, "signature", 65, what, err)))
			return rc;
	} else if ((rc = put_data(out, h, "mixHash", 32, what, err)) ||
		   (rc = put_data(out, h, "nonce", 8, what, err))) {
		return rc;
	}
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		if (!json_object_get(h, opt[i][0]))
			continue;
		rc = opt[i][1][0] == 'q' ? put_qty(out, h, opt[i][0], what, err)
					 : put_data(out, h, opt[i][0], 32, what, err);
		if (rc)
			return rc;
	}
	rc = lx_rlp_list_end(out, m);
	return rc ? lx_error_set(err, rc, "header: cannot encode: %s", lx_strerror(rc)) : 0;
}

/*
 * The raw RLP puts fill no error record (their failures are the buffer's: its cap, memory):
 * the public encoders clear the record first and name such a failure after, so every non-zero
 * return of this file fills it.
 */
static int named(int rc, struct lx_error *err, const char *what)
{
	if (rc && err && !err->code)
		lx_error_set(err, rc, "%s: cannot encode: %s", what, lx_strerror(rc));
	return rc;
}

int lx_header_encode(struct lx_rlp_buf *out, const json_t *h, struct lx_error *err)
{
	lx_error_clear(err);
	return named(header_encode(out, h, err), err, "header");
}

int lx_header_hash(uint8_t out[32], const json_t *hdr, struct lx_error *err)
{
	memset(out, 0, 32);
	struct lx_rlp_buf b;
	lx_rlp_buf_init(&b, 0);
	int rc = lx_header_encode(&b, hdr, err);
	if (!rc)
		lx_keccak256(out, b.p, b.len);
	lx_rlp_buf_release(&b);
	return rc;
}

/* ---- transactions ---- */

enum mode { SIGNED, SIGNING };

static int tx_type(unsigned *type, const json_t *tx, struct lx_error *err)
{
	uint64_t t = 0;
	*type = 0;
	if (!json_object_get(tx, "type")) /* old nodes (and OP before Bedrock): legacy */
		return 0;
	if (get_u64(&t, tx, "type", "transaction", err))
		return LX_EBADRESP;
	if (t > 0xff)
		return lx_error_set(err, LX_EUNKNOWN, "transaction: unknown type 0x%llx",
				    (unsigned long long)t);
	*type = (unsigned)t;
	return 0;
}

static int put_to(struct lx_rlp_buf *b, const json_t *tx, struct lx_error *err)
{
	json_t *to = json_object_get(tx, "to");
	if (!to || json_is_null(to)) /* contract creation */
		return lx_rlp_put_bytes(b, NULL, 0);
	return put_data(b, tx, "to", 20, "transaction", err);
}

static int put_input(struct lx_rlp_buf *b, const json_t *tx, struct lx_error *err)
{
	return put_data(b, tx, json_object_get(tx, "input") ? "input" : "data", 0, "transaction",
			err);
}

static int put_access_list(struct lx_rlp_buf *b, const json_t *tx, struct lx_error *err)
{
	const char *what = "transaction accessList";
	json_t *al = json_object_get(tx, "accessList");
	if (!json_is_array(al))
		return lx_error_set(err, LX_EBADRESP, "transaction: field 'accessList' missing or "
				    "not an array");
	size_t m = lx_rlp_list_begin(b), i;
	json_t *e;
	int rc;
	json_array_foreach(al, i, e) {
		json_t *keys = json_object_get(e, "storageKeys");
		if (!json_is_array(keys))
			return lx_error_set(err, LX_EBADRESP, "%s: entry %zu has no storageKeys",
					    what, i);
		size_t m2 = lx_rlp_list_begin(b), j;
		if ((rc = put_data(b, e, "address", 20, what, err)))
			return rc;
		size_t m3 = lx_rlp_list_begin(b);
		json_t *k;
		json_array_foreach(keys, j, k) {
			uint8_t h[32];
			if (lx_hash_parse(h, json_string_value(k)))
				return lx_error_set(err, LX_EBADRESP, "%s: entry %zu key %zu is not "
						    "a 32-byte hash", what, i, j);
			if ((rc = lx_rlp_put_bytes(b, h, 32)))
				return rc;
		}
		if ((rc = lx_rlp_list_end(b, m3)) || (rc = lx_rlp_list_end(b, m2)))
			return rc;
	}
	return lx_rlp_list_end(b, m);
}

static int put_auth_list(struct lx_rlp_buf *b, const json_t *tx, struct lx_error *err)
{
	const char *what = "transaction authorizationList";
	json_t *al = json_object_get(tx, "authorizationList");
	if (!json_is_array(al))
		return lx_error_set(err, LX_EBADRESP, "transaction: field 'authorizationList' "
				    "missing or not an array");
	size_t m = lx_rlp_list_begin(b), i;
	json_t *e;
	int rc;
	json_array_foreach(al, i, e) {
		size_t m2 = lx_rlp_list_begin(b);
		if ((rc = put_qty(b, e, "chainId", what, err)) ||
		    (rc = put_data(b, e, "address", 20, what, err)) ||
		    (rc = put_qty(b, e, "nonce", what, err)) ||
		    (rc = put_qty(b, e, "yParity", what, err)) ||
		    (rc = put_qty(b, e, "r", what, err)) || (rc = put_qty(b, e, "s", what, err)) ||
		    (rc = lx_rlp_list_end(b, m2)))
			return rc;
	}
	return lx_rlp_list_end(b, m);
}

static int put_blob_hashes(struct lx_rlp_buf *b, const json_t *tx, struct lx_error *err)
{
	json_t *a = json_object_get(tx, "blobVersionedHashes");
	if (!json_is_array(a))
		return lx_error_set(err, LX_EBADRESP, "transaction: field 'blobVersionedHashes' "
				    "missing or not an array");
	size_t m = lx_rlp_list_begin(b), i;
	json_t *e;
	int rc;
	json_array_foreach(a, i, e) {
		uint8_t h[32];
		if (lx_hash_parse(h, json_string_value(e)))
			return lx_error_set(err, LX_EBADRESP, "transaction: blob hash %zu is not a "
					    "32-byte hash", i);
		if ((rc = lx_rlp_put_bytes(b, h, 32)))
			return rc;
	}
	return lx_rlp_list_end(b, m);
}

/* yParity of a typed transaction: `yParity`, or `v` from nodes that omit it. */
static int y_parity(uint64_t *y, const json_t *tx, struct lx_error *err)
{
	const char *k = json_object_get(tx, "yParity") ? "yParity" : "v";
	if (get_u64(y, tx, k, "transaction", err))
		return LX_EBADRESP;
	if (*y > 1)
		return lx_error_set(err, LX_EVERIFY, "transaction: %s %llu is not 0 or 1", k,
				    (unsigned long long)*y);
	return 0;
}

static int put_sig(struct lx_rlp_buf *b, const json_t *tx, uint64_t v, struct lx_error *err)
{
	int rc;
	if ((rc = lx_rlp_put_u64(b, v)) || (rc = put_qty(b, tx, "r", "transaction", err)) ||
	    (rc = put_qty(b, tx, "s", "transaction", err)))
		return rc;
	return 0;
}

/*
 * Encodes tx in the given mode. For SIGNING, *recid receives the recovery id and info the chain
 * id. Deposits (0x7e) have no signing form.
 */
static int encode_tx(struct lx_rlp_buf *b, const json_t *tx, enum mode mode, int *recid,
		     struct lx_tx_info *info, struct lx_error *err)
{
	unsigned type;
	int rc = tx_type(&type, tx, err);
	if (rc)
		return rc;
	if (info)
		info->type = type;
	const char *w = "transaction";
	size_t m;
	uint64_t v = 0, chain = 0;
	if (type == 0) {
		if (get_u64(&v, tx, "v", w, err))
			return LX_EBADRESP;
		bool eip155 = v >= 35;
		if (mode == SIGNING && !eip155 && v != 27 && v != 28)
			return lx_error_set(err, LX_EVERIFY, "transaction: legacy v %llu is neither "
					    "27/28 nor EIP-155", (unsigned long long)v);
		chain = eip155 ? (v - 35) / 2 : 0;
		if (recid)
			*recid = (int)(eip155 ? (v - 35) % 2 : v - 27); /* SIGNING: v checked */
		if (info) {
			info->has_chain_id = eip155;
			info->chain_id = chain;
		}
		m = lx_rlp_list_begin(b);
		if ((rc = put_qty(b, tx, "nonce", w, err)) ||
		    (rc = put_qty(b, tx, "gasPrice", w, err)) ||
		    (rc = put_qty(b, tx, "gas", w, err)) || (rc = put_to(b, tx, err)) ||
		    (rc = put_qty(b, tx, "value", w, err)) || (rc = put_input(b, tx, err)))
			return rc;
		if (mode == SIGNED)
			rc = put_sig(b, tx, v, err);
		else if (eip155 && !(rc = lx_rlp_put_u64(b, chain)) && !(rc = lx_rlp_put_u64(b, 0)))
			rc = lx_rlp_put_u64(b, 0);
		if (rc)
			return rc;
		return lx_rlp_list_end(b, m);
	}
	if (type == 0x7e && !json_object_get(tx, "sourceHash")) /* Scroll's L1 messages */
		return lx_error_set(err, LX_EUNKNOWN, "transaction: type 0x7e without sourceHash "
				    "(not an OP deposit)");
	if (type == 0x7e) {
		if (mode == SIGNING)
			return lx_error_set(err, LX_EINVAL, "transaction: deposits are not signed");
		json_t *sys = json_object_get(tx, "isSystemTx");
		if ((rc = lx_rlp_put_byte(b, 0x7e)))
			return rc;
		m = lx_rlp_list_begin(b);
		if ((rc = put_data(b, tx, "sourceHash", 32, w, err)) ||
		    (rc = put_data(b, tx, "from", 20, w, err)) || (rc = put_to(b, tx, err)))
			return rc;
		json_t *mint = json_object_get(tx, "mint");
		rc = mint && !json_is_null(mint) ? put_qty(b, tx, "mint", w, err)
						  : lx_rlp_put_bytes(b, NULL, 0);
		if (rc || (rc = put_qty(b, tx, "value", w, err)) ||
		    (rc = put_qty(b, tx, "gas", w, err)) ||
		    (rc = lx_rlp_put_u64(b, json_is_true(sys) ? 1 : 0)) ||
		    (rc = put_input(b, tx, err)))
			return rc;
		return lx_rlp_list_end(b, m);
	}
	if (type > 4)
		return lx_error_set(err, LX_EUNKNOWN, "transaction: unknown type 0x%x", type);
	if ((rc = get_u64(&chain, tx, "chainId", w, err)) || (rc = y_parity(&v, tx, err)))
		return rc;
	if (recid)
		*recid = (int)v;
	if (info) {
		info->has_chain_id = true;
		info->chain_id = chain;
	}
	if ((rc = lx_rlp_put_byte(b, (uint8_t)type)))
		return rc;
	m = lx_rlp_list_begin(b);
	if ((rc = put_qty(b, tx, "chainId", w, err)) || (rc = put_qty(b, tx, "nonce", w, err)))
		return rc;
	if (type == 1)
		rc = put_qty(b, tx, "gasPrice", w, err);
	else if (!(rc = put_qty(b, tx, "maxPriorityFeePerGas", w, err)))
		rc = put_qty(b, tx, "maxFeePerGas", w, err);
	if (rc || (rc = put_qty(b, tx, "gas", w, err)) || (rc = put_to(b, tx, err)) ||
	    (rc = put_qty(b, tx, "value", w, err)) || (rc = put_input(b, tx, err)) ||
	    (rc = put_access_list(b, tx, err)))
		return rc;
	if (type == 3 && ((rc = put_qty(b, tx, "maxFeePerBlobGas", w, err)) ||
			  (rc = put_blob_hashes(b, tx, err))))
		return rc;
	if (type == 4 && (rc = put_auth_list(b, tx, err)))
		return rc;
	if (mode == SIGNED && (rc = put_sig(b, tx, v, err)))
		return rc;
	return lx_rlp_list_end(b, m);
}

int lx_tx_encode(struct lx_rlp_buf *out, const json_t *tx, struct lx_error *err)
{
	lx_error_clear(err);
	if (!out)
		return lx_error_set(err, LX_EINVAL, "transaction: encode without an output");
	if (!json_is_object(tx))
		return lx_error_set(err, LX_EBADRESP, "transaction: not a JSON object");
	return named(encode_tx(out, tx, SIGNED, NULL, NULL, err), err, "transaction");
}

static int sig_word(uint8_t out[32], const json_t *tx, const char *k, struct lx_error *err)
{
	uint8_t t[32];
	int n = quantity(t, str(tx, k));
	if (n < 0)
		return lx_error_set(err, LX_EBADRESP, "transaction: field '%s' missing or not a "
				    "quantity", k);
	memset(out, 0, 32);
	memcpy(out + 32 - n, t, (size_t)n);
	return 0;
}

static int tx_check(struct lx_tx_info *out, const json_t *tx, struct lx_error *err);

int lx_tx_check(struct lx_tx_info *out, const json_t *tx, struct lx_error *err)
{
	lx_error_clear(err);
	if (!out)
		return lx_error_set(err, LX_EINVAL, "transaction: check without an output");
	return named(tx_check(out, tx, err), err, "transaction");
}

static int tx_check(struct lx_tx_info *out, const json_t *tx, struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(tx))
		return lx_error_set(err, LX_EBADRESP, "transaction: not a JSON object");
	struct lx_tx_info info;
	memset(&info, 0, sizeof(info));
	struct lx_rlp_buf b;
	lx_rlp_buf_init(&b, 0);
	int recid = 0;
	int rc = encode_tx(&b, tx, SIGNED, NULL, &info, err);
	if (rc)
		goto done;
	lx_keccak256(info.hash, b.p, b.len);
	if (info.type == 0x7e) {
		rc = lx_addr_parse(&info.from, str(tx, "from"), err);
		goto done;
	}
	lx_rlp_buf_reset(&b);
	if ((rc = encode_tx(&b, tx, SIGNING, &recid, NULL, err)))
		goto done;
	lx_keccak256(info.sighash, b.p, b.len);
	uint8_t rs[64], pub[65];
	if ((rc = sig_word(rs, tx, "r", err)) || (rc = sig_word(rs + 32, tx, "s", err)))
		goto done;
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pk;
	size_t pl = sizeof(pub);
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &sig,
								 rs, recid) ||
	    !secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &sig, info.sighash) ||
	    !secp256k1_ec_pubkey_serialize(secp256k1_context_static, pub, &pl, &pk,
					   SECP256K1_EC_UNCOMPRESSED)) {
		rc = lx_error_set(err, LX_EVERIFY, "transaction: signature does not recover a key");
		goto done;
	}
	uint8_t h[32];
	lx_keccak256(h, pub + 1, 64);
	memcpy(info.from.b, h + 12, 20);
	*out = info;
done:
	if (!rc && info.type == 0x7e)
		*out = info;
	lx_rlp_buf_release(&b);
	return rc;
}

/* ---- receipts ---- */

static int put_logs(struct lx_rlp_buf *b, const json_t *r, struct lx_error *err)
{
	json_t *logs = json_object_get(r, "logs");
	if (!json_is_array(logs))
		return lx_error_set(err, LX_EBADRESP, "receipt: field 'logs' missing or not an array");
	size_t m = lx_rlp_list_begin(b), i;
	json_t *l;
	int rc;
	json_array_foreach(logs, i, l) {
		json_t *topics = json_object_get(l, "topics");
		if (!json_is_array(topics) || json_array_size(topics) > 4)
			return lx_error_set(err, LX_EBADRESP, "receipt: log %zu has no topics array "
					    "of at most 4", i);
		size_t m2 = lx_rlp_list_begin(b), j;
		if ((rc = put_data(b, l, "address", 20, "receipt log", err)))
			return rc;
		size_t m3 = lx_rlp_list_begin(b);
		json_t *t;
		json_array_foreach(topics, j, t) {
			uint8_t h[32];
			if (lx_hash_parse(h, json_string_value(t)))
				return lx_error_set(err, LX_EBADRESP, "receipt: log %zu topic %zu is "
						    "not a 32-byte hash", i, j);
			if ((rc = lx_rlp_put_bytes(b, h, 32)))
				return rc;
		}
		if ((rc = lx_rlp_list_end(b, m3)) ||
		    (rc = put_data(b, l, "data", 0, "receipt log", err)) ||
		    (rc = lx_rlp_list_end(b, m2)))
			return rc;
	}
	return lx_rlp_list_end(b, m);
}

static int receipt_encode(struct lx_rlp_buf *b, const json_t *r, struct lx_error *err);

int lx_receipt_encode(struct lx_rlp_buf *b, const json_t *r, struct lx_error *err)
{
	lx_error_clear(err);
	if (!b)
		return lx_error_set(err, LX_EINVAL, "receipt: encode without an output");
	return named(receipt_encode(b, r, err), err, "receipt");
}

static int receipt_encode(struct lx_rlp_buf *b, const json_t *r, struct lx_error *err)
{
	if (!b || !json_is_object(r))
		return lx_error_set(err, LX_EBADRESP, "receipt: not a JSON object");
	unsigned type;
	int rc = tx_type(&type, r, err);
	if (rc)
		return rc;
	if (type > 4 && type != 0x7e)
		return lx_error_set(err, LX_EUNKNOWN, "receipt: unknown type 0x%x", type);
	if (type && (rc = lx_rlp_put_byte(b, (uint8_t)type)))
		return rc;
	const char *w = "receipt";
	size_t m = lx_rlp_list_begin(b);
	if (json_object_get(r, "status"))
		rc = put_qty(b, r, "status", w, err);
	else /* before Byzantium: the post-transaction state root */
		rc = put_data(b, r, "root", 32, w, err);
	if (rc || (rc = put_qty(b, r, "cumulativeGasUsed", w, err)) ||
	    (rc = put_data(b, r, "logsBloom", 256, w, err)) || (rc = put_logs(b, r, err)))
		return rc;
	if (type == 0x7e) {
		if (json_object_get(r, "depositNonce") &&
		    (rc = put_qty(b, r, "depositNonce", w, err)))
			return rc;
		if (json_object_get(r, "depositReceiptVersion") &&
		    (rc = put_qty(b, r, "depositReceiptVersion", w, err)))
			return rc;
	}
	return lx_rlp_list_end(b, m);
}

/* Root of a list trie whose items an encoder builds from a JSON array. */
static int list_root(uint8_t root[32], const json_t *arr, const char *what,
		     int (*enc)(struct lx_rlp_buf *, const json_t *, struct lx_error *),
		     struct lx_error *err)
{
	memset(root, 0, 32);
	if (!json_is_array(arr))
		return lx_error_set(err, LX_EBADRESP, "%s: not an array", what);
	size_t n = json_array_size(arr);
	struct lx_rlp_buf b;
	lx_rlp_buf_init(&b, 0);
	size_t *off = calloc(n + 1, sizeof(*off)), *len = calloc(n + 1, sizeof(*len));
	const uint8_t **items = calloc(n + 1, sizeof(*items));
	int rc = (!off || !len || !items) ? LX_ENOMEM : 0;
	for (size_t i = 0; i < n && !rc; i++) {
		off[i] = b.len;
		rc = enc(&b, json_array_get(arr, i), err);
		if (rc)
			lx_error_prefix(err, "%s %zu", what, i);
		len[i] = b.len - off[i];
	}
	for (size_t i = 0; i < n && !rc; i++)
		items[i] = b.p + off[i];
	if (!rc)
		rc = lx_trie_list_root(root, items, len, n, err);
	if (rc == LX_ENOMEM)
		lx_error_set(err, rc, "%s: out of memory", what);
	free(off);
	free(len);
	free(items);
	lx_rlp_buf_release(&b);
	return rc;
}

int lx_txs_root(uint8_t root[32], const json_t *txs, struct lx_error *err)
{
	return list_root(root, txs, "transaction", lx_tx_encode, err);
}

int lx_receipts_root(uint8_t root[32], const json_t *rcpts, struct lx_error *err)
{
	return list_root(root, rcpts, "receipt", lx_receipt_encode, err);
}
