// SPDX-License-Identifier: GPL-2.0
/*
 * benchstat: the statistics and output of scripts/bench.
 *
 *   benchstat --json FILE --kernel K --date D [--reps N --samples FILE
 *             [--cost FILE] [--probes FILE] [--record-idle FILE]
 *             [--attach FILE --rss KB --cpu-user S --cpu-sys S]]
 *             [--serve-cpu FILE --serve-latency FILE --serve-rss FILE]
 *
 * The interleaved run: --samples holds "workload config wall_ns cpu_ns"
 * lines, a run of the workload each (cpu_ns: user + system time of its
 * process tree). Slowdowns are median(config) / median(baseline) with a
 * bootstrap 95% interval (stats.c); an interval holding 1 is
 * indistinguishable from the baseline.
 *
 * --cost: "workload config bpf_ns tool_ns start_ns" lines, one a run of a
 * tool whose BPF programs the bench can count: the run time of exactly
 * the tool's programs and the tool's own CPU time while the workload ran,
 * and its CPU time from launch to attached. The attributable cost of a
 * run is (bpf_ns + tool_ns) / the median CPU time of the workload under
 * baseline: the denominator holds no BPF time, so nothing is counted
 * twice.
 *
 * --probes: "phase workload probe mechanism rep runs run_ns" lines of
 * thpscope record's programs, phase "first" (from attached through the
 * warm-up unit: fresh maps) or "steady" (the timed run).
 *
 * --record-idle: one line "wall_ns cpu_ns bpf_ns" of thpscope record -i
 * 0.1 on an idle machine, from attached to just before its end.
 *
 * --attach: "tool ns" lines (launch to attached); --rss, --cpu-user and
 * --cpu-sys: thpscope's peak RSS and CPU time recording a workload.
 *
 * The serve part (thpscope serve against issue 16's targets): --serve-cpu
 * holds one line "wall_ns cpu_ns bpf_ns scrapes" of the idle stretch
 * (serve's CPU time, its BPF programs' run time); --serve-latency
 * "phase scrapes p50_ns p99_ns max_ns bytes" lines (scrape's output);
 * --serve-rss "stage rss_kb hwm_kb" lines, stage "attached" or the
 * number of scrapes made, VmHWM reset before the first.
 *
 * Prints the tables (the cost tables in markdown too, to paste) and
 * writes the JSON document to FILE.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stats.h"

#define NAME_MAX_LEN	64
#define MAX_NAMES	32
#define BOOT_REPS	2000
#define BOOT_SEED	1
#define MAX_FIELDS	7

/* Values in the order they were read. */
struct series {
	double *v;
	size_t n, cap;
};

/* Names in the order they first appear. */
struct names {
	char name[MAX_NAMES][NAME_MAX_LEN];
	size_t n;
};

/*
 * A program of thpscope record: its events and run time from attached
 * through the warm-up units (first touch, fresh maps), and in the timed
 * runs per repetition, all workloads summed (steady state).
 */
struct probe {
	char name[NAME_MAX_LEN], mech[NAME_MAX_LEN];
	uint64_t first_runs, first_ns;
	uint64_t *runs, *ns;	/* [reps] */
};

/* The JSON document being written, removed if that fails half-way. */
static const char *json_path;
static bool writing;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "benchstat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (writing)
		unlink(json_path);
	exit(1);
}

/* Names go into the JSON as they are: letters, digits and _ : . - only. */
static bool plain(const char *s)
{
	return *s && strlen(s) < NAME_MAX_LEN &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.+-") ==
	       strlen(s);
}

/* The index of NAME in NAMES, NAMES->n when absent. */
static size_t name_find(const struct names *names, const char *name)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (!strcmp(names->name[i], name))
			break;
	return i;
}

static size_t name_index(struct names *names, const char *name)
{
	size_t i = name_find(names, name);

	if (i < names->n)
		return i;
	if (names->n == MAX_NAMES)
		die("more than %d distinct names", MAX_NAMES);
	strcpy(names->name[names->n], name);
	return names->n++;
}

static void series_add(struct series *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("out of memory");
	}
	s->v[s->n++] = v;
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		die("%s: '%s' is not a whole number", what, s);
	return v;
}

static double parse_double(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0))
		die("%s: '%s' is not a number", what, s);
	return v;
}

/*
 * Read FILE's lines of NF fields (the last NUMS of them whole numbers)
 * and hand each to LINE.
 */
