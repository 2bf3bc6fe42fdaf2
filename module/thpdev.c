// SPDX-License-Identifier: GPL-2.0
/*
 * thpdev - a simulated device with device-private memory that migrates
 * transparent huge pages whole (MIGRATE_VMA_SELECT_COMPOUND) or splits
 * them on the way, with counters and bounded fault injection, so that the
 * kernel's device-migration paths can be exercised and observed without a
 * GPU.
 *
 * Each open of /dev/thpdev is a device context bound to the opener's mm.
 * Its memory comes in 64 MB chunks of MEMORY_DEVICE_PRIVATE pages, each
 * chunk either carved into PMD-order blocks (for THPs) or into base pages;
 * the data of a device page lives in a system page behind it (its
 * zone_device_data). Migrations are not serialised: migrate_vma locks the
 * pages it collects, so concurrent callers on overlapping ranges each get
 * what they could lock. Only the free lists (a spinlock), chunk creation
 * (a mutex) and the device's view of pages against invalidations (a
 * mutex) need locks.
 */
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hmm.h>
#include <linux/huge_mm.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "thpdev_uapi.h"

/* MIGRATE_PFN_COMPOUND came with folio_free and zone_device_folio_init. */
#ifndef MIGRATE_PFN_COMPOUND
#error "thpdev needs the device-private THP API of Linux 6.19 or later"
#endif
#if !IS_ENABLED(CONFIG_DEVICE_PRIVATE)
#error "thpdev needs a kernel built with CONFIG_DEVICE_PRIVATE"
#endif
#if !IS_ENABLED(CONFIG_ARCH_ENABLE_THP_MIGRATION)
#error "thpdev needs THP migration (CONFIG_ARCH_ENABLE_THP_MIGRATION)"
#endif

#define THPDEV_CHUNK_SIZE	SZ_64M
#define THPDEV_MAX_CHUNKS	16
#define THPDEV_RW_PAGES		64
/*
 * Retries of the eviction after close, from 10 ms apart up to 10 s: each
 * unmaps what it tries to move, and a page freed meanwhile need not wait
 * for one (thpdev_folio_free()).
 */
#define THPDEV_EVICT_RETRY_MIN	msecs_to_jiffies(10)
#define THPDEV_EVICT_RETRY_MAX	(10 * HZ)

/* Counters, in the order of the u64 fields of struct thpdev_stats. */
enum thpdev_stat {
	ST_PAGES_TO_DEVICE,
	ST_THP_TO_DEVICE,
	ST_PAGES_TO_RAM,
	ST_THP_TO_RAM,
	ST_SPLIT_COLLECT,
	ST_SPLIT_ALLOC,
	ST_SPLIT_TO_RAM,
	ST_CPU_FAULTS,
	ST_CPU_FAULTS_REFUSED,
	ST_ALLOC_FAILURES,
	ST_DEVICE_FOLIOS_SPLIT,
	ST_CHUNKS,
	ST_DEVICE_PAGES,
	ST_EXCLUSIVE_PAGES,
	ST_INVALIDATIONS,
	ST_NR = ST_INVALIDATIONS + THPDEV_NR_EVENTS,
};

static_assert(offsetof(struct thpdev_stats, invalidations) ==
	      offsetof(struct thpdev_stats, pages_to_device) + ST_INVALIDATIONS * sizeof(u64));
static_assert(sizeof(struct thpdev_stats) ==
	      offsetof(struct thpdev_stats, pages_to_device) + ST_NR * sizeof(u64));
static_assert(MMU_NOTIFY_EXCLUSIVE < THPDEV_NR_EVENTS);

struct thpdev_ctx;

struct thpdev_chunk {
	struct dev_pagemap pagemap;
	struct resource *res;
	struct thpdev_ctx *ctx;
	struct list_head link;
};

struct thpdev_ctx {
	struct mmu_interval_notifier notifier;
	/* Held while the device copies pages it looked up; invalidations wait. */
	struct mutex view_lock;
	struct mutex chunk_lock;	/* adding chunks */
	spinlock_t free_lock;		/* the free lists */
	struct page *free_small;	/* base pages, linked by zone_device_data */
	struct page *free_large;	/* PMD-order blocks, by first page */
	struct list_head chunks;
	unsigned int nr_chunks;
	atomic_t fail_large_alloc;
	atomic_t fail_alloc;
	atomic_t fail_ram_thp;
	atomic_t refuse_cpu_faults;
	atomic_t delay_us;
	atomic64_t stat[ST_NR];
	/* Closed, with device memory the eviction could not bring back. */
	bool closing;
	struct delayed_work teardown;
	unsigned long retry;		/* jiffies until the next try */
};

/* Teardowns left after close; destroyed last at unload (thpdev_exit()). */
static struct workqueue_struct *thpdev_wq;

static const struct dev_pagemap_ops thpdev_pagemap_ops;

static void thpdev_stat_add(struct thpdev_ctx *ctx, enum thpdev_stat s, long n)
{
	atomic64_add(n, &ctx->stat[s]);
}

static struct thpdev_ctx *thpdev_page_ctx(struct page *page)
{
	return container_of(page_pgmap(page), struct thpdev_chunk, pagemap)->ctx;
}

/* The system page holding the data of device page @page. */
static struct page *thpdev_backing_page(struct page *page)
{
	struct folio *folio = page_folio(page);
	struct page *first = folio->page.zone_device_data;

	return pfn_to_page(page_to_pfn(first) + folio_page_idx(folio, page));
}

/* ---- device memory ---------------------------------------------------- */

static void thpdev_push_free(struct page **list, struct page *page)
{
	page->zone_device_data = *list;
	*list = page;
}

static int thpdev_add_chunk(struct thpdev_ctx *ctx, bool large)
{
	struct thpdev_chunk *chunk;
	unsigned long pfn, first, last;
	void *addr;
	int err;

	mutex_lock(&ctx->chunk_lock);
	err = -ENOSPC;
	if (ctx->nr_chunks >= THPDEV_MAX_CHUNKS)
		goto unlock;
	err = -ENOMEM;
	chunk = kzalloc_obj(*chunk, GFP_KERNEL);
	if (!chunk)
		goto unlock;
	chunk->res = request_free_mem_region(&iomem_resource, THPDEV_CHUNK_SIZE, "thpdev");
	if (IS_ERR(chunk->res)) {
		err = PTR_ERR(chunk->res);
		goto free;
	}
	chunk->ctx = ctx;
	chunk->pagemap.type = MEMORY_DEVICE_PRIVATE;
	chunk->pagemap.range.start = chunk->res->start;
	chunk->pagemap.range.end = chunk->res->end;
	chunk->pagemap.nr_range = 1;
	chunk->pagemap.ops = &thpdev_pagemap_ops;
	chunk->pagemap.owner = ctx;
	addr = memremap_pages(&chunk->pagemap, numa_node_id());
	if (IS_ERR(addr)) {
		err = PTR_ERR(addr);
		goto release;
	}

	first = chunk->res->start >> PAGE_SHIFT;
	last = first + (resource_size(chunk->res) >> PAGE_SHIFT);
	spin_lock(&ctx->free_lock);
	for (pfn = first; pfn < last; ) {
		if (large && IS_ALIGNED(pfn, HPAGE_PMD_NR) && pfn + HPAGE_PMD_NR <= last) {
			thpdev_push_free(&ctx->free_large, pfn_to_page(pfn));
			pfn += HPAGE_PMD_NR;
		} else {
			thpdev_push_free(&ctx->free_small, pfn_to_page(pfn));
			pfn++;
		}
	}
	spin_unlock(&ctx->free_lock);
	list_add(&chunk->link, &ctx->chunks);
	ctx->nr_chunks++;
	thpdev_stat_add(ctx, ST_CHUNKS, 1);
	mutex_unlock(&ctx->chunk_lock);
	return 0;

release:
	release_mem_region(chunk->res->start, resource_size(chunk->res));
free:
	kfree(chunk);
unlock:
	mutex_unlock(&ctx->chunk_lock);
	return err;
}

