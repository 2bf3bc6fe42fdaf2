// SPDX-License-Identifier: GPL-2.0
/* thpscope: eBPF observability for transparent huge pages. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "self.h"
#include "util.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "record", cmd_record, "trace THP activity and write a record file" },
	{ "report", cmd_report, "print a record file as tables or JSON" },
	{ "top", cmd_top, "watch THP activity live, per interval" },
	{ "maps", cmd_maps, "how much of processes' memory is in large folios, per order" },
	{ "serve", cmd_serve, "serve THP metrics to Prometheus over HTTP" },
	{ "trace", cmd_trace, "print THP events as they happen" },
	{ "diff", cmd_diff, "compare two sets of records; exit 1 on a regression" },
	{ "probes", cmd_probes, "list the probes and whether they attach here" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: thpscope COMMAND [ARGS...]\n\n"
		"Observe the life of transparent huge pages: collapse, split,\n"
		"migration and the deferred-split queue.\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\noptions:\n"
		"  -h, --help  this text\n"
		"  --version   thpscope's version and libbpf's, built against and running\n"
		"\n'thpscope COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	/* Before anything is allocated: thpscope's own memory must not show
	 * in the THP figures it takes (--include-self gives THP back). */
	self_thp_disable(true);
	if (argc > 1 && !strcmp(argv[1], SELF_EXEC_ARG))
		return self_exec(argv + 2);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		/* A distribution may update libbpf under thpscope. */
		printf("thpscope %s (libbpf %d.%d, running %s)\n", THPSCOPE_VERSION,
		       LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION, libbpf_version_string());
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	errorf("unknown command '%s' (see thpscope --help)", argv[1]);
	return 2;
}
