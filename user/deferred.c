// SPDX-License-Identifier: GPL-2.0
/* The deferred-split family: the queue's traffic per folio order, fates
 * and ages, the shrinker's scans and the queue length it sees. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "cause_table.h"
#include "deferred.h"
#include "deferred.skel.h"
#include "event_decode.h"
#include "exposition.h"
#include "family.h"
#include "hist_json.h"
#include "json_util.h"
#include "kenv.h"
#include "maps.h"
#include "metrics.h"
#include "probe.h"
#include "report_section.h"
#include "table.h"
#include "textbuf.h"
#include "top_pane.h"
#include "util.h"

/* The record's names of struct deferred_order's counters. */
static const char *const order_fields[DEFERRED_NR_FIELDS] = {
	[DEFERRED_FIELD(enqueued)] = "enqueued",
	[DEFERRED_FIELD(underused)] = "underused",
	[DEFERRED_FIELD(partially_mapped)] = "partially_mapped",
	[DEFERRED_FIELD(split)] = "split",
	[DEFERRED_FIELD(split_by_shrinker)] = "split_by_shrinker",
	[DEFERRED_FIELD(freed)] = "freed",
	[DEFERRED_FIELD(migrated)] = "migrated",
	[DEFERRED_FIELD(dropped)] = "dropped",
	[DEFERRED_FIELD(untracked)] = "untracked",
};

struct deferred_data {
	struct cause_setup *causes;
	char scan_why[256];	/* why the tracepoint tier is blind, or "" */
};

/* The path of the cgroup whose id is ID, under DIR, in BUF. */
static bool cgroup_path(const char *dir, __u64 id, char *buf, size_t len, int depth)
{
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;

	if (!stat(dir, &st) && st.st_ino == id) {
		snprintf(buf, len, "%s", dir);
		return true;
	}
	if (depth > 6 || !(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		char sub[512];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		found = cgroup_path(sub, id, buf, len, depth + 1);
	}
	closedir(d);
	return found;
}

/* O.last adds up (queues summed); O.max keeps the largest seen. */
static void max_last(json_t *o, __u64 last, __u64 max)
{
	json_t *m = json_object_get(o, "max");

	jadd(o, "last", last);
	if (!json_is_integer(m) || (__u64)json_integer_value(m) < max)
		json_object_set_new(o, "max", json_integer(max));
}

/* The object KEY of PARENT, created; KEY may hold dots (cgroup paths). */
static json_t *child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!o) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}

static void add_queue_len(const void *k, const void *v, void *data)
{
	const struct queue_key *key = k;
	const struct queue_len *q = v;
	char path[64], cg[512];

	max_last(jpath(data, "queue_len"), q->last, q->max);
	snprintf(path, sizeof(path), "queue_len.by_node.%d", key->nid);
	max_last(jpath(data, path), q->last, q->max);
	if (!key->memcg)
		return;
	if (!cgroup_path("/sys/fs/cgroup", key->memcg, cg, sizeof(cg), 0))
		snprintf(cg, sizeof(cg), "%llu", (unsigned long long)key->memcg);
	max_last(child(jpath(data, "queue_len.by_memcg"), cg), q->last, q->max);
}

static void add_shrinker(const void *k, const void *v, void *data)
{
	const struct shrinker_stats *s = v;
	char path[64];

	snprintf(path, sizeof(path), "shrinker.by_node.%d", *(const __s32 *)k);
	jadd(data, "shrinker.scans", s->scans);
	jadd(data, "shrinker.nr_to_scan", s->nr_to_scan);
	jadd(data, "shrinker.split", s->split);
	jadd(jpath(data, path), "scans", s->scans);
	jadd(jpath(data, path), "split", s->split);
}

static void add_shrinker_tp(const void *k, const void *v, void *data)
{
	const struct shrinker_tp *t = v;
	char path[64];

	snprintf(path, sizeof(path), "shrinker_tp.by_node.%d", *(const __s32 *)k);
	jadd(data, "shrinker_tp.calls", t->calls);
	jadd(data, "shrinker_tp.freed", t->freed);
	max_last(jpath(data, "shrinker_tp.cache_items"), t->cache_items_last, t->cache_items_max);
	jadd(jpath(data, path), "calls", t->calls);
	jadd(jpath(data, path), "freed", t->freed);
	strncat(path, ".cache_items", sizeof(path) - strlen(path) - 1);
	max_last(jpath(data, path), t->cache_items_last, t->cache_items_max);
}

static struct bpf_object *deferred_open(struct family_run *run, struct kenv *env)
{
	struct deferred_data *dd = calloc(1, sizeof(*dd));
	struct deferred_bpf *skel;

