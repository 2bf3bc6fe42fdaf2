// SPDX-License-Identifier: GPL-2.0
/* THP off for thpscope's own memory, not for the command it runs (see
 * self.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "runner.h"
#include "self.h"
#include "util.h"

extern char **environ;

void self_thp_disable(bool off)
{
	prctl(PR_SET_THP_DISABLE, off, 0, 0, 0);
}

bool self_thp_disabled(void)
{
	return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0;
}

int self_exec(char **argv)
{
	char *end;
	long fd;
	int err;

	fd = argv[0] ? strtol(argv[0], &end, 10) : -1;
	if (fd < 0 || *end || !argv[1] || fcntl(fd, F_GETFD) < 0) {
		errorf("%s is thpscope's own way to start a command", SELF_EXEC_ARG);
		return 2;
	}
	self_thp_disable(false);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	execvp(argv[1], argv + 1);
	err = errno;
	while (write(fd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	return RUNNER_CANNOT_RUN;
}

/* The pipe's write end stays open in the step to the command and closes
 * at the command's exec: end of file says it runs, an errno that it could
 * not be started. */
int self_spawn(pid_t *pid, char **argv, const posix_spawnattr_t *attr)
{
	char fd_arg[16], **args;
	int pipefd[2], err;
	size_t n;

	for (n = 0; argv[n]; n++)
		;
	args = calloc(n + 4, sizeof(*args));
	if (!args)
		return ENOMEM;
	if (pipe(pipefd)) {
		err = errno;
		free(args);
		return err;
	}
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
	snprintf(fd_arg, sizeof(fd_arg), "%d", pipefd[1]);
	args[0] = "thpscope";
	args[1] = SELF_EXEC_ARG;
	args[2] = fd_arg;
	memcpy(args + 3, argv, n * sizeof(*args));
	err = posix_spawn(pid, "/proc/self/exe", NULL, attr, args, environ);
	close(pipefd[1]);
	free(args);
	if (err) {
		close(pipefd[0]);
		return err;
	}
	if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pipefd[0]);
	if (err)
		waitpid(*pid, NULL, 0);
	return err;
}
