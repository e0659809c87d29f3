/*
 * html.c: report.html — one self-contained page (inline CSS, inline SVG, no scripts, no
 * external assets) with four charts: the debt-weighted health-factor histogram, the
 * liquidation-price ladder of each collateral asset, the loop-depth distribution and the
 * cascade curve. Each chart has a title, axes with tick labels and axis titles.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

#define W 640
#define H 320
#define ML 80
#define MR 20
#define MT 40
#define MB 60

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static double nice_max(double v)
{
	if (v <= 0)
		return 1;
	double p = pow(10, floor(log10(v)));
	double m = v / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void fmt_num(char *b, size_t cap, double v)
{
	double a = fabs(v);
	if (a >= 1e9)
		snprintf(b, cap, "%.3gB", v / 1e9);
	else if (a >= 1e6)
		snprintf(b, cap, "%.3gM", v / 1e6);
	else if (a >= 1e3)
		snprintf(b, cap, "%.3gk", v / 1e3);
	else
		snprintf(b, cap, "%.3g", v);
}

static void axes(FILE *f, const char *id, const char *title, const char *xt, const char *yt,
		 double ymax)
{
	fprintf(f, "<figure><svg id=\"%s\" class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n", id, W, H, W, H);
	fputs("<text class=\"title\" x=\"", f);
	fprintf(f, "%d\" y=\"22\" text-anchor=\"middle\">", W / 2);
	esc(f, title);
	fputs("</text>\n", f);
	fprintf(f, "<g class=\"axis y-axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", ML, MT, ML,
		H - MB);
	for (int i = 0; i <= 4; i++) {
		double v = ymax * i / 4;
		double y = H - MB - (H - MT - MB) * i / 4.0;
		char b[32];
		fmt_num(b, sizeof(b), v);
		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			   "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			ML, y, W - MR, y, ML - 6, y + 4, b);
	}
	fprintf(f, "<text class=\"axis-title\" transform=\"translate(16,%d) rotate(-90)\" "
		   "text-anchor=\"middle\">", (H - MB + MT) / 2);
	esc(f, yt);
	fputs("</text></g>\n", f);
	fprintf(f, "<g class=\"axis x-axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", ML,
		H - MB, W - MR, H - MB);
	fprintf(f, "<text class=\"axis-title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (ML + W - MR) / 2,
		H - 12);
	esc(f, xt);
	fputs("</text></g>\n", f);
}

/* bars with labels under them */
static void bars(FILE *f, const char *id, const char *title, const char *xt, const char *yt,
		 const double *v, const char *const *labels, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	double ymax = nice_max(m);
	axes(f, id, title, xt, yt, ymax);
	double bw = (double)(W - ML - MR) / (double)(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		double h = (H - MT - MB) * (v[i] / ymax);
		double x = ML + bw * (double)i;
		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			   "<title>", x + bw * 0.1, H - MB - h, bw * 0.8, h);
		esc(f, labels[i]);
		char b[32];
		fmt_num(b, sizeof(b), v[i]);
		fprintf(f, ": %s</title></rect>\n", b);
		if (n > 12 && i % 2)
			continue; /* every other label when crowded */
		fprintf(f, "<text class=\"tick x-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			x + bw / 2, H - MB + 16);
		esc(f, labels[i]);
		fputs("</text>\n", f);
	}
	fputs("</svg></figure>\n", f);
}

