/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions ftrace can patch (tracefs available_filter_functions):
 * the ones an fentry trampoline can attach to. Knowing them saves trying
 * an attachment per function, each of which patches kernel text twice.
 */
#ifndef THPSCOPE_FTRACE_FUNCS_H
#define THPSCOPE_FTRACE_FUNCS_H

#include <stddef.h>

struct ftrace_funcs {
	char *text;		/* the file, names cut at their first blank */
	const char **names;	/* sorted */
	size_t n;
	int state;		/* 0 not read, 1 read, -1 unreadable */
};

/* NAME is listed: 1, not listed: 0, the list cannot be read: -1. The
 * list is read from TRACEFS on first use. */
int ftrace_funcs_has(struct ftrace_funcs *f, const char *tracefs, const char *name);
void ftrace_funcs_free(struct ftrace_funcs *f);

#endif
