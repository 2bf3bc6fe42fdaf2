// SPDX-License-Identifier: GPL-2.0
/* The descendants of a process: from the children files, the same as the
 * walk of every process's parents finds. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "unit.h"
#include "proc_select.h"

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* A child that forks a grandchild; both wait to be killed. The pipe
 * says when the grandchild is there, with its pid. */
static pid_t spawn_tree(pid_t *grandchild)
{
	int fds[2];
	pid_t child;

	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		pid_t g = fork();

		if (!g)
			for (;;)
				pause();
		if (write(fds[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		for (;;)
			pause();
	}
	assert_int_equal(read(fds[0], grandchild, sizeof(*grandchild)), sizeof(*grandchild));
	close(fds[0]);
	close(fds[1]);
	return child;
}

static void descendants_child_and_grandchild(void **state)
{
	struct pid_list got, walked;
	static const struct filter none;
	pid_t want[2];

	want[0] = spawn_tree(&want[1]);
	assert_int_equal(proc_descendants(getpid(), &got), 0);
	assert_int_equal(proc_select(&none, getpid(), &walked), 0);
	kill(want[1], SIGKILL);
	kill(want[0], SIGKILL);
	waitpid(want[0], NULL, 0);
	qsort(want, 2, sizeof(want[0]), pid_cmp);
	qsort(got.v, got.n, sizeof(got.v[0]), pid_cmp);
	qsort(walked.v, walked.n, sizeof(walked.v[0]), pid_cmp);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.v[0], want[0]);
	assert_int_equal(got.v[1], want[1]);
	assert_int_equal(walked.n, 2);
	assert_int_equal(walked.v[0], want[0]);
	assert_int_equal(walked.v[1], want[1]);
	pid_list_free(&got);
	pid_list_free(&walked);
}

static void no_descendants(void **state)
{
	struct pid_list got;

	assert_int_equal(proc_descendants(getpid(), &got), 0);
	assert_int_equal(got.n, 0);
	pid_list_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(descendants_child_and_grandchild),
		cmocka_unit_test(no_descendants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
