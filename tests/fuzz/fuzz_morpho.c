/*
 * fuzz_morpho.c: libFuzzer target for the Morpho Blue handler's strict event reader
 * (indexer/proto/morpho/events.c) over eth_getLogs answers parsed by lx_logset: every log
 * against every event of the table, so topic counts, data lengths and padding are all probed.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../indexer/proto/morpho/morpho.h"
#include "lendex/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static bool init;
	if (!init) {
		morpho_events_init();
		init = true;
	}
	json_t *j = json_loadb((const char *)in, len, 0, NULL);
	if (!j)
		return 0;
	struct lx_logset s;
	lx_logset_init(&s);
	if (lx_logset_append(&s, j, NULL) == 0) {
		for (size_t i = 0; i < s.n; i++) {
			struct morpho_args a;
			for (int e = 0; e < MEV_COUNT; e++)
				morpho_event_decode(&a, &morpho_events[e], &s.logs[i], NULL);
			const struct morpho_event_def *d = morpho_event_of(&s.logs[i]);
			if (d && morpho_event_decode(&a, d, &s.logs[i], NULL) == 0 &&
			    d->id == MEV_CREATE_MARKET) {
				struct morpho_params p = {a.a[1], a.a[2], a.a[3], a.a[4], a.v[5]};
				uint8_t id[32];
				morpho_market_id(id, &p);
			}
		}
	}
	lx_logset_release(&s);
	json_decref(j);
	return 0;
}
