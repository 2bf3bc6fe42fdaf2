// SPDX-License-Identifier: GPL-2.0
/* thpscope maps: how much of processes' memory is in large folios, of
 * which order, mapped how; once, or refreshed like top. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "commands.h"
#include "coverage_scan.h"
#include "coverage_view.h"
#include "json_util.h"
#include "proc_select.h"
#include "table.h"
#include "term.h"
#include "textbuf.h"
#include "util.h"

static const char usage[] =
"usage: thpscope maps [-p PID]... [--comm NAME] [--cgroup PATH] [-a] [--vma] [--json]\n"
"                     [-i SECONDS]\n"
"\n"
"How the memory of processes is backed, from /proc/PID/pagemap and\n"
"/proc/kpageflags: bytes resident and, by folio order, mapped whole by a\n"
"PMD, mapped whole and aligned by PTEs (mTHP), large folios mapped only in\n"
"part or out of alignment, base pages; anon, shmem and file apart;\n"
"device-private pages apart. Needs root.\n"
"\n"
"  -p PID         process PID (repeatable)\n"
"  --comm NAME    the processes named NAME\n"
"  --cgroup PATH  the processes in cgroup PATH or below (a v2 cgroup, or a\n"
"                 v1 memory cgroup; relative to /sys/fs/cgroup)\n"
"  -a, --all      every process, and the whole system's total\n"
"  --vma          every mapping of each process\n"
"  --json         one JSON document (with -i, one per line and refresh)\n"
"  -i SECONDS     refresh every SECONDS until q, SIGINT or SIGTERM\n"
"  -h, --help     this text\n";

struct maps_opts {
	struct filter filter;
	bool all, vma, json;
	double interval;	/* 0: once */
};

enum { OPT_VMA = 0x200, OPT_JSON };

static int parse_args(int argc, char **argv, struct maps_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "all", no_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'i' },
		{ "vma", no_argument, NULL, OPT_VMA },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ 0 }
	};
	int c, err;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hai:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 1;
		case 'a':
			o->all = true;
			break;
		case 'i':
			if (parse_seconds("maps", "-i", optarg, INTERVAL_MIN_S, INTERVAL_MAX_S,
					  &o->interval))
				return -1;
			break;
		case OPT_VMA:
			o->vma = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		default:
			err = filter_option(&o->filter, c, optarg, "maps");
			if (err < 0)
				return -1;
			if (err == 0)
				break;
			errorf("maps: unknown option '%s' (see thpscope maps --help)",
			       argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		errorf("maps: unexpected argument '%s' (see thpscope maps --help)", argv[optind]);
		return -1;
	}
	if (o->all == filter_active(&o->filter)) {
		errorf("maps: %s", o->all ? "-a takes no -p, --comm or --cgroup"
			: "which processes? -p PID, --comm NAME, --cgroup PATH or -a");
		return -1;
	}
	return 0;
}

/* One scan: every selected process's coverage, and the total. */
struct maps_scan {
	const struct maps_opts *o;
	struct coverage_scanner *s;
	json_t *doc, *vmas;	/* the process's "vmas" while it is scanned */
	struct coverage total;
	unsigned int failed;	/* processes named by -p that could not be read */
};

static void add_vma(void *ctx, const struct vma_info *v, const struct coverage *c)
{
	struct maps_scan *m = ctx;
	char addr[24];
	json_t *o = json_object();

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)v->start);
	json_object_set_new(o, "start", json_string(addr));
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)v->end);
	json_object_set_new(o, "end", json_string(addr));
	json_object_set_new(o, "perms", json_string(v->perms));
	json_object_set_new(o, "path", json_string(v->path));
	json_object_set_new(o, "coverage", coverage_to_json(c, &m->s->g));
	json_array_append_new(m->vmas, o);
}

/* Why process PID gives no coverage, said on stderr; true when that is
 * a failure (a process named by -p that cannot be read). */
