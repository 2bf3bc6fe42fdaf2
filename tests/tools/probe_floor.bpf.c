// SPDX-License-Identifier: GPL-2.0
/*
 * Empty programs on the tracepoints thpscope's host programs use: what
 * running any program there costs (the trace record built for it, the
 * dispatch), measured beside thpscope's by scripts/probe-cost so that
 * its table tells thpscope's own cost from the kernel's fixed one.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define FLOOR(name, tp)					\
	SEC("tracepoint/" tp) int name(void *ctx)	\
	{						\
		return 0;				\
	}

FLOOR(scan_pmd, "huge_memory/mm_khugepaged_scan_pmd")
FLOOR(collapse, "huge_memory/mm_collapse_huge_page")
FLOOR(isolate, "huge_memory/mm_collapse_huge_page_isolate")
FLOOR(swapin, "huge_memory/mm_collapse_huge_page_swapin")
FLOOR(scan_file, "huge_memory/mm_khugepaged_scan_file")
FLOOR(collapse_file, "huge_memory/mm_khugepaged_collapse_file")
FLOOR(khugepaged_scan, "huge_memory/mm_khugepaged_scan")
FLOOR(migrate_start, "migrate/mm_migrate_pages_start")
FLOOR(migrate_end, "migrate/mm_migrate_pages")
FLOOR(set_pte, "migrate/set_migration_pte")
FLOOR(remove_pte, "migrate/remove_migration_pte")
FLOOR(set_pmd, "thp/set_migration_pmd")
FLOOR(remove_pmd, "thp/remove_migration_pmd")
FLOOR(shrink_start, "vmscan/mm_shrink_slab_start")
FLOOR(shrink_end, "vmscan/mm_shrink_slab_end")

char LICENSE[] SEC("license") = "GPL";
