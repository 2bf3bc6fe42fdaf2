/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two sets of runs (records) metric by metric: means, changes,
 * per-second rates, and a verdict per metric with the rule that made it:
 * the Mann-Whitney U test with at least DIFF_MIN_TEST_RUNS runs a side,
 * else the relative change against the threshold, with a bootstrap
 * interval of the difference where both sides have runs to resample.
 */
#ifndef THPSCOPE_DIFF_H
#define THPSCOPE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "metrics.h"

#define DIFF_MIN_TEST_RUNS 5
#define DIFF_MAX_RUNS 256

struct run_set {
	json_t *recs[DIFF_MAX_RUNS];
	size_t n;
};

struct diff_opts {
	double threshold;	/* relative change, 0.10 = 10% */
	double alpha;		/* significance level of the test */
	double min_change;	/* counters: smaller absolute changes are noise */
};

enum verdict {
	V_SAME,		/* no change past the rule */
	V_REGRESSION,	/* a change in the bad direction */
	V_IMPROVED,	/* a change in the good direction */
	V_CHANGED,	/* a change where neither direction is bad */
	V_ONE_SIDE,	/* measured on one side only */
};

enum rule {
	RULE_TEST,		/* Mann-Whitney U */
	RULE_THRESHOLD,		/* relative change, one run on a side */
	RULE_BOOTSTRAP,		/* relative change and a bootstrap interval */
};

struct metric_cmp {
	char name[96];
	enum metric_kind kind;
	enum metric_bad bad;
	size_t nb, nn;			/* runs measuring it */
	double *bv, *nv;		/* each run's value, as compared (one block) */
	double base, new;		/* means over the runs */
	double base_rate, new_rate;	/* counters: per second */
	double abs, rel;		/* new - base; rel NAN when base is 0 */
	enum rule rule;
	double p;			/* RULE_TEST */
	double lo, hi;			/* RULE_BOOTSTRAP: interval of new - base */
	enum verdict verdict;
};

struct config_change {
	char key[128];
	char base[128], new[128];
};

struct diff {
	struct metric_cmp *m;
	size_t n;
	struct config_change *cfg;
	size_t ncfg;
	bool per_second;	/* counters compared per second (no common command) */
	size_t regressions;
};

/* Load SPEC (a record file, a comma-separated list of them, or a
 * directory of *.json records) into SET. Returns 0, or -1 after printing
 * one line. */
int runs_load(const char *spec, struct run_set *set);
void runs_free(struct run_set *set);
int diff_compute(const struct run_set *base, const struct run_set *new,
		 const struct diff_opts *o, struct diff *d);
/* The verdict of one metric from its samples (exposed for tests). */
void diff_decide(struct metric_cmp *c, const double *b, const double *n,
		 const struct diff_opts *o);
void diff_free(struct diff *d);
const char *verdict_name(enum verdict v);
const char *rule_name(enum rule r);

#endif
