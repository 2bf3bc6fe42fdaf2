/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inline SVG charts for the HTML pages, each a <figure> with a title and
 * a description for screen readers and a data table as its text
 * alternative. No script, no external resource.
 */
#ifndef THPSCOPE_SVG_H
#define THPSCOPE_SVG_H

#include <stddef.h>
#include <stdio.h>

#define SVG_MAX_SERIES 16

/* Rows of stacked segments: ROWS x SERIES values, row-major. */
struct stacked {
	const char *title, *desc;
	const char *const *rows;
	size_t nrows;
	const char *const *series;
	size_t nseries;
	const double *v;
};

struct columns {
	const char *title, *desc, *unit;
	const char *const *labels;
	const double *v;
	size_t n;
};

struct lines {
	const char *title, *desc, *x_unit;
	const double *x;		/* n points */
	size_t n;
	const char *const *series;
	size_t nseries;
	const double *const *y;		/* nseries arrays of n */
};

/* Rows of two lanes (two sides of a comparison): each run's value a dot,
 * on the row's own scale from 0 to its largest value. */
struct strips {
	const char *title, *desc;
	const char *const *rows;
	size_t nrows;
	const char *side[2];
	const double *const *v[2];	/* per side, NROWS arrays of n[side][row] */
	const size_t *n[2];
};

void svg_stacked(FILE *f, const struct stacked *c);
void svg_strips(FILE *f, const struct strips *c);
void svg_columns(FILE *f, const struct columns *c);
void svg_lines(FILE *f, const struct lines *c);
/* TEXT with &, <, > and " escaped. */
void html_escape(FILE *f, const char *text);

#endif
