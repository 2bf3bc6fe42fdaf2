// SPDX-License-Identifier: GPL-2.0
/* The pathology family: places where the kernel keeps undoing its own
 * THP work, each named with its process, range, count and evidence. The
 * detectors run in the kernel (bpf/pathology.bpf.c); a detector whose
 * probes cannot attach is recorded as unavailable, with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "cause_table.h"
#include "collapse.h"
#include "event_decode.h"
#include "exposition.h"
#include "family.h"
#include "json_util.h"
#include "kenv.h"
#include "maps.h"
#include "metrics.h"
#include "pathology.h"
#include "pathology_record.h"
#include "pathology.skel.h"
#include "probe.h"
#include "record_opts.h"
#include "report_section.h"
#include "table.h"
#include "textbuf.h"
#include "top_pane.h"
#include "util.h"

static const char *const kind_names[PK_NR] = {
	[PK_THRASH] = "thrash",
	[PK_CREEP] = "creep",
	[PK_BOUNCE] = "device_exclusive_bounce",
	[PK_SPINNING] = "spinning_device_fault",
};

static const char *kind_name(unsigned int kind)
{
	return kind < PK_NR ? kind_names[kind] : "other";
}

static const char *const source_names[SRC_NR] = {
	[SRC_KHUGEPAGED] = "khugepaged",
	[SRC_MADVISE] = "madvise",
};

/* The probes a detector needs, all of them. */
static const char *const thrash_probes[] = { "pathology:collapse_huge_page",
	"pathology:__split_huge_pmd", NULL };
static const char *const creep_probes[] = { "pathology:collapse_huge_page", NULL };
static const char *const bounce_probes[] = { "pathology:collapse_single_pmd",
	"pathology:__mmu_notifier_invalidate_range_start", NULL };

/* The results of collapse attempts, as the collapse family names them. */
static const struct enum_spec scan_results = { "scan_result", "SCAN_", "result" };

/* The names of the set bits of MASK among NAMES (N of them), as an array. */
static json_t *bit_names(__u32 mask, const char *(*name)(unsigned int), unsigned int n)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < n && i < 32; i++)
		if (mask & (1U << i))
			json_array_append_new(a, json_string(name(i)));
	return a;
}

static const char *source_name(unsigned int src)
{
	return src < SRC_NR ? source_names[src] : "other";
}

/* The names of the scan results of MASK (bit per enum scan_result). */
static json_t *result_names(const struct enum_names *results, __u64 mask)
{
	json_t *a = json_array();
	char buf[32];
	int i;

	for (i = 0; i < 64; i++)
		if (mask & (1ULL << i))
			json_array_append_new(a, json_string(enum_name(results, i, buf,
								       sizeof(buf))));
	return a;
}

struct harvest_ctx {
	json_t *thrash;		/* places of each kind, NULL: not detected here */
	json_t *creep;
	json_t *bounce;
	const struct enum_names *results;
	__u64 pmd_bytes;
	bool notifier;		/* the invalidations were followed */
};

static json_t *orders_of(const struct range_state *r)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < r->norders && i < CREEP_ORDERS; i++)
		json_array_append_new(a, json_integer(r->orders[i]));
	return a;
}

/* The place of range K with its kind, process and times; EVIDENCE taken. */
static json_t *place(const struct range_key *k, const struct range_state *r,
		     const struct harvest_ctx *ctx, enum pathology_kind kind, __u64 count,
		     __u64 first_ns, __u64 last_ns, json_t *evidence)
{
	char start[32], end[32];

	snprintf(start, sizeof(start), "0x%llx", (unsigned long long)k->start);
	snprintf(end, sizeof(end), "0x%llx", (unsigned long long)(k->start + ctx->pmd_bytes));
	return json_pack("{s:s, s:I, s:s%, s:s, s:s, s:I, s:I, s:I, s:o}",
		"kind", kind_name(kind), "pid", (json_int_t)r->tgid,
		"comm", r->comm, strnlen(r->comm, sizeof(r->comm)), "start", start, "end", end,
		"count", (json_int_t)count, "first_ns", (json_int_t)first_ns,
		"last_ns", (json_int_t)last_ns, "evidence", evidence);
}

