/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The processes that a filter (-p, --comm, --cgroup; filter.h) selects,
 * read from /proc: for the commands that look at processes' memory
 * rather than at events.
 */
#ifndef THPSCOPE_PROC_SELECT_H
#define THPSCOPE_PROC_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "filter.h"

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

/* Into L, the processes F selects (every process without a filter: its
 * -p PIDs as given, running or not, so that the caller can say which are
 * gone), leaving out kernel threads unless named by -p; with ANCESTOR >
 * 0, only its descendants. Returns 0, or -1 after one line of error. */
int proc_select(const struct filter *f, pid_t ancestor, struct pid_list *l);
/* Into L, the descendants of ANCESTOR: read from the children files of
 * the tree's threads, a read per process of the tree rather than of
 * every process's parents (proc_select's walk where the kernel has no
 * such files). Returns 0, or -1 after one line of error. */
int proc_descendants(pid_t ancestor, struct pid_list *l);
void pid_list_free(struct pid_list *l);

/* The name of process PID ("?" when it is gone). */
void proc_comm(pid_t pid, char *buf, size_t len);
/* Process PID is a kernel thread. */
bool proc_is_kthread(pid_t pid);

#endif
