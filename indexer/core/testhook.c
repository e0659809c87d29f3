/*
 * testhook.c: crash points, slow apply and apply trace for tests (see testhook.h). Built only
 * with LX_TEST_HOOKS; the environment is read once, on the first hook reached.
 */
#ifdef LX_TEST_HOOKS
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "lendex/testhook.h"

static struct {
	int init;
	unsigned long long crash_at, reached;
	const char *crash_log, *trace;
	unsigned long slow_ms;
} h;

static void init(void)
{
	if (h.init)
		return;
	h.init = 1;
	const char *v = getenv("LENDEX_TEST_CRASH_AT");
	if (v && *v)
		h.crash_at = strtoull(v, NULL, 10);
	v = getenv("LENDEX_TEST_SLOW_MS");
	if (v && *v)
		h.slow_ms = strtoul(v, NULL, 10);
	h.crash_log = getenv("LENDEX_TEST_CRASH_LOG");
	h.trace = getenv("LENDEX_TEST_TRACE");
}

/* fopen "a" is O_APPEND and a short line leaves in one write(2): lines never interleave */
static void append(const char *path, const char *line)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return;
	fputs(line, f);
	fclose(f);
}

void lx_crashpoint(const char *name)
{
	init();
	h.reached++;
	if (h.crash_log && *h.crash_log) {
		char line[128];
		snprintf(line, sizeof(line), "%s\n", name);
		append(h.crash_log, line);
	}
	if (h.crash_at && h.reached == h.crash_at) {
		char msg[160];
		int n = snprintf(msg, sizeof(msg), "lendex: test crash point %llu: %s\n", h.reached,
				 name);
		if (n > 0 && write(2, msg, (size_t)n) < 0)
			n = 0;
		_exit(LX_TEST_CRASH_EXIT);
	}
}

void lx_test_trace(const char *fmt, ...)
{
	init();
	if (!h.trace || !*h.trace)
		return;
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t l = (size_t)n < sizeof(line) - 2 ? (size_t)n : sizeof(line) - 2;
	line[l] = '\n';
	line[l + 1] = 0;
	append(h.trace, line);
}

void lx_test_slow(void)
{
	init();
	if (!h.slow_ms)
		return;
	struct timespec ts = {(time_t)(h.slow_ms / 1000), (long)(h.slow_ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}
#else
/* ISO C wants a translation unit to declare something */
typedef int lx_testhook_unused;
#endif
