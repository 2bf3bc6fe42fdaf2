// SPDX-License-Identifier: GPL-2.0
/* The human report of a record: one table per question, each naming the
 * mechanism that measured it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "hist_json.h"
#include "json_util.h"
#include "record_num.h"
#include "table.h"
#include "textbuf.h"
#include "util.h"

#define MAX_KEYS 256

/* OBJ's keys, numerically when all are numbers, else alphabetically. */
static size_t sorted_keys(json_t *obj, const char **keys)
{
	const char *k;
	json_t *v;
	size_t n = 0, i, j;

	json_object_foreach(obj, k, v)
		if (n < MAX_KEYS)
			keys[n++] = k;
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const char *a = keys[j - 1], *b = keys[j];
			long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
			int c = x != y ? (x > y) - (x < y) : strcmp(a, b);

			if (c <= 0)
				break;
			keys[j - 1] = b;
			keys[j] = a;
		}
	return n;
}

static const char *fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

/* p50, p90 and p99 of a latency histogram, or dashes, apart by SEP. */
static const char *quantiles(struct textbuf *tb, json_t *h, const char *sep)
{
	static const double qs[] = { 0.5, 0.9, 0.99 };
	size_t i;

	textbuf_reset(tb);
	for (i = 0; i < ARRAY_SIZE(qs); i++) {
		char b[32];
		double v;

		textbuf_printf(tb, "%s%s", i ? sep : "",
			       hist_json_quantile(h, qs[i], &v) ? "-" : fmt_ns(v, b, sizeof(b)));
	}
	return textbuf_str(tb);
}

/* "tracepoint mm_collapse_huge_page, ..." from the probes of the record
 * that measured; when none did, why the first could not. */
static const char *via(struct textbuf *tb, json_t *rec, const char *const *names)
{
	json_t *probes = json_object_get(rec, "probes");
	const char *const *name;

	textbuf_reset(tb);
	for (name = names; *name; name++) {
		json_t *p = json_object_get(probes, *name);

		if (json_is_true(json_object_get(p, "attached")))
			textbuf_printf(tb, "%s%s %s", tb->len ? ", " : "",
				       json_string_value(json_object_get(p, "mechanism")),
				       strchr(*name, ':') + 1);
	}
	if (!tb->len)
		textbuf_printf(tb, "%s not attached: %s", strchr(names[0], ':') + 1,
			       json_string_value(json_object_get(json_object_get(probes, names[0]),
								 "why")) ?: "unknown to this record");
	return textbuf_str(tb);
}

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

/* Rows "SOURCE KIND [ORDER] RESULT COUNT" from OBJ: {result: n}, or with
 * BY_ORDER {order: {result: n}}. */
static void outcome_rows(struct table *t, const char *source, const char *kind,
			 json_t *obj, bool by_order)
{
	const char *keys[MAX_KEYS], *rkeys[MAX_KEYS];
	size_t n = sorted_keys(obj, keys), i, j, m;

	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, keys[i]);

		if (!by_order) {
			table_add(t, "%s\t%s\t%s\t%lld", source, kind, keys[i],
				  json_integer_value(v));
			continue;
		}
		m = sorted_keys(v, rkeys);
		for (j = 0; j < m; j++)
			table_add(t, "%s\t%s\t%s\t%s\t%lld", source, kind, keys[i], rkeys[j],
				  json_integer_value(json_object_get(v, rkeys[j])));
	}
}

