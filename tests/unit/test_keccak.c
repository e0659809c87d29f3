/*
 * test_keccak.c: keccak-256 against published vectors and an independent implementation
 * (ethers' keccak256) around the 136-byte rate boundary; incremental equals one-shot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lendex/hex.h"
#include "lendex/keccak.h"

static void hexeq(const uint8_t h[32], const char *want)
{
	char got[67];
	lx_hex_encode(got, sizeof(got), h, 32);
	assert_string_equal(got + 2, want);
}

static void test_published(void **s)
{
	(void)s;
	uint8_t h[32];
	lx_keccak256(h, "", 0);
	hexeq(h, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	const char *t = "Transfer(address,address,uint256)";
	lx_keccak256(h, t, strlen(t));
	hexeq(h, "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
	const char *f = "The quick brown fox jumps over the lazy dog";
	lx_keccak256(h, f, strlen(f));
	hexeq(h, "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

/* expected values computed with ethers 6 keccak256 over bytes (i*7+3)&255 */
static const struct {
	size_t n;
	const char *h;
} blocks[] = {
	{135, "00ef96af9cf4b24c7f269d922294444a197d0a33638c2e56634c57e892103a8f"},
	{136, "742061bcad767ed4c4f5883b1dcb1aad11afdcc140dc469d953759b127b9f9ed"},
	{137, "e3371f61e770abf254c34239c3b0099ad90594507415bc81dd0a10b9692bbf2a"},
	{200, "66d2cdf3ab4c5bd3c75add9b60b14ac5b7789534fa2da3f348853b847359a3a0"},
	{272, "ac141fd7b0a0ffcd2e967254d508da3ec616596493c36fa304425647d90e6de5"},
	{1000, "80cdc8dd52cbb3dbaea8f383209893fa2bb52efbd5aedbb4b26dcfe307fcdc9b"},
};

static void test_multiblock_and_incremental(void **s)
{
	(void)s;
	uint8_t buf[1000], h[32], h2[32];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)((i * 7 + 3) & 255);
	for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++) {
		lx_keccak256(h, buf, blocks[k].n);
		hexeq(h, blocks[k].h);
		for (size_t chunk = 1; chunk < 140; chunk += 13) {
			struct lx_keccak c;
			lx_keccak_init(&c);
			for (size_t off = 0; off < blocks[k].n; off += chunk) {
				size_t m = blocks[k].n - off < chunk ? blocks[k].n - off : chunk;
				lx_keccak_update(&c, buf + off, m);
			}
			lx_keccak_final(&c, h2);
			assert_memory_equal(h, h2, 32);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_multiblock_and_incremental),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
