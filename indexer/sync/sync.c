/*
 * sync.c: fetch → decode → apply, resumable, in block order (see sync.h).
 *
 * A queue of contiguous block ranges starts at the cursor. Up to `concurrency` ranges are
 * fetched at once on a producer thread (each: eth_getLogs per handler filter, its answer read
 * as it arrives, and the headers of its first and last block). A range the provider refuses is
 * split (to the provider's suggestion when it gives one); the span widens again after
 * successes. The contract reads of a run (prices) are made on the applying thread after the
 * producer has ended, planned from the state the last range's own logs leave, and pinned to its
 * last block. Fetched ranges are applied strictly in order,
 * each in one write transaction that also moves the cursor, so a crash leaves the store at a
 * range boundary and a rerun continues from there. Inside the reorg window every change is
 * recorded for undo; a parent-hash mismatch unwinds to the fork point and re-applies.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lendex/hex.h"
#include "lendex/proto.h"
#include "lendex/sync.h"
#include "lendex/testhook.h"
#include "reads.h"

#define MAX_PROTOS 16
/* ranges planned or fetched but not yet handed on: splits under a strict provider can
 * multiply them (2000-block ranges cut to 10 blocks); the queue is on the heap */
#define MAX_QUEUE 4096
#define MAX_CONCURRENCY 32
#define MAX_ATTEMPTS 4 /* tries of a range whose answers disagree with each other */

struct range {
	uint64_t from, to;
	bool fetched;
	bool refused;
	uint64_t suggest;              /* provider's suggested span, 0 if none */
	struct lx_error refusal;       /* the node's words when it refused */
	int attempts;                  /* fetches whose answers were inconsistent */
	struct lx_error bad;           /* what was inconsistent the last time */
	struct lx_logset logs;
	struct lx_block_ref first, last;
	bool prices;                   /* read contract state at `to` */
	uint64_t ignored;              /* logs no handler asked for (set by apply) */
	struct lx_log_ref first_ignored;
	struct lx_calls calls[MAX_PROTOS]; /* the run's reads at `to` (prices, balances) */
	struct lx_verified verified;   /* sync --verify: proven signers of the range's txs */
	bool unproven;                 /* --verify: `from` does not extend the linked chain */
	struct lx_calls lreads[MAX_PROTOS]; /* reads the range's logs need at their own blocks */
};

struct sync {
	struct lx_store *st;
	struct lx_rpc *rpc;
	const struct lx_sync_opts *o;
	const struct lx_chain *chain;
	size_t n;
	struct lx_proto *p[MAX_PROTOS];
	uint64_t start, target, head, window_lo, span, max_span;
	struct lx_sync_cursor cur;
	bool have_cur;
	struct lx_sync_result *res;
	double t0, last_print;
	uint64_t first_block;
	_Atomic uint64_t retries;      /* the client's retry count, published by whoever uses it */
	struct lx_filter *filters;     /* each handler's main filter, taken before the producer
					* starts: the producer never calls into a handler */
	struct lx_filter *filt;        /* per handler, refreshed by each apply: what we asked for */
	struct lx_event_counts tally;  /* the range being applied, by event and fate (consumer) */
	bool skip[MAX_PROTOS];         /* catch_up's fetch: handlers with nothing to fetch */
	bool record;                   /* the next applied range records held emitters (and the
					* chain's marker: this store records them) */
	struct lx_addr *held;          /* those emitters */
	size_t n_held;
	bool dep_new[MAX_PROTOS];      /* catch-up: the handler's deployment is not held */
};

/* _followed: chain (8) · emitter (20) -> version (1): the store holds the emitter's logs from
 * its deployment's start block on; chain (8) alone: this store records them (absent in a store
 * from before lendex did). Only handlers with history_before_discovery use it. */
#define T_FOLLOWED "_followed"
/* _followed_dep: chain (8) · deployment name -> version (1): the store holds that deployment's
 * logs from its start block (a deployment added to chains/ later is caught up). */
#define T_FOLLOWED_DEP "_followed_dep"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void range_release(struct range *r)
{
	lx_logset_release(&r->logs);
	lx_verified_release(&r->verified);
	for (size_t i = 0; i < MAX_PROTOS; i++) {
		lx_calls_release(&r->calls[i]);
		lx_calls_release(&r->lreads[i]);
	}
	memset(r, 0, sizeof(*r));
}

static void range_init(struct range *r, uint64_t from, uint64_t to)
{
	memset(r, 0, sizeof(*r));
	r->from = from;
	r->to = to;
	lx_logset_init(&r->logs);
}

static void progress(struct sync *s, bool final)
{
	int mode = s->o->progress;
	if (!mode)
		return;
	double t = now_s();
	if (!final && t - s->last_print < (mode == 2 ? 0.2 : 5.0))
		return;
	s->last_print = t;
	/* the producer thread owns the client's counters while it runs: read its published copy */
	uint64_t retries = atomic_load(&s->retries);
	uint64_t done = s->cur.block >= s->first_block ? s->cur.block - s->first_block + 1 : 0;
	uint64_t total = s->target >= s->first_block ? s->target - s->first_block + 1 : 1;
	double el = t - s->t0 > 1e-6 ? t - s->t0 : 1e-6;
	double bps = (double)done / el, lps = (double)s->res->logs / el;
	double eta = bps > 0 ? (double)(total - done) / bps : 0;
	double pct = 100.0 * (double)done / (double)total;
	if (mode == 2)
		fprintf(stderr,
			"\rsync %s: block %llu/%llu %5.1f%% %8.0f blk/s %8.0f logs/s eta %5.0fs "
			"retries %llu%s",
			s->chain->name, (unsigned long long)s->cur.block,
			(unsigned long long)s->target, pct, bps, lps, eta,
			(unsigned long long)retries, final ? "\n" : "");
	else
		fprintf(stderr,
			"sync chain=%s block=%llu target=%llu pct=%.1f blocks_per_s=%.0f "
			"logs_per_s=%.0f eta_s=%.0f retries=%llu\n",
			s->chain->name, (unsigned long long)s->cur.block,
			(unsigned long long)s->target, pct, bps, lps, eta,
			(unsigned long long)retries);
}

/* Called by the thread that owns the client after using it. */
static void publish_stats(struct sync *s)
{
	atomic_store(&s->retries, lx_rpc_stats(s->rpc)->retries);
}

static int cmp_log(const void *a, const void *b)
{
	const struct lx_log *x = a, *y = b;
	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->log_index < y->log_index ? -1 : x->log_index > y->log_index;
}

/*
 * The answer of one eth_getLogs must describe the request: every log inside [from, to] and
 * no (block, log index) twice. Anything else is a bad answer (the client retries it). Checked
 * on the logs the answer appended (logs[first..n)), before the range takes them.
 */
struct pair {
	uint64_t block, index;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int check_logs(const struct lx_rpc_req *rq, const struct lx_logset *set, size_t first,
		      void *ctx, struct lx_error *err)
{
	(void)rq;
	const struct range *r = ctx;
	size_t n = set->n - first;
	struct pair *pr = malloc((n ? n : 1) * sizeof(*pr));
	if (!pr)
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct lx_log *l = &set->logs[first + i];
		pr[i] = (struct pair){l->block, l->log_index};
		if (l->block < r->from || l->block > r->to)
			rc = lx_error_set(err, LX_EBADRESP,
					  "log #%zu is in block %llu, outside the blocks asked for "
					  "(%llu-%llu)",
					  i, (unsigned long long)l->block, (unsigned long long)r->from,
					  (unsigned long long)r->to);
	}
	if (!rc && n > 1) {
		qsort(pr, n, sizeof(*pr), cmp_pair);
		for (size_t i = 1; i < n && !rc; i++)
			if (pr[i].block == pr[i - 1].block && pr[i].index == pr[i - 1].index)
				rc = lx_error_set(err, LX_EBADRESP,
						  "log %llu of block %llu appears twice",
						  (unsigned long long)pr[i].index,
						  (unsigned long long)pr[i].block);
	}
	free(pr);
	return rc;
}

static const uint8_t zero32[32];

static const char *hex32(char buf[67], const uint8_t *h)
{
	lx_hex_encode(buf, 67, h, 32);
	return buf;
}

/* Marks r inconsistent (to be fetched again; r->bad says why); 0, or the error after the last
 * try. */
static int inconsistent(struct range *r, struct lx_error *err)
{
	lx_logset_release(&r->logs);
	lx_logset_init(&r->logs);
	memset(&r->first, 0, sizeof(r->first));
	memset(&r->last, 0, sizeof(r->last));
	if (++r->attempts >= MAX_ATTEMPTS) {
		*err = r->bad;
		return lx_error_prefix(err, "sync: inconsistent answers for blocks %llu-%llu after %d "
				       "tries", (unsigned long long)r->from,
				       (unsigned long long)r->to, r->attempts);
	}
	return 0;
}