	if (!dd)
		return NULL;
	dd->causes = causes_setup(env);
	skel = dd->causes ? deferred_bpf__open() : NULL;
	if (!skel) {
		free(dd->causes);
		free(dd);
		return NULL;
	}
	skel->rodata->nr_cause_ranges = dd->causes->n > 0 ? dd->causes->n : 0;
	skel->rodata->deferred_scan_addr = dd->causes->shrinker_scan;
	if (dd->causes->n < 0)
		snprintf(dd->scan_why, sizeof(dd->scan_why),
			 "the deferred-split shrinker cannot be recognised: %s", dd->causes->why);
	else if (!dd->causes->shrinker_scan)
		snprintf(dd->scan_why, sizeof(dd->scan_why), "deferred_split_scan is not in kallsyms");
	run->skel = skel;
	run->data = dd;
	return skel->obj;
}

static int deferred_load(struct family_run *run)
{
	struct deferred_bpf *skel = run->skel;
	struct deferred_data *dd = run->data;
	int err = deferred_bpf__load(skel);

	return err ?: causes_fill(bpf_map__fd(skel->maps.cause_ranges), dd->causes);
}

static void deferred_harvest(struct family_run *run, struct kenv *env,
			     const struct probe_set *probes, json_t *record)
{
	struct deferred_bpf *skel = run->skel;
	struct deferred_data *dd = run->data;
	json_t *def = jpath(record, "deferred");
	struct deferred_order o;
	__s64 d;
	__u32 i, f;

	if (probe_attached(probes, "deferred:deferred_split_folio") ||
	    probe_attached(probes, "deferred:deferred_split_huge_page")) {
		json_t *tracked = jpath(def, "tracked");

		for (i = 0; i < DEFERRED_MAX_ORDER; i++) {
			const __u64 *w = &o.enqueued;
			char path[32];

			if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.by_order), &i, &o))
				continue;
			for (f = 0; f < ARRAY_SIZE(order_fields); f++)
				if (w[f])
					break;
			if (f == ARRAY_SIZE(order_fields))
				continue;
			snprintf(path, sizeof(path), "by_order.%u", i);
			for (f = 0; f < ARRAY_SIZE(order_fields); f++)
				jadd(jpath(def, path), order_fields[f], w[f]);
			jadd(tracked, "untracked", o.untracked);
		}
		i = DEPTH_NOW;
		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.depth), &i, &d))
			jadd(tracked, "depth_end", d);
		i = DEPTH_MAX;
		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.depth), &i, &d))
			jadd(tracked, "depth_max", d);
		jadd(tracked, "untracked", 0);
		for (i = 0; i < 2; i++) {
			struct hist h;

			if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.ages), &i, &h) && h.count) {
				json_t *j = hist_to_json(&h, "ns");

				json_object_set_new(jpath(def, "age"),
						    i ? "partially_mapped" : "enqueued", j);
			}
		}
		json_object_set_new(def, "other_stacks",
				    causes_other_stacks(env, bpf_map__fd(skel->maps.other_counts),
							bpf_map__fd(skel->maps.other_stacks)));
	}
	if (probe_attached(probes, "deferred:deferred_split_count"))
		run_map_foreach(run, skel->maps.queue_lens, sizeof(struct queue_key),
			        sizeof(struct queue_len), add_queue_len, def);
	if (probe_attached(probes, "deferred:deferred_split_scan")) {
		jadd(def, "shrinker.scans", 0);
		run_map_foreach(run, skel->maps.shrinker_by_node, sizeof(__s32),
			        sizeof(struct shrinker_stats), add_shrinker, def);
	}
	if (probe_attached(probes, "deferred:mm_shrink_slab_end")) {
		json_t *tp = jpath(def, "shrinker_tp");

		json_object_set_new(tp, "available", json_boolean(!dd->scan_why[0]));
		if (dd->scan_why[0])
			json_object_set_new(tp, "why", json_string(dd->scan_why));
		jadd(tp, "calls", 0);
		jadd(tp, "freed", 0);
		run_map_foreach(run, skel->maps.shrinker_tp_by_node, sizeof(__s32),
			        sizeof(struct shrinker_tp), add_shrinker_tp, def);
	}
}

static void deferred_destroy(struct family_run *run)
{
	struct deferred_data *dd = run->data;

	deferred_bpf__destroy(run->skel);
	if (dd)
		free(dd->causes);
	free(dd);
	run->skel = NULL;
	run->data = NULL;
}

static const char *const deferred_event_names[DE_NR] = {
	[DE_ENQUEUE] = "enqueue",
	[DE_DEQUEUE] = "dequeue",
	[DE_SHRINKER_SCAN] = "shrinker_scan",
};

