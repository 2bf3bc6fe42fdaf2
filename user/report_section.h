/* SPDX-License-Identifier: GPL-2.0 */
/* What the families' report sections are made of: keys in order, latency
 * quantiles, the probes that measured a table, key:value lists, and the
 * rows of the table of fallbacks to small pages. */
#ifndef THPSCOPE_REPORT_SECTION_H
#define THPSCOPE_REPORT_SECTION_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "textbuf.h"

/* The most keys of one object a report lists. */
#define MAX_KEYS 256

/* OBJ's keys into KEYS (room for MAX_KEYS), numerically when they are
 * numbers, else alphabetically. Returns how many. */
size_t sorted_keys(json_t *obj, const char **keys);
/* The NQS quantiles QS of latency histogram H, or dashes, apart by SEP. */
const char *quantiles_of(struct textbuf *tb, json_t *h, const char *sep, const double *qs,
			 size_t nqs);
/* p50, p90 and p99 of H. */
const char *quantiles(struct textbuf *tb, json_t *h, const char *sep);
/* "tracepoint mm_collapse_huge_page, ..." from the probes NAMES (ending
 * with NULL) of the record that measured; when none did, why the first
 * could not. */
const char *probes_via(struct textbuf *tb, json_t *rec, const char *const *names);
/* "k1:v1 k2:v2" of the integers of OBJ in key order, or "-". */
const char *kv_list(struct textbuf *tb, json_t *obj);

/* The report's table of every way large folios fell back to small pages,
 * ranked by the pages concerned; each family adds its rows. */
struct fallbacks {
	json_t *rows;
};

/* A row of COUNT fallbacks (none when 0) described by WHAT, seen by VIA,
 * concerning PAGES base pages (-1: unknown). */
void fallbacks_add(struct fallbacks *f, const char *what, const char *via, uint64_t count,
		   long long pages);

#endif
