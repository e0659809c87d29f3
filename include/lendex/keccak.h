/*
 * keccak.h: Ethereum's keccak-256 (the original Keccak padding 0x01, not NIST SHA3-256's 0x06).
 */
#ifndef LENDEX_KECCAK_H
#define LENDEX_KECCAK_H

#include <stddef.h>
#include <stdint.h>

/* Incremental state; embed it, _init, _update any number of times, _final once. */
struct lx_keccak {
	uint64_t st[25];   /* sponge state */
	size_t pos;        /* bytes absorbed into the current 136-byte block */
};

void lx_keccak_init(struct lx_keccak *k);
void lx_keccak_update(struct lx_keccak *k, const void *data, size_t len);
void lx_keccak_final(struct lx_keccak *k, uint8_t out[32]);

/* One-shot keccak-256 of len bytes. */
void lx_keccak256(uint8_t out[32], const void *data, size_t len);

#endif
