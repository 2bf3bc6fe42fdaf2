/* SPDX-License-Identifier: GPL-2.0 */
#ifndef THPSCOPE_RECORD_OPTS_H
#define THPSCOPE_RECORD_OPTS_H

#include <stdbool.h>
#include "filter.h"

#define DEFAULT_OUTPUT "thpscope.json"

struct record_opts {
	const char *output;
	double seconds;		/* 0: until the command exits or a signal */
	double interval;	/* timeline sampling, s */
	bool quiet;
	unsigned int families;	/* -e: bit per family (session_family.h), 0: all */
	struct filter filter;
	char **command;		/* NULL-terminated, or NULL */
};

/* The pathology detectors' K and T (bpf/pathology.h), set by the options
 * of record, top, trace and serve and read when the family is opened. */
struct pathology_limits {
	unsigned int count;	/* K: cycles, steps or bounces */
	double window_s;	/* T */
};

extern struct pathology_limits pathology_limits;

/* getopt_long codes of the pathology options, clear of every command's. */
enum { OPT_PATHOLOGY_COUNT = 0x400, OPT_PATHOLOGY_WINDOW };

#define PATHOLOGY_LONGOPTS \
	{ "pathology-count", required_argument, NULL, OPT_PATHOLOGY_COUNT }, \
	{ "pathology-window", required_argument, NULL, OPT_PATHOLOGY_WINDOW }

#define PATHOLOGY_USAGE \
"  --pathology-count K       a range is a pathology after K repetitions within\n" \
"                            the window: thrash cycles, creep steps, device-\n" \
"                            exclusive bounces (2 to 8; default 3)\n" \
"  --pathology-window SECONDS  that window (default 60)\n"

/* Handle pathology option OPT with ARG for command CMD. Returns 1 when
 * OPT is not one, 0 when taken, -1 after one line of error. */
int pathology_option(int opt, const char *arg, const char *cmd);

/* Parse thpscope record's arguments (ARGV[0] is "record"). Returns 0,
 * 1 when help was printed, or -1 after printing one line of error. */
int record_parse_args(int argc, char **argv, struct record_opts *o);

#endif
