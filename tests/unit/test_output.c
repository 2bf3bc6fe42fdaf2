// SPDX-License-Identifier: GPL-2.0
/* Output paths (output_check, file_write_atomic) and the bounds of the
 * time options (parse_double, parse_seconds). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "unit.h"
#include "util.h"

static char dir[64];
static char path[256];

static const char *at(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* A symbolic link NAME in the directory to TARGET there. */
static int link_to(const char *target, const char *name)
{
	char from[256];

	snprintf(from, sizeof(from), "%s/%s", dir, target);
	return symlink(from, at(name));
}

/* Errors go to stderr; keep the test output clean. */
static int mute(void)
{
	int saved, null = open("/dev/null", O_WRONLY);

	fflush(stderr);
	saved = dup(2);
	dup2(null, 2);
	close(null);
	return saved;
}

static void unmute(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

static int quiet_check(const char *p)
{
	int saved = mute(), ret = output_check("test", p);

	unmute(saved);
	return ret;
}

static char *slurp(const char *p)
{
	static char buf[256];
	FILE *f = fopen(p, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/thpscope-unit.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static void seconds_are_bounded(void **state)
{
	double v;
	int saved;

	assert_true(parse_double("2.5", 0, 10, &v));
	assert_true(v == 2.5);
	assert_true(parse_double("10", 0, 10, &v));
	assert_false(parse_double("10.001", 0, 10, &v));
	assert_false(parse_double("1e300", 0, 1e6, &v));
	assert_false(parse_double("inf", 0, 1e6, &v));
	assert_false(parse_double("nan", 0, 1e6, &v));
	assert_false(parse_double("", 0, 1e6, &v));
	assert_false(parse_double("1s", 0, 1e6, &v));
	assert_false(parse_double("-1", 0, 1e6, &v));

	saved = mute();
	/* 2^64 ns is 18446744073.7 s: far past the largest duration. */
	assert_int_equal(parse_seconds("t", "-d", "18446744073", DURATION_MIN_S,
				       DURATION_MAX_S, &v), -1);
	assert_int_equal(parse_seconds("t", "-i", "1e-300", INTERVAL_MIN_S,
				       INTERVAL_MAX_S, &v), -1);
	assert_int_equal(parse_seconds("t", "-d", "0", DURATION_MIN_S, DURATION_MAX_S, &v), -1);
	assert_int_equal(parse_seconds("t", "-d", "86400", DURATION_MIN_S, DURATION_MAX_S, &v),
			 0);
	unmute(saved);
	assert_true(DURATION_MAX_S * 1e9 < 18446744073709551615.0);
	assert_true(v == 86400);
}

static void paths_checked_before_work(void **state)
{
	assert_int_equal(quiet_check(at("new.json")), 0);
	assert_int_equal(quiet_check(at("no/such/dir.json")), -1);
	assert_int_equal(quiet_check(dir), -1);
	assert_int_equal(quiet_check(at("newdir/")), -1);
	assert_int_equal(quiet_check(""), -1);
	assert_int_equal(quiet_check("/dev/null"), 0);
	assert_int_equal(link_to("nowhere", "dangling"), 0);
	assert_int_equal(quiet_check(at("dangling")), -1);
	/* Nothing was created on the way. */
	assert_int_equal(access(at("nowhere"), F_OK), -1);
	assert_int_equal(access(at("new.json"), F_OK), -1);
}

static void new_file_honours_umask(void **state)
{
	mode_t old = umask(027);
	struct stat st;

	assert_int_equal(file_write_atomic(at("m.json"), "{}", 2, true), 0);
	umask(old);
	assert_int_equal(stat(at("m.json"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_string_equal(slurp(at("m.json")), "{}\n");
}

static void symlink_stays_and_its_target_is_replaced(void **state)
{
	char target[256];
	struct stat st;

	snprintf(target, sizeof(target), "%s", at("target.json"));
	assert_int_equal(file_write_atomic(target, "old", 3, false), 0);
	assert_int_equal(link_to("target.json", "link.json"), 0);
	assert_int_equal(file_write_atomic(at("link.json"), "new", 3, false), 0);
	assert_int_equal(lstat(at("link.json"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(target), "new");
}

static void devices_and_fifos_are_written_through(void **state)
{
	char fifo[256], null[256], got[16] = "";
	struct stat st;
	int fd;

	/* A null device of our own: a regression must not cost /dev/null. */
	snprintf(null, sizeof(null), "%s", at("null"));
	if (mknod(null, S_IFCHR | 0666, makedev(1, 3)))
		skip();
	assert_int_equal(file_write_atomic(null, "x", 1, true), 0);
	assert_int_equal(lstat(null, &st), 0);
	assert_true(S_ISCHR(st.st_mode));

	snprintf(fifo, sizeof(fifo), "%s", at("fifo"));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* Nobody reads: a broken pipe, not a wait for ever. */
	assert_int_equal(file_write_atomic(fifo, "rec", 3, true), -EPIPE);
	/* Read-write: a reader already there, in this process. */
	fd = open(fifo, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(file_write_atomic(fifo, "rec", 3, true), 0);
	assert_int_equal(read(fd, got, sizeof(got) - 1), 4);
	close(fd);
	assert_string_equal(got, "rec\n");
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

static void directories_are_refused(void **state)
{
	assert_int_equal(file_write_atomic(dir, "x", 1, false), -EISDIR);
	assert_int_equal(file_write_atomic(at("dangling2"), "x", 1, false), 0);
	assert_int_equal(link_to("nothing", "dangling3"), 0);
	assert_int_equal(file_write_atomic(at("dangling3"), "x", 1, false), -ENOENT);
	assert_int_equal(access(at("nothing"), F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seconds_are_bounded),
		cmocka_unit_test_setup_teardown(paths_checked_before_work, setup, teardown),
		cmocka_unit_test_setup_teardown(new_file_honours_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_stays_and_its_target_is_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(devices_and_fifos_are_written_through, setup,
						teardown),
		cmocka_unit_test_setup_teardown(directories_are_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
