/*
 * rlp.c: strict RLP codec (see rlp.h). The decoder is the only code in lendex that reads
 * RLP from outside, so it checks every header against the bytes left and rejects every
 * non-canonical form, naming the offset of the header at fault.
 */
#include <stdlib.h>
#include <string.h>

#include "lendex/rlp.h"

#define DEFAULT_MAX ((size_t)1 << 30)

void lx_rlp_buf_init(struct lx_rlp_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : DEFAULT_MAX;
}

void lx_rlp_buf_release(struct lx_rlp_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void lx_rlp_buf_reset(struct lx_rlp_buf *b)
{
	b->len = 0;
}

static int reserve(struct lx_rlp_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return LX_EOVERFLOW;
	size_t need = b->len + extra;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		return LX_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* Writes the header for a payload of n bytes (offset 0x80 strings, 0xc0 lists) into h. */
static size_t header(uint8_t h[9], uint8_t base, size_t n)
{
	if (n <= 55) {
		h[0] = (uint8_t)(base + n);
		return 1;
	}
	size_t k = 0;
	for (size_t v = n; v; v >>= 8)
		k++;
	h[0] = (uint8_t)(base + 55 + k);
	for (size_t i = 0; i < k; i++)
		h[k - i] = (uint8_t)(n >> (8 * i));
	return k + 1;
}

int lx_rlp_put_raw(struct lx_rlp_buf *b, const uint8_t *s, size_t n)
{
	if (!b || (!s && n))
		return LX_EINVAL;
	int rc = reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

int lx_rlp_put_byte(struct lx_rlp_buf *b, uint8_t v)
{
	return lx_rlp_put_raw(b, &v, 1);
}

int lx_rlp_put_bytes(struct lx_rlp_buf *b, const uint8_t *s, size_t n)
{
	if (!b || (!s && n))
		return LX_EINVAL;
	if (n == 1 && s[0] < 0x80)
		return lx_rlp_put_raw(b, s, 1);
	uint8_t h[9];
	size_t hl = header(h, 0x80, n);
	int rc = reserve(b, hl + n);
	if (rc)
		return rc;
	memcpy(b->p + b->len, h, hl);
	if (n)
		memcpy(b->p + b->len + hl, s, n);
	b->len += hl + n;
	return 0;
}

int lx_rlp_put_u64(struct lx_rlp_buf *b, uint64_t v)
{
	uint8_t t[8];
	size_t k = 0;
	for (uint64_t x = v; x; x >>= 8)
		k++;
	for (size_t i = 0; i < k; i++)
		t[k - 1 - i] = (uint8_t)(v >> (8 * i));
	return lx_rlp_put_bytes(b, t, k);
}

size_t lx_rlp_list_begin(const struct lx_rlp_buf *b)
{
	return b->len;
}

int lx_rlp_list_end(struct lx_rlp_buf *b, size_t mark)
{
	if (!b || mark > b->len)
		return LX_EINVAL;
	size_t n = b->len - mark;
	uint8_t h[9];
	size_t hl = header(h, 0xc0, n);
	int rc = reserve(b, hl);
	if (rc)
		return rc;
	memmove(b->p + mark + hl, b->p + mark, n);
	memcpy(b->p + mark, h, hl);
	b->len += hl;
	return 0;
}

/* ---- decoder ---- */

int lx_rlp_item_at(struct lx_rlp_item *out, const uint8_t *buf, size_t len, size_t off,
		   struct lx_error *err)
{
	if (!out)
		return lx_error_set(err, LX_EINVAL, "rlp: item_at without an output");
	memset(out, 0, sizeof(*out));
	if ((!buf && len) || off > len)
		return lx_error_set(err, LX_EINVAL, "rlp: item_at offset %zu outside %zu bytes%s",
				    off, len, buf ? "" : " (no buffer)");
	if (off == len)
		return lx_error_set(err, LX_ERLP, "rlp: item expected at offset %zu, input ends", off);
	uint8_t h = buf[off];
	size_t left = len - off - 1, plen, hl = 1;
	bool list = h >= 0xc0;
	if (h < 0x80) {
		out->list = false;
		out->p = buf + off;
		out->len = 1;
		out->off = off;
		out->poff = off;
		out->end = off + 1;
		return 0;
	}
	uint8_t base = list ? 0xc0 : 0x80;
	if (h - base <= 55) {
		plen = (size_t)(h - base);
	} else {
		size_t k = (size_t)(h - base - 55);
		if (k > left)
			return lx_error_set(err, LX_ERLP,
					    "rlp: length of length %zu past input end at offset %zu",
					    k, off);
		if (buf[off + 1] == 0)
			return lx_error_set(err, LX_ERLP,
					    "rlp: length with leading zero byte at offset %zu", off);
		if (k > sizeof(size_t))
			return lx_error_set(err, LX_ERLP, "rlp: length of %zu bytes too large at "
					    "offset %zu", k, off);
		plen = 0;
		for (size_t i = 0; i < k; i++)
			plen = plen << 8 | buf[off + 1 + i];
		if (plen <= 55)
			return lx_error_set(err, LX_ERLP,
					    "rlp: long form for short length %zu at offset %zu",
					    plen, off);
		hl += k;
		left -= k;
	}
	if (plen > left)
		return lx_error_set(err, LX_ERLP,
				    "rlp: %s of %zu bytes at offset %zu runs past input end (%zu left)",
				    list ? "list" : "string", plen, off, left);
	if (!list && plen == 1 && buf[off + hl] < 0x80)
		return lx_error_set(err, LX_ERLP,
				    "rlp: single byte 0x%02x wrapped in a string header at offset %zu",
				    buf[off + hl], off);
	out->list = list;
	out->p = buf + off + hl;
	out->len = plen;
	out->off = off;
	out->poff = off + hl;
	out->end = off + hl + plen;
	return 0;
}

int lx_rlp_list_next(const struct lx_rlp_item *list, const uint8_t *base, size_t base_len,
		     size_t *cursor, struct lx_rlp_item *out, struct lx_error *err)
{
	if (!list || !cursor || !out || !list->list || list->end > base_len)
		return lx_error_set(err, LX_EINVAL, "rlp: list_next %s",
				    !list || !cursor || !out ? "without a list, cursor or output"
				    : !list->list ? "on an item that is not a list"
						  : "on a list that ends past its buffer");
	size_t pos = list->poff + *cursor;
	if (pos >= list->end) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	/* Children are read against the list's end, so none runs into the list's neighbours. */
	int rc = lx_rlp_item_at(out, base, list->end, pos, err);
	if (rc)
		return rc;
	*cursor = out->end - list->poff;
	return 1;
}

int lx_rlp_list_count(const struct lx_rlp_item *list, const uint8_t *base, size_t base_len,
		      size_t *out, struct lx_error *err)
{
	if (!out)
		return lx_error_set(err, LX_EINVAL, "rlp: list_count without an output");
	*out = 0;
	size_t cur = 0, n = 0;
	struct lx_rlp_item it;
	int rc;
	while ((rc = lx_rlp_list_next(list, base, base_len, &cur, &it, err)) == 1)
		n++;
	if (rc)
		return rc;
	*out = n;
	return 0;
}

static int validate(const struct lx_rlp_item *it, const uint8_t *buf, size_t len, int depth,
		    struct lx_error *err)
{
	if (!it->list)
		return 0;
	if (depth >= LX_RLP_MAX_DEPTH)
		return lx_error_set(err, LX_ERLP, "rlp: lists nested deeper than %d at offset %zu",
				    LX_RLP_MAX_DEPTH, it->off);
	size_t cur = 0;
	struct lx_rlp_item c;
	int rc;
	while ((rc = lx_rlp_list_next(it, buf, len, &cur, &c, err)) == 1) {
		rc = validate(&c, buf, len, depth + 1, err);
		if (rc)
			return rc;
	}
	return rc;
}

int lx_rlp_parse(struct lx_rlp_item *out, const uint8_t *buf, size_t len, struct lx_error *err)
{
	if (!out)
		return lx_error_set(err, LX_EINVAL, "rlp: parse without an output");
	struct lx_rlp_item it;
	int rc = lx_rlp_item_at(&it, buf, len, 0, err);
	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	if (it.end != len)
		return lx_error_set(err, LX_ERLP, "rlp: %zu trailing bytes after the item at "
				    "offset %zu", len - it.end, it.end);
	rc = validate(&it, buf, len, 0, err);
	if (rc)
		return rc;
	*out = it;
	return 0;
}

int lx_rlp_u64(uint64_t *out, const struct lx_rlp_item *it, struct lx_error *err)
{
	if (!out || !it)
		return lx_error_set(err, LX_EINVAL, "rlp: u64 without an item or output");
	*out = 0;
	if (it->list)
		return lx_error_set(err, LX_ERLP, "rlp: integer expected, list at offset %zu",
				    it->off);
	if (it->len > 8)
		return lx_error_set(err, LX_ERLP, "rlp: integer of %zu bytes too large at offset %zu",
				    it->len, it->off);
	if (it->len && it->p[0] == 0)
		return lx_error_set(err, LX_ERLP, "rlp: integer with leading zero at offset %zu",
				    it->off);
	uint64_t v = 0;
	for (size_t i = 0; i < it->len; i++)
		v = v << 8 | it->p[i];
	*out = v;
	return 0;
}
