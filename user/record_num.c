// SPDX-License-Identifier: GPL-2.0
/* Checking the numbers of a record (see record_num.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "family.h"
#include "json_util.h"
#include "metrics.h"
#include "record_num.h"
#include "textbuf.h"
#include "util.h"

/* Deeper than any key of docs/record-schema.md. */
#define MAX_DEPTH 16
/* Characters of one key shown in an error. */
#define KEY_SHOWN 40

/* Maps keyed by orders ("#"; "*" is any key, "[]" an array's element)
 * beside the families' own (family.h). */
static const char *const order_maps[] = { "counters.mthp.#", "config.sizes.#" };

enum kind {
	K_COUNT,	/* events or a level: 0..RECORD_COUNT_MAX */
	K_NS,		/* a time or a histogram bound: 0..INT64_MAX */
	K_SETTING,	/* described, never computed with: any number */
};

/* Subtrees of settings and descriptions; every other number is counted. */
static const char *const settings[] = { "tool", "kernel", "command", "config", "filter" };

struct walk {
	const char *name;
	unsigned int pmd_order;
	const char *seg[MAX_DEPTH];
	size_t depth;
};

/* PAT (dotted) matches the whole path SEG[0..N). */
static bool match(const char *pat, const char *const *seg, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *dot = strchr(pat, '.');
		size_t len = dot ? (size_t)(dot - pat) : strlen(pat);

		if (!len)
			return false;
		if (!((len == 1 && (*pat == '*' || *pat == '#')) ||
		      (strlen(seg[i]) == len && !memcmp(pat, seg[i], len))))
			return false;
		pat += len;
		if (i + 1 < n) {
			if (!dot)
				return false;
			pat++;
		}
	}
	return !*pat;
}

static void fail(const struct walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line: the file, the key (long keys cut), what is wrong with it. */
static void fail(const struct walk *w, const char *fmt, ...)
{
	struct textbuf msg = TEXTBUF_INIT;
	va_list ap;
	size_t i;

	for (i = 0; i < w->depth; i++)
		textbuf_printf(&msg, "%s%.*s%s", i && strcmp(w->seg[i], "[]") ? "." : "",
			       KEY_SHOWN, w->seg[i], strlen(w->seg[i]) > KEY_SHOWN ? "..." : "");
	textbuf_printf(&msg, ": ");
	va_start(ap, fmt);
	textbuf_vprintf(&msg, fmt, ap);
	va_end(ap);
	errorf("%s: %s", w->name, textbuf_str(&msg));
	textbuf_free(&msg);
}

/* KEY is a decimal order from 0 to MAX; its value in *ORDER. */
static bool parse_order(const char *key, unsigned int max, unsigned int *order)
{
	unsigned int v = 0;
	const char *p;

	if (!*key || (key[0] == '0' && key[1]))
		return false;
	for (p = key; *p; p++) {
		if (*p < '0' || *p > '9' || p - key >= 2)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v > max)
		return false;
	*order = v;
	return true;
}

static bool is_order_key(const struct walk *w)
{
	const char *const *path;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order_maps); i++)
		if (match(order_maps[i], w->seg, w->depth))
			return true;
	for (i = 0; i < nfamilies; i++)
		for (path = families[i]->order_paths; path && *path; path++)
			if (match(*path, w->seg, w->depth))
				return true;
	return false;
}

static enum kind kind_of(const struct walk *w)
{
	const char *key;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (!strcmp(w->seg[0], settings[i]))
			return K_SETTING;
	/* An array's elements are of the array's key. */
	for (i = w->depth; i > 1 && !strcmp(w->seg[i - 1], "[]"); i--)
		;
	key = w->seg[i - 1];
	len = strlen(key);
	if (!strcmp(key, "lo") || !strcmp(key, "hi") || !strcmp(key, "sum") ||
	    (len > 3 && !strcmp(key + len - 3, "_ns")))
		return K_NS;
	return K_COUNT;
}

static int check_number(const struct walk *w, json_t *v)
{
	enum kind kind = kind_of(w);
	json_int_t n, max = kind == K_COUNT ? RECORD_COUNT_MAX : INT64_MAX;

	if (kind == K_SETTING)
		return 0;
	if (!json_is_integer(v)) {
		fail(w, "%g is not a whole number", json_real_value(v));
		return -1;
	}
	n = json_integer_value(v);
	if (n < 0 || n > max) {
		fail(w, "%lld is out of range 0..%lld", (long long)n, (long long)max);
		return -1;
	}
	return 0;
}

