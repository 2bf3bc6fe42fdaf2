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
#include "pathology.skel.h"
#include "probe.h"
#include "report_section.h"
#include "table.h"
#include "textbuf.h"
#include "top_pane.h"
#include "util.h"

static const char *const kind_names[PK_NR] = {
	[PK_THRASH] = "thrash",
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

struct harvest_ctx {
	json_t *list;
	__u64 pmd_bytes;
};

static void add_thrash(const void *k, const void *v, void *data)
{
	const struct range_key *key = k;
	const struct thrash_range *r = v;
	struct harvest_ctx *ctx = data;
	char start[32], end[32];

	if (!r->detected)
		return;
	snprintf(start, sizeof(start), "0x%llx", (unsigned long long)key->start);
	snprintf(end, sizeof(end), "0x%llx", (unsigned long long)(key->start + ctx->pmd_bytes));
	json_array_append_new(ctx->list, json_pack(
		"{s:s, s:I, s:s%, s:s, s:s, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}}",
		"kind", kind_name(PK_THRASH), "pid", (json_int_t)r->tgid,
		"comm", r->comm, strnlen(r->comm, sizeof(r->comm)), "start", start, "end", end,
		"count", (json_int_t)r->cycles, "first_ns", (json_int_t)r->first_ns,
		"last_ns", (json_int_t)r->last_ns, "evidence",
		"collapses", (json_int_t)r->collapses, "cycles", (json_int_t)r->cycles,
		"mean_period_ns", (json_int_t)((r->last_ns - r->first_ns) / r->cycles),
		"detected_ns", (json_int_t)r->detected_ns,
		"splits_pmd", (json_int_t)r->via[SPLIT_VIA_PMD],
		"splits_folio", (json_int_t)r->via[SPLIT_VIA_FOLIO],
		"split_causes", bit_names(r->causes, cause_name, CAUSE_NR),
		"collapse_sources", bit_names(r->sources, source_name, SRC_NR)));
}

static struct bpf_object *pathology_open(struct family_run *run, struct kenv *env)
{
	struct cause_setup *cs = causes_setup(env);
	struct pathology_bpf *skel;

	if (!cs)
		return NULL;
	skel = pathology_bpf__open();
	if (!skel) {
		free(cs);
		return NULL;
	}
	skel->rodata->nr_cause_ranges = cs->n > 0 ? cs->n : 0;
	run->skel = skel;
	run->data = cs;
	return skel->obj;
}

static int pathology_load(struct family_run *run)
{
	struct pathology_bpf *skel = run->skel;
	int err = pathology_bpf__load(skel);

	return err ?: causes_fill(bpf_map__fd(skel->maps.cause_ranges), run->data);
}

/* {"available": true} or {"available": false, "why": the first probe's
 * reason} for a detector that needs every one of PROBES. */
static json_t *detector(const struct probe_set *probes, const char *const *names)
{
	size_t i;

	for (; *names; names++) {
		if (probe_attached(probes, *names))
			continue;
		for (i = 0; i < probes->n; i++)
			if (!strcmp(probes->v[i].name, *names))
				return json_pack("{s:b, s:s+}", "available", 0,
						 "why", *names, ": ", probes->v[i].why);
		return json_pack("{s:b, s:s+}", "available", 0, "why", *names, ": not probed");
	}
	return json_pack("{s:b}", "available", 1);
}

static void pathology_harvest(struct family_run *run, struct kenv *env,
			      const struct probe_set *probes, json_t *record)
{
	struct pathology_bpf *skel = run->skel;
	struct harvest_ctx ctx = { .list = json_array(),
				   .pmd_bytes = 1ULL << (env->pmd_order + env->page_shift) };
	json_t *thrash = detector(probes, thrash_probes);

	if (json_is_true(json_object_get(thrash, "available")))
		map_foreach(bpf_map__fd(skel->maps.thrash_ranges), sizeof(struct range_key),
			    sizeof(struct thrash_range), add_thrash, &ctx);
	json_object_set_new(jpath(record, "pathology_detectors"), "thrash", thrash);
	json_array_top(ctx.list, "count", TOP_ENTRIES);
	json_object_set_new(record, "pathologies", ctx.list);
}

static void pathology_destroy(struct family_run *run)
{
	pathology_bpf__destroy(run->skel);
	free(run->data);
	run->skel = NULL;
	run->data = NULL;
}

static const char *const pathology_event_names[PE_NR] = {
	[PE_DETECTED] = "pathology",
};

static void pathology_decode(const struct thp_event *e, const struct kenv *env, json_t *o)
{
	const struct pathology_event_body *b = TRACE_BODY(e, const struct pathology_event_body);
	json_t *causes = bit_names(b->causes, cause_name, CAUSE_NR);
	json_t *sources = bit_names(b->sources, source_name, SRC_NR);

	(void)env;
	event_set_str(o, "kind", kind_name(b->kind));
	event_set_hex(o, "start", b->start);
	event_set_hex(o, "end", b->end);
	event_set_int(o, "count", b->count);
	event_set_int(o, "first_ns", b->first_ns);
	json_object_set_new(o, "split_causes", causes);
	json_object_set_new(o, "collapse_sources", sources);
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

/* First in the report when anything was found: what to look at first. */
static void pathology_report(FILE *out, json_t *rec)
{
	json_t *list = json_object_get(rec, "pathologies"), *p, *ev, *d;
	json_t *detectors = json_object_get(rec, "pathology_detectors");
	struct textbuf via = TEXTBUF_INIT, causes = TEXTBUF_INIT, sources = TEXTBUF_INIT;
	struct table *t;
	const char *k;
	size_t i;

	if (!detectors)
		return;
	t = table_new("KIND\tPID\tCOMM\tRANGE\tCOUNT\tSPAN\tEVIDENCE");
	json_array_foreach(list, i, p) {
		ev = json_object_get(p, "evidence");
		table_add(t, "%s\t%lld\t%s\t%s-%s\t%lld\t%.1f ms\t"
			  "%lld collapses (%s), split by %s (pmd %lld, folio %lld), every %.1f ms",
			  json_string_value(json_object_get(p, "kind")),
			  json_integer_value(json_object_get(p, "pid")),
			  json_string_value(json_object_get(p, "comm")),
			  json_string_value(json_object_get(p, "start")),
			  json_string_value(json_object_get(p, "end")),
			  json_integer_value(json_object_get(p, "count")),
			  (json_integer_value(json_object_get(p, "last_ns")) -
			   json_integer_value(json_object_get(p, "first_ns"))) / 1e6,
			  json_integer_value(json_object_get(ev, "collapses")),
			  joined(&sources, json_object_get(ev, "collapse_sources")),
			  joined(&causes, json_object_get(ev, "split_causes")),
			  json_integer_value(json_object_get(ev, "splits_pmd")),
			  json_integer_value(json_object_get(ev, "splits_folio")),
			  json_integer_value(json_object_get(ev, "mean_period_ns")) / 1e6);
	}
	if (table_rows(t))
		table_print(t, out, "PATHOLOGIES (thrash: collapsed then split again, COUNT cycles)",
			    probes_via(&via, rec, thrash_probes));
	else
		fprintf(out, "\nPathologies: none  [%s]\n", probes_via(&via, rec, thrash_probes));
	table_free(t);
	json_object_foreach(detectors, k, d)
		if (!json_is_true(json_object_get(d, "available")))
			fprintf(out, "  %s detector unavailable: %s\n", k,
				json_string_value(json_object_get(d, "why")) ?: "unknown");
	textbuf_free(&via);
	textbuf_free(&causes);
	textbuf_free(&sources);
}

/* Per kind: places found and their counts. More is worse: a new place or
 * a higher count is a regression. */
static void pathology_metrics(json_t *rec, struct metrics *m)
{
	json_t *d, *p;
	const char *k;
	size_t i;

	json_object_foreach(json_object_get(rec, "pathology_detectors"), k, d) {
		double places = 0, count = 0;

		if (!json_is_true(json_object_get(d, "available")))
			continue;
		json_array_foreach(json_object_get(rec, "pathologies"), i, p) {
			if (strcmp(json_string_value(json_object_get(p, "kind")) ?: "", k))
				continue;
			places++;
			count += json_integer_value(json_object_get(p, "count"));
		}
		metric_add(m, MK_COUNTER, BAD_UP, places, "pathology.%s.places", k);
		metric_add(m, MK_COUNTER, BAD_UP, count, "pathology.%s.count", k);
	}
}

static void pathology_top(struct top_pane *v)
{
	pane_heading(v, "PATHOLOGIES  places  count");
	if (!pane_has(v, "pathology.thrash.places")) {
		pane_line(v, "  thrash not measured");
		return;
	}
	pane_line(v, "  thrash     %6.0f %6.0f", pane_now(v, "pathology.thrash.places"),
		  pane_now(v, "pathology.thrash.count"));
}

static void pathology_expose(json_t *rec, struct expo *x)
{
	json_t *d, *p;
	const char *k;
	size_t i;

	json_object_foreach(json_object_get(rec, "pathology_detectors"), k, d) {
		size_t places = 0;

		if (!json_is_true(json_object_get(d, "available")))
			continue;
		json_array_foreach(json_object_get(rec, "pathologies"), i, p)
			places += !strcmp(json_string_value(json_object_get(p, "kind")) ?: "", k);
		expo_counter(x, "thpscope_pathologies_detected",
			     "Places where a pathology was detected, by kind (thrash: a range collapsed then split again, over and over).",
			     places, "kind", k, NULL);
	}
}

static const struct family_measure pathology_measures[] = {
	{ "pathology.thrash.", "pathology:collapse_huge_page" },
	{ NULL, NULL },
};

static const char *const pathology_record_keys[] = { "pathologies", "pathology_detectors", NULL };

const struct family pathology_family = {
	.name = "pathology",
	.summary = "pathologies: ranges collapsed then split again, over and over",
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
