/* SPDX-License-Identifier: GPL-2.0 */
/* Streamed events (bpf/trace.h) decoded into named fields. */
#ifndef THPSCOPE_EVENT_DECODE_H
#define THPSCOPE_EVENT_DECODE_H

#include <jansson.h>

struct thp_event;
struct kenv;

/* Names of the families' raw values, for streamed events. */
const char *deferred_field_name(unsigned int field);
const char *device_direction_name(unsigned int dir);
const char *split_kind_name(unsigned int kind);

/* The family an event kind belongs to, and the event's name. */
const char *event_family(unsigned int kind);
const char *event_name(unsigned int kind);
/* {"ts_ns", "cpu", "pid", "tid", "comm", "family", "event", fields...},
 * the raw enum values named after ENV's kernel. */
json_t *event_to_json(const struct thp_event *e, const struct kenv *env);

#endif
