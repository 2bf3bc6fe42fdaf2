/* SPDX-License-Identifier: GPL-2.0 */
/* Probes: one kernel hook (a tracepoint or a function) of one family,
 * served by one or more BPF programs of that family's object. A hook may
 * have programs for several mechanisms (fentry/fexit and a
 * kprobe/kretprobe fallback); the first one this kernel offers is loaded
 * and the others are not. A hook the kernel lacks is reported with the
 * reason and never stops the others. */
#ifndef THPSCOPE_PROBE_H
#define THPSCOPE_PROBE_H

#include <stdbool.h>
#include <jansson.h>

struct bpf_object;
struct bpf_program;
struct bpf_link;
struct kenv;

enum mechanism {
	MECH_FENTRY,	/* fentry/fexit: preferred for functions */
	MECH_KPROBE,	/* kprobe/kretprobe */
	MECH_TP_BTF,
	MECH_RAW_TP,
	MECH_TRACEPOINT,
	MECH_NR,
};

#define PROBE_MAX_PROGS 8

struct probe {
	char name[96];		/* "family:hook" */
	char hook[64];
	char category[32];	/* tracepoint system */
	unsigned int offered;	/* bit per mechanism with programs */
	int mech;		/* the one chosen, -1 when none */
	bool attached;
	char why[320];
	int nprogs;
	struct bpf_program *progs[PROBE_MAX_PROGS];
	int prog_mech[PROBE_MAX_PROGS];
	struct bpf_link *links[PROBE_MAX_PROGS];
};

struct probe_set {
	struct probe *v;
	size_t n;
	/* One fentry attachment was tried, on a patchable function: its
	 * outcome holds for every patchable function. */
	bool fentry_tried;
	int fentry_err;
};

const char *mechanism_name(int mech);

/* Add OBJ's programs to SET as probes of FAMILY, pick each hook's
 * mechanism and set the programs' autoload accordingly. ALTERNATIVES,
 * when not NULL, lists groups of hooks (each NULL-terminated, the list
 * too) of which only the first this kernel offers is used: entry points
 * that call one another, so that an event is seen once. */
int probes_prepare(struct probe_set *set, const char *family,
		   struct bpf_object *obj, struct kenv *env,
		   const char *const *const *alternatives);
/* Mark the probes of FAMILY not attached because of WHY. */
void probes_fail(struct probe_set *set, const char *family, const char *why);
/* Attach the loaded programs of FAMILY; failures are recorded per probe. */
void probes_attach(struct probe_set *set, const char *family);
/* probes.<name>.{attached,mechanism,why,misses} */
json_t *probes_to_json(const struct probe_set *set);
bool probe_attached(const struct probe_set *set, const char *name);
void probes_detach(struct probe_set *set);
void probes_free(struct probe_set *set);

#endif
