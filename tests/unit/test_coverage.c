// SPDX-License-Identifier: GPL-2.0
/* The coverage classification on synthetic pagemap and kpageflags words:
 * folios mapped whole and aligned, unaligned, in part; orders from the
 * head and tail flags and PFN contiguity; device-private entries. */
#include <string.h>
#include "unit.h"
#include "coverage.h"

#define NPFN 8192
#define F(bit) (1ULL << (bit))
#define ANON F(KPF_ANON)
#define SHMEM F(KPF_SWAPBACKED)

static uint64_t phys[NPFN];	/* the flags of each PFN */
static uint64_t pm[4096];	/* pagemap words of the mapping */

static int read_flags(void *ctx, uint64_t pfn, uint64_t *flags)
{
	if (pfn >= NPFN)
		return -1;
	*flags = phys[pfn];
	return 0;
}

static const struct kpf_source src = { read_flags, NULL };
static const struct page_geometry g4k = { 4096, 12, 9 };

static int reset(void **state)
{
	memset(phys, 0, sizeof(phys));
	memset(pm, 0, sizeof(pm));
	return 0;
}

/* A folio of ORDER at HEAD; tails carry no kind, as in kernels that
 * report only the head's mapping. */
static void folio(uint64_t head, unsigned int order, uint64_t kind)
{
	uint64_t i;

	phys[head] = F(KPF_COMPOUND_HEAD) | F(KPF_THP) | kind;
	for (i = 1; i < (1ULL << order); i++)
		phys[head + i] = F(KPF_COMPOUND_TAIL) | F(KPF_THP);
}

/* Map N pages from PFN at index I of pm. */
static void map(size_t i, uint64_t pfn, size_t n)
{
	size_t t;

	for (t = 0; t < n; t++)
		pm[i + t] = PM_PRESENT | (pfn + t);
}

static struct coverage scan(uint64_t vpn, size_t n)
{
	struct coverage c = { 0 };

	coverage_add_range(&c, &g4k, vpn, pm, n, &src);
	return c;
}

static void pmd_whole_and_aligned(void **state)
{
	struct coverage c;

	folio(1024, 9, ANON);
	map(0, 1024, 512);
	c = scan(512, 512);
	assert_int_equal(c.whole[COV_ANON][9], 2 << 20);
	assert_int_equal(coverage_partial(&c, -1), 0);
	assert_int_equal(coverage_resident(&c, -1), 2 << 20);
	assert_int_equal(coverage_large(&c, COV_ANON), 2 << 20);
}

/* The same folio a page off its alignment: all of it partial, order 9. */
static void unaligned_is_partial(void **state)
{
	struct coverage c;

	folio(1024, 9, ANON);
	map(1, 1024, 512);
	c = scan(512, 1024);
	assert_int_equal(c.whole[COV_ANON][9], 0);
	assert_int_equal(c.partial[COV_ANON][9], 2 << 20);
}

/* Half of a THP mapped: its order comes from the flags, not the run. */
static void half_mapped_is_partial(void **state)
{
	struct coverage c;

	folio(1024, 9, ANON);
	map(0, 1024, 256);
	c = scan(512, 512);
	assert_int_equal(c.partial[COV_ANON][9], 1 << 20);
	assert_int_equal(coverage_large(&c, -1), 0);
}

/* Only the second half mapped: the head is found below the tails. */
static void tails_find_their_head(void **state)
{
	struct coverage c;

	folio(1024, 9, SHMEM);
	map(256, 1024 + 256, 256);
	c = scan(512, 512);
	assert_int_equal(c.partial[COV_SHMEM][9], 1 << 20);
}

/* 64K mTHPs one after the other in PFNs and addresses: contiguity alone
 * would say one PMD folio, the flags say 32 of order 4. */
static void contiguous_mthps_keep_their_order(void **state)
{
	struct coverage c;
	uint64_t h;

	for (h = 2048; h < 2048 + 512; h += 16)
		folio(h, 4, ANON);
	map(0, 2048, 512);
	c = scan(1024, 512);
	assert_int_equal(c.whole[COV_ANON][4], 2 << 20);
	assert_int_equal(c.whole[COV_ANON][9], 0);
	assert_int_equal(coverage_partial(&c, -1), 0);
}

/* An mTHP whose PFNs are out of order in the mapping is no whole one. */
static void swapped_halves_are_partial(void **state)
{
	struct coverage c;

	folio(64, 2, ANON);
	map(0, 66, 2);
	map(2, 64, 2);
	c = scan(0, 4);
	assert_int_equal(c.whole[COV_ANON][2], 0);
	assert_int_equal(c.partial[COV_ANON][2], 4 * 4096);
}

static void base_pages_by_kind(void **state)
{
	struct coverage c;

	phys[10] = ANON;
	phys[11] = SHMEM;
	phys[12] = 0;
	map(0, 10, 3);
	pm[2] |= PM_FILE;
	c = scan(0, 3);
	assert_int_equal(c.whole[COV_ANON][0], 4096);
	assert_int_equal(c.whole[COV_SHMEM][0], 4096);
	assert_int_equal(c.whole[COV_FILE][0], 4096);
	assert_int_equal(coverage_large(&c, -1), 0);
}