static struct page *thpdev_pop_free(struct thpdev_ctx *ctx, bool large)
{
	struct page **list = large ? &ctx->free_large : &ctx->free_small;
	struct page *page;

	for (;;) {
		spin_lock(&ctx->free_lock);
		page = *list;
		if (page)
			*list = page->zone_device_data;
		spin_unlock(&ctx->free_lock);
		if (page || thpdev_add_chunk(ctx, large))
			return page;
	}
}

/*
 * A locked device folio of PMD order (@large) or a base page, with system
 * memory behind it, or NULL when the allocation fails or is made to fail.
 * Large backing memory is split into base pages at once, so that the
 * pieces of a device folio the kernel splits can be freed one by one.
 */
static struct page *thpdev_device_alloc(struct thpdev_ctx *ctx, bool large)
{
	unsigned int order = large ? HPAGE_PMD_ORDER : 0;
	struct page *dpage, *backing;
	unsigned int i;

	if (large && atomic_dec_if_positive(&ctx->fail_large_alloc) >= 0)
		goto fail;
	if (atomic_dec_if_positive(&ctx->fail_alloc) >= 0)
		goto fail;
	backing = alloc_pages(GFP_HIGHUSER | (large ? __GFP_NOWARN | __GFP_NORETRY : 0), order);
	if (!backing)
		goto fail;
	if (order)
		split_page(backing, order);
	dpage = thpdev_pop_free(ctx, large);
	if (!dpage) {
		for (i = 0; i < (1U << order); i++)
			__free_page(pfn_to_page(page_to_pfn(backing) + i));
		goto fail;
	}
	zone_device_folio_init(page_folio(dpage), page_pgmap(dpage), order);
	dpage->zone_device_data = backing;
	thpdev_stat_add(ctx, ST_DEVICE_PAGES, 1L << order);
	return dpage;
fail:
	thpdev_stat_add(ctx, ST_ALLOC_FAILURES, 1);
	return NULL;
}

static void thpdev_folio_free(struct folio *folio)
{
	struct thpdev_ctx *ctx = thpdev_page_ctx(&folio->page);
	struct page *backing = folio->page.zone_device_data;
	unsigned int i, nr = folio_nr_pages(folio);
	unsigned long flags;

	if (backing)
		for (i = 0; i < nr; i++)
			__free_page(pfn_to_page(page_to_pfn(backing) + i));
	spin_lock_irqsave(&ctx->free_lock, flags);
	if (folio_order(folio) == HPAGE_PMD_ORDER)
		thpdev_push_free(&ctx->free_large, &folio->page);
	else
		thpdev_push_free(&ctx->free_small, &folio->page);
	spin_unlock_irqrestore(&ctx->free_lock, flags);
	/*
	 * The last device page of a closed context: its teardown need not
	 * wait for the next try. The context outlives this call: the
	 * teardown unmaps the chunks first, which waits for every page's
	 * free to return.
	 */
	if (!atomic64_sub_return(nr, &ctx->stat[ST_DEVICE_PAGES]) && READ_ONCE(ctx->closing))
		mod_delayed_work(thpdev_wq, &ctx->teardown, 0);
}

/* The kernel split a large device folio: each new folio gets its share. */
static void thpdev_folio_split(struct folio *head, struct folio *tail)
{
	struct page *backing = head->page.zone_device_data;

	if (!tail) {
		thpdev_stat_add(thpdev_page_ctx(&head->page), ST_DEVICE_FOLIOS_SPLIT, 1);
		return;
	}
	tail->pgmap = head->pgmap;
	tail->page.mapping = head->page.mapping;
	tail->page.zone_device_data = backing ?
		pfn_to_page(page_to_pfn(backing) + folio_pfn(tail) - folio_pfn(head)) : NULL;
}

/* ---- migration --------------------------------------------------------- */

static void thpdev_copy_pages(struct page *dst, struct page *src, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		struct page *d = pfn_to_page(page_to_pfn(dst) + i);

		if (src)
			copy_highpage(d, pfn_to_page(page_to_pfn(src) + i));
		else
			clear_highpage(d);
	}
}

static void thpdev_delay_migration(struct thpdev_ctx *ctx)
{
	unsigned int us = atomic_read(&ctx->delay_us);

	if (us)
		usleep_range(us, us + us / 8 + 1);
}

/* Count what migrate_vma_pages() moved; a compound destination is a THP. */
static void thpdev_count_migrated(struct thpdev_ctx *ctx, const unsigned long *src,
				  const unsigned long *dst, unsigned long npages,
				  struct thpdev_range *out, bool to_device)
{
	unsigned long i, pages = 0, thps = 0;

	for (i = 0; i < npages; ) {
		unsigned long nr = (dst[i] & MIGRATE_PFN_COMPOUND) ? HPAGE_PMD_NR : 1;

		if (src[i] & MIGRATE_PFN_MIGRATE) {
			pages += nr;
			thps += nr > 1;
		}
		i += nr;
	}
	thpdev_stat_add(ctx, to_device ? ST_PAGES_TO_DEVICE : ST_PAGES_TO_RAM, pages);
	thpdev_stat_add(ctx, to_device ? ST_THP_TO_DEVICE : ST_THP_TO_RAM, thps);
	out->pages += pages;
	out->thps += thps;
}

/* Give back the @n device pages of @dst, locked and unused. */
static void thpdev_undo_device_dst(unsigned long *dst, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct page *dpage = migrate_pfn_to_page(dst[i]);

		dst[i] = 0;
		unlock_page(dpage);
		put_page(dpage);
	}
}

/*
 * Device pages for what migrate_vma_setup() collected from system memory.
 * A THP collected whole gets a PMD-order device folio; when that cannot
 * be had it gets base pages, and the kernel splits the THP unmapped
 * during the migration, but only when @may_split_unmapped: the kernel
 * splits the PMD of this process's page table alone, and a child of
 * fork() mapping the THP too would have the first base page of the split
 * mapped where its PMD was. Else the THP gets none and stays where it
 * is; returns whether one was left so, for the caller to collect again,
 * split.
 */
