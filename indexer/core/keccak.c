/*
 * keccak.c: Keccak-256 as Ethereum uses it (Keccak[r=1088,c=512] with the original 0x01 domain
 * padding, not SHA3's 0x06). Portable C: the state is 25 little-endian 64-bit lanes, bytes are
 * loaded with shifts (compilers turn them into plain loads), and one round of keccak-f[1600] is
 * written out lane by lane so the 25 lanes live in registers (the round body is generated from
 * the specification's index formulas; the comments give them). Hashing topics, selectors and
 * EIP-55 checksums is a hot path of log decoding, hence the unrolling.
 */
#include <string.h>

#include "lendex/keccak.h"

#define RATE 136 /* bytes: (1600 - 2 * 256) / 8 */

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

/* n is a constant in 1..63 at every use */
#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

/*
 * keccak-f[1600]. Lane a[x, y] is variable a(x + 5y); rotation offsets are the specification's
 * r[x, y] table.
 */
static void keccakf(uint64_t s[25])
{
	uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6],
	         a7 = s[7], a8 = s[8], a9 = s[9], a10 = s[10], a11 = s[11], a12 = s[12],
	         a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18],
	         a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
	uint64_t b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17,
	         b18, b19, b20, b21, b22, b23, b24;
	uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;

	for (int r = 0; r < 24; r++) {
		/* theta: column parities and the mix added to every lane */
		c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20; c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
		c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22; c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
		c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24; d0 = c4 ^ ROL(c1, 1); d1 = c0 ^ ROL(c2, 1);
		d2 = c1 ^ ROL(c3, 1); d3 = c2 ^ ROL(c4, 1); d4 = c3 ^ ROL(c0, 1);
		/* theta applied, rho (rotate) and pi (move): b[y, 2x+3y] = rol(a[x, y] ^ d[x]) */
		b0 = a0 ^ d0; b10 = ROL(a1 ^ d1, 1); b20 = ROL(a2 ^ d2, 62); b5 = ROL(a3 ^ d3, 28);
		b15 = ROL(a4 ^ d4, 27); b16 = ROL(a5 ^ d0, 36); b1 = ROL(a6 ^ d1, 44);
		b11 = ROL(a7 ^ d2, 6); b21 = ROL(a8 ^ d3, 55); b6 = ROL(a9 ^ d4, 20);
		b7 = ROL(a10 ^ d0, 3); b17 = ROL(a11 ^ d1, 10); b2 = ROL(a12 ^ d2, 43);
		b12 = ROL(a13 ^ d3, 25); b22 = ROL(a14 ^ d4, 39); b23 = ROL(a15 ^ d0, 41);
		b8 = ROL(a16 ^ d1, 45); b18 = ROL(a17 ^ d2, 15); b3 = ROL(a18 ^ d3, 21);
		b13 = ROL(a19 ^ d4, 8); b14 = ROL(a20 ^ d0, 18); b24 = ROL(a21 ^ d1, 2);
		b9 = ROL(a22 ^ d2, 61); b19 = ROL(a23 ^ d3, 56); b4 = ROL(a24 ^ d4, 14);
		/* chi: a[x, y] = b[x, y] ^ (~b[x+1, y] & b[x+2, y]) */
		a0 = b0 ^ (~b1 & b2); a1 = b1 ^ (~b2 & b3); a2 = b2 ^ (~b3 & b4);
		a3 = b3 ^ (~b4 & b0); a4 = b4 ^ (~b0 & b1); a5 = b5 ^ (~b6 & b7);
		a6 = b6 ^ (~b7 & b8); a7 = b7 ^ (~b8 & b9); a8 = b8 ^ (~b9 & b5);
		a9 = b9 ^ (~b5 & b6); a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13);
		a12 = b12 ^ (~b13 & b14); a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11);
		a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19);
		a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16); a20 = b20 ^ (~b21 & b22);
		a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24); a23 = b23 ^ (~b24 & b20);
		a24 = b24 ^ (~b20 & b21);
		/* iota */
		a0 ^= RC[r];
	}
	s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5; s[6] = a6;
	s[7] = a7; s[8] = a8; s[9] = a9; s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13;
	s[14] = a14; s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19;
	s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24;
}

static uint64_t load64le(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
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
	/* finish a partial block byte by byte */
	while (len > 0 && k->pos != 0) {
		xor_byte(k, k->pos++, *p++);
		len--;
		if (k->pos == RATE) {
			keccakf(k->st);
			k->pos = 0;
		}
	}
	/* whole blocks a lane at a time */
	while (len >= RATE) {
		for (size_t i = 0; i < RATE / 8; i++)
			k->st[i] ^= load64le(p + 8 * i);
		keccakf(k->st);
		p += RATE;
		len -= RATE;
	}
	/* the tail stays in the state until more data or _final */
	while (len > 0) {
		xor_byte(k, k->pos++, *p++);
		len--;
	}
}

void lx_keccak_final(struct lx_keccak *k, uint8_t out[32])
{
	/* pad10*1 with Keccak's domain byte 0x01; both land in one byte when pos == RATE - 1 */
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
