/*
 * entity.c: leverage per entity (risk.h: lx_risk_leverage_by_entity). An entity is the key
 * whose signed transactions drove an account's positions (`sync --verify` recovers them; the
 * caller says which key drove each account). One key often drives several accounts — its own,
 * smart wallets, proxies, onBehalfOf borrowing — so its leverage is that of their sum: the
 * collateral and debt of all of them, as one position. Doubles: ratios and display values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/risk.h"

static int by_addr(const void *x, const void *y)
{
	const struct lx_entity_leverage *a = x, *b = y;
	return memcmp(a->signer.b, b->signer.b, 20);
}

/* The leverage table's order: bad debt first (largest shortfall first), then leverage. */
static int by_risk(const void *x, const void *y)
{
	const struct lx_entity_leverage *a = x, *b = y;
	if (a->bad_debt != b->bad_debt)
		return a->bad_debt ? -1 : 1;
	double ka = a->bad_debt ? a->debt - a->collateral : a->leverage;
	double kb = b->bad_debt ? b->debt - b->collateral : b->leverage;
	if (ka != kb)
		return ka > kb ? -1 : 1;
	return memcmp(a->signer.b, b->signer.b, 20);
}

int lx_risk_leverage_by_entity(const struct lx_market_view *mv, const struct lx_leverage *lev,
			       const struct lx_addr *entity_of, const bool *has,
			       struct lx_entity_leverage **out, size_t *n, size_t *n_unknown)
{
	*out = NULL;
	*n = 0;
	*n_unknown = 0;
	if (!mv || (mv->n_accounts && (!lev || !entity_of || !has)))
		return LX_EINVAL;
	struct lx_entity_leverage *e = calloc(mv->n_accounts + 1, sizeof(*e));
	if (!e)
		return LX_ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < mv->n_accounts; i++) {
		const struct lx_leverage *l = &lev[i];
		if (l->collateral <= 0 && l->debt <= 0)
			continue; /* nothing open */
		if (!has[l->account]) {
			(*n_unknown)++;
			continue;
		}
		e[m].signer = entity_of[l->account];
		e[m].n_accounts = 1;
		e[m].collateral = l->collateral;
		e[m].debt = l->debt;
		e[m].max_depth = l->depth;
		e[m].largest = l->account;
		m++;
	}
	/* merge the rows of one key */
	qsort(e, m, sizeof(*e), by_addr);
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		if (k && lx_addr_eq(&e[k - 1].signer, &e[i].signer)) {
			struct lx_entity_leverage *t = &e[k - 1];
			const struct lx_leverage *li = &lev[e[i].largest], *lt = &lev[t->largest];
			t->n_accounts++;
			t->collateral += e[i].collateral;
			t->debt += e[i].debt;
			if (e[i].max_depth > t->max_depth)
				t->max_depth = e[i].max_depth;
			if (li->collateral + li->debt > lt->collateral + lt->debt)
				t->largest = e[i].largest;
			continue;
		}
		e[k++] = e[i];
	}
	for (size_t i = 0; i < k; i++) {
		struct lx_entity_leverage *t = &e[i];
		double equity = t->collateral - t->debt;
		t->bad_debt = t->debt > 0 && equity <= 0;
		t->leverage = t->debt <= 0 ? (t->collateral > 0 ? 1 : 0)
					   : !t->bad_debt ? t->collateral / equity : INFINITY;
	}
	qsort(e, k, sizeof(*e), by_risk);
	*out = e;
	*n = k;
	return 0;
}
