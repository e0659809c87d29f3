/*
 * test_aave_classify.c: every log an Aave V3 or Spark contract emitted in ../shared/real-logs
 * (eth_getLogs answers of four chains, and the receipts of the aave_v3 and spark decoder tests)
 * is either applied by the Aave handler or ignored for a named reason — none is unknown. The
 * emitter's role comes from the data's own registry (expected/address-roles.json, keyed by
 * chain and address: the same address is the Pool on several chains, and topic0s are shared
 * across protocols); every line an independent decoder (viem) decoded for those contracts
 * (expected/getlogs.jsonl, receipts.jsonl) must be classified applied under the same event name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../indexer/proto/aave/aave.h"
#include "lendex/hex.h"

static char base[512];

struct role {
	uint64_t chain;
	struct lx_addr addr;
	enum aave_role role;
	int kind;
};
static struct role roles[256];
static size_t n_roles;

/* Tally per (fate, event) for the summary line and the checks below */
struct kind {
	int fate;
	const char *event;
	size_t n;
};
static struct kind kinds[64];
static size_t n_kinds, n_logs, n_not_lending;

/* Applied classifications by "tx:logIndex", for the cross-check with viem's lines */
struct seen {
	char key[80];
	const char *event;
	int fate;
};
static struct seen *seen;
static size_t n_seen, cap_seen;

static json_t *load(const char *rel)
{
	char p[700];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	json_error_t e;
	json_t *j = json_load_file(p, 0, &e);
	if (!j)
		fail_msg("%s: %s", p, e.text);
	return j;
}

static void hex_fixed(uint8_t *out, size_t n, const char *s)
{
	size_t got = 0;
	assert_int_equal(lx_hex_decode(out, n, &got, s, strlen(s)), 0);
	assert_int_equal(got, n);
}

static const struct role *role_of(uint64_t chain, const struct lx_addr *a)
{
	for (size_t i = 0; i < n_roles; i++)
		if (roles[i].chain == chain && lx_addr_eq(&roles[i].addr, a))
			return &roles[i];
	return NULL;
}

static void load_roles(void)
{
	json_t *r = load("expected/address-roles.json");
	size_t i;
	json_t *x;
	json_array_foreach(r, i, x) {
		const char *rs = json_string_value(json_object_get(x, "role"));
		assert_non_null(rs);
		struct role ro = {.chain = (uint64_t)json_integer_value(json_object_get(x, "chain_id"))};
		if (strncmp(rs, "aave_v3_", 8) && strncmp(rs, "spark_", 6))
			continue;
		const char *suffix = strchr(rs, '_') + (rs[0] == 'a' ? 4 : 1);
		if (!strcmp(suffix, "pool"))
			ro.role = ROLE_POOL;
		else if (!strcmp(suffix, "atoken"))
			ro.role = ROLE_TOKEN, ro.kind = AAVE_ATOKEN;
		else if (!strcmp(suffix, "vdebt"))
			ro.role = ROLE_TOKEN, ro.kind = AAVE_VTOKEN;
		else if (!strcmp(suffix, "sdebt"))
			ro.role = ROLE_TOKEN, ro.kind = AAVE_STOKEN;
		else
			fail_msg("address-roles.json: role %s not mapped", rs);
		hex_fixed(ro.addr.b, 20, json_string_value(json_object_get(x, "address")));
		assert_true(n_roles < sizeof(roles) / sizeof(roles[0]));
		roles[n_roles++] = ro;
	}
	json_decref(r);
	assert_true(n_roles >= 30); /* the recorded data's Aave V3 and Spark contracts */
}

static void tally(int fate, const char *event)
{
	for (size_t i = 0; i < n_kinds; i++)
		if (kinds[i].fate == fate && !strcmp(kinds[i].event, event)) {
			kinds[i].n++;
			return;
		}
	assert_true(n_kinds < 64);
	kinds[n_kinds++] = (struct kind){fate, event, 1};
}

