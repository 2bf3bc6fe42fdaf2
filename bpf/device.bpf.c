// SPDX-License-Identifier: GPL-2.0
/* Device migration (migrate_vma, migrate_device) and HMM.
 *
 * No tracepoint covers these paths up to 7.x. Each migrate_vma call is
 * followed from setup through pages to finalize (the struct migrate_vma
 * is the key): direction, whether THPs were asked to move whole
 * (MIGRATE_VMA_SELECT_COMPOUND), what was collected, what moved in the
 * end, the latency of each phase, and the calling driver (from its
 * stack). THPs that did not move whole are counted with the reason where
 * it can be known. A PMD-size hole (nothing mapped, or the huge zero
 * page) collected and filled as one entry is counted apart: no THP
 * existed to move. A device-private page faulted again and again at the
 * same address without anything migrated (the spinning fault) is kept
 * as a pathology. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "thpscope.bpf.h"
#include "folio.bpf.h"
#include "device.h"
#include "pathology.h"
#include "filter.bpf.h"
#include "trace.bpf.h"

#define PFN_VALID	(1UL << 0)
#define PFN_MIGRATE	(1UL << 1)
#define PFN_COMPOUND	(1UL << 4)
#define HMM_VALID	(1UL << 63)
#define HMM_ORDER_SHIFT	53
/* Entries of src/dst/hmm_pfns examined per call: a driver evicts whole
 * chunks of device memory at once (test_hmm: 256 MB, 65536 entries). */
#define MAX_SCAN	(1 << 18)

struct call_state {
	__u64 t_start;
	__u64 t_phase;
	__u64 start;
	__u64 end;
	__u64 npages;
	__u64 collected;
	__u64 compound_collected;
	__u64 holes_collected;
	__u64 thp_split;
	__u64 caller[DEV_CALLER_FRAMES];
	__u32 direction;
	__u32 modgen;
	__u32 compound;
	__u32 lat_setup;	/* ns; the phases of one call are short */
	__u32 lat_pages;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* struct migrate_vma *, or src_pfns */
	__type(value, struct call_state);
} calls SEC(".maps");

/* The migrate_vma call a task is in, for splits it causes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} current_call SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct dev_key);
	__type(value, struct dev_stats);
} dev_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FB_NR);
	__type(key, __u32);
	__type(value, __u64);
} fallbacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct fault_key);
	__type(value, struct fault_rec);
} device_faults SEC(".maps");

/* Pages the migrate_vma calls of a task's current CPU fault migrated. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} fault_migrated SEC(".maps");

/* Modules freed so far, and the text of each by the order it went in. */
__u32 modules_gone;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GONE_MODULES);
	__type(key, __u32);
	__type(value, struct gone_module);
} gone_modules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hmm_stats);
} hmm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} hmm_ranges SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NOTIFY_EVENTS);
	__type(key, __u32);
	__type(value, __u64);
} invalidations SEC(".maps");

static __always_inline void count_fallback(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&fallbacks, &reason);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* ---- migrate_vma ---- */

static __always_inline void vma_setup_begin(void *ctx, struct migrate_vma *args)
{
	__u64 key = (__u64)args, id = bpf_get_current_pid_tgid();
	unsigned long flags = BPF_CORE_READ(args, flags);
	__u64 pmd = 1ULL << (thp_pmd_order + thp_page_shift);
	struct call_state s = {
		.t_start = bpf_ktime_get_ns(),
		.start = BPF_CORE_READ(args, start),
		.end = BPF_CORE_READ(args, end),
	};

	if (!current_selected())
		return;
	s.t_phase = s.t_start;
	s.npages = (s.end - s.start) >> thp_page_shift;
	if (BPF_CORE_READ(args, fault_page))
		s.direction = DIR_FAULT;
	else if (flags & bpf_core_enum_value(enum migrate_vma_direction, MIGRATE_VMA_SELECT_SYSTEM))
		s.direction = DIR_TO_DEVICE;
	else
		s.direction = DIR_TO_RAM;
	if (bpf_core_enum_value_exists(enum migrate_vma_direction, MIGRATE_VMA_SELECT_COMPOUND))
		s.compound = !!(flags & bpf_core_enum_value(enum migrate_vma_direction,
							     MIGRATE_VMA_SELECT_COMPOUND));
	bpf_get_stack(ctx, s.caller, sizeof(s.caller), 0);
	s.modgen = modules_gone;
	/* A THP is collected whole only from a range of whole PMDs. */
	if ((s.start & (pmd - 1)) || (s.end & (pmd - 1)))
		s.compound |= 2;
	bpf_map_update_elem(&calls, &key, &s, BPF_ANY);
	bpf_map_update_elem(&current_call, &id, &key, BPF_ANY);
}

