// SPDX-License-Identifier: GPL-2.0
/* The human report of a record: one table per question, each naming the
 * mechanism that measured it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "hist_json.h"
#include "json_util.h"
#include "family.h"
#include "record_num.h"
#include "report_section.h"
#include "table.h"
#include "textbuf.h"
#include "util.h"

/* The probes that did not attach, one line per reason; alternatives this
 * kernel did not need are not missing and are left out. */
static void print_unattached(FILE *out, json_t *probes)
{
	json_t *by_why = json_object(), *v, *names;
	const char *k, *why;

	json_object_foreach(probes, k, v) {
		why = json_string_value(json_object_get(v, "why"));
		if (json_is_true(json_object_get(v, "attached")) || !why ||
		    !strncmp(why, "not used:", 9))
			continue;
		names = json_object_get(by_why, why);
		if (!names) {
			names = json_array();
			json_object_set_new(by_why, why, names);
		}
		json_array_append_new(names, json_string(k));
	}
	json_object_foreach(by_why, why, names) {
		size_t i;

		fprintf(out, "\n  not attached (%s):", why);
		json_array_foreach(names, i, v)
			fprintf(out, "%s %s", i ? "," : "", json_string_value(v));
	}
	json_decref(by_why);
}

/* Whether thpscope's own process is in the figures; a record older than
 * the choice has every event in them. */
static void print_self(FILE *out, json_t *self)
{
	const char *events = json_string_value(json_object_get(self, "events"));

	if (!events) {
		fputs("self: included (a record from before thpscope left itself out)\n", out);
		return;
	}
	fprintf(out, "self: %s (thpscope's pid %lld; THP %s for its memory)\n", events,
		json_integer_value(json_object_get(self, "pid")),
		json_is_true(json_object_get(self, "thp_disabled")) ? "off" : "on");
}

/* An edge of the window longer than this was held up (thpscope
 * preempted, or a guest's vCPU descheduled) between the edge and the
 * counters' reading after it: worth a word. */
#define EDGE_SLOW_NS 10000000ULL

static void print_edges(FILE *out, json_t *edges)
{
	uint64_t open = jget_u64(edges, "open.ns"), close = jget_u64(edges, "close.ns");

	if (open < EDGE_SLOW_NS && close < EDGE_SLOW_NS)
		return;
	fprintf(out, "window: its edges took %.1f ms opening and %.1f ms closing: the kernel's "
		"counters may hold events the probes did not see there, or miss some they did "
		"(window_edges)\n", open / 1e6, close / 1e6);
}

static void print_header(FILE *out, json_t *rec)
{
	json_t *cmd = json_object_get(rec, "command"), *cfg = json_object_get(rec, "config");
	json_t *kh = json_object_get(cfg, "khugepaged"), *probes = json_object_get(rec, "probes");
	size_t attached = 0, total = 0;
	const char *k;
	json_t *v;

	fprintf(out, "thpscope record of %s, %s, %.2f s\n",
		json_string_value(jget(rec, "kernel.release")) ?: "?",
		json_string_value(json_object_get(rec, "start_time")) ?: "?",
		jget_u64(rec, "duration_ns") / 1e9);
	if (cmd) {
		size_t i;

		fputs("command:", out);
		json_array_foreach(json_object_get(cmd, "argv"), i, v)
			fprintf(out, " %s", json_string_value(v));
		if (json_object_get(cmd, "exit_status"))
			fprintf(out, " (exit %lld)", json_integer_value(json_object_get(cmd, "exit_status")));
		else if (json_object_get(cmd, "signal"))
			fprintf(out, " (signal %lld)", json_integer_value(json_object_get(cmd, "signal")));
		fputc('\n', out);
	}
	fprintf(out, "THP: enabled=%s defrag=%s shmem_enabled=%s; khugepaged: "
		"max_ptes_none=%lld max_ptes_swap=%lld max_ptes_shared=%lld "
		"pages_to_scan=%lld scan_sleep=%lldms\n",
		json_string_value(json_object_get(cfg, "enabled")) ?: "?",
		json_string_value(json_object_get(cfg, "defrag")) ?: "?",
		json_string_value(json_object_get(cfg, "shmem_enabled")) ?: "?",
		json_integer_value(json_object_get(kh, "max_ptes_none")),
		json_integer_value(json_object_get(kh, "max_ptes_swap")),
		json_integer_value(json_object_get(kh, "max_ptes_shared")),
		json_integer_value(json_object_get(kh, "pages_to_scan")),
		json_integer_value(json_object_get(kh, "scan_sleep_millisecs")));
	print_self(out, json_object_get(rec, "self"));
	print_edges(out, json_object_get(rec, "window_edges"));
	json_object_foreach(probes, k, v) {
		total++;
		attached += json_is_true(json_object_get(v, "attached"));
	}
	fprintf(out, "probes: %zu of %zu attached", attached, total);
	print_unattached(out, probes);
	json_object_foreach(probes, k, v) {
		json_int_t misses = json_integer_value(json_object_get(v, "misses"));

		if (misses)
			fprintf(out, "\n  %s: %lld events missed (recursion)", k, misses);
	}
	json_object_foreach(json_object_get(rec, "map_full"), k, v)
		if (json_integer_value(v))
			fprintf(out, "\n  %s: %lld counts lost, a map was full", k,
				json_integer_value(v));
	fputc('\n', out);
}

