// SPDX-License-Identifier: GPL-2.0
/* The device-migration family: migrate_vma calls per driver and
 * direction, THPs whole or split and why, eviction, the spinning fault,
 * and HMM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "by_cgroup.h"
#include "btf_enum.h"
#include "device.h"
#include "device.skel.h"
#include "cause_table.h"
#include "event_decode.h"
#include "exposition.h"
#include "family.h"
#include "hist_json.h"
#include "json_util.h"
#include "kenv.h"
#include "maps.h"
#include "metrics.h"
#include "pathology.h"
#include "pathology_record.h"
#include "probe.h"
#include "record_num.h"
#include "report_section.h"
#include "table.h"
#include "textbuf.h"
#include "top_pane.h"
#include "util.h"

/* Why mmu notifiers invalidated ranges. */
static const struct enum_spec notify_events = { "mmu_notifier_event", "MMU_NOTIFY_", "event" };

static const char *const directions[DIR_NR] = {
	[DIR_TO_DEVICE] = "to_device",
	[DIR_TO_RAM] = "to_ram",
	[DIR_FAULT] = "fault",
	[DIR_EVICT] = "evict",
};

static const char *direction_name(unsigned int dir)
{
	return dir < DIR_NR ? directions[dir] : "other";
}

static const char *const phases[PHASE_NR] = {
	[PHASE_SETUP] = "setup",
	[PHASE_PAGES] = "pages",
	[PHASE_FINALIZE] = "finalize",
	[PHASE_TOTAL] = "total",
};

static const char *const fallback_names[FB_NR] = {
	[FB_COMPOUND_NOT_REQUESTED] = "compound_not_requested",
	[FB_RANGE_NOT_ALIGNED] = "range_not_aligned",
	[FB_PTE_MAPPED_MTHP] = "pte_mapped_mthp",
	[FB_PTE_MAPPED_THP] = "pte_mapped_thp",
	[FB_COLLECT_FAILED] = "collect_failed",
	[FB_SPLIT_FAILED] = "split_failed",
	[FB_DEVICE_ALLOC] = "base_pages_given",
};

