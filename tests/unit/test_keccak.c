/*
 * test_keccak.c: keccak-256 against published vectors and an independent implementation
 * (ethers' keccak256) around the 136-byte rate boundary, at every length up to three blocks and
 * for 1 MiB; incremental in odd chunk sizes equals one-shot.
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
	/* Aave V3 event topics (ethers' id()) */
	const char *b = "Borrow(address,address,address,uint256,uint8,uint256,uint16)";
	lx_keccak256(h, b, strlen(b));
	hexeq(h, "b3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0");
	const char *r = "ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)";
	lx_keccak256(h, r, strlen(r));
	hexeq(h, "804c9b842b2748a22bb64b345453a3de7ca54a6ca45ce00d415894979e22897a");
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

/*
 * Every length from 0 to 410 (three blocks, each padding case, both pad bytes in one byte at
 * 135): the hash of the concatenated 411 hashes, computed the same way with ethers.
 */
static void test_every_length(void **s)
{
	(void)s;
	uint8_t buf[410], h[32], h2[32];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)((i * 7 + 3) & 255);
	struct lx_keccak chain;
	lx_keccak_init(&chain);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		lx_keccak256(h, buf, n);
		lx_keccak_update(&chain, h, 32);
		/* one byte at a time, with empty updates in between, gives the same hash */
		struct lx_keccak c;
		lx_keccak_init(&c);
		for (size_t i = 0; i < n; i++) {
			lx_keccak_update(&c, buf + i, 1);
			lx_keccak_update(&c, buf, 0);
		}
		lx_keccak_final(&c, h2);
		assert_memory_equal(h, h2, 32);
	}
	lx_keccak_final(&chain, h);
	hexeq(h, "8aa099633f69b0183446051ca55589a571fe3412c27b4b7ae93c1d9df70140db");
}

/* 1 MiB (7711 blocks) in one call and in uneven pieces */
static void test_large(void **s)
{
	(void)s;
	static uint8_t big[1 << 20];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)((i * i + 17 * i) & 255);
	uint8_t h[32];
	lx_keccak256(h, big, sizeof(big));
	hexeq(h, "22905a68f70000fde0ccbf4dc0065843ce9c686cd7172c01681d13a6fc8b9a67");
	struct lx_keccak c;
	lx_keccak_init(&c);
	size_t off = 0, step = 1;
	while (off < sizeof(big)) {
		size_t m = sizeof(big) - off < step ? sizeof(big) - off : step;
		lx_keccak_update(&c, big + off, m);
		off += m;
		step = step * 3 % 1013 + 1; /* 1, 4, 13, 40, ... hitting every block offset */
	}
	uint8_t h2[32];
	lx_keccak_final(&c, h2);
	assert_memory_equal(h, h2, 32);
	/* _final leaves the state as after _init: the next hash starts afresh */
	lx_keccak_update(&c, "", 0);
	lx_keccak_final(&c, h2);
	hexeq(h2, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_multiblock_and_incremental),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
