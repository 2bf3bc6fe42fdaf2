// SPDX-License-Identifier: GPL-2.0
/* The migration family: mm_migrate_pages outcomes per reason, mode and
 * migrating task, start-to-end latency per reason, and migration entries
 * per order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "by_cgroup.h"
#include "btf_enum.h"
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
#include "migrate.h"
#include "migrate.skel.h"
#include "probe.h"
#include "record_num.h"
#include "report_section.h"
#include "table.h"
#include "textbuf.h"
#include "top_pane.h"
#include "util.h"


/* What the kernel's BTF says, taken at open while it is loaded. */
/* Why pages were migrated, and how. */
static const struct enum_spec reasons = { "migrate_reason", "MR_", "reason" };
static const struct enum_spec modes = { "migrate_mode", "MIGRATE_", "mode" };

struct migrate_data {
	bool has_large_folio_split;
	struct migrate_procs_hot hot;		/* migrate_procs_hot, read at each harvest */
	const struct migrate_proc *procs;	/* migrate_procs, mapped once at load */
	__u32 nprocs;
};

struct harvest_ctx {
	json_t *record;
	json_t *migration;
	json_t *procs;
	const struct enum_names *reasons;
	const struct enum_names *modes;
	bool has_large_folio_split;
};

/* The per-call fields of mm_migrate_pages, in struct migrate_val order. */
static const char *const fields[] = {
	"calls", "succeeded", "failed", "thp_succeeded", "thp_failed",
	"thp_split", "large_folio_split",
};

static size_t nfields(const struct harvest_ctx *ctx)
{
	return ARRAY_SIZE(fields) - !ctx->has_large_folio_split;
}

static void add_fields(const struct harvest_ctx *ctx, json_t *obj,
		       const struct migrate_val *v)
{
	const __u64 *w = &v->calls;
	size_t i;

	for (i = 0; i < nfields(ctx); i++)
		jadd(obj, fields[i], w[i]);
}

static void add_call(const void *k, const void *v, void *data)
{
	const struct migrate_key *key = k;
	const struct migrate_val *val = v;
	struct harvest_ctx *ctx = data;
	char buf[32], path[96];
	const char *reason = enum_name(ctx->reasons, key->reason, buf, sizeof(buf));
	json_t *proc;

	json_t *migration = key->cgroup ?
		jpath(record_part(ctx->record, key->cgroup), "migration") : ctx->migration;

	snprintf(path, sizeof(path), "by_reason.%s", reason);
	add_fields(ctx, jpath(migration, path), val);
	snprintf(path, sizeof(path), "by_mode.%s",
		 enum_name(ctx->modes, key->mode, buf, sizeof(buf)));
	add_fields(ctx, jpath(migration, path), val);

	proc = json_pack("{s:I, s:s%, s:s, s:s}", "pid", (json_int_t)key->tgid,
			 "comm", val->comm, strnlen(val->comm, sizeof(val->comm)),
			 "reason", reason, "mode",
			 enum_name(ctx->modes, key->mode, buf, sizeof(buf)));
	add_fields(ctx, proc, val);
	json_array_append_new(ctx->procs, proc);
}

/* The calls of N slots of a per-process table, as add_call() takes them. */
static void add_procs(const struct migrate_proc *procs, __u32 n, struct harvest_ctx *ctx)
{
	struct migrate_key key;
	__u32 i;

	for (i = 0; i < n; i++) {
		/* Claimed an instant before its first call is counted. */
		if (!procs[i].tag || !procs[i].val.calls)
			continue;
		key = migrate_proc_key(procs[i].tag);
		add_call(&key, &procs[i].val, ctx);
	}
}

static void add_latency(const void *k, const void *v, void *data)
{
	struct harvest_ctx *ctx = data;
	json_t *h;
	char buf[32], path[96];

	if (!((const struct hist *)v)->count)
		return;		/* a reason that never came */
	h = hist_to_json(v, "ns");
	snprintf(path, sizeof(path), "latency.%s",
		 enum_name(ctx->reasons, *(const __s32 *)k, buf, sizeof(buf)));
	hist_json_add(ctx->migration, path, h);
	json_decref(h);
}

static void add_entries(json_t *obj, const char *path, const uint64_t *e)
{
	char p[96];

	snprintf(p, sizeof(p), "%s.set", path);
	jadd(obj, p, e[0]);
	snprintf(p, sizeof(p), "%s.remove", path);
	jadd(obj, p, e[1]);
}

