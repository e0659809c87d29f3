/*
 * leverage_all.c: `lendex leverage --all-markets` — one row per account over every market of a
 * chain (each deployment, each isolated sub-market), for loops that borrow on one protocol and
 * supply the proceeds on another (lx_risk_loops_across). Collateral and debt are in USD from the
 * chain's USD price book (report.h, as `position` totals them); a position whose token no USD
 * oracle prices is left out of the sums and the row says so (usdComplete false), never guessed.
 * Correlation classes are chain-wide: the same token in two markets is one class, and so are
 * the tokens of one named group of chains/ ("eth", "usd").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/report.h"
#include "lendex/risk.h"
#include "risk_common.h"
#include "views.h"

/* one account of one chain */
struct row {
	const struct lx_chain *chain;
	struct lx_addr account;
	struct lx_u256 coll, debt;     /* USD, LX_USD_DECIMALS: collateral-flagged supply, debt */
	bool complete;                 /* every position had a USD price */
	struct lx_loops loops;
};

/* chain-wide correlation classes: keys "g:NAME" (a named group) or "t:ADDRESS" (a token) */
struct classes {
	char (*key)[64];
	size_t n, cap;
};

static uint16_t class_of(struct classes *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->key[i], key))
			return (uint16_t)(i + 1);
	if (c->n == c->cap) {
		size_t nc = c->cap ? 2 * c->cap : 32;
		char(*nk)[64] = realloc(c->key, nc * sizeof(*nk));
		if (!nk)
			return 0;
		c->key = nk;
		c->cap = nc;
	}
	snprintf(c->key[c->n], sizeof(c->key[c->n]), "%s", key);
	return (uint16_t)++c->n;
}

static int cmp_row(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	if (a->loops.rounds != b->loops.rounds)
		return a->loops.rounds > b->loops.rounds ? -1 : 1;
	int d = lx_u256_cmp(&b->debt, &a->debt);
	if (d)
		return d;
	return memcmp(a->account.b, b->account.b, 20);
}

static json_t *usd_json(const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	return json_string(b);
}

static void usd_text(char *out, size_t n, const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	size_t l = strlen(b);
	if (l <= LX_USD_DECIMALS)
		snprintf(out, n, "0.%0*d%s", (int)(LX_USD_DECIMALS - l), 0, b);
	else
		snprintf(out, n, "%.*s.%s", (int)(l - LX_USD_DECIMALS), b, b + l - LX_USD_DECIMALS);
}

/* the markets (views) of chain ch the account holds a position in, as JSON */
static json_t *markets_json(const struct lx_cli_views *V, const struct lx_chain *ch,
			    const struct lx_addr *who)
{
	json_t *ms = json_array();
	for (size_t v = 0; v < V->n; v++) {
		if (V->v[v].chain != ch)
			continue;
		const struct lx_market_view *mv = &V->v[v].mv;
		for (size_t i = 0; i < mv->n_accounts; i++) {
			const struct lx_account_view *ac = &mv->accounts[i];
			if (!ac->n_pos || !lx_addr_eq(&ac->account, who))
				continue;
			bool sub = false;
			for (int k = 0; k < 32; k++)
				sub |= ac->market[k] != 0;
			char mh[67] = "0x";
			for (int k = 0; k < 32; k++)
				snprintf(mh + 2 + 2 * k, 3, "%02x", ac->market[k]);
			json_array_append_new(
			    ms, json_pack("{s:s,s:o}", "deployment", mv->name, "market",
					  sub ? json_string(mh) : json_null()));
		}
	}
	return ms;
}

/* the group chains/ names token in by any deployment of chain ch, or NULL */
static const char *group_of(const struct lx_cli_views *V, const struct lx_chain *ch,
			    const struct lx_addr *token)
{
	for (size_t v = 0; v < V->n; v++) {
		if (V->v[v].chain != ch)
			continue;
		unsigned g = lx_deployment_group_of(V->v[v].dep, token);
		const char *name = g ? lx_deployment_group_name(V->v[v].dep, g) : NULL;
		if (name)
			return name;
	}
	return NULL;
}

/*
 * USD of one whole token of each asset of view v (zero: no USD price), and its class: the
 * token's group wherever chains/ names one for it on this chain, else the token itself
 */