static bool thpdev_fill_device_dst(struct thpdev_ctx *ctx, struct migrate_vma *args,
				   bool may_split_unmapped)
{
	bool left_whole = false;
	unsigned long i;

	for (i = 0; i < args->npages; ) {
		unsigned long s = args->src[i], nr = 1, j;
		struct page *spage = migrate_pfn_to_page(s);
		unsigned long write = (s & MIGRATE_PFN_WRITE) ||
			(!spage && (args->vma->vm_flags & VM_WRITE)) ? MIGRATE_PFN_WRITE : 0;
		struct page *dpage;

		if (!(s & MIGRATE_PFN_MIGRATE)) {
			i++;
			continue;
		}
		if (s & MIGRATE_PFN_COMPOUND) {
			nr = min_t(unsigned long, HPAGE_PMD_NR, args->npages - i);
			dpage = thpdev_device_alloc(ctx, true);
			if (dpage) {
				thpdev_copy_pages(dpage->zone_device_data, spage, nr);
				args->dst[i] = migrate_pfn(page_to_pfn(dpage)) |
					MIGRATE_PFN_COMPOUND | write;
				i += nr;
				continue;
			}
			if (spage && !may_split_unmapped) {
				left_whole = true;
				i += nr;
				continue;
			}
		}
		for (j = 0; j < nr; j++) {
			dpage = thpdev_device_alloc(ctx, false);
			if (!dpage)
				break;
			thpdev_copy_pages(dpage->zone_device_data,
					  spage ? pfn_to_page(page_to_pfn(spage) + j) : NULL, 1);
			args->dst[i + j] = migrate_pfn(page_to_pfn(dpage)) | write;
		}
		/*
		 * A THP collected whole takes base pages for all of it or for
		 * none: the kernel maps every page of a hole collected whole
		 * without checking them (a NULL dereference otherwise).
		 */
		if (j < nr && nr > 1)
			thpdev_undo_device_dst(&args->dst[i], j);
		i += nr;
	}
	return left_whole;
}

/*
 * System pages for device pages being migrated back, from @vma at @start
 * when there is one, else from any node (eviction). A device THP gets a
 * THP when one can be allocated, else base pages for the kernel to split
 * it, under the condition thpdev_fill_device_dst() gives (never in the
 * eviction: the kernel splits only within a VMA). Returns -ENOMEM when
 * not even base pages were left, -EAGAIN when a THP was left whole.
 */
static int thpdev_fill_ram_dst(struct thpdev_ctx *ctx, unsigned long *src,
			       unsigned long *dst, unsigned long npages,
			       struct vm_area_struct *vma, unsigned long start,
			       bool may_split_unmapped)
{
	int ret = 0;
	unsigned long i;

	for (i = 0; i < npages; ) {
		struct page *spage = migrate_pfn_to_page(src[i]);
		unsigned long write = src[i] & MIGRATE_PFN_WRITE, nr = 1, j;
		unsigned long addr = start + i * PAGE_SIZE;
		struct folio *folio;

		if (!spage || !(src[i] & MIGRATE_PFN_MIGRATE)) {
			i++;
			continue;
		}
		if (src[i] & MIGRATE_PFN_COMPOUND) {
			nr = min_t(unsigned long, folio_nr_pages(page_folio(spage)), npages - i);
			if (atomic_dec_if_positive(&ctx->fail_ram_thp) >= 0)
				folio = NULL;
			else if (vma)
				folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN,
							HPAGE_PMD_ORDER, vma, addr);
			else	/* the eviction: its retries do not reclaim hard */
				folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN |
						    (READ_ONCE(ctx->closing) ? __GFP_NORETRY : 0),
						    HPAGE_PMD_ORDER);
			if (folio) {
				folio_lock(folio);
				thpdev_copy_pages(&folio->page, thpdev_backing_page(spage), nr);
				dst[i] = migrate_pfn(folio_pfn(folio)) |
					 MIGRATE_PFN_COMPOUND | write;
				i += nr;
				continue;
			}
			if (!may_split_unmapped) {
				ret = -EAGAIN;
				i += nr;
				continue;
			}
		}
		for (j = 0; j < nr; j++) {
			struct page *from = pfn_to_page(page_to_pfn(spage) + j);
			struct page *dpage = vma ?
				alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, addr + j * PAGE_SIZE) :
				alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOFAIL);

			if (!dpage)
				return -ENOMEM;
			lock_page(dpage);
			thpdev_copy_pages(dpage, thpdev_backing_page(from), 1);
			dst[i + j] = migrate_pfn(page_to_pfn(dpage)) | write;
		}
		i += nr;
	}
	return ret;
}

/*
 * Whether migrate_vma_pages() split the THP collected whole at the
 * window's start, the destination having offered base pages for it: the
 * entries after the first, empty for a THP collected whole, now hold its
 * base pages. A split that failed left them empty; a hole collected
 * whole gets them marked for migration, with no page (no split).
 */
static bool thpdev_split_in_migration(const unsigned long *src, const unsigned long *dst,
				      unsigned long npages, bool compound_src)
{
	return compound_src && npages > 1 && dst[0] && !(dst[0] & MIGRATE_PFN_COMPOUND) &&
	       (src[1] & MIGRATE_PFN_VALID);
}

/*
 * Whether the THP (@thp) at the window's start was collected split. Its
 * first entry may have no page: a split maps zero-filled pages to the
 * zero page.
 */
static bool thpdev_split_in_collection(const unsigned long *src, bool thp)
{
	return thp && (src[0] & MIGRATE_PFN_MIGRATE) && !(src[0] & MIGRATE_PFN_COMPOUND);
}

/*
 * Whether the THP mapped by a PMD at @addr, in system memory or, with
 * @device, in this context's, is this process's alone (exclusive, as the
 * kernel marks an anonymous THP no child of fork() shares), from the
 * device's own page-table walk, no faulting. The mmap lock is held: no
 * fork can start sharing it before the collection. Anything the walk
 * cannot show so (a failed walk, a migration entry, a shared THP) is not.
 * *@thp tells whether a THP was seen at all.
 */
static bool thpdev_thp_exclusive(struct thpdev_ctx *ctx, unsigned long addr, bool device,
				 bool *thp)
{
	unsigned long pfn = 0;
	struct hmm_range range = {
		.notifier = &ctx->notifier,
		.start = addr,
		.end = addr + PAGE_SIZE,
		.hmm_pfns = &pfn,
		.dev_private_owner = ctx,
	};
	struct page *page;

	*thp = false;
	range.notifier_seq = mmu_interval_read_begin(&ctx->notifier);
	if (hmm_range_fault(&range) || !(pfn & HMM_PFN_VALID) ||
	    hmm_pfn_to_map_order(pfn) < HPAGE_PMD_ORDER)
		return false;
	page = hmm_pfn_to_page(pfn);
	if (is_device_private_page(page) != device)
		return false;
	*thp = true;
	return folio_test_anon(page_folio(page)) && PageAnonExclusive(&page_folio(page)->page);
}

