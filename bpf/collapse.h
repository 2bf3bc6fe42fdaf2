/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the collapse family's maps (khugepaged and
 * MADV_COLLAPSE), shared by collapse.bpf.c and the loader. */
#ifndef THPSCOPE_COLLAPSE_H
#define THPSCOPE_COLLAPSE_H

#include "hist.h"
#include "proc_slot.h"
#include "trace.h"

/* Who drove a collapse: the khugepaged thread or a task's MADV_COLLAPSE. */
enum collapse_source {
	SRC_KHUGEPAGED,
	SRC_MADVISE,
	SRC_NR,
};

/* The tracepoint an outcome was read from; also the kind of its streamed
 * event. */
enum collapse_event {
	CE_SCAN_PMD,		/* mm_khugepaged_scan_pmd: result of a PMD range scan */
	CE_COLLAPSE,		/* mm_collapse_huge_page: one anon collapse attempt */
	CE_ISOLATE,		/* mm_collapse_huge_page_isolate */
	CE_SWAPIN,		/* mm_collapse_huge_page_swapin */
	CE_SCAN_FILE,		/* mm_khugepaged_scan_file */
	CE_COLLAPSE_FILE,	/* mm_khugepaged_collapse_file */
	CE_NR,
};

/* Marks "no order in this record": scan results cover a PMD range. */
#define ORDER_NONE 0xff

struct collapse_key {
	__u8 event;	/* enum collapse_event */
	__u8 source;	/* enum collapse_source */
	__u8 order;	/* target order, or ORDER_NONE */
	__u8 pad;
	__s32 result;	/* raw enum scan_result value of the running kernel */
	__u64 cgroup;	/* the owner's cgroup (filter.bpf.h), 0 when not asked */
};

/*
 * Outcomes without a cgroup are counted in one array, so that counting one
 * never inserts: a slot per result, event, source and, for the events
 * whose records carry one (the attempts: collapse, isolation, swap-in),
 * order. What it cannot index (a result or order beyond it, an order on a
 * scan) goes to the collapse_key map, as every outcome does with a
 * cgroup. Every scan_result value of 6.1 to 7.2 is below 32.
 *
 * The array is the value of a one-entry map, which the kernel allocates
 * with kmalloc, in its direct map, while it fits 32 KB
 * (PAGE_ALLOC_COSTLY_ORDER) and is not mapped to user space; a mapped
 * array is vmalloc'd, 4 KB pages. The isolation step, which comes right
 * after the collapse has flushed the TLB for the range, counts ~65 ns
 * cheaper in it on the test machine (bench/README.md). The result moves
 * slowest, so the common results of every event share lines.
 */
#define COLLAPSE_ORDER_SLOTS 16
#define COLLAPSE_RESULT_SLOTS 32
/* A result's slots: the orderless events', then the ordered ones'. */
#define COLLAPSE_EVENTS_PER_KIND 3
#define COLLAPSE_ORDERLESS_SLOTS (COLLAPSE_EVENTS_PER_KIND * SRC_NR)
#define COLLAPSE_RESULT_BLOCK (COLLAPSE_ORDERLESS_SLOTS + \
			       COLLAPSE_EVENTS_PER_KIND * SRC_NR * COLLAPSE_ORDER_SLOTS)
#define COLLAPSE_SLOTS (COLLAPSE_RESULT_SLOTS * COLLAPSE_RESULT_BLOCK)

struct collapse_outcomes {
	__u64 count[COLLAPSE_SLOTS];
};

/* The events of each kind, in the order of their slots in a block. */
static const __u8 collapse_kind_events[2][COLLAPSE_EVENTS_PER_KIND] = {
	{ CE_SCAN_PMD, CE_SCAN_FILE, CE_COLLAPSE_FILE },	/* no order */
	{ CE_COLLAPSE, CE_ISOLATE, CE_SWAPIN },			/* an order */
};

/* EVENT's place among the events of its kind, -1 for none; *ORDERED
 * tells the kind. */
