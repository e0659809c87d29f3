/*
 * records.c: byte layouts of the Comet handler's records (docs/store.md, "comet.*") and their
 * typed get/put. Integers are big-endian; a record that does not have its layout's length is
 * corrupt, never read past.
 */
#include <string.h>

#include "comet.h"
#include "lendex/store.h"

#define CONFIG_FIXED (8 + 20 + 20 + 1 + 9 * 8 + 1)
#define ASSET_LEN (20 + 20 + 1 + 8 + 8 + 8 + 32)
#define STATE_LEN (8 + 8 + 8 + 32 + 32 + 8 + 32 + 8 + COMET_MAX_ASSETS * (32 + 8))
#define ACCT_LEN (1 + 32 + 8)

int comet_corrupt(struct lx_error *err, const char *table)
{
	return lx_error_set(err, LX_ECORRUPT, "store: corrupt %s record", table);
}

void comet_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t comet_rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- configuration ---- */

static size_t config_encode(uint8_t *b, const struct comet_config *c)
{
	uint8_t *p = b;
	comet_be64(p, c->block), p += 8;
	memcpy(p, c->base_token.b, 20), p += 20;
	memcpy(p, c->base_feed.b, 20), p += 20;
	*p++ = c->base_decimals;
	const uint64_t r[9] = {c->supply_kink, c->supply_low, c->supply_high, c->supply_base,
			       c->borrow_kink, c->borrow_low, c->borrow_high, c->borrow_base,
			       c->store_front_price_factor};
	for (int i = 0; i < 9; i++)
		comet_be64(p, r[i]), p += 8;
	*p++ = c->n_assets;
	for (unsigned i = 0; i < c->n_assets; i++) {
		const struct comet_asset *a = &c->assets[i];
		memcpy(p, a->asset.b, 20), p += 20;
		memcpy(p, a->feed.b, 20), p += 20;
		*p++ = a->decimals;
		comet_be64(p, a->borrow_cf), p += 8;
		comet_be64(p, a->liquidate_cf), p += 8;
		comet_be64(p, a->liquidation_factor), p += 8;
		lx_u256_to_be(p, &a->supply_cap), p += 32;
	}
	return (size_t)(p - b);
}

static int config_decode(struct comet_config *c, const uint8_t *b, size_t len)
{
	memset(c, 0, sizeof(*c));
	if (len < CONFIG_FIXED)
		return -1;
	const uint8_t *p = b;
	c->block = comet_rd64(p), p += 8;
	memcpy(c->base_token.b, p, 20), p += 20;
	memcpy(c->base_feed.b, p, 20), p += 20;
	c->base_decimals = *p++;
	uint64_t *r[9] = {&c->supply_kink, &c->supply_low, &c->supply_high, &c->supply_base,
			  &c->borrow_kink, &c->borrow_low, &c->borrow_high, &c->borrow_base,
			  &c->store_front_price_factor};
	for (int i = 0; i < 9; i++)
		*r[i] = comet_rd64(p), p += 8;
	c->n_assets = *p++;
	if (c->n_assets > COMET_MAX_ASSETS || len != CONFIG_FIXED + (size_t)c->n_assets * ASSET_LEN)
		return -1;
	for (unsigned i = 0; i < c->n_assets; i++) {
		struct comet_asset *a = &c->assets[i];
		memcpy(a->asset.b, p, 20), p += 20;
		memcpy(a->feed.b, p, 20), p += 20;
		a->decimals = *p++;
		a->borrow_cf = comet_rd64(p), p += 8;
		a->liquidate_cf = comet_rd64(p), p += 8;
		a->liquidation_factor = comet_rd64(p), p += 8;
		lx_u256_from_be(&a->supply_cap, p), p += 32;
	}
	return 0;
}

int comet_get_config(struct comet *c, struct lx_store_txn *t, struct comet_config *out,
		     struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(t, CT_CONFIG, c->market, COMET_MARKET_KEY, &v, &vl, err);
	if (rc)
		return rc;
	if (config_decode(out, v, vl))
		return comet_corrupt(err, CT_CONFIG);
	return 0;
}

int comet_put_config(struct comet *c, struct lx_store_txn *t, const struct comet_config *cfg,
		     struct lx_error *err)
{
	uint8_t b[CONFIG_FIXED + COMET_MAX_ASSETS * ASSET_LEN];
	size_t n = config_encode(b, cfg);
	return lx_store_put(t, CT_CONFIG, c->market, COMET_MARKET_KEY, b, n, err);
}

