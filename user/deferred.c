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
#include "family.h"
#include "hist_json.h"
#include "json_util.h"
#include "kenv.h"
#include "maps.h"
#include "probe.h"
#include "util.h"

#define TOP_STACKS 10

static const char *const split_exits[] = {
	"__folio_split", "split_huge_page_to_list_to_order", "split_huge_page_to_list", NULL,
};
static const char *const *const deferred_alternatives[] = { split_exits, NULL };

static const char *const order_fields[] = {
	"enqueued", "underused", "partially_mapped", "split", "split_by_shrinker",
	"freed", "migrated", "dropped", "untracked",
};

const char *deferred_field_name(unsigned int field)
{
	return field < ARRAY_SIZE(order_fields) ? order_fields[field] : "other";
}

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
							bpf_map__fd(skel->maps.other_stacks), TOP_STACKS));
	}
	if (probe_attached(probes, "deferred:deferred_split_count"))
		map_foreach(bpf_map__fd(skel->maps.queue_lens), sizeof(struct queue_key),
			    sizeof(struct queue_len), add_queue_len, def);
	if (probe_attached(probes, "deferred:deferred_split_scan")) {
		jadd(def, "shrinker.scans", 0);
		map_foreach(bpf_map__fd(skel->maps.shrinker_by_node), sizeof(__s32),
			    sizeof(struct shrinker_stats), add_shrinker, def);
	}
	if (probe_attached(probes, "deferred:mm_shrink_slab_end")) {
		json_t *tp = jpath(def, "shrinker_tp");

		json_object_set_new(tp, "available", json_boolean(!dd->scan_why[0]));
		if (dd->scan_why[0])
			json_object_set_new(tp, "why", json_string(dd->scan_why));
		jadd(tp, "calls", 0);
		jadd(tp, "freed", 0);
		map_foreach(bpf_map__fd(skel->maps.shrinker_tp_by_node), sizeof(__s32),
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

const struct family deferred_family = {
	.name = "deferred",
	.alternatives = deferred_alternatives,
	.open = deferred_open,
	.load = deferred_load,
	.harvest = deferred_harvest,
	.destroy = deferred_destroy,
};
