/*
 * test_hex.c: hex codec, quantities, EIP-55 addresses (vectors from the EIP) and rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/hex.h"

static void test_codec(void **s)
{
	(void)s;
	uint8_t b[4];
	size_t n;
	assert_int_equal(lx_hex_decode(b, 4, &n, "0xdeADbe", 8), 0);
	assert_int_equal(n, 3);
	assert_int_equal(b[0], 0xde);
	assert_int_equal(b[2], 0xbe);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0x", 2), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0xabc", 5), LX_EPARSE);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0xzz", 4), LX_EPARSE);
	assert_int_equal(lx_hex_decode(b, 2, &n, "0x010203", 8), LX_EOVERFLOW);
	char out[16];
	uint8_t in[2] = {0x0a, 0xff};
	assert_int_equal(lx_hex_encode(out, sizeof(out), in, 2), 6);
	assert_string_equal(out, "0x0aff");
	assert_int_equal(lx_hex_encode(out, 6, in, 2), 0);
}

static void test_u64(void **s)
{
	(void)s;
	uint64_t v;
	assert_int_equal(lx_hex_u64(&v, "0x0", 3), 0);
	assert_int_equal(v, 0);
	assert_int_equal(lx_hex_u64(&v, "0x1a", 4), 0);
	assert_int_equal(v, 26);
	assert_int_equal(lx_hex_u64(&v, "0xffffffffffffffff", 18), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(lx_hex_u64(&v, "0x10000000000000000", 19), LX_EOVERFLOW);
	assert_int_equal(lx_hex_u64(&v, "0x", 2), LX_EPARSE);
	assert_int_equal(lx_hex_u64(&v, "12", 2), LX_EPARSE);
	assert_int_equal(lx_hex_u64(&v, "0xg", 3), LX_EPARSE);
}

static void test_eip55(void **s)
{
	(void)s;
	const char *good[] = {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
			      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
			      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
			      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"};
	for (size_t i = 0; i < 4; i++) {
		struct lx_addr a;
		char c[LX_ADDR_STRLEN], l[LX_ADDR_STRLEN];
		assert_int_equal(lx_addr_parse(&a, good[i], NULL), 0);
		lx_addr_checksum(c, &a);
		assert_string_equal(c, good[i]);
		lx_addr_lower(l, &a);
		struct lx_addr b;
		assert_int_equal(lx_addr_parse(&b, l, NULL), 0); /* all lowercase is accepted */
		assert_true(lx_addr_eq(&a, &b));
	}
	struct lx_addr a;
	struct lx_error e;
	/* wrong checksum: one letter's case flipped */
	assert_int_equal(lx_addr_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", &e),
			 LX_EPARSE);
	assert_non_null(strstr(e.msg, "checksum"));
	assert_int_equal(lx_addr_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", &e),
			 LX_EPARSE);
	assert_non_null(strstr(e.msg, "39 hex digits"));
	assert_int_equal(lx_addr_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", &e),
			 LX_EPARSE);
	assert_int_equal(lx_addr_parse(&a, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00", &e),
			 LX_EPARSE);
	assert_non_null(strstr(e.msg, "0x"));
	assert_int_equal(lx_addr_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", &e),
			 LX_EPARSE);
	assert_non_null(strstr(e.msg, "'0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg'"));
	assert_int_equal(lx_addr_parse(&a, "", &e), LX_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_eip55),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
