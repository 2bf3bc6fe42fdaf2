// SPDX-License-Identifier: GPL-2.0
/* Large-folio splits and PMD-mapping splits, with their cause.
 *
 * No tracepoint covers splits up to 7.x, so the entry points are traced
 * with fentry/fexit, kprobe/kretprobe where fentry cannot attach. They
 * were renamed and inlined from version to version; the loader attaches
 * the one this kernel really calls (__folio_split from 6.18,
 * split_huge_page_to_list_to_order on 6.12, split_huge_page_to_list on
 * 6.1) plus folio_split_unmapped (7.x), which splits unmapped folios during
 * (device) migration. The cause comes from the task's context, or from
 * the kernel stack where that cannot decide (cause_context.bpf.h).
 *
 * A split belongs to the current task, except that one a kernel thread
 * performs on an anon folio (the shrinker, khugepaged) or on a PMD
 * belongs to the process owning the memory. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "thpscope.bpf.h"
#include "folio.bpf.h"
#include "cause_context.bpf.h"
#include "pmd.bpf.h"
#include "split.h"
#include "filter.bpf.h"
#include "trace.bpf.h"

/* __folio_split's last argument: bool uniform_split (6.18) or enum
 * split_type (7.x, SPLIT_TYPE_UNIFORM == 0). */
const volatile bool split_type_enum;

/* A folio split in progress; ts 0: none. */
struct split_start {
	__u64 ts;
	__u64 folio;
	struct task_struct *task;
	__u8 old_order;
	__u8 new_order;
	__u8 kind;
	__u8 uniform;
	__u8 cause;
	__u8 entry;
};

/* The folio split a task is in, in the task's storage (see pmd_starts). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct split_start);
} split_starts SEC(".maps");

/* Split counts in claimed slots (split.h); those of a key that does not
 * pack into a tag, in the hash. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);	/* read in place at harvest */
	__uint(max_entries, PROC_SLOTS);
	__type(key, __u32);
	__type(value, struct split_slot);
} split_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct split_key);
	__type(value, __u64);
} split_counts SEC(".maps");

/* Indexed by the order split, so that the hot path never inserts. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);	/* read in place at harvest */
	__uint(max_entries, SPLIT_MAX_ORDER);
	__type(key, __u32);
	__type(value, struct hist);
} split_latency SEC(".maps");

/* Slots claimed per process (proc_slot.h), so that counting never inserts. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);	/* read in place at harvest */
	__uint(max_entries, PROC_SLOTS);
	__type(key, __u32);
	__type(value, struct split_proc);
} split_procs SEC(".maps");

/* A PMD split in progress; pmd 0: none. */
struct pmd_start {
	__u64 pmd;
	__u64 addr;
	struct task_struct *task;
	__u8 cause;
};

/*
 * The PMD splits a task is in. Outer: __split_huge_pmd(). Inner:
 * split_huge_pmd_locked(), which the rmap walk of a folio split or unmap
 * calls directly (6.12+), and which __split_huge_pmd() calls too: inside
 * an outer split it is skipped. In the task's storage, made at the task's
 * first split: a split finds its start again without hashing, inserting
 * or deleting anything.
 */
struct pmd_starts {
	struct pmd_start outer;
	struct pmd_start inner;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pmd_starts);
} pmd_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CAUSE_NR);
	__type(key, __u32);
	__type(value, __u64);
} pmd_splits SEC(".maps");

static __always_inline struct split_start *task_split_start(__u64 flags)
{
	return bpf_task_storage_get(&split_starts, bpf_get_current_task_btf(), 0, flags);
}

