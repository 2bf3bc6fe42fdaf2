// SPDX-License-Identifier: GPL-2.0
/* Page migration: NUMA, compaction, syscall and the rest, with the large
 * folio outcomes mm_migrate_pages reports (thp_*, large_folio_split from
 * 6.12), the start-to-end latency per reason, and migration entries
 * installed and removed per order. Classic tracepoints with CO-RE
 * records: mm_migrate_pages grew a field in 6.12 that moved mode and
 * reason. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "thpscope.bpf.h"
#include "migrate.h"
#include "filter.bpf.h"
#include "trace.bpf.h"

/* Calls per process, reason and mode: slots claimed (proc_slot.h), so
 * that counting never inserts; the hot tier, then the mapped array. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct migrate_procs_hot);
} migrate_procs_hot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);	/* read in place at harvest */
	__uint(max_entries, PROC_SLOTS);
	__type(key, __u32);
	__type(value, struct migrate_proc);
} migrate_procs SEC(".maps");

/* The calls migrate_procs cannot take: with a cgroup, or a key too wide. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct migrate_key);
	__type(value, struct migrate_val);
} migrate_calls SEC(".maps");

/*
 * The migrate_pages() call a task is in, in the slot of its thread id: an
 * array, so that the hot path never inserts, of 16 KB, so that the kernel
 * allocates it with kmalloc (proc_slot.h). Two tasks whose ids share a
 * slot and that migrate at once lose the first one's sample, counted in
 * map_full as a full map's would be.
 */
#define MIGRATE_TASK_SLOTS 1024

struct migrate_start {
	__u64 ts;	/* 0: no call in progress */
	__u32 pid;
	__s32 reason;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIGRATE_TASK_SLOTS);
	__type(key, __u32);
	__type(value, struct migrate_start);
} migrate_starts SEC(".maps");

static __always_inline struct migrate_start *task_start(__u32 pid)
{
	__u32 slot = pid & (MIGRATE_TASK_SLOTS - 1);

	return bpf_map_lookup_elem(&migrate_starts, &slot);
}

