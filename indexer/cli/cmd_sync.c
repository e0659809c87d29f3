/*
 * cmd_sync.c: `lendex sync` — brings the store up to the chain's head (or --to) and keeps
 * following it with --follow.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "lendex/hex.h"
#include "lendex/sync.h"
#include "lendex/verify.h"

/* --verify: the trusted checkpoint from --checkpoint N:0xHASH or the chain's config. */
static int open_verifier(const struct lx_cli_args *a, const struct lx_chain *chain,
			 struct lx_verifier **out)
{
	*out = NULL;
	const char *cp = lx_cli_get(a, "checkpoint", NULL);
	uint64_t block = chain->checkpoint_block;
	uint8_t hash[32];
	memcpy(hash, chain->checkpoint_hash, 32);
	if (cp) {
		const char *colon = strchr(cp, ':');
		bool ok = colon && colon != cp && !lx_hash_parse(hash, colon + 1);
		block = 0;
		for (const char *p = cp; ok && p < colon; p++) {
			ok = *p >= '0' && *p <= '9' && block <= (UINT64_MAX - 9) / 10;
			block = block * 10 + (uint64_t)(*p - '0');
		}
		if (!ok) {
			lx_cli_errorf("bad --checkpoint '%s' (want BLOCK:0xHASH)", cp);
			return LX_EXIT_USAGE;
		}
	} else if (!chain->has_checkpoint) {
		lx_cli_errorf("sync --verify needs a trusted checkpoint: --checkpoint BLOCK:0xHASH, "
			      "or \"checkpoint\" in chains/%s.json", chain->name);
		return LX_EXIT_USAGE;
	}
	struct lx_error e;
	if (lx_verifier_create(out, block, hash, &e)) {
		lx_cli_errorf("%s", e.msg);
		return LX_EXIT_RUNTIME;
	}
	return 0;
}


static const char *const fate_names[] = {"not asked for", "applied", "ignored", "unknown"};

/* The summary's per-event counts: applied, then ignored with the reason, unknown, not asked. */
static void print_events_text(const struct lx_event_counts *ev)
{
	static const uint8_t order[] = {LX_LOG_APPLIED, LX_LOG_IGNORED, LX_LOG_UNKNOWN,
					LX_LOG_NOT_MINE};
	for (size_t o = 0; o < sizeof(order); o++)
		for (size_t i = 0; i < ev->n; i++) {
			const struct lx_event_count *c = &ev->c[i];
			if (c->fate != order[o])
				continue;
			printf("  %-13s %-34s %10llu%s%s\n", fate_names[c->fate], c->event,
			       (unsigned long long)c->n, c->reason ? "  " : "",
			       c->reason ? c->reason : "");
		}
	if (ev->other)
		printf("  %-13s %-34s %10llu\n", "(more kinds)", "", (unsigned long long)ev->other);
}

static void print_events_json(const struct lx_event_counts *ev)
{
	static const char *const json_fate[] = {"not_asked", "applied", "ignored", "unknown"};
	printf(",\"events\":[");
	for (size_t i = 0; i < ev->n; i++) {
		const struct lx_event_count *c = &ev->c[i];
		printf("%s{\"event\":\"%s\",\"fate\":\"%s\",\"count\":%llu", i ? "," : "",
		       c->event, json_fate[c->fate], (unsigned long long)c->n);
		if (c->reason)
			printf(",\"reason\":\"%s\"", c->reason);
		putchar('}');
	}
	printf("],\"events_other\":%llu", (unsigned long long)ev->other);
}

