// SPDX-License-Identifier: GPL-2.0
/* thpscope diff's exit status on synthetic records: 0 without a
 * regression, 1 with one, 2 on an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "commands.h"

static char dir[] = "/tmp/thpscope-diff-exit.XXXXXX";

/* A record of one run: SUCCEED order-9 collapses of ATTEMPTS. */
static void write_record(const char *name, const char *schema, int succeed, int attempts)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"schema\": \"%s\", \"duration_ns\": 1000000000,\n"
		"\"kernel\": {\"release\": \"6.18\"}, \"command\": {\"argv\": [\"thpload\"]},\n"
		"\"probes\": {\"collapse:mm_collapse_huge_page\": {\"attached\": true}},\n"
		"\"collapse\": {\"by_order\": {\"9\": {\"succeed\": %d, \"alloc_huge_page_fail\": %d}}}}\n",
		schema, succeed, attempts - succeed);
	fclose(f);
}

static int diff(const char *a, const char *b, const char *opt)
{
	char pa[256], pb[256];
	char *argv[6];
	int argc = 0, saved, ret;
	FILE *null;

	snprintf(pa, sizeof(pa), "%s/%s", dir, a);
	snprintf(pb, sizeof(pb), "%s/%s", dir, b);
	argv[argc++] = "diff";
	if (opt)
		argv[argc++] = (char *)opt;
	argv[argc++] = pa;
	argv[argc++] = pb;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	saved = dup(1);
	null = fopen("/dev/null", "w");
	dup2(fileno(null), 1);
	dup2(fileno(null), 2);
	ret = cmd_diff(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, 1);
	dup2(saved, 2);
	close(saved);
	fclose(null);
	return ret;
}

static int setup(void **state)
{
	char name[256];
	int i;

	assert_non_null(mkdtemp(dir));
	write_record("a.json", "thpscope-record/1", 6, 8);
	write_record("same.json", "thpscope-record/1", 6, 8);
	write_record("worse.json", "thpscope-record/1", 0, 8);
	write_record("v2.json", "thpscope-record/2", 6, 8);
	snprintf(name, sizeof(name), "%s/base", dir);
	mkdir(name, 0755);
	snprintf(name, sizeof(name), "%s/new", dir);
	mkdir(name, 0755);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "base/r%d.json", i);
		write_record(name, "thpscope-record/1", 6 + i % 2, 8);
		snprintf(name, sizeof(name), "new/r%d.json", i);
		write_record(name, "thpscope-record/1", 2 + i % 2, 8);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void no_regression_is_0(void **state)
{
	assert_int_equal(diff("a.json", "same.json", NULL), 0);
	assert_int_equal(diff("base", "base", NULL), 0);
	/* Fewer failed allocations and more successes: an improvement. */
	assert_int_equal(diff("worse.json", "a.json", NULL), 0);
}

static void regression_is_1(void **state)
{
	assert_int_equal(diff("a.json", "worse.json", NULL), 1);
	assert_int_equal(diff("base", "new", NULL), 1);
	/* A threshold above the change: none. */
	assert_int_equal(diff("a.json", "worse.json", "--threshold=1000"), 0);
}

static void errors_are_2(void **state)
{
	assert_int_equal(diff("a.json", "missing.json", NULL), 2);
	assert_int_equal(diff("v2.json", "a.json", NULL), 2);
	assert_int_equal(diff("a.json", "same.json", "--threshold=-5"), 2);
	assert_int_equal(diff("a.json", "same.json", "--frob"), 2);
	assert_int_equal(diff("a.json,,", "same.json", NULL), 2);
	/* A page that cannot be written, even with a regression to report. */
	assert_int_equal(diff("a.json", "worse.json", "--html=/nonexistent/dir/d.html"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_regression_is_0),
		cmocka_unit_test(regression_is_1),
		cmocka_unit_test(errors_are_2),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