/* Indexed by reason, so that the hot path never inserts. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIGRATE_REASONS);
	__type(key, __u32);
	__type(value, struct hist);
} migrate_latency SEC(".maps");

/* Hot: one event per page migrated, so per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MIGRATE_MAX_ORDER);
	__type(key, __u32);
	__type(value, struct migration_entries);
} pte_entries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct migration_entries);
} pmd_entries SEC(".maps");

SEC("tracepoint/migrate/mm_migrate_pages_start")
int migrate_start(struct trace_event_raw_mm_migrate_pages_start *ctx)
{
	struct task_struct *t;
	struct migrate_start *s;
	__u32 pid;

	if (!in_window())
		return 0;
	t = bpf_get_current_task_btf();
	if (!process_selected(t, t->tgid))
		return 0;
	pid = t->pid;
	s = task_start(pid);
	if (!s)
		return 0;
	if (s->ts && s->pid != pid)
		map_full_count();
	s->pid = pid;
	s->reason = ctx->reason;
	s->ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline void trace_migration(struct trace_event_raw_mm_migrate_pages *ctx)
{
	struct thp_event *e = trace_begin(ME_MIGRATE_PAGES,
					    (struct task_struct *)bpf_get_current_task());
	struct migrate_event_body *b;

	if (!e)
		return;
	b = TRACE_BODY(e, struct migrate_event_body);
	b->reason = ctx->reason;
	b->mode = ctx->mode;
	b->succeeded = ctx->succeeded;
	b->failed = ctx->failed;
	b->thp_succeeded = ctx->thp_succeeded;
	b->thp_failed = ctx->thp_failed;
	b->thp_split = ctx->thp_split;
	if (bpf_core_field_exists(ctx->large_folio_split))
		b->large_folio_split = ctx->large_folio_split;
	trace_end(e);
}

SEC("tracepoint/migrate/mm_migrate_pages")
int migrate_end(struct trace_event_raw_mm_migrate_pages *ctx)
{
	static const struct migrate_val vzero;
	struct migrate_start *s;
	struct migrate_key key;
	struct task_struct *t;
	struct migrate_proc *p;
	struct migrate_val *v;
	struct hist *h;
	__u32 reason;
	bool new;
	__u64 id;
	__u64 tag;

	if (!in_window())
		return 0;
	/* The task and its ids once: the filter and the key read both. */
	t = bpf_get_current_task_btf();
	id = task_ids(t);
	if (!process_selected(t, id >> 32))
		return 0;
	trace_migration(ctx);
	key = (struct migrate_key){
		.tgid = id >> 32,
		.reason = ctx->reason,
		.mode = ctx->mode,
		.cgroup = task_cgroup_key(t),
	};
	tag = by_cgroup ? 0 : migrate_proc_tag(key.tgid, key.reason, key.mode);
	if (tag) {
		p = proc_slot_lookup_tiered(&migrate_procs_hot, MIGRATE_HOT_SLOTS, sizeof(*p),
					    &migrate_procs, tag, &new);
		v = p ? &p->val : NULL;
	} else {
		v = lookup_or_init(&migrate_calls, &key, &vzero);
		new = v && !v->comm[0];
	}
	if (v) {
		if (new)
			bpf_get_current_comm(&v->comm, sizeof(v->comm));
		__sync_fetch_and_add(&v->calls, 1);
		/* Most of a call's outcomes are 0: no locked add for them. */
		add_nonzero(&v->succeeded, ctx->succeeded);
		add_nonzero(&v->failed, ctx->failed);
		add_nonzero(&v->thp_succeeded, ctx->thp_succeeded);
		add_nonzero(&v->thp_failed, ctx->thp_failed);
		add_nonzero(&v->thp_split, ctx->thp_split);
		if (bpf_core_field_exists(ctx->large_folio_split))
			add_nonzero(&v->large_folio_split, ctx->large_folio_split);
	}

	s = task_start(id);
	if (!s || !s->ts || s->pid != (__u32)id)
		return 0;
	reason = s->reason;
	h = bpf_map_lookup_elem(&migrate_latency, &reason);
	if (h)
		hist_add(h, bpf_ktime_get_ns() - s->ts);
	else
		map_full_count();
	s->ts = 0;
	return 0;
}

static __always_inline struct migration_entries *pte_slot(int order)
{
	__u32 idx = order;

	if (idx >= MIGRATE_MAX_ORDER)
		idx = MIGRATE_MAX_ORDER - 1;
	return bpf_map_lookup_elem(&pte_entries, &idx);
}

SEC("tracepoint/migrate/set_migration_pte")
int set_pte(struct trace_event_raw_migration_pte *ctx)
{
	struct migration_entries *e = pte_slot(ctx->order);

	if (!in_window())
		return 0;
	if (e && current_selected())
		e->set++;
	return 0;
}

SEC("tracepoint/migrate/remove_migration_pte")
int remove_pte(struct trace_event_raw_migration_pte *ctx)
{
	struct migration_entries *e = pte_slot(ctx->order);

	if (!in_window())
		return 0;
	if (e && current_selected())
		e->remove++;
	return 0;
}

SEC("tracepoint/thp/set_migration_pmd")
int set_pmd(void *ctx)
{
	__u32 zero = 0;
	struct migration_entries *e = bpf_map_lookup_elem(&pmd_entries, &zero);

	if (!in_window())
		return 0;
	if (e && current_selected())
		e->set++;
	return 0;
}

SEC("tracepoint/thp/remove_migration_pmd")
int remove_pmd(void *ctx)
{
	__u32 zero = 0;
	struct migration_entries *e = bpf_map_lookup_elem(&pmd_entries, &zero);

	if (!in_window())
		return 0;
	if (e && current_selected())
		e->remove++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
