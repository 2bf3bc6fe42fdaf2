/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the split family's maps, shared by split.bpf.c and
 * the loader. */
#ifndef THPSCOPE_SPLIT_H
#define THPSCOPE_SPLIT_H

#include "causes.h"
#include "hist.h"

/* How a folio split entered the kernel. */
enum split_entry {
	ENTRY_COUNTED,		/* __folio_split and its predecessors: the kernel counts it */
	ENTRY_UNMAPPED,		/* folio_split_unmapped: no kernel counter sees it */
};

struct split_key {
	__u8 old_order;
	__u8 new_order;
	__u8 cause;
	__u8 kind;		/* enum folio_kind */
	__u8 uniform;
	__u8 entry;		/* enum split_entry */
	__u16 pad;
	__s32 result;		/* 0 or -errno */
};

struct split_proc {
	__u64 splits;
	__u64 failed;
	char comm[16];
};

struct pmd_split_key {
	__u32 cause;
};

#endif
