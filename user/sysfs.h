/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the THP sysfs tree. */
#ifndef THPSCOPE_SYSFS_H
#define THPSCOPE_SYSFS_H

#include <jansson.h>

#define THP_SYSFS "/sys/kernel/mm/transparent_hugepage"

/* Turns a file's text into a JSON value, or NULL to leave it out. */
typedef json_t *(*sysfs_value_fn)(const char *text);

/* Every regular file of DIR, keyed by name, through VALUE. */
json_t *sysfs_dir(const char *dir, sysfs_value_fn value);
/* A whole decimal number, else NULL. */
json_t *sysfs_number(const char *text);

/* For each hugepages-<size>kB directory: FN(its path, order, size, CTX). */
typedef void (*thp_size_fn)(const char *dir, const char *order,
			    unsigned long kb, void *ctx);
void thp_foreach_size(unsigned int page_size, thp_size_fn fn, void *ctx);

#endif
