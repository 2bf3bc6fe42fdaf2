/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve --by-cgroup: the families' counts keyed by the v2 cgroup of the
 * task they are attributed to, cut at a depth of the hierarchy (the BPF
 * side's task_cgroup_key). A harvest puts each cgroup's counts in a part
 * of the record shaped like the record itself; serve names the parts by
 * cgroup path, folding those past the first N into "other".
 */
#ifndef THPSCOPE_BY_CGROUP_H
#define THPSCOPE_BY_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Where a harvest puts the counts of cgroup key CGROUP: RECORD itself
 * when counts are not keyed by cgroup (0), else its "cgroups.<id>". */
json_t *record_part(json_t *record, uint64_t cgroup);

/* The labels serve gives cgroups: each path keeps the label it got first,
 * so that a counter summed under a label only grows. */
struct cgroup_labels {
	unsigned int depth, max;
	char mount[256];	/* the v2 hierarchy's mount point */
	struct cgroup_path *paths;	/* kernfs id -> path, sorted by id */
	size_t npaths;
	char **labeled;		/* paths with a label of their own */
	size_t nlabeled;
	char **folded;		/* paths summed under "other" */
	size_t nfolded;
};

/* Labels for cgroups cut at DEPTH, at most MAX of them. Returns 0, or -1
 * after one line of error (no v2 hierarchy). */
int cgroup_labels_init(struct cgroup_labels *l, unsigned int depth, unsigned int max);
/* Replace RECORD's "cgroups" ({id: part}) by {label: part}, parts of one
 * label summed, and set "cgroups_folded" to the paths under "other". */
void cgroup_labels_apply(struct cgroup_labels *l, json_t *record);
void cgroup_labels_free(struct cgroup_labels *l);

#endif
