/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tables that never insert on the hot path, keyed by process (the tags of
 * proc_slot_tgid_tag()) or by any key that packs into a tag (the split
 * counts, split.h): an array of PROC_SLOTS values, each led by the __u64
 * tag of the key it holds (0 while free). A key's tag tries
 * PROC_SLOT_TRIES slots in a row from its hash and takes the first that
 * holds it or is free, claiming a free one with compare-and-swap so that
 * two CPUs never claim one slot for two keys. Slots are never freed, so
 * a key finds its slot again at the same place; a key whose every try
 * holds another is dropped (map_full).
 * Shared by the BPF programs and the loader's unit test.
 */
#ifndef THPSCOPE_PROC_SLOT_H
#define THPSCOPE_PROC_SLOT_H

#define PROC_SLOT_BITS 12
#define PROC_SLOTS (1U << PROC_SLOT_BITS)
#define PROC_SLOT_TRIES 4
/* Set in every tag, so that no key's tag is 0, a free slot's. */
#define PROC_SLOT_CLAIMED (1ULL << 63)

/* The tag of process TGID, for the tables keyed by process alone. */
static inline __u64 proc_slot_tgid_tag(__u32 tgid)
{
	return PROC_SLOT_CLAIMED | tgid;
}

static inline __u32 proc_slot_tag_tgid(__u64 tag)
{
	return (__u32)tag;
}

/* The slot TAG tries at its TRY-th try: Fibonacci hashing, whose top
 * bits spread the consecutive numbers tgids are. */
static inline __u32 proc_slot_index(__u64 tag, __u32 try)
{
	return ((__u32)((tag * 0x9e3779b97f4a7c15ULL) >> (64 - PROC_SLOT_BITS)) + try) &
	       (PROC_SLOTS - 1);
}

/*
 * A table's hot tier: the value of a one-entry map, PROC_HOT_BYTES at
 * most, which the kernel allocates with kmalloc (a mapped array, or any
 * map over 32 KB, is vmalloc'd in 4 KB pages, where a slot reached after
 * a collapse's copy cost the collapse probe ~150 ns more: bench/README.md).
 * A key tries PROC_HOT_TRIES hot slots in a row from the one its tag
 * hashes to, then the mapped array's. Of 100 tgids scattered as a
 * host's are, in 248 slots, about a fifth found their one slot taken and
 * went to the mapped array; with four tries about one in a hundred does
 * (tests/unit/test_proc_slot.c). 1 KB is left for the array's header in
 * the allocation.
 */
#define PROC_HOT_BYTES (31U * 1024)
#define PROC_HOT_TRIES 4

/* The hot slot of TAG among N at its TRY-th try (TRY < N): the hash's top
 * half scaled to [0, N), then the slots after it, wrapping around. */
static inline __u32 proc_slot_hot_index(__u64 tag, __u32 n, __u32 try)
{
	__u32 i = ((((tag * 0x9e3779b97f4a7c15ULL) >> 32) * n) >> 32) + try;

	return i < n ? i : i - n;
}

enum proc_slot_claim {
	PROC_SLOT_TAKEN,	/* the slot holds another key */
	PROC_SLOT_FOUND,	/* the slot holds TAG's key */
	PROC_SLOT_NEW,		/* the slot was free and is TAG's now */
};

/* Claim the slot whose tag is *WORD for TAG. Read first: once claimed, a
 * slot is only read, with no locked instruction. */
static inline enum proc_slot_claim proc_slot_claim(__u64 *word, __u64 tag)
{
	__u64 old = *(volatile __u64 *)word;

	if (!old)
		old = __sync_val_compare_and_swap(word, 0, tag);
	if (!old)
		return PROC_SLOT_NEW;
	return old == tag ? PROC_SLOT_FOUND : PROC_SLOT_TAKEN;
}

#endif
