/*
 * chain.c: loads chains/<name>.json into struct lx_chain, rejecting malformed files with a
 * message naming the file and field. Unknown fields are ignored (forward compatibility).
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/chain.h"
#include "lendex/model.h"

static const struct {
	const char *name;
	uint32_t id;
} protocols[] = {
	{"aave_v3", LX_PROTO_AAVE_V3},         {"aave_v2", LX_PROTO_AAVE_V2},
	{"spark", LX_PROTO_SPARK},             {"compound_v3", LX_PROTO_COMPOUND_V3},
	{"morpho_blue", LX_PROTO_MORPHO_BLUE}, {"aave_v4", LX_PROTO_AAVE_V4},
};

uint32_t lx_protocol_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (strcmp(protocols[i].name, name) == 0)
			return protocols[i].id;
	return 0;
}

const char *lx_protocol_name(uint32_t protocol)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].id == protocol)
			return protocols[i].name;
	return NULL;
}

static int field_err(struct lx_error *err, const char *file, const char *field, const char *why)
{
	return lx_error_set(err, LX_EPARSE, "%s: %s: %s", file, field, why);
}

static int get_u64(const json_t *o, const char *key, uint64_t def, bool required, uint64_t *out,
		   const char *file, const char *path, struct lx_error *err)
{
	json_t *v = json_object_get(o, key);
	char f[128];
	snprintf(f, sizeof(f), "%s%s", path, key);
	if (!v) {
		if (required)
			return field_err(err, file, f, "missing");
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return field_err(err, file, f, "must be a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_str(const json_t *o, const char *key, char *buf, size_t cap, bool required,
		   const char *file, const char *path, struct lx_error *err)
{
	json_t *v = json_object_get(o, key);
	char f[128];
	snprintf(f, sizeof(f), "%s%s", path, key);
	if (!v) {
		if (required)
			return field_err(err, file, f, "missing");
		buf[0] = 0;
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap)
		return field_err(err, file, f, "must be a non-empty string");
	snprintf(buf, cap, "%s", json_string_value(v));
	return 0;
}

static int parse_addr(struct lx_addr *out, const json_t *v, const char *file, const char *field,
		      struct lx_error *err)
{
	struct lx_error e;
	if (!json_is_string(v))
		return field_err(err, file, field, "must be an address string");
	if (lx_addr_parse(out, json_string_value(v), &e))
		return field_err(err, file, field, e.msg);
	return 0;
}

static int parse_deployment(struct lx_deployment *d, const json_t *o, const char *file, int idx,
			    struct lx_error *err)
{
	char path[64], f[160];
	int rc;
	snprintf(path, sizeof(path), "deployments[%d].", idx);
	if (!json_is_object(o))
		return field_err(err, file, path, "must be an object");
	if ((rc = get_str(o, "name", d->name, sizeof(d->name), true, file, path, err)))
		return rc;
	char proto[32];
	if ((rc = get_str(o, "protocol", proto, sizeof(proto), true, file, path, err)))
		return rc;
	d->protocol = lx_protocol_from_name(proto);
	if (!d->protocol) {
		snprintf(f, sizeof(f), "%sprotocol", path);
		char why[96];
		snprintf(why, sizeof(why), "unknown protocol '%s'", proto);
		return field_err(err, file, f, why);
	}
	if ((rc = get_str(o, "version", d->version, sizeof(d->version), true, file, path, err)))
		return rc;
	{
		int parts[3] = {0, 0, 0}, k = 0;
		const char *s = d->version;
		bool ok = *s >= '0' && *s <= '9';
		for (; *s && ok; s++) {
			if (*s == '.') {
				if (++k > 2 || !(s[1] >= '0' && s[1] <= '9'))
					ok = false;
			} else if (*s >= '0' && *s <= '9') {
				parts[k] = parts[k] * 10 + (*s - '0');
				if (parts[k] > 9999)
					ok = false;
			} else {
				ok = false;
			}
		}
		if (!ok) {
			snprintf(f, sizeof(f), "%sversion", path);
			return field_err(err, file, f, "must look like 3.0.2");
		}
		d->ver_major = parts[0];
		d->ver_minor = parts[1];
		d->ver_patch = parts[2];
	}
	if ((rc = get_u64(o, "start_block", 0, true, &d->start_block, file, path, err)))
		return rc;
	uint64_t bd;
	if ((rc = get_u64(o, "base_currency_decimals", 8, false, &bd, file, path, err)))
		return rc;
	if (bd > 36) {
		snprintf(f, sizeof(f), "%sbase_currency_decimals", path);
		return field_err(err, file, f, "must be at most 36");
	}
	d->base_decimals = (unsigned)bd;
	json_t *c = json_object_get(o, "contracts");
	snprintf(f, sizeof(f), "%scontracts", path);
	if (!json_is_object(c))
		return field_err(err, file, f, "missing or not an object");
	const char *key;
	json_t *v;
	json_object_foreach(c, key, v)
	{
		if (d->n_contracts >= LX_DEP_MAX_CONTRACTS)
			return field_err(err, file, f, "too many contracts");
		struct lx_contract *ct = &d->contracts[d->n_contracts];
		snprintf(f, sizeof(f), "%scontracts.%s", path, key);
		if (strlen(key) >= sizeof(ct->role))
			return field_err(err, file, f, "role name too long");
		snprintf(ct->role, sizeof(ct->role), "%s", key);
		if ((rc = parse_addr(&ct->addr, v, file, f, err)))
			return rc;
		d->n_contracts++;
	}
	json_t *g = json_object_get(o, "groups");
	if (g) {
		snprintf(f, sizeof(f), "%sgroups", path);
		if (!json_is_object(g))
			return field_err(err, file, f, "must be an object");
		json_object_foreach(g, key, v)
		{
			if (d->n_groups >= LX_DEP_MAX_GROUPS || strlen(key) >= 24)
				return field_err(err, file, f, "too many groups or name too long");
			struct lx_group *gr = &d->groups[d->n_groups++];
			snprintf(gr->name, sizeof(gr->name), "%s", key);
			snprintf(f, sizeof(f), "%sgroups.%s", path, key);
			if (!json_is_array(v) || json_array_size(v) > LX_DEP_MAX_GROUP_ASSETS)
				return field_err(err, file, f, "must be an array of addresses");
			size_t i;
			json_t *a;
			json_array_foreach(v, i, a)
			{
				snprintf(f, sizeof(f), "%sgroups.%s[%zu]", path, key, i);
				if ((rc = parse_addr(&gr->assets[gr->n++], a, file, f, err)))
					return rc;
			}
		}
	}
	json_t *dp = json_object_get(o, "depth_base_per_pct");
	if (dp) {
		snprintf(f, sizeof(f), "%sdepth_base_per_pct", path);
		if (!json_is_object(dp))
			return field_err(err, file, f, "must be an object");
		json_object_foreach(dp, key, v)
		{
			if (d->n_depths >= LX_DEP_MAX_DEPTHS)
				return field_err(err, file, f, "too many entries");
			struct lx_depth *de = &d->depths[d->n_depths];
			snprintf(f, sizeof(f), "%sdepth_base_per_pct.%s", path, key);
			json_t *ks = json_string(key);
			rc = parse_addr(&de->asset, ks, file, f, err);
			json_decref(ks);
			if (rc)
				return rc;
			if (!json_is_number(v) || json_number_value(v) < 0)
				return field_err(err, file, f, "must be a non-negative number");
			de->base_per_pct = json_number_value(v);
			d->n_depths++;
		}
	}
	return 0;
}

/* Two deployments with one contract in the same role are one market listed twice: every log
 * would be applied twice. */
