/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's text symbols, from a file in /proc/kallsyms' format: which
 * functions exist (to choose between hooks), and which function holds an
 * address (to name the frames of a stack).
 */
#ifndef THPSCOPE_KSYMS_H
#define THPSCOPE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>

/* A kernel text symbol; its extent runs to the next symbol's address. */
struct ksym {
	unsigned long long addr;
	unsigned long long end;
	const char *name;
	const char *module;	/* "thpdev", "bpf", ...; NULL for the kernel */
};

struct ksym_arena;

struct ksyms {
	struct ksym *by_addr;
	const struct ksym **by_name;	/* the same symbols, sorted by name */
	size_t n;
	struct ksym_arena *names;	/* their names and modules */
	bool loaded;		/* ksyms_load was called */
	bool hidden;		/* every address reads 0 (kptr_restrict) */
};

/* Read the text symbols of PATH ("addr type name[\t[module]]" lines;
 * others are passed over). Returns 0, or -errno with K left empty. */
int ksyms_load(struct ksyms *k, const char *path);
void ksyms_free(struct ksyms *k);
/* Symbols were read, with their addresses. */
bool ksyms_usable(const struct ksyms *k);
/* NAME is a text symbol (addresses need not be shown). */
bool ksyms_has(const struct ksyms *k, const char *name);
/* The symbols named NAME, or starting with NAME when PREFIX, or NAME
 * followed by a compiler suffix (".isra.0", ".cold"): FN for each. */
void ksyms_match(const struct ksyms *k, const char *name, bool prefix,
		 void (*fn)(const struct ksym *sym, void *data), void *data);
/* The symbol holding ADDR, or NULL (always when addresses are hidden). */
const struct ksym *ksyms_at(const struct ksyms *k, unsigned long long addr);

#endif