/*
 * One migrate_vma pass over [start, end) to the device, collecting THPs
 * whole unless @flags says otherwise. A THP (@thp) the kernel split while
 * collecting it counts as @collect_split, one it split during the
 * migration as a failed allocation's. Returns -EAGAIN when a THP was
 * left whole (thpdev_fill_device_dst()).
 */
static int thpdev_pass_to_device(struct thpdev_ctx *ctx, struct vm_area_struct *vma,
				 unsigned long start, unsigned long end, u32 flags,
				 bool thp, bool exclusive, enum thpdev_stat collect_split,
				 unsigned long *src, unsigned long *dst,
				 struct thpdev_range *out)
{
	struct migrate_vma args = {
		.vma = vma,
		.src = src,
		.dst = dst,
		.start = start,
		.end = end,
		.pgmap_owner = ctx,
		.flags = MIGRATE_VMA_SELECT_SYSTEM |
			 (flags & THPDEV_NO_COMPOUND ? 0 : MIGRATE_VMA_SELECT_COMPOUND),
	};
	bool compound_src, left_whole;
	int ret;

	ret = migrate_vma_setup(&args);
	if (ret)
		return ret;
	if (!args.cpages)
		return 0;
	compound_src = src[0] & MIGRATE_PFN_COMPOUND;
	if (thpdev_split_in_collection(src, thp)) {
		thpdev_stat_add(ctx, collect_split, 1);
		out->splits++;
	}
	left_whole = thpdev_fill_device_dst(ctx, &args, exclusive);
	migrate_vma_pages(&args);
	if (thpdev_split_in_migration(src, dst, args.npages, compound_src)) {
		thpdev_stat_add(ctx, ST_SPLIT_ALLOC, 1);
		out->splits++;
	}
	thpdev_count_migrated(ctx, src, dst, args.npages, out, true);
	migrate_vma_finalize(&args);
	thpdev_delay_migration(ctx);
	return left_whole ? -EAGAIN : 0;
}

/*
 * Migrate [start, end), within one VMA and one PMD range, to the device.
 * A THP not shown to be this process's alone that could not have a large
 * device folio is collected again without compound collection: the
 * kernel then splits it mapped, in every process that maps it, a split
 * the failed allocation caused.
 */
static int thpdev_window_to_device(struct thpdev_ctx *ctx, struct vm_area_struct *vma,
				   unsigned long start, unsigned long end, u32 flags,
				   unsigned long *src, unsigned long *dst,
				   struct thpdev_range *out)
{
	bool thp, exclusive = thpdev_thp_exclusive(ctx, start, false, &thp);
	int ret;

	ret = thpdev_pass_to_device(ctx, vma, start, end, flags, thp, exclusive,
				    ST_SPLIT_COLLECT, src, dst, out);
	if (ret != -EAGAIN)
		return ret;
	memset(dst, 0, ((end - start) >> PAGE_SHIFT) * sizeof(*dst));
	return thpdev_pass_to_device(ctx, vma, start, end, flags | THPDEV_NO_COMPOUND, true,
				     exclusive, ST_SPLIT_ALLOC, src, dst, out);
}

/* How a pass back to system memory collects device THPs. */
enum thpdev_collect {
	THPDEV_COLLECT_WHOLE,	/* whole, with MIGRATE_VMA_SELECT_COMPOUND */
	THPDEV_COLLECT_SPLIT,	/* as base pages: the kernel splits them mapped */
};

/*
 * One migrate_vma pass of this context's device pages in [start, end)
 * back to system memory, collecting device THPs as @collect says; a
 * device THP split on the way, during the migration or (@thp) while
 * collecting it split, counts as split on the way back. Returns -EAGAIN
 * when a THP was left whole (thpdev_fill_ram_dst()).
 */
static int thpdev_pass_to_ram(struct thpdev_ctx *ctx, struct vm_area_struct *vma,
			      unsigned long start, unsigned long end,
			      struct page *fault_page, enum thpdev_collect collect,
			      bool thp, bool may_split_unmapped,
			      unsigned long *src, unsigned long *dst,
			      struct thpdev_range *out)
{
	struct migrate_vma args = {
		.vma = vma,
		.src = src,
		.dst = dst,
		.start = start,
		.end = end,
		.pgmap_owner = ctx,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE |
			 (collect == THPDEV_COLLECT_WHOLE ? MIGRATE_VMA_SELECT_COMPOUND : 0),
		.fault_page = fault_page,
	};
	bool compound_src, split;
	int ret;

	ret = migrate_vma_setup(&args);
	if (ret)
		return ret;
	if (!args.cpages)
		return 0;
	compound_src = src[0] & MIGRATE_PFN_COMPOUND;
	split = collect == THPDEV_COLLECT_SPLIT && thpdev_split_in_collection(src, thp);
	ret = thpdev_fill_ram_dst(ctx, src, dst, args.npages, vma, start, may_split_unmapped);
	migrate_vma_pages(&args);
	if (split || thpdev_split_in_migration(src, dst, args.npages, compound_src)) {
		thpdev_stat_add(ctx, ST_SPLIT_TO_RAM, 1);
		out->splits++;
	}
	thpdev_count_migrated(ctx, src, dst, args.npages, out, false);
	migrate_vma_finalize(&args);
	thpdev_delay_migration(ctx);
	return ret;
}

/*
 * Migrate this context's device pages in [start, end), within one VMA,
 * back to system memory; @fault_page when a CPU fault asks for it. A
 * device THP that could not have a system THP is split as on the way to
 * the device (thpdev_window_to_device()), but for a fault: there the
 * kernel's unmapped split cannot succeed (it finds the fault's reference
 * one more than it allows) and leaves the THP mapped by PTEs in the
 * faulting process, where the next fault splits it mapped.
 */
static int thpdev_window_to_ram(struct thpdev_ctx *ctx, struct vm_area_struct *vma,
				unsigned long start, unsigned long end,
				struct page *fault_page, unsigned long *src,
				unsigned long *dst, struct thpdev_range *out)
{
	bool thp, exclusive;
	int ret;

	if (fault_page)
		return thpdev_pass_to_ram(ctx, vma, start, end, fault_page, THPDEV_COLLECT_WHOLE,
					  false, true, src, dst, out);
	exclusive = thpdev_thp_exclusive(ctx, start, true, &thp);
	ret = thpdev_pass_to_ram(ctx, vma, start, end, NULL, THPDEV_COLLECT_WHOLE, thp,
				 exclusive, src, dst, out);
	if (ret != -EAGAIN)
		return ret;
	memset(dst, 0, ((end - start) >> PAGE_SHIFT) * sizeof(*dst));
	return thpdev_pass_to_ram(ctx, vma, start, end, NULL, THPDEV_COLLECT_SPLIT, true,
				  exclusive, src, dst, out);
}

