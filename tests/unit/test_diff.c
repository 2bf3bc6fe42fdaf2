// SPDX-License-Identifier: GPL-2.0
/* diff's decision per metric: the rule by the number of runs, and the
 * direction that makes a change a regression. */
#include <math.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(direction_rules),
		cmocka_unit_test(threshold_rule),
		cmocka_unit_test(bootstrap_rule),
		cmocka_unit_test(test_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
