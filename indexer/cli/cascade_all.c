/*
 * cascade_all.c: `lendex cascade --all-markets --shock ASSET=-20%` — one cascade over every
 * market of the store together (lx_risk_cascade_views): a shock on a token moves it in every
 * deployment that lists it, in the same round, and a liquidation on any market moves the
 * token's price for all of them. Each market's figures are in its own base currency.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/proto.h"
#include "lendex/report.h"
#include "lendex/risk.h"
#include "risk_common.h"
#include "views.h"

#define MAX_TOKEN_SHOCKS 256

static const char *proto_name(const struct lx_deployment *d)
{
	const struct lx_proto_ops *ops = lx_proto_find_id(d->protocol);
	return ops ? ops->name : "?";
}

/*
 * The --shock specs as token shocks: each spec is read against every market (symbol, address
 * or one of the deployment's groups) and becomes one shock per (chain, token) it names.
 */
static int parse_shocks(const struct lx_cli_args *a, const struct lx_cli_views *V,
			struct lx_token_shock *out, size_t cap, size_t *n)
{
	*n = 0;
	const char *const *specs;
	int ns = lx_cli_all(a, "shock", &specs);
	struct lx_shock(*per)[LX_REPORT_MAX_SHOCKS] = calloc(V->n ? V->n : 1, sizeof(*per));
	size_t *nper = calloc(V->n ? V->n : 1, sizeof(*nper));
	if (!per || !nper) {
		free(per);
		free(nper);
		lx_cli_errorf("cascade: out of memory");
		return LX_EXIT_RUNTIME;
	}
	int rc = LX_EXIT_OK;
	for (int s = 0; s < ns && !rc; s++) {
		size_t first = *n;
		struct lx_error miss;
		miss.msg[0] = 0;
		for (size_t v = 0; v < V->n && !rc; v++) {
			const struct lx_market_view *mv = &V->v[v].mv;
			const struct lx_deployment *d = V->v[v].dep;
			const char *names[16];
			uint16_t ids[16];
			size_t ng = 0;
			for (unsigned g = 1; g <= d->n_groups && ng < 16; g++) {
				names[ng] = lx_deployment_group_name(d, g);
				ids[ng++] = (uint16_t)g;
			}
			size_t before = nper[v];
			struct lx_error e;
			if (lx_risk_parse_shock(mv, specs[s], names, ids, ng, per[v],
						LX_REPORT_MAX_SHOCKS, &nper[v], &e)) {
				if (!strstr(e.msg, "no asset or group")) {
					lx_cli_errorf("%s (market %s)", e.msg, mv->name);
					rc = LX_EXIT_USAGE;
				} else if (!miss.msg[0]) {
					miss = e;
				}
				continue;
			}
			for (size_t k = before; k < nper[v]; k++) {
				const struct lx_addr *tok = &mv->assets[per[v][k].asset].asset;
				size_t j = first;
				while (j < *n && !(out[j].chain_id == mv->chain_id &&
						   lx_addr_eq(&out[j].token, tok)))
					j++;
				if (j < *n)
					continue; /* the same token named in another market */
				if (*n == cap) {
					lx_cli_errorf("too many shocked tokens (at most %zu)", cap);
					rc = LX_EXIT_USAGE;
					break;
				}
				out[*n].chain_id = mv->chain_id;
				out[*n].token = *tok;
				out[(*n)++].bps = per[v][k].bps;
			}
		}
		if (!rc && *n == first) {
			lx_cli_errorf("bad shock '%s': no asset or group of that name in any market",
				      specs[s]);
			rc = LX_EXIT_USAGE;
		}
	}
	free(per);
	free(nper);
	return rc;
}