static void read_lines(const char *file, int nf, int nums,
		       void (*line)(char **f, const uint64_t *num))
{
	char buf[512], *f[MAX_FIELDS], where[300];
	uint64_t num[MAX_FIELDS];
	unsigned int ln = 0;
	FILE *in = fopen(file, "r");
	int i;

	if (!in)
		die("%s: %s", file, strerror(errno));
	while (fgets(buf, sizeof(buf), in)) {
		char *save, *tok;

		snprintf(where, sizeof(where), "%s:%u", file, ++ln);
		if (!strchr(buf, '\n') && !feof(in))
			die("%s: line too long", where);
		tok = strtok_r(buf, " \t\n", &save);
		for (i = 0; i < nf && tok; i++, tok = strtok_r(NULL, " \t\n", &save))
			f[i] = tok;
		if (i < nf || tok)
			die("%s: want %d fields", where, nf);
		for (i = 0; i < nf - nums; i++)
			if (!plain(f[i]))
				die("%s: bad name '%s'", where, f[i]);
		for (i = nf - nums; i < nf; i++)
			num[i] = parse_u64(f[i], where);
		line(f, num);
	}
	if (ferror(in))
		die("%s: read failed", file);
	fclose(in);
}

static struct names workloads, configs, tools;
/* Per workload and config: the workload's wall-clock and CPU time a run. */
static struct series wall[MAX_NAMES][MAX_NAMES], cpu[MAX_NAMES][MAX_NAMES];
/* Per workload and counted config: the tool's BPF, own and start-up CPU. */
static struct series bpf[MAX_NAMES][MAX_NAMES], tool[MAX_NAMES][MAX_NAMES],
		     start[MAX_NAMES][MAX_NAMES];
static bool counted[MAX_NAMES];
static struct series attach[MAX_NAMES];
static struct probe *probes;
static size_t nprobes;
static uint64_t reps;

static void sample_line(char **f, const uint64_t *num)
{
	size_t w = name_index(&workloads, f[0]), c = name_index(&configs, f[1]);

	if (!num[2] || !num[3])
		die("--samples: %s under %s: a run took no time", f[0], f[1]);
	series_add(&wall[w][c], num[2]);
	series_add(&cpu[w][c], num[3]);
}

static void cost_line(char **f, const uint64_t *num)
{
	size_t w = name_find(&workloads, f[0]), c = name_find(&configs, f[1]);

	if (w == workloads.n || c == configs.n)
		die("--cost: %s under %s has no samples", f[0], f[1]);
	if (!num[2])
		die("--cost: %s under %s: no BPF program of the tool ran", f[0], f[1]);
	counted[c] = true;
	series_add(&bpf[w][c], num[2]);
	series_add(&tool[w][c], num[3]);
	series_add(&start[w][c], num[4]);
}

static struct probe *probe_get(const char *name, const char *mech)
{
	struct probe *p;
	size_t i;

	for (i = 0; i < nprobes; i++)
		if (!strcmp(probes[i].name, name))
			return &probes[i];
	p = realloc(probes, (nprobes + 1) * sizeof(*probes));
	if (!p)
		die("out of memory");
	probes = p;
	p = &probes[nprobes++];
	memset(p, 0, sizeof(*p));
	strcpy(p->name, name);
	strcpy(p->mech, mech);
	p->runs = calloc(reps, sizeof(*p->runs));
	p->ns = calloc(reps, sizeof(*p->ns));
	if (!p->runs || !p->ns)
		die("out of memory");
	return p;
}

static void probe_line(char **f, const uint64_t *num)
{
	struct probe *p = probe_get(f[2], f[3]);
	uint64_t rep = num[4];

	if (!strcmp(f[0], "first")) {
		p->first_runs += num[5];
		p->first_ns += num[6];
	} else if (!strcmp(f[0], "steady")) {
		if (!rep || rep > reps)
			die("--probes: %s: repetition %" PRIu64 " of %" PRIu64, f[2], rep, reps);
		p->runs[rep - 1] += num[5];
		p->ns[rep - 1] += num[6];
	} else {
		die("--probes: phase '%s': first or steady", f[0]);
	}
	if (name_find(&workloads, f[1]) == workloads.n)
		die("--probes: workload %s has no samples", f[1]);
}

static void attach_line(char **f, const uint64_t *num)
{
	series_add(&attach[name_index(&tools, f[0])], num[1] / 1e6);
}

/* The median of S, leaving S as it was read. */
static double median(const struct series *s)
{
	double *tmp = malloc((s->n + 1) * sizeof(*tmp)), m;

	if (!tmp)
		die("out of memory");
	memcpy(tmp, s->v, s->n * sizeof(*tmp));
	m = median_of(tmp, s->n);
	free(tmp);
	return m;
}

/* How a config is called in the tables: thpscope is its record command. */
static const char *display_name(const char *config)
{
	if (!strcmp(config, "thpscope"))
		return "thpscope record";
	if (!strcmp(config, "trace"))
		return "thpscope trace";
	return config;
}

static void upper(char *dst, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i < NAME_MAX_LEN - 1; i++)
		dst[i] = toupper((unsigned char)src[i]);
	dst[i] = 0;
}

/* The slowdown of workload W under config C: median ratio, its interval. */
struct slowdown {
	double ratio, lo, hi;
	bool same;	/* the interval holds 1: indistinguishable */
};