static void deferred_decode(const struct thp_event *e, const struct kenv *env, json_t *o)
{
	const struct deferred_member_event *m = TRACE_BODY(e, const struct deferred_member_event);
	const struct deferred_scan_event *s = TRACE_BODY(e, const struct deferred_scan_event);

	switch (e->kind) {
	case DE_ENQUEUE:
		event_set_int(o, "order", m->order);
		event_set_bool(o, "partially_mapped", m->partially_mapped);
		event_set_hex(o, "folio", m->folio);
		break;
	case DE_DEQUEUE:
		event_set_int(o, "order", m->order);
		event_set_str(o, "fate", m->fate < DEFERRED_NR_FIELDS && order_fields[m->fate] ?
				  order_fields[m->fate] : "other");
		event_set_hex(o, "folio", m->folio);
		event_set_int(o, "queued_ns", m->queued_ns);
		break;
	case DE_SHRINKER_SCAN:
		event_set_int(o, "node", s->node);
		event_set_int(o, "scanned", s->scanned);
		event_set_int(o, "split", s->ret > 0 ? s->ret : 0);
		break;
	}
}

/* What the family shows of a record. */

/* The timeline's levels: the queue as tracked, and as the shrinker sees it. */
#define QUEUE_DEPTH "deferred.depth"
#define SHRINKER_QUEUE "deferred.shrinker.queue"

static void deferred_report(FILE *out, json_t *rec)
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
	probes_via(&buf, rec, queue_probes);
	if (!table_rows(t))
		fprintf(out, "\nDeferred-split queue: %s  [%s]\n",
			by ? "no traffic" : "not measured", textbuf_str(&buf));
	table_print(t, out, "Deferred-split queue by folio order", textbuf_str(&buf));
	table_free(t);
	if (jget(def, "tracked"))
		fprintf(out, "  queue depth (tracked): max %llu, end %llu; "
			"shrinker's count: max %llu, last %llu\n"
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
			probes_via(&buf, rec, shrink_probes));
	if (tp && json_is_true(json_object_get(tp, "available")))
		fprintf(out, "Deferred-split shrinker (tracepoint tier): %llu calls, %llu folios split, "
			"queue length max %llu  [%s]\n",
			(unsigned long long)jget_u64(tp, "calls"), (unsigned long long)jget_u64(tp, "freed"),
			(unsigned long long)jget_u64(tp, "cache_items.max"),
			probes_via(&buf, rec, tp_probes));
	else if (tp)
		fprintf(out, "Deferred-split shrinker (tracepoint tier): %s\n",
			json_string_value(json_object_get(tp, "why")));
	textbuf_free(&buf);
	textbuf_free(&a);
	textbuf_free(&b);
}

static void deferred_metrics(json_t *rec, struct metrics *m)
{
	json_t *v;
	const char *order;
	double enq = 0;
	bool any = false;

	json_object_foreach(jget(rec, "deferred.by_order"), order, v) {
		metric_add(m, MK_COUNTER, BAD_NEITHER, jget_u64(v, "enqueued"),
		    "deferred.order%s.enqueued", order);
		metric_add(m, MK_COUNTER, BAD_NEITHER, jget_u64(v, "split_by_shrinker"),
		    "deferred.order%s.split_by_shrinker", order);
		enq += jget_u64(v, "enqueued");
		any = true;
	}
	if (any)
		metric_add_timeline(m, MK_COUNTER, enq, "deferred.enqueued");
	if (jget(rec, "deferred.tracked")) {
		metric_add(m, MK_GAUGE, BAD_UP, jget_u64(rec, "deferred.tracked.depth_max"),
		    "deferred.depth_max");
		metric_add_timeline(m, MK_GAUGE, jget_u64(rec, "deferred.tracked.depth_end"),
			     QUEUE_DEPTH);
	}
	if (jget(rec, "deferred.queue_len"))
		metric_add(m, MK_GAUGE, BAD_UP, jget_u64(rec, "deferred.queue_len.max"),
		    "deferred.queue_len_max");
	if (jget(rec, "deferred.shrinker_tp.calls")) {
		metric_add(m, MK_COUNTER, BAD_NEITHER, jget_u64(rec, "deferred.shrinker_tp.calls"),
		    "deferred.shrinker.calls");
		metric_add_timeline(m, MK_COUNTER, jget_u64(rec, "deferred.shrinker_tp.freed"),
			     "deferred.shrinker.split");
		metric_add(m, MK_GAUGE, BAD_UP, jget_u64(rec, "deferred.shrinker_tp.cache_items.max"),
		    "deferred.shrinker.queue_max");
		metric_add_timeline(m, MK_GAUGE, jget_u64(rec, "deferred.shrinker_tp.cache_items.last"),
			     SHRINKER_QUEUE);
	}
}

