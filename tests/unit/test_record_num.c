// SPDX-License-Identifier: GPL-2.0
/* The numbers of a record: each kind of key in range, the rest refused
 * with one line naming the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "json_util.h"
#include "record_num.h"

static char err[512];

/* record_check of the record TEXT; its line of error, if any, in err. */
static int check(const char *text)
{
	json_error_t jerr;
	json_t *rec = json_loads(text, 0, &jerr);
	FILE *f = tmpfile();
	int saved = dup(2), ret;

	assert_non_null(rec);
	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	ret = record_check(rec, "r.json");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	err[0] = '\0';
	rewind(f);
	if (!fgets(err, sizeof(err), f))
		err[0] = '\0';
	fclose(f);
	json_decref(rec);
	return ret;
}

/* TEXT with the record's schema and a PMD order around it. */
static int checkf(int pmd_order, const char *body)
{
	char text[4096];

	snprintf(text, sizeof(text), "{\"schema\": \"thpscope-record/1\", "
		 "\"kernel\": {\"pmd_order\": %d}, %s}", pmd_order, body);
	return check(text);
}

static void orders_up_to_the_pmd_order(void **state)
{
	assert_int_equal(checkf(9, "\"collapse\": {\"by_order\": {\"0\": {}, \"4\": {}, \"9\": {}}}"), 0);
	assert_int_equal(checkf(9, "\"split\": {\"by_order\": {\"10\": {}}}"), -1);
	assert_string_equal(err, "thpscope: r.json: split.by_order.10: "
			    "not an order from 0 to the PMD order 9\n");
	assert_int_equal(checkf(13, "\"split\": {\"by_order\": {\"13\": {\"to\": {\"4\": 1}}}}"), 0);
	assert_int_equal(checkf(13, "\"split\": {\"by_order\": {\"13\": {\"to\": {\"14\": 1}}}}"), -1);
	assert_non_null(strstr(err, "split.by_order.13.to.14: not an order"));
}

static void order_keys_that_are_not_orders(void **state)
{
	static const char *const keys[] = { "64", "-1", "09", "+1", "", "1.0", " 1", "4294967305" };
	char body[256];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(body, sizeof(body), "\"counters\": {\"mthp\": {\"%s\": {\"split\": 1}}}",
			 keys[i]);
		assert_int_equal(checkf(9, body), -1);
		assert_non_null(strstr(err, "not an order"));
	}
	/* Keys of other maps are names, whatever they hold. */
	assert_int_equal(checkf(9, "\"migration\": {\"by_reason\": {\"-1\": {\"calls\": 1}}}"), 0);
}

/* A long key is named, cut, on one line. */
static void long_keys_are_cut_in_the_error(void **state)
{
	char *body = malloc(400);

	snprintf(body, 400, "\"deferred\": {\"by_order\": {\"%0300d\": {\"enqueued\": 1}}}", 7);
	assert_int_equal(checkf(9, body), -1);
	assert_non_null(strstr(err, "deferred.by_order.0000"));
	assert_non_null(strstr(err, "...: not an order"));
	assert_true(strlen(err) < 200);
	free(body);
}

static void pmd_order_in_range(void **state)
{
	assert_int_equal(checkf(13, "\"x\": 1"), 0);
	assert_int_equal(checkf(63, "\"x\": 1"), -1);
	assert_string_equal(err, "thpscope: r.json: kernel.pmd_order: 63 is not a PMD order (1..13)\n");
	assert_int_equal(checkf(0, "\"x\": 1"), -1);
	assert_int_equal(checkf(-1, "\"x\": 1"), -1);
	assert_int_equal(check("{\"schema\": \"thpscope-record/1\", "
			       "\"kernel\": {\"pmd_order\": \"9\"}}"), -1);
	assert_non_null(strstr(err, "kernel.pmd_order: a string, not a PMD order"));
	/* Absent: no page size is assumed, orders up to the largest PMD order. */
	assert_int_equal(check("{\"schema\": \"thpscope-record/1\", "
			       "\"split\": {\"by_order\": {\"13\": {\"ok\": 1}}}}"), 0);
	assert_int_equal(check("{\"schema\": \"thpscope-record/1\", "
			       "\"split\": {\"by_order\": {\"14\": {\"ok\": 1}}}}"), -1);
}