static struct slowdown slowdown_of(size_t w, size_t c, size_t baseline)
{
	const struct series *base = &wall[w][baseline], *s = &wall[w][c];
	struct slowdown d;

	d.ratio = median(s) / median(base);
	bootstrap_ratio(base->v, base->n, s->v, s->n, BOOT_REPS, BOOT_SEED, &d.lo, &d.hi);
	d.same = d.lo <= 1 && d.hi >= 1;
	return d;
}

static void slowdowns(FILE *json, size_t baseline)
{
	size_t w, c, i;
	char name[NAME_MAX_LEN];

	printf("Workload slowdown: median run time with the tool / without, bootstrap 95%% interval\n");
	printf("%-12s %10s", "WORKLOAD", "BASELINE");
	for (c = 0; c < configs.n; c++) {
		if (c == baseline)
			continue;
		upper(name, configs.name[c]);
		printf(" %28s", name);
	}
	printf("\n");
	fprintf(json, ",\n \"workloads\": {");
	for (w = 0; w < workloads.n; w++) {
		bool first = true;

		fprintf(json, "%s\n  \"%s\": {", w ? "," : "", workloads.name[w]);
		printf("%-12s %9.2fs", workloads.name[w], median(&wall[w][baseline]) / 1e9);
		for (c = 0; c < configs.n; c++) {
			const struct series *s = &wall[w][c];
			struct slowdown d;
			char cell[64];

			if (!s->n) {
				if (c != baseline)
					printf(" %28s", "-");
				continue;
			}
			fprintf(json, "%s\n   \"%s\": {\"median_ns\": %.0f, \"cpu_median_ns\": %.0f"
				", \"samples_ns\": [", first ? "" : ",", configs.name[c], median(s),
				median(&cpu[w][c]));
			first = false;
			for (i = 0; i < s->n; i++)
				fprintf(json, "%s%.0f", i ? ", " : "", s->v[i]);
			fprintf(json, "], \"cpu_samples_ns\": [");
			for (i = 0; i < cpu[w][c].n; i++)
				fprintf(json, "%s%.0f", i ? ", " : "", cpu[w][c].v[i]);
			fprintf(json, "]");
			if (c != baseline) {
				d = slowdown_of(w, c, baseline);
				fprintf(json, ", \"ratio\": %.4f, \"ci95\": [%.4f, %.4f], \"verdict\": \"%s\"",
					d.ratio, d.lo, d.hi, d.same ? "indistinguishable" :
					d.lo > 1 ? "slower" : "faster");
				snprintf(cell, sizeof(cell), "%.3f [%.3f,%.3f]%s", d.ratio, d.lo, d.hi,
					 d.same ? " =" : "");
				printf(" %28s", cell);
			}
			fprintf(json, "}");
		}
		fprintf(json, "}");
		printf("\n");
	}
	fprintf(json, "\n }");
	printf("(= : inside the noise, indistinguishable from baseline)\n");
}

/* Percentiles of a series: p50, min and max. */
struct spread {
	double p50, min, max;
};

static struct spread spread_of(const struct series *s)
{
	struct spread r = { median(s), s->n ? s->v[0] : 0, s->n ? s->v[0] : 0 };
	size_t i;

	for (i = 1; i < s->n; i++) {
		if (s->v[i] < r.min)
			r.min = s->v[i];
		if (s->v[i] > r.max)
			r.max = s->v[i];
	}
	return r;
}

/* A tool's cost on one workload, in % of the workload's CPU under baseline. */
struct cost {
	struct spread total;
	double bpf, tool, start_ms, cpu_ratio;
	struct slowdown wall;
	size_t runs;
};

static struct cost cost_of(size_t w, size_t c, size_t baseline)
{
	double base = median(&cpu[w][baseline]);
	struct series pct = { 0 }, b = { 0 }, t = { 0 };
	struct cost k;
	size_t i;

	for (i = 0; i < bpf[w][c].n; i++) {
		series_add(&pct, 100 * (bpf[w][c].v[i] + tool[w][c].v[i]) / base);
		series_add(&b, 100 * bpf[w][c].v[i] / base);
		series_add(&t, 100 * tool[w][c].v[i] / base);
	}
	k.total = spread_of(&pct);
	k.bpf = median(&b);
	k.tool = median(&t);
	k.start_ms = median(&start[w][c]) / 1e6;
	k.cpu_ratio = median(&cpu[w][c]) / base;
	k.wall = slowdown_of(w, c, baseline);
	k.runs = pct.n;
	free(pct.v);
	free(b.v);
	free(t.v);
	return k;
}

/*
 * The attributable cost of every counted tool on every workload, as a
 * table, as markdown to paste, and in the JSON document.
 */