int lx_cmd_sync(const struct lx_cli_args *a)
{
	struct lx_chain *chain = NULL;
	struct lx_rpc *rpc = NULL, *vrpc = NULL;
	struct lx_store *st = NULL;
	unsigned long long to, conf, range, conc;
	if (lx_cli_u64(a, "to", 0, &to) < 0 || lx_cli_u64(a, "confirmations", 0, &conf) < 0 ||
	    lx_cli_u64(a, "max-range", 0, &range) < 0 || lx_cli_u64(a, "concurrency", 4, &conc) < 0)
		return LX_EXIT_USAGE;
	int rc = lx_cli_open_chain(a, &chain);
	if (rc)
		return rc;
	const char *dn = lx_cli_get(a, "deployment", NULL);
	if (dn && !lx_chain_find_deployment(chain, dn)) {
		lx_cli_errorf("no deployment '%s' on chain %s", dn, chain->name);
		lx_chain_destroy(chain);
		return LX_EXIT_USAGE;
	}
	struct lx_verifier *vf = NULL;
	if (lx_cli_has(a, "verify") && (rc = open_verifier(a, chain, &vf))) {
		lx_chain_destroy(chain);
		return rc;
	}
	if ((rc = lx_cli_open_rpc(a, 6, &rpc)) || (rc = lx_cli_open_store(a, true, &st)))
		goto out;
	/* the verify thread has a client of its own (same nodes and limits) */
	if (vf && (rc = lx_cli_open_rpc(a, 6, &vrpc)))
		goto out;
	struct lx_sync_opts o;
	memset(&o, 0, sizeof(o));
	o.chain = chain;
	o.deployment = dn;
	o.abi_dir = LX_DEFAULT_ABI_DIR;
	o.to = to;
	o.confirmations = conf;
	o.max_range = range;
	o.concurrency = (int)conc;
	o.follow = lx_cli_has(a, "follow");
	o.progress = lx_cli_has(a, "quiet") ? 0 : (isatty(2) ? 2 : 1);
	o.verifier = vf;
	o.verify_rpc = vrpc;
	struct lx_sync_result res;
	struct lx_error e;
	lx_error_clear(&e);
	if (lx_sync_run(st, rpc, &o, &res, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = e.code == LX_EUSAGE ? LX_EXIT_USAGE : LX_EXIT_RUNTIME;
		goto out;
	}
	const struct lx_verify_stats *vs = vf ? lx_verifier_stats(vf) : NULL;
	uint64_t tip = 0;
	uint8_t tip_hash[32] = {0};
	char tip_hex[67] = "";
	if (vf) {
		lx_verifier_tip(vf, &tip, tip_hash);
		lx_hex_encode(tip_hex, sizeof(tip_hex), tip_hash, 32);
	}
	bool quiet = lx_cli_has(a, "quiet");
	char addr[LX_ADDR_STRLEN];
	struct lx_addr ia;
	memcpy(ia.b, res.first_ignored.address, 20);
	lx_addr_checksum(addr, &ia);
	if (res.ignored_logs)
		lx_cli_warnf("%llu logs in the node's answers match no followed contract and event "
			     "(first: %s at %llu:%u) and were not applied: a node ignoring the filter, "
			     "or a config naming the wrong contracts?",
			     (unsigned long long)res.ignored_logs, addr,
			     (unsigned long long)res.first_ignored.block, res.first_ignored.log_index);
	uint64_t unknown = 0;
	const char *first_unknown = NULL;
	for (size_t i = 0; i < res.events.n; i++)
		if (res.events.c[i].fate == LX_LOG_UNKNOWN) {
			unknown += res.events.c[i].n;
			if (!first_unknown)
				first_unknown = res.events.c[i].event;
		}
	for (size_t i = 0; i < res.events.n; i++) {
		const struct lx_event_count *c = &res.events.c[i];
		if (c->fate == LX_LOG_IGNORED && c->reason &&
		    strncmp(c->reason, "not reproduced", 14) == 0)
			lx_cli_warnf("%llu %s logs: %s", (unsigned long long)c->n, c->event,
				     c->reason);
	}
	if (unknown)
		lx_cli_warnf("%llu logs of followed contracts carry an event lendex cannot name "
			     "(first: %s) and were not applied: a protocol version it does not know?",
			     (unsigned long long)unknown, first_unknown);
	if (res.behind)
		lx_cli_warnf("the node's head %llu is %llu blocks behind this store's block %llu "
			     "(a lagging node?): nothing synced, store left at block %llu",
			     (unsigned long long)res.head, (unsigned long long)res.behind,
			     (unsigned long long)res.to, (unsigned long long)res.to);
	uint64_t blocks = res.to >= res.from ? res.to - res.from + 1 : 0;
	if (lx_cli_has(a, "json")) {
		printf("{\"chain\":\"%s\",\"from\":%llu,\"to\":%llu,\"blocks\":%llu,"
		       "\"synced\":%s,\"head\":%llu,\"behind\":%llu,\"logs\":%llu,"
		       "\"ignored_logs\":%llu,\"ranges\":%llu,\"splits\":%llu,\"reorgs\":%llu",
		       chain->name, (unsigned long long)res.from, (unsigned long long)res.to,
		       (unsigned long long)blocks, res.have_cursor ? "true" : "false",
		       (unsigned long long)res.head, (unsigned long long)res.behind,
		       (unsigned long long)res.logs, (unsigned long long)res.ignored_logs,
		       (unsigned long long)res.ranges, (unsigned long long)res.splits,
		       (unsigned long long)res.reorgs);
		printf(",\"caught_up\":{\"emitters\":%llu,\"logs\":%llu}",
		       (unsigned long long)res.caught_up, (unsigned long long)res.caught_up_logs);
		print_events_json(&res.events);
		if (vs)
			printf(",\"verified\":{\"headers\":%llu,\"blocks\":%llu,\"bloom_blocks\":%llu,"
			       "\"receipts\":%llu,\"logs\":%llu,\"signers\":%llu,\"tip\":%llu,"
			       "\"tip_hash\":\"%s\"}",
			       (unsigned long long)vs->headers, (unsigned long long)vs->blocks,
			       (unsigned long long)vs->bloom_blocks, (unsigned long long)vs->receipts,
			       (unsigned long long)vs->logs, (unsigned long long)vs->signers,
			       (unsigned long long)tip, tip_hex);
		printf("}\n");
	} else if (quiet) {
	} else if (!res.have_cursor) {
		printf("nothing to sync on %s: the node's head %llu is before the start block %llu\n",
		       chain->name, (unsigned long long)res.head, (unsigned long long)res.start);
	} else if (!blocks && !res.reorgs) {
		printf("%s already at block %llu: nothing to sync\n", chain->name,
		       (unsigned long long)res.to);
	} else {
		printf("synced %s to block %llu: %llu blocks, %llu logs in %llu ranges (%llu splits, "
		       "%llu reorgs)",
		       chain->name, (unsigned long long)res.to, (unsigned long long)blocks,
		       (unsigned long long)res.logs, (unsigned long long)res.ranges,
		       (unsigned long long)res.splits, (unsigned long long)res.reorgs);
		if (res.ignored_logs)
			printf(", %llu logs ignored", (unsigned long long)res.ignored_logs);
		if (res.caught_up)
			printf("; %llu contracts found late, their %llu earlier logs applied first",
			       (unsigned long long)res.caught_up,
			       (unsigned long long)res.caught_up_logs);
		putchar('\n');
		print_events_text(&res.events);
	}
	if (vs && !quiet && !lx_cli_has(a, "json"))
		printf("verified: %llu headers linked to the checkpoint, receipts of %llu blocks "
		       "(%llu by bloom), %llu logs, %llu signers; block %llu is %s (check it "
		       "against a second source)\n",
		       (unsigned long long)vs->headers, (unsigned long long)vs->blocks,
		       (unsigned long long)vs->bloom_blocks, (unsigned long long)vs->logs,
		       (unsigned long long)vs->signers, (unsigned long long)tip, tip_hex);
out:
	lx_verifier_destroy(vf);
	lx_store_close(st);
	lx_rpc_destroy(rpc);
	lx_rpc_destroy(vrpc);
	lx_chain_destroy(chain);
	return rc;
}
