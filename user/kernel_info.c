// SPDX-License-Identifier: GPL-2.0
/* What a record says of the kernel and machine its figures come from. */
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "kernel_info.h"
#include "util.h"

json_t *kernel_info_json(const struct kenv *env)
{
	struct utsname u;
	char cmdline[4096] = "";
	long nodes = 0;

	uname(&u);
	read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	for (;;) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld", nodes);
		if (!path_exists(path))
			break;
		nodes++;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:I}",
			 "release", u.release, "version", u.version,
			 "machine", u.machine, "cmdline", cmdline,
			 "page_size", env->page_size, "pmd_order", env->pmd_order,
			 "nr_cpus", (json_int_t)sysconf(_SC_NPROCESSORS_CONF),
			 "nr_nodes", (json_int_t)nodes);
}
