// SPDX-License-Identifier: GPL-2.0
/* thpscope top's screen: per interval, the events between two samples;
 * per section, what the interval saw, and the total since start. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_util.h"
#include "metrics.h"
#include "textbuf.h"
#include "top_screen.h"
#include "util.h"

#define TOP_PROCS 5

struct view {
	struct screen *s;
	struct metrics prev, cur;
	json_t *prev_rec, *cur_rec;
};

static void line(struct screen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(struct screen *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (s->n == SCREEN_MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strlen(buf) > s->width)
		buf[s->width] = '\0';
	s->lines[s->n++] = strdup(buf);
}

static void heading(struct screen *s, const char *text)
{
	if (s->color)
		line(s, "\033[1m%s\033[0m", text);
	else
		line(s, "%s", text);
}

/* The value of metric NAME now, and in the interval (counters). */
static double now_of(const struct view *v, const char *name)
{
	const struct metric *m = metrics_find(&v->cur, name);

	return m ? m->value : 0;
}

static double delta_of(const struct view *v, const char *name)
{
	const struct metric *m = metrics_find(&v->cur, name);
	const struct metric *p = metrics_find(&v->prev, name);

	if (!m)
		return 0;
	if (m->kind != MK_COUNTER)
		return m->value;
	return m->value - (p ? p->value : 0);
}

static bool has(const struct view *v, const char *name)
{
	return metrics_find(&v->cur, name) != NULL;
}

/* The orders that metrics PREFIX<order>.SUFFIX exist for, ascending. */
static size_t orders_of(const struct view *v, const char *prefix, const char *suffix,
			int *orders, size_t max)
{
	size_t i, n = 0, plen = strlen(prefix);

	for (i = 0; i < v->cur.n && n < max; i++) {
		const char *name = v->cur.v[i].name, *dot;
		int o;

		if (strncmp(name, prefix, plen))
			continue;
		o = atoi(name + plen);
		dot = strchr(name + plen, '.');
		if (!dot || strcmp(dot + 1, suffix))
			continue;
		orders[n++] = o;
	}
	for (i = 1; i < n; i++)
		for (size_t j = i; j > 0 && orders[j - 1] > orders[j]; j--) {
			int t = orders[j];

			orders[j] = orders[j - 1];
			orders[j - 1] = t;
		}
	return n;
}

/* The largest interval counts among metrics PREFIX*, as "name n, ...". */
static const char *top_children(const struct view *v, const char *prefix, struct textbuf *tb)
{
	size_t plen = strlen(prefix), i, k;
	const char *best[3] = { 0 };
	double bestv[3] = { 0 };

	for (i = 0; i < v->cur.n; i++) {
		double d;

		if (strncmp(v->cur.v[i].name, prefix, plen))
			continue;
		d = delta_of(v, v->cur.v[i].name);
		for (k = 0; k < 3; k++) {
			if (d <= bestv[k])
				continue;
			memmove(&best[k + 1], &best[k], (2 - k) * sizeof(best[0]));
			memmove(&bestv[k + 1], &bestv[k], (2 - k) * sizeof(bestv[0]));
			best[k] = v->cur.v[i].name + plen;
			bestv[k] = d;
			break;
		}
	}
	textbuf_reset(tb);
	for (k = 0; k < 3 && best[k]; k++)
		textbuf_printf(tb, "%s%s %.0f", k ? ", " : "", best[k], bestv[k]);
	return textbuf_str(tb);
}

/* The per-order rows of a section: for every order N with metric
 * FAMILY.orderN.COLS[0], the interval's counts of COLS (each WIDTH wide),
 * the total of COLS[TOTAL] since start, and the three commonest of
 * FAMILY.orderN.CHILDREN. Returns the number of rows. */
struct order_rows {
	const char *family;
	const char *const *cols;
	size_t ncols;
	int width;
	size_t total;
	const char *children;
};

