/* SPDX-License-Identifier: GPL-2.0 */
/* The callers that explain a split or a dequeue, resolved from kallsyms
 * into the address ranges the BPF classifier searches. */
#ifndef THPSCOPE_CAUSE_TABLE_H
#define THPSCOPE_CAUSE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <linux/types.h>
#include "causes.h"

struct kenv;
struct ksyms;

/* The record's name of CAUSE ("shrinker", "migration_fallback", ...). */
const char *cause_name(unsigned int cause);

/* Fill OUT (sorted by start) with the ranges of the known callers in the
 * symbol table SYMS. Returns how many. */
int causes_match(const struct ksyms *syms, struct cause_range *out, size_t max);

/* FLOOR[tier]: the highest rank among the N RANGES of that tier that are
 * not HOOKED (no context probe sees them run), below which a context
 * cannot decide a cause without the stack (bpf/cause_context.bpf.h). */
void causes_floors(const struct cause_range *ranges, const bool *hooked, int n,
		   __u8 floor[TIER_DEQUEUE + 1]);

/* Fill OUT (sorted by start) with the ranges of the known callers found in
 * this kernel. Returns how many, or -1 with WHY when kernel addresses are
 * hidden or unreadable. */
int causes_resolve(struct kenv *env, struct cause_range *out, size_t max,
		   char *why, size_t wlen);

/* The cause ranges, resolved from kallsyms before an object loads (their
 * number is read-only data), written into its map after. Also the
 * deferred-split shrinker's scan callback, by which the vmscan
 * tracepoints recognise it. */
struct cause_setup {
	struct cause_range ranges[MAX_CAUSE_RANGES];
	int n;			/* -1: causes unavailable, see why */
	char why[192];
	unsigned long long shrinker_scan;	/* 0 when unknown */
};

/* A cause setup resolved from ENV's symbols, for the caller to free();
 * NULL when out of memory. */
struct cause_setup *causes_setup(struct kenv *env);
int causes_fill(int ranges_fd, const struct cause_setup *cs);
/* {"available": bool, "why": reason or null} */
json_t *causes_json(const struct cause_setup *cs);
/* The stacks a record keeps of those no cause explained. */
#define CAUSE_TOP_STACKS 10

/* The CAUSE_TOP_STACKS most frequent stacks no cause explained,
 * symbolised: [{"tier": "folio", "count": N, "frames": ["fn+0x1a", ...]}]. */
json_t *causes_other_stacks(struct kenv *env, int counts_fd, int stacks_fd);

/* The split entry points the families hook through split_entry.bpf.h,
 * as probe alternatives: they call one another, so only the first the
 * kernel has is traced. */
extern const char *const *const split_entry_alternatives[];

#endif