typedef int (*thpdev_window_fn)(struct thpdev_ctx *ctx, struct vm_area_struct *vma,
				unsigned long start, unsigned long end, u32 flags,
				unsigned long *src, unsigned long *dst,
				struct thpdev_range *out);

static int thpdev_window_to_ram_ioctl(struct thpdev_ctx *ctx, struct vm_area_struct *vma,
				      unsigned long start, unsigned long end, u32 flags,
				      unsigned long *src, unsigned long *dst,
				      struct thpdev_range *out)
{
	return thpdev_window_to_ram(ctx, vma, start, end, NULL, src, dst, out);
}

/*
 * Walk [addr, addr + len) of the context's mm in windows that stay within
 * one VMA and one PMD range, so that a THP is collected whole only when
 * the range covers it.
 */
static int thpdev_migrate_range(struct thpdev_ctx *ctx, struct thpdev_range *r,
				thpdev_window_fn fn)
{
	struct mm_struct *mm = ctx->notifier.mm;
	unsigned long addr, end = r->addr + r->len, next;
	unsigned long *src, *dst;
	int ret = 0;

	src = kvcalloc(HPAGE_PMD_NR, sizeof(*src), GFP_KERNEL);
	dst = kvcalloc(HPAGE_PMD_NR, sizeof(*dst), GFP_KERNEL);
	if (!src || !dst) {
		ret = -ENOMEM;
		goto free;
	}
	if (!mmget_not_zero(mm)) {
		ret = -EINVAL;
		goto free;
	}
	mmap_read_lock(mm);
	for (addr = r->addr; addr < end; addr = next) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);

		if (!vma || !vma_is_anonymous(vma)) {
			ret = -EINVAL;
			break;
		}
		next = min3(end, ALIGN(addr + 1, HPAGE_PMD_SIZE), vma->vm_end);
		memset(src, 0, HPAGE_PMD_NR * sizeof(*src));
		memset(dst, 0, HPAGE_PMD_NR * sizeof(*dst));
		ret = fn(ctx, vma, addr, next, r->flags, src, dst, r);
		if (ret)
			break;
	}
	mmap_read_unlock(mm);
	mmput(mm);
free:
	kvfree(src);
	kvfree(dst);
	return ret;
}

/* A CPU touched device memory: bring back the folio it belongs to. */
static vm_fault_t thpdev_migrate_to_ram(struct vm_fault *vmf)
{
	struct thpdev_ctx *ctx = thpdev_page_ctx(vmf->page);
	struct folio *folio = page_folio(vmf->page);
	unsigned long size = folio_size(folio), start, end;
	struct thpdev_range moved = { 0 };	/* counted in STATS only */
	unsigned long *src, *dst;
	vm_fault_t ret = 0;

	if (atomic_dec_if_positive(&ctx->refuse_cpu_faults) >= 0) {
		thpdev_stat_add(ctx, ST_CPU_FAULTS_REFUSED, 1);
		return 0;	/* nothing migrated: the access faults again */
	}
	start = max(ALIGN_DOWN(vmf->address, size), vmf->vma->vm_start);
	end = min(ALIGN_DOWN(vmf->address, size) + size, vmf->vma->vm_end);
	src = kvcalloc(HPAGE_PMD_NR, sizeof(*src), GFP_KERNEL);
	dst = kvcalloc(HPAGE_PMD_NR, sizeof(*dst), GFP_KERNEL);
	if (!src || !dst) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	if (thpdev_window_to_ram(ctx, vmf->vma, start, end, vmf->page, src, dst, &moved))
		ret = VM_FAULT_SIGBUS;
	else
		thpdev_stat_add(ctx, ST_CPU_FAULTS, 1);
out:
	kvfree(src);
	kvfree(dst);
	return ret;
}

/*
 * Bring every page of @chunk back to system memory, whoever maps it, but
 * for a device THP no system THP could be had for, or a page someone else
 * had locked: those stay (thpdev_teardown()).
 */
static void thpdev_evict_chunk(struct thpdev_chunk *chunk)
{
	unsigned long start = chunk->pagemap.range.start >> PAGE_SHIFT;
	unsigned long npages = range_len(&chunk->pagemap.range) >> PAGE_SHIFT;
	unsigned long *src = kvcalloc(npages, sizeof(*src), GFP_KERNEL | __GFP_NOFAIL);
	unsigned long *dst = kvcalloc(npages, sizeof(*dst), GFP_KERNEL | __GFP_NOFAIL);

	migrate_device_range(src, start, npages);
	thpdev_fill_ram_dst(chunk->ctx, src, dst, npages, NULL, 0, false);
	migrate_device_pages(src, dst, npages);
	migrate_device_finalize(src, dst, npages);
	kvfree(src);
	kvfree(dst);
}

/* ---- the device's view: page-table walks through HMM -------------------- */

