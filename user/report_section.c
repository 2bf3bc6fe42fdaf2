// SPDX-License-Identifier: GPL-2.0
/* What the families' report sections are made of (see report_section.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist_json.h"
#include "json_util.h"
#include "report_section.h"
#include "table.h"
#include "util.h"

size_t sorted_keys(json_t *obj, const char **keys)
{
	const char *k;
	json_t *v;
	size_t n = 0, i, j;

	json_object_foreach(obj, k, v)
		if (n < MAX_KEYS)
			keys[n++] = k;
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const char *a = keys[j - 1], *b = keys[j];
			long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
			int c = x != y ? (x > y) - (x < y) : strcmp(a, b);

			if (c <= 0)
				break;
			keys[j - 1] = b;
			keys[j] = a;
		}
	return n;
}

/* NS nanoseconds as "12ns", "3.4us", "5.6ms" or "1.23s". */
static const char *fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

const char *quantiles_of(struct textbuf *tb, json_t *h, const char *sep, const double *qs,
			 size_t nqs)
{
	size_t i;

	textbuf_reset(tb);
	for (i = 0; i < nqs; i++) {
		char b[32];
		double v;

		textbuf_printf(tb, "%s%s", i ? sep : "",
			       hist_json_quantile(h, qs[i], &v) ? "-" : fmt_ns(v, b, sizeof(b)));
	}
	return textbuf_str(tb);
}

const char *quantiles(struct textbuf *tb, json_t *h, const char *sep)
{
	static const double qs[] = { 0.5, 0.9, 0.99 };

	return quantiles_of(tb, h, sep, qs, ARRAY_SIZE(qs));
}

const char *probes_via(struct textbuf *tb, json_t *rec, const char *const *names)
{
	json_t *probes = json_object_get(rec, "probes");
	const char *const *name;

	textbuf_reset(tb);
	for (name = names; *name; name++) {
		json_t *p = json_object_get(probes, *name);

		if (json_is_true(json_object_get(p, "attached")))
			textbuf_printf(tb, "%s%s %s", tb->len ? ", " : "",
				       json_string_value(json_object_get(p, "mechanism")),
				       strchr(*name, ':') + 1);
	}
	if (!tb->len)
		textbuf_printf(tb, "%s not attached: %s", strchr(names[0], ':') + 1,
			       json_string_value(json_object_get(json_object_get(probes, names[0]),
								 "why")) ?: "unknown to this record");
	return textbuf_str(tb);
}

const char *kv_list(struct textbuf *tb, json_t *obj)
{
	const char *keys[MAX_KEYS];
	size_t n = sorted_keys(obj, keys), i;

	textbuf_reset(tb);
	for (i = 0; i < n; i++)
		textbuf_printf(tb, "%s%s:%lld", i ? " " : "", keys[i],
			       json_integer_value(json_object_get(obj, keys[i])));
	if (!n)
		textbuf_printf(tb, "-");
	return textbuf_str(tb);
}

void fallbacks_add(struct fallbacks *f, const char *what, const char *via, uint64_t count,
		   long long pages)
{
	if (count)
		json_array_append_new(f->rows, json_pack("{s:s, s:s, s:I, s:I}", "what", what,
							 "via", via, "count", (json_int_t)count,
							 "pages", (json_int_t)pages));
}
