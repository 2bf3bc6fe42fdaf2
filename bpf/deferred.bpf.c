// SPDX-License-Identifier: GPL-2.0
/* The deferred-split queue: folios put on it (partially mapped, or from
 * 6.12 every new PMD THP for underused-THP shrinking), the transition to
 * partially mapped, their fate (split by the shrinker or elsewhere, freed,
 * migrated), how long they waited, the shrinker's scans and the queue
 * length it sees.
 *
 * Membership is tracked per folio in a bounded map; what it cannot hold is
 * counted. The shrinker moves folios off the queue inline, so a folio it
 * drops without splitting stays tracked; the queue length its count
 * callback reports is the reference to reconcile with.
 *
 * Where fentry and kprobes are unavailable, the vmscan mm_shrink_slab_*
 * tracepoints still show the deferred-split shrinker (recognised by its
 * scan callback's address): the queue length as it sees it and the folios
 * it split.
 *
 * With a filter set, only the folios queued by (or, from a kernel thread,
 * mapped by) the selected processes are tracked; the queue length and
 * the shrinker's figures stay system-wide. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "thpscope.bpf.h"
#include "folio.bpf.h"
#include "causes.bpf.h"
#include "deferred.h"
#include "filter.bpf.h"
#include "trace.bpf.h"

/* Address of deferred_split_scan, from kallsyms. */
const volatile __u64 deferred_scan_addr;

struct member {
	__u64 enqueued_ns;
	__u64 partially_mapped_ns;
	__u32 order;
	__u32 tgid;	/* the process it is attributed to */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DEFERRED_TRACKED);
	__type(key, __u64);
	__type(value, struct member);
} members SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DEFERRED_MAX_ORDER);
	__type(key, __u32);
	__type(value, struct deferred_order);
} by_order SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DEPTH_NR);
	__type(key, __u32);
	__type(value, __s64);
} depth SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct hist);
} ages SEC(".maps");	/* 0: since enqueue, 1: since partially mapped */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct queue_key);
	__type(value, struct queue_len);
} queue_lens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __s32);
	__type(value, struct shrinker_stats);
} shrinker_by_node SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __s32);
	__type(value, struct shrinker_tp);
} shrinker_tp_by_node SEC(".maps");

/* State of a folio when deferred_split_folio() was entered. */
struct enqueue_start {
	__u64 folio;
	__u32 tgid;
	bool queued;
	bool partially_mapped;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct enqueue_start);
} enqueue_starts SEC(".maps");

/* Tasks inside deferred_split_scan(), and the node it scans. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __s32);
} in_shrinker SEC(".maps");

/* Arguments kept from a kprobe to its kretprobe. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} folio_args SEC(".maps");

static __always_inline struct deferred_order *order_stats(__u32 order)
{
	if (order >= DEFERRED_MAX_ORDER)
		order = DEFERRED_MAX_ORDER - 1;
	return bpf_map_lookup_elem(&by_order, &order);
}

static __always_inline void depth_add(__s64 n)
{
	__u32 now = DEPTH_NOW, max = DEPTH_MAX;
	__s64 *d = bpf_map_lookup_elem(&depth, &now), *m = bpf_map_lookup_elem(&depth, &max);
	__s64 v;

	if (!d || !m)
		return;
	v = __sync_fetch_and_add(d, n) + n;
	if (v > *m)
		*m = v;
}

static __always_inline void age_add(__u32 which, __u64 since)
{
	struct hist *h = bpf_map_lookup_elem(&ages, &which);

	if (h && since)
		hist_add(h, bpf_ktime_get_ns() - since);
}

/* Stream a folio joining the queue (DE_ENQUEUE; ARG: partially mapped)
 * or leaving it (DE_DEQUEUE; ARG: the fate's DEFERRED_FIELD()). */
static __always_inline void trace_member(__u8 kind, struct member *m, __u64 folio, __u32 arg)
{
	struct deferred_member_event *b;
	struct thp_event *e;

	e = trace_begin(kind, NULL);
	if (!e)
		return;
	e->tgid = e->pid = m->tgid;
	b = TRACE_BODY(e, struct deferred_member_event);
	b->order = m->order;
	b->folio = folio;
	if (kind == DE_ENQUEUE) {
		b->partially_mapped = arg;
	} else {
		b->fate = arg;
		b->queued_ns = bpf_ktime_get_ns() - m->enqueued_ns;
	}
	trace_end(e);
}

