/* SPDX-License-Identifier: GPL-2.0 */
#ifndef THPSCOPE_KERNEL_INFO_H
#define THPSCOPE_KERNEL_INFO_H

#include <jansson.h>
#include "kenv.h"

/* The record's "kernel": release, version, machine, command line, page
 * size, PMD order, CPUs and NUMA nodes. */
json_t *kernel_info_json(const struct kenv *env);

#endif
