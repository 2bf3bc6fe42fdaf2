// SPDX-License-Identifier: GPL-2.0
/* The Prometheus/OpenMetrics writer: the two formats' family lines,
 * escaping of what records hold, histograms from log2 buckets, names that
 * cannot be written, and the Accept header's choice. */
#include <stdbool.h>
#include <string.h>
#include "unit.h"
#include "exposition.h"
#include "json_util.h"

static char *render(struct expo *x, enum expo_format f)
{
	struct textbuf tb = TEXTBUF_INIT;

	assert_true(expo_write(x, f, &tb));
	return tb.buf;
}

static void counters_are_named_by_format(void **state)
{
	struct expo *x = expo_new();
	char *text, *om;

	expo_counter(x, "thpscope_x", "Xs.", 3, "order", "9", NULL);
	expo_counter(x, "thpscope_x", "Xs.", 4, "order", "4", NULL);
	text = render(x, EXPO_TEXT);
	om = render(x, EXPO_OPENMETRICS);
	assert_string_equal(text, "# HELP thpscope_x_total Xs.\n# TYPE thpscope_x_total counter\n"
			    "thpscope_x_total{order=\"9\"} 3\nthpscope_x_total{order=\"4\"} 4\n");
	assert_string_equal(om, "# HELP thpscope_x Xs.\n# TYPE thpscope_x counter\n"
			    "thpscope_x_total{order=\"9\"} 3\nthpscope_x_total{order=\"4\"} 4\n# EOF\n");
	free(text);
	free(om);
	expo_free(x);
}

static void label_values_are_escaped(void **state)
{
	struct expo *x = expo_new();
	char *text;

	expo_gauge(x, "thpscope_g", "A \"quoted\" help\\.", 1, "probe", "a\"b\\c\nd", NULL);
	text = render(x, EXPO_TEXT);
	assert_non_null(strstr(text, "thpscope_g{probe=\"a\\\"b\\\\c\\nd\"} 1\n"));
	/* The text format's HELP keeps its quotes, OpenMetrics's does not. */
	assert_non_null(strstr(text, "# HELP thpscope_g A \"quoted\" help\\\\.\n"));
	free(text);
	text = render(x, EXPO_OPENMETRICS);
	assert_non_null(strstr(text, "# HELP thpscope_g A \\\"quoted\\\" help\\\\.\n"));
	free(text);
	expo_free(x);
}

static void bad_names_are_left_out(void **state)
{
	struct expo *x = expo_new();
	char *text;

	expo_counter(x, "thpscope_bad-name", "h", 1, NULL);
	expo_counter(x, "9thpscope", "h", 1, NULL);
	expo_counter(x, "thpscope_ok", "h", 1, "bad label", "v", NULL);
	expo_counter(x, "thpscope_ok", "h", 2, "absent", NULL, "good", "v", NULL);
	/* Declared as a counter: a gauge of the same name is refused. */
	expo_gauge(x, "thpscope_ok", "h", 3, NULL);
	text = render(x, EXPO_TEXT);
	assert_string_equal(text, "# HELP thpscope_ok_total h\n# TYPE thpscope_ok_total counter\n"
			    "thpscope_ok_total{good=\"v\"} 2\n");
	free(text);
	expo_free(x);
}

static void histograms_are_cumulative_in_seconds(void **state)
{
	json_t *h = json_pack("{s:s, s:i, s:I, s:[{s:i, s:i, s:i}, {s:i, s:i, s:i}, {s:I, s:I, s:i}]}",
			      "unit", "ns", "count", 7, "sum", (json_int_t)3000000000,
			      "buckets", "lo", 0, "hi", 2, "count", 1,
			      "lo", 4096, "hi", 8192, "count", 4,
			      "lo", (json_int_t)1 << 40, "hi", (json_int_t)1 << 41, "count", 2);
	struct expo *x = expo_new();
	char *text;

	expo_histogram_ns(x, "thpscope_t_seconds", "T.", h, "order", "9", NULL);
	text = render(x, EXPO_OPENMETRICS);
	/* Below 2^10 ns, the first bound holds the sub-microsecond value. */
	assert_non_null(strstr(text, "thpscope_t_seconds_bucket{order=\"9\",le=\"1.024e-06\"} 1\n"));
	assert_non_null(strstr(text, "thpscope_t_seconds_bucket{order=\"9\",le=\"4.096e-06\"} 1\n"));
	assert_non_null(strstr(text, "thpscope_t_seconds_bucket{order=\"9\",le=\"8.192e-06\"} 5\n"));
	/* Past the last bound, only +Inf. */
	assert_non_null(strstr(text, "thpscope_t_seconds_bucket{order=\"9\",le=\"68.719476736\"} 5\n"));
	assert_non_null(strstr(text, "thpscope_t_seconds_bucket{order=\"9\",le=\"+Inf\"} 7\n"));
	assert_non_null(strstr(text, "thpscope_t_seconds_sum{order=\"9\"} 3\n"));
	assert_non_null(strstr(text, "thpscope_t_seconds_count{order=\"9\"} 7\n"));
	assert_non_null(strstr(text, "# UNIT thpscope_t_seconds seconds\n"));
	free(text);
	expo_free(x);
	json_decref(h);
}