static void print_collapse(FILE *out, json_t *rec)
{
	static const char *const scan_probes[] = { "collapse:mm_khugepaged_scan_pmd",
		"collapse:mm_khugepaged_scan_file", NULL };
	static const char *const attempt_probes[] = { "collapse:mm_collapse_huge_page",
		"collapse:mm_collapse_huge_page_isolate", "collapse:mm_collapse_huge_page_swapin",
		"collapse:mm_khugepaged_collapse_file", NULL };
	static const char *const lat_probes[] = { "collapse:collapse_huge_page", NULL };
	json_t *bysrc = jget(rec, "collapse.by_source"), *src, *procs, *p;
	struct table *scans = table_new("SOURCE\tKIND\tRESULT\tCOUNT");
	struct table *att = table_new("SOURCE\tSTEP\tORDER\tRESULT\tCOUNT");
	struct table *lat = table_new("SOURCE\tORDER\tCOUNT\tP50\tP90\tP99");
	struct table *top = table_new("PID\tCOMM\tSOURCE\tSCANS\tATTEMPTS\tSUCCEEDED");
	struct textbuf buf = TEXTBUF_INIT, q = TEXTBUF_INIT;
	const char *name, *keys[MAX_KEYS];
	size_t i, n;

	json_object_foreach(bysrc, name, src) {
		json_t *l = json_object_get(src, "latency");

		outcome_rows(scans, name, "anon", json_object_get(src, "scan"), false);
		outcome_rows(scans, name, "file", json_object_get(src, "scan_file"), false);
		outcome_rows(att, name, "collapse", json_object_get(src, "by_order"), true);
		outcome_rows(att, name, "isolate", json_object_get(src, "isolate"), true);
		outcome_rows(att, name, "swapin", json_object_get(src, "swapin"), true);
		outcome_rows(att, name, "collapse_file\t-", json_object_get(src, "collapse_file"), false);
		n = sorted_keys(l, keys);
		for (i = 0; i < n; i++) {
			json_t *h = json_object_get(l, keys[i]);

			table_add(lat, "%s\t%s\t%lld\t%s", name, keys[i],
				  json_integer_value(json_object_get(h, "count")),
				  quantiles(&q, h, "\t"));
		}
	}
	procs = jget(rec, "collapse.processes");
	json_array_foreach(procs, i, p)
		table_add(top, "%lld\t%s\t%s\t%lld\t%lld\t%lld",
			  json_integer_value(json_object_get(p, "pid")),
			  json_string_value(json_object_get(p, "comm")),
			  json_string_value(json_object_get(p, "source")),
			  json_integer_value(json_object_get(p, "scans")),
			  json_integer_value(json_object_get(p, "attempts")),
			  json_integer_value(json_object_get(p, "succeeded")));

	if (!table_rows(scans) && !table_rows(att))
		fprintf(out, "\nCollapse: no scans or attempts  [%s]\n",
			via(&buf, rec, attempt_probes));
	table_print(scans, out, "Collapse scans (per PMD range or file)",
		    via(&buf, rec, scan_probes));
	table_print(att, out, "Collapse attempts per target order",
		    via(&buf, rec, attempt_probes));
	via(&buf, rec, lat_probes);
	if (table_rows(lat))
		table_print(lat, out, "Collapse latency", textbuf_str(&buf));
	else if (table_rows(att))
		fprintf(out, "\nCollapse latency: not measured  [%s]\n", textbuf_str(&buf));
	table_print(top, out, "Top processes by collapse attempts", "owner of the mm");
	table_free(scans);
	table_free(att);
	table_free(lat);
	table_free(top);
	textbuf_free(&buf);
	textbuf_free(&q);
}

static void print_migration(FILE *out, json_t *rec)
{
	static const char *const mig_probes[] = { "migrate:mm_migrate_pages",
		"migrate:mm_migrate_pages_start", NULL };
	static const char *const entry_probes[] = { "migrate:set_migration_pte",
		"migrate:remove_migration_pte", "migrate:set_migration_pmd",
		"migrate:remove_migration_pmd", NULL };
	static const char *const groups[] = { "by_reason", "by_mode" };
	const char *hdr = "%s\tCALLS\tSUCCEEDED\tFAILED\tTHP_OK\tTHP_FAILED\tTHP_SPLIT\tLF_SPLIT%s";
	json_t *mig = json_object_get(rec, "migration"), *pte;
	struct textbuf buf = TEXTBUF_INIT, q = TEXTBUF_INIT;
	const char *keys[MAX_KEYS];
	char h[160];
	size_t g, i, n;
	struct table *t;

	for (g = 0; g < ARRAY_SIZE(groups); g++) {
		json_t *grp = json_object_get(mig, groups[g]);

		snprintf(h, sizeof(h), hdr, g ? "MODE" : "REASON", g ? "" : "\tP50\tP90\tP99");
		t = table_new(h);
		n = sorted_keys(grp, keys);
		for (i = 0; i < n; i++) {
			json_t *o = json_object_get(grp, keys[i]);
			json_t *lf = json_object_get(o, "large_folio_split");
			char lfs[24] = "-";

			textbuf_reset(&q);
			if (!g)
				textbuf_printf(&q, "\t%s", quantiles(&buf, json_object_get(
					json_object_get(mig, "latency"), keys[i]), "\t"));
			if (lf)
				snprintf(lfs, sizeof(lfs), "%lld", json_integer_value(lf));
			table_add(t, "%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%s%s", keys[i],
				  json_integer_value(json_object_get(o, "calls")),
				  json_integer_value(json_object_get(o, "succeeded")),
				  json_integer_value(json_object_get(o, "failed")),
				  json_integer_value(json_object_get(o, "thp_succeeded")),
				  json_integer_value(json_object_get(o, "thp_failed")),
				  json_integer_value(json_object_get(o, "thp_split")), lfs,
				  textbuf_str(&q));
		}
		if (!g && !table_rows(t))
			fprintf(out, "\nMigration: none  [%s]\n", via(&buf, rec, mig_probes));
		table_print(t, out, g ? "Migration by mode (pages; THP = large folios)" :
			    "Migration by reason (pages; THP = large folios)",
			    via(&buf, rec, mig_probes));
		table_free(t);
	}

	t = table_new("MAPPING\tORDER\tSET\tREMOVED");
	pte = json_object_get(mig, "pte_by_order");
	n = sorted_keys(pte, keys);
	for (i = 0; i < n; i++)
		table_add(t, "pte\t%s\t%llu\t%llu", keys[i],
			  (unsigned long long)jget_u64(json_object_get(pte, keys[i]), "set"),
			  (unsigned long long)jget_u64(json_object_get(pte, keys[i]), "remove"));
	if (jget_u64(mig, "pmd.set") || jget_u64(mig, "pmd.remove"))
		table_add(t, "pmd\t-\t%llu\t%llu", (unsigned long long)jget_u64(mig, "pmd.set"),
			  (unsigned long long)jget_u64(mig, "pmd.remove"));
	table_print(t, out, "Migration entries", via(&buf, rec, entry_probes));
	table_free(t);
	textbuf_free(&buf);
	textbuf_free(&q);
}

