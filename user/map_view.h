/* SPDX-License-Identifier: GPL-2.0 */
/* BPF arrays made with BPF_F_MMAPABLE, read in place: mapped once at
 * load, their counters read at every harvest without a system call. */
#ifndef THPSCOPE_MAP_VIEW_H
#define THPSCOPE_MAP_VIEW_H

#include <stddef.h>

/* The first LEN bytes of the values of array map FD, read-only; NULL,
 * with errno set, when it cannot be mapped. */
const void *map_view(int fd, size_t len);
void map_unview(const void *view, size_t len);

#endif
