// SPDX-License-Identifier: GPL-2.0
/* Pathologies: places where the kernel keeps undoing its own THP work.
 *
 * Thrash: a PMD-aligned range of one mm collapsed (collapse_huge_page,
 * khugepaged or MADV_COLLAPSE, anon) and then split, its PMD mapping
 * (__split_huge_pmd) or its folio (the split entry points), again and
 * again. A collapse followed by a split is one cycle, however many
 * splits follow; K cycles ending within T seconds (pathology.h) make the
 * range thrash, streamed once as it is detected. A
 * folio split is placed through the mapping at the root of its anon_vma:
 * exact when that mapping covers the folio, skipped otherwise (its PMD
 * split, seen on its own, then ends the cycle). Only ranges collapsed
 * while recording are followed, so a split costs one lookup elsewhere.
 *
 * Creep (7.x, where khugepaged collapses to mTHP orders): the same range
 * collapsed to a higher order than its previous collapse, K times in a
 * row within T seconds, each collapse making the next possible under
 * max_ptes_none scaled by order.
 *
 * Device-exclusive bounce: a device takes exclusive access to pages of a
 * range (make_device_exclusive: an MMU_NOTIFY_EXCLUSIVE invalidation)
 * and a collapse is attempted on it while it holds them (no clearing
 * invalidation of the range came in between, other than the attempt's
 * own), K times within T seconds. khugepaged and MADV_COLLAPSE either take the pages
 * back from the device to collapse (7.2 treats the entries like swap
 * entries and faults them in) or fail; either way the device's atomics
 * and the collapse keep undoing each other. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "thpscope.bpf.h"
#include "folio.bpf.h"
#include "causes.bpf.h"
#include "pmd.bpf.h"
#include "collapse.h"
#include "pathology.h"
#include "filter.bpf.h"
#include "trace.bpf.h"

/* K and T of every detector. */
const volatile __u32 min_count = PATHOLOGY_MIN_COUNT;
const volatile __u64 window_ns = PATHOLOGY_WINDOW_S * 1000000000ULL;
/* collapse_huge_page takes an order argument (7.x mTHP collapse). */
const volatile bool collapse_has_order;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct range_key);
	__type(value, struct range_state);
} ranges SEC(".maps");

/* collapse_huge_page's arguments, from kprobe to kretprobe. */
struct collapse_args {
	__u64 mm;
	__u64 address;
	__u32 order;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct collapse_args);
} collapsing SEC(".maps");

/* A collapse attempt on a range a device took exclusive access to, from
 * entry to return. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct range_key);
} attempting SEC(".maps");

/* A folio split of a followed range, from entry to return. */
struct folio_split {
	struct range_key key;
	__u8 cause;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct folio_split);
} folio_splits SEC(".maps");

static __always_inline __u64 pmd_start_of(__u64 address)
{
	return address & ~((1ULL << (thp_pmd_order + thp_page_shift)) - 1);
}

/* The place of K (R) is first found in a pathology of KIND. */
static __always_inline void trace_detected(const struct range_key *k, const struct range_state *r,
					   __u8 kind)
{
	struct task_struct *owner = mm_owner((struct mm_struct *)k->mm);
	struct thp_event *e = trace_begin(PE_DETECTED, owner);
	struct pathology_event_body *b;

	if (!e)
		return;
	b = TRACE_BODY(e, struct pathology_event_body);
	b->kind = kind;
	b->causes = r->causes;
	b->sources = r->sources;
	b->start = k->start;
	b->end = k->start + (1ULL << (thp_pmd_order + thp_page_shift));
	switch (kind) {
	case PK_CREEP:
		b->count = r->steps;
		b->first_ns = r->run_first_ns;
		break;
	case PK_BOUNCE:
		b->count = r->bounces;
		b->first_ns = r->bounce_first_ns;
		break;
	default:
		b->count = r->cycles;
		b->first_ns = r->first_ns;
	}
	b->order = r->last_order;
	trace_end(e);
}

/* A collapse of R (key K) to ORDER at NOW: one more step of a creeping
 * run when ORDER is higher than the last collapse's, else a new run. */