static void line_chart(FILE *f, const char *id, const char *title, const char *xt, const char *yt,
		       const double *x, const double *y1, const double *y2, size_t n, const char *l1,
		       const char *l2)
{
	double m = 0, xmin = 0, xmax = 0;
	for (size_t i = 0; i < n; i++) {
		m = y1[i] > m ? y1[i] : m;
		if (y2)
			m = y2[i] > m ? y2[i] : m;
		xmin = i == 0 || x[i] < xmin ? x[i] : xmin;
		xmax = i == 0 || x[i] > xmax ? x[i] : xmax;
	}
	double ymax = nice_max(m);
	if (xmax == xmin)
		xmax = xmin + 1;
	axes(f, id, title, xt, yt, ymax);
	for (size_t i = 0; i < n; i++) {
		double px = ML + (W - ML - MR) * (x[i] - xmin) / (xmax - xmin);
		fprintf(f, "<text class=\"tick x-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f%%</text>\n",
			px, H - MB + 16, x[i] * 100);
	}
	const double *ys[2] = {y1, y2};
	const char *cls[2] = {"line1", "line2"};
	for (int s = 0; s < 2; s++) {
		if (!ys[s])
			continue;
		fprintf(f, "<polyline class=\"%s\" fill=\"none\" points=\"", cls[s]);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%.1f,%.1f ", ML + (W - ML - MR) * (x[i] - xmin) / (xmax - xmin),
				H - MB - (H - MT - MB) * ys[s][i] / ymax);
		fputs("\"/>\n", f);
	}
	fprintf(f, "<g class=\"legend\"><rect class=\"line1-key\" x=\"%d\" y=\"%d\" width=\"12\" height=\"4\"/>"
		   "<text x=\"%d\" y=\"%d\">", W - MR - 200, MT, W - MR - 184, MT + 5);
	esc(f, l1);
	fputs("</text>", f);
	if (y2) {
		fprintf(f, "<rect class=\"line2-key\" x=\"%d\" y=\"%d\" width=\"12\" height=\"4\"/>"
			   "<text x=\"%d\" y=\"%d\">", W - MR - 200, MT + 16, W - MR - 184, MT + 21);
		esc(f, l2);
		fputs("</text>", f);
	}
	fputs("</g></svg></figure>\n", f);
}

