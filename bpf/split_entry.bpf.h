/* SPDX-License-Identifier: GPL-2.0 */
/* fentry/fexit programs on every folio-split entry point, for families
 * that need to see splits. Before including this, define
 *   static __always_inline void on_split_begin(struct folio *folio);
 *	on entry, with the folio at its old order (after a split a page
 *	passed in may no longer be a tail: 6.1's shrinker passes the third);
 *   static __always_inline void on_split_end(int ret);
 *	on return, 0 when the folio was split.
 * The entry points call one another; the loader keeps only the first this
 * kernel has (__folio_split from 6.18, split_huge_page_to_list_to_order on
 * 6.12, split_huge_page_to_list on 6.1). */
#ifndef THPSCOPE_SPLIT_ENTRY_BPF_H
#define THPSCOPE_SPLIT_ENTRY_BPF_H

SEC("fentry/__folio_split")
int BPF_PROG(split_folio_enter)
{
	__u64 folio = 0;

	if (!in_window())
		return 0;
	bpf_get_func_arg(ctx, 0, &folio);
	on_split_begin((struct folio *)folio);
	return 0;
}

SEC("fexit/__folio_split")
int BPF_PROG(split_folio_exit)
{
	__u64 ret = 0;

	if (!in_window())
		return 0;
	bpf_get_func_ret(ctx, &ret);
	on_split_end((int)ret);
	return 0;
}

SEC("fentry/split_huge_page_to_list_to_order")
int BPF_PROG(split_to_order_enter, struct page *page)
{
	if (!in_window())
		return 0;
	on_split_begin(page_folio_of(page));
	return 0;
}

SEC("fexit/split_huge_page_to_list_to_order")
int BPF_PROG(split_to_order_exit, struct page *page, struct list_head *list,
	     unsigned int order, int ret)
{
	if (!in_window())
		return 0;
	on_split_end(ret);
	return 0;
}

SEC("fentry/split_huge_page_to_list")
int BPF_PROG(split_to_list_enter, struct page *page)
{
	if (!in_window())
		return 0;
	on_split_begin(page_folio_of(page));
	return 0;
}

SEC("fexit/split_huge_page_to_list")
int BPF_PROG(split_to_list_exit, struct page *page, struct list_head *list, int ret)
{
	if (!in_window())
		return 0;
	on_split_end(ret);
	return 0;
}

#endif