/* Functions of the migration machinery itself, skipped to find the caller. */
static bool machinery(const struct ksym *sym)
{
	static const char *const prefixes[] = {
		"migrate_vma_", "migrate_device_", "__migrate_device_", "hmm_",
	};
	size_t i;

	if (sym->module)
		return !strcmp(sym->module, "bpf");
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(sym->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return !strncmp(sym->name, "bpf_trampoline", 14);
}

struct harvest_ctx {
	struct kenv *env;
	int gone_fd;		/* modules freed while recording, by order */
	__u32 ngone;
	json_t *root;
	json_t *spins;
};

/* The module freed after a call made when MODGEN modules had gone, whose
 * text held IP: the module that made the call, though kallsyms no longer
 * knows it (or knows another module at its address since). */
static bool gone_module_at(const struct harvest_ctx *ctx, __u32 modgen, __u64 ip,
			   char *buf, size_t len)
{
	struct gone_module m;
	__u32 i;

	for (i = modgen; i < ctx->ngone; i++) {
		if (bpf_map_lookup_elem(ctx->gone_fd, &i, &m) || ip < m.base || ip - m.base >= m.size)
			continue;
		snprintf(buf, len, "%.*s", (int)sizeof(m.name), m.name);
		return true;
	}
	return false;
}

/* The driver that called: the module of the first caller frame, or
 * "kernel" for a built-in caller. */
static void driver_of(const struct harvest_ctx *ctx, const struct dev_key *key,
		      char *buf, size_t len)
{
	const __u64 *ips = key->caller;
	int i;

	snprintf(buf, len, "unknown");
	for (i = 0; i < DEV_CALLER_FRAMES && ips[i]; i++) {
		const struct ksym *sym;

		if (gone_module_at(ctx, key->modgen, ips[i], buf, len))
			return;
		sym = kenv_ksym_at(ctx->env, ips[i]);
		if (!sym || machinery(sym))
			continue;
		snprintf(buf, len, "%s", sym->module ? sym->module : "kernel");
		return;
	}
}

static void add_stats(const void *k, const void *v, void *data)
{
	const struct dev_key *key = k;
	const struct dev_stats *st = v;
	struct harvest_ctx *ctx = data;
	char driver[64], path[160];
	json_t *o;
	int p;

	if (key->direction >= DIR_NR)
		return;
	driver_of(ctx, key, driver, sizeof(driver));
	snprintf(path, sizeof(path), "migrate_vma.by_driver.%s.%s", driver,
		 direction_name(key->direction));
	o = jpath(record_part(ctx->root, key->cgroup), path);
	jadd(o, "calls", st->calls);
	jadd(o, "pages", st->pages);
	jadd(o, "collected", st->collected);
	jadd(o, "migrated", st->migrated);
	jadd(o, "thp_whole", st->thp_whole);
	jadd(o, "thp_split", st->thp_split);
	jadd(o, "compound_collected", st->compound_collected);
	jadd(o, "holes_collected", st->holes_collected);
	jadd(o, "holes_filled", st->holes_filled);
	jadd(o, "failed", st->collected > st->migrated ? st->collected - st->migrated : 0);
	for (p = 0; p < PHASE_NR; p++) {
		json_t *h;

		if (!st->latency[p].count)
			continue;
		h = hist_to_json(&st->latency[p], "ns");
		snprintf(path, sizeof(path), "latency.%s", phases[p]);
		hist_json_add(o, path, h);
		json_decref(h);
	}
}

/* A spinning fault, as a pathology (pathology_record.h): COUNT is the
 * longest run of faults with nothing migrated. */
static void add_fault(const void *k, const void *v, void *data)
{
	const struct fault_key *key = k;
	const struct fault_rec *r = v;
	struct harvest_ctx *ctx = data;
	char start[32], end[32];

	if (r->max_stalled < LIVELOCK_MIN_FAULTS)
		return;
	snprintf(start, sizeof(start), "0x%llx", (unsigned long long)key->address);
	snprintf(end, sizeof(end), "0x%llx", (unsigned long long)(key->address + r->size));
	json_array_append_new(ctx->spins, json_pack(
		"{s:s, s:I, s:s%, s:s, s:s, s:I, s:I, s:I, s:{s:I, s:I}}",
		"kind", "spinning_device_fault", "pid", (json_int_t)key->tgid,
		"comm", r->comm, strnlen(r->comm, sizeof(r->comm)), "start", start, "end", end,
		"count", (json_int_t)r->max_stalled, "first_ns", (json_int_t)r->first_ns,
		"last_ns", (json_int_t)r->last_ns, "evidence",
		"faults", (json_int_t)r->count, "stalled", (json_int_t)r->max_stalled));
}

static struct bpf_object *device_open(struct family_run *run, struct kenv *env)
{
	struct device_bpf *skel = device_bpf__open();

	if (!skel)
		return NULL;
	kenv_enum_of(env, &notify_events);	/* read while the BTF is loaded */
	run->skel = skel;
	return skel->obj;
}

static int device_load(struct family_run *run)
{
	return device_bpf__load(run->skel);
}

static bool any_attached(const struct probe_set *probes, const char *const *names)
{
	for (; *names; names++)
		if (probe_attached(probes, *names))
			return true;
	return false;
}

static void device_harvest(struct family_run *run, struct kenv *env,
			   const struct probe_set *probes, json_t *record)
{
	static const char *const vma_probes[] = { "device:migrate_vma_setup",
		"device:migrate_device_range", "device:migrate_device_pfns", NULL };
	static const char *const fault_probes[] = { "device:do_swap_page",
		"device:do_huge_pmd_device_private", NULL };
	struct device_bpf *skel = run->skel;
	struct harvest_ctx ctx = { .env = env, .gone_fd = bpf_map__fd(skel->maps.gone_modules),
				   .ngone = skel->bss->modules_gone,
				   .root = record, .spins = json_array() };
	struct hmm_stats hs;
	__u32 i, zero = 0;
	__u64 n;

	if (any_attached(probes, vma_probes)) {
		json_t *reasons = jpath(record, "migrate_vma.fallback_reasons");

		jpath(record, "migrate_vma.by_driver");
		run_map_foreach(run, skel->maps.dev_stats, sizeof(struct dev_key),
			        sizeof(struct dev_stats), add_stats, &ctx);
		for (i = 0; i < FB_NR; i++)
			if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.fallbacks), &i, &n) && n)
				jadd(reasons, fallback_names[i], n);
	}
	if (any_attached(probes, fault_probes))
		run_map_foreach(run, skel->maps.device_faults, sizeof(struct fault_key),
			        sizeof(struct fault_rec), add_fault, &ctx);
	pathology_add(record, "spinning_device_fault",
		      pathology_detector(probes, fault_probes, false), ctx.spins);
	if (probe_attached(probes, "device:hmm_range_fault") &&
	    !bpf_map_lookup_elem(bpf_map__fd(skel->maps.hmm), &zero, &hs)) {
		json_t *rf = jpath(record, "hmm.range_fault");

		jadd(rf, "calls", hs.calls);
		jadd(rf, "pages", hs.pages);
		jadd(rf, "busy", hs.busy);
		jadd(rf, "errors", hs.errors);
		for (i = 0; i < HMM_ORDERS; i++) {
			char path[32];

			if (!hs.by_order[i])
				continue;
			snprintf(path, sizeof(path), "by_order.%u", i);
			jadd(rf, path, hs.by_order[i]);
		}
	}
	if (probe_attached(probes, "device:__mmu_notifier_invalidate_range_start")) {
		json_t *inv = jpath(record, "hmm.invalidations");

		for (i = 0; i < NOTIFY_EVENTS; i++) {
			char buf[32];

			if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.invalidations), &i, &n) && n)
				jadd(inv, enum_name(kenv_enum_of(env, &notify_events), i, buf,
						      sizeof(buf)), n);
		}
	}
}

