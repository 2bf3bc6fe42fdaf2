// SPDX-License-Identifier: GPL-2.0
/* The HTML pages (see html.h): per record, each family's charts and the
 * timeline of rates and levels. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "family.h"
#include "html.h"
#include "json_util.h"
#include "metrics.h"
#include "svg.h"
#include "util.h"

#define MAX_ROWS 32
#define MAX_COLS 64

static const char style[] =
"<style>\n"
"body{font:14px sans-serif;margin:1.5em;color:#222;background:#fff}\n"
"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}\n"
"figure.chart{margin:1em 0}figcaption{font-size:.85em;color:#555}\n"
"svg text{font:12px sans-serif;fill:#222}\n"
"table{border-collapse:collapse;font-size:.9em}td,th{padding:2px 8px;text-align:right}\n"
"th:first-child{text-align:left}tr:nth-child(even){background:#f3f3f3}\n"
".sides{display:grid;grid-template-columns:1fr 1fr;gap:2em}\n"
".regression{color:#b00;font-weight:bold}.improved{color:#070}\n"
".none{color:#777;font-style:italic}\n"
"</style>\n";

static void page_start(FILE *f, const char *title)
{
	/* The policy forbids every fetch: the page stands alone. */
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>", f);
	html_escape(f, title);
	fprintf(f, "</title>\n%s</head>\n<body>\n<h1>", style);
	html_escape(f, title);
	fputs("</h1>\n", f);
}

static void none(FILE *f, const char *what)
{
	fputs("<p class=\"none\">", f);
	html_escape(f, what);
	fputs("</p>\n", f);
}

/* Index of NAME in NAMES (added when absent), or -1 when full. */
static int slot(const char **names, size_t *n, size_t max, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return i;
	if (*n == max)
		return -1;
	names[*n] = name;
	return (*n)++;
}

void html_stacked(FILE *f, json_t *root, const char *sub, const char *first,
			 const char *title, const char *desc, const char *absent)
{
	const char *rows[MAX_ROWS], *series[MAX_COLS], *k, *sk;
	char labels[MAX_ROWS][40];
	double v[MAX_ROWS * MAX_COLS] = { 0 };
	size_t nr = 0, ns = 0;
	json_t *row, *cell;

	if (first)
		series[ns++] = first;
	json_object_foreach(root, k, row) {
		json_t *obj = sub ? json_object_get(row, sub) : row;

		if (!json_is_object(obj) || nr == MAX_ROWS)
			continue;
		json_object_foreach(obj, sk, cell) {
			int s = json_is_integer(cell) ? slot(series, &ns, MAX_COLS, sk) : -1;

			if (s >= 0)
				v[nr * MAX_COLS + s] += json_integer_value(cell);
		}
		snprintf(labels[nr], sizeof(labels[nr]), "%s%s", isdigit((unsigned char)k[0]) ?
			 "order " : "", k);
		rows[nr] = labels[nr];
		nr++;
	}
	if (!nr) {
		none(f, absent);
		return;
	}
	/* Compact the row-major matrix to NS columns. */
	for (size_t r = 0; r < nr; r++)
		memmove(&v[r * ns], &v[r * MAX_COLS], ns * sizeof(v[0]));
	svg_stacked(f, &(struct stacked){ .title = title, .desc = desc, .rows = rows,
					   .nrows = nr, .series = series, .nseries = ns, .v = v });
}

static void bucket_label(double lo, char *buf, size_t len)
{
	if (lo >= 1e9)
		snprintf(buf, len, "%.0fs", lo / 1e9);
	else if (lo >= 1e6)
		snprintf(buf, len, "%.0fms", lo / 1e6);
	else if (lo >= 1e3)
		snprintf(buf, len, "%.0fus", lo / 1e3);
	else
		snprintf(buf, len, "%.0fns", lo);
}

