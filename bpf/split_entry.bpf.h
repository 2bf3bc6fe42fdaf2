/* SPDX-License-Identifier: GPL-2.0 */
/* Programs on every folio-split entry point, for families that need to
 * see splits. Before including this, define
 *   static __always_inline void on_split_begin(void *ctx, struct folio *folio);
 *	on entry, with the folio at its old order (after a split a page
 *	passed in may no longer be a tail: 6.1's shrinker passes the third),
 *	and the program's context, for the kernel stack;
 *   static __always_inline void on_split_end(int ret);
 *	on return, 0 when the folio was split.
 * The entry points call one another; the loader keeps only the first this
 * kernel has (__folio_split from 6.18, split_huge_page_to_list_to_order on
 * 6.12, split_huge_page_to_list on 6.1). Each has fentry/fexit programs
 * and kprobe/kretprobe twins for kernels where fentry cannot attach there
 * (not permitted, or ftrace cannot patch it); the loader loads one pair.
 * The bodies are shared, so both pairs count alike. */
#ifndef THPSCOPE_SPLIT_ENTRY_BPF_H
#define THPSCOPE_SPLIT_ENTRY_BPF_H

static __always_inline void split_entered(void *ctx, struct folio *folio)
{
	if (in_window())
		on_split_begin(ctx, folio);
}

static __always_inline void split_returned(int ret)
{
	if (in_window())
		on_split_end(ret);
}

/* __folio_split(folio, ...): its other arguments changed over releases,
 * so fexit reads the return value wherever it is. */
SEC("fentry/__folio_split")
int BPF_PROG(split_folio_enter)
{
	__u64 folio = 0;

	bpf_get_func_arg(ctx, 0, &folio);
	split_entered(ctx, (struct folio *)folio);
	return 0;
}

SEC("fexit/__folio_split")
int BPF_PROG(split_folio_exit)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	split_returned((int)ret);
	return 0;
}

SEC("kprobe/__folio_split")
int BPF_KPROBE(split_folio_kprobe, struct folio *folio)
{
	split_entered(ctx, folio);
	return 0;
}

SEC("kretprobe/__folio_split")
int BPF_KRETPROBE(split_folio_kretprobe, int ret)
{
	split_returned(ret);
	return 0;
}

/* split_huge_page_to_list_to_order(page, list, new_order): 6.12 */
SEC("fentry/split_huge_page_to_list_to_order")
int BPF_PROG(split_to_order_enter, struct page *page)
{
	split_entered(ctx, page_folio_of(page));
	return 0;
}

SEC("fexit/split_huge_page_to_list_to_order")
int BPF_PROG(split_to_order_exit, struct page *page, struct list_head *list,
	     unsigned int order, int ret)
{
	split_returned(ret);
	return 0;
}

SEC("kprobe/split_huge_page_to_list_to_order")
int BPF_KPROBE(split_to_order_kprobe, struct page *page)
{
	split_entered(ctx, page_folio_of(page));
	return 0;
}

SEC("kretprobe/split_huge_page_to_list_to_order")
int BPF_KRETPROBE(split_to_order_kretprobe, int ret)
{
	split_returned(ret);
	return 0;
}

/* split_huge_page_to_list(page, list): 6.1 */
SEC("fentry/split_huge_page_to_list")
int BPF_PROG(split_to_list_enter, struct page *page)
{
	split_entered(ctx, page_folio_of(page));
	return 0;
}

SEC("fexit/split_huge_page_to_list")
int BPF_PROG(split_to_list_exit, struct page *page, struct list_head *list, int ret)
{
	split_returned(ret);
	return 0;
}

SEC("kprobe/split_huge_page_to_list")
int BPF_KPROBE(split_to_list_kprobe, struct page *page)
{
	split_entered(ctx, page_folio_of(page));
	return 0;
}

SEC("kretprobe/split_huge_page_to_list")
int BPF_KRETPROBE(split_to_list_kretprobe, int ret)
{
	split_returned(ret);
	return 0;
}

#endif
