/*
 * test_store.c: the LMDB store — open/schema/corruption errors, ordered prefix scans, map
 * growth under lx_store_write, cursor atomicity (abort and SIGKILL), undo and unwind.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lendex/store.h"

/* every directory made here, removed when the group ends (each run left ~1 MB to 27 MB in /tmp:
 * 2,000 of them, 2.7 GB, on a shared test machine) */
static char made[32][64];
static int n_made;

static void tmpdir(char *d, size_t n)
{
	snprintf(d, n, "/tmp/lx-store-XXXXXX");
	assert_non_null(mkdtemp(d));
	if (n_made < 32)
		snprintf(made[n_made++], sizeof(made[0]), "%s", d);
}

static int remove_made(void **st)
{
	(void)st;
	for (int i = 0; i < n_made; i++) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %.63s", made[i]);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static struct lx_store *open_new(char *d, size_t n)
{
	struct lx_store *s;
	struct lx_error e;
	tmpdir(d, n);
	if (lx_store_open(&s, d, LX_STORE_CREATE, &e))
		fail_msg("%s", e.msg);
	return s;
}

static char *dump(struct lx_store *s)
{
	struct lx_store_txn *t;
	struct lx_error e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(lx_store_begin(s, false, &t, &e), 0);
	assert_int_equal(lx_store_dump(t, f, &e), 0);
	lx_store_abort(t);
	fclose(f);
	return buf;
}

static void test_open_errors(void **st)
{
	(void)st;
	char d[64];
	struct lx_store *s;
	struct lx_error e;
	tmpdir(d, sizeof(d));
	assert_int_equal(lx_store_open(&s, d, LX_STORE_RDONLY, &e), LX_ENOTFOUND);
	assert_non_null(strstr(e.msg, "lendex sync"));
	/* garbage data file */
	char p[128];
	snprintf(p, sizeof(p), "%s/data.mdb", d);
	FILE *f = fopen(p, "w");
	for (int i = 0; i < 100000; i++)
		fputc(i * 7, f);
	fclose(f);
	int rc = lx_store_open(&s, d, LX_STORE_CREATE, &e);
	assert_true(rc == LX_ECORRUPT || rc == LX_ESTORE);
	assert_non_null(strstr(e.msg, d));
	/* schema mismatch */
	s = open_new(d, sizeof(d));
	struct lx_store_txn *t;
	assert_int_equal(lx_store_begin(s, true, &t, &e), 0);
	uint8_t v[4] = {0, 0, 0, 99};
	assert_int_equal(lx_store_put(t, "meta", "schema", 6, v, 4, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	lx_store_close(s);
	assert_int_equal(lx_store_open(&s, d, 0, &e), LX_ESCHEMA);
	assert_non_null(strstr(e.msg, "99"));
}

/* Writes a byte-modified copy of src/data.mdb into a new directory; returns it in d. */
static void damaged_copy(const char *src, char *d, size_t n, long truncate_to, long flip_off,
			 int flip_bit)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/data.mdb", src);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 20];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (truncate_to >= 0 && (size_t)truncate_to < len)
		len = (size_t)truncate_to;
	if (flip_off >= 0)
		buf[flip_off] ^= (uint8_t)(1u << flip_bit);
	tmpdir(d, n);
	snprintf(p, sizeof(p), "%s/data.mdb", d);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/*
 * A damaged data.mdb is refused before LMDB maps it (it would read past the file: SIGBUS):
 * truncated, not whole pages, damaged meta pages (magic, page count, table roots).
 */
static void test_corrupt_file(void **st)
{
	(void)st;
	char d[64], c[64];
	struct lx_store *s = open_new(d, sizeof(d));
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(s, true, &t, &e), 0);
	for (int i = 0; i < 2000; i++) {
		uint8_t k[4] = {(uint8_t)(i >> 8), (uint8_t)i, 1, 2}, v[100] = {(uint8_t)i};
		assert_int_equal(lx_store_put(t, "x", k, 4, v, sizeof(v), &e), 0);
	}
	assert_int_equal(lx_store_commit(t, &e), 0);
	lx_store_close(s);
	char p[128];
	snprintf(p, sizeof(p), "%s/data.mdb", d);
	FILE *f = fopen(p, "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	assert_true(size >= 16 * 4096);
	struct {
		long trunc, off;
		int bit;
		const char *why;
	} cases[] = {
		{size / 2, -1, 0, "truncated or damaged"},       /* whole pages cut off */
		{size - 100, -1, 0, "not a whole number"},       /* cut mid-page */
		{6000, -1, 0, "shorter than its two meta pages"},
		{0, -1, 0, "empty file"},
		{-1, 0x10, 3, "not an LMDB file"},               /* meta 0 magic */
		{-1, 4096 + 0x10, 0, "meta page 1 is damaged"},  /* meta 1 magic */
		{-1, 4096 + 0x0a, 3, "meta page 1 is damaged"},  /* meta 1 page flags */
		{-1, 0x14, 1, "format version"},
		{-1, 0x88 + 2, 4, "says the store has"},         /* meta 0 last page */
		{-1, 4096 + 0x88 + 1, 7, "says the store has"},  /* meta 1 last page */
		{-1, 0x80 + 1, 6, "root page"},                  /* meta 0 main table root */
		{-1, 4096 + 0x50 + 3, 0, "root page"},           /* meta 1 free-list root */
		{-1, 4096 + 0x29, 0, "page size"},               /* meta 1 page size */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		damaged_copy(d, c, sizeof(c), cases[i].trunc, cases[i].off, cases[i].bit);
		lx_error_clear(&e);
		assert_int_equal(lx_store_open(&s, c, LX_STORE_RDONLY, &e), LX_ECORRUPT);
		assert_non_null(strstr(e.msg, "store corrupt: "));
		assert_non_null(strstr(e.msg, c));
		if (!strstr(e.msg, cases[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].why);
		if (cases[i].trunc != 0) /* a zero-length file may be (re)created by a writer */
			assert_int_equal(lx_store_open(&s, c, LX_STORE_CREATE, &e), LX_ECORRUPT);
	}
	/* the undamaged store and a copy of it open */
	damaged_copy(d, c, sizeof(c), -1, -1, 0);
	assert_int_equal(lx_store_open(&s, c, LX_STORE_RDONLY, &e), 0);
	lx_store_close(s);
	/* an empty file left by a cut-short creation is started afresh by a writer */
	damaged_copy(d, c, sizeof(c), 0, -1, 0);
	assert_int_equal(lx_store_open(&s, c, LX_STORE_CREATE, &e), 0);
	lx_store_close(s);
}

static void test_kv_order(void **st)
{
	(void)st;
	char d[64];
	struct lx_store *s = open_new(d, sizeof(d));
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(s, true, &t, &e), 0);
	uint8_t keys[][3] = {{1, 0xff, 0}, {1, 0, 2}, {2, 0, 0}, {1, 0, 1}, {0, 9, 9}, {1, 0xff, 0xff}};
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(lx_store_put(t, "x", keys[i], 3, keys[i], 3, &e), 0);
	const uint8_t *k, *v;
	size_t kl, vl;
	assert_int_equal(lx_store_get(t, "x", keys[2], 3, &v, &vl, &e), 0);
	/* every non-zero return fills the record: which table, which key */
	lx_error_clear(&e);
	assert_int_equal(lx_store_get(t, "nope", keys[2], 3, &v, &vl, &e), LX_ENOTFOUND);
	assert_int_equal(e.code, LX_ENOTFOUND);
	assert_string_equal(e.msg, "store: no key 0x020000 in table 'nope'");
	lx_error_clear(&e);
	assert_int_equal(lx_store_get(t, "x", keys[4] + 1, 2, &v, &vl, &e), LX_ENOTFOUND);
	assert_string_equal(e.msg, "store: no key 0x0909 in table 'x'");
	assert_int_equal(lx_store_del(t, "x", keys[4], 3, &e), 0);
	lx_error_clear(&e);
	assert_int_equal(lx_store_del(t, "x", keys[4], 3, &e), LX_ENOTFOUND);
	assert_string_equal(e.msg, "store: no key 0x000909 in table 'x'");
	uint8_t longkey[64] = {0xab};
	lx_error_clear(&e);
	assert_int_equal(lx_store_get(t, "x", longkey, sizeof(longkey), &v, &vl, &e), LX_ENOTFOUND);
	assert_non_null(strstr(e.msg, "0xab00"));
	assert_non_null(strstr(e.msg, "...")); /* long keys are cut, and say so */
	struct lx_store_iter it;
	uint8_t pre[1] = {1};
	assert_int_equal(lx_store_iter_begin(&it, t, "x", pre, 1, &e), 0);
	int n = 0;
	uint8_t last[3] = {0};
	while (lx_store_iter_next(&it, &k, &kl, &v, &vl, &e) == 0) {
		assert_int_equal(k[0], 1);
		assert_true(memcmp(k, last, 3) > 0);
		memcpy(last, k, 3);
		n++;
	}
	lx_store_iter_end(&it);
	assert_int_equal(n, 4);
	uint8_t pre2[2] = {1, 0xff};
	assert_int_equal(lx_store_iter_begin(&it, t, "x", pre2, 2, &e), 0);
	n = 0;
	while (lx_store_iter_next(&it, &k, &kl, &v, &vl, &e) == 0)
		n++;
	lx_store_iter_end(&it);
	assert_int_equal(n, 2);
	lx_error_clear(&e);
	assert_int_equal(lx_store_iter_begin(&it, t, "absent", pre, 1, &e), 0);
	assert_int_equal(lx_store_iter_next(&it, &k, &kl, &v, &vl, &e), LX_ENOTFOUND);
	assert_string_equal(e.msg, "store: no more keys with prefix 0x01 in table 'absent'");
	lx_store_iter_end(&it);
	assert_int_equal(lx_store_commit(t, &e), 0);
	lx_store_close(s);
}

struct fill {
	int n;
};

static int fill_fn(struct lx_store_txn *t, void *ctx, struct lx_error *e)
{
	struct fill *f = ctx;
	uint8_t val[1000];
	memset(val, 7, sizeof(val));
	for (int i = 0; i < f->n; i++) {
		uint8_t k[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		int rc = lx_store_put(t, "big", k, 4, val, sizeof(val), e);
		if (rc)
			return rc;
	}
	return 0;
}

static void test_map_growth(void **st)
{
	(void)st;
	char d[64];
	setenv("LENDEX_MAPSIZE", "1048576", 1);
	struct lx_store *s = open_new(d, sizeof(d));
	unsetenv("LENDEX_MAPSIZE");
	struct fill f = {20000}; /* ~20 MB into a 1 MB map */
	struct lx_error e;
	assert_int_equal(lx_store_write(s, fill_fn, &f, &e), 0);
	struct lx_store_txn *t;
	assert_int_equal(lx_store_begin(s, false, &t, &e), 0);
	const uint8_t *v;
	size_t vl;
	uint8_t k[4] = {0, 0, 0x4e, 0x1f}; /* 19999 */
	assert_int_equal(lx_store_get(t, "big", k, 4, &v, &vl, &e), 0);
	assert_int_equal(vl, 1000);
	lx_store_abort(t);
	assert_true(lx_store_size(s) > 10u << 20);
	lx_store_close(s);
}

static void test_cursor_atomic(void **st)
{
	(void)st;
	char d[64];
	struct lx_store *s = open_new(d, sizeof(d));
	struct lx_store_txn *t;
	struct lx_error e;
	struct lx_sync_cursor c = {10, {1}, 100}, got;
	assert_int_equal(lx_store_begin(s, true, &t, &e), 0);
	assert_int_equal(lx_store_cursor_get(t, 7, &got, &e), LX_ENOTFOUND);
	assert_int_equal(lx_store_cursor_set(t, 7, &c, &e), 0);
	assert_int_equal(lx_store_put(t, "state", "a", 1, "10", 2, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	/* an aborted batch leaves both untouched */
	assert_int_equal(lx_store_begin(s, true, &t, &e), 0);
	c.block = 11;
	lx_store_cursor_set(t, 7, &c, &e);
	lx_store_put(t, "state", "a", 1, "11", 2, &e);
	lx_store_abort(t);
	assert_int_equal(lx_store_begin(s, false, &t, &e), 0);
	assert_int_equal(lx_store_cursor_get(t, 7, &got, &e), 0);
	assert_int_equal(got.block, 10);
	assert_int_equal(got.timestamp, 100);
	lx_store_abort(t);
	lx_store_close(s);
	/* a writer killed mid-stream: cursor and state always agree */
	pid_t pid = fork();
	if (pid == 0) {
		struct lx_store *w;
		if (lx_store_open(&w, d, 0, &e))
			_exit(3);
		for (uint64_t b = 12;; b++) {
			struct lx_store_txn *x;
			char val[32];
			int n = snprintf(val, sizeof(val), "%llu", (unsigned long long)b);
			struct lx_sync_cursor cc = {b, {0}, b * 10};
			lx_store_begin(w, true, &x, &e);
			for (int i = 0; i < 50; i++) {
				uint8_t k[2] = {(uint8_t)i, 0};
				lx_store_put(x, "filler", k, 2, val, (size_t)n, &e);
			}
			lx_store_put(x, "state", "a", 1, val, (size_t)n, &e);
			lx_store_cursor_set(x, 7, &cc, &e);
			lx_store_commit(x, &e);
		}
	}
	usleep(300000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(lx_store_open(&s, d, LX_STORE_RDONLY, &e), 0);
	assert_int_equal(lx_store_begin(s, false, &t, &e), 0);
	assert_int_equal(lx_store_cursor_get(t, 7, &got, &e), 0);
	const uint8_t *v;
	size_t vl;
	assert_int_equal(lx_store_get(t, "state", "a", 1, &v, &vl, &e), 0);
	char want[32];
	snprintf(want, sizeof(want), "%llu", (unsigned long long)got.block);
	assert_int_equal(vl, strlen(want));
	assert_memory_equal(v, want, vl);
	assert_true(got.block > 12);
	lx_store_abort(t);
	lx_store_close(s);
}

static void apply_block(struct lx_store *s, uint64_t b, bool undo)
{
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(s, true, &t, &e), 0);
	if (undo)
		lx_store_txn_set_block(t, 1, b);
	char v[16];
	int n = snprintf(v, sizeof(v), "b%llu", (unsigned long long)b);
	uint8_t k1[1] = {(uint8_t)b}, k2[1] = {0};
	assert_int_equal(lx_store_put(t, "s", k1, 1, v, (size_t)n, &e), 0); /* new key */
	assert_int_equal(lx_store_put(t, "s", k2, 1, v, (size_t)n, &e), 0); /* overwrite */
	assert_int_equal(lx_store_put(t, "s", k2, 1, v, (size_t)n - 1, &e), 0); /* twice */
	if (b >= 2) {
		uint8_t kd[1] = {(uint8_t)(b - 1)};
		assert_int_equal(lx_store_del(t, "s", kd, 1, &e), 0); /* delete */
	}
	/* marking the same block again (as sync does before moving the cursor) must keep the
	 * records written so far */
	if (undo)
		lx_store_txn_set_block(t, 1, b);
	struct lx_sync_cursor c = {b, {(uint8_t)b}, b};
	assert_int_equal(lx_store_cursor_set(t, 1, &c, &e), 0);
	struct lx_block_ref br = {b, {(uint8_t)b}, {(uint8_t)(b - 1)}, b};
	assert_int_equal(lx_store_block_put(t, 1, &br, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
}

static void test_undo(void **st)
{
	(void)st;
	char d1[64], d2[64];
	struct lx_store *a = open_new(d1, sizeof(d1)), *b = open_new(d2, sizeof(d2));
	for (uint64_t i = 1; i <= 5; i++)
		apply_block(a, i, true);
	for (uint64_t i = 1; i <= 2; i++)
		apply_block(b, i, true);
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(a, true, &t, &e), 0);
	assert_int_equal(lx_store_unwind(t, 1, 2, &e), 0);
	assert_int_equal(lx_store_unwind(t, 1, 2, &e), 0); /* nothing left: no-op */
	struct lx_block_ref br;
	assert_int_equal(lx_store_block_get(t, 1, 3, &br, &e), LX_ENOTFOUND);
	assert_int_equal(lx_store_block_get(t, 1, 2, &br, &e), 0);
	uint64_t oldest;
	assert_int_equal(lx_store_undo_oldest(t, 1, &oldest, &e), 0);
	assert_int_equal(oldest, 1);
	assert_int_equal(lx_store_prune(t, 1, 2, &e), 0);
	assert_int_equal(lx_store_undo_oldest(t, 1, &oldest, &e), 0);
	assert_int_equal(oldest, 2);
	assert_int_equal(lx_store_commit(t, &e), 0);
	assert_int_equal(lx_store_begin(b, true, &t, &e), 0);
	assert_int_equal(lx_store_prune(t, 1, 2, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	char *da = dump(a), *db = dump(b);
	assert_string_equal(da, db);
	assert_non_null(strstr(da, "cursor\t"));
	free(da);
	free(db);
	/* execute then unwind leaves the dump identical */
	char *before = dump(b);
	apply_block(b, 3, true);
	assert_int_equal(lx_store_begin(b, true, &t, &e), 0);
	assert_int_equal(lx_store_unwind(t, 1, 2, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	char *after = dump(b);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* a later transaction writing to a block already journaled (sync's catch-up applies the
	 * logs of contracts found late in blocks a range applied) continues the block's records:
	 * the unwind reverts both transactions' changes */
	before = dump(b);
	apply_block(b, 3, true);
	assert_int_equal(lx_store_begin(b, true, &t, &e), 0);
	lx_store_txn_set_block(t, 1, 3);
	uint8_t kl[2] = {'L', 3};
	assert_int_equal(lx_store_put(t, "late", kl, 2, "x", 1, &e), 0);
	uint8_t k0[1] = {0};
	assert_int_equal(lx_store_put(t, "s", k0, 1, "late", 4, &e), 0);
	lx_store_txn_set_block(t, 1, 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	assert_int_equal(lx_store_begin(b, true, &t, &e), 0);
	assert_int_equal(lx_store_unwind(t, 1, 2, &e), 0);
	assert_int_equal(lx_store_commit(t, &e), 0);
	after = dump(b);
	assert_string_equal(before, after);
	free(before);
	free(after);
	lx_store_close(a);
	lx_store_close(b);
}

/* readers on several threads at once: the tables are opened with the store, never by them */
struct reader {
	struct lx_store *s;
	int failures;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;
	for (int i = 0; i < 200; i++) {
		struct lx_store_txn *t;
		struct lx_error e;
		if (lx_store_begin(r->s, false, &t, &e)) {
			r->failures++;
			continue;
		}
		uint8_t k = (uint8_t)(i % 50);
		const uint8_t *v;
		size_t vl;
		const char *name = i % 2 ? "tab-a" : "tab-b";
		if (lx_store_get(t, name, &k, 1, &v, &vl, &e) || vl != 1 || v[0] != k)
			r->failures++;
		lx_store_abort(t);
	}
	return NULL;
}

static void test_tables_threads(void **st)
{
	(void)st;
	char d[64];
	struct lx_store *s = open_new(d, sizeof(d));
	struct lx_store_txn *t;
	struct lx_error e;
	assert_int_equal(lx_store_begin(s, true, &t, &e), 0);
	for (uint8_t k = 0; k < 50; k++) {
		assert_int_equal(lx_store_put(t, "tab-a", &k, 1, &k, 1, &e), 0);
		assert_int_equal(lx_store_put(t, "tab-b", &k, 1, &k, 1, &e), 0);
	}
	assert_int_equal(lx_store_commit(t, &e), 0);
	lx_store_close(s);
	assert_int_equal(lx_store_open(&s, d, 0, &e), 0);
	struct reader r[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		r[i] = (struct reader){s, 0};
		assert_int_equal(pthread_create(&th[i], NULL, read_loop, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].failures, 0);
	}
	/* a reader whose snapshot predates a table sees it absent, not an error (it used to get
	 * the handle the writer published, which LMDB refuses in an older snapshot) */
	struct lx_store_txn *old, *w;
	assert_int_equal(lx_store_begin(s, false, &old, &e), 0);
	assert_int_equal(lx_store_begin(s, true, &w, &e), 0);
	uint8_t k = 7;
	assert_int_equal(lx_store_put(w, "tab-new", &k, 1, &k, 1, &e), 0);
	assert_int_equal(lx_store_commit(w, &e), 0);
	const uint8_t *v;
	size_t vl;
	lx_error_clear(&e);
	assert_int_equal(lx_store_get(old, "tab-new", &k, 1, &v, &vl, &e), LX_ENOTFOUND);
	assert_string_equal(e.msg, "store: no key 0x07 in table 'tab-new'");
	lx_store_abort(old);
	/* one that begins after the commit reads it */
	assert_int_equal(lx_store_begin(s, false, &old, &e), 0);
	assert_int_equal(lx_store_get(old, "tab-new", &k, 1, &v, &vl, &e), 0);
	assert_int_equal(v[0], 7);
	lx_store_abort(old);
	lx_store_close(s);
	/* and after a reopen, read-only, every table is there */
	assert_int_equal(lx_store_open(&s, d, LX_STORE_RDONLY, &e), 0);
	assert_int_equal(lx_store_begin(s, false, &old, &e), 0);
	assert_int_equal(lx_store_get(old, "tab-new", &k, 1, &v, &vl, &e), 0);
	assert_int_equal(lx_store_get(old, "tab-a", &k, 1, &v, &vl, &e), 0);
	lx_store_abort(old);
	lx_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors), cmocka_unit_test(test_corrupt_file),
		cmocka_unit_test(test_kv_order),
		cmocka_unit_test(test_map_growth),  cmocka_unit_test(test_cursor_atomic),
		cmocka_unit_test(test_undo),        cmocka_unit_test(test_tables_threads),
	};
	return cmocka_run_group_tests(tests, NULL, remove_made);
}
