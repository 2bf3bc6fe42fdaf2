/* SPDX-License-Identifier: GPL-2.0 */
/* Event filters shared by every family and the loader. */
#ifndef THPSCOPE_FILTER_H
#define THPSCOPE_FILTER_H

/* -p may be given this many times. */
#define FILTER_MAX_PIDS 16
/* Cgroup levels walked up from a task's cgroup to find the one asked for. */
#define FILTER_CGROUP_DEPTH 16
/* The cgroup key (serve --by-cgroup) of an event attributed to no task. */
#define CGROUP_KEY_NONE (~0ULL)

#endif