/* ---- state at the synced block ---- */

int comet_get_state(struct comet *c, struct lx_store_txn *t, struct comet_state *s,
		    struct lx_error *err)
{
	memset(s, 0, sizeof(*s));
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(t, CT_STATE, c->market, COMET_MARKET_KEY, &v, &vl, err);
	if (rc)
		return rc;
	if (vl != STATE_LEN)
		return comet_corrupt(err, CT_STATE);
	const uint8_t *p = v;
	s->block = comet_rd64(p), p += 8;
	s->supply_index = comet_rd64(p), p += 8;
	s->borrow_index = comet_rd64(p), p += 8;
	lx_u256_from_be(&s->total_supply_base, p), p += 32;
	lx_u256_from_be(&s->total_borrow_base, p), p += 32;
	s->last_accrual = comet_rd64(p), p += 8;
	lx_u256_from_be(&s->base_price, p), p += 32;
	s->base_price_block = comet_rd64(p), p += 8;
	for (int i = 0; i < COMET_MAX_ASSETS; i++) {
		lx_u256_from_be(&s->price[i], p), p += 32;
		s->price_block[i] = comet_rd64(p), p += 8;
	}
	return 0;
}

int comet_put_state(struct comet *c, struct lx_store_txn *t, const struct comet_state *s,
		    struct lx_error *err)
{
	uint8_t b[STATE_LEN], *p = b;
	comet_be64(p, s->block), p += 8;
	comet_be64(p, s->supply_index), p += 8;
	comet_be64(p, s->borrow_index), p += 8;
	lx_u256_to_be(p, &s->total_supply_base), p += 32;
	lx_u256_to_be(p, &s->total_borrow_base), p += 32;
	comet_be64(p, s->last_accrual), p += 8;
	lx_u256_to_be(p, &s->base_price), p += 32;
	comet_be64(p, s->base_price_block), p += 8;
	for (int i = 0; i < COMET_MAX_ASSETS; i++) {
		lx_u256_to_be(p, &s->price[i]), p += 32;
		comet_be64(p, s->price_block[i]), p += 8;
	}
	return lx_store_put(t, CT_STATE, c->market, COMET_MARKET_KEY, b, sizeof(b), err);
}

/* ---- accounts ---- */

static void acct_key(uint8_t *k, const struct comet *c, const struct lx_addr *a)
{
	memcpy(k, c->market, COMET_MARKET_KEY);
	memcpy(k + COMET_MARKET_KEY, a->b, 20);
}

int comet_acct_decode(struct comet_acct *out, const uint8_t *v, size_t vl)
{
	memset(out, 0, sizeof(*out));
	if (vl != ACCT_LEN || v[0] > 1)
		return -1;
	out->negative = v[0];
	lx_u256_from_be(&out->principal, v + 1);
	out->block = comet_rd64(v + 33);
	return 0;
}

int comet_get_acct(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   struct comet_acct *out, struct lx_error *err)
{
	memset(out, 0, sizeof(*out));
	uint8_t k[COMET_MARKET_KEY + 20];
	acct_key(k, c, a);
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(t, CT_ACCT, k, sizeof(k), &v, &vl, err);
	if (rc)
		return rc;
	if (comet_acct_decode(out, v, vl))
		return comet_corrupt(err, CT_ACCT);
	return 0;
}

int comet_put_acct(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   const struct comet_acct *v, struct lx_error *err)
{
	uint8_t k[COMET_MARKET_KEY + 20], b[ACCT_LEN];
	acct_key(k, c, a);
	b[0] = v->negative ? 1 : 0;
	lx_u256_to_be(b + 1, &v->principal);
	comet_be64(b + 33, v->block);
	return lx_store_put(t, CT_ACCT, k, sizeof(k), b, sizeof(b), err);
}

/* ---- collateral ---- */

static void coll_key(uint8_t *k, const struct comet *c, const struct lx_addr *a,
		     const struct lx_addr *asset)
{
	acct_key(k, c, a);
	memcpy(k + COMET_MARKET_KEY + 20, asset->b, 20);
}

int comet_get_coll(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   const struct lx_addr *asset, struct lx_u256 *out, struct lx_error *err)
{
	lx_u256_from_u64(out, 0);
	uint8_t k[COMET_MARKET_KEY + 40];
	coll_key(k, c, a, asset);
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(t, CT_COLL, k, sizeof(k), &v, &vl, err);
	if (rc)
		return rc;
	if (vl != 32)
		return comet_corrupt(err, CT_COLL);
	lx_u256_from_be(out, v);
	return 0;
}

