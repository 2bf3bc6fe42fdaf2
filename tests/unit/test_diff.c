// SPDX-License-Identifier: GPL-2.0
/* diff's decision per metric: the rule by the number of runs, and the
 * direction that makes a change a regression; the union of the runs'
 * metric names. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "diff.h"

static const struct diff_opts opts = { .threshold = 0.10, .alpha = 0.05, .min_change = 2 };

static struct metric_cmp decide(enum metric_kind kind, enum metric_bad bad, const double *b,
				size_t nb, const double *n, size_t nn)
{
	struct metric_cmp c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.bad = bad;
	c.nb = nb;
	c.nn = nn;
	diff_decide(&c, b, n, &opts);
	return c;
}

static void direction_rules(void **state)
{
	double lo[] = { 10 }, hi[] = { 20 };

	/* More failures, fewer successes: regressions; the reverse improves. */
	assert_int_equal(decide(MK_COUNTER, BAD_UP, lo, 1, hi, 1).verdict, V_REGRESSION);
	assert_int_equal(decide(MK_COUNTER, BAD_UP, hi, 1, lo, 1).verdict, V_IMPROVED);
	assert_int_equal(decide(MK_COUNTER, BAD_DOWN, hi, 1, lo, 1).verdict, V_REGRESSION);
	assert_int_equal(decide(MK_COUNTER, BAD_DOWN, lo, 1, hi, 1).verdict, V_IMPROVED);
	/* Neither direction bad: a change, never a regression. */
	assert_int_equal(decide(MK_COUNTER, BAD_NEITHER, lo, 1, hi, 1).verdict, V_CHANGED);
	/* Latency up is bad; a gauge (queue depth) too. */
	assert_int_equal(decide(MK_LATENCY, BAD_UP, lo, 1, hi, 1).verdict, V_REGRESSION);
	assert_int_equal(decide(MK_GAUGE, BAD_UP, lo, 1, hi, 1).verdict, V_REGRESSION);
}

static void threshold_rule(void **state)
{
	double a[] = { 100 }, b[] = { 109 }, c[] = { 111 }, z[] = { 0 }, one[] = { 1 };
	struct metric_cmp m;

	m = decide(MK_COUNTER, BAD_UP, a, 1, b, 1);
	assert_int_equal(m.rule, RULE_THRESHOLD);
	assert_int_equal(m.verdict, V_SAME);		/* 9% < 10% */
	assert_int_equal(decide(MK_COUNTER, BAD_UP, a, 1, c, 1).verdict, V_REGRESSION);
	/* From nothing to one failure: under the absolute floor of 2. */
	assert_int_equal(decide(MK_COUNTER, BAD_UP, z, 1, one, 1).verdict, V_SAME);
	/* The floor is for counters only: a latency of 0 -> 1 ns counts. */
	m = decide(MK_LATENCY, BAD_UP, z, 1, one, 1);
	assert_int_equal(m.verdict, V_REGRESSION);
	assert_true(isinf(m.rel));
}

static void bootstrap_rule(void **state)
{
	double a[] = { 100, 102, 98 }, b[] = { 130, 128, 131 }, noisy[] = { 60, 140, 150 };
	struct metric_cmp m;

	m = decide(MK_COUNTER, BAD_UP, a, 3, b, 3);
	assert_int_equal(m.rule, RULE_BOOTSTRAP);
	assert_int_equal(m.verdict, V_REGRESSION);
	assert_true(m.lo > 0);
	/* A mean 16% higher, but the interval holds 0: no decision. */
	m = decide(MK_COUNTER, BAD_UP, a, 3, noisy, 3);
	assert_true(m.rel > 0.10);
	assert_true(m.lo <= 0);
	assert_int_equal(m.verdict, V_SAME);
}

static void test_rule(void **state)
{
	double a[] = { 10, 11, 9, 10, 12 }, b[] = { 20, 19, 22, 21, 20 };
	double c[] = { 11, 9, 10, 12, 10 };
	struct metric_cmp m;

	m = decide(MK_COUNTER, BAD_UP, a, 5, b, 5);
	assert_int_equal(m.rule, RULE_TEST);
	assert_true(m.p < 0.05);
	assert_int_equal(m.verdict, V_REGRESSION);
	m = decide(MK_COUNTER, BAD_UP, a, 5, c, 5);
	assert_true(m.p > 0.5);
	assert_int_equal(m.verdict, V_SAME);
}

static void set_names(struct metrics *m, struct metric *v, const char *const *names, size_t n)
{
	size_t i;

	memset(v, 0, n * sizeof(*v));
	for (i = 0; i < n; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "%s", names[i]);
		v[i].value = i + 1;
	}
	m->v = v;
	m->n = m->cap = n;
}

static void union_of_names(void **state)
{
	static const char *const a[] = { "collapse.attempts", "split.ok", "vmstat.thp_split_page" };
	static const char *const b[] = { "collapse.attempts", "deferred.queued", "split.ok",
					 "zz.last" };
	static const char *const want[] = { "collapse.attempts", "deferred.queued", "split.ok",
					    "vmstat.thp_split_page", "zz.last" };
	struct metric va[3], vb[4];
	struct metrics all = { 0 }, ma, mb;
	size_t i;

	set_names(&ma, va, a, 3);
	set_names(&mb, vb, b, 4);
	assert_int_equal(metrics_union(&all, &ma), 0);
	assert_int_equal(all.n, 3);
	assert_int_equal(metrics_union(&all, &mb), 0);
	assert_int_equal(metrics_union(&all, &ma), 0);
	assert_int_equal(all.n, 5);
	for (i = 0; i < all.n; i++)
		assert_string_equal(all.v[i].name, want[i]);
	/* The first run holding a name gives its prototype. */
	assert_true(all.v[2].value == 2);
	assert_true(metrics_find(&all, "deferred.queued") == &all.v[1]);
	metrics_free(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(direction_rules),
		cmocka_unit_test(threshold_rule),
		cmocka_unit_test(bootstrap_rule),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(union_of_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