static bool thpdev_invalidate(struct mmu_interval_notifier *mni,
			      const struct mmu_notifier_range *range,
			      unsigned long cur_seq)
{
	struct thpdev_ctx *ctx = container_of(mni, struct thpdev_ctx, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&ctx->view_lock);
	else if (!mutex_trylock(&ctx->view_lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&ctx->view_lock);
	if (range->event < THPDEV_NR_EVENTS)
		thpdev_stat_add(ctx, ST_INVALIDATIONS + range->event, 1);
	return true;
}

static const struct mmu_interval_notifier_ops thpdev_notifier_ops = {
	.invalidate = thpdev_invalidate,
};

/*
 * hmm_range_fault() hands back a device-private PMD of ours as it is,
 * read-only (a read-only VMA, or shared copy on write with a child) even
 * when the walk asked for write access. The first page of [start, end)
 * the walk did not make writable, or 0.
 */
static unsigned long thpdev_first_read_only(const unsigned long *pfns, unsigned long walk_start,
					    unsigned long start, unsigned long end)
{
	unsigned long addr;

	for (addr = start; addr < end; addr += PAGE_SIZE)
		if (!(pfns[(addr - walk_start) >> PAGE_SHIFT] & HMM_PFN_WRITE))
			return addr;
	return 0;
}

/*
 * Look up [start, end), within one PMD range, as the device would,
 * faulting pages in when @flags asks for it; the entry of @start is
 * pfns[*first]. The walk starts at the PMD boundary where the VMA allows:
 * hmm_range_fault() fills the entries of a device-private PMD from its
 * first page on, whatever the walk's start, so a walk starting inside one
 * would see the wrong pages. On success the view lock is held, so the
 * pages stay valid until the caller drops it.
 */
static int thpdev_view_lookup(struct thpdev_ctx *ctx, unsigned long start,
			      unsigned long end, unsigned long *pfns,
			      unsigned long flags, u64 *walks, unsigned long *first)
{
	struct mm_struct *mm = ctx->notifier.mm;
	unsigned long timeout = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	struct hmm_range range = {
		.notifier = &ctx->notifier,
		.end = end,
		.hmm_pfns = pfns,
		.default_flags = flags,
		.dev_private_owner = ctx,
	};
	struct vm_area_struct *vma;
	unsigned long read_only;
	int ret;

	for (;;) {
		if (time_after(jiffies, timeout))
			return -EBUSY;
		range.notifier_seq = mmu_interval_read_begin(&ctx->notifier);
		mmap_read_lock(mm);
		vma = vma_lookup(mm, start);
		range.start = vma ? max(ALIGN_DOWN(start, HPAGE_PMD_SIZE), vma->vm_start) : start;
		ret = hmm_range_fault(&range);
		mmap_read_unlock(mm);
		if (walks)
			(*walks)++;
		if (ret == -EBUSY)
			continue;
		if (ret)
			return ret;
		mutex_lock(&ctx->view_lock);
		if (mmu_interval_read_retry(&ctx->notifier, range.notifier_seq)) {
			mutex_unlock(&ctx->view_lock);
			continue;
		}
		read_only = flags & HMM_PFN_REQ_WRITE ?
			thpdev_first_read_only(pfns, range.start, start, end) : 0;
		if (!read_only) {
			*first = (start - range.start) >> PAGE_SHIFT;
			return 0;
		}
		mutex_unlock(&ctx->view_lock);
		/*
		 * Fault it writable as the CPU would: back to system memory,
		 * then copied on write; a VMA the CPU cannot write refuses,
		 * as hmm_range_fault() does for system memory.
		 */
		mmap_read_lock(mm);
		ret = fixup_user_fault(mm, read_only, FAULT_FLAG_WRITE, NULL);
		mmap_read_unlock(mm);
		if (ret)
			return ret == -EFAULT ? -EPERM : ret;
	}
}

/*
 * What a walk of the device's view does with each window of its range.
 * A window stays within one PMD range and holds at most @window_pages
 * pages when that is set. A walk that faults pages in (HMM_PFN_REQ_FAULT
 * in @hmm_flags) fails where nothing is mapped, as a CPU access would;
 * one that only looks ends its windows at VMA boundaries and hands the
 * pages of a hole to @page as 0, without looking them up.
 */
struct thpdev_view_ops {
	unsigned long hmm_flags;
	unsigned long window_pages;
	/* Before the window at byte @off of the range is looked up. */
	int (*prepare)(void *priv, unsigned long off, unsigned long len);
	/* Page @i of the window, under the view lock: no faulting. */
	void (*page)(void *priv, unsigned long i, unsigned long hmm_pfn);
	/* After the window, the view lock dropped. */
	int (*finish)(void *priv, unsigned long off, unsigned long len);
};

static int thpdev_view_walk(struct thpdev_ctx *ctx, unsigned long start,
			    unsigned long len, const struct thpdev_view_ops *ops,
			    void *priv, u64 *walks)
{
	bool fault = ops->hmm_flags & HMM_PFN_REQ_FAULT;
	unsigned long addr, end = start + len, next, i, first;
	struct mm_struct *mm = ctx->notifier.mm;
	unsigned long *pfns;
	int ret = 0;

	pfns = kvcalloc(HPAGE_PMD_NR, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return -ENOMEM;
	if (!mmget_not_zero(mm)) {
		ret = -EINVAL;
		goto free;
	}
	for (addr = start; addr < end; addr = next) {
		bool mapped = true;

		next = min(end, ALIGN(addr + 1, HPAGE_PMD_SIZE));
		if (ops->window_pages)
			next = min(next, addr + ops->window_pages * PAGE_SIZE);
		if (!fault) {
			struct vm_area_struct *vma;

			mmap_read_lock(mm);
			vma = find_vma(mm, addr);
			mapped = vma && vma->vm_start <= addr;
			if (vma)	/* a hole ends where the next VMA starts */
				next = min(next, mapped ? vma->vm_end : vma->vm_start);
			mmap_read_unlock(mm);
		}
		if (ops->prepare) {
			ret = ops->prepare(priv, addr - start, next - addr);
			if (ret)
				break;
		}
		if (mapped) {
			ret = thpdev_view_lookup(ctx, addr, next, pfns, ops->hmm_flags,
						 walks, &first);
			if (ret)
				break;
		}
		for (i = 0; i < (next - addr) >> PAGE_SHIFT; i++)
			ops->page(priv, i, mapped ? pfns[first + i] : 0);
		if (mapped)
			mutex_unlock(&ctx->view_lock);
		if (ops->finish) {
			ret = ops->finish(priv, addr - start, next - addr);
			if (ret)
				break;
		}
	}
	mmput(mm);
free:
	kvfree(pfns);
	return ret;
}

/* The page holding the data the device sees at @hmm_pfn. */
static struct page *thpdev_view_page(unsigned long hmm_pfn)
{
	struct page *page = hmm_pfn_to_page(hmm_pfn);

	return is_device_private_page(page) ? thpdev_backing_page(page) : page;
}

/* READ and WRITE go through a bounce buffer of one window. */
struct thpdev_rw_buf {
	void __user *user;
	char *bounce;
};

static int thpdev_rw_from_user(void *priv, unsigned long off, unsigned long len)
{
	struct thpdev_rw_buf *buf = priv;

	return copy_from_user(buf->bounce, buf->user + off, len) ? -EFAULT : 0;
}

static void thpdev_rw_store(void *priv, unsigned long i, unsigned long hmm_pfn)
{
	struct thpdev_rw_buf *buf = priv;

	memcpy_to_page(thpdev_view_page(hmm_pfn), 0, buf->bounce + i * PAGE_SIZE, PAGE_SIZE);
}

static void thpdev_rw_load(void *priv, unsigned long i, unsigned long hmm_pfn)
{
	struct thpdev_rw_buf *buf = priv;

	memcpy_from_page(buf->bounce + i * PAGE_SIZE, thpdev_view_page(hmm_pfn), 0, PAGE_SIZE);
}

static int thpdev_rw_to_user(void *priv, unsigned long off, unsigned long len)
{
	struct thpdev_rw_buf *buf = priv;

	return copy_to_user(buf->user + off, buf->bounce, len) ? -EFAULT : 0;
}

static const struct thpdev_view_ops thpdev_read_ops = {
	.hmm_flags = HMM_PFN_REQ_FAULT,
	.window_pages = THPDEV_RW_PAGES,
	.page = thpdev_rw_load,
	.finish = thpdev_rw_to_user,
};

static const struct thpdev_view_ops thpdev_write_ops = {
	.hmm_flags = HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE,
	.window_pages = THPDEV_RW_PAGES,
	.prepare = thpdev_rw_from_user,
	.page = thpdev_rw_store,
};

static int thpdev_view_rw(struct thpdev_ctx *ctx, struct thpdev_rw *rw, bool write)
{
	struct thpdev_rw_buf buf = { .user = u64_to_user_ptr(rw->buf) };
	int ret;

	buf.bounce = kvmalloc(THPDEV_RW_PAGES * PAGE_SIZE, GFP_KERNEL);
	if (!buf.bounce)
		return -ENOMEM;
	ret = thpdev_view_walk(ctx, rw->addr, rw->len,
			       write ? &thpdev_write_ops : &thpdev_read_ops, &buf, &rw->faults);
	kvfree(buf.bounce);
	return ret;
}

/* SNAPSHOT gives a byte of THPDEV_SNAP_* bits per page. */
struct thpdev_snapshot_buf {
	u8 __user *user;
	u8 *bits;
};

static void thpdev_snapshot_page(void *priv, unsigned long i, unsigned long hmm_pfn)
{
	struct thpdev_snapshot_buf *buf = priv;
	u8 bits = 0;

	if ((hmm_pfn & HMM_PFN_VALID) && !(hmm_pfn & HMM_PFN_ERROR)) {
		bits = THPDEV_SNAP_PRESENT;
		if (is_device_private_page(hmm_pfn_to_page(hmm_pfn)))
			bits |= THPDEV_SNAP_DEVICE;
		if (hmm_pfn_to_map_order(hmm_pfn) >= HPAGE_PMD_ORDER)
			bits |= THPDEV_SNAP_PMD;
		if (hmm_pfn & HMM_PFN_WRITE)
			bits |= THPDEV_SNAP_WRITE;
	}
	buf->bits[i] = bits;
}

static int thpdev_snapshot_to_user(void *priv, unsigned long off, unsigned long len)
{
	struct thpdev_snapshot_buf *buf = priv;

	return copy_to_user(buf->user + (off >> PAGE_SHIFT), buf->bits,
			    len >> PAGE_SHIFT) ? -EFAULT : 0;
}

static const struct thpdev_view_ops thpdev_snapshot_ops = {
	.page = thpdev_snapshot_page,
	.finish = thpdev_snapshot_to_user,
};

static int thpdev_view_snapshot(struct thpdev_ctx *ctx, struct thpdev_snapshot *s)
{
	struct thpdev_snapshot_buf buf = { .user = u64_to_user_ptr(s->buf) };
	int ret;

	buf.bits = kvmalloc(HPAGE_PMD_NR, GFP_KERNEL);
	if (!buf.bits)
		return -ENOMEM;
	ret = thpdev_view_walk(ctx, s->addr, s->len, &thpdev_snapshot_ops, &buf, NULL);
	kvfree(buf.bits);
	return ret;
}

static int thpdev_make_exclusive(struct thpdev_ctx *ctx, struct thpdev_range *r)
{
	struct mm_struct *mm = ctx->notifier.mm;
	unsigned long addr;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -EINVAL;
	mmap_read_lock(mm);
	for (addr = r->addr; addr < r->addr + r->len; addr += PAGE_SIZE) {
		struct folio *folio;
		struct page *page = make_device_exclusive(mm, addr, ctx, &folio);

		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			break;
		}
		folio_unlock(folio);
		folio_put(folio);
		r->pages++;
		thpdev_stat_add(ctx, ST_EXCLUSIVE_PAGES, 1);
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return ret;
}

/* ---- the character device ----------------------------------------------- */

/*
 * Evict the closed context's device memory and, when none is left in use,
 * free the context with its chunks; false when some is. memunmap_pages()
 * waits until every page of a chunk is free: called when none is in use,
 * it waits only for frees still returning (thpdev_folio_free()).
 */
static bool thpdev_teardown(struct thpdev_ctx *ctx)
{
	struct thpdev_chunk *chunk, *tmp;

	list_for_each_entry(chunk, &ctx->chunks, link)
		thpdev_evict_chunk(chunk);
	if (atomic64_read(&ctx->stat[ST_DEVICE_PAGES]))
		return false;
	list_for_each_entry_safe(chunk, tmp, &ctx->chunks, link) {
		memunmap_pages(&chunk->pagemap);
		release_mem_region(chunk->res->start, resource_size(chunk->res));
		list_del(&chunk->link);
		kfree(chunk);
	}
	/* A last free's kick, queued while this ran. */
	cancel_delayed_work(&ctx->teardown);
	kfree(ctx);
	return true;
}

static void thpdev_teardown_work(struct work_struct *work)
{
	struct thpdev_ctx *ctx = container_of(to_delayed_work(work), struct thpdev_ctx,
					      teardown);

	/*
	 * From now on the last free kicks this work. Set here, not at
	 * release: once set, the context may go at any time. The free's
	 * atomic64_sub_return() orders its count before its reading of the
	 * flag, the barrier here the flag before the count teardown reads:
	 * one of the two sees the other's.
	 */
	WRITE_ONCE(ctx->closing, true);
	smp_mb(); /* the flag before the count; pairs with thpdev_folio_free() */
	if (thpdev_teardown(ctx)) {
		module_put(THIS_MODULE);
		return;
	}
	ctx->retry = min_t(unsigned long, ctx->retry * 2, THPDEV_EVICT_RETRY_MAX);
	queue_delayed_work(thpdev_wq, &ctx->teardown, ctx->retry);
}

static int thpdev_open(struct inode *inode, struct file *file)
{
	struct thpdev_ctx *ctx = kzalloc_obj(*ctx, GFP_KERNEL);
	int ret;

	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->view_lock);
	mutex_init(&ctx->chunk_lock);
	spin_lock_init(&ctx->free_lock);
	INIT_LIST_HEAD(&ctx->chunks);
	INIT_DELAYED_WORK(&ctx->teardown, thpdev_teardown_work);
	ret = mmu_interval_notifier_insert(&ctx->notifier, current->mm, 0,
					   ULONG_MAX & PAGE_MASK, &thpdev_notifier_ops);
	if (ret) {
		kfree(ctx);
		return ret;
	}
	file->private_data = ctx;
	return 0;
}

static int thpdev_release(struct inode *inode, struct file *file)
{
	struct thpdev_ctx *ctx = file->private_data;

	mmu_interval_notifier_remove(&ctx->notifier);
	if (thpdev_teardown(ctx))
		return 0;
	/*
	 * What the eviction left is still mapped, maybe by the caller itself:
	 * waiting for it here could wait forever. Its processes keep using
	 * it (a CPU fault brings a page back); the teardown tries again,
	 * holding the module until it is done. Queueing it is the last use of
	 * the context here: the teardown may free it at once.
	 */
	__module_get(THIS_MODULE);
	ctx->retry = THPDEV_EVICT_RETRY_MIN;
	queue_delayed_work(thpdev_wq, &ctx->teardown, ctx->retry);
	return 0;
}

static int thpdev_check_range(u64 addr, u64 len)
{
	if (!len || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len))
		return -EINVAL;
	if (addr + len < addr || addr + len > TASK_SIZE)
		return -EINVAL;
	return 0;
}

