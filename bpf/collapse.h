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
 * Outcomes without a cgroup are counted in an array, so that counting one
 * never inserts: a slot per event, source, order (ORDER_NONE in the last
 * order slot) and result. What it cannot index (a result or order beyond
 * it) goes to the collapse_key map, as every outcome does with a cgroup.
 * The result moves slowest in the index: the few results most outcomes
 * have (SCAN_SUCCEED first) keep every event's slots within a page, which
 * the frequent PMD scans keep warm for the rarer isolations and
 * collapses (bench/README.md: a rare event's first touch of a cold page
 * of map memory costs ~100 ns on the test machine).
 */
#define COLLAPSE_ORDER_SLOTS 16
#define COLLAPSE_RESULT_SLOTS 64
#define COLLAPSE_SLOTS (CE_NR * SRC_NR * COLLAPSE_ORDER_SLOTS * COLLAPSE_RESULT_SLOTS)

/* The slot of KEY (whose cgroup is ignored), COLLAPSE_SLOTS when none. */
static inline __u32 collapse_slot(const struct collapse_key *key)
{
	__u32 order = key->order == ORDER_NONE ? COLLAPSE_ORDER_SLOTS - 1 : key->order;

	if (key->event >= CE_NR || key->source >= SRC_NR ||
	    order >= COLLAPSE_ORDER_SLOTS || (key->order != ORDER_NONE &&
					      order == COLLAPSE_ORDER_SLOTS - 1) ||
	    key->result < 0 || key->result >= COLLAPSE_RESULT_SLOTS)
		return COLLAPSE_SLOTS;
	return ((key->result * CE_NR + key->event) * SRC_NR + key->source) *
	       COLLAPSE_ORDER_SLOTS + order;
}

/* The key of SLOT, the inverse of collapse_slot(). */
static inline struct collapse_key collapse_slot_key(__u32 slot)
{
	struct collapse_key key = {};
	__u32 order = slot % COLLAPSE_ORDER_SLOTS;

	key.order = order == COLLAPSE_ORDER_SLOTS - 1 ? ORDER_NONE : order;
	slot /= COLLAPSE_ORDER_SLOTS;
	key.source = slot % SRC_NR;
	slot /= SRC_NR;
	key.event = slot % CE_NR;
	key.result = slot / CE_NR;
	return key;
}

/* Per process that owns the collapsed mm: a slot of the collapse_procs
 * array (proc_slot.h), per source. */
struct collapse_proc_counts {
	__u64 scans;		/* PMD ranges and files scanned */
	__u64 attempts;		/* collapse attempts (anon and file) */
	__u64 succeeded;	/* attempts that ended in SCAN_SUCCEED */
};

/* A cache line each, so that khugepaged's counts share the tag's. */
struct collapse_proc {
	__u64 tag;		/* proc_slot_tgid_tag() of the process, 0: free */
	char comm[16];		/* its name when it first came */
	struct collapse_proc_counts by_source[SRC_NR];
} __attribute__((aligned(64)));

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
