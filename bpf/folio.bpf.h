/* SPDX-License-Identifier: GPL-2.0 */
/* Reading struct folio across kernels with CO-RE: the order moved from
 * _folio_order (6.1) to the low byte of _flags_1, flags became a struct
 * in 6.18, the deferred list moved from page[2] into the folio. */
#ifndef THPSCOPE_FOLIO_BPF_H
#define THPSCOPE_FOLIO_BPF_H

#include "folio.h"

/* 6.1's folio kept its order in a byte of its own. */
struct folio___v61 {
	unsigned char _folio_order;
} __attribute__((preserve_access_index));

/* 6.1's page kept the deferred list in the third page of a THP. */
struct page___v61 {
	struct list_head deferred_list;
} __attribute__((preserve_access_index));

/* Before 6.18 folio->flags was a plain unsigned long; then it became
 * memdesc_flags_t { unsigned long f; }. CO-RE will not relocate one as
 * the other, so each has its own flavour. */
struct folio___flags_ul {
	unsigned long flags;
} __attribute__((preserve_access_index));

static __always_inline unsigned long folio_flags0(struct folio *folio)
{
	struct folio___flags_ul *old = (void *)folio;

	if (bpf_core_field_exists(old->flags))
		return BPF_CORE_READ(old, flags);
	return BPF_CORE_READ(folio, flags.f);
}

static __always_inline bool folio_is_large(struct folio *folio)
{
	return folio_flags0(folio) & (1UL << bpf_core_enum_value(enum pageflags, PG_head));
}

static __always_inline __u32 folio_order_of(struct folio *folio)
{
	struct folio___v61 *old = (void *)folio;

	if (!folio_is_large(folio))
		return 0;
	if (bpf_core_field_exists(old->_folio_order))
		return BPF_CORE_READ(old, _folio_order);
	return BPF_CORE_READ(folio, _flags_1) & 0xff;
}

static __always_inline __u8 folio_kind_of(struct folio *folio)
{
	unsigned long mapping = (unsigned long)BPF_CORE_READ(folio, mapping);

	if (mapping & 1)	/* PAGE_MAPPING_ANON */
		return KIND_ANON;
	if (folio_flags0(folio) & (1UL << bpf_core_enum_value(enum pageflags, PG_swapbacked)))
		return KIND_SHMEM;
	return KIND_FILE;
}

/* The mapping at the root of the anon FOLIO's anon_vma tree (that of
 * the only process mapping it, but after a fork); NULL for other folios. */
static __always_inline struct vm_area_struct *folio_anon_vma_root(struct folio *folio)
{
	unsigned long mapping = (unsigned long)BPF_CORE_READ(folio, mapping);
	struct anon_vma_chain *avc;
	struct anon_vma *av;
	struct rb_node *node;

	if (!(mapping & 1))	/* PAGE_MAPPING_ANON */
		return NULL;
	av = (struct anon_vma *)(mapping & ~3UL);
	node = BPF_CORE_READ(av, rb_root.rb_root.rb_node);
	if (!node)
		return NULL;
	avc = (void *)node - bpf_core_field_offset(struct anon_vma_chain, rb);
	return BPF_CORE_READ(avc, vma);
}

/* The mm of a process mapping the anon FOLIO; NULL for other folios. */
static __always_inline struct mm_struct *folio_anon_mm(struct folio *folio)
{
	struct vm_area_struct *vma = folio_anon_vma_root(folio);

	return vma ? BPF_CORE_READ(vma, vm_mm) : NULL;
}

/* The task a kernel thread's work on FOLIO belongs to: the owner of an
 * mm mapping it when it is anon, else the current task (also for work
 * done by a task rather than a kernel thread). Needs thpscope.bpf.h. */
static __always_inline struct task_struct *folio_task(struct folio *folio)
{
	struct mm_struct *mm;

	if (!current_is_kthread())
		return (struct task_struct *)bpf_get_current_task();
	mm = folio_anon_mm(folio);
	return mm ? mm_owner(mm) : (struct task_struct *)bpf_get_current_task();
}

/* The partially-mapped flag (6.12+) lives in the second page's flags. */
static __always_inline bool folio_partially_mapped(struct folio *folio)
{
	if (!bpf_core_enum_value_exists(enum pageflags, PG_partially_mapped))
		return false;
	return BPF_CORE_READ(folio, _flags_1) &
		(1UL << bpf_core_enum_value(enum pageflags, PG_partially_mapped));
}

/* A tail page finds its head through page->compound_head (bit 0 set)
 * up to 6.x; 7.x renamed it compound_info, which with HugeTLB vmemmap
 * optimisation holds a mask to apply to the page's address instead. */
struct page___v612 {
	unsigned long compound_head;
} __attribute__((preserve_access_index));

static __always_inline struct folio *page_folio_of(struct page *page)
{
	struct page___v612 *old = (void *)page;
	unsigned long info, m, inv;

	if (bpf_core_field_exists(old->compound_head))
		info = BPF_CORE_READ(old, compound_head);
	else
		info = BPF_CORE_READ(page, compound_info);
	if (!(info & 1))
		return (struct folio *)page;
	m = info - 1;
	inv = ~m;
	if (!(inv & (inv + 1))) {	/* ones then zeroes: a mask */
		unsigned long addr = 0;

		/* The verifier forbids masking a BTF pointer: take its value
		 * as a plain number first. */
		bpf_probe_read_kernel(&addr, sizeof(addr), &page);
		return (struct folio *)(addr & m);
	}
	return (struct folio *)m;
}

/* Whether the folio sits on a deferred-split queue. */
static __always_inline bool folio_on_deferred_list(struct folio *folio)
{
	struct list_head *head;

	if (bpf_core_field_exists(folio->_deferred_list)) {
		head = &folio->_deferred_list;
	} else {
		struct page___v61 *third = (void *)((struct page *)folio + 2);

		head = &third->deferred_list;
	}
	return BPF_CORE_READ(head, next) != head;
}

#endif