/*
 * Checks a fetched range's logs against its headers: every log carries a blockHash, and it is
 * the hash of the header fetched for its block (the range's first and last block, and every
 * block with logs when the node gave no timestamps or inside the reorg window). A node behind
 * a load balancer can answer eth_getLogs from one fork and the header from another: that is an
 * inconsistent answer, fetched again. Fills timestamps from the headers. Returns 0 with
 * *again set when the range must be fetched again, or an error.
 */
static int check_headers(struct sync *s, struct range *r, bool *again, struct lx_error *err)
{
	*again = false;
	uint64_t hb[2] = {r->from, r->to};
	const struct lx_block_ref *hr[2] = {&r->first, &r->last};
	char g[67], w[67];
	for (int i = 0; i < 2; i++)
		if (hr[i]->number != hb[i]) {
			*again = true;
			lx_error_set(&r->bad, LX_EBADRESP, "the header asked for block %llu is block %llu",
				     (unsigned long long)hb[i], (unsigned long long)hr[i]->number);
			return inconsistent(r, err);
		}
	if (r->from == r->to && memcmp(r->first.hash, r->last.hash, 32)) {
		*again = true;
		lx_error_set(&r->bad, LX_EBADRESP, "two headers of block %llu differ (%s, %s)",
			     (unsigned long long)r->from, hex32(g, r->first.hash),
			     hex32(w, r->last.hash));
		return inconsistent(r, err);
	}
	for (size_t i = 0; i < r->logs.n; i++) {
		const struct lx_log *l = &r->logs.logs[i];
		const struct lx_log *prev = i ? &r->logs.logs[i - 1] : NULL;
		const struct lx_block_ref *h = l->block == r->from ? &r->first
					       : l->block == r->to ? &r->last : NULL;
		bool bad = true;
		if (!memcmp(l->block_hash, zero32, 32))
			lx_error_set(&r->bad, LX_EBADRESP, "log %u of block %llu carries no blockHash",
				     l->log_index, (unsigned long long)l->block);
		else if (prev && prev->block == l->block && memcmp(l->block_hash, prev->block_hash, 32))
			lx_error_set(&r->bad, LX_EBADRESP,
				     "logs of block %llu carry two blockHashes (%s, %s)",
				     (unsigned long long)l->block, hex32(g, prev->block_hash),
				     hex32(w, l->block_hash));
		else if (h && memcmp(l->block_hash, h->hash, 32))
			lx_error_set(&r->bad, LX_EBADRESP,
				     "log %u of block %llu has blockHash %s but the block's header "
				     "says %s", l->log_index, (unsigned long long)l->block,
				     hex32(g, l->block_hash), hex32(w, h->hash));
		else
			bad = false;
		if (bad) {
			*again = true;
			return inconsistent(r, err);
		}
		if (h && !r->logs.have_timestamps)
			r->logs.logs[i].timestamp = h->timestamp;
	}
	/* the blocks in between: their headers, when timestamps are missing or a reorg is possible */
	bool need = !r->logs.have_timestamps || r->to > s->window_lo;
	if (!need)
		return 0;
	uint64_t *blocks = malloc(r->logs.n * sizeof(*blocks));
	struct lx_rpc_req *rq = calloc(r->logs.n, sizeof(*rq));
	if (!blocks || !rq) {
		free(blocks);
		free(rq);
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	}
	size_t nb = 0;
	for (size_t i = 0; i < r->logs.n; i++) {
		uint64_t b = r->logs.logs[i].block;
		if (b != r->from && b != r->to && (!nb || blocks[nb - 1] != b))
			blocks[nb++] = b;
	}
	for (size_t i = 0; i < nb; i++) {
		rq[i].method = "eth_getBlockByNumber";
		rq[i].params = lx_rpc_block_params(blocks[i]);
	}
	/* many small calls: JSON-RPC batches of 100 */
	int rc = nb ? lx_rpc_batch(s->rpc, rq, nb, 100) : 0;
	if (rc)
		for (size_t i = 0; i < nb; i++)
			if (rq[i].rc) {
				*err = rq[i].err;
				break;
			}
	size_t k = 0;
	for (size_t i = 0; i < nb && !rc && !*again; i++) {
		struct lx_block_ref b;
		if ((rc = lx_rpc_parse_block(rq[i].result, &b, err))) {
			lx_error_prefix(err, "block %llu", (unsigned long long)blocks[i]);
			break;
		}
		while (k < r->logs.n && r->logs.logs[k].block < blocks[i])
			k++;
		for (; k < r->logs.n && r->logs.logs[k].block == blocks[i]; k++) {
			struct lx_log *l = &r->logs.logs[k];
			if (b.number != blocks[i] || memcmp(l->block_hash, b.hash, 32)) {
				*again = true;
				lx_error_set(&r->bad, LX_EBADRESP,
					     "log %u of block %llu has blockHash %s but the block's "
					     "header says %s", l->log_index,
					     (unsigned long long)blocks[i], hex32(g, l->block_hash),
					     hex32(w, b.hash));
				rc = inconsistent(r, err);
				break;
			}
			l->timestamp = b.timestamp;
		}
	}
	for (size_t i = 0; i < nb; i++)
		json_decref(rq[i].result);
	free(rq);
	free(blocks);
	return rc;
}

/*
 * Makes the reads r's logs need at their own blocks (proto log_reads), before r is applied.
 * A node error fails the fetch like any other; a reverted answer is handed over as no result
 * for the handler to judge.
 */
static int fetch_log_reads(struct sync *s, struct range *r, struct lx_error *err)
{
	int rc = 0;
	for (size_t p = 0; p < s->n && !rc; p++) {
		if (!s->p[p]->ops->log_reads)
			continue;
		lx_calls_release(&r->lreads[p]);
		if ((rc = s->p[p]->ops->log_reads(s->p[p], r->from, r->logs.logs, r->logs.n,
						  &r->lreads[p], err)))
			break;
		rc = lx_sync_reads(s->rpc, &r->lreads[p], r->to, false, s->p[p]->dep->name, err);
		if (rc)
			lx_error_prefix(err, "for a log in blocks %llu-%llu",
					(unsigned long long)r->from, (unsigned long long)r->to);
	}
	return rc;
}

/* Fetches every unfetched range in q[0..n). discovery: only discovery filters, no headers. */
static int fetch(struct sync *s, struct range *q, size_t nq, bool discovery, struct lx_error *err)
{
	size_t max = nq * (s->n + 2);
	struct lx_rpc_req *rq = calloc(max ? max : 1, sizeof(*rq));
	struct {
		size_t range, proto, kind; /* kind 0 logs, 1 first hdr, 2 last hdr */
	} *map = calloc(max ? max : 1, sizeof(*map));
	struct lx_filter *f = malloc(sizeof(*f));
	/* each eth_getLogs answer streams into a set of its own, merged into its range after */
	struct lx_logset *sets = calloc(max ? max : 1, sizeof(*sets));
	if (!rq || !map || !f || !sets) {
		free(rq);
		free(map);
		free(f);
		free(sets);
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	}
	size_t k = 0;
	int rc = 0;
	for (size_t i = 0; i < nq; i++) {
		struct range *r = &q[i];
		if (r->fetched)
			continue;
		r->refused = false;
		r->suggest = 0;
		for (size_t p = 0; p < s->n; p++) {
			if (!discovery && s->skip[p])
				continue;
			if (discovery)
				s->p[p]->ops->discovery_filter(s->p[p], f);
			rq[k].method = "eth_getLogs";
			rq[k].params = lx_rpc_logs_params(discovery ? f : &s->filters[p], r->from,
							  r->to);
			lx_logset_init(&sets[k]);
			rq[k].logs = &sets[k];
			rq[k].check_logs = check_logs;
			rq[k].check_ctx = r;
			map[k].range = i;
			map[k].proto = p;
			map[k++].kind = 0;
		}
		if (discovery)
			continue;
		rq[k].method = "eth_getBlockByNumber";
		rq[k].params = lx_rpc_block_params(r->from);
		map[k].range = i;
		map[k++].kind = 1;
		rq[k].method = "eth_getBlockByNumber";
		rq[k].params = lx_rpc_block_params(r->to);
		map[k].range = i;
		map[k++].kind = 2;
	}
	free(f);
	lx_rpc_run(s->rpc, rq, k);
	for (size_t i = 0; i < k; i++) {
		struct range *r = &q[map[i].range];
		struct lx_rpc_req *x = &rq[i];
		if (x->rc == LX_ERANGE && map[i].kind == 0) {
			r->refused = true;
			r->refusal = x->err;
			if (x->suggest_span && (!r->suggest || x->suggest_span < r->suggest))
				r->suggest = x->suggest_span;
			continue;
		}
		if (x->rc) {
			if (!rc) {
				*err = x->err;
				rc = x->rc;
			}
			continue;
		}
		if (map[i].kind == 0) {
			if (lx_logset_merge(&r->logs, &sets[i]) && !rc)
				rc = lx_error_set(err, LX_ENOMEM, "sync: out of memory");
		} else {
			int e = lx_rpc_parse_block(x->result, map[i].kind == 1 ? &r->first : &r->last,
						   err);
			if (e && !rc)
				rc = lx_error_prefix(err, "block %llu",
						     (unsigned long long)(map[i].kind == 1 ? r->from
											   : r->to));
		}
	}
	for (size_t i = 0; i < k; i++) {
		json_decref(rq[i].result);
		if (map[i].kind == 0)
			lx_logset_release(&sets[i]);
	}
	free(rq);
	free(map);
	free(sets);
	if (rc)
		return rc;
	for (size_t i = 0; i < nq; i++) {
		struct range *r = &q[i];
		if (r->fetched)
			continue;
		if (r->refused) {
			lx_logset_release(&r->logs);
			lx_logset_init(&r->logs);
			continue;
		}
		if (r->logs.n > 1)
			qsort(r->logs.logs, r->logs.n, sizeof(struct lx_log), cmp_log);
		bool again = false;
		/* each request's answer was unique; across a deployment's requests too */
		for (size_t j = 1; j < r->logs.n && !again; j++)
			if (!cmp_log(&r->logs.logs[j], &r->logs.logs[j - 1])) {
				again = true;
				lx_error_set(&r->bad, LX_EBADRESP, "log %u of block %llu is in two answers",
					     r->logs.logs[j].log_index,
					     (unsigned long long)r->logs.logs[j].block);
				if ((rc = inconsistent(r, err)))
					return rc;
			}
		if (!again && !discovery && (rc = check_headers(s, r, &again, err)))
			return rc;
		if (again) {
			/* fetched again next round, after a pause that grows with the tries */
			usleep((useconds_t)(50000u << r->attempts));
			continue;
		}
		if (!discovery && (rc = fetch_log_reads(s, r, err)))
			return rc;
		r->fetched = true;
	}
	return 0;
}

