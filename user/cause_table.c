// SPDX-License-Identifier: GPL-2.0
/*
 * Which kernel functions explain a split, a PMD-mapping split or a removal
 * from the deferred-split queue. Names change between kernels; a rule
 * that matches nothing simply explains nothing. Where several frames of a
 * stack match, the rule of highest rank wins: the syscall-level reason
 * (madvise, debugfs) over the mechanism (reclaim), and for a PMD split
 * the folio split it belongs to over that split's own reason.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <bpf/bpf.h>
#include "json_util.h"
#include <linux/types.h>
#include "cause_table.h"
#include "kenv.h"
#include "ksyms.h"
#include "util.h"

static const char *const split_entries[] = {
	"__folio_split", "split_huge_page_to_list_to_order", "split_huge_page_to_list", NULL,
};

const char *const *const split_entry_alternatives[] = { split_entries, NULL };

#define F TIER_FOLIO
#define P TIER_PMD
#define D TIER_DEQUEUE

static const char *const names[CAUSE_NR] = {
	[CAUSE_OTHER] = "other",
	[CAUSE_SHRINKER] = "shrinker",
	[CAUSE_MIGRATION] = "migration_fallback",
	[CAUSE_MIGRATION_PARTIAL] = "migration_partially_mapped",
	[CAUSE_DEVICE_MIGRATION] = "device_migration",
	[CAUSE_RECLAIM] = "reclaim",
	[CAUSE_MADVISE] = "madvise",
	[CAUSE_TRUNCATE] = "truncate",
	[CAUSE_MEMORY_FAILURE] = "memory_failure",
	[CAUSE_KSM] = "ksm",
	[CAUSE_DEBUGFS] = "debugfs",
	[CAUSE_SHMEM_SHRINKER] = "shmem_shrinker",
	[CAUSE_MUNMAP] = "munmap",
	[CAUSE_MPROTECT] = "mprotect",
	[CAUSE_MREMAP] = "mremap",
	[CAUSE_DEVICE_EXCLUSIVE] = "device_exclusive",
	[CAUSE_FOLIO_SPLIT] = "folio_split",
	[CAUSE_COW] = "cow",
	[CAUSE_FREE] = "freed",
};

static const struct rule {
	const char *name;	/* a trailing '*' makes it a prefix */
	unsigned char cause;
	unsigned char tiers;
	unsigned char rank;
} rules[] = {
	{ "split_huge_pages_*", CAUSE_DEBUGFS, F, 9 },
	{ "memory_failure*", CAUSE_MEMORY_FAILURE, F | P, 9 },
	{ "try_to_split_thp_page", CAUSE_MEMORY_FAILURE, F, 9 },
	{ "soft_offline_*", CAUSE_MEMORY_FAILURE, F | P, 9 },
	{ "ksm_*", CAUSE_KSM, F | P, 9 },
	{ "try_to_merge_one_page", CAUSE_KSM, F | P, 9 },
	{ "cmp_and_merge_page", CAUSE_KSM, F | P, 9 },
	{ "__folio_split", CAUSE_FOLIO_SPLIT, P, 10 },
	{ "split_huge_page_to_list*", CAUSE_FOLIO_SPLIT, P, 10 },
	{ "folio_split_unmapped", CAUSE_FOLIO_SPLIT, P, 10 },
	{ "madvise_*", CAUSE_MADVISE, F | P, 8 },
	{ "do_madvise", CAUSE_MADVISE, F | P, 8 },
	{ "truncate_*", CAUSE_TRUNCATE, F, 8 },
	{ "shmem_undo_range", CAUSE_TRUNCATE, F, 8 },
	{ "make_device_exclusive*", CAUSE_DEVICE_EXCLUSIVE, P, 8 },
	{ "migrate_vma_*", CAUSE_DEVICE_MIGRATION, F | P, 7 },
	{ "migrate_device_*", CAUSE_DEVICE_MIGRATION, F | P, 7 },
	{ "__migrate_device_*", CAUSE_DEVICE_MIGRATION, F | P, 7 },
	{ "deferred_split_scan", CAUSE_SHRINKER, F | D, 6 },
	{ "shmem_unused_huge_shrink", CAUSE_SHMEM_SHRINKER, F, 6 },
	{ "migrate_pages_batch", CAUSE_MIGRATION, F | P | D, 6 },
	{ "migrate_pages", CAUSE_MIGRATION, F | P | D, 6 },
	{ "__folio_migrate_mapping", CAUSE_MIGRATION, D, 6 },
	{ "mem_cgroup_migrate", CAUSE_MIGRATION, D, 6 },
	{ "mprotect_fixup", CAUSE_MPROTECT, P, 5 },
	{ "change_protection", CAUSE_MPROTECT, P, 5 },
	{ "move_page_tables", CAUSE_MREMAP, P, 5 },
	{ "move_vma", CAUSE_MREMAP, P, 5 },
	{ "shrink_folio_list", CAUSE_RECLAIM, F | P | D, 5 },
	{ "move_folios_to_lru", CAUSE_RECLAIM, D, 5 },
	{ "do_vmi_align_munmap", CAUSE_MUNMAP, P, 4 },
	{ "do_vmi_munmap", CAUSE_MUNMAP, P, 4 },
	{ "__vm_munmap", CAUSE_MUNMAP, P, 4 },
	{ "do_huge_pmd_wp_page", CAUSE_COW, P, 4 },
	{ "__split_vma", CAUSE_MUNMAP, P, 3 },
	{ "vma_adjust_trans_huge", CAUSE_MUNMAP, P, 3 },
	{ "zap_pmd_range", CAUSE_MUNMAP, P, 2 },
	{ "__folio_put", CAUSE_FREE, D, 3 },
	{ "folios_put_refs", CAUSE_FREE, D, 3 },
	{ "free_unref_folios", CAUSE_FREE, D, 3 },
	{ "uncharge_folio", CAUSE_FREE, D, 3 },
	{ "mem_cgroup_swapout", CAUSE_FREE, D, 3 },
};