/* "k1:v1 k2:v2" of the integers of OBJ in key order, or "-". */
static const char *kv_list(struct textbuf *tb, json_t *obj)
{
	const char *keys[MAX_KEYS];
	size_t n = sorted_keys(obj, keys), i;

	textbuf_reset(tb);
	for (i = 0; i < n; i++)
		textbuf_printf(tb, "%s%s:%lld", i ? " " : "", keys[i],
			       json_integer_value(json_object_get(obj, keys[i])));
	if (!n)
		textbuf_printf(tb, "-");
	return textbuf_str(tb);
}

static void print_splits(FILE *out, json_t *rec)
{
	static const char *const folio_probes[] = { "split:__folio_split",
		"split:split_huge_page_to_list_to_order", "split:split_huge_page_to_list",
		"split:folio_split_unmapped", NULL };
	static const char *const pmd_probes[] = { "split:__split_huge_pmd",
		"split:split_huge_pmd_locked", NULL };
	json_t *split = json_object_get(rec, "split"), *by = json_object_get(split, "by_order");
	json_t *pmd = json_object_get(split, "pmd"), *p, *causes = json_object_get(split, "causes");
	struct table *t = table_new("ORDER\tOK\tFAILED\tUNCOUNTED\tTO\tCAUSES\tERRORS\tP50\tP99");
	struct textbuf buf = TEXTBUF_INIT, to = TEXTBUF_INIT, cause = TEXTBUF_INIT;
	struct textbuf errs = TEXTBUF_INIT;
	const char *keys[MAX_KEYS];
	size_t n = sorted_keys(by, keys), i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object_get(by, keys[i]);
		json_t *h = json_object_get(json_object_get(split, "latency"), keys[i]);
		double p50, p99;
		char q50[32] = "-", q99[32] = "-";

		if (!hist_json_quantile(h, 0.5, &p50))
			fmt_ns(p50, q50, sizeof(q50));
		if (!hist_json_quantile(h, 0.99, &p99))
			fmt_ns(p99, q99, sizeof(q99));
		table_add(t, "%s\t%llu\t%llu\t%llu\t%s\t%s\t%s\t%s\t%s", keys[i],
			  (unsigned long long)jget_u64(o, "ok"), (unsigned long long)jget_u64(o, "failed"),
			  (unsigned long long)jget_u64(o, "uncounted"),
			  kv_list(&to, json_object_get(o, "to")),
			  kv_list(&cause, json_object_get(o, "cause")),
			  kv_list(&errs, json_object_get(o, "errors")), q50, q99);
	}
	via(&buf, rec, folio_probes);
	if (!table_rows(t))
		fprintf(out, "\nLarge-folio splits: %s  [%s]\n",
			split && json_object_get(split, "by_order") ? "none" : "not measured",
			textbuf_str(&buf));
	table_print(t, out, "Large-folio splits by old order (UNCOUNTED: no kernel counter sees them)",
		    textbuf_str(&buf));
	table_free(t);
	if (causes && !json_is_true(json_object_get(causes, "available")))
		fprintf(out, "  causes unavailable: %s\n",
			json_string_value(json_object_get(causes, "why")));

	via(&buf, rec, pmd_probes);
	if (pmd)
		fprintf(out, "\nPMD-mapping splits: %llu (%s)  [%s]\n",
			(unsigned long long)jget_u64(pmd, "total"),
			kv_list(&cause, json_object_get(pmd, "cause")), textbuf_str(&buf));
	else
		fprintf(out, "\nPMD-mapping splits: not measured  [%s]\n", textbuf_str(&buf));
	textbuf_free(&buf);
	textbuf_free(&to);
	textbuf_free(&cause);
	textbuf_free(&errs);

	t = table_new("PID\tCOMM\tSPLITS\tFAILED");
	json_array_foreach(json_object_get(split, "processes"), i, p)
		table_add(t, "%lld\t%s\t%lld\t%lld", json_integer_value(json_object_get(p, "pid")),
			  json_string_value(json_object_get(p, "comm")),
			  json_integer_value(json_object_get(p, "splits")),
			  json_integer_value(json_object_get(p, "failed")));
	table_print(t, out, "Top processes by folio splits", "current task");
	table_free(t);
	json_array_foreach(json_object_get(split, "other_stacks"), i, p) {
		json_t *frames = json_object_get(p, "frames");

		if (i == 0)
			fprintf(out, "\nSplits of unknown cause, by stack (see split.other_stacks):\n");
		fprintf(out, "  %lld x %s: %s <- %s <- %s\n",
			json_integer_value(json_object_get(p, "count")),
			json_string_value(json_object_get(p, "tier")),
			json_string_value(json_array_get(frames, 1)) ?: "?",
			json_string_value(json_array_get(frames, 2)) ?: "?",
			json_string_value(json_array_get(frames, 3)) ?: "?");
	}
}