static __always_inline void creep_step(const struct range_key *k, struct range_state *r,
				       __u32 order, __u64 now)
{
	if (r->last_order && order > r->last_order && now - r->run_first_ns <= window_ns) {
		r->steps++;
	} else {
		r->steps = 0;
		r->norders = 0;
		r->run_first_ns = now;
	}
	r->last_order = order;
	r->run_last_ns = now;
	if (r->norders < CREEP_ORDERS)
		r->orders[r->norders++ & (CREEP_ORDERS - 1)] = order;
	if (r->creep_detected || r->steps < min_count)
		return;
	r->creep_detected = 1;
	r->creep_detected_ns = now;
	trace_detected(k, r, PK_CREEP);
}

/* The state of range K of MM, followed from now on when it was not;
 * NULL when MM's owner is filtered out (or the map is full). */
static __always_inline struct range_state *range_follow(struct mm_struct *mm,
							const struct range_key *k)
{
	struct task_struct *owner = mm_owner(mm);
	static const struct range_state zero;
	struct range_state *r;

	if (!owner || !task_selected(owner))
		return NULL;
	r = lookup_or_init(&ranges, k, &zero);
	if (r && !r->tgid) {
		r->tgid = BPF_CORE_READ(owner, tgid);
		BPF_CORE_READ_STR_INTO(&r->comm, owner, group_leader, comm);
	}
	return r;
}

/* The N-th event of a detector happens at NOW, its times kept in RING:
 * whether the last K of them fell within T. */
static __always_inline bool repeated(__u64 *ring, __u64 n, __u64 now)
{
	ring[n & (PATHOLOGY_RING - 1)] = now;
	if (n < min_count)
		return false;
	return now - ring[(n - min_count + 1) & (PATHOLOGY_RING - 1)] <= window_ns;
}

/* collapse_huge_page returned RET for the range of ADDRESS in MM, to
 * ORDER. */
static __always_inline void collapse_done(struct mm_struct *mm, __u64 address, __u32 order,
					  int ret)
{
	struct range_key k = { .mm = (__u64)mm, .start = pmd_start_of(address) };
	struct range_state *r;
	__u64 now;

	if (ret != bpf_core_enum_value(enum scan_result, SCAN_SUCCEED))
		return;
	r = range_follow(mm, &k);
	if (!r)
		return;
	now = bpf_ktime_get_ns();
	if (!r->collapses)
		r->first_ns = now;
	r->collapses++;
	r->collapsed = 1;
	r->last_collapse_ns = now;
	r->sources |= 1U << (current_is_kthread() ? SRC_KHUGEPAGED : SRC_MADVISE);
	creep_step(&k, r, order, now);
}

/* A split of the followed range R (key K) by CAUSE, through VIA: when
 * it was collapsed, a cycle ends. */
static __always_inline void cycle_done(const struct range_key *k, struct range_state *r,
				       __u8 cause, __u32 via)
{
	__u64 now = bpf_ktime_get_ns();

	if (!r->collapsed)
		return;
	r->collapsed = 0;
	r->last_ns = now;
	r->causes |= 1U << (cause & 31);
	r->via[via & 1]++;
	if (!repeated(r->ring, ++r->cycles, now) || r->detected)
		return;
	r->detected = 1;
	r->detected_ns = now;
	trace_detected(k, r, PK_THRASH);
}

SEC("fexit/collapse_huge_page")
int BPF_PROG(collapse_exit, struct mm_struct *mm, unsigned long address)
{
	__u64 ret = 0, order = thp_pmd_order;

	if (!in_window())
		return 0;
	/* The order is the sixth argument where the kernel has it. */
	if (bpf_get_func_arg_cnt(ctx) > 5)
		bpf_get_func_arg(ctx, 5, &order);
	bpf_get_func_ret(ctx, &ret);
	collapse_done(mm, address, order, (int)ret);
	return 0;
}

SEC("kprobe/collapse_huge_page")
int BPF_KPROBE(collapse_kprobe, struct mm_struct *mm, unsigned long address)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct collapse_args a = { .mm = (__u64)mm, .address = address, .order = thp_pmd_order };

	if (!in_window())
		return 0;
	if (collapse_has_order)
		a.order = PT_REGS_PARM6(ctx);
	bpf_map_update_elem(&collapsing, &id, &a, BPF_ANY);
	return 0;
}

