/* SPDX-License-Identifier: GPL-2.0 */
/* Keys and values of the split family's maps, shared by split.bpf.c and
 * the loader. */
#ifndef THPSCOPE_SPLIT_H
#define THPSCOPE_SPLIT_H

#include "causes.h"
#include "folio.h"
#include "hist.h"
#include "proc_slot.h"
#include "trace.h"

/* How a folio split entered the kernel. */
enum split_entry {
	ENTRY_COUNTED,		/* __folio_split and its predecessors: the kernel counts it */
	ENTRY_UNMAPPED,		/* folio_split_unmapped: no kernel counter sees it */
};

/* Above the order of any folio: the latency histograms' count. */
#define SPLIT_MAX_ORDER 32

struct split_key {
	__u8 old_order;
	__u8 new_order;
	__u8 cause;
	__u8 kind;		/* enum folio_kind */
	__u8 uniform;
	__u8 entry;		/* enum split_entry */
	__u16 pad;
	__s32 result;		/* 0 or -errno */
	__u32 pad2;
	__u64 cgroup;		/* the task's cgroup (filter.bpf.h), 0 when not asked */
};

/*
 * The split counts without a cgroup: slots of the split_slots array
 * (proc_slot.h), each led by its key packed into a tag, so that counting a
 * split never hashes or inserts. A key whose fields do not fit the tag
 * (and every key with a cgroup) is counted in the split_counts hash.
 */
struct split_slot {
	__u64 tag;		/* split_key_tag() of its key, 0: free */
	__u64 n;
};

/* The tag's fields, from its lowest bit. */
#define SPLIT_TAG_ORDER_BITS 8
#define SPLIT_TAG_CAUSE_BITS 8
#define SPLIT_TAG_KIND_BITS 4
#define SPLIT_TAG_ERRNO_BITS 16

static inline __u64 split_tag_field(__u64 v, unsigned int *at, unsigned int bits)
{
	v <<= *at;
	*at += bits;
	return v;
}

static inline __u64 split_tag_take(__u64 tag, unsigned int *at, unsigned int bits)
{
	__u64 v = (tag >> *at) & ((1ULL << bits) - 1);

	*at += bits;
	return v;
}

/* KEY as the tag of its slot; 0 when it does not fit one. */
static inline __u64 split_key_tag(const struct split_key *key)
{
	unsigned int at = 0;
	__u64 tag;

	if (key->cgroup || key->kind >> SPLIT_TAG_KIND_BITS || key->uniform > 1 ||
	    key->entry > 1 || key->result > 0 ||
	    key->result <= -(1 << SPLIT_TAG_ERRNO_BITS))
		return 0;
	tag = split_tag_field(key->old_order, &at, SPLIT_TAG_ORDER_BITS);
	tag |= split_tag_field(key->new_order, &at, SPLIT_TAG_ORDER_BITS);
	tag |= split_tag_field(key->cause, &at, SPLIT_TAG_CAUSE_BITS);
	tag |= split_tag_field(key->kind, &at, SPLIT_TAG_KIND_BITS);
	tag |= split_tag_field(key->uniform, &at, 1);
	tag |= split_tag_field(key->entry, &at, 1);
	tag |= split_tag_field(-key->result, &at, SPLIT_TAG_ERRNO_BITS);
	return tag | PROC_SLOT_CLAIMED;
}

/* The key of TAG, the inverse of split_key_tag(). */
static inline struct split_key split_tag_key(__u64 tag)
{
	struct split_key key = {};
	unsigned int at = 0;

	key.old_order = split_tag_take(tag, &at, SPLIT_TAG_ORDER_BITS);
	key.new_order = split_tag_take(tag, &at, SPLIT_TAG_ORDER_BITS);
	key.cause = split_tag_take(tag, &at, SPLIT_TAG_CAUSE_BITS);
	key.kind = split_tag_take(tag, &at, SPLIT_TAG_KIND_BITS);
	key.uniform = split_tag_take(tag, &at, 1);
	key.entry = split_tag_take(tag, &at, 1);
	key.result = -(__s32)split_tag_take(tag, &at, SPLIT_TAG_ERRNO_BITS);
	return key;
}

/* Per process: a slot of the split_procs array (proc_slot.h), a cache
 * line each. */
struct split_proc {
	__u64 tag;		/* proc_slot_tgid_tag() of the process, 0: free */
	__u64 splits;
	__u64 failed;
	char comm[16];		/* its name when it first came */
} __attribute__((aligned(64)));

/* Streamed events. */
enum split_event {
	SE_FOLIO_SPLIT,		/* a large folio split, or failed to */
	SE_PMD_SPLIT,		/* a PMD mapping split into PTEs */
	SE_NR,
};

struct split_folio_event {
	__u8 order;
	__u8 new_order;
	__u8 cause;		/* enum cause */
	__u8 kind;		/* enum folio_kind */
	__u8 uniform;		/* split to NEW_ORDER at once, not in halves */
	__u8 entry;		/* enum split_entry */
	__u8 pad[2];
	__s32 ret;		/* 0 or -errno */
	__u32 pad2;
	__u64 folio;
	__u64 ns;
};
TRACE_BODY_FITS(struct split_folio_event);

struct split_pmd_event {
	__u8 cause;		/* enum cause */
	__u8 pad[7];
	__u64 address;
};
TRACE_BODY_FITS(struct split_pmd_event);

#endif
