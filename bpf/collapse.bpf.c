// SPDX-License-Identifier: GPL-2.0
/* Collapse of base pages into large folios: khugepaged and MADV_COLLAPSE.
 *
 * Outcomes come from the huge_memory tracepoints, read as classic
 * tracepoints through CO-RE-relocated trace_event_raw_* records, since
 * their layouts changed across kernels (a removed `writable`, an added
 * `order`). Latency of collapse_huge_page comes from fentry/fexit, or
 * kprobe/kretprobe where fentry cannot attach; the loader picks one.
 *
 * Events belong to the process owning the mm. The isolate record carries
 * no mm: in khugepaged, when a filter, a trace or per-cgroup counts need
 * its owner (isolate_needs_owner()), the step waits for the
 * mm_collapse_huge_page event that ends its attempt (every
 * collapse_huge_page call ends with one) and is counted then, with its own
 * time. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "thpscope.bpf.h"
#include "collapse.h"
#include "filter.bpf.h"
#include "trace.bpf.h"

/* collapse_huge_page takes an order argument (7.x mTHP collapse). */
const volatile bool collapse_has_order;

/* One entry, so that the kernel allocates it with kmalloc (collapse.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct collapse_outcomes);
} collapse_outcomes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct collapse_key);
	__type(value, __u64);
} collapse_counts SEC(".maps");

/* Slots claimed per process (proc_slot.h), so that counting never
 * inserts: the hot tier, then the mapped array. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct collapse_procs_hot);
} collapse_procs_hot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);	/* read in place at harvest */
	__uint(max_entries, PROC_SLOTS);
	__type(key, __u32);
	__type(value, struct collapse_proc);
} collapse_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct khugepaged_pass);
} khugepaged_passes SEC(".maps");

struct collapse_start {
	__u64 ts;
	struct mm_struct *mm;
	__u32 order;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct collapse_start);
} collapse_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct collapse_lat_key);
	__type(value, struct hist);
} collapse_latency SEC(".maps");

static __always_inline __u8 current_source(void)
{
	return current_is_kthread() ? SRC_KHUGEPAGED : SRC_MADVISE;
}

/* An outcome from SOURCE, of the mm of process OWNER (needed with
 * --by-cgroup only). */
static __always_inline void count_outcome(struct task_struct *owner, __u8 source, __u8 event,
					  __u8 order, int result)
{
	struct collapse_key key = {
		.event = event,
		.source = source,
		.order = order,
		.result = result,
		.cgroup = task_cgroup_key(owner),
	};
	static const __u64 zero;
	__u64 slot = by_cgroup ? COLLAPSE_SLOTS : collapse_slot(&key);
	struct collapse_outcomes *all;
	__u64 *cnt = NULL;
	__u32 first = 0;

	/* A 64-bit comparison: 6.1's verifier bounds only the low half of a
	 * 32-bit one, and refuses the index into the array then. */
	asm volatile("" : "+r"(slot));
	if (slot < COLLAPSE_SLOTS) {
		all = bpf_map_lookup_elem(&collapse_outcomes, &first);
		if (all)
			cnt = &all->count[slot];
	} else {
		cnt = lookup_or_init(&collapse_counts, &key, &zero);
	}
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
}

/* The process an event's mm belongs to, and who collapses it, read once
 * per event. */
struct event_owner {
	struct task_struct *task;	/* NULL: none */
	__u32 tgid;
	__u8 source;
};

/*
 * Resolve the owner of MM into O; whether the filters keep it. The
 * current task's mm tells the source as well as its flags would, from a
 * line the owner's lookup reads anyway (the flags are on another):
 * khugepaged, a kernel thread, has none; MADV_COLLAPSE runs in a task
 * that has one, MM itself or, through process_madvise(), another.
 */
static __always_inline bool owner_selected(struct mm_struct *mm, struct event_owner *o)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *own = t->mm;

	o->source = own ? SRC_MADVISE : SRC_KHUGEPAGED;
	if (own == mm || !mm) {
		o->task = t;
		o->tgid = t->tgid;
	} else {
		/* Another task's: not the current one, which uses another mm. */
		struct task_struct *owner = mm_owner_field(mm);

		o->task = owner;
		o->tgid = owner ? BPF_CORE_READ(owner, tgid) : 0;
	}
	return process_selected(o->task, o->tgid);
}

/* Per owning process: a scan, or an attempt with its result. */
static __always_inline void count_proc(const struct event_owner *o, bool attempt, int result)
{
	struct task_struct *owner = o->task;
	struct collapse_proc_counts *c;
	struct collapse_proc *p;
	bool new;

	if (!owner)
		return;
	p = proc_slot_lookup_tiered(&collapse_procs_hot, COLLAPSE_HOT_SLOTS, sizeof(*p),
				    &collapse_procs, proc_slot_tgid_tag(o->tgid), &new);
	if (!p)
		return;
	if (new)
		BPF_CORE_READ_STR_INTO(&p->comm, owner, group_leader, comm);
	c = o->source == SRC_KHUGEPAGED ? &p->by_source[SRC_KHUGEPAGED] :
					  &p->by_source[SRC_MADVISE];
	if (!attempt) {
		__sync_fetch_and_add(&c->scans, 1);
		return;
	}
	__sync_fetch_and_add(&c->attempts, 1);
	if (result == bpf_core_enum_value(enum scan_result, SCAN_SUCCEED))
		__sync_fetch_and_add(&c->succeeded, 1);
}