SEC("kretprobe/collapse_huge_page")
int BPF_KRETPROBE(collapse_kretprobe, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct collapse_args *a = bpf_map_lookup_elem(&collapsing, &id);

	if (!a)
		return 0;
	if (in_window())
		collapse_done((struct mm_struct *)a->mm, a->address, a->order, ret);
	bpf_map_delete_elem(&collapsing, &id);
	return 0;
}

/* The PMD mapping of ADDRESS in VMA splits (when it maps a THP). */
static __always_inline void pmd_split(void *ctx, struct vm_area_struct *vma, __u64 pmd,
				      __u64 address)
{
	struct range_key k = { .mm = (__u64)BPF_CORE_READ(vma, vm_mm),
			       .start = pmd_start_of(address) };
	struct range_state *r = bpf_map_lookup_elem(&ranges, &k);

	if (!r || !r->collapsed || !pmd_maps_huge(read_pmd(pmd)))
		return;
	cycle_done(&k, r, classify(ctx, TIER_PMD), SPLIT_VIA_PMD);
}

/* __split_huge_pmd(vma, pmd, address, freeze[, folio before 6.18]) */
SEC("fentry/__split_huge_pmd")
int BPF_PROG(pmd_enter, struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	if (in_window())
		pmd_split(ctx, vma, (__u64)pmd, address);
	return 0;
}

SEC("kprobe/__split_huge_pmd")
int BPF_KPROBE(pmd_kprobe, struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	if (in_window())
		pmd_split(ctx, vma, (__u64)pmd, address);
	return 0;
}

/* The range an anon FOLIO lies in, through the mapping at the root of
 * its anon_vma; false when that mapping does not cover it. */
static __always_inline bool folio_range(struct folio *folio, struct range_key *k)
{
	struct vm_area_struct *vma = folio_anon_vma_root(folio);
	__u64 index, pgoff, pages;

	if (!vma)
		return false;
	index = BPF_CORE_READ(folio, index);
	pgoff = BPF_CORE_READ(vma, vm_pgoff);
	pages = (BPF_CORE_READ(vma, vm_end) - BPF_CORE_READ(vma, vm_start)) >> thp_page_shift;
	if (index < pgoff || index - pgoff >= pages)
		return false;
	k->mm = (__u64)BPF_CORE_READ(vma, vm_mm);
	k->start = pmd_start_of(BPF_CORE_READ(vma, vm_start) + ((index - pgoff) << thp_page_shift));
	return true;
}

static __always_inline void on_split_begin(void *ctx, struct folio *folio)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct folio_split s = {};
	struct range_state *r;

	if (!folio_range(folio, &s.key))
		return;
	r = bpf_map_lookup_elem(&ranges, &s.key);
	if (!r || !r->collapsed)
		return;
	s.cause = classify(ctx, TIER_FOLIO);
	bpf_map_update_elem(&folio_splits, &id, &s, BPF_ANY);
}

static __always_inline void on_split_end(int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct folio_split *s = bpf_map_lookup_elem(&folio_splits, &id);
	struct range_state *r;

	if (!s)
		return;
	r = ret ? NULL : bpf_map_lookup_elem(&ranges, &s->key);
	if (r)
		cycle_done(&s->key, r, s->cause, SPLIT_VIA_FOLIO);
	bpf_map_delete_elem(&folio_splits, &id);
}

#include "split_entry.bpf.h"

/* An invalidation of a followed range: device-exclusive access taken
 * (make_device_exclusive) or cleared, the evidence of a device bounce. */
