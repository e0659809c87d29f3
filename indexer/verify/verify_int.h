/*
 * verify_int.h: what the files of indexer/verify/ share and nobody else needs.
 */
#ifndef LENDEX_VERIFY_INT_H
#define LENDEX_VERIFY_INT_H

#include <stddef.h>
#include <stdint.h>

/* A JSON-RPC quantity ("0x1a", leading zeros allowed, at most 256 bits) of n chars to minimal
 * big-endian bytes in out. Returns the byte count (0 for zero) or -1 when malformed. */
int lx_eth_quantity(uint8_t out[32], const char *s, size_t n);

#endif