static void counters_fit_the_fallback_pages(void **state)
{
	char body[256];

	/* The largest count times the pages of the largest PMD folio fits. */
	assert_true(RECORD_COUNT_MAX <= INT64_MAX >> RECORD_PMD_ORDER_MAX);
	snprintf(body, sizeof(body), "\"migrate_vma\": {\"fallback_reasons\": {\"x\": %lld}}",
		 (long long)RECORD_COUNT_MAX);
	assert_int_equal(checkf(13, body), 0);
	snprintf(body, sizeof(body), "\"migrate_vma\": {\"fallback_reasons\": {\"x\": %lld}}",
		 (long long)RECORD_COUNT_MAX + 1);
	assert_int_equal(checkf(13, body), -1);
	assert_non_null(strstr(err, "migrate_vma.fallback_reasons.x: 1125899906842624 is out of range"));
	assert_int_equal(checkf(9, "\"split\": {\"by_order\": {\"9\": {\"failed\": -5}}}"), -1);
	assert_non_null(strstr(err, "split.by_order.9.failed: -5 is out of range"));
	assert_int_equal(checkf(9, "\"collapse\": {\"scan\": {\"fail\": 0.5}}"), -1);
	assert_non_null(strstr(err, "collapse.scan.fail: 0.5 is not a whole number"));
}

/* Times and histogram bounds are any non-negative int64; settings and
 * descriptions are not counted at all. */
static void other_kinds(void **state)
{
	assert_int_equal(checkf(9, "\"duration_ns\": 9223372036854775807, \"split\": {\"latency\": "
			 "{\"9\": {\"count\": 1, \"sum\": 9223372036854775807, \"buckets\": "
			 "[{\"lo\": 4611686018427387904, \"hi\": 9223372036854775807, \"count\": 1}]}}}"), 0);
	assert_int_equal(checkf(9, "\"duration_ns\": -1"), -1);
	assert_non_null(strstr(err, "duration_ns: -1 is out of range 0..9223372036854775807"));
	assert_int_equal(checkf(9, "\"config\": {\"khugepaged\": {\"max_ptes_none\": -7}}, "
			 "\"command\": {\"exit_status\": -1}, \"filter\": {\"cgroup\": {\"id\": 1e30}}"), 0);
	assert_int_equal(checkf(9, "\"timeline\": {\"t_ns\": [1, -2]}"), -1);
	assert_non_null(strstr(err, "timeline.t_ns[]: -2 is out of range"));
}

static void timeline_counters_sum_within_a_counter(void **state)
{
	char body[512];
	long long half = RECORD_COUNT_MAX / 2 + 1;

	snprintf(body, sizeof(body), "\"timeline\": {\"series\": {\"collapse.attempts\": [%lld, %lld], "
		 "\"deferred.depth\": [%lld, %lld]}}", half - 1, half - 1, half, half);
	assert_int_equal(checkf(9, body), 0);
	snprintf(body, sizeof(body), "\"timeline\": {\"series\": {\"collapse.attempts\": [%lld, %lld]}}",
		 half, half);
	assert_int_equal(checkf(9, body), -1);
	assert_non_null(strstr(err, "timeline.series.collapse.attempts: the samples sum past"));
}

static void schema_of_the_wrong_type(void **state)
{
	assert_int_equal(check("{\"schema\": 1}"), -1);
	assert_string_equal(err, "thpscope: r.json: not a thpscope record "
			    "(\"schema\" is a number, not a string)\n");
	assert_int_equal(check("[1]"), -1);
	assert_non_null(strstr(err, "(an array, not an object)"));
	assert_int_equal(check("{}"), -1);
	assert_non_null(strstr(err, "(no \"schema\")"));
}

static void readers_of_checked_values(void **state)
{
	json_t *rec = json_pack("{s:{s:i}}", "kernel", "pmd_order", 13);

	assert_int_equal(record_pmd_order(rec), 13);
	json_object_del(json_object_get(rec, "kernel"), "pmd_order");
	assert_int_equal(record_pmd_order(rec), 0);
	assert_int_equal(record_thp_pages(rec, 3), -1);
	json_object_set_new(json_object_get(rec, "kernel"), "pmd_order", json_integer(9));
	assert_int_equal(record_thp_pages(rec, 3), 3 << 9);
	json_decref(rec);
	assert_int_equal(record_order("0"), 0);
	assert_int_equal(record_order("13"), 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(orders_up_to_the_pmd_order),
		cmocka_unit_test(order_keys_that_are_not_orders),
		cmocka_unit_test(long_keys_are_cut_in_the_error),
		cmocka_unit_test(pmd_order_in_range),
		cmocka_unit_test(counters_fit_the_fallback_pages),
		cmocka_unit_test(other_kinds),
		cmocka_unit_test(timeline_counters_sum_within_a_counter),
		cmocka_unit_test(schema_of_the_wrong_type),
		cmocka_unit_test(readers_of_checked_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
