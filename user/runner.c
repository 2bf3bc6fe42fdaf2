// SPDX-License-Identifier: GPL-2.0
/* The run of a tracing command (see runner.h). */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runner.h"
#include "self.h"
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

/*
 * The command is spawned, not forked: a forked child would hold a copy of
 * this process's memory until its exec, which khugepaged may scan and
 * which would count as the command's (the owner of that mm). A spawned
 * child shares this process's mm until the exec, so nothing of ours is
 * attributed to it.
 */
bool runner_start(struct runner *r, char **argv, double seconds)
{
	posix_spawnattr_t attr;
	int err;

	if (seconds)
		r->deadline = mono_ns() + (uint64_t)(seconds * 1e9);
	if (!argv)
		return true;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &r->orig);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	/* Not posix_spawnp: the command must not inherit our THP switch. */
	err = self_spawn(&r->child, argv, &attr);
	posix_spawnattr_destroy(&attr);
	if (!err)
		return true;
	errorf("cannot run %s: %s", argv[0], strerror(err));
	r->child = 0;
	return false;
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
