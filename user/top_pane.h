/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of top's screen being built, for the families' sections: the
 * metrics of the previous and of this sample, and lines to add.
 */
#ifndef THPSCOPE_TOP_PANE_H
#define THPSCOPE_TOP_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "metrics.h"
#include "textbuf.h"

struct screen;

struct top_pane {
	struct screen *s;
	struct metrics prev, cur;
	json_t *prev_rec, *cur_rec;
};

/* A line, cut at the screen's width; a heading is bold on a terminal. */
void pane_line(struct top_pane *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pane_heading(struct top_pane *p, const char *text);
/* The value of metric NAME now; in the interval (counters; the level of
 * anything else); whether it is measured at all. */
double pane_now(const struct top_pane *p, const char *name);
double pane_delta(const struct top_pane *p, const char *name);
bool pane_has(const struct top_pane *p, const char *name);
/* The largest interval counts among metrics PREFIX*, as "name n, ...". */
const char *pane_top_children(const struct top_pane *p, const char *prefix, struct textbuf *tb);
/* A gauge's level, or "-" when it is not measured here. */
const char *pane_gauge(const struct top_pane *p, const char *name, char *buf, size_t len);

/* The per-order rows of a section: for every order N with metric
 * PREFIX.orderN.COLS[0], the interval's counts of COLS (each WIDTH wide),
 * the total of COLS[TOTAL] since start, and the three commonest of
 * PREFIX.orderN.CHILDREN. Returns the number of rows. */
struct order_rows {
	const char *prefix;
	const char *const *cols;
	size_t ncols;
	int width;
	size_t total;
	const char *children;
};

size_t pane_order_rows(struct top_pane *p, const struct order_rows *r);

#endif
