/*
 * abi.c: ABI event definitions (parsing JSON ABIs, canonical signatures, topic0) and the
 * strict log decoder (see abi.h).
 *
 * Decoding walks the head/tail layout recursively with explicit bounds: every read is checked
 * against the data length before it happens, lengths are checked against what remains before
 * anything is allocated, and recursion depth and the number of decoded values are capped, so
 * hostile input costs at most a bounded amount of work and memory.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lendex/abi.h"
#include "lendex/keccak.h"

#define MAX_DEPTH 16
#define MAX_VALUES 65536

/* ---- types ---- */

static void type_free(struct lx_abi_type *t)
{
	if (!t)
		return;
	type_free(t->elem);
	for (size_t i = 0; i < t->n_comp; i++) {
		type_free(t->comp[i]);
		free(t->names[i]);
	}
	free(t->comp);
	free(t->names);
	free(t);
}

static int bad(struct lx_error *err, const char *src, const char *what, const char *type)
{
	return lx_error_set(err, LX_EPARSE, "abi: %s: %s '%s'", src, what, type);
}

static struct lx_abi_type *parse_type(const char *ts, const json_t *components, const char *src,
				      int depth, struct lx_error *err);

/* Parses "uint256", "bytes32", "tuple", ... with trailing array suffixes handled by caller. */
static struct lx_abi_type *parse_base(const char *ts, size_t len, const json_t *components,
				      const char *src, int depth, struct lx_error *err)
{
	struct lx_abi_type *t = calloc(1, sizeof(*t));
	char b[64];
	if (!t || len >= sizeof(b)) {
		free(t);
		bad(err, src, "unsupported type", ts);
		return NULL;
	}
	memcpy(b, ts, len);
	b[len] = 0;
	char *end;
	if (!strcmp(b, "address")) {
		t->kind = LX_ABI_ADDRESS;
	} else if (!strcmp(b, "bool")) {
		t->kind = LX_ABI_BOOL;
	} else if (!strcmp(b, "string")) {
		t->kind = LX_ABI_STRING;
	} else if (!strcmp(b, "bytes")) {
		t->kind = LX_ABI_BYTES;
	} else if (!strncmp(b, "uint", 4) || !strncmp(b, "int", 3)) {
		bool u = b[0] == 'u';
		const char *n = b + (u ? 4 : 3);
		unsigned long bits = *n ? strtoul(n, &end, 10) : 256;
		if ((*n && *end) || bits == 0 || bits > 256 || bits % 8) {
			free(t);
			bad(err, src, "bad integer type", b);
			return NULL;
		}
		t->kind = u ? LX_ABI_UINT : LX_ABI_INT;
		t->size = (unsigned)bits;
	} else if (!strncmp(b, "bytes", 5)) {
		unsigned long n = strtoul(b + 5, &end, 10);
		if (*end || n == 0 || n > 32) {
			free(t);
			bad(err, src, "bad bytesN type", b);
			return NULL;
		}
		t->kind = LX_ABI_FBYTES;
		t->size = (unsigned)n;
	} else if (!strcmp(b, "tuple")) {
		t->kind = LX_ABI_TUPLE;
		if (!json_is_array(components)) {
			free(t);
			bad(err, src, "tuple without components", b);
			return NULL;
		}
		size_t n = json_array_size(components);
		t->comp = calloc(n ? n : 1, sizeof(*t->comp));
		t->names = calloc(n ? n : 1, sizeof(*t->names));
		if (!t->comp || !t->names) {
			type_free(t);
			lx_error_set(err, LX_ENOMEM, "abi: out of memory");
			return NULL;
		}
		for (size_t i = 0; i < n; i++) {
			const json_t *c = json_array_get(components, i);
			const char *ct = json_string_value(json_object_get(c, "type"));
			const char *cn = json_string_value(json_object_get(c, "name"));
			if (!ct) {
				type_free(t);
				bad(err, src, "component without type in", b);
				return NULL;
			}
			t->comp[i] = parse_type(ct, json_object_get(c, "components"), src, depth + 1, err);
			t->names[i] = strdup(cn ? cn : "");
			t->n_comp++;
			if (!t->comp[i] || !t->names[i]) {
				type_free(t);
				return NULL;
			}
		}
	} else {
		free(t);
		bad(err, src, "unsupported type", b);
		return NULL;
	}
	return t;
}