static size_t order_rows(struct view *v, const struct order_rows *r)
{
	struct textbuf row = TEXTBUF_INIT, top = TEXTBUF_INIT;
	char prefix[64], name[128];
	int orders[32];
	size_t n, i, c;

	snprintf(prefix, sizeof(prefix), "%s.order", r->family);
	n = orders_of(v, prefix, r->cols[0], orders, 32);
	for (i = 0; i < n; i++) {
		textbuf_reset(&row);
		textbuf_printf(&row, "  order %-3d", orders[i]);
		for (c = 0; c < r->ncols; c++) {
			snprintf(name, sizeof(name), "%s%d.%s", prefix, orders[i], r->cols[c]);
			textbuf_printf(&row, " %*.0f", r->width, delta_of(v, name));
		}
		snprintf(name, sizeof(name), "%s%d.%s", prefix, orders[i], r->cols[r->total]);
		textbuf_printf(&row, " %9.0f", now_of(v, name));
		snprintf(name, sizeof(name), "%s%d.%s.", prefix, orders[i], r->children);
		line(v->s, "%s  %s", textbuf_str(&row), top_children(v, name, &top));
	}
	textbuf_free(&row);
	textbuf_free(&top);
	return n;
}

static void collapse_section(struct view *v)
{
	static const char *const cols[] = { "attempts", "succeeded", "failed" };
	size_t n;

	heading(v->s, "COLLAPSE   attempts      ok    fail   total ok  top failures");
	n = order_rows(v, &(struct order_rows){ "collapse", cols, 3, 7, 1, "result" });
	if (has(v, "collapse.file.attempts"))
		line(v->s, "  file      %7.0f %7.0f %7.0f %9.0f", delta_of(v, "collapse.file.attempts"),
		     delta_of(v, "collapse.file.succeeded"), delta_of(v, "collapse.file.failed"),
		     now_of(v, "collapse.file.succeeded"));
	if (!n && !has(v, "collapse.file.attempts"))
		line(v->s, "  none");
}

static void split_section(struct view *v)
{
	static const char *const cols[] = { "ok", "failed" };
	size_t n;

	heading(v->s, "SPLITS           ok  failed      total  causes");
	n = order_rows(v, &(struct order_rows){ "split", cols, 2, 7, 0, "cause" });
	if (has(v, "split.pmd"))
		line(v->s, "  PMD mappings %5.0f %15.0f", delta_of(v, "split.pmd"),
		     now_of(v, "split.pmd"));
	if (!n && !has(v, "split.pmd"))
		line(v->s, "  per order: not measured here; kernel: thp_split_page %.0f, "
		     "thp_split_pmd %.0f", delta_of(v, "vmstat.thp_split_page"),
		     delta_of(v, "vmstat.thp_split_pmd"));
}

static void migration_section(struct view *v)
{
	heading(v->s, "MIGRATION  calls  pages ok  failed  THP ok  THP split  large split");
	if (!has(v, "migration.calls")) {
		line(v->s, "  not measured");
		return;
	}
	line(v->s, "       %8.0f %9.0f %7.0f %7.0f %10.0f %12.0f", delta_of(v, "migration.calls"),
	     delta_of(v, "migration.succeeded"), delta_of(v, "migration.failed"),
	     delta_of(v, "migration.thp_succeeded"), delta_of(v, "migration.thp_split"),
	     delta_of(v, "migration.large_folio_split"));
}

/* A gauge's level, or "-" when it is not measured here. */
static const char *gauge(const struct view *v, const char *name, char *buf, size_t len)
{
	if (!has(v, name))
		return "-";
	snprintf(buf, len, "%.0f", now_of(v, name));
	return buf;
}

static void deferred_section(struct view *v)
{
	char depth[24], queue[24];

	heading(v->s, "DEFERRED SPLIT  enqueued  depth  shrinker calls  split  queue");
	line(v->s, "  %21.0f %6s %15.0f %6.0f %6s", delta_of(v, "deferred.enqueued"),
	     gauge(v, METRIC_QUEUE_DEPTH, depth, sizeof(depth)), delta_of(v, "deferred.shrinker.calls"),
	     delta_of(v, "deferred.shrinker.split"),
	     gauge(v, METRIC_SHRINKER_QUEUE, queue, sizeof(queue)));
}

