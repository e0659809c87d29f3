/*
 * cmd_decode.c: `lendex decode --abi FILE_OR_DIR LOGS.json` — decodes eth_getLogs-style logs
 * (an array of logs, a receipt, or an array of receipts / {"receipt": ...} wrappers) into JSON
 * lines {"tx","logIndex","address","event","args"}. Logs that match no event are counted on
 * stderr, never guessed at; a log that matches but does not decode is reported with its
 * position and makes the exit code 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/abi.h"
#include "lendex/hex.h"

struct dctx {
	struct lx_abi_set *abi;
	struct lx_addr only[64];
	size_t n_only;
	unsigned long matched, unmatched, failed, skipped;
};

static bool wanted(const struct dctx *c, const struct lx_addr *a)
{
	if (!c->n_only)
		return true;
	for (size_t i = 0; i < c->n_only; i++)
		if (lx_addr_eq(&c->only[i], a))
			return true;
	return false;
}

static void decode_log(struct dctx *c, const json_t *l, size_t pos)
{
	const char *addr = json_string_value(json_object_get(l, "address"));
	const char *tx = json_string_value(json_object_get(l, "transactionHash"));
	const char *li = json_string_value(json_object_get(l, "logIndex"));
	const json_t *topics = json_object_get(l, "topics");
	const char *data = json_string_value(json_object_get(l, "data"));
	struct lx_addr a;
	uint64_t index = 0;
	if (!addr || !tx || !li || !json_is_array(topics) || !data || json_array_size(topics) > 4 ||
	    lx_addr_parse(&a, addr, NULL) || lx_hex_u64(&index, li, strlen(li))) {
		lx_cli_errorf("decode: log #%zu is malformed (needs address, transactionHash, "
			      "logIndex, topics, data)",
			      pos);
		c->failed++;
		return;
	}
	if (!wanted(c, &a)) {
		c->skipped++;
		return;
	}
	uint8_t t[4][32];
	size_t nt = json_array_size(topics), got;
	for (size_t i = 0; i < nt; i++) {
		const char *s = json_string_value(json_array_get(topics, i));
		if (!s || lx_hex_decode(t[i], 32, &got, s, strlen(s)) || got != 32) {
			lx_cli_errorf("decode: %s:%llu: topic %zu is not 32 bytes of hex", tx,
				      (unsigned long long)index, i);
			c->failed++;
			return;
		}
	}
	size_t dl = strlen(data);
	uint8_t *buf = malloc(dl / 2 + 1);
	size_t blen = 0;
	if (!buf || lx_hex_decode(buf, dl / 2 + 1, &blen, data, dl)) {
		lx_cli_errorf("decode: %s:%llu: data is not hex", tx, (unsigned long long)index);
		c->failed++;
		free(buf);
		return;
	}
	const struct lx_abi_event *ev = nt ? lx_abi_find(c->abi, t[0], nt) : NULL;
	if (!ev) {
		c->unmatched++;
		free(buf);
		return;
	}
	struct lx_abi_decoded *d;
	struct lx_error e;
	if (lx_abi_decode_log(&d, ev, (const uint8_t(*)[32])t, nt, buf, blen, &e)) {
		lx_cli_errorf("decode: %s:%llu: %s", tx, (unsigned long long)index, e.msg);
		c->failed++;
		free(buf);
		return;
	}
	char low[LX_ADDR_STRLEN];
	lx_addr_lower(low, &a);
	json_t *o = json_object();
	char txl[80];
	snprintf(txl, sizeof(txl), "%s", tx);
	for (char *p = txl; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	json_object_set_new(o, "tx", json_string(txl));
	json_object_set_new(o, "logIndex", json_integer((json_int_t)index));
	json_object_set_new(o, "address", json_string(low));
	json_object_set_new(o, "event", json_string(ev->name));
	json_object_set_new(o, "args", lx_abi_args_json(d));
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s)
		puts(s);
	free(s);
	json_decref(o);
	lx_abi_decoded_free(d);
	free(buf);
	c->matched++;
}

static void walk(struct dctx *c, const json_t *j, size_t *pos)
{
	if (json_is_array(j)) {
		size_t i;
		const json_t *x;
		json_array_foreach(j, i, x) walk(c, x, pos);
		return;
	}
	if (!json_is_object(j))
		return;
	if (json_object_get(j, "receipt")) {
		walk(c, json_object_get(j, "receipt"), pos);
		return;
	}
	if (json_is_array(json_object_get(j, "logs"))) {
		walk(c, json_object_get(j, "logs"), pos);
		return;
	}
	decode_log(c, j, (*pos)++);
}

int lx_cmd_decode(const struct lx_cli_args *a)
{
	struct dctx c;
	memset(&c, 0, sizeof(c));
	const char *const *vals;
	int n = lx_cli_all(a, "address", &vals);
	for (int i = 0; i < n; i++) {
		struct lx_error e;
		if (lx_addr_parse(&c.only[c.n_only++], vals[i], &e)) {
			lx_cli_errorf("%s", e.msg);
			return LX_EXIT_USAGE;
		}
	}
	if (lx_cli_has(a, "chain")) {
		struct lx_chain *chain;
		int rc = lx_cli_open_chain(a, &chain);
		if (rc)
			return rc;
		for (size_t d = 0; d < chain->n_deployments; d++)
			for (size_t k = 0; k < chain->deployments[d].n_contracts && c.n_only < 64; k++)
				c.only[c.n_only++] = chain->deployments[d].contracts[k].addr;
		lx_chain_destroy(chain);
	}
	struct lx_error e;
	const char *abi = lx_cli_get(a, "abi", NULL);
	if (!abi) {
		lx_cli_errorf("decode needs --abi FILE_OR_DIR");
		return LX_EXIT_USAGE;
	}
	if (lx_abi_set_create(&c.abi, &e) || lx_abi_set_load(c.abi, abi, &e)) {
		lx_cli_errorf("%s", e.msg);
		lx_abi_set_destroy(c.abi);
		return e.code == LX_ENOTFOUND ? LX_EXIT_USAGE : LX_EXIT_RUNTIME;
	}
	json_error_t je;
	json_t *doc = strcmp(a->pos[0], "-") ? json_load_file(a->pos[0], 0, &je)
					      : json_loadf(stdin, 0, &je);
	if (!doc) {
		lx_cli_errorf("decode: %s:%d:%d: %s", a->pos[0], je.line, je.column, je.text);
		lx_abi_set_destroy(c.abi);
		return LX_EXIT_RUNTIME;
	}
	size_t pos = 0;
	walk(&c, doc, &pos);
	json_decref(doc);
	lx_abi_set_destroy(c.abi);
	fprintf(stderr, "decode: %lu decoded, %lu matched no event, %lu failed, %lu skipped by "
			"address\n",
		c.matched, c.unmatched, c.failed, c.skipped);
	return c.failed ? LX_EXIT_RUNTIME : LX_EXIT_OK;
}
