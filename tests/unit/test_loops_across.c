/*
 * test_loops_across.c: loop rounds of one account over several markets
 * (lx_risk_loops_across, loops.c). Two hand-built markets share two tokens — W ($2000, 18
 * decimals) and U ($1, 6 decimals): market A lists both as collateral; market B lends W
 * against U (W its loan token: no liquidation threshold). USD prices and correlation classes
 * are given per market, as the CLI builds them from the chain's USD book.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/risk.h"

static struct lx_u256 P(const char *s)
{
	struct lx_u256 v;
	assert_int_equal(lx_u256_parse(&v, s, strlen(s)), 0);
	return v;
}

#define ETH(x) x "000000000000000000"
#define USD6(x) x "000000"

static struct lx_asset_info asA[2], asB[2];
static struct lx_asset_pos posA[2], posB[2];
static struct lx_account_view accA[2], accB[1];
static struct lx_flow flA[8], flB[8];
static struct lx_u256 usdA[2], usdB[2];
static uint16_t klA[2] = {1, 2}, klB[2] = {1, 2}; /* W: class 1, U: class 2 */
static struct lx_market_view A, B;

static void token(struct lx_asset_info *a, uint8_t id, uint8_t dec, uint16_t lt)
{
	memset(a, 0, sizeof(*a));
	a->asset.b[19] = id;
	a->decimals = dec;
	a->liq_threshold_bps = lt;
}

static void setup(void)
{
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	token(&asA[0], 0x77, 18, 8250); /* W */
	token(&asA[1], 0x55, 6, 8000);  /* U */
	token(&asB[0], 0x77, 18, 0);    /* W: B's loan token */
	token(&asB[1], 0x55, 6, 8600);  /* U: B's collateral */
	usdA[0] = usdB[0] = P("200000000000"); /* $2000, 8 decimals */
	usdA[1] = usdB[1] = P("100000000");
	asA[0].price = usdA[0]; /* A prices in USD (B's own prices stay unset: never read) */
	asA[1].price = usdA[1];
	A.n_assets = B.n_assets = 2;
	A.assets = asA;
	B.assets = asB;
	memset(accA, 0, sizeof(accA));
	memset(accB, 0, sizeof(accB));
	accA[0].account.b[0] = 0xa1; /* the looper */
	accA[1].account.b[0] = 0xb2; /* someone else: never merged in */
	accB[0].account.b[0] = 0xa1;
	/* debt today on both markets */
	memset(posA, 0, sizeof(posA));
	memset(posB, 0, sizeof(posB));
	posA[0].asset = 1;
	posA[0].borrowed = P(USD6("12000"));
	posB[0].asset = 0;
	posB[0].borrowed = P(ETH("4"));
	accA[0].pos = posA;
	accA[0].n_pos = 1;
	accB[0].pos = posB;
	accB[0].n_pos = 1;
	accA[0].flows = flA;
	accB[0].flows = flB;
	accA[1].flows = flA; /* the other account's flows would loop too: must be ignored */
	A.accounts = accA;
	A.n_accounts = 2;
	B.accounts = accB;
	B.n_accounts = 1;
}

static void fl(struct lx_flow *f, uint64_t block, uint32_t log, uint8_t kind, uint32_t asset,
	       const char *amount)
{
	memset(f, 0, sizeof(*f));
	f->block = block;
	f->log_index = log;
	f->tx[0] = (uint8_t)block;
	f->kind = kind;
	f->asset = asset;
	f->amount = P(amount);
}

static struct lx_loops across(void)
{
	struct lx_loop_market m[2] = {{&A, usdA, klA}, {&B, usdB, klB}};
	struct lx_loops l;
	assert_int_equal(lx_risk_loops_across(m, 2, &accA[0].account, NULL, &l), 0);
	return l;
}

