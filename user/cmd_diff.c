// SPDX-License-Identifier: GPL-2.0
/* thpscope diff: compare two sets of runs metric by metric; the exit
 * status says whether anything regressed past the threshold. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "diff.h"
#include "html.h"
#include "json_util.h"
#include "table.h"
#include "util.h"

static const char usage[] =
"usage: thpscope diff [--threshold PCT] [--alpha P] [--min-change N] [--all]\n"
"                     [--json] [--html OUT.html] BASE NEW\n"
"\n"
"Compare the records of BASE with those of NEW. Each side is a record\n"
"file, a comma-separated list of them, or a directory of *.json records\n"
"(repeated runs). With %d runs or more on both sides a metric is decided\n"
"by the Mann-Whitney U test; with fewer, by its relative change against\n"
"the threshold, and where both sides have 2 runs or more, a bootstrap 95%%\n"
"interval of the difference that must exclude 0. Counters are compared\n"
"per run when every run traced the same command, else per second.\n"
"\n"
"Exit status: 0 no regression, 1 a regression, 2 an error.\n"
"\n"
"  --threshold PCT  smallest relative change that counts (default 10)\n"
"  --alpha P        significance level of the test (default 0.05)\n"
"  --min-change N   smallest absolute change of a counter (default 2)\n"
"  --all            list unchanged metrics too\n"
"  --json           the comparison as JSON\n"
"  --html OUT.html  also write a page with the two sides' charts\n"
"  -h, --help       this text\n"
"\n"
OUTPUT_RULE;

struct diff_cli {
	struct diff_opts o;
	bool json, all;
	const char *html;
	const char *base, *new;
};

enum { OPT_THRESHOLD = 0x100, OPT_ALPHA, OPT_MIN, OPT_ALL, OPT_JSON, OPT_HTML };

static int number_arg(const char *opt, const char *arg, double lo, double hi, double *out)
{
	if (!parse_double(arg, lo, hi, out)) {
		errorf("diff: %s wants a number from %g to %g, not '%s'", opt, lo, hi, arg);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct diff_cli *c)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "min-change", required_argument, NULL, OPT_MIN },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "html", required_argument, NULL, OPT_HTML },
		{ 0 }
	};
	double pct;
	int ch;

	memset(c, 0, sizeof(*c));
	c->o.threshold = 0.10;
	c->o.alpha = 0.05;
	c->o.min_change = 2;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf(usage, DIFF_MIN_TEST_RUNS);
			return 1;
		case OPT_THRESHOLD:
			if (number_arg("--threshold", optarg, 0, 1e6, &pct))
				return -1;
			c->o.threshold = pct / 100;
			break;
		case OPT_ALPHA:
			if (number_arg("--alpha", optarg, 1e-9, 0.5, &c->o.alpha))
				return -1;
			break;
		case OPT_MIN:
			if (number_arg("--min-change", optarg, 0, 1e18, &c->o.min_change))
				return -1;
			break;
		case OPT_ALL:
			c->all = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_HTML:
			c->html = optarg;
			break;
		default:
			errorf("diff: unknown option '%s' (see thpscope diff --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 2) {
		errorf("diff: wants BASE and NEW (see thpscope diff --help)");
		return -1;
	}
	c->base = argv[optind];
	c->new = argv[optind + 1];
	return 0;
}

static const char *fmt_num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "new" : "gone");
	else if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 0.01))
		snprintf(buf, len, "%.3g", v);
	else if (v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2f", v);
	return buf;
}

static const char *fmt_rule(const struct metric_cmp *m, char *buf, size_t len)
{
	if (m->verdict == V_ONE_SIDE)
		snprintf(buf, len, "-");
	else if (m->rule == RULE_TEST)
		snprintf(buf, len, "mann_whitney p=%.3g", m->p);
	else if (m->rule == RULE_BOOTSTRAP)
		snprintf(buf, len, "bootstrap [%.3g, %.3g]", m->lo, m->hi);
	else
		snprintf(buf, len, "threshold");
	return buf;
}

static void print_text(const struct diff_cli *c, const struct diff *d,
		       const struct run_set *b, const struct run_set *n)
{
	struct table *t;
	size_t i;

	printf("base: %zu run%s of %s; new: %zu run%s of %s\n", b->n, b->n == 1 ? "" : "s",
	       json_string_value(jget(b->recs[0], "kernel.release")), n->n, n->n == 1 ? "" : "s",
	       json_string_value(jget(n->recs[0], "kernel.release")));
	printf("counters compared %s; threshold %.0f%%, alpha %g, min change %g\n\n",
	       d->per_second ? "per second (the runs did not trace one command)" :
	       "per run (every run traced the same command)",
	       c->o.threshold * 100, c->o.alpha, c->o.min_change);
	t = table_new("SETTING\tBASE\tNEW");
	for (i = 0; i < d->ncfg; i++)
		table_add(t, "%s\t%s\t%s", d->cfg[i].key, d->cfg[i].base, d->cfg[i].new);
	table_print(t, stdout, "Configuration differences", NULL);
	table_free(t);

	t = table_new("METRIC\tKIND\tBASE\tNEW\tCHANGE\tBASE/S\tNEW/S\tRULE\tVERDICT");
	for (i = 0; i < d->n; i++) {
		const struct metric_cmp *m = &d->m[i];
		char a[32], bb[32], ch[32], r1[32], r2[32], rule[64];

		if (!c->all && (m->verdict == V_SAME ||
				(m->verdict == V_ONE_SIDE && !m->base && !m->new)))
			continue;
		if (m->verdict == V_ONE_SIDE)
			snprintf(ch, sizeof(ch), "%s only", m->nb ? "base" : "new");
		else if (isinf(m->rel))
			snprintf(ch, sizeof(ch), "+%s", fmt_num(m->abs, a, sizeof(a)));
		else
			snprintf(ch, sizeof(ch), "%+.1f%%", m->rel * 100);
		fmt_num(m->base, a, sizeof(a));
		fmt_num(m->new, bb, sizeof(bb));
		table_add(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", m->name, metric_kind_name(m->kind),
			  a, bb, ch,
			  m->kind == MK_COUNTER ? fmt_num(m->base_rate, r1, sizeof(r1)) : "-",
			  m->kind == MK_COUNTER ? fmt_num(m->new_rate, r2, sizeof(r2)) : "-",
			  fmt_rule(m, rule, sizeof(rule)),
			  m->verdict == V_REGRESSION ? "REGRESSION" : verdict_name(m->verdict));
	}
	if (table_rows(t))
		table_print(t, stdout, "Metrics", NULL);
	else
		printf("No metric changed past the rules.\n\n");
	table_free(t);
	printf("%zu regression%s\n", d->regressions, d->regressions == 1 ? "" : "s");
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *values_json(const double *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, num(v[i]));
	return a;
}

static json_t *diff_json(const struct diff_cli *c, const struct diff *d,
			 const struct run_set *b, const struct run_set *n)
{
	json_t *o = json_object(), *ms = json_array(), *cfg = json_array();
	size_t i;

	json_object_set_new(o, "base", json_pack("{s:s, s:I}", "spec", c->base, "runs",
						 (json_int_t)b->n));
	json_object_set_new(o, "new", json_pack("{s:s, s:I}", "spec", c->new, "runs",
						(json_int_t)n->n));
	json_object_set_new(o, "per_second", json_boolean(d->per_second));
	json_object_set_new(o, "threshold", json_real(c->o.threshold));
	json_object_set_new(o, "alpha", json_real(c->o.alpha));
	for (i = 0; i < d->ncfg; i++)
		json_array_append_new(cfg, json_pack("{s:s, s:s, s:s}", "key", d->cfg[i].key,
						     "base", d->cfg[i].base, "new", d->cfg[i].new));
	json_object_set_new(o, "config_changes", cfg);
	for (i = 0; i < d->n; i++) {
		const struct metric_cmp *m = &d->m[i];
		json_t *e = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s}",
				      "name", m->name, "kind", metric_kind_name(m->kind),
				      "base_runs", (json_int_t)m->nb, "new_runs", (json_int_t)m->nn,
				      "base", num(m->base), "new", num(m->new), "abs", num(m->abs),
				      "rel", num(m->rel), "verdict", verdict_name(m->verdict));

		json_object_set_new(e, "base_values", values_json(m->bv, m->nb));
		json_object_set_new(e, "new_values", values_json(m->nv, m->nn));
		json_object_set_new(e, "bad", json_string(m->bad == BAD_UP ? "up" :
							 m->bad == BAD_DOWN ? "down" : "neither"));
		if (m->kind == MK_COUNTER) {
			json_object_set_new(e, "base_per_s", num(m->base_rate));
			json_object_set_new(e, "new_per_s", num(m->new_rate));
		}
		if (m->verdict != V_ONE_SIDE) {
			json_object_set_new(e, "rule", json_string(rule_name(m->rule)));
			if (m->rule == RULE_TEST)
				json_object_set_new(e, "p", num(m->p));
			if (m->rule == RULE_BOOTSTRAP)
				json_object_set_new(e, "interval", json_pack("[o, o]", num(m->lo),
									     num(m->hi)));
		}
		json_array_append_new(ms, e);
	}
	json_object_set_new(o, "metrics", ms);
	json_object_set_new(o, "regressions", json_integer(d->regressions));
	return o;
}

int cmd_diff(int argc, char **argv)
{
	struct run_set b, n;
	struct diff_cli c;
	struct diff d;
	int ret;

	ret = parse_args(argc, argv, &c);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (c.html && output_check("diff", c.html))
		return 2;
	if (runs_load(c.base, &b))
		return 2;
	if (runs_load(c.new, &n)) {
		runs_free(&b);
		return 2;
	}
	if (diff_compute(&b, &n, &c.o, &d)) {
		errorf("diff: out of memory");
		ret = 2;
		goto out;
	}
	/* The page first: a page that cannot be written fails the command
	 * before anything is printed. */
	if (c.html && html_write_diff(c.html, &d, &b, &n)) {
		ret = 2;
		goto free_diff;
	}
	if (c.json) {
		json_t *o = diff_json(&c, &d, &b, &n);

		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
	} else {
		print_text(&c, &d, &b, &n);
	}
	ret = d.regressions ? 1 : 0;
free_diff:
	diff_free(&d);
out:
	runs_free(&b);
	runs_free(&n);
	return ret;
}
