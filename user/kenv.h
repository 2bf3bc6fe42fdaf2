/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers thpscope: its BTF (kernel_btf.h),
 * tracefs (tracefs.h) and the functions ftrace can patch
 * (ftrace_funcs.h), kprobes, its text symbols (ksyms.h) and the page
 * geometry (page_geometry.h). Checked once at start-up; the large parts,
 * the BTF and the symbols, are loaded on demand and released once
 * start-up no longer needs them.
 */
#ifndef THPSCOPE_KENV_H
#define THPSCOPE_KENV_H

#include <stdbool.h>
#include <stddef.h>
#include "btf_enum.h"
#include "ftrace_funcs.h"
#include "ksyms.h"

struct btf;
struct kernel_btf;

struct kenv {
	struct kernel_btf *btf;	/* kenv_btf(), kenv_enum_of() */
	char tracefs[64];	/* mount point */
	bool kprobe_pmu;	/* the kernel can create kprobes */
	struct ftrace_funcs ftrace;	/* kenv_ftrace_patchable() */
	struct ksyms ksyms;	/* text symbols, loaded on demand */
	unsigned int page_size;
	unsigned int page_shift;
	unsigned int pmd_order;
};

/* Open the kernel's BTF, find (or mount) tracefs and read the page
 * geometry; any of them missing is an error, printed in one line. ENV
 * can be closed whether this succeeds or not. */
int kenv_open(struct kenv *env);
void kenv_close(struct kenv *env);
/* Drop the BTF and the symbols; later uses load them again. */
void kenv_release(struct kenv *env);

/* The kernel's BTF, loaded on first use (NULL if it cannot be). */
struct btf *kenv_btf(struct kenv *env);
/* The kernel's BTF struct SNAME has member MNAME (at any depth of
 * anonymous members). */
bool kenv_has_member(struct kenv *env, const char *sname, const char *mname);
/* The value names of the kernel enum SPEC says (kernel_btf_enum(): read
 * once per SPEC, kept across kenv_release). A family asks from its open()
 * hook, while the BTF is loaded; its decoders, which see a const
 * environment, later get the kept names. */
const struct enum_names *kenv_enum_of(const struct kenv *env, const struct enum_spec *spec);

/* ftrace can patch FUNC (so an fentry trampoline can attach): 1, 0, or -1
 * when tracefs does not say. */
int kenv_ftrace_patchable(struct kenv *env, const char *func);

/* The text symbols of /proc/kallsyms, loaded on first use (ksyms.h). */
const struct ksyms *kenv_ksyms(struct kenv *env);
bool kenv_has_ksym(struct kenv *env, const char *name);
void kenv_ksym_match(struct kenv *env, const char *name, bool prefix,
		     void (*fn)(const struct ksym *sym, void *data), void *data);
const struct ksym *kenv_ksym_at(struct kenv *env, unsigned long long addr);
/* Load them now; false when their addresses are hidden or unreadable. */
bool kenv_ksyms_usable(struct kenv *env);

#endif