static void add_range(const void *k, const void *v, void *data)
{
	const struct range_state *r = v;
	struct harvest_ctx *ctx = data;

	if (r->detected && ctx->thrash) {
		json_t *ev = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
			"collapses", (json_int_t)r->collapses, "cycles", (json_int_t)r->cycles,
			"mean_period_ns", (json_int_t)((r->last_ns - r->first_ns) / r->cycles),
			"detected_ns", (json_int_t)r->detected_ns,
			"splits_pmd", (json_int_t)r->via[SPLIT_VIA_PMD],
			"splits_folio", (json_int_t)r->via[SPLIT_VIA_FOLIO],
			"split_causes", bit_names(r->causes, cause_name, CAUSE_NR),
			"collapse_sources", bit_names(r->sources, source_name, SRC_NR));

		if (ctx->notifier)
			json_object_set_new(ev, "invalidations", json_pack("{s:I, s:I}",
				"exclusive", (json_int_t)r->inval_exclusive,
				"clear", (json_int_t)r->inval_clear));
		json_array_append_new(ctx->thrash, place(k, r, ctx, PK_THRASH, r->cycles,
							 r->first_ns, r->last_ns, ev));
	}
	if (r->creep_detected && ctx->creep)
		json_array_append_new(ctx->creep, place(k, r, ctx, PK_CREEP, r->steps,
			r->run_first_ns, r->run_last_ns, json_pack("{s:I, s:I, s:I, s:o, s:o}",
			"steps", (json_int_t)r->steps, "collapses", (json_int_t)r->collapses,
			"detected_ns", (json_int_t)r->creep_detected_ns, "orders", orders_of(r),
			"collapse_sources", bit_names(r->sources, source_name, SRC_NR))));
	if (r->bounce_detected && ctx->bounce)
		json_array_append_new(ctx->bounce, place(k, r, ctx, PK_BOUNCE, r->bounces,
			r->bounce_first_ns, r->bounce_last_ns, json_pack("{s:I, s:I, s:I, s:o, s:{s:I, s:I}}",
			"attempts", (json_int_t)r->bounces, "failed", (json_int_t)r->bounce_refused,
			"detected_ns", (json_int_t)r->bounce_detected_ns,
			"results", result_names(ctx->results, r->bounce_results),
			"invalidations", "exclusive", (json_int_t)r->inval_exclusive,
			"clear", (json_int_t)r->inval_clear)));
}

/* What the loader learns before the kernel's symbols are let go. */
struct pathology_run {
	struct cause_setup *causes;
	/* make_device_exclusive_range before 6.15; neither without
	 * CONFIG_DEVICE_PRIVATE. */
	bool device_exclusive;
};

static void pathology_run_free(struct pathology_run *pr)
{
	if (pr)
		free(pr->causes);
	free(pr);
}

static struct bpf_object *pathology_open(struct family_run *run, struct kenv *env)
{
	struct pathology_run *pr = calloc(1, sizeof(*pr));
	struct pathology_bpf *skel;

	if (!pr || !(pr->causes = causes_setup(env))) {
		pathology_run_free(pr);
		return NULL;
	}
	pr->device_exclusive = kenv_has_ksym(env, "make_device_exclusive") ||
			       kenv_has_ksym(env, "make_device_exclusive_range");
	skel = pathology_bpf__open();
	if (!skel) {
		pathology_run_free(pr);
		return NULL;
	}
	skel->rodata->nr_cause_ranges = pr->causes->n > 0 ? pr->causes->n : 0;
	skel->rodata->min_count = pathology_limits.count;
	skel->rodata->window_ns = pathology_limits.window_s * 1e9;
	kenv_enum_of(env, &scan_results);	/* read while the BTF is loaded */
	/* 7.x collapses to mTHP orders and passes the order as argument 6. */
	skel->rodata->collapse_has_order =
		kenv_has_member(env, "trace_event_raw_mm_collapse_huge_page", "order");
	run->skel = skel;
	run->data = pr;
	return skel->obj;
}

static int pathology_load(struct family_run *run)
{
	struct pathology_bpf *skel = run->skel;
	struct pathology_run *pr = run->data;
	int err = pathology_bpf__load(skel);

	return err ?: causes_fill(bpf_map__fd(skel->maps.cause_ranges), pr->causes);
}

/* {"available": false, "why": why probe NAME did not attach} */
static json_t *unavailable(const struct probe_set *probes, const char *name)
{
	size_t i;

	for (i = 0; i < probes->n; i++)
		if (!strcmp(probes->v[i].name, name))
			return json_pack("{s:b, s:s++}", "available", 0,
					 "why", name, ": ", probes->v[i].why);
	return json_pack("{s:b, s:s+}", "available", 0, "why", name, ": not probed");
}

