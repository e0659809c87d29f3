/*
 * events.c: the sync summary's per-event counts (see lx_event_counts in sync.h). Each applied
 * range's logs are classified by the handlers (proto classify) and tallied here; the run's
 * table is the sum of its committed ranges'.
 */
#include <stdio.h>
#include <string.h>

#include "lendex/sync.h"

static void add(struct lx_event_counts *t, uint8_t fate, const char *event, const char *reason,
		uint64_t k)
{
	for (size_t i = 0; i < t->n; i++) {
		struct lx_event_count *c = &t->c[i];
		if (c->fate == fate && c->reason == reason && strcmp(c->event, event) == 0) {
			c->n += k;
			return;
		}
	}
	if (t->n == LX_SYNC_MAX_EVENT_KINDS) {
		t->other += k;
		return;
	}
	struct lx_event_count *c = &t->c[t->n++];
	snprintf(c->event, sizeof(c->event), "%s", event);
	c->reason = reason;
	c->fate = fate;
	c->n = k;
}

void lx_event_counts_add(struct lx_event_counts *t, const struct lx_log_class *c,
			 const uint8_t *topic0, uint64_t k)
{
	static const char not_asked[] = "no followed contract and event";
	char name[40];
	const char *event = c->event;
	if (!event) {
		if (!topic0) {
			event = "anonymous";
		} else {
			snprintf(name, sizeof(name), "topic0 0x%02x%02x%02x%02x", topic0[0], topic0[1],
				 topic0[2], topic0[3]);
			event = name;
		}
	}
	const char *reason = c->fate == LX_LOG_NOT_MINE ? not_asked : c->reason;
	add(t, (uint8_t)c->fate, event, reason, k);
}

void lx_event_counts_merge(struct lx_event_counts *t, const struct lx_event_counts *src)
{
	for (size_t i = 0; i < src->n; i++)
		add(t, src->c[i].fate, src->c[i].event, src->c[i].reason, src->c[i].n);
	t->other += src->other;
}
