/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's page geometry. Folio orders are counted in base
 * pages, whose size is 4K on x86 but 4K, 16K or 64K on arm64, and so is
 * the order of a PMD mapping: none of them is a constant.
 */
#ifndef THPSCOPE_PAGE_GEOMETRY_H
#define THPSCOPE_PAGE_GEOMETRY_H

struct page_geometry {
	unsigned int page_size;
	unsigned int page_shift;	/* log2 of page_size */
	unsigned int pmd_order;		/* a PMD maps 1 << pmd_order pages */
};

/* The geometry of pages of PAGE_SIZE bytes, given HPAGE_PMD_SIZE, the text
 * of the THP sysfs file of that name (NULL where the kernel has none).
 * Returns 0, or -EINVAL when PAGE_SIZE is not a power of two. */
int page_geometry_derive(struct page_geometry *g, long page_size,
			 const char *hpage_pmd_size);
/* The running kernel's; -1 after one line of error. */
int page_geometry_read(struct page_geometry *g);

#endif