/* Device-private entries: a special swap type whose PFN is no RAM; a
 * PMD-sized aligned run of them is a device THP. Migration entries
 * (a RAM PFN) and swap slots are not device memory. */
static uint64_t swap_entry(uint64_t type, uint64_t offset)
{
	return PM_SWAP | (offset << PM_SWAP_TYPE_BITS) | type;
}

static void device_private_entries(void **state)
{
	struct coverage c;
	size_t t;

	for (t = 0; t < 512; t++)
		pm[t] = swap_entry(28, 1ULL << 20 | t);
	pm[512] = swap_entry(29, (1ULL << 21) + 3);
	pm[513] = swap_entry(25, 100);		/* migration: RAM */
	phys[100] = ANON | F(KPF_COMPOUND_HEAD);
	pm[514] = swap_entry(0, 1ULL << 30);	/* a swap slot */
	c = scan(0, 515);
	assert_int_equal(c.device, 513 * 4096);
	assert_int_equal(c.device_pmd, 2 << 20);
	assert_int_equal(c.swapped, 4096);
	assert_int_equal(coverage_resident(&c, -1), 0);
	assert_true(coverage_device_entry(swap_entry(30, NPFN), &src));
	phys[5] = F(KPF_NOPAGE);
	assert_true(coverage_device_entry(swap_entry(28, 5), &src));
	assert_false(coverage_device_entry(swap_entry(22, NPFN + 5), &src));
}

/* A device run a page off alignment holds no device THP. */
static void unaligned_device_run(void **state)
{
	struct coverage c;
	size_t t;

	for (t = 0; t < 512; t++)
		pm[t + 1] = swap_entry(28, 1ULL << 20 | t);
	c = scan(0, 513);
	assert_int_equal(c.device, 2 << 20);
	assert_int_equal(c.device_pmd, 0);
}

/* The huge zero page and hugetlb pages are not resident memory. */
static void zero_and_hugetlb_apart(void **state)
{
	struct coverage c;

	folio(512, 9, F(KPF_ZERO_PAGE));
	phys[512] |= F(KPF_ZERO_PAGE);
	map(0, 512, 1);
	phys[7] = F(KPF_HUGE) | F(KPF_COMPOUND_HEAD);
	map(1, 7, 1);
	c = scan(0, 2);
	assert_int_equal(c.zero, 4096);
	assert_int_equal(c.hugetlb, 4096);
	assert_int_equal(coverage_resident(&c, -1), 0);
}

/* The PMD order is the geometry's: 16K pages map 2^11 pages per PMD. */
static void pmd_order_from_geometry(void **state)
{
	static const struct page_geometry g16k = { 16384, 14, 11 };
	struct coverage c = { 0 };

	folio(2048, 11, ANON);
	map(0, 2048, 2048);
	coverage_add_range(&c, &g16k, 4096, pm, 2048, &src);
	assert_int_equal(c.whole[COV_ANON][11], 32 << 20);
}

/* Flags that make no folio (a tail with no head below it, as when the
 * folio is freed under the scan): base pages, no crash. */
static void inconsistent_flags(void **state)
{
	uint64_t head;
	struct coverage c;

	phys[33] = F(KPF_COMPOUND_TAIL);
	phys[32] = 0;
	assert_int_equal(coverage_folio_order(33, phys[33], &src, &head), -1);
	map(0, 33, 1);
	phys[NPFN - 1] = F(KPF_COMPOUND_HEAD);	/* its tails beyond memory */
	map(1, NPFN - 1, 1);
	c = scan(0, 2);
	assert_int_equal(c.whole[COV_ANON][0] + c.whole[COV_FILE][0], 2 * 4096);
}

static void folio_order_from_flags(void **state)
{
	uint64_t head;

	folio(4096, 9, ANON);
	folio(4096 + 512, 3, ANON);
	assert_int_equal(coverage_folio_order(4096 + 511, phys[4096 + 511], &src, &head), 9);
	assert_int_equal(head, 4096);
	assert_int_equal(coverage_folio_order(4096 + 513, phys[4096 + 513], &src, &head), 3);
	assert_int_equal(head, 4096 + 512);
	assert_int_equal(coverage_folio_order(4096, phys[4096], &src, &head), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(pmd_whole_and_aligned, reset),
		cmocka_unit_test_setup(unaligned_is_partial, reset),
		cmocka_unit_test_setup(half_mapped_is_partial, reset),
		cmocka_unit_test_setup(tails_find_their_head, reset),
		cmocka_unit_test_setup(contiguous_mthps_keep_their_order, reset),
		cmocka_unit_test_setup(swapped_halves_are_partial, reset),
		cmocka_unit_test_setup(base_pages_by_kind, reset),
		cmocka_unit_test_setup(device_private_entries, reset),
		cmocka_unit_test_setup(unaligned_device_run, reset),
		cmocka_unit_test_setup(zero_and_hugetlb_apart, reset),
		cmocka_unit_test_setup(pmd_order_from_geometry, reset),
		cmocka_unit_test_setup(inconsistent_flags, reset),
		cmocka_unit_test_setup(folio_order_from_flags, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
