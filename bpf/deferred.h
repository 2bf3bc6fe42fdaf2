/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the deferred-split family's maps, shared by
 * deferred.bpf.c and the loader. */
#ifndef THPSCOPE_DEFERRED_H
#define THPSCOPE_DEFERRED_H

#include "causes.h"
#include "hist.h"
#include "trace.h"

#define DEFERRED_MAX_ORDER 16
#define DEFERRED_TRACKED 65536

/* Per folio order: what happened to folios on the queue. */
struct deferred_order {
	__u64 enqueued;		/* put on the queue */
	__u64 underused;	/* of which queued fully mapped (underused-THP shrinking) */
	__u64 partially_mapped;	/* became partially mapped (first time) */
	__u64 split;		/* split while queued, by anyone */
	__u64 split_by_shrinker;
	__u64 freed;
	__u64 migrated;
	__u64 dropped;		/* taken off the queue otherwise */
	__u64 untracked;	/* enqueued but the bounded map was full */
};

/* The index of FIELD among struct deferred_order's counters: how the BPF
 * side names a folio's fate. */
#define DEFERRED_FIELD(field) (offsetof(struct deferred_order, field) / sizeof(__u64))
#define DEFERRED_NR_FIELDS (sizeof(struct deferred_order) / sizeof(__u64))

/* Queue length as the shrinker's count callback reports it. */
struct queue_key {
	__s32 nid;
	__u32 pad;
	__u64 memcg;		/* cgroup id, 0 for the node's own queue */
};

struct queue_len {
	__u64 last;
	__u64 max;
	__u64 samples;
};

struct shrinker_stats {
	__u64 scans;
	__u64 nr_to_scan;
	__u64 split;
};

/* Indexes of the depth array. */
enum {
	DEPTH_NOW,
	DEPTH_MAX,
	DEPTH_NR,
};

/* The mm_shrink_slab_* tracepoints, for the deferred-split shrinker. */
struct shrinker_tp {
	__u64 calls;
	__u64 freed;
	__u64 cache_items_last;
	__u64 cache_items_max;
};

/* Streamed events. */
enum deferred_event {
	DE_ENQUEUE,		/* a folio joined the queue */
	DE_DEQUEUE,		/* a folio left it */
	DE_SHRINKER_SCAN,	/* the shrinker's scan callback returned */
	DE_NR,
};

struct deferred_member_event {
	__u8 order;
	__u8 partially_mapped;	/* enqueue: queued as partially mapped */
	__u8 fate;		/* dequeue: DEFERRED_FIELD() of its fate */
	__u8 pad[5];
	__u64 folio;
	__u64 queued_ns;	/* dequeue: time on the queue */
};
TRACE_BODY_FITS(struct deferred_member_event);

struct deferred_scan_event {
	__s32 node;
	__s32 ret;		/* folios split, or SHRINK_STOP */
	__u64 scanned;		/* folios the shrinker was asked to scan */
};
TRACE_BODY_FITS(struct deferred_scan_event);

#endif