/* FATE is the field of struct deferred_order to count; the folio leaves. */
static __always_inline void member_leaves(__u64 folio, int fate)
{
	struct member *m = bpf_map_lookup_elem(&members, &folio);
	struct deferred_order *o;

	if (!m)
		return;
	o = order_stats(m->order);
	if (o) {
		__u64 *field = (__u64 *)o + fate;

		__sync_fetch_and_add(field, 1);
	}
	age_add(0, m->enqueued_ns);
	age_add(1, m->partially_mapped_ns);
	trace_member(DE_DEQUEUE, m, folio, fate);
	bpf_map_delete_elem(&members, &folio);
	depth_add(-1);
}


static __always_inline void enqueue_begin(struct folio *folio)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = folio_task(folio);
	struct enqueue_start s = {
		.folio = (__u64)folio,
		.queued = folio_on_deferred_list(folio),
		.partially_mapped = folio_partially_mapped(folio),
		.tgid = BPF_CORE_READ(task, tgid),
	};

	if (!task_selected(task))
		return;
	bpf_map_update_elem(&enqueue_starts, &id, &s, BPF_ANY);
}

/* After deferred_split_folio(): compare the folio with what it was. */
static __always_inline void enqueue_end(bool partially_mapped_arg, bool has_flag)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	struct enqueue_start *s = bpf_map_lookup_elem(&enqueue_starts, &id);
	struct folio *folio;
	struct deferred_order *o;
	struct member *m;
	bool queued, pm;
	__u32 order;

	if (!s)
		return;
	folio = (struct folio *)s->folio;
	order = folio_order_of(folio);
	o = order_stats(order);
	queued = folio_on_deferred_list(folio);
	/* 6.1 has no partially-mapped flag: it queues only partially mapped
	 * THPs, so joining the queue is the transition. */
	pm = has_flag ? folio_partially_mapped(folio) : queued;
	if (!has_flag)
		s->partially_mapped = s->queued;
	if (o && queued && !s->queued) {
		struct member nm = { .enqueued_ns = now, .order = order, .tgid = s->tgid };

		__sync_fetch_and_add(&o->enqueued, 1);
		if (!partially_mapped_arg && has_flag)
			__sync_fetch_and_add(&o->underused, 1);
		if (bpf_map_update_elem(&members, &s->folio, &nm, BPF_NOEXIST) == 0)
			depth_add(1);
		else
			__sync_fetch_and_add(&o->untracked, 1);
		trace_member(DE_ENQUEUE, &nm, s->folio, pm);
	}
	if (o && pm && !s->partially_mapped) {
		__sync_fetch_and_add(&o->partially_mapped, 1);
		m = bpf_map_lookup_elem(&members, &s->folio);
		if (m && !m->partially_mapped_ns)
			m->partially_mapped_ns = now;
	}
	bpf_map_delete_elem(&enqueue_starts, &id);
}

/* deferred_split_folio(folio, partially_mapped): 6.12 and later */
SEC("fentry/deferred_split_folio")
int BPF_PROG(enqueue_enter, struct folio *folio)
{
	if (!in_window())
		return 0;
	enqueue_begin(folio);
	return 0;
}

SEC("fexit/deferred_split_folio")
int BPF_PROG(enqueue_exit, struct folio *folio, bool partially_mapped)
{
	if (!in_window())
		return 0;
	enqueue_end(partially_mapped, true);
	return 0;
}

SEC("kprobe/deferred_split_folio")
int BPF_KPROBE(enqueue_kprobe, struct folio *folio, bool partially_mapped)
{
	__u64 id = bpf_get_current_pid_tgid(), pm = partially_mapped;

	if (!in_window())
		return 0;
	enqueue_begin(folio);
	bpf_map_update_elem(&folio_args, &id, &pm, BPF_ANY);
	return 0;
}

