/*
 * entity.c: who drove a position. `sync --verify` stores the recovered signer of every
 * transaction whose logs it applied (lx.signer); joined with the protocol-neutral flows
 * (lx.flow, one row per position change, carrying its transaction hash) that gives the accounts
 * a key has moved — smart wallets, proxies, onBehalfOf borrowing — and, per account, the key
 * that drives it (its entity). Layouts are in docs/store.md.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/model.h"
#include "lendex/store.h"
#include "lendex/verify.h"

#define T_SIGNER "lx.signer"
#define T_FLOW "lx.flow"
#define FLOW_KEY (8 + 20 + 20 + 8 + 4 + 1)
#define FLOW_VAL (1 + 20 + 32 + 32)

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* One flow row of the account being scanned. */
struct row {
	uint8_t tx[32];
	uint8_t kind;
	uint64_t block;
};

/* The rows of one (market, account), in key order. */
struct group {
	struct lx_addr market, account;
	struct row *r;
	size_t n, cap;
};

/*
 * Does row i show its signer driving the account? A received transfer is the sender's doing,
 * and in a liquidation (any transaction with a LIQUIDATED row for the account) every row —
 * collateral seized, debt repaid, aTokens moved — is the liquidator's: none of them makes the
 * account part of the signer's entity.
 */
static bool driven(const struct group *g, size_t i)
{
	if (g->r[i].kind == LX_FLOW_TRANSFER_IN)
		return false;
	for (size_t j = 0; j < g->n; j++)
		if (g->r[j].kind == LX_FLOW_LIQUIDATED && !memcmp(g->r[j].tx, g->r[i].tx, 32))
			return false;
	return true;
}

typedef int (*group_fn)(struct lx_store_txn *t, uint64_t chain_id, const struct group *g,
			void *ctx, struct lx_error *err);

/* Scans lx.flow rows under prefix, calling fn once per (market, account). */
static int scan(struct lx_store_txn *t, uint64_t chain_id, const uint8_t *pre, size_t plen,
		group_fn fn, void *ctx, struct lx_error *err)
{
	struct lx_store_iter it;
	int rc = lx_store_iter_begin(&it, t, T_FLOW, pre, plen, err);
	if (rc)
		return rc;
	struct group g;
	memset(&g, 0, sizeof(g));
	const uint8_t *k, *v;
	size_t kl, vl;
	while ((rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err)) == 0) {
		if (kl != FLOW_KEY || vl != FLOW_VAL) {
			rc = lx_error_set(err, LX_ECORRUPT, "store: %s row of %zu/%zu bytes", T_FLOW,
					  kl, vl);
			break;
		}
		if (g.n && (memcmp(g.market.b, k + 8, 20) || memcmp(g.account.b, k + 28, 20))) {
			if ((rc = fn(t, chain_id, &g, ctx, err)))
				break;
			g.n = 0;
		}
		if (g.n == g.cap) {
			size_t nc = g.cap ? g.cap * 2 : 32;
			struct row *p = realloc(g.r, nc * sizeof(*p));
			if (!p) {
				rc = lx_error_set(err, LX_ENOMEM, "entity: out of memory");
				break;
			}
			g.r = p;
			g.cap = nc;
		}
		memcpy(g.market.b, k + 8, 20);
		memcpy(g.account.b, k + 28, 20);
		memcpy(g.r[g.n].tx, v + 53, 32);
		g.r[g.n].kind = v[0];
		g.r[g.n].block = rd64(k + 48);
		g.n++;
	}
	lx_store_iter_end(&it);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		rc = g.n ? fn(t, chain_id, &g, ctx, err) : 0;
	}
	free(g.r);
	return rc;
}

int lx_entity_put(struct lx_store_txn *t, uint64_t chain_id, const struct lx_verified *v,
		  struct lx_error *err)
{
	for (size_t i = 0; i < v->n; i++) {
		uint8_t k[40], val[28];
		be64(k, chain_id);
		memcpy(k + 8, v->s[i].tx, 32);
		memcpy(val, v->s[i].signer.b, 20);
		be64(val + 20, v->s[i].block);
		int rc = lx_store_put(t, T_SIGNER, k, sizeof(k), val, sizeof(val), err);
		if (rc)
			return rc;
	}
	return 0;
}

