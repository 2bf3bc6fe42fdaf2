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
#include "metrics.h"

static struct metric *add(struct metrics *m, enum metric_kind kind, enum metric_bad bad,
			  double value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct metric *add(struct metrics *m, enum metric_kind kind, enum metric_bad bad,
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

static void add_timeline(struct metrics *m, enum metric_kind kind, double value,
			 const char *name)
{
	struct metric *x = add(m, kind, BAD_NEITHER, value, "%s", name);

	if (x)
		x->timeline = true;
}

/* p50 and p99 of the histogram H, named PREFIX.p50_ns / .p99_ns. */
static void add_latency(struct metrics *m, const json_t *h, const char *prefix)
{
	double q;

	if (!hist_json_quantile(h, 0.5, &q))
		add(m, MK_LATENCY, BAD_UP, q, "%s.p50_ns", prefix);
	if (!hist_json_quantile(h, 0.99, &q))
		add(m, MK_LATENCY, BAD_UP, q, "%s.p99_ns", prefix);
}

static double sum_ints(const json_t *o)
{
	const char *k;
	json_t *v;
	double s = 0;

	json_object_foreach((json_t *)o, k, v)
		if (json_is_integer(v))
			s += json_integer_value(v);
	return s;
}

static void collapse_metrics(json_t *rec, struct metrics *m)
{
	json_t *by_order = jget(rec, "collapse.by_order"), *files, *lat, *v;
	double attempts_all = 0, ok_all = 0;
	const char *order, *res;

	json_object_foreach(by_order, order, v) {
		double attempts = sum_ints(v), ok = jget_u64(v, "succeed");
		json_t *n;

		add(m, MK_COUNTER, BAD_NEITHER, attempts, "collapse.order%s.attempts", order);
		add(m, MK_COUNTER, BAD_DOWN, ok, "collapse.order%s.succeeded", order);
		add(m, MK_COUNTER, BAD_UP, attempts - ok, "collapse.order%s.failed", order);
		if (attempts)
			add(m, MK_RATIO, BAD_DOWN, ok / attempts, "collapse.order%s.success_rate",
			    order);
		json_object_foreach(v, res, n)
			if (strcmp(res, "succeed"))
				add(m, MK_COUNTER, BAD_UP, json_integer_value(n),
				    "collapse.order%s.result.%s", order, res);
		attempts_all += attempts;
		ok_all += ok;
	}
	files = jget(rec, "collapse.collapse_file");
	if (files) {
		double attempts = sum_ints(files);
		double ok = jget_u64(files, "succeed") + jget_u64(files, "pte_mapped_hugepage");

		add(m, MK_COUNTER, BAD_NEITHER, attempts, "collapse.file.attempts");
		add(m, MK_COUNTER, BAD_DOWN, ok, "collapse.file.succeeded");
		add(m, MK_COUNTER, BAD_UP, attempts - ok, "collapse.file.failed");
		attempts_all += attempts;
		ok_all += ok;
	}
	if (by_order || files) {
		add_timeline(m, MK_COUNTER, attempts_all, "collapse.attempts");
		add_timeline(m, MK_COUNTER, ok_all, "collapse.succeeded");
	}
	json_object_foreach(jget(rec, "collapse.latency"), order, lat) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "collapse.order%s.latency", order);
		add_latency(m, lat, prefix);
	}
}

/* Split causes that mean a large folio could not be kept. */
static bool fallback_cause(const char *cause)
{
	return !strcmp(cause, "migration_fallback") || !strcmp(cause, "device_migration");
}

static void split_metrics(json_t *rec, struct metrics *m)
{
	json_t *v, *n, *lat;
	const char *order, *k;
	double ok_all = 0, failed_all = 0;
	bool any = false;

	json_object_foreach(jget(rec, "split.by_order"), order, v) {
		double ok = jget_u64(v, "ok"), failed = jget_u64(v, "failed");

		add(m, MK_COUNTER, BAD_NEITHER, ok, "split.order%s.ok", order);
		add(m, MK_COUNTER, BAD_UP, failed, "split.order%s.failed", order);
		json_object_foreach(jget(v, "cause"), k, n)
			add(m, MK_COUNTER, fallback_cause(k) ? BAD_UP : BAD_NEITHER,
			    json_integer_value(n), "split.order%s.cause.%s", order, k);
		ok_all += ok;
		failed_all += failed;
		any = true;
	}
	if (any) {
		add_timeline(m, MK_COUNTER, ok_all, "split.ok");
		add_timeline(m, MK_COUNTER, failed_all, "split.failed");
	}
	if (jget(rec, "split.pmd.total"))
		add_timeline(m, MK_COUNTER, jget_u64(rec, "split.pmd.total"), "split.pmd");
	json_object_foreach(jget(rec, "split.latency"), order, lat) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "split.order%s.latency", order);
		add_latency(m, lat, prefix);
	}
}