static void attributable(FILE *json, size_t baseline)
{
	size_t w, c;

	printf("\nAttributable cost: run time of the tool's BPF programs + the tool's own CPU while the workload ran,\n"
	       "in %% of the workload's CPU time (user + sys, its process tree) under baseline; p50 [min, max] of the runs\n");
	printf("%-12s %9s  %-16s %-26s %7s %7s %9s %9s %9s\n", "WORKLOAD", "BASE CPU", "TOOL",
	       "COST %", "BPF %", "TOOL %", "START CPU", "CPU RATIO", "WALL");
	fprintf(json, ",\n \"cost\": {");
	for (w = 0; w < workloads.n; w++) {
		bool first = true;

		fprintf(json, "%s\n  \"%s\": {\"baseline_cpu_ns\": %.0f", w ? "," : "",
			workloads.name[w], median(&cpu[w][baseline]));
		for (c = 0; c < configs.n; c++) {
			struct cost k;
			char cell[64], base[32];

			if (!counted[c])
				continue;
			if (!bpf[w][c].n)
				die("workload %s: no cost of %s", workloads.name[w], configs.name[c]);
			k = cost_of(w, c, baseline);
			snprintf(cell, sizeof(cell), "%.3f [%.3f, %.3f]", k.total.p50, k.total.min,
				 k.total.max);
			snprintf(base, sizeof(base), "%.2fs", median(&cpu[w][baseline]) / 1e9);
			printf("%-12s %9s  %-16s %-26s %7.3f %7.3f %7.0fms %9.3f %8.3f%s\n",
			       first ? workloads.name[w] : "", first ? base : "",
			       display_name(configs.name[c]), cell, k.bpf, k.tool, k.start_ms,
			       k.cpu_ratio, k.wall.ratio, k.wall.same ? " =" : "");
			first = false;
			fprintf(json, ",\n   \"%s\": {\"runs\": %zu, \"percent\": {\"p50\": %.4f"
				", \"min\": %.4f, \"max\": %.4f}, \"bpf_percent_p50\": %.4f"
				", \"tool_percent_p50\": %.4f, \"start_cpu_ms_p50\": %.1f"
				", \"cpu_ratio\": %.4f, \"wall_ratio\": %.4f}",
				configs.name[c], k.runs, k.total.p50, k.total.min, k.total.max, k.bpf,
				k.tool, k.start_ms, k.cpu_ratio, k.wall.ratio);
		}
		fprintf(json, "}");
	}
	fprintf(json, "\n }");
	printf("(START CPU: the tool's CPU from launch to attached, not in COST; CPU RATIO: the workload's own CPU\n"
	       " under the tool / under baseline, BPF time run in its context included; WALL: wall-clock ratio, = in the noise)\n");

	printf("\nMarkdown:\n\n| workload | workload CPU |");
	for (c = 0; c < configs.n; c++)
		if (counted[c])
			printf(" %s |", display_name(configs.name[c]));
	printf("\n| --- | --- |");
	for (c = 0; c < configs.n; c++)
		if (counted[c])
			printf(" --- |");
	printf("\n");
	for (w = 0; w < workloads.n; w++) {
		printf("| %s | %.2f s |", workloads.name[w], median(&cpu[w][baseline]) / 1e9);
		for (c = 0; c < configs.n; c++) {
			struct cost k;

			if (!counted[c])
				continue;
			k = cost_of(w, c, baseline);
			printf(" %.3f%% [%.3f, %.3f] (BPF %.3f%%); wall %.3f%s |", k.total.p50,
			       k.total.min, k.total.max, k.bpf, k.wall.ratio, k.wall.same ? " =" : "");
		}
		printf("\n");
	}
}

/* Fewer events a repetition than this are said apart. */
#define PROBE_MIN_EVENTS	10000

static int probe_cmp(const void *a, const void *b)
{
	return strcmp(((const struct probe *)a)->name, ((const struct probe *)b)->name);
}

/* A probe's figures: steady state per repetition, first touch apart. */
struct probe_summary {
	uint64_t events;	/* in the timed runs, every repetition */
	double events_p50;	/* a repetition */
	struct spread ns;	/* ns/event across repetitions */
	double first_ns;	/* ns/event at first touch */
};

static struct probe_summary probe_summary(const struct probe *q)
{
	struct series per = { 0 }, events = { 0 };
	struct probe_summary m = { 0 };
	uint64_t r;

	for (r = 0; r < reps; r++) {
		m.events += q->runs[r];
		series_add(&events, q->runs[r]);
		if (q->runs[r])
			series_add(&per, (double)q->ns[r] / q->runs[r]);
	}
	m.events_p50 = median(&events);
	m.ns = spread_of(&per);
	m.first_ns = q->first_runs ? (double)q->first_ns / q->first_runs : 0;
	free(per.v);
	free(events.v);
	return m;
}

