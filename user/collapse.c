// SPDX-License-Identifier: GPL-2.0
/* The collapse family: khugepaged and MADV_COLLAPSE outcomes per source,
 * order and scan result; collapse latency; the processes whose memory
 * was collapsed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "btf_enum.h"
#include "by_cgroup.h"
#include "collapse.h"
#include "collapse.skel.h"
#include "event_decode.h"
#include "exposition.h"
#include "family.h"
#include "hist_json.h"
#include "html.h"
#include "json_util.h"
#include "kenv.h"
#include "map_view.h"
#include "maps.h"
#include "metrics.h"
#include "probe.h"
#include "record_num.h"
#include "report_section.h"
#include "table.h"
#include "top_pane.h"
#include "util.h"

static const char *const source_names[SRC_NR] = {
	[SRC_KHUGEPAGED] = "khugepaged",
	[SRC_MADVISE] = "madvise",
};

/* Where each tracepoint's outcomes go under "collapse". */
static const char *const event_keys[CE_NR] = {
	[CE_SCAN_PMD] = "scan",
	[CE_COLLAPSE] = "by_order",
	[CE_ISOLATE] = "isolate",
	[CE_SWAPIN] = "swapin",
	[CE_SCAN_FILE] = "scan_file",
	[CE_COLLAPSE_FILE] = "collapse_file",
};

/* The outcomes of collapse attempts and scans. */
static const struct enum_spec scan_results = { "scan_result", "SCAN_", "result" };

struct collapse_data {
	struct collapse_outcomes outcomes;	/* read at each harvest */
	struct collapse_procs_hot hot;		/* collapse_procs_hot, likewise */
	const struct collapse_proc *procs;	/* collapse_procs, mapped once at load */
	__u32 nprocs;
};

struct harvest_ctx {
	json_t *record;
	json_t *collapse;
	const struct enum_names *results;
	json_t *procs;
};

static const char *source_name(unsigned int s)
{
	return s < SRC_NR ? source_names[s] : "other";
}

static void add_count(const void *k, const void *v, void *data)
{
	const struct collapse_key *key = k;
	struct harvest_ctx *ctx = data;
	char path[160], buf[32], tail[96];
	const char *res;
	json_t *collapse;

	if (key->event >= CE_NR)
		return;
	res = enum_name(ctx->results, key->result, buf, sizeof(buf));
	if (key->order == ORDER_NONE)
		snprintf(tail, sizeof(tail), "%s.%s", event_keys[key->event], res);
	else
		snprintf(tail, sizeof(tail), "%s.%u.%s", event_keys[key->event],
			 key->order, res);
	collapse = key->cgroup ? jpath(record_part(ctx->record, key->cgroup), "collapse") :
				 ctx->collapse;
	jadd(collapse, tail, *(const __u64 *)v);
	snprintf(path, sizeof(path), "by_source.%s.%s", source_name(key->source), tail);
	jadd(collapse, path, *(const __u64 *)v);
}

/* The outcomes of the collapse_outcomes array, as add_count() takes them. */
static void add_slots(const struct collapse_outcomes *o, struct harvest_ctx *ctx)
{
	struct collapse_key key;
	__u32 slot;

	for (slot = 0; slot < COLLAPSE_SLOTS; slot++) {
		if (!o->count[slot])
			continue;
		key = collapse_slot_key(slot);
		add_count(&key, &o->count[slot], ctx);
	}
}

/* One entry per process and source that came. */
static void add_procs(const struct collapse_proc *procs, __u32 n, struct harvest_ctx *ctx)
{
	const struct collapse_proc *p;
	const struct collapse_proc_counts *c;
	__u32 i, src;

	for (i = 0; i < n; i++) {
		p = &procs[i];
		if (!p->tag)
			continue;
		for (src = 0; src < SRC_NR; src++) {
			c = &p->by_source[src];
			/* A source that never came, or not yet counted. */
			if (!c->scans && !c->attempts)
				continue;
			json_array_append_new(ctx->procs, json_pack(
				"{s:I, s:s%, s:s, s:I, s:I, s:I}",
				"pid", (json_int_t)proc_slot_tag_tgid(p->tag),
				"comm", p->comm, strnlen(p->comm, sizeof(p->comm)),
				"source", source_name(src), "scans", (json_int_t)c->scans,
				"attempts", (json_int_t)c->attempts,
				"succeeded", (json_int_t)c->succeeded));
		}
	}
}

static void add_latency(const void *k, const void *v, void *data)
{
	const struct collapse_lat_key *key = k;
	struct harvest_ctx *ctx = data;
	json_t *h = hist_to_json(v, "ns");
	char path[96];

	snprintf(path, sizeof(path), "by_source.%s.latency.%u",
		 source_name(key->source), key->order);
	hist_json_add(ctx->collapse, path, h);
	snprintf(path, sizeof(path), "latency.%u", key->order);
	hist_json_add(ctx->collapse, path, h);
	json_decref(h);
}

