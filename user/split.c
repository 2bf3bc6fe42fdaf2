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
#include "cause_table.h"
#include "family.h"
#include "hist_json.h"
#include "json_util.h"
#include "kenv.h"
#include "maps.h"
#include "probe.h"
#include "split.h"
#include "split.skel.h"
#include "util.h"

#define TOP_PROCESSES 20
#define TOP_STACKS 10

/* Entry points that call one another: only the first present is traced. */
static const char *const split_entries[] = {
	"__folio_split", "split_huge_page_to_list_to_order", "split_huge_page_to_list", NULL,
};
static const char *const *const split_alternatives[] = { split_entries, NULL };

static const char *const kind_names[] = { "anon", "shmem", "file" };

const char *split_kind_name(unsigned int kind)
{
	return kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "other";
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
	json_t *o = jpath(data, "split.by_order");
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
	snprintf(path, sizeof(path), "kind.%s", key->kind < 3 ? kind_names[key->kind] : "other");
	jadd(o, path, n);
	if (key->result == 0) {
		snprintf(path, sizeof(path), "to.%u", key->new_order);
		jadd(o, path, n);
		if (!key->uniform)
			jadd(o, "non_uniform", n);
	}
}

static void add_latency(const void *k, const void *v, void *data)
{
	json_t *h = hist_to_json(v, "ns");
	char path[32];

	snprintf(path, sizeof(path), "split.latency.%u", *(const __u32 *)k);
	hist_json_add(data, path, h);
	json_decref(h);
}

static void add_proc(const void *k, const void *v, void *data)
{
	const struct split_proc *p = v;

	json_array_append_new(data, json_pack("{s:I, s:s%, s:I, s:I}",
		"pid", (json_int_t)*(const __u32 *)k, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)),
		"splits", (json_int_t)p->splits, "failed", (json_int_t)p->failed));
}

static struct bpf_object *split_open(struct family_run *run, struct kenv *env)
{
	struct cause_setup *cs = causes_setup(env);
	struct split_bpf *skel;

	if (!cs)
		return NULL;
	skel = split_bpf__open();
	if (!skel) {
		free(cs);
		return NULL;
	}
	skel->rodata->nr_cause_ranges = cs->n > 0 ? cs->n : 0;
	skel->rodata->split_type_enum =
		btf__find_by_name_kind(kenv_btf(env), "split_type", BTF_KIND_ENUM) > 0;
	run->skel = skel;
	run->data = cs;
	return skel->obj;
}

static int split_load(struct family_run *run)
{
	struct split_bpf *skel = run->skel;
	int err = split_bpf__load(skel);

	return err ?: causes_fill(bpf_map__fd(skel->maps.cause_ranges), run->data);
}

static void split_harvest(struct family_run *run, struct kenv *env,
			  const struct probe_set *probes, json_t *record)
{
	struct split_bpf *skel = run->skel;
	json_t *split = jpath(record, "split"), *procs = json_array();
	__u64 n;
	__u32 c;

	json_object_set_new(split, "causes", causes_json(run->data));
	map_foreach(bpf_map__fd(skel->maps.split_counts), sizeof(struct split_key),
		    sizeof(__u64), add_split, record);
	map_foreach(bpf_map__fd(skel->maps.split_latency), sizeof(__u32),
		    sizeof(struct hist), add_latency, record);
	map_foreach(bpf_map__fd(skel->maps.split_procs), sizeof(__u32),
		    sizeof(struct split_proc), add_proc, procs);
	json_array_top(procs, "splits", TOP_PROCESSES);
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
						bpf_map__fd(skel->maps.other_stacks), TOP_STACKS));
}

static void split_destroy(struct family_run *run)
{
	split_bpf__destroy(run->skel);
	free(run->data);
	run->skel = NULL;
	run->data = NULL;
}

const struct family split_family = {
	.name = "split",
	.alternatives = split_alternatives,
	.open = split_open,
	.load = split_load,
	.harvest = split_harvest,
	.destroy = split_destroy,
};
