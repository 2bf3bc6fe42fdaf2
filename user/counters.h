/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's own THP counters: /proc/vmstat (thp_*, compact_*,
 * pgmigrate_*, and the THP gauges) and the per-size mTHP stats under
 * /sys/kernel/mm/transparent_hugepage/hugepages-<size>kB/stats/. */
#ifndef THPSCOPE_COUNTERS_H
#define THPSCOPE_COUNTERS_H

#include <stdbool.h>
#include <jansson.h>

/* The counters' files, opened once to be read again and again (serve's
 * scrapes, the timeline's ticks): each read is a pread of an open file,
 * not a directory walk and an open per file. The mTHP stats (a file per
 * size and stat, ~150) are opened by the first counter_files_read, so
 * that a session that never reads them (trace) never opens them. NULL
 * when out of memory. */
struct counter_files *counter_files_open(unsigned int page_size);
/* {"vmstat": {name: value}, "mthp": {"<order>": {"size_kb": N, stat: value}}} */
json_t *counter_files_read(struct counter_files *cf);
/* {"vmstat": {name: value}} alone: one read. */
json_t *counter_files_vmstat(struct counter_files *cf);
void counter_files_close(struct counter_files *cf);
/* One reading: open, read, close. */
json_t *counters_snapshot(unsigned int page_size);
/* Counters as END - START; gauges as {"start": S, "end": E}. */
json_t *counters_delta(json_t *start, json_t *end);
/* What grew from START to END: {"vmstat": {name: n}, "mthp": {"<order>":
 * {stat: n}}}, counters of events only, those that did not grow left out. */
json_t *counters_growth(json_t *start, json_t *end);
/* Gauges hold a level, not a count of events. */
bool counter_is_gauge(const char *name);
/* Parse /proc/vmstat-format TEXT, keeping the THP-relevant names. */
json_t *vmstat_parse(const char *text);

#endif
