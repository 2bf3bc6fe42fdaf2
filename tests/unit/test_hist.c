// SPDX-License-Identifier: GPL-2.0
/* The histogram shape: log2 buckets, merging, quantiles. */
#include <string.h>
#include <linux/types.h>
#include "unit.h"
#include "hist_json.h"
#include "json_util.h"

static void buckets_are_log2_and_sparse(void **state)
{
	struct hist h = { 0 };
	json_t *j, *b;

	h.slots[0] = 1;		/* 0 or 1 */
	h.slots[10] = 3;	/* 1024..2047 */
	h.count = 4;
	h.sum = 3500;
	j = hist_to_json(&h, "ns");
	assert_string_equal(json_string_value(json_object_get(j, "unit")), "ns");
	assert_int_equal(jget_u64(j, "count"), 4);
	assert_int_equal(jget_u64(j, "sum"), 3500);
	b = json_object_get(j, "buckets");
	assert_int_equal(json_array_size(b), 2);
	assert_int_equal(jget_u64(json_array_get(b, 0), "lo"), 0);
	assert_int_equal(jget_u64(json_array_get(b, 0), "hi"), 2);
	assert_int_equal(jget_u64(json_array_get(b, 1), "lo"), 1024);
	assert_int_equal(jget_u64(json_array_get(b, 1), "hi"), 2048);
	assert_int_equal(jget_u64(json_array_get(b, 1), "count"), 3);
	json_decref(j);
}

static void merging_adds_buckets(void **state)
{
	struct hist a = { 0 }, b = { 0 };
	json_t *ja, *jb;

	a.slots[3] = 2; a.count = 2; a.sum = 20;
	b.slots[3] = 1; b.slots[5] = 4; b.count = 5; b.sum = 150;
	ja = hist_to_json(&a, "ns");
	jb = hist_to_json(&b, "ns");
	hist_json_merge(ja, jb);
	assert_int_equal(jget_u64(ja, "count"), 7);
	assert_int_equal(jget_u64(ja, "sum"), 170);
	assert_int_equal(json_array_size(json_object_get(ja, "buckets")), 2);
	assert_int_equal(jget_u64(json_array_get(json_object_get(ja, "buckets"), 0), "count"), 3);
	json_decref(ja);
	json_decref(jb);
}

static void quantiles_interpolate_inside_a_bucket(void **state)
{
	struct hist h = { 0 };
	json_t *j, *empty;
	double v;

	h.slots[10] = 100;	/* all in [1024, 2048) */
	h.count = 100;
	j = hist_to_json(&h, "ns");
	assert_int_equal(hist_json_quantile(j, 0.5, &v), 0);
	assert_true(v > 1535 && v < 1537);
	assert_int_equal(hist_json_quantile(j, 1.0, &v), 0);
	assert_true(v > 2047 && v <= 2048);
	json_decref(j);
	memset(&h, 0, sizeof(h));
	empty = hist_to_json(&h, "ns");
	assert_int_equal(hist_json_quantile(empty, 0.5, &v), -1);
	json_decref(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buckets_are_log2_and_sparse),
		cmocka_unit_test(merging_adds_buckets),
		cmocka_unit_test(quantiles_interpolate_inside_a_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
