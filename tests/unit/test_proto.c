/*
 * test_proto.c: the Aave V3 handler on hand-built logs, the way the house style asks of every
 * protocol handler: empty store; execute; a view with exact balances; a log that is short,
 * unknown or from an emitter we do not follow; unwind with nothing recorded; execute then
 * unwind leaves the store byte-identical. (The devnet test checks the same handler against the
 * real contracts.)
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

#include "lendex/chain.h"
#include "lendex/keccak.h"
#include "lendex/aave.h"
#include "lendex/proto.h"
#include "lendex/store.h"
#include "tmpstore.h"

static char dir[64];
static struct lx_chain *chain;

#define POOL "0x00000000000000000000000000000000000000b1"
#define CONF "0x00000000000000000000000000000000000000c1"
#define ASSET "0x00000000000000000000000000000000000000a1"
#define ATOK "0x00000000000000000000000000000000000000a2"
#define VTOK "0x00000000000000000000000000000000000000a3"
#define STOK "0x00000000000000000000000000000000000000a4"
#define USER "0x00000000000000000000000000000000000000e1"

static int setup(void **s)
{
	(void)s;
	char json[512];
	snprintf(json, sizeof(json),
		 "{\"name\":\"t\",\"chain_id\":9,\"deployments\":[{\"name\":\"d\",\"protocol\":"
		 "\"aave_v3\",\"version\":\"3.0.2\",\"start_block\":1,\"contracts\":{\"pool\":\"%s\","
		 "\"pool_configurator\":\"%s\",\"oracle\":\"%s\"}}]}",
		 POOL, CONF, POOL);
	return lx_test_chain(&chain, "proto", "t", json);
}

static int teardown(void **s)
{
	(void)s;
	lx_chain_destroy(chain);
	return 0;
}

static void topic_sig(uint8_t out[32], const char *sig)
{
	lx_keccak256(out, sig, strlen(sig));
}

static void topic_addr(uint8_t out[32], const char *a)
{
	struct lx_addr x;
	lx_addr_parse(&x, a, NULL);
	memset(out, 0, 12);
	memcpy(out + 12, x.b, 20);
}

static void word_u64(uint8_t *out, uint64_t v)
{
	memset(out, 0, 32);
	for (int i = 0; i < 8; i++)
		out[31 - i] = (uint8_t)(v >> (8 * i));
}

static void word_ray(uint8_t *out)
{
	struct lx_u256 r;
	lx_u256_pow10(&r, 27);
	lx_u256_to_be(out, &r);
}

static struct lx_log mklog(const char *emitter, uint64_t block, uint32_t idx)
{
	struct lx_log l;
	memset(&l, 0, sizeof(l));
	lx_addr_parse(&l.address, emitter, NULL);
	l.block = block;
	l.timestamp = 1000 + block * 12;
	l.log_index = idx;
	return l;
}

static uint8_t data[8][512];

/* The logs of: reserve initialised (block 2), a supply of 100 (block 3), a borrow of 40
 * (block 4) by USER, all at index 1 ray. */
static size_t history(struct lx_log *out)
{
	size_t n = 0;
	struct lx_log l = mklog(CONF, 2, 0);
	topic_sig(l.topics[0], "ReserveInitialized(address,address,address,address,address)");
	topic_addr(l.topics[1], ASSET);
	topic_addr(l.topics[2], ATOK);
	l.n_topics = 3;
	topic_addr(data[0], STOK);
	topic_addr(data[0] + 32, VTOK);
	topic_addr(data[0] + 64, POOL);
	l.data = data[0];
	l.data_len = 96;
	out[n++] = l;
	/* CollateralConfigurationChanged(asset, 8000, 8250, 10500) */
	l = mklog(CONF, 2, 1);
	topic_sig(l.topics[0], "CollateralConfigurationChanged(address,uint256,uint256,uint256)");
	topic_addr(l.topics[1], ASSET);
	l.n_topics = 2;
	word_u64(data[4], 8000);
	word_u64(data[4] + 32, 8250);
	word_u64(data[4] + 64, 10500);
	l.data = data[4];
	l.data_len = 96;
	out[n++] = l;
	/* ReserveDataUpdated(asset, rates 0, indexes 1 ray) */
	l = mklog(POOL, 3, 0);
	topic_sig(l.topics[0], "ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)");
	topic_addr(l.topics[1], ASSET);
	l.n_topics = 2;
	memset(data[1], 0, 96);
	word_ray(data[1] + 96);
	word_ray(data[1] + 128);
	l.data = data[1];
	l.data_len = 160;
	out[n++] = l;
	/* aToken Mint(caller, onBehalfOf, value 100, balanceIncrease 0, index ray) */
	l = mklog(ATOK, 3, 1);
	topic_sig(l.topics[0], "Mint(address,address,uint256,uint256,uint256)");
	topic_addr(l.topics[1], USER);
	topic_addr(l.topics[2], USER);
	l.n_topics = 3;
	word_u64(data[2], 100);
	word_u64(data[2] + 32, 0);
	word_ray(data[2] + 64);
	l.data = data[2];
	l.data_len = 96;
	out[n++] = l;
	/* collateral on */
	l = mklog(POOL, 3, 2);
	topic_sig(l.topics[0], "ReserveUsedAsCollateralEnabled(address,address)");
	topic_addr(l.topics[1], ASSET);
	topic_addr(l.topics[2], USER);
	l.n_topics = 3;
	out[n++] = l;
	/* variable debt Mint of 40 */
	l = mklog(VTOK, 4, 0);
	topic_sig(l.topics[0], "Mint(address,address,uint256,uint256,uint256)");
	topic_addr(l.topics[1], USER);
	topic_addr(l.topics[2], USER);
	l.n_topics = 3;
	word_u64(data[3], 40);
	word_u64(data[3] + 32, 0);
	word_ray(data[3] + 64);
	l.data = data[3];
	l.data_len = 96;
	out[n++] = l;
	return n;
}

