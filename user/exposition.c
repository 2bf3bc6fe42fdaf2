// SPDX-License-Identifier: GPL-2.0
/* The Prometheus and OpenMetrics exposition (see exposition.h). Samples
 * are rendered once, as they are added; the two formats differ only in
 * the lines that describe a family and in OpenMetrics's closing # EOF. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "exposition.h"
#include "family.h"
#include "json_util.h"
#include "util.h"

enum expo_type { EXPO_COUNTER, EXPO_GAUGE, EXPO_HISTOGRAM };

struct expo_family {
	char *name;
	char *help;
	enum expo_type type;
	struct textbuf samples;
};

struct expo {
	struct expo_family *v;
	size_t n, cap;
	bool failed;
	const char *label, *label_value;	/* added to every sample */
	size_t last;		/* the family of the last sample: most often the next's */
};

/* Histogram bounds: 2^10 ns (about a microsecond) to 2^36 ns (about 69
 * seconds), one per log2 slot of the kernel's histograms, so that a
 * record's buckets fall on them exactly. */
#define EXPO_LE_MIN_SHIFT 10
#define EXPO_LE_MAX_SHIFT 36

struct expo *expo_new(void)
{
	return calloc(1, sizeof(struct expo));
}

void expo_free(struct expo *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++) {
		free(x->v[i].name);
		free(x->v[i].help);
		textbuf_free(&x->v[i].samples);
	}
	free(x->v);
	free(x);
}

/* [a-zA-Z_][a-zA-Z0-9_]*: names both formats accept, without the colons
 * they keep for recording rules. */
static bool valid_name(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static struct expo_family *family_get(struct expo *x, const char *name, const char *help,
				      enum expo_type type)
{
	struct expo_family *f;
	size_t i;

	if (x->last < x->n && !strcmp(x->v[x->last].name, name))
		return x->v[x->last].type == type ? &x->v[x->last] : NULL;
	for (i = 0; i < x->n; i++)
		if (!strcmp(x->v[i].name, name)) {
			x->last = i;
			return x->v[i].type == type ? &x->v[i] : NULL;
		}
	if (!valid_name(name))
		return NULL;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;

		f = realloc(x->v, cap * sizeof(*f));
		if (!f) {
			x->failed = true;
			return NULL;
		}
		x->v = f;
		x->cap = cap;
	}
	f = &x->v[x->n];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->help = strdup(help);
	f->type = type;
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		x->failed = true;
		return NULL;
	}
	x->last = x->n++;
	return f;
}

/* VALUE escaped as both formats want a label value or a HELP text:
 * backslash, double quote and newline; HELP in the text format keeps its
 * quotes. */
static void put_escaped(struct textbuf *tb, const char *s, bool quotes)
{
	for (; *s; s++) {
		if (*s == '\\')
			textbuf_printf(tb, "\\\\");
		else if (*s == '\n')
			textbuf_printf(tb, "\\n");
		else if (*s == '"' && quotes)
			textbuf_printf(tb, "\\\"");
		else
			textbuf_printf(tb, "%c", *s);
	}
}

static void put_value(struct textbuf *tb, double v)
{
	if (isnan(v))
		textbuf_printf(tb, "NaN");
	else if (isinf(v))
		textbuf_printf(tb, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		textbuf_printf(tb, "%.0f", v);
	else
		textbuf_printf(tb, "%.17g", v);
}

void expo_set_label(struct expo *x, const char *name, const char *value)
{
	x->label = name;
	x->label_value = value;
}

static void put_label(struct textbuf *tb, bool first, const char *k, const char *v)
{
	textbuf_printf(tb, "%s%s=\"", first ? "{" : ",", k);
	put_escaped(tb, v, true);
	textbuf_printf(tb, "\"");
}

/* A label after those of a sample's pairs: a key's, or a histogram
 * bucket's le. */
struct label {
	const char *name, *value;
};

/* "{a="x",b="y"" from the pairs of AP, then X's own label, EXTRA when its
 * name is not NULL, then "}" (nothing at all without labels). False on a
 * bad label name. */
static bool put_labels(const struct expo *x, struct textbuf *tb, va_list ap, struct label extra)
{
	const char *k, *v;
	bool any = false;

	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (!v)
			continue;
		if (!valid_name(k))
			return false;
		put_label(tb, !any, k, v);
		any = true;
	}
	if (x->label) {
		put_label(tb, !any, x->label, x->label_value);
		any = true;
	}
	if (extra.name) {
		if (!valid_name(extra.name))
			return false;
		put_label(tb, !any, extra.name, extra.value);
		any = true;
	}
	if (any)
		textbuf_printf(tb, "}");
	return true;
}

