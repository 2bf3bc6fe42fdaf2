// SPDX-License-Identifier: GPL-2.0
/*
 * The coverage family: no BPF object, a scan of what the session looks at
 * (thpscope maps' classification, coverage_scan.h) at each harvest. A
 * record keeps the first and the last scan that found memory, so that a
 * traced command's end is its last scan before it exited; serve exports
 * the scan of each scrape, per cgroup with --by-cgroup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "by_cgroup.h"
#include "coverage_scan.h"
#include "coverage_view.h"
#include "exposition.h"
#include "family.h"
#include "json_util.h"
#include "metrics.h"
#include "proc_select.h"
#include "session.h"
#include "util.h"

/* A scan may take at most this share of the time between scans (2%):
 * the scans of a traced command with gigabytes mapped were most of
 * record's own CPU at a tenth; a harvest reuses the last scan rather than
 * spend a CPU on scanning. */
#define SCAN_DUTY_INVERSE 50
/* A periodic harvest (family.h) rescans at most this often: the traced
 * command's or the filtered processes' memory about once a second, so
 * that the last scan before they exit is close to their end (a little
 * less, so that record's default ticks, a second apart but each a little
 * late, all scan); every process's (serve, top) every 30 s, and with at
 * most a 500th of the time between scans in scanning (0.2% of a CPU). */
#define RESCAN_SELECTED_NS 900000000ULL
#define RESCAN_SYSTEM_NS 30000000000ULL
#define RESCAN_SYSTEM_DUTY_INVERSE 500

struct coverage_run {
	struct coverage_scanner scanner;
	bool usable;
	json_t *start, *end;	/* {"processes", coverage...} */
	json_t *parts;		/* --by-cgroup: {cgroup key: coverage object} */
	uint64_t next_scan;	/* mono_ns: by the duty cycle */
	uint64_t last_scan;	/* mono_ns of its start, 0 before the first */
	uint64_t scan_ns;	/* the CPU time it took */
};

/* The v2 cgroup of PID cut at DEPTH levels, as task_cgroup_key keys it
 * (the kernfs id of its directory, which is its inode number); 0 when
 * it cannot be read. */
static uint64_t cgroup_key(pid_t pid, unsigned int depth)
{
	char path[64], line[1024], dir[1400];
	unsigned int level = 0;
	uint64_t key = 0;
	struct stat st;
	char *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (p = line + 3; *p; p++)
			if (*p == '/' && level++ == depth)
				break;
		*p = '\0';
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", line + 3);
		if (!stat(dir, &st))
			key = st.st_ino;
	}
	if (f)
		fclose(f);
	return key;
}

static const char *scope_of(const struct session_opts *o)
{
	if (o && o->command)
		return "command";
	return o && o->filter && filter_active(o->filter) ? "filter" : "system";
}

/* The processes of the session: the traced command and its descendants,
 * the filtered ones, or all but thpscope. */
static int select_pids(const struct session_opts *o, struct pid_list *pids)
{
	static const struct filter none;
	const struct filter *f = o && o->filter ? o->filter : &none;

	if (o && o->command)
		return proc_descendants(getpid(), pids);
	return proc_select(f, 0, pids);
}

