/* SPDX-License-Identifier: GPL-2.0 */
/* Self-contained HTML pages (inline CSS and SVG, nothing fetched) of a
 * record, or of a comparison with the two sides side by side. Written
 * atomically; 0 or -1 after printing one line. */
#ifndef THPSCOPE_HTML_H
#define THPSCOPE_HTML_H

#include <stdio.h>
#include <jansson.h>

struct diff;
struct run_set;

int html_write_report(const char *path, json_t *record);
int html_write_diff(const char *path, const struct diff *d, const struct run_set *base,
		    const struct run_set *new);
/* The same pages onto F. */
void html_print_report(FILE *f, json_t *record);
void html_print_diff(FILE *f, const struct diff *d, const struct run_set *base,
		     const struct run_set *new);

/* For the families' charts: a stacked chart of the objects under ROOT
 * (their member SUB when set), each {series: count}, with FIRST (when
 * present) as the first series; ABSENT is said when there is none. */
void html_stacked(FILE *f, json_t *root, const char *sub, const char *first,
		  const char *title, const char *desc, const char *absent);
/* One histogram chart per latency histogram under PATH, titled WHAT. */
void html_latency_charts(FILE *f, json_t *rec, const char *path, const char *what);

#endif
