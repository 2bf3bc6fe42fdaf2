/* SPDX-License-Identifier: GPL-2.0 */
/* The record's pathologies (docs/record-schema.md), for the families
 * whose detectors add to them. */
#ifndef THPSCOPE_PATHOLOGY_RECORD_H
#define THPSCOPE_PATHOLOGY_RECORD_H

#include <stdbool.h>
#include <jansson.h>

struct probe_set;
struct pathology_event_body;

/* {"available": true}, or false with "why": the first of NAMES (NULL-ended)
 * not attached and its reason; NEED_ALL: every one is needed, else any. */
json_t *pathology_detector(const struct probe_set *probes, const char *const *names,
			   bool need_all);

/* Detector KIND of RECORD is DETECTOR; PLACES (an array of pathologies
 * of that kind) join the record's, the most counts first. Takes both. */
void pathology_add(json_t *record, const char *kind, json_t *detector, json_t *places);

/* The fields of the event of a pathology first detected, into O. */
void pathology_event_decode(const struct pathology_event_body *b, json_t *o);

#endif
