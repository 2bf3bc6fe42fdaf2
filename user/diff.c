// SPDX-License-Identifier: GPL-2.0
/* Comparing runs (see diff.h). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "diff.h"
#include "json_util.h"
#include "stats.h"
#include "util.h"

#define BOOTSTRAP_REPS 2000
#define BOOTSTRAP_SEED 0x7468707363ULL

static int add_file(struct run_set *set, const char *path)
{
	json_t *rec;

	if (set->n == DIFF_MAX_RUNS) {
		errorf("diff: more than %d records on one side", DIFF_MAX_RUNS);
		return -1;
	}
	rec = record_load(path);
	if (!rec)
		return -1;
	set->recs[set->n++] = rec;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(struct run_set *set, const char *dir)
{
	char *names[DIFF_MAX_RUNS + 1], path[4096];
	struct dirent *de;
	size_t n = 0, i;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d) {
		errorf("diff: %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) && n <= DIFF_MAX_RUNS) {
		size_t len = strlen(de->d_name);

		if (len > 5 && !strcmp(de->d_name + len - 5, ".json"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	if (!n) {
		errorf("diff: %s holds no *.json record", dir);
		err = -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!err && add_file(set, path))
			err = -1;
		free(names[i]);
	}
	return err;
}

int runs_load(const char *spec, struct run_set *set)
{
	char *copy = strdup(spec), *tok, *rest;
	struct stat st;
	int err = 0;

	memset(set, 0, sizeof(*set));
	if (!copy)
		return -1;
	for (rest = copy; (tok = strsep(&rest, ",")) && !err;) {
		if (!*tok) {
			errorf("diff: '%s': an empty record name in the list", spec);
			err = -1;
		} else if (stat(tok, &st)) {
			errorf("diff: %s: %s", tok, strerror(errno));
			err = -1;
		} else {
			err = S_ISDIR(st.st_mode) ? add_dir(set, tok) : add_file(set, tok);
		}
	}
	free(copy);
	if (!err && !set->n) {
		errorf("diff: no record in '%s'", spec);
		err = -1;
	}
	return err;
}

void runs_free(struct run_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		json_decref(set->recs[i]);
	set->n = 0;
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "same", "regression", "improved", "changed",
					     "one_side" };

	return names[v];
}

const char *rule_name(enum rule r)
{
	static const char *const names[] = { "mann_whitney", "threshold", "threshold+bootstrap" };

	return names[r];
}

static enum verdict direction(enum metric_bad bad, double diff)
{
	if (bad == BAD_NEITHER)
		return V_CHANGED;
	if ((bad == BAD_UP) == (diff > 0))
		return V_REGRESSION;
	return V_IMPROVED;
}

void diff_decide(struct metric_cmp *c, const double *b, const double *n,
		 const struct diff_opts *o)
{
	bool past;

	c->base = mean_of(b, c->nb);
	c->new = mean_of(n, c->nn);
	c->abs = c->new - c->base;
	c->rel = c->base ? c->abs / fabs(c->base) : (c->abs ? INFINITY : 0);
	c->verdict = V_SAME;
	/* The effect must matter whatever the rule. */
	past = fabs(c->rel) >= o->threshold &&
	       (c->kind != MK_COUNTER || fabs(c->abs) >= o->min_change);
	if (c->nb >= DIFF_MIN_TEST_RUNS && c->nn >= DIFF_MIN_TEST_RUNS) {
		int exact;

		c->rule = RULE_TEST;
		c->p = mw_p_two_sided(b, c->nb, n, c->nn, &exact);
		past = past && c->p < o->alpha;
	} else if (c->nb >= 2 && c->nn >= 2) {
		c->rule = RULE_BOOTSTRAP;
		bootstrap_diff(b, c->nb, n, c->nn, BOOTSTRAP_REPS, BOOTSTRAP_SEED, &c->lo, &c->hi);
		past = past && (c->lo > 0 || c->hi < 0);
	} else {
		c->rule = RULE_THRESHOLD;
	}
	if (past)
		c->verdict = direction(c->bad, c->abs);
}

/* The runs all traced the same command: compare counts per run, else
 * per second. */
static bool same_command(const struct run_set *a, const struct run_set *b)
{
	json_t *first = jget(a->recs[0], "command.argv");
	size_t i;

	if (!first)
		return false;
	for (i = 0; i < a->n; i++)
		if (!json_equal(jget(a->recs[i], "command.argv"), first))
			return false;
	for (i = 0; i < b->n; i++)
		if (!json_equal(jget(b->recs[i], "command.argv"), first))
			return false;
	return true;
}

struct side {
	const struct run_set *set;
	struct metrics *m;	/* per run */
	double *secs;		/* per run */
	size_t n;
};

static int side_init(struct side *s, const struct run_set *set)
{
	size_t i;

	s->set = set;
	s->n = set->n;
	s->m = calloc(set->n, sizeof(*s->m));
	s->secs = calloc(set->n, sizeof(*s->secs));
	if (!s->m || !s->secs)
		return -ENOMEM;
	for (i = 0; i < set->n; i++) {
		metrics_from_record(set->recs[i], &s->m[i]);
		s->secs[i] = jget_u64(set->recs[i], "duration_ns") / 1e9;
	}
	return 0;
}

static void side_free(struct side *s)
{
	size_t i;

	for (i = 0; s->m && i < s->n; i++)
		metrics_free(&s->m[i]);
	free(s->m);
	free(s->secs);
}

/* The runs of S where metric PROTO is measured: their values (per
 * second when PER_SECOND). A counter a run measured without events is 0. */