int lx_cli_cascade_all(const struct lx_cli_args *a)
{
	if (lx_cli_has(a, "sweep") || lx_cli_has(a, "deployment")) {
		lx_cli_errorf("--all-markets runs one cascade over every market: without --sweep and "
			      "--deployment");
		return LX_EXIT_USAGE;
	}
	const char *model = lx_cli_get(a, "market", NULL);
	if (model && strcmp(model, "percent")) {
		lx_cli_errorf("--all-markets uses the percentage market model (the DEX model is built "
			      "for one market's assets): drop --market %s",
			      model);
		return LX_EXIT_USAGE;
	}
	struct lx_cascade_opts o;
	memset(&o, 0, sizeof(o));
	unsigned long long rounds;
	if (lx_cli_u64(a, "rounds", 0, &rounds) < 0)
		return LX_EXIT_USAGE;
	o.max_rounds = (size_t)rounds;
	const char *share = lx_cli_get(a, "depth-share", NULL);
	if (share) {
		char *end;
		double d = strtod(share, &end);
		if (end == share || *end || d <= 0 || d > 1000) {
			lx_cli_errorf("bad --depth-share '%s': expected a percentage of the supply", share);
			return LX_EXIT_USAGE;
		}
		o.percent_depth = d / 100;
	}
	if (lx_cli_get(a, "gas-cost", NULL)) {
		lx_cli_errorf("--gas-cost is in one market's base currency: not with --all-markets");
		return LX_EXIT_USAGE;
	}
	struct lx_cli_views V;
	int rc = lx_cli_views_load(a, NULL, 0, 0, &V);
	if (rc) {
		lx_cli_views_release(&V);
		return rc;
	}
	static struct lx_token_shock shocks[MAX_TOKEN_SHOCKS];
	size_t n_shocks = 0;
	const struct lx_market_view **mvs = calloc(V.n ? V.n : 1, sizeof(*mvs));
	struct lx_cascade *outs = calloc(V.n ? V.n : 1, sizeof(*outs));
	if (!mvs || !outs) {
		lx_cli_errorf("cascade: out of memory");
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	if ((rc = parse_shocks(a, &V, shocks, MAX_TOKEN_SHOCKS, &n_shocks)))
		goto out;
	for (size_t v = 0; v < V.n; v++)
		mvs[v] = &V.v[v].mv;
	struct lx_error e;
	if (lx_risk_cascade_views(mvs, V.n, shocks, n_shocks, &o, outs, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	if (lx_cli_has(a, "json")) {
		json_t *j = json_object(), *ms = json_array(), *ss = json_array();
		json_object_set_new(j, "market", json_string("percent"));
		for (size_t s = 0; s < n_shocks; s++) {
			char t[LX_ADDR_STRLEN];
			lx_addr_checksum(t, &shocks[s].token);
			json_array_append_new(ss, json_pack("{s:I,s:s,s:i}", "chainId",
							    (json_int_t)shocks[s].chain_id, "token", t,
							    "bps", (int)shocks[s].bps));
		}
		json_object_set_new(j, "shocks", ss);
		for (size_t v = 0; v < V.n; v++) {
			const struct lx_market_view *mv = mvs[v];
			json_t *m = json_object();
			json_object_set_new(m, "chain", json_string(V.v[v].chain->name));
			json_object_set_new(m, "deployment", json_string(mv->name));
			json_object_set_new(m, "protocol", json_string(proto_name(V.v[v].dep)));
			json_object_set_new(m, "base", json_string(mv->base));
			json_object_set_new(m, "baseDecimals", json_integer(mv->base_decimals));
			json_object_set_new(m, "block", json_integer((json_int_t)mv->block));
			json_object_set_new(m, "notComputed", outs[v].not_computed
								      ? json_string(outs[v].not_computed)
								      : json_null());
			json_object_set_new(m, "cascade", outs[v].not_computed
								  ? json_null()
								  : lx_report_cascade_json(&outs[v], mv, true));
			json_array_append_new(ms, m);
		}
		json_object_set_new(j, "markets", ms);
		json_t *sk = json_array();
		for (size_t i = 0; i < V.n_skipped; i++)
			json_array_append_new(sk, json_pack("{s:s,s:s}", "chain",
							    V.skipped[i].chain->name, "deployment",
							    V.skipped[i].dep->name));
		json_object_set_new(j, "notCovered", sk);
		lx_cli_print_json(j);
	} else {
		printf("one cascade over %zu market%s (percentage market model; each market in its "
		       "own base currency)\n",
		       V.n, V.n == 1 ? "" : "s");
		for (size_t v = 0; v < V.n; v++) {
			const struct lx_market_view *mv = mvs[v];
			const struct lx_cascade *c = &outs[v];
			double scale = pow(10, mv->base_decimals);
			printf("\n== %s %s (%s, base %s)\n", V.v[v].chain->name, mv->name,
			       proto_name(V.v[v].dep), mv->base[0] ? mv->base : "?");
			if (c->not_computed) {
				printf("not computed: %s\n", c->not_computed);
				continue;
			}
			printf("%6s %9s %6s %16s %16s %16s\n", "round", "accounts", "liqs",
			       "debt repaid", "coll. seized", "coll. sold");
			for (size_t i = 0; i < c->n_rounds; i++) {
				const struct lx_cascade_round *r = &c->rounds[i];
				printf("%6zu %9zu %6zu %16.2f %16.2f %16.2f\n", i + 1, r->accounts,
				       r->liquidations, r->debt_repaid / scale,
				       r->collateral_seized / scale, r->collateral_sold / scale);
			}
			printf("total debt repaid %.2f; bad debt %.2f: %.2f before the shock, %.2f "
			       "created\n",
			       c->total_debt_repaid / scale, c->bad_debt / scale,
			       c->bad_debt_before / scale, c->bad_debt_created / scale);
		}
		for (size_t i = 0; i < V.n_skipped; i++)
			printf("not covered: %s's deployment %s (protocol not supported by this lendex "
			       "yet)\n",
			       V.skipped[i].chain->name, V.skipped[i].dep->name);
		printf("(%s)\n", V.n && outs[0].fixed_point ? "stopped at a fixed point"
							   : "stopped at the round limit");
	}
out:
	for (size_t v = 0; outs && v < V.n; v++)
		lx_cascade_release(&outs[v]);
	free(outs);
	free(mvs);
	lx_cli_views_release(&V);
	return rc;
}