static struct lx_abi_type *parse_type(const char *ts, const json_t *components, const char *src,
				      int depth, struct lx_error *err)
{
	if (depth > MAX_DEPTH) {
		bad(err, src, "type nested too deep", ts);
		return NULL;
	}
	size_t len = strlen(ts);
	if (len && ts[len - 1] == ']') {
		const char *open = strrchr(ts, '[');
		if (!open) {
			bad(err, src, "bad array type", ts);
			return NULL;
		}
		struct lx_abi_type *t = calloc(1, sizeof(*t));
		char inner[128];
		size_t il = (size_t)(open - ts);
		if (!t || il >= sizeof(inner)) {
			free(t);
			bad(err, src, "bad array type", ts);
			return NULL;
		}
		memcpy(inner, ts, il);
		inner[il] = 0;
		if (open[1] == ']') {
			t->kind = LX_ABI_ARRAY;
		} else {
			char *end;
			unsigned long k = strtoul(open + 1, &end, 10);
			if (*end != ']' || k == 0 || k > 65536) {
				free(t);
				bad(err, src, "bad array size in", ts);
				return NULL;
			}
			t->kind = LX_ABI_FARRAY;
			t->size = (unsigned)k;
		}
		t->elem = parse_type(inner, components, src, depth + 1, err);
		if (!t->elem) {
			free(t);
			return NULL;
		}
		return t;
	}
	return parse_base(ts, len, components, src, depth, err);
}

static bool is_dynamic(const struct lx_abi_type *t)
{
	switch (t->kind) {
	case LX_ABI_BYTES:
	case LX_ABI_STRING:
	case LX_ABI_ARRAY:
		return true;
	case LX_ABI_FARRAY:
		return is_dynamic(t->elem);
	case LX_ABI_TUPLE:
		for (size_t i = 0; i < t->n_comp; i++)
			if (is_dynamic(t->comp[i]))
				return true;
		return false;
	default:
		return false;
	}
}

/* Head size of a static type; 32 for dynamic ones (their offset word). */
static size_t head_size(const struct lx_abi_type *t)
{
	if (is_dynamic(t))
		return 32;
	if (t->kind == LX_ABI_FARRAY)
		return t->size * head_size(t->elem);
	if (t->kind == LX_ABI_TUPLE) {
		size_t s = 0;
		for (size_t i = 0; i < t->n_comp; i++)
			s += head_size(t->comp[i]);
		return s;
	}
	return 32;
}

/* canonical type string into buf */
static void canon(const struct lx_abi_type *t, char *buf, size_t cap, size_t *o)
{
#define PUT(s)                                                                                  \
	do {                                                                                    \
		int w_ = snprintf(buf + *o, cap > *o ? cap - *o : 0, "%s", s);                  \
		if (w_ > 0)                                                                     \
			*o += (size_t)w_;                                                       \
	} while (0)
	char tmp[32];
	switch (t->kind) {
	case LX_ABI_ADDRESS: PUT("address"); break;
	case LX_ABI_BOOL: PUT("bool"); break;
	case LX_ABI_STRING: PUT("string"); break;
	case LX_ABI_BYTES: PUT("bytes"); break;
	case LX_ABI_UINT: snprintf(tmp, sizeof(tmp), "uint%u", t->size); PUT(tmp); break;
	case LX_ABI_INT: snprintf(tmp, sizeof(tmp), "int%u", t->size); PUT(tmp); break;
	case LX_ABI_FBYTES: snprintf(tmp, sizeof(tmp), "bytes%u", t->size); PUT(tmp); break;
	case LX_ABI_ARRAY: canon(t->elem, buf, cap, o); PUT("[]"); break;
	case LX_ABI_FARRAY:
		canon(t->elem, buf, cap, o);
		snprintf(tmp, sizeof(tmp), "[%u]", t->size);
		PUT(tmp);
		break;
	case LX_ABI_TUPLE:
		PUT("(");
		for (size_t i = 0; i < t->n_comp; i++) {
			if (i)
				PUT(",");
			canon(t->comp[i], buf, cap, o);
		}
		PUT(")");
		break;
	}
#undef PUT
}

