/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers thpscope: its BTF, tracefs, kprobes,
 * symbols, and the page geometry. Checked once at start-up. */
#ifndef THPSCOPE_KENV_H
#define THPSCOPE_KENV_H

#include <stdbool.h>
#include <stddef.h>
#include "btf_enum.h"
#include "ftrace_funcs.h"

struct btf;

/* A kernel text symbol; its extent runs to the next symbol's address. */
struct ksym {
	unsigned long long addr;
	unsigned long long end;
	const char *name;
	const char *module;	/* "thpdev", "bpf", ...; NULL for the kernel */
};

struct ksym_arena;

/* Kernel enums whose values records and events carry raw. */
enum kenv_enum {
	KENV_SCAN_RESULT,	/* enum scan_result: collapse outcomes */
	KENV_MIGRATE_REASON,	/* enum migrate_reason */
	KENV_MIGRATE_MODE,	/* enum migrate_mode */
	KENV_MMU_NOTIFY,	/* enum mmu_notifier_event: invalidations */
	KENV_NR_ENUMS,
};

/*
 * The kernel's BTF (about 10 MB parsed) and its symbols (about 5 MB) are
 * loaded on demand and released once start-up no longer needs them, so
 * that they are never held together with libbpf's own copy of the BTF.
 */
struct kenv {
	struct btf *btf;	/* kenv_btf() */
	char tracefs[64];	/* mount point */
	char tracefs_why[128];	/* why it could not be found or mounted */
	bool kprobe_pmu;	/* the kernel can create kprobes */
	struct ftrace_funcs ftrace;	/* kenv_ftrace_patchable() */
	/* One fentry attachment was tried, on a patchable function: its
	 * outcome holds for every patchable function. */
	bool fentry_attach_tried;
	int fentry_attach_err;
	struct ksym *ksyms;	/* text symbols by address, loaded on demand */
	unsigned int *ksyms_by_name;
	size_t nksyms;
	struct ksym_arena *names;
	bool ksyms_loaded;
	bool ksyms_hidden;	/* kallsyms shows no addresses (kptr_restrict) */
	unsigned int page_size;
	unsigned int pmd_order;
	/* Read by kenv_open, kept when the BTF is released. */
	struct enum_names enums[KENV_NR_ENUMS];
};

/* Privileges: root, or CAP_BPF + CAP_PERFMON (+ CAP_SYSLOG). Returns 0 or
 * prints one line and returns -1. */
int kenv_check_privileges(void);
/* Open the kernel's BTF and find (or mount) tracefs; either missing is
 * an error, printed in one line. */
int kenv_open(struct kenv *env);
void kenv_close(struct kenv *env);
/* The kernel's BTF, loaded on first use (NULL if it cannot be). */
struct btf *kenv_btf(struct kenv *env);
/* Drop the BTF and the symbols; later uses load them again. */
void kenv_release(struct kenv *env);
/* The value names of enum WHICH (FALLBACK_<n> where the kernel lacks it). */
const struct enum_names *kenv_enum(const struct kenv *env, enum kenv_enum which);

/* The kernel's BTF struct SNAME has member MNAME (at any depth of
 * anonymous members). */
bool kenv_has_member(struct kenv *env, const char *sname,
		     const char *mname);
/* ftrace can patch FUNC (so an fentry trampoline can attach): 1, 0, or -1
 * when tracefs does not say. */
int kenv_ftrace_patchable(struct kenv *env, const char *func);
/* NAME is a text symbol in /proc/kallsyms. */
bool kenv_has_ksym(struct kenv *env, const char *name);
/* The symbols named NAME, or starting with NAME when PREFIX, or NAME
 * followed by a compiler suffix (".isra.0", ".cold"): FN for each. */
void kenv_ksym_match(struct kenv *env, const char *name, bool prefix,
		     void (*fn)(const struct ksym *sym, void *data), void *data);
/* The symbol holding ADDR, or NULL. */
const struct ksym *kenv_ksym_at(struct kenv *env, unsigned long long addr);
/* Load kallsyms now; false when its addresses are hidden or unreadable. */
bool kenv_ksyms_usable(struct kenv *env);

#endif
