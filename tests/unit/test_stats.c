// SPDX-License-Identifier: GPL-2.0
/* The statistics of diff, on samples with published results. */
#include <math.h>
#include "unit.h"
#include "stats.h"

/* R's ?wilcox.test example: x (10) against y (5), W = 35, one-sided
 * ("greater") exact p = 0.1272, so two-sided 0.2544. */
static const double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
static const double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };

static void mann_whitney_published(void **state)
{
	int exact;
	double p = mw_p_two_sided(rx, 10, ry, 5, &exact);

	assert_true(mw_u(rx, 10, ry, 5) == 35);
	assert_true(exact);
	assert_true(fabs(p - 2 * 0.1272) < 0.0005);
}

/* Two fully separated samples of 10: the most extreme of C(20,10) =
 * 184756 arrangements, at either end: p = 2 / 184756. */
static void mann_whitney_separated(void **state)
{
	double a[10], b[10];
	int i, exact;

	for (i = 0; i < 10; i++) {
		a[i] = i;
		b[i] = 100 + i;
	}
	assert_true(fabs(mw_p_two_sided(a, 10, b, 10, &exact) - 2.0 / 184756) < 1e-9);
	assert_true(exact);
	assert_true(mw_u(a, 10, b, 10) == 0);
}

/* Identical samples: no evidence at all; ties force the approximation. */
static void mann_whitney_identical(void **state)
{
	double a[] = { 5, 5, 6, 7, 7 }, b[] = { 5, 5, 6, 7, 7 };
	int exact;

	assert_true(mw_p_two_sided(a, 5, b, 5, &exact) > 0.99);
	assert_false(exact);
	assert_true(mw_u(a, 5, b, 5) == 12.5);
}

/* Normal approximation with ties: 1,2,2,3,3 against 3,4,4,5,6. U = 1
 * (two 3s tie with a 3), mean 12.5; tie groups of 2, 3 and 2 give
 * sum(t^3 - t) = 36, variance 25/12 * (11 - 36/90), and with the
 * continuity correction z = (11.5 - 0.5) / sqrt(variance). */
static void mann_whitney_ties(void **state)
{
	double a[] = { 1, 2, 2, 3, 3 }, b[] = { 3, 4, 4, 5, 6 };
	double z = 11 / sqrt(25.0 / 12 * (11 - 36.0 / 90));
	int exact;

	assert_true(mw_u(a, 5, b, 5) == 1);
	assert_true(fabs(mw_p_two_sided(a, 5, b, 5, &exact) - erfc(z / sqrt(2))) < 1e-12);
	assert_false(exact);
}

static void bootstrap_interval(void **state)
{
	double a[] = { 10, 11, 9, 10, 10, 12 }, b[] = { 20, 21, 19, 22, 20, 18 };
	double lo, hi, lo2, hi2;

	bootstrap_diff(a, 6, b, 6, 2000, 42, &lo, &hi);
	assert_true(lo > 7 && lo <= 10);
	assert_true(hi >= 10 && hi < 13);
	bootstrap_diff(a, 6, b, 6, 2000, 42, &lo2, &hi2);
	assert_true(lo == lo2 && hi == hi2);
	/* The same sample on both sides: the interval holds 0. */
	bootstrap_diff(a, 6, a, 6, 2000, 7, &lo, &hi);
	assert_true(lo <= 0 && hi >= 0);
}

static void median(void **state)
{
	double odd[] = { 7, 1, 5 }, even[] = { 4, 1, 3, 2 };

	assert_true(median_of(odd, 3) == 5);
	assert_true(median_of(even, 4) == 2.5);
	assert_true(median_of(even, 0) == 0);
}

/* Medians 10 and 20: the ratio 2, and resampled ratios between 18 / 12
 * and 22 / 9 at the extremes. */
static void bootstrap_ratio_interval(void **state)
{
	double a[] = { 10, 11, 9, 10, 10, 12 }, b[] = { 20, 21, 19, 22, 20, 18 };
	double lo, hi, lo2, hi2;

	bootstrap_ratio(a, 6, b, 6, 2000, 42, &lo, &hi);
	assert_true(lo >= 1.5 && lo < 2);
	assert_true(hi > 2 && hi <= 22.0 / 9);
	bootstrap_ratio(a, 6, b, 6, 2000, 42, &lo2, &hi2);
	assert_true(lo == lo2 && hi == hi2);
	/* The same sample on both sides: the interval holds 1. */
	bootstrap_ratio(a, 6, a, 6, 2000, 7, &lo, &hi);
	assert_true(lo <= 1 && hi >= 1);
	/* Nothing to resample: the ratio of the medians themselves. */
	bootstrap_ratio(a, 6, b, 6, 0, 7, &lo, &hi);
	assert_true(lo == 2 && hi == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mann_whitney_published),
		cmocka_unit_test(mann_whitney_separated),
		cmocka_unit_test(mann_whitney_identical),
		cmocka_unit_test(mann_whitney_ties),
		cmocka_unit_test(bootstrap_interval),
		cmocka_unit_test(median),
		cmocka_unit_test(bootstrap_ratio_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