static struct bpf_object *migrate_open(struct family_run *run, struct kenv *env)
{
	struct migrate_data *md = calloc(1, sizeof(*md));
	struct migrate_bpf *skel = md ? migrate_bpf__open() : NULL;

	if (!skel) {
		free(md);
		return NULL;
	}
	md->has_large_folio_split = kenv_has_member(env, "trace_event_raw_mm_migrate_pages",
						    "large_folio_split");
	/* Read while the BTF is loaded. */
	kenv_enum_of(env, &reasons);
	kenv_enum_of(env, &modes);
	run->data = md;
	run->skel = skel;
	return skel->obj;
}

static size_t procs_len(const struct migrate_data *md)
{
	return md->nprocs * sizeof(struct migrate_proc);
}

static int migrate_load(struct family_run *run)
{
	struct migrate_bpf *skel = run->skel;
	struct migrate_data *md = run->data;
	int err;

	md->nprocs = proc_slots_size(skel->maps.migrate_procs, skel->maps.migrate_calls);
	if (!md->nprocs)
		return -errno;
	err = migrate_bpf__load(skel);
	if (err)
		return err;
	md->procs = map_view(bpf_map__fd(skel->maps.migrate_procs), procs_len(md));
	return md->procs ? 0 : -errno;
}

static void migrate_harvest(struct family_run *run, struct kenv *env,
			    const struct probe_set *probes, json_t *record)
{
	struct migrate_bpf *skel = run->skel;
	struct migrate_data *md = run->data;
	struct harvest_ctx ctx = {
		.record = record,
		.migration = jpath(record, "migration"),
		.procs = json_array(),
		.reasons = kenv_enum_of(env, &reasons),
		.modes = kenv_enum_of(env, &modes),
		.has_large_folio_split = md->has_large_folio_split,
	};
	uint64_t e[2], by_order[MIGRATE_MAX_ORDER][2];
	char path[32];
	__u32 order, zero = 0;

	/* A key is in one tier only (proc_slot_lookup_tiered()). */
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.migrate_procs_hot), &zero, &md->hot))
		add_procs(md->hot.slot, MIGRATE_HOT_SLOTS, &ctx);
	add_procs(md->procs, md->nprocs, &ctx);
	run_map_foreach(run, skel->maps.migrate_calls, sizeof(struct migrate_key),
			sizeof(struct migrate_val), add_call, &ctx);
	run_map_foreach(run, skel->maps.migrate_latency, sizeof(__u32),
			sizeof(struct hist), add_latency, &ctx);
	json_array_top(ctx.procs, "calls", TOP_ENTRIES);
	json_object_set_new(ctx.migration, "processes", ctx.procs);

	if (!map_sum_percpu_each(bpf_map__fd(skel->maps.pte_entries), MIGRATE_MAX_ORDER, 2,
				 by_order[0]))
		for (order = 0; order < MIGRATE_MAX_ORDER; order++) {
			if (!by_order[order][0] && !by_order[order][1])
				continue;
			snprintf(path, sizeof(path), "pte_by_order.%u", order);
			add_entries(ctx.migration, path, by_order[order]);
		}
	if (probe_attached(probes, "migrate:set_migration_pmd") &&
	    !map_sum_percpu(bpf_map__fd(skel->maps.pmd_entries), 0, 2, e))
		add_entries(ctx.migration, "pmd", e);
}

static void migrate_destroy(struct family_run *run)
{
	struct migrate_data *md = run->data;

	if (md)
		map_unview(md->procs, procs_len(md));
	migrate_bpf__destroy(run->skel);
	free(run->data);
	run->skel = NULL;
	run->data = NULL;
}

static const char *const migrate_event_names[ME_NR] = {
	[ME_MIGRATE_PAGES] = "migrate_pages",
};

static void migrate_decode(const struct thp_event *e, const struct kenv *env, json_t *o)
{
	const struct migrate_event_body *b = TRACE_BODY(e, const struct migrate_event_body);

	event_set_enum(o, "reason", kenv_enum_of(env, &reasons), b->reason);
	event_set_enum(o, "mode", kenv_enum_of(env, &modes), b->mode);
	event_set_int(o, "succeeded", b->succeeded);
	event_set_int(o, "failed", b->failed);
	event_set_int(o, "thp_succeeded", b->thp_succeeded);
	event_set_int(o, "thp_failed", b->thp_failed);
	event_set_int(o, "thp_split", b->thp_split);
	event_set_int(o, "large_folio_split", b->large_folio_split);
}