static __always_inline void split_begin(void *ctx, struct folio *folio,
					__u32 new_order, bool uniform, __u8 entry)
{
	struct task_struct *task = folio_task(folio);
	struct split_start *s;

	if (!task_selected(task))
		return;
	s = task_split_start(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		map_full_count();
		return;
	}
	s->folio = (__u64)folio;
	s->old_order = folio_order_of(folio);
	s->new_order = new_order;
	s->kind = folio_kind_of(folio);
	s->uniform = uniform;
	s->entry = entry;
	s->task = task;
	s->cause = cause_of(ctx, TIER_FOLIO);
	if (s->cause == CAUSE_MIGRATION && folio_partially_mapped(folio))
		s->cause = CAUSE_MIGRATION_PARTIAL;
	s->ts = bpf_ktime_get_ns();
}

static __always_inline void trace_split(struct split_start *s, long ret, __u64 ns)
{
	struct thp_event *e = trace_begin(SE_FOLIO_SPLIT, s->task);
	struct split_folio_event *b;

	if (!e)
		return;
	b = TRACE_BODY(e, struct split_folio_event);
	b->order = s->old_order;
	b->new_order = s->new_order;
	b->cause = s->cause;
	b->kind = s->kind;
	b->uniform = s->uniform;
	b->entry = s->entry;
	b->ret = ret;
	b->folio = s->folio;
	b->ns = ns;
	trace_end(e);
}

/* Count the split of KEY: in its slot, or in the hash when it has none. */
static __always_inline void count_split(const struct split_key *key)
{
	static const __u64 zero;
	__u64 tag = split_key_tag(key), *cnt;
	struct split_slot *slot;
	bool new;

	if (tag) {
		slot = proc_slot_lookup(&split_slots, tag, &new);
		cnt = slot ? &slot->n : NULL;
	} else {
		cnt = lookup_or_init(&split_counts, key, &zero);
	}
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
}

static __always_inline void split_end(long ret)
{
	struct split_start *s = task_split_start(0);
	struct split_key key = {};
	struct split_proc *p;
	struct task_struct *task;
	__u32 tgid, order;
	struct hist *h;
	__u64 ns;
	bool new;

	if (!s || !s->ts)
		return;
	ns = bpf_ktime_get_ns() - s->ts;
	task = s->task;
	tgid = task_tgid(task);
	key.old_order = s->old_order;
	key.new_order = s->new_order;
	key.cause = s->cause;
	key.kind = s->kind;
	key.uniform = s->uniform;
	key.entry = s->entry;
	key.result = ret;
	key.cgroup = task_cgroup_key(task);
	count_split(&key);
	order = s->old_order;
	h = bpf_map_lookup_elem(&split_latency, &order);
	if (h)
		hist_add(h, ns);
	else
		map_full_count();
	p = proc_slot_lookup(&split_procs, proc_slot_tgid_tag(tgid), &new);
	if (p) {
		if (new)
			BPF_CORE_READ_STR_INTO(&p->comm, task, group_leader, comm);
		__sync_fetch_and_add(ret ? &p->failed : &p->splits, 1);
	}
	trace_split(s, ret, ns);
	s->ts = 0;
}

static __always_inline bool uniform_arg(__u64 v)
{
	return split_type_enum ? v == 0 : v != 0;
}

/* __folio_split(folio, new_order, split_at, lock_at, list, uniform|split_type) */
SEC("fentry/__folio_split")
int BPF_PROG(folio_split_enter)
{
	__u64 folio = 0, order = 0, uniform = 0;

	if (!in_window())
		return 0;
	bpf_get_func_arg(ctx, 0, &folio);
	bpf_get_func_arg(ctx, 1, &order);
	bpf_get_func_arg(ctx, 5, &uniform);
	split_begin(ctx, (struct folio *)folio, order, uniform_arg(uniform), ENTRY_COUNTED);
	return 0;
}

SEC("fexit/__folio_split")
int BPF_PROG(folio_split_exit)
{
	__u64 ret = 0;

	if (!in_window())
		return 0;
	bpf_get_func_ret(ctx, &ret);
	split_end((int)ret);
	return 0;
}

SEC("kprobe/__folio_split")
int BPF_KPROBE(folio_split_kprobe, struct folio *folio, unsigned int new_order)
{
	if (!in_window())
		return 0;
	split_begin(ctx, folio, new_order, uniform_arg(PT_REGS_PARM6(ctx)), ENTRY_COUNTED);
	return 0;
}

