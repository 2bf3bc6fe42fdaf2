// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"

#define MAX_COLS 16

struct table {
	char **rows;	/* row 0 is the header */
	size_t n;
};

struct table *table_new(const char *header)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t)
		table_add(t, "%s", header);
	return t;
}

void table_add(struct table *t, const char *fmt, ...)
{
	char **rows = realloc(t->rows, (t->n + 1) * sizeof(*rows));
	va_list ap;

	if (!rows)
		return;
	t->rows = rows;
	va_start(ap, fmt);
	if (vasprintf(&t->rows[t->n], fmt, ap) >= 0)
		t->n++;
	va_end(ap);
}

size_t table_rows(const struct table *t)
{
	return t->n ? t->n - 1 : 0;
}

static int split(char *row, char **cells)
{
	int n = 0;
	char *tok, *save;

	for (tok = strtok_r(row, "\t", &save); tok && n < MAX_COLS;
	     tok = strtok_r(NULL, "\t", &save))
		cells[n++] = tok;
	return n;
}

static bool numeric(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (*s && (isdigit((unsigned char)*s) || strchr(".%kKMGnuµms ", *s)))
		s++;
	return !*s;
}

void table_print(struct table *t, FILE *out, const char *title, const char *via)
{
	size_t width[MAX_COLS] = { 0 }, r;
	bool right[MAX_COLS];
	char *cells[MAX_COLS];
	int c, n;

	if (!table_rows(t))
		return;
	/* A column whose data cells are all numbers aligns right, header too. */
	for (c = 0; c < MAX_COLS; c++)
		right[c] = true;
	for (r = 0; r < t->n; r++) {
		char *copy = strdup(t->rows[r]);

		n = split(copy, cells);
		for (c = 0; c < n; c++) {
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
			if (r > 0 && !numeric(cells[c]))
				right[c] = false;
		}
		free(copy);
	}
	fprintf(out, "\n%s", title);
	if (via && *via)
		fprintf(out, "  [%s]", via);
	fputc('\n', out);
	for (r = 0; r < t->n; r++) {
		char *copy = strdup(t->rows[r]);

		n = split(copy, cells);
		fputs("  ", out);
		for (c = 0; c < n; c++) {
			int w = c < n - 1 || right[c] ? (int)width[c] : 0;

			fprintf(out, right[c] ? "%*s" : "%-*s", w, cells[c]);
			if (c < n - 1)
				fputs("  ", out);
		}
		fputc('\n', out);
		free(copy);
	}
}

void table_free(struct table *t)
{
	size_t r;

	if (!t)
		return;
	for (r = 0; r < t->n; r++)
		free(t->rows[r]);
	free(t->rows);
	free(t);
}