/*
 * Replaces q[i] (refused) by two ranges; returns LX_ERANGE if it is a single block. With no
 * room left in the queue, the tail of the queue is given back to the planner (*next moves
 * back to it) so that no block is ever left out.
 */
static int split(struct sync *s, struct range *q, size_t *nq, size_t i, uint64_t *next,
		 struct lx_error *err)
{
	struct range *r = &q[i];
	uint64_t len = r->to - r->from + 1;
	if (len == 1) {
		*err = r->refusal;
		return lx_error_prefix(err, "sync: eth_getLogs fails even for block %llu alone (too "
				       "many logs for this endpoint? use another --rpc)",
				       (unsigned long long)r->from);
	}
	uint64_t ns = r->suggest && r->suggest < len ? r->suggest : len / 2;
	if (ns == 0)
		ns = 1;
	if (*nq >= MAX_QUEUE) {
		if (i + 1 == *nq) {
			/* the last range: shrink it; the planner continues right after it */
			r->to = r->from + ns - 1;
			r->prices = false;
			*next = r->to + 1;
			s->span = ns;
			s->res->splits++;
			return 0;
		}
		/* drop the tail range (fetched again later) to make room */
		*next = q[*nq - 1].from;
		range_release(&q[*nq - 1]);
		(*nq)--;
	}
	memmove(&q[i + 2], &q[i + 1], (*nq - i - 1) * sizeof(*q));
	struct range a, b;
	range_init(&a, r->from, r->from + ns - 1);
	range_init(&b, a.to + 1, r->to);
	b.prices = r->prices;
	range_release(r);
	q[i] = a;
	q[i + 1] = b;
	(*nq)++;
	s->span = ns;
	s->res->splits++;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct lx_addr));
}

/* Refreshes the handlers' filters (addresses sorted, for wanted()). */
static void load_filters(struct sync *s)
{
	for (size_t p = 0; p < s->n; p++) {
		s->p[p]->ops->filter(s->p[p], &s->filt[p]);
		qsort(s->filt[p].addr, s->filt[p].n_addr, sizeof(struct lx_addr), cmp_addr);
	}
}

/*
 * True if some handler's filter asked for this log (its emitter and topic0). A node that
 * ignores the filter, or a config pointing at the wrong contracts, shows up as logs nobody
 * asked for: they are not applied, and counted so the run says so instead of ending quietly.
 */
static bool wanted(const struct sync *s, const struct lx_log *l)
{
	for (size_t p = 0; p < s->n; p++) {
		const struct lx_filter *f = &s->filt[p];
		if (f->n_addr && !bsearch(&l->address, f->addr, f->n_addr, sizeof(struct lx_addr),
					  cmp_addr))
			continue;
		if (!f->n_topic0)
			return true;
		for (size_t t = 0; l->n_topics && t < f->n_topic0; t++)
			if (!memcmp(f->topic0[t], l->topics[0], 32))
				return true;
	}
	return false;
}

/* What the handlers do with l (a wanted log no handler names is applied, unnamed). */
static void tally_log(struct sync *s, const struct lx_log *l, bool is_wanted)
{
	struct lx_log_class c = {0};
	for (size_t p = 0; p < s->n && c.fate == LX_LOG_NOT_MINE; p++)
		if (s->p[p]->ops->classify)
			s->p[p]->ops->classify(s->p[p], l, &c);
	if (is_wanted && c.fate == LX_LOG_NOT_MINE)
		c.fate = LX_LOG_APPLIED;
	lx_event_counts_add(&s->tally, &c, l->n_topics ? l->topics[0] : NULL, 1);
}

struct apply_ctx {
	struct sync *s;
	struct range *r;
	bool plan;                     /* apply the logs, plan r's contract reads, roll back */
	bool backfill;                 /* catch_up: the logs only, before the cursor, which stays */
};

/* Marks emitters a[0..n) and the run's deployments (all, or only_new: those of dep_new) held. */
static int put_followed(struct lx_store_txn *t, const struct sync *s, const struct lx_addr *a,
			size_t n, bool only_new, struct lx_error *err)
{
	uint8_t k[8 + 64], v = 1;
	uint64_t chain_id = s->chain->chain_id;
	for (int i = 0; i < 8; i++)
		k[i] = (uint8_t)(chain_id >> (56 - 8 * i));
	int rc = lx_store_put(t, T_FOLLOWED, k, 8, &v, 1, err);
	for (size_t i = 0; i < n && !rc; i++) {
		memcpy(k + 8, a[i].b, 20);
		rc = lx_store_put(t, T_FOLLOWED, k, 28, &v, 1, err);
	}
	for (size_t p = 0; p < s->n && !rc; p++) {
		size_t nl = strlen(s->p[p]->dep->name);
		if ((only_new && !s->dep_new[p]) || nl > sizeof(k) - 8)
			continue;
		memcpy(k + 8, s->p[p]->dep->name, nl);
		rc = lx_store_put(t, T_FOLLOWED_DEP, k, 8 + nl, &v, 1, err);
	}
	return rc;
}

#define PLANNED 1 /* apply_fn in plan mode: not an error, the transaction is rolled back */

