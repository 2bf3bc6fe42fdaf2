/* SPDX-License-Identifier: GPL-2.0 */
/* Streamed events (bpf/trace.h) decoded into named fields: the head here,
 * the body by the family that emitted it. */
#ifndef THPSCOPE_EVENT_DECODE_H
#define THPSCOPE_EVENT_DECODE_H

#include <stdint.h>
#include <jansson.h>
#include "family.h"

struct thp_event;
struct kenv;
struct enum_names;

/* The most event kinds of one family. */
#define FAMILY_MAX_EVENTS 16

/* {"ts_ns", "cpu", "pid", "tid", "comm", "family", "event", fields...},
 * the raw enum values named after ENV's kernel. */
json_t *event_to_json(const struct thp_event *e, const struct kenv *env);

/* Events seen, per family and kind. */
struct event_tally {
	uint64_t n[MAX_FAMILIES][FAMILY_MAX_EVENTS];
};

void event_tally_add(struct event_tally *t, const struct thp_event *e);
/* {event name: count} of the kinds seen. */
json_t *event_tally_json(const struct event_tally *t);

/* For the families' decoders: one named field of O. */
void event_set_str(json_t *o, const char *k, const char *v);
void event_set_int(json_t *o, const char *k, long long v);
void event_set_hex(json_t *o, const char *k, unsigned long long v);
void event_set_bool(json_t *o, const char *k, bool v);
/* V named from NAMES (a kernel enum's value names). */
void event_set_enum(json_t *o, const char *k, const struct enum_names *names, long long v);

#endif
