/* SPDX-License-Identifier: GPL-2.0 */
/* The screen of thpscope top, built from two samples of the session (the
 * previous interval's and this one's) as lines no wider than the
 * terminal. */
#ifndef THPSCOPE_TOP_SCREEN_H
#define THPSCOPE_TOP_SCREEN_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#define SCREEN_MAX_LINES 200

struct screen {
	char *lines[SCREEN_MAX_LINES];
	size_t n;
	unsigned int width;
	bool color;	/* ANSI bold for headings */
};

struct top_view {
	const char *title;	/* first line: kernel, interval, probes, filter */
	double interval_s;	/* the time between the samples */
	json_t *prev, *cur;	/* session samples (timeline.h) */
};

/* Build the screen of V into S (WIDTH columns). */
void screen_build(struct screen *s, const struct top_view *v, unsigned int width, bool color);
/* Print at most HEIGHT lines (0: all), with ERASE each ending by an
 * erase-to-end-of-line, for redrawing in place. */
void screen_print(const struct screen *s, FILE *out, unsigned int height, bool erase);
void screen_free(struct screen *s);

#endif
