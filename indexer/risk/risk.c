/*
 * risk.c: health-factor bands and clusters, liquidation prices and ladders (see risk.h;
 * definitions in docs/risk.md; the leverage table is in leverage.c, loop detection in loops.c).
 * Every figure the chain can confirm (health factors and their bands, liquidation prices,
 * ladder levels) is a 256-bit integer computed with the protocol's own arithmetic (model.h
 * curves); doubles are used only for shares, clusters and chart values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/risk.h"

const double lx_risk_band_edges[LX_RISK_BANDS - 1] = {1.0, 1.05, 1.1, 1.25, 1.5, 2.0, 3.0};
const uint64_t lx_risk_band_edges_wad[LX_RISK_BANDS - 1] = {
	1000000000000000000ull, 1050000000000000000ull, 1100000000000000000ull,
	1250000000000000000ull, 1500000000000000000ull, 2000000000000000000ull,
	3000000000000000000ull};

static double hf_double(const struct lx_u256 *hf)
{
	return lx_u256_to_double(hf) / 1e18;
}

/* the band of an integer HF: a tie on an edge belongs to the band above it */
static int band_of(const struct lx_u256 *hf)
{
	int b = 0;
	struct lx_u256 e;
	for (; b < LX_RISK_BANDS - 1; b++) {
		lx_u256_from_u64(&e, lx_risk_band_edges_wad[b]);
		if (lx_u256_cmp(hf, &e) < 0)
			break;
	}
	return b;
}

struct wpt {
	double x, w;
};

static int cmp_wpt(const void *a, const void *b)
{
	double x = ((const struct wpt *)a)->x, y = ((const struct wpt *)b)->x;
	return x < y ? -1 : x > y;
}

int lx_risk_hf(const struct lx_market_view *mv, struct lx_hf_report *out)
{
	memset(out, 0, sizeof(*out));
	struct wpt *pts = malloc((mv->n_accounts ? mv->n_accounts : 1) * sizeof(*pts));
	if (!pts)
		return LX_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_health *h = &mv->accounts[i].health;
		if (lx_u256_is_zero(&h->total_debt_base)) {
			out->no_debt_accounts++;
			continue;
		}
		double debt = lx_u256_to_double(&h->total_debt_base);
		double hf = hf_double(&h->health_factor);
		int b = band_of(&h->health_factor);
		out->band_debt[b] += debt;
		out->band_accounts[b]++;
		out->total_debt += debt;
		/* clustering works on log HF, capped: 10x and beyond are all "safe" */
		pts[n].x = log(hf > 10 ? 10 : (hf < 0.01 ? 0.01 : hf));
		pts[n++].w = debt;
	}
	for (int b = 0; b < LX_RISK_BANDS; b++)
		if (out->total_debt > 0) {
			double s = out->band_debt[b] / out->total_debt;
			out->hhi += s * s;
		}
	/* 1-D weighted k-means, deterministic: sorted points, centers at weighted quantiles */
	if (n) {
		qsort(pts, n, sizeof(*pts), cmp_wpt);
		size_t distinct = 1;
		for (size_t i = 1; i < n; i++)
			distinct += pts[i].x != pts[i - 1].x;
		size_t k = distinct < 4 ? distinct : 4;
		double c[LX_RISK_MAX_CLUSTERS], tw = 0;
		for (size_t i = 0; i < n; i++)
			tw += pts[i].w > 0 ? pts[i].w : 1e-9;
		for (size_t j = 0; j < k; j++) {
			double target = tw * ((double)j + 0.5) / (double)k, acc = 0;
			c[j] = pts[n - 1].x;
			for (size_t i = 0; i < n; i++) {
				acc += pts[i].w > 0 ? pts[i].w : 1e-9;
				if (acc >= target) {
					c[j] = pts[i].x;
					break;
				}
			}
		}
		size_t *lab = calloc(n, sizeof(*lab));
		if (!lab) {
			free(pts);
			return LX_ENOMEM;
		}
		for (int it = 0; it < 100; it++) {
			bool moved = false;
			for (size_t i = 0; i < n; i++) {
				size_t best = 0;
				for (size_t j = 1; j < k; j++)
					if (fabs(pts[i].x - c[j]) < fabs(pts[i].x - c[best]))
						best = j;
				moved |= lab[i] != best;
				lab[i] = best;
			}
			for (size_t j = 0; j < k; j++) {
				double sw = 0, sx = 0;
				for (size_t i = 0; i < n; i++)
					if (lab[i] == j) {
						double w = pts[i].w > 0 ? pts[i].w : 1e-9;
						sw += w;
						sx += w * pts[i].x;
					}
				if (sw > 0)
					c[j] = sx / sw;
			}
			if (!moved && it)
				break;
		}
		for (size_t j = 0; j < k; j++) {
			struct lx_hf_cluster *cl = &out->clusters[out->n_clusters];
			cl->lo = INFINITY;
			cl->hi = -INFINITY;
			for (size_t i = 0; i < n; i++)
				if (lab[i] == j) {
					double hf = exp(pts[i].x);
					cl->lo = hf < cl->lo ? hf : cl->lo;
					cl->hi = hf > cl->hi ? hf : cl->hi;
					cl->debt += pts[i].w;
					cl->accounts++;
				}
			if (cl->accounts) {
				cl->center = exp(c[j]);
				out->n_clusters++;
			}
		}
		/* order clusters by center */
		for (size_t i = 1; i < out->n_clusters; i++)
			for (size_t j = i; j > 0 && out->clusters[j - 1].center > out->clusters[j].center;
			     j--) {
				struct lx_hf_cluster t = out->clusters[j];
				out->clusters[j] = out->clusters[j - 1];
				out->clusters[j - 1] = t;
			}
		free(lab);
	}
	free(pts);
	return 0;
}