/* What the family shows of a record. */

static void migrate_report(FILE *out, json_t *rec)
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
			fprintf(out, "\nMigration: none  [%s]\n", probes_via(&buf, rec, mig_probes));
		table_print(t, out, g ? "Migration by mode (pages; THP = large folios)" :
			    "Migration by reason (pages; THP = large folios)",
			    probes_via(&buf, rec, mig_probes));
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
	table_print(t, out, "Migration entries", probes_via(&buf, rec, entry_probes));
	table_free(t);
	textbuf_free(&buf);
	textbuf_free(&q);
}

/* Large folios migration split or could not move. */
static void migrate_fallbacks(json_t *rec, struct fallbacks *rows)
{
	const char *k;
	json_t *o;

	json_object_foreach(jget(rec, "migration.by_reason"), k, o) {
		char what[96];

		snprintf(what, sizeof(what), "migration (%s): THP split", k);
		fallbacks_add(rows, what, "mm_migrate_pages", jget_u64(o, "thp_split"),
			      record_thp_pages(rec, jget_u64(o, "thp_split")));
		/* large_folio_split counts the THPs of thp_split too; the rest
		 * are smaller large folios, of orders the tracepoint omits. */
		snprintf(what, sizeof(what), "migration (%s): mTHP split", k);
		fallbacks_add(rows, what, "mm_migrate_pages",
			      jget_u64(o, "large_folio_split") > jget_u64(o, "thp_split") ?
			      jget_u64(o, "large_folio_split") - jget_u64(o, "thp_split") : 0, -1);
		snprintf(what, sizeof(what), "migration (%s): THP not migrated", k);
		fallbacks_add(rows, what, "mm_migrate_pages", jget_u64(o, "thp_failed"),
			      record_thp_pages(rec, jget_u64(o, "thp_failed")));
	}
}

static void migrate_metrics(json_t *rec, struct metrics *m)
{
	static const struct {
		const char *field;
		enum metric_bad bad;
	} fields[] = {
		{ "calls", BAD_NEITHER }, { "succeeded", BAD_NEITHER }, { "failed", BAD_UP },
		{ "thp_succeeded", BAD_NEITHER }, { "thp_failed", BAD_UP },
		{ "thp_split", BAD_UP }, { "large_folio_split", BAD_UP },
	};
	json_t *by_reason = jget(rec, "migration.by_reason"), *v, *lat;
	const char *reason;
	double fallbacks = 0, moved = 0;
	size_t i;

	if (!json_is_true(jget(rec, "probes.migrate:mm_migrate_pages.attached")))
		return;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct metric *x;
		double total = 0;

		json_object_foreach(by_reason, reason, v)
			total += jget_u64(v, fields[i].field);
		x = metric_add(m, MK_COUNTER, fields[i].bad, total, "migration.%s", fields[i].field);
		if (x && !strcmp(fields[i].field, "calls"))
			x->timeline = true;
		if (!strcmp(fields[i].field, "thp_split") ||
		    !strcmp(fields[i].field, "large_folio_split"))
			fallbacks += total;
		if (!strcmp(fields[i].field, "thp_succeeded"))
			moved += total;
	}
	metric_add_timeline(m, MK_COUNTER, fallbacks, "migration.fallbacks");
	if (moved + fallbacks)
		metric_add(m, MK_RATIO, BAD_UP, fallbacks / (moved + fallbacks),
		    "migration.fallback_rate");
	json_object_foreach(jget(rec, "migration.latency"), reason, lat) {
		char prefix[80];

		snprintf(prefix, sizeof(prefix), "migration.%s.latency", reason);
		metric_add_latency(m, lat, prefix);
	}
}

static void migrate_top(struct top_pane *v)
{
	pane_heading(v, "MIGRATION  calls  pages ok  failed  THP ok  THP split  large split");
	if (!pane_has(v, "migration.calls")) {
		pane_line(v, "  not measured");
		return;
	}
	pane_line(v, "       %8.0f %9.0f %7.0f %7.0f %10.0f %12.0f", pane_delta(v, "migration.calls"),
		  pane_delta(v, "migration.succeeded"), pane_delta(v, "migration.failed"),
	     pane_delta(v, "migration.thp_succeeded"), pane_delta(v, "migration.thp_split"),
	     pane_delta(v, "migration.large_folio_split"));
}

