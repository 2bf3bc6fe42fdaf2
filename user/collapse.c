// SPDX-License-Identifier: GPL-2.0
/* The collapse family: khugepaged and MADV_COLLAPSE outcomes per source,
 * order and scan result; collapse latency; the processes whose memory
 * was collapsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "btf_enum.h"
#include "collapse.h"
#include "collapse.skel.h"
#include "family.h"
#include "hist_json.h"
#include "json_util.h"
#include "kenv.h"
#include "maps.h"
#include "probe.h"

#define TOP_PROCESSES 20

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

struct harvest_ctx {
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

	if (key->event >= CE_NR)
		return;
	res = enum_name(ctx->results, key->result, buf, sizeof(buf));
	if (key->order == ORDER_NONE)
		snprintf(tail, sizeof(tail), "%s.%s", event_keys[key->event], res);
	else
		snprintf(tail, sizeof(tail), "%s.%u.%s", event_keys[key->event],
			 key->order, res);
	jadd(ctx->collapse, tail, *(const __u64 *)v);
	snprintf(path, sizeof(path), "by_source.%s.%s", source_name(key->source), tail);
	jadd(ctx->collapse, path, *(const __u64 *)v);
}

static void add_proc(const void *k, const void *v, void *data)
{
	const struct collapse_proc_key *key = k;
	const struct collapse_proc *p = v;
	struct harvest_ctx *ctx = data;

	json_array_append_new(ctx->procs, json_pack("{s:I, s:s%, s:s, s:I, s:I, s:I}",
		"pid", (json_int_t)key->tgid, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)),
		"source", source_name(key->source), "scans", (json_int_t)p->scans,
		"attempts", (json_int_t)p->attempts, "succeeded", (json_int_t)p->succeeded));
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
	struct collapse_bpf *skel = collapse_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->pmd_order = env->pmd_order;
	/* 7.x collapses to mTHP orders and passes the order as argument 6. */
	skel->rodata->collapse_has_order =
		kenv_has_member(env, "trace_event_raw_mm_collapse_huge_page", "order");
	run->skel = skel;
	return skel->obj;
}

static int collapse_load(struct family_run *run)
{
	return collapse_bpf__load(run->skel);
}

static void collapse_harvest(struct family_run *run, struct kenv *env,
			     const struct probe_set *probes, json_t *record)
{
	struct collapse_bpf *skel = run->skel;
	struct harvest_ctx ctx = { .collapse = jpath(record, "collapse"),
				   .results = kenv_enum(env, KENV_SCAN_RESULT),
				   .procs = json_array() };
	struct khugepaged_pass pass;
	__u32 zero = 0;

	map_foreach(bpf_map__fd(skel->maps.collapse_counts), sizeof(struct collapse_key),
		    sizeof(__u64), add_count, &ctx);
	map_foreach(bpf_map__fd(skel->maps.collapse_latency),
		    sizeof(struct collapse_lat_key), sizeof(struct hist), add_latency, &ctx);
	map_foreach(bpf_map__fd(skel->maps.collapse_procs), sizeof(struct collapse_proc_key),
		    sizeof(struct collapse_proc), add_proc, &ctx);
	json_array_top(ctx.procs, "attempts", TOP_PROCESSES);
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
	collapse_bpf__destroy(run->skel);
	run->skel = NULL;
}

const struct family collapse_family = {
	.name = "collapse",
	.open = collapse_open,
	.load = collapse_load,
	.harvest = collapse_harvest,
	.destroy = collapse_destroy,
};
