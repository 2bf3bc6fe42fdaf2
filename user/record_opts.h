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

/* Parse thpscope record's arguments (ARGV[0] is "record"). Returns 0,
 * 1 when help was printed, or -1 after printing one line of error. */
int record_parse_args(int argc, char **argv, struct record_opts *o);

#endif
