/* SPDX-License-Identifier: GPL-2.0 */
/* The context probes of split causes (bpf/cause_context.bpf.h): the
 * entry and exit of every cause function called per operation, hooked
 * all at once with kprobe.multi where the kernel has fprobes, else one
 * by one with the mechanism the split probes use; and the floors below
 * which the stack still decides. */
#ifndef THPSCOPE_CAUSE_CONTEXT_H
#define THPSCOPE_CAUSE_CONTEXT_H

#include <stdbool.h>
#include <jansson.h>
#include <linux/types.h>
#include "causes.h"

struct bpf_link;
struct bpf_object;
struct bpf_program;
struct cause_setup;
struct kenv;

struct cause_target {
	char name[64];		/* the function a probe attaches to */
	int btf_id;		/* its BTF FUNC, for fentry; <= 0: none */
	int part_of;		/* a .cold part: the range of its function, else -1 */
	bool dead;		/* init text, freed after boot: never on a stack */
	bool patchable;		/* ftrace can patch it (or tracefs does not say) */
	int under[2];		/* covered: its callers of the same rank, else -1 */
	bool hooked;
	int prog[2], link[2];	/* fentry: [0] exit, [1] entry; -1 when none */
	struct bpf_link *klink[2];	/* kprobes, alike */
};

struct cause_context {
	/* "kprobe.multi", "fentry" (kprobes where it cannot), "kprobe", or NULL */
	const char *mech;
	bool kprobes;		/* the kernel can create kprobes */
	bool fprobes;		/* the kernel has multi-kprobes (CONFIG_FPROBE) */
	int error;		/* why the multi-kprobes did not attach (-errno) */
	struct cause_target *targets;	/* one per cause range */
	int n;
	struct bpf_program *menter, *mexit;	/* kprobe.multi templates, NULL when not loaded */
	struct bpf_link *mlink[2];		/* their links: [0] exit, [1] entry */
	struct bpf_program *enter, *exit;	/* fentry templates, alike */
	struct bpf_program *kenter, *kexit;	/* kprobe templates, alike */
	__u8 floor[TIER_DEQUEUE + 1];
};

/* The split family's context templates, as the object names them. */
struct cause_templates {
	struct bpf_program *menter, *mexit;	/* kprobe.multi, kretprobe.multi */
	struct bpf_program *enter, *exit;	/* fentry, fexit */
	struct bpf_program *kenter, *kexit;	/* kprobe, kretprobe */
};

/* Name the functions of CS's ranges from ENV while its symbols and BTF
 * are loaded. NULL when out of memory. */
struct cause_context *cause_context_plan(struct kenv *env, const struct cause_setup *cs);
/* Before loading OBJ, which of its templates T load: the multi-kprobes
 * where the kernel has them and OBJ's own probes use fentry or kprobes;
 * else fentry/fexit when OBJ's probes use fentry, kprobe/kretprobe when
 * they use kprobes or, beside fentry, when the kernel has them. */
void cause_context_choose(struct cause_context *cc, struct bpf_object *obj,
			  const struct cause_templates *t);
/* After loading: hook every watched cause function and fill FLOOR (the
 * object's cause_floor) for what could not be. */
void cause_context_hook(struct cause_context *cc, const struct cause_setup *cs, __u8 *floor);
void cause_context_free(struct cause_context *cc);
/* {"mechanism", "functions", "by_kprobe", "unhooked": [names], "error",
 *  "entries", "floor": {...}, "decided", "runs", "run_ns"} */
json_t *cause_context_json(const struct cause_context *cc, const struct cause_setup *cs,
			   int decided_fd);

#endif