static void print_deferred(FILE *out, json_t *rec)
{
	static const char *const queue_probes[] = { "deferred:deferred_split_folio",
		"deferred:__folio_unqueue_deferred_split", "deferred:deferred_split_count", NULL };
	static const char *const shrink_probes[] = { "deferred:deferred_split_scan", NULL };
	static const char *const tp_probes[] = { "deferred:mm_shrink_slab_start",
		"deferred:mm_shrink_slab_end", NULL };
	static const char *const fields[] = { "enqueued", "underused", "partially_mapped",
		"split", "split_by_shrinker", "freed", "migrated", "dropped", "untracked" };
	json_t *def = json_object_get(rec, "deferred"), *by = json_object_get(def, "by_order");
	json_t *tp = json_object_get(def, "shrinker_tp"), *sh = json_object_get(def, "shrinker");
	struct table *t = table_new("ORDER\tENQUEUED\tUNDERUSED\tPARTIALLY_MAPPED\tSPLIT"
				    "\tBY_SHRINKER\tFREED\tMIGRATED\tDROPPED\tUNTRACKED");
	struct textbuf buf = TEXTBUF_INIT, a = TEXTBUF_INIT, b = TEXTBUF_INIT;
	const char *keys[MAX_KEYS];
	size_t n = sorted_keys(by, keys), i, f;

	for (i = 0; i < n; i++) {
		json_t *o = json_object_get(by, keys[i]);

		textbuf_reset(&a);
		textbuf_printf(&a, "%s", keys[i]);
		for (f = 0; f < ARRAY_SIZE(fields); f++)
			textbuf_printf(&a, "\t%llu", (unsigned long long)jget_u64(o, fields[f]));
		table_add(t, "%s", textbuf_str(&a));
	}
	via(&buf, rec, queue_probes);
	if (!table_rows(t))
		fprintf(out, "\nDeferred-split queue: %s  [%s]\n",
			by ? "no traffic" : "not measured", textbuf_str(&buf));
	table_print(t, out, "Deferred-split queue by folio order", textbuf_str(&buf));
	table_free(t);
	if (jget(def, "tracked"))
		fprintf(out, "  queue depth (tracked): max %llu, end %llu; shrinker's count: max %llu, last %llu\n"
			"  time on queue p50/p90/p99: since enqueue %s, since partially mapped %s\n",
			(unsigned long long)jget_u64(def, "tracked.depth_max"),
			(unsigned long long)jget_u64(def, "tracked.depth_end"),
			(unsigned long long)jget_u64(def, "queue_len.max"),
			(unsigned long long)jget_u64(def, "queue_len.last"),
			quantiles(&a, jget(def, "age.enqueued"), "/"),
			quantiles(&b, jget(def, "age.partially_mapped"), "/"));
	if (sh)
		fprintf(out, "\nDeferred-split shrinker: %llu scans, %llu folios split  [%s]\n",
			(unsigned long long)jget_u64(sh, "scans"),
			(unsigned long long)jget_u64(sh, "split"),
			via(&buf, rec, shrink_probes));
	if (tp && json_is_true(json_object_get(tp, "available")))
		fprintf(out, "Deferred-split shrinker (tracepoint tier): %llu calls, %llu folios split, "
			"queue length max %llu  [%s]\n",
			(unsigned long long)jget_u64(tp, "calls"), (unsigned long long)jget_u64(tp, "freed"),
			(unsigned long long)jget_u64(tp, "cache_items.max"),
			via(&buf, rec, tp_probes));
	else if (tp)
		fprintf(out, "Deferred-split shrinker (tracepoint tier): %s\n",
			json_string_value(json_object_get(tp, "why")));
	textbuf_free(&buf);
	textbuf_free(&a);
	textbuf_free(&b);
}