static void event_free(struct lx_abi_event *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		free(e->params[i].name);
		type_free(e->params[i].type);
	}
	free(e->params);
	free(e->name);
	free(e->signature);
	free(e);
}

int lx_abi_set_create(struct lx_abi_set **out, struct lx_error *err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : lx_error_set(err, LX_ENOMEM, "abi: out of memory");
}

void lx_abi_set_destroy(struct lx_abi_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		event_free(s->events[i]);
	free(s->events);
	free(s);
}

static bool same_event(const struct lx_abi_event *a, const struct lx_abi_event *b)
{
	if (strcmp(a->signature, b->signature) || a->n != b->n || a->anonymous != b->anonymous)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->params[i].indexed != b->params[i].indexed)
			return false;
	return true;
}

static int add_event(struct lx_abi_set *s, const json_t *o, const char *src, struct lx_error *err)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const json_t *inputs = json_object_get(o, "inputs");
	if (!name || !json_is_array(inputs))
		return lx_error_set(err, LX_EPARSE, "abi: %s: event without name or inputs", src);
	struct lx_abi_event *e = calloc(1, sizeof(*e));
	if (!e)
		return lx_error_set(err, LX_ENOMEM, "abi: out of memory");
	e->name = strdup(name);
	e->anonymous = json_is_true(json_object_get(o, "anonymous"));
	size_t n = json_array_size(inputs);
	e->params = calloc(n ? n : 1, sizeof(*e->params));
	if (!e->name || !e->params) {
		event_free(e);
		return lx_error_set(err, LX_ENOMEM, "abi: out of memory");
	}
	char sig[2048];
	size_t so = 0;
	int w = snprintf(sig, sizeof(sig), "%s(", name);
	so = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *in = json_array_get(inputs, i);
		const char *ts = json_string_value(json_object_get(in, "type"));
		const char *pn = json_string_value(json_object_get(in, "name"));
		if (!ts) {
			event_free(e);
			return lx_error_set(err, LX_EPARSE, "abi: %s: event %s: input without type", src,
					    name);
		}
		struct lx_abi_param *p = &e->params[i];
		p->type = parse_type(ts, json_object_get(in, "components"), src, 0, err);
		p->name = strdup(pn ? pn : "");
		p->indexed = json_is_true(json_object_get(in, "indexed"));
		e->n++;
		if (!p->type || !p->name) {
			event_free(e);
			return err && err->code ? err->code : LX_ENOMEM;
		}
		if (p->indexed)
			e->n_indexed++;
		if (i && so < sizeof(sig))
			sig[so++] = ',';
		canon(p->type, sig, sizeof(sig), &so);
	}
	if (so + 2 > sizeof(sig)) {
		event_free(e);
		return lx_error_set(err, LX_EPARSE, "abi: %s: event %s: signature too long", src, name);
	}
	sig[so++] = ')';
	sig[so] = 0;
	e->signature = strdup(sig);
	if (!e->signature) {
		event_free(e);
		return lx_error_set(err, LX_ENOMEM, "abi: out of memory");
	}
	lx_keccak256(e->topic0, sig, so);
	for (size_t i = 0; i < s->n; i++)
		if (same_event(s->events[i], e)) {
			event_free(e);
			return 0;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct lx_abi_event **ev = realloc(s->events, cap * sizeof(*ev));
		if (!ev) {
			event_free(e);
			return lx_error_set(err, LX_ENOMEM, "abi: out of memory");
		}
		s->events = ev;
		s->cap = cap;
	}
	s->events[s->n++] = e;
	return 0;
}

