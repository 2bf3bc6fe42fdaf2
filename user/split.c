// SPDX-License-Identifier: GPL-2.0
/* The split family: large-folio splits per order, with their cause,
 * target order, result and latency; PMD-mapping splits per cause. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "by_cgroup.h"
#include "cause_context.h"
#include "cause_table.h"
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
#include "proc_slot.h"
#include "record_num.h"
#include "report_section.h"
#include "split.h"
#include "split.skel.h"
#include "table.h"
#include "textbuf.h"
#include "top_pane.h"
#include "util.h"

static const char *const kind_names[KIND_NR] = {
	[KIND_ANON] = "anon",
	[KIND_SHMEM] = "shmem",
	[KIND_FILE] = "file",
};

static const char *kind_name(unsigned int kind)
{
	return kind < KIND_NR ? kind_names[kind] : "other";
}

/* errno names for the results of failed splits. */
static const char *errno_name(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EBUSY, "EBUSY" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { ENOTSUP, "EOPNOTSUPP" }, { EIO, "EIO" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, len, "E%d", err);
	return buf;
}

static void add_split(const void *k, const void *v, void *data)
{
	const struct split_key *key = k;
	__u64 n = *(const __u64 *)v;
	json_t *o = jpath(record_part(data, key->cgroup), "split.by_order");
	char base[32], path[96], buf[16];

	snprintf(base, sizeof(base), "%u", key->old_order);
	o = jpath(o, base);
	if (key->entry == ENTRY_UNMAPPED) {
		jadd(o, "uncounted", n);
	} else if (key->result == 0) {
		jadd(o, "ok", n);
	} else {
		jadd(o, "failed", n);
		snprintf(path, sizeof(path), "errors.%s", errno_name(-key->result, buf, sizeof(buf)));
		jadd(o, path, n);
	}
	snprintf(path, sizeof(path), "cause.%s", cause_name(key->cause));
	jadd(o, path, n);
	snprintf(path, sizeof(path), "kind.%s", kind_name(key->kind));
	jadd(o, path, n);
	if (key->result == 0) {
		snprintf(path, sizeof(path), "to.%u", key->new_order);
		jadd(o, path, n);
		if (!key->uniform)
			jadd(o, "non_uniform", n);
	}
}

static void add_latency(__u32 order, const struct hist *lat, json_t *record)
{
	char path[32];
	json_t *h;

	if (!lat->count)
		return;		/* an order never split */
	h = hist_to_json(lat, "ns");
	snprintf(path, sizeof(path), "split.latency.%u", order);
	hist_json_add(record, path, h);
	json_decref(h);
}

/* The split counts of the split_slots array, as add_split() takes them. */
static void add_slots(const struct split_slot *slots, __u32 n, json_t *record)
{
	struct split_key key;
	__u32 i;

	for (i = 0; i < n; i++) {
		if (!slots[i].tag || !slots[i].n)
			continue;	/* free, or claimed and not yet counted */
		key = split_tag_key(slots[i].tag);
		add_split(&key, &slots[i].n, record);
	}
}

/* One entry per process whose split has ended. */
static void add_procs(const struct split_proc *procs, __u32 n, json_t *out)
{
	const struct split_proc *p;
	__u32 i;

	for (i = 0; i < n; i++) {
		p = &procs[i];
		if (!p->tag || (!p->splits && !p->failed))
			continue;	/* free, or claimed and not yet counted */
		json_array_append_new(out, json_pack("{s:I, s:s%, s:I, s:I}",
			"pid", (json_int_t)proc_slot_tag_tgid(p->tag),
			"comm", p->comm, strnlen(p->comm, sizeof(p->comm)),
			"splits", (json_int_t)p->splits, "failed", (json_int_t)p->failed));
	}
}

/* What the family keeps between its hooks: the cause ranges and the
 * context probes drawn from them. */
