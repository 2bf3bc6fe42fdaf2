/* SPDX-License-Identifier: GPL-2.0 */
/* The record's histogram shape (docs/record-schema.md, "Histograms"):
 *   {"unit": "ns", "count": N, "sum": S,
 *    "buckets": [{"lo": 1024, "hi": 2048, "count": 3}, ...]}
 * log2 buckets, lo inclusive, hi exclusive, empty buckets left out. */
#ifndef THPSCOPE_HIST_JSON_H
#define THPSCOPE_HIST_JSON_H

#include <jansson.h>
#include <linux/types.h>
#include "hist.h"

json_t *hist_to_json(const struct hist *h, const char *unit);
/* Add histogram SRC (record shape) into DST (record shape). */
void hist_json_merge(json_t *dst, const json_t *src);
/* Add H (record shape) to the histogram at PATH under ROOT, creating it. */
void hist_json_add(json_t *root, const char *path, const json_t *h);
/* Estimate quantile Q (0..1) by interpolating inside its bucket.
 * Returns 0, or -1 for an empty or malformed histogram. */
int hist_json_quantile(const json_t *h, double q, double *out);

#endif
