/*
 * fuzz_comet.c: libFuzzer target for the Compound V3 handler's strict event reader. Input:
 * one byte of topic count (mod 5), that many 32-byte topics, the rest is the log's data; every
 * Comet event is tried on it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../indexer/proto/comet/comet.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static bool init;
	if (!init) {
		comet_events_init();
		init = true;
	}
	if (len < 1)
		return 0;
	size_t nt = in[0] % 5;
	in++, len--;
	if (len < 32 * nt)
		return 0;
	uint8_t topics[4][32];
	memcpy(topics, in, 32 * nt);
	const uint8_t *data = in + 32 * nt;
	size_t dl = len - 32 * nt;
	if (nt)
		(void)comet_event_find(topics[0]);
	for (int e = 0; e < CE_COUNT; e++) {
		struct comet_args a;
		struct lx_error err;
		(void)comet_event_decode(&a, e, (const uint8_t(*)[32])topics, nt, data, dl, 1, 0, &err);
	}
	return 0;
}
