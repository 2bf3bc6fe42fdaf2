// SPDX-License-Identifier: GPL-2.0
/* The run of a tracing command (see runner.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runner.h"
#include "util.h"

void runner_init(struct runner *r)
{
	sigset_t block;

	memset(r, 0, sizeof(*r));
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &r->orig);
}

void runner_start(struct runner *r, char **argv, double seconds)
{
	if (seconds)
		r->deadline = mono_ns() + (uint64_t)(seconds * 1e9);
	if (!argv)
		return;
	r->child = fork();
	if (r->child)
		return;
	sigprocmask(SIG_SETMASK, &r->orig, NULL);
	execvp(argv[0], argv);
	errorf("cannot run %s: %s", argv[0], strerror(errno));
	_exit(127);
}

bool runner_wait(struct runner *r, uint64_t wait_ns)
{
	uint64_t now = mono_ns();
	struct timespec ts;
	sigset_t set;
	int sig;

	if (r->deadline) {
		if (now >= r->deadline)
			return true;
		if (r->deadline - now < wait_ns)
			wait_ns = r->deadline - now;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	ts.tv_sec = wait_ns / 1000000000ULL;
	ts.tv_nsec = wait_ns % 1000000000ULL;
	sig = sigtimedwait(&set, NULL, &ts);
	if (sig == SIGINT || sig == SIGTERM) {
		r->stop_signal = sig;
		return true;
	}
	if (sig == SIGCHLD && r->child > 0 && waitpid(r->child, &r->wstatus, WNOHANG) == r->child) {
		r->reaped = true;
		return true;
	}
	return r->deadline && mono_ns() >= r->deadline;
}

void runner_finish(struct runner *r)
{
	if (r->child <= 0 || r->reaped)
		return;
	kill(r->child, r->stop_signal ? r->stop_signal : SIGTERM);
	if (waitpid(r->child, &r->wstatus, 0) == r->child)
		r->reaped = true;
}

int runner_exit_status(const struct runner *r)
{
	if (!r->reaped)
		return 1;
	if (WIFEXITED(r->wstatus))
		return WEXITSTATUS(r->wstatus);
	if (WIFSIGNALED(r->wstatus))
		return 128 + WTERMSIG(r->wstatus);
	return 1;
}