static int apply_fn(struct lx_store_txn *t, void *vctx, struct lx_error *err)
{
	struct apply_ctx *c = vctx;
	struct sync *s = c->s;
	struct range *r = c->r;
	uint64_t chain_id = s->chain->chain_id;
	struct lx_sync_cursor cur;
	int rc = 0;
	if (!c->backfill) {
		rc = lx_store_cursor_get(t, chain_id, &cur, err);
		if (rc == 0 && cur.block + 1 != r->from)
			return lx_error_set(err, LX_ECORRUPT,
					    "sync: cursor moved under us (at %llu, applying %llu): "
					    "another lendex writing this store?",
					    (unsigned long long)cur.block, (unsigned long long)r->from);
		if (rc && rc != LX_ENOTFOUND)
			return rc;
		lx_error_clear(err);
		if (!c->plan && s->record &&
		    (rc = put_followed(t, s, s->held, s->n_held, false, err)))
			return rc;
	}
	for (size_t p = 0; p < s->n; p++)
		if (s->p[p]->ops->apply_log_reads &&
		    (rc = s->p[p]->ops->apply_log_reads(s->p[p], t, r->lreads[p].v, r->lreads[p].n,
							err)))
			return rc;
	uint64_t marked = 0;
	load_filters(s);
	r->ignored = 0;
	memset(&s->tally, 0, sizeof(s->tally));
	for (size_t i = 0; i < r->logs.n; i++) {
		const struct lx_log *l = &r->logs.logs[i];
		if (!wanted(s, l)) {
			tally_log(s, l, false);
			if (!r->ignored++) {
				r->first_ignored.block = l->block;
				r->first_ignored.log_index = l->log_index;
				memcpy(r->first_ignored.address, l->address.b, 20);
			}
			continue;
		}
		if (l->block != marked) {
			marked = l->block;
			lx_store_txn_set_block(t, chain_id, l->block > s->window_lo ? l->block : 0);
		}
		for (size_t p = 0; p < s->n; p++)
			if ((rc = s->p[p]->ops->apply(s->p[p], t, l, err))) {
				char tx[67];
				lx_hex_encode(tx, sizeof(tx), l->tx, 32);
				lx_error_prefix(err, "tx %s", tx);
				return rc;
			}
		tally_log(s, l, true);
	}
	if (c->backfill) {
		/* --verify: the signers of these logs' transactions, as a range stores them */
		lx_store_txn_set_block(t, chain_id, 0);
		return r->verified.n ? lx_entity_put(t, chain_id, &r->verified, err) : 0;
	}
	lx_store_txn_set_block(t, chain_id, r->to > s->window_lo ? r->to : 0);
	if (c->plan) {
		/* the reads follow the state these logs create (a price source set in this very
		 * range is read at its end) */
		for (size_t p = 0; p < s->n; p++) {
			lx_calls_release(&r->calls[p]);
			if ((rc = s->p[p]->ops->calls(s->p[p], t, &r->calls[p], err)))
				return rc;
		}
		return PLANNED;
	}
	if (r->verified.n && (rc = lx_entity_put(t, chain_id, &r->verified, err)))
		return rc;
	if (r->prices)
		for (size_t p = 0; p < s->n; p++)
			if ((rc = s->p[p]->ops->apply_calls(s->p[p], t, r->to, r->calls[p].v,
							    r->calls[p].n, err)))
				return rc;
	if (r->to > s->window_lo && (rc = lx_store_block_put(t, chain_id, &r->last, err)))
		return rc;
	lx_test_slow();
	lx_crashpoint("applied");
	struct lx_sync_cursor nc = {r->to, {0}, r->last.timestamp};
	memcpy(nc.hash, r->last.hash, 32);
	if ((rc = lx_store_cursor_set(t, chain_id, &nc, err)))
		return rc;
	lx_store_txn_set_block(t, chain_id, 0);
	if (s->window_lo > 0 && (rc = lx_store_prune(t, chain_id, s->window_lo, err)))
		return rc;
	return 0;
}

/*
 * Makes the contract reads of the last range r of a run, pinned to r->to, planned from the
 * state r's own logs leave (applied in a transaction that is rolled back). A reverted read is
 * the contract's answer (no result); a node error or a malformed answer is retried by the
 * client and then fails the run with the node's message — never read as "no price".
 * Runs on the consumer thread after the producer has ended (it uses the client).
 */
static int read_calls(struct sync *s, struct range *r, struct lx_error *err)
{
	struct apply_ctx ac = {s, r, true, false};
	int rc = lx_store_write(s->st, apply_fn, &ac, err);
	if (rc != PLANNED)
		return rc ? rc : lx_error_set(err, LX_EINVAL, "sync: contract reads not planned");
	lx_error_clear(err);
	rc = 0;
	for (size_t p = 0; p < s->n && !rc; p++)
		rc = lx_sync_reads(s->rpc, &r->calls[p], r->to, true, s->p[p]->dep->name, err);
	publish_stats(s);
	return rc;
}

struct unwind_ctx {
	struct sync *s;
	uint64_t to;
	struct lx_block_ref ref;
};

static int unwind_fn(struct lx_store_txn *t, void *vctx, struct lx_error *err)
{
	struct unwind_ctx *c = vctx;
	uint64_t chain_id = c->s->chain->chain_id;
	int rc = lx_store_unwind(t, chain_id, c->to, err);
	if (rc)
		return rc;
	lx_crashpoint("unwound");
	struct lx_sync_cursor nc = {c->to, {0}, c->ref.timestamp};
	memcpy(nc.hash, c->ref.hash, 32);
	return lx_store_cursor_set(t, chain_id, &nc, err);
}

