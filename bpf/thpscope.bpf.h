/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by thpscope's BPF programs. */
#ifndef THPSCOPE_BPF_H
#define THPSCOPE_BPF_H

#include "hist.h"
#include "proc_slot.h"

/* libbpf before 1.2 has no sixth-argument accessor. */
#if !defined(PT_REGS_PARM6) && defined(__TARGET_ARCH_x86)
#define PT_REGS_PARM6(x) (((struct pt_regs *)(x))->r9)
#endif

#ifndef PF_KTHREAD
#define PF_KTHREAD 0x00200000
#endif

/* The running kernel's page geometry, set by the loader: the programs are
 * built once for every page size. */
const volatile __u32 thp_page_shift;
const volatile __u32 thp_pmd_order;
#define PAGE_BYTES (1ULL << thp_page_shift)

/*
 * The window events count in. The loader opens it beside its first
 * reading of the kernel's own counters and closes it beside the last
 * (session_window), so that both cover the same stretch of time; probes
 * attach before and detach after it. One map, shared by every object, so
 * that one write opens it for all.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} event_window SEC(".maps");

static __always_inline bool in_window(void)
{
	__u32 zero = 0, *open = bpf_map_lookup_elem(&event_window, &zero);

	return open && *open;
}

/*
 * Counts a full map had no room for. Maps are never evicted from, so
 * that every count the loader reads only grows; what did not fit is
 * counted here instead, per object (the loader reads it by name).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} map_full SEC(".maps");

/*
 * Entries lookup_or_init inserted, per object. Until the first, the
 * loader skips reading the object's hash maps: reading one walks all its
 * buckets, empty or not, and a timeline reads them ten times a second.
 * The loader maps it to read it without a system call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} map_inserts SEC(".maps");

/* A count a map had no room (or no slot) for. */
static __always_inline void map_full_count(void)
{
	__u32 zero = 0;
	__u64 *full = bpf_map_lookup_elem(&map_full, &zero);

	if (full)
		(*full)++;
}

/* Look KEY up in MAP, inserting INIT first when absent; NULL, counted in
 * map_full, when the map is full. The hash maps the loader harvests are
 * filled only through here (map_inserts). */
static __always_inline void *lookup_or_init(void *map, const void *key,
					    const void *init)
{
	void *val = bpf_map_lookup_elem(map, key);

	if (val)
		return val;
	if (!bpf_map_update_elem(map, key, init, BPF_NOEXIST)) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&map_inserts, &zero);

		if (n)
			__sync_fetch_and_add(n, 1);
	}
	val = bpf_map_lookup_elem(map, key);
	if (!val)
		map_full_count();
	return val;
}

/* The slot of TAG in MAP, an array of PROC_SLOTS values each led by its
 * tag (proc_slot.h), claimed for TAG when free (*NEW set then); NULL,
 * counted in map_full, when every slot TAG tries holds another key. */
static __always_inline void *proc_slot_lookup(void *map, __u64 tag, bool *new)
{
	enum proc_slot_claim claim;
	__u32 i, idx;
	__u64 *slot;

	for (i = 0; i < PROC_SLOT_TRIES; i++) {
		idx = proc_slot_index(tag, i);
		slot = bpf_map_lookup_elem(map, &idx);
		if (!slot)
			continue;	/* beyond a capped array */
		claim = proc_slot_claim(slot, tag);
		if (claim != PROC_SLOT_TAKEN) {
			*new = claim == PROC_SLOT_NEW;
			return slot;
		}
	}
	map_full_count();
	return NULL;
}

/* The slots a hot tier uses at most, lowered by the loader only for the
 * tests (THPSCOPE_MAP_ENTRIES, THPSCOPE_HOT_SLOTS: session.c). */
const volatile __u32 proc_hot_slots = ~0U;

/*
 * The slot of TAG in a table of two tiers: the first of the hot slots it
 * tries (proc_slot.h) in HOT, a one-entry map whose value is NHOT slots
 * of SIZE bytes, that is free or TAG's; else its slot in MAP, the mapped
 * array, as proc_slot_lookup() finds it. A key is in one tier only: hot
 * slots are never freed, so a key that found its hot slots taken always
 * will.
 */
static __always_inline void *proc_slot_lookup_tiered(void *hot, __u32 nhot, __u32 size,
						     void *map, __u64 tag, bool *new)
{
	enum proc_slot_claim claim;
	__u32 zero = 0, try;
	__u64 idx;
	void *slots;

	if (proc_hot_slots < nhot)
		nhot = proc_hot_slots;
	slots = nhot ? bpf_map_lookup_elem(hot, &zero) : NULL;
	for (try = 0; slots && try < PROC_HOT_TRIES && try < nhot; try++) {
		idx = proc_slot_hot_index(tag, nhot, try);
		/* Kept from clang, which folds the scaling into the offset's
		 * shift and mask, whose bound the verifier cannot see. */
		asm volatile("" : "+r"(idx));
		if (idx >= nhot)
			break;
		claim = proc_slot_claim(slots + idx * size, tag);
		if (claim != PROC_SLOT_TAKEN) {
			*new = claim == PROC_SLOT_NEW;
			return slots + idx * size;
		}
	}
	return proc_slot_lookup(map, tag, new);
}

/* Add V to *P unless it is 0, which saves a locked instruction. */
static __always_inline void add_nonzero(__u64 *p, __u64 v)
{
	if (v)
		__sync_fetch_and_add(p, v);
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline void hist_add(struct hist *h, __u64 v)
{
	__u32 slot = log2_u64(v);

	/* Hide the value's known range from clang so that it keeps the mask
	 * older verifiers need to bound the index. */
	asm volatile("" : "+r"(slot));
	slot &= HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
}

/* The current task, read with plain loads rather than helper calls: it
 * is the one task whose memory is hot. */
static __always_inline bool current_is_kthread(void)
{
	return bpf_get_current_task_btf()->flags & PF_KTHREAD;
}

/* mm->owner where the kernel keeps it (CONFIG_MEMCG), else NULL. */
static __always_inline struct task_struct *mm_owner_field(struct mm_struct *mm)
{
	if (bpf_core_field_exists(mm->owner))
		return BPF_CORE_READ(mm, owner);
	return NULL;
}

/* The task an mm belongs to: the current task when it uses that mm (no
 * cold memory to read), else mm->owner. */
static __always_inline struct task_struct *mm_owner(struct mm_struct *mm)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (t->mm == mm)
		return t;
	return mm_owner_field(mm);
}

/* T's process: the current task's with a plain load, as the flags above
 * (a helper call more is a cold line of kernel text more after a
 * collapse's copy), another's through the kernel's copy routine. */
static __always_inline __u32 task_tgid(struct task_struct *t)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	unsigned long c = (unsigned long)cur;

	/* Compared through a copy clang cannot see is CUR: else it loads
	 * through T, equal to CUR but not a pointer the verifier lets the
	 * program read. */
	asm volatile("" : "+r"(c));
	if ((unsigned long)t == c)
		return cur->tgid;
	return BPF_CORE_READ(t, tgid);
}

/* The current task's thread and process ids, as bpf_get_current_pid_tgid()
 * gives them, with plain loads. */
static __always_inline __u64 task_ids(struct task_struct *t)
{
	return (__u64)(__u32)t->tgid << 32 | (__u32)t->pid;
}

/* The task an event belongs to: the owner of MM when the event has one,
 * else the current task. */
static __always_inline struct task_struct *event_task(struct mm_struct *mm)
{
	if (mm)
		return mm_owner(mm);
	return (struct task_struct *)bpf_get_current_task();
}

#endif