void html_latency_charts(FILE *f, json_t *rec, const char *path, const char *what)
{
	const char *k;
	json_t *h;

	json_object_foreach(jget(rec, path), k, h) {
		json_t *buckets = json_object_get(h, "buckets"), *b;
		const char *labels[64];
		char text[64][16], title[128], desc[256];
		double v[64];
		size_t i, n = 0;

		json_array_foreach(buckets, i, b) {
			if (n == 64)
				break;
			bucket_label(jget_u64(b, "lo"), text[n], sizeof(text[n]));
			labels[n] = text[n];
			v[n++] = jget_u64(b, "count");
		}
		if (!n)
			continue;
		snprintf(title, sizeof(title), "%s latency, %s", what, k);
		snprintf(desc, sizeof(desc), "Histogram of %llu %s latencies (%s) in log2 buckets, "
			 "labelled by their lower bound.", (unsigned long long)jget_u64(h, "count"),
			 what, k);
		svg_columns(f, &(struct columns){ .title = title, .desc = desc,
						   .unit = "latency (bucket start)", .labels = labels,
						   .v = v, .n = n });
	}
}

/* The timeline's series of KIND (gauges or counters) in one chart. */
static void timeline_chart(FILE *f, json_t *rec, bool gauges)
{
	json_t *t = jget(rec, "timeline.t_ns"), *series = jget(rec, "timeline.series"), *arr;
	const char *names[SVG_MAX_SERIES], *k;
	double *ys[SVG_MAX_SERIES], *x;
	size_t n = json_array_size(t), ns = 0, i;

	if (n < 2) {
		if (!gauges)
			none(f, "Timeline: fewer than two samples (record longer, or with a shorter -i).");
		return;
	}
	x = calloc(n, sizeof(*x));
	if (!x)
		return;
	for (i = 0; i < n; i++)
		x[i] = json_integer_value(json_array_get(t, i)) / 1e9;
	json_object_foreach(series, k, arr) {
		if (timeline_series_is_gauge(k) != gauges || ns == SVG_MAX_SERIES)
			continue;
		ys[ns] = calloc(n, sizeof(double));
		if (!ys[ns])
			break;
		for (i = 0; i < n && i < json_array_size(arr); i++)
			ys[ns][i] = json_integer_value(json_array_get(arr, i));
		names[ns++] = k;
	}
	if (ns)
		svg_lines(f, &(struct lines){
			.title = gauges ? "Levels over time" :
					  "Events per interval over time",
			.desc = gauges ? "Lines of the levels (queue depths) at each sample." :
					 "Lines of the main counters' events in each sampling interval.",
			.x_unit = "s", .x = x, .n = n, .series = names, .nseries = ns,
			.y = (const double *const *)ys });
	for (i = 0; i < ns; i++)
		free(ys[i]);
	free(x);
}

static void record_charts(FILE *f, json_t *rec)
{
	size_t i;

	for (i = 0; i < nfamilies; i++)
		if (families[i]->html)
			families[i]->html(f, rec);
	fputs("<h2>Timeline</h2>\n", f);
	timeline_chart(f, rec, false);
	timeline_chart(f, rec, true);
}

static void record_header(FILE *f, json_t *rec)
{
	json_t *argv = jget(rec, "command.argv"), *a;
	size_t i;

	fputs("<p>Kernel ", f);
	html_escape(f, json_string_value(jget(rec, "kernel.release")));
	fprintf(f, ", started ");
	html_escape(f, json_string_value(jget(rec, "start_time")));
	fprintf(f, ", %.2f s", jget_u64(rec, "duration_ns") / 1e9);
	if (argv) {
		fputs(", command <code>", f);
		json_array_foreach(argv, i, a) {
			html_escape(f, json_string_value(a));
			fputc(' ', f);
		}
		fputs("</code>", f);
	}
	fputs(".</p>\n", f);
}

