/*
 * calls.c: the list of contract reads a handler hands to sync (proto.h). The calls are one
 * array that doubles as it grows; their data lives in a pool of blocks that never move, so a
 * call's data pointer stays valid while later calls are added and a read costs its own bytes
 * (36 for a userBasic(address), 356 for a Morpho borrowRateView) rather than a fixed maximum.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/proto.h"

#define POOL_BLOCK 65536

struct lx_calls_block {
	struct lx_calls_block *next;
	size_t used, cap;
	uint8_t b[]; /* aligned by the allocator; carved in 8-byte steps */
};

void lx_calls_init(struct lx_calls *l)
{
	memset(l, 0, sizeof(*l));
}

void lx_calls_release(struct lx_calls *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].result);
	free(l->v);
	struct lx_calls_block *b = l->pool;
	while (b) {
		struct lx_calls_block *nx = b->next;
		free(b);
		b = nx;
	}
	memset(l, 0, sizeof(*l));
}

static uint8_t *carve(struct lx_calls *l, size_t cap)
{
	size_t need = (cap + 7) & ~(size_t)7;
	if (need < cap)
		return NULL;
	struct lx_calls_block *b = l->pool;
	if (!b || b->cap - b->used < need) {
		size_t bc = need > POOL_BLOCK ? need : POOL_BLOCK;
		if (bc > SIZE_MAX - sizeof(*b))
			return NULL;
		b = malloc(sizeof(*b) + bc);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = bc;
		b->next = l->pool;
		l->pool = b;
	}
	uint8_t *p = b->b + b->used;
	b->used += need;
	memset(p, 0, cap);
	return p;
}

struct lx_call *lx_calls_add(struct lx_calls *l, const struct lx_addr *to, size_t len,
			     size_t cap)
{
	if (cap < len)
		cap = len;
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 64;
		if (nc > SIZE_MAX / sizeof(*l->v))
			return NULL;
		struct lx_call *v = realloc(l->v, nc * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = nc;
	}
	uint8_t *d = carve(l, cap ? cap : 1);
	if (!d)
		return NULL;
	struct lx_call *c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	c->to = *to;
	c->kind = LX_CALL_ETH_CALL;
	c->data = d;
	c->data_len = len;
	c->data_cap = cap;
	return c;
}