json_t *pathology_detector(const struct probe_set *probes, const char *const *names,
			   bool need_all)
{
	const char *const *n;

	for (n = names; *n; n++) {
		bool up = probe_attached(probes, *n);

		if (!need_all && up)
			return json_pack("{s:b}", "available", 1);
		if (need_all && !up)
			return unavailable(probes, *n);
	}
	return need_all ? json_pack("{s:b}", "available", 1) : unavailable(probes, names[0]);
}

void pathology_add(json_t *record, const char *kind, json_t *detector, json_t *places)
{
	json_t *list = json_object_get(record, "pathologies");

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(record, "pathologies", list);
	}
	json_array_extend(list, places);
	json_decref(places);
	json_array_top(list, "count", TOP_ENTRIES);
	json_object_set_new(jpath(record, "pathology_detectors"), kind, detector);
}

static void pathology_harvest(struct family_run *run, struct kenv *env,
			      const struct probe_set *probes, json_t *record)
{
	struct pathology_bpf *skel = run->skel;
	const struct pathology_run *pr = run->data;
	struct harvest_ctx ctx = {
		.pmd_bytes = 1ULL << (env->pmd_order + env->page_shift),
		.notifier = probe_attached(probes, "pathology:__mmu_notifier_invalidate_range_start"),
		.results = kenv_enum_of(env, &scan_results),
	};
	json_t *thrash = pathology_detector(probes, thrash_probes, true);
	json_t *creep = pathology_detector(probes, creep_probes, true);
	json_t *bounce;

	if (pr->device_exclusive)
		bounce = pathology_detector(probes, bounce_probes, true);
	else
		bounce = json_pack("{s:b, s:s}", "available", 0, "why",
				   "this kernel has no device-exclusive entries (CONFIG_DEVICE_PRIVATE off)");

	if (json_is_true(json_object_get(creep, "available")) && !skel->rodata->collapse_has_order) {
		json_decref(creep);
		creep = json_pack("{s:b, s:s}", "available", 0, "why",
				  "this kernel collapses to the PMD order only (no mTHP collapse)");
	}
	if (json_is_true(json_object_get(thrash, "available")))
		ctx.thrash = json_array();
	if (json_is_true(json_object_get(creep, "available")))
		ctx.creep = json_array();
	if (json_is_true(json_object_get(bounce, "available")))
		ctx.bounce = json_array();
	run_map_foreach(run, skel->maps.ranges, sizeof(struct range_key),
		        sizeof(struct range_state), add_range, &ctx);
	pathology_add(record, "thrash", thrash, ctx.thrash ?: json_array());
	pathology_add(record, "creep", creep, ctx.creep ?: json_array());
	pathology_add(record, kind_names[PK_BOUNCE], bounce, ctx.bounce ?: json_array());
}

static void pathology_destroy(struct family_run *run)
{
	pathology_bpf__destroy(run->skel);
	pathology_run_free(run->data);
	run->skel = NULL;
	run->data = NULL;
}

static const char *const pathology_event_names[PE_NR] = {
	[PE_DETECTED] = "pathology",
};

void pathology_event_decode(const struct pathology_event_body *b, json_t *o)
{
	event_set_str(o, "kind", kind_name(b->kind));
	event_set_hex(o, "start", b->start);
	event_set_hex(o, "end", b->end);
	event_set_int(o, "count", b->count);
	event_set_int(o, "first_ns", b->first_ns);
	if (b->kind != PK_THRASH && b->kind != PK_CREEP)
		return;
	if (b->kind == PK_CREEP)
		event_set_int(o, "order", b->order);
	json_object_set_new(o, "split_causes", bit_names(b->causes, cause_name, CAUSE_NR));
	json_object_set_new(o, "collapse_sources", bit_names(b->sources, source_name, SRC_NR));
}

static void pathology_decode(const struct thp_event *e, const struct kenv *env, json_t *o)
{
	(void)env;
	pathology_event_decode(TRACE_BODY(e, const struct pathology_event_body), o);
}