static int same_contracts(const struct lx_deployment *a, const struct lx_deployment *b,
			  const char *file, struct lx_error *err)
{
	for (size_t i = 0; i < a->n_contracts; i++)
		for (size_t k = 0; k < b->n_contracts; k++) {
			if (strcmp(a->contracts[i].role, b->contracts[k].role) ||
			    memcmp(a->contracts[i].addr.b, b->contracts[k].addr.b, 20))
				continue;
			char x[LX_ADDR_STRLEN];
			lx_addr_lower(x, &a->contracts[i].addr);
			return lx_error_set(err, LX_EPARSE,
					    "%s: deployments '%s' and '%s' have the same %s %s: one "
					    "market listed twice would be counted twice",
					    file, a->name, b->name, a->contracts[i].role, x);
		}
	return 0;
}

static int parse_chain(struct lx_chain *c, const json_t *root, const char *file,
		       const char *expect_name, struct lx_error *err)
{
	int rc;
	if (!json_is_object(root))
		return field_err(err, file, "(top)", "must be an object");
	if ((rc = get_str(root, "name", c->name, sizeof(c->name), true, file, "", err)))
		return rc;
	if (expect_name && strcmp(expect_name, c->name) != 0) {
		char why[128];
		snprintf(why, sizeof(why), "'%s' does not match the file name '%s'", c->name,
			 expect_name);
		return field_err(err, file, "name", why);
	}
	if ((rc = get_u64(root, "chain_id", 0, true, &c->chain_id, file, "", err)))
		return rc;
	if (c->chain_id == 0)
		return field_err(err, file, "chain_id", "must be positive");
	if ((rc = get_u64(root, "reorg_window", 64, false, &c->reorg_window, file, "", err)) ||
	    (rc = get_u64(root, "confirmations", 0, false, &c->confirmations, file, "", err)) ||
	    (rc = get_u64(root, "max_block_range", 10000, false, &c->max_block_range, file, "",
			  err)))
		return rc;
	if (c->max_block_range == 0)
		return field_err(err, file, "max_block_range", "must be positive");
	json_t *cp = json_object_get(root, "checkpoint");
	if (cp) {
		/* {"block": N, "hash": "0x…"}: the trusted anchor of `sync --verify` */
		const char *h = json_string_value(json_object_get(cp, "hash"));
		size_t hl = 0;
		if ((rc = get_u64(cp, "block", 0, true, &c->checkpoint_block, file, "checkpoint.",
				  err)))
			return rc;
		if (!h || strlen(h) != 66 || strncmp(h, "0x", 2) ||
		    lx_hex_decode(c->checkpoint_hash, 32, &hl, h, 66) || hl != 32)
			return field_err(err, file, "checkpoint.hash", "must be a 0x 32-byte hash");
		c->has_checkpoint = true;
	}
	json_t *deps = json_object_get(root, "deployments");
	if (!json_is_array(deps) || json_array_size(deps) == 0)
		return field_err(err, file, "deployments", "missing or empty");
	if (json_array_size(deps) > LX_CHAIN_MAX_DEPLOYMENTS)
		return field_err(err, file, "deployments", "too many");
	size_t i;
	json_t *d;
	json_array_foreach(deps, i, d)
	{
		if ((rc = parse_deployment(&c->deployments[i], d, file, (int)i, err)))
			return rc;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(c->deployments[j].name, c->deployments[i].name))
				return field_err(err, file, "deployments", "duplicate name");
			if ((rc = same_contracts(&c->deployments[j], &c->deployments[i], file, err)))
				return rc;
		}
		c->n_deployments++;
	}
	return 0;
}

