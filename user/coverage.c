// SPDX-License-Identifier: GPL-2.0
/* THP coverage from pagemap and kpageflags words (see coverage.h). */
#include "coverage.h"

const char *const coverage_kind_names[COV_NKINDS] = { "anon", "shmem", "file" };

#define FLAG(f, bit)	(((f) >> (bit)) & 1)

static bool is_tail(const struct kpf_source *src, uint64_t pfn)
{
	uint64_t f;

	return !src->read(src->ctx, pfn, &f) && FLAG(f, KPF_COMPOUND_TAIL);
}

static bool is_head(const struct kpf_source *src, uint64_t pfn)
{
	uint64_t f;

	return !src->read(src->ctx, pfn, &f) && FLAG(f, KPF_COMPOUND_HEAD);
}

/*
 * A folio of order K is naturally aligned in PFN space, and its pages
 * after the head are tails. So the head of a tail page is the first of
 * its aligned-down PFNs that is a head (every one before it lies inside
 * the folio), and the order is the first K for which head + 2^K is no
 * tail: head + 2^K is aligned to 2^K, so it cannot be the tail of a
 * folio that would have to contain head + 2^K - 1 as well.
 */
int coverage_folio_order(uint64_t pfn, uint64_t flags, const struct kpf_source *src,
			 uint64_t *head)
{
	unsigned int k;
	uint64_t h = pfn;

	*head = pfn;
	if (!FLAG(flags, KPF_COMPOUND_HEAD) && !FLAG(flags, KPF_COMPOUND_TAIL))
		return 0;
	if (FLAG(flags, KPF_COMPOUND_TAIL)) {
		for (k = 1; k <= COVERAGE_MAX_ORDER; k++) {
			h = pfn & ~((1ULL << k) - 1);
			if (is_head(src, h))
				break;
			if (!is_tail(src, h))
				return -1;
		}
		if (k > COVERAGE_MAX_ORDER)
			return -1;
	}
	if (!is_tail(src, h + 1))
		return -1;
	for (k = 1; k <= COVERAGE_MAX_ORDER; k++)
		if (!is_tail(src, h + (1ULL << k)))
			break;
	if (k > COVERAGE_MAX_ORDER || pfn >= h + (1ULL << k))
		return -1;
	*head = h;
	return k;
}

/* With HEAD aligned to 2^K, head + 2^(K-1) being a tail means a folio of
 * order K or more starts at HEAD (a folio holding it as a tail has its
 * head at an aligned PFN at or below HEAD), and head + 2^K being none
 * means one of order K or less: three reads instead of K + 1. */
static bool order_is(const struct kpf_source *src, uint64_t head, unsigned int k)
{
	return is_tail(src, head + (1ULL << (k - 1))) && !is_tail(src, head + (1ULL << k));
}

bool coverage_device_entry(uint64_t pm, const struct kpf_source *src)
{
	uint64_t type = pm & ((1ULL << PM_SWAP_TYPE_BITS) - 1);
	uint64_t pfn = (pm & PM_PFN_MASK) >> PM_SWAP_TYPE_BITS;
	uint64_t f;

	if (!(pm & PM_SWAP) || (pm & PM_PRESENT) || type < COVERAGE_SPECIAL_SWAP_TYPE || !pfn)
		return false;
	/* Migration and hwpoison entries point at RAM; device pages are
	 * ZONE_DEVICE, which kpageflags does not describe. */
	return src->read(src->ctx, pfn, &f) || FLAG(f, KPF_NOPAGE);
}

static uint64_t pm_pfn(uint64_t w)
{
	return w & PM_PFN_MASK;
}

/* The largest K such that the 2^K pages from index I of PM are present,
 * map PFNs in order from an aligned one, at an aligned virtual page. */
static unsigned int run_order(uint64_t vpn, const uint64_t *pm, size_t i, size_t n)
{
	uint64_t pfn = pm_pfn(pm[i]);
	unsigned int k = 0;
	size_t t, checked = 1;

	while (k < COVERAGE_MAX_ORDER) {
		uint64_t nr = 1ULL << (k + 1);

		if (((vpn + i) & (nr - 1)) || (pfn & (nr - 1)) || i + nr > n)
			break;
		for (t = checked; t < nr; t++)
			if (!(pm[i + t] & PM_PRESENT) || pm_pfn(pm[i + t]) != pfn + t)
				return k;
		checked = nr;
		k++;
	}
	return k;
}

