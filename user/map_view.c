// SPDX-License-Identifier: GPL-2.0
/* BPF arrays read in place. */
#include <sys/mman.h>
#include "map_view.h"

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