/* ---- liquidation prices and ladders ---- */

#define SEARCH_BUDGET 200000 /* interval nodes per search before giving up (never seen) */
/* the same for a feed pricing both sides of an account in a market with no interval bounds
 * (Aave 3.5+): only exact evaluations near today's price can decide it, so give up early */
#define SEARCH_BUDGET_UNBOUNDED 4096

static void wad_one(struct lx_u256 *w)
{
	lx_u256_from_u64(w, 1000000000000000000ull);
}

/* HF < 1 at price p on the curve; a price where the protocol's arithmetic reverts is not */
static bool below(const struct lx_curve *c, const struct lx_u256 *p)
{
	struct lx_u256 hf, w;
	wad_one(&w);
	return lx_model_curve_hf(c, p, &hf) == 0 && lx_u256_cmp(&hf, &w) < 0;
}

/*
 * The highest (or lowest) integer price in [lo, hi] with HF < 1: 1 found (in *out), 0 none,
 * LX_ERANGE budget spent. Intervals the bounds decide are answered whole; the others are
 * halved, the half nearer the wanted end first, so the first price found is the extreme.
 */
static int search(const struct lx_curve *c, const struct lx_u256 *lo, const struct lx_u256 *hi,
		  bool highest, struct lx_u256 *out, long *budget)
{
	struct lx_u256 w, one = {{1, 0, 0, 0}}, four = {{4, 0, 0, 0}};
	lx_u256_sub(&w, hi, lo);
	if (lx_u256_cmp(&w, &four) < 0) {
		struct lx_u256 p = highest ? *hi : *lo;
		for (;;) {
			if (below(c, &p)) {
				*out = p;
				return 1;
			}
			if (lx_u256_eq(&p, highest ? lo : hi))
				return 0;
			if (highest)
				lx_u256_sub(&p, &p, &one);
			else
				lx_u256_add(&p, &p, &one);
		}
	}
	if (--*budget < 0)
		return LX_ERANGE;
	enum lx_curve_bound b = lx_model_curve_bound(c, lo, hi);
	if (b == LX_CURVE_NONE_BELOW)
		return 0;
	if (b == LX_CURVE_ALL_BELOW && below(c, highest ? hi : lo)) {
		*out = highest ? *hi : *lo;
		return 1;
	}
	/* split around the estimated crossing: the outer parts are usually decided at once and
	 * the middle one is 1/32 of the interval; without an estimate, halve */
	struct lx_u256 g, m, pa, pb, a1, b1, d, sixty4 = {{64, 0, 0, 0}}, two = {{2, 0, 0, 0}};
	if (lx_model_curve_guess(c, lo, hi, &g)) {
		lx_u256_div(&m, &w, &sixty4);
		if (lx_u256_cmp(&m, &two) < 0)
			m = two;
		pa = *lo; /* g - m, at least lo */
		lx_u256_sub(&d, &g, lo);
		if (lx_u256_cmp(&d, &m) > 0)
			lx_u256_sub(&pa, &g, &m);
		pb = *hi; /* g + m, at most hi */
		lx_u256_sub(&d, hi, &g);
		if (lx_u256_cmp(&d, &m) > 0)
			lx_u256_add(&pb, &g, &m);
		/* parts [lo, pa], [pa+1, pb], [pb+1, hi] (pa < pb; the last is empty when pb = hi) */
		lx_u256_add(&a1, &pa, &one);
		lx_u256_add(&b1, &pb, &one);
		const struct lx_u256 *pl[3] = {lo, &a1, &b1}, *ph[3] = {&pa, &pb, hi};
		bool empty[3] = {false, lx_u256_cmp(&a1, &pb) > 0, lx_u256_cmp(&pb, hi) >= 0};
		for (int k = 0; k < 3; k++) {
			int i = highest ? 2 - k : k;
			if (empty[i])
				continue;
			int rc = search(c, pl[i], ph[i], highest, out, budget);
			if (rc)
				return rc;
		}
		return 0;
	}
	struct lx_u256 mid, mid1;
	lx_u256_shr(&w, &w, 1);
	lx_u256_add(&mid, lo, &w);
	lx_u256_add(&mid1, &mid, &one);
	int rc = highest ? search(c, &mid1, hi, true, out, budget)
			 : search(c, lo, &mid, false, out, budget);
	if (rc)
		return rc;
	return highest ? search(c, lo, &mid, true, out, budget)
		       : search(c, &mid1, hi, false, out, budget);
}

