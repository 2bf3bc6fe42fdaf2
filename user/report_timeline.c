// SPDX-License-Identifier: GPL-2.0
/* The report's timeline table: the record's samples, merged into at most
 * TIMELINE_ROWS rows (counters summed, gauges at the row's last sample),
 * the series that saw anything, at most TIMELINE_COLS of them. */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "json_util.h"
#include "metrics.h"
#include "table.h"
#include "textbuf.h"

#define TIMELINE_ROWS 15
#define TIMELINE_COLS 6

static bool any_nonzero(json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_integer_value(v))
			return true;
	return false;
}

void report_timeline(FILE *out, json_t *rec)
{
	json_t *t = jget(rec, "timeline.t_ns"), *series = jget(rec, "timeline.series"), *arr;
	struct textbuf line = TEXTBUF_INIT;
	const char *names[TIMELINE_COLS], *k;
	size_t n = json_array_size(t), ns = 0, per_row, row, i, s;
	char title[96], when[32], prev[32] = "";
	struct table *tab;

	json_object_foreach(series, k, arr)
		if (ns < TIMELINE_COLS && any_nonzero(arr))
			names[ns++] = k;
	if (n < 2 || !ns)
		return;
	textbuf_printf(&line, "T (s)");
	for (s = 0; s < ns; s++)
		textbuf_printf(&line, "\t%s", names[s]);
	tab = table_new(textbuf_str(&line));
	per_row = (n + TIMELINE_ROWS - 1) / TIMELINE_ROWS;
	for (row = 0; row * per_row < n; row++) {
		size_t last = (row + 1) * per_row < n ? (row + 1) * per_row - 1 : n - 1;
		double end = json_integer_value(json_array_get(t, last)) / 1e9;

		textbuf_reset(&line);
		/* A row ends at its last sample; the record's last, cut short
		 * by the end, may round to its predecessor's tenth. */
		snprintf(when, sizeof(when), "%.1f", end);
		if (!strcmp(when, prev))
			snprintf(when, sizeof(when), "%.2f", end);
		snprintf(prev, sizeof(prev), "%s", when);
		textbuf_printf(&line, "%s", when);
		for (s = 0; s < ns; s++) {
			json_t *a = json_object_get(series, names[s]);
			long long v = 0;

			/* A counter sums the row's samples (record_check bounds
			 * their sum), a gauge is its last level. */
			for (i = timeline_series_is_gauge(names[s]) ? last : row * per_row; i <= last; i++)
				v += json_integer_value(json_array_get(a, i));
			textbuf_printf(&line, "\t%lld", v);
		}
		table_add(tab, "%s", textbuf_str(&line));
	}
	snprintf(title, sizeof(title), "Timeline (rows of %.1f s; counters: events, gauges: level)",
		 per_row * (double)jget_u64(rec, "timeline.interval_ns") / 1e9);
	table_print(tab, out, title, "record samples");
	table_free(tab);
	textbuf_free(&line);
}