static void migration_metrics(json_t *rec, struct metrics *m)
{
	static const struct {
		const char *field;
		enum metric_bad bad;
	} fields[] = {
		{ "calls", BAD_NEITHER }, { "succeeded", BAD_NEITHER }, { "failed", BAD_UP },
		{ "thp_succeeded", BAD_NEITHER }, { "thp_failed", BAD_UP },
		{ "thp_split", BAD_UP }, { "large_folio_split", BAD_UP },
	};
	json_t *by_reason = jget(rec, "migration.by_reason"), *v, *lat;
	const char *reason;
	double fallbacks = 0, moved = 0;
	size_t i;

	if (!json_is_true(jget(rec, "probes.migrate:mm_migrate_pages.attached")))
		return;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct metric *x;
		double total = 0;

		json_object_foreach(by_reason, reason, v)
			total += jget_u64(v, fields[i].field);
		x = add(m, MK_COUNTER, fields[i].bad, total, "migration.%s", fields[i].field);
		if (x && !strcmp(fields[i].field, "calls"))
			x->timeline = true;
		if (!strcmp(fields[i].field, "thp_split") ||
		    !strcmp(fields[i].field, "large_folio_split"))
			fallbacks += total;
		if (!strcmp(fields[i].field, "thp_succeeded"))
			moved += total;
	}
	add_timeline(m, MK_COUNTER, fallbacks, "migration.fallbacks");
	if (moved + fallbacks)
		add(m, MK_RATIO, BAD_UP, fallbacks / (moved + fallbacks),
		    "migration.fallback_rate");
	json_object_foreach(jget(rec, "migration.latency"), reason, lat) {
		char prefix[80];

		snprintf(prefix, sizeof(prefix), "migration.%s.latency", reason);
		add_latency(m, lat, prefix);
	}
}

static void deferred_metrics(json_t *rec, struct metrics *m)
{
	json_t *v;
	const char *order;
	double enq = 0;
	bool any = false;

	json_object_foreach(jget(rec, "deferred.by_order"), order, v) {
		add(m, MK_COUNTER, BAD_NEITHER, jget_u64(v, "enqueued"),
		    "deferred.order%s.enqueued", order);
		add(m, MK_COUNTER, BAD_NEITHER, jget_u64(v, "split_by_shrinker"),
		    "deferred.order%s.split_by_shrinker", order);
		enq += jget_u64(v, "enqueued");
		any = true;
	}
	if (any)
		add_timeline(m, MK_COUNTER, enq, "deferred.enqueued");
	if (jget(rec, "deferred.tracked")) {
		add(m, MK_GAUGE, BAD_UP, jget_u64(rec, "deferred.tracked.depth_max"),
		    "deferred.depth_max");
		add_timeline(m, MK_GAUGE, jget_u64(rec, "deferred.tracked.depth_end"),
			     METRIC_QUEUE_DEPTH);
	}
	if (jget(rec, "deferred.queue_len"))
		add(m, MK_GAUGE, BAD_UP, jget_u64(rec, "deferred.queue_len.max"),
		    "deferred.queue_len_max");
	if (jget(rec, "deferred.shrinker_tp.calls")) {
		add(m, MK_COUNTER, BAD_NEITHER, jget_u64(rec, "deferred.shrinker_tp.calls"),
		    "deferred.shrinker.calls");
		add_timeline(m, MK_COUNTER, jget_u64(rec, "deferred.shrinker_tp.freed"),
			     "deferred.shrinker.split");
		add(m, MK_GAUGE, BAD_UP, jget_u64(rec, "deferred.shrinker_tp.cache_items.max"),
		    "deferred.shrinker.queue_max");
		add_timeline(m, MK_GAUGE, jget_u64(rec, "deferred.shrinker_tp.cache_items.last"),
			     METRIC_SHRINKER_QUEUE);
	}
}

