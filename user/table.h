/* SPDX-License-Identifier: GPL-2.0 */
/* Aligned text tables for the human report. */
#ifndef THPSCOPE_TABLE_H
#define THPSCOPE_TABLE_H

#include <stdio.h>

struct table;

/* HEADER and rows are tab-separated cells; numeric cells align right. */
struct table *table_new(const char *header);
void table_add(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t table_rows(const struct table *t);
/* Print TITLE, the measuring mechanism in brackets, then the rows;
 * nothing at all when the table is empty. */
void table_print(struct table *t, FILE *out, const char *title, const char *via);
void table_free(struct table *t);

#endif