/* The chain no longer has our cursor block: find the newest stored block still canonical. */
static int handle_reorg(struct sync *s, struct lx_error *err)
{
	uint64_t chain_id = s->chain->chain_id;
	struct lx_store_txn *t;
	int rc = lx_store_begin(s->st, false, &t, err);
	if (rc)
		return rc;
	struct lx_block_ref refs[1024];
	size_t n = 0;
	struct lx_store_iter it;
	uint8_t pre[8];
	for (int i = 0; i < 8; i++)
		pre[i] = (uint8_t)(chain_id >> (56 - 8 * i));
	rc = lx_store_iter_begin(&it, t, "_blocks", pre, 8, err);
	const uint8_t *k, *v;
	size_t kl, vl;
	while (!rc && (rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		if (kl != 16 || vl != 72)
			continue;
		struct lx_block_ref *b = &refs[n % 1024];
		b->number = 0;
		for (int i = 8; i < 16; i++)
			b->number = b->number << 8 | k[i];
		memcpy(b->hash, v, 32);
		n++;
	}
	lx_store_iter_end(&it);
	lx_store_abort(t);
	if (rc != LX_ENOTFOUND)
		return rc;
	if (n > 1024)
		n = 1024;
	struct lx_rpc_req *rq = calloc(n ? n : 1, sizeof(*rq));
	if (!rq)
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	for (size_t i = 0; i < n; i++) {
		rq[i].method = "eth_getBlockByNumber";
		rq[i].params = lx_rpc_block_params(refs[i].number);
	}
	lx_rpc_batch(s->rpc, rq, n, 100);
	struct unwind_ctx uc = {s, 0, {0}};
	bool found = false;
	for (size_t i = n; i-- > 0;) {
		struct lx_block_ref b;
		if (rq[i].rc == 0 && lx_rpc_parse_block(rq[i].result, &b, NULL) == 0 &&
		    !memcmp(b.hash, refs[i].hash, 32)) {
			uc.to = refs[i].number;
			uc.ref = b;
			found = true;
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		json_decref(rq[i].result);
	free(rq);
	if (!found)
		return lx_error_set(err, LX_EREORG,
				    "sync: chain %s reorganised below the last %llu blocks kept for "
				    "undo (cursor at %llu); the store cannot follow — resync into a "
				    "new --datadir or raise reorg_window",
				    s->chain->name, (unsigned long long)s->chain->reorg_window,
				    (unsigned long long)s->cur.block);
	if ((rc = lx_store_write(s->st, unwind_fn, &uc, err)))
		return rc;
	lx_test_trace("unwind %llu %llu", (unsigned long long)s->cur.block,
		      (unsigned long long)uc.to);
	if (s->o->progress)
		fprintf(stderr, "%ssync: reorg: unwound from block %llu to %llu\n",
			s->o->progress == 2 ? "\n" : "", (unsigned long long)s->cur.block,
			(unsigned long long)uc.to);
	s->cur.block = uc.to;
	memcpy(s->cur.hash, uc.ref.hash, 32);
	s->res->reorgs++;
	return 0;
}

/* One step of a pass over blocks *next..to outside the pipeline (discovery, catch-up): plans
 * ranges up to the concurrency behind the queue's q[0..*nq), fetches them and splits the ones
 * the node refused (which are fetched at the next step). */
static int fetch_step(struct sync *s, struct range *q, size_t *nq, uint64_t *next, uint64_t to,
		      bool discovery, struct lx_error *err)
{
	while (*nq < (size_t)s->o->concurrency && *next <= to) {
		uint64_t e = to - *next + 1 > s->span ? *next + s->span - 1 : to;
		range_init(&q[(*nq)++], *next, e);
		*next = e + 1;
	}
	int rc = fetch(s, q, *nq, discovery, err);
	for (size_t i = 0; i < *nq && !rc; i++)
		if (q[i].refused)
			rc = split(s, q, nq, i, next, err), i++;
	return rc;
}

/* How many emitters the handlers' discovery filters name (it grows when a discovery log names
 * a contract whose own logs reveal more: an Aave V4 Spoke listed by a Hub names other Hubs). */
static size_t discovery_size(struct sync *s, struct lx_filter *f)
{
	size_t n = 0;
	for (size_t p = 0; p < s->n; p++) {
		s->p[p]->ops->discovery_filter(s->p[p], f);
		n += f->n_addr;
	}
	return n;
}

static int discover(struct sync *s, uint64_t from, uint64_t to, struct lx_error *err)
{
	struct range *q = calloc(MAX_QUEUE, sizeof(*q));
	struct lx_filter *f = malloc(sizeof(*f));
	size_t nq = 0;
	uint64_t next = from;
	int rc = 0;
	if (!q || !f) {
		free(q);
		free(f);
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	}
	while (!rc && (next <= to || nq)) {
		if ((rc = fetch_step(s, q, &nq, &next, to, true, err)))
			break;
		size_t done = 0;
		while (!rc && done < nq && q[done].fetched) {
			struct range *r = &q[done];
			size_t before = discovery_size(s, f);
			for (size_t i = 0; i < r->logs.n && !rc; i++)
				for (size_t p = 0; p < s->n && !rc; p++)
					rc = s->p[p]->ops->discover(s->p[p], &r->logs.logs[i], err);
			if (!rc && discovery_size(s, f) != before) {
				/* the new emitters' discovery logs may lie in this range (and in the
				 * ones fetched with the old filters): fetch them again (discover is
				 * idempotent), so one range is enough */
				for (size_t j = done; j < nq; j++) {
					uint64_t a = q[j].from, b = q[j].to;
					range_release(&q[j]);
					range_init(&q[j], a, b);
				}
				break;
			}
			range_release(r);
			done++;
		}
		memmove(q, q + done, (nq - done) * sizeof(*q));
		nq -= done;
	}
	for (size_t i = 0; i < nq; i++)
		range_release(&q[i]);
	free(q);
	free(f);
	return rc;
}

/*
 * Fetching and applying overlap: a producer thread plans ranges, fetches them (splitting the
 * ones the node refuses) and hands them over in order through a small ring; this thread
 * applies them. Only the producer uses the node client while it runs; on a reorg the producer
 * is stopped before the unwind talks to the node.
 */
#define RING 6
/* Decoded logs waiting to be applied, at most (one range may pass it alone): with the answers in
 * flight (concurrency x one answer) this bounds sync's memory whatever the history's size. */
#define RING_BYTES ((size_t)48 << 20)

/* sync --verify: proves a fetched range before it goes to apply (see indexer/verify/). */
static int verify_range(struct sync *s, struct range *r, struct lx_error *err)
{
	/* the filters the range's logs were fetched with (snapshot: no handler call here) */
	struct lx_rpc *rpc = s->o->verify_rpc ? s->o->verify_rpc : s->rpc;
	int rc = lx_verify_range(s->o->verifier, rpc, s->filters, s->n, &r->logs, r->from,
				 r->to, r->first.hash, r->last.hash, &r->verified, err);
	if (rc == LX_EREORG && r->from > s->window_lo) {
		/* inside the window: hand it on unproven; apply sees the reorg and unwinds, and
		 * refuses the range if it does not */
		lx_error_clear(err);
		r->unproven = true;
		return 0;
	}
	return rc;
}

static size_t range_bytes(const struct range *r)
{
	return r->logs.cap * (sizeof(struct lx_log) + sizeof(size_t)) + r->logs.arena_cap;
}

struct pipe {
	pthread_mutex_t m;
	pthread_cond_t cv;
	struct range ring[RING];
	size_t head, count;
	size_t bytes;                  /* decoded log bytes held by the ring's ranges */
	bool stop;                     /* the consumer asks the producer to end */
	bool finished;                 /* the producer has ended */
	int rc;                        /* the producer's error */
	struct lx_error err;
	struct sync *s;
	uint64_t next;                 /* first block the producer plans */
	bool verify_here;              /* --verify without a verify thread: the producer proves */
};

/*
 * sync --verify with its own client (o->verify_rpc): a third thread between producer and
 * consumer. It takes fetched ranges from `in` in order, proves each (lx_verify_range, through
 * its own client: it never touches the producer's, the store or the handlers) and hands it on
 * to `out`. Stopping sets both pipes' stop; a producer error reaches `out` after the ranges
 * fetched before it, as without the thread.
 */
struct vstage {
	struct pipe *in, *out;
	struct sync *s;
};

static void *verifier(void *arg)
{
	struct vstage *v = arg;
	struct pipe *in = v->in, *out = v->out;
	struct lx_error err;
	int rc = 0;
	lx_error_clear(&err);
	for (;;) {
		pthread_mutex_lock(&in->m);
		while (in->count == 0 && !in->finished && !in->stop)
			pthread_cond_wait(&in->cv, &in->m);
		if (in->stop || in->count == 0) {
			if (!in->stop && in->rc) {
				rc = in->rc;
				err = in->err;
			}
			pthread_mutex_unlock(&in->m);
			break;
		}
		struct range r = in->ring[in->head];
		in->head = (in->head + 1) % RING;
		in->count--;
		in->bytes -= range_bytes(&r);
		pthread_cond_broadcast(&in->cv);
		pthread_mutex_unlock(&in->m);
		if ((rc = verify_range(v->s, &r, &err))) {
			range_release(&r);
			break;
		}
		bool halt = r.unproven; /* apply unwinds (or refuses it): nothing after it */
		size_t held = range_bytes(&r);
		pthread_mutex_lock(&out->m);
		while ((out->count == RING || (out->count && out->bytes + held > RING_BYTES)) &&
		       !out->stop)
			pthread_cond_wait(&out->cv, &out->m);
		if (out->stop) {
			pthread_mutex_unlock(&out->m);
			range_release(&r);
			break;
		}
		out->ring[(out->head + out->count) % RING] = r;
		out->count++;
		out->bytes += held;
		pthread_cond_broadcast(&out->cv);
		pthread_mutex_unlock(&out->m);
		if (halt)
			break;
	}
	/* the producer has nothing more to hand over to us */
	pthread_mutex_lock(&in->m);
	in->stop = true;
	pthread_cond_broadcast(&in->cv);
	pthread_mutex_unlock(&in->m);
	pthread_mutex_lock(&out->m);
	out->rc = rc;
	if (rc)
		out->err = err;
	out->finished = true;
	pthread_cond_broadcast(&out->cv);
	pthread_mutex_unlock(&out->m);
	return NULL;
}

static void *producer(void *arg)
{
	struct pipe *pp = arg;
	struct sync *s = pp->s;
	struct range *q = calloc(MAX_QUEUE, sizeof(*q));
	size_t nq = 0;
	uint64_t next = pp->next;
	struct lx_error err;
	int rc = 0;
	lx_error_clear(&err);
	if (!q)
		rc = lx_error_set(&err, LX_ENOMEM, "sync: out of memory");
	while (!rc && (next <= s->target || nq)) {
		pthread_mutex_lock(&pp->m);
		bool stop = pp->stop;
		pthread_mutex_unlock(&pp->m);
		if (stop)
			break;
		while (nq < (size_t)s->o->concurrency && next <= s->target) {
			/* inside the reorg window, one block per range: each block gets its own
			 * header record and undo boundary, so a reorg unwinds to the exact fork */
			uint64_t span = next > s->window_lo ? 1 : s->span;
			uint64_t e = s->target - next + 1 > span ? next + span - 1 : s->target;
			if (next <= s->window_lo && e > s->window_lo)
				e = s->window_lo;
			range_init(&q[nq], next, e);
			q[nq++].prices = e == s->target;
			next = e + 1;
		}
		rc = fetch(s, q, nq, false, &err);
		publish_stats(s);
		if (rc)
			break;
		bool split_any = false;
		for (size_t i = 0; i < nq && !rc; i++)
			if (q[i].refused) {
				rc = split(s, q, &nq, i, &next, &err);
				split_any = true;
				i++;
			}
		if (rc)
			break;
		size_t done = 0;
		bool halt = false; /* --verify: an unproven range went on; wait for the unwind */
		while (done < nq && q[done].fetched && !halt) {
			if (pp->verify_here && (rc = verify_range(s, &q[done], &err)))
				break;
			halt = q[done].unproven;
			size_t held = range_bytes(&q[done]);
			pthread_mutex_lock(&pp->m);
			while ((pp->count == RING || (pp->count && pp->bytes + held > RING_BYTES)) &&
			       !pp->stop)
				pthread_cond_wait(&pp->cv, &pp->m);
			if (pp->stop) {
				pthread_mutex_unlock(&pp->m);
				break;
			}
			pp->ring[(pp->head + pp->count) % RING] = q[done];
			pp->count++;
			pp->bytes += held;
			pthread_cond_broadcast(&pp->cv);
			pthread_mutex_unlock(&pp->m);
			memset(&q[done], 0, sizeof(q[done]));
			done++;
		}
		memmove(q, q + done, (nq - done) * sizeof(*q));
		nq -= done;
		if (halt)
			break;
		if (!split_any && done && s->span < s->max_span)
			s->span = s->span * 2 > s->max_span ? s->max_span : s->span * 2;
	}
	for (size_t i = 0; i < nq; i++)
		range_release(&q[i]);
	free(q);
	pthread_mutex_lock(&pp->m);
	pp->rc = rc;
	if (rc)
		pp->err = err;
	pp->finished = true;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->m);
	return NULL;
}

/* The threads of one pass: the producer, and with a verify thread (--verify with its own
 * client) the verifier between them; pp is what the consumer reads. */
struct stages {
	struct pipe pp, pv;            /* to the consumer; producer to verifier */
	pthread_t prod, ver;
	bool vthread;
};

static void free_ring(struct pipe *p)
{
	while (p->count) {
		range_release(&p->ring[p->head]);
		p->head = (p->head + 1) % RING;
		p->count--;
	}
}

static void wake(struct pipe *p, bool stop)
{
	pthread_mutex_lock(&p->m);
	if (stop)
		p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->m);
}

/* Stops the pass's threads (or, without stop, waits for them to end), frees what they had
 * handed over. Returns their error (the verifier passes the producer's on). */
static int stop_producer(struct stages *g, bool stop, struct lx_error *err)
{
	if (g->vthread)
		wake(&g->pv, stop);
	wake(&g->pp, stop);
	if (g->vthread)
		pthread_join(g->ver, NULL);
	pthread_join(g->prod, NULL);
	free_ring(&g->pp);
	free_ring(&g->pv);
	if (g->pp.rc && err)
		*err = g->pp.err;
	return g->pp.rc;
}

/* ---- catching up: emitters found after the store's history began ---- */

/* The emitters of the handlers whose emitters may log before anything reveals them, sorted and
 * unique (*out: malloc'd, NULL when none). */
static int late_emitters(struct sync *s, struct lx_addr **out, size_t *n, struct lx_error *err)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	struct lx_filter *f = malloc(sizeof(*f));
	if (!f)
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	for (size_t p = 0; p < s->n; p++) {
		if (!s->p[p]->ops->history_before_discovery)
			continue;
		s->p[p]->ops->filter(s->p[p], f);
		for (size_t i = 0; i < f->n_addr; i++) {
			if (*n == cap) {
				size_t nc = cap ? 2 * cap : 32;
				struct lx_addr *x = realloc(*out, nc * sizeof(*x));
				if (!x) {
					free(f);
					return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
				}
				*out = x;
				cap = nc;
			}
			(*out)[(*n)++] = f->addr[i];
		}
	}
	free(f);
	if (*n > 1) {
		qsort(*out, *n, sizeof(**out), cmp_addr);
		size_t k = 1;
		for (size_t i = 1; i < *n; i++)
			if (cmp_addr(&(*out)[i], &(*out)[k - 1]))
				(*out)[k++] = (*out)[i];
		*n = k;
	}
	return 0;
}