/* Arrays are read SCAN_BLOCK entries at a time, with one helper call: an
 * eviction's array is mostly free pages (a 64 MB chunk is 16,384
 * entries), and a block with no entry to count is passed over whole. The
 * entries of a block that has one go through a loop of their own (a
 * bounded loop over the block is more than the verifier takes). A block
 * sits on the stack, which 6.1's verifier counts across the callbacks
 * (512 bytes in all). */
#define SCAN_BLOCK	16

/* Read entries [base, min(base + SCAN_BLOCK, n)) of ARR into BLK, the
 * rest of BLK zero. Returns how many, 0 past the end or when the array
 * cannot be read. */
static __always_inline __u64 read_block(const unsigned long *arr, __u64 base, __u64 n,
					unsigned long *blk)
{
	__u64 cnt = n - base;

	if (base >= n)
		return 0;
	if (cnt > SCAN_BLOCK)
		cnt = SCAN_BLOCK;
	__builtin_memset(blk, 0, SCAN_BLOCK * sizeof(*blk));
	if (bpf_probe_read_kernel(blk, cnt * sizeof(*blk), arr + base))
		return 0;
	return cnt;
}

/* The entries of BLK ORed together. */
static __always_inline unsigned long block_bits(const unsigned long *blk)
{
	unsigned long any = 0;
	int k;

#pragma unroll
	for (k = 0; k < SCAN_BLOCK; k++)
		any |= blk[k];
	return any;
}

struct scan {
	unsigned long *src;
	unsigned long *dst;
	__u64 n;
	__u64 skip;
	__u64 base;		/* the block's first entry */
	__u64 compound;		/* before pages: THP entries collected whole */
	__u64 holes;		/* PMD holes collected whole, or filled whole */
	__u64 collected;	/* before pages: pages collected */
	__u64 migrated;
	__u64 whole;
	bool after_pages;
	unsigned long blk[SCAN_BLOCK];	/* src[base...] */
};

static long scan_entry(__u32 j, void *data)
{
	struct scan *sc = data;
	__u64 i = sc->base + j;
	unsigned long s, d = 0;

	if (i < sc->skip)
		return 0;
	s = sc->blk[j & (SCAN_BLOCK - 1)];
	if (!(s & PFN_MIGRATE))
		return 0;
	if (!sc->after_pages) {
		if (s & PFN_COMPOUND) {
			if (s & PFN_VALID)
				sc->compound++;
			else
				sc->holes++;
			sc->collected += 1ULL << thp_pmd_order;
			sc->skip = i + (1ULL << thp_pmd_order);
		} else {
			sc->collected++;
		}
		return 0;
	}
	if (s & PFN_COMPOUND)
		bpf_probe_read_kernel(&d, sizeof(d), sc->dst + i);
	if (d & PFN_COMPOUND) {
		if (s & PFN_VALID)
			sc->whole++;
		else
			sc->holes++;
		sc->migrated += 1ULL << thp_pmd_order;
		sc->skip = i + (1ULL << thp_pmd_order);
	} else {
		sc->migrated++;
	}
	return 0;
}

static long scan_block(__u32 b, void *data)
{
	struct scan *sc = data;
	__u64 base = (__u64)b * SCAN_BLOCK, cnt;

	if (base + SCAN_BLOCK <= sc->skip)
		return base >= sc->n;
	cnt = read_block(sc->src, base, sc->n, sc->blk);
	if (!cnt)
		return 1;
	if (!(block_bits(sc->blk) & PFN_MIGRATE))
		return 0;
	sc->base = base;
	bpf_loop(cnt, scan_entry, sc, 0);
	return 0;
}

