/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the migration family's maps, shared by
 * migrate.bpf.c and the loader. */
#ifndef THPSCOPE_MIGRATE_H
#define THPSCOPE_MIGRATE_H

#include "hist.h"
#include "proc_slot.h"
#include "trace.h"

#define MIGRATE_MAX_ORDER 32
/* Latency histograms, one per raw enum migrate_reason value below this. */
#define MIGRATE_REASONS 32

/* One mm_migrate_pages call, aggregated by the migrating task. */
struct migrate_key {
	__u32 tgid;
	__s32 reason;	/* raw enum migrate_reason value */
	__s32 mode;	/* raw enum migrate_mode value */
	__u32 pad;
	__u64 cgroup;	/* the task's cgroup (filter.bpf.h), 0 when not asked */
};

struct migrate_val {
	__u64 calls;
	__u64 succeeded;
	__u64 failed;
	__u64 thp_succeeded;
	__u64 thp_failed;
	__u64 thp_split;
	__u64 large_folio_split;	/* 6.12 and later */
	char comm[16];
};

/*
 * Without a cgroup, calls are counted in a slot of the migrate_procs array
 * (proc_slot.h) per process, reason and mode, whose tag packs all three;
 * a reason or mode beyond a byte, or a cgroup, goes to the migrate_calls
 * hash instead.
 */
struct migrate_proc {
	__u64 tag;		/* migrate_proc_tag() of its key, 0: free */
	struct migrate_val val;	/* its counts share the tag's cache line */
} __attribute__((aligned(64)));

/* migrate_procs' hot tier (proc_slot.h). */
#define MIGRATE_HOT_SLOTS (PROC_HOT_BYTES / sizeof(struct migrate_proc))

struct migrate_procs_hot {
	struct migrate_proc slot[MIGRATE_HOT_SLOTS];
};

/* The tag of the key TGID, REASON, MODE; 0 when they do not fit one. */
static inline __u64 migrate_proc_tag(__u32 tgid, __s32 reason, __s32 mode)
{
	if (reason < 0 || reason > 0xff || mode < 0 || mode > 0xff)
		return 0;
	return PROC_SLOT_CLAIMED | (__u64)tgid << 16 | (__u32)reason << 8 | (__u32)mode;
}

/* The key of TAG, the inverse of migrate_proc_tag(). */
static inline struct migrate_key migrate_proc_key(__u64 tag)
{
	struct migrate_key key = {
		.tgid = (__u32)(tag >> 16),
		.reason = (tag >> 8) & 0xff,
		.mode = tag & 0xff,
	};

	return key;
}

/* Streamed events. */
enum migrate_event {
	ME_MIGRATE_PAGES,	/* one mm_migrate_pages call */
	ME_NR,
};

struct migrate_event_body {
	__s32 reason;		/* raw enum migrate_reason value */
	__s32 mode;		/* raw enum migrate_mode value */
	__u64 succeeded;	/* pages */
	__u64 failed;
	__u64 thp_succeeded;	/* large folios */
	__u64 thp_failed;
	__u64 thp_split;
	__u64 large_folio_split;	/* 6.12 and later */
};
TRACE_BODY_FITS(struct migrate_event_body);

/* set_/remove_migration_pte per order, set_/remove_migration_pmd. */
struct migration_entries {
	__u64 set;
	__u64 remove;
};

#endif