/* Write the page that FN prints to PATH, atomically. */
static int write_page(const char *path, void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f) {
		errorf("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fn(f, arg);
	fclose(f);
	err = file_write_atomic(path, buf, len, false);
	free(buf);
	if (err) {
		errorf("cannot write %s: %s", path, strerror(-err));
		return -1;
	}
	return 0;
}

void html_print_report(FILE *f, json_t *record)
{
	page_start(f, "thpscope record");
	record_header(f, record);
	record_charts(f, record);
	fputs("</body>\n</html>\n", f);
}

static void report_page(FILE *f, const void *arg)
{
	html_print_report(f, (json_t *)arg);
}

int html_write_report(const char *path, json_t *record)
{
	return write_page(path, report_page, record);
}

struct diff_page {
	const struct diff *d;
	const struct run_set *b, *n;
};

static bool changed(const struct metric_cmp *m)
{
	return m->verdict != V_SAME && m->verdict != V_ONE_SIDE;
}

static void diff_table(FILE *f, const struct diff *d)
{
	size_t i;

	fputs("<h2>Metrics that changed</h2>\n<table>\n<tr><th>metric</th><th>base</th>"
	      "<th>new</th><th>change</th><th>rule</th><th>verdict</th></tr>\n", f);
	for (i = 0; i < d->n; i++) {
		const struct metric_cmp *m = &d->m[i];

		if (!changed(m))
			continue;
		fputs("<tr><th>", f);
		html_escape(f, m->name);
		fprintf(f, "</th><td>%.2f</td><td>%.2f</td><td>", m->base, m->new);
		if (m->base)
			fprintf(f, "%+.1f%%", m->rel * 100);
		else
			fprintf(f, "%+.2f", m->abs);
		fprintf(f, "</td><td>%s</td><td class=\"%s\">%s</td></tr>\n", rule_name(m->rule),
			verdict_name(m->verdict), verdict_name(m->verdict));
	}
	fputs("</table>\n", f);
}

/* Every run's value of the metrics that changed: the spread a verdict
 * rests on, which the side-by-side charts (first runs) cannot show. */
static void runs_chart(FILE *f, const struct diff *d)
{
	const char *rows[MAX_ROWS];
	const double *v[2][MAX_ROWS];
	size_t n[2][MAX_ROWS], nrows = 0, i;
	struct strips c = {
		.title = "Each run of the metrics that changed",
		.desc = "Per metric, one dot per run of the base and of the new side, on a "
			"scale from 0 to the metric's largest value.",
		.rows = rows, .side = { "base", "new" },
		.v = { v[0], v[1] }, .n = { n[0], n[1] },
	};

	for (i = 0; i < d->n && nrows < MAX_ROWS; i++) {
		const struct metric_cmp *m = &d->m[i];

		if (!changed(m))
			continue;
		rows[nrows] = m->name;
		v[0][nrows] = m->bv;
		v[1][nrows] = m->nv;
		n[0][nrows] = m->nb;
		n[1][nrows] = m->nn;
		nrows++;
	}
	c.nrows = nrows;
	if (nrows)
		svg_strips(f, &c);
}

void html_print_diff(FILE *f, const struct diff *d, const struct run_set *base,
		     const struct run_set *new)
{
	size_t i;

	page_start(f, "thpscope diff");
	fprintf(f, "<p>%zu regression%s. Base: %zu run%s; new: %zu run%s. The chart of the "
		"metrics that changed shows every run; the charts side by side show each "
		"side's first run.</p>\n", d->regressions, d->regressions == 1 ? "" : "s",
		base->n, base->n == 1 ? "" : "s", new->n, new->n == 1 ? "" : "s");
	if (d->ncfg) {
		fputs("<h2>Configuration differences</h2>\n<table>\n<tr><th>setting</th>"
		      "<th>base</th><th>new</th></tr>\n", f);
		for (i = 0; i < d->ncfg; i++) {
			fputs("<tr><th>", f);
			html_escape(f, d->cfg[i].key);
			fputs("</th><td>", f);
			html_escape(f, d->cfg[i].base);
			fputs("</td><td>", f);
			html_escape(f, d->cfg[i].new);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	diff_table(f, d);
	runs_chart(f, d);
	fputs("<div class=\"sides\">\n<section>\n<h2>Base</h2>\n", f);
	record_header(f, base->recs[0]);
	record_charts(f, base->recs[0]);
	fputs("</section>\n<section>\n<h2>New</h2>\n", f);
	record_header(f, new->recs[0]);
	record_charts(f, new->recs[0]);
	fputs("</section>\n</div>\n</body>\n</html>\n", f);
}

static void diff_page(FILE *f, const void *arg)
{
	const struct diff_page *p = arg;

	html_print_diff(f, p->d, p->b, p->n);
}

int html_write_diff(const char *path, const struct diff *d, const struct run_set *base,
		    const struct run_set *new)
{
	struct diff_page p = { d, base, new };

	return write_page(path, diff_page, &p);
}