static struct lx_store *fresh(void)
{
	return lx_test_store(dir, sizeof(dir), "proto");
}

static char *dump(struct lx_store *st)
{
	struct lx_store_txn *t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(lx_store_begin(st, false, &t, NULL), 0);
	assert_int_equal(lx_store_dump(t, f, NULL), 0);
	lx_store_abort(t);
	fclose(f);
	return buf;
}

static void apply_all(struct lx_store *st, struct lx_proto *p, struct lx_log *logs, size_t n,
		      bool undo)
{
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(st, true, &t, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		if (undo)
			lx_store_txn_set_block(t, 9, logs[i].block);
		if (p->ops->apply(p, t, &logs[i], &e))
			fail_msg("apply log %zu: %s", i, e.msg);
	}
	assert_int_equal(lx_store_commit(t, NULL), 0);
}

static void test_empty_execute_view(void **s)
{
	(void)s;
	struct lx_store *st = fresh();
	struct lx_proto *p;
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(st, false, &t, NULL), 0);
	assert_int_equal(lx_proto_create(&p, chain, &chain->deployments[0], NULL, t, &e), 0);
	/* empty store: an empty market */
	struct lx_market_view mv;
	assert_int_equal(p->ops->view(p, t, 2000, NULL, 0, 0, &mv, &e), 0);
	assert_int_equal(mv.n_accounts, 0);
	assert_int_equal(mv.n_assets, 0);
	/* the view carries the market's operations and base currency */
	assert_ptr_equal(mv.ops, &lx_aave_v3_market_ops);
	assert_string_equal(mv.base, "USD");
	lx_market_view_release(&mv);
	lx_store_abort(t);
	/* sync's start-up check asks the handler which contracts must exist: the Pool */
	struct lx_addr core[2], pool;
	const char *roles[2];
	size_t nc = 2;
	assert_non_null(p->ops->core_contracts);
	assert_int_equal(p->ops->core_contracts(p, core, roles, &nc), 0);
	assert_int_equal(nc, 1);
	assert_string_equal(roles[0], "pool");
	assert_int_equal(lx_deployment_contract(&chain->deployments[0], "pool", &pool, NULL), 0);
	assert_true(lx_addr_eq(&core[0], &pool));
	nc = 0;
	assert_int_equal(p->ops->core_contracts(p, core, roles, &nc), LX_EINVAL);
	struct lx_log logs[8];
	size_t n = history(logs);
	/* discovery learns the three tokens from ReserveInitialized */
	assert_int_equal(p->ops->discover(p, &logs[0], &e), 0);
	struct lx_filter f;
	p->ops->filter(p, &f);
	assert_int_equal(f.n_addr, 5);
	apply_all(st, p, logs, n, false);
	assert_int_equal(lx_store_begin(st, false, &t, NULL), 0);
	assert_int_equal(p->ops->view(p, t, 1000 + 4 * 12, NULL, 0, LX_VIEW_FLOWS, &mv, &e), 0);
	assert_int_equal(mv.n_assets, 1);
	assert_int_equal(mv.n_accounts, 1);
	assert_int_equal(mv.accounts[0].n_pos, 1);
	char b[80];
	lx_u256_to_dec(b, sizeof(b), &mv.accounts[0].pos[0].supplied);
	assert_string_equal(b, "100");
	lx_u256_to_dec(b, sizeof(b), &mv.accounts[0].pos[0].borrowed);
	assert_string_equal(b, "40");
	assert_true(mv.accounts[0].pos[0].collateral);
	lx_market_view_release(&mv);
	lx_store_abort(t);
	lx_proto_destroy(p);
	lx_store_close(st);
}