struct split_data {
	struct cause_setup *causes;
	struct cause_context *context;
	const struct split_proc *procs;	/* split_procs, mapped */
	__u32 nprocs;
	const struct split_slot *slots;	/* split_slots, mapped */
	__u32 nslots;
	const struct hist *latency;	/* split_latency, mapped */
};

static size_t procs_len(const struct split_data *d)
{
	return d->nprocs * sizeof(struct split_proc);
}

static size_t slots_len(const struct split_data *d)
{
	return d->nslots * sizeof(struct split_slot);
}

#define LATENCY_LEN (SPLIT_MAX_ORDER * sizeof(struct hist))

static void split_data_free(struct split_data *d)
{
	if (!d)
		return;
	cause_context_free(d->context);
	map_unview(d->procs, procs_len(d));
	map_unview(d->slots, slots_len(d));
	map_unview(d->latency, LATENCY_LEN);
	free(d->causes);
	free(d);
}

static struct bpf_object *split_open(struct family_run *run, struct kenv *env)
{
	struct split_data *d = calloc(1, sizeof(*d));
	struct split_bpf *skel;

	if (!d || !(d->causes = causes_setup(env)) ||
	    !(d->context = cause_context_plan(env, d->causes))) {
		split_data_free(d);
		return NULL;
	}
	skel = split_bpf__open();
	if (!skel) {
		split_data_free(d);
		return NULL;
	}
	skel->rodata->nr_cause_ranges = d->causes->n > 0 ? d->causes->n : 0;
	skel->rodata->split_type_enum =
		btf__find_by_name_kind(kenv_btf(env), "split_type", BTF_KIND_ENUM) > 0;
	run->skel = skel;
	run->data = d;
	return skel->obj;
}

static int split_load(struct family_run *run)
{
	struct split_bpf *skel = run->skel;
	struct split_data *d = run->data;
	int err;

	d->nprocs = proc_slots_size(skel->maps.split_procs, skel->maps.split_counts);
	d->nslots = proc_slots_size(skel->maps.split_slots, skel->maps.split_counts);
	if (!d->nprocs || !d->nslots)
		return -errno;
	cause_context_choose(d->context, skel->obj, &(struct cause_templates){
		.menter = skel->progs.cause_enter_multi, .mexit = skel->progs.cause_exit_multi,
		.enter = skel->progs.cause_enter, .exit = skel->progs.cause_exit,
		.kenter = skel->progs.cause_enter_kprobe, .kexit = skel->progs.cause_exit_kprobe });
	err = split_bpf__load(skel) ?:
	      causes_fill(bpf_map__fd(skel->maps.cause_ranges), d->causes);
	if (err)
		return err;
	d->procs = map_view(bpf_map__fd(skel->maps.split_procs), procs_len(d));
	d->slots = map_view(bpf_map__fd(skel->maps.split_slots), slots_len(d));
	d->latency = map_view(bpf_map__fd(skel->maps.split_latency), LATENCY_LEN);
	if (!d->procs || !d->slots || !d->latency)
		return -errno;
	cause_context_hook(d->context, d->causes, skel->data->cause_floor);
	return 0;
}

