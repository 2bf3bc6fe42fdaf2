/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers of a record file, checked once before anything reads them.
 * A record travels between machines and is untrusted: an order read from
 * it becomes a shift count and a counter a factor, so every number is
 * range-checked by the kind of key that holds it, and the readers below
 * return only what the check let through.
 */
#ifndef THPSCOPE_RECORD_NUM_H
#define THPSCOPE_RECORD_NUM_H

#include <stdint.h>
#include <jansson.h>

/* The largest PMD order of any architecture (64 kB pages on arm64,
 * LoongArch and MIPS); x86-64's is 9. */
#define RECORD_PMD_ORDER_MAX 13
/* The largest counter: a count of folios times the base pages of the
 * largest folio, as the report ranks fallbacks, still fits a json_int_t. */
#define RECORD_COUNT_MAX (INT64_MAX >> RECORD_PMD_ORDER_MAX)

/* Check REC's schema and every number and order key in it. Returns 0, or
 * -1 after one line that names NAME and the offending key. */
int record_check(json_t *rec, const char *name);

/* The record's PMD order (checked), 0 when the record does not say: its
 * orders are then checked against RECORD_PMD_ORDER_MAX, and what is
 * counted in THPs is not known in pages. */
unsigned int record_pmd_order(json_t *rec);
/* The base pages of THPS THPs of the record, -1 when it has no PMD order. */
long long record_thp_pages(json_t *rec, uint64_t thps);
/* The order an order key names (checked: 0..the record's PMD order). */
unsigned int record_order(const char *key);

#endif