/* A counter series of the timeline sums to the recording's count. */
static int check_series_sum(const struct walk *w, json_t *arr)
{
	json_int_t sum = 0;
	json_t *v;
	size_t i;

	if (w->depth != 3 || !match("timeline.series.*", w->seg, w->depth) ||
	    timeline_series_is_gauge(w->seg[2]))
		return 0;
	json_array_foreach(arr, i, v) {
		sum += json_integer_value(v);
		if (sum > RECORD_COUNT_MAX) {
			fail(w, "the samples sum past %lld", (long long)RECORD_COUNT_MAX);
			return -1;
		}
	}
	return 0;
}

static int check_value(struct walk *w, json_t *v);

static int check_child(struct walk *w, const char *key, json_t *v)
{
	unsigned int order;
	int err;

	if (w->depth == MAX_DEPTH) {
		fail(w, "nested deeper than any record key");
		return -1;
	}
	w->seg[w->depth++] = key;
	if (strcmp(key, "[]") && is_order_key(w) && !parse_order(key, w->pmd_order, &order)) {
		fail(w, "not an order from 0 to the PMD order %u", w->pmd_order);
		err = -1;
	} else {
		err = check_value(w, v);
	}
	w->depth--;
	return err;
}

static int check_value(struct walk *w, json_t *v)
{
	const char *k;
	json_t *c;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, k, c)
			if (check_child(w, k, c))
				return -1;
		return 0;
	case JSON_ARRAY:
		json_array_foreach(v, i, c)
			if (check_child(w, "[]", c))
				return -1;
		return check_series_sum(w, v);
	case JSON_INTEGER:
	case JSON_REAL:
		return w->depth ? check_number(w, v) : 0;
	default:
		return 0;
	}
}

static const char *type_name(json_t *v)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "a number",
		[JSON_REAL] = "a number", [JSON_TRUE] = "true",
		[JSON_FALSE] = "false", [JSON_NULL] = "null",
	};

	return names[json_typeof(v)];
}

static int check_schema(json_t *rec, const char *name)
{
	json_t *schema = json_object_get(rec, "schema");

	if (!json_is_object(rec)) {
		errorf("%s: not a thpscope record (%s, not an object)", name, type_name(rec));
		return -1;
	}
	if (!schema) {
		errorf("%s: not a thpscope record (no \"schema\")", name);
		return -1;
	}
	if (!json_is_string(schema)) {
		errorf("%s: not a thpscope record (\"schema\" is %s, not a string)", name,
		       type_name(schema));
		return -1;
	}
	if (strcmp(json_string_value(schema), RECORD_SCHEMA)) {
		errorf("%s: schema \"%s\" is not supported (this thpscope reads %s)",
		       name, json_string_value(schema), RECORD_SCHEMA);
		return -1;
	}
	return 0;
}

int record_check(json_t *rec, const char *name)
{
	struct walk w = { .name = name, .pmd_order = RECORD_PMD_ORDER_MAX };
	json_t *pmd;

	if (check_schema(rec, name))
		return -1;
	pmd = jget(rec, "kernel.pmd_order");
	if (pmd) {
		json_int_t v = json_integer_value(pmd);

		if (!json_is_integer(pmd) || v < 1 || v > RECORD_PMD_ORDER_MAX) {
			w.seg[0] = "kernel";
			w.seg[1] = "pmd_order";
			w.depth = 2;
			if (json_is_integer(pmd))
				fail(&w, "%lld is not a PMD order (1..%d)", (long long)v,
				     RECORD_PMD_ORDER_MAX);
			else
				fail(&w, "%s, not a PMD order", type_name(pmd));
			return -1;
		}
		w.pmd_order = v;
	}
	return check_value(&w, rec);
}

unsigned int record_pmd_order(json_t *rec)
{
	json_t *pmd = jget(rec, "kernel.pmd_order");
	json_int_t v = json_integer_value(pmd);

	return v >= 1 && v <= RECORD_PMD_ORDER_MAX ? v : 0;
}

long long record_thp_pages(json_t *rec, uint64_t thps)
{
	unsigned int pmd_order = record_pmd_order(rec);

	return pmd_order ? (long long)(thps << pmd_order) : -1;
}

unsigned int record_order(const char *key)
{
	unsigned int order;

	return parse_order(key, RECORD_PMD_ORDER_MAX, &order) ? order : 0;
}
