// SPDX-License-Identifier: GPL-2.0
/* thpscope report: a record file as human tables or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "html.h"
#include "json_util.h"
#include "util.h"

static const char usage[] =
"usage: thpscope report FILE [--json | --html [-o OUT.html]]\n"
"\n"
"Print a record file written by 'thpscope record': aligned tables with\n"
"units and the mechanism that measured each figure, or with --json the\n"
"record document itself (schema in docs/record-schema.md), or with\n"
"--html a self-contained page of charts.\n"
"\n"
"  --json       print the JSON document\n"
"  --html       write an HTML page with SVG charts\n"
"  -o OUT.html  where --html writes (default thpscope.html)\n"
"  -h, --help   this text\n"
"\n"
OUTPUT_RULE;

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", no_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *out = NULL;
	bool as_json = false, as_html = false;
	json_t *rec;
	int c, ret = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'j':
			as_json = true;
			break;
		case 'H':
			as_html = true;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			errorf("report: unknown option '%s' (see thpscope report --help)",
			       argv[optind - 1]);
			return 2;
		}
	}
	if (as_json && as_html) {
		errorf("report: --json and --html exclude each other");
		return 2;
	}
	if (out && !as_html) {
		errorf("report: -o is where --html writes; --html is missing");
		return 2;
	}
	if (optind != argc - 1) {
		errorf("report: expects one record file (see thpscope report --help)");
		return 2;
	}
	if (!out)
		out = "thpscope.html";
	if (as_html && output_check("report", out))
		return 1;
	rec = record_load(argv[optind]);
	if (!rec)
		return 1;
	if (as_json) {
		json_dumpf(rec, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	} else if (as_html) {
		ret = html_write_report(out, rec) ? 1 : 0;
	} else {
		report_print(stdout, rec);
	}
	json_decref(rec);
	return ret;
}
