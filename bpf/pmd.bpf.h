/* SPDX-License-Identifier: GPL-2.0 */
/* Whether a PMD maps a THP, as __split_huge_pmd() decides it: present and
 * huge, or a migration or device entry. x86-64's bits. */
#ifndef THPSCOPE_PMD_BPF_H
#define THPSCOPE_PMD_BPF_H

#define X86_PAGE_PRESENT	0x001UL
#define X86_PAGE_PSE		0x080UL
#define X86_PAGE_PROTNONE	0x100UL

static __always_inline __u64 read_pmd(__u64 pmd)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)pmd);
	return v;
}

static __always_inline bool pmd_maps_huge(__u64 v)
{
	if (v & (X86_PAGE_PRESENT | X86_PAGE_PROTNONE))
		return v & X86_PAGE_PSE;
	return v != 0;	/* a migration or device-private entry */
}

#endif