static void split_harvest(struct family_run *run, struct kenv *env,
			  const struct probe_set *probes, json_t *record)
{
	struct split_bpf *skel = run->skel;
	struct split_data *d = run->data;
	json_t *split = jpath(record, "split"), *procs = json_array();
	json_t *causes = causes_json(d->causes);
	__u64 n;
	__u32 c;

	json_object_set_new(causes, "context", cause_context_json(d->context, d->causes,
				bpf_map__fd(skel->maps.cause_decided)));
	json_object_set_new(split, "causes", causes);
	add_slots(d->slots, d->nslots, record);
	run_map_foreach(run, skel->maps.split_counts, sizeof(struct split_key),
			sizeof(__u64), add_split, record);
	for (c = 0; c < SPLIT_MAX_ORDER; c++)
		add_latency(c, &d->latency[c], record);
	add_procs(d->procs, d->nprocs, procs);
	json_array_top(procs, "splits", TOP_ENTRIES);
	json_object_set_new(split, "processes", procs);
	if (probe_attached(probes, "split:__split_huge_pmd") ||
	    probe_attached(probes, "split:split_huge_pmd_locked")) {
		json_t *pmd = jpath(split, "pmd");

		jadd(pmd, "total", 0);
		for (c = 0; c < CAUSE_NR; c++) {
			char path[64];

			if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.pmd_splits), &c, &n) || !n)
				continue;
			snprintf(path, sizeof(path), "cause.%s", cause_name(c));
			jadd(pmd, path, n);
			jadd(pmd, "total", n);
		}
	}
	json_object_set_new(split, "other_stacks",
			    causes_other_stacks(env, bpf_map__fd(skel->maps.other_counts),
						bpf_map__fd(skel->maps.other_stacks)));
}

static void split_destroy(struct family_run *run)
{
	/* The context probes first: their clones use the object's maps. */
	split_data_free(run->data);
	split_bpf__destroy(run->skel);
	run->skel = NULL;
	run->data = NULL;
}

static const char *const split_event_names[SE_NR] = {
	[SE_FOLIO_SPLIT] = "folio_split",
	[SE_PMD_SPLIT] = "pmd_split",
};

static void split_decode(const struct thp_event *e, const struct kenv *env, json_t *o)
{
	const struct split_folio_event *f = TRACE_BODY(e, const struct split_folio_event);
	const struct split_pmd_event *p = TRACE_BODY(e, const struct split_pmd_event);

	switch (e->kind) {
	case SE_FOLIO_SPLIT:
		event_set_int(o, "order", f->order);
		event_set_int(o, "new_order", f->new_order);
		event_set_str(o, "cause", cause_name(f->cause));
		event_set_str(o, "kind", kind_name(f->kind));
		event_set_bool(o, "uniform", f->uniform);
		event_set_bool(o, "counted", f->entry == ENTRY_COUNTED);
		event_set_int(o, "ret", f->ret);
		event_set_hex(o, "folio", f->folio);
		event_set_int(o, "ns", f->ns);
		break;
	case SE_PMD_SPLIT:
		event_set_str(o, "cause", cause_name(p->cause));
		event_set_hex(o, "address", p->address);
		break;
	}
}

/* What the family shows of a record. */

static void split_report(FILE *out, json_t *rec)
{
	static const double p50_p99[] = { 0.5, 0.99 };
	static const char *const folio_probes[] = { "split:__folio_split",
		"split:split_huge_page_to_list_to_order", "split:split_huge_page_to_list",
		"split:folio_split_unmapped", NULL };
	static const char *const pmd_probes[] = { "split:__split_huge_pmd",
		"split:split_huge_pmd_locked", NULL };
	json_t *split = json_object_get(rec, "split"), *by = json_object_get(split, "by_order");
	json_t *pmd = json_object_get(split, "pmd"), *p, *causes = json_object_get(split, "causes");
	struct table *t = table_new("ORDER\tOK\tFAILED\tUNCOUNTED\tTO\tCAUSES\tERRORS\tP50\tP99");
	struct textbuf buf = TEXTBUF_INIT, to = TEXTBUF_INIT, cause = TEXTBUF_INIT;
	struct textbuf errs = TEXTBUF_INIT, q = TEXTBUF_INIT;
	const char *keys[MAX_KEYS];
	size_t n = sorted_keys(by, keys), i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object_get(by, keys[i]);
		json_t *h = json_object_get(json_object_get(split, "latency"), keys[i]);

		table_add(t, "%s\t%llu\t%llu\t%llu\t%s\t%s\t%s\t%s", keys[i],
			  (unsigned long long)jget_u64(o, "ok"), (unsigned long long)jget_u64(o, "failed"),
			  (unsigned long long)jget_u64(o, "uncounted"),
			  kv_list(&to, json_object_get(o, "to")),
			  kv_list(&cause, json_object_get(o, "cause")),
			  kv_list(&errs, json_object_get(o, "errors")),
			  quantiles_of(&q, h, "\t", p50_p99, ARRAY_SIZE(p50_p99)));
	}
	probes_via(&buf, rec, folio_probes);
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

	probes_via(&buf, rec, pmd_probes);
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
	textbuf_free(&q);

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