/* The stored signer of a transaction: 0, LX_ENOTFOUND, or an error. */
static int signer_of(struct lx_store_txn *t, uint64_t chain_id, const uint8_t tx[32],
		     struct lx_addr *out, struct lx_error *err)
{
	uint8_t k[40];
	be64(k, chain_id);
	memcpy(k + 8, tx, 32);
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(t, T_SIGNER, k, sizeof(k), &v, &vl, err);
	if (rc == LX_ENOTFOUND)
		lx_error_clear(err);
	if (rc)
		return rc;
	if (vl != 28)
		return lx_error_set(err, LX_ECORRUPT, "store: %s row of %zu bytes", T_SIGNER, vl);
	memcpy(out->b, v, 20);
	return 0;
}

struct acc_ctx {
	const struct lx_addr *signer;
	struct lx_entity_account *a;
	size_t n, cap;
};

static int acc_group(struct lx_store_txn *t, uint64_t chain_id, const struct group *g, void *vc,
		     struct lx_error *err)
{
	struct acc_ctx *c = vc;
	struct lx_entity_account e;
	memset(&e, 0, sizeof(e));
	for (size_t i = 0; i < g->n; i++) {
		if (!driven(g, i))
			continue;
		struct lx_addr s;
		int rc = signer_of(t, chain_id, g->r[i].tx, &s, err);
		if (rc == LX_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		if (!lx_addr_eq(&s, c->signer))
			continue;
		e.flows++;
		if (g->r[i].block > e.last_block)
			e.last_block = g->r[i].block;
	}
	if (!e.flows)
		return 0;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		struct lx_entity_account *p = realloc(c->a, nc * sizeof(*p));
		if (!p)
			return lx_error_set(err, LX_ENOMEM, "entity: out of memory");
		c->a = p;
		c->cap = nc;
	}
	e.market = g->market;
	e.account = g->account;
	c->a[c->n++] = e;
	return 0;
}

int lx_entity_accounts(struct lx_store_txn *t, uint64_t chain_id, const struct lx_addr *signer,
		       struct lx_entity_account **out, size_t *n, struct lx_error *err)
{
	*out = NULL;
	*n = 0;
	uint8_t pre[8];
	be64(pre, chain_id);
	struct acc_ctx c = { signer, NULL, 0, 0 };
	int rc = scan(t, chain_id, pre, sizeof(pre), acc_group, &c, err);
	if (rc) {
		free(c.a);
		return rc;
	}
	*out = c.a;
	*n = c.n;
	return 0;
}

struct of_ctx {
	struct {
		struct lx_addr a;
		uint64_t n;
	} seen[16];
	size_t ns;
};

static int of_group(struct lx_store_txn *t, uint64_t chain_id, const struct group *g, void *vc,
		    struct lx_error *err)
{
	struct of_ctx *c = vc;
	for (size_t i = 0; i < g->n; i++) {
		if (!driven(g, i))
			continue;
		struct lx_addr s;
		int rc = signer_of(t, chain_id, g->r[i].tx, &s, err);
		if (rc == LX_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		size_t k = 0;
		while (k < c->ns && !lx_addr_eq(&c->seen[k].a, &s))
			k++;
		if (k == c->ns && c->ns < 16) {
			c->seen[k].a = s;
			c->seen[c->ns++].n = 0;
		}
		if (k < c->ns)
			c->seen[k].n++;
	}
	return 0;
}

int lx_entity_of(struct lx_store_txn *t, uint64_t chain_id, const struct lx_addr *market,
		 const struct lx_addr *account, struct lx_addr *signer, struct lx_error *err)
{
	memset(signer, 0, sizeof(*signer));
	uint8_t pre[48];
	be64(pre, chain_id);
	memcpy(pre + 8, market->b, 20);
	memcpy(pre + 28, account->b, 20);
	struct of_ctx c;
	memset(&c, 0, sizeof(c));
	int rc = scan(t, chain_id, pre, sizeof(pre), of_group, &c, err);
	if (rc)
		return rc;
	if (!c.ns) {
		char acc[LX_ADDR_STRLEN];
		lx_addr_lower(acc, account);
		return lx_error_set(err, LX_ENOTFOUND, "entity: no transaction signer recorded for "
						       "account %s",
				    acc);
	}
	size_t best = 0;
	for (size_t i = 1; i < c.ns; i++)
		if (c.seen[i].n > c.seen[best].n)
			best = i;
	*signer = c.seen[best].a;
	return 0;
}
