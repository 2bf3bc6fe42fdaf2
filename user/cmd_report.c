// SPDX-License-Identifier: GPL-2.0
/* thpscope report: a record file as human tables or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "exposition.h"
#include "html.h"
#include "json_util.h"
#include "util.h"

static const char usage[] =
"usage: thpscope report FILE [--json | --html [-o OUT.html]\n"
"                            | --openmetrics [-o OUT] | --prometheus [-o OUT]]\n"
"\n"
"Print a record file written by 'thpscope record': aligned tables with\n"
"units and the mechanism that measured each figure, or with --json the\n"
"record document itself (schema in docs/record-schema.md), or with\n"
"--html a self-contained page of charts, or its figures as Prometheus\n"
"metrics, written as 'thpscope serve' writes them (counters are the\n"
"record's counts over its run).\n"
"\n"
"  --json         print the JSON document\n"
"  --html         write an HTML page with SVG charts\n"
"  --openmetrics  print the metrics in the OpenMetrics 1.0 format\n"
"  --prometheus   print them in the Prometheus text format 0.0.4 (what\n"
"                 node_exporter's textfile collector reads)\n"
"  -o OUT         where --html (default thpscope.html), --openmetrics or\n"
"                 --prometheus (default standard output) write\n"
"  -h, --help     this text\n"
"\n"
OUTPUT_RULE;

enum report_form { FORM_TABLES, FORM_JSON, FORM_HTML, FORM_OPENMETRICS, FORM_PROMETHEUS };

/* RECORD's metrics to OUT, or to standard output when OUT is NULL. */
static int write_metrics(json_t *rec, enum expo_format f, const char *out)
{
	struct textbuf tb = TEXTBUF_INIT;
	struct expo *x = expo_new();
	int err = 0;

	if (!x || (expo_record(x, rec), !expo_write(x, f, &tb))) {
		errorf("report: out of memory");
		err = 1;
	} else if (!out) {
		fputs(textbuf_str(&tb), stdout);
	} else if ((err = file_write_atomic(out, tb.buf, tb.len, false))) {
		errorf("report: %s: %s", out, strerror(-err));
		err = 1;
	}
	expo_free(x);
	textbuf_free(&tb);
	return err;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", no_argument, NULL, 'H' },
		{ "openmetrics", no_argument, NULL, 'M' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *out = NULL;
	enum report_form form = FORM_TABLES, want;
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
		case 'H':
		case 'M':
		case 'P':
			want = c == 'j' ? FORM_JSON : c == 'H' ? FORM_HTML :
			       c == 'M' ? FORM_OPENMETRICS : FORM_PROMETHEUS;
			if (form != FORM_TABLES && form != want) {
				errorf("report: --json, --html, --openmetrics and --prometheus exclude each other");
				return 2;
			}
			form = want;
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
	if (out && (form == FORM_TABLES || form == FORM_JSON)) {
		errorf("report: -o is where --html, --openmetrics or --prometheus write; none is given");
		return 2;
	}
	if (optind != argc - 1) {
		errorf("report: expects one record file (see thpscope report --help)");
		return 2;
	}
	if (!out && form == FORM_HTML)
		out = "thpscope.html";
	if (out && output_check("report", out))
		return 1;
	rec = record_load(argv[optind]);
	if (!rec)
		return 1;
	switch (form) {
	case FORM_JSON:
		json_dumpf(rec, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		break;
	case FORM_HTML:
		ret = html_write_report(out, rec) ? 1 : 0;
		break;
	case FORM_OPENMETRICS:
	case FORM_PROMETHEUS:
		ret = write_metrics(rec, form == FORM_OPENMETRICS ? EXPO_OPENMETRICS : EXPO_TEXT,
				    out);
		break;
	case FORM_TABLES:
		report_print(stdout, rec);
		break;
	}
	json_decref(rec);
	return ret;
}
