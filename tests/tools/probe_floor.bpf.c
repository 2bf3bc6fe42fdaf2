// SPDX-License-Identifier: GPL-2.0
/*
 * Two programs on each tracepoint thpscope's host programs use, measured
 * beside thpscope's by scripts/probe-cost: an empty one, what running any
 * program there costs (the trace record built for it, the dispatch), so
 * that its table tells thpscope's own cost from the kernel's fixed one;
 * and one that only counts the event (one array element of a cache line
 * of its own, the least a probe that counts can touch), what the event's
 * first memory access costs when the event comes rarely and cold.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct count_line {
	__u64 n;
	__u64 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct count_line);
} counts SEC(".maps");

/* The counting program's name starts with c_ (probe-cost tells them so). */
#define FLOOR(name, idx, tp)					\
	SEC("tracepoint/" tp) int name(void *ctx)		\
	{							\
		return 0;					\
	}							\
	SEC("tracepoint/" tp) int c_##name(void *ctx)		\
	{							\
		__u32 key = idx;				\
		struct count_line *l = bpf_map_lookup_elem(&counts, &key); \
								\
		if (l)						\
			__sync_fetch_and_add(&l->n, 1);		\
		return 0;					\
	}

FLOOR(scan_pmd, 0, "huge_memory/mm_khugepaged_scan_pmd")
FLOOR(collapse, 1, "huge_memory/mm_collapse_huge_page")
FLOOR(isolate, 2, "huge_memory/mm_collapse_huge_page_isolate")
FLOOR(swapin, 3, "huge_memory/mm_collapse_huge_page_swapin")
FLOOR(scan_file, 4, "huge_memory/mm_khugepaged_scan_file")
FLOOR(collapse_file, 5, "huge_memory/mm_khugepaged_collapse_file")
FLOOR(khugepaged_scan, 6, "huge_memory/mm_khugepaged_scan")
FLOOR(migrate_start, 7, "migrate/mm_migrate_pages_start")
FLOOR(migrate_end, 8, "migrate/mm_migrate_pages")
FLOOR(set_pte, 9, "migrate/set_migration_pte")
FLOOR(remove_pte, 10, "migrate/remove_migration_pte")
FLOOR(set_pmd, 11, "thp/set_migration_pmd")
FLOOR(remove_pmd, 12, "thp/remove_migration_pmd")
FLOOR(shrink_start, 13, "vmscan/mm_shrink_slab_start")
FLOOR(shrink_end, 14, "vmscan/mm_shrink_slab_end")

char LICENSE[] SEC("license") = "GPL";
