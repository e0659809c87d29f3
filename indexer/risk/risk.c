/*
 * risk.c: health-factor bands and clusters, liquidation prices and ladders (see risk.h;
 * definitions in docs/risk.md; the leverage table is in leverage.c, loop detection in loops.c).
 * Amounts stay 256-bit where the protocol's own arithmetic decides an outcome (health factors,
 * liquidation prices are verified with lx_model_health); doubles are used only for shares and
 * chart values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/risk.h"

const double lx_risk_band_edges[LX_RISK_BANDS - 1] = {1.0, 1.05, 1.1, 1.25, 1.5, 2.0, 3.0};

static double unitd(const struct lx_market_view *mv, uint32_t a)
{
	return pow(10, mv->assets[a].decimals);
}

static double hf_double(const struct lx_u256 *hf)
{
	return lx_u256_to_double(hf) / 1e18;
}

static int band_of(double hf)
{
	int b = 0;
	while (b < LX_RISK_BANDS - 1 && hf >= lx_risk_band_edges[b])
		b++;
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
		int b = band_of(hf);
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

/* HF of account a with asset `asset`'s price replaced by p (all positions in that asset). */
static int hf_at(const struct lx_market_view *mv, const struct lx_account_view *a, uint32_t asset,
		 const struct lx_u256 *p, struct lx_u256 *prices, struct lx_u256 *hf)
{
	for (size_t k = 0; k < a->n_pos; k++)
		prices[k] = a->pos[k].asset == asset ? *p : a->pos[k].price;
	struct lx_health h;
	int rc = lx_model_health(&h, mv, a, prices);
	if (!rc)
		*hf = h.health_factor;
	return rc;
}

int lx_risk_liq_points(const struct lx_market_view *mv, struct lx_liq_point **out, size_t *n)
{
	size_t cap = 64, m = 0;
	struct lx_liq_point *v = malloc(cap * sizeof(*v));
	struct lx_u256 *prices = NULL;
	size_t pcap = 0;
	if (!v)
		return LX_ENOMEM;
	struct lx_u256 wad;
	lx_u256_from_u64(&wad, 1000000000000000000ull);
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_account_view *a = &mv->accounts[i];
		if (lx_u256_is_zero(&a->health.total_debt_base))
			continue;
		if (a->n_pos > pcap) {
			pcap = a->n_pos * 2;
			struct lx_u256 *np = realloc(prices, pcap * sizeof(*np));
			if (!np) {
				free(v);
				free(prices);
				return LX_ENOMEM;
			}
			prices = np;
		}
		for (size_t k = 0; k < a->n_pos; k++) {
			const struct lx_asset_pos *p = &a->pos[k];
			if (!p->collateral || lx_u256_is_zero(&p->supplied) || !p->liq_threshold_bps)
				continue;
			if (m == cap) {
				cap *= 2;
				struct lx_liq_point *nv = realloc(v, cap * sizeof(*nv));
				if (!nv) {
					free(v);
					free(prices);
					return LX_ENOMEM;
				}
				v = nv;
			}
			struct lx_liq_point *pt = &v[m];
			memset(pt, 0, sizeof(*pt));
			pt->account = i;
			pt->asset = p->asset;
			pt->price_now = lx_u256_to_double(&p->price);
			pt->collateral_amount = lx_u256_to_double(&p->supplied) / unitd(mv, p->asset);
			pt->collateral_value = pt->collateral_amount * pt->price_now;
			pt->already = lx_u256_cmp(&a->health.health_factor, &wad) < 0;
			/* binary search on the integer price: the highest price with HF < 1 is the
			 * liquidation price (HF rises with this collateral's price) */
			struct lx_u256 lo = {{0}}, hi = p->price, hf, mid, one = {{1, 0, 0, 0}};
			if (pt->already) {
				pt->price = pt->price_now;
			} else {
				hf_at(mv, a, p->asset, &lo, prices, &hf);
				if (lx_u256_cmp(&hf, &wad) >= 0)
					continue; /* even at price 0 the others cover the debt */
				/* invariant: HF(lo) < 1 <= HF(hi) */
				for (int it = 0; it < 260; it++) {
					struct lx_u256 d;
					lx_u256_sub(&d, &hi, &lo);
					if (lx_u256_cmp(&d, &one) <= 0)
						break;
					lx_u256_shr(&d, &d, 1);
					lx_u256_add(&mid, &lo, &d);
					hf_at(mv, a, p->asset, &mid, prices, &hf);
					if (lx_u256_cmp(&hf, &wad) < 0)
						lo = mid;
					else
						hi = mid;
				}
				pt->price = lx_u256_to_double(&lo);
			}
			m++;
		}
	}
	free(prices);
	*out = v;
	*n = m;
	return 0;
}

int lx_risk_ladders(const struct lx_market_view *mv, const struct lx_liq_point *pts, size_t n,
		    struct lx_ladder *out)
{
	for (size_t a = 0; a < mv->n_assets; a++) {
		memset(&out[a], 0, sizeof(out[a]));
		out[a].asset = a;
	}
	for (size_t i = 0; i < n; i++) {
		const struct lx_liq_point *p = &pts[i];
		if (p->asset >= mv->n_assets || p->price_now <= 0)
			continue;
		double ratio = p->already ? 1 : p->price / p->price_now;
		/* level s covers prices in ((1 - 0.05 (s+1)), 1 - 0.05 s] of today's */
		int s = p->already ? 0 : (int)floor((1 - ratio) / 0.05) + 1;
		if (s < 0)
			s = 0;
		if (s > LX_LADDER_STEPS)
			continue; /* needs more than a 100% drop: never */
		out[p->asset].value[s] += p->collateral_value;
	}
	for (size_t a = 0; a < mv->n_assets; a++) {
		double c = 0;
		for (int s = 0; s <= LX_LADDER_STEPS; s++) {
			c += out[a].value[s];
			out[a].cumulative[s] = c;
		}
	}
	return 0;
}