static int load(struct lx_chain **out, const char *path, const char *expect_name,
		struct lx_error *err)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line <= 0)
			return lx_error_set(err, LX_ENOTFOUND, "%s: %s", path, je.text);
		return lx_error_set(err, LX_EPARSE, "%s:%d:%d: %s", path, je.line, je.column,
				    je.text);
	}
	struct lx_chain *c = calloc(1, sizeof(*c));
	if (!c) {
		json_decref(root);
		return lx_error_set(err, LX_ENOMEM, "out of memory");
	}
	int rc = parse_chain(c, root, path, expect_name, err);
	json_decref(root);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int lx_chain_load_file(struct lx_chain **out, const char *path, struct lx_error *err)
{
	return load(out, path, NULL, err);
}

static bool valid_name(const char *n)
{
	if (!*n || strlen(n) > 31)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9') || *n == '-' ||
		      *n == '_'))
			return false;
	return true;
}

int lx_chain_load(struct lx_chain **out, const char *dir, const char *name,
		  struct lx_error *err)
{
	*out = NULL;
	char path[4096], list[512];
	lx_chain_list(list, sizeof(list), dir);
	if (!name || !valid_name(name))
		return lx_error_set(err, LX_ENOTFOUND, "unknown chain '%s' (available: %s)",
				    name ? name : "", list);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return lx_error_set(err, LX_ENOTFOUND, "unknown chain '%s' (available: %s)", name,
				    list);
	fclose(f);
	return load(out, path, name, err);
}

