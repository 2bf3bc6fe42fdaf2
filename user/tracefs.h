/* SPDX-License-Identifier: GPL-2.0 */
/* Where tracefs is: thpscope reads tracepoint ids and the functions ftrace
 * can patch from it. */
#ifndef THPSCOPE_TRACEFS_H
#define THPSCOPE_TRACEFS_H

#include <stddef.h>

/* Find tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing, or
 * mount it at the first when it is at neither. Returns 0 with the mount
 * point in DIR, or prints one line saying why not and returns -1. */
int tracefs_find(char *dir, size_t len);

#endif
