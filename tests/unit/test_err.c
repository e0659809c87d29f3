/*
 * test_err.c: error names and the error record (set, detail, prefix, truncation on a UTF-8
 * boundary, the record's own message as an argument, NULL records and formats).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/err.h"

static void test_names(void **s)
{
	(void)s;
	/* every code has its own name, and the names are distinct */
	for (int c = 0; c >= LX_EREVERTED; c--) {
		assert_string_not_equal(lx_strerror(c), "unknown error");
		for (int d = c - 1; d >= LX_EREVERTED; d--)
			assert_string_not_equal(lx_strerror(c), lx_strerror(d));
	}
	assert_string_equal(lx_strerror(-9999), "unknown error");
	assert_string_equal(lx_strerror(LX_EREVERTED - 1), "unknown error");
	assert_string_equal(lx_strerror(1), "unknown error");
	assert_string_equal(lx_strerror(LX_ESHORT), "short data");
	assert_string_equal(lx_strerror(LX_OK), "ok");
}

static void test_record(void **s)
{
	(void)s;
	struct lx_error e;
	memset(&e, 0x55, sizeof(e));
	lx_error_clear(&e);
	assert_int_equal(e.code, 0);
	assert_int_equal(e.detail, 0);
	assert_string_equal(e.msg, "");
	lx_error_clear(NULL);
	assert_int_equal(lx_error_prefix(NULL, "x"), LX_EINVAL);
	assert_int_equal(lx_error_set(&e, LX_EPARSE, "bad '%s'", "q"), LX_EPARSE);
	assert_string_equal(e.msg, "bad 'q'");
	assert_int_equal(e.detail, 0);
	assert_int_equal(lx_error_prefix(&e, "abi %d", 7), LX_EPARSE);
	assert_string_equal(e.msg, "abi 7: bad 'q'");
	assert_int_equal(e.code, LX_EPARSE);
	assert_int_equal(lx_error_setd(&e, LX_EHTTP, 503, "http %d", 503), LX_EHTTP);
	assert_int_equal(e.detail, 503);
	assert_string_equal(e.msg, "http 503");
	/* set after setd clears the detail */
	lx_error_set(&e, LX_EIO, "x");
	assert_int_equal(e.detail, 0);
	assert_int_equal(lx_error_set(NULL, LX_EIO, "ignored"), LX_EIO);
	assert_int_equal(lx_error_setd(NULL, LX_EIO, 5, "ignored"), LX_EIO);
}

/*
 * Prefixing a record the callee left clear or empty (a bug) must not leave an empty message:
 * "reserve not initialised since start_block" was once lost this way.
 */
static void test_prefix_empty(void **s)
{
	(void)s;
	struct lx_error e;
	lx_error_clear(&e);
	assert_int_equal(lx_error_prefix(&e, "aave_v3: Supply at %d", 12), LX_EINVAL);
	assert_int_equal(e.code, LX_EINVAL);
	assert_string_equal(e.msg, "aave_v3: Supply at 12: unknown error (the failing step left "
				   "no detail)");
	lx_error_clear(&e);
	e.code = LX_ENOTFOUND; /* code set, message empty */
	assert_int_equal(lx_error_prefix(&e, "reserve %s", "WETH"), LX_ENOTFOUND);
	assert_string_equal(e.msg, "reserve WETH: not found");
	lx_error_clear(&e);
	assert_int_equal(lx_error_prefix(&e, NULL), LX_EINVAL);
	assert_true(e.msg[0] != 0);
}

static void test_own_message(void **s)
{
	(void)s;
	/* the record's own message as an argument: formatted before it is overwritten */
	struct lx_error e;
	lx_error_set(&e, LX_ESHORT, "offset 0x40 past end");
	lx_error_set(&e, e.code, "log %d: %s", 17, e.msg);
	assert_string_equal(e.msg, "log 17: offset 0x40 past end");
	lx_error_prefix(&e, "block %s", e.msg);
	assert_string_equal(e.msg,
			    "block log 17: offset 0x40 past end: log 17: offset 0x40 past end");
}

static void test_truncation(void **s)
{
	(void)s;
	struct lx_error e;
	char big[2000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	lx_error_set(&e, LX_EIO, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_string_equal(e.msg + sizeof(e.msg) - 4, "...");
	assert_memory_equal(e.msg, big, sizeof(e.msg) - 4);
	/* exactly fits: no marker */
	big[sizeof(e.msg) - 1] = 0;
	lx_error_set(&e, LX_EIO, "%s", big);
	assert_string_equal(e.msg, big);
	/* a 3-byte character ("…") straddling the cut is dropped whole, never split */
	for (size_t pad = 500; pad < 512; pad++) {
		char u[1024];
		memset(u, 'b', pad);
		size_t n = pad;
		for (int k = 0; k < 10; k++) {
			memcpy(u + n, "\xe2\x80\xa6", 3);
			n += 3;
		}
		u[n] = 0;
		lx_error_set(&e, LX_EIO, "%s", u);
		size_t len = strlen(e.msg);
		assert_true(len < sizeof(e.msg));
		assert_string_equal(e.msg + len - 3, "...");
		/* no partial sequence before the marker: every lead byte has its continuation */
		for (size_t i = 0; i + 3 < len; i++) {
			unsigned char c = (unsigned char)e.msg[i];
			if (c == 0xe2) {
				assert_true(i + 3 <= len - 3);
				i += 2;
			} else {
				assert_int_equal(c, 'b');
			}
		}
	}
	/* prefix that overflows the record: still bounded and marked */
	lx_error_set(&e, LX_EIO, "%s", "tail");
	assert_int_equal(lx_error_prefix(&e, "%s", big), LX_EIO);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_string_equal(e.msg + sizeof(e.msg) - 4, "...");
}

static void test_null_format(void **s)
{
	(void)s;
	struct lx_error e;
	lx_error_set(&e, LX_EIO, "old");
	/* through pointers, which carry no format attribute, so the compiler lets NULL through */
	int (*set)(struct lx_error *, int, const char *, ...) = lx_error_set;
	int (*prefix)(struct lx_error *, const char *, ...) = lx_error_prefix;
	assert_int_equal(set(&e, LX_EINVAL, NULL), LX_EINVAL);
	assert_string_equal(e.msg, "invalid argument"); /* never empty: the code's name */
	assert_int_equal(lx_error_set(&e, LX_ESTORE, "%s", ""), LX_ESTORE);
	assert_string_equal(e.msg, "store error");
	lx_error_set(&e, LX_EIO, "old");
	assert_int_equal(prefix(&e, NULL), LX_EIO);
	assert_string_equal(e.msg, "old");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_prefix_empty),
		cmocka_unit_test(test_own_message),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_null_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
