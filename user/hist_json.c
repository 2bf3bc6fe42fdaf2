// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <string.h>
#include "hist_json.h"
#include "json_util.h"

static json_int_t slot_lo(int i)
{
	return i ? (json_int_t)1 << i : 0;
}

/* The exclusive upper bound of slot I, capped where JSON integers end. */
static json_int_t slot_hi(int i)
{
	return i >= 62 ? INT64_MAX : (json_int_t)1 << (i + 1);
}

json_t *hist_to_json(const struct hist *h, const char *unit)
{
	json_t *o = json_object(), *b = json_array();
	int i;

	json_object_set_new(o, "unit", json_string(unit));
	json_object_set_new(o, "count", json_integer(h->count));
	json_object_set_new(o, "sum", json_integer(h->sum));
	for (i = 0; i < HIST_SLOTS; i++) {
		json_t *e;

		if (!h->slots[i])
			continue;
		e = json_object();
		json_object_set_new(e, "lo", json_integer(slot_lo(i)));
		json_object_set_new(e, "hi", json_integer(slot_hi(i)));
		json_object_set_new(e, "count", json_integer(h->slots[i]));
		json_array_append_new(b, e);
	}
	json_object_set_new(o, "buckets", b);
	return o;
}

static int bucket_index(const json_t *e)
{
	json_int_t hi = json_integer_value(json_object_get(e, "hi"));
	int i = 0;

	while (i < HIST_SLOTS - 1 && slot_hi(i) < hi)
		i++;
	return i;
}

void hist_json_merge(json_t *dst, const json_t *src)
{
	struct hist h = { 0 };
	const json_t *arrs[2] = { dst, src };
	json_t *merged, *unit;
	size_t k, j;

	for (k = 0; k < 2; k++) {
		json_t *b = json_object_get(arrs[k], "buckets"), *e;

		h.count += json_integer_value(json_object_get(arrs[k], "count"));
		h.sum += json_integer_value(json_object_get(arrs[k], "sum"));
		json_array_foreach(b, j, e) {
			int i = bucket_index(e);

			if (i < HIST_SLOTS)
				h.slots[i] += json_integer_value(json_object_get(e, "count"));
		}
	}
	unit = json_object_get(src, "unit");
	merged = hist_to_json(&h, json_is_string(unit) ? json_string_value(unit) : "ns");
	json_object_update(dst, merged);
	json_decref(merged);
}

void hist_json_add(json_t *root, const char *path, const json_t *h)
{
	json_t *dst = jget(root, path);

	if (dst)
		hist_json_merge(dst, h);
	else
		json_object_update(jpath(root, path), (json_t *)h);
}

int hist_json_quantile(const json_t *h, double q, double *out)
{
	json_t *b = json_object_get(h, "buckets"), *e;
	double total = 0, seen = 0, want;
	size_t i;

	json_array_foreach(b, i, e)
		total += json_integer_value(json_object_get(e, "count"));
	if (total <= 0)
		return -1;
	want = q * total;
	json_array_foreach(b, i, e) {
		double c = json_integer_value(json_object_get(e, "count"));
		double lo = json_integer_value(json_object_get(e, "lo"));
		double hi = json_integer_value(json_object_get(e, "hi"));

		if (seen + c >= want) {
			*out = lo + (hi - lo) * ((want - seen) / c);
			return 0;
		}
		seen += c;
	}
	*out = json_integer_value(json_object_get(json_array_get(b, json_array_size(b) - 1), "hi"));
	return 0;
}