const char *cause_name(unsigned int cause)
{
	return cause < CAUSE_NR && names[cause] ? names[cause] : "other";
}

struct collect {
	struct cause_range *out;
	size_t max, n;
	const struct rule *rule;
};

static void add_range(const struct ksym *sym, void *data)
{
	struct collect *c = data;
	struct cause_range *r;

	if (c->n == c->max)
		return;
	r = &c->out[c->n++];
	memset(r, 0, sizeof(*r));
	r->start = sym->addr;
	r->end = sym->end;
	r->cause = c->rule->cause;
	r->tiers = c->rule->tiers;
	r->rank = c->rule->rank;
}

/* By start; at one start (a function under two names), the higher rank
 * first, whatever order the rules found them in. */
static int by_start(const void *a, const void *b)
{
	const struct cause_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (int)y->rank - (int)x->rank;
}

int causes_match(const struct ksyms *syms, struct cause_range *out, size_t max)
{
	struct collect c = { .out = out, .max = max };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		size_t n = strlen(rules[i].name);
		bool prefix = rules[i].name[n - 1] == '*';
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)(n - prefix), rules[i].name);
		c.rule = &rules[i];
		ksyms_match(syms, name, prefix, add_range, &c);
	}
	qsort(out, c.n, sizeof(*out), by_start);
	/* A function matched by two rules keeps the higher one. */
	for (i = 0, j = 0; i < c.n; i++)
		if (!j || out[i].start != out[j - 1].start)
			out[j++] = out[i];
	return j;
}

int causes_resolve(struct kenv *env, struct cause_range *out, size_t max,
		   char *why, size_t wlen)
{
	if (!kenv_ksyms_usable(env)) {
		snprintf(why, wlen, "kernel addresses are hidden in /proc/kallsyms "
			 "(needs CAP_SYSLOG, or kernel.kptr_restrict=0)");
		return -1;
	}
	return causes_match(kenv_ksyms(env), out, max);
}

static void find_scan(const struct ksym *sym, void *data)
{
	*(unsigned long long *)data = sym->addr;
}

struct cause_setup *causes_setup(struct kenv *env)
{
	struct cause_setup *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return NULL;
	cs->n = causes_resolve(env, cs->ranges, MAX_CAUSE_RANGES, cs->why, sizeof(cs->why));
	if (cs->n >= 0)
		kenv_ksym_match(env, "deferred_split_scan", false, find_scan, &cs->shrinker_scan);
	return cs;
}

int causes_fill(int ranges_fd, const struct cause_setup *cs)
{
	__u32 i;

	for (i = 0; (int)i < cs->n; i++)
		if (bpf_map_update_elem(ranges_fd, &i, &cs->ranges[i], BPF_ANY))
			return -errno;
	return 0;
}

json_t *causes_json(const struct cause_setup *cs)
{
	return json_pack("{s:b, s:s?}", "available", cs->n >= 0,
			 "why", cs->n >= 0 ? NULL : cs->why);
}

struct other_key {
	__s32 stack_id;
	__u32 tier;
};

static const char *tier_name(__u32 tier)
{
	return tier == TIER_FOLIO ? "folio" : tier == TIER_PMD ? "pmd" : "dequeue";
}

json_t *causes_other_stacks(struct kenv *env, int counts_fd, int stacks_fd)
{
	json_t *arr = json_array();
	struct other_key key, next, *prev = NULL;
	__u64 count, ips[CAUSE_STACK_DEPTH];
	int i;

	while (!bpf_map_get_next_key(counts_fd, prev, &next)) {
		json_t *frames = json_array();

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &count))
			continue;
		memset(ips, 0, sizeof(ips));
		if (key.stack_id >= 0)
			bpf_map_lookup_elem(stacks_fd, &key.stack_id, ips);
		for (i = 0; i < CAUSE_STACK_DEPTH && ips[i]; i++) {
			const struct ksym *sym = kenv_ksym_at(env, ips[i]);
			char buf[160];

			if (sym)
				snprintf(buf, sizeof(buf), "%s+0x%llx", sym->name, ips[i] - sym->addr);
			else
				snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)ips[i]);
			json_array_append_new(frames, json_string(buf));
		}
		json_array_append_new(arr, json_pack("{s:s, s:I, s:o}", "tier", tier_name(key.tier),
						     "count", (json_int_t)count, "frames", frames));
	}
	json_array_top(arr, "count", CAUSE_TOP_STACKS);
	return arr;
}
