// SPDX-License-Identifier: GPL-2.0
/* Parsing and checking the event filters. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "filter.h"
#include "self.h"
#include "util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static int add_pid(struct filter *f, const char *arg, const char *cmd)
{
	uint64_t pid;

	if (!parse_u64(arg, &pid) || !pid || pid > INT32_MAX) {
		errorf("%s: -p wants a process id, not '%s'", cmd, arg);
		return -1;
	}
	if (kill((pid_t)pid, 0) && errno == ESRCH) {
		errorf("%s: no process %s", cmd, arg);
		return -1;
	}
	if (f->ntgids == FILTER_MAX_PIDS) {
		errorf("%s: at most %d -p options", cmd, FILTER_MAX_PIDS);
		return -1;
	}
	f->tgids[f->ntgids++] = pid;
	return 0;
}

/* A cgroup directory: its kernfs id is its inode number; a v1 one must
 * belong to the memory controller's hierarchy. */
static int set_cgroup(struct filter *f, const char *arg, const char *cmd)
{
	char path[sizeof(f->cgroup_path)], probe[sizeof(path) + 32];
	struct statfs sfs;
	struct stat st;

	if (arg[0] == '/')
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s", arg);
	if (stat(path, &st) || statfs(path, &sfs)) {
		errorf("%s: cgroup %s: %s", cmd, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) ||
	    (sfs.f_type != CGROUP2_SUPER_MAGIC && sfs.f_type != CGROUP_SUPER_MAGIC)) {
		errorf("%s: %s is not a cgroup directory", cmd, path);
		return -1;
	}
	f->cgroup_v1 = sfs.f_type == CGROUP_SUPER_MAGIC;
	snprintf(probe, sizeof(probe), "%s/memory.limit_in_bytes", path);
	if (f->cgroup_v1 && !path_exists(probe)) {
		errorf("%s: %s is a v1 cgroup outside the memory hierarchy", cmd, path);
		return -1;
	}
	snprintf(f->cgroup_path, sizeof(f->cgroup_path), "%s", path);
	f->cgroup_id = st.st_ino;
	return 0;
}

int filter_option(struct filter *f, int opt, const char *arg, const char *cmd)
{
	switch (opt) {
	case 'p':
		return add_pid(f, arg, cmd);
	case OPT_COMM:
		if (!arg[0] || strlen(arg) >= sizeof(f->comm)) {
			errorf("%s: --comm wants a name of 1 to 15 characters, not '%s'",
			       cmd, arg);
			return -1;
		}
		snprintf(f->comm, sizeof(f->comm), "%s", arg);
		f->by_comm = true;
		return 0;
	case OPT_CGROUP:
		return set_cgroup(f, arg, cmd);
	case OPT_INCLUDE_SELF:
		f->include_self = true;
		return 0;
	default:
		return 1;
	}
}

bool filter_active(const struct filter *f)
{
	return f->ntgids || f->by_comm || f->cgroup_id;
}

json_t *filter_to_json(const struct filter *f)
{
	json_t *o, *pids;
	unsigned int i;

	if (!filter_active(f))
		return json_null();
	o = json_object();
	pids = json_array();
	for (i = 0; i < f->ntgids; i++)
		json_array_append_new(pids, json_integer(f->tgids[i]));
	json_object_set_new(o, "pids", pids);
	json_object_set_new(o, "comm", f->by_comm ? json_string(f->comm) : json_null());
	if (f->cgroup_id)
		json_object_set_new(o, "cgroup",
				    json_pack("{s:s, s:I, s:s}", "path", f->cgroup_path,
					      "id", (json_int_t)f->cgroup_id,
					      "hierarchy", f->cgroup_v1 ? "v1 memory" : "v2"));
	else
		json_object_set_new(o, "cgroup", json_null());
	return o;
}

json_t *filter_self_to_json(const struct filter *f)
{
	return json_pack("{s:I, s:s, s:b}", "pid", (json_int_t)getpid(),
			 "events", f->include_self ? "included" : "excluded",
			 "thp_disabled", self_thp_disabled());
}
