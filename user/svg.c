// SPDX-License-Identifier: GPL-2.0
/* Inline SVG charts (see svg.h). */
#include <math.h>
#include <string.h>
#include "svg.h"

#define WIDTH 560
#define LABEL_W 150
#define ROW_H 22
#define PLOT_H 180

static const char *const palette[] = {
	"#2a7d3f", "#c0392b", "#2f6fb5", "#d68910", "#7d3c98", "#17a589",
	"#a04000", "#5d6d7e", "#b03a7a", "#1f618d", "#7e8c0a", "#6e2c00",
};

/* The palette's colour I, as #rrggbb. */
static const char *svg_colour(size_t i)
{
	return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

void html_escape(FILE *f, const char *text)
{
	for (; text && *text; text++) {
		switch (*text) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*text, f);
		}
	}
}

static int next_id(void)
{
	static int id;

	return ++id;
}

static void open_figure(FILE *f, const char *title, const char *desc, int w, int h, int id)
{
	fprintf(f, "<figure class=\"chart\">\n<svg "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-labelledby=\"t%d d%d\">\n<title id=\"t%d\">", w, h, w, h, id, id, id);
	html_escape(f, title);
	fprintf(f, "</title>\n<desc id=\"d%d\">", id);
	html_escape(f, desc);
	fputs("</desc>\n", f);
}

static void text(FILE *f, double x, double y, const char *anchor, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	html_escape(f, s);
	fputs("</text>\n", f);
}

static void table_head(FILE *f, const char *first, const char *const *cols, size_t n)
{
	size_t i;

	fputs("<details><summary>Data</summary><table>\n<tr><th>", f);
	html_escape(f, first);
	fputs("</th>", f);
	for (i = 0; i < n; i++) {
		fputs("<th>", f);
		html_escape(f, cols[i]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
}

static void close_figure(FILE *f, const char *caption)
{
	fputs("</table></details>\n<figcaption>", f);
	html_escape(f, caption);
	fputs("</figcaption>\n</figure>\n", f);
}

/* Lay the legend of NAMES out from X0 on rows of 16 px from Y, drawing
 * it when F is not NULL. Returns the number of rows. */
static int legend(FILE *f, const char *const *names, size_t n, double x0, double y)
{
	double x = x0;
	size_t i;
	int rows = 1;

	for (i = 0; i < n; i++) {
		double w = 24 + 7 * strlen(names[i]);

		if (x + w > WIDTH && x > x0) {
			x = x0;
			y += 16;
			rows++;
		}
		if (f) {
			fprintf(f, "<rect class=\"key\" x=\"%.1f\" y=\"%.1f\" width=\"10\" "
				"height=\"10\" fill=\"%s\"/>\n", x, y - 9, svg_colour(i));
			text(f, x + 14, y, "start", names[i]);
		}
		x += w;
	}
	return rows;
}

void svg_stacked(FILE *f, const struct stacked *c)
{
	int id = next_id();
	int h = c->nrows * ROW_H + 24 + 16 * legend(NULL, c->series, c->nseries, LABEL_W, 0);
	double max = 0, scale;
	size_t r, s;

	for (r = 0; r < c->nrows; r++) {
		double sum = 0;

		for (s = 0; s < c->nseries; s++)
			sum += c->v[r * c->nseries + s];
		max = fmax(max, sum);
	}
	scale = max ? (WIDTH - LABEL_W - 60) / max : 0;
	open_figure(f, c->title, c->desc, WIDTH, h, id);
	for (r = 0; r < c->nrows; r++) {
		double x = LABEL_W, y = 10 + r * ROW_H, sum = 0;
		char buf[32];

		text(f, LABEL_W - 6, y + 14, "end", c->rows[r]);
		for (s = 0; s < c->nseries; s++) {
			double v = c->v[r * c->nseries + s];

			if (v <= 0)
				continue;
			fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"16\" fill=\"%s\"><title>", x, y + 2, fmax(v * scale, 1),
				svg_colour(s));
			html_escape(f, c->series[s]);
			fprintf(f, ": %.0f</title></rect>\n", v);
			x += v * scale;
			sum += v;
		}
		snprintf(buf, sizeof(buf), "%.0f", sum);
		text(f, x + 4, y + 14, "start", buf);
	}
	legend(f, c->series, c->nseries, LABEL_W, c->nrows * ROW_H + 28);
	fputs("</svg>\n", f);
	table_head(f, "", c->series, c->nseries);
	for (r = 0; r < c->nrows; r++) {
		fputs("<tr><th>", f);
		html_escape(f, c->rows[r]);
		fputs("</th>", f);
		for (s = 0; s < c->nseries; s++)
			fprintf(f, "<td>%.0f</td>", c->v[r * c->nseries + s]);
		fputs("</tr>\n", f);
	}
	close_figure(f, c->title);
}

void svg_columns(FILE *f, const struct columns *c)
{
	int id = next_id(), h = PLOT_H + 60;
	double max = 0, bw = c->n ? (WIDTH - 60.0) / c->n : 0;
	const char *col = "count";
	size_t i;

	for (i = 0; i < c->n; i++)
		max = fmax(max, c->v[i]);
	open_figure(f, c->title, c->desc, WIDTH, h, id);
	fprintf(f, "<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
		PLOT_H + 10, WIDTH - 10, PLOT_H + 10);
	for (i = 0; i < c->n; i++) {
		double bh = max ? c->v[i] / max * PLOT_H : 0, x = 45 + i * bw;

		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"%s\"><title>", x, PLOT_H + 10 - bh, fmax(bw - 3, 1), bh, svg_colour(2));
		html_escape(f, c->labels[i]);
		fprintf(f, ": %.0f</title></rect>\n", c->v[i]);
		if (c->n <= 12 || i % (c->n / 12 + 1) == 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
				"font-size=\"10\">", x + bw / 2, PLOT_H + 24);
			html_escape(f, c->labels[i]);
			fputs("</text>\n", f);
		}
	}
	fprintf(f, "<text x=\"4\" y=\"16\" font-size=\"10\">max %.0f</text>\n", max);
	text(f, WIDTH / 2.0, PLOT_H + 44, "middle", c->unit);
	fputs("</svg>\n", f);
	table_head(f, c->unit, &col, 1);
	for (i = 0; i < c->n; i++) {
		fputs("<tr><th>", f);
		html_escape(f, c->labels[i]);
		fprintf(f, "</th><td>%.0f</td></tr>\n", c->v[i]);
	}
	close_figure(f, c->title);
}

