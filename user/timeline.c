// SPDX-License-Identifier: GPL-2.0
/* The record's timeline (see timeline.h). */
#include <string.h>
#include "counters.h"
#include "timeline.h"
#include "util.h"

void timeline_init(struct timeline *tl, double interval_s, uint64_t t0, json_t *counters_start)
{
	memset(tl, 0, sizeof(*tl));
	tl->interval_ns = interval_s * 1e9;
	tl->t0 = t0;
	tl->next = t0 + tl->interval_ns;
	tl->counters_start = counters_start;
	tl->t_ns = json_array();
	tl->series = json_object();
}

/* RECORD's counters: NOW since START. */
static void set_counters(json_t *record, json_t *start, json_t *now)
{
	json_object_set_new(record, "counters", counters_delta(start, now));
	json_decref(now);
}

json_t *session_sample(struct session *s, json_t *counters_start)
{
	json_t *rec = json_object();

	session_harvest(s, rec, true);
	set_counters(rec, counters_start, session_counters(s));
	return rec;
}

/* The timeline's metrics now: the families' findings and /proc/vmstat
 * (the only counters it plots), not the probes' state nor the ~150 mTHP
 * stats, and not the metrics it does not plot. */
static void sample(struct timeline *tl, struct session *s, struct metrics *cur)
{
	json_t *rec = json_object();

	session_harvest_families(s, rec);
	set_counters(rec, tl->counters_start, counter_files_vmstat(s->counters));
	metrics_timeline(rec, cur);
	json_decref(rec);
}

/* Append the sample's value of every timeline metric; a series that
 * starts late is padded with zeros. */
static void append(struct timeline *tl, const struct metrics *cur)
{
	size_t i, n = json_array_size(tl->t_ns);

	for (i = 0; i < cur->n; i++) {
		const struct metric *m = &cur->v[i], *p;
		json_t *arr = json_object_get(tl->series, m->name);
		double v = m->value;

		if (!m->timeline)
			continue;
		if (!arr) {
			arr = json_array();
			json_object_set_new(tl->series, m->name, arr);
		}
		while (json_array_size(arr) + 1 < n)
			json_array_append_new(arr, json_integer(0));
		p = metrics_find(&tl->prev, m->name);
		if (m->kind == MK_COUNTER && p)
			v -= p->value;
		json_array_append_new(arr, json_integer((json_int_t)v));
	}
}

void timeline_tick(struct timeline *tl, struct session *s, bool force)
{
	uint64_t now = mono_ns();
	struct metrics cur;

	if (!tl->interval_ns || (!force && now < tl->next))
		return;
	while (tl->next <= now)
		tl->next += tl->interval_ns;
	sample(tl, s, &cur);
	json_array_append_new(tl->t_ns, json_integer(now - tl->t0));
	append(tl, &cur);
	metrics_free(&tl->prev);
	tl->prev = cur;
}

json_t *timeline_take(struct timeline *tl)
{
	json_t *o = json_pack("{s:I, s:o, s:o}", "interval_ns", (json_int_t)tl->interval_ns,
			      "t_ns", tl->t_ns, "series", tl->series);

	metrics_free(&tl->prev);
	tl->t_ns = tl->series = NULL;
	return o;
}