static struct bpf_object *collapse_open(struct family_run *run, struct kenv *env)
{
	struct collapse_data *cd = calloc(1, sizeof(*cd));
	struct collapse_bpf *skel = cd ? collapse_bpf__open() : NULL;

	if (!skel) {
		free(cd);
		return NULL;
	}
	kenv_enum_of(env, &scan_results);	/* read while the BTF is loaded */
	/* 7.x collapses to mTHP orders and passes the order as argument 6. */
	skel->rodata->collapse_has_order =
		kenv_has_member(env, "trace_event_raw_mm_collapse_huge_page", "order");
	run->data = cd;
	run->skel = skel;
	return skel->obj;
}

static size_t procs_len(const struct collapse_data *cd)
{
	return cd->nprocs * sizeof(struct collapse_proc);
}

static int collapse_load(struct family_run *run)
{
	struct collapse_bpf *skel = run->skel;
	struct collapse_data *cd = run->data;
	int err;

	cd->nprocs = proc_slots_size(skel->maps.collapse_procs, skel->maps.collapse_counts);
	if (!cd->nprocs)
		return -errno;
	err = collapse_bpf__load(skel);
	if (err)
		return err;
	cd->procs = map_view(bpf_map__fd(skel->maps.collapse_procs), procs_len(cd));
	return cd->procs ? 0 : -errno;
}

static void collapse_harvest(struct family_run *run, struct kenv *env,
			     const struct probe_set *probes, json_t *record)
{
	struct collapse_bpf *skel = run->skel;
	struct collapse_data *cd = run->data;
	struct harvest_ctx ctx = { .record = record, .collapse = jpath(record, "collapse"),
				   .results = kenv_enum_of(env, &scan_results),
				   .procs = json_array() };
	struct khugepaged_pass pass;
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.collapse_outcomes), &zero,
				 &cd->outcomes))
		add_slots(&cd->outcomes, &ctx);
	run_map_foreach(run, skel->maps.collapse_counts, sizeof(struct collapse_key),
			sizeof(__u64), add_count, &ctx);
	run_map_foreach(run, skel->maps.collapse_latency,
			sizeof(struct collapse_lat_key), sizeof(struct hist), add_latency, &ctx);
	/* A process is in one tier only (proc_slot_lookup_tiered()). */
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.collapse_procs_hot), &zero, &cd->hot))
		add_procs(cd->hot.slot, COLLAPSE_HOT_SLOTS, &ctx);
	add_procs(cd->procs, cd->nprocs, &ctx);
	json_array_top(ctx.procs, "attempts", TOP_ENTRIES);
	json_object_set_new(ctx.collapse, "processes", ctx.procs);
	if (probe_attached(probes, "collapse:mm_khugepaged_scan") &&
	    !bpf_map_lookup_elem(bpf_map__fd(skel->maps.khugepaged_passes), &zero, &pass))
		json_object_set_new(ctx.collapse, "khugepaged_passes",
				    json_pack("{s:I, s:I, s:I}", "passes", (json_int_t)pass.passes,
					      "progress", (json_int_t)pass.progress,
					      "full_scans", (json_int_t)pass.full_scans));
}

static void collapse_destroy(struct family_run *run)
{
	struct collapse_data *cd = run->data;

	if (cd)
		map_unview(cd->procs, procs_len(cd));
	collapse_bpf__destroy(run->skel);
	free(cd);
	run->skel = NULL;
	run->data = NULL;
}

/* Streamed events, one per outcome: named by enum collapse_event. */
static const char *const collapse_event_names[CE_NR] = {
	[CE_SCAN_PMD] = "scan_pmd",
	[CE_COLLAPSE] = "collapse",
	[CE_ISOLATE] = "isolate",
	[CE_SWAPIN] = "swapin",
	[CE_SCAN_FILE] = "scan_file",
	[CE_COLLAPSE_FILE] = "collapse_file",
};

static void collapse_decode(const struct thp_event *e, const struct kenv *env, json_t *o)
{
	const struct collapse_event_body *b = TRACE_BODY(e, const struct collapse_event_body);

	if (b->order != ORDER_NONE)
		event_set_int(o, "order", b->order);
	event_set_enum(o, "result", kenv_enum_of(env, &scan_results), b->result);
	switch (e->kind) {
	case CE_SCAN_PMD:
	case CE_ISOLATE:
		event_set_hex(o, "pfn", b->where);
		event_set_int(o, "referenced", b->pages);
		break;
	case CE_SWAPIN:
		event_set_int(o, "swapped_in", b->pages);
		break;
	case CE_SCAN_FILE:
		event_set_hex(o, "pfn", b->where);
		break;
	case CE_COLLAPSE_FILE:
		event_set_int(o, "index", b->where);
		break;
	}
}