/* The same for device-private entries, whose PFN is in the offset. */
static size_t device_run(uint64_t vpn, const uint64_t *pm, size_t i, size_t n,
			 unsigned int order, const struct kpf_source *src)
{
	uint64_t nr = 1ULL << order, first = pm[i], t;

	if (((vpn + i) & (nr - 1)) || i + nr > n || ((first >> PM_SWAP_TYPE_BITS) & (nr - 1)))
		return 1;
	for (t = 1; t < nr; t++)
		if (pm[i + t] != first + (t << PM_SWAP_TYPE_BITS))
			return 1;
	return nr;
}

static int kind_of(uint64_t head_flags)
{
	if (FLAG(head_flags, KPF_ANON))
		return COV_ANON;
	return FLAG(head_flags, KPF_SWAPBACKED) ? COV_SHMEM : COV_FILE;
}

/* The folio the last large page belonged to: its tails need no new
 * search. */
struct last_folio {
	uint64_t head, nr, head_flags;
	int order;
};

void coverage_add_range(struct coverage *c, const struct page_geometry *g, uint64_t vpn,
			const uint64_t *pm, size_t n, const struct kpf_source *src)
{
	uint64_t ps = g->page_size, pmd_nr = 1ULL << g->pmd_order;
	struct last_folio last = { .nr = 0 };
	size_t i = 0;

	while (i < n) {
		uint64_t w = pm[i], pfn = pm_pfn(w), f, head, hf;
		unsigned int k = 0;
		int order;

		if (!(w & PM_PRESENT)) {
			if (coverage_device_entry(w, src)) {
				size_t run = device_run(vpn, pm, i, n, g->pmd_order, src);

				c->device += run * ps;
				if (run == pmd_nr)
					c->device_pmd += run * ps;
				i += run;
				continue;
			}
			if ((w & PM_SWAP) && (w & ((1ULL << PM_SWAP_TYPE_BITS) - 1)) <
			    COVERAGE_SPECIAL_SWAP_TYPE)
				c->swapped += ps;
			i++;
			continue;
		}
		/* Without CAP_SYS_ADMIN pagemap hides PFNs: a base page
		 * of what pagemap says. */
		if (!pfn || src->read(src->ctx, pfn, &f)) {
			c->whole[w & PM_FILE ? COV_FILE : COV_ANON][0] += ps;
			i++;
			continue;
		}
		if (FLAG(f, KPF_ZERO_PAGE) || FLAG(f, KPF_HUGE)) {
			*(FLAG(f, KPF_ZERO_PAGE) ? &c->zero : &c->hugetlb) += ps;
			i++;
			continue;
		}
		if (last.nr && pfn >= last.head && pfn < last.head + last.nr &&
		    FLAG(f, KPF_COMPOUND_TAIL)) {
			head = last.head;
			order = last.order;
		} else {
			k = FLAG(f, KPF_COMPOUND_HEAD) ? run_order(vpn, pm, i, n) : 0;
			head = pfn;
			if (k && order_is(src, pfn, k))
				order = k;
			else
				order = coverage_folio_order(pfn, f, src, &head);
			if (order <= 0 || src->read(src->ctx, head, &hf))
				hf = f;
			last = (struct last_folio){ head, order > 0 ? 1ULL << order : 0, hf, order };
		}
		if (order <= 0) {
			c->whole[kind_of(f)][0] += ps;
			i++;
			continue;
		}
		if (pfn == head && k >= (unsigned int)order) {
			c->whole[kind_of(last.head_flags)][order] += last.nr * ps;
			i += last.nr;
			continue;
		}
		c->partial[kind_of(last.head_flags)][order] += ps;
		i++;
	}
}

/* The bytes of BY_KIND (whole or partial) of KIND (-1: all) from order
 * FROM up. */
static uint64_t sum(const uint64_t (*by_kind)[COVERAGE_MAX_ORDER + 1], int kind, int from)
{
	uint64_t total = 0;
	int k, o;

	for (k = 0; k < COV_NKINDS; k++)
		for (o = from; o <= COVERAGE_MAX_ORDER; o++)
			if (kind < 0 || kind == k)
				total += by_kind[k][o];
	return total;
}

uint64_t coverage_large(const struct coverage *c, int kind)
{
	return sum(c->whole, kind, 1);
}

uint64_t coverage_partial(const struct coverage *c, int kind)
{
	return sum(c->partial, kind, 0);
}

uint64_t coverage_resident(const struct coverage *c, int kind)
{
	return sum(c->whole, kind, 0) + sum(c->partial, kind, 0);
}

_Static_assert(sizeof(struct coverage) % sizeof(uint64_t) == 0,
	       "struct coverage holds byte counts only");

void coverage_merge(struct coverage *a, const struct coverage *b)
{
	const uint64_t *src = (const uint64_t *)b;
	uint64_t *dst = (uint64_t *)a;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}