static int thpdev_ioc_to_device(struct thpdev_ctx *ctx, void *arg)
{
	struct thpdev_range *r = arg;

	if (r->flags & ~THPDEV_NO_COMPOUND)
		return -EINVAL;
	return thpdev_check_range(r->addr, r->len) ?:
	       thpdev_migrate_range(ctx, r, thpdev_window_to_device);
}

static int thpdev_ioc_to_ram(struct thpdev_ctx *ctx, void *arg)
{
	struct thpdev_range *r = arg;

	if (r->flags)
		return -EINVAL;
	return thpdev_check_range(r->addr, r->len) ?:
	       thpdev_migrate_range(ctx, r, thpdev_window_to_ram_ioctl);
}

static int thpdev_ioc_rw(struct thpdev_ctx *ctx, void *arg, bool write)
{
	struct thpdev_rw *rw = arg;

	if (rw->flags)
		return -EINVAL;
	return thpdev_check_range(rw->addr, rw->len) ?: thpdev_view_rw(ctx, rw, write);
}

static int thpdev_ioc_read(struct thpdev_ctx *ctx, void *arg)
{
	return thpdev_ioc_rw(ctx, arg, false);
}

static int thpdev_ioc_write(struct thpdev_ctx *ctx, void *arg)
{
	return thpdev_ioc_rw(ctx, arg, true);
}

