/* SPDX-License-Identifier: GPL-2.0 */
/* thpscope's own memory and THP: a profiler must not change what it
 * measures, so its memory gets no THP (PR_SET_THP_DISABLE) unless asked
 * for with --include-self. The switch lives in the mm and is inherited
 * across fork and exec; the command thpscope runs must not inherit it. */
#ifndef THPSCOPE_SELF_H
#define THPSCOPE_SELF_H

#include <stdbool.h>

/* Turn THP off or back on for this process's memory. */
void self_thp_disable(bool off);
/* Whether THP is off for this process's memory. */
bool self_thp_disabled(void);

#endif