SEC("kretprobe/__folio_split")
int BPF_KRETPROBE(folio_split_kretprobe, int ret)
{
	if (!in_window())
		return 0;
	split_end(ret);
	return 0;
}

/* split_huge_page_to_list_to_order(page, list, new_order): 6.12 */
SEC("fentry/split_huge_page_to_list_to_order")
int BPF_PROG(to_order_enter, struct page *page, struct list_head *list, unsigned int new_order)
{
	if (!in_window())
		return 0;
	split_begin(ctx, page_folio_of(page), new_order, true, ENTRY_COUNTED);
	return 0;
}

SEC("fexit/split_huge_page_to_list_to_order")
int BPF_PROG(to_order_exit, struct page *page, struct list_head *list, unsigned int new_order,
	     int ret)
{
	if (!in_window())
		return 0;
	split_end(ret);
	return 0;
}

SEC("kprobe/split_huge_page_to_list_to_order")
int BPF_KPROBE(to_order_kprobe, struct page *page, struct list_head *list, unsigned int new_order)
{
	if (!in_window())
		return 0;
	split_begin(ctx, page_folio_of(page), new_order, true, ENTRY_COUNTED);
	return 0;
}

SEC("kretprobe/split_huge_page_to_list_to_order")
int BPF_KRETPROBE(to_order_kretprobe, int ret)
{
	if (!in_window())
		return 0;
	split_end(ret);
	return 0;
}

/* split_huge_page_to_list(page, list): 6.1, to order 0 */
SEC("fentry/split_huge_page_to_list")
int BPF_PROG(to_list_enter, struct page *page)
{
	if (!in_window())
		return 0;
	split_begin(ctx, page_folio_of(page), 0, true, ENTRY_COUNTED);
	return 0;
}

SEC("fexit/split_huge_page_to_list")
int BPF_PROG(to_list_exit, struct page *page, struct list_head *list, int ret)
{
	if (!in_window())
		return 0;
	split_end(ret);
	return 0;
}

SEC("kprobe/split_huge_page_to_list")
int BPF_KPROBE(to_list_kprobe, struct page *page)
{
	if (!in_window())
		return 0;
	split_begin(ctx, page_folio_of(page), 0, true, ENTRY_COUNTED);
	return 0;
}

SEC("kretprobe/split_huge_page_to_list")
int BPF_KRETPROBE(to_list_kretprobe, int ret)
{
	if (!in_window())
		return 0;
	split_end(ret);
	return 0;
}

/* folio_split_unmapped(folio, new_order): 7.x, splits during migration */
SEC("fentry/folio_split_unmapped")
int BPF_PROG(unmapped_enter, struct folio *folio, unsigned int new_order)
{
	if (!in_window())
		return 0;
	split_begin(ctx, folio, new_order, true, ENTRY_UNMAPPED);
	return 0;
}

SEC("fexit/folio_split_unmapped")
int BPF_PROG(unmapped_exit, struct folio *folio, unsigned int new_order, int ret)
{
	if (!in_window())
		return 0;
	split_end(ret);
	return 0;
}

SEC("kprobe/folio_split_unmapped")
int BPF_KPROBE(unmapped_kprobe, struct folio *folio, unsigned int new_order)
{
	if (!in_window())
		return 0;
	split_begin(ctx, folio, new_order, true, ENTRY_UNMAPPED);
	return 0;
}

SEC("kretprobe/folio_split_unmapped")
int BPF_KRETPROBE(unmapped_kretprobe, int ret)
{
	if (!in_window())
		return 0;
	split_end(ret);
	return 0;
}

/*
 * PMD-mapping splits. __split_huge_pmd() is also called on PMDs that turn
 * out not to map a THP; the kernel counts thp_split_pmd only when the PMD
 * mapped one (present and huge, or a migration or device entry) and stops
 * being huge. The same test here makes the total equal thp_split_pmd.
 */