/* A zero balance is deleted, so the table holds only open collateral positions. */
int comet_put_coll(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   const struct lx_addr *asset, const struct lx_u256 *v, struct lx_error *err)
{
	uint8_t k[COMET_MARKET_KEY + 40], b[32];
	coll_key(k, c, a, asset);
	if (lx_u256_is_zero(v)) {
		int rc = lx_store_del(t, CT_COLL, k, sizeof(k), err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			rc = 0;
		}
		return rc;
	}
	lx_u256_to_be(b, v);
	return lx_store_put(t, CT_COLL, k, sizeof(k), b, sizeof(b), err);
}

/* ---- symbols (display only) ---- */

void comet_get_symbol(struct comet *c, struct lx_store_txn *t, const struct lx_addr *token,
		      char out[16])
{
	out[0] = 0;
	uint8_t k[COMET_MARKET_KEY + 20];
	acct_key(k, c, token);
	const uint8_t *v;
	size_t vl;
	struct lx_error e;
	if (lx_store_get(t, CT_SYMBOL, k, sizeof(k), &v, &vl, &e) || vl > 15)
		return;
	memcpy(out, v, vl);
	out[vl] = 0;
}

int comet_put_symbol(struct comet *c, struct lx_store_txn *t, const struct lx_addr *token,
		     const char *sym, struct lx_error *err)
{
	uint8_t k[COMET_MARKET_KEY + 20];
	acct_key(k, c, token);
	char old[16];
	comet_get_symbol(c, t, token, old);
	if (strcmp(old, sym) == 0)
		return 0; /* unchanged: no undo record per run */
	return lx_store_put(t, CT_SYMBOL, k, sizeof(k), sym, strlen(sym), err);
}

/* ---- flows ---- */

static void flow_key(uint8_t *k, const struct comet *c, const struct lx_addr *a, uint64_t block,
		     uint32_t log_index, uint8_t sub)
{
	memcpy(k, c->market, COMET_MARKET_KEY);
	memcpy(k + COMET_MARKET_KEY, a->b, 20);
	comet_be64(k + COMET_MARKET_KEY + 20, block);
	uint8_t *li = k + COMET_MARKET_KEY + 28;
	li[0] = (uint8_t)(log_index >> 24);
	li[1] = (uint8_t)(log_index >> 16);
	li[2] = (uint8_t)(log_index >> 8);
	li[3] = (uint8_t)log_index;
	li[4] = sub;
}

int comet_flow_decode(struct comet_flow *out, const uint8_t *v, size_t vl)
{
	if (vl != COMET_FLOW_LEN || v[0] < LX_FLOW_SUPPLY || v[0] > LX_FLOW_TRANSFER_OUT || v[1] > 1)
		return LX_ECORRUPT;
	out->kind = v[0];
	out->absorb = v[1];
	memcpy(out->asset.b, v + 2, 20);
	lx_u256_from_be(&out->amount, v + 22);
	memcpy(out->tx, v + 54, 32);
	return 0;
}

int comet_put_flow(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   uint64_t block, uint32_t log_index, uint8_t sub, const struct comet_flow *f,
		   struct lx_error *err)
{
	uint8_t k[COMET_FLOW_KEY], v[COMET_FLOW_LEN];
	flow_key(k, c, a, block, log_index, sub);
	v[0] = f->kind;
	v[1] = f->absorb;
	memcpy(v + 2, f->asset.b, 20);
	lx_u256_to_be(v + 22, &f->amount);
	memcpy(v + 54, f->tx, 32);
	return lx_store_put(t, CT_FLOW, k, sizeof(k), v, sizeof(v), err);
}

int comet_get_flow(struct comet *c, struct lx_store_txn *t, const struct lx_addr *a,
		   uint64_t block, uint32_t log_index, uint8_t sub, struct comet_flow *out,
		   struct lx_error *err)
{
	uint8_t k[COMET_FLOW_KEY];
	flow_key(k, c, a, block, log_index, sub);
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(t, CT_FLOW, k, sizeof(k), &v, &vl, err);
	if (rc)
		return rc;
	if (comet_flow_decode(out, v, vl))
		return comet_corrupt(err, CT_FLOW);
	return 0;
}
