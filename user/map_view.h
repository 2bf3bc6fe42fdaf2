/* SPDX-License-Identifier: GPL-2.0 */
/* BPF arrays made with BPF_F_MMAPABLE, read in place: mapped once at
 * load, their counters read at every harvest without a system call. */
#ifndef THPSCOPE_MAP_VIEW_H
#define THPSCOPE_MAP_VIEW_H

#include <stddef.h>
#include <linux/types.h>

struct bpf_map;

/* The first LEN bytes of the values of array map FD, read-only; NULL,
 * with errno set, when it cannot be mapped. */
const void *map_view(int fd, size_t len);
void map_unview(const void *view, size_t len);

/* Size PROCS, an array of per-process slots (proc_slot.h), before load:
 * PROC_SLOTS, or as many as the counting hash COUNTS when it is capped
 * lower (THPSCOPE_MAP_ENTRIES caps hash maps), so that a capped run fills
 * the slots too. The slots it has, or 0 with errno set. */
__u32 proc_slots_size(struct bpf_map *procs, const struct bpf_map *counts);

#endif