/* Stream one outcome when tracing; TS is when it happened, 0 for now. */
static __always_inline void trace_outcome(__u8 kind, struct task_struct *t, __u64 ts,
					  __u8 order, int result, __u64 where,
					  __u64 pages)
{
	struct thp_event *e = trace_begin(kind, t);
	struct collapse_event_body *b;

	if (!e)
		return;
	if (ts)
		e->ts = ts;
	b = TRACE_BODY(e, struct collapse_event_body);
	b->result = result;
	b->order = order;
	b->where = where;
	b->pages = pages;
	trace_end(e);
}

/* An isolation step of khugepaged waiting for the end of its attempt. */
struct isolate_step {
	__u64 ts;
	__u64 pfn;
	__s32 status;
	__u32 referenced;
	__u8 order;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct isolate_step);
} pending_isolates SEC(".maps");

/*
 * An isolation step needs its owner, which only the attempt's end tells in
 * khugepaged, when a filter selects processes, a trace streams it or
 * counts go per cgroup. Leaving thpscope's own process out does not need
 * it: MADV_COLLAPSE runs in its owner, and khugepaged never isolates in
 * thpscope's memory, whose THP is off (main.c).
 */
static __always_inline bool isolate_needs_owner(void)
{
	return filter_selective || trace_enabled || by_cgroup;
}

static __always_inline void isolate_outcome(struct task_struct *t, const struct isolate_step *s)
{
	if (!task_selected(t))
		return;
	count_outcome(t, current_source(), CE_ISOLATE, s->order, s->status);
	trace_outcome(CE_ISOLATE, t, s->ts, s->order, s->status, s->pfn, s->referenced);
}

SEC("tracepoint/huge_memory/mm_khugepaged_scan_pmd")
int scan_pmd(struct trace_event_raw_mm_khugepaged_scan_pmd *ctx)
{
	struct event_owner o;

	if (!in_window())
		return 0;
	if (!owner_selected(ctx->mm, &o))
		return 0;
	count_outcome(o.task, o.source, CE_SCAN_PMD, ORDER_NONE, ctx->status);
	count_proc(&o, false, 0);
	trace_outcome(CE_SCAN_PMD, o.task, 0, ORDER_NONE, ctx->status,
		      ctx->pfn, ctx->referenced);
	return 0;
}

SEC("tracepoint/huge_memory/mm_collapse_huge_page")
int collapse(struct trace_event_raw_mm_collapse_huge_page *ctx)
{
	struct isolate_step *step;
	__u8 order = thp_pmd_order;
	struct event_owner o;
	bool selected;
	__u64 id;

	if (!in_window())
		return 0;
	selected = owner_selected(ctx->mm, &o);
	/* Only khugepaged's isolation steps wait (see isolate()). */
	if (isolate_needs_owner() && o.source == SRC_KHUGEPAGED) {
		id = bpf_get_current_pid_tgid();
		step = bpf_map_lookup_elem(&pending_isolates, &id);
		if (step) {
			isolate_outcome(o.task, step);
			bpf_map_delete_elem(&pending_isolates, &id);
		}
	}
	if (!selected)
		return 0;
	if (bpf_core_field_exists(ctx->order))
		order = ctx->order;
	count_outcome(o.task, o.source, CE_COLLAPSE, order, ctx->status);
	count_proc(&o, true, ctx->status);
	trace_outcome(CE_COLLAPSE, o.task, 0, order, ctx->status, 0, 0);
	return 0;
}

SEC("tracepoint/huge_memory/mm_collapse_huge_page_isolate")
int isolate(struct trace_event_raw_mm_collapse_huge_page_isolate *ctx)
{
	struct isolate_step s = {
		.pfn = ctx->pfn,
		.status = ctx->status,
		.referenced = ctx->referenced,
		.order = thp_pmd_order,
	};
	__u64 id;

	if (!in_window())
		return 0;
	if (bpf_core_field_exists(ctx->order))
		s.order = ctx->order;
	/* With no -p, --comm or --cgroup, the one filter is thpscope's own
	 * process, which never calls MADV_COLLAPSE: the current task's
	 * process, a cold line at this point of a collapse (bench/README.md),
	 * is read only when a filter needs it. */
	if (!isolate_needs_owner()) {
		if (!filter_selective || current_is_kthread() || current_selected())
			count_outcome(NULL, current_source(), CE_ISOLATE, s.order, s.status);
		return 0;
	}
	if (!current_is_kthread()) {
		isolate_outcome((struct task_struct *)bpf_get_current_task(), &s);
		return 0;
	}
	s.ts = bpf_ktime_get_ns();
	id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending_isolates, &id, &s, BPF_ANY);
	return 0;
}

