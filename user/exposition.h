/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus exposition of a record: metric families with HELP and
 * TYPE, samples with labels, written as the Prometheus text format 0.0.4
 * or as OpenMetrics 1.0. serve writes it per scrape and report
 * --openmetrics/--prometheus per record; each family adds its own
 * metrics (family.h's expose hook), this file names none.
 *
 * Names follow Prometheus's conventions: the thpscope_ prefix, base units
 * (seconds, bytes), counters named without _total (added to the samples),
 * histograms in seconds. Label values come from records, which may come
 * from anywhere, and are escaped; label names are the callers' constants.
 */
#ifndef THPSCOPE_EXPOSITION_H
#define THPSCOPE_EXPOSITION_H

#include <stdbool.h>
#include <jansson.h>
#include "textbuf.h"

enum expo_format {
	EXPO_TEXT,		/* text/plain; version=0.0.4 */
	EXPO_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
};

struct expo;

struct expo *expo_new(void);
void expo_free(struct expo *x);

/*
 * Add a sample to the metric family NAME (declared by its first sample,
 * with HELP). The variadic arguments are label name/value pairs ending
 * with NULL; a NULL value leaves its label out. Counters are named
 * without _total.
 */
void expo_counter(struct expo *x, const char *name, const char *help, double v, ...)
	__attribute__((sentinel));
void expo_gauge(struct expo *x, const char *name, const char *help, double v, ...)
	__attribute__((sentinel));
/* The integers of OBJ whose keys are in KEYS (NULL-ended; NULL: every
 * key), as samples of counter NAME labelled LABEL="key", with the label
 * pairs that follow. */
void expo_counters_of(struct expo *x, const char *name, const char *help, json_t *obj,
		      const char *const *keys, const char *label, ...) __attribute__((sentinel));

/* A value of a record: a counter or a gauge NAME at PATH. */
struct expo_value {
	const char *name;
	const char *help;
	const char *path;
	bool gauge;
};

/* The values of V (N of them) that RECORD holds, without labels. */
void expo_values(struct expo *x, json_t *record, const struct expo_value *v, size_t n);

/* A histogram in seconds (NAME ends in _seconds) of the record's log2
 * histogram H of nanoseconds (hist_json.h), over fixed bucket bounds, so
 * that every scrape has the same series. */
void expo_histogram_ns(struct expo *x, const char *name, const char *help, const json_t *h, ...)
	__attribute__((sentinel));

/* Add label NAME="VALUE" to every sample added from now on (NAME NULL:
 * no more). */
void expo_set_label(struct expo *x, const char *name, const char *value);

/* Write X in format F to OUT. False when memory ran out (OUT unusable). */
bool expo_write(const struct expo *x, enum expo_format f, struct textbuf *out);

/* The format an HTTP Accept header asks for: OpenMetrics when it is
 * preferred to the text format, the text format otherwise. */
enum expo_format expo_negotiate(const char *accept);
const char *expo_content_type(enum expo_format f);

/* Everything RECORD holds, as metrics: each family's, the kernel's own
 * THP counters, the probes, the build. */
void expo_record(struct expo *x, json_t *record);

#endif
