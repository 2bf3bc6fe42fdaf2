/* SPDX-License-Identifier: GPL-2.0 */
/* The THP configuration a recording ran under: a comparison is
 * meaningless without it. */
#ifndef THPSCOPE_THPCONFIG_H
#define THPSCOPE_THPCONFIG_H

#include <jansson.h>

/* {"enabled": "madvise", "defrag": ..., "shmem_enabled": ...,
 *  "khugepaged": {knob: value}, "sizes": {"<order>": {"size_kb": N,
 *  "enabled": ..., "shmem_enabled": ...}}}; values are the selected
 * choice of a "[x] y z" file, numbers as numbers. */
json_t *config_snapshot(unsigned int page_size);
/* The value of a sysfs knob's text: the bracketed choice if any, a
 * number if the text is one, else the text. */
json_t *config_value(const char *text);

#endif
