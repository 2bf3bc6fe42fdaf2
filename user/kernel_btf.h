/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's BTF: about 10 MB once parsed, so it is loaded when
 * first needed and released once start-up no longer needs it, never held
 * beside libbpf's own copy. What was read from it (enum names) is kept.
 */
#ifndef THPSCOPE_KERNEL_BTF_H
#define THPSCOPE_KERNEL_BTF_H

#include <stdbool.h>
#include "btf_enum.h"

struct btf;
struct kernel_btf;

/* The BTF of PATH (raw or ELF), or with NULL the running kernel's
 * (/sys/kernel/btf/vmlinux); nothing is read yet. NULL when out of
 * memory. */
struct kernel_btf *kernel_btf_new(const char *path);
void kernel_btf_free(struct kernel_btf *kb);
/* The BTF, loaded on first use; NULL with errno set when it cannot be. */
struct btf *kernel_btf_get(struct kernel_btf *kb);
/* Drop the BTF, keep what was read from it; a later use loads it again. */
void kernel_btf_release(struct kernel_btf *kb);
/* The value names of the enum SPEC says, read once per SPEC (which is
 * known by its address: declare it static const) and kept until
 * kernel_btf_free. Asked while the BTF is released, it is loaded for
 * this read only. Never NULL: values of an enum the kernel lacks, or
 * that could not be read, decode to fallback names. */
const struct enum_names *kernel_btf_enum(struct kernel_btf *kb, const struct enum_spec *spec);

/* Struct SNAME of BTF has member MNAME (at any depth of anonymous
 * members); false when BTF is NULL. */
bool btf_has_member(const struct btf *btf, const char *sname, const char *mname);

#endif
