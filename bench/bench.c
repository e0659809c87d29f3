/*
 * bench.c: lendex's sync benchmark against a loopback node (bench/replay.js). Prints, from one
 * run: the floor (download and parse the same logs with the same client, ranges and
 * concurrency, and do nothing with them), lendex's end-to-end `sync` time, their ratio, the
 * apply-only throughput (events/s from the logs already in memory into a fresh store), peak
 * RSS of the sync, the store's size, the risk pass's exact liquidation prices and ladders
 * over every synced account, the contract-read path (sync's batched reads of
 * getAssetPrice, against the client alone sending the same batches, and one request per read);
 * with --risk-only, the risk pass and cascades (percentage model,
 * DEX model on a synthetic Uniswap V3 pool, a sweep of 10 shocks) on a synthetic market of
 * 100,000 accounts with debt.
 *
 * usage: bench --rpc URL --lendex BIN --chains-dir DIR --chain NAME --workdir DIR
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lendex/chain.h"
#include "lendex/dex.h"
#include "lendex/aave.h"
#include "lendex/proto.h"
#include "lendex/risk.h"
#include "lendex/sync.h"
#include "lendex/rpc.h"
#include "lendex/store.h"
#include "../indexer/sync/reads.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this process: unlike wall time, not inflated by other processes' load */
static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
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

/* Fetches [from, to] in ranges of span, conc ranges at a time, with filter f, each answer
 * read as it arrives into a set of its own (as sync does). */
static size_t fetch_all(struct lx_rpc *rpc, const struct lx_filter *f, uint64_t from, uint64_t to,
			uint64_t span, int conc, struct lx_logset **sets, size_t *n_sets)
{
	size_t total = 0, cap = 0;
	*sets = NULL;
	*n_sets = 0;
	for (uint64_t b = from; b <= to;) {
		if (*n_sets + 64 > cap) {
			cap = cap ? cap * 2 : 128;
			*sets = realloc(*sets, cap * sizeof(**sets));
			if (!*sets)
				die("out of memory", NULL);
		}
		struct lx_rpc_req rq[64];
		memset(rq, 0, sizeof(rq));
		int k = 0;
		for (; k < conc && b <= to; k++) {
			uint64_t e = to - b + 1 > span ? b + span - 1 : to;
			rq[k].method = "eth_getLogs";
			rq[k].params = lx_rpc_logs_params(f, b, e);
			rq[k].logs = &(*sets)[*n_sets + (size_t)k];
			lx_logset_init(rq[k].logs);
			b = e + 1;
		}
		if (lx_rpc_run(rpc, rq, (size_t)k))
			for (int i = 0; i < k; i++)
				if (rq[i].rc)
					die("eth_getLogs", &rq[i].err);
		for (int i = 0; i < k; i++)
			total += (*sets)[(*n_sets)++].n;
	}
	return total;
}

/* Appends the JSON-RPC bodies of fetch_all's requests to out, one per line. */
static void write_requests(FILE *out, const struct lx_filter *f, uint64_t from, uint64_t to,
			   uint64_t span)
{
	for (uint64_t b = from; b <= to;) {
		uint64_t e = to - b + 1 > span ? b + span - 1 : to;
		json_t *rq = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1, "method",
				       "eth_getLogs", "params", lx_rpc_logs_params(f, b, e));
		char *text = json_dumps(rq, JSON_COMPACT);
		fprintf(out, "%s\n", text);
		free(text);
		json_decref(rq);
		b = e + 1;
	}
}

