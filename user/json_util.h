/* SPDX-License-Identifier: GPL-2.0 */
/* The one JSON writer and reader of thpscope, over jansson. Paths are
 * dotted ("collapse.by_order.9.succeed"); keys never contain dots. */
#ifndef THPSCOPE_JSON_UTIL_H
#define THPSCOPE_JSON_UTIL_H

#include <jansson.h>
#include <stdint.h>

#define RECORD_SCHEMA "thpscope-record/1"

/* The object at PATH under ROOT, created (with its parents) if absent. */
json_t *jpath(json_t *root, const char *path);
/* The value at PATH, or NULL. */
json_t *jget(json_t *root, const char *path);
/* Add V to the integer at PATH (created as 0). */
void jadd(json_t *root, const char *path, uint64_t v);
/* The integer at PATH, 0 when absent. */
uint64_t jget_u64(json_t *root, const char *path);

/* Write DOC to PATH through a temporary file in the same directory and a
 * rename, so PATH is never half-written. Returns 0 or -errno. */
int json_write_atomic(json_t *doc, const char *path);

/* Load a record file ("-": stdin); on failure print one line (with line
 * and column for syntax errors) and return NULL. Refuses what is not a
 * regular file, checks the schema version and every number (record_num.h). */
json_t *record_load(const char *path);

/* The entries a ranked list of a record or a report keeps: the top
 * processes, the fallbacks, ... */
#define TOP_ENTRIES 20

/* Sort ARR (objects) by the integer KEY, largest first (ties keep their
 * order), keeping MAX. */
void json_array_top(json_t *arr, const char *key, size_t max);

#endif
