/*
 * store.c: the LMDB store (see store.h). The only file that includes lmdb.h.
 *
 * Tables are LMDB named databases, cached by name. LMDB lets one transaction at a time in a
 * process open handles, so every table on disk is opened once when the environment opens, and
 * after that only a write transaction (one at a time: LMDB's writer lock) opens the tables it
 * creates; read transactions, on any thread, only look handles up. A handle opened inside a
 * write transaction that later aborts is invalid in LMDB, so a transaction keeps the handles
 * it created aside and publishes them to the cache on commit, under the cache's lock held
 * across the commit: a reader that began after the commit finds them. A reader whose snapshot
 * predates a table's creation sees the table as absent, as it is in its snapshot.
 */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "lendex/store.h"
#include "lendex/testhook.h"

#define MAX_TABLES 128
#define T_META "meta"
#define T_CURSOR "cursor"
#define T_BLOCK "_blocks"
#define T_UNDO "_undo"

struct table {
	char name[40];
	MDB_dbi dbi;
};

struct lx_store {
	MDB_env *env;
	char dir[1024];
	size_t mapsize;
	pthread_mutex_t lock;          /* guards n_tables and tables[] */
	size_t n_tables;
	struct table tables[MAX_TABLES];
};

struct lx_store_txn {
	struct lx_store *s;
	MDB_txn *txn;
	bool write;
	size_t n_new;
	struct table fresh[MAX_TABLES]; /* created in this txn, published on commit */
	uint64_t undo_chain, undo_block;
	uint64_t seq_chain, seq_block; /* block the sequence counter belongs to */
	uint32_t undo_seq;
	bool seq_loaded;               /* undo_seq continues the block's stored records */
};

static int mdb_err(struct lx_error *err, int rc, const char *what, const char *dir)
{
	int code = LX_ESTORE;
	if (rc == MDB_MAP_FULL)
		code = LX_EMAPFULL;
	else if (rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH ||
		 rc == MDB_PAGE_NOTFOUND)
		code = LX_ECORRUPT;
	else if (rc == MDB_NOTFOUND)
		code = LX_ENOTFOUND;
	return lx_error_setd(err, code, rc, "store%s: %s%s%s: %s",
			     code == LX_ECORRUPT ? " corrupt" : "", what, dir ? " " : "",
			     dir ? dir : "", mdb_strerror(rc));
}

/*
 * A key or table that is absent: callers often expect it (a new account), but the rule is that
 * every non-zero return fills the error record, so a caller that passes the miss up still
 * prints which table and key were missing.
 */
static int not_found(struct lx_error *err, const char *what, const char *table, const void *key,
		     size_t klen)
{
	if (!err)
		return LX_ENOTFOUND;
	static const char d[] = "0123456789abcdef";
	char hex[2 * 40 + 4];
	size_t n = klen > 40 ? 40 : klen, o = 0;
	for (size_t i = 0; i < n; i++) {
		hex[o++] = d[((const uint8_t *)key)[i] >> 4];
		hex[o++] = d[((const uint8_t *)key)[i] & 15];
	}
	if (n < klen)
		hex[o++] = '.', hex[o++] = '.', hex[o++] = '.';
	hex[o] = 0;
	return lx_error_set(err, LX_ENOTFOUND, "store: %s %s%s in table '%s'", what, o ? "0x" : "",
			    o ? hex : "(empty)", table);
}

/*
 * A write that failed for lack of room. LMDB reports a short write as EIO ("Input/output
 * error"), which is what a full disk or a file size limit usually produce, so the file system
 * and the limit are looked at to say which; 0 when neither explains rc (the caller reports rc).
 * This is not MDB_MAP_FULL: the map is LMDB's address space and grows (lx_store_write).
 */
static int space_err(struct lx_error *err, int rc, const char *dir)
{
	if (rc != EIO && rc != ENOSPC && rc != EFBIG && rc != EDQUOT)
		return 0;
	char data[1100];
	snprintf(data, sizeof(data), "%s/data.mdb", dir);
	struct stat st;
	unsigned long long size = stat(data, &st) == 0 ? (unsigned long long)st.st_size : 0;
	struct rlimit rl;
	bool limited = getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
	if (!limited)
		rl.rlim_cur = 0;
	if (rc == EFBIG || (limited && size + 65536 >= (unsigned long long)rl.rlim_cur))
		return lx_error_setd(err, LX_EIO, EFBIG,
				     "store: cannot write %s: the file size limit of this process "
				     "(ulimit -f: %llu bytes) is reached at %llu bytes",
				     data, (unsigned long long)rl.rlim_cur, size);
	struct statvfs fs;
	unsigned long long avail = 0;
	bool measured = statvfs(dir, &fs) == 0;
	if (measured)
		avail = (unsigned long long)fs.f_bavail * fs.f_frsize;
	if (rc == ENOSPC || rc == EDQUOT || (measured && avail < (1ull << 20)))
		return lx_error_setd(err, LX_EIO, rc == EIO ? ENOSPC : rc,
				     "store: cannot write %s: the disk is full%s (%llu KiB free on "
				     "its file system; the store is %llu KiB and unchanged since its "
				     "last commit)",
				     data, rc == EDQUOT ? " (quota exceeded)" : "", avail / 1024,
				     size / 1024);
	return 0;
}