static void device_destroy(struct family_run *run)
{
	device_bpf__destroy(run->skel);
	run->skel = NULL;
}

static const char *const device_event_names[DEV_NR] = {
	[DEV_MIGRATE_VMA] = "migrate_vma",
	[DEV_FAULT] = "device_fault",
	[DEV_SPINNING] = "spinning_fault",
};

static void device_decode(const struct thp_event *e, const struct kenv *env, json_t *o)
{
	const struct device_vma_event *v = TRACE_BODY(e, const struct device_vma_event);
	const struct device_fault_event *f = TRACE_BODY(e, const struct device_fault_event);

	switch (e->kind) {
	case DEV_MIGRATE_VMA:
		event_set_str(o, "direction", direction_name(v->direction));
		event_set_hex(o, "start", v->start);
		event_set_int(o, "pages", v->pages);
		event_set_int(o, "collected", v->collected);
		event_set_int(o, "migrated", v->migrated);
		event_set_int(o, "thp_whole", v->thp_whole);
		event_set_int(o, "thp_split", v->thp_split);
		event_set_int(o, "ns", v->ns);
		break;
	case DEV_FAULT:
		event_set_int(o, "order", f->order);
		event_set_hex(o, "address", f->address);
		event_set_int(o, "faults_here", f->faults_here);
		event_set_int(o, "migrated", f->migrated);
		event_set_int(o, "stalled", f->stalled);
		break;
	case DEV_SPINNING:
		pathology_event_decode(TRACE_BODY(e, const struct pathology_event_body), o);
		break;
	}
}

/* What the family shows of a record. */

