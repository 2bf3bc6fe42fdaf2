// SPDX-License-Identifier: GPL-2.0
/* The running kernel's page geometry (see page_geometry.h). */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include "page_geometry.h"
#include "sysfs.h"
#include "util.h"

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

int page_geometry_derive(struct page_geometry *g, long page_size,
			 const char *hpage_pmd_size)
{
	uint64_t pmd_size;

	if (page_size <= 0 || !power_of_two(page_size) || (uint64_t)page_size > UINT32_MAX)
		return -EINVAL;
	g->page_size = page_size;
	g->page_shift = ilog2_u64(page_size);
	if (hpage_pmd_size && parse_u64(hpage_pmd_size, &pmd_size) && power_of_two(pmd_size) &&
	    pmd_size > (uint64_t)page_size) {
		g->pmd_order = ilog2_u64(pmd_size) - g->page_shift;
		return 0;
	}
	/* No THP sysfs: a page table is one page of 8-byte entries, so a
	 * PMD entry maps page_shift - 3 bits of pages. */
	g->pmd_order = g->page_shift - 3;
	return 0;
}

int page_geometry_read(struct page_geometry *g)
{
	long page_size = sysconf(_SC_PAGESIZE);
	char buf[32];

	if (page_geometry_derive(g, page_size,
				 read_text(THP_SYSFS "/hpage_pmd_size", buf, sizeof(buf)))) {
		errorf("the page size reads %ld bytes, not a power of two", page_size);
		return -1;
	}
	return 0;
}