SEC("kretprobe/deferred_split_folio")
int BPF_KRETPROBE(enqueue_kretprobe)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *pm = bpf_map_lookup_elem(&folio_args, &id);

	if (!in_window())
		return 0;
	enqueue_end(pm && *pm, true);
	bpf_map_delete_elem(&folio_args, &id);
	return 0;
}

/* deferred_split_huge_page(page): 6.1 */
SEC("fentry/deferred_split_huge_page")
int BPF_PROG(enqueue61_enter, struct page *page)
{
	if (!in_window())
		return 0;
	enqueue_begin(page_folio_of(page));
	return 0;
}

SEC("fexit/deferred_split_huge_page")
int BPF_PROG(enqueue61_exit)
{
	if (!in_window())
		return 0;
	enqueue_end(true, false);
	return 0;
}

SEC("kprobe/deferred_split_huge_page")
int BPF_KPROBE(enqueue61_kprobe, struct page *page)
{
	if (!in_window())
		return 0;
	enqueue_begin(page_folio_of(page));
	return 0;
}

SEC("kretprobe/deferred_split_huge_page")
int BPF_KRETPROBE(enqueue61_kretprobe)
{
	if (!in_window())
		return 0;
	enqueue_end(true, false);
	return 0;
}

/* A folio taken off the queue: freed, migrated, or otherwise dropped. */
static __always_inline void dequeued(void *ctx, __u64 folio)
{
	__u8 cause;

	if (!bpf_map_lookup_elem(&members, &folio))
		return;
	cause = classify(ctx, TIER_DEQUEUE);
	if (cause == CAUSE_FREE)
		member_leaves(folio, DEFERRED_FIELD(freed));
	else if (cause == CAUSE_MIGRATION)
		member_leaves(folio, DEFERRED_FIELD(migrated));
	else
		member_leaves(folio, DEFERRED_FIELD(dropped));
}

/* bool __folio_unqueue_deferred_split(folio): 6.12 and later */
SEC("fexit/__folio_unqueue_deferred_split")
int BPF_PROG(dequeue_exit, struct folio *folio, bool ret)
{
	if (!in_window())
		return 0;
	if (ret)
		dequeued(ctx, (__u64)folio);
	return 0;
}

SEC("kprobe/__folio_unqueue_deferred_split")
int BPF_KPROBE(dequeue_kprobe, struct folio *folio)
{
	__u64 id = bpf_get_current_pid_tgid(), f = (__u64)folio;

	if (!in_window())
		return 0;
	bpf_map_update_elem(&folio_args, &id, &f, BPF_ANY);
	return 0;
}

SEC("kretprobe/__folio_unqueue_deferred_split")
int BPF_KRETPROBE(dequeue_kretprobe, bool ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *f = bpf_map_lookup_elem(&folio_args, &id);

	if (!in_window())
		return 0;
	if (f && ret)
		dequeued(ctx, *f);
	bpf_map_delete_elem(&folio_args, &id);
	return 0;
}

/* A queued folio split: by the shrinker when inside its scan. */
static __always_inline void split_done(__u64 folio, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (ret)
		return;
	if (bpf_map_lookup_elem(&in_shrinker, &id)) {
		struct member *m = bpf_map_lookup_elem(&members, &folio);
		struct deferred_order *o = m ? order_stats(m->order) : NULL;

		if (o)
			__sync_fetch_and_add(&o->split_by_shrinker, 1);
	}
	member_leaves(folio, DEFERRED_FIELD(split));
}

/* The folio a task is splitting, taken on entry. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} splitting SEC(".maps");

static __always_inline void on_split_begin(void *ctx, struct folio *folio)
{
	__u64 id = bpf_get_current_pid_tgid(), f = (__u64)folio;

	bpf_map_update_elem(&splitting, &id, &f, BPF_ANY);
}

static __always_inline void on_split_end(int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *folio = bpf_map_lookup_elem(&splitting, &id);

	if (folio)
		split_done(*folio, ret);
	bpf_map_delete_elem(&splitting, &id);
}

#include "split_entry.bpf.h"

/* The shrinker: its scans, and the queue length its count reports. */
SEC("fentry/deferred_split_scan")
int BPF_PROG(scan_enter, struct shrinker *shrink, struct shrink_control *sc)
{
	__u64 id = bpf_get_current_pid_tgid();
	__s32 nid = BPF_CORE_READ(sc, nid);

	if (!in_window())
		return 0;
	bpf_map_update_elem(&in_shrinker, &id, &nid, BPF_ANY);
	return 0;
}

