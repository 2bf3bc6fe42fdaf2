// SPDX-License-Identifier: GPL-2.0
/* The command line of thpscope record. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "../bpf/pathology.h"
#include "record_opts.h"
#include "session_family.h"
#include "util.h"

struct pathology_limits pathology_limits = {
	.count = PATHOLOGY_MIN_COUNT,
	.window_s = PATHOLOGY_WINDOW_S,
};

int pathology_option(int opt, const char *arg, const char *cmd)
{
	switch (opt) {
	case OPT_PATHOLOGY_COUNT:
		/* One event is no repetition; the kernel keeps the last
		 * PATHOLOGY_RING times. */
		return parse_uint(cmd, "--pathology-count", arg, 2, PATHOLOGY_RING,
				  &pathology_limits.count);
	case OPT_PATHOLOGY_WINDOW:
		return parse_seconds(cmd, "--pathology-window", arg, DURATION_MIN_S,
				     DURATION_MAX_S, &pathology_limits.window_s);
	}
	return 1;
}

static const char usage[] =
"usage: thpscope record [-o FILE] [-d SECONDS] [-i SECONDS] [-e FAMILY]... [-q]\n"
"                       [FILTERS]\n"
"                       [-- COMMAND [ARGS...]]\n"
"\n"
"Trace what the kernel does with THPs and large folios, system-wide, and\n"
"write a record file.\n"
"Tracing stops when SECONDS have passed, COMMAND exits (its exit status\n"
"becomes thpscope's), or on SIGINT, SIGTERM or SIGHUP. A COMMAND still\n"
"running then is sent that signal (SIGTERM at the end of -d), and SIGKILL\n"
"3 s later or at a second signal; the record is written either way.\n"
"\n"
"  -o FILE      record file to write (default " DEFAULT_OUTPUT ")\n"
"  -d SECONDS   stop after SECONDS (decimals allowed)\n"
"  -i SECONDS   timeline sampling interval (default 1)\n"
"  -e FAMILY    only this probe family (repeatable), one of:\n"
"%s"
"  -q           do not print the report\n"
"  -h, --help   this text\n"
FILTER_USAGE
PATHOLOGY_USAGE
"\n"
OUTPUT_RULE;

int record_parse_args(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "interval", required_argument, NULL, 'i' },
		{ "family", required_argument, NULL, 'e' },
		FILTER_LONGOPTS,
		PATHOLOGY_LONGOPTS,
		{ 0 }
	};
	int c, err;

	memset(o, 0, sizeof(*o));
	o->output = DEFAULT_OUTPUT;
	o->interval = 1;
	/* 0, not 1: glibc then also forgets where it was in the last
	 * argument of an earlier scan (the unit tests parse many). */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ho:d:qi:e:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf(usage, session_family_help(15));
			return 1;
		case 'o':
			o->output = optarg;
			break;
		case 'd':
			if (parse_seconds("record", "-d", optarg, DURATION_MIN_S, DURATION_MAX_S,
					  &o->seconds))
				return -1;
			break;
		case 'i':
			if (parse_seconds("record", "-i", optarg, INTERVAL_MIN_S, INTERVAL_MAX_S,
					  &o->interval))
				return -1;
			break;
		case 'e':
			if (session_family_option("record", optarg, &o->families))
				return -1;
			break;
		case 'q':
			o->quiet = true;
			break;
		default:
			err = pathology_option(c, optarg, "record");
			if (err == 1)
				err = filter_option(&o->filter, c, optarg, "record");
			if (err < 0)
				return -1;
			if (err == 0)
				break;
			errorf("record: unknown option '%s' (see thpscope record --help)",
			       argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		o->command = &argv[optind];
	if (optind > 1 && !strcmp(argv[optind - 1], "--") && !o->command) {
		errorf("record: '--' must be followed by a command");
		return -1;
	}
	return 0;
}

