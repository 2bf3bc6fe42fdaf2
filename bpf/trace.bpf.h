/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event streaming for `thpscope trace`. The loader points every family's
 * trace_ring and trace_lost at one shared pair and sets trace_enabled;
 * without it the emitting code is dead and the verifier drops it.
 */
#ifndef THPSCOPE_TRACE_BPF_H
#define THPSCOPE_TRACE_BPF_H

#include "trace.h"

const volatile bool trace_enabled;
/* The family's index in the family table, set by the loader. */
const volatile __u8 trace_family;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} trace_ring SEC(".maps");

/* Events the ring buffer had no room for, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} trace_lost SEC(".maps");

/* A zeroed event of KIND attributed to T (the current task when NULL
 * and the current task is not a kernel thread), or NULL when tracing is
 * off or the ring is full. */
static __always_inline struct thp_event *trace_begin(__u8 kind, struct task_struct *t)
{
	struct thp_event *e;
	__u32 zero = 0;
	__u64 *lost;

	if (!trace_enabled)
		return NULL;
	e = bpf_ringbuf_reserve(&trace_ring, sizeof(*e), 0);
	if (!e) {
		lost = bpf_map_lookup_elem(&trace_lost, &zero);
		if (lost)
			(*lost)++;
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
	e->family = trace_family;
	e->kind = kind;
	if (t) {
		e->pid = BPF_CORE_READ(t, pid);
		e->tgid = BPF_CORE_READ(t, tgid);
		BPF_CORE_READ_STR_INTO(&e->comm, t, group_leader, comm);
	}
	return e;
}

/* Wake the reader only once the ring is half full: it also drains the
 * ring every 100 ms, so events cost no wake-up each. */
static __always_inline void trace_end(struct thp_event *e)
{
	__u64 avail = bpf_ringbuf_query(&trace_ring, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&trace_ring, BPF_RB_RING_SIZE);

	bpf_ringbuf_submit(e, avail > size / 2 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

#endif
