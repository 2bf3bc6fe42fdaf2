// SPDX-License-Identifier: GPL-2.0
/* Finding, or mounting, tracefs (see tracefs.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "tracefs.h"
#include "util.h"

/* 0 when DIR holds tracefs's events, or -errno. stat(), not access():
 * CAP_DAC_READ_SEARCH must count. */
static int tracefs_at(const char *dir)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", dir);
	return stat(path, &st) ? -errno : 0;
}

int tracefs_find(char *dir, size_t len)
{
	static const char *const dirs[] = { "/sys/kernel/tracing",
					    "/sys/kernel/debug/tracing" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		int err = tracefs_at(dirs[i]);

		if (!err) {
			snprintf(dir, len, "%s", dirs[i]);
			return 0;
		}
		/* Mounted, but root's only (mode 0700 by default). */
		if (err == -EACCES) {
			errorf("tracefs at %s: %s (without root: CAP_DAC_READ_SEARCH with "
			       "CAP_BPF, CAP_PERFMON)", dirs[i], strerror(EACCES));
			return -1;
		}
	}
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0 && !tracefs_at(dirs[0])) {
		snprintf(dir, len, "%s", dirs[0]);
		return 0;
	}
	errorf("tracefs is not mounted and cannot be mounted at %s: %s%s", dirs[0],
	       strerror(errno), errno == EPERM ? " (mounting takes CAP_SYS_ADMIN)" : "");
	return -1;
}