/* Failed splits, each of the pages of its folio. */
static void split_fallbacks(json_t *rec, struct fallbacks *rows)
{
	const char *k;
	json_t *o;

	json_object_foreach(jget(rec, "split.by_order"), k, o) {
		char what[96];

		snprintf(what, sizeof(what), "order-%s split failed", k);
		fallbacks_add(rows, what, "split probes", jget_u64(o, "failed"),
			      jget_u64(o, "failed") << record_order(k));
	}
}

/* Split causes that mean a large folio could not be kept. */
static bool fallback_cause(const char *cause)
{
	return !strcmp(cause, cause_name(CAUSE_MIGRATION)) ||
	       !strcmp(cause, cause_name(CAUSE_DEVICE_MIGRATION));
}

static void split_metrics(json_t *rec, struct metrics *m)
{
	json_t *v, *n, *lat;
	const char *order, *k;
	double ok_all = 0, failed_all = 0;
	bool any = false;

	json_object_foreach(jget(rec, "split.by_order"), order, v) {
		double ok = jget_u64(v, "ok"), failed = jget_u64(v, "failed");

		metric_add(m, MK_COUNTER, BAD_NEITHER, ok, "split.order%s.ok", order);
		metric_add(m, MK_COUNTER, BAD_UP, failed, "split.order%s.failed", order);
		json_object_foreach(jget(v, "cause"), k, n)
			metric_add(m, MK_COUNTER, fallback_cause(k) ? BAD_UP : BAD_NEITHER,
			    json_integer_value(n), "split.order%s.cause.%s", order, k);
		ok_all += ok;
		failed_all += failed;
		any = true;
	}
	if (any) {
		metric_add_timeline(m, MK_COUNTER, ok_all, "split.ok");
		metric_add_timeline(m, MK_COUNTER, failed_all, "split.failed");
	}
	if (jget(rec, "split.pmd.total"))
		metric_add_timeline(m, MK_COUNTER, jget_u64(rec, "split.pmd.total"), "split.pmd");
	json_object_foreach(jget(rec, "split.latency"), order, lat) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "split.order%s.latency", order);
		metric_add_latency(m, lat, prefix);
	}
}

static void split_top(struct top_pane *v)
{
	static const char *const cols[] = { "ok", "failed" };
	size_t n;

	pane_heading(v, "SPLITS           ok  failed      total  causes");
	n = pane_order_rows(v, &(struct order_rows){ "split", cols, 2, 7, 0, "cause" });
	if (pane_has(v, "split.pmd"))
		pane_line(v, "  PMD mappings %5.0f %15.0f", pane_delta(v, "split.pmd"),
		     pane_now(v, "split.pmd"));
	if (!n && !pane_has(v, "split.pmd"))
		pane_line(v, "  per order: not measured here; kernel: thp_split_page %.0f, "
		     "thp_split_pmd %.0f", pane_delta(v, "vmstat.thp_split_page"),
		     pane_delta(v, "vmstat.thp_split_pmd"));
}

