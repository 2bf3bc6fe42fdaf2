// SPDX-License-Identifier: GPL-2.0
/* Coverage as JSON and as a table (see coverage_view.h). */
#include <stdio.h>
#include "coverage_view.h"
#include "json_util.h"
#include "report_section.h"
#include "table.h"
#include "textbuf.h"

static json_t *by_order(const uint64_t *bytes)
{
	json_t *o = json_object();
	char key[8];
	int order;

	for (order = 0; order <= COVERAGE_MAX_ORDER; order++) {
		if (!bytes[order])
			continue;
		snprintf(key, sizeof(key), "%d", order);
		json_object_set_new(o, key, json_integer(bytes[order]));
	}
	return o;
}

json_t *coverage_to_json(const struct coverage *c, const struct page_geometry *g)
{
	json_t *o = json_object();
	int k;

	json_object_set_new(o, "page_size", json_integer(g->page_size));
	json_object_set_new(o, "pmd_order", json_integer(g->pmd_order));
	json_object_set_new(o, "rss", json_integer(coverage_resident(c, -1) + c->device));
	json_object_set_new(o, "resident", json_integer(coverage_resident(c, -1)));
	json_object_set_new(o, "large", json_integer(coverage_large(c, -1)));
	json_object_set_new(o, "device", json_integer(c->device));
	json_object_set_new(o, "device_pmd", json_integer(c->device_pmd));
	json_object_set_new(o, "swapped", json_integer(c->swapped));
	json_object_set_new(o, "zero", json_integer(c->zero));
	json_object_set_new(o, "hugetlb", json_integer(c->hugetlb));
	json_object_set_new(o, "mapped", json_integer(c->mapped));
	json_object_set_new(o, "vmas", json_integer(c->vmas));
	for (k = 0; k < COV_NKINDS; k++) {
		json_t *kind;

		if (!coverage_resident(c, k))
			continue;
		kind = json_object();
		json_object_set_new(kind, "resident", json_integer(coverage_resident(c, k)));
		json_object_set_new(kind, "large", json_integer(coverage_large(c, k)));
		json_object_set_new(kind, "whole", by_order(c->whole[k]));
		json_object_set_new(kind, "partial", by_order(c->partial[k]));
		json_object_set_new(o, coverage_kind_names[k], kind);
	}
	return o;
}

double coverage_percent(json_t *cov)
{
	uint64_t resident = jget_u64(cov, "resident");

	return resident ? 100.0 * jget_u64(cov, "large") / resident : 0;
}

/* BYTES as "2.0M", "64K", "512". */
static const char *size_of(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = bytes;
	int u = -1;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (v == (uint64_t)v)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

/* Whether any kind has bytes of ORDER under KEY ("whole", "partial"). */
static bool order_used(json_t *cov, const char *key, unsigned int order)
{
	char path[32];
	int k;

	for (k = 0; k < COV_NKINDS; k++) {
		snprintf(path, sizeof(path), "%s.%s.%u", coverage_kind_names[k], key, order);
		if (jget_u64(cov, path))
			return true;
	}
	return false;
}

void coverage_print(FILE *out, const char *title, json_t *cov)
{
	uint64_t page = jget_u64(cov, "page_size");
	unsigned int pmd = jget_u64(cov, "pmd_order"), orders[COVERAGE_MAX_ORDER + 1], n = 0, o, i;
	struct textbuf head = TEXTBUF_INIT, row = TEXTBUF_INIT, line = TEXTBUF_INIT;
	char a[16], b[16];
	struct table *t;
	int k;

	/* The orders mapped whole, largest first; the PMD's named so. */
	for (o = COVERAGE_MAX_ORDER; o > 0; o--)
		if (order_used(cov, "whole", o))
			orders[n++] = o;
	textbuf_printf(&head, "kind\tresident");
	for (i = 0; i < n; i++)
		textbuf_printf(&head, "\t%s%s", orders[i] == pmd ? "PMD " : "",
			       size_of(a, sizeof(a), page << orders[i]));
	textbuf_printf(&head, "\tpartial\tbase\tlarge %%");
	t = table_new(textbuf_str(&head));
	for (k = 0; k < COV_NKINDS; k++) {
		const char *name = coverage_kind_names[k];
		json_t *kind = json_object_get(cov, name);
		uint64_t partial = 0, resident = jget_u64(kind, "resident");
		const char *key;
		json_t *v;

		if (!resident)
			continue;
		json_object_foreach(json_object_get(kind, "partial"), key, v)
			partial += json_integer_value(v);
		textbuf_reset(&row);
		textbuf_printf(&row, "%s\t%s", name, size_of(a, sizeof(a), resident));
		for (i = 0; i < n; i++) {
			snprintf(b, sizeof(b), "whole.%u", orders[i]);
			textbuf_printf(&row, "\t%s", size_of(a, sizeof(a), jget_u64(kind, b)));
		}
		textbuf_printf(&row, "\t%s", size_of(a, sizeof(a), partial));
		textbuf_printf(&row, "\t%s\t%.1f%%", size_of(a, sizeof(a), jget_u64(kind, "whole.0")),
			       100.0 * jget_u64(kind, "large") / resident);
		table_add(t, "%s", textbuf_str(&row));
	}
	textbuf_printf(&line, "%s: rss %s, %.1f%% in large folios", title,
		       size_of(a, sizeof(a), jget_u64(cov, "rss")), coverage_percent(cov));
	if (jget_u64(cov, "device"))
		textbuf_printf(&line, ", device-private %s (%s in PMD-sized folios)",
			       size_of(a, sizeof(a), jget_u64(cov, "device")),
			       size_of(b, sizeof(b), jget_u64(cov, "device_pmd")));
	if (jget_u64(cov, "swapped"))
		textbuf_printf(&line, ", swapped %s", size_of(a, sizeof(a), jget_u64(cov, "swapped")));
	if (table_rows(t) > 1)
		table_print(t, out, textbuf_str(&line), NULL);
	else
		fprintf(out, "\n%s\n", textbuf_str(&line));
	table_free(t);
	textbuf_free(&head);
	textbuf_free(&row);
	textbuf_free(&line);
}
