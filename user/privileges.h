/* SPDX-License-Identifier: GPL-2.0 */
/* Whether this process may load and attach thpscope's BPF programs. */
#ifndef THPSCOPE_PRIVILEGES_H
#define THPSCOPE_PRIVILEGES_H

/* Root, or CAP_BPF + CAP_PERFMON (+ CAP_DAC_READ_SEARCH for tracefs,
 * CAP_SYSLOG for kernel symbols). Returns 0, or prints one line and
 * returns -1. */
int privileges_check(void);

#endif
