/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the pathology family's maps, shared by
 * pathology.bpf.c and the loader. */
#ifndef THPSCOPE_PATHOLOGY_H
#define THPSCOPE_PATHOLOGY_H

#include "trace.h"

/* A range collapsed and split again this many times (cycles) within
 * THRASH_WINDOW_S seconds thrashes. Three cycles is two more than a
 * workload that remaps a buffer once; a minute spans many khugepaged
 * passes at its default 10 s sleep. */
#define THRASH_MIN_CYCLES 3
#define THRASH_WINDOW_S 60
/* Cycle times kept per range: THRASH_MIN_CYCLES may not exceed it. */
#define THRASH_RING 8
/* A range collapsed to a higher order than its previous collapse this
 * many times in a row within CREEP_WINDOW_S seconds of the first creeps
 * (4->5->6->9: three steps). */
#define CREEP_MIN_STEPS 3
#define CREEP_WINDOW_S 60
/* Orders of a creeping run kept, from its first collapse. */
#define CREEP_ORDERS 8
_Static_assert(THRASH_MIN_CYCLES <= THRASH_RING, "THRASH_RING keeps too few cycles");

enum pathology_kind {
	PK_THRASH,		/* collapsed then split again, over and over */
	PK_CREEP,		/* collapsed to ever higher orders */
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
	__u8 detected;		/* cycles reached THRASH_MIN_CYCLES within the window */
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
	__u64 ring[THRASH_RING];	/* when the last cycles ended */
	/* mmu-notifier invalidations of the range for a device's exclusive
	 * access, and clearing it (collapse, zap, the CPU taking it back). */
	__u64 inval_exclusive;
	__u64 inval_clear;
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
	__u64 count;		/* thrash: cycles so far; creep: steps */
	__u64 first_ns;		/* thrash: the first collapse of the range;
				 * creep: the first of the run */
	__u32 sources;		/* collapse sources seen */
	__u8 order;		/* creep: the order reached */
	__u8 pad2[3];
};
TRACE_BODY_FITS(struct pathology_event_body);

#endif
