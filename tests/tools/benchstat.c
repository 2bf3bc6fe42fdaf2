// SPDX-License-Identifier: GPL-2.0
/*
 * benchstat: the statistics and output of scripts/bench.
 *
 *   benchstat --json FILE --kernel K --date D
 *             [--reps N --rss KB --cpu-user S --cpu-sys S --cost-ms MS
 *              SAMPLES ATTACH COST]
 *             [--serve-cpu FILE --serve-latency FILE --serve-rss FILE]
 *
 * The overhead part: SAMPLES holds "workload config ns" lines, ATTACH
 * "tool ns" lines, COST "probe mechanism runs run_ns" lines. Slowdowns
 * are median(config) / median(baseline) with a bootstrap 95% interval
 * (stats.c); an interval holding 1 is indistinguishable from the
 * baseline.
 *
 * The serve part (thpscope serve against issue 16's targets): --serve-cpu
 * holds one line "wall_ns cpu_ns bpf_ns scrapes" of the idle stretch
 * (serve's CPU time, its BPF programs' run time); --serve-latency
 * "phase scrapes p50_ns p99_ns max_ns bytes" lines (scrape's output);
 * --serve-rss "stage rss_kb hwm_kb" lines, stage "attached" or the
 * number of scrapes made, VmHWM reset before the first.
 *
 * Prints the tables and writes the JSON document to FILE.
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
#define MAX_FIELDS	6

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

struct probe {
	char name[NAME_MAX_LEN], mech[NAME_MAX_LEN];
	uint64_t runs, ns;
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

static size_t name_index(struct names *names, const char *name)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (!strcmp(names->name[i], name))
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
static struct series cells[MAX_NAMES][MAX_NAMES], attach[MAX_NAMES];
static struct probe *probes;
static size_t nprobes;

static void sample_line(char **f, const uint64_t *num)
{
	size_t w = name_index(&workloads, f[0]), c = name_index(&configs, f[1]);

	series_add(&cells[w][c], num[2]);
}

static void attach_line(char **f, const uint64_t *num)
{
	series_add(&attach[name_index(&tools, f[0])], num[1] / 1e6);
}

static void cost_line(char **f, const uint64_t *num)
{
	struct probe *p;

	if (!num[2])
		die("probe %s: no runs", f[0]);
	probes = realloc(probes, (nprobes + 1) * sizeof(*probes));
	if (!probes)
		die("out of memory");
	p = &probes[nprobes++];
	strcpy(p->name, f[0]);
	strcpy(p->mech, f[1]);
	p->runs = num[2];
	p->ns = num[3];
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

static void slowdowns(FILE *json, size_t baseline)
{
	size_t w, c, i;

	printf("Workload slowdown: median run time with the tool / without, bootstrap 95%% interval\n");
	printf("%-12s %10s", "WORKLOAD", "BASELINE");
	for (c = 0; c < configs.n; c++) {
		char upper[NAME_MAX_LEN];

		if (!strcmp(configs.name[c], "baseline"))
			continue;
		for (i = 0; configs.name[c][i]; i++)
			upper[i] = toupper((unsigned char)configs.name[c][i]);
		upper[i] = 0;
		printf(" %28s", upper);
	}
	printf("\n");
	fprintf(json, ",\n \"workloads\": {");
	for (w = 0; w < workloads.n; w++) {
		const struct series *base = &cells[w][baseline];
		double bm = median(base);
		bool first = true;
		fprintf(json, "%s\n  \"%s\": {", w ? "," : "", workloads.name[w]);
		printf("%-12s %9.2fs", workloads.name[w], bm / 1e9);
		for (c = 0; c < configs.n; c++) {
			const struct series *s = &cells[w][c];
			bool is_base = s == base;
			double m, lo, hi;
			const char *verdict;
			char cell[64];

			if (!s->n) {
				printf(" %28s", "-");
				continue;
			}
			m = median(s);
			fprintf(json, "%s\n   \"%s\": {\"median_ns\": %.0f, \"samples_ns\": [",
				first ? "" : ",", configs.name[c], m);
			first = false;
			for (i = 0; i < s->n; i++)
				fprintf(json, "%s%.0f", i ? ", " : "", s->v[i]);
			fprintf(json, "]");
			if (!is_base) {
				bootstrap_ratio(base->v, base->n, s->v, s->n, BOOT_REPS, BOOT_SEED,
						&lo, &hi);
				verdict = lo <= 1 && hi >= 1 ? "indistinguishable" :
					  lo > 1 ? "slower" : "faster";
				fprintf(json, ", \"ratio\": %.4f, \"ci95\": [%.4f, %.4f], \"verdict\": \"%s\"",
					m / bm, lo, hi, verdict);
				snprintf(cell, sizeof(cell), "%.3f [%.3f,%.3f]%s", m / bm, lo, hi,
					 lo <= 1 && hi >= 1 ? " =" : "");
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

static void probe_costs(FILE *json, double cost_ms)
{
	uint64_t total = 0;
	size_t p;

	printf("\nPer-probe cost (BPF run-time statistics over all workloads)\n");
	printf("%-48s %-10s %10s %10s\n", "PROBE", "MECHANISM", "EVENTS", "NS/EVENT");
	fprintf(json, ",\n \"probes\": {");
	for (p = 0; p < nprobes; p++) {
		double per = (double)probes[p].ns / probes[p].runs;

		total += probes[p].runs;
		printf("%-48s %-10s %10" PRIu64 " %10.0f\n", probes[p].name, probes[p].mech,
		       probes[p].runs, per);
		fprintf(json, "%s\n  \"%s\": {\"mechanism\": \"%s\", \"events\": %" PRIu64
			", \"ns_per_event\": %.1f}", p ? "," : "", probes[p].name, probes[p].mech,
			probes[p].runs, per);
	}
	fprintf(json, "\n },\n \"events\": %" PRIu64 ",\n \"events_per_second\": %.0f",
		total, total / (cost_ms / 1000));
	printf("events seen: %" PRIu64 " (%.0f per second)\n", total, total / (cost_ms / 1000));
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
	"usage: benchstat --json FILE --kernel K --date D\n"
	"                 [--reps N --rss KB --cpu-user S --cpu-sys S --cost-ms MS SAMPLES ATTACH COST]\n"
	"                 [--serve-cpu FILE --serve-latency FILE --serve-rss FILE]";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "date", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "rss", required_argument, NULL, 's' },
		{ "cpu-user", required_argument, NULL, 'u' },
		{ "cpu-sys", required_argument, NULL, 'y' },
		{ "cost-ms", required_argument, NULL, 'c' },
		{ "serve-cpu", required_argument, NULL, 'C' },
		{ "serve-latency", required_argument, NULL, 'L' },
		{ "serve-rss", required_argument, NULL, 'R' },
		{ 0 }
	};
	const char *kernel = NULL, *date = NULL;
	const char *serve_cpu = NULL, *serve_lat = NULL, *serve_rss_file = NULL;
	uint64_t reps = 0, rss = 0, cost_ms = 0;
	double cpu_user = -1, cpu_sys = -1;
	bool overhead, serve;
	size_t baseline = 0, w;
	FILE *json;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'j': json_path = optarg; break;
		case 'k': kernel = optarg; break;
		case 'd': date = optarg; break;
		case 'r': reps = parse_u64(optarg, "--reps"); break;
		case 's': rss = parse_u64(optarg, "--rss"); break;
		case 'u': cpu_user = parse_double(optarg, "--cpu-user"); break;
		case 'y': cpu_sys = parse_double(optarg, "--cpu-sys"); break;
		case 'c': cost_ms = parse_u64(optarg, "--cost-ms"); break;
		case 'C': serve_cpu = optarg; break;
		case 'L': serve_lat = optarg; break;
		case 'R': serve_rss_file = optarg; break;
		default: die("%s", usage);
		}
	}
	overhead = argc - optind == 3;
	serve = serve_cpu || serve_lat || serve_rss_file;
	if (!json_path || !kernel || !date || (!overhead && argc != optind) ||
	    (!overhead && !serve) ||
	    (overhead && (!reps || cpu_user < 0 || cpu_sys < 0)) ||
	    (serve && (!serve_cpu || !serve_lat || !serve_rss_file)))
		die("%s", usage);
	if (!plain(kernel) || !plain(date))
		die("kernel and date: letters, digits and _ : . + - only");
	if (overhead) {
		if (!cost_ms)
			die("--cost-ms: the cost recording took no time");
		read_lines(argv[optind], 3, 1, sample_line);
		read_lines(argv[optind + 1], 2, 1, attach_line);
		read_lines(argv[optind + 2], 4, 2, cost_line);
		if (!workloads.n)
			die("%s: no samples", argv[optind]);
		baseline = name_index(&configs, "baseline");
		for (w = 0; w < workloads.n; w++)
			if (!cells[w][baseline].n)
				die("workload %s: no baseline samples", workloads.name[w]);
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
	fprintf(json, "{\n \"schema\": \"thpscope-bench/2\",\n \"kernel\": \"%s\",\n"
		" \"date\": \"%s\"", kernel, date);
	if (overhead) {
		fprintf(json, ",\n \"repetitions\": %" PRIu64, reps);
		slowdowns(json, baseline);
		probe_costs(json, cost_ms);
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