static void device_section(struct view *v)
{
	struct textbuf top = TEXTBUF_INIT;

	if (!has(v, "migrate_vma.calls"))
		return;
	heading(v->s, "DEVICE MIGRATION  calls  THP whole  THP split  why split");
	line(v->s, "  %22.0f %10.0f %10.0f  %s", delta_of(v, "migrate_vma.calls"),
	     delta_of(v, "migrate_vma.thp_whole"), delta_of(v, "migrate_vma.thp_split"),
	     top_children(v, "migrate_vma.fallback.", &top));
	textbuf_free(&top);
}

/* Per process, the interval's collapse attempts, splits and migrations. */
enum { COL_COLLAPSE, COL_SPLITS, COL_MIGRATIONS, NCOLS };

struct proc_row {
	long long pid;
	char comm[16];
	double count[NCOLS];
	double total;
};

static void proc_add(struct proc_row *rows, size_t *n, size_t max, json_t *p, int col,
		     double sign, const char *field)
{
	long long pid = json_integer_value(json_object_get(p, "pid"));
	double v = sign * json_integer_value(json_object_get(p, field));
	size_t i;

	for (i = 0; i < *n && rows[i].pid != pid; i++)
		;
	if (i == *n) {
		if (*n == max)
			return;
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].pid = pid;
		snprintf(rows[i].comm, sizeof(rows[i].comm), "%s",
			 json_string_value(json_object_get(p, "comm")) ?: "?");
		(*n)++;
	}
	rows[i].count[col] += v;
	rows[i].total += v;
}

static int by_total(const void *a, const void *b)
{
	double d = ((const struct proc_row *)b)->total - ((const struct proc_row *)a)->total;

	return (d > 0) - (d < 0);
}

static void process_section(struct view *v)
{
	static const struct {
		const char *list, *field;
	} cols[NCOLS] = {
		[COL_COLLAPSE] = { "collapse.processes", "attempts" },
		[COL_SPLITS] = { "split.processes", "splits" },
		[COL_MIGRATIONS] = { "migration.processes", "calls" },
	};
	struct proc_row rows[128];
	size_t n = 0, i, c;
	json_t *p;

	for (c = 0; c < ARRAY_SIZE(cols); c++) {
		json_array_foreach(jget(v->cur_rec, cols[c].list), i, p)
			proc_add(rows, &n, ARRAY_SIZE(rows), p, c, 1, cols[c].field);
		json_array_foreach(jget(v->prev_rec, cols[c].list), i, p)
			proc_add(rows, &n, ARRAY_SIZE(rows), p, c, -1, cols[c].field);
	}
	qsort(rows, n, sizeof(rows[0]), by_total);
	heading(v->s, "PROCESSES     PID  COMM             collapses  splits  migrations");
	for (i = 0; i < n && i < TOP_PROCS && rows[i].total > 0; i++)
		line(v->s, "  %10lld  %-15s %10.0f %7.0f %11.0f", rows[i].pid, rows[i].comm,
		     rows[i].count[COL_COLLAPSE], rows[i].count[COL_SPLITS],
		     rows[i].count[COL_MIGRATIONS]);
	if (!i)
		line(v->s, "  none this interval");
}

void screen_build(struct screen *s, const struct top_view *tv, unsigned int width, bool color)
{
	struct view v = { .s = s, .prev_rec = tv->prev, .cur_rec = tv->cur };

	memset(s, 0, sizeof(*s));
	s->width = width;
	s->color = color;
	metrics_from_record(tv->prev, &v.prev);
	metrics_from_record(tv->cur, &v.cur);
	line(s, "%s", tv->title);
	line(s, "events in the last %.1f s; \"total\": since start; q quits", tv->interval_s);
	collapse_section(&v);
	split_section(&v);
	migration_section(&v);
	deferred_section(&v);
	device_section(&v);
	process_section(&v);
	line(s, "THP faults: %.0f allocated, %.0f fell back to small pages",
	     delta_of(&v, "vmstat.thp_fault_alloc"), delta_of(&v, "vmstat.thp_fault_fallback"));
	metrics_free(&v.prev);
	metrics_free(&v.cur);
}

void screen_print(const struct screen *s, FILE *out, unsigned int height, bool erase)
{
	size_t i;

	for (i = 0; i < s->n && (!height || i < height); i++)
		fprintf(out, "%s%s\n", s->lines[i], erase ? "\033[K" : "");
}

void screen_free(struct screen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->lines[i]);
	s->n = 0;
}