static bool say_why(pid_t pid, const char *comm, int err, bool named)
{
	if (err == -ESRCH && named && !*comm)
		fprintf(stderr, "thpscope: maps: pid %d: no such process\n", (int)pid);
	else if (err == -ESRCH)
		fprintf(stderr, "thpscope: maps: pid %d%s%s%s exited during the scan\n", (int)pid,
			*comm ? " (" : "", comm, *comm ? ")" : "");
	else if (!err)
		fprintf(stderr, "thpscope: maps: pid %d (%s) is a kernel thread: it maps no "
			"user memory\n", (int)pid, comm);
	else
		fprintf(stderr, "thpscope: maps: pid %d (%s): %s\n", (int)pid, comm,
			strerror(-err));
	return named && err;
}

static void scan_process(struct maps_scan *m, pid_t pid, json_t *procs)
{
	bool named = m->o->filter.ntgids > 0;
	struct coverage c = { 0 };
	char comm[32] = "";
	json_t *p;
	int err;

	proc_comm(pid, comm, sizeof(comm));
	if (!strcmp(comm, "?"))
		comm[0] = '\0';
	if (proc_is_kthread(pid)) {
		say_why(pid, comm, 0, named);
		return;
	}
	m->vmas = m->o->vma ? json_array() : NULL;
	err = coverage_scan_pid(m->s, pid, &c, m->o->vma ? add_vma : NULL, m);
	if (err) {
		m->failed += say_why(pid, comm, err, named);
		json_decref(m->vmas);
		return;
	}
	p = json_pack("{s:i, s:s, s:o}", "pid", (int)pid, "comm", comm,
		      "coverage", coverage_to_json(&c, &m->s->g));
	if (m->vmas)
		json_object_set_new(p, "vmas", m->vmas);
	json_array_append_new(procs, p);
	coverage_merge(&m->total, &c);
}

/* Scan what O selects into M->doc; -1 when the selection cannot be made. */
static int scan_all(struct maps_scan *m)
{
	json_t *procs = json_array();
	struct pid_list pids;
	size_t i;

	memset(&m->total, 0, sizeof(m->total));
	m->failed = 0;
	if (proc_select(&m->o->filter, 0, &pids)) {
		json_decref(procs);
		return -1;
	}
	for (i = 0; i < pids.n; i++)
		if (pids.v[i] != getpid())
			scan_process(m, pids.v[i], procs);
	pid_list_free(&pids);
	m->doc = json_pack("{s:o, s:o}", "processes", procs,
			   "total", coverage_to_json(&m->total, &m->s->g));
	return 0;
}

/* PMD-mapped, other whole large folios, partial, base: a row's cells. */
static void summary_cells(struct textbuf *tb, json_t *cov)
{
	unsigned int pmd = jget_u64(cov, "pmd_order");
	uint64_t v[4] = { 0 };
	char path[48];
	int k;

	for (k = 0; k < COV_NKINDS; k++) {
		json_t *kind = json_object_get(cov, coverage_kind_names[k]);
		const char *key;
		json_t *n;

		snprintf(path, sizeof(path), "whole.%u", pmd);
		v[0] += jget_u64(kind, path);
		v[1] += jget_u64(kind, "large");
		json_object_foreach(json_object_get(kind, "partial"), key, n)
			v[2] += json_integer_value(n);
		v[3] += jget_u64(kind, "whole.0");
	}
	textbuf_printf(tb, "%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%.1f%%",
		       (unsigned long long)jget_u64(cov, "rss") >> 10,
		       (unsigned long long)v[0] >> 10, (unsigned long long)(v[1] - v[0]) >> 10,
		       (unsigned long long)v[2] >> 10, (unsigned long long)v[3] >> 10,
		       (unsigned long long)jget_u64(cov, "device") >> 10, coverage_percent(cov));
}

#define SUMMARY_HEADER "rss kB\tPMD kB\tmTHP kB\tpartial kB\tbase kB\tdevice kB\tlarge %"

