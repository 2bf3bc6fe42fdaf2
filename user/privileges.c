// SPDX-License-Identifier: GPL-2.0
/* The capabilities thpscope needs (see privileges.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "privileges.h"
#include "util.h"

/* Older uapi headers lack the capabilities split off CAP_SYS_ADMIN. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool cap_effective(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

int privileges_check(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d)) {
		errorf("cannot read capabilities: %s", strerror(errno));
		return -1;
	}
	if (cap_effective(d, CAP_SYS_ADMIN))
		return 0;
	if (cap_effective(d, CAP_BPF) && cap_effective(d, CAP_PERFMON))
		return 0;
	errorf("needs root, or CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH "
	       "(CAP_SYSLOG for kernel symbols)");
	return -1;
}