static void device_metrics(json_t *rec, struct metrics *m)
{
	json_t *drv, *dir, *n;
	const char *dname, *dirname, *reason;
	double whole = 0, split = 0, calls = 0, failed = 0;

	json_object_foreach(jget(rec, "migrate_vma.by_driver"), dname, drv)
		json_object_foreach(drv, dirname, dir) {
			calls += jget_u64(dir, "calls");
			whole += jget_u64(dir, "thp_whole");
			split += jget_u64(dir, "thp_split");
			failed += jget_u64(dir, "failed");
		}
	if (!jget(rec, "migrate_vma"))
		return;
	add(m, MK_COUNTER, BAD_NEITHER, calls, "migrate_vma.calls");
	add(m, MK_COUNTER, BAD_UP, failed, "migrate_vma.failed");
	add(m, MK_COUNTER, BAD_DOWN, whole, "migrate_vma.thp_whole");
	add(m, MK_COUNTER, BAD_UP, split, "migrate_vma.thp_split");
	add_timeline(m, MK_COUNTER, whole, "migrate_vma.whole");
	add_timeline(m, MK_COUNTER, split, "migrate_vma.split");
	json_object_foreach(jget(rec, "migrate_vma.fallback_reasons"), reason, n)
		add(m, MK_COUNTER, BAD_UP, json_integer_value(n), "migrate_vma.fallback.%s",
		    reason);
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
			struct metric *x = add(m, MK_COUNTER, counter_bad(k),
					       json_integer_value(v), "vmstat.%s", k);

			/* The THPs faults got, and those they did not. */
			if (x && (!strcmp(k, "thp_fault_alloc") || !strcmp(k, "thp_fault_fallback")))
				x->timeline = true;
		}
		else if (json_is_object(v))
			add(m, MK_GAUGE, BAD_NEITHER, jget_u64(v, "end"), "vmstat.%s", k);
	}
	json_object_foreach(jget(rec, "counters.mthp"), order, st)
		json_object_foreach(st, stat, n)
			if (json_is_integer(n) && strcmp(stat, "size_kb"))
				add(m, MK_COUNTER, counter_bad(stat), json_integer_value(n),
				    "mthp.order%s.%s", order, stat);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct metric *)a)->name, ((const struct metric *)b)->name);
}

int metrics_from_record(json_t *record, struct metrics *out)
{
	memset(out, 0, sizeof(*out));
	collapse_metrics(record, out);
	split_metrics(record, out);
	migration_metrics(record, out);
	deferred_metrics(record, out);
	device_metrics(record, out);
	counter_metrics(record, out);
	if (out->n)
		qsort(out->v, out->n, sizeof(out->v[0]), by_name);
	return 0;
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
	static const struct {
		const char *metric, *probe;
	} by[] = {
		{ "collapse.file.", "collapse:mm_khugepaged_collapse_file" },
		{ "collapse.", "collapse:mm_collapse_huge_page" },
		{ "split.pmd", "split:__split_huge_pmd" },
		{ "split.", "split:" },
		{ "migration.", "migrate:mm_migrate_pages" },
		{ "deferred.shrinker.", "deferred:mm_shrink_slab" },
		{ "deferred.", "deferred:deferred_split" },
		{ "migrate_vma.", "device:migrate_vma_setup" },
	};
	size_t i;

	if (!strncmp(name, "vmstat.", 7))
		return jget(record, "counters.vmstat") != NULL;
	if (!strncmp(name, "mthp.order", 10)) {
		char path[64];

		snprintf(path, sizeof(path), "counters.mthp.%d", atoi(name + 10));
		return jget(record, path) != NULL;
	}
	for (i = 0; i < sizeof(by) / sizeof(by[0]); i++)
		if (!strncmp(name, by[i].metric, strlen(by[i].metric)))
			return probe_attached_like(record, by[i].probe);
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
	return !strcmp(name, METRIC_QUEUE_DEPTH) || !strcmp(name, METRIC_SHRINKER_QUEUE);
}

const char *metric_kind_name(enum metric_kind k)
{
	static const char *const names[] = { "counter", "gauge", "latency", "ratio" };

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}
