/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the split family's maps, shared by split.bpf.c and
 * the loader. */
#ifndef THPSCOPE_SPLIT_H
#define THPSCOPE_SPLIT_H

#include "causes.h"
#include "folio.h"
#include "hist.h"
#include "trace.h"

/* How a folio split entered the kernel. */
enum split_entry {
	ENTRY_COUNTED,		/* __folio_split and its predecessors: the kernel counts it */
	ENTRY_UNMAPPED,		/* folio_split_unmapped: no kernel counter sees it */
};

/* Above the order of any folio: the latency histograms' count. */
#define SPLIT_MAX_ORDER 32

struct split_key {
	__u8 old_order;
	__u8 new_order;
	__u8 cause;
	__u8 kind;		/* enum folio_kind */
	__u8 uniform;
	__u8 entry;		/* enum split_entry */
	__u16 pad;
	__s32 result;		/* 0 or -errno */
	__u32 pad2;
	__u64 cgroup;		/* the task's cgroup (filter.bpf.h), 0 when not asked */
};

/* Per process: a slot of the split_procs array (proc_slot.h), a cache
 * line each. */
struct split_proc {
	__u64 tag;		/* proc_slot_tgid_tag() of the process, 0: free */
	__u64 splits;
	__u64 failed;
	char comm[16];		/* its name when it first came */
} __attribute__((aligned(64)));

/* Streamed events. */
enum split_event {
	SE_FOLIO_SPLIT,		/* a large folio split, or failed to */
	SE_PMD_SPLIT,		/* a PMD mapping split into PTEs */
	SE_NR,
};

struct split_folio_event {
	__u8 order;
	__u8 new_order;
	__u8 cause;		/* enum cause */
	__u8 kind;		/* enum folio_kind */
	__u8 uniform;		/* split to NEW_ORDER at once, not in halves */
	__u8 entry;		/* enum split_entry */
	__u8 pad[2];
	__s32 ret;		/* 0 or -errno */
	__u32 pad2;
	__u64 folio;
	__u64 ns;
};
TRACE_BODY_FITS(struct split_folio_event);

struct split_pmd_event {
	__u8 cause;		/* enum cause */
	__u8 pad[7];
	__u64 address;
};
TRACE_BODY_FITS(struct split_pmd_event);

#endif