static void test_two_protocols(void **s)
{
	(void)s;
	setup();
	/* A: supply 10 W, borrow 12000 U; B: 12000 U as collateral, borrow 4 W; A: supply 4 W */
	fl(&flA[0], 10, 0, LX_FLOW_SUPPLY, 0, ETH("10"));
	fl(&flA[1], 11, 0, LX_FLOW_BORROW, 1, USD6("12000"));
	fl(&flB[0], 12, 0, LX_FLOW_SUPPLY, 1, USD6("12000"));
	fl(&flB[1], 13, 0, LX_FLOW_BORROW, 0, ETH("4"));
	fl(&flA[2], 14, 0, LX_FLOW_SUPPLY, 0, ETH("4"));
	accA[0].n_flows = 3;
	accA[1].n_flows = 3;
	accB[0].n_flows = 2;
	struct lx_loops l = across();
	assert_int_equal(l.rounds, 2);
	assert_int_equal(l.across, 2);
	assert_int_equal(l.correlated, 2); /* the borrowed token itself moves */
	assert_int_equal(l.directional, 0);
	/* each market alone sees one directional look-alike (A) or nothing that pairs (B) */
	struct lx_loops one;
	assert_int_equal(lx_risk_loops(&A, &accA[0], NULL, &one), 0);
	assert_int_equal(one.rounds, 1);
	assert_int_equal(one.directional, 1);
	assert_int_equal(one.across, 0);
	assert_int_equal(lx_risk_loops(&B, &accB[0], NULL, &one), 0);
	assert_int_equal(one.rounds, 0);
	/* a repay on B closes B's borrow only: the round it started closes, A's stays */
	fl(&flB[2], 15, 0, LX_FLOW_REPAY, 0, ETH("4"));
	accB[0].n_flows = 3;
	l = across();
	assert_int_equal(l.rounds, 1);
	assert_int_equal(l.built, 2);
	/* a withdrawal of U on A does not touch B's U collateral */
	accB[0].n_flows = 2;
	fl(&flA[3], 15, 1, LX_FLOW_WITHDRAW, 1, USD6("12000"));
	accA[0].n_flows = 4;
	assert_int_equal(across().rounds, 2);
	/* the same block: flows merged in log order across markets */
	fl(&flA[1], 11, 3, LX_FLOW_BORROW, 1, USD6("12000"));
	fl(&flB[0], 11, 5, LX_FLOW_SUPPLY, 1, USD6("12000"));
	flB[0].tx[0] = 99; /* another transaction: a later-transaction supply pairs */
	assert_int_equal(across().rounds, 2);
	fl(&flB[0], 11, 2, LX_FLOW_SUPPLY, 1, USD6("12000")); /* before the borrow: no pair */
	flB[0].tx[0] = 99;
	assert_int_equal(across().rounds, 1);
}

static void test_lending_is_not_a_leg(void **s)
{
	(void)s;
	setup();
	/* borrow 4000 U on A, lend 2 W on B (W is B's loan token): not collateral there */
	fl(&flA[0], 10, 0, LX_FLOW_SUPPLY, 0, ETH("10"));
	fl(&flA[1], 11, 0, LX_FLOW_BORROW, 1, USD6("4000"));
	fl(&flB[0], 12, 0, LX_FLOW_SUPPLY, 0, ETH("2"));
	accA[0].n_flows = 2;
	accB[0].n_flows = 1;
	assert_int_equal(across().rounds, 0);
	/* the same 2 W as collateral on A pairs (directional: U debt, W collateral) */
	fl(&flA[2], 12, 1, LX_FLOW_SUPPLY, 0, ETH("2"));
	accA[0].n_flows = 3;
	struct lx_loops l = across();
	assert_int_equal(l.rounds, 1);
	assert_int_equal(l.directional, 1);
	assert_int_equal(l.across, 0);
	/* a token without a USD price cannot be valued: its flows are left out */
	usdB[1] = P("0");
	fl(&flB[0], 12, 0, LX_FLOW_SUPPLY, 1, USD6("4000"));
	accA[0].n_flows = 2;
	assert_int_equal(across().rounds, 0);
	usdB[1] = P("100000000");
	assert_int_equal(across().rounds, 1);
	/* without debt today: no loop */
	posA[0].borrowed = P("0");
	posB[0].borrowed = P("0");
	assert_int_equal(across().rounds, 0);
}

static void test_misuse(void **s)
{
	(void)s;
	setup();
	struct lx_loops l;
	struct lx_loop_market m[1] = {{&A, usdA, klA}};
	assert_int_equal(lx_risk_loops_across(m, 1, &accA[0].account, NULL, NULL), LX_EINVAL);
	assert_int_equal(lx_risk_loops_across(NULL, 1, &accA[0].account, NULL, &l), LX_EINVAL);
	assert_int_equal(lx_risk_loops_across(m, 1, NULL, NULL, &l), LX_EINVAL);
	/* no market, or an account on none: nothing */
	assert_int_equal(lx_risk_loops_across(NULL, 0, &accA[0].account, NULL, &l), 0);
	assert_int_equal(l.rounds, 0);
	struct lx_addr nobody;
	memset(&nobody, 0x42, sizeof(nobody));
	assert_int_equal(lx_risk_loops_across(m, 1, &nobody, NULL, &l), 0);
	assert_int_equal(l.rounds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_protocols),
		cmocka_unit_test(test_lending_is_not_a_leg),
		cmocka_unit_test(test_misuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