static void print_mthp(FILE *out, json_t *rec)
{
	static const char *const stats[] = {
		"anon_fault_alloc", "anon_fault_fallback", "anon_fault_fallback_charge",
		"shmem_alloc", "shmem_fallback", "split", "split_failed", "split_deferred",
	};
	json_t *mthp = jget(rec, "counters.mthp");
	const char *keys[MAX_KEYS];
	struct table *t = table_new("ORDER\tSIZE\tFAULT_ALLOC\tFALLBACK\tFALLBACK_CHARGE"
				    "\tSHMEM_ALLOC\tSHMEM_FALLBACK\tSPLIT\tSPLIT_FAILED"
				    "\tSPLIT_DEFERRED\tNR_ANON");
	struct textbuf row = TEXTBUF_INIT;
	size_t n = sorted_keys(mthp, keys), i, s;

	for (i = 0; i < n; i++) {
		json_t *o = json_object_get(mthp, keys[i]);
		json_int_t start = json_integer_value(jget(o, "nr_anon.start"));
		json_int_t end = json_integer_value(jget(o, "nr_anon.end"));
		bool any = start || end;

		textbuf_reset(&row);
		textbuf_printf(&row, "%s\t%lldkB", keys[i],
			       json_integer_value(json_object_get(o, "size_kb")));
		for (s = 0; s < ARRAY_SIZE(stats); s++) {
			json_int_t v = json_integer_value(json_object_get(o, stats[s]));

			any |= v != 0;
			textbuf_printf(&row, "\t%lld", v);
		}
		textbuf_printf(&row, "\t%lld->%lld", start, end);
		if (any)
			table_add(t, "%s", textbuf_str(&row));
	}
	textbuf_free(&row);
	if (!table_rows(t))
		fprintf(out, "\nTHP allocation per size: no activity  [kernel counters]\n");
	table_print(t, out, "THP allocation and splits per size (deltas; NR_ANON start->end)",
		    "kernel counters hugepages-*/stats");
	table_free(t);
}

static void print_vmstat(FILE *out, json_t *rec)
{
	json_t *vm = jget(rec, "counters.vmstat");
	const char *keys[MAX_KEYS];
	struct table *t = table_new("COUNTER\tDELTA");
	size_t n = sorted_keys(vm, keys), i;

	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(vm, keys[i]);

		if (json_is_object(v)) {
			json_int_t s = json_integer_value(json_object_get(v, "start"));
			json_int_t e = json_integer_value(json_object_get(v, "end"));

			if (s || e)
				table_add(t, "%s\t%lld->%lld", keys[i], s, e);
		} else if (json_integer_value(v)) {
			table_add(t, "%s\t%lld", keys[i], json_integer_value(v));
		}
	}
	table_print(t, out, "Kernel counters (non-zero deltas; gauges start->end)", "/proc/vmstat");
	table_free(t);
}

/* Every family's ways large folios fell back to small pages, in one
 * table ranked by the pages concerned ("-" where the record does not know
 * them). */
static void print_fallbacks(FILE *out, json_t *rec)
{
	struct fallbacks fb = { json_array() };
	struct table *t;
	json_t *o;
	size_t i;

	for (i = 0; i < nfamilies; i++)
		if (families[i]->fallbacks)
			families[i]->fallbacks(rec, &fb);
	json_array_top(fb.rows, "pages", TOP_ENTRIES);
	t = table_new("FALLBACK\tCOUNT\tPAGES\tSEEN_BY");
	json_array_foreach(fb.rows, i, o) {
		json_int_t pages = json_integer_value(json_object_get(o, "pages"));
		char p[24] = "-";

		if (pages >= 0)
			snprintf(p, sizeof(p), "%lld", pages);
		table_add(t, "%s\t%lld\t%s\t%s", json_string_value(json_object_get(o, "what")),
			  json_integer_value(json_object_get(o, "count")), p,
			  json_string_value(json_object_get(o, "via")));
	}
	table_print(t, out, "Fallbacks to small pages, ranked by pages concerned", NULL);
	table_free(t);
	json_decref(fb.rows);
}

void report_print(FILE *out, json_t *rec)
{
	size_t i;

	print_header(out, rec);
	for (i = 0; i < nfamilies; i++)
		if (families[i]->report && families[i]->report_first)
			families[i]->report(out, rec);
	print_mthp(out, rec);
	for (i = 0; i < nfamilies; i++)
		if (families[i]->report && !families[i]->report_first)
			families[i]->report(out, rec);
	print_fallbacks(out, rec);
	print_vmstat(out, rec);
	report_timeline(out, rec);
}
