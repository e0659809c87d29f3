/*
 * cmd_risk.c: the risk commands — `lendex leverage`, `lendex clusters`, `lendex cascade` and
 * `lendex report` — over the synced market (docs/risk.md defines every number).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "dex_load.h"
#include "lendex/store.h"
#include "lendex/verify.h"
#include "risk_common.h"

/* The human table: the JSON's rows, every column with its unit (docs/risk.md defines them). */
static void print_leverage(json_t *j, const struct lx_leverage_summary *s,
			   const struct lx_market_view *mv)
{
	const char *unit = lx_report_base_unit(mv);
	double scale = pow(10, mv->base_decimals);
	printf("%zu accounts, %zu with debt; bad debt: %zu accounts, %.2f %s uncovered; "
	       "%zu toxic\n",
	       s->n_accounts, s->n_with_debt, s->n_bad_debt, s->bad_debt / scale, unit, s->n_toxic);
	printf("looped now: %zu accounts (%zu correlated, %zu directional, %zu via flash loans), "
	       "%.1f%% of collateral and %.1f%% of debt; open loop rounds supplied %.1f%% of "
	       "collateral\n\n",
	       s->n_looped, s->n_looped_correlated, s->n_looped_directional, s->n_looped_flash,
	       100 * s->coll_looped_share, 100 * s->debt_looped_share,
	       100 * s->coll_loop_built_share);
	char hc[32], hd[32];
	snprintf(hc, sizeof(hc), "collateral %s", unit);
	snprintf(hd, sizeof(hd), "debt %s", unit);
	printf("%-42s %16s %16s %12s %7s %7s %7s %11s %6s\n", "account", hc, hd, "leverage x",
	       "loops", "corr", "dir", "implied", "toxic");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "top"), i, e)
	{
		bool bad = json_is_true(json_object_get(e, "badDebt"));
		char lev[24];
		if (bad)
			snprintf(lev, sizeof(lev), "bad debt");
		else
			snprintf(lev, sizeof(lev), "%.3f",
				 json_real_value(json_object_get(e, "leverage")));
		json_t *l = json_object_get(e, "loops");
		json_t *imp = json_object_get(e, "impliedDepth");
		char impl[24];
		if (json_is_null(imp))
			snprintf(impl, sizeof(impl), "inf");
		else
			snprintf(impl, sizeof(impl), "%.2f", json_real_value(imp));
		printf("%-42s %16.2f %16.2f %12s %7lld %7lld %7lld %11s %6s\n",
		       json_string_value(json_object_get(e, "account")),
		       json_real_value(json_object_get(e, "collateral")),
		       json_real_value(json_object_get(e, "debt")), lev,
		       (long long)json_integer_value(json_object_get(l, "rounds")),
		       (long long)json_integer_value(json_object_get(l, "correlated")),
		       (long long)json_integer_value(json_object_get(l, "directional")), impl,
		       json_is_true(json_object_get(e, "toxic")) ? "yes" : "no");
	}
	printf("\nsorted: bad debt (debt >= collateral, leverage infinite) first, by shortfall; "
	       "then leverage (collateral / equity), highest first.\nloops = open loop rounds (corr: "
	       "debt and collateral correlated, dir: directional); implied = rounds a loop at the "
	       "account's LTV needs for its leverage. Definitions: docs/risk.md\n");
}

/* The key that drove each account of mv (lx_entity_of over the signers sync --verify stored). */
static int entities_of(const struct lx_cli_args *a, const struct lx_chain *chain,
		       const struct lx_market_view *mv, struct lx_addr *ent, bool *has)
{
	const struct lx_deployment *d =
		lx_chain_find_deployment(chain, lx_cli_get(a, "deployment", NULL));
	struct lx_addr pool;
	if (!d || lx_deployment_contract(d, "pool", &pool, NULL)) {
		lx_cli_errorf("leverage --by-entity: deployment %s names no pool contract",
			      d ? d->name : "?");
		return LX_EXIT_USAGE;
	}
	struct lx_store *st = NULL;
	struct lx_store_txn *t = NULL;
	struct lx_error e;
	lx_error_clear(&e);
	int rc = lx_cli_open_store(a, false, &st);
	if (rc)
		return rc;
	size_t known = 0;
	if (lx_store_begin(st, false, &t, &e))
		rc = LX_EXIT_RUNTIME;
	for (size_t i = 0; i < mv->n_accounts && !rc; i++) {
		int r = lx_entity_of(t, chain->chain_id, &pool, &mv->accounts[i].account, &ent[i], &e);
		has[i] = r == 0;
		known += has[i];
		if (r && r != LX_ENOTFOUND)
			rc = LX_EXIT_RUNTIME;
	}
	if (rc)
		lx_cli_errorf("%s", e.msg);
	else if (mv->n_accounts && !known) {
		lx_cli_errorf("no verified signers for %s in %s: signers are recovered by 'lendex sync "
			      "--chain %s --verify'", d->name, lx_cli_datadir(a), chain->name);
		rc = LX_EXIT_RUNTIME;
	}
	if (t)
		lx_store_abort(t);
	lx_store_close(st);
	return rc;
}