/* What the family shows of a record. */

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

static void collapse_report(FILE *out, json_t *rec)
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
			probes_via(&buf, rec, attempt_probes));
	table_print(scans, out, "Collapse scans (per PMD range or file)",
		    probes_via(&buf, rec, scan_probes));
	table_print(att, out, "Collapse attempts per target order",
		    probes_via(&buf, rec, attempt_probes));
	probes_via(&buf, rec, lat_probes);
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

/* Failed collapses, each of the pages the target order would have held. */
static void collapse_fallbacks(json_t *rec, struct fallbacks *rows)
{
	const char *k, *r;
	json_t *o, *v;

	json_object_foreach(jget(rec, "collapse.by_order"), k, o) {
		json_object_foreach(o, r, v) {
			char what[96];

			if (!strcmp(r, "succeed"))
				continue;
			snprintf(what, sizeof(what), "collapse to order %s failed: %s", k, r);
			fallbacks_add(rows, what, "mm_collapse_huge_page", json_integer_value(v),
				      json_integer_value(v) << record_order(k));
		}
	}
}

static double sum_ints(const json_t *o)
{
	const char *k;
	json_t *v;
	double s = 0;

	json_object_foreach((json_t *)o, k, v)
		if (json_is_integer(v))
			s += json_integer_value(v);
	return s;
}

static void collapse_metrics(json_t *rec, struct metrics *m)
{
	json_t *by_order = jget(rec, "collapse.by_order"), *files, *lat, *v;
	double attempts_all = 0, ok_all = 0;
	const char *order, *res;

	json_object_foreach(by_order, order, v) {
		double attempts = sum_ints(v), ok = jget_u64(v, "succeed");
		json_t *n;

		metric_add(m, MK_COUNTER, BAD_NEITHER, attempts, "collapse.order%s.attempts", order);
		metric_add(m, MK_COUNTER, BAD_DOWN, ok, "collapse.order%s.succeeded", order);
		metric_add(m, MK_COUNTER, BAD_UP, attempts - ok, "collapse.order%s.failed", order);
		if (attempts)
			metric_add(m, MK_RATIO, BAD_DOWN, ok / attempts, "collapse.order%s.success_rate",
			    order);
		json_object_foreach(v, res, n)
			if (strcmp(res, "succeed"))
				metric_add(m, MK_COUNTER, BAD_UP, json_integer_value(n),
				    "collapse.order%s.result.%s", order, res);
		attempts_all += attempts;
		ok_all += ok;
	}
	files = jget(rec, "collapse.collapse_file");
	if (files) {
		double attempts = sum_ints(files);
		double ok = jget_u64(files, "succeed") + jget_u64(files, "pte_mapped_hugepage");

		metric_add(m, MK_COUNTER, BAD_NEITHER, attempts, "collapse.file.attempts");
		metric_add(m, MK_COUNTER, BAD_DOWN, ok, "collapse.file.succeeded");
		metric_add(m, MK_COUNTER, BAD_UP, attempts - ok, "collapse.file.failed");
		attempts_all += attempts;
		ok_all += ok;
	}
	if (by_order || files) {
		metric_add_timeline(m, MK_COUNTER, attempts_all, "collapse.attempts");
		metric_add_timeline(m, MK_COUNTER, ok_all, "collapse.succeeded");
	}
	json_object_foreach(jget(rec, "collapse.latency"), order, lat) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "collapse.order%s.latency", order);
		metric_add_latency(m, lat, prefix);
	}
}

static void collapse_top(struct top_pane *v)
{
	static const char *const cols[] = { "attempts", "succeeded", "failed" };
	size_t n;

	pane_heading(v, "COLLAPSE   attempts      ok    fail   total ok  top failures");
	n = pane_order_rows(v, &(struct order_rows){ "collapse", cols, 3, 7, 1, "result" });
	if (pane_has(v, "collapse.file.attempts"))
		pane_line(v, "  file      %7.0f %7.0f %7.0f %9.0f", pane_delta(v, "collapse.file.attempts"),
		     pane_delta(v, "collapse.file.succeeded"), pane_delta(v, "collapse.file.failed"),
		     pane_now(v, "collapse.file.succeeded"));
	if (!n && !pane_has(v, "collapse.file.attempts"))
		pane_line(v, "  none");
}

