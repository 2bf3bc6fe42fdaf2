/* SPDX-License-Identifier: GPL-2.0 */
/*
 * THP coverage: how the pages a process maps are backed, by folio order,
 * from the words of /proc/PID/pagemap and of /proc/kpageflags
 * (Documentation/admin-guide/mm/pagemap.rst). Pure functions over those
 * words, so that they can be fed synthetic ones; coverage_scan.h reads
 * the real files.
 *
 * pagemap has no bit for a PMD mapping. A folio counts as mapped whole
 * when all its pages are mapped, in PFN order, at a virtual address
 * aligned to its size: the only way the kernel maps a folio with one
 * PMD, and the way an mTHP is mapped by a contiguous run of PTEs. A folio
 * of the PMD order mapped whole is counted as PMD-mapped (a PMD-order
 * folio remapped whole by PTEs looks the same in pagemap; smaps'
 * AnonHugePages tells them apart). A large folio of which only some
 * pages are mapped, or mapped out of place, is counted apart by its
 * order: that is what the deferred-split queue and the collapse scanner
 * work on.
 */
#ifndef THPSCOPE_COVERAGE_H
#define THPSCOPE_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "page_geometry.h"

/* pagemap: one word per virtual page. */
#define PM_PFN_MASK		((1ULL << 55) - 1)
#define PM_SWAP_TYPE_BITS	5	/* MAX_SWAPFILES_SHIFT */
#define PM_FILE			(1ULL << 61)
#define PM_SWAP			(1ULL << 62)
#define PM_PRESENT		(1ULL << 63)

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h). */
#define KPF_ANON		12
#define KPF_SWAPBACKED		14
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_NOPAGE		20
#define KPF_THP			22
#define KPF_ZERO_PAGE		24

/* Folio orders counted; a larger one (none the kernel makes for THP or
 * the page cache) is counted as a base page, unresolved. */
#define COVERAGE_MAX_ORDER	20

enum coverage_kind { COV_ANON, COV_SHMEM, COV_FILE, COV_NKINDS };

/* Bytes, per kind of memory. */
struct coverage {
	/* Mapped whole (see above), by folio order: order 0 holds the base
	 * pages, the PMD order the PMD-mapped THPs. */
	uint64_t whole[COV_NKINDS][COVERAGE_MAX_ORDER + 1];
	/* Pages of large folios mapped partly or out of place, by the
	 * folio's order. */
	uint64_t partial[COV_NKINDS][COVERAGE_MAX_ORDER + 1];
	/* Device-private entries (their pages live in device memory), and
	 * those in PMD-sized runs of one device folio. */
	uint64_t device;
	uint64_t device_pmd;
	uint64_t swapped;	/* in a swap area */
	uint64_t zero;		/* the shared zero page and huge zero page */
	uint64_t hugetlb;	/* hugetlbfs pages, which smaps leaves out of Rss */
	uint64_t vmas;		/* mappings scanned */
	uint64_t mapped;	/* their virtual size */
};

/* The flags of a PFN, as the scanner gets them: 0 after writing them to
 * *FLAGS, -1 when the PFN is not memory /proc/kpageflags describes. */
struct kpf_source {
	int (*read)(void *ctx, uint64_t pfn, uint64_t *flags);
	void *ctx;
};

/* Add to C the pages of PM (N pagemap words, the first for virtual page
 * number VPN) of one mapping, with the flags of their PFNs from SRC. */
void coverage_add_range(struct coverage *c, const struct page_geometry *g, uint64_t vpn,
			const uint64_t *pm, size_t n, const struct kpf_source *src);

/* The order of the folio that holds PFN, whose flags are FLAGS, and its
 * head in *HEAD; -1 when the flags read do not make a folio (they changed
 * under the scan). Order 0 for a page that is no part of a large folio. */
int coverage_folio_order(uint64_t pfn, uint64_t flags, const struct kpf_source *src,
			 uint64_t *head);

/* A swap-type pagemap word that is a device-private entry: a special
 * swap type (at or above COVERAGE_SPECIAL_SWAP_TYPE) whose offset is a
 * PFN that is no online memory. */
bool coverage_device_entry(uint64_t pm, const struct kpf_source *src);

/* The lowest swap type that can be no swap area: MAX_SWAPFILES is 32
 * less 4 device, 3 migration, 1 hwpoison and 1 marker types at most
 * (include/linux/swap.h), and a swap area's type is below it. */
#define COVERAGE_SPECIAL_SWAP_TYPE	23

/* Sums over C. */
uint64_t coverage_resident(const struct coverage *c, int kind);	/* -1: all */
uint64_t coverage_large(const struct coverage *c, int kind);	/* whole, order >= 1 */
uint64_t coverage_partial(const struct coverage *c, int kind);
/* Add B to A. */
void coverage_merge(struct coverage *a, const struct coverage *b);

extern const char *const coverage_kind_names[COV_NKINDS];

#endif
