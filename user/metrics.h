/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A record seen as flat metrics: one number per name, with what kind of
 * number it is and which way is bad. top shows them per interval, record
 * samples them into its timeline, diff compares them between runs.
 */
#ifndef THPSCOPE_METRICS_H
#define THPSCOPE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum metric_kind {
	MK_COUNTER,	/* events over the recording */
	MK_GAUGE,	/* a level: queue depth, the largest queue seen */
	MK_LATENCY,	/* a latency percentile, ns */
	MK_RATIO,	/* per unit of work: successes per attempt, ... */
};

/* The direction in which a change is a regression. */
enum metric_bad {
	BAD_NEITHER,
	BAD_UP,		/* more fallbacks, failures, latency, depth */
	BAD_DOWN,	/* fewer successes for the same work */
};

struct metric {
	char name[96];
	double value;
	enum metric_kind kind;
	enum metric_bad bad;
	bool timeline;	/* sampled into record's timeline */
};

struct metrics {
	struct metric *v;
	size_t n, cap;
};

/* Timeline series NAME holds levels, not per-interval counts: a family
 * names it among its timeline_gauges. */
bool timeline_series_is_gauge(const char *name);

/* Add a metric named by FMT to M; NULL when out of memory. */
struct metric *metric_add(struct metrics *m, enum metric_kind kind, enum metric_bad bad,
			  double value, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Add metric NAME, sampled into record's timeline. */
void metric_add_timeline(struct metrics *m, enum metric_kind kind, double value,
			 const char *name);
/* p50 and p99 of the latency histogram H, named PREFIX.p50_ns / .p99_ns. */
void metric_add_latency(struct metrics *m, const json_t *h, const char *prefix);

/* Every metric RECORD holds, sorted by name. Returns 0 or -ENOMEM. */
int metrics_from_record(json_t *record, struct metrics *out);
/* Only its timeline metrics, sorted by name. */
void metrics_timeline(json_t *record, struct metrics *out);
const struct metric *metrics_find(const struct metrics *m, const char *name);
/* Add to ALL the metrics of M it lacks; both are sorted by name, as
 * metrics_from_record leaves them, and ALL stays so. 0 or -ENOMEM. */
int metrics_union(struct metrics *all, const struct metrics *m);
/* RECORD measured counter NAME (its probes attached) even if it holds
 * none: an absent counter then means zero events. */
bool metric_measured(json_t *record, const char *name);
void metrics_free(struct metrics *m);
const char *metric_kind_name(enum metric_kind k);

#endif