static void test_bad_logs(void **s)
{
	(void)s;
	struct lx_store *st = fresh();
	struct lx_proto *p;
	struct lx_error e;
	assert_int_equal(lx_proto_create(&p, chain, &chain->deployments[0], NULL, NULL, &e), 0);
	struct lx_log logs[8];
	size_t n = history(logs);
	apply_all(st, p, logs, 2, false);
	struct lx_store_txn *t;
	assert_int_equal(lx_store_begin(st, true, &t, NULL), 0);
	/* short data: ReserveDataUpdated with 2 of its 5 words */
	struct lx_log l = logs[2];
	l.data_len = 64;
	assert_int_equal(p->ops->apply(p, t, &l, &e), LX_ESHORT);
	assert_non_null(strstr(e.msg, "ReserveDataUpdated"));
	/* a topic count that does not match */
	l = logs[4];
	l.n_topics = 2;
	assert_int_equal(p->ops->apply(p, t, &l, &e), LX_ETOPICS);
	/* an unknown event from the pool, and any event from an emitter we do not follow: ignored */
	l = logs[4];
	topic_sig(l.topics[0], "Nope(address,address)");
	assert_int_equal(p->ops->apply(p, t, &l, &e), 0);
	l = logs[3];
	lx_addr_parse(&l.address, "0x00000000000000000000000000000000000000ff", NULL);
	assert_int_equal(p->ops->apply(p, t, &l, &e), 0);
	/* a hostile string offset near 2^64 (o + 32 wraps to 0): refused, never read */
	static uint8_t hd[7 * 32];
	memset(hd, 0, sizeof(hd));
	word_u64(hd + 2 * 32, 18);
	word_u64(hd + 3 * 32, 192);
	word_u64(hd + 4 * 32, 0xffffffffffffffe0ull);
	word_u64(hd + 5 * 32, 192);
	l = mklog(ATOK, 4, 7);
	topic_sig(l.topics[0], "Initialized(address,address,address,address,uint8,string,string,bytes)");
	topic_addr(l.topics[1], ASSET);
	topic_addr(l.topics[2], POOL);
	l.n_topics = 3;
	l.data = hd;
	l.data_len = sizeof(hd);
	assert_int_equal(p->ops->apply(p, t, &l, &e), LX_EOFFSET);
	assert_non_null(strstr(e.msg, "offset"));
	/* a burn with no balance means missing history: a clear error, not a wrap-around */
	l = logs[5];
	topic_sig(l.topics[0], "Burn(address,address,uint256,uint256,uint256)");
	assert_int_equal(p->ops->apply(p, t, &l, &e), LX_ECORRUPT);
	assert_non_null(strstr(e.msg, "underflow"));
	lx_store_abort(t);
	(void)n;
	lx_proto_destroy(p);
	lx_store_close(st);
}

static void test_unwind(void **s)
{
	(void)s;
	struct lx_store *st = fresh();
	struct lx_proto *p;
	struct lx_error e;
	assert_int_equal(lx_proto_create(&p, chain, &chain->deployments[0], NULL, NULL, &e), 0);
	struct lx_log logs[8];
	size_t n = history(logs);
	struct lx_store_txn *t;
	/* unwind with nothing recorded: no-op */
	char *d0 = dump(st);
	assert_int_equal(lx_store_begin(st, true, &t, NULL), 0);
	assert_int_equal(lx_store_unwind(t, 9, 0, &e), 0);
	assert_int_equal(lx_store_commit(t, NULL), 0);
	char *d1 = dump(st);
	assert_string_equal(d0, d1);
	/* execute (blocks 2, 3) then execute block 4 and unwind it: identical to blocks 2-3 only */
	apply_all(st, p, logs, 5, true);
	char *d2 = dump(st);
	apply_all(st, p, logs + 5, n - 5, true);
	char *d3 = dump(st);
	assert_string_not_equal(d2, d3);
	assert_int_equal(lx_store_begin(st, true, &t, NULL), 0);
	assert_int_equal(lx_store_unwind(t, 9, 3, &e), 0);
	assert_int_equal(lx_store_commit(t, NULL), 0);
	char *d4 = dump(st);
	assert_string_equal(d2, d4);
	/* and all the way back to nothing */
	assert_int_equal(lx_store_begin(st, true, &t, NULL), 0);
	assert_int_equal(lx_store_unwind(t, 9, 0, &e), 0);
	assert_int_equal(lx_store_commit(t, NULL), 0);
	char *d5 = dump(st);
	assert_string_equal(d0, d5);
	free(d0);
	free(d1);
	free(d2);
	free(d3);
	free(d4);
	free(d5);
	lx_proto_destroy(p);
	lx_store_close(st);
}

