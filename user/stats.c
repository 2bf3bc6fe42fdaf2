// SPDX-License-Identifier: GPL-2.0
/* Mann-Whitney U, medians and the bootstrap (see stats.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

double mean_of(const double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return n ? s / n : 0;
}

double mw_u(const double *a, size_t na, const double *b, size_t nb)
{
	double u = 0;
	size_t i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			u += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
	return u;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Sum over groups of tied values of t^3 - t, for the variance of U. */
static double tie_term(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i, j;
	double *all = malloc(n * sizeof(*all)), t = 0;

	if (!all)
		return 0;
	memcpy(all, a, na * sizeof(*a));
	memcpy(all + na, b, nb * sizeof(*b));
	qsort(all, n, sizeof(*all), cmp_double);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && all[j] == all[i]; j++)
			;
		t += pow(j - i, 3) - (j - i);
	}
	free(all);
	return t;
}

/*
 * Under the null hypothesis every split of the pooled sample into sizes
 * m and n is equally likely; the number of splits with U = u satisfies
 * c(m, n, u) = c(m - 1, n, u - n) + c(m, n - 1, u). Returns P(U <= u).
 */
static double exact_cdf(size_t m, size_t n, double u)
{
	size_t umax = m * n, i, j, k, width = umax + 1;
	double *c = calloc((m + 1) * (n + 1) * width, sizeof(*c)), total = 0, below = 0;

	if (!c)
		return NAN;
#define C(i, j, k) c[((i) * (n + 1) + (j)) * width + (k)]
	for (i = 0; i <= m; i++)
		for (j = 0; j <= n; j++) {
			if (!i || !j) {
				C(i, j, 0) = 1;
				continue;
			}
			for (k = 0; k <= i * j; k++)
				C(i, j, k) = (k >= j ? C(i - 1, j, k - j) : 0) + C(i, j - 1, k);
		}
	for (k = 0; k <= umax; k++) {
		total += C(m, n, k);
		if (k <= u)
			below += C(m, n, k);
	}
#undef C
	free(c);
	return below / total;
}

double mw_p_two_sided(const double *a, size_t na, const double *b, size_t nb, int *exact)
{
	double u = mw_u(a, na, b, nb), mu = na * nb / 2.0, ties = tie_term(a, na, b, nb);
	double n = na + nb, var, z, p;

	*exact = !ties && na * nb <= MW_EXACT_MAX;
	if (*exact) {
		double lower = exact_cdf(na, nb, u);
		double upper = 1 - exact_cdf(na, nb, u - 1);

		p = 2 * fmin(lower, upper);
		return p > 1 ? 1 : p;
	}
	var = na * nb / 12.0 * ((n + 1) - ties / (n * (n - 1)));
	if (var <= 0)
		return 1;
	z = (fabs(u - mu) - 0.5) / sqrt(var);
	if (z < 0)
		z = 0;
	return erfc(z / sqrt(2));
}

/* xorshift64*: small, seedable, good enough to resample. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

double median_of(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A statistic of B against A, free to reorder both. */
typedef double (*two_sample_stat)(double *a, size_t na, double *b, size_t nb);

static double diff_of_means(double *a, size_t na, double *b, size_t nb)
{
	return mean_of(b, nb) - mean_of(a, na);
}

static double ratio_of_medians(double *a, size_t na, double *b, size_t nb)
{
	return median_of(b, nb) / median_of(a, na);
}

static void resample(double *to, const double *v, size_t n, uint64_t *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		to[i] = v[next_rand(s) % n];
}

/* 95% percentile interval of STAT over REPS resamples; STAT of the
 * samples themselves when there is nothing to resample. */
static void bootstrap(const double *a, size_t na, const double *b, size_t nb,
		      unsigned int reps, uint64_t seed, two_sample_stat stat,
		      double *lo, double *hi)
{
	double *ra = malloc((na + nb + 1) * sizeof(*ra)), *rb = ra + na;	/* never 0 bytes */
	double *d = malloc(reps * sizeof(*d));
	uint64_t s = seed ? seed : 1;
	unsigned int r;

	*lo = *hi = NAN;
	if (!ra)
		goto out;
	memcpy(ra, a, na * sizeof(*a));
	memcpy(rb, b, nb * sizeof(*b));
	*lo = *hi = stat(ra, na, rb, nb);
	if (!d || !reps || !na || !nb)
		goto out;
	for (r = 0; r < reps; r++) {
		resample(rb, b, nb, &s);
		resample(ra, a, na, &s);
		d[r] = stat(ra, na, rb, nb);
	}
	qsort(d, reps, sizeof(*d), cmp_double);
	*lo = d[(size_t)(0.025 * (reps - 1))];
	*hi = d[(size_t)ceil(0.975 * (reps - 1))];
out:
	free(ra);
	free(d);
}

void bootstrap_diff(const double *a, size_t na, const double *b, size_t nb,
		    unsigned int reps, uint64_t seed, double *lo, double *hi)
{
	bootstrap(a, na, b, nb, reps, seed, diff_of_means, lo, hi);
}

void bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
		     unsigned int reps, uint64_t seed, double *lo, double *hi)
{
	bootstrap(a, na, b, nb, reps, seed, ratio_of_medians, lo, hi);
}