void lx_chain_destroy(struct lx_chain *c)
{
	free(c);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void lx_chain_list(char *buf, size_t cap, const char *dir)
{
	char names[64][64];
	char *ptr[64];
	size_t n = 0;
	buf[0] = 0;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64) {
		size_t l = strlen(e->d_name);
		if (l > 5 && l < 64 && !strcmp(e->d_name + l - 5, ".json")) {
			memcpy(names[n], e->d_name, l - 5);
			names[n][l - 5] = 0;
			ptr[n] = names[n];
			n++;
		}
	}
	closedir(d);
	qsort(ptr, n, sizeof(ptr[0]), cmpstr);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", ptr[i]);
		if (w < 0 || (size_t)w >= cap - o)
			break;
		o += (size_t)w;
	}
}

const struct lx_deployment *lx_chain_find_deployment(const struct lx_chain *c, const char *name)
{
	if (!c->n_deployments)
		return NULL;
	if (!name)
		return &c->deployments[0];
	for (size_t i = 0; i < c->n_deployments; i++)
		if (!strcmp(c->deployments[i].name, name))
			return &c->deployments[i];
	return NULL;
}

uint64_t lx_chain_id(const struct lx_chain *c)
{
	return c->chain_id;
}

const char *lx_deployment_name(const struct lx_deployment *d)
{
	return d->name;
}

uint32_t lx_deployment_protocol(const struct lx_deployment *d)
{
	return d->protocol;
}

unsigned lx_deployment_base_decimals(const struct lx_deployment *d)
{
	return d->base_decimals;
}

void lx_deployment_version(const struct lx_deployment *d, int *major, int *minor, int *patch)
{
	*major = d->ver_major;
	*minor = d->ver_minor;
	*patch = d->ver_patch;
}

int lx_deployment_contract(const struct lx_deployment *d, const char *role, struct lx_addr *out,
			   struct lx_error *err)
{
	for (size_t i = 0; i < d->n_contracts; i++)
		if (!strcmp(d->contracts[i].role, role)) {
			*out = d->contracts[i].addr;
			return 0;
		}
	memset(out, 0, sizeof(*out));
	return lx_error_set(err, LX_ENOTFOUND, "deployment '%s' has no '%s' contract in its config",
			    d->name, role);
}

unsigned lx_deployment_group_of(const struct lx_deployment *d, const struct lx_addr *asset)
{
	for (size_t g = 0; g < d->n_groups; g++)
		for (size_t i = 0; i < d->groups[g].n; i++)
			if (lx_addr_eq(&d->groups[g].assets[i], asset))
				return (unsigned)g + 1;
	return 0;
}

const char *lx_deployment_group_name(const struct lx_deployment *d, unsigned id)
{
	return id >= 1 && id <= d->n_groups ? d->groups[id - 1].name : NULL;
}

double lx_deployment_depth_of(const struct lx_deployment *d, const struct lx_addr *asset)
{
	for (size_t i = 0; i < d->n_depths; i++)
		if (lx_addr_eq(&d->depths[i].asset, asset))
			return d->depths[i].base_per_pct;
	return 0;
}
