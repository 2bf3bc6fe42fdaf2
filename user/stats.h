/* SPDX-License-Identifier: GPL-2.0 */
/* The statistics of thpscope diff and of the benchmark: the Mann-Whitney
 * U test, medians, and bootstrap intervals for a difference of means and
 * a ratio of medians. */
#ifndef THPSCOPE_STATS_H
#define THPSCOPE_STATS_H

#include <stddef.h>
#include <stdint.h>

double mean_of(const double *v, size_t n);
/* The median of V (0 when empty), which it sorts. */
double median_of(double *v, size_t n);
/* U of sample A against B: pairs with a > b, ties counting a half. */
double mw_u(const double *a, size_t na, const double *b, size_t nb);
/* Two-sided p-value of the Mann-Whitney U test: exact when there are no
 * ties and na * nb <= MW_EXACT_MAX, else the normal approximation with
 * the tie and continuity corrections. *EXACT says which. */
#define MW_EXACT_MAX 400
double mw_p_two_sided(const double *a, size_t na, const double *b, size_t nb, int *exact);
/* 95% percentile interval of mean(B) - mean(A) over REPS resamples of
 * each side with replacement, from SEED (the same seed, the same
 * interval). */
void bootstrap_diff(const double *a, size_t na, const double *b, size_t nb,
		    unsigned int reps, uint64_t seed, double *lo, double *hi);
/* The same for median(B) / median(A). */
void bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
		     unsigned int reps, uint64_t seed, double *lo, double *hi);

#endif