static void device_report(FILE *out, json_t *rec)
{
	static const double p50_p99[] = { 0.5, 0.99 };
	static const char *const vma_probes[] = { "device:migrate_vma_setup",
		"device:migrate_vma_pages", "device:migrate_vma_finalize", NULL };
	static const char *const hmm_probes[] = { "device:hmm_range_fault",
		"device:__mmu_notifier_invalidate_range_start", NULL };
	json_t *mv = json_object_get(rec, "migrate_vma"), *by = json_object_get(mv, "by_driver");
	json_t *hmm = json_object_get(rec, "hmm"), *drv, *dir, *l;
	struct table *t = table_new("DRIVER\tDIRECTION\tCALLS\tPAGES\tMIGRATED\tTHP_WHOLE"
				    "\tTHP_SPLIT\tHOLES_FILLED\tFAILED\tP50\tP99");
	struct textbuf buf = TEXTBUF_INIT, kv = TEXTBUF_INIT, q = TEXTBUF_INIT;
	const char *dname, *dirname;
	size_t i;

	json_object_foreach(by, dname, drv) {
		json_object_foreach(drv, dirname, dir) {
			json_t *h = jget(dir, "latency.total");

			table_add(t, "%s\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%s", dname,
				  dirname, (unsigned long long)jget_u64(dir, "calls"),
				  (unsigned long long)jget_u64(dir, "pages"),
				  (unsigned long long)jget_u64(dir, "migrated"),
				  (unsigned long long)jget_u64(dir, "thp_whole"),
				  (unsigned long long)jget_u64(dir, "thp_split"),
				  (unsigned long long)jget_u64(dir, "holes_filled"),
				  (unsigned long long)jget_u64(dir, "failed"),
				  quantiles_of(&q, h, "\t", p50_p99, ARRAY_SIZE(p50_p99)));
		}
	}
	probes_via(&buf, rec, vma_probes);
	if (!table_rows(t))
		fprintf(out, "\nDevice migration: %s  [%s]\n", mv ? "none" : "not measured",
			textbuf_str(&buf));
	table_print(t, out, "Device migration (migrate_vma) per driver and direction",
		    textbuf_str(&buf));
	table_free(t);
	if (json_object_size(json_object_get(mv, "fallback_reasons")))
		fprintf(out, "  THPs not moved whole, by reason: %s\n",
			kv_list(&kv, json_object_get(mv, "fallback_reasons")));
	/* Records from before the pathologies kept spinning faults here. */
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
			probes_via(&buf, rec, hmm_probes));
	}
	textbuf_free(&buf);
	textbuf_free(&kv);
	textbuf_free(&q);
}

/* THPs device migration split, each of a PMD's pages. */
static void device_fallbacks(json_t *rec, struct fallbacks *rows)
{
	const char *k;
	json_t *v;

	json_object_foreach(jget(rec, "migrate_vma.fallback_reasons"), k, v) {
		char what[96];

		snprintf(what, sizeof(what), "device migration: THP split (%s)", k);
		fallbacks_add(rows, what, "migrate_vma", json_integer_value(v),
			      record_thp_pages(rec, json_integer_value(v)));
	}
}

static void device_metrics(json_t *rec, struct metrics *m)
{
	json_t *drv, *dir, *n;
	const char *dname, *dirname, *reason;
	double whole = 0, split = 0, calls = 0, failed = 0;

	json_object_foreach(jget(rec, "migrate_vma.by_driver"), dname, drv)
		json_object_foreach(drv, dirname, dir) {
			calls += jget_u64(dir, "calls");
			whole += jget_u64(dir, "thp_whole");
			split += jget_u64(dir, "thp_split");
			failed += jget_u64(dir, "failed");
		}
	if (!jget(rec, "migrate_vma"))
		return;
	metric_add(m, MK_COUNTER, BAD_NEITHER, calls, "migrate_vma.calls");
	metric_add(m, MK_COUNTER, BAD_UP, failed, "migrate_vma.failed");
	metric_add(m, MK_COUNTER, BAD_DOWN, whole, "migrate_vma.thp_whole");
	metric_add(m, MK_COUNTER, BAD_UP, split, "migrate_vma.thp_split");
	metric_add_timeline(m, MK_COUNTER, whole, "migrate_vma.whole");
	metric_add_timeline(m, MK_COUNTER, split, "migrate_vma.split");
	json_object_foreach(jget(rec, "migrate_vma.fallback_reasons"), reason, n)
		metric_add(m, MK_COUNTER, BAD_UP, json_integer_value(n), "migrate_vma.fallback.%s",
		    reason);
}

static void device_top(struct top_pane *v)
{
	struct textbuf top = TEXTBUF_INIT;

	if (!pane_has(v, "migrate_vma.calls"))
		return;
	pane_heading(v, "DEVICE MIGRATION  calls  THP whole  THP split  why split");
	pane_line(v, "  %22.0f %10.0f %10.0f  %s", pane_delta(v, "migrate_vma.calls"),
		  pane_delta(v, "migrate_vma.thp_whole"), pane_delta(v, "migrate_vma.thp_split"),
		  pane_top_children(v, "migrate_vma.fallback.", &top));
	textbuf_free(&top);
}

