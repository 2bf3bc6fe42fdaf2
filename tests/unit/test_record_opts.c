// SPDX-License-Identifier: GPL-2.0
/* thpscope record's command line. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "record_opts.h"
#include "session.h"

static int parse(struct record_opts *o, const char *line)
{
	static char buf[256];
	char *argv[32];
	int argc = 0;
	int saved;
	FILE *null;
	int ret;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	/* Errors go to stderr; keep the test output clean. */
	fflush(stderr);
	saved = dup(2);
	null = fopen("/dev/null", "w");
	dup2(fileno(null), 2);
	ret = record_parse_args(argc, argv, o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(null);
	return ret;
}

static void defaults(void **state)
{
	struct record_opts o;

	assert_int_equal(parse(&o, "record"), 0);
	assert_string_equal(o.output, DEFAULT_OUTPUT);
	assert_true(o.seconds == 0);
	assert_false(o.quiet);
	assert_null(o.command);
}

static void options_and_command(void **state)
{
	struct record_opts o;

	assert_int_equal(parse(&o, "record -q -o out.json -d 2.5 -- thpload -n 4 mixed"), 0);
	assert_true(o.quiet);
	assert_string_equal(o.output, "out.json");
	assert_true(o.seconds == 2.5);
	assert_string_equal(o.command[0], "thpload");
	assert_string_equal(o.command[1], "-n");
	assert_null(o.command[4]);
}

static void families_interval_and_filters(void **state)
{
	struct record_opts o;

	assert_int_equal(parse(&o, "record -e collapse -e migrate -i 0.5 --comm thpload -d 3"), 0);
	assert_int_equal(o.families, session_family_bit("collapse") | session_family_bit("migrate"));
	assert_true(o.interval == 0.5);
	assert_true(o.filter.by_comm);
	assert_string_equal(o.filter.comm, "thpload");
	assert_int_equal(parse(&o, "record"), 0);
	assert_int_equal(o.families, 0);
	assert_true(o.interval == 1);
	assert_int_equal(parse(&o, "record -e nosuch"), -1);
	assert_int_equal(parse(&o, "record -i 0"), -1);
	assert_int_equal(parse(&o, "record --comm waytoolongforacomm"), -1);
	assert_int_equal(parse(&o, "record -p 0"), -1);
}

static void command_options_are_not_ours(void **state)
{
	struct record_opts o;

	assert_int_equal(parse(&o, "record thpload -q"), 0);
	assert_false(o.quiet);
	assert_string_equal(o.command[1], "-q");
}

static void bad_input_is_refused(void **state)
{
	struct record_opts o;

	assert_int_equal(parse(&o, "record -d 0"), -1);
	assert_int_equal(parse(&o, "record -d -3"), -1);
	assert_int_equal(parse(&o, "record -d 1x"), -1);
	assert_int_equal(parse(&o, "record -d inf"), -1);
	assert_int_equal(parse(&o, "record -z"), -1);
	assert_int_equal(parse(&o, "record --"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(options_and_command),
		cmocka_unit_test(families_interval_and_filters),
		cmocka_unit_test(command_options_are_not_ours),
		cmocka_unit_test(bad_input_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