/* A pool FlashLoan is kept as a market-wide flow (loop detection): in the view's market_flows,
 * not as an account; short data is refused; unwinding it restores the store byte for byte. */
static void test_flash_loan_flow(void **s)
{
	(void)s;
	struct lx_store *st = fresh();
	struct lx_proto *p;
	struct lx_error e;
	assert_int_equal(lx_proto_create(&p, chain, &chain->deployments[0], NULL, NULL, &e), 0);
	struct lx_log logs[8];
	size_t n = history(logs);
	assert_int_equal(p->ops->discover(p, &logs[0], &e), 0);
	apply_all(st, p, logs, n, true);
	char *d0 = dump(st);
	struct lx_log l = mklog(POOL, 5, 3);
	topic_sig(l.topics[0], "FlashLoan(address,address,address,uint256,uint8,uint256,uint16)");
	topic_addr(l.topics[1], USER); /* target: the receiver contract */
	topic_addr(l.topics[2], ASSET);
	memset(l.topics[3], 0, 32);
	l.n_topics = 4;
	static uint8_t fd[4 * 32];
	memset(fd, 0, sizeof(fd));
	topic_addr(fd, USER);      /* initiator */
	word_u64(fd + 32, 77);     /* amount */
	word_u64(fd + 64, 0);      /* mode */
	word_u64(fd + 96, 1);      /* premium */
	l.data = fd;
	l.data_len = 96; /* one word short */
	memset(l.tx, 0x5a, 32);
	struct lx_store_txn *t;
	assert_int_equal(lx_store_begin(st, true, &t, NULL), 0);
	assert_int_equal(p->ops->apply(p, t, &l, &e), LX_ESHORT);
	assert_non_null(strstr(e.msg, "FlashLoan"));
	lx_store_abort(t);
	l.data_len = sizeof(fd);
	apply_all(st, p, &l, 1, true);
	assert_int_equal(lx_store_begin(st, false, &t, NULL), 0);
	struct lx_market_view mv;
	assert_int_equal(p->ops->view(p, t, 1000 + 5 * 12, NULL, 0, LX_VIEW_FLOWS, &mv, &e), 0);
	assert_int_equal(mv.n_accounts, 1); /* no pseudo-account */
	assert_int_equal(mv.n_market_flows, 1);
	assert_int_equal(mv.market_flows[0].kind, LX_FLOW_FLASH_LOAN);
	assert_int_equal(mv.market_flows[0].block, 5);
	assert_int_equal(mv.market_flows[0].log_index, 3);
	assert_int_equal(mv.market_flows[0].asset, 0);
	assert_int_equal(mv.market_flows[0].tx[31], 0x5a);
	char b[80];
	lx_u256_to_dec(b, sizeof(b), &mv.market_flows[0].amount);
	assert_string_equal(b, "77");
	lx_market_view_release(&mv);
	/* without LX_VIEW_FLOWS, no flows at all */
	assert_int_equal(p->ops->view(p, t, 1000 + 5 * 12, NULL, 0, 0, &mv, &e), 0);
	assert_int_equal(mv.n_market_flows, 0);
	lx_market_view_release(&mv);
	lx_store_abort(t);
	assert_int_equal(lx_store_begin(st, true, &t, NULL), 0);
	assert_int_equal(lx_store_unwind(t, 9, 4, &e), 0);
	assert_int_equal(lx_store_commit(t, NULL), 0);
	char *d1 = dump(st);
	assert_string_equal(d0, d1);
	free(d0);
	free(d1);
	lx_proto_destroy(p);
	lx_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_execute_view),
		cmocka_unit_test(test_bad_logs),
		cmocka_unit_test(test_unwind),
		cmocka_unit_test(test_flash_loan_flow),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