/* Count the entries of SC's arrays. */
static __always_inline void scan_array(struct scan *sc, __u64 npages)
{
	sc->n = npages < MAX_SCAN ? npages : MAX_SCAN;
	bpf_loop(MAX_SCAN / SCAN_BLOCK, scan_block, sc, 0);
}

static __always_inline void vma_setup_end(struct migrate_vma *args)
{
	__u64 key = (__u64)args, now = bpf_ktime_get_ns();
	struct call_state *s = bpf_map_lookup_elem(&calls, &key);
	struct scan sc = {};

	if (!s)
		return;
	s->lat_setup = now - s->t_phase;
	s->t_phase = now;
	sc.src = BPF_CORE_READ(args, src);
	scan_array(&sc, s->npages);
	s->collected = sc.collected;
	s->compound_collected = sc.compound;
	s->holes_collected = sc.holes;
}

static __always_inline void vma_pages_begin(struct migrate_vma *args)
{
	__u64 key = (__u64)args;
	struct call_state *s = bpf_map_lookup_elem(&calls, &key);

	if (s)
		s->t_phase = bpf_ktime_get_ns();
}

static __always_inline void vma_pages_end(struct migrate_vma *args)
{
	__u64 key = (__u64)args, now = bpf_ktime_get_ns();
	struct call_state *s = bpf_map_lookup_elem(&calls, &key);

	if (!s)
		return;
	s->lat_pages = now - s->t_phase;
	s->t_phase = now;
}

/* Stream a finished migrate_vma or eviction call. */
static __always_inline void trace_call(struct call_state *s, __u64 collected, __u64 migrated,
				       __u64 whole, __u64 split)
{
	struct thp_event *e = trace_begin(DEV_MIGRATE_VMA,
					    (struct task_struct *)bpf_get_current_task());
	struct device_vma_event *b;

	if (!e)
		return;
	b = TRACE_BODY(e, struct device_vma_event);
	b->direction = s->direction;
	b->start = s->start;
	b->pages = s->npages;
	b->collected = collected;
	b->migrated = migrated;
	b->thp_whole = whole;
	b->thp_split = split;
	b->ns = bpf_ktime_get_ns() - s->t_start;
	trace_end(e);
}

/* What the calls of a CPU fault migrated, for the spinning fault. */
static __always_inline void fault_progress(__u64 id, __u64 migrated)
{
	static const __u64 zero;
	__u64 *n = lookup_or_init(&fault_migrated, &id, &zero);

	if (n)
		*n += migrated;
}

/* Finalize: what stayed migrated is known; account the whole call. */
static __always_inline void vma_finalize_end(struct migrate_vma *args)
{
	__u64 key = (__u64)args, now = bpf_ktime_get_ns(), id = bpf_get_current_pid_tgid();
	struct call_state *s = bpf_map_lookup_elem(&calls, &key);
	static const struct dev_stats zero;
	struct dev_key k = {};
	struct dev_stats *st;
	struct scan sc = {};

	if (!s)
		return;
	sc.src = BPF_CORE_READ(args, src);
	sc.dst = BPF_CORE_READ(args, dst);
	sc.after_pages = true;
	scan_array(&sc, s->npages);

	__builtin_memcpy(k.caller, s->caller, sizeof(k.caller));
	k.direction = s->direction;
	k.modgen = s->modgen;
	k.cgroup = task_cgroup_key((struct task_struct *)bpf_get_current_task());
	st = lookup_or_init(&dev_stats, &k, &zero);
	if (st) {
		__sync_fetch_and_add(&st->calls, 1);
		__sync_fetch_and_add(&st->pages, s->npages);
		__sync_fetch_and_add(&st->collected, s->collected);
		__sync_fetch_and_add(&st->migrated, sc.migrated);
		__sync_fetch_and_add(&st->thp_whole, sc.whole);
		__sync_fetch_and_add(&st->thp_split, s->thp_split);
		__sync_fetch_and_add(&st->compound_collected, s->compound_collected);
		__sync_fetch_and_add(&st->holes_collected, s->holes_collected);
		__sync_fetch_and_add(&st->holes_filled, sc.holes);
		hist_add(&st->latency[PHASE_SETUP], s->lat_setup);
		hist_add(&st->latency[PHASE_PAGES], s->lat_pages);
		hist_add(&st->latency[PHASE_FINALIZE], now - s->t_phase);
		hist_add(&st->latency[PHASE_TOTAL], now - s->t_start);
	}
	trace_call(s, s->collected, sc.migrated, sc.whole, s->thp_split);
	if (s->direction == DIR_FAULT)
		fault_progress(id, sc.migrated);
	bpf_map_delete_elem(&calls, &key);
	bpf_map_delete_elem(&current_call, &id);
}