static __always_inline void invalidation(struct mmu_notifier_range *range)
{
	__u32 event = BPF_CORE_READ(range, event);
	__u64 id = bpf_get_current_pid_tgid();
	struct mm_struct *mm;
	struct range_key k;
	struct range_state *r;

	if (event != bpf_core_enum_value(enum mmu_notifier_event, MMU_NOTIFY_EXCLUSIVE) &&
	    event != bpf_core_enum_value(enum mmu_notifier_event, MMU_NOTIFY_CLEAR))
		return;
	mm = BPF_CORE_READ(range, mm);
	k.mm = (__u64)mm;
	k.start = pmd_start_of(BPF_CORE_READ(range, start));
	if (event == bpf_core_enum_value(enum mmu_notifier_event, MMU_NOTIFY_CLEAR)) {
		r = bpf_map_lookup_elem(&ranges, &k);
		if (!r)
			return;
		__sync_fetch_and_add(&r->inval_clear, 1);
		/* The device's access ends (a zap, the CPU faulting the page
		 * back), unless the collapse attempt under way ends it. */
		if (r->exclusive_since_attempt && !bpf_map_lookup_elem(&attempting, &id))
			r->exclusive_since_attempt = 0;
		return;
	}
	/* Rare: a range a device takes is followed from then on. */
	r = range_follow(mm, &k);
	if (!r)
		return;
	__sync_fetch_and_add(&r->inval_exclusive, 1);
	r->exclusive_since_attempt = 1;
}

/* A collapse attempt on the PMD range of ADDRESS in VMA begins: followed
 * to its end when a device took exclusive access to the range since the
 * last attempt. */
static __always_inline void attempt_begin(struct vm_area_struct *vma, __u64 address)
{
	struct range_key k = { .mm = (__u64)BPF_CORE_READ(vma, vm_mm),
			       .start = pmd_start_of(address) };
	struct range_state *r = bpf_map_lookup_elem(&ranges, &k);
	__u64 id = bpf_get_current_pid_tgid();

	if (r && r->exclusive_since_attempt)
		bpf_map_update_elem(&attempting, &id, &k, BPF_ANY);
}

/* ... and ends with scan result RET: one more bounce. */
static __always_inline void attempt_end(int ret)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	struct range_key *k = bpf_map_lookup_elem(&attempting, &id);
	struct range_state *r;

	if (!k)
		return;
	r = in_window() ? bpf_map_lookup_elem(&ranges, k) : NULL;
	if (r) {
		now = bpf_ktime_get_ns();
		r->exclusive_since_attempt = 0;
		if (!r->bounces)
			r->bounce_first_ns = now;
		r->bounce_last_ns = now;
		r->bounce_refused += ret != bpf_core_enum_value(enum scan_result, SCAN_SUCCEED);
		r->bounce_results |= 1ULL << (ret & 63);
		if (repeated(r->bounce_ring, ++r->bounces, now) && !r->bounce_detected) {
			r->bounce_detected = 1;
			r->bounce_detected_ns = now;
			trace_detected(k, r, PK_BOUNCE);
		}
	}
	bpf_map_delete_elem(&attempting, &id);
}

/* 7.x: collapse_single_pmd(addr, vma, lock_dropped, cc), khugepaged's
 * and MADV_COLLAPSE's attempt on one PMD range. */
SEC("fentry/collapse_single_pmd")
int BPF_PROG(attempt_enter, unsigned long address, struct vm_area_struct *vma)
{
	if (in_window())
		attempt_begin(vma, address);
	return 0;
}

SEC("fexit/collapse_single_pmd")
int BPF_PROG(attempt_exit, unsigned long address, struct vm_area_struct *vma,
	     bool *lock_dropped, struct collapse_control *cc, int ret)
{
	attempt_end(ret);
	return 0;
}

SEC("kprobe/collapse_single_pmd")
int BPF_KPROBE(attempt_kprobe, unsigned long address, struct vm_area_struct *vma)
{
	if (in_window())
		attempt_begin(vma, address);
	return 0;
}

SEC("kretprobe/collapse_single_pmd")
int BPF_KRETPROBE(attempt_kretprobe, int ret)
{
	attempt_end(ret);
	return 0;
}

SEC("fentry/__mmu_notifier_invalidate_range_start")
int BPF_PROG(invalidate_enter, struct mmu_notifier_range *range)
{
	if (in_window())
		invalidation(range);
	return 0;
}

SEC("kprobe/__mmu_notifier_invalidate_range_start")
int BPF_KPROBE(invalidate_kprobe, struct mmu_notifier_range *range)
{
	if (in_window())
		invalidation(range);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