static void print_device(FILE *out, json_t *rec)
{
	static const char *const vma_probes[] = { "device:migrate_vma_setup",
		"device:migrate_vma_pages", "device:migrate_vma_finalize", NULL };
	static const char *const hmm_probes[] = { "device:hmm_range_fault",
		"device:__mmu_notifier_invalidate_range_start", NULL };
	json_t *mv = json_object_get(rec, "migrate_vma"), *by = json_object_get(mv, "by_driver");
	json_t *hmm = json_object_get(rec, "hmm"), *drv, *dir, *l;
	struct table *t = table_new("DRIVER\tDIRECTION\tCALLS\tPAGES\tMIGRATED\tTHP_WHOLE"
				    "\tTHP_SPLIT\tHOLES_FILLED\tFAILED\tP50\tP99");
	struct textbuf buf = TEXTBUF_INIT, kv = TEXTBUF_INIT;
	const char *dname, *dirname;
	size_t i;

	json_object_foreach(by, dname, drv) {
		json_object_foreach(drv, dirname, dir) {
			json_t *h = jget(dir, "latency.total");
			char q50[32] = "-", q99[32] = "-";
			double v;

			if (!hist_json_quantile(h, 0.5, &v))
				fmt_ns(v, q50, sizeof(q50));
			if (!hist_json_quantile(h, 0.99, &v))
				fmt_ns(v, q99, sizeof(q99));
			table_add(t, "%s\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%s", dname,
				  dirname, (unsigned long long)jget_u64(dir, "calls"),
				  (unsigned long long)jget_u64(dir, "pages"),
				  (unsigned long long)jget_u64(dir, "migrated"),
				  (unsigned long long)jget_u64(dir, "thp_whole"),
				  (unsigned long long)jget_u64(dir, "thp_split"),
				  (unsigned long long)jget_u64(dir, "holes_filled"),
				  (unsigned long long)jget_u64(dir, "failed"), q50, q99);
		}
	}
	via(&buf, rec, vma_probes);
	if (!table_rows(t))
		fprintf(out, "\nDevice migration: %s  [%s]\n", mv ? "none" : "not measured",
			textbuf_str(&buf));
	table_print(t, out, "Device migration (migrate_vma) per driver and direction",
		    textbuf_str(&buf));
	table_free(t);
	if (json_object_size(json_object_get(mv, "fallback_reasons")))
		fprintf(out, "  THPs not moved whole, by reason: %s\n",
			kv_list(&kv, json_object_get(mv, "fallback_reasons")));
	json_array_foreach(json_object_get(mv, "livelocks"), i, l) {
		json_t *stalled = json_object_get(l, "stalled");

		textbuf_reset(&kv);
		/* Records from before "stalled" counted every fault. */
		if (stalled)
			textbuf_printf(&kv, "%lld times in a row with nothing migrated (%lld in all)",
				       json_integer_value(stalled),
				       json_integer_value(json_object_get(l, "faults")));
		else
			textbuf_printf(&kv, "%lld times",
				       json_integer_value(json_object_get(l, "faults")));
		fprintf(out, "  SPINNING FAULT: pid %lld (%s) faulted %s at %s over %.1f ms\n",
			json_integer_value(json_object_get(l, "pid")),
			json_string_value(json_object_get(l, "comm")), textbuf_str(&kv),
			json_string_value(json_object_get(l, "address")),
			json_integer_value(json_object_get(l, "span_ns")) / 1e6);
	}
	if (hmm) {
		fprintf(out, "\nHMM: %llu hmm_range_fault calls, %llu pages (by mapping order %s), %llu busy",
			(unsigned long long)jget_u64(hmm, "range_fault.calls"),
			(unsigned long long)jget_u64(hmm, "range_fault.pages"),
			kv_list(&kv, jget(hmm, "range_fault.by_order")),
			(unsigned long long)jget_u64(hmm, "range_fault.busy"));
		fprintf(out, "; invalidations %s  [%s]\n",
			kv_list(&kv, json_object_get(hmm, "invalidations")),
			via(&buf, rec, hmm_probes));
	}
	textbuf_free(&buf);
	textbuf_free(&kv);
}