static __always_inline struct pmd_starts *task_pmd_starts(__u64 flags)
{
	return bpf_task_storage_get(&pmd_starts, bpf_get_current_task_btf(), 0, flags);
}

static __always_inline void pmd_begin(void *ctx, bool inner, struct vm_area_struct *vma,
				      __u64 pmd, __u64 addr)
{
	struct pmd_starts *ps = task_pmd_starts(0);
	struct task_struct *task;
	struct pmd_start *s;

	if (inner && ps && ps->outer.pmd)
		return;
	if (!pmd_maps_huge(read_pmd(pmd)))
		return;
	task = current_is_kthread() ? mm_owner(BPF_CORE_READ(vma, vm_mm)) :
	       (struct task_struct *)bpf_get_current_task();
	if (!task_selected(task))
		return;
	if (!ps)
		ps = task_pmd_starts(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ps) {
		map_full_count();
		return;
	}
	s = inner ? &ps->inner : &ps->outer;
	s->addr = addr;
	s->task = task;
	s->cause = cause_of(ctx, TIER_PMD);
	s->pmd = pmd;
}

static __always_inline void pmd_end(bool inner)
{
	struct pmd_starts *ps = task_pmd_starts(0);
	struct pmd_start *s;
	__u32 cause;
	__u64 *cnt;

	if (!ps)
		return;
	s = inner ? &ps->inner : &ps->outer;
	if (!s->pmd)
		return;
	cause = s->cause;
	if (!pmd_maps_huge(read_pmd(s->pmd))) {
		struct thp_event *e;

		cnt = bpf_map_lookup_elem(&pmd_splits, &cause);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
		e = trace_begin(SE_PMD_SPLIT, s->task);
		if (e) {
			struct split_pmd_event *b = TRACE_BODY(e, struct split_pmd_event);

			b->cause = cause;
			b->address = s->addr;
			trace_end(e);
		}
	}
	s->pmd = 0;
}

/* __split_huge_pmd(vma, pmd, address, freeze[, folio before 6.18]) */
SEC("fentry/__split_huge_pmd")
int BPF_PROG(pmd_enter, struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	if (!in_window())
		return 0;
	pmd_begin(ctx, false, vma, (__u64)pmd, address);
	return 0;
}

SEC("fexit/__split_huge_pmd")
int BPF_PROG(pmd_exit)
{
	if (!in_window())
		return 0;
	pmd_end(false);
	return 0;
}

SEC("kprobe/__split_huge_pmd")
int BPF_KPROBE(pmd_kprobe, struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	if (!in_window())
		return 0;
	pmd_begin(ctx, false, vma, (__u64)pmd, address);
	return 0;
}

SEC("kretprobe/__split_huge_pmd")
int BPF_KRETPROBE(pmd_kretprobe)
{
	if (!in_window())
		return 0;
	pmd_end(false);
	return 0;
}

/* split_huge_pmd_locked(vma, address, pmd, freeze[, folio before 6.18]) */
SEC("fentry/split_huge_pmd_locked")
int BPF_PROG(pmd_locked_enter, struct vm_area_struct *vma, unsigned long address, pmd_t *pmd)
{
	if (!in_window())
		return 0;
	pmd_begin(ctx, true, vma, (__u64)pmd, address);
	return 0;
}

SEC("fexit/split_huge_pmd_locked")
int BPF_PROG(pmd_locked_exit)
{
	if (!in_window())
		return 0;
	pmd_end(true);
	return 0;
}

SEC("kprobe/split_huge_pmd_locked")
int BPF_KPROBE(pmd_locked_kprobe, struct vm_area_struct *vma, unsigned long address, pmd_t *pmd)
{
	if (!in_window())
		return 0;
	pmd_begin(ctx, true, vma, (__u64)pmd, address);
	return 0;
}

SEC("kretprobe/split_huge_pmd_locked")
int BPF_KRETPROBE(pmd_locked_kretprobe)
{
	if (!in_window())
		return 0;
	pmd_end(true);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
