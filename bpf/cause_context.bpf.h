/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split causes from the task's context, the stack walk only where the
 * context cannot decide.
 *
 * The loader hooks the entry and exit of every cause function (a range of
 * causes.bpf.h) called per operation rather than per page: with one
 * kprobe.multi and one kretprobe.multi link for all of them where the
 * kernel has fprobes (6.12, 7.x), else by cloning the fentry/fexit
 * programs below per function or attaching the kprobes again.
 * Each task keeps the cause functions it is inside, outermost first: the
 * paths that split sleep and move between CPUs, so the context is the
 * task's, not the CPU's. The stack walk's rule is kept: of the frames
 * that explain the tier, the highest rank wins, the innermost among equal
 * ones. A context answer is the walk's answer when no function the loader
 * could not hook may rank as high: cause_floor[tier], the highest rank of
 * those, set by the loader once it has hooked the rest. Else, with more
 * cause functions nested than the context keeps, or nothing in the
 * context for the tier, the stack is walked as before (and unexplained
 * stacks kept).
 */
#ifndef THPSCOPE_CAUSE_CONTEXT_BPF_H
#define THPSCOPE_CAUSE_CONTEXT_BPF_H

#include "causes.bpf.h"

struct cause_frame {
	__u8 cause;
	__u8 tiers;
	__u8 rank;
};

struct cause_context {
	__u32 depth;	/* cause functions entered, kept or not */
	struct cause_frame frame[CAUSE_CONTEXT_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cause_context);
} cause_contexts SEC(".maps");

/* How many causes the context gave, and how many the stack walk. */
enum { DECIDED_BY_CONTEXT, DECIDED_BY_STACK, DECIDED_NR };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DECIDED_NR);
	__type(key, __u32);
	__type(value, __u64);
} cause_decided SEC(".maps");

/* Indexed by tier; 0xff (never decide) until the loader has hooked. */
__u8 cause_floor[TIER_DEQUEUE + 1] = { 0xff, 0xff, 0xff, 0xff, 0xff };

/* Push FRAME, the cause function just entered (CAUSE_FRAME()). */
static __always_inline void context_enter(__u32 frame)
{
	struct cause_context *cx = bpf_task_storage_get(&cause_contexts,
		bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u32 d;

	if (!cx)
		return;
	d = cx->depth++;
	if (d >= CAUSE_CONTEXT_DEPTH)
		return;
	cx->frame[d].cause = frame;
	cx->frame[d].tiers = frame >> 8;
	cx->frame[d].rank = frame >> 16;
}

/* The frame of the cause function at IP, for the probes without a cookie. */
static __always_inline __u32 frame_at(__u64 ip)
{
	struct cause_range *r = find_range(ip);

	return r ? CAUSE_FRAME(r->cause, r->tiers, r->rank) : CAUSE_OTHER;
}

static __always_inline void context_exit(void)
{
	struct cause_context *cx = bpf_task_storage_get(&cause_contexts,
		bpf_get_current_task_btf(), 0, 0);

	if (cx && cx->depth)
		cx->depth--;
}

/* The templates: the loader sets their targets and attaches them; no
 * program attaches them as they are. All cause functions at once, the
 * frame of each its attach cookie: */
SEC("kprobe.multi")
int BPF_KPROBE(cause_enter_multi)
{
	context_enter(bpf_get_attach_cookie(ctx));
	return 0;
}

SEC("kretprobe.multi")
int BPF_KRETPROBE(cause_exit_multi)
{
	context_exit();
	return 0;
}

/* Where the kernel has no multi-probes: one function per program (fentry
 * clones) or per link (kprobes). */
SEC("fentry")
int BPF_PROG(cause_enter)
{
	context_enter(frame_at(bpf_get_func_ip(ctx)));
	return 0;
}

SEC("fexit")
int BPF_PROG(cause_exit)
{
	context_exit();
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(cause_enter_kprobe)
{
	context_enter(frame_at(bpf_get_func_ip(ctx)));
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(cause_exit_kprobe)
{
	context_exit();
	return 0;
}

static __always_inline void decided(__u32 by)
{
	__u64 *n = bpf_map_lookup_elem(&cause_decided, &by);

	if (n)
		*n += 1;
}

static __always_inline __u8 by_stack(void *ctx, __u32 tier)
{
	decided(DECIDED_BY_STACK);
	return classify(ctx, tier);
}

/* The cause of what CTX's probe saw, for TIER: classify()'s answer. */
static __always_inline __u8 cause_of(void *ctx, __u32 tier)
{
	struct cause_context *cx = bpf_task_storage_get(&cause_contexts,
		bpf_get_current_task_btf(), 0, 0);
	__u8 cause = CAUSE_OTHER, rank = 0;
	__u32 d, i;

	if (!cx || tier > TIER_DEQUEUE)
		return by_stack(ctx, tier);
	d = cx->depth;
	if (d > CAUSE_CONTEXT_DEPTH)
		return by_stack(ctx, tier);
	for (i = 0; i < CAUSE_CONTEXT_DEPTH; i++) {
		struct cause_frame *f;

		if (i >= d)
			break;
		f = &cx->frame[(d - 1 - i) & (CAUSE_CONTEXT_DEPTH - 1)];
		if ((f->tiers & tier) && f->rank > rank) {
			rank = f->rank;
			cause = f->cause;
		}
	}
	if (rank && rank > cause_floor[tier]) {
		decided(DECIDED_BY_CONTEXT);
		return cause;
	}
	return by_stack(ctx, tier);
}

#endif