int lx_abi_set_add_json(struct lx_abi_set *s, const json_t *abi, const char *src,
			struct lx_error *err)
{
	if (json_is_object(abi))
		abi = json_object_get(abi, "abi");
	if (!json_is_array(abi))
		return lx_error_set(err, LX_EPARSE, "abi: %s: not an ABI array or artifact", src);
	size_t i;
	const json_t *o;
	json_array_foreach(abi, i, o)
	{
		const char *type = json_string_value(json_object_get(o, "type"));
		if (!type || strcmp(type, "event"))
			continue;
		int rc = add_event(s, o, src, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_file(struct lx_abi_set *s, const char *path, struct lx_error *err)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	if (!doc)
		return lx_error_set(err, je.line > 0 ? LX_EPARSE : LX_ENOTFOUND, "abi: %s:%d: %s",
				    path, je.line, je.text);
	int rc = lx_abi_set_add_json(s, doc, path, err);
	json_decref(doc);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct lx_abi_set *s, const char *dir, int depth, struct lx_error *err)
{
	if (depth > 8)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return lx_error_set(err, LX_ENOTFOUND, "abi: cannot open %s", dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				rc = lx_error_set(err, LX_ENOMEM, "abi: out of memory");
				break;
			}
			names = nn;
		}
		size_t l = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(l);
		if (!names[n]) {
			rc = lx_error_set(err, LX_ENOMEM, "abi: out of memory");
			break;
		}
		snprintf(names[n++], l, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (!rc && stat(names[i], &st) == 0) {
			size_t l = strlen(names[i]);
			if (S_ISDIR(st.st_mode))
				rc = load_dir(s, names[i], depth + 1, err);
			else if (l > 5 && !strcmp(names[i] + l - 5, ".json"))
				rc = load_file(s, names[i], err);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int lx_abi_set_load(struct lx_abi_set *s, const char *path, struct lx_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return lx_error_set(err, LX_ENOTFOUND, "abi: no such file or directory '%s'", path);
	return S_ISDIR(st.st_mode) ? load_dir(s, path, 0, err) : load_file(s, path, err);
}

const struct lx_abi_event *lx_abi_find(const struct lx_abi_set *s, const uint8_t topic0[32],
				       size_t n_topics)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct lx_abi_event *e = s->events[i];
		if (!e->anonymous && e->n_indexed + 1 == n_topics && !memcmp(e->topic0, topic0, 32))
			return e;
	}
	return NULL;
}

const struct lx_abi_event *lx_abi_find_name(const struct lx_abi_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->events[i]->name, name))
			return s->events[i];
	return NULL;
}

/* ---- decoding ---- */

struct dec {
	const uint8_t *data;
	size_t len;
	const char *arg;       /* top-level argument name, for messages */
	const char *event;
	struct lx_error *err;
	struct lx_abi_value *pool;
	size_t used, cap;
};

static struct lx_abi_value *alloc_vals(struct dec *d, size_t n)
{
	if (n > MAX_VALUES || d->used + n > d->cap) {
		lx_error_set(d->err, LX_ELENGTH, "abi: %s: arg '%s': more than %d values", d->event,
			     d->arg, MAX_VALUES);
		return NULL;
	}
	struct lx_abi_value *v = d->pool + d->used;
	d->used += n;
	memset(v, 0, n * sizeof(*v));
	return v;
}

static int derr(struct dec *d, int code, const char *what, size_t at)
{
	return lx_error_set(d->err, code, "abi: %s: arg '%s': %s at 0x%zx (data is 0x%zx bytes)",
			    d->event, d->arg, what, at, d->len);
}

static bool zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Checks and stores a static word value. */
static int word(struct dec *d, const struct lx_abi_type *t, const uint8_t *w, size_t at,
		struct lx_abi_value *v)
{
	v->type = t;
	switch (t->kind) {
	case LX_ABI_ADDRESS:
		if (!zeros(w, 12))
			return derr(d, LX_EPADDING, "address with non-zero high bytes", at);
		memcpy(v->addr.b, w + 12, 20);
		return 0;
	case LX_ABI_BOOL:
		if (!zeros(w, 31) || w[31] > 1)
			return derr(d, LX_EPADDING, "bool that is neither 0 nor 1", at);
		lx_u256_from_u64(&v->u, w[31]);
		return 0;
	case LX_ABI_UINT:
		if (!zeros(w, 32 - t->size / 8))
			return derr(d, LX_EPADDING, "uint with bits above its size", at);
		lx_u256_from_be(&v->u, w);
		return 0;
	case LX_ABI_INT: {
		size_t pad = 32 - t->size / 8;
		uint8_t sign = (w[pad] & 0x80) ? 0xff : 0;
		for (size_t i = 0; i < pad; i++)
			if (w[i] != sign)
				return derr(d, LX_EPADDING, "int not sign-extended", at);
		lx_u256_from_be(&v->u, w);
		if (sign) {
			/* magnitude = two's complement negation */
			struct lx_u256 z = {{0, 0, 0, 0}};
			lx_u256_sub(&v->u, &z, &v->u);
			v->negative = true;
		}
		return 0;
	}
	case LX_ABI_FBYTES:
		if (!zeros(w + t->size, 32 - t->size))
			return derr(d, LX_EPADDING, "bytesN with non-zero padding", at);
		v->bytes = w;
		v->len = t->size;
		return 0;
	default:
		return derr(d, LX_EINVAL, "not a static word type", at);
	}
}