static void collapse_html(FILE *f, json_t *rec)
{
	json_t *by_order = jget(rec, "collapse.by_order"), *files = jget(rec, "collapse.collapse_file");
	json_t *rows = by_order ? json_deep_copy(by_order) : json_object();

	fputs("<h2>Collapse</h2>\n", f);

	if (files)
		json_object_set(rows, "file", files);
	html_stacked(f, rows, NULL, by_order || files ? "succeed" : NULL,
		     "Collapse attempts per target order, by result",
		     "Bars per target order (and for file collapses), split into segments by the "
		     "kernel's scan result; the number at the end is the total of attempts.",
		     "Collapse attempts: none recorded.");
	json_decref(rows);
	html_latency_charts(f, rec, "collapse.latency", "Collapse");
}

static const struct family_measure collapse_measures[] = {
	{ "collapse.file.", "collapse:mm_khugepaged_collapse_file" },
	{ "collapse.", "collapse:mm_collapse_huge_page" },
	{ NULL, NULL },
};

/* Outcomes under O, keyed by result or by order then result, as samples
 * of NAME with the source and kind they came from. */
static void expose_outcomes(struct expo *x, json_t *o, const char *name, const char *help,
			    const char *source, const char *kind)
{
	const char *k, *res;
	json_t *v, *n;

	json_object_foreach(o, k, v) {
		if (json_is_integer(v))
			expo_counter(x, name, help, json_integer_value(v), "source", source,
				     "kind", kind, "result", k, NULL);
		else
			json_object_foreach(v, res, n)
				expo_counter(x, name, help, json_integer_value(n), "source", source,
					     "kind", kind, "order", k, "result", res, NULL);
	}
}

static void collapse_expose(json_t *rec, struct expo *x)
{
	static const struct expo_value khugepaged[] = {
		{ "thpscope_khugepaged_passes", "khugepaged wake-ups that scanned.",
		  "collapse.khugepaged_passes.passes", false },
		{ "thpscope_khugepaged_full_scans",
		  "khugepaged passes that finished a scan of every mm.",
		  "collapse.khugepaged_passes.full_scans", false },
	};
	static const char scans[] = "thpscope_collapse_scans";
	static const char scans_help[] =
		"Ranges the collapse scanner looked at, by source, kind and scan result.";
	static const char attempts[] = "thpscope_collapse_attempts";
	static const char attempts_help[] =
		"Collapse attempts, by source, kind, folio order and result (succeed or why not).";
	const char *src, *order;
	json_t *s, *lat;

	json_object_foreach(jget(rec, "collapse.by_source"), src, s) {
		expose_outcomes(x, json_object_get(s, "scan"), scans, scans_help, src, "anon");
		expose_outcomes(x, json_object_get(s, "scan_file"), scans, scans_help, src, "file");
		expose_outcomes(x, json_object_get(s, "by_order"), attempts, attempts_help, src,
				"anon");
		expose_outcomes(x, json_object_get(s, "collapse_file"), attempts, attempts_help, src,
				"file");
		expose_outcomes(x, json_object_get(s, "isolate"), "thpscope_collapse_isolations",
				"Page isolations for a collapse, by source, order and result.",
				src, NULL);
		expose_outcomes(x, json_object_get(s, "swapin"), "thpscope_collapse_swapins",
				"Swap-ins for a collapse, by source, order and result.", src, NULL);
		json_object_foreach(json_object_get(s, "latency"), order, lat)
			expo_histogram_ns(x, "thpscope_collapse_duration_seconds",
					  "Time to collapse a range, by source and folio order.", lat,
					  "source", src, "order", order, NULL);
	}
	expo_values(x, rec, khugepaged, ARRAY_SIZE(khugepaged));
}

static const struct family_process_column collapse_processes = {
	.path = "collapse.processes",
	.field = "attempts",
	.heading = "collapses",
};

static const char *const collapse_record_keys[] = { "collapse", NULL };

static const char *const collapse_order_paths[] = {
	"collapse.by_order.#", "collapse.isolate.#", "collapse.swapin.#",
	"collapse.latency.#", "collapse.by_source.*.by_order.#",
	"collapse.by_source.*.isolate.#", "collapse.by_source.*.swapin.#",
	"collapse.by_source.*.latency.#", NULL
};

const struct family collapse_family = {
	.name = "collapse",
	.summary = "khugepaged and MADV_COLLAPSE scans and attempts per order",
	.open = collapse_open,
	.load = collapse_load,
	.harvest = collapse_harvest,
	.destroy = collapse_destroy,
	.event_names = collapse_event_names,
	.nevents = CE_NR,
	.decode = collapse_decode,
	.record_keys = collapse_record_keys,
	.always_recorded = true,
	.order_paths = collapse_order_paths,
	.report = collapse_report,
	.fallbacks = collapse_fallbacks,
	.metrics = collapse_metrics,
	.measures = collapse_measures,
	.top = collapse_top,
	.process_column = &collapse_processes,
	.html = collapse_html,
	.expose = collapse_expose,
};