SEC("fentry/migrate_vma_setup")
int BPF_PROG(setup_enter, struct migrate_vma *args)
{
	if (!in_window())
		return 0;
	vma_setup_begin(ctx, args);
	return 0;
}

SEC("fexit/migrate_vma_setup")
int BPF_PROG(setup_exit, struct migrate_vma *args)
{
	if (!in_window())
		return 0;
	vma_setup_end(args);
	return 0;
}

SEC("kprobe/migrate_vma_setup")
int BPF_KPROBE(setup_kprobe, struct migrate_vma *args)
{
	__u64 id = bpf_get_current_pid_tgid(), a = (__u64)args;

	if (!in_window())
		return 0;
	vma_setup_begin(ctx, args);
	bpf_map_update_elem(&hmm_ranges, &id, &a, BPF_ANY);
	return 0;
}

SEC("kretprobe/migrate_vma_setup")
int BPF_KRETPROBE(setup_kretprobe)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *a = bpf_map_lookup_elem(&hmm_ranges, &id);

	if (!in_window())
		return 0;
	if (a)
		vma_setup_end((struct migrate_vma *)*a);
	bpf_map_delete_elem(&hmm_ranges, &id);
	return 0;
}

SEC("fentry/migrate_vma_pages")
int BPF_PROG(pages_enter, struct migrate_vma *args)
{
	if (!in_window())
		return 0;
	vma_pages_begin(args);
	return 0;
}

SEC("fexit/migrate_vma_pages")
int BPF_PROG(pages_exit, struct migrate_vma *args)
{
	if (!in_window())
		return 0;
	vma_pages_end(args);
	return 0;
}

SEC("fexit/migrate_vma_finalize")
int BPF_PROG(finalize_exit, struct migrate_vma *args)
{
	if (!in_window())
		return 0;
	vma_finalize_end(args);
	return 0;
}

/* ---- fallbacks ---- */

static __always_inline struct call_state *current_state(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *key = bpf_map_lookup_elem(&current_call, &id);

	return key ? bpf_map_lookup_elem(&calls, key) : NULL;
}

/* Why the THP in FOLIO is split while collected. */
static __always_inline __u32 collect_reason(struct call_state *s, struct folio *folio)
{
	if (!s || !(s->compound & 1))
		return FB_COMPOUND_NOT_REQUESTED;
	if (s->compound & 2)
		return FB_RANGE_NOT_ALIGNED;
	if (folio_order_of(folio) < thp_pmd_order)
		return FB_PTE_MAPPED_MTHP;
	if (bpf_core_field_exists(folio->_entire_mapcount) &&
	    BPF_CORE_READ(folio, _entire_mapcount.counter) < 0)
		return FB_PTE_MAPPED_THP;
	return FB_COLLECT_FAILED;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} split_reasons SEC(".maps");

/*
 * A THP split while a migrate_vma call collects it: the reason is judged
 * on entry, while the folio still has its order; counted on success.
 * These are the split entry points themselves (migrate_vma_split_folio on
 * 7.x and split_folio before both end there).
 */