static void scan(struct family_run *run)
{
	struct coverage_run *cr = run->data;
	const struct session_opts *o = run->opts;
	bool by_cgroup = o && o->by_cgroup;
	struct coverage total = { 0 }, *parts = NULL;
	uint64_t *keys = NULL, t0 = mono_ns(), cpu0 = thread_cpu_ns();
	struct pid_list pids;
	size_t i, n = 0, j;
	json_t *snap;

	if (select_pids(o, &pids))
		return;
	if (by_cgroup) {
		parts = calloc(pids.n, sizeof(*parts));
		keys = calloc(pids.n, sizeof(*keys));
	}
	for (i = 0; i < pids.n; i++) {
		struct coverage c = { 0 };

		if (pids.v[i] == getpid() || coverage_scan_pid(&cr->scanner, pids.v[i], &c, NULL, NULL) ||
		    !c.vmas)
			continue;
		n++;
		coverage_merge(&total, &c);
		if (!parts || !keys)
			continue;
		keys[i] = cgroup_key(pids.v[i], o->cgroup_depth);
		for (j = 0; j < i && keys[j] != keys[i]; j++)
			;
		coverage_merge(&parts[j], &c);
	}
	if (parts && keys) {
		json_decref(cr->parts);
		cr->parts = json_object();
		for (i = 0; i < pids.n; i++) {
			char key[24];

			for (j = 0; j < i && keys[j] != keys[i]; j++)
				;
			if (!keys[i] || j < i)
				continue;
			snprintf(key, sizeof(key), "%llu", (unsigned long long)keys[i]);
			json_object_set_new(cr->parts, key, coverage_to_json(&parts[i], &cr->scanner.g));
		}
	}
	free(parts);
	free(keys);
	pid_list_free(&pids);
	cr->last_scan = t0;
	/* The CPU it took, not the wall time: on a busy machine a scan
	 * waits for a CPU, and spacing scans by that wait left a command
	 * held for 10 s in a loaded guest without a scan of its end. */
	cr->scan_ns = thread_cpu_ns() - cpu0;
	cr->next_scan = t0 + (1 + SCAN_DUTY_INVERSE) * cr->scan_ns;
	/* A command that exited left nothing: its last scan stands. */
	if (!n)
		return;
	snap = coverage_to_json(&total, &cr->scanner.g);
	json_object_set_new(snap, "processes", json_integer(n));
	if (!cr->start)
		cr->start = json_incref(snap);
	json_decref(cr->end);
	cr->end = snap;
}

/* Whether a harvest scans again or reuses the last scan. */
static bool scan_due(const struct family_run *run)
{
	const struct coverage_run *cr = run->data;
	uint64_t now = mono_ns(), period;

	if (!cr->last_scan)
		return true;
	if (now < cr->next_scan)
		return false;
	if (!run->periodic)
		return true;
	if (strcmp(scope_of(run->opts), "system"))
		return now - cr->last_scan >= RESCAN_SELECTED_NS;
	period = (RESCAN_SYSTEM_DUTY_INVERSE + 1) * cr->scan_ns;
	return now - cr->last_scan >= (period > RESCAN_SYSTEM_NS ? period : RESCAN_SYSTEM_NS);
}

/* The family's state, made on first use; NULL when it cannot scan. */
static struct coverage_run *coverage_run(struct family_run *run)
{
	struct coverage_run *cr = run->data;

	if (!cr) {
		cr = run->data = calloc(1, sizeof(*cr));
		if (!cr)
			return NULL;
		cr->usable = !coverage_scanner_open(&cr->scanner);
	}
	return cr->usable ? cr : NULL;
}

/* The start is what the processes held when the window opened (for a
 * traced command, not yet started: its first scan that finds memory). */
static void coverage_window_opened(struct family_run *run)
{
	if (coverage_run(run))
		scan(run);
}

static void coverage_harvest(struct family_run *run, struct kenv *env,
			     const struct probe_set *probes, json_t *record)
{
	struct coverage_run *cr = coverage_run(run);
	const char *key;
	json_t *cov, *part;

	if (!cr)
		return;
	if (scan_due(run))
		scan(run);
	if (!cr->end)
		return;
	cov = jpath(record, "coverage");
	json_object_set_new(cov, "scope", json_string(scope_of(run->opts)));
	json_object_set(cov, "start", cr->start);
	json_object_set(cov, "end", cr->end);
	json_object_foreach(cr->parts, key, part)
		json_object_set(jpath(record_part(record, strtoull(key, NULL, 10)), "coverage"),
				"end", part);
}

static void coverage_destroy(struct family_run *run)
{
	struct coverage_run *cr = run->data;

	if (!cr)
		return;
	coverage_scanner_close(&cr->scanner);
	json_decref(cr->start);
	json_decref(cr->end);
	json_decref(cr->parts);
	free(cr);
	run->data = NULL;
}

