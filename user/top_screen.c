// SPDX-License-Identifier: GPL-2.0
/* thpscope top's screen: per interval, the events between two samples;
 * per section, what the interval saw, and the total since start. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_util.h"
#include "family.h"
#include "metrics.h"
#include "textbuf.h"
#include "top_pane.h"
#include "top_screen.h"
#include "util.h"

#define TOP_PROCS 5

void pane_line(struct top_pane *p, const char *fmt, ...)
{
	struct screen *s = p->s;
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

void pane_heading(struct top_pane *p, const char *text)
{
	if (p->s->color)
		pane_line(p, "\033[1m%s\033[0m", text);
	else
		pane_line(p, "%s", text);
}

double pane_now(const struct top_pane *v, const char *name)
{
	const struct metric *m = metrics_find(&v->cur, name);

	return m ? m->value : 0;
}

double pane_delta(const struct top_pane *v, const char *name)
{
	const struct metric *m = metrics_find(&v->cur, name);
	const struct metric *p = metrics_find(&v->prev, name);

	if (!m)
		return 0;
	if (m->kind != MK_COUNTER)
		return m->value;
	return m->value - (p ? p->value : 0);
}

bool pane_has(const struct top_pane *v, const char *name)
{
	return metrics_find(&v->cur, name) != NULL;
}

/* The orders that metrics PREFIX<order>.SUFFIX exist for, ascending. */
static size_t orders_of(const struct top_pane *v, const char *prefix, const char *suffix,
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

const char *pane_top_children(const struct top_pane *v, const char *prefix, struct textbuf *tb)
{
	size_t plen = strlen(prefix), i, k;
	const char *best[3] = { 0 };
	double bestv[3] = { 0 };

	for (i = 0; i < v->cur.n; i++) {
		double d;

		if (strncmp(v->cur.v[i].name, prefix, plen))
			continue;
		d = pane_delta(v, v->cur.v[i].name);
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

size_t pane_order_rows(struct top_pane *v, const struct order_rows *r)
{
	struct textbuf row = TEXTBUF_INIT, top = TEXTBUF_INIT;
	char prefix[64], name[128];
	int orders[32];
	size_t n, i, c;

	snprintf(prefix, sizeof(prefix), "%s.order", r->prefix);
	n = orders_of(v, prefix, r->cols[0], orders, 32);
	for (i = 0; i < n; i++) {
		textbuf_reset(&row);
		textbuf_printf(&row, "  order %-3d", orders[i]);
		for (c = 0; c < r->ncols; c++) {
			snprintf(name, sizeof(name), "%s%d.%s", prefix, orders[i], r->cols[c]);
			textbuf_printf(&row, " %*.0f", r->width, pane_delta(v, name));
		}
		snprintf(name, sizeof(name), "%s%d.%s", prefix, orders[i], r->cols[r->total]);
		textbuf_printf(&row, " %9.0f", pane_now(v, name));
		snprintf(name, sizeof(name), "%s%d.%s.", prefix, orders[i], r->children);
		pane_line(v, "%s  %s", textbuf_str(&row), pane_top_children(v, name, &top));
	}
	textbuf_free(&row);
	textbuf_free(&top);
	return n;
}

const char *pane_gauge(const struct top_pane *v, const char *name, char *buf, size_t len)
{
	if (!pane_has(v, name))
		return "-";
	snprintf(buf, len, "%.0f", pane_now(v, name));
	return buf;
}

/* Per process, the interval's counts of each family's process column
 * (collapse attempts, splits, ...). */
struct proc_row {
	long long pid;
	char comm[16];
	double count[MAX_FAMILIES];
	double total;
};

static void proc_add(struct proc_row *rows, size_t *n, size_t max, json_t *p, size_t col,
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

static void process_section(struct top_pane *v)
{
	const struct family_process_column *cols[MAX_FAMILIES];
	struct textbuf text = TEXTBUF_INIT;
	struct proc_row rows[128];
	size_t n = 0, ncols = 0, i, c;
	json_t *p;

	for (i = 0; i < nfamilies; i++)
		if (families[i]->process_column)
			cols[ncols++] = families[i]->process_column;
	for (c = 0; c < ncols; c++) {
		json_array_foreach(jget(v->cur_rec, cols[c]->path), i, p)
			proc_add(rows, &n, ARRAY_SIZE(rows), p, c, 1, cols[c]->field);
		json_array_foreach(jget(v->prev_rec, cols[c]->path), i, p)
			proc_add(rows, &n, ARRAY_SIZE(rows), p, c, -1, cols[c]->field);
	}
	qsort(rows, n, sizeof(rows[0]), by_total);
	textbuf_printf(&text, "PROCESSES     PID  COMM           ");
	for (c = 0; c < ncols; c++)
		textbuf_printf(&text, "  %s", cols[c]->heading);
	pane_heading(v, textbuf_str(&text));
	for (i = 0; i < n && i < TOP_PROCS && rows[i].total > 0; i++) {
		textbuf_reset(&text);
		textbuf_printf(&text, "  %10lld  %-15s", rows[i].pid, rows[i].comm);
		for (c = 0; c < ncols; c++)
			textbuf_printf(&text, " %*.0f", (int)strlen(cols[c]->heading) + 1,
				       rows[i].count[c]);
		pane_line(v, "%s", textbuf_str(&text));
	}
	if (!i)
		pane_line(v, "  none this interval");
	textbuf_free(&text);
}

void screen_build(struct screen *s, const struct top_view *tv, unsigned int width, bool color)
{
	struct top_pane v = { .s = s, .prev_rec = tv->prev, .cur_rec = tv->cur };
	size_t i;

	memset(s, 0, sizeof(*s));
	s->width = width;
	s->color = color;
	metrics_from_record(tv->prev, &v.prev);
	metrics_from_record(tv->cur, &v.cur);
	pane_line(&v, "%s", tv->title);
	pane_line(&v, "events in the last %.1f s; \"total\": since start; q quits", tv->interval_s);
	for (i = 0; i < nfamilies; i++)
		if (families[i]->top)
			families[i]->top(&v);
	process_section(&v);
	pane_line(&v, "THP faults: %.0f allocated, %.0f fell back to small pages",
	     pane_delta(&v, "vmstat.thp_fault_alloc"), pane_delta(&v, "vmstat.thp_fault_fallback"));
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
