/* SPDX-License-Identifier: GPL-2.0 */
/* The size a THP of PMD order spans, for thpdev's tests: asked of the
 * running kernel, never assumed. */
#ifndef THPDEV_TEST_THP_PMD_SIZE_H
#define THPDEV_TEST_THP_PMD_SIZE_H

#include <stdio.h>
#include <stdlib.h>

/* hpage_pmd_size; a TAP bail-out, and exit 1, when the kernel has none. */
static inline size_t thp_pmd_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	unsigned long long n = 0;

	if (f) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	if (!n) {
		printf("Bail out! no THP: no /sys/kernel/mm/transparent_hugepage/hpage_pmd_size\n");
		exit(1);
	}
	return n;
}

#endif