int lx_report_html(const char *dir, const struct lx_report *r, const struct lx_market_view *mv,
		   const struct lx_report_opts *o, struct lx_error *err)
{
	char tmp[4096];
	FILE *f = lx_report_open(dir, "report.html", tmp, sizeof(tmp));
	if (!f)
		return lx_error_setd(err, LX_EIO, errno, "report: cannot write in %s", dir);
	double scale = pow(10, mv->base_decimals);
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>lendex risk report</title>\n<style>\n"
	      "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}\n"
	      "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\n"
	      ".charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}\n"
	      "svg.chart{background:#fafafa;border:1px solid #ddd}\n"
	      ".axis line{stroke:#333}.grid{stroke:#e4e4e4}.tick{font-size:11px;fill:#444}\n"
	      ".axis-title{font-size:12px;fill:#222}.title{font-size:14px;font-weight:600}\n"
	      ".bar{fill:#3b6fb6}.line1{stroke:#c0392b;stroke-width:2}.line2{stroke:#3b6fb6;stroke-width:2}\n"
	      ".line1-key{fill:#c0392b}.line2-key{fill:#3b6fb6}.legend text{font-size:11px}\n"
	      "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}\n"
	      "</style></head><body>\n", f);
	fputs("<h1>lendex risk report: ", f);
	esc(f, mv->name);
	fprintf(f, "</h1>\n<p>Block %llu, %zu accounts (%zu with debt, %zu looped, %zu toxic, %zu "
		   "with bad debt: %.2f %s uncovered). Values in base currency (%u decimals).</p>\n",
		(unsigned long long)mv->block, r->lsum.n_accounts, r->lsum.n_with_debt,
		r->lsum.n_looped, r->lsum.n_toxic, r->lsum.n_bad_debt,
		r->lsum.bad_debt / pow(10, mv->base_decimals), lx_report_base_unit(mv),
		mv->base_decimals);
	fputs("<div class=\"charts\">\n", f);
	/* 1. HF histogram */
	double bv[LX_RISK_BANDS];
	char lbs[LX_RISK_BANDS][32];
	const char *lbp[LX_RISK_BANDS];
	for (int b = 0; b < LX_RISK_BANDS; b++) {
		bv[b] = r->hf.band_debt[b] / scale;
		lbp[b] = lx_report_band_label(b, lbs[b], sizeof(lbs[b]));
	}
	bars(f, "hf-histogram", "Debt by health factor", "health factor band",
	     "debt (base currency)", bv, lbp, LX_RISK_BANDS);
	/* 2. ladders, one per feed and direction with anything liquidatable */
	int ladders = 0;
	for (size_t k = 0; k < r->n_ladders; k++) {
		const struct lx_ladder *l = &r->ladders[k];
		bool any = false;
		for (size_t s = 0; s < l->n_levels; s++)
			any |= l->accounts[s] > 0;
		if (!any)
			continue;
		double v[LX_LADDER_STEPS + 1];
		char lb[LX_LADDER_STEPS + 1][16];
		const char *lp[LX_LADDER_STEPS + 1];
		for (size_t s = 0; s < l->n_levels; s++) {
			v[s] = lx_u256_to_double(&l->value[s]) / scale;
			if (s == 0)
				snprintf(lb[s], sizeof(lb[s]), "now");
			else
				snprintf(lb[s], sizeof(lb[s]), "%+d%%", l->move_bps[s] / 100);
			lp[s] = lb[s];
		}
		char id[64], title[128], fl[64], xt[128];
		lx_report_feed_label(mv, l->feed, fl, sizeof(fl));
		snprintf(id, sizeof(id), "ladder-%zu-%s", (size_t)l->feed, l->rise ? "rise" : "fall");
		snprintf(title, sizeof(title), "Liquidation ladder: %s %s", fl,
			 l->rise ? "rising" : "falling");
		snprintf(xt, sizeof(xt), "price %s of %s (other prices held)",
			 l->rise ? "rise" : "drop", fl);
		bars(f, id, title, xt,
		     l->rise ? "debt of liquidatable accounts (base)"
			     : "collateral of liquidatable accounts (base)",
		     v, lp, (int)l->n_levels);
		ladders++;
	}
	if (!ladders) {
		double v[1] = {0};
		const char *lp[1] = {"none"};
		bars(f, "ladder-none", "Liquidation ladder: no collateral at risk",
		     "price drop of the asset (others held)", "collateral liquidatable (base)", v, lp, 1);
	}
	/* 3. depth distribution */
	double dv[9];
	char dl[9][8];
	const char *dp[9];
	for (int d = 0; d < 9; d++) {
		size_t c = 0;
		if (d < 8)
			c = r->lsum.depth_hist[d];
		else
			for (int k = 8; k <= LX_RISK_MAX_DEPTH; k++)
				c += r->lsum.depth_hist[k];
		dv[d] = (double)c;
		snprintf(dl[d], sizeof(dl[d]), d < 8 ? "%d" : "%d+", d);
		dp[d] = dl[d];
	}
	bars(f, "depth-distribution", "Accounts by detected loop depth",
	     "borrow → resupply rounds", "accounts", dv, dp, 9);
	/* 4. cascade curve */
	double xs[LX_REPORT_MAX_SWEEP], y1[LX_REPORT_MAX_SWEEP], y2[LX_REPORT_MAX_SWEEP];
	size_t ns = 0;
	for (size_t i = 0; i < r->n_sweep; i++) {
		if (o->n_shocks && r->sweep[i].asset != o->shocks[0].asset)
			continue; /* the curve of the first shocked asset; report.json has them all */
		xs[ns] = r->sweep[i].shock;
		y1[ns] = r->sweep[i].debt_repaid / scale;
		y2[ns++] = r->sweep[i].bad_debt / scale;
	}
	char ct[128] = "Cascade curve";
	if (o->n_shocks)
		snprintf(ct, sizeof(ct), "Cascade curve: %s shocked alone",
			 mv->assets[o->shocks[0].asset].symbol);
	line_chart(f, "cascade-curve", ct, "initial price shock", "base currency", xs, y1, y2, ns,
		   "debt liquidated", "bad debt left");
	fputs("</div>\n<h2>Cascade under the configured shock</h2>\n<table><tr><th>round</th>"
	      "<th>accounts</th><th>debt repaid</th><th>collateral seized</th></tr>\n", f);
	for (size_t i = 0; i < r->cascade.n_rounds; i++)
		fprintf(f, "<tr><td>%zu</td><td>%zu</td><td>%.2f</td><td>%.2f</td></tr>\n", i + 1,
			r->cascade.rounds[i].accounts, r->cascade.rounds[i].debt_repaid / scale,
			r->cascade.rounds[i].collateral_seized / scale);
	fprintf(f, "</table>\n<p>Bad debt left: %.2f. Amplification: %.3f.</p>\n",
		r->cascade.bad_debt / scale, r->cascade.amplification);
	fputs("</body></html>\n", f);
	return lx_report_close(f, tmp, err);
}