static void deferred_top(struct top_pane *v)
{
	char depth[24], queue[24];

	pane_heading(v, "DEFERRED SPLIT  enqueued  depth  shrinker calls  split  queue");
	pane_line(v, "  %21.0f %6s %15.0f %6.0f %6s", pane_delta(v, "deferred.enqueued"),
		  pane_gauge(v, QUEUE_DEPTH, depth, sizeof(depth)),
		  pane_delta(v, "deferred.shrinker.calls"), pane_delta(v, "deferred.shrinker.split"),
		  pane_gauge(v, SHRINKER_QUEUE, queue, sizeof(queue)));
}

static void deferred_expose(json_t *rec, struct expo *x)
{
	static const char *const fates[] = { "split", "freed", "migrated", "dropped", NULL };
	static const char *const reasons[] = { "underused", "partially_mapped", NULL };
	static const struct expo_value values[] = {
		{ "thpscope_deferred_split_queue_depth",
		  "Folios on the deferred-split queue, as thpscope follows them.",
		  "deferred.tracked.depth_end", true },
		{ "thpscope_deferred_split_queue_depth_max",
		  "The deepest the followed deferred-split queue has been.",
		  "deferred.tracked.depth_max", true },
		{ "thpscope_deferred_split_shrinker_queue_length",
		  "The deferred-split queue's length at the shrinker's last count.",
		  "deferred.queue_len.last", true },
		{ "thpscope_deferred_split_shrinker_calls", "Calls of the deferred-split shrinker.",
		  "deferred.shrinker_tp.calls", false },
		{ "thpscope_deferred_split_shrinker_freed",
		  "Objects the deferred-split shrinker reported freed.",
		  "deferred.shrinker_tp.freed", false },
	};
	json_t *v, *h;
	const char *order, *k;

	json_object_foreach(jget(rec, "deferred.by_order"), order, v) {
		expo_counter(x, "thpscope_deferred_split_enqueued",
			     "Large folios put on the deferred-split queue, by folio order.",
			     jget_u64(v, "enqueued"), "order", order, NULL);
		expo_counters_of(x, "thpscope_deferred_split_reasons",
				 "Queued folios found fully mapped but underused, or partially mapped, by folio order.",
				 v, reasons, "reason", "order", order, NULL);
		expo_counters_of(x, "thpscope_deferred_split_fates",
				 "Folios taken off the deferred-split queue, by folio order and what happened to them.",
				 v, fates, "fate", "order", order, NULL);
		expo_counter(x, "thpscope_deferred_split_shrinker_splits",
			     "Queued folios the deferred-split shrinker split, by folio order.",
			     jget_u64(v, "split_by_shrinker"), "order", order, NULL);
		expo_counter(x, "thpscope_deferred_split_untracked",
			     "Enqueued folios not followed: the bounded map of queued folios was full.",
			     jget_u64(v, "untracked"), "order", order, NULL);
	}
	expo_values(x, rec, values, ARRAY_SIZE(values));
	json_object_foreach(jget(rec, "deferred.age"), k, h)
		expo_histogram_ns(x, "thpscope_deferred_split_queued_seconds",
				  "Time folios stayed on the deferred-split queue, from enqueue or from becoming partially mapped.",
				  h, "since", k, NULL);
}

static const struct family_measure deferred_measures[] = {
	{ "deferred.shrinker.", "deferred:mm_shrink_slab" },
	{ "deferred.", "deferred:deferred_split" },
	{ NULL, NULL },
};

static const char *const deferred_gauges[] = { QUEUE_DEPTH, SHRINKER_QUEUE, NULL };

static const char *const deferred_record_keys[] = { "deferred", NULL };

static const char *const deferred_order_paths[] = { "deferred.by_order.#", NULL };

const struct family deferred_family = {
	.name = "deferred",
	.summary = "the deferred-split queue: enqueues, fates, depth, the shrinker",
	.alternatives = split_entry_alternatives,
	.open = deferred_open,
	.load = deferred_load,
	.harvest = deferred_harvest,
	.destroy = deferred_destroy,
	.event_names = deferred_event_names,
	.nevents = DE_NR,
	.decode = deferred_decode,
	.record_keys = deferred_record_keys,
	.order_paths = deferred_order_paths,
	.report = deferred_report,
	.metrics = deferred_metrics,
	.expose = deferred_expose,
	.measures = deferred_measures,
	.timeline_gauges = deferred_gauges,
	.top = deferred_top,
};