static __always_inline void on_split_begin(void *ctx, struct folio *folio)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_state *s = current_state();
	__u32 reason;

	if (!s || s->direction == DIR_EVICT)
		return;
	reason = collect_reason(s, folio);
	bpf_map_update_elem(&split_reasons, &id, &reason, BPF_ANY);
}

static __always_inline void on_split_end(int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 *reason = bpf_map_lookup_elem(&split_reasons, &id);
	struct call_state *s = current_state();

	if (!reason)
		return;
	count_fallback(ret ? FB_SPLIT_FAILED : *reason);
	if (s && !ret)
		__sync_fetch_and_add(&s->thp_split, 1);
	bpf_map_delete_elem(&split_reasons, &id);
}

#include "split_entry.bpf.h"

/* folio_split_unmapped(folio, order): 7.x, the driver gave base pages */
SEC("fexit/folio_split_unmapped")
int BPF_PROG(unmapped_split_exit, struct folio *folio, unsigned int order, int ret)
{
	struct call_state *s = current_state();

	if (!in_window())
		return 0;
	count_fallback(ret ? FB_SPLIT_FAILED : FB_DEVICE_ALLOC);
	if (s && !ret)
		__sync_fetch_and_add(&s->thp_split, 1);
	return 0;
}

/* ---- eviction: migrate_device_range/pfns ... finalize ---- */

static __always_inline void evict_begin(void *ctx, unsigned long *src, __u64 npages)
{
	__u64 key = (__u64)src;
	struct call_state s = { .t_start = bpf_ktime_get_ns(), .npages = npages,
				.direction = DIR_EVICT };

	if (!current_selected())
		return;
	s.t_phase = s.t_start;
	bpf_get_stack(ctx, s.caller, sizeof(s.caller), 0);
	s.modgen = modules_gone;
	bpf_map_update_elem(&calls, &key, &s, BPF_ANY);
}

SEC("fentry/migrate_device_range")
int BPF_PROG(evict_range_enter, unsigned long *src, unsigned long start, unsigned long npages)
{
	if (!in_window())
		return 0;
	evict_begin(ctx, src, npages);
	return 0;
}

SEC("fentry/migrate_device_pfns")
int BPF_PROG(evict_pfns_enter, unsigned long *src, unsigned long npages)
{
	if (!in_window())
		return 0;
	evict_begin(ctx, src, npages);
	return 0;
}

SEC("fexit/migrate_device_finalize")
int BPF_PROG(evict_finalize_exit, unsigned long *src, unsigned long *dst, unsigned long npages)
{
	__u64 key = (__u64)src, now = bpf_ktime_get_ns();
	struct call_state *s = bpf_map_lookup_elem(&calls, &key);
	static const struct dev_stats zero;
	struct dev_key k = { .direction = DIR_EVICT };
	struct dev_stats *st;
	struct scan sc = { .src = src, .dst = dst, .after_pages = true };

	if (!in_window())
		return 0;
	if (!s)
		return 0;
	scan_array(&sc, npages);
	__builtin_memcpy(k.caller, s->caller, sizeof(k.caller));
	k.modgen = s->modgen;
	k.cgroup = task_cgroup_key((struct task_struct *)bpf_get_current_task());
	st = lookup_or_init(&dev_stats, &k, &zero);
	if (st) {
		__sync_fetch_and_add(&st->calls, 1);
		__sync_fetch_and_add(&st->pages, npages);
		__sync_fetch_and_add(&st->migrated, sc.migrated);
		__sync_fetch_and_add(&st->thp_whole, sc.whole);
		hist_add(&st->latency[PHASE_TOTAL], now - s->t_start);
	}
	trace_call(s, npages, sc.migrated, sc.whole, 0);
	bpf_map_delete_elem(&calls, &key);
	return 0;
}

/* ---- the spinning fault ---- */

/* The fault at K (R) is first found spinning. */
static __always_inline void trace_spinning(const struct fault_key *k, const struct fault_rec *r)
{
	struct thp_event *e = trace_begin(DEV_SPINNING, (struct task_struct *)bpf_get_current_task());
	struct pathology_event_body *b;

	if (!e)
		return;
	b = TRACE_BODY(e, struct pathology_event_body);
	b->kind = PK_SPINNING;
	b->start = k->address;
	b->end = k->address + r->size;
	b->count = r->stalled;
	b->first_ns = r->first_ns;
	trace_end(e);
}