/* leverage --by-entity: the table (or JSON) of lx_risk_leverage_by_entity. */
static int print_by_entity(const struct lx_cli_args *a, const struct lx_market_view *mv,
			   const struct lx_entity_leverage *e, size_t n, size_t unknown,
			   size_t top)
{
	const char *unit = lx_report_base_unit(mv);
	double scale = pow(10, mv->base_decimals);
	size_t shown = top && top < n ? top : n, accounts = 0;
	for (size_t i = 0; i < n; i++)
		accounts += e[i].n_accounts;
	char sg[LX_ADDR_STRLEN], la[LX_ADDR_STRLEN];
	if (lx_cli_has(a, "json")) {
		json_t *o = json_object(), *arr = json_array();
		json_object_set_new(o, "entities", json_integer((json_int_t)n));
		json_object_set_new(o, "accounts", json_integer((json_int_t)accounts));
		json_object_set_new(o, "unknownAccounts", json_integer((json_int_t)unknown));
		json_object_set_new(o, "baseCurrency", json_string(unit));
		for (size_t i = 0; i < shown; i++) {
			lx_addr_checksum(sg, &e[i].signer);
			lx_addr_checksum(la, &mv->accounts[e[i].largest].account);
			json_array_append_new(
				arr, json_pack("{s:s,s:I,s:f,s:f,s:o,s:b,s:I,s:s}", "signer", sg,
					       "accounts", (json_int_t)e[i].n_accounts, "collateral",
					       e[i].collateral / scale, "debt", e[i].debt / scale,
					       "leverage", e[i].bad_debt ? json_null()
									 : json_real(e[i].leverage),
					       "badDebt", e[i].bad_debt, "loops",
					       (json_int_t)e[i].max_depth, "largestAccount", la));
		}
		json_object_set_new(o, "top", arr);
		lx_cli_print_json(o);
		return LX_EXIT_OK;
	}
	printf("%zu entities (signers) drove %zu open accounts; %zu open accounts have no verified "
	       "signer\n\n", n, accounts, unknown);
	char hc[32], hd[32];
	snprintf(hc, sizeof(hc), "collateral %s", unit);
	snprintf(hd, sizeof(hd), "debt %s", unit);
	printf("%-42s %8s %16s %16s %12s %6s %-42s\n", "entity (signer)", "accounts", hc, hd,
	       "leverage x", "loops", "largest account");
	for (size_t i = 0; i < shown; i++) {
		char lev[24];
		if (e[i].bad_debt)
			snprintf(lev, sizeof(lev), "bad debt");
		else
			snprintf(lev, sizeof(lev), "%.3f", e[i].leverage);
		lx_addr_checksum(sg, &e[i].signer);
		lx_addr_checksum(la, &mv->accounts[e[i].largest].account);
		printf("%-42s %8zu %16.2f %16.2f %12s %6u %-42s\n", sg, e[i].n_accounts,
		       e[i].collateral / scale, e[i].debt / scale, lev, e[i].max_depth, la);
	}
	printf("\nan entity is the key whose signed transactions moved the accounts' positions "
	       "(recovered by sync --verify); its leverage is that of their sum. Sorted as "
	       "'lendex leverage'.\n");
	return LX_EXIT_OK;
}

