/* SPDX-License-Identifier: GPL-2.0 */
/* thpscope's own memory and THP: a profiler must not change what it
 * measures, so its memory gets no THP (PR_SET_THP_DISABLE) unless asked
 * for with --include-self. The switch lives in the mm and is inherited
 * across fork and exec; the command thpscope runs must not inherit it,
 * and flipping ours around its start would hand our memory to khugepaged
 * meanwhile. So the command is started through thpscope itself, run as
 * SELF_EXEC_ARG: it turns THP back on in that new process, then execs
 * the command. */
#ifndef THPSCOPE_SELF_H
#define THPSCOPE_SELF_H

#include <spawn.h>
#include <stdbool.h>
#include <sys/types.h>

/* thpscope's first argument when it is the step to a command. */
#define SELF_EXEC_ARG "--exec-command-with-thp"

/* Turn THP off or back on for this process's memory. */
void self_thp_disable(bool off);
/* Whether THP is off for this process's memory. */
bool self_thp_disabled(void);
/* Start ARGV (PATH searched) with ATTR, THP as the system has it.
 * Returns 0 once the command runs, or the errno of its failed start. */
int self_spawn(pid_t *pid, char **argv, const posix_spawnattr_t *attr);
/* thpscope run as SELF_EXEC_ARG with ARGV "FD COMMAND [ARGS...]": THP
 * back on, exec COMMAND; if it cannot be, its errno goes to FD and the
 * return value is the exit status. */
int self_exec(char **argv);

#endif