static void migrate_html(FILE *f, json_t *rec)
{
	static const char *const fields[] = {
		"thp_succeeded", "thp_split", "large_folio_split", "thp_failed",
	};
	json_t *rows = json_object(), *v;
	const char *reason;
	size_t i;

	fputs("<h2>Migration</h2>\n", f);
	json_object_foreach(jget(rec, "migration.by_reason"), reason, v) {
		json_t *o = json_object();

		for (i = 0; i < ARRAY_SIZE(fields); i++)
			json_object_set_new(o, fields[i], json_integer(jget_u64(v, fields[i])));
		json_object_set_new(rows, reason, o);
	}
	html_stacked(f, rows, NULL, NULL, "Large folios in migration, per reason",
		     "Bars per migration reason: large folios moved whole, split (thp_split, "
		     "large_folio_split) or failed.",
		     "Migrations: none recorded.");
	json_decref(rows);
	html_latency_charts(f, rec, "migration.latency", "Migration");
}

static void migrate_expose(json_t *rec, struct expo *x)
{
	static const char *const page_results[] = { "succeeded", "failed", NULL };
	static const char *const thp_outcomes[] = { "succeeded", "failed", "split" };
	static const char *const ops[] = { "set", "remove", NULL };
	static const char entries_help[] =
		"Migration entries installed (set) and removed, by level and folio order.";
	json_t *v, *lat, *o;
	const char *k;
	char field[32];
	size_t i;

	json_object_foreach(jget(rec, "migration.by_reason"), k, v) {
		expo_counter(x, "thpscope_migrate_pages_calls",
			     "migrate_pages calls, by reason (compaction, NUMA, syscall, ...).",
			     jget_u64(v, "calls"), "reason", k, NULL);
		expo_counters_of(x, "thpscope_migrate_pages",
				 "Pages migrate_pages moved or failed to, by reason.",
				 v, page_results, "result", "reason", k, NULL);
		for (i = 0; i < ARRAY_SIZE(thp_outcomes); i++) {
			snprintf(field, sizeof(field), "thp_%s", thp_outcomes[i]);
			expo_counter(x, "thpscope_migrate_thps",
				     "PMD-sized THPs migrate_pages moved whole, failed to move, or split to move, by reason.",
				     jget_u64(v, field), "reason", k, "outcome", thp_outcomes[i], NULL);
		}
		expo_counter(x, "thpscope_migrate_large_folio_splits",
			     "Large folios (mTHP) migrate_pages split to move them, by reason.",
			     jget_u64(v, "large_folio_split"), "reason", k, NULL);
	}
	json_object_foreach(jget(rec, "migration.by_mode"), k, v)
		expo_counter(x, "thpscope_migrate_pages_mode_calls",
			     "migrate_pages calls, by migrate mode.",
			     jget_u64(v, "calls"), "mode", k, NULL);
	json_object_foreach(jget(rec, "migration.latency"), k, lat)
		expo_histogram_ns(x, "thpscope_migrate_pages_duration_seconds",
				  "Time in migrate_pages, by reason.", lat, "reason", k, NULL);
	json_object_foreach(jget(rec, "migration.pte_by_order"), k, o)
		expo_counters_of(x, "thpscope_migration_entries", entries_help, o, ops, "op",
				 "level", "pte", "order", k, NULL);
	expo_counters_of(x, "thpscope_migration_entries", entries_help, jget(rec, "migration.pmd"),
			 ops, "op", "level", "pmd", NULL);
}

static const struct family_measure migrate_measures[] = {
	{ "migration.", "migrate:mm_migrate_pages" },
	{ NULL, NULL },
};

static const struct family_process_column migrate_processes = {
	.path = "migration.processes",
	.field = "calls",
	.heading = "migrations",
};

static const char *const migrate_record_keys[] = { "migration", NULL };

static const char *const migrate_order_paths[] = { "migration.pte_by_order.#", NULL };

const struct family migrate_family = {
	.name = "migrate",
	.summary = "page migration per reason and mode, migration entries",
	.open = migrate_open,
	.load = migrate_load,
	.harvest = migrate_harvest,
	.destroy = migrate_destroy,
	.event_names = migrate_event_names,
	.nevents = ME_NR,
	.decode = migrate_decode,
	.record_keys = migrate_record_keys,
	.always_recorded = true,
	.order_paths = migrate_order_paths,
	.report = migrate_report,
	.fallbacks = migrate_fallbacks,
	.metrics = migrate_metrics,
	.expose = migrate_expose,
	.measures = migrate_measures,
	.top = migrate_top,
	.process_column = &migrate_processes,
	.html = migrate_html,
};