/* Classifies one recorded log object; chain from the file or the receipt */
static void one(uint64_t chain, json_t *lj)
{
	struct lx_log l;
	memset(&l, 0, sizeof(l));
	hex_fixed(l.address.b, 20, json_string_value(json_object_get(lj, "address")));
	const struct role *ro = role_of(chain, &l.address);
	if (!ro) {
		n_not_lending++;
		return;
	}
	json_t *tp = json_object_get(lj, "topics");
	assert_true(json_array_size(tp) <= 4);
	l.n_topics = (uint8_t)json_array_size(tp);
	for (size_t t = 0; t < l.n_topics; t++)
		hex_fixed(l.topics[t], 32, json_string_value(json_array_get(tp, t)));
	struct lx_log_class c;
	aave_classify_role(ro->role, ro->kind, &l, &c);
	if (c.fate != LX_LOG_APPLIED && c.fate != LX_LOG_IGNORED) {
		char t0[67] = "none";
		if (l.n_topics)
			lx_hex_encode(t0, sizeof(t0), l.topics[0], 32);
		fail_msg("chain %llu %s: topic0 %s is not named (fate %d)", (unsigned long long)chain,
			 json_string_value(json_object_get(lj, "address")), t0, (int)c.fate);
	}
	assert_non_null(c.event);
	if (c.fate == LX_LOG_IGNORED)
		assert_true(c.reason && strlen(c.reason) > 10);
	tally(c.fate, c.event);
	n_logs++;
	if (n_seen == cap_seen) {
		cap_seen = cap_seen ? 2 * cap_seen : 256;
		seen = realloc(seen, cap_seen * sizeof(*seen));
		assert_non_null(seen);
	}
	uint64_t li = 0;
	const char *lis = json_string_value(json_object_get(lj, "logIndex"));
	assert_int_equal(lx_hex_u64(&li, lis, strlen(lis)), 0);
	struct seen *s = &seen[n_seen++];
	snprintf(s->key, sizeof(s->key), "%s:%llu",
		 json_string_value(json_object_get(lj, "transactionHash")), (unsigned long long)li);
	s->event = c.event;
	s->fate = c.fate;
}

static const struct seen *find_seen(const char *key)
{
	for (size_t i = 0; i < n_seen; i++)
		if (!strcmp(seen[i].key, key))
			return &seen[i];
	return NULL;
}

static size_t cross_check(const char *rel)
{
	char p[700];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	char line[8192];
	size_t n = 0;
	while (fgets(line, sizeof(line), f)) {
		json_error_t e;
		json_t *x = json_loads(line, 0, &e);
		assert_non_null(x);
		char key[80];
		snprintf(key, sizeof(key), "%s:%lld", json_string_value(json_object_get(x, "tx")),
			 (long long)json_integer_value(json_object_get(x, "logIndex")));
		const struct seen *s = find_seen(key);
		if (s) { /* a line of an Aave V3 / Spark contract (others are other protocols) */
			const char *ev = json_string_value(json_object_get(x, "event"));
			if (s->fate != LX_LOG_APPLIED || strcmp(s->event, ev))
				fail_msg("%s %s: viem decoded %s, lendex says %s %s", rel, key, ev,
					 s->fate == LX_LOG_APPLIED ? "applied" : "ignored", s->event);
			n++;
		}
		json_decref(x);
	}
	fclose(f);
	return n;
}

static const struct {
	const char *name;
	uint64_t chain;
} getlogs_chains[] = {{"ethereum", 1}, {"base", 8453}, {"arbitrum", 42161}, {"optimism", 10}};

