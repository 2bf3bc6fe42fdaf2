// SPDX-License-Identifier: GPL-2.0
/* thpscope record's command line. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "record_opts.h"
#include "family.h"
#include "session_family.h"

/* Parse LINE; what record_parse_args writes to FD (1 or 2) goes to OUT,
 * NUL-terminated, and the other stream to /dev/null. */
static int parse_output(struct record_opts *o, const char *line, int fd, char *out, size_t size)
{
	static char buf[256];
	char *argv[32];
	int argc = 0;
	int saved[2];
	FILE *null, *capture;
	size_t n;
	int ret;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	saved[0] = dup(1);
	saved[1] = dup(2);
	null = fopen("/dev/null", "w");
	capture = tmpfile();
	assert_non_null(null);
	assert_non_null(capture);
	dup2(fileno(fd == 1 ? capture : null), 1);
	dup2(fileno(fd == 2 ? capture : null), 2);
	ret = record_parse_args(argc, argv, o);
	fflush(stdout);
	fflush(stderr);
	dup2(saved[0], 1);
	dup2(saved[1], 2);
	close(saved[0]);
	close(saved[1]);
	rewind(capture);
	n = fread(out, 1, size - 1, capture);
	out[n] = '\0';
	fclose(capture);
	fclose(null);
	return ret;
}

static int parse(struct record_opts *o, const char *line)
{
	char ignored[4096];

	return parse_output(o, line, 2, ignored, sizeof(ignored));
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

/* The line of -e's help that names FAM: INDENT blanks, then the name. */
static const char *help_line(const char *help, const struct family *fam)
{
	const char *line;
	size_t len = strlen(fam->name);

	for (line = help; *line; line = strchr(line, '\n') + 1) {
		const char *name = line + strspn(line, " ");

		if (!strncmp(name, fam->name, len) && strchr(" \n", name[len]))
			return line;
		if (!strchr(line, '\n'))
			break;
	}
	return NULL;
}

static void help_lists_every_family(void **state)
{
	const char *lead = "only this probe family (repeatable), one of:\n";
	struct record_opts o;
	char help[8192], *list;
	size_t i;

	assert_int_equal(parse_output(&o, "record --help", 1, help, sizeof(help)), 1);
	list = strstr(help, lead);
	assert_non_null(list);
	list += strlen(lead);
	for (i = 0; i < nfamilies; i++) {
		const char *line = help_line(list, families[i]);

		assert_non_null(line);
		/* Under the option's description, above the next option. */
		assert_true(line < strstr(list, "  -q "));
		assert_int_equal(strspn(line, " "), 15);
		if (families[i]->summary)
			assert_non_null(strstr(line, families[i]->summary));
	}
}

/* At any indent (trace's is 17), a line per family and nothing else. */
static void help_is_a_line_per_family(void **state)
{
	const char *help = session_family_help(17), *line;
	size_t i, lines = 0;

	for (line = help; *line; lines++) {
		/* Every line ends with one. */
		assert_non_null(strchr(line, '\n'));
		line = strchr(line, '\n') + 1;
	}
	assert_int_equal(lines, nfamilies);
	for (i = 0; i < nfamilies; i++) {
		line = help_line(help, families[i]);
		assert_non_null(line);
		assert_int_equal(strspn(line, " "), 17);
	}
}

static void every_family_has_its_bit(void **state)
{
	unsigned int all = 0;
	size_t i;

	for (i = 0; i < nfamilies; i++) {
		unsigned int bit = session_family_bit(families[i]->name);
		struct record_opts o;
		char line[64];

		assert_int_equal(bit, 1U << i);
		all |= bit;
		snprintf(line, sizeof(line), "record -e %s", families[i]->name);
		assert_int_equal(parse(&o, line), 0);
		assert_int_equal(o.families, bit);
	}
	assert_int_equal(__builtin_popcount(all), nfamilies);
	assert_int_equal(session_family_bit(""), 0);
	assert_int_equal(session_family_bit("nosuch"), 0);
}

static void unknown_family_is_one_line_naming_them(void **state)
{
	struct record_opts o;
	char err[4096];
	size_t i;

	assert_int_equal(parse_output(&o, "record -e nosuch", 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown family 'nosuch'"));
	assert_non_null(strchr(err, '\n'));
	assert_string_equal(strchr(err, '\n'), "\n");
	for (i = 0; i < nfamilies; i++)
		assert_non_null(strstr(err, families[i]->name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(options_and_command),
		cmocka_unit_test(families_interval_and_filters),
		cmocka_unit_test(command_options_are_not_ours),
		cmocka_unit_test(bad_input_is_refused),
		cmocka_unit_test(help_lists_every_family),
		cmocka_unit_test(help_is_a_line_per_family),
		cmocka_unit_test(every_family_has_its_bit),
		cmocka_unit_test(unknown_family_is_one_line_naming_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