static inline int collapse_event_place(__u32 event, int *ordered)
{
	int kind, place;

	for (kind = 0; kind < 2; kind++)
		for (place = 0; place < COLLAPSE_EVENTS_PER_KIND; place++)
			if (collapse_kind_events[kind][place] == event) {
				*ordered = kind;
				return place;
			}
	return -1;
}

/* The slot of KEY (whose cgroup is ignored), COLLAPSE_SLOTS when none. */
static inline __u32 collapse_slot(const struct collapse_key *key)
{
	int ordered = 0, place = collapse_event_place(key->event, &ordered);
	__u32 base;

	if (place < 0 || key->source >= SRC_NR ||
	    key->result < 0 || key->result >= COLLAPSE_RESULT_SLOTS)
		return COLLAPSE_SLOTS;
	base = key->result * COLLAPSE_RESULT_BLOCK;
	if (!ordered)
		return key->order == ORDER_NONE ? base + place * SRC_NR + key->source :
						  COLLAPSE_SLOTS;
	if (key->order >= COLLAPSE_ORDER_SLOTS)
		return COLLAPSE_SLOTS;
	return base + COLLAPSE_ORDERLESS_SLOTS +
	       (place * SRC_NR + key->source) * COLLAPSE_ORDER_SLOTS + key->order;
}

/* The key of SLOT, the inverse of collapse_slot(). */
static inline struct collapse_key collapse_slot_key(__u32 slot)
{
	__u32 at = slot % COLLAPSE_RESULT_BLOCK;
	struct collapse_key key = {};

	key.result = slot / COLLAPSE_RESULT_BLOCK;
	if (at < COLLAPSE_ORDERLESS_SLOTS) {
		key.order = ORDER_NONE;
		key.source = at % SRC_NR;
		key.event = collapse_kind_events[0][at / SRC_NR];
		return key;
	}
	at -= COLLAPSE_ORDERLESS_SLOTS;
	key.order = at % COLLAPSE_ORDER_SLOTS;
	at /= COLLAPSE_ORDER_SLOTS;
	key.source = at % SRC_NR;
	key.event = collapse_kind_events[1][at / SRC_NR];
	return key;
}

/* Per process that owns the collapsed mm: a slot of the collapse_procs
 * array (proc_slot.h), per source. */
struct collapse_proc_counts {
	__u64 scans;		/* PMD ranges and files scanned */
	__u64 attempts;		/* collapse attempts (anon and file) */
	__u64 succeeded;	/* attempts that ended in SCAN_SUCCEED */
};

/* Two cache lines each, the counts of both sources in the tag's: an
 * event reads one line of its process's slot (the name is written once,
 * when the slot is claimed). */
struct collapse_proc {
	__u64 tag;		/* proc_slot_tgid_tag() of the process, 0: free */
	struct collapse_proc_counts by_source[SRC_NR];
	char comm[16];		/* its name when it first came */
} __attribute__((aligned(64)));

/* collapse_procs' hot tier (proc_slot.h). */
#define COLLAPSE_HOT_SLOTS (PROC_HOT_BYTES / sizeof(struct collapse_proc))

struct collapse_procs_hot {
	struct collapse_proc slot[COLLAPSE_HOT_SLOTS];
};

/* mm_khugepaged_scan (7.x): one record per khugepaged pass over an mm. */
struct khugepaged_pass {
	__u64 passes;
	__u64 progress;		/* pages scanned, summed */
	__u64 full_scans;	/* passes that finished a full scan of all mms */
};

/* The body of every streamed collapse event. */
struct collapse_event_body {
	__s32 result;		/* raw enum scan_result value */
	__u8 order;		/* target order, or ORDER_NONE */
	__u8 pad[3];
	__u64 where;		/* scan_pmd, isolate, scan_file: the pfn;
				 * collapse_file: the file index */
	__u64 pages;		/* scan_pmd, isolate: referenced pages;
				 * swapin: pages swapped in */
};
TRACE_BODY_FITS(struct collapse_event_body);

struct collapse_lat_key {
	__u32 source;
	__u32 order;
};

#endif