/* One table of every way large folios fell back to small pages, ranked by
 * the pages concerned ("-" where the record does not know them):
 * migration splits and failures, device-migration splits by reason,
 * failed collapses, failed splits. */
static void print_fallbacks(FILE *out, json_t *rec)
{
	json_t *rows = json_array(), *v, *o;
	const char *k, *r;
	size_t i;
	json_int_t thp = (json_int_t)1 << record_pmd_order(rec);
	struct table *t;

#define ROW(what, via, n, pages) do { if (n) json_array_append_new(rows, json_pack( \
		"{s:s, s:s, s:I, s:I}", "what", what, "via", via, "count", (json_int_t)(n), \
		"pages", (json_int_t)(pages))); } while (0)
	json_object_foreach(jget(rec, "migration.by_reason"), k, o) {
		char what[96];

		snprintf(what, sizeof(what), "migration (%s): THP split", k);
		ROW(what, "mm_migrate_pages", jget_u64(o, "thp_split"), jget_u64(o, "thp_split") * thp);
		/* large_folio_split counts the THPs of thp_split too; the rest
		 * are smaller large folios, of orders the tracepoint omits. */
		snprintf(what, sizeof(what), "migration (%s): mTHP split", k);
		ROW(what, "mm_migrate_pages",
		    jget_u64(o, "large_folio_split") > jget_u64(o, "thp_split") ?
		    jget_u64(o, "large_folio_split") - jget_u64(o, "thp_split") : 0, -1);
		snprintf(what, sizeof(what), "migration (%s): THP not migrated", k);
		ROW(what, "mm_migrate_pages", jget_u64(o, "thp_failed"), jget_u64(o, "thp_failed") * thp);
	}
	json_object_foreach(jget(rec, "migrate_vma.fallback_reasons"), k, v) {
		char what[96];

		snprintf(what, sizeof(what), "device migration: THP split (%s)", k);
		ROW(what, "migrate_vma", json_integer_value(v), json_integer_value(v) * thp);
	}
	json_object_foreach(jget(rec, "collapse.by_order"), k, o) {
		json_object_foreach(o, r, v) {
			char what[96];

			if (!strcmp(r, "succeed"))
				continue;
			snprintf(what, sizeof(what), "collapse to order %s failed: %s", k, r);
			ROW(what, "mm_collapse_huge_page", json_integer_value(v),
			    json_integer_value(v) << record_order(k));
		}
	}
	json_object_foreach(jget(rec, "split.by_order"), k, o) {
		char what[96];

		snprintf(what, sizeof(what), "order-%s split failed", k);
		ROW(what, "split probes", jget_u64(o, "failed"), jget_u64(o, "failed") << record_order(k));
	}
#undef ROW
	json_array_top(rows, "pages", 20);
	t = table_new("FALLBACK\tCOUNT\tPAGES\tSEEN_BY");
	json_array_foreach(rows, i, o) {
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
	json_decref(rows);
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

void report_print(FILE *out, json_t *rec)
{
	print_header(out, rec);
	print_mthp(out, rec);
	print_collapse(out, rec);
	print_splits(out, rec);
	print_deferred(out, rec);
	print_device(out, rec);
	print_migration(out, rec);
	print_fallbacks(out, rec);
	print_vmstat(out, rec);
	report_timeline(out, rec);
}