static void coverage_report(FILE *out, json_t *rec)
{
	json_t *cov = json_object_get(rec, "coverage");
	const char *scope = json_string_value(json_object_get(cov, "scope"));
	char title[128];

	if (!cov)
		return;
	snprintf(title, sizeof(title), "THP coverage of %s at the start",
		 !scope ? "?" : !strcmp(scope, "command") ? "the command" :
		 !strcmp(scope, "filter") ? "the filtered processes" : "the system");
	coverage_print(out, title, json_object_get(cov, "start"));
	memcpy(strstr(title, " at the start"), " at the end", sizeof(" at the end"));
	coverage_print(out, title, json_object_get(cov, "end"));
}

static void coverage_metrics(json_t *rec, struct metrics *m)
{
	static const char *const edges[] = { "start", "end" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		json_t *c = jget(jget(rec, "coverage"), edges[i]);
		bool end = i == 1;
		uint64_t partial = 0;
		int k;

		if (!c)
			continue;
		for (k = 0; k < COV_NKINDS; k++) {
			const char *order;
			json_t *v;

			json_object_foreach(jget(json_object_get(c, coverage_kind_names[k]), "partial"),
					    order, v)
				partial += json_integer_value(v);
		}
		/* Coverage that drops is a regression; so is more memory in
		 * folios mapped only in part. */
		metric_add(m, MK_RATIO, end ? BAD_DOWN : BAD_NEITHER, coverage_percent(c) / 100,
			   "coverage.%s.large_ratio", edges[i]);
		metric_add(m, MK_GAUGE, BAD_NEITHER, jget_u64(c, "rss"), "coverage.%s.rss_bytes",
			   edges[i]);
		metric_add(m, MK_GAUGE, BAD_NEITHER, jget_u64(c, "large"),
			   "coverage.%s.large_bytes", edges[i]);
		metric_add(m, MK_GAUGE, end ? BAD_UP : BAD_NEITHER, partial,
			   "coverage.%s.partial_bytes", edges[i]);
	}
}

static void coverage_expose(json_t *rec, struct expo *x)
{
	static const char *const mapped[] = { "whole", "partial" };
	static const struct {
		const char *key, *folio;
	} device[] = { { "device", "any" }, { "device_pmd", "pmd" } };
	json_t *c = jget(rec, "coverage.end");
	const char *order;
	size_t m;
	json_t *v;
	int k;

	if (!c)
		return;
	expo_gauge(x, "thpscope_coverage_rss_bytes",
		   "Memory of the watched processes, as smaps counts Rss (device-private included).",
		   jget_u64(c, "rss"), NULL);
	for (m = 0; m < ARRAY_SIZE(device); m++)
		expo_gauge(x, "thpscope_coverage_device_private_bytes",
			   "Memory of the watched processes in device-private pages, and in PMD-sized device folios.",
			   jget_u64(c, device[m].key), "folio", device[m].folio, NULL);
	for (k = 0; k < COV_NKINDS; k++)
		for (m = 0; m < ARRAY_SIZE(mapped); m++)
			json_object_foreach(jget(json_object_get(c, coverage_kind_names[k]), mapped[m]),
					    order, v)
				expo_gauge(x, "thpscope_coverage_bytes",
					   "Resident memory of the watched processes by kind, folio order and mapping: whole (a PMD, or aligned PTEs) or partial.",
					   json_integer_value(v), "kind", coverage_kind_names[k], "order",
					   order, "mapped", mapped[m], NULL);
}

static const char *const coverage_record_keys[] = { "coverage", NULL };

static const char *const coverage_order_paths[] = {
	"coverage.*.*.whole.#", "coverage.*.*.partial.#", NULL
};

const struct family coverage_family = {
	.name = "coverage",
	.summary = "THP coverage by folio order of the processes watched, at start and end",
	.harvest = coverage_harvest,
	.window_opened = coverage_window_opened,
	.destroy = coverage_destroy,
	.record_keys = coverage_record_keys,
	.order_paths = coverage_order_paths,
	.report = coverage_report,
	.metrics = coverage_metrics,
	.expose = coverage_expose,
};