static void probe_costs(FILE *json, size_t thpscope)
{
	uint64_t total = 0;
	double seconds = 0;
	bool few = false;
	size_t p, w, r;

	printf("\nPer-probe cost of thpscope record (BPF run-time statistics). Steady: the timed runs after a\n"
	       "warm-up unit, per repetition over all workloads, p50 and max of %" PRIu64 "; first touch: from\n"
	       "attached through the warm-up units (fresh maps), all repetitions\n", reps);
	printf("%-42s %-10s %11s %9s %9s %13s %9s\n", "PROBE", "MECHANISM", "EVENTS/REP", "NS P50",
	       "NS MAX", "FIRST EVENTS", "FIRST NS");
	fprintf(json, ",\n \"probes\": {");
	for (p = 0; p < nprobes; p++) {
		const struct probe *q = &probes[p];
		struct probe_summary m = probe_summary(q);
		bool low = m.events_p50 < PROBE_MIN_EVENTS;

		total += m.events;
		few |= low;
		printf("%-42s %-10s %10.0f%s %9.0f %9.0f %13" PRIu64 " %9.0f\n", q->name, q->mech,
		       m.events_p50, low ? "*" : " ", m.ns.p50, m.ns.max, q->first_runs, m.first_ns);
		fprintf(json, "%s\n  \"%s\": {\"mechanism\": \"%s\", \"events\": %" PRIu64
			", \"events_per_rep_p50\": %.0f, \"ns_per_event_p50\": %.1f"
			", \"ns_per_event_max\": %.1f, \"first_touch\": {\"events\": %" PRIu64
			", \"ns_per_event\": %.1f}}", p ? "," : "", q->name, q->mech, m.events,
			m.events_p50, m.ns.p50, m.ns.max, q->first_runs, m.first_ns);
	}
	for (w = 0; w < workloads.n; w++)
		for (r = 0; r < wall[w][thpscope].n; r++)
			seconds += wall[w][thpscope].v[r] / 1e9;
	fprintf(json, "\n },\n \"events\": %" PRIu64 ",\n \"events_per_second\": %.0f",
		total, seconds ? total / seconds : 0);
	printf("events in the timed runs: %" PRIu64 " (%.0f per second)\n", total,
	       seconds ? total / seconds : 0);
	if (few)
		printf("* fewer than %d events a repetition: the workloads do not fire it more often\n",
		       PROBE_MIN_EVENTS);

	printf("\nMarkdown:\n\n| probe | events a repetition | ns/event p50 | max | first touch: events, ns/event |\n"
	       "| --- | --- | --- | --- | --- |\n");
	for (p = 0; p < nprobes; p++) {
		struct probe_summary m = probe_summary(&probes[p]);

		printf("| `%s` | %.0f%s | %.0f | %.0f | %" PRIu64 ", %.0f |\n", probes[p].name,
		       m.events_p50, m.events_p50 < PROBE_MIN_EVENTS ? " (few)" : "", m.ns.p50,
		       m.ns.max, probes[p].first_runs, m.first_ns);
	}
}

/* Issue 19's target for record -i 0.1 on an idle machine. */
#define RECORD_IDLE_TARGET_PCT	1.0

static uint64_t record_idle[3];	/* wall_ns cpu_ns bpf_ns */
static size_t record_idle_lines;

static void record_idle_line(char **f, const uint64_t *num)
{
	if (record_idle_lines++)
		die("--record-idle: more than one line");
	memcpy(record_idle, num, sizeof(record_idle));
}

static void record_idle_figure(FILE *json)
{
	double wall = record_idle[0], cpu = 100 * record_idle[1] / wall;
	double bpf_pct = 100 * record_idle[2] / wall;
	bool met = cpu + bpf_pct <= RECORD_IDLE_TARGET_PCT;

	printf("\nthpscope record -i 0.1, idle, from attached over %.0f s: %.3f%% of a core (%.3f%% in record, %.3f%% in its BPF programs), target <= %.1f%%: %s\n",
	       wall / 1e9, cpu + bpf_pct, cpu, bpf_pct, RECORD_IDLE_TARGET_PCT,
	       met ? "met" : "missed");
	fprintf(json, ",\n \"record_idle\": {\"interval_s\": 0.1, \"seconds\": %.1f"
		", \"cpu_percent\": %.4f, \"bpf_percent\": %.4f, \"total_percent\": %.4f"
		", \"target_percent\": %.1f, \"met\": %s}", wall / 1e9, cpu, bpf_pct,
		cpu + bpf_pct, RECORD_IDLE_TARGET_PCT, met ? "true" : "false");
}

static void attach_times(FILE *json)
{
	size_t t, runs = 0;

	for (t = 0; t < tools.n; t++)
		if (!strcmp(tools.name[t], "thpscope"))
			runs = attach[t].n;
	printf("\nLaunch to attached (median of %zu runs)\n", runs);
	fprintf(json, ",\n \"attach_ms\": {");
	for (t = 0; t < tools.n; t++) {
		double m = median(&attach[t]);

		printf("  %-10s %8.0f ms\n", tools.name[t], m);
		fprintf(json, "%s\"%s\": %.1f", t ? ", " : "", tools.name[t], m);
	}
	fprintf(json, "}");
}

