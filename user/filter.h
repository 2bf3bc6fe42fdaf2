/* SPDX-License-Identifier: GPL-2.0 */
/* The -p / --comm / --cgroup filters of record, top and trace, and
 * whether thpscope's own process counts (--include-self). They are
 * applied in the kernel (bpf/filter.bpf.h); this side parses and checks
 * them and writes them into the record. */
#ifndef THPSCOPE_FILTER_OPTS_H
#define THPSCOPE_FILTER_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../bpf/filter.h"

struct filter {
	uint32_t tgids[FILTER_MAX_PIDS];
	unsigned int ntgids;
	char comm[16];
	bool by_comm;
	char cgroup_path[256];
	uint64_t cgroup_id;	/* 0: no cgroup filter */
	bool cgroup_v1;
	bool include_self;	/* thpscope's own events count */
};

/* getopt_long codes of the filter options; short -p is 'p'. */
enum { OPT_COMM = 0x100, OPT_CGROUP, OPT_INCLUDE_SELF };

#define FILTER_LONGOPTS \
	{ "pid", required_argument, NULL, 'p' }, \
	{ "comm", required_argument, NULL, OPT_COMM }, \
	{ "cgroup", required_argument, NULL, OPT_CGROUP }, \
	{ "include-self", no_argument, NULL, OPT_INCLUDE_SELF }

#define FILTER_USAGE \
"  -p PID         only events of process PID (repeatable, threads included)\n" \
"  --comm NAME    only events of processes named NAME\n" \
"  --cgroup PATH  only events of processes in cgroup PATH or below (a v2\n" \
"                 cgroup, or a v1 memory cgroup; relative to /sys/fs/cgroup)\n" \
"  --include-self count the events of thpscope's own process and let its\n" \
"                 memory have THPs; by default they are not counted and its\n" \
"                 memory gets none (the COMMAND it runs is not affected)\n"

/* Handle filter option OPT with ARG for command CMD. Returns 1 when OPT
 * is not a filter option, 0 when taken, -1 after one line of error. */
int filter_option(struct filter *f, int opt, const char *arg, const char *cmd);
bool filter_active(const struct filter *f);
/* {pids, comm, cgroup: {path, id, hierarchy}}, or null with no filter. */
json_t *filter_to_json(const struct filter *f);
/* {pid, events, thp_disabled}: thpscope's own process, whether its
 * events were "excluded" or "included", whether THP is off for it. */
json_t *filter_self_to_json(const struct filter *f);

#endif
