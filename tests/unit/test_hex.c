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
	assert_int_equal(lx_hex_encode(out, 7, in, 2), 6);
	assert_int_equal(lx_hex_encode(out, 3, in, 0), 2);
	assert_string_equal(out, "0x");
	/* no prefix, upper-case prefix, exact capacity, length taken from slen not NUL */
	assert_int_equal(lx_hex_decode(b, 2, &n, "ABcd", 4), 0);
	assert_int_equal(n, 2);
	assert_int_equal(b[0], 0xab);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0XFF00ffEE", 10), 0);
	assert_int_equal(n, 4);
	assert_int_equal(b[3], 0xee);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0x0102zz", 6), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0x0g", 4), LX_EPARSE);
	assert_int_equal(n, 0);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0x 1", 4), LX_EPARSE);
	assert_int_equal(lx_hex_decode(b, 4, &n, "0x\0001", 5), LX_EPARSE);
	assert_int_equal(lx_hex_decode(b, 4, &n, "x0", 2), LX_EPARSE);
	assert_int_equal(lx_hex_decode(b, 4, &n, "", 0), 0);
	assert_int_equal(n, 0);
	/* misuse */
	assert_int_equal(lx_hex_decode(b, 4, NULL, "00", 2), LX_EINVAL);
	assert_int_equal(lx_hex_decode(b, 4, &n, NULL, 2), LX_EINVAL);
	assert_int_equal(lx_hex_decode(NULL, 4, &n, "00", 2), LX_EINVAL);
	/* round trip of every byte value */
	uint8_t all[256], back[256];
	char txt[2 * 256 + 3];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	assert_int_equal(lx_hex_encode(txt, sizeof(txt), all, 256), 514);
	assert_int_equal(lx_hex_decode(back, sizeof(back), &n, txt, 514), 0);
	assert_int_equal(n, 256);
	assert_memory_equal(all, back, 256);
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
	assert_int_equal(v, 0);
	assert_int_equal(lx_hex_u64(&v, "0XAbC", 5), 0);
	assert_int_equal(v, 0xabc);
	/* leading zeros are fine, even beyond 16 digits */
	assert_int_equal(lx_hex_u64(&v, "0x00000000000000000000ff", 24), 0);
	assert_int_equal(v, 255);
	assert_int_equal(lx_hex_u64(&v, "0x0fffffffffffffffff", 20), LX_EOVERFLOW);
	assert_int_equal(v, 0);
	assert_int_equal(lx_hex_u64(&v, "0x1f", 3), 0); /* slen, not the NUL, ends the text */
	assert_int_equal(v, 1);
	assert_int_equal(lx_hex_u64(&v, "0x-1", 4), LX_EPARSE);
	assert_int_equal(lx_hex_u64(&v, "0x 1", 4), LX_EPARSE);
	assert_int_equal(lx_hex_u64(&v, "1x1", 3), LX_EPARSE);
	assert_int_equal(lx_hex_u64(&v, "", 0), LX_EPARSE);
	assert_int_equal(lx_hex_u64(&v, NULL, 3), LX_EINVAL);
	assert_int_equal(lx_hex_u64(NULL, "0x1", 3), LX_EINVAL);
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
	assert_int_equal(lx_addr_parse(&a, "0x", &e), LX_EPARSE);
	assert_non_null(strstr(e.msg, "0 hex digits"));
}

static void test_addr_more(void **s)
{
	(void)s;
	struct lx_addr a;
	struct lx_error e;
	char c[LX_ADDR_STRLEN];
	/* all upper case is accepted as is, and equals the checksummed form */
	assert_int_equal(lx_addr_parse(&a, "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", &e), 0);
	lx_addr_checksum(c, &a);
	assert_string_equal(c, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
	lx_addr_lower(c, &a);
	assert_string_equal(c, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
	/* digits only: no letters, no case to check */
	assert_int_equal(lx_addr_parse(&a, "0x0000000000000000000000000000000000000000", &e), 0);
	lx_addr_checksum(c, &a);
	assert_string_equal(c, "0x0000000000000000000000000000000000000000");
	/* the remaining vectors from EIP-55 */
	const char *eip[] = {"0x52908400098527886E0F7030069857D2E4169EE7",
			     "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
			     "0xde709f2102306220921060314715629080e2fb77",
			     "0x27b1fdb04752bbc536007a920d24acb045561c26"};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(lx_addr_parse(&a, eip[i], &e), 0);
		lx_addr_checksum(c, &a);
		assert_string_equal(c, eip[i]);
	}
	/* "0X" is not an address prefix */
	assert_int_equal(lx_addr_parse(&a, "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", &e),
			 LX_EPARSE);
	/* out-param zeroed on failure */
	memset(&a, 0xff, sizeof(a));
	assert_int_equal(lx_addr_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", NULL),
			 LX_EPARSE);
	struct lx_addr z = {{0}};
	assert_true(lx_addr_eq(&a, &z));
	/* unprintable bytes are escaped in the message, long input is cut with "..." */
	assert_int_equal(lx_addr_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1Be\n\x01" "d", &e),
			 LX_EPARSE);
	assert_non_null(strstr(e.msg, "Be\\x0a\\x01d'"));
	assert_non_null(strstr(e.msg, "'\\x0a' at offset 39 is not hex"));
	char longs[200];
	memset(longs, '1', sizeof(longs) - 1);
	longs[0] = '0';
	longs[1] = 'x';
	longs[sizeof(longs) - 1] = 0;
	assert_int_equal(lx_addr_parse(&a, longs, &e), LX_EPARSE);
	assert_non_null(strstr(e.msg, "1111...': 197 hex digits"));
	/* misuse */
	assert_int_equal(lx_addr_parse(&a, NULL, &e), LX_EINVAL);
	assert_int_equal(lx_addr_parse(NULL, "0x", &e), LX_EINVAL);
	/* checksum agrees with the parse for many addresses: flip each letter's case, reject */
	struct lx_addr r;
	for (int k = 0; k < 64; k++) {
		for (int i = 0; i < 20; i++)
			r.b[i] = (uint8_t)(k * 37 + i * 101);
		lx_addr_checksum(c, &r);
		assert_int_equal(lx_addr_parse(&a, c, NULL), 0);
		assert_true(lx_addr_eq(&a, &r));
		int letters = 0, lower = 0;
		for (int i = 2; i < 42; i++)
			if ((c[i] >= 'a' && c[i] <= 'f') || (c[i] >= 'A' && c[i] <= 'F')) {
				letters++;
				lower += c[i] >= 'a';
			}
		for (int i = 2; i < 42; i++) {
			if (!((c[i] >= 'a' && c[i] <= 'f') || (c[i] >= 'A' && c[i] <= 'F')))
				continue;
			char f[LX_ADDR_STRLEN];
			memcpy(f, c, sizeof(f));
			f[i] = (char)(f[i] ^ 0x20);
			/* flipping may leave a single-case string, which is accepted by rule */
			int nl = lower + (f[i] >= 'a' ? 1 : -1);
			int want = (nl == 0 || nl == letters) ? 0 : LX_EPARSE;
			assert_int_equal(lx_addr_parse(&a, f, NULL), want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_eip55),
		cmocka_unit_test(test_addr_more),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