static size_t side_values(const struct side *s, const struct metric *proto, bool per_second,
			  double *out, double *rate)
{
	size_t i, n = 0;
	double rsum = 0;

	for (i = 0; i < s->n; i++) {
		const struct metric *m = metrics_find(&s->m[i], proto->name);
		double v;

		if (m)
			v = m->value;
		else if (proto->kind == MK_COUNTER && metric_measured(s->set->recs[i], proto->name))
			v = 0;
		else
			continue;
		out[n] = v;
		if (proto->kind == MK_COUNTER && s->secs[i] > 0) {
			rsum += v / s->secs[i];
			if (per_second)
				out[n] = v / s->secs[i];
		}
		n++;
	}
	*rate = n ? rsum / n : 0;
	return n;
}

static int add_cmp(struct diff *d, const struct side *b, const struct side *n,
		   const struct metric *proto, const struct diff_opts *o)
{
	struct metric_cmp *c, *grown;

	grown = realloc(d->m, (d->n + 1) * sizeof(*d->m));
	if (!grown)
		return -ENOMEM;
	d->m = grown;
	c = &d->m[d->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", proto->name);
	/* Room for every run of both sides; the values measured fill it. */
	c->bv = malloc((b->n + n->n) * sizeof(double));
	if (!c->bv)
		return -ENOMEM;
	c->nb = side_values(b, proto, d->per_second, c->bv, &c->base_rate);
	c->nv = c->bv + c->nb;
	c->nn = side_values(n, proto, d->per_second, c->nv, &c->new_rate);
	c->kind = proto->kind;
	c->bad = proto->bad;
	if (!c->nb || !c->nn) {
		c->base = mean_of(c->bv, c->nb);
		c->new = mean_of(c->nv, c->nn);
		c->verdict = V_ONE_SIDE;
		return 0;
	}
	diff_decide(c, c->bv, c->nv, o);
	if (c->verdict == V_REGRESSION)
		d->regressions++;
	return 0;
}

/* Every metric name of both sides, once. */
static int compare_metrics(struct diff *d, const struct side *b, const struct side *n,
			   const struct diff_opts *o)
{
	struct metrics all = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; i < b->n + n->n && !err; i++)
		err = metrics_union(&all, i < b->n ? &b->m[i] : &n->m[i - b->n]);
	for (i = 0; i < all.n && !err; i++)
		err = add_cmp(d, b, n, &all.v[i], o);
	metrics_free(&all);
	return err;
}

/* Flatten the scalars of O under PREFIX into "key=value" lines. */
static void flatten(json_t *o, const char *prefix, json_t *out)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char key[128];

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v)) {
			flatten(v, key, out);
		} else if (!json_is_array(v)) {
			char *text = json_dumps(v, JSON_ENCODE_ANY);

			json_object_set_new(out, key, json_string(text ? text : "?"));
			free(text);
		}
	}
}

/* Setting KEY is BASE on one side and NEW on the other (NULL: absent). */
static int add_change(struct diff *d, const char *key, json_t *base, json_t *new)
{
	struct config_change *grown = realloc(d->cfg, (d->ncfg + 1) * sizeof(*d->cfg));
	struct config_change *c;

	if (!grown)
		return -ENOMEM;
	d->cfg = grown;
	c = &d->cfg[d->ncfg++];
	snprintf(c->key, sizeof(c->key), "%s", key);
	snprintf(c->base, sizeof(c->base), "%s", base ? json_string_value(base) : "(absent)");
	snprintf(c->new, sizeof(c->new), "%s", new ? json_string_value(new) : "(absent)");
	return 0;
}

/* THP settings, kernel, filters and whether thpscope's own events
 * counted, where the first runs differ. */
static int compare_config(struct diff *d, json_t *a, json_t *b)
{
	static const char *const parts[] = { "kernel.release", "config", "filter",
					     "self.events", "kernel.nr_nodes", "kernel.nr_cpus" };
	json_t *fa = json_object(), *fb = json_object(), *v;
	const char *k;
	size_t i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		json_t *x = jget(a, parts[i]), *y = jget(b, parts[i]);
		json_t *wa = json_object(), *wb = json_object();

		if (x)
			json_object_set(wa, parts[i], x);
		if (y)
			json_object_set(wb, parts[i], y);
		flatten(wa, "", fa);
		flatten(wb, "", fb);
		json_decref(wa);
		json_decref(wb);
	}
	/* Counters of khugepaged's own progress are not settings. */
	json_object_del(fa, "config.khugepaged.full_scans");
	json_object_del(fb, "config.khugepaged.full_scans");
	json_object_del(fa, "config.khugepaged.pages_collapsed");
	json_object_del(fb, "config.khugepaged.pages_collapsed");
	json_object_foreach(fa, k, v) {
		json_t *w = json_object_get(fb, k);

		if (!w || !json_equal(v, w))
			err = err ?: add_change(d, k, v, w);
	}
	json_object_foreach(fb, k, v)
		if (!json_object_get(fa, k))
			err = err ?: add_change(d, k, NULL, v);
	json_decref(fa);
	json_decref(fb);
	return err;
}

int diff_compute(const struct run_set *base, const struct run_set *new,
		 const struct diff_opts *o, struct diff *d)
{
	struct side b = { 0 }, n = { 0 };
	int err;

	memset(d, 0, sizeof(*d));
	d->per_second = !same_command(base, new);
	err = side_init(&b, base) ?: side_init(&n, new);
	if (!err)
		err = compare_metrics(d, &b, &n, o);
	if (!err)
		err = compare_config(d, base->recs[0], new->recs[0]);
	side_free(&b);
	side_free(&n);
	return err;
}

void diff_free(struct diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->m[i].bv);
	free(d->m);
	free(d->cfg);
	memset(d, 0, sizeof(*d));
}
