/* SPDX-License-Identifier: GPL-2.0 */
/* Per-event records streamed by `thpscope trace` through one ring
 * buffer that every family shares. */
#ifndef THPSCOPE_TRACE_H
#define THPSCOPE_TRACE_H

/* trace_event.order when the event has no folio order. */
#define TRACE_NO_ORDER 0xff

enum trace_kind {
	TK_SCAN_PMD,		/* result, addr; val[0] referenced pages */
	TK_COLLAPSE,		/* order, result */
	TK_ISOLATE,		/* order, result */
	TK_SWAPIN,		/* order, result; val[0] pages swapped in */
	TK_SCAN_FILE,		/* result */
	TK_COLLAPSE_FILE,	/* result, addr (index) */
	TK_MIGRATE_PAGES,	/* arg reason, arg2 mode; val[] succeeded, failed,
				 * thp_succeeded, thp_failed, thp_split,
				 * large_folio_split */
	TK_FOLIO_SPLIT,		/* order -> new_order, arg cause, result errno; val[0] ns */
	TK_PMD_SPLIT,		/* arg cause, addr */
	TK_DEFERRED_QUEUE,	/* order, arg 1 when partially mapped */
	TK_DEFERRED_FATE,	/* order, arg fate; val[0] ns on the queue */
	TK_SHRINKER_SCAN,	/* arg node; val[0] asked, val[1] split */
	TK_MIGRATE_VMA,		/* arg direction; val[] pages, migrated, whole, split */
	TK_DEVICE_FAULT,	/* order, addr; val[] faults here, migrated, stalled */
	TK_NR,
};

struct thp_event {
	__u64 ts;		/* CLOCK_MONOTONIC, ns */
	__u64 addr;
	__u64 val[6];
	__u32 pid;		/* the attributed task, 0 when none */
	__u32 tgid;
	__u32 cpu;
	__s32 result;
	__u32 arg;
	__u16 arg2;
	__u8 kind;		/* enum trace_kind */
	__u8 order;
	__u8 new_order;
	__u8 pad[3];
	char comm[16];		/* the attributed process's name */
};

#endif
