// SPDX-License-Identifier: GPL-2.0
/* The page geometry: the PMD order from hpage_pmd_size, or from the page
 * size alone, against the kernel's own for 4K, 16K and 64K pages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "page_geometry.h"

/* Page size, HPAGE_PMD_SIZE and PMD order of x86-64 and arm64's three
 * granules (arch/arm64/include/asm/pgtable-hwdef.h). */
static const struct {
	long page_size;
	const char *pmd_size;
	unsigned int shift, order;
} kernels[] = {
	{ 4096, "2097152", 12, 9 },
	{ 16384, "33554432", 14, 11 },
	{ 65536, "536870912", 16, 13 },
};

static void from_hpage_pmd_size(void **state)
{
	struct page_geometry g;
	size_t i;

	for (i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
		assert_int_equal(page_geometry_derive(&g, kernels[i].page_size,
						      kernels[i].pmd_size), 0);
		assert_int_equal(g.page_size, kernels[i].page_size);
		assert_int_equal(g.page_shift, kernels[i].shift);
		assert_int_equal(g.pmd_order, kernels[i].order);
	}
}

/* Without THP sysfs, or with text that is no PMD size, the page size
 * alone gives the same orders. */
static void from_the_page_size(void **state)
{
	static const char *const junk[] = { NULL, "", "0", "abc", "2097152 kB", "3000000",
					    "4096", "-2097152" };
	struct page_geometry g;
	size_t i, j;

	for (i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		for (j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
			assert_int_equal(page_geometry_derive(&g, kernels[i].page_size,
							      junk[j]), 0);
			assert_int_equal(g.page_shift, kernels[i].shift);
			assert_int_equal(g.pmd_order, kernels[i].order);
		}
}

static void bad_page_sizes(void **state)
{
	static const long bad[] = { 0, -1, -4096, 3, 4095, 12288, 1L << 40 };
	struct page_geometry g;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(page_geometry_derive(&g, bad[i], "2097152"), -EINVAL);
}

/* This machine's, against what its kernel says. */
static void this_machine(void **state)
{
	unsigned long long pmd_size;
	struct page_geometry g;
	FILE *f;

	assert_int_equal(page_geometry_read(&g), 0);
	assert_int_equal(g.page_size, getpagesize());
	assert_int_equal(1UL << g.page_shift, g.page_size);
	f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	if (!f)
		skip();
	assert_int_equal(fscanf(f, "%llu", &pmd_size), 1);
	fclose(f);
	assert_int_equal((unsigned long long)g.page_size << g.pmd_order, pmd_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(from_hpage_pmd_size),
		cmocka_unit_test(from_the_page_size),
		cmocka_unit_test(bad_page_sizes),
		cmocka_unit_test(this_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
