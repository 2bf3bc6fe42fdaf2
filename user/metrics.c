// SPDX-License-Identifier: GPL-2.0
/* Flattening a record into metrics (see metrics.h). Names are dotted and
 * carry the order where there is one: collapse.order9.succeeded. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist_json.h"
#include "json_util.h"
#include "family.h"
#include "metrics.h"

struct metric *metric_add(struct metrics *m, enum metric_kind kind, enum metric_bad bad,
			  double value, const char *fmt, ...)
{
	struct metric *x;
	va_list ap;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct metric *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	x = &m->v[m->n++];
	memset(x, 0, sizeof(*x));
	va_start(ap, fmt);
	vsnprintf(x->name, sizeof(x->name), fmt, ap);
	va_end(ap);
	x->value = value;
	x->kind = kind;
	x->bad = bad;
	return x;
}

void metric_add_timeline(struct metrics *m, enum metric_kind kind, double value,
			 const char *name)
{
	struct metric *x = metric_add(m, kind, BAD_NEITHER, value, "%s", name);

	if (x)
		x->timeline = true;
}

void metric_add_latency(struct metrics *m, const json_t *h, const char *prefix)
{
	double q;

	if (!hist_json_quantile(h, 0.5, &q))
		metric_add(m, MK_LATENCY, BAD_UP, q, "%s.p50_ns", prefix);
	if (!hist_json_quantile(h, 0.99, &q))
		metric_add(m, MK_LATENCY, BAD_UP, q, "%s.p99_ns", prefix);
}

/* Kernel counters where one direction is bad; the rest are informative. */
static enum metric_bad counter_bad(const char *name)
{
	static const char *const up[] = {
		"fallback", "failed", "_fail", "migration_split",
		"exceed_",
	};
	size_t i;

	for (i = 0; i < sizeof(up) / sizeof(up[0]); i++)
		if (strstr(name, up[i]))
			return BAD_UP;
	return BAD_NEITHER;
}

static void counter_metrics(json_t *rec, struct metrics *m)
{
	json_t *v, *st, *n;
	const char *k, *order, *stat;

	json_object_foreach(jget(rec, "counters.vmstat"), k, v) {
		if (json_is_integer(v)) {
			struct metric *x = metric_add(m, MK_COUNTER, counter_bad(k),
					       json_integer_value(v), "vmstat.%s", k);

			/* The THPs faults got, and those they did not. */
			if (x && (!strcmp(k, "thp_fault_alloc") || !strcmp(k, "thp_fault_fallback")))
				x->timeline = true;
		}
		else if (json_is_object(v))
			metric_add(m, MK_GAUGE, BAD_NEITHER, jget_u64(v, "end"), "vmstat.%s", k);
	}
	json_object_foreach(jget(rec, "counters.mthp"), order, st)
		json_object_foreach(st, stat, n)
			if (json_is_integer(n) && strcmp(stat, "size_kb"))
				metric_add(m, MK_COUNTER, counter_bad(stat), json_integer_value(n),
				    "mthp.order%s.%s", order, stat);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct metric *)a)->name, ((const struct metric *)b)->name);
}

static void collect(json_t *record, struct metrics *out, bool timeline_only)
{
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nfamilies; i++)
		if (families[i]->metrics)
			families[i]->metrics(record, out);
	counter_metrics(record, out);
	for (i = 0; timeline_only && i < out->n; i++)
		if (out->v[i].timeline)
			out->v[n++] = out->v[i];
	if (timeline_only)
		out->n = n;
	if (out->n)
		qsort(out->v, out->n, sizeof(out->v[0]), by_name);
}

int metrics_from_record(json_t *record, struct metrics *out)
{
	collect(record, out, false);
	return 0;
}

void metrics_timeline(json_t *record, struct metrics *out)
{
	collect(record, out, true);
}

/* A probe whose name starts with PREFIX attached. */
static bool probe_attached_like(json_t *rec, const char *prefix)
{
	json_t *probes = jget(rec, "probes"), *p;
	const char *k;

	json_object_foreach(probes, k, p)
		if (!strncmp(k, prefix, strlen(prefix)) &&
		    json_is_true(json_object_get(p, "attached")))
			return true;
	return false;
}

bool metric_measured(json_t *record, const char *name)
{
	const struct family_measure *fm;
	size_t i;

	if (!strncmp(name, "vmstat.", 7))
		return jget(record, "counters.vmstat") != NULL;
	if (!strncmp(name, "mthp.order", 10)) {
		char path[64];

		snprintf(path, sizeof(path), "counters.mthp.%d", atoi(name + 10));
		return jget(record, path) != NULL;
	}
	for (i = 0; i < nfamilies; i++)
		for (fm = families[i]->measures; fm && fm->prefix; fm++)
			if (!strncmp(name, fm->prefix, strlen(fm->prefix)))
				return probe_attached_like(record, fm->probe);
	return false;
}

const struct metric *metrics_find(const struct metrics *m, const char *name)
{
	struct metric key;

	snprintf(key.name, sizeof(key.name), "%s", name);
	return m->n ? bsearch(&key, m->v, m->n, sizeof(key), by_name) : NULL;
}

int metrics_union(struct metrics *all, const struct metrics *m)
{
	size_t i = 0, j = 0, n = 0;
	struct metric *v;

	if (!m->n)
		return 0;
	v = malloc((all->n + m->n) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (i < all->n || j < m->n) {
		int c = i == all->n ? 1 : j == m->n ? -1 : strcmp(all->v[i].name, m->v[j].name);

		if (c <= 0) {
			v[n++] = all->v[i++];
			j += !c;
		} else {
			v[n++] = m->v[j++];
		}
	}
	free(all->v);
	all->v = v;
	all->n = all->cap = n;
	return 0;
}

void metrics_free(struct metrics *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

bool timeline_series_is_gauge(const char *name)
{
	const char *const *g;
	size_t i;

	for (i = 0; i < nfamilies; i++)
		for (g = families[i]->timeline_gauges; g && *g; g++)
			if (!strcmp(name, *g))
				return true;
	return false;
}

const char *metric_kind_name(enum metric_kind k)
{
	static const char *const names[] = { "counter", "gauge", "latency", "ratio" };

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}