static void a_set_label_goes_on_every_sample(void **state)
{
	struct expo *x = expo_new();
	char *text;

	expo_counter(x, "thpscope_c", "h", 1, "order", "9", NULL);
	expo_set_label(x, "cgroup", "/a");
	expo_counter(x, "thpscope_c", "h", 2, "order", "9", NULL);
	expo_gauge(x, "thpscope_g", "h", 3, NULL);
	expo_set_label(x, NULL, NULL);
	expo_gauge(x, "thpscope_g", "h", 4, NULL);
	text = render(x, EXPO_TEXT);
	assert_non_null(strstr(text, "thpscope_c_total{order=\"9\"} 1\n"));
	assert_non_null(strstr(text, "thpscope_c_total{order=\"9\",cgroup=\"/a\"} 2\n"));
	assert_non_null(strstr(text, "thpscope_g{cgroup=\"/a\"} 3\nthpscope_g 4\n"));
	free(text);
	expo_free(x);
}

static void a_record_object_gives_counters(void **state)
{
	json_t *rec = json_pack("{s:{s:{s:i, s:i, s:s, s:i}}}", "a", "b", "ok", 2, "EBUSY", 1,
				"why", "text", "other", 5);
	static const char *const ok[] = { "ok", NULL };
	static const struct expo_value values[] = {
		{ "thpscope_v", "V.", "a.b.ok", true },
		{ "thpscope_absent", "Not in the record.", "a.b.none", false },
	};
	struct expo *x = expo_new();
	char *text;

	expo_counters_of(x, "thpscope_r", "R.", jget(rec, "a.b"), ok, "result", "order", "9", NULL);
	expo_counters_of(x, "thpscope_all", "All.", jget(rec, "a.b"), NULL, "key", NULL);
	expo_values(x, rec, values, 2);
	text = render(x, EXPO_TEXT);
	assert_non_null(strstr(text, "thpscope_r_total{order=\"9\",result=\"ok\"} 2\n# HELP"));
	/* Every integer, not the string. */
	assert_non_null(strstr(text, "thpscope_all_total{key=\"ok\"} 2\n"
			       "thpscope_all_total{key=\"EBUSY\"} 1\n"
			       "thpscope_all_total{key=\"other\"} 5\n# HELP"));
	assert_non_null(strstr(text, "# TYPE thpscope_v gauge\nthpscope_v 2\n"));
	assert_null(strstr(text, "thpscope_absent"));
	free(text);
	expo_free(x);
	json_decref(rec);
}

static void accept_header_chooses(void **state)
{
	/* Prometheus 2's own header. */
	assert_int_equal(expo_negotiate("application/openmetrics-text;version=1.0.0,"
					"application/openmetrics-text;version=0.0.1;q=0.75,"
					"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 EXPO_OPENMETRICS);
	assert_int_equal(expo_negotiate(NULL), EXPO_TEXT);
	assert_int_equal(expo_negotiate("*/*"), EXPO_TEXT);
	assert_int_equal(expo_negotiate("text/plain, application/openmetrics-text;q=0.5"),
			 EXPO_TEXT);
	assert_int_equal(expo_negotiate("text/plain;q=0.2, application/openmetrics-text"),
			 EXPO_OPENMETRICS);
	assert_int_equal(expo_negotiate("application/openmetrics-text;q=0"), EXPO_TEXT);
	assert_int_equal(expo_negotiate(",,;;q=,"), EXPO_TEXT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_are_named_by_format),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(bad_names_are_left_out),
		cmocka_unit_test(histograms_are_cumulative_in_seconds),
		cmocka_unit_test(a_set_label_goes_on_every_sample),
		cmocka_unit_test(a_record_object_gives_counters),
		cmocka_unit_test(accept_header_chooses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
