/* SPDX-License-Identifier: GPL-2.0 */
/* What memory a folio holds, as records and events name it. */
#ifndef THPSCOPE_FOLIO_H
#define THPSCOPE_FOLIO_H

enum folio_kind {
	KIND_ANON,
	KIND_SHMEM,
	KIND_FILE,
	KIND_NR,
};

#endif