/* Issue 16's targets for thpscope serve. */
#define SERVE_CPU_TARGET_PCT	0.5
#define SERVE_P99_TARGET_MS	5.0
#define SERVE_RSS_TARGET_KB	(20 * 1024)
/* Flat: the RSS grows by less than a page per 1000 scrapes. */
#define SERVE_FLAT_KB_PER_1000	4

struct latency {
	char phase[NAME_MAX_LEN];
	uint64_t scrapes, p50, p99, max, bytes;
};

struct rss_point {
	uint64_t scrapes, rss, hwm;
};

static uint64_t idle[4];	/* wall_ns cpu_ns bpf_ns scrapes */
static size_t idle_lines;
static struct latency latencies[MAX_NAMES];
static size_t nlatencies;
static struct rss_point rss_points[MAX_NAMES], rss_attached;
static size_t nrss;
static bool attached_seen;

static void idle_line(char **f, const uint64_t *num)
{
	if (idle_lines++)
		die("--serve-cpu: more than one line");
	memcpy(idle, num, sizeof(idle));
}

static void latency_line(char **f, const uint64_t *num)
{
	struct latency *l;

	if (nlatencies == MAX_NAMES)
		die("--serve-latency: more than %d phases", MAX_NAMES);
	l = &latencies[nlatencies++];
	strcpy(l->phase, f[0]);
	l->scrapes = num[1];
	l->p50 = num[2];
	l->p99 = num[3];
	l->max = num[4];
	l->bytes = num[5];
	if (!l->scrapes || l->p50 > l->p99 || l->p99 > l->max)
		die("--serve-latency: phase %s: want scrapes > 0 and p50 <= p99 <= max", f[0]);
}

static void rss_line(char **f, const uint64_t *num)
{
	struct rss_point *p;

	if (!strcmp(f[0], "attached")) {
		if (attached_seen)
			die("--serve-rss: more than one attached stage");
		p = &rss_attached;
		attached_seen = true;
	} else {
		if (nrss == MAX_NAMES)
			die("--serve-rss: more than %d points", MAX_NAMES);
		p = &rss_points[nrss++];
		p->scrapes = parse_u64(f[0], "--serve-rss: the stage");
		if (nrss > 1 && p->scrapes <= p[-1].scrapes)
			die("--serve-rss: the stages must grow, %s does not", f[0]);
	}
	p->rss = num[1];
	p->hwm = num[2];
	if (!p->rss || p->hwm < p->rss)
		die("--serve-rss: stage %s: want 0 < rss <= hwm", f[0]);
}

static void serve_idle(FILE *json)
{
	double wall = idle[0], cpu = 100 * idle[1] / wall, bpf = 100 * idle[2] / wall;
	bool met = cpu + bpf <= SERVE_CPU_TARGET_PCT;

	printf("  idle, %" PRIu64 " scrapes over %.0f s: %.3f%% of a core (%.3f%% in serve, %.3f%% in its BPF programs), target <= %.1f%%: %s\n",
	       idle[3], wall / 1e9, cpu + bpf, cpu, bpf, SERVE_CPU_TARGET_PCT,
	       met ? "met" : "missed");
	fprintf(json, "\n  \"idle\": {\"seconds\": %.1f, \"scrapes\": %" PRIu64
		", \"cpu_percent\": %.4f, \"bpf_percent\": %.4f, \"total_percent\": %.4f"
		", \"target_percent\": %.1f, \"met\": %s},",
		wall / 1e9, idle[3], cpu, bpf, cpu + bpf, SERVE_CPU_TARGET_PCT,
		met ? "true" : "false");
}

static void serve_latency(FILE *json)
{
	size_t i;

	printf("  %-14s %8s %9s %9s %9s %8s   (target p99 <= %.0f ms)\n", "SCRAPES WHILE", "SCRAPES",
	       "P50", "P99", "MAX", "BYTES", SERVE_P99_TARGET_MS);
	fprintf(json, "\n  \"latency\": {");
	for (i = 0; i < nlatencies; i++) {
		const struct latency *l = &latencies[i];
		double p99 = l->p99 / 1e6;
		bool met = p99 <= SERVE_P99_TARGET_MS;

		printf("  %-14s %8" PRIu64 " %7.2fms %7.2fms %7.2fms %8" PRIu64 "   %s",
		       l->phase, l->scrapes, l->p50 / 1e6, p99, l->max / 1e6, l->bytes,
		       met ? "met" : "missed");
		if (!met)
			printf(" by %.2f ms", p99 - SERVE_P99_TARGET_MS);
		printf("\n");
		fprintf(json, "%s\n   \"%s\": {\"scrapes\": %" PRIu64 ", \"p50_ms\": %.3f"
			", \"p99_ms\": %.3f, \"max_ms\": %.3f, \"bytes\": %" PRIu64 ", \"met\": %s}",
			i ? "," : "", l->phase, l->scrapes, l->p50 / 1e6, p99, l->max / 1e6,
			l->bytes, met ? "true" : "false");
	}
	fprintf(json, "\n  },\n  \"latency_target_p99_ms\": %.1f,", SERVE_P99_TARGET_MS);
}

