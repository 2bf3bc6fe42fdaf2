/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the pathology family's maps, shared by
 * pathology.bpf.c and the loader. */
#ifndef THPSCOPE_PATHOLOGY_H
#define THPSCOPE_PATHOLOGY_H

#include "trace.h"

/* The defaults of the detectors' K and T (record --pathology-count,
 * --pathology-window): a range collapsed and split again K times
 * (cycles) within T seconds thrashes; collapsed to a higher order than
 * its previous collapse K times in a row within T seconds of the first,
 * it creeps (4->5->6->9: three steps); a collapse attempted on it after
 * a device took exclusive access K times within T seconds, it bounces.
 * Three is two more than a workload that remaps a buffer once; a minute
 * spans many khugepaged passes at its default 10 s sleep. */
#define PATHOLOGY_MIN_COUNT 3
#define PATHOLOGY_WINDOW_S 60
/* Event times kept per range and detector: K may not exceed it. */
#define PATHOLOGY_RING 8
/* Orders of a creeping run kept, from its first collapse. */
#define CREEP_ORDERS 8
_Static_assert(PATHOLOGY_MIN_COUNT <= PATHOLOGY_RING, "PATHOLOGY_RING keeps too few events");

enum pathology_kind {
	PK_THRASH,		/* collapsed then split again, over and over */
	PK_CREEP,		/* collapsed to ever higher orders */
	PK_BOUNCE,		/* collapse attempted on device-exclusive entries */
	PK_SPINNING,		/* a device fault migrating nothing, over and
				 * over (device.bpf.c) */
	PK_NR,
};

/* What split a collapsed range (enum cause bits, causes.h) and who
 * collapsed it (enum collapse_source bits, collapse.h). */
enum thrash_split_via {
	SPLIT_VIA_PMD,		/* __split_huge_pmd: the PMD mapping split */
	SPLIT_VIA_FOLIO,	/* a folio split entry point */
	SPLIT_VIA_NR,
};

/* One PMD-aligned range of one mm. */
struct range_key {
	__u64 mm;		/* the mm_struct's address: a name for the run */
	__u64 start;		/* PMD-aligned */
};

/* What the detectors know of one range. */
struct range_state {
	__u32 tgid;		/* of the mm's owner */
	__u8 collapsed;		/* collapsed, not split since */
	__u8 detected;		/* K cycles within the window */
	__u8 pad[2];
	char comm[16];
	__u64 collapses;	/* successful collapses of the range */
	__u64 cycles;		/* collapses followed by a split */
	__u64 first_ns;		/* the first collapse */
	__u64 last_ns;		/* the last split that ended a cycle */
	__u64 last_collapse_ns;
	__u64 detected_ns;
	__u32 causes;		/* split causes seen (1 << enum cause) */
	__u32 sources;		/* collapse sources seen (1 << enum collapse_source) */
	__u64 via[SPLIT_VIA_NR];	/* splits that ended a cycle, by entry */
	__u64 ring[PATHOLOGY_RING];	/* when the last cycles ended */
	/* mmu-notifier invalidations of the range for a device's exclusive
	 * access, and clearing it (collapse, zap, the CPU taking it back). */
	__u64 inval_exclusive;
	__u64 inval_clear;
	/* Device-exclusive bounce: collapse attempts (collapse_single_pmd)
	 * on the range after a device took exclusive access to part of it
	 * (an MMU_NOTIFY_EXCLUSIVE invalidation since the last attempt). */
	__u64 bounces;
	__u64 bounce_refused;	/* attempts that failed */
	__u64 bounce_first_ns;
	__u64 bounce_last_ns;
	__u64 bounce_detected_ns;
	__u64 bounce_results;	/* scan results seen (1 << enum scan_result) */
	__u64 bounce_ring[PATHOLOGY_RING];
	__u8 exclusive_since_attempt;
	__u8 bounce_detected;
	__u8 pad2[6];
	/* Creep: the run of collapses each to a higher order than the last. */
	__u64 run_first_ns;	/* its first collapse */
	__u64 run_last_ns;	/* its last */
	__u64 creep_detected_ns;
	__u32 steps;		/* collapses of the run after its first */
	__u8 last_order;	/* of the last collapse, 0: none yet */
	__u8 creep_detected;
	__u8 norders;		/* orders of the run kept */
	__u8 orders[CREEP_ORDERS];
	__u8 pad3[5];
};

/* Streamed events. */
enum pathology_event {
	PE_DETECTED,		/* a pathology is first detected at a place */
	PE_NR,
};

struct pathology_event_body {
	__u8 kind;		/* enum pathology_kind */
	__u8 pad[3];
	__u32 causes;		/* split causes seen (1 << enum cause) */
	__u64 start;		/* the range */
	__u64 end;
	__u64 count;		/* thrash: cycles so far; creep: steps;
				 * bounce: collapse attempts */
	__u64 first_ns;		/* thrash: the first collapse of the range;
				 * creep: the first of the run; bounce:
				 * the first attempt */
	__u32 sources;		/* collapse sources seen */
	__u8 order;		/* creep: the order reached */
	__u8 pad2[3];
};
TRACE_BODY_FITS(struct pathology_event_body);

#endif