static void add_sample(struct expo *x, enum expo_type type, const char *name, const char *help,
		       double v, struct label extra, va_list ap)
{
	struct expo_family *f = family_get(x, name, help, type);
	struct textbuf *tb;
	size_t mark;

	if (!f)
		return;
	tb = &f->samples;
	mark = tb->len;
	textbuf_printf(tb, "%s%s", name, type == EXPO_COUNTER ? "_total" : "");
	if (!put_labels(x, tb, ap, extra)) {
		tb->len = mark;
		return;
	}
	textbuf_printf(tb, " ");
	put_value(tb, v);
	textbuf_printf(tb, "\n");
}

void expo_counter(struct expo *x, const char *name, const char *help, double v, ...)
{
	va_list ap;

	va_start(ap, v);
	add_sample(x, EXPO_COUNTER, name, help, v, (struct label){ 0 }, ap);
	va_end(ap);
}

void expo_gauge(struct expo *x, const char *name, const char *help, double v, ...)
{
	va_list ap;

	va_start(ap, v);
	add_sample(x, EXPO_GAUGE, name, help, v, (struct label){ 0 }, ap);
	va_end(ap);
}

static bool key_wanted(const char *const *keys, const char *k)
{
	if (!keys)
		return true;
	for (; *keys; keys++)
		if (!strcmp(*keys, k))
			return true;
	return false;
}

void expo_counters_of(struct expo *x, const char *name, const char *help, json_t *obj,
		      const char *const *keys, const char *label, ...)
{
	const char *k;
	va_list ap;
	json_t *n;

	json_object_foreach(obj, k, n) {
		if (!json_is_integer(n) || !key_wanted(keys, k))
			continue;
		va_start(ap, label);
		add_sample(x, EXPO_COUNTER, name, help, json_integer_value(n),
			   (struct label){ label, k }, ap);
		va_end(ap);
	}
}

void expo_values(struct expo *x, json_t *record, const struct expo_value *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *val = jget(record, v[i].path);

		if (!json_is_integer(val))
			continue;
		if (v[i].gauge)
			expo_gauge(x, v[i].name, v[i].help, json_integer_value(val), NULL);
		else
			expo_counter(x, v[i].name, v[i].help, json_integer_value(val), NULL);
	}
}

/* One line of a histogram: NAME_SUFFIX{labels of AP[,le]} V. */
static bool hist_line(const struct expo *x, struct textbuf *tb, const char *name,
		      const char *suffix, va_list ap, const char *le, double v)
{
	va_list aq;
	bool ok;

	textbuf_printf(tb, "%s%s", name, suffix);
	va_copy(aq, ap);
	ok = put_labels(x, tb, aq, (struct label){ le ? "le" : NULL, le });
	va_end(aq);
	textbuf_printf(tb, " ");
	put_value(tb, v);
	textbuf_printf(tb, "\n");
	return ok;
}

