/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record's timeline: at every interval what it plots is read (the
 * families' maps and /proc/vmstat, not the probes' state nor the mTHP
 * stats) into a sample record, flattened into its metrics (metrics.h),
 * and kept: counters as the events of that interval, gauges as their
 * level at its end.
 */
#ifndef THPSCOPE_TIMELINE_H
#define THPSCOPE_TIMELINE_H

#include <stdint.h>
#include <jansson.h>
#include "metrics.h"
#include "session.h"

struct timeline {
	uint64_t interval_ns;
	uint64_t t0, next;	/* CLOCK_MONOTONIC ns */
	json_t *counters_start;	/* borrowed */
	json_t *t_ns;		/* sample times since t0 */
	json_t *series;		/* name -> [value per interval] */
	struct metrics prev;
};

void timeline_init(struct timeline *tl, double interval_s, uint64_t t0, json_t *counters_start);
/* What the session has seen so far, as a record: the families' maps and
 * the kernel counters since COUNTERS_START. */
json_t *session_sample(struct session *s, json_t *counters_start);
/* Take a sample when its time has come (or now with FORCE). */
void timeline_tick(struct timeline *tl, struct session *s, bool force);
/* {"interval_ns", "t_ns": [...], "series": {name: [...]}}; the timeline
 * is emptied. */
json_t *timeline_take(struct timeline *tl);

#endif