static int decode_at(struct dec *d, const struct lx_abi_type *t, size_t at, int depth,
		     struct lx_abi_value *v);

/* n values of types (or n copies of elem) laid out as a tuple starting at base. */
static int decode_tuple(struct dec *d, const struct lx_abi_type *const *types,
			const struct lx_abi_type *elem, size_t n, size_t base, int depth,
			struct lx_abi_value *out)
{
	size_t head = base;
	for (size_t i = 0; i < n; i++) {
		const struct lx_abi_type *t = types ? types[i] : elem;
		int rc;
		if (is_dynamic(t)) {
			if (head > d->len || d->len - head < 32)
				return derr(d, LX_ESHORT, "offset word past the end", head);
			const uint8_t *w = d->data + head;
			if (!zeros(w, 24))
				return derr(d, LX_EOFFSET, "offset too large", head);
			uint64_t off = 0;
			for (int k = 24; k < 32; k++)
				off = off << 8 | w[k];
			if (off > d->len || base + off > d->len || base + off < base)
				return derr(d, LX_EOFFSET, "offset points past the data", head);
			rc = decode_at(d, t, base + (size_t)off, depth + 1, &out[i]);
		} else {
			rc = decode_at(d, t, head, depth + 1, &out[i]);
		}
		if (rc)
			return rc;
		head += head_size(t);
	}
	return 0;
}

static int decode_at(struct dec *d, const struct lx_abi_type *t, size_t at, int depth,
		     struct lx_abi_value *v)
{
	if (depth > MAX_DEPTH)
		return derr(d, LX_ELENGTH, "nesting too deep", at);
	v->type = t;
	switch (t->kind) {
	case LX_ABI_ADDRESS:
	case LX_ABI_BOOL:
	case LX_ABI_UINT:
	case LX_ABI_INT:
	case LX_ABI_FBYTES:
		if (at > d->len || d->len - at < 32)
			return derr(d, LX_ESHORT, "word past the end", at);
		return word(d, t, d->data + at, at, v);
	case LX_ABI_BYTES:
	case LX_ABI_STRING: {
		if (at > d->len || d->len - at < 32)
			return derr(d, LX_ESHORT, "length word past the end", at);
		const uint8_t *w = d->data + at;
		if (!zeros(w, 24))
			return derr(d, LX_ELENGTH, "length too large", at);
		uint64_t n = 0;
		for (int k = 24; k < 32; k++)
			n = n << 8 | w[k];
		size_t room = d->len - at - 32;
		if (n > room)
			return derr(d, LX_ELENGTH, "length exceeds the data", at);
		size_t padded = (size_t)((n + 31) / 32 * 32);
		if (padded > room)
			return derr(d, LX_ESHORT, "padding past the end", at);
		if (!zeros(w + 32 + n, padded - (size_t)n))
			return derr(d, LX_EPADDING, "non-zero padding after bytes", at);
		v->bytes = w + 32;
		v->len = (size_t)n;
		return 0;
	}
	case LX_ABI_ARRAY:
	case LX_ABI_FARRAY: {
		uint64_t n = t->size;
		size_t base = at;
		if (t->kind == LX_ABI_ARRAY) {
			if (at > d->len || d->len - at < 32)
				return derr(d, LX_ESHORT, "array length past the end", at);
			const uint8_t *w = d->data + at;
			if (!zeros(w, 24))
				return derr(d, LX_ELENGTH, "array length too large", at);
			n = 0;
			for (int k = 24; k < 32; k++)
				n = n << 8 | w[k];
			base = at + 32;
			/* every element needs at least one head word */
			if (n > (d->len - base) / 32 + (n == 0))
				return derr(d, LX_ELENGTH, "array length exceeds the data", at);
		}
		v->n = (size_t)n;
		v->items = alloc_vals(d, v->n);
		if (!v->items && n)
			return d->err ? d->err->code : LX_ELENGTH;
		return decode_tuple(d, NULL, t->elem, v->n, base, depth, v->items);
	}
	case LX_ABI_TUPLE:
		v->n = t->n_comp;
		v->items = alloc_vals(d, v->n);
		if (!v->items && v->n)
			return d->err ? d->err->code : LX_ELENGTH;
		return decode_tuple(d, (const struct lx_abi_type *const *)t->comp, NULL, t->n_comp,
				    at, depth, v->items);
	}
	return derr(d, LX_EINVAL, "unknown type", at);
}

