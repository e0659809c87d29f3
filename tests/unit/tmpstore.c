/*
 * tmpstore.c: temporary chains/ directories and stores for the handler tests (tmpstore.h).
 * Each directory is remembered and removed at exit, with the plain files in it (a store's
 * data.mdb and lock.mdb, a chain file): a test that fails half-way leaves nothing under /tmp.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpstore.h"

#define MAX_DIRS 64

static char made[MAX_DIRS][64];
static size_t n_made;
static bool registered;

static void remove_tree(const char *d)
{
	DIR *dp = opendir(d);
	if (dp) {
		struct dirent *e;
		char p[512];
		while ((e = readdir(dp)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
			unlink(p);
		}
		closedir(dp);
	}
	rmdir(d);
}

static void remove_all(void)
{
	for (size_t i = 0; i < n_made; i++)
		if (made[i][0])
			remove_tree(made[i]);
	n_made = 0;
}

/* mkdtemp on /tmp/lx-<tag><suffix>-XXXXXX into dir; remembered for exit */
static bool make_dir(char *dir, size_t cap, const char *tag, const char *suffix)
{
	if (!registered) {
		atexit(remove_all);
		registered = true;
	}
	int n = snprintf(dir, cap, "/tmp/lx-%s%s-XXXXXX", tag, suffix);
	if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof(made[0]) || n_made == MAX_DIRS ||
	    !mkdtemp(dir))
		return false;
	memcpy(made[n_made++], dir, (size_t)n + 1);
	return true;
}

int lx_test_chain(struct lx_chain **out, const char *tag, const char *chain, const char *json)
{
	char dir[64], p[160];
	*out = NULL;
	if (!make_dir(dir, sizeof(dir), tag, "-c")) {
		fprintf(stderr, "tmpstore: cannot make a chains directory for %s\n", tag);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/%s.json", dir, chain);
	FILE *f = fopen(p, "w");
	if (!f || fputs(json, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "tmpstore: cannot write %s\n", p);
		return -1;
	}
	struct lx_error e;
	if (lx_chain_load(out, dir, chain, &e)) {
		fprintf(stderr, "tmpstore: %s\n", e.msg);
		return -1;
	}
	return 0;
}

struct lx_store *lx_test_store(char *dir, size_t cap, const char *tag)
{
	struct lx_store *st = NULL;
	struct lx_error e;
	if (!make_dir(dir, cap, tag, ""))
		fail_msg("tmpstore: cannot make a store directory for %s", tag);
	if (lx_store_open(&st, dir, LX_STORE_CREATE, &e))
		fail_msg("tmpstore: %s", e.msg);
	return st;
}

void lx_test_rmdir(const char *dir)
{
	for (size_t i = 0; i < n_made; i++)
		if (!strcmp(made[i], dir)) {
			remove_tree(made[i]);
			made[i][0] = 0;
		}
}
