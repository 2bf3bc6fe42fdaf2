// SPDX-License-Identifier: GPL-2.0
/* thpscope report: a record file as human tables or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "json_util.h"
#include "util.h"

static const char usage[] =
"usage: thpscope report FILE [--json]\n"
"\n"
"Print a record file written by 'thpscope record': aligned tables with\n"
"units and the mechanism that measured each figure, or with --json the\n"
"record document itself (schema in docs/record-schema.md).\n"
"\n"
"  --json       print the JSON document\n"
"  -h, --help   this text\n";

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	bool as_json = false;
	json_t *rec;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'j':
			as_json = true;
			break;
		default:
			errorf("report: unknown option '%s' (see thpscope report --help)",
			       argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		errorf("report: expects one record file (see thpscope report --help)");
		return 2;
	}
	rec = record_load(argv[optind]);
	if (!rec)
		return 1;
	if (as_json) {
		json_dumpf(rec, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	} else {
		report_print(stdout, rec);
	}
	json_decref(rec);
	return 0;
}
