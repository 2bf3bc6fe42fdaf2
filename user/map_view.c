// SPDX-License-Identifier: GPL-2.0
/* BPF arrays read in place. */
#include <errno.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>
#include "map_view.h"
#include "proc_slot.h"

const void *map_view(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

void map_unview(const void *view, size_t len)
{
	if (view)
		munmap((void *)view, len);
}

__u32 proc_slots_size(struct bpf_map *procs, const struct bpf_map *counts)
{
	__u32 n = bpf_map__max_entries(counts);
	int err;

	if (n > PROC_SLOTS)
		n = PROC_SLOTS;
	err = bpf_map__set_max_entries(procs, n);
	if (err) {
		errno = -err;
		return 0;
	}
	return n;
}
