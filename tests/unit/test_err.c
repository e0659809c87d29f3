/*
 * test_err.c: error names and the error record (set, detail, prefix, truncation, NULL).
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
	for (int c = 0; c >= LX_EMAPFULL; c--)
		assert_string_not_equal(lx_strerror(c), "unknown error");
	assert_string_equal(lx_strerror(-9999), "unknown error");
	assert_string_equal(lx_strerror(LX_ESHORT), "short data");
}

static void test_record(void **s)
{
	(void)s;
	struct lx_error e;
	lx_error_clear(&e);
	assert_int_equal(e.code, 0);
	assert_int_equal(lx_error_prefix(&e, "x"), LX_EINVAL);
	assert_int_equal(lx_error_set(&e, LX_EPARSE, "bad '%s'", "q"), LX_EPARSE);
	assert_string_equal(e.msg, "bad 'q'");
	assert_int_equal(lx_error_prefix(&e, "abi %d", 7), LX_EPARSE);
	assert_string_equal(e.msg, "abi 7: bad 'q'");
	assert_int_equal(lx_error_setd(&e, LX_EHTTP, 503, "http %d", 503), LX_EHTTP);
	assert_int_equal(e.detail, 503);
	assert_int_equal(lx_error_set(NULL, LX_EIO, "ignored"), LX_EIO);
	char big[2000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	lx_error_set(&e, LX_EIO, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
