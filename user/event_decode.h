/* SPDX-License-Identifier: GPL-2.0 */
/* Streamed events (bpf/trace.h) decoded into named fields. */
#ifndef THPSCOPE_EVENT_DECODE_H
#define THPSCOPE_EVENT_DECODE_H

#include <jansson.h>
#include "btf_enum.h"

struct thp_event;
struct kenv;

/* The running kernel's enums the events carry raw. */
struct event_names {
	struct enum_names results;	/* enum scan_result */
	struct enum_names reasons;	/* enum migrate_reason */
	struct enum_names modes;	/* enum migrate_mode */
};

void event_names_load(struct event_names *n, struct kenv *env);
void event_names_free(struct event_names *n);
/* The family an event kind belongs to, and the event's name. */
const char *event_family(unsigned int kind);
const char *event_name(unsigned int kind);
/* {"ts_ns", "cpu", "pid", "tid", "comm", "family", "event", fields...} */
json_t *event_to_json(const struct thp_event *e, const struct event_names *n);

#endif
