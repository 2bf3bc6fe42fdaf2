/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The coverage of a live process: its mappings from /proc/PID/maps, their
 * pagemap words read a chunk at a time, the flags of their PFNs from
 * /proc/kpageflags through a cache of 512-byte lines, classified by
 * coverage.h.
 */
#ifndef THPSCOPE_COVERAGE_SCAN_H
#define THPSCOPE_COVERAGE_SCAN_H

#include <stdint.h>
#include <sys/types.h>
#include "coverage.h"

struct kpf_cache;

struct coverage_scanner {
	struct page_geometry g;
	int kpageflags;		/* /proc/kpageflags */
	uint64_t *pm;		/* a chunk of pagemap words */
	struct kpf_cache *cache;
};

/* A mapping as /proc/PID/maps shows it. */
struct vma_info {
	uint64_t start, end;
	char perms[5];
	const char *path;	/* "" when anonymous */
};

/* Open /proc/kpageflags; -1 after one line of error (one that says root
 * is needed when that is why). */
int coverage_scanner_open(struct coverage_scanner *s);
void coverage_scanner_close(struct coverage_scanner *s);

/* Add the coverage of process PID to C; with VMA, call it per mapping
 * with that mapping's coverage. Returns 0, or -errno: -ESRCH when the
 * process is gone, -EACCES when it may not be read. A kernel thread maps
 * nothing: 0 with no mapping (c->vmas unchanged). */
int coverage_scan_pid(struct coverage_scanner *s, pid_t pid, struct coverage *c,
		      void (*vma)(void *ctx, const struct vma_info *v, const struct coverage *c),
		      void *ctx);

#endif
