/*
 * report_int.h: shared between report.c and html.c.
 */
#ifndef LENDEX_REPORT_INT_H
#define LENDEX_REPORT_INT_H

#include <stdio.h>

#include "lendex/report.h"

FILE *lx_report_open(const char *dir, const char *name, char *tmp, size_t cap);
int lx_report_close(FILE *f, const char *tmp, struct lx_error *err);
const char *lx_report_band_label(int b, char *buf, size_t cap);
/* leverage.c: leverage.csv */
int lx_report_leverage_csv(const char *dir, const struct lx_report *r,
			   const struct lx_market_view *mv, struct lx_error *err);
/* export.c: liquidations_defillama.{json,csv}, positions_messari.csv */
int lx_report_exports(const char *dir, const struct lx_report *r,
		      const struct lx_market_view *mv, const struct lx_report_opts *o,
		      struct lx_error *err);
int lx_report_html(const char *dir, const struct lx_report *r, const struct lx_market_view *mv,
		   const struct lx_report_opts *o, struct lx_error *err);

#endif