int lx_cmd_leverage(const struct lx_cli_args *a)
{
	struct lx_market_view mv;
	struct lx_report_opts o;
	struct lx_chain *chain;
	if (lx_cli_has(a, "all-markets"))
		return lx_cli_leverage_all(a);
	int rc = lx_cli_risk_setup(a, &mv, &o, &chain);
	if (rc)
		return rc;
	struct lx_report r;
	memset(&r, 0, sizeof(r));
	r.lev = calloc(mv.n_accounts ? mv.n_accounts : 1, sizeof(*r.lev));
	if (!r.lev || lx_risk_leverage(&mv, r.lev, &r.lsum)) {
		lx_cli_errorf("leverage: out of memory");
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	if (lx_cli_has(a, "by-entity")) {
		struct lx_addr *ent = calloc(mv.n_accounts + 1, sizeof(*ent));
		bool *has = calloc(mv.n_accounts + 1, sizeof(*has));
		struct lx_entity_leverage *el = NULL;
		size_t n = 0, unknown = 0;
		if (!ent || !has) {
			lx_cli_errorf("leverage: out of memory");
			rc = LX_EXIT_RUNTIME;
		} else if (!(rc = entities_of(a, chain, &mv, ent, has))) {
			if (lx_risk_leverage_by_entity(&mv, r.lev, ent, has, &el, &n, &unknown)) {
				lx_cli_errorf("leverage: out of memory");
				rc = LX_EXIT_RUNTIME;
			} else {
				rc = print_by_entity(a, &mv, el, n, unknown, o.top);
			}
		}
		free(el);
		free(ent);
		free(has);
		goto out;
	}
	json_t *j = lx_report_leverage_json(&r, &mv, o.top);
	if (lx_cli_has(a, "json")) {
		lx_cli_print_json(j);
	} else {
		print_leverage(j, &r.lsum, &mv);
		json_decref(j);
	}
out:
	free(r.lev);
	lx_market_view_release(&mv);
	lx_chain_destroy(chain);
	return rc;
}

int lx_cmd_clusters(const struct lx_cli_args *a)
{
	struct lx_market_view mv;
	struct lx_report_opts o;
	struct lx_chain *chain;
	int rc = lx_cli_risk_setup(a, &mv, &o, &chain);
	if (rc)
		return rc;
	struct lx_report r;
	memset(&r, 0, sizeof(r));
	if (lx_risk_hf(&mv, &r.hf) || lx_risk_liq_points(&mv, &r.pts, &r.n_pts) ||
	    lx_risk_ladders(&mv, &r.ladders, &r.n_ladders)) {
		lx_cli_errorf("clusters: risk pass failed");
		rc = LX_EXIT_RUNTIME;
	} else {
		json_t *j = lx_report_hf_json(&r, &mv, &o);
		if (lx_cli_has(a, "json")) {
			lx_cli_print_json(j);
		} else {
			printf("%-12s %18s %9s\n", "HF band", "debt (base)", "accounts");
			size_t i;
			json_t *e;
			json_array_foreach(json_object_get(j, "bands"), i, e)
			printf("%-12s %18.2f %9lld\n", json_string_value(json_object_get(e, "band")),
			       json_real_value(json_object_get(e, "debt")),
			       (long long)json_integer_value(json_object_get(e, "accounts")));
			printf("no debt: %zu accounts; concentration (HHI over bands): %.3f\n\n",
			       r.hf.no_debt_accounts, r.hf.hhi);
			printf("%-8s %10s %10s %10s %18s %9s\n", "cluster", "HF low", "HF high", "center",
			       "debt (base)", "accounts");
			for (size_t c = 0; c < r.hf.n_clusters; c++)
				printf("%-8zu %10.4f %10.4f %10.4f %18.2f %9zu\n", c + 1, r.hf.clusters[c].lo,
				       r.hf.clusters[c].hi, r.hf.clusters[c].center,
				       r.hf.clusters[c].debt / pow(10, mv.base_decimals),
				       r.hf.clusters[c].accounts);
			json_decref(j);
		}
	}
	lx_report_release(&r);
	lx_market_view_release(&mv);
	lx_chain_destroy(chain);
	return rc;
}

/* --gas-cost, --depth-share and the market model (--market, chains/ dex, --rpc) into o */
static int cascade_opts(const struct lx_cli_args *a, const struct lx_market_view *mv,
			struct lx_report_opts *o, struct lx_dex **dex)
{
	*dex = NULL;
	double scale = pow(10, mv->base_decimals);
	const char *gas = lx_cli_get(a, "gas-cost", NULL), *share = lx_cli_get(a, "depth-share", NULL);
	char *end;
	if (gas) {
		double g = strtod(gas, &end);
		if (end == gas || *end || g < 0 || g > 1e12) {
			lx_cli_errorf("bad --gas-cost '%s': expected an amount of the base currency (USD)",
				      gas);
			return LX_EXIT_USAGE;
		}
		o->cascade.gas_cost_base = g * scale;
	}
	if (share) {
		double d = strtod(share, &end);
		if (end == share || *end || d <= 0 || d > 1000) {
			lx_cli_errorf("bad --depth-share '%s': expected a percentage of the supply", share);
			return LX_EXIT_USAGE;
		}
		o->cascade.percent_depth = d / 100;
	}
	int rc = lx_cli_dex_setup(a, mv, dex);
	o->cascade.dex = *dex;
	return rc;
}

int lx_cmd_cascade(const struct lx_cli_args *a)
{
	struct lx_market_view mv;
	struct lx_report_opts o;
	struct lx_chain *chain;
	if (!lx_cli_has(a, "shock")) {
		lx_cli_errorf("cascade needs at least one --shock ASSET=-20%%");
		return LX_EXIT_USAGE;
	}
	if (lx_cli_has(a, "all-markets"))
		return lx_cli_cascade_all(a);
	int rc = lx_cli_risk_setup(a, &mv, &o, &chain);
	if (rc)
		return rc;
	unsigned long long rounds;
	if (lx_cli_u64(a, "rounds", 0, &rounds) < 0) {
		rc = LX_EXIT_USAGE;
		goto out;
	}
	o.cascade.max_rounds = (size_t)rounds;
	double scale = pow(10, mv.base_decimals);
	struct lx_dex *dex = NULL;
	if ((rc = cascade_opts(a, &mv, &o, &dex)))
		goto out;
	o.cascade.dex = dex;
	struct lx_error e;
	if (lx_cli_has(a, "sweep")) {
		struct lx_report r;
		if (lx_report_compute(&r, &mv, &o, &e)) {
			lx_cli_errorf("%s", e.msg);
			rc = LX_EXIT_RUNTIME;
			lx_dex_destroy(dex);
			goto out;
		}
		if (lx_cli_has(a, "json")) {
			json_t *j = lx_report_json(&r, &mv, &o);
			lx_cli_print_json(json_incref(json_object_get(j, "sweep")));
			json_decref(j);
		} else {
			printf("%-8s %8s %18s %18s %14s %14s %10s %6s %6s\n", "asset", "shock",
			       "debt repaid", "coll. seized", "bad debt", "bad debt new", "final move",
			       "liqs", "rounds");
			for (size_t i = 0; i < r.n_sweep; i++)
				printf("%-8s %7.1f%% %18.2f %18.2f %14.2f %14.2f %9.2f%% %6zu %6zu\n",
				       mv.assets[r.sweep[i].asset].symbol, 100 * r.sweep[i].shock,
				       r.sweep[i].debt_repaid / scale, r.sweep[i].collateral_seized / scale,
				       r.sweep[i].bad_debt / scale, r.sweep[i].bad_debt_created / scale,
				       100 * r.sweep[i].final_move, r.sweep[i].accounts, r.sweep[i].rounds);
		}
		lx_report_release(&r);
		lx_dex_destroy(dex);
		goto out;
	}
	struct lx_cascade c;
	rc = lx_risk_cascade_run(&mv, o.shocks, o.n_shocks, &o.cascade, &c, &e);
	lx_dex_destroy(dex);
	if (rc) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
		goto out;
	}
	json_t *j = lx_report_cascade_json(&c, &mv, true);
	if (lx_cli_has(a, "json")) {
		json_object_set_new(j, "block", json_integer((json_int_t)mv.block));
		json_object_set_new(j, "timestamp", json_integer((json_int_t)mv.timestamp));
		json_object_set_new(j, "market", json_string(dex ? "dex" : "percent"));
		lx_cli_print_json(j);
	} else {
		printf("market model: %s%s\n\n", dex ? "DEX (Uniswap V3 pools, depth file, feeds)"
						    : "percent of supply per 1% (--market percent)",
		       o.cascade.gas_cost_base > 0 ? ", liquidations must cover the gas cost" : "");
		printf("%6s %9s %6s %16s %16s %16s %14s %14s\n", "round", "accounts", "liqs",
		       "debt repaid", "coll. seized", "coll. sold", "slippage", "liq. profit");
		for (size_t i = 0; i < c.n_rounds; i++) {
			const struct lx_cascade_round *r = &c.rounds[i];
			printf("%6zu %9zu %6zu %16.2f %16.2f %16.2f %14.2f %14.2f\n", i + 1, r->accounts,
			       r->liquidations, r->debt_repaid / scale, r->collateral_seized / scale,
			       r->collateral_sold / scale, r->slippage / scale, r->profit / scale);
			printf("       oracle:");
			for (size_t k = 0; k < mv.n_assets; k++)
				if (!lx_u256_eq(&r->oracle[k], &mv.assets[k].price)) {
					char b[96];
					lx_u256_to_fixed(b, sizeof(b), &r->oracle[k], mv.base_decimals);
					printf(" %s %s", mv.assets[k].symbol, b);
				}
			printf("\n");
		}
		printf("\ntotal debt repaid %.2f, collateral seized %.2f, liquidator profit %.2f, "
		       "slippage %.2f\n"
		       "bad debt %.2f: %.2f before the shock, %.2f created (deficits %.2f)\n",
		       c.total_debt_repaid / scale, c.total_collateral_seized / scale,
		       c.total_profit / scale, c.total_slippage / scale, c.bad_debt / scale,
		       c.bad_debt_before / scale, c.bad_debt_created / scale, c.deficit / scale);
		for (size_t k = 0; k < c.n_shocked; k++)
			printf("%s: market move %.2f%% after an initial %.2f%%: amplification %.3f\n",
			       mv.assets[c.shocked[k].asset].symbol, 100 * c.shocked[k].final_move,
			       100 * c.shocked[k].initial_move, c.shocked[k].amplification);
		size_t ngas = 0;
		for (size_t i = 0; i < c.n_unliq; i++)
			ngas += c.unliq[i].reason == LX_UNLIQ_GAS;
		if (c.n_unliq)
			printf("%zu accounts stay below HF 1 (%zu because the bonus does not cover the "
			       "gas cost; --json lists them)\n",
			       c.n_unliq, ngas);
		printf("(base currency; %s)\n", c.fixed_point ? "stopped at a fixed point"
							       : "stopped at the round limit");
		json_decref(j);
	}
	lx_cascade_release(&c);
out:
	lx_market_view_release(&mv);
	lx_chain_destroy(chain);
	return rc;
}