int lx_abi_decode_log(struct lx_abi_decoded **out, const struct lx_abi_event *ev,
		      const uint8_t (*topics)[32], size_t n_topics, const uint8_t *data,
		      size_t len, struct lx_error *err)
{
	*out = NULL;
	size_t want = ev->n_indexed + (ev->anonymous ? 0 : 1);
	if (n_topics != want)
		return lx_error_set(err, LX_ETOPICS, "abi: %s: log has %zu topics, the event has %zu",
				    ev->name, n_topics, want);
	/* value budget: data words bound the number of values a hostile log can produce */
	size_t cap = ev->n + len / 32 * 2 + 64;
	if (cap > MAX_VALUES)
		cap = MAX_VALUES;
	struct lx_abi_decoded *r = calloc(1, sizeof(*r));
	/* the result owns copies of the topics and data its values point into */
	struct lx_abi_value *pool = calloc(1, cap * sizeof(*pool) + 4 * 32 + len + 1);
	if (!r || !pool || n_topics > 4) {
		free(r);
		free(pool);
		return lx_error_set(err, LX_ENOMEM, "abi: out of memory");
	}
	r->event = ev;
	r->arena = pool;
	uint8_t *copy = (uint8_t *)(pool + cap);
	if (n_topics)
		memcpy(copy, topics, n_topics * 32);
	if (len)
		memcpy(copy + 4 * 32, data, len);
	topics = (const uint8_t(*)[32])copy;
	data = copy + 4 * 32;
	struct dec d = {data, len, "", ev->name, err, pool, 0, cap};
	r->args = alloc_vals(&d, ev->n);
	r->n = ev->n;
	/* non-indexed arguments form a tuple in data */
	const struct lx_abi_type *dt[64];
	size_t nd = 0, ti = ev->anonymous ? 0 : 1;
	int rc = 0;
	if (ev->n > 64)
		rc = lx_error_set(err, LX_ELENGTH, "abi: %s: too many arguments", ev->name);
	size_t head = 0;
	for (size_t i = 0; i < ev->n && !rc; i++) {
		const struct lx_abi_param *p = &ev->params[i];
		d.arg = p->name;
		if (p->indexed) {
			const uint8_t *w = topics[ti++];
			if (is_dynamic(p->type) || p->type->kind == LX_ABI_TUPLE ||
			    p->type->kind == LX_ABI_FARRAY) {
				r->args[i].type = p->type;
				r->args[i].hashed = true;
				r->args[i].bytes = w;
				r->args[i].len = 32;
			} else {
				rc = word(&d, p->type, w, 0, &r->args[i]);
				if (rc)
					lx_error_prefix(err, "topic %zu", ti - 1);
			}
			continue;
		}
		dt[nd++] = p->type;
		struct lx_abi_value *v = &r->args[i];
		if (is_dynamic(p->type)) {
			if (head > len || len - head < 32) {
				rc = derr(&d, LX_ESHORT, "offset word past the end", head);
				break;
			}
			const uint8_t *w = data + head;
			uint64_t off = 0;
			if (!zeros(w, 24)) {
				rc = derr(&d, LX_EOFFSET, "offset too large", head);
				break;
			}
			for (int k = 24; k < 32; k++)
				off = off << 8 | w[k];
			if (off > len) {
				rc = derr(&d, LX_EOFFSET, "offset points past the data", head);
				break;
			}
			rc = decode_at(&d, p->type, (size_t)off, 1, v);
		} else {
			rc = decode_at(&d, p->type, head, 1, v);
		}
		head += head_size(p->type);
	}
	(void)dt;
	if (rc) {
		lx_abi_decoded_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void lx_abi_decoded_free(struct lx_abi_decoded *d)
{
	if (!d)
		return;
	free(d->arena);
	free(d);
}

/* ---- JSON ---- */

static json_t *hexj(const uint8_t *p, size_t n)
{
	char *b = malloc(2 * n + 3);
	if (!b)
		return json_null();
	lx_hex_encode(b, 2 * n + 3, p, n);
	json_t *s = json_string(b);
	free(b);
	return s;
}

static json_t *value_json(const struct lx_abi_value *v)
{
	if (v->hashed)
		return hexj(v->bytes, v->len);
	char b[LX_U256_DEC_MAX + 1];
	switch (v->type->kind) {
	case LX_ABI_ADDRESS: {
		char a[LX_ADDR_STRLEN];
		lx_addr_lower(a, &v->addr);
		return json_string(a);
	}
	case LX_ABI_BOOL:
		return json_boolean(!lx_u256_is_zero(&v->u));
	case LX_ABI_UINT:
	case LX_ABI_INT:
		b[0] = '-';
		lx_u256_to_dec(b + (v->negative ? 1 : 0), sizeof(b) - 1, &v->u);
		return json_string(b);
	case LX_ABI_FBYTES:
	case LX_ABI_BYTES:
		return hexj(v->bytes, v->len);
	case LX_ABI_STRING:
	{
		/* invalid UTF-8 cannot be a JSON string: show it as bytes */
		json_t *s = json_stringn((const char *)v->bytes, v->len);
		return s ? s : hexj(v->bytes, v->len);
	}
	case LX_ABI_ARRAY:
	case LX_ABI_FARRAY: {
		json_t *a = json_array();
		for (size_t i = 0; i < v->n; i++)
			json_array_append_new(a, value_json(&v->items[i]));
		return a;
	}
	case LX_ABI_TUPLE: {
		json_t *o = json_object();
		for (size_t i = 0; i < v->n; i++) {
			const char *nm = v->type->names[i];
			char k[24];
			if (!nm || !*nm) {
				snprintf(k, sizeof(k), "%zu", i);
				nm = k;
			}
			json_object_set_new(o, nm, value_json(&v->items[i]));
		}
		return o;
	}
	}
	return json_null();
}

json_t *lx_abi_args_json(const struct lx_abi_decoded *d)
{
	json_t *o = json_object();
	for (size_t i = 0; i < d->n; i++) {
		const char *nm = d->event->params[i].name;
		char k[24];
		if (!nm || !*nm) {
			snprintf(k, sizeof(k), "%zu", i);
			nm = k;
		}
		json_object_set_new(o, nm, value_json(&d->args[i]));
	}
	return o;
}

/* a word's value if it fits 64 bits */
static bool word64(const uint8_t *w, uint64_t *v)
{
	for (int i = 0; i < 24; i++)
		if (w[i])
			return false;
	*v = 0;
	for (int i = 24; i < 32; i++)
		*v = *v << 8 | w[i];
	return true;
}

bool lx_abi_symbol(char out[16], const uint8_t *b, size_t len)
{
	const uint8_t *s = NULL;
	size_t n = 0;
	uint64_t off, l;
	out[0] = 0;
	if (!b)
		return false;
	if (len >= 64 && word64(b, &off) && off == 32 && word64(b + 32, &l) && l <= len - 64) {
		s = b + 64;
		n = (size_t)l;
	} else if (len == 32) {
		s = b;
		while (n < 32 && s[n])
			n++;
		for (size_t i = n; i < 32; i++)
			if (s[i])
				return false; /* not zero-padded text */
	}
	if (!s || n == 0 || n > 15)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	memcpy(out, s, n);
	out[n] = 0;
	return true;
}
