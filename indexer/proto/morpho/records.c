/*
 * records.c: the Morpho Blue handler's keys and record layouts (see morpho.h and
 * docs/store.md), typed get/put. Values are fixed layouts behind a one-byte record version; a
 * value that does not parse is reported as corrupt, never trusted.
 */
#include <string.h>

#include "morpho.h"
#include "lendex/keccak.h"
#include "lendex/store.h"

#define MARKET_V 2 /* 2: + price_reverted, rate_reverted */
#define MARKET_LEN_1 (1 + 4 * 20 + 32 + 4 * 32 + 8 + 32 + 32 + 8 + 32 + 8 + 2 + 8 + 8)
#define MARKET_LEN (MARKET_LEN_1 + 8 + 8)
#define POS_LEN 96
#define STATE_LEN (1 + 20 + 20 + 8 + 8)

void morpho_be64(uint8_t *out, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

uint64_t morpho_rd64(const uint8_t *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

void morpho_params_encode(uint8_t out[160], const struct morpho_params *p)
{
	const struct lx_addr *a[4] = {&p->loan, &p->collateral, &p->oracle, &p->irm};
	memset(out, 0, 160);
	for (int i = 0; i < 4; i++)
		memcpy(out + 32 * i + 12, a[i]->b, 20);
	lx_u256_to_be(out + 128, &p->lltv);
}

void morpho_market_id(uint8_t id[32], const struct morpho_params *p)
{
	uint8_t enc[160];
	morpho_params_encode(enc, p);
	lx_keccak256(id, enc, sizeof(enc));
}

int morpho_corrupt(struct lx_error *err, const char *table)
{
	return lx_error_set(err, LX_ECORRUPT, "store: record in %s does not parse (corrupt "
					      "store or newer lendex)", table);
}

static size_t key_market(uint8_t *k, const uint8_t *mkey, const uint8_t id[32])
{
	memcpy(k, mkey, MORPHO_KEY);
	memcpy(k + MORPHO_KEY, id, 32);
	return MORPHO_KEY + 32;
}

static size_t key_pos(uint8_t *k, const uint8_t *mkey, const struct lx_addr *a,
		      const uint8_t id[32])
{
	memcpy(k, mkey, MORPHO_KEY);
	memcpy(k + MORPHO_KEY, a->b, 20);
	memcpy(k + MORPHO_KEY + 20, id, 32);
	return MORPHO_KEY + 52;
}

/* ---- market ---- */

struct wr {
	uint8_t *p;
};
static void w_addr(struct wr *w, const struct lx_addr *a)
{
	memcpy(w->p, a->b, 20);
	w->p += 20;
}
static void w_u256(struct wr *w, const struct lx_u256 *x)
{
	lx_u256_to_be(w->p, x);
	w->p += 32;
}
static void w_u64(struct wr *w, uint64_t v)
{
	morpho_be64(w->p, v);
	w->p += 8;
}

struct rd {
	const uint8_t *p;
};
static void r_addr(struct rd *r, struct lx_addr *a)
{
	memcpy(a->b, r->p, 20);
	r->p += 20;
}
static void r_u256(struct rd *r, struct lx_u256 *x)
{
	lx_u256_from_be(x, r->p);
	r->p += 32;
}
static uint64_t r_u64(struct rd *r)
{
	uint64_t v = morpho_rd64(r->p);
	r->p += 8;
	return v;
}

static size_t market_encode(uint8_t *v, const struct morpho_market *m)
{
	struct wr w = {v};
	*w.p++ = MARKET_V;
	w_addr(&w, &m->p.loan);
	w_addr(&w, &m->p.collateral);
	w_addr(&w, &m->p.oracle);
	w_addr(&w, &m->p.irm);
	w_u256(&w, &m->p.lltv);
	w_u256(&w, &m->supply_assets);
	w_u256(&w, &m->supply_shares);
	w_u256(&w, &m->borrow_assets);
	w_u256(&w, &m->borrow_shares);
	w_u64(&w, m->last_update);
	w_u256(&w, &m->fee);
	w_u256(&w, &m->price);
	w_u64(&w, m->price_block);
	w_u256(&w, &m->rate);
	w_u64(&w, m->rate_block);
	*w.p++ = m->loan_dec;
	*w.p++ = m->coll_dec;
	w_u64(&w, m->created_block);
	w_u64(&w, m->changed_block);
	w_u64(&w, m->price_reverted);
	w_u64(&w, m->rate_reverted);
	return (size_t)(w.p - v);
}

int morpho_market_decode(struct morpho_market *m, const uint8_t *id, const uint8_t *v,
			 size_t vl)
{
	memset(m, 0, sizeof(*m));
	if (!(vl == MARKET_LEN && v[0] == MARKET_V) && !(vl == MARKET_LEN_1 && v[0] == 1))
		return -1;
	memcpy(m->id, id, 32);
	struct rd r = {v + 1};
	r_addr(&r, &m->p.loan);
	r_addr(&r, &m->p.collateral);
	r_addr(&r, &m->p.oracle);
	r_addr(&r, &m->p.irm);
	r_u256(&r, &m->p.lltv);
	r_u256(&r, &m->supply_assets);
	r_u256(&r, &m->supply_shares);
	r_u256(&r, &m->borrow_assets);
	r_u256(&r, &m->borrow_shares);
	m->last_update = r_u64(&r);
	r_u256(&r, &m->fee);
	r_u256(&r, &m->price);
	m->price_block = r_u64(&r);
	r_u256(&r, &m->rate);
	m->rate_block = r_u64(&r);
	m->loan_dec = *r.p++;
	m->coll_dec = *r.p++;
	m->created_block = r_u64(&r);
	m->changed_block = r_u64(&r);
	if (v[0] >= 2) {
		m->price_reverted = r_u64(&r);
		m->rate_reverted = r_u64(&r);
	}
	return 0;
}

int morpho_get_market(const uint8_t *mkey, struct lx_store_txn *txn, const uint8_t id[32],
		      struct morpho_market *m, struct lx_error *err)
{
	uint8_t k[MORPHO_KEY + 32];
	const uint8_t *v;
	size_t vl;
	int rc = lx_store_get(txn, T_MARKET, k, key_market(k, mkey, id), &v, &vl, err);
	if (rc)
		return rc;
	return morpho_market_decode(m, id, v, vl) ? morpho_corrupt(err, T_MARKET) : 0;
}

int morpho_put_market(const uint8_t *mkey, struct lx_store_txn *txn,
		      const struct morpho_market *m, struct lx_error *err)
{
	uint8_t k[MORPHO_KEY + 32], v[MARKET_LEN];
	size_t vl = market_encode(v, m);
	return lx_store_put(txn, T_MARKET, k, key_market(k, mkey, m->id), v, vl, err);
}

/* ---- position ---- */

int morpho_pos_decode(struct morpho_pos *p, const uint8_t *v, size_t vl)
{
	memset(p, 0, sizeof(*p));
	if (vl != POS_LEN)
		return -1;
	lx_u256_from_be(&p->supply_shares, v);
	lx_u256_from_be(&p->borrow_shares, v + 32);
	lx_u256_from_be(&p->collateral, v + 64);
	return 0;
}

int morpho_get_pos(const uint8_t *mkey, struct lx_store_txn *txn, const struct lx_addr *acct,
		   const uint8_t id[32], struct morpho_pos *p, struct lx_error *err)
{
	uint8_t k[MORPHO_KEY + 52];
	const uint8_t *v;
	size_t vl;
	memset(p, 0, sizeof(*p));
	int rc = lx_store_get(txn, T_POS, k, key_pos(k, mkey, acct, id), &v, &vl, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	return morpho_pos_decode(p, v, vl) ? morpho_corrupt(err, T_POS) : 0;
}

int morpho_put_pos(const uint8_t *mkey, struct lx_store_txn *txn, const struct lx_addr *acct,
		   const uint8_t id[32], const struct morpho_pos *p, struct lx_error *err)
{
	uint8_t k[MORPHO_KEY + 52], v[POS_LEN];
	size_t kl = key_pos(k, mkey, acct, id);
	if (lx_u256_is_zero(&p->supply_shares) && lx_u256_is_zero(&p->borrow_shares) &&
	    lx_u256_is_zero(&p->collateral)) {
		int rc = lx_store_del(txn, T_POS, k, kl, err);
		if (rc == LX_ENOTFOUND) {
			lx_error_clear(err);
			rc = 0;
		}
		return rc;
	}
	lx_u256_to_be(v, &p->supply_shares);
	lx_u256_to_be(v + 32, &p->borrow_shares);
	lx_u256_to_be(v + 64, &p->collateral);
	return lx_store_put(txn, T_POS, k, kl, v, sizeof(v), err);
}

/* ---- state ---- */

int morpho_get_state(const uint8_t *mkey, struct lx_store_txn *txn, struct morpho_state *s,
		     struct lx_error *err)
{
	const uint8_t *v;
	size_t vl;
	memset(s, 0, sizeof(*s));
	int rc = lx_store_get(txn, T_STATE, mkey, MORPHO_KEY, &v, &vl, err);
	if (rc == LX_ENOTFOUND) {
		lx_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	if (vl != STATE_LEN || v[0] != 1)
		return morpho_corrupt(err, T_STATE);
	memcpy(s->fee_recipient.b, v + 1, 20);
	memcpy(s->owner.b, v + 21, 20);
	s->n_authorizations = morpho_rd64(v + 41);
	s->n_nonces = morpho_rd64(v + 49);
	return 0;
}

int morpho_put_state(const uint8_t *mkey, struct lx_store_txn *txn,
		     const struct morpho_state *s, struct lx_error *err)
{
	uint8_t v[STATE_LEN];
	v[0] = 1;
	memcpy(v + 1, s->fee_recipient.b, 20);
	memcpy(v + 21, s->owner.b, 20);
	morpho_be64(v + 41, s->n_authorizations);
	morpho_be64(v + 49, s->n_nonces);
	return lx_store_put(txn, T_STATE, mkey, MORPHO_KEY, v, sizeof(v), err);
}

/* ---- flows ---- */

int morpho_put_flow(const uint8_t *mkey, struct lx_store_txn *txn, const struct lx_log *log,
		    const struct lx_addr *acct, uint8_t kind, const uint8_t id[32], uint8_t side,
		    const struct lx_u256 *amount, uint8_t sub, struct lx_error *err)
{
	uint8_t k[MORPHO_KEY + 20 + 13], v[MORPHO_FLOW_LEN];
	memcpy(k, mkey, MORPHO_KEY);
	memcpy(k + MORPHO_KEY, acct->b, 20);
	size_t n = MORPHO_KEY + 20;
	morpho_be64(k + n, log->block);
	n += 8;
	k[n++] = (uint8_t)(log->log_index >> 24);
	k[n++] = (uint8_t)(log->log_index >> 16);
	k[n++] = (uint8_t)(log->log_index >> 8);
	k[n++] = (uint8_t)log->log_index;
	k[n++] = sub;
	v[0] = kind;
	memcpy(v + 1, id, 32);
	v[33] = side;
	lx_u256_to_be(v + 34, amount);
	memcpy(v + 66, log->tx, 32);
	return lx_store_put(txn, T_FLOW, k, n, v, sizeof(v), err);
}
