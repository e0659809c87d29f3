/*
 * fuzz_logs.c: libFuzzer target for the node-answer parsers: eth_getLogs results (lx_logset),
 * block headers, and the Aave handler's strict event reader over the parsed logs.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../indexer/proto/aave/events.h"
#include "lendex/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static bool init;
	if (!init) {
		aave_events_init();
		init = true;
	}
	json_t *j = json_loadb((const char *)in, len, 0, NULL);
	if (!j)
		return 0;
	struct lx_logset s;
	lx_logset_init(&s);
	if (lx_logset_append(&s, j, NULL) == 0) {
		for (size_t i = 0; i < s.n; i++)
			for (int e = 0; e < EV_COUNT; e++) {
				struct aave_args a;
				if (aave_event_decode(&a, &aave_events[e], &s.logs[i], NULL) == 0 &&
				    aave_events[e].arg[5] == A_DYN) {
					char buf[40];
					aave_event_string(buf, sizeof(buf), &aave_events[e], &s.logs[i], 5,
							  NULL);
				}
			}
	}
	struct lx_block_ref b;
	lx_rpc_parse_block(j, &b, NULL);
	lx_logset_release(&s);
	json_decref(j);
	return 0;
}