/*
 * The target holds for serve's RSS while it serves: once attached and
 * its peak across the scrapes (VmHWM was reset before them). The peak
 * while loading the programs is transient and said apart. Growth: from
 * the point 1000 scrapes in (the first when there are fewer, past the
 * warm-up) to the last.
 */
static void serve_rss(FILE *json)
{
	const struct rss_point *last = &rss_points[nrss - 1], *from = &rss_points[0];
	uint64_t peak = last->hwm > rss_attached.rss ? last->hwm : rss_attached.rss;
	bool met = peak <= SERVE_RSS_TARGET_KB, flat;
	int64_t growth;
	size_t i;

	for (i = 0; i < nrss; i++)
		if (rss_points[i].scrapes <= 1000)
			from = &rss_points[i];
	growth = (int64_t)last->rss - (int64_t)from->rss;
	flat = last->scrapes == from->scrapes ||
	       growth * 1000 < SERVE_FLAT_KB_PER_1000 * (int64_t)(last->scrapes - from->scrapes);
	printf("  RSS: %.1f MB attached (%.1f MB at the peak of loading); at scrape %" PRIu64 " %.1f MB, at %" PRIu64
	       " %.1f MB, at %" PRIu64 " %.1f MB, peak across the scrapes %.1f MB\n",
	       rss_attached.rss / 1024.0, rss_attached.hwm / 1024.0, rss_points[0].scrapes,
	       rss_points[0].rss / 1024.0, from->scrapes, from->rss / 1024.0, last->scrapes,
	       last->rss / 1024.0, last->hwm / 1024.0);
	printf("  RSS target <= %d MB: %s", SERVE_RSS_TARGET_KB / 1024, met ? "met" : "missed");
	if (!met)
		printf(" by %.1f MB", (peak - SERVE_RSS_TARGET_KB) / 1024.0);
	printf("; growth from scrape %" PRIu64 " to %" PRIu64 ": %+" PRId64 " kB (%s)\n",
	       from->scrapes, last->scrapes, growth, flat ? "flat" : "growing");
	fprintf(json, "\n  \"rss\": {\"attached_kb\": %" PRIu64 ", \"attached_peak_kb\": %" PRIu64
		", \"points\": [", rss_attached.rss, rss_attached.hwm);
	for (i = 0; i < nrss; i++)
		fprintf(json, "%s\n    {\"scrapes\": %" PRIu64 ", \"rss_kb\": %" PRIu64
			", \"hwm_kb\": %" PRIu64 "}", i ? "," : "", rss_points[i].scrapes,
			rss_points[i].rss, rss_points[i].hwm);
	fprintf(json, "],\n   \"peak_kb\": %" PRIu64 ", \"growth_kb\": %" PRId64
		", \"growth_from_scrapes\": %" PRIu64 ", \"target_kb\": %d, \"met\": %s, \"flat\": %s}",
		peak, growth, from->scrapes, SERVE_RSS_TARGET_KB, met ? "true" : "false",
		flat ? "true" : "false");
}

static void serve_figures(FILE *json)
{
	printf("\nthpscope serve, every family this kernel allows\n");
	fprintf(json, ",\n \"serve\": {");
	serve_idle(json);
	serve_latency(json);
	serve_rss(json);
	fprintf(json, "\n }");
}