/*
 * A fault on device-private memory has ended. Programs fault at the same
 * address again and again in normal use (a buffer reused in a loop); the
 * fault spins only when it keeps returning with nothing migrated, so each
 * address counts its faults since the last one that migrated pages.
 */
static __always_inline void device_fault(struct vm_fault *vmf, __u64 size)
{
	__u64 id = bpf_get_current_pid_tgid(), *migrated, moved = 0;
	struct fault_key k = { .tgid = id >> 32 };
	static const struct fault_rec zero;
	struct thp_event *e;
	struct fault_rec *r;
	__u64 now = bpf_ktime_get_ns();

	migrated = bpf_map_lookup_elem(&fault_migrated, &id);
	if (migrated) {
		moved = *migrated;
		bpf_map_delete_elem(&fault_migrated, &id);
	}
	if (!BPF_CORE_READ(vmf, page) || !current_selected())
		return;
	k.address = BPF_CORE_READ(vmf, address) & ~(size - 1);
	r = lookup_or_init(&device_faults, &k, &zero);
	if (!r)
		return;
	if (!r->count) {
		r->first_ns = now;
		r->size = size;
		bpf_get_current_comm(&r->comm, sizeof(r->comm));
	}
	__sync_fetch_and_add(&r->count, 1);
	r->last_ns = now;
	r->stalled = moved ? 0 : r->stalled + 1;
	if (r->stalled > r->max_stalled) {
		r->max_stalled = r->stalled;
		if (r->max_stalled == LIVELOCK_MIN_FAULTS)
			trace_spinning(&k, r);
	}
	e = trace_begin(DEV_FAULT, (struct task_struct *)bpf_get_current_task());
	if (e) {
		struct device_fault_event *b = TRACE_BODY(e, struct device_fault_event);

		b->order = size > PAGE_BYTES ? thp_pmd_order : 0;
		b->address = BPF_CORE_READ(vmf, address);
		b->faults_here = r->count;
		b->migrated = moved;
		b->stalled = r->stalled;
		trace_end(e);
	}
}

/* do_huge_pmd_device_private(vmf): 7.x, a device-private PMD */
SEC("fexit/do_huge_pmd_device_private")
int BPF_PROG(pmd_fault_exit, struct vm_fault *vmf)
{
	if (!in_window())
		return 0;
	device_fault(vmf, 1ULL << (thp_pmd_order + thp_page_shift));
	return 0;
}

/* do_swap_page(vmf): device-private PTEs fault here (vmf->page set to the
 * device page before migrate_to_ram). */
SEC("fexit/do_swap_page")
int BPF_PROG(pte_fault_exit, struct vm_fault *vmf)
{
	struct page *page = BPF_CORE_READ(vmf, page);
	struct folio *folio;

	if (!in_window())
		return 0;
	if (!page)
		return 0;
	folio = (struct folio *)page;	/* pgmap is read from the folio below */
	if (!bpf_core_field_exists(folio->pgmap))
		return 0;
	folio = page_folio_of(page);
	if (BPF_CORE_READ(folio, pgmap, type) != MEMORY_DEVICE_PRIVATE)
		return 0;
	device_fault(vmf, PAGE_BYTES);
	return 0;
}

/* ---- modules ---- */

/* Before 6.4's "module: replace module_layout with module_memory"
 * (ac3b43283923), a module's text began its core_layout. */
struct module_layout___old {
	void *base;
	unsigned int size;
};

struct module___old {
	struct module_layout___old core_layout;
};

/* A module is freed (after its exit function, which may have evicted its
 * device memory): keep where its text was. Not filtered: the calls it
 * made were. Two modules freed at the same instant may take one slot
 * (the count is not atomic for BPF's v1 instruction set): rare enough. */
