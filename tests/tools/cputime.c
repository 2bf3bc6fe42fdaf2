// SPDX-License-Identifier: GPL-2.0
/*
 * cputime: CPU time in nanoseconds, for scripts/bench.
 *
 *   cputime -p PID...          the CPU time each process has used so far
 *   cputime -o FILE CMD [ARG]...  run CMD; write "WALL_NS USER_NS SYS_NS" to FILE
 *
 * -p: one line a PID, the process's user + system time, every thread
 * included (those that have exited too), from its CPU-time clock: exact
 * to the nanosecond where /proc/PID/stat counts ticks of 10 ms.
 *
 * -o: CMD's wall-clock time (CLOCK_MONOTONIC) and the user and system
 * time of CMD and of every descendant it waited for (wait4's rusage, in
 * microseconds). FILE must not exist: it is created before CMD starts, so
 * that a bad path runs nothing, written once CMD has exited, and removed
 * when CMD could not start. cputime exits with CMD's status (128 + the
 * signal that ended it; 127 when it could not start).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

#define USAGE "usage: cputime -p PID... | cputime -o FILE CMD [ARG]..."
/*
 * The kernel's bound on a pid (4M on 64-bit). Beyond it the CPU-time
 * clock id, the pid shifted left by 3, would wrap around to another
 * clock, such as cputime's own.
 */
#define PID_MAX_LIMIT	(4 * 1024 * 1024)

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static uint64_t ns_of_tv(const struct timeval *t)
{
	return (uint64_t)t->tv_sec * 1000000000 + (uint64_t)t->tv_usec * 1000;
}

static int process_times(char **pids, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct timespec t;
		clockid_t clk;
		uint64_t pid;
		int err;

		if (!parse_u64(pids[i], &pid) || !pid || pid > PID_MAX_LIMIT) {
			fprintf(stderr, "cputime: '%s' is not a process id\n", pids[i]);
			return 1;
		}
		err = clock_getcpuclockid((pid_t)pid, &clk);
		if (!err && clock_gettime(clk, &t))
			err = errno;
		if (err) {
			fprintf(stderr, "cputime: process %s: %s\n", pids[i], strerror(err));
			return 1;
		}
		printf("%" PRIu64 "\n", ns_of(&t));
	}
	return fflush(stdout) ? 1 : 0;
}

/* Fails with FILE removed: nothing is measured. */
static int refuse(const char *path, int fd, const char *what, int err)
{
	fprintf(stderr, "cputime: %s: %s\n", what, strerror(err));
	close(fd);
	unlink(path);
	return 127;
}

static int run(const char *path, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int fd, status, exec_err = 0, pipefd[2];
	FILE *out;
	pid_t pid;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "cputime: %s: %s\n", path, strerror(errno));
		return 127;
	}
	/* The child reports a failed exec through a pipe that exec closes. */
	if (pipe2(pipefd, O_CLOEXEC))
		return refuse(path, fd, "pipe", errno);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return refuse(path, fd, "fork", errno);
	}
	if (!pid) {
		execvp(argv[0], argv);
		exec_err = errno;
		if (write(pipefd[1], &exec_err, sizeof(exec_err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &exec_err, sizeof(exec_err)) != sizeof(exec_err))
		exec_err = 0;
	close(pipefd[0]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return refuse(path, fd, "wait", errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (exec_err)
		return refuse(path, fd, argv[0], exec_err);
	out = fdopen(fd, "w");
	if (!out)
		return refuse(path, fd, path, errno);
	fprintf(out, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", ns_of(&t1) - ns_of(&t0),
		ns_of_tv(&ru.ru_utime), ns_of_tv(&ru.ru_stime));
	if (ferror(out) | fclose(out)) {
		fprintf(stderr, "cputime: %s: write failed\n", path);
		unlink(path);
		return 127;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "-p"))
		return process_times(argv + 2, argc - 2);
	if (argc >= 4 && !strcmp(argv[1], "-o"))
		return run(argv[2], argv + 3);
	fprintf(stderr, "%s\n", USAGE);
	return 1;
}