#define STRIP_H 46
#define LANE_X 60

static void strip_cell(FILE *f, const double *v, size_t n)
{
	size_t i;

	fputs("<td>", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%g", i ? ", " : "", v[i]);
	fputs("</td>", f);
}

void svg_strips(FILE *f, const struct strips *c)
{
	int id = next_id(), h = c->nrows * STRIP_H + 8;
	size_t r, s, i;

	open_figure(f, c->title, c->desc, WIDTH, h, id);
	for (r = 0; r < c->nrows; r++) {
		double y = 4 + r * STRIP_H, max = 0, scale;
		char buf[32];

		for (s = 0; s < 2; s++)
			for (i = 0; i < c->n[s][r]; i++)
				max = fmax(max, c->v[s][r][i]);
		scale = max > 0 ? (WIDTH - LANE_X - 70) / max : 0;
		text(f, 0, y + 12, "start", c->rows[r]);
		for (s = 0; s < 2; s++) {
			double ly = y + 24 + 12 * s;

			text(f, LANE_X - 6, ly + 4, "end", c->side[s]);
			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
				"stroke=\"#ccc\"/>\n", LANE_X, ly, WIDTH - 70, ly);
			for (i = 0; i < c->n[s][r]; i++)
				fprintf(f, "<circle class=\"run\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
					"fill=\"%s\" fill-opacity=\"0.7\"><title>%s run %zu: %g"
					"</title></circle>\n", LANE_X + c->v[s][r][i] * scale, ly,
					svg_colour(s), c->side[s], i + 1, c->v[s][r][i]);
		}
		snprintf(buf, sizeof(buf), "max %g", max);
		text(f, WIDTH - 64, y + 34, "start", buf);
	}
	fputs("</svg>\n", f);
	table_head(f, "", c->side, 2);
	for (r = 0; r < c->nrows; r++) {
		fputs("<tr><th>", f);
		html_escape(f, c->rows[r]);
		fputs("</th>", f);
		strip_cell(f, c->v[0][r], c->n[0][r]);
		strip_cell(f, c->v[1][r], c->n[1][r]);
		fputs("</tr>\n", f);
	}
	close_figure(f, c->title);
}

void svg_lines(FILE *f, const struct lines *c)
{
	int id = next_id();
	int h = PLOT_H + 40 + 16 * legend(NULL, c->series, c->nseries, 40, 0);
	double xmax = 0, ymax = 0, xs, ys;
	size_t i, s;

	for (i = 0; i < c->n; i++)
		xmax = fmax(xmax, c->x[i]);
	for (s = 0; s < c->nseries; s++)
		for (i = 0; i < c->n; i++)
			ymax = fmax(ymax, c->y[s][i]);
	xs = xmax ? (WIDTH - 60) / xmax : 0;
	ys = ymax ? PLOT_H / ymax : 0;
	open_figure(f, c->title, c->desc, WIDTH, h, id);
	fprintf(f, "<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n"
		"<line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"%d\" stroke=\"#444\"/>\n",
		PLOT_H + 10, WIDTH - 10, PLOT_H + 10, PLOT_H + 10);
	for (s = 0; s < c->nseries; s++) {
		fprintf(f, "<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" "
			"stroke=\"%s\" points=\"", svg_colour(s));
		for (i = 0; i < c->n; i++)
			fprintf(f, "%.1f,%.1f ", 40 + c->x[i] * xs, PLOT_H + 10 - c->y[s][i] * ys);
		fputs("\"/>\n", f);
	}
	fprintf(f, "<text x=\"44\" y=\"20\" font-size=\"10\">max %.0f</text>\n", ymax);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\">%.1f %s</text>\n",
		WIDTH - 10, PLOT_H + 24, xmax, c->x_unit);
	legend(f, c->series, c->nseries, 40, PLOT_H + 44);
	fputs("</svg>\n", f);
	table_head(f, c->x_unit, c->series, c->nseries);
	for (i = 0; i < c->n; i++) {
		fprintf(f, "<tr><th>%.1f</th>", c->x[i]);
		for (s = 0; s < c->nseries; s++)
			fprintf(f, "<td>%.0f</td>", c->y[s][i]);
		fputs("</tr>\n", f);
	}
	close_figure(f, c->title);
}