static void device_expose(json_t *rec, struct expo *x)
{
	static const char *const page_states[] = { "pages", "collected", "migrated",
		"compound_collected", "holes_collected", "holes_filled", NULL };
	static const char thps_help[] =
		"Large folios device migration moved whole or had to split, by driver and direction.";
	static const struct expo_value values[] = {
		{ "thpscope_hmm_range_fault_calls", "Calls of hmm_range_fault.",
		  "hmm.range_fault.calls", false },
		{ "thpscope_hmm_range_fault_busy",
		  "hmm_range_fault calls that returned -EBUSY (to be retried).",
		  "hmm.range_fault.busy", false },
		{ "thpscope_hmm_range_fault_errors", "hmm_range_fault calls that failed otherwise.",
		  "hmm.range_fault.errors", false },
	};
	json_t *drv, *dir, *lat;
	const char *dname, *dirname, *k;

	json_object_foreach(jget(rec, "migrate_vma.by_driver"), dname, drv)
		json_object_foreach(drv, dirname, dir) {
			expo_counter(x, "thpscope_migrate_vma_calls",
				     "Device migrations (migrate_vma and migrate_device), by driver and direction.",
				     jget_u64(dir, "calls"), "driver", dname, "direction", dirname,
				     NULL);
			expo_counters_of(x, "thpscope_migrate_vma_pages",
					 "Pages of migrate_vma calls, by driver, direction and state: asked for (pages), collected, migrated; compound_collected counts large folios collected whole.",
					 dir, page_states, "state", "driver", dname,
					 "direction", dirname, NULL);
			expo_counter(x, "thpscope_migrate_vma_thps", thps_help,
				     jget_u64(dir, "thp_whole"), "driver", dname, "direction", dirname,
				     "outcome", "whole", NULL);
			expo_counter(x, "thpscope_migrate_vma_thps", thps_help,
				     jget_u64(dir, "thp_split"), "driver", dname, "direction", dirname,
				     "outcome", "split", NULL);
			json_object_foreach(json_object_get(dir, "latency"), k, lat)
				expo_histogram_ns(x, "thpscope_migrate_vma_duration_seconds",
						  "Time in each phase of a device migration, by driver and direction.",
						  lat, "driver", dname, "direction", dirname, "phase", k,
						  NULL);
		}
	expo_counters_of(x, "thpscope_migrate_vma_fallbacks",
			 "Large folios device migration could not move whole, by reason.",
			 jget(rec, "migrate_vma.fallback_reasons"), NULL, "reason", NULL);
	expo_values(x, rec, values, ARRAY_SIZE(values));
	expo_counters_of(x, "thpscope_hmm_range_fault_pages",
			 "Pages hmm_range_fault returned, by the order they were mapped at.",
			 jget(rec, "hmm.range_fault.by_order"), NULL, "order", NULL);
	expo_counters_of(x, "thpscope_mmu_notifier_invalidations",
			 "mmu-notifier range invalidations, by event.",
			 jget(rec, "hmm.invalidations"), NULL, "event", NULL);
}

static const struct family_measure device_measures[] = {
	{ "migrate_vma.", "device:migrate_vma_setup" },
	{ NULL, NULL },
};

static const char *const device_record_keys[] = { "migrate_vma", "hmm", NULL };

static const char *const device_order_paths[] = { "hmm.range_fault.by_order.#", NULL };

const struct family device_family = {
	.name = "device",
	.summary = "device migration (migrate_vma) per driver, HMM faults",
	.alternatives = split_entry_alternatives,
	.open = device_open,
	.load = device_load,
	.harvest = device_harvest,
	.destroy = device_destroy,
	.event_names = device_event_names,
	.nevents = DEV_NR,
	.decode = device_decode,
	.record_keys = device_record_keys,
	.order_paths = device_order_paths,
	.report = device_report,
	.fallbacks = device_fallbacks,
	.metrics = device_metrics,
	.expose = device_expose,
	.measures = device_measures,
	.top = device_top,
};
