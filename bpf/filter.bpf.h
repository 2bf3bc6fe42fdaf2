/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filters applied in the kernel, so that a filtered-out event costs one
 * check and takes no map slot. An event is kept when the task it is
 * attributed to (see each family) is not of thpscope's own process
 * (filter_self_tgid, unless --include-self) and passes every filter that
 * is set: its process is one of filter_tgids, its process is named
 * filter_comm, and it lives in the cgroup filter_cgroup or below. The
 * loader sets these before load; with none set the checks compile away.
 */
#ifndef THPSCOPE_FILTER_BPF_H
#define THPSCOPE_FILTER_BPF_H

#include "filter.h"

/* Events are matched against the process they are attributed to: a
 * filter below is set, thpscope's own process included. */
const volatile bool filter_active;
/* -p, --comm or --cgroup is set: only the processes they name count, and
 * an event attributed to no process does not. */
const volatile bool filter_selective;
/* thpscope's own process, whose events never count; 0: they do. */
const volatile __u32 filter_self_tgid;
const volatile __u32 filter_ntgids;
const volatile __u32 filter_tgids[FILTER_MAX_PIDS];
const volatile bool filter_by_comm;
const volatile char filter_comm[16];
/* kernfs id (the directory's inode number) of the cgroup, 0: none. */
const volatile __u64 filter_cgroup;
/* The cgroup is in the v1 memory hierarchy, not the v2 one. */
const volatile bool filter_cgroup_v1;

static __always_inline bool filter_tgid_ok(__u32 tgid)
{
	__u32 i;

	if (!filter_ntgids)
		return true;
	for (i = 0; i < FILTER_MAX_PIDS && i < filter_ntgids; i++)
		if (filter_tgids[i] == tgid)
			return true;
	return false;
}

static __always_inline bool filter_comm_ok(struct task_struct *t)
{
	char comm[16];
	int i;

	if (!filter_by_comm)
		return true;
	BPF_CORE_READ_STR_INTO(&comm, t, group_leader, comm);
	for (i = 0; i < 16; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline struct cgroup *task_cgroup(struct task_struct *t)
{
	if (filter_cgroup_v1) {
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

		return BPF_CORE_READ(t, cgroups, subsys[id], cgroup);
	}
	return BPF_CORE_READ(t, cgroups, dfl_cgrp);
}

static __always_inline bool filter_cgroup_ok(struct task_struct *t)
{
	struct cgroup_subsys_state *parent;
	struct cgroup *cg;
	int i;

	if (!filter_cgroup)
		return true;
	cg = task_cgroup(t);
	for (i = 0; i < FILTER_CGROUP_DEPTH && cg; i++) {
		if (BPF_CORE_READ(cg, kn, id) == filter_cgroup)
			return true;
		parent = BPF_CORE_READ(cg, self.parent);
		if (!parent)
			break;
		cg = (void *)parent - bpf_core_field_offset(struct cgroup, self);
	}
	return false;
}

/*
 * serve --by-cgroup: counts are keyed by the v2 cgroup of the task they
 * are attributed to, cut at depth cgroup_depth (its ancestor there, or
 * itself when shallower), by kernfs id; 0 when off, CGROUP_KEY_NONE for an
 * event attributed to no task.
 */
const volatile bool by_cgroup;
const volatile __u32 cgroup_depth;

static __always_inline __u64 task_cgroup_key(struct task_struct *t)
{
	struct cgroup_subsys_state *parent;
	struct cgroup *cg;
	int level, i;

	if (!by_cgroup)
		return 0;
	if (!t)
		return CGROUP_KEY_NONE;
	cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	level = BPF_CORE_READ(cg, level);
	for (i = 0; i < FILTER_CGROUP_DEPTH && level > (int)cgroup_depth; i++, level--) {
		parent = BPF_CORE_READ(cg, self.parent);
		if (!parent)
			break;
		cg = (void *)parent - bpf_core_field_offset(struct cgroup, self);
	}
	return BPF_CORE_READ(cg, kn, id);
}

/* T, of process TGID, is not thpscope and passes every filter; a NULL
 * task (no process to attribute the event to) passes only when no -p,
 * --comm or --cgroup is set. */
static __always_inline bool process_selected(struct task_struct *t, __u32 tgid)
{
	if (!filter_active)
		return true;
	if (!t)
		return !filter_selective;
	if (filter_self_tgid && tgid == filter_self_tgid)
		return false;
	return filter_tgid_ok(tgid) && filter_comm_ok(t) && filter_cgroup_ok(t);
}

/* The same of T, whose process is read only when a filter needs it. */
static __always_inline bool task_selected(struct task_struct *t)
{
	if (!filter_active)
		return true;
	return process_selected(t, t ? task_tgid(t) : 0);
}

static __always_inline bool current_selected(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (!filter_active)
		return true;
	return process_selected(t, t->tgid);
}

#endif
