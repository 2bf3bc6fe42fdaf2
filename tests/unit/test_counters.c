// SPDX-License-Identifier: GPL-2.0
/* Kernel counters: the vmstat names kept, deltas for counters, start and
 * end for gauges; sysfs knob values. */
#include <dirent.h>
#include <glob.h>
#include <unistd.h>
#include "unit.h"
#include "counters.h"
#include "json_util.h"
#include "thpconfig.h"

static void vmstat_keeps_thp_names(void **state)
{
	json_t *v = vmstat_parse("nr_free_pages 100\nthp_fault_alloc 7\n"
				 "pgmigrate_success 12\ncompact_stall 3\n"
				 "nr_anon_transparent_hugepages 4\npgfault 99\n"
				 "thp_swpout 5x\nthp_swpout_fallback\nthp_split_pmd 6");

	assert_int_equal(jget_u64(v, "thp_fault_alloc"), 7);
	assert_int_equal(jget_u64(v, "pgmigrate_success"), 12);
	assert_int_equal(jget_u64(v, "compact_stall"), 3);
	assert_int_equal(jget_u64(v, "nr_anon_transparent_hugepages"), 4);
	assert_null(jget(v, "pgfault"));
	assert_null(jget(v, "nr_free_pages"));
	assert_null(jget(v, "thp_swpout"));
	assert_null(jget(v, "thp_swpout_fallback"));
	assert_int_equal(jget_u64(v, "thp_split_pmd"), 6);
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

/* Across a window's edge: only the counts that grew, no gauge, no size,
 * no order where nothing grew. */
static void growth_keeps_grown_counts(void **state)
{
	json_t *a = json_pack("{s:{s:i, s:i, s:i}, s:{s:{s:i, s:i}, s:{s:i, s:i}}}",
			      "vmstat", "thp_split_page", 10, "pgmigrate_success", 7,
			      "nr_anon_transparent_hugepages", 3,
			      "mthp", "9", "size_kb", 2048, "split", 1,
			      "4", "size_kb", 64, "split", 6);
	json_t *b = json_pack("{s:{s:i, s:i, s:i}, s:{s:{s:i, s:i}, s:{s:i, s:i}}}",
			      "vmstat", "thp_split_page", 18, "pgmigrate_success", 7,
			      "nr_anon_transparent_hugepages", 9,
			      "mthp", "9", "size_kb", 2048, "split", 4,
			      "4", "size_kb", 64, "split", 6);
	json_t *g = counters_growth(a, b);

	assert_int_equal(json_object_size(json_object_get(g, "vmstat")), 1);
	assert_int_equal(jget_u64(g, "vmstat.thp_split_page"), 8);
	assert_int_equal(json_object_size(json_object_get(g, "mthp")), 1);
	assert_int_equal(json_object_size(jget(g, "mthp.9")), 1);
	assert_int_equal(jget_u64(g, "mthp.9.split"), 3);
	json_decref(a);
	json_decref(b);
	json_decref(g);
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

static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own */
}

/* Opening the counters opens /proc/vmstat alone; the mTHP stats (as many
 * files as sysfs lists) wait for the first full reading. */
static void mthp_stats_opened_on_first_read(void **state)
{
	size_t before = open_fds(), nstats, nread = 0;
	struct counter_files *cf;
	json_t *o, *st;
	const char *order;
	glob_t g;

	if (glob("/sys/kernel/mm/transparent_hugepage/hugepages-*kB/stats/*", 0, NULL, &g)) {
		skip();
		return;
	}
	nstats = g.gl_pathc;
	globfree(&g);
	cf = counter_files_open(getpagesize());
	assert_non_null(cf);
	assert_int_equal(open_fds(), before + 1);
	o = counter_files_vmstat(cf);
	assert_non_null(jget(o, "vmstat.thp_fault_alloc"));
	assert_null(jget(o, "mthp"));
	assert_int_equal(open_fds(), before + 1);
	json_decref(o);
	o = counter_files_read(cf);
	assert_int_equal(open_fds(), before + 1 + nstats);
	json_object_foreach(jget(o, "mthp"), order, st)
		nread += json_object_size(st) - 1;	/* but size_kb */
	assert_int_equal(nread, nstats);
	json_decref(o);
	counter_files_close(cf);
	assert_int_equal(open_fds(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmstat_keeps_thp_names),
		cmocka_unit_test(deltas_and_gauges),
		cmocka_unit_test(growth_keeps_grown_counts),
		cmocka_unit_test(knob_values),
		cmocka_unit_test(mthp_stats_opened_on_first_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
