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

/* The signals the run takes synchronously: those that stop it, and the
 * command's end. */
static void run_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

void runner_init(struct runner *r)
{
	sigset_t block;

	memset(r, 0, sizeof(*r));
	run_signals(&block);
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
	r->name = argv[0];
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
	run_signals(&set);
	ts.tv_sec = wait_ns / 1000000000ULL;
	ts.tv_nsec = wait_ns % 1000000000ULL;
	sig = sigtimedwait(&set, NULL, &ts);
	if (sig > 0 && sig != SIGCHLD) {
		r->stop_signal = sig;
		return true;
	}
	if (sig == SIGCHLD && r->child > 0 && waitpid(r->child, &r->wstatus, WNOHANG) == r->child) {
		r->reaped = true;
		return true;
	}
	return r->deadline && mono_ns() >= r->deadline;
}

static bool reap(struct runner *r)
{
	if (!r->reaped && waitpid(r->child, &r->wstatus, WNOHANG) == r->child)
		r->reaped = true;
	return r->reaped;
}

/*
 * The command is sent the signal that ended the run (SIGTERM at the end
 * of -d or of its own), then SIGKILL RUNNER_GRACE_S later, or at once when
 * thpscope is told to stop again: a command that ignores SIGTERM cannot
 * hold the record back. One that outlives even SIGKILL (stuck in the
 * kernel) is left behind at a third signal.
 */
void runner_finish(struct runner *r)
{
	int sig = r->stop_signal ? r->stop_signal : SIGTERM;
	uint64_t kill_at = mono_ns() + RUNNER_GRACE_S * 1000000000ULL;
	bool killed = false;
	sigset_t set;

	if (r->child <= 0 || r->reaped)
		return;
	kill(r->child, sig);
	run_signals(&set);
	while (!reap(r)) {
		uint64_t now = mono_ns();
		struct timespec ts;
		int got;

		if (!killed && now >= kill_at) {
			warnf("%s (pid %d) still runs %d s after SIG%s; sending SIGKILL", r->name,
			      (int)r->child, RUNNER_GRACE_S, sigabbrev_np(sig));
			kill(r->child, SIGKILL);
			killed = true;
			continue;
		}
		ts.tv_sec = killed ? 1 : (kill_at - now) / 1000000000ULL;
		ts.tv_nsec = killed ? 0 : (kill_at - now) % 1000000000ULL;
		got = sigtimedwait(&set, NULL, &ts);
		if (got <= 0 || got == SIGCHLD)
			continue;
		if (killed) {
			warnf("%s (pid %d) did not die of SIGKILL; not waiting for it",
			      r->name, (int)r->child);
			return;
		}
		warnf("SIG%s again: sending %s (pid %d) SIGKILL", sigabbrev_np(got), r->name,
		      (int)r->child);
		kill(r->child, SIGKILL);
		killed = true;
	}
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
