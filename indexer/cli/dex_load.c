/*
 * dex_load.c: builds the cascade's market (dex.h) for the risk commands. The DEX section of the
 * deployment in chains/<chain>.json names the Uniswap V3 pools, the oracle feeds' deviation
 * thresholds and heartbeats, and an optional per-asset depth file (docs/risk.md). The pools are
 * read from a node (--rpc) at the synced block — slot0, liquidity, fee, tick spacing, the whole
 * tick bitmap and every initialized tick's liquidityNet — so the swap sees exactly the
 * liquidity the chain had. Reading at the synced block keeps the pools consistent with the
 * positions; nothing is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "common.h"
#include "dex_load.h"
#include "lendex/keccak.h"

static void selector(uint8_t out[4], const char *sig)
{
	uint8_t h[32];
	lx_keccak256(h, sig, strlen(sig));
	memcpy(out, h, 4);
}

static int find_asset(const struct lx_market_view *mv, const char *s)
{
	struct lx_addr a;
	bool is_addr = lx_addr_parse(&a, s, NULL) == 0;
	for (size_t k = 0; k < mv->n_assets; k++)
		if ((is_addr && lx_addr_eq(&a, &mv->assets[k].asset)) ||
		    (!is_addr && !strcasecmp(mv->assets[k].symbol, s)))
			return (int)k;
	return -1;
}

/* eth_call batch: n calls to `to` with data[i] (len[i]) at block; results[i] malloc'd */
static int calls(struct lx_rpc *rpc, const struct lx_addr *to, uint8_t (*data)[36],
		 const size_t *len, size_t n, uint64_t block, uint8_t **res, size_t *res_len,
		 struct lx_error *err)
{
	struct lx_rpc_req *r = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return lx_error_set(err, LX_ENOMEM, "dex: out of memory");
	for (size_t i = 0; i < n; i++) {
		r[i].method = "eth_call";
		r[i].params = lx_rpc_call_params(to, data[i], len[i], block);
	}
	int rc = lx_rpc_batch(rpc, r, n, 100);
	for (size_t i = 0; i < n && !rc; i++) {
		if (r[i].rc) {
			rc = lx_error_set(err, r[i].rc, "%s", r[i].err.msg);
			break;
		}
		rc = lx_rpc_parse_bytes(r[i].result, &res[i], &res_len[i], err);
		if (!rc && res_len[i] < 32)
			rc = lx_error_set(err, LX_EBADRESP, "dex: short eth_call answer (%zu bytes)",
					  res_len[i]);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(r[i].result);
	free(r);
	return rc;
}

static int32_t word_i32(const uint8_t *w)
{
	return (int32_t)((uint32_t)w[28] << 24 | (uint32_t)w[29] << 16 | (uint32_t)w[30] << 8 | w[31]);
}

static __int128 word_i128(const uint8_t *w)
{
	unsigned __int128 v = 0;
	for (int i = 16; i < 32; i++)
		v = v << 8 | w[i];
	return (__int128)v;
}

/* Reads one pool at block into p (ticks malloc'd). */
static int read_pool(struct lx_rpc *rpc, const struct lx_addr *pool, uint64_t block,
		     struct lx_uv3_pool *p, struct lx_error *err)
{
	memset(p, 0, sizeof(*p));
	p->address = *pool;
	static const char *const sig[6] = {"slot0()",  "liquidity()", "fee()",
					   "tickSpacing()", "token0()", "token1()"};
	uint8_t data[6][36];
	size_t len[6];
	uint8_t *res[6] = {0};
	size_t rl[6] = {0};
	for (int i = 0; i < 6; i++) {
		selector(data[i], sig[i]);
		len[i] = 4;
	}
	int rc = calls(rpc, pool, data, len, 6, block, res, rl, err);
	if (!rc) {
		lx_u256_from_be(&p->sqrt_price, res[0]);
		p->tick = rl[0] >= 64 ? word_i32(res[0] + 32) : 0;
		p->liquidity = (unsigned __int128)word_i128(res[1]);
		p->fee = (uint32_t)word_i32(res[2]);
		p->tick_spacing = word_i32(res[3]);
		memcpy(p->token0.b, res[4] + 12, 20);
		memcpy(p->token1.b, res[5] + 12, 20);
		if (rl[0] < 64 || lx_u256_is_zero(&p->sqrt_price) || p->tick_spacing <= 0 ||
		    p->tick_spacing > 16384)
			rc = lx_error_set(err, LX_EBADRESP,
					  "not an initialized Uniswap V3 pool at block %llu",
					  (unsigned long long)block);
	}
	for (int i = 0; i < 6; i++)
		free(res[i]);
	if (rc)
		return rc;
	/* the whole bitmap: every word a tick of this spacing can be in */
	int32_t sp = p->tick_spacing;
	int32_t wlo = (LX_UV3_MIN_TICK / sp - 1) >> 8, whi = (LX_UV3_MAX_TICK / sp) >> 8;
	size_t nw = (size_t)(whi - wlo + 1);
	uint8_t(*wd)[36] = calloc(nw, sizeof(*wd));
	size_t *wl = calloc(nw, sizeof(*wl));
	uint8_t **wr = calloc(nw, sizeof(*wr));
	size_t *wrl = calloc(nw, sizeof(*wrl));
	if (!wd || !wl || !wr || !wrl) {
		rc = lx_error_set(err, LX_ENOMEM, "dex: out of memory");
		goto out;
	}
	for (size_t i = 0; i < nw; i++) {
		selector(wd[i], "tickBitmap(int16)");
		int32_t w = wlo + (int32_t)i;
		memset(wd[i] + 4, w < 0 ? 0xff : 0, 32);
		wd[i][34] = (uint8_t)((uint32_t)w >> 8);
		wd[i][35] = (uint8_t)w;
		wl[i] = 36;
	}
	if ((rc = calls(rpc, pool, wd, wl, nw, block, wr, wrl, err)))
		goto out;
	size_t nt = 0;
	for (size_t i = 0; i < nw; i++)
		for (int b = 0; b < 256; b++)
			nt += (wr[i][31 - b / 8] >> (b % 8)) & 1;
	if (nt) {
		uint8_t(*td)[36] = calloc(nt, sizeof(*td));
		size_t *tl = calloc(nt, sizeof(*tl));
		uint8_t **tr = calloc(nt, sizeof(*tr));
		size_t *trl = calloc(nt, sizeof(*trl));
		p->ticks = calloc(nt, sizeof(*p->ticks));
		if (!td || !tl || !tr || !trl || !p->ticks) {
			rc = lx_error_set(err, LX_ENOMEM, "dex: out of memory");
		} else {
			size_t k = 0;
			for (size_t i = 0; i < nw; i++)
				for (int b = 0; b < 256; b++)
					if ((wr[i][31 - b / 8] >> (b % 8)) & 1) {
						int32_t t = ((wlo + (int32_t)i) * 256 + b) * sp;
						p->ticks[k].tick = t;
						selector(td[k], "ticks(int24)");
						memset(td[k] + 4, t < 0 ? 0xff : 0, 32);
						td[k][33] = (uint8_t)((uint32_t)t >> 16);
						td[k][34] = (uint8_t)((uint32_t)t >> 8);
						td[k][35] = (uint8_t)t;
						tl[k++] = 36;
					}
			rc = calls(rpc, pool, td, tl, nt, block, tr, trl, err);
			for (size_t i = 0; !rc && i < nt; i++) {
				if (trl[i] < 64) {
					rc = lx_error_set(err, LX_EBADRESP, "dex: short ticks() answer");
					break;
				}
				p->ticks[i].liquidity_net = word_i128(tr[i] + 32);
			}
			p->n_ticks = nt;
		}
		for (size_t i = 0; tr && i < nt; i++)
			free(tr[i]);
		free(td);
		free(tl);
		free(tr);
		free(trl);
	}
out:
	for (size_t i = 0; wr && i < nw; i++)
		free(wr[i]);
	free(wd);
	free(wl);
	free(wr);
	free(wrl);
	if (rc) {
		free(p->ticks);
		p->ticks = NULL;
		p->n_ticks = 0;
	}
	return rc;
}

static json_t *dex_section(const struct lx_cli_args *a, char *path, size_t cap)
{
	const char *name = lx_cli_get(a, "chain", NULL);
	if (!name)
		name = getenv("LENDEX_CHAIN");
	if (!name || !*name)
		name = "devnet";
	snprintf(path, cap, "%s/%s.json", lx_cli_chainsdir(a), name);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		return NULL;
	const char *dn = lx_cli_get(a, "deployment", NULL);
	json_t *deps = json_object_get(root, "deployments"), *d, *found = NULL;
	size_t i;
	json_array_foreach(deps, i, d)
	{
		const char *n = json_string_value(json_object_get(d, "name"));
		if (!found && (!dn || (n && !strcmp(n, dn))))
			found = d;
	}
	json_t *x = found ? json_incref(json_object_get(found, "dex")) : NULL;
	json_decref(root);
	return x;
}

static int load_depth_file(const char *file, const struct lx_market_view *mv, struct lx_dex *d)
{
	json_error_t je;
	json_t *root = json_load_file(file, 0, &je);
	if (!root || !json_is_object(root)) {
		lx_cli_errorf("cannot read depth file %s: %s", file, root ? "not an object" : je.text);
		json_decref(root);
		return LX_EXIT_USAGE;
	}
	const char *k;
	json_t *v;
	double scale = 1;
	for (unsigned i = 0; i < mv->base_decimals; i++)
		scale *= 10;
	json_object_foreach(root, k, v)
	{
		int as = find_asset(mv, k);
		if (as < 0 || !json_is_number(v) || json_number_value(v) <= 0) {
			lx_cli_errorf("depth file %s: '%s' is not an asset of this market with a positive "
				      "depth (base currency per 1%%)",
				      file, k);
			json_decref(root);
			return LX_EXIT_USAGE;
		}
		lx_dex_set_depth(d, (size_t)as, json_number_value(v) * scale);
	}
	json_decref(root);
	return LX_EXIT_OK;
}

int lx_cli_dex_setup(const struct lx_cli_args *a, const struct lx_market_view *mv,
		     struct lx_dex **out)
{
	*out = NULL;
	const char *model = lx_cli_get(a, "market", NULL);
	if (model && strcmp(model, "dex") && strcmp(model, "percent")) {
		lx_cli_errorf("bad --market '%s': expected dex or percent", model);
		return LX_EXIT_USAGE;
	}
	if (model && !strcmp(model, "percent"))
		return LX_EXIT_OK;
	char path[1024];
	json_t *x = dex_section(a, path, sizeof(path));
	const char *depth_file = lx_cli_get(a, "depth-file", NULL);
	if (!x && !depth_file) {
		if (model) {
			lx_cli_errorf("--market dex: %s names no pools (a \"dex\" section) and no "
				      "--depth-file was given",
				      path);
			return LX_EXIT_USAGE;
		}
		return LX_EXIT_OK; /* nothing configured: the percentage model */
	}
	struct lx_dex *d;
	if (lx_dex_create(&d, mv->n_assets)) {
		json_decref(x);
		lx_cli_errorf("dex: out of memory");
		return LX_EXIT_RUNTIME;
	}
	int rc = LX_EXIT_OK;
	json_t *feeds = json_object_get(x, "feeds");
	const char *k;
	json_t *v;
	json_object_foreach(feeds, k, v)
	{
		int as = find_asset(mv, k);
		if (as < 0) {
			lx_cli_errorf("%s: dex.feeds names '%s', not an asset of this market", path, k);
			rc = LX_EXIT_USAGE;
			goto out;
		}
		struct lx_dex_feed f = {
			(uint32_t)json_integer_value(json_object_get(v, "deviation_bps")),
			(uint32_t)json_integer_value(json_object_get(v, "heartbeat"))};
		lx_dex_set_feed(d, (size_t)as, &f);
	}
	if (!depth_file && json_is_string(json_object_get(x, "depth_file"))) {
		static char df[1200];
		snprintf(df, sizeof(df), "%s/%s", lx_cli_chainsdir(a),
			 json_string_value(json_object_get(x, "depth_file")));
		depth_file = df;
	}
	if (depth_file && (rc = load_depth_file(depth_file, mv, d)))
		goto out;
	json_t *pools = json_object_get(x, "pools");
	if (json_array_size(pools)) {
		struct lx_rpc *rpc = NULL;
		if (!lx_cli_has(a, "rpc") && !getenv("LENDEX_RPC")) {
			if (model) {
				lx_cli_errorf("--market dex reads the pools named in %s at the synced "
					      "block: pass --rpc URL",
					      path);
				rc = LX_EXIT_USAGE;
				goto out;
			}
			/* no node to read the pools from: say so and use the percentage model */
			fprintf(stderr, "lendex: note: no --rpc to read the pools named in %s: using "
					"the percentage market model (--market percent)\n",
				path);
			json_decref(x);
			lx_dex_destroy(d);
			return LX_EXIT_OK;
		}
		if ((rc = lx_cli_open_rpc(a, 6, &rpc)))
			goto out;
		size_t i;
		json_t *e;
		json_array_foreach(pools, i, e)
		{
			const char *as = json_string_value(json_object_get(e, "asset"));
			const char *qs = json_string_value(json_object_get(e, "quote"));
			const char *ps = json_string_value(json_object_get(e, "pool"));
			int ai = as ? find_asset(mv, as) : -1, qi = qs ? find_asset(mv, qs) : -1;
			struct lx_addr pa;
			if (ai < 0 || qi < 0 || !ps || lx_addr_parse(&pa, ps, NULL)) {
				lx_cli_errorf("%s: dex.pools[%zu] needs asset and quote (assets of this "
					      "market) and a pool address",
					      path, i);
				rc = LX_EXIT_USAGE;
				break;
			}
			struct lx_uv3_pool p;
			struct lx_error e2;
			if (read_pool(rpc, &pa, mv->block, &p, &e2)) {
				lx_cli_errorf("pool %s: %s", ps, e2.msg);
				rc = LX_EXIT_RUNTIME;
				break;
			}
			bool t0 = lx_addr_eq(&p.token0, &mv->assets[ai].asset);
			if ((!t0 && !lx_addr_eq(&p.token1, &mv->assets[ai].asset)) ||
			    !lx_addr_eq(t0 ? &p.token1 : &p.token0, &mv->assets[qi].asset)) {
				lx_cli_errorf("pool %s does not trade %s against %s", ps, as, qs);
				free(p.ticks);
				rc = LX_EXIT_USAGE;
				break;
			}
			int r2 = lx_dex_add_pool(d, (size_t)ai, (size_t)qi, t0, &p);
			free(p.ticks);
			if (r2) {
				lx_cli_errorf("pool %s: %s", ps, lx_strerror(r2));
				rc = LX_EXIT_RUNTIME;
				break;
			}
		}
		lx_rpc_destroy(rpc);
	}
out:
	json_decref(x);
	if (rc)
		lx_dex_destroy(d);
	else
		*out = d;
	return rc;
}