static void split_html(FILE *f, json_t *rec)
{
	json_t *by_order = jget(rec, "split.by_order"), *pmd = jget(rec, "split.pmd.cause");
	json_t *rows = by_order ? json_deep_copy(by_order) : json_object();

	fputs("<h2>Splits</h2>\n", f);

	if (pmd) {
		json_t *o = json_object();

		json_object_set(o, "cause", pmd);
		json_object_set_new(rows, "PMD", o);
	}
	html_stacked(f, rows, "cause", NULL, "Splits per order, by cause",
		     "Bars per folio order (and for PMD mappings), split into segments by the "
		     "cause found on the kernel stack.",
		     jget(rec, "split") && json_object_size(jget(rec, "split.by_order")) ?
		     "Splits: none recorded." :
		     "Splits by cause: not measured (the split probes did not attach on this kernel).");
	json_decref(rows);
	html_latency_charts(f, rec, "split.latency", "Split");
}

/* The kernel's split key holds order, new order, cause and result
 * together; the record keeps each against the order, so each is its own
 * metric, and every one sums to the same splits. */
static void split_expose(json_t *rec, struct expo *x)
{
	static const char folios_help[] =
		"Large-folio splits the kernel counts, by folio order and result: ok or the error.";
	static const char *const ok[] = { "ok", NULL };
	json_t *v, *lat;
	const char *order;

	json_object_foreach(jget(rec, "split.by_order"), order, v) {
		/* "ok" beside the errors: one label for every result. */
		expo_counters_of(x, "thpscope_split_folios", folios_help, v, ok, "result",
				 "order", order, NULL);
		expo_counters_of(x, "thpscope_split_folios", folios_help,
				 json_object_get(v, "errors"), NULL, "result", "order", order, NULL);
		if (json_object_get(v, "uncounted"))
			expo_counter(x, "thpscope_split_unmapped_folios",
				     "Splits of unmapped (device) large folios, which no kernel counter sees, by folio order.",
				     jget_u64(v, "uncounted"), "order", order, NULL);
		expo_counters_of(x, "thpscope_split_causes",
				 "Large-folio splits, by folio order and what caused them.",
				 json_object_get(v, "cause"), NULL, "cause", "order", order, NULL);
		expo_counters_of(x, "thpscope_split_new_orders",
				 "Large-folio splits, by folio order and the order split to.",
				 json_object_get(v, "to"), NULL, "new_order", "order", order, NULL);
		expo_counters_of(x, "thpscope_split_kinds",
				 "Large-folio splits, by folio order and kind of memory.",
				 json_object_get(v, "kind"), NULL, "kind", "order", order, NULL);
	}
	json_object_foreach(jget(rec, "split.latency"), order, lat)
		expo_histogram_ns(x, "thpscope_split_duration_seconds",
				  "Time to split a large folio, by folio order.", lat,
				  "order", order, NULL);
	expo_counters_of(x, "thpscope_split_pmd", "PMD mappings split into PTE mappings, by cause.",
			 jget(rec, "split.pmd.cause"), NULL, "cause", NULL);
}

static const struct family_measure split_measures[] = {
	{ "split.pmd", "split:__split_huge_pmd" },
	{ "split.", "split:" },
	{ NULL, NULL },
};

static const struct family_process_column split_processes = {
	.path = "split.processes",
	.field = "splits",
	.heading = "splits",
};

static const char *const split_record_keys[] = { "split", NULL };

static const char *const split_order_paths[] = {
	"split.by_order.#", "split.by_order.#.to.#", "split.latency.#", NULL
};

const struct family split_family = {
	.name = "split",
	.summary = "large-folio and PMD-mapping splits per order and cause",
	.alternatives = split_entry_alternatives,
	.open = split_open,
	.load = split_load,
	.harvest = split_harvest,
	.destroy = split_destroy,
	.event_names = split_event_names,
	.nevents = SE_NR,
	.decode = split_decode,
	.record_keys = split_record_keys,
	.order_paths = split_order_paths,
	.report = split_report,
	.fallbacks = split_fallbacks,
	.metrics = split_metrics,
	.measures = split_measures,
	.top = split_top,
	.process_column = &split_processes,
	.html = split_html,
	.expose = split_expose,
};
