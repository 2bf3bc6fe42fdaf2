// SPDX-License-Identifier: GPL-2.0
/* The processes a filter selects (see proc_select.h). */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proc_select.h"
#include "util.h"

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h, field 9 of stat */

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

/* The mount point of the hierarchy PATH lies in: cgroup2, or v1 with
 * the memory controller. Its length, 0 when none holds PATH. */
static size_t cgroup_mount_len(const char *path, bool v1)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[1024], mnt[512], type[64], opts[512];
	size_t best = 0, n;

	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %511s", type, opts) != 2)
			continue;
		if (v1 ? strcmp(type, "cgroup") || !strstr(opts, "memory") : strcmp(type, "cgroup2"))
			continue;
		n = strlen(mnt);
		if (!strncmp(path, mnt, n) && (path[n] == '/' || !path[n]) && n > best)
			best = n;
	}
	if (f)
		fclose(f);
	return best;
}

/* Process PID is in cgroup REL (relative to its hierarchy's root) or
 * below it: its /proc/PID/cgroup line of that hierarchy says so. */
static bool in_cgroup(pid_t pid, const char *rel, bool v1)
{
	char path[64], line[1024];
	size_t n = strlen(rel);
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "r");
	while (f && !in && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *p = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!p)
			continue;
		*ctl = *p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		if (v1 ? !strstr(ctl + 1, "memory") : strcmp(line, "0") || ctl[1])
			continue;
		in = !strncmp(p, rel, n) && (p[n] == '/' || !p[n] || (n == 1 && rel[0] == '/'));
	}
	if (f)
		fclose(f);
	return in;
}

static bool selected(const struct filter *f, const char *rel, pid_t pid)
{
	char comm[32];

	if (f->by_comm) {
		proc_comm(pid, comm, sizeof(comm));
		if (strcmp(comm, f->comm))
			return false;
	}
	return !f->cgroup_id || in_cgroup(pid, rel, f->cgroup_v1);
}

int proc_select(const struct filter *f, pid_t ancestor, struct pid_list *l)
{
	const char *rel = "/";
	struct dirent *de;
	unsigned int i;
	size_t mount;
	DIR *d;

	memset(l, 0, sizeof(*l));
	if (f->cgroup_id) {
		mount = cgroup_mount_len(f->cgroup_path, f->cgroup_v1);
		if (!mount) {
			errorf("cannot find the hierarchy of cgroup %s", f->cgroup_path);
			return -1;
		}
		if (f->cgroup_path[mount])
			rel = f->cgroup_path + mount;
	}
	for (i = 0; i < f->ntgids; i++)
		if ((!ancestor || descends_from(f->tgids[i], ancestor)) && pid_add(l, f->tgids[i]))
			goto oom;
	if (f->ntgids)
		return 0;
	d = opendir("/proc");
	if (!d) {
		errorf("cannot list /proc: %m");
		return -1;
	}
	while ((de = readdir(d))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (proc_is_kthread(pid) || (ancestor && !descends_from(pid, ancestor)) ||
		    !selected(f, rel, pid))
			continue;
		if (pid_add(l, pid)) {
			closedir(d);
			goto oom;
		}
	}
	closedir(d);
	return 0;
oom:
	errorf("out of memory");
	pid_list_free(l);
	return -1;
}
