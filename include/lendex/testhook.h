/*
 * testhook.h: test-only hooks in the store writers (crash points, a slow apply, an apply
 * trace), as SQLite tests its journal: a test makes `lendex sync` die at the k-th point and
 * checks that a rerun ends in exactly the state of a clean sync.
 *
 * Compiled in only with the CMake option LX_TEST_HOOKS (ON by default, OFF for
 * CMAKE_BUILD_TYPE=Release, where every hook is an empty inline function). Even when compiled
 * in, a hook does nothing unless its LENDEX_TEST_* environment variable is set:
 *
 *   LENDEX_TEST_CRASH_AT=K     the K-th crash point reached (1-based, counted per process)
 *                              prints "lendex: test crash point K: NAME" to stderr and ends
 *                              the process with _exit(LX_TEST_CRASH_EXIT): no cleanup, no
 *                              commit, no close, like kill -9 at that instant
 *   LENDEX_TEST_CRASH_LOG=FILE appends the name of every crash point reached, one per line
 *   LENDEX_TEST_TRACE=FILE     appends the apply trace (lx_test_trace lines)
 *   LENDEX_TEST_SLOW_MS=N      lx_test_slow() sleeps N ms (a slow applier: the fetcher runs
 *                              far ahead of it)
 *
 * Crash points are only called from the thread that writes the store, so their order, and
 * hence K, is the same on every run against the same chain.
 */
#ifndef LENDEX_TESTHOOK_H
#define LENDEX_TESTHOOK_H

/* exit status of a process ended at a crash point */
#define LX_TEST_CRASH_EXIT 86

#ifdef LX_TEST_HOOKS
/* Counts a crash point; at the one LENDEX_TEST_CRASH_AT names, ends the process. name: a
 * short constant (e.g. "commit"), logged to LENDEX_TEST_CRASH_LOG. */
void lx_crashpoint(const char *name);
/* Appends one printf-formatted line to LENDEX_TEST_TRACE (a newline is added). */
void lx_test_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Sleeps LENDEX_TEST_SLOW_MS milliseconds. */
void lx_test_slow(void);
#else
static inline void lx_crashpoint(const char *name)
{
	(void)name;
}
static inline void lx_test_trace(const char *fmt, ...)
{
	(void)fmt;
}
static inline void lx_test_slow(void)
{
}
#endif

#endif