int lx_cmd_report(const struct lx_cli_args *a)
{
	struct lx_market_view mv;
	struct lx_report_opts o;
	struct lx_chain *chain;
	int rc = lx_cli_risk_setup(a, &mv, &o, &chain);
	if (rc)
		return rc;
	struct lx_report r;
	struct lx_error e;
	const char *dir = lx_cli_get(a, "out", "lendex-report");
	struct lx_dex *dex = NULL;
	if ((rc = cascade_opts(a, &mv, &o, &dex))) {
		lx_market_view_release(&mv);
		lx_chain_destroy(chain);
		return rc;
	}
	int crc = lx_report_compute(&r, &mv, &o, &e);
	lx_dex_destroy(dex);
	if (crc || lx_report_write(dir, &r, &mv, &o, &e)) {
		lx_cli_errorf("%s", e.msg);
		rc = LX_EXIT_RUNTIME;
	} else if (lx_cli_has(a, "json")) {
		printf("{\"dir\":\"%s\",\"files\":[\"report.json\",\"report.html\",\"leverage.csv\","
		       "\"hf_bands.csv\",\"clusters.csv\",\"ladder.csv\",\"liquidation_prices.csv\","
		       "\"liquidations_defillama.csv\","
		       "\"liquidations_defillama.json\",\"positions_messari.csv\",\"cascade.csv\","
		       "\"sweep.csv\"]}\n",
		       dir);
	} else {
		printf("wrote %s/report.html, report.json, liquidations_defillama.json and 9 CSV "
		       "tables\n", dir);
	}
	if (rc == 0 && r.n_pts && strcmp(lx_report_base_unit(&mv), "USD") != 0)
		lx_cli_errorf("note: liquidations_defillama: %zu rows left out: DefiLlama's liqPrice "
			      "is USD and this market's base currency is not", r.n_pts);
	lx_report_release(&r);
	lx_market_view_release(&mv);
	lx_chain_destroy(chain);
	return rc;
}
