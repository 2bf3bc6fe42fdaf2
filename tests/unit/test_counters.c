// SPDX-License-Identifier: GPL-2.0
/* Kernel counters: the vmstat names kept, deltas for counters, start and
 * end for gauges; sysfs knob values. */
#include "unit.h"
#include "counters.h"
#include "json_util.h"
#include "thpconfig.h"

static void vmstat_keeps_thp_names(void **state)
{
	json_t *v = vmstat_parse("nr_free_pages 100\nthp_fault_alloc 7\n"
				 "pgmigrate_success 12\ncompact_stall 3\n"
				 "nr_anon_transparent_hugepages 4\npgfault 99\n");

	assert_int_equal(jget_u64(v, "thp_fault_alloc"), 7);
	assert_int_equal(jget_u64(v, "pgmigrate_success"), 12);
	assert_int_equal(jget_u64(v, "compact_stall"), 3);
	assert_int_equal(jget_u64(v, "nr_anon_transparent_hugepages"), 4);
	assert_null(jget(v, "pgfault"));
	assert_null(jget(v, "nr_free_pages"));
	json_decref(v);
}

static void deltas_and_gauges(void **state)
{
	json_t *a = json_pack("{s:{s:i, s:i}, s:{s:{s:i, s:i, s:i}}}",
			      "vmstat", "thp_split_page", 10, "nr_anon_transparent_hugepages", 3,
			      "mthp", "9", "size_kb", 2048, "split", 1, "nr_anon", 5);
	json_t *b = json_pack("{s:{s:i, s:i}, s:{s:{s:i, s:i, s:i}}}",
			      "vmstat", "thp_split_page", 18, "nr_anon_transparent_hugepages", 1,
			      "mthp", "9", "size_kb", 2048, "split", 4, "nr_anon", 2);
	json_t *d = counters_delta(a, b);

	assert_int_equal(jget_u64(d, "vmstat.thp_split_page"), 8);
	assert_int_equal(jget_u64(d, "vmstat.nr_anon_transparent_hugepages.start"), 3);
	assert_int_equal(jget_u64(d, "vmstat.nr_anon_transparent_hugepages.end"), 1);
	assert_int_equal(jget_u64(d, "mthp.9.split"), 3);
	assert_int_equal(jget_u64(d, "mthp.9.size_kb"), 2048);
	assert_int_equal(jget_u64(d, "mthp.9.nr_anon.start"), 5);
	assert_true(counter_is_gauge("nr_anon_partially_mapped"));
	assert_false(counter_is_gauge("split_deferred"));
	json_decref(a);
	json_decref(b);
	json_decref(d);
}

static void knob_values(void **state)
{
	json_t *v;

	v = config_value("always [madvise] never");
	assert_string_equal(json_string_value(v), "madvise");
	json_decref(v);
	v = config_value("511");
	assert_int_equal(json_integer_value(v), 511);
	json_decref(v);
	v = config_value("inherit");
	assert_string_equal(json_string_value(v), "inherit");
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmstat_keeps_thp_names),
		cmocka_unit_test(deltas_and_gauges),
		cmocka_unit_test(knob_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