static const char usage[] =
	"usage: benchstat --json FILE --kernel K --date D [--reps N --samples FILE\n"
	"                 [--cost FILE] [--probes FILE] [--record-idle FILE]\n"
	"                 [--attach FILE --rss KB --cpu-user S --cpu-sys S]]\n"
	"                 [--serve-cpu FILE --serve-latency FILE --serve-rss FILE]";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "date", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "samples", required_argument, NULL, 'S' },
		{ "cost", required_argument, NULL, 'K' },
		{ "probes", required_argument, NULL, 'P' },
		{ "record-idle", required_argument, NULL, 'I' },
		{ "attach", required_argument, NULL, 'A' },
		{ "rss", required_argument, NULL, 's' },
		{ "cpu-user", required_argument, NULL, 'u' },
		{ "cpu-sys", required_argument, NULL, 'y' },
		{ "serve-cpu", required_argument, NULL, 'C' },
		{ "serve-latency", required_argument, NULL, 'L' },
		{ "serve-rss", required_argument, NULL, 'R' },
		{ 0 }
	};
	const char *kernel = NULL, *date = NULL, *samples = NULL, *cost = NULL;
	const char *probe_file = NULL, *idle_file = NULL, *attach_file = NULL;
	const char *serve_cpu = NULL, *serve_lat = NULL, *serve_rss_file = NULL;
	uint64_t rss = 0;
	double cpu_user = -1, cpu_sys = -1;
	bool serve, own;
	size_t baseline = 0, thpscope = 0, w, c;
	FILE *json;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'j': json_path = optarg; break;
		case 'k': kernel = optarg; break;
		case 'd': date = optarg; break;
		case 'r': reps = parse_u64(optarg, "--reps"); break;
		case 'S': samples = optarg; break;
		case 'K': cost = optarg; break;
		case 'P': probe_file = optarg; break;
		case 'I': idle_file = optarg; break;
		case 'A': attach_file = optarg; break;
		case 's': rss = parse_u64(optarg, "--rss"); break;
		case 'u': cpu_user = parse_double(optarg, "--cpu-user"); break;
		case 'y': cpu_sys = parse_double(optarg, "--cpu-sys"); break;
		case 'C': serve_cpu = optarg; break;
		case 'L': serve_lat = optarg; break;
		case 'R': serve_rss_file = optarg; break;
		default: die("%s", usage);
		}
	}
	serve = serve_cpu || serve_lat || serve_rss_file;
	own = attach_file || rss || cpu_user >= 0 || cpu_sys >= 0;
	if (!json_path || !kernel || !date || optind != argc ||
	    (!samples && !serve && !idle_file) ||
	    (samples && (!reps || reps > 100000)) ||
	    (!samples && (cost || probe_file || own)) ||
	    (own && (!attach_file || cpu_user < 0 || cpu_sys < 0)) ||
	    (serve && (!serve_cpu || !serve_lat || !serve_rss_file)))
		die("%s", usage);
	if (!plain(kernel) || !plain(date))
		die("kernel and date: letters, digits and _ : . + - only");
	if (samples) {
		read_lines(samples, 4, 2, sample_line);
		if (!workloads.n)
			die("%s: no samples", samples);
		baseline = name_find(&configs, "baseline");
		if (baseline == configs.n)
			die("%s: no baseline samples", samples);
		for (w = 0; w < workloads.n; w++)
			for (c = 0; c < configs.n; c++)
				if (!wall[w][c].n)
					die("workload %s: no samples under %s", workloads.name[w],
					    configs.name[c]);
	}
	if (cost)
		read_lines(cost, 5, 3, cost_line);
	if (probe_file) {
		thpscope = name_find(&configs, "thpscope");
		if (thpscope == configs.n)
			die("--probes: no samples under thpscope");
		read_lines(probe_file, 7, 3, probe_line);
		if (!nprobes)
			die("%s: no probe ran", probe_file);
		qsort(probes, nprobes, sizeof(*probes), probe_cmp);
	}
	if (attach_file)
		read_lines(attach_file, 2, 1, attach_line);
	if (idle_file) {
		read_lines(idle_file, 3, 3, record_idle_line);
		if (!record_idle_lines || !record_idle[0])
			die("--record-idle: no idle stretch");
	}
	if (serve) {
		read_lines(serve_cpu, 4, 4, idle_line);
		read_lines(serve_lat, 6, 5, latency_line);
		read_lines(serve_rss_file, 3, 2, rss_line);
		if (!idle_lines || !idle[0])
			die("--serve-cpu: no idle stretch");
		if (!nlatencies)
			die("--serve-latency: no phase");
		if (!attached_seen || !nrss)
			die("--serve-rss: want the attached stage and at least one scrape count");
	}

	json = fopen(json_path, "w");
	if (!json)
		die("%s: %s", json_path, strerror(errno));
	writing = true;
	fprintf(json, "{\n \"schema\": \"thpscope-bench/3\",\n \"kernel\": \"%s\",\n"
		" \"date\": \"%s\"", kernel, date);
	if (samples) {
		fprintf(json, ",\n \"repetitions\": %" PRIu64, reps);
		slowdowns(json, baseline);
	}
	if (cost)
		attributable(json, baseline);
	if (probe_file)
		probe_costs(json, thpscope);
	if (idle_file)
		record_idle_figure(json);
	if (own) {
		attach_times(json);
		printf("\nthpscope: peak RSS %.1f MB, CPU %.2f s user + %.2f s system (recording the mixed workload)\n",
		       rss / 1024.0, cpu_user, cpu_sys);
		fprintf(json, ",\n \"thpscope\": {\"peak_rss_kb\": %" PRIu64
			", \"cpu_user_s\": %.2f, \"cpu_sys_s\": %.2f}", rss, cpu_user, cpu_sys);
	}
	if (serve)
		serve_figures(json);
	fprintf(json, "\n}\n");
	if (ferror(json) | fclose(json))
		die("%s: write failed", json_path);
	return 0;
}