static void test_real_logs(void **st)
{
	(void)st;
	load_roles();
	static const char *const files[] = {
		"getlogs/ethereum-25290309.json",  "getlogs/ethereum-25295163.json",
		"getlogs/ethereum-25295215.json",  "getlogs/base-47193640.json",
		"getlogs/base-47201521.json",      "getlogs/arbitrum-472376266.json",
		"getlogs/arbitrum-472420198.json", "getlogs/optimism-152791326.json",
		"getlogs/optimism-152796846.json", "getlogs/optimism-152810000.json"};
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		uint64_t chain = 0;
		for (size_t k = 0; k < 4; k++)
			if (!strncmp(files[f] + 8, getlogs_chains[k].name, strlen(getlogs_chains[k].name)))
				chain = getlogs_chains[k].chain;
		assert_true(chain != 0);
		json_t *a = load(files[f]);
		size_t i;
		json_t *lj;
		json_array_foreach(a, i, lj) one(chain, lj);
		json_decref(a);
	}
	size_t from_getlogs = n_logs;
	/* every file: an Aave V3 log may sit in another protocol's test receipt */
	static const char *const rec[] = {"receipts/aave_v3.json",     "receipts/spark.json",
					  "receipts/aave_v2.json",     "receipts/compound_v2.json",
					  "receipts/compound_v3.json", "receipts/morpho.json",
					  "receipts/morpho_blue.json"};
	for (size_t f = 0; f < sizeof(rec) / sizeof(rec[0]); f++) {
		json_t *a = load(rec[f]);
		size_t i, j;
		json_t *x, *lj;
		json_array_foreach(a, i, x) {
			uint64_t chain = (uint64_t)json_integer_value(json_object_get(x, "chain_id"));
			json_t *logs = json_object_get(json_object_get(x, "receipt"), "logs");
			json_array_foreach(logs, j, lj) one(chain, lj);
		}
		json_decref(a);
	}
	/* the README's counts: 343 Aave V3 Pool logs in getlogs; every log of a role is named */
	assert_int_equal(from_getlogs, 343);
	assert_true(n_logs > from_getlogs + 150);
	size_t applied = 0, ignored = 0;
	for (size_t i = 0; i < n_kinds; i++) {
		printf("  %-8s %-34s %4zu\n", kinds[i].fate == LX_LOG_APPLIED ? "applied" : "ignored",
		       kinds[i].event, kinds[i].n);
		*(kinds[i].fate == LX_LOG_APPLIED ? &applied : &ignored) += kinds[i].n;
	}
	/* the events a position indexer must not skip are applied, the ERC-20 views ignored */
	bool transfer_ignored = false, supply_applied = false, iso_ignored = false;
	for (size_t i = 0; i < n_kinds; i++) {
		transfer_ignored |= kinds[i].fate == LX_LOG_IGNORED && !strcmp(kinds[i].event, "Transfer");
		supply_applied |= kinds[i].fate == LX_LOG_APPLIED && !strcmp(kinds[i].event, "Supply");
		iso_ignored |= kinds[i].fate == LX_LOG_IGNORED &&
			       !strcmp(kinds[i].event, "IsolationModeTotalDebtUpdated");
	}
	assert_true(transfer_ignored && supply_applied && iso_ignored);
	size_t checked = cross_check("expected/getlogs.jsonl") + cross_check("expected/receipts.jsonl");
	printf("real-logs: %zu Aave V3/Spark logs: %zu applied, %zu ignored, 0 unknown; %zu equal "
	       "viem's decoded lines; %zu logs of other contracts\n",
	       n_logs, applied, ignored, checked, n_not_lending);
	/* each applied log is one of viem's lines and each of viem's lines for them is applied */
	assert_int_equal(checked, applied);
	free(seen);
}

/* A topic0 the handler cannot name is unknown, not ignored: a Uniswap Swap at the Pool */
static void test_unknown(void **st)
{
	(void)st;
	struct lx_log l;
	memset(&l, 0, sizeof(l));
	l.n_topics = 1;
	hex_fixed(l.topics[0], 32, "0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67");
	struct lx_log_class c;
	aave_classify_role(ROLE_POOL, 0, &l, &c);
	assert_int_equal(c.fate, LX_LOG_UNKNOWN);
	l.n_topics = 0;
	aave_classify_role(ROLE_TOKEN, AAVE_ATOKEN, &l, &c);
	assert_int_equal(c.fate, LX_LOG_UNKNOWN);
	/* the same topic0 is read by role: Mint applied on a token, unknown at the Pool */
	l.n_topics = 1;
	hex_fixed(l.topics[0], 32, "0x458f5fa412d0f69b08dd84872b0215675cc67bc1d5b6fd93300a1c3878b86196");
	aave_classify_role(ROLE_TOKEN, AAVE_VTOKEN, &l, &c);
	assert_int_equal(c.fate, LX_LOG_APPLIED);
	assert_string_equal(c.event, "Mint");
	aave_classify_role(ROLE_POOL, 0, &l, &c);
	assert_int_equal(c.fate, LX_LOG_UNKNOWN);
	/* a stable token's Mint is another signature: the scaled one is unknown there */
	aave_classify_role(ROLE_TOKEN, AAVE_STOKEN, &l, &c);
	assert_int_equal(c.fate, LX_LOG_UNKNOWN);
	/* GHO's DiscountPercentUpdated: ignored as not reproduced, and asked for (sync warns) */
	uint8_t t[4][32];
	assert_int_equal(aave_surfaced_topics(t, 4), 1);
	memcpy(l.topics[0], t[0], 32);
	aave_classify_role(ROLE_TOKEN, AAVE_VTOKEN, &l, &c);
	assert_int_equal(c.fate, LX_LOG_IGNORED);
	assert_string_equal(c.event, "DiscountPercentUpdated");
	assert_int_equal(strncmp(c.reason, "not reproduced", 14), 0);
}

int main(void)
{
	const char *src = getenv("LX_SOURCE_DIR");
	snprintf(base, sizeof(base), "%s/../shared/real-logs", src ? src : LX_SOURCE_DIR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_real_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
