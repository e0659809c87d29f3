/*
 * test_comet.c: the Compound V3 (Comet) handler.
 *   - real logs: every Comet log of ../shared/real-logs/receipts/compound_v3.json decodes with the
 *     handler's strict reader to exactly the values of expected/receipts.jsonl (decoded
 *     independently with viem); every Compound V2 cToken log of receipts/compound_v2.json
 *     decodes with abi/json/compound_v2/CToken.json (decode only) to its expected values; the
 *     emitter is chosen by (chain, address) as address-roles.json says, never by topic0 alone;
 *   - the strict reader's errors (topic count, short data, address padding);
 *   - Comet's math: accrual (kink model, both sides of the kink), isLiquidatable's boundary
 *     (liquidity == debt is not liquidatable), health_factor < 1e18 exactly then;
 *   - the handler on hand-built logs: empty store, collateral events applied, a withdrawal past
 *     the balance refused, execute then unwind leaves the store byte-identical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../indexer/proto/comet/comet.h"
#include "lendex/abi.h"
#include "lendex/chain.h"
#include "lendex/store.h"

static const char *path_of(char *p, size_t cap, const char *rel)
{
	snprintf(p, cap, "%s/%s", LX_SOURCE_DIR, rel);
	return p;
}

static json_t *load(const char *rel)
{
	char p[1024];
	json_error_t je;
	json_t *v = json_load_file(path_of(p, sizeof(p), rel), 0, &je);
	if (!v)
		fail_msg("%s: %s", p, je.text);
	return v;
}

/* expected/receipts.jsonl as tx:logIndex -> line */
static json_t *expected(void)
{
	char p[1024];
	FILE *f = fopen(path_of(p, sizeof(p), "../shared/real-logs/expected/receipts.jsonl"), "r");
	assert_non_null(f);
	json_t *m = json_object();
	char line[16384];
	while (fgets(line, sizeof(line), f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		assert_non_null(o);
		char k[128];
		snprintf(k, sizeof(k), "%s:%lld", json_string_value(json_object_get(o, "tx")),
			 (long long)json_integer_value(json_object_get(o, "logIndex")));
		json_object_set_new(m, k, o);
	}
	fclose(f);
	return m;
}

static bool has_role(const json_t *roles, json_int_t chain, const char *addr, const char *role)
{
	size_t i;
	json_t *r;
	json_array_foreach(roles, i, r)
	{
		if (json_integer_value(json_object_get(r, "chain_id")) == chain &&
		    strcasecmp(json_string_value(json_object_get(r, "address")), addr) == 0 &&
		    strcmp(json_string_value(json_object_get(r, "role")), role) == 0)
			return true;
	}
	return false;
}

struct rlog {
	uint8_t topics[4][32];
	size_t n_topics;
	uint8_t data[4096];
	size_t data_len;
};

static void parse_log(struct rlog *l, const json_t *j)
{
	memset(l, 0, sizeof(*l));
	const json_t *ts = json_object_get(j, "topics");
	size_t i;
	json_t *t;
	json_array_foreach(ts, i, t)
	{
		size_t got;
		const char *s = json_string_value(t);
		assert_true(i < 4);
		assert_int_equal(lx_hex_decode(l->topics[i], 32, &got, s, strlen(s)), 0);
		assert_int_equal(got, 32);
		l->n_topics++;
	}
	const char *d = json_string_value(json_object_get(j, "data"));
	assert_int_equal(lx_hex_decode(l->data, sizeof(l->data), &l->data_len, d, strlen(d)), 0);
}

static json_t *comet_json(const struct comet_args *x)
{
	const struct comet_event_def *d = &comet_events[x->ev];
	json_t *o = json_object();
	for (int i = 0; i < d->n; i++) {
		char b[LX_U256_DEC_MAX];
		if (d->addr[i])
			lx_addr_lower(b, &x->a[i]);
		else
			lx_u256_to_dec(b, sizeof(b), &x->u[i]);
		json_object_set_new(o, d->names[i], json_string(b));
	}
	return o;
}

/* Walks a receipts file; decodes the logs of emitters with role; returns how many matched. */
static size_t walk(const char *file, const char *role, json_t *exp, struct lx_abi_set *v2)
{
	json_t *rs = load(file), *roles = load("../shared/real-logs/expected/address-roles.json");
	size_t n = 0, i;
	json_t *r;
	json_array_foreach(rs, i, r)
	{
		json_int_t chain = json_integer_value(json_object_get(r, "chain_id"));
		const json_t *rc = json_object_get(r, "receipt");
		size_t k;
		json_t *lj;
		json_array_foreach(json_object_get(rc, "logs"), k, lj)
		{
			const char *addr = json_string_value(json_object_get(lj, "address"));
			if (!has_role(roles, chain, addr, role))
				continue;
			struct rlog l;
			parse_log(&l, lj);
			uint64_t li = 0;
			const char *lis = json_string_value(json_object_get(lj, "logIndex"));
			assert_int_equal(lx_hex_u64(&li, lis, strlen(lis)), 0);
			char key[128];
			snprintf(key, sizeof(key), "%s:%llu",
				 json_string_value(json_object_get(lj, "transactionHash")),
				 (unsigned long long)li);
			json_t *want = json_object_get(exp, key);
			json_t *got = NULL;
			const char *name = NULL;
			struct lx_error e;
			if (v2) {
				const struct lx_abi_event *ev = lx_abi_find(v2, l.topics[0], l.n_topics);
				if (!ev) {
					assert_null(want);
					continue;
				}
				struct lx_abi_decoded *d;
				assert_int_equal(lx_abi_decode_log(&d, ev, (const uint8_t(*)[32])l.topics,
								   l.n_topics, l.data, l.data_len, &e), 0);
				got = lx_abi_args_json(d);
				name = ev->name;
				lx_abi_decoded_free(d);
			} else {
				int ev = comet_event_find(l.topics[0]);
				if (ev < 0) {
					assert_null(want);
					continue;
				}
				struct comet_args x;
				if (comet_event_decode(&x, ev, (const uint8_t(*)[32])l.topics, l.n_topics,
						       l.data, l.data_len, 0, (uint32_t)li, &e))
					fail_msg("%s: %s", key, e.msg);
				got = comet_json(&x);
				name = comet_events[ev].name;
			}
			if (!want)
				fail_msg("%s: decoded %s, not in expected", key, name);
			assert_string_equal(name, json_string_value(json_object_get(want, "event")));
			if (!json_equal(got, json_object_get(want, "args"))) {
				char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
				fail_msg("%s %s: got %s", key, name, g);
			}
			json_decref(got);
			n++;
		}
	}
	json_decref(rs);
	json_decref(roles);
	return n;
}

static size_t expected_count(json_t *exp, const char *const *events, size_t n_ev,
			     const json_t *roles, const char *role)
{
	size_t n = 0;
	const char *k;
	json_t *o;
	json_object_foreach(exp, k, o)
	{
		const char *ev = json_string_value(json_object_get(o, "event"));
		const char *addr = json_string_value(json_object_get(o, "address"));
		bool role_ok = false;
		size_t i;
		json_t *r;
		json_array_foreach(roles, i, r)
		{
			if (strcasecmp(json_string_value(json_object_get(r, "address")), addr) == 0 &&
			    strcmp(json_string_value(json_object_get(r, "role")), role) == 0)
				role_ok = true;
		}
		for (size_t i2 = 0; i2 < n_ev && role_ok; i2++)
			if (strcmp(ev, events[i2]) == 0) {
				n++;
				break;
			}
	}
	return n;
}

static void test_real_logs_v3(void **s)
{
	(void)s;
	comet_events_init();
	json_t *exp = expected(), *roles = load("../shared/real-logs/expected/address-roles.json");
	size_t n = walk("../shared/real-logs/receipts/compound_v3.json", "compound_v3_comet", exp,
			NULL);
	const char *evs[] = {"Supply", "Transfer", "Withdraw", "SupplyCollateral",
			     "WithdrawCollateral", "TransferCollateral", "AbsorbDebt",
			     "AbsorbCollateral", "BuyCollateral"};
	size_t want = expected_count(exp, evs, 9, roles, "compound_v3_comet");
	assert_int_equal(want, 17); /* README: Transfer 6, Withdraw 5, Supply 3, SC 2, WC 1 */
	assert_int_equal(n, want);
	json_decref(exp);
	json_decref(roles);
}

static void test_real_logs_v2(void **s)
{
	(void)s;
	struct lx_abi_set *set;
	struct lx_error e;
	char p[1024];
	assert_int_equal(lx_abi_set_create(&set, &e), 0);
	assert_int_equal(lx_abi_set_load(set, path_of(p, sizeof(p), "abi/json/compound_v2/CToken.json"),
					 &e), 0);
	json_t *exp = expected(), *roles = load("../shared/real-logs/expected/address-roles.json");
	size_t n = walk("../shared/real-logs/receipts/compound_v2.json", "compound_v2_ctoken", exp,
			set);
	const char *evs[] = {"AccrueInterest", "Transfer", "RepayBorrow", "Borrow",
			     "Mint", "LiquidateBorrow", "Redeem"};
	size_t want = expected_count(exp, evs, 7, roles, "compound_v2_ctoken");
	assert_int_equal(want, 28); /* README: 12 + 5 + 4 + 2 + 2 + 2 + 1 */
	assert_int_equal(n, want);
	json_decref(exp);
	json_decref(roles);
	lx_abi_set_destroy(set);
}

static void test_strict_reader(void **s)
{
	(void)s;
	comet_events_init();
	uint8_t t[4][32];
	memset(t, 0, sizeof(t));
	memcpy(t[0], comet_events[CE_SUPPLY_COLLATERAL].topic0, 32);
	t[3][31] = 0xa1;
	uint8_t data[33] = {0};
	data[31] = 7;
	struct comet_args x;
	struct lx_error e;
	assert_int_equal(comet_event_decode(&x, CE_SUPPLY_COLLATERAL, (const uint8_t(*)[32])t, 4,
					    data, 32, 5, 1, &e), 0);
	assert_int_equal(x.a[2].b[19], 0xa1);
	uint64_t v;
	assert_int_equal(lx_u256_to_u64(&v, &x.u[3]), 0);
	assert_int_equal(v, 7);
	assert_int_equal(comet_event_decode(&x, CE_SUPPLY_COLLATERAL, (const uint8_t(*)[32])t, 3,
					    data, 32, 5, 1, &e), LX_ETOPICS);
	assert_non_null(strstr(e.msg, "SupplyCollateral"));
	assert_int_equal(comet_event_decode(&x, CE_SUPPLY_COLLATERAL, (const uint8_t(*)[32])t, 4,
					    data, 31, 5, 1, &e), LX_ESHORT);
	assert_int_equal(comet_event_decode(&x, CE_SUPPLY_COLLATERAL, (const uint8_t(*)[32])t, 4,
					    data, 33, 5, 1, &e), LX_ELENGTH);
	t[2][0] = 1; /* an address topic with high bytes */
	assert_int_equal(comet_event_decode(&x, CE_SUPPLY_COLLATERAL, (const uint8_t(*)[32])t, 4,
					    data, 32, 5, 1, &e), LX_EPADDING);
	assert_int_equal(comet_event_find(data), -1);
}

/* ---- math ---- */

static struct lx_u256 U(uint64_t v)
{
	struct lx_u256 r;
	lx_u256_from_u64(&r, v);
	return r;
}

static void test_accrue(void **s)
{
	(void)s;
	/* mainnet USDC's rates: per year / 31536000, floored */
	struct comet_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.supply_kink = cfg.borrow_kink = 800000000000000000ULL;
	cfg.supply_low = 32500000000000000ULL / 31536000;
	cfg.supply_high = 400000000000000000ULL / 31536000;
	cfg.borrow_low = 35000000000000000ULL / 31536000;
	cfg.borrow_high = 250000000000000000ULL / 31536000;
	cfg.borrow_base = 15000000000000000ULL / 31536000;
	struct comet_state st;
	memset(&st, 0, sizeof(st));
	st.supply_index = 1000000000000000ULL;
	st.borrow_index = 1000000000000000ULL;
	st.total_supply_base = U(1000000000000ULL); /* 1M USDC */
	st.total_borrow_base = U(500000000000ULL);  /* u = 0.5 */
	uint64_t si, bi;
	assert_int_equal(comet_accrue(&si, &bi, &cfg, &st, 0), 0);
	assert_true(si == st.supply_index && bi == st.borrow_index);
	/* u = 0.5e18: supplyRate = 1030568239*0.5 = 515284119; borrowRate = 475646879 +
	 * 1109842719*0.5 = 1030568238 (per second, 1e18); one day:
	 * si = 1e15 + 1e15 * 515284119 * 86400 / 1e18 = 1e15 + 44520547881 */
	assert_int_equal(comet_accrue(&si, &bi, &cfg, &st, 86400), 0);
	assert_int_equal(si, 1000000000000000ULL + 44520547881ULL);
	assert_int_equal(bi, 1000000000000000ULL + 89041095763ULL);
	/* past the kink: u = 0.9 */
	st.total_borrow_base = U(900000000000ULL);
	assert_int_equal(comet_accrue(&si, &bi, &cfg, &st, 1), 0);
	/* supply: low*0.8 + high*0.1 = 824454591 + 1268391679 = 2092846270 (per-term floors) */
	uint64_t sl = cfg.supply_low * 8 / 10, sh = cfg.supply_high / 10;
	assert_int_equal(si, 1000000000000000ULL + (sl + sh) / 1000);
	/* an index that would pass 2^64 reverts in Comet: an error here */
	st.supply_index = UINT64_MAX - 10;
	assert_int_equal(comet_accrue(&si, &bi, &cfg, &st, 1000000000), LX_EOVERFLOW);
}

static void test_health_boundary(void **s)
{
	(void)s;
	/* base USDC (6) at $1, WETH (18) at $2000, liquidateCF 0.9 */
	struct lx_asset_info as[2];
	memset(as, 0, sizeof(as));
	as[0].decimals = 6;
	as[0].borrow_index = U(1000000000000000ULL);
	as[1].decimals = 18;
	struct lx_market_view mv;
	memset(&mv, 0, sizeof(mv));
	mv.n_assets = 2;
	mv.assets = as;
	struct lx_asset_pos pos[2];
	memset(pos, 0, sizeof(pos));
	pos[0].asset = 0;
	pos[0].price = U(100000000);
	pos[1].asset = 1;
	pos[1].price = U(200000000000ULL);
	pos[1].supplied = U(1000000000000000000ULL); /* 1 WETH = $2000 -> liquidity $1800 */
	pos[1].liq_threshold_bps = 9000;
	pos[1].ltv_bps = 8000;
	struct lx_account_view ac;
	memset(&ac, 0, sizeof(ac));
	ac.n_pos = 2;
	ac.pos = pos;
	struct lx_health h;
	struct lx_u256 wad = U(1000000000000000000ULL);
	/* debt exactly $1800: liquidity == debt -> not liquidatable, HF == 1e18 */
	pos[0].scaled_variable = U(1800000000);
	assert_int_equal(comet_health(&h, &mv, &ac, NULL), 0);
	assert_true(lx_u256_eq(&h.health_factor, &wad));
	assert_true(lx_u256_eq(&h.total_collateral_base, &(struct lx_u256){0}) == false);
	/* one more micro-dollar of debt: liquidatable */
	pos[0].scaled_variable = U(1800000001);
	assert_int_equal(comet_health(&h, &mv, &ac, NULL), 0);
	assert_true(lx_u256_cmp(&h.health_factor, &wad) < 0);
	/* a higher stored borrow index raises the debt: 1e15 -> 1.000001e15 */
	pos[0].scaled_variable = U(1799998201);
	as[0].borrow_index = U(1000001000000000ULL);
	assert_int_equal(comet_health(&h, &mv, &ac, NULL), 0);
	/* 1799998201 * 1.000001 = 1800000000.998 -> floor 1800000000: not liquidatable */
	assert_true(lx_u256_eq(&h.health_factor, &wad));
	/* price override: WETH at $1999.99999999 */
	struct lx_u256 pr[2] = {U(100000000), U(199999999999ULL)};
	assert_int_equal(comet_health(&h, &mv, &ac, pr), 0);
	assert_true(lx_u256_cmp(&h.health_factor, &wad) < 0);
	/* no debt: max */
	pos[0].scaled_variable = U(0);
	assert_int_equal(comet_health(&h, &mv, &ac, NULL), 0);
	struct lx_u256 max;
	lx_u256_max(&max);
	assert_true(lx_u256_eq(&h.health_factor, &max));
}

/* ---- handler on hand-built logs ---- */

static char dir[64], chains[64];

#define COMET "0x00000000000000000000000000000000000000c3"

static void write_chain(void)
{
	snprintf(chains, sizeof(chains), "/tmp/lx-comet-c-XXXXXX");
	assert_non_null(mkdtemp(chains));
	char p[128];
	snprintf(p, sizeof(p), "%s/devnet.json", chains);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"name\":\"devnet\",\"chain_id\":31337,\"deployments\":[{\"name\":\"c\","
		   "\"protocol\":\"compound_v3\",\"version\":\"3\",\"start_block\":1,"
		   "\"base_currency_decimals\":8,\"contracts\":{\"comet\":\"%s\"}}]}",
		COMET);
	fclose(f);
}

