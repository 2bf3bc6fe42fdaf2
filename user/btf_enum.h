/* SPDX-License-Identifier: GPL-2.0 */
/* Names for the raw enum values the BPF programs record, taken from the
 * running kernel's BTF: values shift between kernels, names do not. */
#ifndef THPSCOPE_BTF_ENUM_H
#define THPSCOPE_BTF_ENUM_H

#include <stddef.h>

struct btf;

struct enum_entry {
	long long val;
	char name[48];
};

/* An enum a caller needs names for: the kernel's enum BTF_NAME, whose
 * value names lose PREFIX; values the kernel lacks read WHAT_<n>. */
struct enum_spec {
	const char *btf_name;
	const char *prefix;
	const char *what;
};

struct enum_names {
	struct enum_entry *v;
	size_t n;
	char fallback[16];	/* prefix for values the enum lacks */
};

/* Load enum ENUM_NAME from BTF; names are lower-cased with PREFIX
 * stripped (SCAN_EXCEED_NONE_PTE -> exceed_none_pte). Returns 0, or
 * -ENOENT when the kernel has no such enum or BTF is NULL (every value
 * then decodes to FALLBACK_<n>). */
int enum_names_load(struct enum_names *e, const struct btf *btf,
		    const char *enum_name, const char *prefix,
		    const char *fallback);
/* The name of VAL, in BUF when it has to be made up. */
const char *enum_name(const struct enum_names *e, long long val, char *buf,
		      size_t len);
/* The value of NAME, or -1 when absent. */
long long enum_value(const struct enum_names *e, const char *name);
void enum_names_free(struct enum_names *e);

#endif