/* The handle of a table this transaction created or the store has published; false if none. */
static bool find_cached(struct lx_store_txn *t, const char *name, MDB_dbi *dbi)
{
	for (size_t i = 0; i < t->n_new; i++)
		if (!strcmp(t->fresh[i].name, name)) {
			*dbi = t->fresh[i].dbi;
			return true;
		}
	bool found = false;
	pthread_mutex_lock(&t->s->lock);
	for (size_t i = 0; i < t->s->n_tables && !found; i++)
		if (!strcmp(t->s->tables[i].name, name)) {
			*dbi = t->s->tables[i].dbi;
			found = true;
		}
	pthread_mutex_unlock(&t->s->lock);
	return found;
}

/*
 * Resolves a table; *ok false (and 0 returned) when absent and !create, or absent from a read
 * transaction's snapshot. Only write transactions (and the store's opening) call
 * mdb_dbi_open.
 */
static int table(struct lx_store_txn *t, const char *name, bool create, MDB_dbi *dbi,
		 bool *ok, struct lx_error *err)
{
	*ok = false;
	if (find_cached(t, name, dbi)) {
		unsigned fl;
		/* published after this reader's snapshot began: not in its snapshot */
		if (!t->write && mdb_dbi_flags(t->txn, *dbi, &fl) != 0)
			return 0;
		*ok = true;
		return 0;
	}
	if (!t->write)
		return 0; /* every table on disk was opened with the store (open_tables) */
	if (strlen(name) >= sizeof(((struct table *)0)->name))
		return lx_error_set(err, LX_EINVAL, "store: table name '%s' too long", name);
	unsigned fl = create && t->write ? MDB_CREATE : 0;
	int rc = mdb_dbi_open(t->txn, name, fl, dbi);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return mdb_err(err, rc, "cannot open table", name);
	pthread_mutex_lock(&t->s->lock);
	bool full = t->n_new >= MAX_TABLES || t->s->n_tables + t->n_new >= MAX_TABLES;
	pthread_mutex_unlock(&t->s->lock);
	if (full)
		return lx_error_set(err, LX_EOVERFLOW, "store: too many tables");
	struct table *n = &t->fresh[t->n_new++];
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->dbi = *dbi;
	*ok = true;
	return 0;
}

int lx_store_begin(struct lx_store *s, bool write, struct lx_store_txn **out,
		   struct lx_error *err)
{
	*out = NULL;
	struct lx_store_txn *t = calloc(1, sizeof(*t));
	if (!t)
		return lx_error_set(err, LX_ENOMEM, "store: out of memory");
	t->s = s;
	t->write = write;
	int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc) {
		free(t);
		return mdb_err(err, rc, "cannot begin transaction in", s->dir);
	}
	*out = t;
	return 0;
}

int lx_store_commit(struct lx_store_txn *t, struct lx_error *err)
{
	struct lx_store *s = t->s;
	bool write = t->write;
	/* held across the commit when it publishes: a reader that begins after the commit and
	 * looks a new table up waits for it */
	if (t->n_new)
		pthread_mutex_lock(&s->lock);
	int rc = mdb_txn_commit(t->txn);
	if (rc == 0) {
		for (size_t i = 0; i < t->n_new && s->n_tables < MAX_TABLES; i++)
			s->tables[s->n_tables++] = t->fresh[i];
	}
	if (t->n_new)
		pthread_mutex_unlock(&s->lock);
	free(t);
	if (rc && space_err(err, rc, s->dir))
		return LX_EIO;
	if (rc)
		return mdb_err(err, rc, "cannot commit to", s->dir);
	if (write)
		lx_crashpoint("commit");
	return 0;
}

void lx_store_abort(struct lx_store_txn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	free(t);
}

/*
 * Checks data.mdb before LMDB maps it: LMDB trusts its file, and a truncated file or a damaged
 * page number makes it read past the end of the map (SIGBUS) instead of returning an error.
 * Checked: both meta pages (LMDB's on-disk format 1: page flags, magic, version, page size),
 * their last page and table roots inside the file, and a whole number of pages. Layout of a
 * meta page (64-bit): page header 16 bytes, then magic u32, version u32, address, map size,
 * two table records of 48 bytes (the free list's first u32 is the page size; root at +40),
 * last page, transaction id.
 */