/* Which of e[0..n) the store does not hold (fresh[], *n_fresh; fresh has room for n), which of
 * the run's deployments it does not hold (s->dep_new), and whether the store records either
 * for this chain at all (*recorded). */
static int not_held(struct sync *s, const struct lx_addr *e, size_t n, struct lx_addr *fresh,
		    size_t *n_fresh, bool *recorded, struct lx_error *err)
{
	struct lx_store_txn *t;
	int rc = lx_store_begin(s->st, false, &t, err);
	if (rc)
		return rc;
	uint8_t k[28];
	uint64_t chain_id = s->chain->chain_id;
	for (int i = 0; i < 8; i++)
		k[i] = (uint8_t)(chain_id >> (56 - 8 * i));
	const uint8_t *v;
	size_t vl;
	*n_fresh = 0;
	rc = lx_store_get(t, T_FOLLOWED, k, 8, &v, &vl, err);
	*recorded = rc == 0;
	for (size_t i = 0; (rc == 0 || rc == LX_ENOTFOUND) && i < n; i++) {
		memcpy(k + 8, e[i].b, 20);
		rc = lx_store_get(t, T_FOLLOWED, k, 28, &v, &vl, err);
		if (rc == LX_ENOTFOUND)
			fresh[(*n_fresh)++] = e[i];
	}
	uint8_t kd[8 + 64];
	memcpy(kd, k, 8);
	for (size_t p = 0; p < s->n && (rc == 0 || rc == LX_ENOTFOUND); p++) {
		size_t nl = strlen(s->p[p]->dep->name);
		s->dep_new[p] = false;
		if (nl > sizeof(kd) - 8)
			continue;
		memcpy(kd + 8, s->p[p]->dep->name, nl);
		rc = lx_store_get(t, T_FOLLOWED_DEP, kd, 8 + nl, &v, &vl, err);
		s->dep_new[p] = rc == LX_ENOTFOUND;
	}
	lx_store_abort(t);
	if (rc && rc != LX_ENOTFOUND)
		return rc;
	lx_error_clear(err);
	return 0;
}

/* The first block a catch-up reads: the earliest start of the deployments not held and of
 * the history_before_discovery handlers. */
static uint64_t late_start(const struct sync *s)
{
	uint64_t b = UINT64_MAX;
	for (size_t p = 0; p < s->n; p++)
		if ((s->dep_new[p] || s->p[p]->ops->history_before_discovery) &&
		    s->p[p]->dep->start_block < b)
			b = s->p[p]->dep->start_block;
	return b < s->start ? s->start : b;
}

struct backfill_ctx {
	struct sync *s;
	struct range *r;
	size_t n;
	const struct lx_addr *fresh;
	size_t n_fresh;
	struct lx_event_counts tally;
	uint64_t logs;
};

/* One transaction: the emitters marked held and every fetched range's logs, in block order. */
static int backfill_fn(struct lx_store_txn *t, void *vctx, struct lx_error *err)
{
	struct backfill_ctx *c = vctx;
	memset(&c->tally, 0, sizeof(c->tally));
	c->logs = 0;
	int rc = put_followed(t, c->s, c->fresh, c->n_fresh, true, err);
	for (size_t i = 0; i < c->n && !rc; i++) {
		struct apply_ctx ac = {c->s, &c->r[i], false, true};
		if ((rc = apply_fn(t, &ac, err)))
			break;
		lx_event_counts_merge(&c->tally, &c->s->tally);
		c->logs += c->r[i].logs.n - c->r[i].ignored;
		lx_crashpoint("backfill-range");
	}
	return rc;
}

/*
 * Fetches the logs of fresh[] (emitters the store does not hold) from the start block to the
 * cursor, with the handlers' filters cut down to them, proves them under --verify, and applies
 * them in one write transaction that also marks them held: a crash before it commits leaves
 * them not held, and the next run fetches them again. The cursor does not move: these logs'
 * records are the fresh emitters' own (history_before_discovery), so applying them now, after
 * the other emitters' later logs, ends in the same store as a sync that followed them from
 * the start.
 */
static int backfill(struct sync *s, const struct lx_addr *fresh, size_t n_fresh,
		    struct lx_error *err)
{
	struct lx_filter *saved = s->filters, *bf = calloc(s->n, sizeof(*bf));
	struct range *q = calloc(MAX_QUEUE, sizeof(*q)), *done = NULL;
	size_t nq = 0, nd = 0, dcap = 0;
	int rc = 0;
	if (!bf || !q) {
		free(bf);
		free(q);
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	}
	size_t n_emitters = 0;
	for (size_t p = 0; p < s->n; p++) {
		s->skip[p] = true;
		if (!s->dep_new[p] && !s->p[p]->ops->history_before_discovery)
			continue;
		struct lx_filter *f = &bf[p];
		s->p[p]->ops->filter(s->p[p], f);
		size_t k = 0;
		for (size_t i = 0; i < f->n_addr; i++)
			if (s->dep_new[p] ||
			    bsearch(&f->addr[i], fresh, n_fresh, sizeof(*fresh), cmp_addr))
				f->addr[k++] = f->addr[i];
		f->n_addr = k;
		s->skip[p] = k == 0;
		n_emitters += k;
	}
	s->filters = bf;
	uint64_t next = late_start(s), to = s->cur.block;
	s->span = s->max_span;
	while (!rc && (next <= to || nq)) {
		if ((rc = fetch_step(s, q, &nq, &next, to, false, err)))
			break;
		size_t k = 0;
		while (!rc && k < nq && q[k].fetched) {
			if (s->o->verifier && (rc = verify_range(s, &q[k], err)))
				break;
			if (q[k].unproven) {
				rc = lx_error_set(err, LX_EVERIFY, "verify: blocks %llu-%llu changed "
						  "while lendex fetched them: run sync again",
						  (unsigned long long)q[k].from,
						  (unsigned long long)q[k].to);
				break;
			}
			if (nd == dcap) {
				size_t nc = dcap ? 2 * dcap : 64;
				struct range *x = realloc(done, nc * sizeof(*x));
				if (!x) {
					rc = lx_error_set(err, LX_ENOMEM, "sync: out of memory");
					break;
				}
				done = x;
				dcap = nc;
			}
			done[nd++] = q[k++]; /* the range's buffers move with it */
		}
		memmove(q, q + k, (nq - k) * sizeof(*q));
		nq -= k;
		progress(s, false);
	}
	s->filters = saved;
	memset(s->skip, 0, sizeof(s->skip));
	/* the history fetched must end in the store's own block */
	if (!rc && nd && memcmp(done[nd - 1].last.hash, s->cur.hash, 32))
		rc = lx_error_set(err, LX_EREORG,
				  "sync: block %llu is no longer the one this store holds (a reorg "
				  "while lendex fetched the history of emitters found late): run "
				  "sync again",
				  (unsigned long long)to);
	if (!rc) {
		struct backfill_ctx bc = {.s = s, .r = done, .n = nd, .fresh = fresh,
					  .n_fresh = n_fresh};
		if ((rc = lx_store_write(s->st, backfill_fn, &bc, err)) == 0) {
			s->res->caught_up += n_emitters;
			s->res->caught_up_logs += bc.logs;
			s->res->logs += bc.logs;
			lx_event_counts_merge(&s->res->events, &bc.tally);
		}
	}
	for (size_t i = 0; i < nq; i++)
		range_release(&q[i]);
	for (size_t i = 0; i < nd; i++)
		range_release(&done[i]);
	free(q);
	free(done);
	free(bf);
	return rc;
}

