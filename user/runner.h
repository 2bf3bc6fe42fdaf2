/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run of a tracing command (record, trace, top): SIGINT, SIGTERM,
 * SIGHUP and SIGCHLD are blocked and taken synchronously; an optional
 * command is started with the original mask; the run ends at a deadline,
 * when the command exits, or on SIGINT, SIGTERM or SIGHUP.
 */
#ifndef THPSCOPE_RUNNER_H
#define THPSCOPE_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RUNNER_CANNOT_RUN 127
/* Seconds a command has to exit after the run's signal, before SIGKILL
 * (record --help says it). */
#define RUNNER_GRACE_S 3

struct runner {
	sigset_t orig;
	pid_t child;		/* 0: no command */
	const char *name;	/* the command's argv[0] */
	int wstatus;
	bool reaped;
	uint64_t deadline;	/* CLOCK_MONOTONIC ns, 0: none */
	int stop_signal;	/* SIGINT/SIGTERM/SIGHUP that ended the run, or 0 */
};

/* Block the signals; call before opening the session. */
void runner_init(struct runner *r);
/* Start ARGV (may be NULL) and arm a deadline SECONDS away (0: none).
 * False, said on stderr, when the command cannot be started: the caller
 * ends with RUNNER_CANNOT_RUN, the status a shell gives it. */
bool runner_start(struct runner *r, char **argv, double seconds);
/* Wait up to WAIT_NS for the end. Returns true when the run is over. */
bool runner_wait(struct runner *r, uint64_t wait_ns);
/* Stop a command still running and reap it: the run's signal, SIGKILL
 * after RUNNER_GRACE_S or at a further signal (said on stderr). */
void runner_finish(struct runner *r);
/* The command's exit status as a shell reports it (128+signal). */
int runner_exit_status(const struct runner *r);

#endif