SEC("tracepoint/huge_memory/mm_collapse_huge_page_swapin")
int swapin(struct trace_event_raw_mm_collapse_huge_page_swapin *ctx)
{
	__u8 order = thp_pmd_order;
	struct task_struct *t;

	if (!in_window())
		return 0;
	t = event_task(ctx->mm);
	if (!task_selected(t))
		return 0;
	if (bpf_core_field_exists(ctx->order))
		order = ctx->order;
	count_outcome(t, current_source(), CE_SWAPIN, order, ctx->ret);
	trace_outcome(CE_SWAPIN, t, 0, order, ctx->ret, 0, ctx->swapped_in);
	return 0;
}

SEC("tracepoint/huge_memory/mm_khugepaged_scan_file")
int scan_file(struct trace_event_raw_mm_khugepaged_scan_file *ctx)
{
	struct event_owner o;

	if (!in_window())
		return 0;
	if (!owner_selected(ctx->mm, &o))
		return 0;
	count_outcome(o.task, o.source, CE_SCAN_FILE, ORDER_NONE, ctx->result);
	count_proc(&o, false, 0);
	trace_outcome(CE_SCAN_FILE, o.task, 0, ORDER_NONE, ctx->result, ctx->pfn, 0);
	return 0;
}

SEC("tracepoint/huge_memory/mm_khugepaged_collapse_file")
int collapse_file(struct trace_event_raw_mm_khugepaged_collapse_file *ctx)
{
	int result = ctx->result;
	struct event_owner o;

	if (!in_window())
		return 0;
	if (!owner_selected(ctx->mm, &o))
		return 0;
	count_outcome(o.task, o.source, CE_COLLAPSE_FILE, ORDER_NONE, result);
	trace_outcome(CE_COLLAPSE_FILE, o.task, 0, ORDER_NONE, result, ctx->index, 0);
	/* A file collapse that ends in pte_mapped_hugepage has put the new
	 * folio in the page cache; only mapping it by PMD remains. */
	if (result == bpf_core_enum_value(enum scan_result, SCAN_PTE_MAPPED_HUGEPAGE))
		result = bpf_core_enum_value(enum scan_result, SCAN_SUCCEED);
	count_proc(&o, true, result);
	return 0;
}

SEC("tracepoint/huge_memory/mm_khugepaged_scan")
int khugepaged_scan(struct trace_event_raw_mm_khugepaged_scan *ctx)
{
	__u32 zero = 0;
	struct khugepaged_pass *p = bpf_map_lookup_elem(&khugepaged_passes, &zero);

	if (!in_window())
		return 0;
	if (!p || (filter_active && !task_selected(event_task(ctx->mm))))
		return 0;
	__sync_fetch_and_add(&p->passes, 1);
	__sync_fetch_and_add(&p->progress, ctx->progress);
	if (ctx->full_scan_finished)
		__sync_fetch_and_add(&p->full_scans, 1);
	return 0;
}

static __always_inline void latency_start(struct mm_struct *mm, __u32 order)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct collapse_start s = {
		.ts = bpf_ktime_get_ns(),
		.mm = mm,
		.order = order,
	};

	if (filter_active && !task_selected(mm_owner(mm)))
		return;
	bpf_map_update_elem(&collapse_starts, &id, &s, BPF_ANY);
}

static __always_inline void latency_end(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct collapse_start *s = bpf_map_lookup_elem(&collapse_starts, &id);
	static const struct hist zero;
	struct collapse_lat_key key;
	struct hist *h;

	if (!s)
		return;
	key.source = current_source();
	key.order = s->order;
	h = lookup_or_init(&collapse_latency, &key, &zero);
	if (h)
		hist_add(h, bpf_ktime_get_ns() - s->ts);
	bpf_map_delete_elem(&collapse_starts, &id);
}

SEC("fentry/collapse_huge_page")
int BPF_PROG(collapse_enter, struct mm_struct *mm)
{
	__u64 order = thp_pmd_order;

	if (!in_window())
		return 0;
	/* The order is the sixth argument where the kernel has it. */
	if (bpf_get_func_arg_cnt(ctx) > 5)
		bpf_get_func_arg(ctx, 5, &order);
	latency_start(mm, order);
	return 0;
}

SEC("fexit/collapse_huge_page")
int BPF_PROG(collapse_exit)
{
	if (!in_window())
		return 0;
	latency_end();
	return 0;
}

SEC("kprobe/collapse_huge_page")
int BPF_KPROBE(collapse_kprobe, struct mm_struct *mm)
{
	__u32 order = thp_pmd_order;

	if (!in_window())
		return 0;
	if (collapse_has_order)
		order = PT_REGS_PARM6(ctx);
	latency_start(mm, order);
	return 0;
}

SEC("kretprobe/collapse_huge_page")
int BPF_KRETPROBE(collapse_kretprobe)
{
	if (!in_window())
		return 0;
	latency_end();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