/*
 * After this run's discovery: the deployments the store does not hold from their start block
 * (added to chains/ after it was synced) and the emitters of history_before_discovery handlers
 * it does not hold. A fresh store (no cursor) holds nothing yet and follows every one from the
 * start: they are recorded with the first range applied. A store from before lendex recorded
 * them is taken to hold what it follows. Otherwise the discovery logs before the cursor may
 * name more (a Hub found now lists Spokes of its own; a deployment added names its tokens):
 * discovery runs again over the history until nothing new appears, then backfill.
 */
static int catch_up(struct sync *s, struct lx_error *err)
{
	struct lx_addr *e = NULL, *fresh = NULL;
	size_t ne = 0, nf = 0, prev = SIZE_MAX;
	bool recorded = false;
	int rc = 0;
	for (;;) {
		free(e);
		free(fresh);
		fresh = NULL;
		if ((rc = late_emitters(s, &e, &ne, err)))
			break;
		if (!(fresh = malloc((ne + 1) * sizeof(*fresh)))) {
			rc = lx_error_set(err, LX_ENOMEM, "sync: out of memory");
			break;
		}
		if ((rc = not_held(s, e, ne, fresh, &nf, &recorded, err)))
			break;
		if (!s->have_cur || !recorded) {
			/* recorded with the first range this run applies (its transaction), with the
			 * chain's marker even when there is none (a deployment added to chains/
			 * later is then caught up) */
			free(s->held);
			s->held = e;
			s->n_held = ne;
			s->record = true;
			memset(s->dep_new, 0, sizeof(s->dep_new));
			e = NULL;
			nf = 0;
			break;
		}
		bool any_dep = false;
		for (size_t p = 0; p < s->n; p++)
			any_dep |= s->dep_new[p];
		if ((!nf && !any_dep) || ne == prev)
			break;
		prev = ne;
		if ((rc = discover(s, late_start(s), s->cur.block, err)) ||
		    (rc = discover(s, s->cur.block + 1, s->target, err)))
			break;
	}
	bool any_dep = false;
	for (size_t p = 0; p < s->n; p++)
		any_dep |= s->dep_new[p] && s->have_cur && recorded;
	if (!rc && (nf || any_dep))
		rc = backfill(s, fresh, nf, err);
	free(e);
	free(fresh);
	return rc;
}

/* Test builds: the apply trace (range, then each of its logs) a test checks for block order
 * and exactly-once delivery. */
static void trace_range(const struct range *r)
{
#ifdef LX_TEST_HOOKS
	lx_test_trace("range %llu %llu %zu", (unsigned long long)r->from,
		      (unsigned long long)r->to, r->logs.n);
	for (size_t i = 0; i < r->logs.n; i++)
		lx_test_trace("log %llu %u", (unsigned long long)r->logs.logs[i].block,
			      r->logs.logs[i].log_index);
#else
	(void)r;
#endif
}

static int sync_to(struct sync *s, struct lx_error *err)
{
	uint64_t next = s->have_cur ? s->cur.block + 1 : s->start;
	int rc = 0;
	if (next > s->target)
		return 0;
	if ((rc = discover(s, next, s->target, err)) || (rc = catch_up(s, err)))
		return rc;
	s->span = s->max_span;
	while (!rc && next <= s->target) {
		struct stages g;
		struct pipe *pp = &g.pp;
		memset(&g, 0, sizeof(g));
		pthread_mutex_init(&g.pp.m, NULL);
		pthread_cond_init(&g.pp.cv, NULL);
		pthread_mutex_init(&g.pv.m, NULL);
		pthread_cond_init(&g.pv.cv, NULL);
		g.vthread = s->o->verifier && s->o->verify_rpc;
		struct pipe *fetched = g.vthread ? &g.pv : &g.pp; /* where the producer hands on */
		fetched->s = s;
		fetched->next = next;
		fetched->verify_here = s->o->verifier && !g.vthread;
		struct vstage vs = {&g.pv, &g.pp, s};
		for (size_t p = 0; p < s->n; p++)
			s->p[p]->ops->filter(s->p[p], &s->filters[p]);
		if (pthread_create(&g.prod, NULL, producer, fetched)) {
			rc = lx_error_set(err, LX_ENOMEM, "sync: cannot start the fetch thread");
			break;
		}
		if (g.vthread && pthread_create(&g.ver, NULL, verifier, &vs)) {
			g.vthread = false;
			wake(&g.pv, true);
			pthread_join(g.prod, NULL);
			free_ring(&g.pv);
			rc = lx_error_set(err, LX_ENOMEM, "sync: cannot start the verify thread");
			break;
		}
		bool reorg = false, joined = false;
		int prc = 0;
		for (;;) {
			pthread_mutex_lock(&pp->m);
			while (pp->count == 0 && !pp->finished)
				pthread_cond_wait(&pp->cv, &pp->m);
			if (pp->count == 0) {
				pthread_mutex_unlock(&pp->m);
				break;
			}
			struct range r = pp->ring[pp->head];
			pp->head = (pp->head + 1) % RING;
			pp->count--;
			pp->bytes -= range_bytes(&r);
			pthread_cond_broadcast(&pp->cv);
			pthread_mutex_unlock(&pp->m);
			lx_crashpoint("fetched");
			uint64_t want = s->have_cur ? s->cur.block + 1 : s->start;
			if (r.from != want) {
				/* our own invariant: ranges arrive contiguous and in order */
				range_release(&r);
				rc = lx_error_set(err, LX_EINVAL,
						  "sync: internal error: range %llu-%llu planned after block "
						  "%llu", (unsigned long long)r.from,
						  (unsigned long long)r.to, (unsigned long long)want - 1);
				break;
			}
			if (s->have_cur && memcmp(r.first.parent, s->cur.hash, 32) != 0) {
				/* reorg: the first new block does not extend our cursor */
				range_release(&r);
				reorg = true;
				break;
			}
			if (r.unproven) {
				rc = lx_error_set(err, LX_EVERIFY, "verify: block %llu does not extend the "
						  "chain linked to the checkpoint", (unsigned long long)r.from);
				range_release(&r);
				break;
			}
			if (r.prices) {
				/* the last range: the producer has nothing left to do; the client is ours */
				prc = stop_producer(&g, false, err);
				joined = true;
				if (prc) {
					range_release(&r);
					break;
				}
				if ((rc = read_calls(s, &r, err))) {
					range_release(&r);
					break;
				}
			}
			struct apply_ctx ac = {s, &r, false, false};
			rc = lx_store_write(s->st, apply_fn, &ac, err);
			if (!rc) {
				s->record = false; /* held now */
				s->cur.block = r.to;
				memcpy(s->cur.hash, r.last.hash, 32);
				s->cur.timestamp = r.last.timestamp;
				s->have_cur = true;
				s->res->logs += r.logs.n - r.ignored;
				if (r.ignored && !s->res->ignored_logs)
					s->res->first_ignored = r.first_ignored;
				s->res->ignored_logs += r.ignored;
				lx_event_counts_merge(&s->res->events, &s->tally);
				s->res->ranges++;
				s->res->to = r.to;
				trace_range(&r);
			}
			range_release(&r);
			if (rc)
				break;
			progress(s, false);
		}
		if (!joined)
			prc = stop_producer(&g, reorg || rc, rc ? NULL : err);
		publish_stats(s);
		pthread_mutex_destroy(&g.pp.m);
		pthread_cond_destroy(&g.pp.cv);
		pthread_mutex_destroy(&g.pv.m);
		pthread_cond_destroy(&g.pv.cv);
		if (!rc && prc)
			rc = prc;
		if (rc)
			break;
		if (reorg && (rc = handle_reorg(s, err)))
			break;
		next = s->cur.block + 1;
		if (!reorg)
			break;
	}
	return rc;
}

