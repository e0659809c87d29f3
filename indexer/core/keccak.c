/*
 * keccak.c: Keccak-256 as Ethereum uses it (Keccak[r=1088,c=512] with the original 0x01 domain
 * padding). A plain, portable keccak-f[1600] on 64-bit lanes, little-endian byte order.
 */
#include <string.h>

#include "lendex/keccak.h"

#define RATE 136

static const uint64_t RC[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static const unsigned ROT[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
				 25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

static inline uint64_t rol(uint64_t x, unsigned n)
{
	return n ? (x << n) | (x >> (64 - n)) : x;
}

static void keccakf(uint64_t s[25])
{
	uint64_t c[5], d[5], b[25];
	for (int r = 0; r < 24; r++) {
		for (int x = 0; x < 5; x++)
			c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
		for (int x = 0; x < 5; x++)
			d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
		for (int i = 0; i < 25; i++)
			s[i] ^= d[i % 5];
		/* rho and pi: b[y, 2x+3y] = rol(s[x, y]) */
		for (int x = 0; x < 5; x++)
			for (int y = 0; y < 5; y++)
				b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(s[x + 5 * y], ROT[x + 5 * y]);
		for (int y = 0; y < 5; y++)
			for (int x = 0; x < 5; x++)
				s[x + 5 * y] = b[x + 5 * y] ^
					       (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
		s[0] ^= RC[r];
	}
}

void lx_keccak_init(struct lx_keccak *k)
{
	memset(k, 0, sizeof(*k));
}

static void xor_byte(struct lx_keccak *k, size_t pos, uint8_t v)
{
	k->st[pos / 8] ^= (uint64_t)v << (8 * (pos % 8));
}

void lx_keccak_update(struct lx_keccak *k, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		if (k->pos == 0 && len >= RATE) {
			for (size_t i = 0; i < RATE / 8; i++) {
				uint64_t w = 0;
				for (int j = 7; j >= 0; j--)
					w = (w << 8) | p[i * 8 + (size_t)j];
				k->st[i] ^= w;
			}
			keccakf(k->st);
			p += RATE;
			len -= RATE;
			continue;
		}
		xor_byte(k, k->pos++, *p++);
		len--;
		if (k->pos == RATE) {
			keccakf(k->st);
			k->pos = 0;
		}
	}
}

void lx_keccak_final(struct lx_keccak *k, uint8_t out[32])
{
	xor_byte(k, k->pos, 0x01);
	xor_byte(k, RATE - 1, 0x80);
	keccakf(k->st);
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)(k->st[i / 8] >> (8 * (i % 8)));
	memset(k, 0, sizeof(*k));
}

void lx_keccak256(uint8_t out[32], const void *data, size_t len)
{
	struct lx_keccak k;
	lx_keccak_init(&k);
	lx_keccak_update(&k, data, len);
	lx_keccak_final(&k, out);
}