static void print_vmas(FILE *out, json_t *proc)
{
	struct table *t = table_new("address\tperms\tmapping\t" SUMMARY_HEADER);
	struct textbuf row = TEXTBUF_INIT;
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(proc, "vmas"), i, v) {
		const char *path = json_string_value(json_object_get(v, "path"));

		textbuf_reset(&row);
		textbuf_printf(&row, "%s\t%s\t%s\t", json_string_value(json_object_get(v, "start")),
			       json_string_value(json_object_get(v, "perms")),
			       path && *path ? path : "[anon]");
		summary_cells(&row, json_object_get(v, "coverage"));
		table_add(t, "%s", textbuf_str(&row));
	}
	table_print(t, out, "mappings", NULL);
	table_free(t);
	textbuf_free(&row);
}

static void print_text(FILE *out, json_t *doc, const struct maps_opts *o)
{
	json_t *procs = json_object_get(doc, "processes"), *p;
	struct textbuf title = TEXTBUF_INIT, row = TEXTBUF_INIT;
	struct table *t;
	size_t i;

	t = table_new("pid\tcomm\t" SUMMARY_HEADER);
	json_array_foreach(procs, i, p) {
		textbuf_reset(&row);
		textbuf_printf(&row, "%lld\t%s\t", json_integer_value(json_object_get(p, "pid")),
			       json_string_value(json_object_get(p, "comm")));
		summary_cells(&row, json_object_get(p, "coverage"));
		table_add(t, "%s", textbuf_str(&row));
	}
	if (json_array_size(procs) > 1)
		table_print(t, out, "processes", NULL);
	table_free(t);
	json_array_foreach(procs, i, p) {
		if (json_array_size(procs) > 1 && !o->vma)
			break;
		textbuf_reset(&title);
		textbuf_printf(&title, "pid %lld (%s)", json_integer_value(json_object_get(p, "pid")),
			       json_string_value(json_object_get(p, "comm")));
		coverage_print(out, textbuf_str(&title), json_object_get(p, "coverage"));
		if (o->vma)
			print_vmas(out, p);
	}
	if (json_array_size(procs) > 1) {
		textbuf_reset(&title);
		textbuf_printf(&title, "total of %zu processes", json_array_size(procs));
		coverage_print(out, textbuf_str(&title), json_object_get(doc, "total"));
	}
	textbuf_free(&title);
	textbuf_free(&row);
}

/* Print one scan; on a terminal with ANSI escapes, in place. */
static void show(json_t *doc, const struct maps_opts *o, const struct term *t)
{
	if (o->json) {
		json_dumpf(doc, stdout, o->interval ? JSON_COMPACT : JSON_INDENT(2));
		putchar('\n');
	} else {
		if (t->ansi)
			fputs("\033[H\033[J", stdout);
		else if (o->interval)
			putchar('\n');
		print_text(stdout, doc, o);
	}
	fflush(stdout);
}

/* Wait SECONDS for the next refresh: false once q, SIGINT, SIGTERM or
 * SIGHUP asks to stop. */
static bool wait_refresh(const struct term *t, const sigset_t *stop, double seconds)
{
	uint64_t end = mono_ns() + (uint64_t)(seconds * 1e9), now;
	struct timespec zero = { 0 };

	while ((now = mono_ns()) < end) {
		uint64_t left_ms = (end - now) / 1000000;

		if (sigtimedwait(stop, NULL, &zero) > 0 ||
		    quit_key(t, left_ms < 100 ? (int)left_ms + 1 : 100))
			return false;
	}
	return sigtimedwait(stop, NULL, &zero) <= 0;
}

int cmd_maps(int argc, char **argv)
{
	struct coverage_scanner s;
	struct term term = { 0 };
	struct maps_opts o;
	struct maps_scan m = { .o = &o, .s = &s };
	sigset_t stop, old;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (coverage_scanner_open(&s)) {
		coverage_scanner_close(&s);
		return 1;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	if (o.interval) {
		sigprocmask(SIG_BLOCK, &stop, &old);
		if (!o.json)
			term_enter(&term);
	}
	do {
		ret = scan_all(&m);
		if (ret)
			break;
		show(m.doc, &o, &term);
		json_decref(m.doc);
		m.doc = NULL;
	} while (o.interval && wait_refresh(&term, &stop, o.interval));
	term_leave(&term);
	if (o.interval)
		sigprocmask(SIG_SETMASK, &old, NULL);
	coverage_scanner_close(&s);
	return ret || m.failed ? 1 : 0;
}