/*
 * Monotone markets (ops->monotone) on a feed that prices only collateral (HF rising in the
 * price: the prices with HF < 1 are [lo, p*]) or only debt (falling: [p*, hi]): exact
 * bisection on the market's own health, keeping HF < 1 at one end and >= 1 at the other, so
 * the answer's neighbour outside the set has HF >= 1. 1 found (in *out), 0 none.
 */
static int bisect(const struct lx_curve *c, const struct lx_u256 *lo, const struct lx_u256 *hi,
		  bool highest, struct lx_u256 *out)
{
	struct lx_u256 in = highest ? *lo : *hi, outside = highest ? *hi : *lo, w, mid;
	if (!below(c, &in))
		return 0;
	if (below(c, &outside)) {
		*out = outside;
		return 1;
	}
	/* below(in), !below(outside), |in - outside| shrinks to 1 */
	for (;;) {
		bool up = lx_u256_cmp(&outside, &in) > 0;
		lx_u256_sub(&w, up ? &outside : &in, up ? &in : &outside);
		if (lx_u256_cmp(&w, &(struct lx_u256){{1, 0, 0, 0}}) <= 0)
			break;
		lx_u256_shr(&w, &w, 1);
		if (up)
			lx_u256_add(&mid, &in, &w);
		else
			lx_u256_sub(&mid, &in, &w);
		if (below(c, &mid))
			in = mid;
		else
			outside = mid;
	}
	*out = in;
	return 1;
}