/* "a,b" from an array of strings. */
static const char *joined(struct textbuf *tb, json_t *arr)
{
	json_t *s;
	size_t i;

	textbuf_reset(tb);
	json_array_foreach(arr, i, s)
		textbuf_printf(tb, "%s%s", i ? "," : "", json_string_value(s) ?: "?");
	return tb->len ? textbuf_str(tb) : "-";
}

/* "4->5->6" from an array of integers. */
static const char *arrow_list(struct textbuf *tb, json_t *arr)
{
	json_t *v;
	size_t i;

	textbuf_reset(tb);
	json_array_foreach(arr, i, v)
		textbuf_printf(tb, "%s%lld", i ? "->" : "", json_integer_value(v));
	return textbuf_str(tb);
}

/* What shows that place P (of KIND) is pathological. */
static const char *evidence_of(struct textbuf *tb, json_t *p, const char *kind)
{
	json_t *ev = json_object_get(p, "evidence");
	struct textbuf causes = TEXTBUF_INIT, sources = TEXTBUF_INIT;

	textbuf_reset(tb);
	if (!strcmp(kind, "thrash")) {
		textbuf_printf(tb, "%lld collapses (%s), split by %s (pmd %lld, folio %lld), every %.1f ms",
			       json_integer_value(json_object_get(ev, "collapses")),
			       joined(&sources, json_object_get(ev, "collapse_sources")),
			       joined(&causes, json_object_get(ev, "split_causes")),
			       json_integer_value(json_object_get(ev, "splits_pmd")),
			       json_integer_value(json_object_get(ev, "splits_folio")),
			       json_integer_value(json_object_get(ev, "mean_period_ns")) / 1e6);
		if (json_object_get(ev, "invalidations"))
			textbuf_printf(tb, "; invalidated exclusive %lld, clear %lld",
				       json_integer_value(jget(ev, "invalidations.exclusive")),
				       json_integer_value(jget(ev, "invalidations.clear")));
	} else if (!strcmp(kind, "creep")) {
		textbuf_printf(tb, "collapsed to orders %s (%s)",
			       arrow_list(&causes, json_object_get(ev, "orders")),
			       joined(&sources, json_object_get(ev, "collapse_sources")));
	} else if (!strcmp(kind, "device_exclusive_bounce")) {
		textbuf_printf(tb, "%lld collapse attempts after a device took exclusive access "
			       "(%lld failed; results %s); invalidated exclusive %lld, clear %lld",
			       json_integer_value(json_object_get(ev, "attempts")),
			       json_integer_value(json_object_get(ev, "failed")),
			       joined(&causes, json_object_get(ev, "results")),
			       json_integer_value(jget(ev, "invalidations.exclusive")),
			       json_integer_value(jget(ev, "invalidations.clear")));
	} else if (!strcmp(kind, "spinning_device_fault")) {
		textbuf_printf(tb, "faulted %lld times in a row with nothing migrated (%lld in all)",
			       json_integer_value(json_object_get(ev, "stalled")),
			       json_integer_value(json_object_get(ev, "faults")));
	} else {
		textbuf_printf(tb, "-");
	}
	textbuf_free(&causes);
	textbuf_free(&sources);
	return textbuf_str(tb);
}

/* First in the report: what to look at first. */
static void pathology_report(FILE *out, json_t *rec)
{
	json_t *list = json_object_get(rec, "pathologies"), *p, *d;
	json_t *detectors = json_object_get(rec, "pathology_detectors");
	struct textbuf ev = TEXTBUF_INIT;
	struct table *t;
	const char *k;
	size_t i;

	if (!detectors)
		return;
	t = table_new("KIND\tPID\tCOMM\tRANGE\tCOUNT\tSPAN\tEVIDENCE");
	json_array_foreach(list, i, p) {
		const char *kind = json_string_value(json_object_get(p, "kind")) ?: "?";

		table_add(t, "%s\t%lld\t%s\t%s-%s\t%lld\t%.1f ms\t%s", kind,
			  json_integer_value(json_object_get(p, "pid")),
			  json_string_value(json_object_get(p, "comm")),
			  json_string_value(json_object_get(p, "start")),
			  json_string_value(json_object_get(p, "end")),
			  json_integer_value(json_object_get(p, "count")),
			  (json_integer_value(json_object_get(p, "last_ns")) -
			   json_integer_value(json_object_get(p, "first_ns"))) / 1e6,
			  evidence_of(&ev, p, kind));
	}
	if (table_rows(t))
		table_print(t, out, "PATHOLOGIES (COUNT: thrash cycles, creep steps, bounced "
			    "collapse attempts, spinning faults in a row)", NULL);
	else
		fprintf(out, "\nPathologies: none\n");
	table_free(t);
	json_object_foreach(detectors, k, d)
		if (!json_is_true(json_object_get(d, "available")))
			fprintf(out, "  %s detector unavailable: %s\n", k,
				json_string_value(json_object_get(d, "why")) ?: "unknown");
	textbuf_free(&ev);
}

