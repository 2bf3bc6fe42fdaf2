// SPDX-License-Identifier: GPL-2.0
/* The list of functions ftrace can patch, read from a tracefs-like
 * directory: names with and without a module, no final newline, and a
 * directory without the file. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "ftrace_funcs.h"

static char dir[] = "/tmp/thpscope-ftrace.XXXXXX";

static void write_list(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void listed_names(void **state)
{
	struct ftrace_funcs f = { 0 };

	write_list("split_huge_pmd_locked\n__folio_split\n"
		   "thpdev_open [thpdev]\nmigrate_vma_setup");
	assert_int_equal(ftrace_funcs_has(&f, dir, "__folio_split"), 1);
	assert_int_equal(ftrace_funcs_has(&f, dir, "thpdev_open"), 1);
	assert_int_equal(ftrace_funcs_has(&f, dir, "migrate_vma_setup"), 1);
	assert_int_equal(ftrace_funcs_has(&f, dir, "split_huge_pmd_locked"), 1);
	assert_int_equal(ftrace_funcs_has(&f, dir, "deferred_split_scan"), 0);
	assert_int_equal(ftrace_funcs_has(&f, dir, "[thpdev]"), 0);
	assert_int_equal(f.n, 4);
	ftrace_funcs_free(&f);
}

static void unreadable_list(void **state)
{
	struct ftrace_funcs f = { 0 };

	assert_int_equal(ftrace_funcs_has(&f, "/nonexistent", "__folio_split"), -1);
	/* Not read again: the answer stays "cannot say". */
	assert_int_equal(ftrace_funcs_has(&f, dir, "__folio_split"), -1);
	ftrace_funcs_free(&f);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listed_names),
		cmocka_unit_test(unreadable_list),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