/* Base value now of what feed f prices in account a: collateral (rise false) or debt. */
static int moved_value(const struct lx_market_view *mv, const struct lx_account_view *a,
		       uint32_t f, bool debt, struct lx_u256 *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < a->n_pos; k++) {
		const struct lx_asset_pos *p = &a->pos[k];
		if (lx_model_feed_of(mv, p) != f)
			continue;
		const struct lx_u256 *amt = debt ? &p->borrowed : &p->supplied;
		if (!debt && !(p->collateral && p->liq_threshold_bps))
			continue;
		struct lx_u256 unit, t;
		int rc;
		if ((rc = lx_u256_pow10(&unit, mv->assets[p->asset].decimals)) ||
		    (rc = lx_u256_mul(&t, amt, &p->price)) || (rc = lx_u256_div(&t, &t, &unit)) ||
		    (rc = lx_u256_add(out, out, &t)))
			return rc;
	}
	return 0;
}

/* The distinct feeds of an account's positions, ascending, into f (cap n_pos). */
static size_t account_feeds(const struct lx_market_view *mv, const struct lx_account_view *a,
			    uint32_t *f)
{
	size_t n = 0;
	for (size_t k = 0; k < a->n_pos; k++) {
		uint32_t id = lx_model_feed_of(mv, &a->pos[k]);
		if (id == LX_FEED_NONE)
			continue;
		size_t j = n;
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= f[i] == id;
		if (dup)
			continue;
		while (j > 0 && f[j - 1] > id) {
			f[j] = f[j - 1];
			j--;
		}
		f[j] = id;
		n++;
	}
	return n;
}

