/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A coverage (coverage.h) as a JSON object, the one form that maps
 * --json prints, records keep and the text tables are made from:
 *
 *   {"page_size", "pmd_order", "rss", "resident", "large", "device",
 *    "device_pmd", "swapped", "zero", "hugetlb", "mapped", "vmas",
 *    "anon"|"shmem"|"file": {"resident", "large",
 *                            "whole": {ORDER: bytes}, "partial": {ORDER: bytes}}}
 *
 * in bytes; "rss" is what smaps calls Rss (resident plus device-private),
 * "large" what is mapped whole in folios of order 1 or more.
 */
#ifndef THPSCOPE_COVERAGE_VIEW_H
#define THPSCOPE_COVERAGE_VIEW_H

#include <stdio.h>
#include <jansson.h>
#include "coverage.h"

json_t *coverage_to_json(const struct coverage *c, const struct page_geometry *g);
/* LARGE / RESIDENT of a coverage object, in percent (0 when empty). */
double coverage_percent(json_t *cov);
/* The table of coverage object COV, headed by TITLE. */
void coverage_print(FILE *out, const char *title, json_t *cov);

#endif
