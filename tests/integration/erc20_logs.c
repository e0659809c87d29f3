/*
 * erc20_logs.c: the client and the ABI codec against a real node. Deploys MintableERC20 (the
 * compiled artifact from npm @aave/core-v3) on anvil, mints and transfers, fetches the logs
 * with lx_rpc (eth_getLogs) and decodes them with lx_abi, asserting every decoded value; also
 * eth_chainId, block headers linking by parent hash, and eth_call balanceOf.
 *
 * usage: erc20_logs RPC_URL SOURCE_DIR
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lendex/abi.h"
#include "lendex/hex.h"
#include "lendex/rpc.h"

static int fails;
#define CHECK(c)                                                                                \
	do {                                                                                    \
		if (!(c)) {                                                                     \
			fprintf(stderr, "erc20_logs: %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			fails++;                                                                \
		}                                                                               \
	} while (0)

static struct lx_rpc *rpc;

static json_t *call(const char *m, json_t *params)
{
	json_t *r;
	struct lx_error e;
	if (lx_rpc_call(rpc, m, params, &r, &e)) {
		fprintf(stderr, "erc20_logs: %s: %s\n", m, e.msg);
		exit(1);
	}
	return r;
}

static void word_u(char *out, unsigned long long v)
{
	snprintf(out, 65, "%064llx", v);
}

static void word_addr(char *out, const char *addr)
{
	snprintf(out, 65, "%024d%s", 0, addr + 2);
}

/* sends a transaction from `from` and returns its receipt (anvil mines it at once) */
static json_t *send_tx(const char *from, const char *to, const char *data)
{
	json_t *tx = json_pack("{s:s,s:s,s:s}", "from", from, "data", data, "gas", "0x989680");
	if (to)
		json_object_set_new(tx, "to", json_string(to));
	json_t *h = call("eth_sendTransaction", json_pack("[o]", tx));
	json_t *r = NULL;
	for (int i = 0; i < 500 && (!r || json_is_null(r)); i++) {
		json_decref(r);
		r = call("eth_getTransactionReceipt", json_pack("[O]", h));
		if (json_is_null(r)) {
			struct timespec ts = {0, 10000000};
			nanosleep(&ts, NULL);
		}
	}
	json_decref(h);
	CHECK(json_is_object(r) && !strcmp(json_string_value(json_object_get(r, "status")), "0x1"));
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	struct lx_rpc_opts o;
	memset(&o, 0, sizeof(o));
	o.urls[0] = argv[1];
	o.n_urls = 1;
	o.max_retries = -1;
	struct lx_error e;
	if (lx_rpc_create(&rpc, &o, &e))
		return 1;
	uint64_t id;
	CHECK(lx_rpc_chain_id(rpc, &id, &e) == 0 && id == 31337);
	json_t *acc = call("eth_accounts", json_array());
	const char *a0 = json_string_value(json_array_get(acc, 0));
	const char *a1 = json_string_value(json_array_get(acc, 1));
	const char *a2 = json_string_value(json_array_get(acc, 2));
	char path[1024];
	snprintf(path, sizeof(path),
		 "%s/tests/devnet/node_modules/@aave/core-v3/artifacts/contracts/mocks/tokens/"
		 "MintableERC20.sol/MintableERC20.json",
		 argv[2]);
	json_t *art = json_load_file(path, 0, NULL);
	if (!art) {
		fprintf(stderr, "erc20_logs: cannot read %s (npm ci in tests/devnet)\n", path);
		return 1;
	}
	/* constructor(string name, string symbol, uint8 decimals), ABI-encoded by hand */
	const char *code = json_string_value(json_object_get(art, "bytecode"));
	size_t cl = strlen(code);
	char *data = malloc(cl + 64 * 8 + 1);
	char w[65];
	memcpy(data, code, cl);
	size_t o2 = cl;
#define PUT(x)                                                                                  \
	do {                                                                                    \
		memcpy(data + o2, x, 64);                                                       \
		o2 += 64;                                                                       \
	} while (0)
	word_u(w, 0x60); PUT(w);
	word_u(w, 0xa0); PUT(w);
	word_u(w, 6); PUT(w);
	word_u(w, 4); PUT(w);
	snprintf(w, 65, "%-64s", "5465737400"); /* "Test" */
	for (int i = 0; i < 64; i++) if (w[i] == ' ') w[i] = '0';
	PUT(w);
	word_u(w, 3); PUT(w);
	snprintf(w, 65, "%-64s", "545354"); /* "TST" */
	for (int i = 0; i < 64; i++) if (w[i] == ' ') w[i] = '0';
	PUT(w);
	data[o2] = 0;
	/* "Test" is 4 bytes: 54657374; fix the padded literal above */
	memcpy(data + cl + 64 * 4, "54657374", 8);
	memset(data + cl + 64 * 4 + 8, '0', 56);
	json_t *rc = send_tx(a0, NULL, data);
	free(data);
	const char *token = json_string_value(json_object_get(rc, "contractAddress"));
	CHECK(token != NULL);
	char tok[64];
	snprintf(tok, sizeof(tok), "%s", token);
	json_decref(rc);
	/* mint(address,uint256) 1000000 to a1; transfer 250000 a1 → a2; transfer 1 a1 → a0 */
	char buf[2 + 8 + 128 + 1];
	char wa[65], wv[65];
	word_addr(wa, a1);
	word_u(wv, 1000000);
	snprintf(buf, sizeof(buf), "0x40c10f19%s%s", wa, wv);
	json_decref(send_tx(a0, tok, buf));
	word_addr(wa, a2);
	word_u(wv, 250000);
	snprintf(buf, sizeof(buf), "0xa9059cbb%s%s", wa, wv);
	json_decref(send_tx(a1, tok, buf));
	word_addr(wa, a0);
	word_u(wv, 1);
	snprintf(buf, sizeof(buf), "0xa9059cbb%s%s", wa, wv);
	json_decref(send_tx(a1, tok, buf));

	/* logs through the client, decoded by the codec */
	uint64_t head;
	CHECK(lx_rpc_block_number(rpc, &head, &e) == 0);
	struct lx_filter *f = calloc(1, sizeof(*f));
	lx_addr_parse(&f->addr[0], tok, NULL);
	f->n_addr = 1;
	json_t *logs = call("eth_getLogs", lx_rpc_logs_params(f, 0, head));
	free(f);
	struct lx_logset ls;
	lx_logset_init(&ls);
	CHECK(lx_logset_append(&ls, logs, &e) == 0);
	json_decref(logs);
	struct lx_abi_set *abi;
	snprintf(path, sizeof(path), "%s/abi/json/erc20", argv[2]);
	CHECK(lx_abi_set_create(&abi, &e) == 0 && lx_abi_set_load(abi, path, &e) == 0);
	const char *want[3][3] = {{"0x0000000000000000000000000000000000000000", a1, "1000000"},
				  {a1, a2, "250000"},
				  {a1, a0, "1"}};
	size_t transfers = 0;
	for (size_t i = 0; i < ls.n; i++) {
		const struct lx_log *l = &ls.logs[i];
		const struct lx_abi_event *ev = lx_abi_find(abi, l->topics[0], l->n_topics);
		if (!ev || strcmp(ev->name, "Transfer"))
			continue;
		struct lx_abi_decoded *d;
		CHECK(lx_abi_decode_log(&d, ev, (const uint8_t(*)[32])l->topics, l->n_topics, l->data,
					l->data_len, &e) == 0);
		json_t *args = lx_abi_args_json(d);
		if (transfers < 3) {
			CHECK(!strcasecmp(json_string_value(json_object_get(args, "from")), want[transfers][0]));
			CHECK(!strcasecmp(json_string_value(json_object_get(args, "to")), want[transfers][1]));
			CHECK(!strcmp(json_string_value(json_object_get(args, "value")), want[transfers][2]));
		}
		transfers++;
		json_decref(args);
		lx_abi_decoded_free(d);
	}
	CHECK(transfers == 3);
	/* headers link by parent hash */
	json_t *b1 = call("eth_getBlockByNumber", lx_rpc_block_params(head));
	json_t *b0 = call("eth_getBlockByNumber", lx_rpc_block_params(head - 1));
	struct lx_block_ref r1, r0;
	CHECK(lx_rpc_parse_block(b1, &r1, &e) == 0 && lx_rpc_parse_block(b0, &r0, &e) == 0);
	CHECK(!memcmp(r1.parent, r0.hash, 32));
	json_decref(b1);
	json_decref(b0);
	/* eth_call balanceOf(a2) = 250000 */
	uint8_t cd[36] = {0x70, 0xa0, 0x82, 0x31};
	struct lx_addr a2a, ta;
	lx_addr_parse(&a2a, a2, NULL);
	lx_addr_parse(&ta, tok, NULL);
	memcpy(cd + 16, a2a.b, 20);
	json_t *res = call("eth_call", lx_rpc_call_params(&ta, cd, 36, head));
	uint8_t *out;
	size_t ol;
	CHECK(lx_rpc_parse_bytes(res, &out, &ol, &e) == 0 && ol == 32 && out[31] == 0x90 &&
	      out[30] == 0xd0 && out[29] == 0x03);
	free(out);
	json_decref(res);
	lx_logset_release(&ls);
	lx_abi_set_destroy(abi);
	json_decref(acc);
	json_decref(art);
	lx_rpc_destroy(rpc);
	if (!fails)
		printf("erc20_logs: ok (%zu transfers decoded)\n", transfers);
	return fails ? 1 : 0;
}