static int thpdev_ioc_snapshot(struct thpdev_ctx *ctx, void *arg)
{
	struct thpdev_snapshot *s = arg;

	if (s->flags)
		return -EINVAL;
	return thpdev_check_range(s->addr, s->len) ?: thpdev_view_snapshot(ctx, s);
}

static int thpdev_ioc_exclusive(struct thpdev_ctx *ctx, void *arg)
{
	struct thpdev_range *r = arg;

	if (r->flags)
		return -EINVAL;
	return thpdev_check_range(r->addr, r->len) ?: thpdev_make_exclusive(ctx, r);
}

static int thpdev_ioc_faults(struct thpdev_ctx *ctx, void *arg)
{
	struct thpdev_faults *f = arg;

	if (f->flags || f->delay_us > USEC_PER_SEC)
		return -EINVAL;
	atomic_set(&ctx->fail_large_alloc, min_t(u32, f->fail_large_alloc, INT_MAX));
	atomic_set(&ctx->fail_alloc, min_t(u32, f->fail_alloc, INT_MAX));
	atomic_set(&ctx->fail_ram_thp, min_t(u32, f->fail_ram_thp, INT_MAX));
	atomic_set(&ctx->refuse_cpu_faults, min_t(u32, f->refuse_cpu_faults, INT_MAX));
	atomic_set(&ctx->delay_us, f->delay_us);
	return 0;
}

static int thpdev_ioc_stats(struct thpdev_ctx *ctx, void *arg)
{
	struct thpdev_stats *st = arg;
	u64 *out = &st->pages_to_device;
	int i;

	if (st->flags & ~THPDEV_STATS_RESET)
		return -EINVAL;
	for (i = 0; i < ST_NR; i++) {
		/* Device pages in use is a level, not a count: never reset. */
		out[i] = (st->flags & THPDEV_STATS_RESET) && i != ST_DEVICE_PAGES ?
			atomic64_xchg(&ctx->stat[i], 0) : atomic64_read(&ctx->stat[i]);
	}
	return 0;
}

static const struct thpdev_ioctl {
	unsigned int cmd;
	size_t size;
	int (*fn)(struct thpdev_ctx *ctx, void *arg);
} thpdev_ioctls[] = {
	{ THPDEV_IOC_MIGRATE_TO_DEVICE, sizeof(struct thpdev_range), thpdev_ioc_to_device },
	{ THPDEV_IOC_MIGRATE_TO_RAM, sizeof(struct thpdev_range), thpdev_ioc_to_ram },
	{ THPDEV_IOC_READ, sizeof(struct thpdev_rw), thpdev_ioc_read },
	{ THPDEV_IOC_WRITE, sizeof(struct thpdev_rw), thpdev_ioc_write },
	{ THPDEV_IOC_SNAPSHOT, sizeof(struct thpdev_snapshot), thpdev_ioc_snapshot },
	{ THPDEV_IOC_EXCLUSIVE, sizeof(struct thpdev_range), thpdev_ioc_exclusive },
	{ THPDEV_IOC_FAULTS, sizeof(struct thpdev_faults), thpdev_ioc_faults },
	{ THPDEV_IOC_STATS, sizeof(struct thpdev_stats), thpdev_ioc_stats },
};

/*
 * Every argument starts with its size: a caller built with an older,
 * shorter structure gets zeroes for the fields it lacks; a newer, longer
 * one is accepted when what this module does not know is zero.
 */
static long thpdev_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	struct thpdev_ctx *ctx = file->private_data;
	void __user *uptr = (void __user *)uarg;
	const struct thpdev_ioctl *ioc = NULL;
	union {
		struct thpdev_range range;
		struct thpdev_rw rw;
		struct thpdev_snapshot snapshot;
		struct thpdev_faults faults;
		struct thpdev_stats stats;
	} arg;
	u32 usize;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(thpdev_ioctls); i++)
		if (thpdev_ioctls[i].cmd == cmd)
			ioc = &thpdev_ioctls[i];
	if (!ioc)
		return -ENOTTY;
	/* A context serves the address space that opened it, not a fork's. */
	if (current->mm != ctx->notifier.mm)
		return -EINVAL;
	if (get_user(usize, (u32 __user *)uptr))
		return -EFAULT;
	if (usize < 2 * sizeof(u32) || usize > PAGE_SIZE)
		return -EINVAL;
	ret = copy_struct_from_user(&arg, ioc->size, uptr, usize);
	if (ret)
		return ret == -E2BIG ? -EINVAL : ret;
	arg.range.size = ioc->size;
	ret = ioc->fn(ctx, &arg);
	if (copy_to_user(uptr, &arg, min_t(size_t, usize, ioc->size)))
		return -EFAULT;
	return ret;
}

static const struct dev_pagemap_ops thpdev_pagemap_ops = {
	.folio_free = thpdev_folio_free,
	.migrate_to_ram = thpdev_migrate_to_ram,
	.folio_split = thpdev_folio_split,
};

static const struct file_operations thpdev_fops = {
	.owner = THIS_MODULE,
	.open = thpdev_open,
	.release = thpdev_release,
	.unlocked_ioctl = thpdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice thpdev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "thpdev",
	.fops = &thpdev_fops,
	.mode = 0600,
};

static int __init thpdev_init(void)
{
	int ret;

	thpdev_wq = alloc_workqueue("thpdev", WQ_UNBOUND, 0);
	if (!thpdev_wq)
		return -ENOMEM;
	ret = misc_register(&thpdev_misc);
	if (ret)
		destroy_workqueue(thpdev_wq);
	return ret;
}

static void __exit thpdev_exit(void)
{
	misc_deregister(&thpdev_misc);
	/* Waits for the teardown that put the module's last reference to return. */
	destroy_workqueue(thpdev_wq);
}

module_init(thpdev_init);
module_exit(thpdev_exit);

MODULE_DESCRIPTION("Simulated device with device-private memory for THP migration");
MODULE_AUTHOR("thpscope developers");
MODULE_LICENSE("GPL");
