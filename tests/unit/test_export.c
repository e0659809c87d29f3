/*
 * test_export.c: the DefiLlama export's rules (export.c): DefiLlama's chain keys (every entry
 * of the schema fixture written from DefiLlama-Adapters 0e65a4b9a2, "avax" not "avalanche"),
 * the Liq fields and units, and rows left out — with the reason — when the market's base
 * currency is not USD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/report.h"

static void test_chain_keys(void **s)
{
	(void)s;
	char p[4096];
	snprintf(p, sizeof(p), "%s/fixtures/defillama/liq.schema.json", LX_SOURCE_DIR);
	json_error_t je;
	json_t *sc = json_load_file(p, 0, &je);
	assert_non_null(sc);
	json_t *keys = json_object_get(sc, "x-chainKeys");
	assert_true(json_object_size(keys) >= 6);
	const char *id;
	json_t *v;
	json_object_foreach(keys, id, v)
	{
		uint64_t n = strtoull(id, NULL, 10);
		assert_string_equal(lx_report_defillama_chain(n, "none"), json_string_value(v));
	}
	json_decref(sc);
	assert_string_equal(lx_report_defillama_chain(43114, "avalanche"), "avax");
	assert_string_equal(lx_report_defillama_chain(31337, "devnet"), "devnet");
}

static struct lx_asset_info assets[1];
static struct lx_asset_pos pos[1];
static struct lx_account_view acc[1];
static struct lx_liq_point pts[1];

static void view(struct lx_market_view *mv, uint32_t protocol, uint8_t base_decimals)
{
	memset(mv, 0, sizeof(*mv));
	memset(assets, 0, sizeof(assets));
	memset(pos, 0, sizeof(pos));
	memset(acc, 0, sizeof(acc));
	memset(pts, 0, sizeof(pts));
	assets[0].decimals = 18;
	assets[0].asset.b[19] = 0xAB;
	assets[0].asset.b[0] = 0xC0;
	lx_u256_from_u64(&pos[0].supplied, 1500000000000000000ull); /* 1.5 tokens */
	pos[0].collateral = true;
	acc[0].account.b[19] = 0x01;
	acc[0].n_pos = 1;
	acc[0].pos = pos;
	pts[0].account = 0;
	pts[0].asset = 0;
	pts[0].feed = 0;
	pts[0].status = LX_LIQ_FOUND;
	lx_u256_from_u64(&pts[0].price, 123456789012ull); /* 1234.56789012 USD at 8 decimals */
	mv->chain_id = 43114;
	mv->protocol = protocol;
	mv->base_decimals = base_decimals;
	/* what the handlers say: Aave V3 USD (8 decimals), Aave V2 on Ethereum ETH (18) */
	snprintf(mv->base, sizeof(mv->base), "%s", base_decimals == 8 ? "USD" : "ETH");
	mv->assets = assets;
	mv->n_assets = 1;
	mv->accounts = acc;
	mv->n_accounts = 1;
}

static void test_rows(void **s)
{
	(void)s;
	struct lx_market_view mv;
	view(&mv, LX_PROTO_AAVE_V3, 8);
	struct lx_report r;
	memset(&r, 0, sizeof(r));
	r.pts = pts;
	r.n_pts = 1;
	struct lx_report_opts o;
	memset(&o, 0, sizeof(o));
	o.chain = "avalanche"; /* lendex's config name: DefiLlama's key replaces it */
	size_t omitted = 99;
	const char *why = "x";
	json_t *a = lx_report_defillama_json(&r, &mv, &o, &omitted, &why);
	assert_int_equal(omitted, 0);
	assert_null(why);
	assert_int_equal(json_array_size(a), 1);
	json_t *e = json_array_get(a, 0);
	assert_int_equal(json_object_size(e), 4);
	assert_string_equal(json_string_value(json_object_get(e, "owner")),
			    "0x0000000000000000000000000000000000000001");
	assert_string_equal(json_string_value(json_object_get(e, "collateral")),
			    "avax:0xc0000000000000000000000000000000000000ab");
	assert_string_equal(json_string_value(json_object_get(e, "collateralAmount")),
			    "1500000000000000000");
	assert_true(json_is_real(json_object_get(e, "liqPrice")));
	assert_true(json_real_value(json_object_get(e, "liqPrice")) == 1234.56789012);
	json_decref(a);
	/* an 18-decimal (ETH) base currency: liqPrice would not be USD, so no row */
	view(&mv, LX_PROTO_AAVE_V2, 18);
	a = lx_report_defillama_json(&r, &mv, &o, &omitted, &why);
	assert_int_equal(json_array_size(a), 0);
	assert_int_equal(omitted, 1);
	assert_non_null(why);
	assert_non_null(strstr(why, "USD"));
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_keys),
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
