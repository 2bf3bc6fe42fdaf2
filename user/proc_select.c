// SPDX-License-Identifier: GPL-2.0
/* The processes a filter selects (see proc_select.h). */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proc_select.h"
#include "util.h"

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h, field 9 of stat */
/* Levels of cgroups below --cgroup's that are walked. */
#define CGROUP_MAX_DEPTH 32
/* Levels of descendants: a bound for a fork bomb's tree. */
#define CHILDREN_MAX_DEPTH 4096

static int pid_add(struct pid_list *l, pid_t pid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		pid_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = pid;
	return 0;
}

void pid_list_free(struct pid_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!read_text(path, buf, len))
		snprintf(buf, len, "?");
}

/* Fields 4 (the parent) and 9 (the flags) of /proc/PID/stat; false when
 * the process is gone. The name in parentheses may hold anything: the
 * fields are counted from its closing one. */
static bool proc_stat(pid_t pid, pid_t *ppid, unsigned long *flags)
{
	char path[64], buf[1024], *p;
	int parent;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!read_text(path, buf, sizeof(buf)))
		return false;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d %*d %*d %*d %*d %lu", &parent, flags) != 2)
		return false;
	*ppid = parent;
	return true;
}

bool proc_is_kthread(pid_t pid)
{
	unsigned long flags;
	pid_t ppid;

	return proc_stat(pid, &ppid, &flags) && (flags & PF_KTHREAD);
}

static bool descends_from(pid_t pid, pid_t ancestor)
{
	unsigned long flags;
	int depth;

	/* Bounded: a parent chain read while processes exit may loop. */
	for (depth = 0; depth < 4096 && pid > 1; depth++) {
		if (!proc_stat(pid, &pid, &flags))
			return false;
		if (pid == ancestor)
			return true;
	}
	return false;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The processes of cgroup DIR and of those below it, from their
 * cgroup.procs files: what the kernel says, whatever the namespaces make
 * of the paths in /proc/PID/cgroup. DEPTH bounds the walk. */
static int cgroup_members(const char *dir, struct pid_list *l, unsigned int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	FILE *f;
	DIR *d;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "r");
	while (f && fscanf(f, "%d", &pid) == 1)
		if (pid_add(l, pid)) {
			fclose(f);
			return -1;
		}
	if (f)
		fclose(f);
	d = depth ? opendir(dir) : NULL;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (cgroup_members(path, l, depth - 1)) {
			closedir(d);
			return -1;
		}
	}
	if (d)
		closedir(d);
	return 0;
}

static bool selected(const struct filter *f, const struct pid_list *members, pid_t pid)
{
	char comm[32];

	if (f->by_comm) {
		proc_comm(pid, comm, sizeof(comm));
		if (strcmp(comm, f->comm))
			return false;
	}
	return !f->cgroup_id || bsearch(&pid, members->v, members->n, sizeof(pid), pid_cmp);
}

int proc_select(const struct filter *f, pid_t ancestor, struct pid_list *l)
{
	struct pid_list members = { 0 };
	struct dirent *de;
	unsigned int i;
	DIR *d;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < f->ntgids; i++)
		if ((!ancestor || descends_from(f->tgids[i], ancestor)) && pid_add(l, f->tgids[i]))
			goto oom;
	if (f->ntgids)
		return 0;
	if (f->cgroup_id) {
		if (cgroup_members(f->cgroup_path, &members, CGROUP_MAX_DEPTH))
			goto oom;
		qsort(members.v, members.n, sizeof(*members.v), pid_cmp);
	}
	d = opendir("/proc");
	if (!d) {
		errorf("cannot list /proc: %m");
		pid_list_free(&members);
		return -1;
	}
	while ((de = readdir(d))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (proc_is_kthread(pid) || (ancestor && !descends_from(pid, ancestor)) ||
		    !selected(f, &members, pid))
			continue;
		if (pid_add(l, pid)) {
			closedir(d);
			goto oom;
		}
	}
	closedir(d);
	pid_list_free(&members);
	return 0;
oom:
	errorf("out of memory");
	pid_list_free(&members);
	pid_list_free(l);
	return -1;
}

/* Add the children of every thread of PID to L, and theirs, DEPTH levels
 * down (a thread or process gone meanwhile has none); -1 when out of
 * memory. */
static int add_children(pid_t pid, struct pid_list *l, unsigned int depth)
{
	struct dirent *de;
	char path[64], file[sizeof(path) + sizeof(de->d_name) + 16];
	int child, err = 0;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = depth ? opendir(path) : NULL;
	while (d && !err && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(file, sizeof(file), "%s/%s/children", path, de->d_name);
		f = fopen(file, "r");
		while (f && !err && fscanf(f, "%d", &child) == 1)
			err = pid_add(l, child) ?: add_children(child, l, depth - 1);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return err;
}

int proc_descendants(pid_t ancestor, struct pid_list *l)
{
	static const struct filter none;

	/* CONFIG_PROC_CHILDREN */
	if (!path_exists("/proc/thread-self/children"))
		return proc_select(&none, ancestor, l);
	memset(l, 0, sizeof(*l));
	if (add_children(ancestor, l, CHILDREN_MAX_DEPTH)) {
		errorf("out of memory");
		pid_list_free(l);
		return -1;
	}
	return 0;
}