static int prices_of(const struct lx_usd_book *book, const struct lx_cli_views *V, size_t v,
		     struct classes *cls, struct lx_u256 *usd, uint16_t *klass)
{
	const struct lx_market_view *mv = &V->v[v].mv;
	for (size_t i = 0; i < mv->n_assets; i++) {
		const struct lx_asset_info *inf = &mv->assets[i];
		struct lx_u256 one, ten;
		lx_u256_from_u64(&one, 1);
		lx_u256_from_u64(&ten, 10);
		for (unsigned d = 0; d < inf->decimals; d++)
			lx_u256_mul(&one, &one, &ten);
		if (lx_usd_value(book, mv, (uint32_t)i, &one, &inf->price, &usd[i], NULL))
			memset(&usd[i], 0, sizeof(usd[i]));
		char key[64];
		const char *g = group_of(V, V->v[v].chain, &inf->asset);
		if (g)
			snprintf(key, sizeof(key), "g:%s", g);
		else {
			char a[LX_ADDR_STRLEN];
			lx_addr_lower(a, &inf->asset);
			snprintf(key, sizeof(key), "t:%s", a);
		}
		if (!(klass[i] = class_of(cls, key)))
			return LX_ENOMEM;
	}
	return 0;
}

int lx_cli_leverage_all(const struct lx_cli_args *a)
{
	if (lx_cli_has(a, "deployment") || lx_cli_has(a, "by-entity")) {
		lx_cli_errorf("leverage --all-markets covers every deployment of the chain: not with "
			      "--deployment or --by-entity");
		return LX_EXIT_USAGE;
	}
	unsigned long long top;
	if (lx_cli_u64(a, "top", 20, &top) < 0)
		return LX_EXIT_USAGE;
	struct lx_cli_views V;
	int rc = lx_cli_views_load(a, NULL, 0, LX_VIEW_FLOWS, &V);
	if (rc) {
		lx_cli_views_release(&V);
		return rc;
	}
	struct lx_usd_book book;
	lx_usd_book_init(&book);
	struct classes cls = {NULL, 0, 0};
	struct lx_loop_market *lm = calloc(V.n ? V.n : 1, sizeof(*lm));
	struct lx_u256 **usd = calloc(V.n ? V.n : 1, sizeof(*usd));
	uint16_t **klass = calloc(V.n ? V.n : 1, sizeof(*klass));
	struct row *rows = NULL;
	size_t n_rows = 0, cap_rows = 0;
	rc = LX_EXIT_RUNTIME;
	if (!lm || !usd || !klass)
		goto oom;
	for (size_t v = 0; v < V.n; v++)
		if (lx_usd_book_add(&book, &V.v[v].mv))
			goto oom;
	for (size_t v = 0; v < V.n; v++) {
		const struct lx_market_view *mv = &V.v[v].mv;
		usd[v] = calloc(mv->n_assets ? mv->n_assets : 1, sizeof(**usd));
		klass[v] = calloc(mv->n_assets ? mv->n_assets : 1, sizeof(**klass));
		if (!usd[v] || !klass[v] || prices_of(&book, &V, v, &cls, usd[v], klass[v]))
			goto oom;
	}
	/* one row per (chain, account with a position) */
	for (size_t c = 0; c < V.n_chains; c++) {
		const struct lx_chain *ch = V.chains[c];
		size_t nm = 0, first = n_rows;
		for (size_t v = 0; v < V.n; v++)
			if (V.v[v].chain == ch)
				lm[nm++] = (struct lx_loop_market){&V.v[v].mv, usd[v], klass[v]};
		for (size_t k = 0; k < nm; k++) {
			const struct lx_market_view *mv = lm[k].mv;
			for (size_t i = 0; i < mv->n_accounts; i++) {
				const struct lx_account_view *ac = &mv->accounts[i];
				if (!ac->n_pos)
					continue;
				size_t r;
				for (r = first; r < n_rows; r++)
					if (lx_addr_eq(&rows[r].account, &ac->account))
						break;
				if (r == n_rows) {
					if (n_rows == cap_rows) {
						size_t nc = cap_rows ? 2 * cap_rows : 64;
						struct row *nr = realloc(rows, nc * sizeof(*nr));
						if (!nr)
							goto oom;
						rows = nr;
						cap_rows = nc;
					}
					memset(&rows[n_rows], 0, sizeof(rows[n_rows]));
					rows[n_rows].chain = ch;
					rows[n_rows].account = ac->account;
					rows[n_rows++].complete = true;
				}
				struct row *w = &rows[r];
				for (size_t j = 0; j < ac->n_pos; j++) {
					const struct lx_asset_pos *p = &ac->pos[j];
					struct lx_u256 s, b;
					if (lx_usd_value(&book, mv, p->asset, &p->supplied, &p->price, &s,
							 NULL) ||
					    lx_usd_value(&book, mv, p->asset, &p->borrowed, &p->price, &b,
							 NULL)) {
						w->complete = false;
						continue;
					}
					if ((p->collateral && lx_u256_add(&w->coll, &w->coll, &s)) ||
					    lx_u256_add(&w->debt, &w->debt, &b))
						w->complete = false;
				}
			}
		}
		for (size_t r = first; r < n_rows; r++)
			if (lx_risk_loops_across(lm, nm, &rows[r].account, NULL, &rows[r].loops))
				goto oom;
	}
	if (n_rows > 1)
		qsort(rows, n_rows, sizeof(*rows), cmp_row);
	size_t looped = 0, across = 0;
	for (size_t r = 0; r < n_rows; r++) {
		looped += rows[r].loops.rounds > 0;
		across += rows[r].loops.across > 0;
	}
	if (lx_cli_has(a, "json")) {
		json_t *o = json_object(), *t = json_array();
		json_object_set_new(o, "usdDecimals", json_integer(LX_USD_DECIMALS));
		json_object_set_new(o, "sortedBy", json_string("loop depth, then debt, highest first"));
		json_object_set_new(o, "accounts", json_integer((json_int_t)n_rows));
		json_object_set_new(o, "looped", json_integer((json_int_t)looped));
		json_object_set_new(o, "loopedAcrossMarkets", json_integer((json_int_t)across));
		for (size_t r = 0; r < n_rows && r < top; r++) {
			const struct row *w = &rows[r];
			char addr[LX_ADDR_STRLEN];
			lx_addr_checksum(addr, &w->account);
			double cd = lx_u256_to_double(&w->coll), dd = lx_u256_to_double(&w->debt);
			json_t *l = json_pack(
			    "{s:i,s:i,s:i,s:i,s:i,s:i}", "rounds", (int)w->loops.rounds, "correlated",
			    (int)w->loops.correlated, "directional", (int)w->loops.directional,
			    "flashLoan", (int)w->loops.flash, "builtEver", (int)w->loops.built,
			    "acrossMarkets", (int)w->loops.across);
			json_t *e = json_pack(
			    "{s:s,s:s,s:o,s:o,s:o,s:b,s:o,s:i,s:o}", "chain", w->chain->name, "account",
			    addr, "markets", markets_json(&V, w->chain, &w->account), "collateralUSD",
			    usd_json(&w->coll), "debtUSD", usd_json(&w->debt), "usdComplete",
			    w->complete, "leverage",
			    dd <= 0 ? json_real(cd > 0 ? 1 : 0)
				    : cd > dd ? json_real(cd / (cd - dd)) : json_null(),
			    "loopDepth", (int)w->loops.rounds, "loops", l);
			json_array_append_new(t, e);
		}
		json_object_set_new(o, "top", t);
		lx_cli_print_json(o);
	} else {
		printf("%-8s %-42s %18s %18s %6s %6s %6s %7s\n", "chain", "account", "collateral USD",
		       "debt USD", "loops", "corr", "dir", "across");
		for (size_t r = 0; r < n_rows && r < top; r++) {
			const struct row *w = &rows[r];
			char addr[LX_ADDR_STRLEN], cu[80], du[80];
			lx_addr_checksum(addr, &w->account);
			usd_text(cu, sizeof(cu), &w->coll);
			usd_text(du, sizeof(du), &w->debt);
			printf("%-8s %-42s %18s %18s %6u %6u %6u %7u%s\n", w->chain->name, addr, cu, du,
			       w->loops.rounds, w->loops.correlated, w->loops.directional,
			       w->loops.across, w->complete ? "" : "  (some positions: no USD price)");
		}
		printf("\n%zu accounts, %zu looped, %zu across markets. loops = open borrow -> "
		       "resupply rounds over every market of the chain (across: borrowed in one "
		       "market, supplied in another). See docs/risk.md.\n",
		       n_rows, looped, across);
	}
	rc = LX_EXIT_OK;
	goto out;
oom:
	lx_cli_errorf("leverage: out of memory");
out:
	for (size_t v = 0; v < V.n && usd && klass; v++) {
		free(usd[v]);
		free(klass[v]);
	}
	free(usd);
	free(klass);
	free(lm);
	free(rows);
	free(cls.key);
	lx_usd_book_release(&book);
	lx_cli_views_release(&V);
	return rc;
}
