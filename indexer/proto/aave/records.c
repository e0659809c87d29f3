/*
 * records.c: byte layouts of the Aave handler's records (see records.h). A reader never
 * trusts a stored value: lengths and versions are checked and a mismatch is LX_ECORRUPT.
 */
#include <string.h>

#include "records.h"

#define REC_VERSION 1

struct wr {
	uint8_t *b;
	size_t n;
};

struct rd {
	const uint8_t *b;
	size_t n, off;
	bool bad;
};

void aave_be64(uint8_t *out, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t aave_rd64(const uint8_t *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | in[i];
	return v;
}

static void w_u(struct wr *w, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		w->b[w->n + (size_t)(bytes - 1 - i)] = (uint8_t)(v >> (8 * i));
	w->n += (size_t)bytes;
}

static void w_raw(struct wr *w, const void *p, size_t len)
{
	memcpy(w->b + w->n, p, len);
	w->n += len;
}

static void w_u256(struct wr *w, const struct lx_u256 *v)
{
	lx_u256_to_be(w->b + w->n, v);
	w->n += 32;
}

static const uint8_t *r_take(struct rd *r, size_t len)
{
	if (r->bad || r->n - r->off < len) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->b + r->off;
	r->off += len;
	return p;
}

static uint64_t r_u(struct rd *r, int bytes)
{
	const uint8_t *p = r_take(r, (size_t)bytes);
	uint64_t v = 0;
	if (!p)
		return 0;
	for (int i = 0; i < bytes; i++)
		v = (v << 8) | p[i];
	return v;
}

static void r_raw(struct rd *r, void *out, size_t len)
{
	const uint8_t *p = r_take(r, len);
	if (p)
		memcpy(out, p, len);
	else
		memset(out, 0, len);
}

static void r_u256(struct rd *r, struct lx_u256 *v)
{
	const uint8_t *p = r_take(r, 32);
	if (p)
		lx_u256_from_be(v, p);
	else
		memset(v, 0, sizeof(*v));
}

static int r_end(struct rd *r)
{
	return r->bad || r->off != r->n ? LX_ECORRUPT : 0;
}

static int r_begin(struct rd *r, const uint8_t *buf, size_t len)
{
	r->b = buf;
	r->n = len;
	r->off = 0;
	r->bad = false;
	return r_u(r, 1) == REC_VERSION ? 0 : LX_ECORRUPT;
}

/* Like r_begin for records that grew: returns the version (1..max) or 0 when unreadable. */
static int r_begin_upto(struct rd *r, const uint8_t *buf, size_t len, int max)
{
	r->b = buf;
	r->n = len;
	r->off = 0;
	r->bad = false;
	uint64_t v = r_u(r, 1);
	return v >= 1 && v <= (uint64_t)max ? (int)v : 0;
}

size_t aave_reserve_encode(uint8_t *buf, const struct aave_reserve *x)
{
	struct wr w = {buf, 0};
	w_u(&w, 3, 1); /* version 2: + e-mode bitmaps and deficit; 3: + price_reverted */
	w_u(&w, x->id, 2);
	w_raw(&w, x->asset.b, 20);
	w_raw(&w, x->atoken.b, 20);
	w_raw(&w, x->vtoken.b, 20);
	w_raw(&w, x->stoken.b, 20);
	w_u(&w, x->decimals, 1);
	w_u(&w, x->ltv, 2);
	w_u(&w, x->lt, 2);
	w_u(&w, x->bonus, 2);
	w_u(&w, x->reserve_factor, 2);
	w_u(&w, x->protocol_fee, 2);
	w_u(&w, x->emode, 1);
	w_u(&w, x->flags, 4);
	w_u(&w, x->supply_cap, 8);
	w_u(&w, x->borrow_cap, 8);
	w_u(&w, x->debt_ceiling, 8);
	w_u256(&w, &x->liq_index);
	w_u256(&w, &x->var_index);
	w_u256(&w, &x->liq_rate);
	w_u256(&w, &x->var_rate);
	w_u256(&w, &x->stable_rate);
	w_u(&w, x->last_update, 8);
	w_u256(&w, &x->price);
	w_u(&w, x->price_block, 8);
	w_raw(&w, x->symbol, sizeof(x->symbol));
	w_u256(&w, &x->emode_collateral);
	w_u256(&w, &x->emode_borrowable);
	w_u256(&w, &x->emode_ltvzero);
	w_u256(&w, &x->deficit);
	w_u(&w, x->price_reverted, 8);
	return w.n;
}

int aave_reserve_decode(struct aave_reserve *x, const uint8_t *buf, size_t len)
{
	struct rd r;
	memset(x, 0, sizeof(*x));
	int ver = r_begin_upto(&r, buf, len, 3);
	if (!ver)
		return LX_ECORRUPT;
	x->id = (uint16_t)r_u(&r, 2);
	r_raw(&r, x->asset.b, 20);
	r_raw(&r, x->atoken.b, 20);
	r_raw(&r, x->vtoken.b, 20);
	r_raw(&r, x->stoken.b, 20);
	x->decimals = (uint8_t)r_u(&r, 1);
	x->ltv = (uint16_t)r_u(&r, 2);
	x->lt = (uint16_t)r_u(&r, 2);
	x->bonus = (uint16_t)r_u(&r, 2);
	x->reserve_factor = (uint16_t)r_u(&r, 2);
	x->protocol_fee = (uint16_t)r_u(&r, 2);
	x->emode = (uint8_t)r_u(&r, 1);
	x->flags = (uint32_t)r_u(&r, 4);
	x->supply_cap = r_u(&r, 8);
	x->borrow_cap = r_u(&r, 8);
	x->debt_ceiling = r_u(&r, 8);
	r_u256(&r, &x->liq_index);
	r_u256(&r, &x->var_index);
	r_u256(&r, &x->liq_rate);
	r_u256(&r, &x->var_rate);
	r_u256(&r, &x->stable_rate);
	x->last_update = r_u(&r, 8);
	r_u256(&r, &x->price);
	x->price_block = r_u(&r, 8);
	r_raw(&r, x->symbol, sizeof(x->symbol));
	x->symbol[sizeof(x->symbol) - 1] = 0;
	if (ver >= 2) {
		r_u256(&r, &x->emode_collateral);
		r_u256(&r, &x->emode_borrowable);
		r_u256(&r, &x->emode_ltvzero);
		r_u256(&r, &x->deficit);
	}
	if (ver >= 3)
		x->price_reverted = r_u(&r, 8);
	return r_end(&r);
}

size_t aave_emode_encode(uint8_t *buf, const struct aave_emode *e)
{
	struct wr w = {buf, 0};
	w_u(&w, 2, 1); /* version 2: + isolated */
	w_u(&w, e->ltv, 2);
	w_u(&w, e->lt, 2);
	w_u(&w, e->bonus, 2);
	w_raw(&w, e->price_source.b, 20);
	w_u256(&w, &e->price);
	w_raw(&w, e->label, sizeof(e->label));
	w_u(&w, e->isolated ? 1 : 0, 1);
	return w.n;
}

int aave_emode_decode(struct aave_emode *e, const uint8_t *buf, size_t len)
{
	struct rd r;
	memset(e, 0, sizeof(*e));
	int ver = r_begin_upto(&r, buf, len, 2);
	if (!ver)
		return LX_ECORRUPT;
	e->ltv = (uint16_t)r_u(&r, 2);
	e->lt = (uint16_t)r_u(&r, 2);
	e->bonus = (uint16_t)r_u(&r, 2);
	r_raw(&r, e->price_source.b, 20);
	r_u256(&r, &e->price);
	r_raw(&r, e->label, sizeof(e->label));
	e->label[sizeof(e->label) - 1] = 0;
	if (ver >= 2) {
		uint64_t iso = r_u(&r, 1);
		if (iso > 1)
			return LX_ECORRUPT;
		e->isolated = iso == 1;
	}
	return r_end(&r);
}

size_t aave_state_encode(uint8_t *buf, const struct aave_state *x)
{
	struct wr w = {buf, 0};
	w_u(&w, REC_VERSION, 1);
	w_u(&w, x->revision, 4);
	w_u(&w, x->revision_block, 8);
	w_raw(&w, x->oracle.b, 20);
	w_raw(&w, x->pool_impl.b, 20);
	return w.n;
}

int aave_state_decode(struct aave_state *x, const uint8_t *buf, size_t len)
{
	struct rd r;
	memset(x, 0, sizeof(*x));
	if (r_begin(&r, buf, len))
		return LX_ECORRUPT;
	x->revision = (uint32_t)r_u(&r, 4);
	x->revision_block = r_u(&r, 8);
	r_raw(&r, x->oracle.b, 20);
	r_raw(&r, x->pool_impl.b, 20);
	return r_end(&r);
}

size_t aave_pos_encode(uint8_t *buf, const struct aave_pos *p)
{
	struct wr w = {buf, 0};
	w_u(&w, REC_VERSION, 1);
	w_u256(&w, &p->scaled_a);
	w_u256(&w, &p->scaled_v);
	w_u256(&w, &p->stable);
	w_u256(&w, &p->stable_rate);
	w_u(&w, p->stable_ts, 8);
	w_u(&w, p->collateral ? 1 : 0, 1);
	return w.n;
}

int aave_pos_decode(struct aave_pos *p, const uint8_t *buf, size_t len)
{
	struct rd r;
	memset(p, 0, sizeof(*p));
	if (r_begin(&r, buf, len))
		return LX_ECORRUPT;
	r_u256(&r, &p->scaled_a);
	r_u256(&r, &p->scaled_v);
	r_u256(&r, &p->stable);
	r_u256(&r, &p->stable_rate);
	p->stable_ts = r_u(&r, 8);
	uint64_t c = r_u(&r, 1);
	if (c > 1)
		return LX_ECORRUPT;
	p->collateral = c == 1;
	return r_end(&r);
}

bool aave_pos_empty(const struct aave_pos *p)
{
	return lx_u256_is_zero(&p->scaled_a) && lx_u256_is_zero(&p->scaled_v) &&
	       lx_u256_is_zero(&p->stable) && !p->collateral;
}
