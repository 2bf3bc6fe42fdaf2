/* SPDX-License-Identifier: GPL-2.0 */
/* Reading BPF maps back into user space. */
#ifndef THPSCOPE_MAPS_H
#define THPSCOPE_MAPS_H

#include <stddef.h>
#include <stdint.h>

typedef void (*map_entry_fn)(const void *key, const void *val, void *ctx);

/* Call FN for every entry of the hash or array map FD. */
int map_foreach(int fd, size_t key_size, size_t val_size, map_entry_fn fn,
		void *ctx);
/* Sum the per-CPU values at KEY of a map whose values are arrays of
 * NWORDS u64 counters, into OUT. */
int map_sum_percpu(int fd, uint32_t key, size_t nwords, uint64_t *out);
/* The same for every key below N of a per-CPU array, in one pass: OUT
 * holds N rows of NWORDS. */
int map_sum_percpu_each(int fd, uint32_t n, size_t nwords, uint64_t *out);

#endif
