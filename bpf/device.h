/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the device-migration family's maps, shared by
 * device.bpf.c and the loader. */
#ifndef THPSCOPE_DEVICE_H
#define THPSCOPE_DEVICE_H

#include "hist.h"
#include "trace.h"

enum dev_direction {
	DIR_TO_DEVICE,		/* MIGRATE_VMA_SELECT_SYSTEM */
	DIR_TO_RAM,		/* device-private or coherent source, by the driver */
	DIR_FAULT,		/* to RAM from a CPU fault (fault_page set) */
	DIR_EVICT,		/* migrate_device_range/pfns: the driver evicts */
	DIR_NR,
};

enum dev_phase {
	PHASE_SETUP,
	PHASE_PAGES,
	PHASE_FINALIZE,
	PHASE_TOTAL,
	PHASE_NR,
};

/* Why a THP did not reach the other side whole. */
enum dev_fallback {
	FB_COMPOUND_NOT_REQUESTED,
	FB_RANGE_NOT_ALIGNED,	/* the range does not cover whole PMDs */
	FB_PTE_MAPPED_MTHP,	/* a large folio smaller than a PMD, mapped by PTEs */
	FB_PTE_MAPPED_THP,	/* a PMD-size folio mapped by PTEs */
	FB_COLLECT_FAILED,	/* lock, reference or migration-entry failure */
	FB_SPLIT_FAILED,	/* the split itself failed */
	FB_DEVICE_ALLOC,	/* the driver gave base pages: split unmapped */
	FB_NR,
};

/* Per calling site (a driver's code) and direction. */
/* Return addresses kept of a call's kernel stack, innermost first: the
 * migration machinery's frames, then the driver's. */
#define DEV_CALLER_FRAMES 6

/* Kept in the key itself, not as a stack map's id: two stacks that hash
 * alike would make bpf_get_stackid fail, and the call lose its driver. */
struct dev_key {
	__u64 caller[DEV_CALLER_FRAMES];	/* the call's kernel stack */
	__u32 direction;
	__u32 modgen;		/* modules freed before the call began */
	__u64 cgroup;		/* the caller's cgroup (filter.bpf.h), 0 when not asked */
};

struct dev_stats {
	__u64 calls;
	__u64 pages;		/* pages asked for */
	__u64 collected;	/* pages collected (cpages) */
	__u64 migrated;		/* pages migrated in the end */
	__u64 thp_whole;	/* THPs that went whole */
	__u64 thp_split;	/* THPs split on the way */
	__u64 compound_collected;	/* THPs collected whole by setup */
	/* PMD-size ranges with no folio to move (empty, or the huge zero
	 * page): not THPs, though collected and filled as one entry. */
	__u64 holes_collected;	/* collected whole by setup */
	__u64 holes_filled;	/* filled by one large folio on the other side */
	struct hist latency[PHASE_NR];
};

/* Faults on device-private memory at one address of one process. */
struct fault_key {
	__u32 tgid;
	__u32 pad;
	__u64 address;
};

struct fault_rec {
	__u64 count;		/* every fault there */
	__u64 stalled;		/* faults since one last migrated pages */
	__u64 max_stalled;	/* the longest such run: a spinning fault */
	__u64 first_ns;
	__u64 last_ns;
	__u64 size;		/* of the faulting mapping, bytes */
	char comm[16];
};

/* A module freed while recording: its text, to name it as the driver of
 * the calls it made before (the stacks are resolved after the run). */
#define MODULE_NAME_LEN 56
#define GONE_MODULES 64

struct gone_module {
	__u64 base;
	__u64 size;
	char name[MODULE_NAME_LEN];
};

#define HMM_ORDERS 16

struct hmm_stats {
	__u64 calls;
	__u64 pages;
	__u64 busy;			/* -EBUSY: the caller must retry */
	__u64 errors;			/* other failures */
	__u64 by_order[HMM_ORDERS];	/* pages returned, by mapping order */
};

#define NOTIFY_EVENTS 8

/* A device-private address faulted this often in a row with nothing
 * migrated is reported as spinning. */
#define LIVELOCK_MIN_FAULTS 3

/* Streamed events. */
enum device_event {
	DEV_MIGRATE_VMA,	/* a finished migrate_vma or eviction call */
	DEV_FAULT,		/* a CPU fault on device-private memory */
	DEV_SPINNING,		/* a fault first found spinning: a pathology
				 * event (struct pathology_event_body) */
	DEV_NR,
};

struct device_vma_event {
	__u32 direction;	/* enum dev_direction */
	__u32 pad;
	__u64 start;		/* the range's first address */
	__u64 pages;		/* the range's pages */
	__u64 collected;	/* pages collected for migration */
	__u64 migrated;
	__u64 thp_whole;	/* THPs moved whole */
	__u64 thp_split;	/* THPs split to move */
	__u64 ns;		/* from setup to finalize */
};
TRACE_BODY_FITS(struct device_vma_event);

struct device_fault_event {
	__u8 order;		/* of the faulting mapping */
	__u8 pad[7];
	__u64 address;
	__u64 faults_here;	/* at this address so far */
	__u64 migrated;		/* pages this fault migrated */
	__u64 stalled;		/* faults in a row here with nothing migrated */
};
TRACE_BODY_FITS(struct device_fault_event);

#endif