static int grow(void **v, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *nv = realloc(*v, nc * sz);
	if (!nv)
		return LX_ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

/* Search range of a direction: fall [1, now], rise [now, now * LX_RISK_RISE_MAX_X]. */
static bool range_of(const struct lx_u256 *now, bool rise, struct lx_u256 *lo, struct lx_u256 *hi)
{
	if (lx_u256_is_zero(now))
		return false;
	if (!rise) {
		lx_u256_from_u64(lo, 1);
		*hi = *now;
		return true;
	}
	*lo = *now;
	struct lx_u256 x;
	lx_u256_from_u64(&x, LX_RISK_RISE_MAX_X);
	if (lx_u256_mul(hi, now, &x))
		lx_u256_max(hi);
	return true;
}

/*
 * One (account, feed, direction) whose curve moves: liquidation points and ladders visit the
 * same ones, the account with debt, each feed pricing its positions, the fall when the feed
 * prices collateral and the rise when it prices debt. c borrows the account (c->acct, c->feed).
 */
typedef int (*move_fn)(void *ctx, const struct lx_market_view *mv, size_t account,
		       const struct lx_curve *c, bool rise);

static int each_move(const struct lx_market_view *mv, move_fn fn, void *ctx)
{
	size_t fcap = 0;
	uint32_t *feeds = NULL;
	int rc = 0;
	for (size_t i = 0; i < mv->n_accounts && rc == 0; i++) {
		const struct lx_account_view *a = &mv->accounts[i];
		if (lx_u256_is_zero(&a->health.total_debt_base))
			continue;
		if ((rc = grow((void **)&feeds, &fcap, a->n_pos + 1, sizeof(*feeds))))
			break;
		size_t nf = account_feeds(mv, a, feeds);
		for (size_t fi = 0; fi < nf && rc == 0; fi++) {
			struct lx_curve c;
			if ((rc = lx_model_curve_init(&c, mv, a, feeds[fi])))
				break;
			for (int dir = 0; dir < 2 && rc == 0; dir++) {
				bool rise = dir == 1;
				if (rise ? c.moves_debt : c.moves_coll)
					rc = fn(ctx, mv, i, &c, rise);
			}
			lx_model_curve_release(&c);
		}
	}
	free(feeds);
	return rc;
}

struct points {
	struct lx_liq_point *v;
	size_t cap, m;
};

static int point_of(void *ctx, const struct lx_market_view *mv, size_t i, const struct lx_curve *c,
		    bool rise)
{
	struct points *P = ctx;
	const struct lx_account_view *a = c->acct;
	int rc;
	if ((rc = grow((void **)&P->v, &P->cap, P->m + 1, sizeof(*P->v))))
		return rc;
	struct lx_liq_point *pt = &P->v[P->m];
	struct lx_u256 wad;
	wad_one(&wad);
	memset(pt, 0, sizeof(*pt));
	pt->account = i;
	pt->feed = c->feed;
	pt->asset = c->feed < mv->n_assets ? c->feed : LX_FEED_NONE;
	pt->rise = rise;
	pt->already = lx_u256_cmp(&a->health.health_factor, &wad) < 0;
	lx_model_feed_price(mv, c->feed, &pt->price_now);
	if ((rc = moved_value(mv, a, c->feed, rise, &pt->value)))
		return rc;
	struct lx_u256 lo, hi;
	pt->status = LX_LIQ_NONE;
	if (range_of(&pt->price_now, rise, &lo, &hi)) {
		long budget = c->monotone ? SEARCH_BUDGET_UNBOUNDED : SEARCH_BUDGET;
		int r = c->monotone && !(c->moves_coll && c->moves_debt)
				? bisect(c, &lo, &hi, !rise, &pt->price)
				: search(c, &lo, &hi, !rise, &pt->price, &budget);
		pt->status = r == 1 ? LX_LIQ_FOUND : r == 0 ? LX_LIQ_NONE : LX_LIQ_UNDECIDED;
	}
	P->m++;
	return 0;
}

int lx_risk_liq_points(const struct lx_market_view *mv, struct lx_liq_point **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct points P = {NULL, 0, 0};
	int rc = each_move(mv, point_of, &P);
	if (rc) {
		free(P.v);
		return rc;
	}
	*out = P.v;
	*n = P.m;
	return 0;
}

struct rungs {
	struct lx_ladder *l;
	bool *used;
};

static int rung_of(void *ctx, const struct lx_market_view *mv, size_t i, const struct lx_curve *c,
		   bool rise)
{
	(void)i;
	struct rungs *R = ctx;
	size_t k = 2 * c->feed + (rise ? 1 : 0);
	struct lx_ladder *d = &R->l[k];
	R->used[k] = true;
	struct lx_u256 val;
	int rc = moved_value(mv, c->acct, c->feed, rise, &val);
	if (rc)
		return rc;
	for (size_t s = 0; s < d->n_levels; s++)
		if (below(c, &d->price[s])) {
			if ((rc = lx_u256_add(&d->value[s], &d->value[s], &val)))
				return rc;
			d->accounts[s]++;
		}
	return 0;
}

int lx_risk_ladders(const struct lx_market_view *mv, struct lx_ladder **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t nfeeds = lx_model_n_feeds(mv);
	/* two ladders per feed (fall, rise), kept only if some account holds what they move */
	struct lx_ladder *l = calloc(nfeeds ? nfeeds * 2 : 1, sizeof(*l));
	bool *used = calloc(nfeeds ? nfeeds * 2 : 1, sizeof(*used));
	if (!l || !used) {
		free(l);
		free(used);
		return LX_ENOMEM;
	}
	for (size_t f = 0; f < nfeeds; f++)
		for (int dir = 0; dir < 2; dir++) {
			struct lx_ladder *d = &l[2 * f + dir];
			struct lx_u256 now, x, t;
			lx_model_feed_price(mv, (uint32_t)f, &now);
			d->feed = (uint32_t)f;
			d->rise = dir == 1;
			d->n_levels = d->rise ? LX_LADDER_STEPS + 1 : LX_LADDER_STEPS;
			for (size_t s = 0; s < d->n_levels; s++) {
				d->move_bps[s] = d->rise ? 500 * (int32_t)s : -500 * (int32_t)s;
				lx_u256_from_u64(&x, (uint64_t)(10000 + d->move_bps[s]));
				lx_u256_from_u64(&t, 10000);
				if (lx_u256_muldiv(&d->price[s], &now, &x, &t))
					lx_u256_max(&d->price[s]);
			}
		}
	struct rungs R = {l, used};
	int rc = each_move(mv, rung_of, &R);
	size_t k = 0;
	for (size_t j = 0; j < nfeeds * 2; j++)
		if (used[j])
			l[k++] = l[j];
	free(used);
	if (rc) {
		free(l);
		return rc;
	}
	*out = l;
	*n = k;
	return 0;
}