SEC("tp_btf/module_free")
int BPF_PROG(module_free, struct module *mod)
{
	struct gone_module m = {};
	__u32 idx = modules_gone;

	modules_gone = idx + 1;

	if (bpf_core_field_exists(mod->mem)) {
		m.base = (__u64)BPF_CORE_READ(mod, mem[MOD_TEXT].base);
		m.size = BPF_CORE_READ(mod, mem[MOD_TEXT].size);
	} else {
		struct module___old *old = (void *)mod;

		m.base = (__u64)BPF_CORE_READ(old, core_layout.base);
		m.size = BPF_CORE_READ(old, core_layout.size);
	}
	BPF_CORE_READ_STR_INTO(&m.name, mod, name);
	bpf_map_update_elem(&gone_modules, &idx, &m, BPF_NOEXIST);
	return 0;
}

/* ---- HMM ---- */

SEC("fentry/hmm_range_fault")
int BPF_PROG(hmm_enter, struct hmm_range *range)
{
	__u64 id = bpf_get_current_pid_tgid(), r = (__u64)range;

	if (!in_window())
		return 0;
	if (!current_selected())
		return 0;
	bpf_map_update_elem(&hmm_ranges, &id, &r, BPF_ANY);
	return 0;
}

struct order_scan {
	unsigned long *pfns;
	__u64 n;
	__u64 by_order[HMM_ORDERS];
	unsigned long blk[SCAN_BLOCK];	/* the block being counted */
};

static long order_entry(__u32 j, void *data)
{
	struct order_scan *o = data;
	unsigned long v = o->blk[j & (SCAN_BLOCK - 1)];
	__u32 order;

	if (!(v & HMM_VALID))
		return 0;
	order = (v >> HMM_ORDER_SHIFT) & 0x1f;
	if (order >= HMM_ORDERS)
		order = HMM_ORDERS - 1;
	o->by_order[order]++;
	return 0;
}

static long order_block(__u32 b, void *data)
{
	struct order_scan *o = data;
	__u64 base = (__u64)b * SCAN_BLOCK, cnt = read_block(o->pfns, base, o->n, o->blk);

	if (!cnt)
		return 1;
	if (!(block_bits(o->blk) & HMM_VALID))
		return 0;
	bpf_loop(cnt, order_entry, o, 0);
	return 0;
}

SEC("fexit/hmm_range_fault")
int BPF_PROG(hmm_exit, struct hmm_range *range, int ret)
{
	__u32 zero = 0;
	struct hmm_stats *st = bpf_map_lookup_elem(&hmm, &zero);
	__u64 npages = (BPF_CORE_READ(range, end) - BPF_CORE_READ(range, start)) >> thp_page_shift;
	struct order_scan o;
	int i;

	if (!in_window())
		return 0;
	if (!st || !current_selected())
		return 0;
	__sync_fetch_and_add(&st->calls, 1);
	__sync_fetch_and_add(&st->pages, npages);
	if (ret == -16)	/* -EBUSY */
		__sync_fetch_and_add(&st->busy, 1);
	else if (ret)
		__sync_fetch_and_add(&st->errors, 1);
	if (ret)
		return 0;
	/* Cleared only here: every lookup outside the window ends above. */
	__builtin_memset(&o, 0, sizeof(o));
	o.n = npages < MAX_SCAN ? npages : MAX_SCAN;
	o.pfns = BPF_CORE_READ(range, hmm_pfns);
	bpf_loop(MAX_SCAN / SCAN_BLOCK, order_block, &o, 0);
	for (i = 0; i < HMM_ORDERS; i++)
		if (o.by_order[i])
			__sync_fetch_and_add(&st->by_order[i], o.by_order[i]);
	return 0;
}

SEC("fentry/__mmu_notifier_invalidate_range_start")
int BPF_PROG(invalidate_enter, struct mmu_notifier_range *range)
{
	__u32 event = BPF_CORE_READ(range, event);
	__u64 *n;

	if (!in_window())
		return 0;
	if (event >= NOTIFY_EVENTS || !current_selected())
		return 0;
	n = bpf_map_lookup_elem(&invalidations, &event);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
