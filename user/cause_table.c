// SPDX-License-Identifier: GPL-2.0
/*
 * Which kernel functions explain a split, a PMD-mapping split or a removal
 * from the deferred-split queue. Names change between kernels; a rule
 * that matches nothing simply explains nothing. Where several frames of a
 * stack match, the rule of highest rank wins: the syscall-level reason
 * (madvise, debugfs) over the mechanism (reclaim), and for a PMD split
 * the folio split it belongs to over that split's own reason.
 *
 * A rule's functions carry context probes (cause_context.c) unless they
 * run per page or per folio (PER_PAGE): there a probe would cost every
 * page freed, migrated or unmapped, and the stack is walked instead.
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
#define PER_OP false
#define PER_PAGE true

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
	bool per_page;
} rules[] = {
	{ "split_huge_pages_*", CAUSE_DEBUGFS, F, 9, PER_OP },
	{ "memory_failure*", CAUSE_MEMORY_FAILURE, F | P, 9, PER_OP },
	{ "try_to_split_thp_page", CAUSE_MEMORY_FAILURE, F, 9, PER_OP },
	{ "soft_offline_*", CAUSE_MEMORY_FAILURE, F | P, 9, PER_OP },
	{ "ksm_*", CAUSE_KSM, F | P, 9, PER_OP },
	{ "try_to_merge_one_page", CAUSE_KSM, F | P, 9, PER_OP },
	{ "cmp_and_merge_page", CAUSE_KSM, F | P, 9, PER_OP },
	{ "__folio_split", CAUSE_FOLIO_SPLIT, P, 10, PER_OP },
	{ "split_huge_page_to_list*", CAUSE_FOLIO_SPLIT, P, 10, PER_OP },
	{ "folio_split_unmapped", CAUSE_FOLIO_SPLIT, P, 10, PER_OP },
	{ "madvise_*", CAUSE_MADVISE, F | P, 8, PER_OP },
	{ "do_madvise", CAUSE_MADVISE, F | P, 8, PER_OP },
	{ "truncate_*", CAUSE_TRUNCATE, F, 8, PER_OP },
	{ "shmem_undo_range", CAUSE_TRUNCATE, F, 8, PER_OP },
	{ "make_device_exclusive*", CAUSE_DEVICE_EXCLUSIVE, P, 8, PER_OP },
	{ "migrate_vma_*", CAUSE_DEVICE_MIGRATION, F | P, 7, PER_OP },
	{ "migrate_device_*", CAUSE_DEVICE_MIGRATION, F | P, 7, PER_OP },
	{ "__migrate_device_*", CAUSE_DEVICE_MIGRATION, F | P, 7, PER_OP },
	{ "deferred_split_scan", CAUSE_SHRINKER, F | D, 6, PER_OP },
	{ "shmem_unused_huge_shrink", CAUSE_SHMEM_SHRINKER, F, 6, PER_OP },
	{ "migrate_pages_batch", CAUSE_MIGRATION, F | P | D, 6, PER_OP },
	{ "migrate_pages", CAUSE_MIGRATION, F | P | D, 6, PER_OP },
	{ "__folio_migrate_mapping", CAUSE_MIGRATION, D, 6, PER_PAGE },
	{ "mem_cgroup_migrate", CAUSE_MIGRATION, D, 6, PER_PAGE },
	{ "mprotect_fixup", CAUSE_MPROTECT, P, 5, PER_OP },
	{ "change_protection", CAUSE_MPROTECT, P, 5, PER_OP },
	{ "move_page_tables", CAUSE_MREMAP, P, 5, PER_OP },
	{ "move_vma", CAUSE_MREMAP, P, 5, PER_OP },
	{ "shrink_folio_list", CAUSE_RECLAIM, F | P | D, 5, PER_OP },
	{ "move_folios_to_lru", CAUSE_RECLAIM, D, 5, PER_OP },
	{ "do_vmi_align_munmap", CAUSE_MUNMAP, P, 4, PER_OP },
	{ "do_vmi_munmap", CAUSE_MUNMAP, P, 4, PER_OP },
	{ "__vm_munmap", CAUSE_MUNMAP, P, 4, PER_OP },
	{ "do_huge_pmd_wp_page", CAUSE_COW, P, 4, PER_OP },
	{ "__split_vma", CAUSE_MUNMAP, P, 3, PER_OP },
	{ "vma_adjust_trans_huge", CAUSE_MUNMAP, P, 3, PER_OP },
	{ "zap_pmd_range", CAUSE_MUNMAP, P, 2, PER_PAGE },
	{ "__folio_put", CAUSE_FREE, D, 3, PER_PAGE },
	{ "folios_put_refs", CAUSE_FREE, D, 3, PER_PAGE },
	{ "free_unref_folios", CAUSE_FREE, D, 3, PER_PAGE },
	{ "uncharge_folio", CAUSE_FREE, D, 3, PER_PAGE },
	{ "mem_cgroup_swapout", CAUSE_FREE, D, 3, PER_PAGE },
};

/*
 * Helpers a rule's prefix matches that never reach a split: never on the
 * stack at one, so the stack walk's answers stay the same without them,
 * and the context is spared their calls (migrate_device_pfn_lock runs
 * per page migrated, ksm_vma_flags and ksm_compatible per mapping made,
 * the madvise locks and checks per madvise(2)).
 */
static const char *const never_split[] = {
	"migrate_device_pfn_lock", "ksm_vma_flags", "ksm_compatible",
	"madvise_lock", "madvise_unlock", "madvise_dontneed_free_valid_vma",
};

/* NAME, or a part of it the compiler split off (".cold", ".isra.0"). */
static bool splits_never(const char *name)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(never_split); i++) {
		n = strlen(never_split[i]);
		if (!strncmp(name, never_split[i], n) && (!name[n] || name[n] == '.'))
			return true;
	}
	return false;
}

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

	if (c->n == c->max || splits_never(sym->name))
		return;
	r = &c->out[c->n++];
	memset(r, 0, sizeof(*r));
	r->start = sym->addr;
	r->end = sym->end;
	r->cause = c->rule->cause;
	r->tiers = c->rule->tiers;
	r->rank = c->rule->rank;
	r->watched = !c->rule->per_page;
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

void causes_floors(const struct cause_range *ranges, const bool *hooked, int n,
		   __u8 floor[TIER_DEQUEUE + 1])
{
	unsigned int t;
	int i;

	for (t = 0; t <= TIER_DEQUEUE; t++)
		floor[t] = t == TIER_FOLIO || t == TIER_PMD || t == TIER_DEQUEUE ? 0 : 0xff;
	for (i = 0; i < n; i++)
		for (t = TIER_FOLIO; t <= TIER_DEQUEUE; t <<= 1)
			if (!hooked[i] && (ranges[i].tiers & t) && ranges[i].rank > floor[t])
				floor[t] = ranges[i].rank;
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
