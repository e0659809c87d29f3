/*
 * bench.c: lendex's sync benchmark against a loopback node (bench/replay.js). Prints, from one
 * run: the floor (download and parse the same logs with the same client, ranges and
 * concurrency, and do nothing with them), lendex's end-to-end `sync` time, their ratio, the
 * apply-only throughput (events/s from the logs already in memory into a fresh store), peak
 * RSS of the sync, and the store's size.
 *
 * usage: bench --rpc URL --lendex BIN --chains-dir DIR --chain NAME --workdir DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lendex/chain.h"
#include "lendex/proto.h"
#include "lendex/rpc.h"
#include "lendex/store.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static void die(const char *what, const struct lx_error *e)
{
	fprintf(stderr, "bench: %s: %s\n", what, e ? e->msg : "");
	exit(2);
}

/* Fetches [from, to] in ranges of span, conc ranges at a time, with filter f. */
static size_t fetch_all(struct lx_rpc *rpc, const struct lx_filter *f, uint64_t from, uint64_t to,
			uint64_t span, int conc, struct lx_logset **sets, size_t *n_sets)
{
	size_t total = 0, cap = 0;
	*sets = NULL;
	*n_sets = 0;
	for (uint64_t b = from; b <= to;) {
		struct lx_rpc_req rq[64];
		memset(rq, 0, sizeof(rq));
		int k = 0;
		for (; k < conc && b <= to; k++) {
			uint64_t e = to - b + 1 > span ? b + span - 1 : to;
			rq[k].method = "eth_getLogs";
			rq[k].params = lx_rpc_logs_params(f, b, e);
			b = e + 1;
		}
		if (lx_rpc_run(rpc, rq, (size_t)k))
			for (int i = 0; i < k; i++)
				if (rq[i].rc)
					die("eth_getLogs", &rq[i].err);
		for (int i = 0; i < k; i++) {
			if (*n_sets == cap) {
				cap = cap ? cap * 2 : 64;
				*sets = realloc(*sets, cap * sizeof(**sets));
			}
			struct lx_logset *s = &(*sets)[(*n_sets)++];
			lx_logset_init(s);
			struct lx_error e;
			if (lx_logset_append(s, rq[i].result, &e))
				die("parse", &e);
			total += s->n;
			json_decref(rq[i].result);
		}
	}
	return total;
}

struct apply_ctx {
	struct lx_proto *p;
	struct lx_logset *s;
};

static int apply_fn(struct lx_store_txn *t, void *v, struct lx_error *err)
{
	struct apply_ctx *c = v;
	for (size_t i = 0; i < c->s->n; i++) {
		int rc = c->p->ops->apply(c->p, t, &c->s->logs[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *url = arg(argc, argv, "--rpc", NULL), *bin = arg(argc, argv, "--lendex", NULL);
	const char *cdir = arg(argc, argv, "--chains-dir", "bench/chains");
	const char *cname = arg(argc, argv, "--chain", "benchnet");
	const char *work = arg(argc, argv, "--workdir", "/tmp/lendex-bench");
	int conc = (int)strtol(arg(argc, argv, "--concurrency", "4"), NULL, 10);
	if (conc < 1 || conc > 32)
		conc = 4;
	if (!url || !bin) {
		fprintf(stderr, "usage: bench --rpc URL --lendex BIN [--chains-dir DIR] [--chain NAME] "
				"[--workdir DIR]\n");
		return 1;
	}
	struct lx_error e;
	struct lx_chain *chain;
	if (lx_chain_load(&chain, cdir, cname, &e))
		die("chain", &e);
	const struct lx_deployment *dep = lx_chain_find_deployment(chain, NULL);
	struct lx_rpc_opts ro;
	memset(&ro, 0, sizeof(ro));
	ro.urls[0] = url;
	ro.n_urls = 1;
	ro.max_retries = -1;
	ro.max_inflight = conc * 3;
	struct lx_rpc *rpc;
	if (lx_rpc_create(&rpc, &ro, &e))
		die("rpc", &e);
	uint64_t head;
	if (lx_rpc_block_number(rpc, &head, &e))
		die("head", &e);
	uint64_t span = chain->max_block_range;
	char cmd[4096];

	/* 1. the floor: discovery + main logs downloaded and parsed, nothing applied */
	struct lx_proto *p;
	if (lx_proto_create(&p, chain, dep, NULL, NULL, &e))
		die("proto", &e);
	static struct lx_filter f;
	double t0 = now();
	struct lx_logset *sets;
	size_t n_sets;
	p->ops->discovery_filter(p, &f);
	fetch_all(rpc, &f, dep->start_block, head, span, conc, &sets, &n_sets);
	for (size_t i = 0; i < n_sets; i++) {
		for (size_t k = 0; k < sets[i].n; k++)
			p->ops->discover(p, &sets[i].logs[k], &e);
		lx_logset_release(&sets[i]);
	}
	free(sets);
	p->ops->filter(p, &f);
	size_t logs = fetch_all(rpc, &f, dep->start_block, head, span, conc, &sets, &n_sets);
	double floor_s = now() - t0;

	/* 2. lendex sync end to end, its peak RSS */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/sync' '%s/apply' && mkdir -p '%s'", work, work, work);
	if (system(cmd))
		die("workdir", NULL);
	char dd[2048];
	snprintf(dd, sizeof(dd), "%s/sync", work);
	double t1 = now();
	pid_t pid = fork();
	if (pid == 0) {
		execl(bin, bin, "sync", "--chain", cname, "--chains-dir", cdir, "--rpc", url, "--datadir",
		      dd, "--quiet", (char *)NULL);
		_exit(127);
	}
	int status;
	struct rusage ru;
	wait4(pid, &status, 0, &ru);
	double sync_s = now() - t1;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("lendex sync failed", NULL);
	struct lx_store *st;
	if (lx_store_open(&st, dd, LX_STORE_RDONLY, &e))
		die("store", &e);
	uint64_t size = lx_store_size(st);
	lx_store_close(st);

	/* 3. apply only: the logs from step 1 into a fresh store, one transaction per range */
	snprintf(dd, sizeof(dd), "%s/apply", work);
	if (lx_store_open(&st, dd, LX_STORE_CREATE, &e))
		die("store", &e);
	double t2 = now();
	for (size_t i = 0; i < n_sets; i++) {
		struct apply_ctx c = {p, &sets[i]};
		if (lx_store_write(st, apply_fn, &c, &e))
			die("apply", &e);
	}
	double apply_s = now() - t2;
	lx_store_close(st);

	printf("bench: %zu logs, %llu blocks, ranges of %llu blocks, %d in flight\n", logs,
	       (unsigned long long)(head - dep->start_block + 1), (unsigned long long)span, conc);
	printf("floor (download + parse, nothing applied)  %8.2f s  %10.0f logs/s\n", floor_s,
	       (double)logs / floor_s);
	printf("lendex sync end to end                     %8.2f s  %10.0f logs/s\n", sync_s,
	       (double)logs / sync_s);
	printf("ratio sync / floor                         %8.2f\n", sync_s / floor_s);
	printf("apply only (from memory into a new store)  %8.2f s  %10.0f events/s\n", apply_s,
	       (double)logs / apply_s);
	printf("peak RSS of sync                           %8.1f MiB\n", (double)ru.ru_maxrss / 1024);
	printf("store size                                 %8.1f MiB\n", (double)size / 1048576);
	for (size_t i = 0; i < n_sets; i++)
		lx_logset_release(&sets[i]);
	free(sets);
	lx_proto_destroy(p);
	lx_rpc_destroy(rpc);
	lx_chain_destroy(chain);
	return 0;
}
