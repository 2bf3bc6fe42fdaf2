/* SPDX-License-Identifier: GPL-2.0 */
/* Classify the current kernel stack against the cause ranges. Each object
 * that includes this gets its own maps; the loader fills them. */
#ifndef THPSCOPE_CAUSES_BPF_H
#define THPSCOPE_CAUSES_BPF_H

#include "causes.h"

const volatile __u32 nr_cause_ranges;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_CAUSE_RANGES);
	__type(key, __u32);
	__type(value, struct cause_range);
} cause_ranges SEC(".maps");

struct cause_stack {
	__u64 ip[CAUSE_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cause_stack);
} cause_scratch SEC(".maps");

/* Stacks no range explained, to show what "other" was. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, CAUSE_STACK_DEPTH * sizeof(__u64));
} other_stacks SEC(".maps");

struct other_key {
	__s32 stack_id;
	__u32 tier;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct other_key);
	__type(value, __u64);
} other_counts SEC(".maps");

/* The range holding IP, by binary search, or NULL. */
static __always_inline struct cause_range *find_range(__u64 ip)
{
	__u32 lo = 0, hi = nr_cause_ranges, i;
	struct cause_range *r;

	for (i = 0; i < 11 && lo < hi; i++) {	/* 2^11 > MAX_CAUSE_RANGES */
		__u32 mid = (lo + hi) / 2;

		r = bpf_map_lookup_elem(&cause_ranges, &mid);
		if (!r)
			return NULL;
		if (ip < r->start)
			hi = mid;
		else if (ip >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

struct classify_state {
	struct cause_stack *st;
	long n;
	__u32 tier;
	__u8 cause;
	__u8 rank;
};

/* One frame; a bpf_loop() callback, so the verifier walks it once. */
static long classify_frame(__u32 i, void *data)
{
	struct classify_state *c = data;
	struct cause_range *r;

	if (i >= c->n)
		return 1;
	r = find_range(c->st->ip[i & (CAUSE_STACK_DEPTH - 1)]);
	if (r && (r->tiers & c->tier) && r->rank > c->rank) {
		c->rank = r->rank;
		c->cause = r->cause;
	}
	return 0;
}

/* The cause of what CTX's probe saw, for TIER; unexplained stacks are kept. */
static __always_inline __u8 classify(void *ctx, __u32 tier)
{
	__u32 zero = 0;
	struct classify_state c = { .tier = tier, .cause = CAUSE_OTHER };
	long n;

	c.st = bpf_map_lookup_elem(&cause_scratch, &zero);
	if (!c.st)
		return CAUSE_OTHER;
	n = bpf_get_stack(ctx, c.st->ip, sizeof(c.st->ip), 0);
	if (n <= 0)
		return CAUSE_OTHER;
	c.n = n / sizeof(__u64);
	bpf_loop(CAUSE_STACK_DEPTH, classify_frame, &c, 0);
	if (c.cause == CAUSE_OTHER) {
		struct other_key k = { .tier = tier };
		static const __u64 one = 1;
		__u64 *cnt;

		k.stack_id = bpf_get_stackid(ctx, &other_stacks, 0);
		cnt = bpf_map_lookup_elem(&other_counts, &k);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
		else
			bpf_map_update_elem(&other_counts, &k, &one, BPF_NOEXIST);
	}
	return c.cause;
}

#endif