/* The places of KIND in REC, and their counts summed into COUNT. */
static size_t places_of(json_t *rec, const char *kind, double *count)
{
	size_t i, n = 0;
	json_t *p;

	*count = 0;
	json_array_foreach(json_object_get(rec, "pathologies"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "kind")) ?: "", kind))
			continue;
		n++;
		*count += json_integer_value(json_object_get(p, "count"));
	}
	return n;
}

/* Per kind that was detected: places found and their counts. More is
 * worse: a new place or a higher count is a regression. */
static void pathology_metrics(json_t *rec, struct metrics *m)
{
	const char *k;
	double count;
	json_t *d;

	json_object_foreach(json_object_get(rec, "pathology_detectors"), k, d) {
		if (!json_is_true(json_object_get(d, "available")))
			continue;
		metric_add(m, MK_COUNTER, BAD_UP, places_of(rec, k, &count),
			   "pathology.%s.places", k);
		metric_add(m, MK_COUNTER, BAD_UP, count, "pathology.%s.count", k);
	}
}

/* One line, so that the process table below keeps its room: per kind,
 * the places found and their counts ("-": the detector does not run
 * here). */
static void pathology_top(struct top_pane *v)
{
	static const char *const kinds[] = { "thrash", "creep", "device_exclusive_bounce",
					     "spinning_device_fault" };
	struct textbuf line = TEXTBUF_INIT;
	char places[64], count[64];
	size_t i;

	textbuf_printf(&line, "PATHOLOGIES");
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		snprintf(places, sizeof(places), "pathology.%s.places", kinds[i]);
		snprintf(count, sizeof(count), "pathology.%s.count", kinds[i]);
		if (pane_has(v, places))
			textbuf_printf(&line, "  %s %.0f (%.0f)", kinds[i], pane_now(v, places),
				       pane_now(v, count));
		else
			textbuf_printf(&line, "  %s -", kinds[i]);
	}
	pane_heading(v, textbuf_str(&line));
	textbuf_free(&line);
}

static void pathology_expose(json_t *rec, struct expo *x)
{
	const char *k;
	size_t places;
	double count;
	json_t *d;

	json_object_foreach(json_object_get(rec, "pathology_detectors"), k, d) {
		if (!json_is_true(json_object_get(d, "available")))
			continue;
		places = places_of(rec, k, &count);
		expo_counter(x, "thpscope_pathologies_detected",
			     "Places where a pathology was detected, by kind (thrash, creep, device_exclusive_bounce, spinning_device_fault).",
			     places, "kind", k, NULL);
		expo_gauge(x, "thpscope_pathologies",
			   "Places where a pathology shows now, by kind (at most the report's top entries).",
			   places, "kind", k, NULL);
	}
}

static const struct family_measure pathology_measures[] = {
	{ "pathology.thrash.", "pathology:collapse_huge_page" },
	{ "pathology.creep.", "pathology:collapse_huge_page" },
	{ "pathology.device_exclusive_bounce.", "pathology:collapse_single_pmd" },
	{ "pathology.spinning_device_fault.", "device:do_swap_page" },
	{ NULL, NULL },
};

static const char *const pathology_record_keys[] = { "pathologies", "pathology_detectors", NULL };

const struct family pathology_family = {
	.name = "pathology",
	.summary = "pathologies: ranges collapsed and split again, creeping up the orders, collapsed "
		   "against a device's exclusive access; spinning device faults",
	.alternatives = split_entry_alternatives,
	.open = pathology_open,
	.load = pathology_load,
	.harvest = pathology_harvest,
	.destroy = pathology_destroy,
	.event_names = pathology_event_names,
	.nevents = PE_NR,
	.decode = pathology_decode,
	.record_keys = pathology_record_keys,
	.report = pathology_report,
	.report_first = true,
	.metrics = pathology_metrics,
	.expose = pathology_expose,
	.measures = pathology_measures,
	.top = pathology_top,
};