/* RssAnon of a process in KiB (0 when unknown). */
static long rss_anon_kb(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kb = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "RssAnon:", 8)) {
			kb = strtol(line + 8, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* The shortest wall time of n runs of argv (output discarded); dies when a run fails. */
static double fastest(const char *const *argv, int n)
{
	double best = 1e9;
	for (int i = 0; i < n; i++) {
		double t = now();
		pid_t pid = fork();
		if (pid == 0) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(126);
			execv(argv[0], (char *const *)argv);
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			die(argv[1], NULL);
		if (now() - t < best)
			best = now() - t;
	}
	return best;
}

/* Runs a shell command, returns its wall time; dies when it fails. */
static double timed(const char *cmd, const char *what)
{
	double t = now();
	if (system(cmd))
		die(what, NULL);
	return now() - t;
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

/*
 * The risk pass on a synthetic market of n accounts, every one with debt (the replayed history
 * has few borrowers): 2-4 positions from WETH/USDC/DAI/WBTC, a fifth of the accounts in an
 * e-mode category priced by its own source, a quarter borrowing what they supply, HFs spread
 * over 1-2.5. Prints the time of the exact liquidation prices (both directions, every feed) and
 * of the ladders.
 */
static void cascade_bench(const struct lx_market_view *mv);

/*
 * The contract-read path at scale (a mainnet Comet market: one userBasic per account): n
 * getAssetPrice reads of the replay node's oracle through sync's lx_sync_reads in JSON-RPC
 * batches of 100, against the floor — the same batches through the client alone (no answer
 * checked or decoded) — and against one request per read (--rpc-batch 1, on n/10 reads).
 */
static void reads_bench(const char *url, const struct lx_addr *oracle, int inflight, size_t n)
{
	struct lx_error e;
	struct lx_calls l;
	lx_calls_init(&l);
	for (size_t i = 0; i < n; i++) {
		struct lx_call *c = lx_calls_add(&l, oracle, 36, 0);
		if (!c)
			die("reads: out of memory", NULL);
		static const uint8_t sel[4] = {0xb3, 0x59, 0x6f, 0x07}; /* getAssetPrice(address) */
		memcpy(c->data, sel, 4);
		/* the replay node's reserves: 0xa55e7000…0001 .. …0004 */
		c->data[16] = 0xa5;
		c->data[17] = 0x5e;
		c->data[18] = 0x70;
		c->data[35] = (uint8_t)(1 + i % 4);
		c->result_min = 32;
	}
	double t[3];
	size_t done[3] = {n, n, n / 10 ? n / 10 : 1};
	for (int k = 0; k < 3; k++) {
		struct lx_rpc_opts ro;
		memset(&ro, 0, sizeof(ro));
		ro.urls[0] = url;
		ro.n_urls = 1;
		ro.max_retries = -1;
		ro.max_inflight = inflight;
		ro.batch = k == 2 ? 1 : 100;
		struct lx_rpc *rpc;
		if (lx_rpc_create(&rpc, &ro, &e))
			die("rpc", &e);
		double t0 = now();
		if (k == 1) {
			/* the floor: the same requests, batched, chunked alike; answers dropped */
			size_t chunk = 1600;
			struct lx_rpc_req *rq = calloc(chunk, sizeof(*rq));
			if (!rq)
				die("reads: out of memory", NULL);
			for (size_t b = 0; b < n; b += chunk) {
				size_t m = n - b < chunk ? n - b : chunk;
				memset(rq, 0, m * sizeof(*rq));
				for (size_t i = 0; i < m; i++) {
					rq[i].method = "eth_call";
					rq[i].params = lx_rpc_call_params(oracle, l.v[b + i].data, 36, 1);
				}
				if (lx_rpc_batch(rpc, rq, m, 0))
					die("reads floor", &rq[0].err);
				for (size_t i = 0; i < m; i++)
					json_decref(rq[i].result);
			}
			free(rq);
		} else {
			size_t keep = l.n;
			l.n = done[k];
			if (lx_sync_reads(rpc, &l, 1, true, "bench", &e))
				die("reads", &e);
			l.n = keep;
			for (size_t i = 0; i < done[k]; i++)
				if (l.v[i].result_len != 32)
					die("reads: an answer is not one word", NULL);
		}
		t[k] = now() - t0;
		lx_rpc_destroy(rpc);
	}
	lx_calls_release(&l);
	printf("contract reads, sync's path (batches of 100)  %8.2f s  %10.0f reads/s  (%zu reads)\n",
	       t[0], (double)done[0] / t[0], done[0]);
	printf("contract reads, client alone (floor)          %8.2f s  %10.0f reads/s\n", t[1],
	       (double)done[1] / t[1]);
	printf("contract reads, one request per read          %8.2f s  %10.0f reads/s  (%zu reads)\n",
	       t[2], (double)done[2] / t[2], done[2]);
	printf("ratio read path / floor                       %8.2f\n", t[0] / t[1]);
	/* on loopback a round trip costs little: on a remote node batches also save round trips,
	 * and requests (what a provider's rate limit counts) */
	printf("reads/s, batches / one request per read       %8.2f\n",
	       ((double)done[0] / t[0]) / ((double)done[2] / t[2]));
}

static void risk_bench(size_t n)
{
	static const unsigned dec[4] = {18, 6, 18, 8};
	static const uint64_t px[4] = {200000000000ull, 100000000ull, 100000000ull, 6000000000000ull};
	static const uint16_t lt[4] = {8250, 8000, 8000, 7500};
	struct lx_asset_info as[4];
	struct lx_price_feed fd[1];
	struct lx_market_view mv;
	memset(&mv, 0, sizeof(mv));
	memset(as, 0, sizeof(as));
	memset(fd, 0, sizeof(fd));
	for (int k = 0; k < 4; k++) {
		as[k].decimals = (uint8_t)dec[k];
		lx_u256_from_u64(&as[k].price, px[k]);
		snprintf(as[k].symbol, sizeof(as[k].symbol), "%s",
			 (const char *[]){"WETH", "USDC", "DAI", "WBTC"}[k]);
	}
	fd[0].same_as = LX_FEED_NONE;
	fd[0].emode = 2;
	lx_u256_from_u64(&fd[0].price, 200350000000ull);
	mv.ops = &lx_aave_v3_market_ops;
	mv.health_method = LX_HEALTH_AAVE_V3;
	mv.base_decimals = 8;
	mv.rules.default_close_factor_bps = 5000; /* Aave 3.0 */
	mv.rules.max_close_factor_bps = 10000;
	lx_u256_from_u64(&mv.rules.full_close_hf, 950000000000000000ull);
	for (int k = 0; k < 4; k++)
		as[k].liq_protocol_fee_bps = 1000;
	mv.assets = as;
	mv.n_assets = 4;
	mv.feeds = fd;
	mv.n_feeds = 1;
	struct lx_account_view *ac = calloc(n, sizeof(*ac));
	struct lx_asset_pos *ps = calloc(n * 4, sizeof(*ps));
	if (!ac || !ps)
		die("risk bench: out of memory", NULL);
	uint64_t x = 0x9e3779b97f4a7c15ull;
#define RND(m) (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x % (m))
	for (size_t i = 0; i < n; i++) {
		struct lx_account_view *a = &ac[i];
		a->pos = &ps[i * 4];
		bool em = RND(5) == 0, self = RND(4) == 0;
		uint32_t c = em ? (uint32_t)(RND(2) ? 0 : 3) : (uint32_t)RND(4);
		uint32_t d = em ? (c == 0 ? 3u : 0u) : (c + 1 + (uint32_t)RND(3)) % 4;
		/* collateral worth $1k-$1M; debt sized for an HF in 1-2.5 */
		double cval = 1e3 * (double)(1 + RND(1000)), hf = 1.0 + (double)RND(1500) / 1000.0;
		double dval = cval * lt[c] / 1e4 / hf;
		struct lx_asset_pos *p = &a->pos[a->n_pos++];
		p->asset = c;
		p->collateral = true;
		p->liq_threshold_bps = em ? 9300 : lt[c];
		lx_u256_from_u64(&p->supplied, (uint64_t)(cval / ((double)px[c] / 1e8) *
							   pow(10, dec[c] > 12 ? 12 : dec[c])));
		if (dec[c] > 12)
			lx_u256_mul(&p->supplied, &p->supplied,
				    &(struct lx_u256){{1000000, 0, 0, 0}});
		struct lx_asset_pos *q = self ? p : &a->pos[a->n_pos++];
		if (!self) {
			q->asset = d;
			q->liq_threshold_bps = em ? 9300 : lt[d];
		}
		double dtok = (self ? dval * 0.5 : dval) / ((double)px[q->asset] / 1e8);
		lx_u256_from_u64(&q->borrowed, (uint64_t)(dtok * pow(10, dec[q->asset] > 12 ? 12
										: dec[q->asset])));
		if (dec[q->asset] > 12)
			lx_u256_mul(&q->borrowed, &q->borrowed, &(struct lx_u256){{1000000, 0, 0, 0}});
		if (self) { /* and the rest of the debt in another asset */
			struct lx_asset_pos *r = &a->pos[a->n_pos++];
			r->asset = em ? (c == 0 ? 3u : 0u) : (c + 1) % 4;
			r->liq_threshold_bps = em ? 9300 : lt[r->asset];
			double t = dval * 0.5 / ((double)px[r->asset] / 1e8);
			lx_u256_from_u64(&r->borrowed, (uint64_t)(t * pow(10, dec[r->asset] > 12
										      ? 12 : dec[r->asset])));
			if (dec[r->asset] > 12)
				lx_u256_mul(&r->borrowed, &r->borrowed,
					    &(struct lx_u256){{1000000, 0, 0, 0}});
		}
		for (size_t k = 0; k < a->n_pos; k++) {
			struct lx_asset_pos *z = &a->pos[k];
			z->price = as[z->asset].price;
			z->borrowed_variable = z->borrowed;
			z->liq_bonus_bps = em ? 10100 : 10500;
			if (em) {
				z->feed = 1;
				z->price = fd[0].price;
			}
		}
		a->emode = em ? 2 : 0;
		if (lx_model_health(&a->health, &mv, a, NULL))
			die("risk bench: health", NULL);
	}
#undef RND
	mv.accounts = ac;
	mv.n_accounts = n;
	double t0 = now(), c0 = cpu_now();
	struct lx_liq_point *pts;
	size_t n_pts, n_lad, found = 0, undecided = 0;
	if (lx_risk_liq_points(&mv, &pts, &n_pts))
		die("risk bench: liquidation prices", NULL);
	double liq_s = now() - t0, liq_c = cpu_now() - c0;
	for (size_t i = 0; i < n_pts; i++) {
		found += pts[i].status == LX_LIQ_FOUND;
		undecided += pts[i].status == LX_LIQ_UNDECIDED;
	}
	struct lx_ladder *lad;
	double t1 = now(), c1 = cpu_now();
	if (lx_risk_ladders(&mv, &lad, &n_lad))
		die("risk bench: ladders", NULL);
	double lad_s = now() - t1, lad_c = cpu_now() - c1;
	printf("risk pass, synthetic market of %zu accounts with debt (one thread):\n", n);
	printf("  exact liquidation prices (%zu points, %zu found, %zu undecided)\n"
	       "                                   %8.2f s wall %8.2f s CPU\n",
	       n_pts, found, undecided, liq_s, liq_c);
	printf("  ladders (%zu, every level recomputed per holder)\n"
	       "                                   %8.2f s wall %8.2f s CPU\n",
	       n_lad, lad_s, lad_c);
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < ac[i].n_pos; j++)
				if (ac[i].pos[j].asset == k)
					lx_u256_add(&as[k].total_supplied, &as[k].total_supplied,
						    &ac[i].pos[j].supplied);
	cascade_bench(&mv);
	free(pts);
	free(lad);
	free(ac);
	free(ps);
}

/*
 * Cascades over every account of mv: the asset holding the most collateral shocked -30 % with
 * the percentage model, then with the DEX model on a synthetic Uniswap V3 pool (liquidity over
 * 400 initialized ticks), then a sweep of 10 shocks with the DEX model. The floor is one health
 * pass over every account, which each round needs at least once.
 */
static void cascade_bench(const struct lx_market_view *mv)
{
	struct lx_error e;
	/* 2b'. cascades over every account: the floor is one health pass (each round needs at
	 * least that); the asset holding the most collateral is shocked -30% */
	double t5 = now(), c5 = cpu_now();
	for (size_t i = 0; i < mv->n_accounts; i++) {
		struct lx_health h;
		lx_model_health(&h, mv, &mv->accounts[i], NULL);
	}
	double hp_s = now() - t5, hp_c = cpu_now() - c5;
	size_t big = 0;
	double bigv = -1;
	for (size_t k = 0; k < mv->n_assets; k++) {
		double v = lx_u256_to_double(&mv->assets[k].total_supplied) *
			   lx_u256_to_double(&mv->assets[k].price);
		for (unsigned d = 0; d < mv->assets[k].decimals; d++)
			v /= 10;
		if (v > bigv) {
			bigv = v;
			big = k;
		}
	}
	struct lx_shock shock = {big, -3000};
	struct lx_cascade cc;
	struct lx_cascade_opts co;
	memset(&co, 0, sizeof(co));
	double t6 = now(), c6 = cpu_now();
	if (mv->n_assets && lx_risk_cascade_run(mv, &shock, 1, &co, &cc, &e))
		die("cascade", &e);
	double casc_s = now() - t6, casc_c = cpu_now() - c6;
	if (getenv("LX_BENCH_DEBUG"))
		for (size_t i = 0; i < cc.n_liq && i < 40; i++)
			fprintf(stderr, "liq %zu acct %zu seq %u pair %zu/%zu hf %.4f cf %u repaid %.6g\n", i,
				cc.liq[i].account, cc.liq[i].seq, cc.liq[i].collateral_asset,
				cc.liq[i].debt_asset, lx_u256_to_double(&cc.liq[i].hf_before) / 1e18,
				cc.liq[i].close_factor_bps, lx_u256_to_double(&cc.liq[i].debt_repaid));
	size_t casc_liq = mv->n_assets ? cc.n_liq : 0, casc_rounds = mv->n_assets ? cc.n_rounds : 0;
	if (mv->n_assets)
		lx_cascade_release(&cc);
	/* the DEX model: the shocked asset in a synthetic pool against another asset, liquidity
	 * spread over 400 initialized ticks so sales cross many of them */
	struct lx_dex *dex = NULL;
	double dex_s = 0, sweep_s = 0, dex_c = 0, sweep_c = 0;
	size_t dex_liq = 0, dex_rounds = 0, dex_swaps = 0;
	if (mv->n_assets > 1 && lx_dex_create(&dex, mv->n_assets) == 0) {
		struct lx_uv3_pool pool;
		memset(&pool, 0, sizeof(pool));
		pool.fee = 3000;
		pool.tick_spacing = 60;
		lx_uv3_sqrt_at_tick(&pool.sqrt_price, 0);
		pool.tick = 0;
		struct lx_uv3_tick ticks[400];
		__int128 unit = (__int128)1000000000000000000ll * 20000; /* 2e22 per range */
		for (int k = 0; k < 200; k++) {
			ticks[k] = (struct lx_uv3_tick){-(k + 1) * 120, unit};
			ticks[200 + k] = (struct lx_uv3_tick){(k + 1) * 120, -unit};
		}
		pool.liquidity = (unsigned __int128)(unit * 200);
		pool.ticks = ticks;
		pool.n_ticks = 400;
		struct lx_dex_feed feed = {50, 3600};
		lx_dex_add_pool(dex, big, (big + 1) % mv->n_assets, true, &pool);
		lx_dex_set_feed(dex, big, &feed);
		co.dex = dex;
		double t7 = now(), c7 = cpu_now();
		if (lx_risk_cascade_run(mv, &shock, 1, &co, &cc, &e))
			die("cascade (dex)", &e);
		dex_s = now() - t7;
		dex_c = cpu_now() - c7;
		dex_liq = cc.n_liq;
		dex_rounds = cc.n_rounds;
		dex_swaps = cc.n_swaps;
		lx_cascade_release(&cc);
		/* a sweep of 10 shocks, -5% .. -50%, with the DEX model */
		double t8 = now(), c8 = cpu_now();
		for (int k = 1; k <= 10; k++) {
			struct lx_shock sh = {big, -500 * k};
			if (lx_risk_cascade_run(mv, &sh, 1, &co, &cc, &e))
				die("sweep", &e);
			lx_cascade_release(&cc);
		}
		sweep_s = now() - t8;
		sweep_c = cpu_now() - c8;
		lx_dex_destroy(dex);
	}
	printf("cascades over the same %zu accounts, -30%% on %s (one thread; floor = one health "
	       "pass):\n", mv->n_accounts, mv->assets[big].symbol);
	printf("  health pass (floor)              %8.2f s wall %8.2f s CPU\n", hp_s, hp_c);
	printf("  cascade, percent model (%zu liquidations, %zu rounds)\n"
	       "                                   %8.2f s wall %8.2f s CPU  %6.1f floors\n",
	       casc_liq, casc_rounds, casc_s, casc_c, hp_c > 0 ? casc_c / hp_c : 0);
	printf("  cascade, DEX model (%zu liquidations, %zu rounds, %zu swaps)\n"
	       "                                   %8.2f s wall %8.2f s CPU  %6.1f floors\n",
	       dex_liq, dex_rounds, dex_swaps, dex_s, dex_c, hp_c > 0 ? dex_c / hp_c : 0);
	printf("  sweep of 10 shocks (-5%% .. -50%%), DEX model\n"
	       "                                   %8.2f s wall %8.2f s CPU  %6.1f floors\n",
	       sweep_s, sweep_c, hp_c > 0 ? sweep_c / hp_c : 0);
}

int main(int argc, char **argv)
{
	const char *url = arg(argc, argv, "--rpc", NULL), *bin = arg(argc, argv, "--lendex", NULL);
	const char *cdir = arg(argc, argv, "--chains-dir", "bench/chains");
	const char *cname = arg(argc, argv, "--chain", "benchnet");
	const char *work = arg(argc, argv, "--workdir", "/tmp/lendex-bench");
	const char *floor_js = arg(argc, argv, "--floor-js", NULL);
	int conc = (int)strtol(arg(argc, argv, "--concurrency", "4"), NULL, 10);
	if (conc < 1 || conc > 32)
		conc = 4;
	if (argc >= 2 && !strcmp(argv[1], "--risk-only")) {
		long n = argc >= 3 ? strtol(argv[2], NULL, 10) : 100000;
		risk_bench(n > 0 && n <= 10000000 ? (size_t)n : 100000);
		return 0;
	}
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
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/sync' '%s/apply0' '%s/apply1' && mkdir -p '%s'", work,
		 work, work, work);
	if (system(cmd))
		die("workdir", NULL);

	/* 0. the same requests for the outside floors: curl (bytes only) and V8 (JSON.parse) */
	struct lx_proto *p0;
	if (lx_proto_create(&p0, chain, dep, NULL, NULL, &e))
		die("proto", &e);
	static struct lx_filter f0;
	char reqs[1024], cfg[1024];
	snprintf(reqs, sizeof(reqs), "%s/requests.jsonl", work);
	snprintf(cfg, sizeof(cfg), "%s/curl.cfg", work);
	FILE *rf = fopen(reqs, "w"), *cf = fopen(cfg, "w");
	if (!rf || !cf)
		die("cannot write the request files", NULL);
	p0->ops->discovery_filter(p0, &f0);
	write_requests(rf, &f0, dep->start_block, head, span);
	p0->ops->filter(p0, &f0); /* the main filter before discovery: at most wider */
	write_requests(rf, &f0, dep->start_block, head, span);
	fclose(rf);
	lx_proto_destroy(p0);
	rf = fopen(reqs, "r");
	char *line = NULL;
	size_t lcap = 0;
	size_t n_req = 0;
	ssize_t ll;
	while ((ll = getline(&line, &lcap, rf)) > 0) {
		line[ll - 1] = 0;
		fprintf(cf, "%surl = \"%s\"\nheader = \"Content-Type: application/json\"\n"
			    "data-binary = \"@%s/req%zu.json\"\noutput = \"/dev/null\"\n",
			n_req ? "next\n" : "", url, work, n_req);
		char one[2100];
		snprintf(one, sizeof(one), "%s/req%zu.json", work, n_req++);
		FILE *o = fopen(one, "w");
		if (!o)
			die("cannot write a request file", NULL);
		fputs(line, o);
		fclose(o);
	}
	free(line);
	fclose(rf);
	fclose(cf);
	snprintf(cmd, sizeof(cmd),
		 "curl -s --fail --parallel --parallel-max %d -K '%s' 2>/dev/null", conc,
		 cfg);
	double serve_s = timed(cmd, "curl serve floor");
	double v8_s = 0;
	if (floor_js) {
		char out[1024];
		snprintf(out, sizeof(out), "%s/v8.txt", work);
		snprintf(cmd, sizeof(cmd), "node '%s' '%s' '%s' %d plain > '%s'", floor_js, url, reqs,
			 conc, out);
		timed(cmd, "reference parse floor");
		FILE *o = fopen(out, "r");
		char text[128] = "";
		if (!o || !fgets(text, sizeof(text), o) || (v8_s = strtod(text, NULL)) <= 0)
			die("reference parse floor output", NULL);
		fclose(o);
	}

	/* 1. lendex's client: discovery + main logs downloaded and parsed, nothing applied */
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
	/* total RSS counts the store's file pages LMDB has mapped (they grow with the store and the
	 * kernel may drop them); the heap is RssAnon, sampled every 10 ms */
	long anon_kb = 0;
	while (wait4(pid, &status, WNOHANG, &ru) == 0) {
		long kb = rss_anon_kb(pid);
		if (kb > anon_kb)
			anon_kb = kb;
		usleep(10000);
	}
	double sync_s = now() - t1;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("lendex sync failed", NULL);
	struct lx_store *st;
	if (lx_store_open(&st, dd, LX_STORE_RDONLY, &e))
		die("store", &e);
	uint64_t size = lx_store_size(st);

	/* 2b. the risk pass's exact liquidation prices (fall and rise, every feed) and ladders over
	 * every synced account, from the synced store's market view */
	struct lx_store_txn *rt;
	struct lx_proto *vp;
	struct lx_market_view mv;
	struct lx_sync_cursor cur;
	if (lx_store_begin(st, false, &rt, &e) ||
	    lx_proto_create(&vp, chain, dep, NULL, rt, &e) ||
	    lx_store_cursor_get(rt, lx_chain_id(chain), &cur, &e) ||
	    vp->ops->view(vp, rt, cur.timestamp, NULL, 0, 0, &mv, &e))
		die("view", &e);
	double t3 = now();
	struct lx_liq_point *pts = NULL;
	size_t n_pts = 0, n_lad = 0, n_found = 0;
	/* Aave V4 views: the risk pass's liquidation prices need health bisection for markets
	 * other than Aave V2/V3 (not there yet): the sync figures are still measured */
	bool risk_skipped = mv.protocol == LX_PROTO_AAVE_V4;
	if (!risk_skipped && lx_risk_liq_points(&mv, &pts, &n_pts))
		die("liquidation prices", NULL);
	double liq_s = now() - t3;
	struct lx_ladder *lad = NULL;
	double t4 = now();
	if (!risk_skipped && lx_risk_ladders(&mv, &lad, &n_lad))
		die("ladders", NULL);
	double lad_s = now() - t4;
	for (size_t i = 0; i < n_pts; i++)
		n_found += pts[i].status == LX_LIQ_FOUND;
	size_t n_view_accounts = mv.n_accounts;
	free(pts);
	free(lad);
	lx_market_view_release(&mv);
	lx_proto_destroy(vp);
	lx_store_abort(rt);
	lx_store_close(st);

	/* 2c. `position` of one account, less the start of a process that does nothing: the
	 * fastest of 20 runs each (the minimum is what the machine's noise leaves alone) */
	const char *pos_argv[] = {bin, "position", "0xcafe000000000000000000000000000000000001",
				  "--chain", cname, "--chains-dir", cdir, "--datadir", dd, "--json",
				  NULL};
	const char *ver_argv[] = {bin, "--version", NULL};
	double start_s = fastest(ver_argv, 50), pos_s = fastest(pos_argv, 50) - start_s;

	/* 2b. with --verify: the same sync proving every log (headers, receipts, signers) */
	double verify_s = 0;
	if (arg(argc, argv, "--verify", NULL)) {
		snprintf(dd, sizeof(dd), "%s/verify", work);
		double tv = now();
		pid_t vpid = fork();
		if (vpid == 0) {
			execl(bin, bin, "sync", "--chain", cname, "--chains-dir", cdir, "--rpc", url,
			      "--datadir", dd, "--verify", "--quiet", (char *)NULL);
			_exit(127);
		}
		int vst = 0;
		waitpid(vpid, &vst, 0);
		verify_s = now() - tv;
		if (!WIFEXITED(vst) || WEXITSTATUS(vst))
			die("lendex sync --verify failed", NULL);
	}

	/* 3. apply only: the logs from step 1 into a fresh store, one transaction per range, with
	 * durable commits (as sync) and without fsync (the CPU cost of applying alone) */
	double apply_s = 0, apply_cpu_s = 0, apply_cpu = 0;
	for (int pass = 0; pass < 2; pass++) {
		snprintf(dd, sizeof(dd), "%s/apply%d", work, pass);
		if (lx_store_open(&st, dd, LX_STORE_CREATE | (pass ? LX_STORE_NOSYNC : 0), &e))
			die("store", &e);
		double t2 = now(), c2 = cpu_now();
		for (size_t i = 0; i < n_sets; i++) {
			struct apply_ctx c = {p, &sets[i]};
			if (lx_store_write(st, apply_fn, &c, &e))
				die("apply", &e);
		}
		*(pass ? &apply_cpu_s : &apply_s) = now() - t2;
		if (pass)
			apply_cpu = cpu_now() - c2;
		lx_store_close(st);
	}

	printf("bench: %zu logs, %llu blocks, ranges of %llu blocks, %d in flight\n", logs,
	       (unsigned long long)(head - dep->start_block + 1), (unsigned long long)span, conc);
	printf("serve floor (curl, bytes only)             %8.2f s  %10.0f logs/s\n", serve_s,
	       (double)logs / serve_s);
	if (floor_js)
		printf("reference parse (V8 JSON.parse)            %8.2f s  %10.0f logs/s\n", v8_s,
		       (double)logs / v8_s);
	printf("lendex client (download + parse only)      %8.2f s  %10.0f logs/s\n", floor_s,
	       (double)logs / floor_s);
	printf("lendex sync end to end                     %8.2f s  %10.0f logs/s\n", sync_s,
	       (double)logs / sync_s);
	printf("ratio sync / serve floor                   %8.2f   (goal <= 1.2)\n", sync_s / serve_s);
	if (floor_js)
		printf("ratio sync / reference parse               %8.2f\n", sync_s / v8_s);
	printf("ratio lendex client / serve floor          %8.2f\n", floor_s / serve_s);
	if (verify_s > 0) {
		printf("lendex sync --verify end to end            %8.2f s  %10.0f logs/s\n", verify_s,
		       (double)logs / verify_s);
		printf("ratio sync --verify / sync                 %8.2f   (goal <= 2)\n",
		       verify_s / sync_s);
	}
	printf("apply only (from memory, fsync per range)  %8.2f s  %10.0f events/s\n", apply_s,
	       (double)logs / apply_s);
	printf("apply only (from memory, no fsync)         %8.2f s  %10.0f events/s\n", apply_cpu_s,
	       (double)logs / apply_cpu_s);
	printf("apply only, per CPU second (no fsync)      %8.2f s  %10.0f events/s  (goal >= 500k)\n",
	       apply_cpu, (double)logs / apply_cpu);
	printf("peak RSS of sync (incl. mapped store)      %8.1f MiB\n", (double)ru.ru_maxrss / 1024);
	printf("peak heap of sync (RssAnon, sampled)       %8.1f MiB   (goal <= 256)\n",
	       (double)anon_kb / 1024);
	printf("store size                                 %8.1f MiB   (%.1f MiB per million logs)\n",
	       (double)size / 1048576, (double)size / 1048576 / ((double)logs / 1e6));
	printf("position of one account                    %8.2f ms  (process start %.1f ms excluded)\n",
	       pos_s * 1e3, start_s * 1e3);
	if (risk_skipped) {
		printf("liquidation prices and ladders              not computed for %s views\n",
		       lx_protocol_name(dep->protocol));
	} else {
		printf("liquidation prices, %zu accounts (%zu points, %zu found)  %8.2f s\n",
		       n_view_accounts, n_pts, n_found, liq_s);
		printf("liquidation ladders, %zu accounts (%zu ladders)         %8.2f s\n",
		       n_view_accounts, n_lad, lad_s);
	}
	struct lx_addr oracle;
	if (dep->protocol == LX_PROTO_AAVE_V3 &&
	    lx_deployment_contract(dep, "oracle", &oracle, &e) == 0)
		reads_bench(url, &oracle, conc * 3, 50000);
	for (size_t i = 0; i < n_sets; i++)
		lx_logset_release(&sets[i]);
	free(sets);
	lx_proto_destroy(p);
	lx_rpc_destroy(rpc);
	lx_chain_destroy(chain);
	risk_bench(100000);
	return 0;
}