void expo_histogram_ns(struct expo *x, const char *name, const char *help, const json_t *h, ...)
{
	struct expo_family *f = family_get(x, name, help, EXPO_HISTOGRAM);
	uint64_t below[EXPO_LE_MAX_SHIFT + 1] = { 0 }, total = 0;
	struct textbuf *tb;
	size_t i, mark;
	json_t *b;
	va_list ap;
	bool ok = true;
	int k;

	if (!f || !json_is_object(h))
		return;
	/* Cumulative counts at each bound: a slot counts below the first
	 * bound its upper end does not pass. */
	json_array_foreach(json_object_get(h, "buckets"), i, b) {
		uint64_t hi = jget_u64(b, "hi"), n = jget_u64(b, "count");

		total += n;
		for (k = EXPO_LE_MIN_SHIFT; k <= EXPO_LE_MAX_SHIFT; k++)
			if (hi <= 1ULL << k)
				below[k] += n;
	}
	tb = &f->samples;
	mark = tb->len;
	va_start(ap, h);
	for (k = EXPO_LE_MIN_SHIFT; k <= EXPO_LE_MAX_SHIFT && ok; k++) {
		char le[32];

		snprintf(le, sizeof(le), "%.12g", (double)(1ULL << k) / 1e9);
		ok = hist_line(x, tb, name, "_bucket", ap, le, below[k]);
	}
	ok = ok && hist_line(x, tb, name, "_bucket", ap, "+Inf", total);
	ok = ok && hist_line(x, tb, name, "_sum", ap, NULL, jget_u64((json_t *)h, "sum") / 1e9);
	ok = ok && hist_line(x, tb, name, "_count", ap, NULL, total);
	va_end(ap);
	if (!ok)
		tb->len = mark;
}

static const char *type_name(enum expo_type t)
{
	return t == EXPO_COUNTER ? "counter" : t == EXPO_GAUGE ? "gauge" : "histogram";
}

bool expo_write(const struct expo *x, enum expo_format fmt, struct textbuf *out)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		const struct expo_family *f = &x->v[i];
		/* The text format names a counter by its samples' name. */
		const char *suffix = fmt == EXPO_TEXT && f->type == EXPO_COUNTER ? "_total" : "";

		if (!f->samples.len)
			continue;
		textbuf_printf(out, "# HELP %s%s ", f->name, suffix);
		put_escaped(out, f->help, fmt == EXPO_OPENMETRICS);
		textbuf_printf(out, "\n# TYPE %s%s %s\n", f->name, suffix, type_name(f->type));
		if (fmt == EXPO_OPENMETRICS && f->type == EXPO_HISTOGRAM)
			textbuf_printf(out, "# UNIT %s seconds\n", f->name);
		textbuf_printf(out, "%s", textbuf_str(&f->samples));
		if (f->samples.failed)
			return false;
	}
	if (fmt == EXPO_OPENMETRICS)
		textbuf_printf(out, "# EOF\n");
	return !x->failed && !out->failed;
}

/* The q of one media range of an Accept header ("type;param;q=0.5"). */
static double accept_q(const char *range, size_t len)
{
	const char *q = range;

	while ((q = memchr(q, ';', len - (q - range)))) {
		q++;
		while (q < range + len && *q == ' ')
			q++;
		if (q + 2 <= range + len && q[0] == 'q' && q[1] == '=')
			return strtod(q + 2, NULL);
	}
	return 1;
}

enum expo_format expo_negotiate(const char *accept)
{
	static const char om[] = "application/openmetrics-text";
	double q_om = 0, q_text = 0;
	const char *p = accept;

	while (p && *p) {
		size_t len = strcspn(p, ",");

		while (len && *p == ' ') {
			p++;
			len--;
		}
		if (len >= sizeof(om) - 1 && !strncasecmp(p, om, sizeof(om) - 1)) {
			double q = accept_q(p, len);

			if (q > q_om)
				q_om = q;
		} else if (!strncasecmp(p, "text/plain", 10) || !strncasecmp(p, "*/*", 3)) {
			double q = accept_q(p, len);

			if (q > q_text)
				q_text = q;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return q_om > 0 && q_om >= q_text ? EXPO_OPENMETRICS : EXPO_TEXT;
}

const char *expo_content_type(enum expo_format f)
{
	return f == EXPO_OPENMETRICS ?
		"application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8";
}