static int check_chain(struct sync *s, struct lx_error *err)
{
	uint64_t id;
	int rc = lx_rpc_chain_id(s->rpc, &id, err);
	if (rc)
		return rc;
	if (id != s->chain->chain_id)
		return lx_error_set(err, LX_ECHAIN,
				    "sync: the node serves chain id %llu but chains/%s.json is chain "
				    "%llu: wrong --rpc for --chain %s",
				    (unsigned long long)id, s->chain->name,
				    (unsigned long long)s->chain->chain_id, s->chain->name);
	for (size_t p = 0; p < s->n; p++) {
		const struct lx_deployment *d = s->p[p]->dep;
		struct lx_addr core[LX_PROTO_MAX_CORE];
		const char *roles[LX_PROTO_MAX_CORE];
		size_t nc = LX_PROTO_MAX_CORE;
		if (!s->p[p]->ops->core_contracts)
			continue;
		if ((rc = s->p[p]->ops->core_contracts(s->p[p], core, roles, &nc)))
			return lx_error_set(err, rc, "sync: %s: cannot list its contracts: %s", d->name,
					    lx_strerror(rc));
		for (size_t k = 0; k < nc; k++) {
			char a[LX_ADDR_STRLEN];
			lx_addr_lower(a, &core[k]);
			json_t *res;
			char tag[24];
			snprintf(tag, sizeof(tag), "0x%llx", (unsigned long long)s->target);
			if ((rc = lx_rpc_call(s->rpc, "eth_getCode", json_pack("[s,s]", a, tag), &res,
					      err)))
				return rc;
			bool empty = !json_is_string(res) || json_string_length(res) <= 2;
			json_decref(res);
			if (empty && s->target >= d->start_block)
				return lx_error_set(err, LX_ECHAIN,
						    "sync: no contract at %s's %s %s at block %llu: "
						    "wrong chain or config",
						    d->name, roles[k], a, (unsigned long long)s->target);
		}
	}
	return 0;
}

int lx_sync_run(struct lx_store *st, struct lx_rpc *rpc, const struct lx_sync_opts *o,
		struct lx_sync_result *res, struct lx_error *err)
{
	struct sync s;
	memset(&s, 0, sizeof(s));
	memset(res, 0, sizeof(*res));
	s.st = st;
	s.rpc = rpc;
	s.o = o;
	s.chain = o->chain;
	s.res = res;
	s.t0 = now_s();
	struct lx_sync_opts oo = *o;
	if (oo.concurrency <= 0)
		oo.concurrency = 4;
	if (oo.concurrency > MAX_CONCURRENCY)
		oo.concurrency = MAX_CONCURRENCY;
	s.o = &oo;
	s.max_span = o->max_range ? o->max_range : s.chain->max_block_range;
	s.span = s.max_span;
	s.filters = calloc(MAX_PROTOS, sizeof(*s.filters));
	if (!s.filters)
		return lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	struct lx_store_txn *t;
	int rc = lx_store_begin(st, false, &t, err);
	if (rc) {
		free(s.filters);
		return rc;
	}
	s.start = UINT64_MAX;
	for (size_t i = 0; i < s.chain->n_deployments && !rc; i++) {
		const struct lx_deployment *d = &s.chain->deployments[i];
		if (o->deployment && strcmp(o->deployment, d->name))
			continue;
		if (s.n >= MAX_PROTOS)
			break;
		rc = lx_proto_create(&s.p[s.n], s.chain, d, o->abi_dir, t, err);
		if (!rc) {
			s.n++;
			if (d->start_block < s.start)
				s.start = d->start_block;
		}
	}
	if (!rc && s.n == 0)
		rc = lx_error_set(err, LX_ENOTFOUND, "sync: no deployment '%s' on chain %s",
				  o->deployment ? o->deployment : "", s.chain->name);
	if (!rc) {
		rc = lx_store_cursor_get(t, s.chain->chain_id, &s.cur, err);
		s.have_cur = rc == 0;
		if (rc == LX_ENOTFOUND)
			rc = 0;
	}
	lx_store_abort(t);
	lx_error_clear(rc ? NULL : err);
	res->start = s.start;
	if (!rc && o->to && !s.have_cur && o->to < s.start)
		rc = lx_error_set(err, LX_EUSAGE,
				  "sync: --to %llu is before the start block %llu of chain %s's "
				  "deployments: nothing to sync (use --to %llu or later)",
				  (unsigned long long)o->to, (unsigned long long)s.start,
				  s.chain->name, (unsigned long long)s.start);
	if (!rc && !(s.filt = calloc(s.n, sizeof(*s.filt))))
		rc = lx_error_set(err, LX_ENOMEM, "sync: out of memory");
	uint64_t last_head = 0;
	int stuck = 0;
	while (!rc) {
		uint64_t head;
		if ((rc = lx_rpc_block_number(rpc, &head, err)))
			break;
		uint64_t conf = o->confirmations ? o->confirmations : s.chain->confirmations;
		s.head = head;
		uint64_t node_target = head > conf ? head - conf : 0;
		s.target = node_target;
		if (o->to && o->to < s.target)
			s.target = o->to;
		if (o->to && o->to > s.target && !o->follow) {
			/* a lagging (or load-balanced) node: sync what it has, then wait for it */
			if (s.target > last_head)
				stuck = 0;
			last_head = s.target;
			if (++stuck > 60) {
				rc = lx_error_set(err, LX_EINVAL,
						  "sync: --to %llu is past the node's head %llu (less %llu "
						  "confirmations), and the head did not move for 30 s",
						  (unsigned long long)o->to, (unsigned long long)head,
						  (unsigned long long)conf);
				break;
			}
		}
		s.window_lo = s.head > s.chain->reorg_window ? s.head - s.chain->reorg_window : 0;
		res->head = head;
		if (s.have_cur && s.cur.block > node_target && !(o->to && o->to > s.cur.block)) {
			/* the head went backwards past our store: never unwind for that (a lagging
			 * node shows an older chain, not a reorg); far behind, it is another node */
			uint64_t lag = s.cur.block - node_target;
			if (lag > s.chain->reorg_window) {
				rc = lx_error_set(err, LX_ECHAIN,
						  "sync: the node's head %llu (less %llu confirmations) is "
						  "%llu blocks behind this store's block %llu, more than "
						  "chain %s's reorg window of %llu: another chain or a reset "
						  "node? (store left at block %llu)",
						  (unsigned long long)head, (unsigned long long)conf,
						  (unsigned long long)lag, (unsigned long long)s.cur.block,
						  s.chain->name,
						  (unsigned long long)s.chain->reorg_window,
						  (unsigned long long)s.cur.block);
				break;
			}
			if (!o->follow) {
				res->behind = lag;
				break;
			}
			if (!res->behind && o->progress)
				fprintf(stderr,
					"%ssync: the node's head %llu is %llu blocks behind this "
					"store's block %llu; waiting for it\n",
					o->progress == 2 ? "\n" : "", (unsigned long long)head,
					(unsigned long long)lag, (unsigned long long)s.cur.block);
			res->behind = lag;
			usleep((useconds_t)(o->follow_interval_ms > 0 ? o->follow_interval_ms : 2000) *
			       1000);
			continue;
		}
		res->behind = 0;
		if (s.have_cur && o->to && o->to <= s.cur.block)
			break; /* the store is already at or past --to: nothing to do */
		if (res->ranges == 0 && res->reorgs == 0 && (rc = check_chain(&s, err)))
			break;
		/* the chain may have moved under our cursor while we were away */
		if (s.have_cur && s.cur.block <= s.target && s.cur.block > 0) {
			json_t *b;
			struct lx_block_ref ref;
			if ((rc = lx_rpc_call(rpc, "eth_getBlockByNumber",
					      lx_rpc_block_params(s.cur.block), &b, err)))
				break;
			rc = lx_rpc_parse_block(b, &ref, err);
			json_decref(b);
			if (rc)
				break;
			if (memcmp(ref.hash, s.cur.hash, 32) && (rc = handle_reorg(&s, err)))
				break;
		}
		s.first_block = s.have_cur ? s.cur.block + 1 : s.start;
		if (!res->from)
			res->from = s.first_block;
		rc = sync_to(&s, err);
		bool short_of_to = o->to && s.cur.block < o->to;
		if (rc || (!o->follow && !short_of_to)) {
			progress(&s, true);
			break;
		}
		long ms = short_of_to ? 500 : o->follow_interval_ms > 0 ? o->follow_interval_ms : 2000;
		usleep((useconds_t)ms * 1000);
	}
	res->have_cursor = s.have_cur;
	res->to = s.have_cur ? s.cur.block : 0;
	if (!res->ranges)
		res->from = res->to + 1;
	for (size_t i = 0; i < s.n; i++)
		lx_proto_destroy(s.p[i]);
	free(s.filters);
	free(s.filt);
	free(s.held);
	return rc;
}