SEC("fexit/deferred_split_scan")
int BPF_PROG(scan_exit, struct shrinker *shrink, struct shrink_control *sc, unsigned long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	static const struct shrinker_stats zero;
	__s32 nid = BPF_CORE_READ(sc, nid);
	struct shrinker_stats *st;

	if (!in_window())
		return 0;
	st = lookup_or_init(&shrinker_by_node, &nid, &zero);
	if (st) {
		__sync_fetch_and_add(&st->scans, 1);
		__sync_fetch_and_add(&st->nr_to_scan, BPF_CORE_READ(sc, nr_to_scan));
		if (ret != (unsigned long)-1)	/* SHRINK_STOP */
			__sync_fetch_and_add(&st->split, ret);
	}
	bpf_map_delete_elem(&in_shrinker, &id);
	return 0;
}

SEC("fexit/deferred_split_count")
int BPF_PROG(count_exit, struct shrinker *shrink, struct shrink_control *sc, unsigned long ret)
{
	struct queue_key key = { .nid = BPF_CORE_READ(sc, nid) };
	static const struct queue_len zero;
	struct mem_cgroup *memcg = BPF_CORE_READ(sc, memcg);
	struct queue_len *q;

	if (!in_window())
		return 0;
	if (ret == (unsigned long)-2)	/* SHRINK_EMPTY */
		ret = 0;
	if (memcg)
		key.memcg = BPF_CORE_READ(memcg, css.cgroup, kn, id);
	q = lookup_or_init(&queue_lens, &key, &zero);
	if (!q)
		return 0;
	q->last = ret;
	if (ret > q->max)
		q->max = ret;
	__sync_fetch_and_add(&q->samples, 1);
	return 0;
}

/* Tracepoint tier: the deferred-split shrinker seen by do_shrink_slab(). */
SEC("tracepoint/vmscan/mm_shrink_slab_start")
int shrink_start(struct trace_event_raw_mm_shrink_slab_start *ctx)
{
	static const struct shrinker_tp zero;
	struct shrinker_tp *t;
	__s32 nid;

	/* Every shrinker fires these: the record alone tells ours apart,
	 * before any map is read. */
	if (!deferred_scan_addr || (__u64)ctx->shrink != deferred_scan_addr)
		return 0;
	if (!in_window())
		return 0;
	nid = ctx->nid;
	t = lookup_or_init(&shrinker_tp_by_node, &nid, &zero);
	if (!t)
		return 0;
	__sync_fetch_and_add(&t->calls, 1);
	t->cache_items_last = ctx->cache_items;
	if (ctx->cache_items > t->cache_items_max)
		t->cache_items_max = ctx->cache_items;
	return 0;
}

SEC("tracepoint/vmscan/mm_shrink_slab_end")
int shrink_end(struct trace_event_raw_mm_shrink_slab_end *ctx)
{
	static const struct shrinker_tp zero;
	struct shrinker_tp *t;
	__s32 nid;

	if (!deferred_scan_addr || (__u64)ctx->shrink != deferred_scan_addr)
		return 0;
	if (!in_window())
		return 0;
	nid = ctx->nid;
	if (!filter_selective) {
		struct thp_event *e = trace_begin(DE_SHRINKER_SCAN,
						    (struct task_struct *)bpf_get_current_task());

		if (e) {
			struct deferred_scan_event *b = TRACE_BODY(e, struct deferred_scan_event);

			b->node = nid;
			b->ret = ctx->retval;
			b->scanned = ctx->total_scan;
			trace_end(e);
		}
	}
	if (ctx->retval <= 0)
		return 0;
	t = lookup_or_init(&shrinker_tp_by_node, &nid, &zero);
	if (t)
		__sync_fetch_and_add(&t->freed, ctx->retval);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