static void mk_log(struct lx_log *l, uint8_t t[4][32], uint8_t *data, int ev, uint8_t from,
		   uint8_t to, uint8_t asset, uint64_t amount, uint64_t block)
{
	memset(l, 0, sizeof(*l));
	memset(t, 0, 4 * 32);
	struct lx_error e;
	lx_addr_parse(&l->address, COMET, &e);
	memcpy(t[0], comet_events[ev].topic0, 32);
	t[1][31] = from;
	t[2][31] = to;
	t[3][31] = asset;
	memset(data, 0, 32);
	for (int i = 0; i < 8; i++)
		data[31 - i] = (uint8_t)(amount >> (8 * i));
	l->n_topics = 4;
	memcpy(l->topics, t, 4 * 32);
	l->data = data;
	l->data_len = 32;
	l->block = block;
}

static char *dump(struct lx_store *st)
{
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(st, false, &t, &e), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(lx_store_dump(t, f, &e), 0);
	fclose(f);
	lx_store_abort(t);
	return buf;
}

static void test_handler(void **s)
{
	(void)s;
	write_chain();
	snprintf(dir, sizeof(dir), "/tmp/lx-comet-s-XXXXXX");
	assert_non_null(mkdtemp(dir));
	struct lx_error e;
	struct lx_chain *chain;
	assert_int_equal(lx_chain_load(&chain, chains, "devnet", &e), 0);
	struct lx_store *st;
	assert_int_equal(lx_store_open(&st, dir, LX_STORE_CREATE, &e), 0);
	struct lx_store_txn *t;
	struct lx_proto *p;
	assert_int_equal(lx_store_begin(st, true, &t, &e), 0);
	assert_int_equal(lx_proto_create(&p, chain, &chain->deployments[0], NULL, t, &e), 0);
	/* empty store: a view with no market and no accounts */
	struct lx_market_view mv;
	assert_int_equal(p->ops->view(p, t, 100, NULL, 0, 0, &mv, &e), 0);
	assert_int_equal(mv.n_accounts, 0);
	lx_market_view_release(&mv);
	/* a configuration with WETH (0xa1) at offset 0 */
	struct comet *c = comet_of(p);
	struct comet_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.base_decimals = 6;
	cfg.n_assets = 1;
	cfg.assets[0].asset.b[19] = 0xa1;
	cfg.assets[0].decimals = 18;
	cfg.assets[0].liquidate_cf = 900000000000000000ULL;
	assert_int_equal(comet_put_config(c, t, &cfg, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	char *before = dump(st);

	assert_int_equal(lx_store_begin(st, true, &t, &e), 0);
	lx_store_txn_set_block(t, 31337, 10);
	uint8_t tp[4][32], d[32];
	struct lx_log l;
	mk_log(&l, tp, d, CE_SUPPLY_COLLATERAL, 0xe1, 0xe1, 0xa1, 1000, 10);
	assert_int_equal(p->ops->apply(p, t, &l, &e), 0);
	mk_log(&l, tp, d, CE_TRANSFER_COLLATERAL, 0xe1, 0xe2, 0xa1, 300, 10);
	assert_int_equal(p->ops->apply(p, t, &l, &e), 0);
	mk_log(&l, tp, d, CE_WITHDRAW_COLLATERAL, 0xe2, 0xe9, 0xa1, 100, 10);
	assert_int_equal(p->ops->apply(p, t, &l, &e), 0);
	mk_log(&l, tp, d, CE_WITHDRAW_COLLATERAL, 0xe2, 0xe9, 0xa1, 201, 10);
	assert_int_equal(p->ops->apply(p, t, &l, &e), LX_ECORRUPT);
	assert_non_null(strstr(e.msg, "WithdrawCollateral"));
	/* a log from another emitter is not ours */
	l.address.b[19] = 0xc4;
	assert_int_equal(p->ops->apply(p, t, &l, &e), 0);
	assert_int_equal(p->ops->view(p, t, 100, NULL, 0, 0, &mv, &e), 0);
	assert_int_equal(mv.n_accounts, 2);
	assert_int_equal(mv.accounts[0].n_pos, 1);
	uint64_t v;
	assert_int_equal(lx_u256_to_u64(&v, &mv.accounts[0].pos[0].supplied), 0);
	assert_int_equal(v, 700);
	assert_int_equal(lx_u256_to_u64(&v, &mv.accounts[1].pos[0].supplied), 0);
	assert_int_equal(v, 200);
	assert_int_equal(mv.accounts[1].pos[0].liq_threshold_bps, 9000);
	lx_market_view_release(&mv);
	/* unwind to before block 10: byte-identical */
	assert_int_equal(lx_store_unwind(t, 31337, 9, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	char *after = dump(st);
	assert_string_equal(before, after);
	free(before);
	free(after);
	lx_proto_destroy(p);
	lx_store_close(st);
	lx_chain_destroy(chain);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, chains);
	assert_int_equal(system(cmd), 0);
}

/* ---- leverage flows (apply.c): base Supply / Withdraw split at the mint / burn after ---- */

static void flow_log(struct comet *c, struct lx_proto *p, struct lx_store_txn *t, int ev,
		     uint8_t from, uint8_t to, uint8_t asset, uint64_t amount, uint32_t li,
		     uint8_t tx)
{
	(void)c;
	uint8_t tp[4][32], d[64];
	struct lx_log l;
	struct lx_error e;
	mk_log(&l, tp, d, ev, from, to, asset, amount, 20);
	if (ev == CE_SUPPLY || ev == CE_WITHDRAW || ev == CE_TRANSFER || ev == CE_ABSORB_DEBT)
		l.n_topics = 3; /* (from, to, amount...): no third topic */
	if (ev == CE_ABSORB_DEBT) {
		memset(d + 32, 0, 32); /* usdValue */
		l.data_len = 64;
	}
	l.log_index = li;
	l.tx[0] = tx;
	assert_int_equal(p->ops->apply(p, t, &l, &e), 0);
}

static void want_flow(const struct lx_flow *f, uint8_t kind, uint32_t asset, uint64_t amount)
{
	uint64_t v;
	assert_int_equal(f->kind, kind);
	assert_int_equal(f->asset, asset);
	assert_int_equal(lx_u256_to_u64(&v, &f->amount), 0);
	assert_int_equal(v, amount);
}

static void test_flows(void **s)
{
	(void)s;
	write_chain();
	snprintf(dir, sizeof(dir), "/tmp/lx-comet-s-XXXXXX");
	assert_non_null(mkdtemp(dir));
	struct lx_error e;
	struct lx_chain *chain;
	assert_int_equal(lx_chain_load(&chain, chains, "devnet", &e), 0);
	struct lx_store *st;
	assert_int_equal(lx_store_open(&st, dir, LX_STORE_CREATE, &e), 0);
	struct lx_store_txn *t;
	struct lx_proto *p;
	assert_int_equal(lx_store_begin(st, true, &t, &e), 0);
	assert_int_equal(lx_proto_create(&p, chain, &chain->deployments[0], NULL, t, &e), 0);
	struct comet *c = comet_of(p);
	struct comet_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.base_token.b[19] = 0xb0;
	cfg.base_decimals = 6;
	cfg.n_assets = 1;
	cfg.assets[0].asset.b[19] = 0xa1;
	cfg.assets[0].decimals = 18;
	cfg.assets[0].liquidate_cf = 900000000000000000ULL;
	assert_int_equal(comet_put_config(c, t, &cfg, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	char *before = dump(st);
	assert_int_equal(lx_store_begin(st, true, &t, &e), 0);
	lx_store_txn_set_block(t, 31337, 20);
	flow_log(c, p, t, CE_SUPPLY_COLLATERAL, 0xe1, 0xe1, 0xa1, 1000, 0, 1);
	flow_log(c, p, t, CE_WITHDRAW, 0xe1, 0xe1, 0, 500, 1, 2);     /* borrow 500 */
	flow_log(c, p, t, CE_SUPPLY, 0xe1, 0xe1, 0, 800, 2, 3);       /* repay 501 ... */
	flow_log(c, p, t, CE_TRANSFER, 0, 0xe1, 0, 299, 3, 3);        /* ... supply 299 */
	flow_log(c, p, t, CE_WITHDRAW, 0xe1, 0xe1, 0, 400, 4, 4);     /* withdraw 299 ... */
	flow_log(c, p, t, CE_TRANSFER, 0xe1, 0, 0, 299, 5, 4);        /* ... borrow 101 */
	flow_log(c, p, t, CE_TRANSFER, 0, 0xe2, 0, 50, 6, 5);         /* received, no Supply */
	flow_log(c, p, t, CE_SUPPLY, 0xe2, 0xe2, 0, 70, 7, 6);        /* a repay: no mint after */
	flow_log(c, p, t, CE_TRANSFER, 0, 0xe2, 0, 70, 9, 7);         /* not the next log: in */
	flow_log(c, p, t, CE_WITHDRAW_COLLATERAL, 0xe1, 0xe9, 0xa1, 100, 10, 8);
	flow_log(c, p, t, CE_ABSORB_DEBT, 0xe9, 0xe1, 0, 900, 11, 9); /* absorb repays 860 ... */
	flow_log(c, p, t, CE_TRANSFER, 0, 0xe1, 0, 40, 12, 9);        /* ... credit 40 received */
	struct lx_market_view mv;
	assert_int_equal(p->ops->view(p, t, 100, NULL, 0, LX_VIEW_FLOWS, &mv, &e), 0);
	const struct lx_account_view *a1 = NULL, *a2 = NULL;
	for (size_t i = 0; i < mv.n_accounts; i++)
		if (mv.accounts[i].account.b[19] == 0xe1)
			a1 = &mv.accounts[i];
		else if (mv.accounts[i].account.b[19] == 0xe2)
			a2 = &mv.accounts[i];
	assert_non_null(a1);
	assert_non_null(a2);
	assert_int_equal(a1->n_flows, 9);
	want_flow(&a1->flows[0], LX_FLOW_SUPPLY, 1, 1000);
	want_flow(&a1->flows[1], LX_FLOW_BORROW, 0, 500);
	want_flow(&a1->flows[2], LX_FLOW_REPAY, 0, 501);
	want_flow(&a1->flows[3], LX_FLOW_SUPPLY, 0, 299);
	want_flow(&a1->flows[4], LX_FLOW_BORROW, 0, 101);
	want_flow(&a1->flows[5], LX_FLOW_WITHDRAW, 0, 299);
	want_flow(&a1->flows[6], LX_FLOW_WITHDRAW, 1, 100);
	want_flow(&a1->flows[7], LX_FLOW_REPAY, 0, 860);
	want_flow(&a1->flows[8], LX_FLOW_TRANSFER_IN, 0, 40);
	assert_int_equal(a1->flows[3].log_index, 2); /* the split stays on the Supply's log */
	assert_int_equal(a2->n_flows, 3);
	want_flow(&a2->flows[0], LX_FLOW_TRANSFER_IN, 0, 50);
	want_flow(&a2->flows[1], LX_FLOW_REPAY, 0, 70);
	want_flow(&a2->flows[2], LX_FLOW_TRANSFER_IN, 0, 70);
	lx_market_view_release(&mv);
	/* without LX_VIEW_FLOWS: none */
	assert_int_equal(p->ops->view(p, t, 100, NULL, 0, 0, &mv, &e), 0);
	for (size_t i = 0; i < mv.n_accounts; i++)
		assert_int_equal(mv.accounts[i].n_flows, 0);
	lx_market_view_release(&mv);
	/* unwind: byte-identical */
	assert_int_equal(lx_store_unwind(t, 31337, 19, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	char *after = dump(st);
	assert_string_equal(before, after);
	free(before);
	free(after);
	lx_proto_destroy(p);
	lx_store_close(st);
	lx_chain_destroy(chain);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, chains);
	assert_int_equal(system(cmd), 0);
}

/* ---- absorb (the liquidate operation) against what a devnet Comet did ---- */

static struct lx_u256 dec(const char *v)
{
	struct lx_u256 r;
	assert_int_equal(lx_u256_parse(&r, v, strlen(v)), 0);
	return r;
}

/* Builds the view of one fixture case; returns the base position's index. */
static size_t build_case(const json_t *cs, struct lx_market_view *mv, struct lx_asset_info *as,
			 struct lx_account_view *ac, struct lx_asset_pos *pos, const char *base)
{
	memset(mv, 0, sizeof(*mv));
	memset(ac, 0, sizeof(*ac));
	const json_t *ps = json_object_get(cs, "positions");
	size_t n = json_array_size(ps), bi = SIZE_MAX;
	assert_true(n >= 2 && n <= 8);
	mv->ops = &lx_compound_v3_market_ops;
	mv->n_assets = n;
	mv->assets = as;
	ac->pos = pos;
	ac->n_pos = n;
	/* the base token is asset 0: order the view so */
	size_t k = 1;
	for (size_t i = 0; i < n; i++) {
		const json_t *p = json_array_get(ps, i);
		bool is_base = strcasecmp(json_string_value(json_object_get(p, "asset")), base) == 0;
		size_t j = is_base ? 0 : k++;
		memset(&as[j], 0, sizeof(as[j]));
		memset(&pos[j], 0, sizeof(pos[j]));
		as[j].decimals = (uint8_t)json_integer_value(json_object_get(p, "decimals"));
		lx_addr_parse(&as[j].asset, json_string_value(json_object_get(p, "asset")), NULL);
		pos[j].asset = (uint32_t)j;
		pos[j].price = dec(json_string_value(json_object_get(p, "price")));
		if (is_base) {
			bi = 0;
			/* absorb accrues first, then checks isLiquidatable with the accrued index:
			 * the accrued debt at index 1 is exactly that */
			as[j].borrow_index = U(COMET_BASE_INDEX_SCALE);
			pos[j].borrowed = dec(json_string_value(json_object_get(p, "borrowed")));
			pos[j].scaled_variable = pos[j].borrowed;
			continue;
		}
		uint64_t lcf, lf;
		struct lx_u256 t = dec(json_string_value(json_object_get(p, "liquidateCollateralFactor")));
		assert_int_equal(lx_u256_to_u64(&lcf, &t), 0);
		t = dec(json_string_value(json_object_get(p, "liquidationFactor")));
		assert_int_equal(lx_u256_to_u64(&lf, &t), 0);
		pos[j].supplied = dec(json_string_value(json_object_get(p, "supplied")));
		pos[j].collateral = true;
		pos[j].liq_threshold_bps = (uint16_t)(lcf / 100000000000000ULL);
		as[j].liq_bonus_bps = (uint16_t)(20000 - lf / 100000000000000ULL);
	}
	assert_int_equal(bi, 0);
	return bi;
}

static void absorb_all(struct lx_market_view *mv, struct lx_account_view *ac, bool reverse,
		       struct lx_u256 *seized, struct lx_u256 *repaid, struct lx_u256 *deficit)
{
	lx_u256_from_u64(repaid, 0);
	lx_u256_from_u64(deficit, 0);
	for (size_t s = 1; s < ac->n_pos; s++) {
		size_t ci = reverse ? ac->n_pos - s : s;
		struct lx_liq_result r;
		enum lx_liq_refusal why;
		assert_int_equal(lx_model_liquidate(&r, &why, mv, ac, ci, 0, NULL, NULL, true), 0);
		assert_int_equal(why, LX_LIQ_OK);
		seized[ci] = r.collateral_seized;
		lx_u256_add(repaid, repaid, &r.debt_repaid);
		lx_u256_add(deficit, deficit, &r.deficit_base);
		assert_true(lx_u256_is_zero(&ac->pos[ci].supplied));
	}
	/* settled: no debt, no collateral left, nothing more to absorb */
	assert_true(lx_u256_is_zero(&ac->pos[0].borrowed));
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	assert_int_equal(lx_model_liquidate(&r, &why, mv, ac, 1, 0, NULL, NULL, false), 0);
	assert_int_not_equal(why, LX_LIQ_OK);
}

static void test_absorb_fixture(void **s)
{
	(void)s;
	json_t *fx = load("fixtures/comet/absorb.json");
	const char *base = json_string_value(json_object_get(fx, "base"));
	size_t i;
	json_t *cs;
	size_t cases = 0;
	json_array_foreach(json_object_get(fx, "cases"), i, cs)
	{
		for (int rev = 0; rev < 2; rev++) {
			struct lx_market_view mv;
			struct lx_asset_info as[8];
			struct lx_account_view ac;
			struct lx_asset_pos pos[8];
			build_case(cs, &mv, as, &ac, pos, base);
			struct lx_u256 d0 = pos[0].borrowed, seized[8], repaid, deficit;
			/* lendex's health of it says what isLiquidatable said: liquidatable */
			struct lx_health h;
			assert_int_equal(lx_model_health(&h, &mv, &ac, NULL), 0);
			struct lx_u256 wad = U(COMET_FACTOR_SCALE);
			assert_true(lx_u256_cmp(&h.health_factor, &wad) < 0);
			absorb_all(&mv, &ac, rev, seized, &repaid, &deficit);
			/* AbsorbCollateral: every balance, to the unit */
			const json_t *ex = json_object_get(cs, "absorbCollateral");
			assert_int_equal(json_object_size(ex), ac.n_pos - 1);
			for (size_t k = 1; k < ac.n_pos; k++) {
				char a[LX_ADDR_STRLEN];
				lx_addr_lower(a, &as[k].asset);
				const json_t *e = json_object_get(ex, a);
				assert_non_null(e);
				struct lx_u256 want = dec(json_string_value(json_object_get(e, "amount")));
				assert_true(lx_u256_eq(&seized[k], &want));
			}
			/* AbsorbDebt.basePaidOut = newBalance - oldBalance = debt + the new supply */
			const json_t *ad = json_object_get(cs, "absorbDebt");
			struct lx_u256 paid = dec(json_string_value(json_object_get(ad, "basePaidOut")));
			struct lx_u256 got;
			lx_u256_add(&got, &d0, &pos[0].supplied);
			assert_true(lx_u256_eq(&got, &paid));
			assert_true(lx_u256_eq(&repaid, &d0)); /* covered in full: no deficit */
			assert_true(lx_u256_is_zero(&deficit));
			/* AbsorbDebt.usdValue = mulPrice(basePaidOut, basePrice, baseScale) */
			struct lx_u256 usd, sc;
			lx_u256_pow10(&sc, as[0].decimals);
			lx_u256_mul(&usd, &paid, &pos[0].price);
			lx_u256_div(&usd, &usd, &sc);
			struct lx_u256 wusd = dec(json_string_value(json_object_get(ad, "usdValue")));
			assert_true(lx_u256_eq(&usd, &wusd));
			cases++;
		}
		/* the same account with its collateral at a tenth of the price: the credit does not
		 * cover the debt; the rest is the reserves' loss (deficit), nothing is supplied */
		struct lx_market_view mv;
		struct lx_asset_info as[8];
		struct lx_account_view ac;
		struct lx_asset_pos pos[8];
		build_case(cs, &mv, as, &ac, pos, base);
		struct lx_u256 ten = U(10), credit = U(0), d0 = pos[0].borrowed, sc;
		for (size_t k = 1; k < ac.n_pos; k++) {
			lx_u256_div(&pos[k].price, &pos[k].price, &ten);
			struct lx_u256 v, t;
			lx_u256_pow10(&sc, as[k].decimals);
			lx_u256_mul(&v, &pos[k].supplied, &pos[k].price);
			lx_u256_div(&v, &v, &sc);
			uint64_t lf = (uint64_t)(20000 - as[k].liq_bonus_bps) * 100000000000000ULL;
			struct lx_u256 lfu = U(lf), fs = U(COMET_FACTOR_SCALE);
			lx_u256_mul(&t, &v, &lfu);
			lx_u256_div(&t, &t, &fs);
			lx_u256_add(&credit, &credit, &t);
		}
		lx_u256_pow10(&sc, as[0].decimals);
		lx_u256_mul(&credit, &credit, &sc);
		lx_u256_div(&credit, &credit, &pos[0].price); /* one division, as absorb */
		assert_true(lx_u256_cmp(&credit, &d0) < 0);
		struct lx_u256 seized[8], repaid, deficit, gap, want;
		absorb_all(&mv, &ac, false, seized, &repaid, &deficit);
		assert_true(lx_u256_eq(&repaid, &credit));
		lx_u256_sub(&gap, &d0, &credit);
		lx_u256_mul(&want, &gap, &pos[0].price);
		lx_u256_div(&want, &want, &sc);
		assert_true(lx_u256_eq(&deficit, &want));
		assert_true(lx_u256_is_zero(&pos[0].supplied));
	}
	assert_true(cases >= 2);
	json_decref(fx);
}

/* A healthy account is refused; a pair that is not (collateral, base debt) is no pair. */
static void test_absorb_refusals(void **s)
{
	(void)s;
	struct lx_asset_info as[2];
	memset(as, 0, sizeof(as));
	as[0].decimals = 6;
	as[0].borrow_index = U(COMET_BASE_INDEX_SCALE);
	as[1].decimals = 18;
	as[1].liq_bonus_bps = 10500;
	struct lx_market_view mv;
	memset(&mv, 0, sizeof(mv));
	mv.ops = &lx_compound_v3_market_ops;
	mv.n_assets = 2;
	mv.assets = as;
	struct lx_asset_pos pos[2];
	memset(pos, 0, sizeof(pos));
	pos[0].price = U(100000000);
	pos[0].borrowed = pos[0].scaled_variable = U(1000000000); /* $1000 */
	pos[1].asset = 1;
	pos[1].price = U(200000000000ULL);
	pos[1].supplied = U(1000000000000000000ULL); /* $2000 at LCF 0.9 */
	pos[1].liq_threshold_bps = 9000;
	pos[1].collateral = true;
	struct lx_account_view ac;
	memset(&ac, 0, sizeof(ac));
	ac.n_pos = 2;
	ac.pos = pos;
	struct lx_liq_result r;
	enum lx_liq_refusal why;
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &ac, 1, 0, NULL, NULL, true), 0);
	assert_int_equal(why, LX_LIQ_HEALTHY);
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &ac, 0, 1, NULL, NULL, true), 0);
	assert_int_equal(why, LX_LIQ_NO_PAIR);
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &ac, 5, 0, NULL, NULL, true), LX_EINVAL);
	/* the price halves: liquidatable, absorbed; the account has no debt after */
	pos[1].price = U(100000000000ULL);
	assert_int_equal(lx_model_liquidate(&r, &why, &mv, &ac, 1, 0, NULL, NULL, true), 0);
	assert_int_equal(why, LX_LIQ_OK);
	/* credit = 1000 * 0.95 = $950 < $1000: $50 of deficit */
	assert_true(lx_u256_eq(&r.debt_repaid, &(struct lx_u256){0}) == false);
	struct lx_u256 want = U(5000000000ULL); /* $50, 8 decimals */
	assert_true(lx_u256_eq(&r.deficit_base, &want));
	assert_true(lx_u256_is_zero(&pos[0].borrowed));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_logs_v3),
		cmocka_unit_test(test_real_logs_v2),
		cmocka_unit_test(test_strict_reader),
		cmocka_unit_test(test_accrue),
		cmocka_unit_test(test_health_boundary),
		cmocka_unit_test(test_handler),
		cmocka_unit_test(test_flows),
		cmocka_unit_test(test_absorb_fixture),
		cmocka_unit_test(test_absorb_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
