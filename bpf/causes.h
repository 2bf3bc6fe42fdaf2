/* SPDX-License-Identifier: GPL-2.0 */
/* Why a split (or a dequeue) happened, from the kernel stack: the address
 * ranges of known caller functions, resolved from kallsyms at start-up
 * and sorted by start. Shared by the BPF programs and the loader. */
#ifndef THPSCOPE_CAUSES_H
#define THPSCOPE_CAUSES_H

enum cause {
	CAUSE_OTHER,
	CAUSE_SHRINKER,			/* deferred-split shrinker */
	CAUSE_MIGRATION,		/* migration fallback (allocation failed) */
	CAUSE_MIGRATION_PARTIAL,	/* migration of a partially mapped folio */
	CAUSE_DEVICE_MIGRATION,		/* migrate_vma / migrate_device */
	CAUSE_RECLAIM,
	CAUSE_MADVISE,
	CAUSE_TRUNCATE,
	CAUSE_MEMORY_FAILURE,
	CAUSE_KSM,
	CAUSE_DEBUGFS,
	CAUSE_SHMEM_SHRINKER,
	CAUSE_MUNMAP,
	CAUSE_MPROTECT,
	CAUSE_MREMAP,
	CAUSE_DEVICE_EXCLUSIVE,
	CAUSE_FOLIO_SPLIT,		/* the mapping split while splitting the folio */
	CAUSE_COW,
	CAUSE_FREE,			/* dequeued because the folio was freed */
	CAUSE_NR,
};

/* What a range may explain. */
#define TIER_FOLIO	(1U << 0)	/* folio splits */
#define TIER_PMD	(1U << 1)	/* PMD-mapping splits */
#define TIER_DEQUEUE	(1U << 2)	/* removals from the deferred-split queue */

#define MAX_CAUSE_RANGES 1024
#define CAUSE_STACK_DEPTH 32
/* Cause functions a task can be inside at once, as its context tracks them. */
#define CAUSE_CONTEXT_DEPTH 8
/* A cause function's frame in the context, as one number (an attach
 * cookie): its cause, the tiers it explains and its rank. */
#define CAUSE_FRAME(cause, tiers, rank) ((cause) | (tiers) << 8 | (rank) << 16)

struct cause_range {
	__u64 start;
	__u64 end;
	__u8 cause;
	__u8 tiers;
	__u8 rank;	/* among matching frames, the highest rank explains */
	__u8 watched;	/* called per operation, not per page: may carry a context probe */
	__u8 pad[4];
};

#endif