#define META_MAGIC 0xBEEFC0DEu
#define P_META 0x08u

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int corrupt_file(struct lx_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int corrupt_file(struct lx_error *err, const char *path, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return lx_error_set(err, LX_ECORRUPT, "store corrupt: %s: %s", path, why);
}

static int check_file(const char *path, uint64_t size, bool create, struct lx_error *err)
{
	if (size == 0) {
		if (create)
			return 0; /* a store whose creation was cut short: LMDB starts it afresh */
		return corrupt_file(err, path, "empty file");
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return lx_error_setd(err, LX_EIO, errno, "store: cannot read %s: %s", path,
				     strerror(errno));
	uint8_t m[2][160];
	size_t got = fread(m[0], 1, sizeof(m[0]), f);
	uint32_t psize = got == sizeof(m[0]) ? (uint32_t)le(m[0] + 40, 4) : 0;
	bool pow2 = psize >= 512 && psize <= 65536 && !(psize & (psize - 1));
	if (got == sizeof(m[0]) && pow2 && size >= 2ull * psize &&
	    fseek(f, (long)psize, SEEK_SET) == 0)
		got = fread(m[1], 1, sizeof(m[1]), f);
	else
		got = 0;
	fclose(f);
	if (le(m[0] + 16, 4) != META_MAGIC || size < 160)
		return corrupt_file(err, path, "not an LMDB file (no meta page at offset 0)");
	if (!pow2)
		return corrupt_file(err, path, "meta page 0 gives page size %u", psize);
	if (size < 2ull * psize || got != sizeof(m[1]))
		return corrupt_file(err, path, "%llu bytes: shorter than its two meta pages "
					       "(truncated)", (unsigned long long)size);
	if (size % psize)
		return corrupt_file(err, path, "%llu bytes is not a whole number of %u-byte pages "
					       "(truncated)", (unsigned long long)size, psize);
	uint64_t pages = size / psize;
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = m[i];
		uint64_t last = le(p + 136, 8);
		if (!(le(p + 10, 2) & P_META) || le(p + 16, 4) != META_MAGIC)
			return corrupt_file(err, path, "meta page %d is damaged (bad flags or magic)",
					    i);
		if (le(p + 20, 4) != 1)
			return corrupt_file(err, path, "meta page %d has format version %u, not 1", i,
					    (unsigned)le(p + 20, 4));
		if (le(p + 40, 4) != psize)
			return corrupt_file(err, path, "meta pages disagree on the page size (%u, %u)",
					    psize, (unsigned)le(p + 40, 4));
		if (last < 1 || last >= pages)
			return corrupt_file(err, path,
					    "meta page %d says the store has %llu pages, the file "
					    "holds %llu (truncated or damaged)",
					    i, (unsigned long long)last + 1, (unsigned long long)pages);
		for (int d = 0; d < 2; d++) {
			uint64_t root = le(p + 40 + 48 * d + 40, 8);
			if (root != UINT64_MAX && (root < 2 || root > last))
				return corrupt_file(err, path,
						    "meta page %d: root page %llu of %s outside "
						    "pages 2..%llu (damaged)",
						    i, (unsigned long long)root,
						    d ? "the main table" : "the free list",
						    (unsigned long long)last);
		}
	}
	return 0;
}

static int check_schema(struct lx_store *s, bool write, struct lx_error *err)
{
	struct lx_store_txn *t;
	int rc = lx_store_begin(s, write, &t, err);
	if (rc)
		return rc;
	const uint8_t *v;
	size_t vl;
	rc = lx_store_get(t, T_META, "schema", 6, &v, &vl, err);
	if (rc == LX_ENOTFOUND && write) {
		uint8_t ver[4] = {0, 0, 0, LX_STORE_SCHEMA};
		rc = lx_store_put(t, T_META, "schema", 6, ver, 4, err);
		if (rc == 0)
			return lx_store_commit(t, err);
	} else if (rc == LX_ENOTFOUND) {
		rc = lx_error_set(err, LX_ECORRUPT, "store: %s is not a lendex store (no schema)",
				  s->dir);
	} else if (rc == 0) {
		uint32_t have = vl == 4 ? (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
						  (uint32_t)v[2] << 8 | v[3]
					: 0;
		if (vl != 4)
			rc = lx_error_set(err, LX_ECORRUPT, "store: %s: bad schema record", s->dir);
		else if (have != LX_STORE_SCHEMA)
			rc = lx_error_set(err, LX_ESCHEMA,
					  "store: %s has schema version %u, this lendex reads %u "
					  "(resync into a new --datadir)",
					  s->dir, have, LX_STORE_SCHEMA);
		else
			return lx_store_commit(t, err);
	}
	lx_store_abort(t);
	return rc;
}

/*
 * Opens every table on disk once (the unnamed database lists them, in name order), in one
 * transaction before any other: read transactions, on any thread, then only look handles up.
 */
static int open_tables(struct lx_store *s, struct lx_error *err)
{
	struct lx_store_txn *t;
	int rc = lx_store_begin(s, false, &t, err);
	if (rc)
		return rc;
	MDB_dbi main;
	MDB_cursor *c = NULL;
	int mrc = mdb_dbi_open(t->txn, NULL, 0, &main);
	if (!mrc)
		mrc = mdb_cursor_open(t->txn, main, &c);
	if (mrc) {
		lx_store_abort(t);
		return mdb_err(err, mrc, "cannot read the table list of", s->dir);
	}
	MDB_val k, v;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && !rc;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct table *n = &t->fresh[t->n_new];
		if (k.mv_size == 0 || k.mv_size >= sizeof(n->name) ||
		    memchr(k.mv_data, 0, k.mv_size))
			continue; /* not a name lendex gives a table */
		if (t->n_new >= MAX_TABLES) {
			rc = lx_error_set(err, LX_EOVERFLOW, "store: %s has more than %d tables",
					  s->dir, MAX_TABLES);
			break;
		}
		memcpy(n->name, k.mv_data, k.mv_size);
		n->name[k.mv_size] = 0;
		int r = mdb_dbi_open(t->txn, n->name, 0, &n->dbi);
		if (r == MDB_INCOMPATIBLE)
			continue; /* a plain key of the unnamed database, not a table */
		if (r)
			rc = mdb_err(err, r, "cannot open table", n->name);
		else
			t->n_new++;
	}
	mdb_cursor_close(c);
	if (!rc && mrc != MDB_NOTFOUND)
		rc = mdb_err(err, mrc, "cannot read the table list of", s->dir);
	if (rc) {
		lx_store_abort(t);
		return rc;
	}
	return lx_store_commit(t, err);
}

int lx_store_open(struct lx_store **out, const char *dir, unsigned flags, struct lx_error *err)
{
	*out = NULL;
	struct stat st;
	char data[1100];
	bool rdonly = flags & LX_STORE_RDONLY;
	snprintf(data, sizeof(data), "%s/data.mdb", dir);
	if (stat(data, &st) != 0) {
		if (rdonly || !(flags & LX_STORE_CREATE))
			return lx_error_set(err, LX_ENOTFOUND,
					    "store: no store in '%s' (run 'lendex sync' first)", dir);
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return lx_error_setd(err, LX_EIO, errno, "store: cannot create '%s': %s", dir,
					     strerror(errno));
	}
	struct lx_store *s = calloc(1, sizeof(*s));
	if (!s)
		return lx_error_set(err, LX_ENOMEM, "store: out of memory");
	if (pthread_mutex_init(&s->lock, NULL)) {
		free(s);
		return lx_error_set(err, LX_ENOMEM, "store: cannot create a lock");
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->mapsize = (size_t)1 << 26;
	const char *ms = getenv("LENDEX_MAPSIZE");
	if (ms && *ms) {
		unsigned long long v = strtoull(ms, NULL, 10);
		if (v >= 65536)
			s->mapsize = (size_t)v;
	}
	/* never shrink below what is on disk */
	if (stat(data, &st) == 0 && (size_t)st.st_size > s->mapsize)
		s->mapsize = (size_t)st.st_size;
	if (stat(data, &st) == 0) {
		int r = check_file(data, (uint64_t)st.st_size, !rdonly && (flags & LX_STORE_CREATE),
				   err);
		if (r) {
			pthread_mutex_destroy(&s->lock);
			free(s);
			return r;
		}
	}
	int rc = mdb_env_create(&s->env);
	if (!rc)
		rc = mdb_env_set_maxdbs(s->env, MAX_TABLES);
	if (!rc)
		rc = mdb_env_set_mapsize(s->env, s->mapsize);
	unsigned fl = MDB_NOTLS | (rdonly ? MDB_RDONLY : 0) |
		      ((flags & LX_STORE_NOSYNC) ? MDB_NOSYNC : 0);
	if (!rc)
		rc = mdb_env_open(s->env, dir, fl, 0644);
	if (rc) {
		int r = space_err(err, rc, dir) ? LX_EIO : mdb_err(err, rc, "cannot open", dir);
		if (r == LX_ESTORE && (rc == EINVAL || rc == ENOTDIR))
			r = lx_error_setd(err, LX_ECORRUPT, rc, "store: %s: not a lendex store (%s)",
					  dir, mdb_strerror(rc));
		if (s->env)
			mdb_env_close(s->env);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return r;
	}
	rc = open_tables(s, err);
	if (!rc)
		rc = check_schema(s, !rdonly, err);
	if (rc) {
		mdb_env_close(s->env);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void lx_store_close(struct lx_store *s)
{
	if (!s)
		return;
	mdb_env_close(s->env);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint64_t lx_store_size(struct lx_store *s)
{
	MDB_envinfo info;
	MDB_stat st;
	if (mdb_env_info(s->env, &info) || mdb_env_stat(s->env, &st))
		return 0;
	return (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
}

int lx_store_write(struct lx_store *s,
		   int (*fn)(struct lx_store_txn *t, void *ctx, struct lx_error *err), void *ctx,
		   struct lx_error *err)
{
	for (int attempt = 0; attempt < 24; attempt++) {
		struct lx_store_txn *t;
		int rc = lx_store_begin(s, true, &t, err);
		if (rc)
			return rc;
		rc = fn(t, ctx, err);
		if (rc == 0)
			rc = lx_store_commit(t, err);
		else
			lx_store_abort(t);
		if (rc != LX_EMAPFULL)
			return rc;
		/* grow: no transaction may be active */
		size_t next = s->mapsize * 2;
		int mrc = mdb_env_set_mapsize(s->env, next);
		if (mrc)
			return mdb_err(err, mrc, "cannot grow the map of", s->dir);
		s->mapsize = next;
		lx_error_clear(err);
	}
	return lx_error_set(err, LX_EMAPFULL, "store: map of %s cannot grow further", s->dir);
}

int lx_store_get(struct lx_store_txn *t, const char *name, const void *key, size_t klen,
		 const uint8_t **val, size_t *vlen, struct lx_error *err)
{
	MDB_dbi dbi;
	bool ok;
	*val = NULL;
	*vlen = 0;
	int rc = table(t, name, false, &dbi, &ok, err);
	if (rc)
		return rc;
	if (!ok)
		return not_found(err, "no key", name, key, klen);
	MDB_val k = {klen, (void *)key}, v;
	rc = mdb_get(t->txn, dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		return not_found(err, "no key", name, key, klen);
	if (rc)
		return mdb_err(err, rc, "read from table", name);
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

/*
 * The first undo record a transaction writes for a block continues the records earlier
 * transactions wrote for it (sync's catch-up applies logs of blocks a range already applied):
 * its sequence starts after the block's last stored record, never over it. pre: chain (8) ·
 * block (8).
 */
static int load_seq(struct lx_store_txn *t, MDB_dbi udbi, const uint8_t *pre, struct lx_error *err)
{
	MDB_cursor *c;
	int m = mdb_cursor_open(t->txn, udbi, &c);
	if (m)
		return mdb_err(err, m, "open a cursor on", T_UNDO);
	uint8_t next[16];
	memcpy(next, pre, 16);
	for (int i = 15; i >= 8 && ++next[i] == 0; i--) /* chain · block + 1 */
		;
	MDB_val k = {sizeof(next), next}, v;
	m = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	m = m == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
	t->undo_seq = 0;
	if (m == 0 && k.mv_size == 20 && !memcmp(k.mv_data, pre, 16)) {
		const uint8_t *q = (const uint8_t *)k.mv_data + 16;
		t->undo_seq = ((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 |
			       q[3]) + 1;
	} else if (m && m != MDB_NOTFOUND) {
		mdb_cursor_close(c);
		return mdb_err(err, m, "read from", T_UNDO);
	}
	mdb_cursor_close(c);
	t->seq_loaded = true;
	return 0;
}

/* undo record: name_len(1) name klen(2) key present(1) value */
static int record_undo(struct lx_store_txn *t, const char *name, MDB_dbi dbi, const void *key,
		       size_t klen, struct lx_error *err)
{
	if (!t->undo_block || !strcmp(name, T_UNDO) || !strcmp(name, T_BLOCK))
		return 0;
	MDB_val k = {klen, (void *)key}, old;
	int rc = mdb_get(t->txn, dbi, &k, &old);
	if (rc && rc != MDB_NOTFOUND)
		return mdb_err(err, rc, "read for undo from", name);
	size_t nl = strlen(name);
	size_t len = 1 + nl + 2 + klen + 1 + (rc ? 0 : old.mv_size);
	uint8_t stackbuf[1024];
	uint8_t *b = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	if (!b)
		return lx_error_set(err, LX_ENOMEM, "store: out of memory");
	size_t o = 0;
	b[o++] = (uint8_t)nl;
	memcpy(b + o, name, nl);
	o += nl;
	b[o++] = (uint8_t)(klen >> 8);
	b[o++] = (uint8_t)klen;
	memcpy(b + o, key, klen);
	o += klen;
	b[o++] = rc ? 0 : 1;
	if (!rc) {
		memcpy(b + o, old.mv_data, old.mv_size);
		o += old.mv_size;
	}
	uint8_t uk[20];
	for (int i = 0; i < 8; i++) {
		uk[i] = (uint8_t)(t->undo_chain >> (56 - 8 * i));
		uk[8 + i] = (uint8_t)(t->undo_block >> (56 - 8 * i));
	}
	MDB_dbi udbi;
	bool ok;
	rc = table(t, T_UNDO, true, &udbi, &ok, err);
	if (!rc && !t->seq_loaded)
		rc = load_seq(t, udbi, uk, err);
	uint32_t seq = t->undo_seq++;
	uk[16] = (uint8_t)(seq >> 24);
	uk[17] = (uint8_t)(seq >> 16);
	uk[18] = (uint8_t)(seq >> 8);
	uk[19] = (uint8_t)seq;
	if (!rc) {
		MDB_val ukv = {sizeof(uk), uk}, uv = {o, b};
		int m = mdb_put(t->txn, udbi, &ukv, &uv, 0);
		if (m)
			rc = space_err(err, m, t->s->dir)
				     ? LX_EIO
				     : mdb_err(err, m, "write undo record in", t->s->dir);
	}
	if (b != stackbuf)
		free(b);
	return rc;
}

int lx_store_put(struct lx_store_txn *t, const char *name, const void *key, size_t klen,
		 const void *val, size_t vlen, struct lx_error *err)
{
	MDB_dbi dbi;
	bool ok;
	if (!t->write)
		return lx_error_set(err, LX_EINVAL, "store: put in a read transaction");
	if (klen == 0 || klen > 511)
		return lx_error_set(err, LX_EINVAL, "store: bad key length %zu", klen);
	int rc = table(t, name, true, &dbi, &ok, err);
	if (rc)
		return rc;
	if ((rc = record_undo(t, name, dbi, key, klen, err)))
		return rc;
	MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
	rc = mdb_put(t->txn, dbi, &k, &v, 0);
	if (rc && space_err(err, rc, t->s->dir))
		return LX_EIO;
	return rc ? mdb_err(err, rc, "write to table", name) : 0;
}

int lx_store_del(struct lx_store_txn *t, const char *name, const void *key, size_t klen,
		 struct lx_error *err)
{
	MDB_dbi dbi;
	bool ok;
	if (!t->write)
		return lx_error_set(err, LX_EINVAL, "store: delete in a read transaction");
	int rc = table(t, name, false, &dbi, &ok, err);
	if (rc)
		return rc;
	if (!ok)
		return not_found(err, "no key", name, key, klen);
	MDB_val k = {klen, (void *)key}, v;
	rc = mdb_get(t->txn, dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		return not_found(err, "no key", name, key, klen);
	if ((rc = record_undo(t, name, dbi, key, klen, err)))
		return rc;
	rc = mdb_del(t->txn, dbi, &k, NULL);
	return rc ? mdb_err(err, rc, "delete from table", name) : 0;
}

int lx_store_iter_begin(struct lx_store_iter *it, struct lx_store_txn *t, const char *name,
			const void *prefix, size_t plen, struct lx_error *err)
{
	memset(it, 0, sizeof(*it));
	if (plen > sizeof(it->prefix))
		return lx_error_set(err, LX_EINVAL, "store: prefix too long");
	memcpy(it->prefix, prefix, plen);
	it->plen = plen;
	snprintf(it->table, sizeof(it->table), "%s", name);
	MDB_dbi dbi;
	bool ok;
	int rc = table(t, name, false, &dbi, &ok, err);
	if (rc || !ok)
		return rc;
	MDB_cursor *c;
	rc = mdb_cursor_open(t->txn, dbi, &c);
	if (rc)
		return mdb_err(err, rc, "open a cursor on", name);
	it->cur = c;
	return 0;
}

int lx_store_iter_next(struct lx_store_iter *it, const uint8_t **key, size_t *klen,
		       const uint8_t **val, size_t *vlen, struct lx_error *err)
{
	if (!it->cur)
		return not_found(err, "no more keys with prefix", it->table, it->prefix, it->plen);
	MDB_val k = {it->plen, it->prefix}, v;
	int rc;
	if (!it->started) {
		it->started = true;
		rc = it->plen ? mdb_cursor_get(it->cur, &k, &v, MDB_SET_RANGE)
			      : mdb_cursor_get(it->cur, &k, &v, MDB_FIRST);
	} else {
		rc = mdb_cursor_get(it->cur, &k, &v, MDB_NEXT);
	}
	if (rc == MDB_NOTFOUND)
		return not_found(err, "no more keys with prefix", it->table, it->prefix, it->plen);
	if (rc)
		return mdb_err(err, rc, "iterate", it->table);
	if (k.mv_size < it->plen || memcmp(k.mv_data, it->prefix, it->plen) != 0)
		return not_found(err, "no more keys with prefix", it->table, it->prefix, it->plen);
	*key = k.mv_data;
	*klen = k.mv_size;
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

void lx_store_iter_end(struct lx_store_iter *it)
{
	if (it->cur)
		mdb_cursor_close(it->cur);
	it->cur = NULL;
}

static void be64(uint8_t *o, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		o[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int lx_store_cursor_get(struct lx_store_txn *t, uint64_t chain_id, struct lx_sync_cursor *c,
			struct lx_error *err)
{
	uint8_t k[8];
	const uint8_t *v;
	size_t vl;
	memset(c, 0, sizeof(*c));
	be64(k, chain_id);
	int rc = lx_store_get(t, T_CURSOR, k, 8, &v, &vl, err);
	if (rc)
		return rc;
	if (vl != 48)
		return lx_error_set(err, LX_ECORRUPT, "store: bad cursor record for chain %llu",
				    (unsigned long long)chain_id);
	c->block = rd64(v);
	memcpy(c->hash, v + 8, 32);
	c->timestamp = rd64(v + 40);
	return 0;
}

int lx_store_cursor_set(struct lx_store_txn *t, uint64_t chain_id,
			const struct lx_sync_cursor *c, struct lx_error *err)
{
	uint8_t k[8], v[48];
	be64(k, chain_id);
	be64(v, c->block);
	memcpy(v + 8, c->hash, 32);
	be64(v + 40, c->timestamp);
	return lx_store_put(t, T_CURSOR, k, 8, v, 48, err);
}

int lx_store_block_put(struct lx_store_txn *t, uint64_t chain_id, const struct lx_block_ref *b,
		       struct lx_error *err)
{
	uint8_t k[16], v[72];
	be64(k, chain_id);
	be64(k + 8, b->number);
	memcpy(v, b->hash, 32);
	memcpy(v + 32, b->parent, 32);
	be64(v + 64, b->timestamp);
	return lx_store_put(t, T_BLOCK, k, 16, v, 72, err);
}

int lx_store_block_get(struct lx_store_txn *t, uint64_t chain_id, uint64_t number,
		       struct lx_block_ref *b, struct lx_error *err)
{
	uint8_t k[16];
	const uint8_t *v;
	size_t vl;
	memset(b, 0, sizeof(*b));
	be64(k, chain_id);
	be64(k + 8, number);
	int rc = lx_store_get(t, T_BLOCK, k, 16, &v, &vl, err);
	if (rc)
		return rc;
	if (vl != 72)
		return lx_error_set(err, LX_ECORRUPT, "store: bad block record");
	b->number = number;
	memcpy(b->hash, v, 32);
	memcpy(b->parent, v + 32, 32);
	b->timestamp = rd64(v + 64);
	return 0;
}

/* deletes keys chain|n.. with n in [lo, hi) in table, via a cursor */
static int del_range(struct lx_store_txn *t, const char *name, uint64_t chain_id, uint64_t lo,
		     uint64_t hi, struct lx_error *err)
{
	MDB_dbi dbi;
	bool ok;
	int rc = table(t, name, false, &dbi, &ok, err);
	if (rc || !ok)
		return rc;
	MDB_cursor *c;
	if ((rc = mdb_cursor_open(t->txn, dbi, &c)))
		return mdb_err(err, rc, "open a cursor on", name);
	uint8_t start[16];
	be64(start, chain_id);
	be64(start + 8, lo);
	MDB_val k = {16, start}, v;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rc == 0) {
		if (k.mv_size < 16 || rd64(k.mv_data) != chain_id ||
		    rd64((uint8_t *)k.mv_data + 8) >= hi)
			break;
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
		if (rc == EINVAL || rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return mdb_err(err, rc, "prune", name);
	return 0;
}

int lx_store_prune(struct lx_store_txn *t, uint64_t chain_id, uint64_t below,
		   struct lx_error *err)
{
	int rc = del_range(t, T_BLOCK, chain_id, 0, below, err);
	if (!rc)
		rc = del_range(t, T_UNDO, chain_id, 0, below, err);
	return rc;
}

void lx_store_txn_set_block(struct lx_store_txn *t, uint64_t chain_id, uint64_t block)
{
	/* marking the same block again continues its sequence: never overwrite its records */
	if (block && (block != t->seq_block || chain_id != t->seq_chain)) {
		t->seq_chain = chain_id;
		t->seq_block = block;
		t->undo_seq = 0;
		t->seq_loaded = false;
	}
	t->undo_chain = chain_id;
	t->undo_block = block;
}

int lx_store_undo_oldest(struct lx_store_txn *t, uint64_t chain_id, uint64_t *block,
			 struct lx_error *err)
{
	struct lx_store_iter it;
	uint8_t p[8];
	be64(p, chain_id);
	*block = 0;
	int rc = lx_store_iter_begin(&it, t, T_UNDO, p, 8, err);
	const uint8_t *k, *v;
	size_t kl, vl;
	if (!rc)
		rc = lx_store_iter_next(&it, &k, &kl, &v, &vl, err);
	if (!rc)
		*block = rd64(k + 8);
	lx_store_iter_end(&it);
	return rc;
}

int lx_store_unwind(struct lx_store_txn *t, uint64_t chain_id, uint64_t to_block,
		    struct lx_error *err)
{
	MDB_dbi udbi;
	bool ok;
	uint64_t saved = t->undo_block;
	t->undo_block = 0; /* restoring must not record */
	int rc = table(t, T_UNDO, false, &udbi, &ok, err);
	if (rc || !ok)
		goto blocks;
	MDB_cursor *c;
	if ((rc = mdb_cursor_open(t->txn, udbi, &c))) {
		rc = mdb_err(err, rc, "open a cursor on", T_UNDO);
		goto out;
	}
	/* position after the chain's last record, then walk back */
	uint8_t end[8];
	be64(end, chain_id + 1);
	MDB_val k = {8, end}, v;
	uint64_t at = 0; /* block whose records are being restored */
	int m = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	m = m == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
	while (m == 0) {
		if (k.mv_size != 20 || rd64(k.mv_data) != chain_id ||
		    rd64((uint8_t *)k.mv_data + 8) <= to_block)
			break;
		if (rd64((uint8_t *)k.mv_data + 8) != at) {
			at = rd64((uint8_t *)k.mv_data + 8);
			lx_crashpoint("unwind-block");
		}
		const uint8_t *b = v.mv_data;
		size_t n = v.mv_size, o = 0;
		if (n < 1 || n < 1u + b[0] + 3) {
			rc = lx_error_set(err, LX_ECORRUPT, "store: bad undo record");
			break;
		}
		char name[64];
		memcpy(name, b + 1, b[0]);
		name[b[0]] = 0;
		o = 1u + b[0];
		size_t klen = (size_t)b[o] << 8 | b[o + 1];
		o += 2;
		if (o + klen + 1 > n) {
			rc = lx_error_set(err, LX_ECORRUPT, "store: bad undo record");
			break;
		}
		const uint8_t *key = b + o;
		o += klen;
		bool present = b[o++] == 1;
		if (present)
			rc = lx_store_put(t, name, key, klen, b + o, n - o, err);
		else {
			rc = lx_store_del(t, name, key, klen, err);
			if (rc == LX_ENOTFOUND)
				rc = 0;
		}
		if (rc)
			break;
		if ((m = mdb_cursor_del(c, 0))) {
			rc = mdb_err(err, m, "delete undo record", NULL);
			break;
		}
		m = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
		if (m == 0)
			m = mdb_cursor_get(c, &k, &v, MDB_PREV);
		else
			m = mdb_cursor_get(c, &k, &v, MDB_LAST);
	}
	mdb_cursor_close(c);
	if (rc)
		goto out;
blocks:
	if (!rc)
		rc = del_range(t, T_BLOCK, chain_id, to_block + 1, UINT64_MAX, err);
out:
	t->undo_block = saved;
	return rc;
}

static void hexdump(FILE *out, const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		fputc(d[p[i] >> 4], out);
		fputc(d[p[i] & 15], out);
	}
}

int lx_store_dump(struct lx_store_txn *t, FILE *out, struct lx_error *err)
{
	/* the unnamed database lists the named ones, in name order */
	MDB_dbi main;
	int rc = mdb_dbi_open(t->txn, NULL, 0, &main);
	if (rc)
		return mdb_err(err, rc, "open the table list of", t->s->dir);
	MDB_cursor *c;
	if ((rc = mdb_cursor_open(t->txn, main, &c)))
		return mdb_err(err, rc, "open the table list of", t->s->dir);
	MDB_val k, v;
	char names[MAX_TABLES][40];
	size_t n = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && n < MAX_TABLES;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size == 0 || k.mv_size >= 40)
			continue;
		memcpy(names[n], k.mv_data, k.mv_size);
		names[n][k.mv_size] = 0;
		if (names[n][0] != '_')
			n++;
	}
	mdb_cursor_close(c);
	for (size_t i = 0; i < n; i++) {
		struct lx_store_iter it;
		if ((rc = lx_store_iter_begin(&it, t, names[i], "", 0, err)))
			return rc;
		const uint8_t *kk, *vv;
		size_t kl, vl;
		while ((rc = lx_store_iter_next(&it, &kk, &kl, &vv, &vl, err)) == 0) {
			fprintf(out, "%s\t", names[i]);
			hexdump(out, kk, kl);
			fputc('\t', out);
			hexdump(out, vv, vl);
			fputc('\n', out);
		}
		lx_store_iter_end(&it);
		if (rc != LX_ENOTFOUND)
			return rc;
	}
	lx_error_clear(err);
	return ferror(out) ? lx_error_set(err, LX_EIO, "dump: write error") : 0;
}
