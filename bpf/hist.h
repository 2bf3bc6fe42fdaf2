/* SPDX-License-Identifier: GPL-2.0 */
/* The one histogram shape thpscope uses: log2 buckets of a value in a
 * fixed unit. Slot i counts values v with 2^i <= v < 2^(i+1); slot 0 also
 * holds v == 0. Shared by the BPF programs and the loader. */
#ifndef THPSCOPE_HIST_H
#define THPSCOPE_HIST_H

/* A power of two above log2 of any u64, so that a mask bounds the index
 * for every verifier. */
#define HIST_SLOTS 64

struct hist {
	__u64 slots[HIST_SLOTS];
	__u64 count;
	__u64 sum;
};

#endif
