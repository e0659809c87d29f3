/*
 * tmpstore.h: temporary directories for the handler tests (test_proto, test_aave_v2,
 * test_morpho): a chains/ directory holding one chain file, and fresh stores. Every directory
 * made here is removed when the test program exits, whether or not its test removed it.
 */
#ifndef LENDEX_TEST_TMPSTORE_H
#define LENDEX_TEST_TMPSTORE_H

#include <stddef.h>

#include "lendex/chain.h"
#include "lendex/store.h"

/* A new directory /tmp/lx-<tag>-c-XXXXXX holding <chain>.json with json, loaded into *out
 * (named chain). Returns 0, or -1 with a message on stderr. */
int lx_test_chain(struct lx_chain **out, const char *tag, const char *chain, const char *json);
/* A new store in a new directory /tmp/lx-<tag>-XXXXXX (its path in dir, cap bytes); fails the
 * running test when it cannot. */
struct lx_store *lx_test_store(char *dir, size_t cap, const char *tag);
/* Removes a directory made here and the files in it (now rather than at exit). */
void lx_test_rmdir(const char *dir);

#endif
