// SPDX-License-Identifier: GPL-2.0
/* The migration family: mm_migrate_pages outcomes per reason, mode and
 * migrating task, start-to-end latency per reason, and migration entries
 * per order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "btf_enum.h"
#include "migrate.h"
#include "family.h"
#include "hist_json.h"
#include "json_util.h"
#include "kenv.h"
#include "maps.h"
#include "migrate.skel.h"
#include "probe.h"
#include "util.h"

#define TOP_PROCESSES 20

/* What the kernel's BTF says, taken at open while it is loaded. */
struct migrate_data {
	bool has_large_folio_split;
};

struct harvest_ctx {
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

	snprintf(path, sizeof(path), "by_reason.%s", reason);
	add_fields(ctx, jpath(ctx->migration, path), val);
	snprintf(path, sizeof(path), "by_mode.%s",
		 enum_name(ctx->modes, key->mode, buf, sizeof(buf)));
	add_fields(ctx, jpath(ctx->migration, path), val);

	proc = json_pack("{s:I, s:s%, s:s, s:s}", "pid", (json_int_t)key->tgid,
			 "comm", val->comm, strnlen(val->comm, sizeof(val->comm)),
			 "reason", reason, "mode",
			 enum_name(ctx->modes, key->mode, buf, sizeof(buf)));
	add_fields(ctx, proc, val);
	json_array_append_new(ctx->procs, proc);
}

static void add_latency(const void *k, const void *v, void *data)
{
	struct harvest_ctx *ctx = data;
	json_t *h = hist_to_json(v, "ns");
	char buf[32], path[96];

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
	run->data = md;
	run->skel = skel;
	return skel->obj;
}

static int migrate_load(struct family_run *run)
{
	return migrate_bpf__load(run->skel);
}

static void migrate_harvest(struct family_run *run, struct kenv *env,
			    const struct probe_set *probes, json_t *record)
{
	struct migrate_bpf *skel = run->skel;
	struct migrate_data *md = run->data;
	struct harvest_ctx ctx = {
		.migration = jpath(record, "migration"),
		.procs = json_array(),
		.reasons = kenv_enum(env, KENV_MIGRATE_REASON),
		.modes = kenv_enum(env, KENV_MIGRATE_MODE),
		.has_large_folio_split = md->has_large_folio_split,
	};
	uint64_t e[2];
	char path[32];
	__u32 order;

	map_foreach(bpf_map__fd(skel->maps.migrate_calls), sizeof(struct migrate_key),
		    sizeof(struct migrate_val), add_call, &ctx);
	map_foreach(bpf_map__fd(skel->maps.migrate_latency), sizeof(__s32),
		    sizeof(struct hist), add_latency, &ctx);
	json_array_top(ctx.procs, "calls", TOP_PROCESSES);
	json_object_set_new(ctx.migration, "processes", ctx.procs);

	for (order = 0; order < MIGRATE_MAX_ORDER; order++) {
		if (map_sum_percpu(bpf_map__fd(skel->maps.pte_entries), order, 2, e) ||
		    (!e[0] && !e[1]))
			continue;
		snprintf(path, sizeof(path), "pte_by_order.%u", order);
		add_entries(ctx.migration, path, e);
	}
	if (probe_attached(probes, "migrate:set_migration_pmd") &&
	    !map_sum_percpu(bpf_map__fd(skel->maps.pmd_entries), 0, 2, e))
		add_entries(ctx.migration, "pmd", e);
}

static void migrate_destroy(struct family_run *run)
{
	migrate_bpf__destroy(run->skel);
	free(run->data);
	run->skel = NULL;
	run->data = NULL;
}

const struct family migrate_family = {
	.name = "migrate",
	.open = migrate_open,
	.load = migrate_load,
	.harvest = migrate_harvest,
	.destroy = migrate_destroy,
};
